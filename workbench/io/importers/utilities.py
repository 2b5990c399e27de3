"""Water and power networks laid along the streets, when no real network is given
(:func:`lay_network_along_streets`), with as many sources as the load they serve needs
(:func:`source_sizing`).

Every number of the sizing rule is a module-level constant below, marked *cited* (with its
source) or *assumption*. Replace them with the utility's own figures for a real study.
"""

from __future__ import annotations

import logging
import math

import networkx as nx
import numpy as np
import pandas as pd
import xarray as xr
from scipy.spatial import cKDTree

from ...core import assumptions as _assumptions
from ...city.model import DEFAULT_CRS
from ...core.dims import BUILDING_TYPES, SOURCE_KINDS
from ...core.errors import InputError
from .graphs import set_edge_kind, sorted_graph

__all__ = ["lay_network_along_streets", "source_sizing", "PEAK_POWER_W_PER_M2",
           "SUBSTATION_TRANSFORMERS", "SUBSTATION_TRANSFORMER_MVA", "POWER_FACTOR",
           "WATER_L_PER_PERSON_DAY", "MAX_DAY_FACTOR", "WATER_FEED_DIAMETER_M",
           "WATER_FEED_VELOCITY_M_S"]

log = logging.getLogger(__name__)

_WATER_TRUNK_M = 200.0  # a generated reservoir sits this far outside the street network

# --------------------------------------------------------------------------- power sizing
#: Contribution of each m² of gross floor area to the coincident peak demand at the primary
#: substations, by type [W/m²]. *Assumption*, after diversity, for district-heated Nordic
#: buildings: residential 10 (about 1 kW for a 100 m² flat); office 40 and commercial 50, below
#: the maximum demands of single buildings (BSRIA *Rules of Thumb*, table "Electrical loads for
#: different types of building": offices 62 W/m² non-air-conditioned, 87 air-conditioned;
#: 42–84 W/m² measured in five large air-conditioned London offices, davmark.co.uk "Electrical
#: calculations"), because the peaks of many buildings do not coincide; industrial 20 (light
#: industry, storage); public 25 (minimum design loads for lighting and small power: schools 30,
#: churches 15 W/m², davmark.co.uk).
PEAK_POWER_W_PER_M2 = dict(_assumptions.value("peak_power_w_per_m2"))
#: A generated power source is a 110/20 kV primary substation of this many transformers of
#: :data:`SUBSTATION_TRANSFORMER_MVA`, operated n-1 (the others carry the load when one is out):
#: firm capacity = (2 − 1) × 40 MVA. *Assumption* (a common urban primary substation).
SUBSTATION_TRANSFORMERS, SUBSTATION_TRANSFORMER_MVA, POWER_FACTOR = _assumptions.value(
    "substation_firm_capacity")
#: (and the power factor of the aggregated load [MW per MVA]; *assumption*).

# --------------------------------------------------------------------------- water sizing
#: Daily water use per occupant (Q0) by type [L/person/day]. Residential: *cited*, 158 L per
#: resident per day, the average of the Helsinki metropolitan area (HSY, "Use water reasonably",
#: hsy.fi). Other types: 40 L per occupant (worker, pupil, visitor), *cited* for offices (UK
#: design chart "Estimated daily water usage", xeroko.co.uk: offices 40 L per person) and an
#: *assumption* for the other non-residential types.
WATER_L_PER_PERSON_DAY = dict(_assumptions.value("water_l_per_person_day"))
#: Maximum-day over average-day demand; sources are sized for the maximum day (storage covers
#: the hourly peaks). *Assumption* (usual design values 1.2–2).
MAX_DAY_FACTOR = _assumptions.value("water_max_day_factor")
#: A generated water source is a supply main feeding the district, of this inner diameter [m]
#: and design velocity [m/s]: capacity π/4 · 0.4² · 1.0 · 86,400 ≈ 10,860 m³/day.
#: *Assumption* (DN400; distribution mains are designed for about 0.5–1.5 m/s).
WATER_FEED_DIAMETER_M, WATER_FEED_VELOCITY_M_S = _assumptions.value("water_feed_main")


def _power_load(buildings: xr.Dataset) -> float:
    """Coincident peak demand [MW]."""
    per_m2 = _by_type(buildings, PEAK_POWER_W_PER_M2, "PEAK_POWER_W_PER_M2")
    return float(np.sum(np.asarray(buildings["floor_area"].values, dtype=float) * per_m2)) / 1e6


def _water_load(buildings: xr.Dataset) -> float:
    """Maximum-day demand [m³/day]."""
    per_person = _by_type(buildings, WATER_L_PER_PERSON_DAY, "WATER_L_PER_PERSON_DAY")
    people = np.asarray(buildings["occupancy"].values, dtype=float)
    return MAX_DAY_FACTOR * float(np.sum(people * per_person)) / 1000.0


#: network → (load function, capacity of one source, units of both).
_SIZING = {
    "power": (_power_load,
              (SUBSTATION_TRANSFORMERS - 1) * SUBSTATION_TRANSFORMER_MVA * POWER_FACTOR, "MW"),
    "water": (_water_load,
              math.pi / 4 * WATER_FEED_DIAMETER_M ** 2 * WATER_FEED_VELOCITY_M_S * 86_400.0,
              "m3/day"),
}


def source_sizing(buildings: xr.Dataset, network: str) -> dict:
    """Number of sources a generated ``network`` needs for the load of ``buildings``.

    * power — peak demand [MW] = Σ floor area × :data:`PEAK_POWER_W_PER_M2` of the type, over the
      firm (n-1) capacity of a primary substation, (:data:`SUBSTATION_TRANSFORMERS` − 1) ×
      :data:`SUBSTATION_TRANSFORMER_MVA` × :data:`POWER_FACTOR` = 38 MW;
    * water — maximum-day demand [m³/day] = :data:`MAX_DAY_FACTOR` × Σ occupancy Q0 ×
      :data:`WATER_L_PER_PERSON_DAY` of the type, over the capacity of one supply main,
      π/4 · :data:`WATER_FEED_DIAMETER_M`² · :data:`WATER_FEED_VELOCITY_M_S` · 86,400 s ≈
      10,860 m³/day.

    ``n_sources`` = ceil(demand / capacity), at least 1.

    Returns
    -------
    dict
        ``network``, ``demand``, ``capacity_per_source`` (both in ``units``: ``MW`` or
        ``m3/day``), ``n_sources``.

    Examples
    --------
    >>> b = xr.Dataset({"type": ("building", ["office", "residential"]),
    ...                 "floor_area": ("building", [1.0e6, 1.0e6]),
    ...                 "occupancy": ("building", [5.0e4, 2.5e4])})
    >>> sizing = source_sizing(b, "power")
    >>> round(sizing["demand"], 1), sizing["capacity_per_source"], sizing["n_sources"]
    (50.0, 38.0, 2)
    >>> source_sizing(b, "water")["n_sources"]
    1
    """
    if network not in _SIZING:
        raise InputError(f"network must be one of {sorted(_SIZING)} to size its sources, got "
                         f"{network!r}.")
    load, capacity, units = _SIZING[network]
    demand = load(buildings)
    return {"network": network, "demand": round(demand, 3), "capacity_per_source": float(capacity),
            "units": units, "n_sources": max(1, math.ceil(demand / capacity))}


def _by_type(buildings: xr.Dataset, table: dict, name: str) -> np.ndarray:
    missing = [v for v in ("type", "floor_area", "occupancy") if v not in buildings]
    if missing:
        raise InputError(f"buildings lack {missing}, needed to size the network sources; give "
                         f"the buildings of workbench.city.")
    kinds = pd.Series(np.asarray(buildings["type"].values).astype(str))
    values = kinds.map(table)
    if values.isna().any():
        raise InputError(f"{name} has no value for building type(s) "
                         f"{sorted(set(kinds[values.isna()]))}; types are {list(BUILDING_TYPES)}.")
    return values.to_numpy(dtype=float)


def lay_network_along_streets(streets: nx.Graph, network: str, *, seed: int = 0,
                              buildings: xr.Dataset | None = None, n_sources: int | None = None,
                              source_xy=None, loop_share: float | None = None,
                              pump_spacing: float = 1000.0) -> nx.Graph:
    """Lay a water or power network under the streets (a documented generator).

    The street graph's minimum spanning tree (Kruskal, by length) is the backbone; a seeded share
    ``loop_share`` of the remaining street edges is added back, because distribution mains are
    looped (default 0.3 for water, 0.15 for power, whose MV grid is more radial). Sources:

    * water — a ``reservoir`` :data:`_WATER_TRUNK_M` outside the network, beyond the street node
      farthest from the centre (further sources by farthest-point sampling), joined by a trunk main;
      one booster ``pump`` per pressure zone: the node, ``pump_spacing`` metres of main from the
      sources, whose downstream part of the shortest-path tree is largest;
    * power — a ``substation`` at each of ``source_xy`` (default: the OSM ``power=substation``
      features in ``streets.graph["substations"]``, else the street node nearest the centre; further
      sources by farthest-point sampling), joined to the nearest street node by a line.

    How many sources: ``n_sources`` if given; else, when ``buildings`` are given, as many as
    their load needs (:func:`source_sizing`: peak power over a substation's firm capacity, or
    maximum-day water demand over a supply main's capacity); else 1. The sites of ``source_xy``
    (or the OSM substations) all count and are always kept; generated sites are added by
    farthest-point sampling only while fewer than that number. Source nodes carry ``origin``
    (``osm``, ``given`` or ``generated``); ``graph["source_sizing"]`` records the sizing when it
    was computed.

    Node ids take the street id with prefix ``W``/``P`` (``R123`` → ``W123``); sources are
    ``WS0``, ``PS0``, …. Edges: ``kind`` ``pipe``/``line``, ``length`` [m], ``repair_days``,
    ``repair_cost`` by :data:`REPAIR_RULES`. The input graph is not modified.

    Examples
    --------
    >>> S = nx.Graph(name="road")
    >>> for i, (x, y) in enumerate([(0, 0), (100, 0), (100, 100), (0, 100)]):
    ...     S.add_node(f"R{i}", kind="intersection", x=float(x), y=float(y))
    >>> S.add_edges_from([("R0", "R1"), ("R1", "R2"), ("R2", "R3"), ("R3", "R0")], length=100.0)
    >>> W = lay_network_along_streets(S, "water", loop_share=0.0)
    >>> W.number_of_edges(), sorted(n for n, k in W.nodes(data="kind") if k == "reservoir")
    (4, ['WS0'])
    >>> P = lay_network_along_streets(S, "power", n_sources=2)
    >>> sorted((n, d["origin"]) for n, d in P.nodes(data=True) if d["kind"] == "substation")
    [('PS0', 'generated'), ('PS1', 'generated')]
    """
    if network not in ("water", "power"):
        raise InputError(f"network must be 'water' or 'power', got {network!r}; roads are the "
                         f"street graph itself.")
    if n_sources is not None and not (isinstance(n_sources, (int, np.integer)) and n_sources >= 1):
        raise InputError(f"n_sources must be a positive integer, got {n_sources!r}; or leave it "
                         f"None to size the sources from the buildings' load.")
    sizing = None
    if n_sources is None and buildings is not None:
        sizing = source_sizing(buildings, network)
        n_sources = sizing["n_sources"]
    if streets.number_of_nodes() < 2 or not nx.is_connected(streets):
        raise InputError("streets must be a connected graph of at least two nodes; keep its "
                         "largest connected component (read_osm does).")
    share = {"water": 0.3, "power": 0.15}[network] if loop_share is None else float(loop_share)
    if not 0.0 <= share <= 1.0:
        raise InputError(f"loop_share must be within [0, 1], got {loop_share}.")
    rng = np.random.default_rng(seed)
    prefix, node_kind, edge_kind = {"water": ("W", "junction", "pipe"),
                                    "power": ("P", "bus", "line")}[network]
    base = sorted_graph(nx.Graph((u, v, {"length": float(d["length"])})
                                 for u, v, d in streets.edges(data=True)))
    tree = nx.minimum_spanning_tree(base, weight="length", algorithm="kruskal")
    extra = sorted((u, v) for u, v in base.edges if not tree.has_edge(u, v))
    chosen = rng.choice(len(extra), size=int(round(share * len(extra))), replace=False) if extra else []
    tree.add_edges_from((extra[i][0], extra[i][1], base.edges[extra[i]]) for i in sorted(chosen))

    def rename(node: str) -> str:
        return prefix + (node[1:] if node.startswith("R") else node)

    graph = nx.Graph(name=network, crs=streets.graph.get("crs", DEFAULT_CRS), seed=seed,
                     generator="workbench.io.importers.lay_network_along_streets")
    if sizing is not None:
        graph.graph["source_sizing"] = sizing
    names = sorted(streets.nodes)
    xy = np.array([(streets.nodes[n]["x"], streets.nodes[n]["y"]) for n in names], dtype=float)
    for n, (x, y) in zip(names, xy.tolist()):
        graph.add_node(rename(n), kind=node_kind, x=x, y=y)
    graph.add_edges_from(sorted((rename(u), rename(v), {"length": d["length"]})
                                for u, v, d in tree.edges(data=True)))
    source_kind = "reservoir" if network == "water" else "substation"
    sites = _source_sites(network, xy, names, streets, n_sources or 1, source_xy)
    for i, (sx, sy, anchor, origin) in enumerate(sites):
        ax, ay = graph.nodes[rename(anchor)]["x"], graph.nodes[rename(anchor)]["y"]
        graph.add_node(f"{prefix}S{i}", kind=source_kind, x=sx, y=sy, origin=origin)
        graph.add_edge(f"{prefix}S{i}", rename(anchor), length=max(float(np.hypot(sx - ax, sy - ay)), 1.0))
    if network == "water":
        _place_pumps(graph, pump_spacing)
    set_edge_kind(graph, edge_kind)
    return sorted_graph(graph)


def _source_sites(network, xy, names, streets, count, source_xy):
    """(x, y, nearest street node, origin) for each source: every given site, then generated
    ones by farthest-point sampling up to ``count`` (at most one per street node)."""
    centre = xy.mean(axis=0)
    tree = cKDTree(xy)
    origin = "given" if source_xy is not None else "osm"
    given = [tuple(map(float, p)) for p in (source_xy if source_xy is not None else
                                            (streets.graph.get("substations", [])
                                             if network == "power" else []))]
    sites = [(x, y, names[tree.query((x, y))[1]], origin) for x, y in given]
    if network == "power" and not given:
        x, y = xy[tree.query(centre)[1]].tolist()
        sites = [(x, y, names[tree.query((x, y))[1]], "generated")]
    chosen = [tree.query((x, y))[1] for x, y, *_ in sites]
    room = len(sites) + len(names) - len(set(chosen))
    if count > room:
        log.warning("%s: %d sources asked for, but the street graph has room for %d (one per "
                    "street node); keeping %d", network, count, room, room)
        count = room
    while len(sites) < count:  # farthest-point sampling
        far = (np.linalg.norm(xy - centre, axis=1) if not chosen else
               np.min(np.linalg.norm(xy[:, None, :] - xy[chosen][None, :, :], axis=2), axis=1))
        i = int(np.argmax(far))
        chosen.append(i)
        if network == "water":
            out = xy[i] - centre
            out = out / (np.linalg.norm(out) or 1.0)
            x, y = (xy[i] + _WATER_TRUNK_M * out).tolist()
        else:
            x, y = xy[i].tolist()
        sites.append((x, y, names[i], "generated"))
    return sites


def _place_pumps(graph: nx.Graph, spacing: float) -> None:
    sources = sorted(n for n, k in graph.nodes(data="kind") if k in SOURCE_KINDS["water"])
    dist, paths = nx.multi_source_dijkstra(graph, sources, weight="length")
    zone = {n: int(d // spacing) for n, d in dist.items()}
    parent = {n: p[-2] for n, p in paths.items() if len(p) > 1}
    below = {n: 0 for n in graph}
    for node in sorted(dist, key=lambda n: (-dist[n], n)):  # subtree sizes, leaves first
        if node in parent:
            below[parent[node]] += below[node] + 1
    entries = {}
    for node in sorted(parent):
        if zone[node] > zone[parent[node]]:
            entries.setdefault(zone[node], []).append(node)
    for nodes in entries.values():
        pump = max(sorted(nodes), key=lambda n: below[n])
        graph.nodes[pump]["kind"] = "pump"
