"""Urban resilience workbench: functionality (EP, SC), recovery under constraints, indexes.

The folders are the data flow (docs/ARCHITECTURE.md): ``core`` (dims, errors, paths,
assumptions) → ``city`` (the model, mapping) → ``hazard`` (ground motion, fragility, damage,
debris) and ``network`` (system, criticality) → ``functionality`` → ``metrics`` (indexes) →
``recovery`` → ``response``, ``models`` → ``uncertainty`` → ``mitigation``; ``io`` (city
folders, importers, interop, demo) reads into the model; ``show`` (report, plots, formatting)
and ``run`` (parameters, pipeline, commands, dashboard) sit on top.

The names notebooks and users' code use most are re-exported here, and the modules keep their
names of before the folders as attributes (``workbench.damage``, ``workbench.system``,
``workbench.pipeline``, …). Plotting (``workbench.plots``) is imported on demand, since it
loads HoloViews and matplotlib.
"""

import importlib

from . import functionality, mitigation, recovery
from .city import mapping
from .city.mapping import map_buildings, map_city
from .city.model import City, buildings_from_frame, toy_city, validate_network
from .city.synthetic import grid_city
from .core.dims import (BUILDING, COMPONENT, NETWORK, NETWORKS, REALIZATION, SCENARIO, STRATEGY,
                        TIME)
from .core.errors import InputError, ParameterError, StageError, WorkbenchError
from .hazard import damage, debris, fragility
from .hazard.damage import damage_probabilities, damage_table, sample_damage
from .hazard.debris import road_blockage
from .hazard.ground_motion import Earthquake, earthquake_intensity, intensity_from_csv
from .io import cityio, demo, importers, interop
from .io.cityio import load_city, save_city
from .io.demo import demo_city
from .io.importers import (city_from_osm, read_buildings_geojson, read_epanet, read_osm,
                           read_pandapower)
from .io.interop import city_from_inventory, export_results, read_damage, read_inventory
from .metrics import indexes
from .metrics.indexes import (economic_loss, functionality_at, recovery_time, service_loss,
                              summary_indexes)
from .network import criticality, system
from .metrics.four_r import four_r
from .network.criticality import node_criticality, single_points_of_failure
from .network.system import InfrastructureSystem, build_system
from .recovery import Constraints, simulate_recovery
from .run import pipeline
from .run.params import default_params_yaml, load_params
from .show import report

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


def __getattr__(name: str):
    # PEP 562: `from workbench import plots` loads HoloViews and matplotlib when first asked for
    if name == "plots":
        return importlib.import_module(".show.plots", __name__)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
