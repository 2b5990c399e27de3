"""The recovery problem of one simulation (private; ``workbench.recovery`` is the public API).

``Problem`` turns one validated damage realization, the city, the infrastructure system and the
constraints into what every strategy shares: the repair tasks (effort, material rate, trade),
the crew pools, the tie-breaking permutation, the building constants and, per network, a
``_NetworkPlan`` (Kruskal minimum spanning tree at day 0 and the constraint-aware BFS levels
recomputed as repairs complete). The method is documented in ``workbench.recovery``.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import networkx as nx
import numpy as np
import xarray as xr
from scipy import sparse
from scipy.sparse.csgraph import dijkstra

from ..core.dims import BUILDING, COMPONENT, NETWORKS, REALIZATION
from ..core.errors import InputError
from ..functionality import (Shelters, functionality_model, residents, service_demand,
                             ShelterPlan, usable_fractions)
from .impeding import building_delays, component_delays

__all__ = ["Problem", "repair_tasks", "plan_rank"]   # private module (workbench.recovery is the API)

#: Network order when levels tie (power feeds water pumps).
_NETWORK_ORDER = ("power", "water", "road")
#: Memory the memo of service and levels by component state may take [bytes].
_CACHE_BYTES = 64 * 2**20
#: The 2³ service patterns (water, power, road) of 0/1 service, and each row's pattern code.
_PATTERNS = np.array([[(c >> 2) & 1, (c >> 1) & 1, c & 1] for c in range(8)], dtype=float)
_PATTERN_WEIGHTS = np.array([4, 2, 1], np.int64)


# --------------------------------------------------------------------------- the problem


def repair_tasks(building_repair_days, component_functional) -> tuple[np.ndarray, np.ndarray]:
    """What the recovery repairs, as two masks: buildings with repair work (> 0 crew-days; a
    damaged building without any is usable at once) and components out of service (a leaking
    pipe stays in service and takes no crew).

    >>> b, c = repair_tasks([0.0, 5.0], [True, False])
    >>> b.tolist(), c.tolist()
    ([False, True], [False, True])
    """
    return (np.asarray(building_repair_days, float) > 0,
            ~np.asarray(component_functional, bool))

def plan_rank(plan, types, damage_states) -> np.ndarray:
    """Rank of each building in a rigid plan (rows of ``name``, ``types``, ``damage_states``,
    as :attr:`workbench.recovery.Constraints.rigid_plan` holds them): the position of its
    (row, damage state) in the plan — rows in order, a row's damage states in the order listed,
    a building in the first row that holds its type and damage state — and, for a building in
    no row (or undamaged), one past the last.

    >>> from workbench.recovery import RIGID_PLAN
    >>> plan_rank(RIGID_PLAN, ["office", "public", "residential", "public", "office"],
    ...           [1, 3, 2, 1, 0]).tolist()
    [8, 2, 5, 0, 12]
    """
    types = np.asarray(types).astype(str)
    damage_states = np.asarray(damage_states, dtype=np.int64)
    names, code = np.unique(types, return_inverse=True)
    last = sum(len(row.damage_states) for row in plan)
    table = np.full((len(names), 5), last, dtype=np.int64)      # (type, damage state 0..4)
    taken = np.zeros(table.shape, bool)
    position = {str(t): i for i, t in enumerate(names)}
    k = 0
    for row in plan:
        for d in row.damage_states:
            for t in row.types:
                i = position.get(t)
                if i is not None and not taken[i, d]:
                    table[i, d], taken[i, d] = k, True
            k += 1
    inside = (damage_states >= 0) & (damage_states <= 4)
    out = np.full(len(types), last, dtype=np.int64)
    out[inside] = table[code.reshape(-1)[inside], damage_states[inside]]
    return out


class Problem:
    """Everything shared by the strategies of one simulation: tasks, crews, networks."""

    def __init__(self, city, system, damage, constraints, functionality, shelters, seed):
        b = city.buildings
        self.buildings = b
        self._by_state: dict = {}        # component states → service, levels (see _memo)
        self._cache_bytes = 0
        self._model_rows: dict = {}      # service pattern → (ep_unit, rss) of every building
        self._day0 = None
        self.system = system
        self._node_index = _building_node_index(system)
        self.constraints = constraints
        self.model = functionality_model(functionality)
        self.shelters = Shelters() if shelters is None else shelters
        self.value = self.shelters.valuation
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
        usable = _optional_share(bd, "building_usable_share", n_b)
        if usable is not None:           # imported: the usable share while damaged, by building
            damaged = ds > 0
            self.a0[damaged], self.q0[damaged] = usable[damaged], usable[damaged]
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
        b_todo, c_todo = repair_tasks(b_eff, c_func)
        b_task, c_task = np.flatnonzero(b_todo), np.flatnonzero(c_todo)
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
        # crews: the pools' own, then the reserve (pre-positioned) crews, gone from reserve_days
        base = np.asarray(sizes, np.int64)
        reserve = np.asarray(constraints.reserve_pools, np.int64)
        self.base_sizes = base
        self.pool_sizes = base + reserve                 # every crew there is (day 0 on)
        self.crew_pool = np.concatenate([np.repeat(np.arange(self.n_pools), base),
                                         np.repeat(np.arange(self.n_pools), reserve)])
        self.has_reserve = bool(reserve.sum() > 0)
        self.reserve_until = constraints.reserve_days if self.has_reserve else math.inf
        self.crew_until = np.concatenate([np.full(int(base.sum()), math.inf),
                                          np.full(int(reserve.sum()), self.reserve_until)])

        rng = np.random.default_rng(seed)
        self.tie = rng.permutation(len(self.target)).astype(np.int64)
        self.ds = ds
        # impeding delays (REDi), drawn once from their own stream: common to every strategy
        delay_rng = np.random.default_rng([int(seed), 1])
        b_delay = building_delays(ds, delay_rng)
        ready = _optional_ready(bd, n_b)
        if ready is not None:            # imported impeding delays replace REDi's for buildings
            b_delay = np.where(np.isnan(ready), b_delay, ready)    # (NaN: REDi's draw)
        self.delay = np.concatenate([b_delay[b_task], component_delays(len(c_task), delay_rng)])

        # building constants
        self.area = np.asarray(b["floor_area"].values, dtype=float)
        self.occupancy = np.asarray(b["occupancy"].values, dtype=float)
        self.residents = residents(b)
        # hosts: their spare places and spare baseline occupancy once fully usable
        # (functionality.shelter_places / shelter_capacity)
        # (the plan opens its places in whichever capable buildings are usable on the day)
        self.shelter_plan = ShelterPlan(b, self.shelters)
        self.shelter_idx = self.shelter_plan.hosts
        self.places_full = np.zeros(n_b)
        self.places_full[self.shelter_idx] = self.shelter_plan.most
        self.host_occupancy = np.maximum(self.occupancy[self.shelter_idx]
                                         - self.residents[self.shelter_idx], 0.0)
        self.host_spare = np.zeros(n_b)
        self.host_spare[self.shelter_idx] = self.host_occupancy
        self.demand = service_demand(b)
        self.intact_service = self.service(np.ones(n_c, bool))
        self.full_ep_unit = np.asarray(self.model.ep_unit(b, self.intact_service), dtype=float)
        self.full_rss = np.asarray(self.model.rss(b, self.intact_service), dtype=float)
        self.ep0 = float((self.area * self.full_ep_unit).sum())
        self.sc0 = float((self.residents * (1 + self.full_rss)).sum())
        self._expected(bd, ds, b_eff)
        # the rigid strategy's predefined plan, as a rank of each building (by its true damage
        # state: a rigid repair is available only once inspected, when the state is known)
        self.plan_rank = plan_rank(constraints.rigid_plan,
                                   np.asarray(b["type"].values).astype(str), ds)
        self.networks = _network_plans(system, c_eff, c_func) if n_c else []
        # per-task constants of the day loop (the same expressions it evaluated every day)
        budget = constraints.materials_per_day
        self.speed = np.minimum(1.0, np.divide(budget, self.rate,
                                               out=np.full(len(self.rate), np.inf),
                                               where=self.rate > 0))
        self.unit_speed = bool((self.speed == 1.0).all())
        self.done_at = self.effort - 1e-9 * np.maximum(1.0, self.effort)
        self.building_target = self.target[:self.n_bt]
        self.buildings_by_tie = np.argsort(self.tie[:self.n_bt], kind="stable")
        # building tasks whose gain depends on the unsheltered (shelter hosts)
        self.host_tasks = np.flatnonzero(self.places_full[self.building_target] != 0)

    # ------------------------------------------------------------------ information

    def _expected(self, bd: xr.Dataset, ds: np.ndarray, b_eff: np.ndarray) -> None:
        """What planners expect of each building before inspecting it, and when they inspect it.

        Expected usable shares and repair effort come from the damage probabilities of the
        fragilities (``building_damage_probability``, ``building_expected_repair_days``); a damage
        table without them (an import) gives planners the damage itself. Buildings are inspected
        ``inspections_per_day`` at a time, in the order of their expected gain per expected
        crew-day (the planners' best guess), from day 0; a building inspected during day ``t`` is
        known from ``t + 1``.
        """
        n = len(ds)
        if "building_damage_probability" in bd and "building_expected_repair_days" in bd:
            prob = np.asarray(bd["building_damage_probability"].transpose(BUILDING, ...).values,
                              dtype=float)
            a_tab, q_tab = usable_fractions(np.arange(5))
            self.expected_a, self.expected_q = prob @ a_tab, prob @ q_tab
            self.expected_effort = np.asarray(bd["building_expected_repair_days"].values, float)
            suspect = prob[:, 0] < 1.0
        else:
            self.expected_a, self.expected_q = self.a0.copy(), self.q0.copy()
            self.expected_effort = b_eff.copy()
            suspect = ds > 0
        # expected gain per expected crew-day at full service: the inspection order (the
        # rigid plan does not use it: it is a predefined rule, Constraints.rigid_plan)
        gain = 0.5 * (self.area * (1 - self.expected_a) * self.full_ep_unit
                      / max(self.ep0, 1e-300)
                      + self.residents * (1 - self.expected_q) * (1 + self.full_rss)
                      / max(self.demand, 1e-300))
        self.expected_ratio = gain / np.maximum(self.expected_effort, 1e-9)
        if "building_known" in bd:       # damage already known (an earlier event's, inspected)
            suspect = suspect & ~np.asarray(bd["building_known"].values, dtype=bool)
        capacity = self.constraints.inspections_per_day
        self.inspected_day = np.zeros(n)
        if np.isfinite(capacity):
            ratio = np.where(suspect, self.expected_ratio, -np.inf)
            order = np.lexsort((np.arange(n), -ratio))
            rank = np.empty(n, np.int64)
            rank[order] = np.arange(n)
            self.inspected_day = np.where(suspect, 1.0 + np.floor(rank / capacity), 0.0)

    def available_day(self, rule) -> np.ndarray:
        """First day each task can receive work under strategy ``rule`` (a StrategyRule)."""
        day = np.zeros(len(self.target))
        if rule.limited_information:
            bt = self.kind == 0
            day[bt] = self.inspected_day[self.target[bt]]
        if rule.impeding_delays and self.constraints.impeding_delays:
            day = day + self.delay
        return day

    # ------------------------------------------------------------------ helpers
    #
    # The strategies of one simulation pass through many of the same component states (the
    # networks are repaired in much the same order), and the day loop asks for the service and
    # the levels of each: both are memoised by state, and the model's values by service pattern.
    # Memoised arrays are read-only; callers replace them, never write into them.

    def _memo(self, c_state: np.ndarray, what: str, compute):
        key = c_state.tobytes()
        entry = self._by_state.get(key)
        if entry is None:
            entry = {}
            if self._cache_bytes < _CACHE_BYTES:
                self._by_state[key] = entry
        if what not in entry:
            value = compute()
            for array in (value if isinstance(value, tuple) else (value,)):
                array.setflags(write=False)
                self._cache_bytes += array.nbytes
            entry[what] = value
        return entry[what]

    def service(self, c_state: np.ndarray) -> np.ndarray:
        """Service (building, network) of the components' own states ``c_state`` (read-only)."""
        if self.system is None:
            return np.ones((len(self.building_ids), len(NETWORKS)))
        return self._memo(c_state, "service",
                          lambda: np.asarray(self.system.service(c_state), dtype=float))

    def served(self, c_state: np.ndarray) -> np.ndarray | None:
        """Whether each node of the three networks is served (one vector, the networks' nodes
        one after another) at the components' own states ``c_state`` (read-only); ``None``
        for a system that gives service only (:attr:`tracks_nodes` is False)."""
        if self._node_index is None:
            return None
        return self._memo(c_state, "served", lambda: np.concatenate(
            list(self.system.served_nodes(c_state).values())))

    @property
    def tracks_nodes(self) -> bool:
        """Service follows the served nodes (a workbench system): a building's service changes
        only when its node's does (:meth:`served`, :meth:`node_buildings`)."""
        return self._node_index is not None

    def node_buildings(self, nodes: np.ndarray) -> np.ndarray:
        """Positions in the flattened (building, network) service array of the buildings each
        of ``nodes`` (indexes into :meth:`served`) serves, ascending."""
        flat, indptr, _ = self._node_index
        starts, stops = indptr[nodes], indptr[nodes + 1]
        lengths = stops - starts
        if not lengths.sum():
            return np.zeros(0, np.int64)
        # the ranges [start, stop) of every node, concatenated
        offsets = np.repeat(starts - np.concatenate([[0], np.cumsum(lengths)[:-1]]), lengths)
        return np.sort(flat[offsets + np.arange(lengths.sum())])

    def node_of(self, positions: np.ndarray) -> np.ndarray:
        """The node (index into :meth:`served`) serving each of ``positions`` (flattened
        (building, network) positions of mapped buildings)."""
        return self._node_index[2][positions]

    def component_levels(self, c_state: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """(tier, level) of every component: tier 0 on the MST, 1 off it; CA-BFS level
        (read-only)."""
        def compute():
            tier = np.zeros(len(self.component_ids), np.int64)
            level = np.zeros(len(self.component_ids))
            for plan in self.networks:
                plan.levels(c_state, tier, level)
            return tier, level
        return self._memo(c_state, "levels", compute)

    def model_values(self, rows: np.ndarray, service: np.ndarray
                     ) -> tuple[np.ndarray, np.ndarray]:
        """EP_unit and rSS of buildings ``rows`` (positions) at ``service`` (len(rows), 3).

        A functionality model gives each building's value from that building and its service,
        and the networks' service is 0 or 1, so a building's values at a service pattern (one
        of 2³) are known once asked: the model is asked for every building of the city the
        first time a pattern appears (at most eight calls in all, however large the city; one
        call on the whole city is cheaper than selecting rows, which costs the model's own
        per-call work — a default table's type lookup — each time), and the rows are read from
        what it answered. Fractional service (a user system) asks the model on the subset
        each time.
        """
        if not ((service == 0.0) | (service == 1.0)).all():
            sub = self.buildings.isel({BUILDING: rows})
            return self.model.ep_unit(sub, service), self.model.rss(sub, service)
        n = len(self.building_ids)
        code = (service.astype(np.int64) * _PATTERN_WEIGHTS).sum(axis=1)
        ep_unit, rss = np.empty(len(rows)), np.empty(len(rows))
        for c in np.unique(code).tolist():
            if c not in self._model_rows:
                pattern = np.ascontiguousarray(np.broadcast_to(_PATTERNS[c], (n, 3)))
                self._model_rows[c] = (
                    np.asarray(self.model.ep_unit(self.buildings, pattern), dtype=float),
                    np.asarray(self.model.rss(self.buildings, pattern), dtype=float))
            known_ep, known_rss = self._model_rows[c]
            at = code == c
            want = rows[at]
            ep_unit[at] = known_ep[want]
            rss[at] = known_rss[want]
        return ep_unit, rss

    def day0(self) -> dict:
        """The state every strategy starts from (component states, service, EP_unit, rSS,
        levels), computed once; the strategies copy what they change."""
        if self._day0 is None:
            complete = self.effort <= 0
            c_state = self.c_functional.copy()
            c_state[self.target[complete & (self.kind == 1)]] = True
            service = self.service(c_state)
            self._day0 = {
                "complete": complete, "c_state": c_state, "service": service,
                "ep_unit": np.array(self.model.ep_unit(self.buildings, service), dtype=float),
                "rss": np.array(self.model.rss(self.buildings, service), dtype=float),
                "levels": self.component_levels(c_state), "served": self.served(c_state)}
        return self._day0


def _building_node_index(system):
    """For a workbench system: the positions in the flattened (building, network) service
    array grouped by the node (index into :meth:`Problem.served`) that serves them, the start
    of each node's group (CSR) and the node of every position (−1: unmapped), kept by the
    system (:meth:`~workbench.network.system.InfrastructureSystem.building_positions_by_node`);
    ``None`` for another system (or none)."""
    from ..network.system import InfrastructureSystem
    if not isinstance(system, InfrastructureSystem):
        return None
    return system.building_positions_by_node()


@dataclass
class _NetworkPlan:
    node_comp: np.ndarray
    edge_comp: np.ndarray
    ends: np.ndarray
    sources: np.ndarray
    in_mst: np.ndarray

    def __post_init__(self):
        # the graph's layout depends only on the tree: found once by converting it with the
        # entries numbered, so each call fills in the costs in that (CSR) order and builds
        # the very matrix the conversion would
        n = len(self.node_comp)
        self._mst = np.flatnonzero(self.in_mst)
        a, b = self.ends[self._mst, 0], self.ends[self._mst, 1]
        rows = np.concatenate([a, b, np.full(len(self.sources), n)])
        cols = np.concatenate([b, a, self.sources])
        probe = sparse.csr_array((np.arange(1.0, len(rows) + 1), (rows, cols)),
                                 shape=(n + 1, n + 1))
        self._layout = None if probe.nnz != len(rows) else (
            probe.indices.copy(), probe.indptr.copy(), probe.data.astype(np.int64) - 1)
        # one matrix per plan, its costs rewritten at each call: building and checking a new
        # sparse matrix cost as much as the search on a small network (a plan serves one
        # simulation, in one thread)
        self._graph = None if self._layout is None else sparse.csr_array(
            (np.zeros(len(rows)), self._layout[0], self._layout[1]), shape=(n + 1, n + 1))
        self._rows, self._cols = rows, cols
        self._comps = np.concatenate([self.node_comp, self.edge_comp])
        self._tier = np.where(self.in_mst, 0, 1)
        self._memo = {}

    def levels(self, c_state, tier, level):
        """Fill ``tier`` and ``level`` of this network's components for states ``c_state``
        (a network's levels depend on its own components only: memoised by their states)."""
        key = c_state[self._comps].tobytes()
        if key not in self._memo:
            self._memo[key] = self._levels(c_state)
        node_level, edge_level = self._memo[key]
        level[self.node_comp] = node_level
        level[self.edge_comp] = edge_level
        tier[self.edge_comp] = self._tier

    def _levels(self, c_state):
        n = len(self.node_comp)
        node_bad = (~c_state[self.node_comp]).astype(float)
        edge_bad = (~c_state[self.edge_comp]).astype(float)
        mst = self._mst
        a, b = self.ends[mst, 0], self.ends[mst, 1]
        # 0–1 costs plus a hop epsilon small enough never to add up to one level
        eps = 1.0 / (4.0 * (n + 2))
        data = np.concatenate([edge_bad[mst] + node_bad[b], edge_bad[mst] + node_bad[a],
                               node_bad[self.sources]]) + eps
        if self._layout is None:     # repeated entries (summed by the conversion)
            graph = sparse.csr_array((data, (self._rows, self._cols)), shape=(n + 1, n + 1))
        else:
            graph = self._graph
            graph.data = data[self._layout[2]]
        dist = np.floor(dijkstra(graph, directed=True, indices=n)[:n])
        edge_level = np.minimum(dist[self.ends[:, 0]], dist[self.ends[:, 1]]) + 1.0
        return dist, np.where(self.in_mst, edge_level, 0.0)


def _network_plans(system, c_eff, c_func) -> list[_NetworkPlan]:
    plans = []
    for name in NETWORKS:
        node_comp = np.asarray(system.node_component[name])
        edge_comp = np.asarray(system.edge_component[name])
        ends = np.asarray(system.edge_endpoints[name]).reshape(-1, 2)
        weight = np.where(c_func[edge_comp], 0.0, c_eff[edge_comp])
        in_mst = _kruskal(len(node_comp), ends, weight)
        plans.append(_NetworkPlan(node_comp, edge_comp, ends,
                                  np.asarray(system.sources[name], np.int64), in_mst))
    return plans


def _kruskal(n_nodes: int, ends: np.ndarray, weight: np.ndarray) -> np.ndarray:
    """Edges of the Kruskal minimum spanning forest (mask), as networkx's
    ``minimum_spanning_tree(algorithm="kruskal")`` picks them among equal weights.

    networkx takes the edges of a graph built with nodes ``0…n−1`` and the edges in order as
    ``Graph.edges`` yields them — each at its smaller end node, a node's edges in the order
    they were added — sorts them stably by weight and keeps each edge that joins two trees. The
    same order and rule, without building the graph. Repeated node pairs (which a
    ``networkx.Graph`` merges) go through networkx itself.
    """
    a, b = ends[:, 0].astype(np.int64), ends[:, 1].astype(np.int64)
    low = np.minimum(a, b)
    if len(np.unique(low * (n_nodes + 1) + np.maximum(a, b))) != len(ends):
        return _networkx_mst(n_nodes, ends, weight)
    order = np.lexsort((np.arange(len(ends)), low))
    order = order[np.argsort(weight[order], kind="stable")]
    parent = list(range(n_nodes))

    def root(x):
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    in_mst = np.zeros(len(ends), bool)
    a_list, b_list = a.tolist(), b.tolist()
    for e in order.tolist():
        ra, rb = root(a_list[e]), root(b_list[e])
        if ra != rb:
            parent[ra] = rb
            in_mst[e] = True
    return in_mst


def _networkx_mst(n_nodes: int, ends: np.ndarray, weight: np.ndarray) -> np.ndarray:
    graph = nx.Graph()
    graph.add_nodes_from(range(n_nodes))
    graph.add_edges_from((int(u), int(v), {"weight": float(w), "e": i})
                         for i, (u, v, w) in enumerate(zip(ends[:, 0], ends[:, 1], weight)))
    tree = nx.minimum_spanning_tree(graph, weight="weight", algorithm="kruskal")
    in_mst = np.zeros(len(ends), bool)
    in_mst[[e for _, _, e in tree.edges(data="e")]] = True
    return in_mst


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


def _optional_ready(damage: xr.Dataset, n: int) -> np.ndarray | None:
    """``building_ready_day``: days ≥ 0, or NaN where REDi's delays are drawn (``None`` when the
    Dataset lacks it)."""
    if "building_ready_day" not in damage:
        return None
    values = _values(damage, "building_ready_day", n).astype(float)
    bad = np.isinf(values) | (values < 0)
    if bad.any():
        raise InputError(f"damage['building_ready_day'] must be finite and ≥ 0 (or NaN: draw "
                         f"REDi's delays); {int(bad.sum())} value(s) are not (first: "
                         f"{values[bad][0]!r}).")
    return values


def _optional_days(damage: xr.Dataset, name: str, n: int) -> np.ndarray | None:
    """An optional per-building number of days ≥ 0 (``None`` when the Dataset lacks it)."""
    return _non_negative(damage, name, n) if name in damage else None


def _optional_share(damage: xr.Dataset, name: str, n: int) -> np.ndarray | None:
    """An optional per-building share in [0, 1] (``None`` when the Dataset lacks it)."""
    if name not in damage:
        return None
    values = _values(damage, name, n).astype(float)
    bad = ~np.isfinite(values) | (values < 0) | (values > 1)
    if bad.any():
        raise InputError(f"damage[{name!r}] must be a share in [0, 1]; {int(bad.sum())} "
                         f"value(s) are not (first: {values[bad][0]!r}).")
    return values


def _non_negative(damage: xr.Dataset, name: str, n: int) -> np.ndarray:
    values = _values(damage, name, n).astype(float)
    bad = ~np.isfinite(values) | (values < 0)
    if bad.any():
        raise InputError(f"damage[{name!r}] must be finite and ≥ 0; {int(bad.sum())} value(s) "
                         f"are not (first: {values[bad][0]!r}).")
    return values
