"""Repair rules and graph conventions shared by every network importer.

* :data:`REPAIR_RULES` — edge kind, length → repair effort [crew-days] and cost [EUR];
* :func:`repair_effort` applies them; ``_set_edges`` writes them onto every edge of a graph;
* ``_ordered`` copies a graph with sorted nodes and edges (reproducible algorithms);
* ``_gateways`` picks the dead ends at the edges of a street graph (the road network's sources).
"""

from __future__ import annotations

import networkx as nx
import numpy as np

from ..errors import InputError

__all__ = ["repair_effort", "REPAIR_RULES"]


#: Edge kind → repair effort and cost for complete failure of the edge:
#: ``repair_days = base_days + days_per_km * length_km`` [crew-days],
#: ``repair_cost = base_cost + cost_per_km * length_km`` [EUR, 2024 price level].
#: Workbench planning assumptions of the right order of magnitude (urban street renewal ~1.5 M€/km,
#: water main renewal ~0.8 M€/km, 20 kV urban cable ~0.3 M€/km; a pipe break takes about one crew-day
#: to repair, cf. the restoration model of the Hazus Earthquake Technical Manual, ch. 8).
#: Replace with local figures for real studies. For edge kinds with a fragility (line, pump,
#: transformer) this is the effort at *complete* damage; the damage states below it take the
#: Hazus restoration profile of the kind (workbench.fragility.component_consequences). Nodes
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
                         f"{sorted(REPAIR_RULES)}. Add one to workbench.importers.REPAIR_RULES.")
    rule = REPAIR_RULES[kind]
    km = np.asarray(length, dtype=float) / 1000.0
    return rule["base_days"] + rule["days_per_km"] * km, rule["base_cost"] + rule["cost_per_km"] * km


def _ordered(graph: nx.Graph) -> nx.Graph:
    """A copy with nodes and edges inserted in sorted order (reproducible algorithms)."""
    out = nx.Graph(**graph.graph)
    out.add_nodes_from(sorted(graph.nodes(data=True)))
    out.add_edges_from(sorted((min(u, v), max(u, v), d) for u, v, d in graph.edges(data=True)))
    return out


def _gateways(graph: nx.Graph, count: int) -> list[str]:
    names = np.array(sorted(graph.nodes))
    xy = np.array([(graph.nodes[n]["x"], graph.nodes[n]["y"]) for n in names])
    ends = np.array([graph.degree(n) == 1 for n in names])
    pool = np.flatnonzero(ends) if ends.any() else np.arange(len(names))
    picks = [pool[np.argmin(xy[pool, 0])], pool[np.argmax(xy[pool, 0])],
             pool[np.argmin(xy[pool, 1])], pool[np.argmax(xy[pool, 1])]]
    return list(dict.fromkeys(names[picks[:max(count, 1)]].tolist()))


def _set_edges(graph: nx.Graph, kind: str) -> None:
    """Set ``kind``, ``repair_days``, ``repair_cost`` of every edge from its length."""
    edges = list(graph.edges)
    length = np.array([graph.edges[e]["length"] for e in edges], dtype=float)
    days, cost = repair_effort(kind, length)
    for edge, d, c in zip(edges, days.tolist(), cost.tolist()):
        graph.edges[edge].update(kind=kind, repair_days=d, repair_cost=c)
