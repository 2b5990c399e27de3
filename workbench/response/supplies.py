"""Emergency supplies in the first days: depots to shelters and displaced people over damaged roads.

A **post-processing layer** on a finished recovery: the roads open on day ``t`` are those the
recovery has restored by then (``component_restored_day`` ≤ ``t``: repairs and debris clearance,
:mod:`workbench.hazard.debris`, as its crews scheduled them); the recovery's day loop is not changed.

The model (one min-cost flow per day, networkx ``network_simplex``, integers)
-----------------------------------------------------------------------------
* **Demand.** ``need`` (time, building) [persons] — the ``supply_need`` of
  :func:`workbench.response.agents.simulate_agents`: people in shelters, unsheltered near home, at
  home without water. One *ration* supplies one person for one day (drinking and domestic water —
  the Sphere minimum is 15 L per person per day — food and hygiene items), so demand in
  rations/day equals persons and an unmet ration is an unmet person-day. A road node's demand is
  the persons of the buildings it serves, rounded up.
* **Network.** Road nodes and edges that work on day ``t``; an edge also needs both end nodes.
  Each open edge carries at most ``capacity`` rations per day in each direction (the edge
  attribute of that name, else ``default_capacity``: :data:`ROAD_CAPACITY`, *assumption*) at a
  cost of its ``weight`` (``length`` [m], rounded to an integer ≥ 1) per ration.
* **Depots** (:class:`Depot`): a road node, a throughput [rations/day] and the day they open;
  unused throughput lapses. Default (:func:`default_depots`): the largest public buildings, each
  :data:`DEPOT_CAPACITY` — an *assumption*, labelled so in the result.
* **Flow.** A super source supplies the day's total demand ``D``: to each depot node (up to its
  throughput, cost 0), and through an *unmet* node to every demand node at a cost ``M`` larger
  than any path (Σ weights + 1). The min-cost flow then meets as much demand as depots and roads
  allow — each ration met saves more than its longest route costs — and among such flows moves
  the fewest ration-metres.
* Buildings without a road node lie outside the modelled network (as for their service); their
  need is counted as met.

Reported: the share of demand met within 72 h (days 0–2), unmet person-days, shortfalls by
district (a node's unmet rations shared among its buildings by need).

References
----------
Sphere Association (2018). *The Sphere Handbook*, Water supply standard 2.1 (15 L per person per
day). doi:10.3362/9781908176707
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from typing import Mapping, Sequence

import networkx as nx
import numpy as np
import xarray as xr

from ..core import assumptions as _assumptions
from ..city.model import City
from ..core.dims import BUILDING, COMPONENT, REALIZATION, STRATEGY, TIME
from ..core.errors import InputError
from ..network.system import component_id
from .agents import DISTRICT, district_codes

__all__ = ["Depot", "default_depots", "min_cost_supply", "emergency_supplies",
           "ROAD_CAPACITY", "DEPOT_CAPACITY", "WINDOW_DAYS", "ASSUMPTIONS"]

#: The constants of this module, with their status (entries for workbench.core.assumptions.REGISTRY).
ASSUMPTIONS = (
    _assumptions.Assumed("road_capacity_rations_per_day", 50_000, "rations per day per edge "
                         "and direction", "assumption", "about 50 truckloads of 1000 "
                         "person-day rations on an open street", "workbench.response.supplies"),
    _assumptions.Assumed("depot_capacity_rations_per_day", 5_000, "rations per day",
                         "assumption", "throughput of one distribution point",
                         "workbench.response.supplies"),
    _assumptions.Assumed("default_depot_count", 3, "depots", "assumption",
                         "depots at the largest public buildings", "workbench.response.supplies"),
)
_DEFAULT = {a.name: a.value for a in ASSUMPTIONS}
#: Default capacity of an open road edge [rations/day, each direction] (assumption).
ROAD_CAPACITY = _DEFAULT["road_capacity_rations_per_day"]
#: Default throughput of a depot [rations/day] (assumption).
DEPOT_CAPACITY = _DEFAULT["depot_capacity_rations_per_day"]
#: The critical window [days]: days 0, 1, 2 are the first 72 hours.
WINDOW_DAYS = 3


def _count(name: str, value) -> int:
    if isinstance(value, bool) or not isinstance(value, (int, np.integer, float, np.floating)) \
            or not math.isfinite(value) or value < 0 or value != int(value):
        raise InputError(f"{name} must be a whole number ≥ 0, got {value!r}")
    return int(value)


@dataclass(frozen=True)
class Depot:
    """A source of emergency supplies on the road network.

    Parameters
    ----------
    node : str
        Road node id (the building's ``road_node``).
    capacity : int
        Throughput [rations/day], ≥ 0.
    from_day : float
        Day it opens [d], ≥ 0.
    name : str
        Label (e.g. the building id).

    Examples
    --------
    >>> Depot("R0", 100).capacity
    100
    >>> Depot("R0", -1)
    Traceback (most recent call last):
    ...
    workbench.core.errors.InputError: capacity must be a whole number ≥ 0, got -1
    """

    node: str
    capacity: int = DEPOT_CAPACITY
    from_day: float = 0.0
    name: str = ""

    def __post_init__(self):
        object.__setattr__(self, "capacity", _count("capacity", self.capacity))
        if not (isinstance(self.from_day, (int, float, np.integer, np.floating))
                and self.from_day >= 0):
            raise InputError(f"from_day must be a number ≥ 0 days, got {self.from_day!r}")
        object.__setattr__(self, "node", str(self.node))


def default_depots(city: City, *, n: int = _DEFAULT["default_depot_count"],
                   capacity: int = DEPOT_CAPACITY) -> tuple[Depot, ...]:
    """Depots at the ``n`` largest public buildings with a road node (an *assumption*).

    Examples
    --------
    >>> from workbench.city import toy_city
    >>> from workbench.city.mapping import map_city
    >>> default_depots(map_city(toy_city()), n=1)
    (Depot(node='R3', capacity=5000, from_day=0.0, name='b5'),)
    """
    b = city.buildings
    if "road_node" not in b.coords:
        raise InputError("the city's buildings are not mapped to the road network; map them "
                         "with workbench.map_city(city).")
    node = np.asarray(b["road_node"].values).astype(str)
    public = (np.asarray(b["type"].values).astype(str) == "public") & (node != "")
    idx = np.flatnonzero(public)
    idx = idx[np.argsort(-np.asarray(b["floor_area"].values, float)[idx], kind="stable")][:n]
    if not len(idx):
        raise InputError("the city has no public building with a road node; give depots "
                         "explicitly, e.g. [Depot('R12', 5000)].")
    ids = b[BUILDING].values.astype(str)
    return tuple(Depot(str(node[i]), capacity, 0.0, str(ids[i])) for i in idx)


def min_cost_supply(graph: nx.Graph, supply: Mapping, demand: Mapping, *,
                    capacity: str = "capacity", weight: str = "length",
                    default_capacity: int | None = None) -> dict:
    """One day's supply as a min-cost flow on an undirected road graph (module docstring).

    Parameters
    ----------
    graph : networkx.Graph
        The open roads (never mutated). Edge attribute ``capacity`` [rations/day, each
        direction] and ``weight`` (cost per ration, e.g. length [m]; rounded to ints ≥ 1).
    supply, demand : mapping of node to int
        Throughput of the depot nodes and demand of the demand nodes [rations].
    default_capacity : int, optional
        For edges without ``capacity``; ``None`` = such edges are an error.

    Returns
    -------
    dict
        ``flow`` {(u, v): rations} on the directed arcs that carry any; ``delivered``,
        ``unmet`` {node: rations} of the demand nodes; ``shipped`` {node: rations} of the depot
        nodes; ``cost`` [rations × weight] of the transport.

    Examples
    --------
    A depot ``A`` of 10 rations, demand 8 at ``D``; the short route A-B-D carries 5 at cost 2
    per ration, the rest goes the long way A-C-D at cost 4: 5 · 2 + 3 · 4 = 22.

    >>> g = nx.Graph()
    >>> g.add_edge("A", "B", length=1, capacity=5); g.add_edge("B", "D", length=1, capacity=5)
    >>> g.add_edge("A", "C", length=2, capacity=10); g.add_edge("C", "D", length=2, capacity=10)
    >>> r = min_cost_supply(g, {"A": 10}, {"D": 8})
    >>> r["cost"], r["delivered"], r["unmet"]
    (22, {'D': 8}, {'D': 0})
    """
    supply = {n: _count(f"supply[{n!r}]", s) for n, s in supply.items()}
    demand = {n: _count(f"demand[{n!r}]", d) for n, d in demand.items()}
    missing = sorted(str(n) for n in (set(supply) | set(demand)) if n not in graph)
    if missing:
        raise InputError(f"supply/demand nodes not in the road graph: {missing[:5]}; are the "
                         f"depots on this city's road network?")
    total = sum(demand.values())
    out = {"flow": {}, "delivered": dict.fromkeys(demand, 0), "unmet": dict(demand),
           "shipped": dict.fromkeys(supply, 0), "cost": 0}
    if total == 0:
        return out
    flow_graph = nx.DiGraph()
    big = 1
    for u, v, data in graph.edges(data=True):
        cap = data.get(capacity, default_capacity)
        if cap is None:
            raise InputError(f"road edge {u!r}–{v!r} has no {capacity!r}; give the attribute "
                             f"or default_capacity.")
        cost = max(1, int(round(float(data.get(weight, 1)))))
        big += cost
        for a, b in ((u, v), (v, u)):
            flow_graph.add_edge(a, b, capacity=_count(f"capacity of {u!r}–{v!r}", cap),
                                weight=cost)
    source, unmet = ("__supply_source__",), ("__unmet__",)
    flow_graph.add_node(source, demand=-total)
    flow_graph.add_edge(source, unmet, capacity=total, weight=0)
    for node, s in supply.items():
        if s > 0:
            flow_graph.add_edge(source, node, capacity=s, weight=0)
    for node, d in demand.items():
        flow_graph.add_node(node, demand=d)
        flow_graph.add_edge(unmet, node, capacity=d, weight=big)
    total_cost, flow = nx.network_simplex(flow_graph)
    short = {n: flow[unmet].get(n, 0) for n in demand}
    out["unmet"] = short
    out["delivered"] = {n: d - short[n] for n, d in demand.items()}
    out["shipped"] = {n: flow[source].get(n, 0) for n in supply}
    out["flow"] = {(u, v): f for u, row in flow.items() if u not in (source, unmet)
                   for v, f in row.items() if f > 0}
    out["cost"] = int(total_cost - big * sum(short.values()))
    return out


def emergency_supplies(city: City, system, recovery: xr.Dataset, need: xr.DataArray, *,
                       depots: Sequence[Depot] | None = None, days: int = 7,
                       capacity: str = "capacity", default_capacity: int = ROAD_CAPACITY,
                       weight: str = "length") -> xr.Dataset:
    """Daily supply of the displaced over the first ``days`` (module docstring).

    Parameters
    ----------
    city : City
        Mapped to the road network (``road_node``).
    system : InfrastructureSystem
        The system the recovery ran on.
    recovery : xarray.Dataset
        With ``component_restored_day`` (and dim ``strategy`` or not).
    need : xarray.DataArray
        (``strategy``,) ``time``, ``building`` [persons]: ``supply_need`` of
        :func:`~workbench.response.agents.simulate_agents`.
    depots : sequence of Depot, optional
        Default :func:`default_depots` (recorded in ``attrs["depots_default"]``).
    days : int
        Days simulated (0 … days−1), ≥ :data:`WINDOW_DAYS`.

    Returns
    -------
    xarray.Dataset
        On (``strategy``,) ``time``: ``demand``, ``delivered``, ``unmet`` [rations/day =
        person-days/day], ``transport`` [rations·m]; on (time, ``district``):
        ``demand_by_district``, ``unmet_by_district``; on (time, ``component``, road edges): ``edge_flow`` [rations/day,
        both directions]; ``edge_capacity`` (component) [rations/day, each direction];
        ``share_met_72h`` [-], ``unmet_person_days``, ``unmet_person_days_72h``
        [person-days], ``shortfall_72h_by_district`` (district) [person-days].

    Examples
    --------
    On the toy city, 10 people sheltered in b5 (road node R3) and a depot at R0: the road edge
    R2–R3 is blocked until day 2, so days 0 and 1 go unmet.

    >>> from workbench.city import toy_city
    >>> from workbench.city.mapping import map_city
    >>> from workbench.network.system import build_system
    >>> city = map_city(toy_city()); system = build_system(city)
    >>> day = np.zeros(system.n_components); day[system.index_of("road:R2--R3")] = 2
    >>> rec = xr.Dataset({"component_restored_day": ("component", day)},
    ...                  coords={"component": system.component_ids})
    >>> ids = city.buildings["building"].values
    >>> need = xr.DataArray(np.tile([0, 0, 0, 0, 0, 10.0], (4, 1)), dims=("time", "building"),
    ...                     coords={"time": np.arange(4), "building": ids})
    >>> out = emergency_supplies(city, system, rec, need, depots=[Depot("R0", 50)], days=4)
    >>> out["unmet"].values.tolist(), round(float(out["share_met_72h"]), 3)
    ([10.0, 10.0, 0.0, 0.0], 0.333)
    """
    if not isinstance(city, City):
        raise InputError(f"city must be a workbench City, got {type(city).__name__}")
    if "component_restored_day" not in recovery:
        raise InputError("recovery lacks 'component_restored_day'; pass the Dataset of "
                         "workbench.recovery.simulate_recovery.")
    if recovery.sizes.get(REALIZATION, 1) != 1:
        raise InputError(f"recovery holds {recovery.sizes[REALIZATION]} realizations; pass "
                         f"one: recovery.isel(realization=r).")
    days = _count("days", days)
    if days < WINDOW_DAYS:
        raise InputError(f"days must be ≥ {WINDOW_DAYS} (the 72-hour window), got {days}")
    if TIME not in need.dims or BUILDING not in need.dims or need.sizes[TIME] < days:
        raise InputError(f"need must have dims (time, building) covering days 0…{days - 1}; "
                         f"got dims {need.dims} and sizes {dict(need.sizes)}.")
    b = city.buildings
    if "road_node" not in b.coords:
        raise InputError("the city's buildings are not mapped to the road network; map them "
                         "with workbench.map_city(city).")
    depots_default = depots is None
    depots = tuple(default_depots(city) if depots is None else depots)
    road = system.networks["road"]
    for d in depots:
        if d.node not in road:
            raise InputError(f"depot {d.name or d.node!r}: node {d.node!r} is not a road node.")
    net = _RoadNet(system, road, capacity, default_capacity)
    district, names = district_codes(b)
    node_of = np.asarray(b["road_node"].values).astype(str)
    strategies = recovery[STRATEGY].values.tolist() if STRATEGY in recovery.dims else [None]
    runs = []
    for s in strategies:
        one = recovery if s is None else recovery.sel({STRATEGY: s})
        n = need if s is None or STRATEGY not in need.dims else need.sel({STRATEGY: s})
        n = n.sel({BUILDING: b[BUILDING].values}).transpose(TIME, BUILDING)
        runs.append(_one_strategy(net, one, n, depots, days, node_of, district, len(names)))
    ds = _dataset(runs, strategies, net, names, days)
    ds.attrs.update({"depots": json.dumps([d.__dict__ for d in depots]),
                     "depots_default": int(depots_default), "default_capacity": default_capacity,
                     "capacity_attribute": capacity, "weight_attribute": weight,
                     "window_days": WINDOW_DAYS,
                     "units": json.dumps({"demand": "rations/day", "delivered": "rations/day",
                                          "unmet": "rations/day", "transport": "rations*m",
                                          "edge_flow": "rations/day",
                                          "unmet_person_days": "person-days"})})
    return ds


class _RoadNet:
    """The road graph with each node's and edge's component index."""

    def __init__(self, system, road: nx.Graph, capacity, default_capacity):
        self.graph = road
        self.nodes = list(road.nodes)
        self.node_comp = np.array([system.index_of(component_id("road", n)) for n in self.nodes])
        self.edges = list(road.edges)
        self.edge_comp = np.array([system.index_of(component_id("road", u, v))
                                   for u, v in self.edges], dtype=np.int64)
        self.edge_ids = system.component_ids[self.edge_comp]
        self.capacity = np.array([road.edges[e].get(capacity, default_capacity)
                                  for e in self.edges], dtype=float)
        self.capacity_attr, self.default_capacity = capacity, default_capacity
        self.system = system

    def open_graph(self, restored: np.ndarray, t: int) -> nx.Graph:
        node_ok = restored[self.node_comp] <= t
        ok_nodes = {n for n, k in zip(self.nodes, node_ok) if k}
        keep = [e for e, c in zip(self.edges, self.edge_comp)
                if restored[c] <= t and e[0] in ok_nodes and e[1] in ok_nodes]
        g = nx.Graph()
        g.add_nodes_from(ok_nodes)
        g.add_edges_from((u, v, self.graph.edges[u, v]) for u, v in keep)
        return g


def _restored(recovery: xr.Dataset, system) -> np.ndarray:
    da = recovery["component_restored_day"]
    if REALIZATION in da.dims:
        da = da.isel({REALIZATION: 0})
    if (da[COMPONENT].values.astype(str) != system.component_ids).any():
        da = da.sel({COMPONENT: system.component_ids})
    return np.asarray(da.values, dtype=float)


def _one_strategy(net: _RoadNet, recovery, need: xr.DataArray, depots, days, node_of,
                  district, n_d) -> dict:
    restored = _restored(recovery, net.system)
    index = {e: i for i, e in enumerate(net.edges)}
    out = {k: np.zeros(days) for k in ("demand", "delivered", "unmet", "transport")}
    out["demand_d"], out["unmet_d"] = np.zeros((days, n_d)), np.zeros((days, n_d))
    out["flow"] = np.zeros((days, len(net.edges)))
    mapped = node_of != ""
    nodes, inverse = np.unique(node_of[mapped], return_inverse=True)
    for t in range(days):
        persons = np.asarray(need.isel({TIME: t}).values, dtype=float)
        bad = np.flatnonzero(~np.isfinite(persons) | (persons < 0))
        if len(bad):
            i = int(bad[0])
            raise InputError(
                f"need of building {str(need[BUILDING].values[i])!r} on day {t} is "
                f"{float(persons[i])!r} persons: need must be finite and ≥ 0 (round-off below 0 "
                f"included: clip it, e.g. need.clip(min=0), when it comes from your own sums).")
        at_node = np.bincount(inverse, persons[mapped], minlength=len(nodes))
        rations = np.ceil(at_node - 1e-9).astype(np.int64)
        outside = int(np.ceil(persons[~mapped].sum() - 1e-9))
        graph = net.open_graph(restored, t)
        demand = {n: int(r) for n, r in zip(nodes, rations) if r > 0 and n in graph}
        cut_off = {n: int(r) for n, r in zip(nodes, rations) if r > 0 and n not in graph}
        supply = {}
        for d in depots:
            if d.from_day <= t and d.node in graph:
                supply[d.node] = supply.get(d.node, 0) + d.capacity
        result = min_cost_supply(graph, supply, demand, capacity=net.capacity_attr,
                                 default_capacity=net.default_capacity)
        short = np.array([result["unmet"].get(n, cut_off.get(n, 0)) for n in nodes], float)
        out["demand"][t] = rations.sum() + outside
        out["unmet"][t] = short.sum()
        out["delivered"][t] = out["demand"][t] - out["unmet"][t]
        out["transport"][t] = result["cost"]
        for (u, v), f in result["flow"].items():
            out["flow"][t, index[(u, v)] if (u, v) in index else index[(v, u)]] += f
        # a node's rations and shortfall shared among its buildings by need, so that the
        # districts add up to the city (in rations)
        def per_building(at_nodes, at_outside):
            b = np.zeros(len(persons))
            b[mapped] = persons[mapped] * np.divide(
                at_nodes, at_node, out=np.zeros_like(at_node), where=at_node > 0)[inverse]
            rest = persons[~mapped].sum()
            b[~mapped] = persons[~mapped] * (at_outside / rest if rest > 0 else 0.0)
            return b
        out["demand_d"][t] = np.bincount(district, per_building(rations.astype(float), outside),
                                         minlength=n_d)
        out["unmet_d"][t] = np.bincount(district, per_building(short, 0.0), minlength=n_d)
    return out


def _dataset(runs, strategies, net: _RoadNet, names, days) -> xr.Dataset:
    def stack(key):
        arr = np.stack([r[key] for r in runs])
        return arr[0] if strategies == [None] else arr
    lead = () if strategies == [None] else (STRATEGY,)
    w = slice(0, WINDOW_DAYS)
    demand, unmet = stack("demand"), stack("unmet")
    demand_72, unmet_72 = demand[..., w].sum(-1), unmet[..., w].sum(-1)
    share = np.where(demand_72 > 0, 1.0 - unmet_72 / np.where(demand_72 > 0, demand_72, 1), 1.0)
    data = {
        "demand": (lead + (TIME,), demand, "rations/day"),
        "delivered": (lead + (TIME,), stack("delivered"), "rations/day"),
        "unmet": (lead + (TIME,), unmet, "rations/day"),
        "transport": (lead + (TIME,), stack("transport"), "rations*m"),
        "demand_by_district": (lead + (TIME, DISTRICT), stack("demand_d"), "rations/day"),
        "unmet_by_district": (lead + (TIME, DISTRICT), stack("unmet_d"), "rations/day"),
        "edge_flow": (lead + (TIME, COMPONENT), stack("flow"), "rations/day"),
        "edge_capacity": ((COMPONENT,), net.capacity, "rations/day"),
        "share_met_72h": (lead, share, "1"),
        "unmet_person_days": (lead, unmet.sum(-1), "person-days"),
        "unmet_person_days_72h": (lead, unmet_72, "person-days"),
        "shortfall_72h_by_district": (lead + (DISTRICT,), stack("unmet_d")[..., w, :].sum(-2),
                                      "person-days"),
    }
    coords = {TIME: np.arange(days), DISTRICT: names, COMPONENT: net.edge_ids}
    if lead:
        coords[STRATEGY] = strategies
    ds = xr.Dataset({k: (d, v, {"units": u}) for k, (d, v, u) in data.items()}, coords=coords)
    ds[TIME].attrs["units"] = "day"
    return ds
