"""Urban resilience workbench: functionality (EP, SC), recovery under constraints, indexes.

The stage modules are importable as attributes (``workbench.damage``, ``workbench.recovery``, …);
the names notebooks use most are re-exported here. Plotting (``workbench.plots``) is imported on
demand, since it loads HoloViews and matplotlib.
"""

from . import (cityio, criticality, damage, debris, demo, fragility, functionality, hazard,
               importers, indexes, interop, mapping, mitigation, pipeline, recovery, report,
               system)
from .city import City, buildings_from_frame, toy_city, validate_network
from .cityio import load_city, save_city
from .criticality import four_r, node_criticality, single_points_of_failure
from .damage import damage_probabilities, damage_table, sample_damage
from .debris import road_blockage
from .demo import demo_city
from .dims import BUILDING, COMPONENT, NETWORK, NETWORKS, REALIZATION, SCENARIO, STRATEGY, TIME
from .errors import InputError, ParameterError, StageError, WorkbenchError
from .hazard import Earthquake, earthquake_intensity, intensity_from_csv
from .importers import city_from_osm, read_buildings_geojson, read_epanet, read_osm, read_pandapower
from .interop import city_from_inventory, export_results, read_damage, read_inventory
from .indexes import economic_loss, functionality_at, recovery_time, service_loss, summary_indexes
from .mapping import map_buildings, map_city
from .params import default_params_yaml, load_params
from .recovery import Constraints, simulate_recovery
from .synthetic import grid_city
from .system import InfrastructureSystem, build_system

__all__ = [
    "City", "buildings_from_frame", "load_city", "save_city", "toy_city", "validate_network",
    "four_r", "node_criticality", "single_points_of_failure",
    "damage_probabilities", "damage_table", "sample_damage", "road_blockage", "demo_city",
    "BUILDING", "COMPONENT", "NETWORK", "NETWORKS", "REALIZATION", "SCENARIO", "STRATEGY", "TIME",
    "InputError", "ParameterError", "StageError", "WorkbenchError",
    "Earthquake", "earthquake_intensity", "intensity_from_csv",
    "city_from_osm", "read_buildings_geojson", "read_epanet", "read_osm", "read_pandapower",
    "city_from_inventory", "export_results", "read_damage", "read_inventory",
    "economic_loss", "functionality_at", "recovery_time", "service_loss", "summary_indexes",
    "map_buildings", "map_city", "default_params_yaml", "load_params",
    "Constraints", "simulate_recovery", "grid_city", "InfrastructureSystem", "build_system",
    "cityio", "criticality", "damage", "debris", "demo", "fragility", "functionality", "hazard",
    "importers", "indexes", "interop", "mapping", "mitigation", "pipeline", "recovery", "report",
    "system",
]
__version__ = "0.1.0"
