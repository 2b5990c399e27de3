"""Recovery simulation under resource and commitment constraints (DESIGN §5, seed 003 §2).

One damage realization in, one recovery Dataset out (``docs/ARCHITECTURE.md``), for each of
the three strategies. The simulation steps one day at a time; inside a day everything is
vectorised over repair tasks.

Tasks, crews, materials
-----------------------
* A *task* is a damaged building (``building_repair_days > 0``; effort = that many crew-days) or
  a component whose own state is not functional (effort = ``component_repair_days``). A task
  takes **one crew** at a time, so a task of effort ``d`` takes ``⌈d⌉`` days at best. Tasks of
  zero effort count as done at day 0.
* Crews: ``Constraints.crews`` is either one pool of interchangeable crews or a mapping by trade
  (``building``, ``water``, ``power``, ``road``); a task only takes a crew of its trade, and a
  trade without crews never repairs anything (its tasks stay unrestored, day ``inf``).
* Materials: a task consumes its repair cost evenly over its effort (``cost / effort`` EUR per
  crew-day). Each day the budget ``materials_per_day`` is handed out in priority order (committed
  work first); a task short of materials progresses by the share it got, and a new task that
  would get nothing is not started that day. Unspent budget does not carry over.
* A day's work is done between time ``t`` and ``t + 1``; a task finishing during day ``t`` is
  restored at time ``t + 1`` (integer days; a crew finishing early idles the rest of that day).
  Work done on a task is kept when its crew leaves (progress accrues to the task).

Commitment and strategies
-------------------------
A crew assigned to a task at day ``s`` stays on it until ``s + commitment_days`` or completion,
whichever comes first; re-planning that keeps a crew on its task starts a new commitment period.
``commitment_days = 0`` means no commitment, ``inf`` means to completion; a period longer than
the horizon is allowed (it then equals ``inf``).

* ``rigid`` — a priority list fixed at day 0 and never revised; crews always take the first
  unfinished tasks on it and stay to completion. Order: network components first (power, water,
  road interleaved along their critical paths, as below, with the levels of day 0), then
  buildings by occupancy priority — ``public`` (shelters), ``residential``, ``commercial``,
  ``office``, ``industrial`` — and, within a type, by occupancy, largest first.
* ``semiflexible`` — the seed's strategy: committed crews stay; free crews are re-planned every
  day by the per-step optimisation below.
* ``flexible`` — every crew is re-planned every day (no commitment): the optimistic bound.

The per-step optimisation
-------------------------
*Networks* (seed 003 §2). At day 0 the Kruskal minimum spanning tree of each network (networkx
``minimum_spanning_tree(algorithm="kruskal")``, edge weight = remaining repair effort in crew-days,
0 for working edges) marks the *critical paths*: the fewest crew-days that reconnect every node.
Damaged MST components (and every damaged node) come first, ordered by a constraint-aware
breadth-first search from the working sources: a component's *level* is the number of damaged
components between it and the served part of the network (1 = on the frontier), recomputed
whenever a repair completes; within a level, the component the day's resources finish soonest
(``remaining effort / min(1, budget / material rate)``) comes first. Damaged edges off the MST
(redundant links) follow, greedily by weight (cheapest first). With one shared crew pool,
network tasks come before buildings (buildings need lifelines to function).

*Buildings*. Every day, each waiting building repair is scored by its functionality gain per
remaining crew-day, ``½ (ΔEP_i / EP0 + ΔSC_i / demand) / remaining_i``, at the current service
satisfaction, and the free crews take the best ratios (greedy by ratio — the LP relaxation of
the day's knapsack, exact when every task fits in one crew; no exact knapsack is solved).

Ties are broken by one random permutation drawn from ``seed`` (the same for every strategy),
so the same seed gives identical results.

References
----------
Zhou, Y., Xiao, Y., & Xu, H. (2025). Quantifying urban disaster resilience for informed mitigation
strategies. *Engineering*, 53(10), 13–17. doi:10.1016/j.eng.2025.05.007
Kruskal, J. B. (1956). On the shortest spanning subtree of a graph and the traveling salesman
problem. *Proc. AMS*, 7(1), 48–50. doi:10.1090/S0002-9939-1956-0078686-7
"""

from __future__ import annotations

import json
import logging
import math
from dataclasses import dataclass
from types import MappingProxyType
from typing import Mapping, Sequence

import networkx as nx
import numpy as np
import pandas as pd
import xarray as xr
from scipy import sparse
from scipy.sparse.csgraph import dijkstra

from .city import City
from .dims import BUILDING, COMPONENT, NETWORKS, REALIZATION, STRATEGIES, STRATEGY, TIME
from .errors import InputError
from .functionality import (CURRENCY, PRICE_YEAR, Shelters, _model, _residents,
                            service_demand, usable_fractions)

__all__ = ["Constraints", "simulate_recovery", "TRADES", "RIGID_TYPE_ORDER"]

log = logging.getLogger(__name__)

#: Crew trades when crews are given by trade: buildings, then one trade per network.
TRADES = ("building",) + tuple(NETWORKS)
#: Building types in the rigid strategy's order (shelters and homes first).
RIGID_TYPE_ORDER = ("public", "residential", "commercial", "office", "industrial")
#: Network order when levels tie (power feeds water pumps).
_NETWORK_ORDER = ("power", "water", "road")


def _is_int(value) -> bool:
    return isinstance(value, (int, np.integer)) and not isinstance(value, (bool, np.bool_))


def _is_real(value) -> bool:
    return isinstance(value, (int, float, np.integer, np.floating)) and not isinstance(
        value, (bool, np.bool_))


@dataclass(frozen=True)
class Constraints:
    """Resource and commitment constraints of a recovery, validated on construction.

    Parameters
    ----------
    crews : int or mapping of str to int
        Number of interchangeable crews (> 0), or crews by trade (``building``, ``water``,
        ``power``, ``road``; each ≥ 0, total > 0; trades not named get none).
    materials_per_day : float
        Material budget [EUR/day], > 0; ``inf`` = unlimited.
    commitment_days : float
        Committed period [days], ≥ 0; 0 = no commitment, ``inf`` = to completion. May exceed the
        horizon.
    horizon_days : int
        Days simulated (time runs 0…horizon), > 0.

    Examples
    --------
    >>> Constraints(crews=4, commitment_days=3, horizon_days=30).crews
    4
    >>> dict(Constraints(crews={"building": 2, "water": 1}).crews)
    {'building': 2, 'water': 1, 'power': 0, 'road': 0}
    >>> Constraints(crews=-1)
    Traceback (most recent call last):
    ...
    workbench.errors.InputError: crews must be a positive integer, got -1
    """

    crews: int | Mapping[str, int] = 20
    materials_per_day: float = math.inf
    commitment_days: float = 7.0
    horizon_days: int = 365

    def __post_init__(self):
        object.__setattr__(self, "crews", _check_crews(self.crews))
        m = self.materials_per_day
        if not _is_real(m) or math.isnan(m) or m <= 0:
            raise InputError(f"materials_per_day must be a number > 0 EUR/day (inf = unlimited), "
                             f"got {m!r}")
        c = self.commitment_days
        if not _is_real(c) or math.isnan(c) or c < 0:
            raise InputError(f"commitment_days must be a number ≥ 0 (0 = none, inf = to "
                             f"completion), got {c!r}")
        if not _is_int(self.horizon_days) or self.horizon_days <= 0:
            raise InputError(f"horizon_days must be a positive integer, got {self.horizon_days!r}")
        object.__setattr__(self, "materials_per_day", float(m))
        object.__setattr__(self, "commitment_days", float(c))
        object.__setattr__(self, "horizon_days", int(self.horizon_days))

    def __hash__(self):
        crews = self.crews if isinstance(self.crews, int) else tuple(self.crews.items())
        return hash((crews, self.materials_per_day, self.commitment_days, self.horizon_days))

    @property
    def pools(self) -> tuple[tuple[str, ...], tuple[int, ...]]:
        """Crew pools: (names, sizes); one pool ``any`` unless crews are given by trade."""
        if isinstance(self.crews, int):
            return ("any",), (self.crews,)
        return TRADES, tuple(self.crews[t] for t in TRADES)

    @property
    def total_crews(self) -> int:
        """All crews, every trade."""
        return int(sum(self.pools[1]))

    def as_attrs(self) -> dict:
        """The constraints as netCDF-safe attributes."""
        crews = self.crews if isinstance(self.crews, int) else json.dumps(dict(self.crews))
        return {"crews": crews, "materials_per_day": self.materials_per_day,
                "commitment_days": self.commitment_days, "horizon_days": self.horizon_days}


def _check_crews(crews):
    if isinstance(crews, Mapping):
        unknown = [k for k in crews if k not in TRADES]
        if unknown:
            raise InputError(f"crews by trade: unknown trade(s) {unknown}; trades are "
                             f"{list(TRADES)}")
        for trade, n in crews.items():
            if not _is_int(n) or n < 0:
                raise InputError(f"crews[{trade!r}] must be a non-negative integer, got {n!r}")
        if sum(crews.values()) <= 0:
            raise InputError(f"crews by trade must total at least one crew, got {dict(crews)}")
        return MappingProxyType({t: int(crews.get(t, 0)) for t in TRADES})
    if not _is_int(crews) or crews <= 0:
        raise InputError(f"crews must be a positive integer, got {crews!r}")
    return int(crews)


def _check_strategies(strategies) -> tuple[str, ...]:
    if isinstance(strategies, str):
        strategies = (strategies,)
    strategies = tuple(strategies)
    unknown = [s for s in strategies if s not in STRATEGIES]
    if unknown or not strategies:
        raise InputError(f"unknown strategy {unknown or strategies!r}; valid strategies are "
                         f"{list(STRATEGIES)}")
    if len(set(strategies)) != len(strategies):
        raise InputError(f"strategies must not repeat, got {list(strategies)}")
    return strategies


# --------------------------------------------------------------------------- the problem

class _Problem:
    """Everything shared by the strategies of one simulation: tasks, crews, networks."""

    def __init__(self, city, system, damage, constraints, functionality, shelters, seed):
        b = city.buildings
        self.buildings = b
        self.system = system
        self.constraints = constraints
        self.model = _model(functionality)
        self.shelters = Shelters() if shelters is None else shelters
        self.horizon = constraints.horizon_days
        damage = _one_realization(damage)
        self.building_ids = b[BUILDING].values.astype(str)
        self.component_ids = (np.asarray(system.component_ids).astype(str) if system is not None
                              else np.zeros(0, str))
        n_b, n_c = len(self.building_ids), len(self.component_ids)

        bd = _aligned(damage, BUILDING, self.building_ids, "city buildings")
        ds = _values(bd, "building_damage_state", n_b).astype(np.int64)
        b_eff = _non_negative(bd, "building_repair_days", n_b)
        b_cost = _non_negative(bd, "building_repair_cost", n_b)
        self.a0, self.q0 = usable_fractions(ds)
        if n_c:
            cd = _aligned(damage, COMPONENT, self.component_ids, "system components")
            c_func = _values(cd, "component_functional", n_c).astype(bool)
            c_eff = _non_negative(cd, "component_repair_days", n_c)
            c_cost = _non_negative(cd, "component_repair_cost", n_c)
        else:
            c_func, c_eff, c_cost = np.ones(0, bool), np.zeros(0), np.zeros(0)
        self.c_functional = c_func
        self.repair_cost = float(b_cost.sum() + c_cost.sum())

        # tasks: damaged buildings, then components that are not functional
        b_task = np.flatnonzero(b_eff > 0)
        c_task = np.flatnonzero(~c_func)
        self.n_bt = len(b_task)
        self.kind = np.concatenate([np.zeros(len(b_task), np.int8), np.ones(len(c_task), np.int8)])
        self.target = np.concatenate([b_task, c_task])
        self.effort = np.concatenate([b_eff[b_task], c_eff[c_task]])
        cost = np.concatenate([b_cost[b_task], c_cost[c_task]])
        self.rate = np.divide(cost, self.effort, out=np.zeros_like(cost), where=self.effort > 0)
        # buildings with DS > 0 but no repair effort are usable at once
        idle = np.setdiff1d(np.flatnonzero(ds > 0), b_task)
        self.a0[idle], self.q0[idle] = 1.0, 1.0
        if n_c:
            network = np.asarray(system.components["network"].values).astype(str)
            self.c_network = network
            net_rank = np.array([_NETWORK_ORDER.index(n) for n in network], np.int64)
        else:
            net_rank = np.zeros(0, np.int64)
        self.net_rank = np.concatenate([np.zeros(len(b_task), np.int64), net_rank[c_task]])

        names, sizes = constraints.pools
        self.n_pools = len(names)
        if self.n_pools == 1:
            self.pool = np.zeros(len(self.target), np.int64)
        else:
            trade = np.concatenate([np.zeros(len(b_task), np.int64),
                                    [1 + NETWORKS.index(n) for n in self.c_network[c_task]]
                                    if n_c else np.zeros(0, np.int64)]).astype(np.int64)
            self.pool = trade
        self.pool_names = names
        self.pool_sizes = np.asarray(sizes, np.int64)
        self.crew_pool = np.repeat(np.arange(self.n_pools), self.pool_sizes)

        rng = np.random.default_rng(seed)
        self.tie = rng.permutation(len(self.target)).astype(np.int64)

        # building constants
        self.area = np.asarray(b["floor_area"].values, dtype=float)
        self.occupancy = np.asarray(b["occupancy"].values, dtype=float)
        self.residents = _residents(b)
        if "shelter_capable" in b:
            capable = np.asarray(b["shelter_capable"].values, dtype=bool)
        else:
            capable = np.asarray(b["type"].values).astype(str) == "public"
        self.shelter_idx = np.flatnonzero(capable)
        self.shelter_cap = (self.area[self.shelter_idx] * self.shelters.usable_share
                            / self.shelters.area_per_person)
        self.demand = service_demand(b)
        self.intact_service = self.service(np.ones(n_c, bool))
        self.ep0 = float((self.area * self.model.ep_unit(b, self.intact_service)).sum())
        self.sc0 = float((self.occupancy * (1 + self.model.rss(b, self.intact_service))).sum())
        type_rank = {t: i for i, t in enumerate(RIGID_TYPE_ORDER)}
        self.type_rank = np.array([type_rank[t] for t in np.asarray(b["type"].values).astype(str)])
        self.networks = _network_plans(system, c_eff, c_func) if n_c else []

    # ------------------------------------------------------------------ helpers

    def service(self, c_state: np.ndarray) -> np.ndarray:
        if self.system is None:
            return np.ones((len(self.building_ids), len(NETWORKS)))
        return np.asarray(self.system.service(c_state), dtype=float)

    def component_levels(self, c_state: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """(tier, level) of every component: tier 0 on the MST, 1 off it; CA-BFS level."""
        tier = np.zeros(len(self.component_ids), np.int64)
        level = np.zeros(len(self.component_ids))
        for plan in self.networks:
            plan.levels(c_state, tier, level)
        return tier, level


@dataclass
class _NetworkPlan:
    node_comp: np.ndarray
    edge_comp: np.ndarray
    ends: np.ndarray
    sources: np.ndarray
    in_mst: np.ndarray

    def levels(self, c_state, tier, level):
        n = len(self.node_comp)
        node_bad = (~c_state[self.node_comp]).astype(float)
        edge_bad = (~c_state[self.edge_comp]).astype(float)
        mst = np.flatnonzero(self.in_mst)
        a, b = self.ends[mst, 0], self.ends[mst, 1]
        # 0–1 costs plus a hop epsilon small enough never to add up to one level
        eps = 1.0 / (4.0 * (n + 2))
        rows = np.concatenate([a, b, np.full(len(self.sources), n)])
        cols = np.concatenate([b, a, self.sources])
        data = np.concatenate([edge_bad[mst] + node_bad[b], edge_bad[mst] + node_bad[a],
                               node_bad[self.sources]]) + eps
        graph = sparse.csr_array((data, (rows, cols)), shape=(n + 1, n + 1))
        dist = np.floor(dijkstra(graph, directed=True, indices=n)[:n])
        level[self.node_comp] = dist
        edge_level = np.minimum(dist[self.ends[:, 0]], dist[self.ends[:, 1]]) + 1.0
        level[self.edge_comp] = np.where(self.in_mst, edge_level, 0.0)
        tier[self.edge_comp] = np.where(self.in_mst, 0, 1)


def _network_plans(system, c_eff, c_func) -> list[_NetworkPlan]:
    plans = []
    for name in NETWORKS:
        node_comp = np.asarray(system.node_component[name])
        edge_comp = np.asarray(system.edge_component[name])
        ends = np.asarray(system.edge_endpoints[name]).reshape(-1, 2)
        weight = np.where(c_func[edge_comp], 0.0, c_eff[edge_comp])
        graph = nx.Graph()
        graph.add_nodes_from(range(len(node_comp)))
        graph.add_edges_from((int(u), int(v), {"weight": float(w), "e": i})
                             for i, (u, v, w) in enumerate(zip(ends[:, 0], ends[:, 1], weight)))
        tree = nx.minimum_spanning_tree(graph, weight="weight", algorithm="kruskal")
        in_mst = np.zeros(len(edge_comp), bool)
        in_mst[[e for _, _, e in tree.edges(data="e")]] = True
        plans.append(_NetworkPlan(node_comp, edge_comp, ends,
                                  np.asarray(system.sources[name], np.int64), in_mst))
    return plans


def _one_realization(damage: xr.Dataset) -> xr.Dataset:
    if not isinstance(damage, xr.Dataset):
        raise InputError(f"damage must be an xarray.Dataset (see docs/ARCHITECTURE.md), got "
                         f"{type(damage).__name__}")
    if REALIZATION in damage.dims:
        if damage.sizes[REALIZATION] != 1:
            raise InputError(f"damage holds {damage.sizes[REALIZATION]} realizations; "
                             f"simulate_recovery takes one: pass damage.isel(realization=k).")
        damage = damage.isel({REALIZATION: 0})
    return damage


def _aligned(damage: xr.Dataset, dim: str, ids: np.ndarray, what: str) -> xr.Dataset:
    if dim not in damage.dims:
        raise InputError(f"damage lacks dim {dim!r}; it must cover the {what}.")
    have = damage[dim].values.astype(str)
    if len(have) == len(ids) and (have == ids).all():
        return damage
    missing = np.setdiff1d(ids, have)
    if len(missing):
        raise InputError(f"damage lacks {len(missing)} of the {what} on dim {dim!r} "
                         f"(e.g. {missing[:3].tolist()}); sample damage for this city/system.")
    return damage.sel({dim: ids})


def _values(damage: xr.Dataset, name: str, n: int) -> np.ndarray:
    if name not in damage:
        raise InputError(f"damage lacks variable {name!r} (see docs/ARCHITECTURE.md).")
    values = np.asarray(damage[name].values)
    if values.shape != (n,):
        raise InputError(f"damage[{name!r}] must have one value per element ({n}); got shape "
                         f"{values.shape}. Select one realization first.")
    return values


def _non_negative(damage: xr.Dataset, name: str, n: int) -> np.ndarray:
    values = _values(damage, name, n).astype(float)
    bad = ~np.isfinite(values) | (values < 0)
    if bad.any():
        raise InputError(f"damage[{name!r}] must be finite and ≥ 0; {int(bad.sum())} value(s) "
                         f"are not (first: {values[bad][0]!r}).")
    return values


# --------------------------------------------------------------------------- one strategy

def _priority(p: _Problem, strategy: str, active: np.ndarray, st: dict) -> np.ndarray:
    """Active tasks in priority order (components first, then buildings)."""
    if strategy == "rigid":
        return st["rigid_order"][active[st["rigid_order"]]]
    idx = np.flatnonzero(active)
    comp = idx[p.kind[idx] == 1]
    bld = idx[p.kind[idx] == 0]
    remaining = p.effort - st["work"]
    parts = []
    if len(comp):
        parts.append(comp[_component_order(p, comp, st["tier"], st["level"], remaining)])
    if len(bld):
        t = p.target[bld]
        d_ep = p.area[t] * st["ep_unit"][t] - st["ep_b"][t]
        d_sc = p.occupancy[t] * (1 + st["rss"][t]) - st["sc_b"][t]
        gain = 0.5 * (d_ep / max(p.ep0, 1e-300) + d_sc / max(p.demand, 1e-300))
        ratio = gain / remaining[bld]
        parts.append(bld[np.lexsort((p.tie[bld], -ratio))])
    return np.concatenate(parts) if parts else idx


def _component_order(p, comp, tier, level, remaining):
    target = p.target[comp]
    budget = p.constraints.materials_per_day
    rate = p.rate[comp]
    speed = np.minimum(1.0, np.divide(budget, rate, out=np.full(len(comp), np.inf),
                                      where=rate > 0))
    finish = remaining[comp] / speed
    return np.lexsort((p.tie[comp], finish, p.net_rank[comp], level[target], tier[target]))


def _rigid_order(p: _Problem, tier, level) -> np.ndarray:
    all_tasks = np.arange(len(p.target))
    comp = all_tasks[p.kind == 1]
    bld = all_tasks[p.kind == 0]
    comp = comp[_component_order(p, comp, tier, level, p.effort)] if len(comp) else comp
    t = p.target[bld]
    bld = bld[np.lexsort((p.tie[bld], -p.occupancy[t], p.type_rank[t]))]
    return np.concatenate([comp, bld]).astype(np.int64)


def _simulate(p: _Problem, strategy: str) -> dict:
    H, n_t, n_crews = p.horizon, len(p.target), int(p.pool_sizes.sum())
    commit = p.constraints.commitment_days
    budget = p.constraints.materials_per_day
    b = p.buildings
    work = np.zeros(n_t)
    complete = p.effort <= 0
    restored = np.where(complete, 0.0, np.inf)
    task_crew = np.full(n_t, -1, np.int64)
    crew_task = np.full(n_crews, -1, np.int64)
    crew_since = np.zeros(n_crews)
    crew_start = np.zeros(n_crews)
    stints = []                       # arrays (crew, task, start, end, completed)

    a, q = p.a0.copy(), p.q0.copy()
    c_state = p.c_functional.copy()
    c_state[p.target[complete & (p.kind == 1)]] = True
    service = p.service(c_state)
    ep_unit = np.array(p.model.ep_unit(b, service), dtype=float)
    rss = np.array(p.model.rss(b, service), dtype=float)
    st = {"work": work, "ep_unit": ep_unit, "rss": rss,
          "ep_b": p.area * a * ep_unit, "sc_b": p.occupancy * q * (1 + rss)}
    st["tier"], st["level"] = p.component_levels(c_state)
    if strategy == "rigid":
        st["rigid_order"] = _rigid_order(p, st["tier"], st["level"])

    curves = {k: np.zeros(H + 1) for k in ("ep", "sc", "displaced", "sheltered", "crews_busy",
                                           "materials_spent")}

    def record(t):
        curves["ep"][t] = st["ep_b"].sum()
        displaced = float((p.residents * (1.0 - q)).sum())
        places = np.where(q[p.shelter_idx] >= 1.0, p.shelter_cap, 0.0)
        sh = p.shelters
        temporary = sh.temporary_places if t >= sh.temporary_from_day else 0.0
        total = places.sum() + temporary
        share = min(1.0, displaced / total) if total > 0 and displaced > 0 else 0.0
        curves["sc"][t] = st["sc_b"].sum() + share * (places @ (1 + st["rss"][p.shelter_idx])
                                                      + 2.0 * temporary)
        curves["displaced"][t], curves["sheltered"][t] = displaced, share * total

    for t in range(H):
        record(t)
        if complete.all():
            for k in ("ep", "sc", "displaced", "sheltered"):
                curves[k][t + 1:] = curves[k][t]
            break
        active = ~complete
        held = active & (task_crew >= 0)
        if strategy == "rigid":
            locked = held
        elif strategy == "semiflexible":
            locked = held.copy()
            locked[held] = (t - crew_since[task_crew[held]]) < commit
        else:
            locked = np.zeros(n_t, bool)
        order = _priority(p, strategy, active, st)
        is_locked = locked[order]
        locked_tasks, cand = order[is_locked], order[~is_locked]
        slots = p.pool_sizes - np.bincount(p.pool[locked_tasks], minlength=p.n_pools)
        rank = np.empty(len(cand), np.int64)
        for k in range(p.n_pools):
            in_pool = p.pool[cand] == k
            rank[in_pool] = np.arange(int(in_pool.sum()))
        seq = np.concatenate([locked_tasks, cand[rank < slots[p.pool[cand]]]])
        w = np.minimum(1.0, p.effort[seq] - work[seq])
        need = p.rate[seq] * w
        if math.isinf(budget):
            f = np.ones(len(seq))
        else:
            before = np.cumsum(need) - need
            f = np.clip(np.divide(budget - before, need, out=np.ones(len(seq)), where=need > 0),
                        0.0, 1.0)
        keep = np.arange(len(seq)) < len(locked_tasks)
        keep |= f > 0
        selected, w, f = seq[keep], w[keep], f[keep]

        # crews: re-planned crews keep their task when it is chosen again (a new commitment)
        selected_mask = np.zeros(n_t, bool)
        selected_mask[selected] = True
        busy = crew_task >= 0
        replanned = busy & ~locked[np.where(busy, crew_task, 0)]
        stay = replanned & selected_mask[np.where(busy, crew_task, 0)]
        crew_since[stay] = t
        leave = np.flatnonzero(replanned & ~stay)
        if len(leave):
            stints.append((leave, crew_task[leave], crew_start[leave], np.full(len(leave), t),
                           np.zeros(len(leave), bool)))
            task_crew[crew_task[leave]] = -1
            crew_task[leave] = -1
        new = selected[task_crew[selected] < 0]
        for k in range(p.n_pools):
            tasks_k = new[p.pool[new] == k]
            if not len(tasks_k):
                continue
            free_k = np.flatnonzero((crew_task < 0) & (p.crew_pool == k))[:len(tasks_k)]
            crew_task[free_k], task_crew[tasks_k] = tasks_k, free_k
            crew_since[free_k], crew_start[free_k] = t, t

        work[selected] += w * f
        curves["crews_busy"][t] = len(selected)
        curves["materials_spent"][t] = float(need[keep] @ f) if len(selected) else 0.0
        sel_effort = p.effort[selected]
        finished = selected[work[selected] >= sel_effort - 1e-9 * np.maximum(1.0, sel_effort)]
        if not len(finished):
            continue
        complete[finished] = True
        restored[finished] = t + 1
        crews = task_crew[finished]
        stints.append((crews, finished, crew_start[crews], np.full(len(crews), t + 1),
                       np.ones(len(crews), bool)))
        crew_task[crews], task_crew[finished] = -1, -1

        done_b = p.target[finished[p.kind[finished] == 0]]
        a[done_b], q[done_b] = 1.0, 1.0
        st["ep_b"][done_b] = p.area[done_b] * st["ep_unit"][done_b]
        st["sc_b"][done_b] = p.occupancy[done_b] * (1 + st["rss"][done_b])
        done_c = p.target[finished[p.kind[finished] == 1]]
        if len(done_c):
            c_state[done_c] = True
            # the model is asked again only for the buildings whose service changed
            new_service = p.service(c_state)
            changed = np.flatnonzero((new_service != service).any(axis=1))
            service = new_service
            if len(changed):
                sub, s_sub = b.isel({BUILDING: changed}), service[changed]
                st["ep_unit"][changed] = p.model.ep_unit(sub, s_sub)
                st["rss"][changed] = p.model.rss(sub, s_sub)
                st["ep_b"][changed] = p.area[changed] * a[changed] * st["ep_unit"][changed]
                st["sc_b"][changed] = (p.occupancy[changed] * q[changed]
                                       * (1 + st["rss"][changed]))
            if strategy != "rigid":
                st["tier"], st["level"] = p.component_levels(c_state)
    else:
        record(H)

    held = np.flatnonzero(crew_task >= 0)
    if len(held):   # stints still running at the horizon
        stints.append((held, crew_task[held], crew_start[held], np.full(len(held), np.inf),
                       np.zeros(len(held), bool)))
    return {"restored": restored, "curves": curves, "stints": stints}


# --------------------------------------------------------------------------- public entry

def simulate_recovery(city: City, system, damage: xr.Dataset, constraints: Constraints, *,
                      strategies: Sequence[str] = STRATEGIES, functionality=None,
                      shelters: Shelters | None = None, seed: int = 0,
                      return_assignments: bool = False):
    """Simulate the recovery of one damage realization under each strategy.

    Parameters
    ----------
    city : City
        Buildings with ``type``, ``floor_area`` [m²], ``occupancy`` [persons] (and optionally
        ``population``, ``shelter_capable``).
    system : InfrastructureSystem or None
        From :func:`workbench.system.build_system`; ``None`` for a city without networks (every
        building fully served, no component tasks).
    damage : xarray.Dataset
        One realization of the damage Dataset of ``docs/ARCHITECTURE.md`` (no ``realization``
        dim, or one of length 1), covering the city's buildings and the system's components.
    constraints : Constraints
    strategies : sequence of str
        Any of ``rigid``, ``semiflexible``, ``flexible``.
    functionality : FunctionalityModel, optional
        Default :class:`workbench.functionality.TableFunctionality`.
    shelters : Shelters, optional
        Default :class:`workbench.functionality.Shelters`.
    seed : int
        Seed of the tie-breaking permutation; recorded in ``attrs["seed"]``.
    return_assignments : bool
        Also return the crew log as a DataFrame (one row per crew stint on a task: ``strategy``,
        ``crew``, ``trade``, ``task_kind``, ``target``, ``start_day``, ``end_day`` (``inf`` if
        still working at the horizon), ``completed``).

    Returns
    -------
    xarray.Dataset or (xarray.Dataset, pandas.DataFrame)
        Dims ``strategy``, ``time`` (days 0…horizon), ``building``, ``component``:

        * ``building_restored_day`` (strategy, building), ``component_restored_day`` (strategy,
          component) [day]: first time at which the element is repaired; 0 if undamaged,
          ``inf`` if not repaired within the horizon;
        * on (strategy, time), the state at the *start* of day ``t`` (held through day ``t``):
          ``ep`` [EUR/day], ``sc`` and ``demand`` [person-units], ``ep_functionality`` (EP/EP0)
          and ``sc_functionality`` (min(1, SC/demand)) [-], ``displaced`` and ``sheltered``
          [persons], ``crews_busy`` [crews working during day t; 0 at the horizon] and
          ``materials_spent`` [EUR/day];
        * ``attrs``: ``ep0`` [EUR/day], ``sc0``, ``demand0`` [person-units], ``repair_cost``
          [EUR], the constraints, ``seed``, ``currency``, ``price_year``, ``units`` (JSON).

    Examples
    --------
    Two collapsed homes, one crew, four days each: the second is back at day 8.

    >>> from workbench.city import toy_city
    >>> city = toy_city()
    >>> damage = xr.Dataset({
    ...     "building_damage_state": ("building", [4, 4, 0, 0, 0, 0]),
    ...     "building_repair_days": ("building", [4.0, 4.0, 0, 0, 0, 0]),
    ...     "building_repair_cost": ("building", [1e5, 1e5, 0, 0, 0, 0])},
    ...     coords={"building": city.buildings["building"].values})
    >>> rec = simulate_recovery(city, None, damage, Constraints(crews=1, horizon_days=10))
    >>> rec["building_restored_day"].sel(strategy="rigid").values[:3].tolist()
    [8.0, 4.0, 0.0]
    """
    if not isinstance(city, City):
        raise InputError(f"city must be a workbench City, got {type(city).__name__}")
    if not isinstance(constraints, Constraints):
        raise InputError(f"constraints must be a workbench.recovery.Constraints, got "
                         f"{type(constraints).__name__}; build one with Constraints(crews=…).")
    strategies = _check_strategies(strategies)
    p = _Problem(city, system, damage, constraints, functionality, shelters, seed)
    runs = [_simulate(p, s) for s in strategies]
    ds = _dataset(p, strategies, runs, seed)
    if not return_assignments:
        return ds
    return ds, _assignments(p, strategies, runs)


def _dataset(p: _Problem, strategies, runs, seed) -> xr.Dataset:
    H = p.horizon
    n_b, n_c = len(p.building_ids), len(p.component_ids)
    b_day = np.zeros((len(strategies), n_b))
    c_day = np.zeros((len(strategies), n_c))
    for i, run in enumerate(runs):
        bt = p.kind == 0
        b_day[i, p.target[bt]] = run["restored"][bt]
        c_day[i, p.target[~bt]] = run["restored"][~bt]
    curve = lambda k: np.stack([r["curves"][k] for r in runs])  # noqa: E731
    ep, sc = curve("ep"), curve("sc")
    demand = np.full_like(sc, p.demand)
    st_t = (STRATEGY, TIME)
    units = {"building_restored_day": "day", "component_restored_day": "day", "ep": "EUR/day",
             "sc": "person-units", "demand": "person-units", "ep_functionality": "1",
             "sc_functionality": "1", "displaced": "persons", "sheltered": "persons",
             "crews_busy": "crews", "materials_spent": "EUR/day"}
    data = {
        "building_restored_day": ((STRATEGY, BUILDING), b_day),
        "component_restored_day": ((STRATEGY, COMPONENT), c_day),
        "ep": (st_t, ep), "sc": (st_t, sc), "demand": (st_t, demand),
        "ep_functionality": (st_t, ep / p.ep0 if p.ep0 > 0 else np.ones_like(ep)),
        "sc_functionality": (st_t, np.minimum(1.0, sc / p.demand) if p.demand > 0
                             else np.ones_like(sc)),
        "displaced": (st_t, curve("displaced")), "sheltered": (st_t, curve("sheltered")),
        "crews_busy": (st_t, curve("crews_busy")),
        "materials_spent": (st_t, curve("materials_spent")),
    }
    ds = xr.Dataset(
        {k: (dims, v, {"units": units[k]}) for k, (dims, v) in data.items()},
        coords={STRATEGY: list(strategies), TIME: np.arange(H + 1),
                BUILDING: p.building_ids, COMPONENT: p.component_ids})
    ds[TIME].attrs["units"] = "day"
    ds.attrs.update({"ep0": p.ep0, "sc0": p.sc0, "demand0": p.demand,
                     "repair_cost": p.repair_cost, **p.constraints.as_attrs(), "seed": int(seed),
                     "currency": CURRENCY, "price_year": PRICE_YEAR,
                     "units": json.dumps({"ep0": "EUR/day", "sc0": "person-units",
                                          "demand0": "person-units", "repair_cost": "EUR",
                                          **units}),
                     "time_convention": "state at the start of day t, held through day t"})
    return ds


def _assignments(p: _Problem, strategies, runs) -> pd.DataFrame:
    frames = []
    ids = np.concatenate([p.building_ids, p.component_ids])
    offset = np.where(p.kind == 0, 0, len(p.building_ids))
    for strategy, run in zip(strategies, runs):
        if not run["stints"]:
            continue
        crew, task, start, end, completed = (np.concatenate(x) for x in zip(*run["stints"]))
        frames.append(pd.DataFrame({
            "strategy": strategy, "crew": crew,
            "trade": np.asarray(p.pool_names)[p.crew_pool[crew]],
            "task_kind": np.where(p.kind[task] == 0, "building", "component"),
            "target": ids[p.target[task] + offset[task]], "start_day": start.astype(float),
            "end_day": end.astype(float),
            "completed": completed}))
    columns = ["strategy", "crew", "trade", "task_kind", "target", "start_day", "end_day",
               "completed"]
    if not frames:
        return pd.DataFrame(columns=columns)
    return pd.concat(frames, ignore_index=True).sort_values(
        ["strategy", "crew", "start_day"], kind="stable", ignore_index=True)[columns]
