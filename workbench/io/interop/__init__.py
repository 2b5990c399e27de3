"""Bring your own inventory and damage: SimCenter/pelicun-style inputs, GIS exports ([interop]).

* :func:`read_inventory` — a building inventory with SimCenter field names (CSV, GeoJSON or
  SimCenter asset JSON) → the buildings Dataset of :mod:`workbench.city`;
* :func:`city_from_inventory` — that inventory on a generated street lattice
  (:func:`street_lattice`) with water and power laid along it, or imported networks; saved as a
  city folder;
* :func:`read_damage` — a pelicun-style damage-and-loss summary → the damage Dataset of
  ``docs/ARCHITECTURE.md``, so recovery runs on damage computed elsewhere;
* :func:`export_results` — per-building results as GeoJSON/CSV, curves and indexes as CSV;
* :func:`read_pyrecodes` — a pyrecodes R2D housing example (run by the engine under its own
  assumptions with :func:`workbench.uncertainty.peer.simulate_example`, METHOD §11.1).

Modules: :mod:`~workbench.io.interop.inventory` (SimCenter inventory fields and mapping tables),
:mod:`~workbench.io.interop.build` (street lattice, a city), :mod:`~workbench.io.interop.damage`,
:mod:`~workbench.io.interop.export`, :mod:`~workbench.io.interop.pyrecodes`.
"""

from .build import city_from_inventory, street_lattice
from .damage import read_damage
from .export import export_results
from .inventory import (AREA_UNITS, HEIGHT_CLASSES, OCCUPANCY_CLASS_TYPES, hazus_model_type,
                        read_inventory)
from .pyrecodes import read_pyrecodes

__all__ = ["read_inventory", "city_from_inventory", "street_lattice", "read_damage",
           "export_results", "hazus_model_type", "OCCUPANCY_CLASS_TYPES", "HEIGHT_CLASSES",
           "AREA_UNITS", "read_pyrecodes"]
