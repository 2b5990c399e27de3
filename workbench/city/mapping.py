"""The service map (METHOD §2): every building is served by one node of each network.

A building is mapped to the nearest node of each network (Euclidean, projected metres), using
``scipy.spatial.cKDTree`` so that the whole city is mapped in one vectorised query. Nodes that a
building cannot be served from (for water: sources and pumps; see :data:`NOT_SERVING_KINDS`)
are excluded. A building with no node within ``max_distance`` gets an empty node id: it is
outside the modelled network (its service comes from elsewhere and is taken as unaffected by the
hazard, see :meth:`workbench.network.system.InfrastructureSystem.service`), never silently dropped, and
a warning names the count.
"""

from __future__ import annotations

import logging
import warnings
from dataclasses import dataclass

import networkx as nx
import numpy as np
import pandas as pd
import xarray as xr
from scipy.spatial import cKDTree

from ..core.errors import UnmappedBuildingsWarning
from .model import City
from ..core.sections import check, is_number, setting
from ..core.dims import BUILDING
from ..core.errors import InputError

__all__ = ["MappingSection", "map_buildings", "map_city", "nearest_nodes", "buildings_by_type", "NOT_SERVING_KINDS", "UnmappedBuildingsWarning"]


@dataclass(frozen=True)
class MappingSection:
    """The ``map`` section of the parameter file (:mod:`workbench.core.sections`)."""

    max_distance_m: float = setting(1000.0, "a building farther than this from every node of a "
                                            "network is outside its model (full service)")

    def __post_init__(self):
        check(is_number(self.max_distance_m) and self.max_distance_m > 0, "max_distance_m",
              self.max_distance_m, "a positive number of metres")


log = logging.getLogger(__name__)

#: Node kinds a building is never connected to directly (a house is not piped to a pump).
NOT_SERVING_KINDS = frozenset({"reservoir", "tank", "pump", "ext_grid", "generator"})



def nearest_nodes(graph: nx.Graph, x: np.ndarray, y: np.ndarray, *, max_distance: float = np.inf
                  ) -> tuple[np.ndarray, np.ndarray]:
    """Nearest eligible node of ``graph`` for each point; ``""`` beyond ``max_distance`` [m].

    Returns
    -------
    nodes : ndarray of str
    distance : ndarray of float, metres (``inf`` where unmapped)

    Examples
    --------
    >>> G = nx.Graph(); G.add_node("a", kind="junction", x=0.0, y=0.0)
    >>> G.add_node("b", kind="junction", x=10.0, y=0.0)
    >>> nearest_nodes(G, np.array([1.0, 9.0, 50.0]), np.array([0.0, 0.0, 0.0]), max_distance=20)[0]
    array(['a', 'b', ''], dtype='<U1')
    """
    candidates = [(n, d["x"], d["y"]) for n, d in graph.nodes(data=True)
                  if d.get("kind") not in NOT_SERVING_KINDS]
    if not candidates:
        raise InputError(f"network {graph.graph.get('name', '?')!r} has no node buildings can be "
                         f"served from (all nodes are of kinds {sorted(NOT_SERVING_KINDS)}).")
    names = np.array([c[0] for c in candidates])
    tree = cKDTree(np.array([(c[1], c[2]) for c in candidates], dtype=float))
    distance, index = tree.query(np.column_stack([x, y]), k=1,
                                 distance_upper_bound=max_distance)
    found = np.isfinite(distance)
    nodes = np.where(found, names[np.minimum(index, len(names) - 1)], "")
    return nodes, distance


def map_buildings(buildings: xr.Dataset, networks: dict, *, max_distance: float = 500.0
                  ) -> xr.Dataset:
    """Attach ``<network>_node`` and ``<network>_distance`` [m] coordinates on dim ``building``.

    Parameters
    ----------
    buildings : xarray.Dataset
        Dim ``building`` with ``x``/``y`` in metres.
    networks : dict of str to networkx.Graph
    max_distance : float
        Metres. Buildings farther than this from every node of a network stay unmapped (``""``)
        for that network; a :class:`UnmappedBuildingsWarning` gives the count.

    Examples
    --------
    >>> from workbench.city import toy_city
    >>> city = toy_city()
    >>> mapped = map_buildings(city.buildings, city.networks)
    >>> mapped["water_node"].values.tolist()
    ['W1', 'W1', 'W1', 'W2', 'W3', 'W3']
    """
    if not max_distance > 0:  # also catches NaN
        raise InputError(f"max_distance must be a positive number of metres, got {max_distance}.")
    x = buildings["x"].values.astype(float)
    y = buildings["y"].values.astype(float)
    coords = {}
    for name, graph in networks.items():
        nodes, distance = nearest_nodes(graph, x, y, max_distance=max_distance)
        unmapped = int((nodes == "").sum())
        if unmapped:
            message = (f"{unmapped} of {len(nodes)} buildings have no {name} node within "
                       f"{max_distance:g} m; they are outside the modelled {name} network and keep "
                       f"full {name} service (raise map.max_distance_m to map them).")
            log.warning(message)
            warnings.warn(message, UnmappedBuildingsWarning, stacklevel=2)
        coords[f"{name}_node"] = ((BUILDING,), nodes.astype(str))
        coords[f"{name}_distance"] = ((BUILDING,), distance, {"units": "m"})
    mapped = buildings.assign_coords(coords)
    mapped.attrs["max_distance_m"] = float(max_distance)
    return mapped


def map_city(city: City, *, max_distance: float = 500.0) -> City:
    """:func:`map_buildings` applied to a :class:`~workbench.city.City`; returns a new city."""
    return city.with_buildings(map_buildings(city.buildings, dict(city.networks),
                                             max_distance=max_distance))


def buildings_by_type(buildings: xr.Dataset) -> pd.DataFrame:
    """Count, floor area [m²] and occupancy [persons] of the buildings, by type.

    Examples
    --------
    >>> from workbench.city import toy_city
    >>> int(buildings_by_type(toy_city().buildings).loc["residential", "buildings"])
    2
    """
    frame = pd.DataFrame({"type": buildings["type"].values.astype(str),
                          "floor_area_m2": buildings["floor_area"].values,
                          "occupancy": buildings["occupancy"].values})
    table = frame.groupby("type").agg(buildings=("type", "size"),
                                      floor_area_m2=("floor_area_m2", "sum"),
                                      occupancy=("occupancy", "sum"))
    table.loc["all"] = table.sum()
    return table.astype({"buildings": int})
