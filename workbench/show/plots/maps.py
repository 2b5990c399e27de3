"""Maps of the city: buildings over its networks, in km from its south-west corner, with a scale
bar; damage states, services lost and restoration days by building."""

from __future__ import annotations

import holoviews as hv
import numpy as np
import pandas as pd
import xarray as xr

from ...city.model import City
from ...core.dims import BUILDING, REALIZATION, STRATEGY, TIME
from ...metrics.indexes import last_restoration_day
from .style import (DAMAGE_STATE_COLOURS, NETWORK_LINES, NETWORK_WORDS, SERVICES_LOST_COLOURS,
                    TYPE_COLOURS)

__all__ = ["city_map", "damage_map", "services_lost_map", "restoration_map"]


def _origin(city: City) -> tuple[float, float]:
    """The south-west corner of the city's buildings and network nodes [m]."""
    xs = [np.asarray(city.buildings["x"].values, float)]
    ys = [np.asarray(city.buildings["y"].values, float)]
    for graph in city.networks.values():
        pts = np.array([(d["x"], d["y"]) for _, d in graph.nodes(data=True)], float).reshape(-1, 2)
        xs.append(pts[:, 0])
        ys.append(pts[:, 1])
    return float(np.concatenate(xs).min()), float(np.concatenate(ys).min())


def _segments_km(graph, origin) -> pd.DataFrame:
    x0, y0 = origin
    xy = {n: ((d["x"] - x0) / 1e3, (d["y"] - y0) / 1e3) for n, d in graph.nodes(data=True)}
    rows = [(*xy[u], *xy[v]) for u, v in graph.edges()]
    return pd.DataFrame(rows, columns=["x0", "y0", "x1", "y1"])


def _buildings_km(city: City, origin) -> pd.DataFrame:
    b = city.buildings
    return pd.DataFrame({"x": (np.asarray(b["x"].values, float) - origin[0]) / 1e3,
                         "y": (np.asarray(b["y"].values, float) - origin[1]) / 1e3,
                         "type": b["type"].values.astype(str)}, index=b[BUILDING].values)


def _network_layers(city: City, origin, networks) -> list:
    layers = []
    for name in sorted(networks, key=list(NETWORK_LINES).index):   # widest first
        if name in city.networks:
            layers.append(hv.Segments(_segments_km(city.networks[name], origin),
                                      kdims=["x0", "y0", "x1", "y1"]).opts(
                backend="matplotlib", **NETWORK_LINES[name]))
    return layers


def _nice_length(width_km: float) -> float:
    for length in (0.01, 0.02, 0.05, 0.1, 0.2, 0.25, 0.5, 1, 2, 5, 10, 20, 50, 100):
        if length >= width_km / 5:
            return length
    return 100.0


def _map_hook(legends, below: bool = False):
    """A hook that adds a scale bar and the fixed legends ``[(title, [(label, colour, kind)])]``
    (kind ``line``: a network; ``marker`` or ``x``: buildings) outside the right edge of a map,
    or below it (``below``: where a colour bar takes the right edge)."""
    def hook(plot, element):
        from matplotlib.legend import Legend
        from matplotlib.lines import Line2D
        from matplotlib.transforms import offset_copy
        from mpl_toolkits.axes_grid1.anchored_artists import AnchoredSizeBar
        ax = plot.handles["axis"]
        x0, x1 = ax.get_xlim()
        length = _nice_length(x1 - x0)
        label = f"{length * 1e3:,.0f} m" if length < 1 else f"{length:g} km"
        ax.add_artist(AnchoredSizeBar(ax.transData, length, label, "lower left", pad=0.5,
                                      borderpad=0.5, sep=3, frameon=True, size_vertical=0,
                                      color="black"))
        handles, labels, headers = [], [], []
        for title, entries in legends:   # one legend: each group under its title
            if handles and not below:
                handles.append(Line2D([], [], linestyle=""))
                labels.append("")
            if title and not below:
                headers.append(len(labels))
                handles.append(Line2D([], [], linestyle=""))
                labels.append(title)
            for name, c, kind in entries:
                handles.append(Line2D([], [], **NETWORK_LINES[c]) if kind == "line" else
                               Line2D([], [], color=c, marker="X" if kind == "x" else "o",
                                      linestyle="", markersize=7, markeredgecolor="black",
                                      markeredgewidth=0.4))
                labels.append(name)
        if not handles:
            return
        # right of the map, from its top; or a fixed distance in points under its x label
        where = ({"bbox_to_anchor": (1.02, 1.0), "bbox_transform": ax.transAxes} if not below else
                 {"bbox_to_anchor": (0.0, 0.0),
                  "bbox_transform": offset_copy(ax.transAxes, ax.figure, y=-40, units="points"),
                  "ncols": min(len(handles), 4)})
        legend = ax.add_artist(Legend(ax, handles, labels, loc="upper left", fontsize=8,
                                      frameon=False, handlelength=2.2, **where))
        legend.set_clip_on(False)   # outside the axes: add_artist clips to them
        for i in headers:
            legend.get_texts()[i].set_fontweight("bold")
    return hook


def _map(layers, city: City, origin, networks, legends, title: str,
         below: bool = False) -> hv.Overlay:
    frame = _buildings_km(city, origin)
    extent_x = [frame["x"].min(), frame["x"].max()]
    extent_y = [frame["y"].min(), frame["y"].max()]
    for graph in (city.networks[n] for n in networks if n in city.networks):
        seg = _segments_km(graph, origin)
        if len(seg):
            extent_x = [min(extent_x[0], seg[["x0", "x1"]].min().min()),
                        max(extent_x[1], seg[["x0", "x1"]].max().max())]
            extent_y = [min(extent_y[0], seg[["y0", "y1"]].min().min()),
                        max(extent_y[1], seg[["y0", "y1"]].max().max())]
    width = max(extent_x[1] - extent_x[0], 1e-3)
    height = max(extent_y[1] - extent_y[0], 0.35 * width)   # a city on a line still gets room
    cy = (extent_y[0] + extent_y[1]) / 2
    pad = 0.05 * max(width, height)
    xlim = (extent_x[0] - pad, extent_x[1] + pad)
    ylim = (cy - height / 2 - pad * 2.5, cy + height / 2 + pad)   # room for the scale bar
    nets = [(NETWORK_WORDS[n], n, "line") for n in networks if n in city.networks]
    legends = list(legends) + ([("networks", nets)] if nets else [])
    return hv.Overlay(_network_layers(city, origin, networks) + layers).opts(
        aspect="equal", title=title, xlabel="east of the south-west corner [km]",
        ylabel="north of the south-west corner [km]", xlim=xlim, ylim=ylim, show_legend=False,
        hooks=[_map_hook(legends, below)], backend="matplotlib")


def _points(frame: pd.DataFrame, colour: str, **opts) -> hv.Points:
    return hv.Points(frame, kdims=["x", "y"]).opts(color=colour, s=opts.pop("s", 14),
                                                   edgecolors="black", linewidth=0.3,
                                                   backend="matplotlib", **opts)


def city_map(city: City, *, networks=("road", "water", "power")) -> hv.Overlay:
    """Buildings coloured by type over the streets and the water and power lines, in km from
    the city's south-west corner, with a scale bar."""
    origin = _origin(city)
    frame = _buildings_km(city, origin)
    layers, entries = [], []
    for kind, colour in TYPE_COLOURS.items():
        sub = frame[frame["type"] == kind]
        if len(sub):
            layers.append(_points(sub, colour))
            entries.append((kind, colour, "marker"))
    return _map(layers, city, origin, networks, [("building type", entries)],
                f"{city.name}: buildings by type over the networks")


def _category_map(city: City, values, categories: dict, legend_title: str, title: str,
                  networks, numbered: bool = False) -> hv.Overlay:
    """Buildings coloured by category (every category in the legend, with its count)."""
    origin = _origin(city)
    frame = _buildings_km(city, origin)
    frame["category"] = np.asarray(values, dtype=float)
    layers = []
    for code, (name, colour) in categories.items():
        sub = frame[frame["category"] == code]
        if len(sub):
            layers.append(_points(sub, colour))
    counts = frame["category"].value_counts()
    entries = [((f"{code} " if numbered else "") + f"{name} ({int(counts.get(code, 0)):,})",
                colour, "marker") for code, (name, colour) in categories.items()]
    return _map(layers, city, origin, networks, [(legend_title, entries)], title)


def damage_map(city: City, state: xr.DataArray, *, title: str = "Building damage state",
               networks=("road", "water", "power")) -> hv.Overlay:
    """Buildings coloured by Hazus damage state on the fixed scale
    :data:`DAMAGE_STATE_COLOURS` (0 none … 4 complete; the legend gives every state and its
    count), over the networks."""
    values = np.asarray(state.sel({BUILDING: city.buildings[BUILDING]}).values, dtype=float)
    return _category_map(city, values, DAMAGE_STATE_COLOURS, "damage state", title, networks,
                         numbered=True)


def services_lost_map(city: City, lost: xr.DataArray, *,
                      title: str = "Networks whose service each building lost",
                      networks=("road", "water", "power")) -> hv.Overlay:
    """Buildings coloured by how many networks' service they lost (0–3, the fixed scale
    :data:`SERVICES_LOST_COLOURS`), over the networks."""
    values = np.asarray(lost.sel({BUILDING: city.buildings[BUILDING]}).values, dtype=float)
    return _category_map(city, values, SERVICES_LOST_COLOURS, "services lost", title, networks)


def restoration_map(city: City, recovery: xr.Dataset, strategy: str, *,
                    networks=("road", "water", "power")) -> hv.Overlay:
    """Buildings coloured by the day they are restored under ``strategy`` (a sequential scale
    from day 0 to the last building's restoration day under any strategy of ``recovery``, so
    that the strategies' maps share one scale, in days), those not restored within the horizon
    in grey."""
    rec = recovery.isel({REALIZATION: 0}) if REALIZATION in recovery.dims else recovery
    horizon = float(rec[TIME].values[-1])
    origin = _origin(city)
    frame = _buildings_km(city, origin)
    frame["day"] = np.asarray(rec["building_restored_day"].sel({STRATEGY: strategy})
                              .sel({BUILDING: city.buildings[BUILDING]}).values, float)
    last = last_restoration_day(rec)
    top = horizon if last is None else last
    done = frame[np.isfinite(frame["day"]) & (frame["day"] <= horizon)]
    open_ = frame.drop(done.index)
    label = "restoration day [days after the event]"
    layers = [hv.Points(done, kdims=["x", "y"], vdims=[("day", label)]).opts(
        color="day", cmap="viridis", clim=(0, top), colorbar=True, s=14,
        edgecolors="black", linewidth=0.3, backend="matplotlib")]
    if len(open_):
        layers.append(_points(open_, "#bdbdbd", marker="X", s=22))
    legends = [("", [(f"not restored within {horizon:,.0f} days ({len(open_):,})", "#bdbdbd",
                      "x")])] if len(open_) else []
    return _map(layers, city, origin, networks, legends,
                f"Restoration day of each building, {strategy}", below=True)
