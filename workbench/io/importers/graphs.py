"""Repair rules and graph conventions shared by every network importer.

* :data:`REPAIR_RULES` — edge kind, length → repair effort [crew-days] and cost [EUR];
* :func:`repair_effort` applies them; :func:`set_edge_kind` writes them onto every edge of a graph;
* :func:`sorted_graph` copies a graph with sorted nodes and edges (reproducible algorithms);
* :func:`gateway_nodes` picks the dead ends at the edges of a street graph (the road network's
  sources);
* :func:`fit_to_box` lays imported node coordinates into the city's bounding box.
"""

from __future__ import annotations

import networkx as nx
import numpy as np

from ...core.errors import InputError

__all__ = ["repair_effort", "REPAIR_RULES", "sorted_graph", "gateway_nodes", "set_edge_kind",
           "fit_to_box"]


#: Edge kind → repair effort and cost for complete failure of the edge:
#: ``repair_days = base_days + days_per_km * length_km`` [crew-days],
#: ``repair_cost = base_cost + cost_per_km * length_km`` [EUR, 2024 price level].
#: Workbench planning assumptions of the right order of magnitude (urban street renewal ~1.5 M€/km,
#: water main renewal ~0.8 M€/km, 20 kV urban cable ~0.3 M€/km; a pipe break takes about one crew-day
#: to repair, cf. the restoration model of the Hazus Earthquake Technical Manual, ch. 8).
#: Replace with local figures for real studies. For edge kinds with a fragility (line, pump,
#: transformer) this is the effort at *complete* damage; the damage states below it take the
#: Hazus restoration profile of the kind (workbench.hazard.fragility.component_consequences). Nodes
#: (substations, pumps, tanks, …) carry no rule here: their effort comes from
#: data/hazus_lifeline_restoration.csv unless a node gives its own repair_days.
REPAIR_RULES = {
    "road": {"base_days": 1.0, "days_per_km": 10.0, "base_cost": 5e3, "cost_per_km": 1.5e6},
    "pipe": {"base_days": 1.0, "days_per_km": 4.0, "base_cost": 5e3, "cost_per_km": 0.8e6},
    "line": {"base_days": 1.0, "days_per_km": 3.0, "base_cost": 5e3, "cost_per_km": 0.3e6},
    "pump": {"base_days": 5.0, "days_per_km": 0.0, "base_cost": 1e5, "cost_per_km": 0.0},
    "valve": {"base_days": 1.0, "days_per_km": 0.0, "base_cost": 1e4, "cost_per_km": 0.0},
    "transformer": {"base_days": 10.0, "days_per_km": 0.0, "base_cost": 2.5e5, "cost_per_km": 0.0},
    "switch": {"base_days": 0.5, "days_per_km": 0.0, "base_cost": 5e3, "cost_per_km": 0.0},
}


def repair_effort(kind: str, length) -> tuple[np.ndarray, np.ndarray]:
    """Repair effort [crew-days] and cost [EUR] of an edge of ``kind`` and ``length`` [m].

    Examples
    --------
    >>> days, cost = repair_effort("pipe", np.array([0.0, 500.0]))
    >>> days.tolist(), cost.tolist()
    ([1.0, 3.0], [5000.0, 405000.0])
    """
    if kind not in REPAIR_RULES:
        raise InputError(f"edge kind {kind!r} has no repair rule; known kinds are "
                         f"{sorted(REPAIR_RULES)}. Add one to workbench.io.importers.REPAIR_RULES.")
    rule = REPAIR_RULES[kind]
    km = np.asarray(length, dtype=float) / 1000.0
    return rule["base_days"] + rule["days_per_km"] * km, rule["base_cost"] + rule["cost_per_km"] * km


def sorted_graph(graph: nx.Graph) -> nx.Graph:
    """A copy with nodes and edges inserted in sorted order (reproducible algorithms).

    Each edge is stored as ``(min(u, v), max(u, v))``; node, edge and graph attributes are kept.

    Examples
    --------
    >>> G = nx.Graph([("d", "c"), ("b", "a"), ("c", "b")], name="road")
    >>> H = sorted_graph(G)
    >>> list(H.nodes), list(H.edges), H.graph["name"]
    (['a', 'b', 'c', 'd'], [('a', 'b'), ('b', 'c'), ('c', 'd')], 'road')
    """
    out = nx.Graph(**graph.graph)
    out.add_nodes_from(sorted(graph.nodes(data=True)))
    out.add_edges_from(sorted((min(u, v), max(u, v), d) for u, v, d in graph.edges(data=True)))
    return out


def gateway_nodes(graph: nx.Graph, count: int) -> list[str]:
    """Up to ``count`` (at least one, at most four) gateway nodes of a street graph: the dead ends
    (degree 1; all nodes if there is none) furthest west, east, south and north, in that order,
    without repeats. They are the road network's sources (where help comes in).

    Parameters
    ----------
    graph : networkx.Graph
        Nodes with ``x``, ``y`` [m].
    count : int
        Number of gateways wanted.

    Examples
    --------
    >>> G = nx.Graph([("a", "b"), ("b", "c"), ("b", "d")])
    >>> for n, (x, y) in {"a": (0, 0), "b": (1, 0), "c": (2, 0), "d": (1, 5)}.items():
    ...     G.nodes[n].update(x=float(x), y=float(y))
    >>> gateway_nodes(G, 4)
    ['a', 'c', 'd']
    """
    names = np.array(sorted(graph.nodes))
    xy = np.array([(graph.nodes[n]["x"], graph.nodes[n]["y"]) for n in names])
    ends = np.array([graph.degree(n) == 1 for n in names])
    pool = np.flatnonzero(ends) if ends.any() else np.arange(len(names))
    picks = [pool[np.argmin(xy[pool, 0])], pool[np.argmax(xy[pool, 0])],
             pool[np.argmin(xy[pool, 1])], pool[np.argmax(xy[pool, 1])]]
    return list(dict.fromkeys(names[picks[:max(count, 1)]].tolist()))


def set_edge_kind(graph: nx.Graph, kind: str) -> None:
    """Set ``kind`` and, by :data:`REPAIR_RULES` from its ``length`` [m], ``repair_days``
    [crew-days] and ``repair_cost`` [EUR] of every edge, in place (used while a network is built).

    Examples
    --------
    >>> G = nx.Graph(); G.add_edge("a", "b", length=500.0)
    >>> set_edge_kind(G, "pipe")
    >>> G.edges["a", "b"]
    {'length': 500.0, 'kind': 'pipe', 'repair_days': 3.0, 'repair_cost': 405000.0}
    """
    edges = list(graph.edges)
    length = np.array([graph.edges[e]["length"] for e in edges], dtype=float)
    days, cost = repair_effort(kind, length)
    for edge, d, c in zip(edges, days.tolist(), cost.tolist()):
        graph.edges[edge].update(kind=kind, repair_days=d, repair_cost=c)


def fit_to_box(xy: np.ndarray, fit_to) -> np.ndarray:
    """Rescale points uniformly (aspect ratio kept) into the box ``fit_to = (xmin, ymin, xmax,
    ymax)`` [m], centred; with ``fit_to=None`` return them unchanged (all must then be finite).

    Points without coordinates (NaN) are put at the mean of the others before fitting. Shared by
    :func:`~workbench.io.importers.read_epanet` and :func:`~workbench.io.importers.read_pandapower`.

    Parameters
    ----------
    xy : ndarray, shape (n_points, 2)
        Coordinates in the file's units.
    fit_to : sequence of 4 floats or None

    Examples
    --------
    >>> fit_to_box(np.array([[0.0, 0.0], [2.0, 1.0]]), (0, 0, 100, 100)).tolist()
    [[0.0, 25.0], [100.0, 75.0]]
    """
    if fit_to is None:
        if not np.isfinite(xy).all():
            raise InputError("some nodes have no coordinates; pass fit_to=(xmin, ymin, xmax, ymax) "
                             "to lay them out, or add coordinates to the file.")
        return xy
    box = np.asarray(fit_to, dtype=float)
    if box.shape != (4,) or not np.isfinite(box).all() or box[2] <= box[0] or box[3] <= box[1]:
        raise InputError(f"fit_to must be (xmin, ymin, xmax, ymax) in metres with xmax > xmin and "
                         f"ymax > ymin, got {fit_to!r}.")
    xy = np.where(np.isfinite(xy), xy, np.nanmean(xy, axis=0) if np.isfinite(xy).any() else 0.0)
    low, span = xy.min(axis=0), np.ptp(xy, axis=0)
    scale = np.min((box[2:] - box[:2]) / np.where(span > 0, span, np.inf))
    scale = scale if np.isfinite(scale) else 1.0
    centre = (box[:2] + box[2:]) / 2
    return centre + (xy - low - span / 2) * scale
