"""Urban resilience workbench: functionality (EP, SC), recovery under constraints, indexes."""

from .city import City, buildings_from_frame, load_city, save_city, toy_city, validate_network
from .dims import BUILDING, COMPONENT, NETWORK, NETWORKS, REALIZATION, SCENARIO, STRATEGY, TIME
from .errors import InputError, ParameterError, StageError, WorkbenchError
from .mapping import map_buildings, map_city

__all__ = [
    "City", "buildings_from_frame", "load_city", "save_city", "toy_city", "validate_network",
    "BUILDING", "COMPONENT", "NETWORK", "NETWORKS", "REALIZATION", "SCENARIO", "STRATEGY", "TIME",
    "InputError", "ParameterError", "StageError", "WorkbenchError",
    "map_buildings", "map_city",
]
__version__ = "0.1.0"
