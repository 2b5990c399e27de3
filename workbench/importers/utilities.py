"""Water and power networks laid along the streets, when no real network is given
(:func:`lay_network_along_streets`)."""

from __future__ import annotations

import networkx as nx
import numpy as np
from scipy.spatial import cKDTree

from ..city import DEFAULT_CRS
from ..dims import SOURCE_KINDS
from ..errors import InputError
from .graphs import _ordered, _set_edges

__all__ = ["lay_network_along_streets"]

_WATER_TRUNK_M = 200.0  # a generated reservoir sits this far outside the street network


def lay_network_along_streets(streets: nx.Graph, network: str, *, seed: int = 0,
                              n_sources: int = 1, source_xy=None, loop_share: float | None = None,
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
    """
    if network not in ("water", "power"):
        raise InputError(f"network must be 'water' or 'power', got {network!r}; roads are the "
                         f"street graph itself.")
    if not (isinstance(n_sources, (int, np.integer)) and n_sources >= 1):
        raise InputError(f"n_sources must be a positive integer, got {n_sources!r}.")
    if streets.number_of_nodes() < 2 or not nx.is_connected(streets):
        raise InputError("streets must be a connected graph of at least two nodes; keep its "
                         "largest connected component (read_osm does).")
    share = {"water": 0.3, "power": 0.15}[network] if loop_share is None else float(loop_share)
    if not 0.0 <= share <= 1.0:
        raise InputError(f"loop_share must be within [0, 1], got {loop_share}.")
    rng = np.random.default_rng(seed)
    prefix, node_kind, edge_kind = {"water": ("W", "junction", "pipe"),
                                    "power": ("P", "bus", "line")}[network]
    base = _ordered(nx.Graph((u, v, {"length": float(d["length"])})
                             for u, v, d in streets.edges(data=True)))
    tree = nx.minimum_spanning_tree(base, weight="length", algorithm="kruskal")
    extra = sorted((u, v) for u, v in base.edges if not tree.has_edge(u, v))
    chosen = rng.choice(len(extra), size=int(round(share * len(extra))), replace=False) if extra else []
    tree.add_edges_from((extra[i][0], extra[i][1], base.edges[extra[i]]) for i in sorted(chosen))

    def rename(node: str) -> str:
        return prefix + (node[1:] if node.startswith("R") else node)

    graph = nx.Graph(name=network, crs=streets.graph.get("crs", DEFAULT_CRS), seed=seed,
                     generator="workbench.importers.lay_network_along_streets")
    names = sorted(streets.nodes)
    xy = np.array([(streets.nodes[n]["x"], streets.nodes[n]["y"]) for n in names], dtype=float)
    for n, (x, y) in zip(names, xy.tolist()):
        graph.add_node(rename(n), kind=node_kind, x=x, y=y)
    graph.add_edges_from(sorted((rename(u), rename(v), {"length": d["length"]})
                                for u, v, d in tree.edges(data=True)))
    source_kind = "reservoir" if network == "water" else "substation"
    for i, (sx, sy, anchor) in enumerate(_source_sites(network, xy, names, streets, n_sources,
                                                       source_xy)):
        ax, ay = graph.nodes[rename(anchor)]["x"], graph.nodes[rename(anchor)]["y"]
        graph.add_node(f"{prefix}S{i}", kind=source_kind, x=sx, y=sy)
        graph.add_edge(f"{prefix}S{i}", rename(anchor), length=max(float(np.hypot(sx - ax, sy - ay)), 1.0))
    if network == "water":
        _place_pumps(graph, pump_spacing)
    _set_edges(graph, edge_kind)
    return _ordered(graph)


def _source_sites(network, xy, names, streets, count, source_xy):
    """(x, y, nearest street node) for each source."""
    centre = xy.mean(axis=0)
    tree = cKDTree(xy)
    given = [tuple(map(float, p)) for p in (source_xy if source_xy is not None else
                                            (streets.graph.get("substations", [])
                                             if network == "power" else []))][:count]
    if network == "power" and not given:
        given = [tuple(xy[tree.query(centre)[1]])]
    sites = [(x, y, names[tree.query((x, y))[1]]) for x, y in given]
    chosen = [tree.query((x, y))[1] for x, y, _ in sites]
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
        sites.append((x, y, names[i]))
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
