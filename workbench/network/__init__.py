"""The infrastructure: the system compiled to arrays with its interdependency cascade and
service (:mod:`.system`), and the networks' criticality and redundancy (:mod:`.criticality`)."""
