"""Criticality and redundancy of the infrastructure networks (Li, METHOD refs).

Li (METHOD references) asks for "a comprehensive resilience baseline assessment of existing infrastructure
networks to identify critical vulnerable nodes and potential single points of failure" and
balances robustness, redundancy and adaptability. This module gives those words numbers:

* :func:`network_sources`, :func:`single_source_networks` — the source nodes of each network,
  and the networks fed by a single one (that source is a single point of failure for everything
  the network serves);
* :func:`single_points_of_failure` — bridges and articulation points of each network (as seen
  from its sources), each with the population it cuts off from every source;
* :func:`node_criticality` — every node's served population lost when it alone is removed;
* :func:`cascade_criticality` — the same for any component, through the interdependency
  cascade of :meth:`workbench.network.system.InfrastructureSystem.service` (a power bus feeding a
  water pump is critical for water);
* :func:`redundancy` — edge-disjoint paths from each node to a source (capped at 2), which
  :func:`workbench.metrics.four_r.redundancy_index` turns into the redundancy attribute.

All population figures weigh buildings by a building variable named by ``population``
(default ``occupancy``, the baseline occupancy Q0 [persons]) and assign each building to its
serving node (``<network>_node``). "Cut off" means: no path, through the remaining network, to
any source node (:data:`workbench.core.dims.SOURCE_KINDS`). The single-network functions ignore
interdependencies; :func:`cascade_criticality` includes them.

Method. A virtual super-source ``s*`` is joined to every source node, so that "connected to some
source" becomes "connected to ``s*``". Removing node ``v`` cuts off exactly the nodes that ``v``
separates from ``s*``: in the block-cut tree rooted at ``s*``, the subtree under ``v``. Subtree
population sums over that tree give every node's and every bridge's cut-off population in
linear time (Hopcroft & Tarjan 1973; blocks from :func:`networkx.biconnected_components`).

References
----------
Bruneau, M., Chang, S. E., Eguchi, R. T., Lee, G. C., O'Rourke, T. D., Reinhorn, A. M.,
Shinozuka, M., Tierney, K., Wallace, W. A., & von Winterfeldt, D. (2003). A framework to
quantitatively assess and enhance the seismic resilience of communities. *Earthquake Spectra*,
19(4), 733–752. doi:10.1193/1.1623497

Hopcroft, J., & Tarjan, R. (1973). Algorithm 447: efficient algorithms for graph manipulation.
*Communications of the ACM*, 16(6), 372–378. doi:10.1145/362248.362272

Li, J. *Research on the emergency support system for critical infrastructure from the
perspective of resilient cities* (docs/METHOD.md, References) — interdependency, cascading
failures, single points of failure.
"""

from __future__ import annotations

from collections import deque
from typing import Iterable, Mapping

import networkx as nx
import numpy as np
import pandas as pd

from ..city.model import City
from ..core.dims import NETWORKS, SOURCE_KINDS
from ..core.errors import InputError
from .system import InfrastructureSystem

__all__ = [
    "network_sources", "single_source_networks", "node_population", "single_points_of_failure", "node_criticality", "cascade_criticality",
    "redundancy",
]

_SUPER = ("__super_source__",)  # a tuple: it can never equal a (string) node id


def network_sources(city: City | InfrastructureSystem, *,
                    source_kinds: Mapping[str, Iterable[str]] = SOURCE_KINDS
                    ) -> dict[str, list[str]]:
    """Source node ids of each network, sorted; networks in :data:`~workbench.core.dims.NETWORKS` order.

    A source is a node whose ``kind`` is in ``source_kinds[network]`` (default
    :data:`workbench.core.dims.SOURCE_KINDS`: reservoirs and tanks for water, substations and
    external grids for power, gateways for roads). ``city`` is a :class:`~workbench.city.City`
    or anything with a ``networks`` mapping (an :class:`~workbench.network.system.InfrastructureSystem`).

    Examples
    --------
    >>> from workbench.city import toy_city
    >>> network_sources(toy_city())
    {'water': ['W0'], 'power': ['P0'], 'road': ['R0']}
    """
    networks = city.networks
    unknown = sorted(set(networks) - set(source_kinds))
    if unknown:
        raise InputError(f"network(s) {unknown} have no source kinds in source_kinds "
                         f"(known: {sorted(source_kinds)}); add them, e.g. "
                         f"source_kinds={{**SOURCE_KINDS, {unknown[0]!r}: {{'source'}}}}.")
    order = [n for n in NETWORKS if n in networks] + sorted(set(networks) - set(NETWORKS))
    return {name: sorted(str(n) for n, kind in networks[name].nodes(data="kind")
                         if kind in set(source_kinds[name])) for name in order}


def single_source_networks(city: City | InfrastructureSystem, *,
                           source_kinds: Mapping[str, Iterable[str]] = SOURCE_KINDS
                           ) -> dict[str, list[str]]:
    """The networks fed by exactly one source node, each with that source's id.

    That source is a single point of failure for every building the network serves: its loss
    cuts them all off, whatever the redundancy of the pipes or lines below it. An empty result
    means every network has at least two sources. :func:`network_sources` lists all of them.

    Returns
    -------
    dict of str to list of str
        Network name → ``[source id]`` (a one-element list, so the value reads like the values
        of :func:`network_sources`); only single-source networks, in
        :data:`~workbench.core.dims.NETWORKS` order.

    Examples
    --------
    Water on a 4-node path fed by one reservoir, power by two substations:

    >>> from workbench.city import toy_city
    >>> city = toy_city()
    >>> power = city.networks["power"].copy()
    >>> power.nodes["P3"]["kind"] = "substation"
    >>> networks = {**city.networks, "power": power}
    >>> network_sources(City(city.buildings, networks))["power"]
    ['P0', 'P3']
    >>> single_source_networks(City(city.buildings, networks))
    {'water': ['W0'], 'road': ['R0']}
    """
    return {name: ids for name, ids in network_sources(city, source_kinds=source_kinds).items()
            if len(ids) == 1}


def node_population(system: InfrastructureSystem, network: str, *,
                    population: str = "occupancy") -> np.ndarray:
    """Population served through each node of ``network`` [persons], in graph node order.

    Examples
    --------
    >>> from workbench.city import toy_city
    >>> from workbench.network.system import build_system
    >>> node_population(build_system(toy_city()), "water").tolist()   # W0…W3
    [0.0, 210.0, 40.0, 250.0]
    """
    weights = _building_weights(system, population)
    if network not in NETWORKS:
        raise InputError(f"unknown network {network!r}; networks are {list(NETWORKS)}.")
    nodes = system.building_node[network]
    mapped = nodes >= 0
    return np.bincount(nodes[mapped], weights=weights[mapped],
                       minlength=len(system.node_component[network]))


def node_criticality(system: InfrastructureSystem, *, population: str = "occupancy"
                     ) -> pd.DataFrame:
    """Population that loses service when one node alone is removed, for every node.

    ``population_lost(v)`` = population served through ``v`` itself plus the population of all
    nodes that ``v`` separates from every source (single network, no cascade).

    Returns
    -------
    pandas.DataFrame
        One row per node: ``component``, ``network``, ``node``, ``kind``,
        ``articulation_point`` (bool), ``population_lost`` [persons], ``share_lost`` [0–1, of
        the population mapped to that network]; sorted by ``population_lost`` descending.

    Examples
    --------
    On the toy city's water path W0–W1–W2–W3 (population 0, 210, 40, 250):

    >>> from workbench.city import toy_city
    >>> from workbench.network.system import build_system
    >>> table = node_criticality(build_system(toy_city()))
    >>> table[table.network == "water"].set_index("node")["population_lost"].to_dict()
    {'W0': 500.0, 'W1': 500.0, 'W2': 290.0, 'W3': 250.0}
    """
    frames = []
    for name in NETWORKS:
        pop = node_population(system, name, population=population)
        node_lost, _, is_cut = _cut_off(system, name, pop)
        graph = system.networks[name]
        nodes = list(graph.nodes)
        frames.append(pd.DataFrame({
            "component": system.component_ids[system.node_component[name]],
            "network": name, "node": nodes,
            "kind": [graph.nodes[n]["kind"] for n in nodes],
            "articulation_point": is_cut,
            "population_lost": node_lost,
            "share_lost": node_lost / pop.sum() if pop.sum() > 0 else np.zeros(len(nodes)),
        }))
    table = pd.concat(frames, ignore_index=True)
    return table.sort_values("population_lost", ascending=False, kind="stable",
                             ignore_index=True)


def single_points_of_failure(system: InfrastructureSystem, *, population: str = "occupancy"
                             ) -> pd.DataFrame:
    """Bridges and articulation points of each network, with the population each cuts off.

    A single point of failure is a node (articulation point) or an edge (bridge) whose loss
    alone disconnects some nodes from every source, in the graph where all sources are joined
    to one super-source (so a node between two sources is not a single point of failure, and a
    network's only source is one). ``population_cut_off`` counts the buildings served through
    the nodes cut off, including, for a node, its own.

    Returns
    -------
    pandas.DataFrame
        Columns ``component``, ``network``, ``element`` (``node``/``edge``), ``kind`` (of the
        component), ``failure`` (``articulation point``/``bridge``), ``nodes_cut_off``,
        ``population_cut_off`` [persons]; sorted by population descending.

    Examples
    --------
    Each toy network is a 4-node path fed at one end: every node but the last is an
    articulation point and every edge a bridge.

    >>> from workbench.city import toy_city
    >>> from workbench.network.system import build_system
    >>> spof = single_points_of_failure(build_system(toy_city()))
    >>> water = spof[spof.network == "water"]
    >>> water.set_index("component")["population_cut_off"].to_dict()
    {'water:W0': 500.0, 'water:W1': 500.0, 'water:W0--W1': 500.0, 'water:W2': 290.0, 'water:W1--W2': 290.0, 'water:W2--W3': 250.0}
    """
    frames = []
    comps = system.components
    for name in NETWORKS:
        pop = node_population(system, name, population=population)
        node_lost, edge_lost, is_cut = _cut_off(system, name, pop, count=True)
        nodes_cut, edges_cut = node_lost[1], edge_lost[1]
        node_lost, edge_lost = node_lost[0], edge_lost[0]
        node_idx = system.node_component[name][is_cut]
        bridge = edges_cut > 0
        edge_idx = system.edge_component[name][bridge]
        for idx, failure, people, count in (
                (node_idx, "articulation point", node_lost[is_cut], nodes_cut[is_cut]),
                (edge_idx, "bridge", edge_lost[bridge], edges_cut[bridge])):
            frames.append(pd.DataFrame({
                "component": system.component_ids[idx], "network": name,
                "element": comps["element"].values[idx], "kind": comps["kind"].values[idx],
                "failure": failure, "nodes_cut_off": count.astype(np.int64),
                "population_cut_off": people}))
    table = pd.concat(frames, ignore_index=True)
    return table.sort_values("population_cut_off", ascending=False, kind="stable",
                             ignore_index=True)


def cascade_criticality(system: InfrastructureSystem, components: Iterable[str] | None = None,
                        *, population: str = "occupancy", chunk: int = 64) -> pd.DataFrame:
    """Population losing service when one component alone fails, through the cascade.

    Each listed component is removed on its own (all others intact) and
    :meth:`~workbench.network.system.InfrastructureSystem.service` is evaluated with the
    interdependencies, ``chunk`` removals at a time as realizations of one vectorised call.

    Parameters
    ----------
    system : InfrastructureSystem
    components : iterable of str, optional
        Component ids; all components when omitted (cost grows with their number: restrict to
        candidates, e.g. the power nodes or :func:`single_points_of_failure`, on large cities).
    population : str
        Building variable weighing buildings [persons].
    chunk : int
        Removals per vectorised call (memory ∝ chunk × n_buildings).

    Returns
    -------
    pandas.DataFrame
        ``component``, ``network`` (of the component), ``population_lost_<k>`` for each network
        k [persons], ``population_lost_any`` [persons, losing at least one service]; sorted by
        the latter descending.

    Examples
    --------
    >>> from workbench.city import toy_city
    >>> from workbench.network.system import build_system
    >>> table = cascade_criticality(build_system(toy_city()), ["water:W2", "road:R1--R2"])
    >>> table[["component", "population_lost_any"]].values.tolist()
    [['water:W2', 290.0], ['road:R1--R2', 290.0]]
    """
    if not (isinstance(chunk, (int, np.integer)) and chunk >= 1):
        raise InputError(f"chunk must be a positive integer, got {chunk!r}.")
    weights = _building_weights(system, population)
    ids = system.component_ids if components is None else np.asarray(list(components), str)
    index = np.array([system.index_of(c) for c in ids], dtype=np.int64)
    intact = system.service(np.ones(system.n_components, bool))
    lost = np.zeros((len(index), len(NETWORKS)))
    lost_any = np.zeros(len(index))
    for start in range(0, len(index), chunk):
        block = index[start:start + chunk]
        state = np.ones((len(block), system.n_components), bool)
        state[np.arange(len(block)), block] = False
        drop = (intact[None] - system.service(state)) > 0     # (removal, building, network)
        lost[start:start + len(block)] = np.einsum("rbk,b->rk", drop, weights)
        lost_any[start:start + len(block)] = drop.any(axis=2) @ weights
    table = pd.DataFrame({"component": ids,
                          "network": system.components["network"].values[index]})
    for k, name in enumerate(NETWORKS):
        table[f"population_lost_{name}"] = lost[:, k]
    table["population_lost_any"] = lost_any
    return table.sort_values("population_lost_any", ascending=False, kind="stable",
                             ignore_index=True)


def redundancy(system: InfrastructureSystem, *, population: str = "occupancy") -> pd.DataFrame:
    """Number of edge-disjoint paths from each node to a source, capped at 2.

    ``paths_to_source`` is 2 when the node lies in the same 2-edge-connected component as the
    (merged) sources — no single edge failure can cut it off (Menger's theorem) — 1 when one
    bridge can, 0 for nodes with no path (none in a validated network). Sources are merged into
    one node first, so two independent paths to two different sources count as two.

    Returns
    -------
    pandas.DataFrame
        ``component``, ``network``, ``node``, ``paths_to_source`` (0, 1, 2 = "2 or more"),
        ``population`` [persons served through the node].

    Examples
    --------
    >>> from workbench.city import toy_city
    >>> from workbench.network.system import build_system
    >>> table = redundancy(build_system(toy_city()))
    >>> table[table.network == "water"]["paths_to_source"].tolist()   # a path: one route
    [2, 1, 1, 1]
    """
    frames = []
    for name in NETWORKS:
        graph = system.networks[name]
        nodes = list(graph.nodes)
        sources = {nodes[i] for i in system.sources[name]}
        merged = nx.MultiGraph()
        merged.add_nodes_from(n for n in nodes if n not in sources)
        merged.add_node(_SUPER)
        merged.add_edges_from((_SUPER if a in sources else a, _SUPER if b in sources else b)
                              for a, b in graph.edges if not (a in sources and b in sources))
        reach = nx.node_connected_component(merged, _SUPER)
        merged.remove_edges_from(list(nx.bridges(merged)))
        two = nx.node_connected_component(merged, _SUPER)
        paths = np.array([2 if (n in sources or n in two) else 1 if n in reach else 0
                          for n in nodes], dtype=np.int64)
        frames.append(pd.DataFrame({
            "component": system.component_ids[system.node_component[name]], "network": name,
            "node": nodes, "paths_to_source": paths,
            "population": node_population(system, name, population=population)}))
    return pd.concat(frames, ignore_index=True)


# --------------------------------------------------------------------------- internals

def _building_weights(system: InfrastructureSystem, population: str) -> np.ndarray:
    buildings = system.city.buildings
    if population not in buildings.variables:
        raise InputError(f"population={population!r} is not a building variable; use one of "
                         f"'occupancy', 'population' or another numeric variable in "
                         f"{sorted(buildings.data_vars)}.")
    return np.asarray(buildings[population].values, dtype=float)


def _cut_off(system: InfrastructureSystem, name: str, pop: np.ndarray, *, count: bool = False):
    """Per node and per edge of one network: population (and node count) cut off on removal.

    Returns ``(node_lost, edge_lost, is_articulation)``; with ``count=True`` the first two are
    pairs ``(population, nodes)``. Block-cut tree of the graph plus a super-source, rooted at
    the super-source; a node's loss is its subtree sum, a bridge's the subtree sum of its block.
    """
    graph = system.networks[name]
    nodes = list(graph.nodes)
    n = len(nodes)
    pos = {v: i for i, v in enumerate(nodes)}
    work = nx.Graph()
    work.add_nodes_from(range(n + 1))
    work.add_edges_from((pos[a], pos[b]) for a, b in graph.edges)
    work.add_edges_from((n, int(s)) for s in system.sources[name])   # n = the super-source
    blocks = [np.fromiter(b, dtype=np.int64) for b in nx.biconnected_components(work)]
    cut = np.zeros(n + 1, bool)
    cut[list(nx.articulation_points(work))] = True
    # tree vertices: 0..n for graph nodes (only cut vertices used), n+1+i for block i
    weight_pop = np.zeros(n + 1 + len(blocks))
    weight_cnt = np.zeros_like(weight_pop)
    node_pop = np.append(pop, 0.0)
    node_cnt = np.append(np.ones(n), 0.0)
    adjacency = [[] for _ in range(n + 1 + len(blocks))]
    for i, members in enumerate(blocks):
        own = members[~cut[members]]
        weight_pop[n + 1 + i] = node_pop[own].sum()
        weight_cnt[n + 1 + i] = node_cnt[own].sum()
        for v in members[cut[members]]:
            adjacency[n + 1 + i].append(int(v))
            adjacency[int(v)].append(n + 1 + i)
    weight_pop[:n + 1][cut] = node_pop[cut]
    weight_cnt[:n + 1][cut] = node_cnt[cut]
    root = n if cut[n] else n + 1 + next(i for i, b in enumerate(blocks) if n in set(b.tolist()))
    parent = np.full(len(adjacency), -1)
    order, queue, seen = [], deque([root]), {root}
    while queue:
        t = queue.popleft()
        order.append(t)
        for u in adjacency[t]:
            if u not in seen:
                seen.add(u)
                parent[u] = t
                queue.append(u)
    sub_pop, sub_cnt = weight_pop.copy(), weight_cnt.copy()
    for t in reversed(order[1:]):
        sub_pop[parent[t]] += sub_pop[t]
        sub_cnt[parent[t]] += sub_cnt[t]
    node_lost = np.where(cut[:n], sub_pop[:n], pop)
    node_lost_cnt = np.where(cut[:n], sub_cnt[:n], 1.0)
    # a bridge is a 2-node block; removing it cuts off the block's subtree
    block_of = {frozenset(b.tolist()): n + 1 + i for i, b in enumerate(blocks) if len(b) == 2}
    edge_lost = np.zeros(len(system.edge_component[name]))
    edge_lost_cnt = np.zeros_like(edge_lost)
    for j, (a, b) in enumerate(system.edge_endpoints[name].tolist()):
        t = block_of.get(frozenset((a, b)))
        if t is not None:
            edge_lost[j], edge_lost_cnt[j] = sub_pop[t], sub_cnt[t]
    is_cut = cut[:n]
    if count:
        return (node_lost, node_lost_cnt), (edge_lost, edge_lost_cnt), is_cut
    return node_lost, edge_lost, is_cut
