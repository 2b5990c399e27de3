"""The recovery problem of one simulation (private; ``workbench.recovery`` is the public API).

``Problem`` turns one validated damage realization, the city, the infrastructure system and the
constraints into what every strategy shares: the repair tasks (effort, material rate, trade),
the crew pools, the tie-breaking permutation, the building constants and, per network, a
``_NetworkPlan`` (Kruskal minimum spanning tree at day 0 and the constraint-aware BFS levels
recomputed as repairs complete). The method is documented in ``workbench.recovery``.
"""

from __future__ import annotations

from dataclasses import dataclass

import networkx as nx
import numpy as np
import xarray as xr
from scipy import sparse
from scipy.sparse.csgraph import dijkstra

from ..dims import BUILDING, COMPONENT, NETWORKS, REALIZATION
from ..errors import InputError
from ..functionality import (Shelters, functionality_model, residents, service_demand,
                             shelter_capable, shelter_places, usable_fractions)
from .impeding import building_delays, component_delays

# private module (workbench.recovery is the API); it re-exports RIGID_TYPE_ORDER
__all__ = ["Problem", "RIGID_TYPE_ORDER"]

#: Building types in the rigid strategy's order (shelters and homes first).
RIGID_TYPE_ORDER = ("public", "residential", "commercial", "office", "industrial")
#: Network order when levels tie (power feeds water pumps).
_NETWORK_ORDER = ("power", "water", "road")


# --------------------------------------------------------------------------- the problem

class Problem:
    """Everything shared by the strategies of one simulation: tasks, crews, networks."""

    def __init__(self, city, system, damage, constraints, functionality, shelters, seed):
        b = city.buildings
        self.buildings = b
        self.system = system
        self.constraints = constraints
        self.model = functionality_model(functionality)
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
        self.ds = ds
        # impeding delays (REDi), drawn once from their own stream: common to every strategy
        delay_rng = np.random.default_rng([int(seed), 1])
        self.delay = np.concatenate([building_delays(ds, delay_rng)[b_task],
                                     component_delays(len(c_task), delay_rng)])

        # building constants
        self.area = np.asarray(b["floor_area"].values, dtype=float)
        self.occupancy = np.asarray(b["occupancy"].values, dtype=float)
        self.residents = residents(b)
        # hosts: their spare places and spare baseline occupancy once fully usable
        # (functionality.shelter_places / shelter_capacity)
        self.shelter_idx = np.flatnonzero(shelter_capable(b))
        self.places_full = shelter_places(b, np.ones(n_b), self.shelters)
        self.shelter_cap = self.places_full[self.shelter_idx]
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
        type_rank = {t: i for i, t in enumerate(RIGID_TYPE_ORDER)}
        self.type_rank = np.array([type_rank[t] for t in np.asarray(b["type"].values).astype(str)])
        self.networks = _network_plans(system, c_eff, c_func) if n_c else []

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
        # expected gain per expected crew-day at full service: the inspection order here and
        # the fixed (rigid) plan in _scheduling
        gain = 0.5 * (self.area * (1 - self.expected_a) * self.full_ep_unit
                      / max(self.ep0, 1e-300)
                      + self.residents * (1 - self.expected_q) * (1 + self.full_rss)
                      / max(self.demand, 1e-300))
        self.expected_ratio = gain / np.maximum(self.expected_effort, 1e-9)
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
