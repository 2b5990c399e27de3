"""Power networks from pandapower JSON files or ``pandapower.networks`` functions
(:func:`read_pandapower`)."""

from __future__ import annotations

import json
from pathlib import Path

import networkx as nx
import numpy as np

from ...core.errors import InputError
from .files import existing_file, require_module
from .graphs import fit_to_box, repair_effort, sorted_graph

__all__ = ["read_pandapower"]


def read_pandapower(path_or_name, *, fit_to=None, open_switches: str = "drop") -> nx.Graph:
    """A power network from a pandapower JSON file or a ``pandapower.networks`` function name.

    In-service buses become nodes ``B<index>``: ``kind="ext_grid"`` where an external grid
    connects (the source), ``bus`` otherwise. In-service lines become edges ``kind="line"``
    (``length`` = ``length_km`` × 1000 m), transformers ``kind="transformer"`` (length 0, hv to lv
    bus), closed bus–bus switches ``kind="switch"``. Line or transformer switches that are open
    (``closed=False``) mark normally-open ties: ``open_switches="drop"`` (default) removes them,
    giving the operated radial grid; ``"keep"`` keeps them with ``normally_open=True``. Parallel
    elements are merged into one edge (the shortest), ``parallel`` counting them. Coordinates
    come from bus geodata (``bus.geo`` GeoJSON or ``bus_geodata``); WGS84 longitudes/latitudes
    are projected to their UTM zone with pyproj; ``fit_to`` rescales into a box as in
    :func:`read_epanet`.

    Parameters
    ----------
    path_or_name : path-like or str
        A pandapower ``.json`` file, or the name of a ``pandapower.networks`` function.
    fit_to : tuple of float, optional
        ``(xmin, ymin, xmax, ymax)`` [m]; rescale the coordinates into this box.
    open_switches : {"drop", "keep"}

    Returns
    -------
    networkx.Graph
        ``graph["name"] == "power"``; node ``x``, ``y`` [m], ``vn_kv`` [kV]; edges as above with
        ``repair_days`` [crew-days] and ``repair_cost`` [EUR].

    Examples
    --------
    >>> G = read_pandapower("simple_mv_open_ring_net")
    >>> G.number_of_nodes(), sorted({k for *_, k in G.edges(data="kind")}), G.number_of_edges()
    (7, ['line', 'transformer'], 6)
    >>> read_pandapower("simple_mv_open_ring_net", open_switches="keep").number_of_edges()
    7
    """
    pp = require_module("pandapower")
    net = _load_pandapower(pp, path_or_name)
    if open_switches not in ("drop", "keep"):
        raise InputError(f"open_switches must be 'drop' or 'keep', got {open_switches!r}.")
    buses = net.bus[net.bus["in_service"].astype(bool)].sort_index()
    xy = _bus_xy(net, buses.index)
    if fit_to is None and np.isfinite(xy).all() and np.abs(xy).max() <= 180:
        xy = _project_lonlat(xy)
    xy = fit_to_box(xy, fit_to)
    graph = nx.Graph(name="power", source=str(path_or_name))
    sources = set(net.ext_grid.loc[net.ext_grid["in_service"].astype(bool), "bus"].tolist())
    for bus, (x, y) in zip(buses.index.tolist(), xy.tolist()):
        graph.add_node(f"B{bus}", kind="ext_grid" if bus in sources else "bus", x=x, y=y,
                       vn_kv=float(buses.at[bus, "vn_kv"]))
    switch = net.switch
    open_line = set(switch.loc[(switch.et == "l") & ~switch.closed.astype(bool), "element"])
    open_trafo = set(switch.loc[(switch.et == "t") & ~switch.closed.astype(bool), "element"])
    elements = []
    for idx, row in net.line[net.line["in_service"].astype(bool)].iterrows():
        elements.append((row.from_bus, row.to_bus, "line", 1000.0 * float(row.length_km),
                         idx in open_line, f"line {idx}"))
    for idx, row in net.trafo[net.trafo["in_service"].astype(bool)].iterrows():
        elements.append((row.hv_bus, row.lv_bus, "transformer", 0.0, idx in open_trafo,
                         f"trafo {idx}"))
    closed_bb = switch[(switch.et == "b") & switch.closed.astype(bool)]
    elements += [(r.bus, r.element, "switch", 0.0, False, f"switch {i}")
                 for i, r in closed_bb.iterrows()]
    for a, b, kind, length, is_open, name in sorted(elements, key=lambda e: (e[3], e[5])):
        u, v = f"B{int(a)}", f"B{int(b)}"
        if u == v or u not in graph or v not in graph or (is_open and open_switches == "drop"):
            continue
        if graph.has_edge(u, v):
            graph.edges[u, v]["parallel"] += 1
            continue
        days, cost = repair_effort(kind, length)
        graph.add_edge(u, v, kind=kind, length=length, name=name, parallel=1,
                       normally_open=bool(is_open), repair_days=float(days),
                       repair_cost=float(cost))
    return sorted_graph(graph)


def _load_pandapower(pp, path_or_name):
    text = str(path_or_name)
    if Path(text).suffix.lower() == ".json" or Path(text).exists():
        path = existing_file(text, "path_or_name")
        if path.suffix.lower() != ".json":
            raise InputError(f"path_or_name {text!r}: unknown power network format "
                             f"{path.suffix!r}; give a pandapower .json file.")
        try:
            return pp.from_json(str(path))
        except Exception as err:  # pandapower raises many types for a bad file
            raise InputError(f"path_or_name {text!r} is not a pandapower JSON file: {err}") from err
    import pandapower.networks as pn
    factory = getattr(pn, text, None)
    if not callable(factory) or text.startswith("_"):
        raise InputError(f"path_or_name {text!r} is neither a .json file nor a function of "
                         f"pandapower.networks (e.g. 'mv_oberrhein').")
    return factory()


def _bus_xy(net, index) -> np.ndarray:
    if "geo" in net.bus and net.bus["geo"].notna().any():
        def point(text):
            if not isinstance(text, str):
                return (np.nan, np.nan)
            coords = json.loads(text).get("coordinates", [np.nan, np.nan])
            return tuple(coords[:2])
        return np.array([point(net.bus.at[i, "geo"]) for i in index], dtype=float)
    geodata = getattr(net, "bus_geodata", None)
    if geodata is not None and len(geodata):
        return geodata.reindex(index)[["x", "y"]].to_numpy(dtype=float)
    return np.full((len(index), 2), np.nan)


def _project_lonlat(lonlat: np.ndarray) -> np.ndarray:
    from pyproj import Transformer
    lon, lat = np.nanmean(lonlat, axis=0)
    epsg = (32600 if lat >= 0 else 32700) + int((lon + 180) // 6) + 1
    transformer = Transformer.from_crs("EPSG:4326", f"EPSG:{epsg}", always_xy=True)
    x, y = transformer.transform(lonlat[:, 0], lonlat[:, 1])
    return np.column_stack([x, y])
