"""Water networks from EPANET ``.inp`` files (:func:`read_epanet`, through wntr)."""

from __future__ import annotations

import networkx as nx
import numpy as np

from ...core.errors import InputError
from .files import existing_file, require_module
from .graphs import fit_to_box, repair_effort

__all__ = ["read_epanet"]


def read_epanet(path, *, fit_to=None) -> nx.Graph:
    """A water network from an EPANET ``.inp`` file, through wntr.

    Nodes keep their EPANET names; ``kind`` is ``junction``, ``reservoir`` or ``tank``; ``x``,
    ``y`` are the file's coordinates (arbitrary units in the EPANET examples), or, with
    ``fit_to=(xmin, ymin, xmax, ymax)`` [m], rescaled uniformly (aspect ratio kept) and centred
    into that box. Pipes become edges ``kind="pipe"`` with the model's length [m] and ``diameter``
    [m]; pumps and valves become edges of kind ``pump``/``valve`` with length 0. Initial status is
    kept in ``status`` (closed links stay edges: operators can open them). Parallel links between
    the same two nodes are merged into one edge carrying the attributes of the first link by
    (kind priority pump > valve > pipe, then name), with ``links`` listing all their names.

    Examples
    --------
    >>> import wntr, os
    >>> inp = os.path.join(os.path.dirname(wntr.__file__), "library", "networks", "Net1.inp")
    >>> G = read_epanet(inp)
    >>> G.number_of_nodes(), sorted({k for _, k in G.nodes(data="kind")})
    (11, ['junction', 'reservoir', 'tank'])
    """
    wntr = require_module("wntr")
    path = existing_file(path, "path")
    if path.suffix.lower() != ".inp":
        raise InputError(f"path {str(path)!r}: unknown water network format {path.suffix!r}; "
                         f"read_epanet reads EPANET .inp files.")
    try:
        wn = wntr.network.WaterNetworkModel(str(path))
    except Exception as err:  # wntr raises many types for a malformed file; re-raise as ours
        raise InputError(f"path {str(path)!r} is not a readable EPANET file: {err}") from err
    graph = nx.Graph(name="water", source=path.name)
    kinds = {"Junction": "junction", "Reservoir": "reservoir", "Tank": "tank"}
    names = sorted(wn.node_name_list)
    xy = np.array([wn.get_node(n).coordinates or (np.nan, np.nan) for n in names], dtype=float)
    xy = fit_to_box(xy, fit_to)
    for name, (x, y) in zip(names, xy.tolist()):
        graph.add_node(str(name), kind=kinds.get(wn.get_node(name).node_type, "junction"), x=x, y=y)
    priority = {"pump": 0, "valve": 1, "pipe": 2}
    links = []
    for name in wn.link_name_list:
        link = wn.get_link(name)
        kind = {"Pipe": "pipe", "Pump": "pump"}.get(link.link_type, "valve")
        u, v = sorted((str(link.start_node_name), str(link.end_node_name)))
        links.append((u, v, priority[kind], str(name), kind,
                      float(link.length) if kind == "pipe" else 0.0,
                      float(getattr(link, "diameter", 0.0) or 0.0), str(link.initial_status)))
    for u, v, _, name, kind, length, diameter, status in sorted(links):
        if u == v:
            continue
        if graph.has_edge(u, v):
            graph.edges[u, v]["links"].append(name)
            continue
        days, cost = repair_effort(kind, length)
        graph.add_edge(u, v, kind=kind, length=length, diameter=diameter, status=status, name=name,
                       links=[name], repair_days=float(days), repair_cost=float(cost))
    return graph
