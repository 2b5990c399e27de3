"""What a recovery is measured by: the resilience indexes (:mod:`.indexes`: economic loss,
service-capacity loss, recovery time, functionality at 72 h) and the 4R attributes of
Bruneau et al. (:mod:`.four_r`), with one rule for the time to a threshold."""
