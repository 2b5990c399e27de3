"""The ground floor: dim names and vocabulary (:mod:`.dims`), the exception hierarchy
(:mod:`.errors`), path constants (:mod:`.paths`) and the registry of assumptions
(:mod:`.assumptions`). Imports nothing of the package above it."""
