"""Urban resilience workbench: functionality (EP, SC), recovery under constraints, indexes.

The folders are the data flow (docs/ARCHITECTURE.md): ``core`` (dims, errors, paths,
assumptions) → ``city`` (the model, mapping) → ``hazard`` (ground motion, fragility, damage,
debris) and ``network`` (system, criticality) → ``functionality`` → ``metrics`` (indexes) →
``recovery`` → ``response``, ``models`` → ``uncertainty`` → ``mitigation``; ``io`` (city
folders, importers, interop, demo) reads into the model; ``show`` (report, plots, formatting)
and ``run`` (parameters, pipeline, commands, dashboard) sit on top.

The names notebooks and users' code use most are re-exported here, and the modules keep their
names of before the folders as attributes (``workbench.damage``, ``workbench.system``,
``workbench.pipeline``, …). Every one of them is imported when first used (PEP 562), not by
``import workbench``: the scientific stack behind them (xarray, pandas, scipy, networkx,
HoloViews) takes about a second to load, which a command that only prints its help, or a
script that needs one function, should not pay. ``dir(workbench)`` and ``__all__`` list them.
"""

import importlib

from .core.dims import (BUILDING, COMPONENT, NETWORK, NETWORKS, REALIZATION, SCENARIO, STRATEGY,
                        TIME)
from .core.errors import InputError, ParameterError, StageError, WorkbenchError

#: Re-exported names → the module (relative to this package) that defines them.
_NAMES = {
    ".city.mapping": ("map_buildings", "map_city"),
    ".city.model": ("City", "buildings_from_frame", "toy_city", "validate_network"),
    ".city.synthetic": ("grid_city",),
    ".hazard.damage": ("damage_probabilities", "damage_table", "sample_damage"),
    ".hazard.debris": ("road_blockage",),
    ".hazard.ground_motion": ("Earthquake", "earthquake_intensity", "intensity_from_csv"),
    ".io.cityio": ("load_city", "save_city"),
    ".io.demo": ("demo_city",),
    ".io.importers": ("city_from_osm", "read_buildings_geojson", "read_epanet", "read_osm",
                      "read_pandapower"),
    ".io.interop": ("city_from_inventory", "export_results", "read_damage", "read_inventory"),
    ".metrics.indexes": ("economic_loss", "functionality_at", "recovery_time", "service_loss",
                         "summary_indexes"),
    ".metrics.four_r": ("four_r",),
    ".network.criticality": ("node_criticality", "single_points_of_failure"),
    ".network.system": ("InfrastructureSystem", "build_system"),
    ".recovery": ("Constraints", "simulate_recovery"),
    ".run.params": ("default_params_yaml", "load_params"),
}
#: Modules by their names of before the folders → where they live now.
_MODULES = {
    "functionality": ".functionality", "mitigation": ".mitigation", "recovery": ".recovery",
    "mapping": ".city.mapping", "damage": ".hazard.damage", "debris": ".hazard.debris",
    "fragility": ".hazard.fragility", "hazard": ".hazard", "cityio": ".io.cityio",
    "demo": ".io.demo", "importers": ".io.importers", "interop": ".io.interop",
    "indexes": ".metrics.indexes", "criticality": ".network.criticality",
    "system": ".network.system", "pipeline": ".run.pipeline", "report": ".show.report",
    "plots": ".show.plots",
}
_WHERE = {name: module for module, names in _NAMES.items() for name in names}

__all__ = [
    "BUILDING", "COMPONENT", "NETWORK", "NETWORKS", "REALIZATION", "SCENARIO", "STRATEGY", "TIME",
    "InputError", "ParameterError", "StageError", "WorkbenchError",
    *_WHERE, *(m for m in _MODULES if m != "plots"),
]
__version__ = "0.1.0"


def __getattr__(name: str):
    """A re-exported name or module, imported on first use and kept (PEP 562)."""
    if name in _WHERE:
        value = getattr(importlib.import_module(_WHERE[name], __name__), name)
    elif name in _MODULES:
        value = importlib.import_module(_MODULES[name], __name__)
    else:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    globals()[name] = value
    return value


def __dir__():
    return sorted(set(globals()) | set(_WHERE) | set(_MODULES))
