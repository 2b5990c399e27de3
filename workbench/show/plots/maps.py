"""Maps of the city: buildings over its networks, in km from its south-west corner, with a scale
bar; damage states, services lost and restoration days by building.

A city of more than :data:`~workbench.show.plots.raster.RASTER_ABOVE` buildings is drawn as a
raster of cells (:mod:`workbench.show.plots.raster`: each cell the colours of its buildings
mixed by count, or their latest restoration day) with the networks drawn over it as lines."""

from __future__ import annotations

import holoviews as hv
import numpy as np
import pandas as pd
import xarray as xr

from ...city.model import City
from ...core.dims import BUILDING, REALIZATION, STRATEGY, TIME
from ...metrics.indexes import last_restoration_day
from .raster import RASTER_ABOVE, category_rgba, cell_of, grid_shape, latest_per_cell
from .style import (DAMAGE_STATE_COLOURS, NETWORK_LINES, NETWORK_WORDS, SERVICES_LOST_COLOURS,
                    TYPE_COLOURS)

__all__ = ["city_map", "damage_map", "services_lost_map", "restoration_map", "raster_note"]


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


def _network_layers(city: City, origin, networks, thin: bool = False) -> list:
    """The networks as line segments, widest first; ``thin``: hairlines (over a raster)."""
    layers = []
    for name in sorted(networks, key=list(NETWORK_LINES).index):   # widest first
        if name in city.networks:
            style = dict(NETWORK_LINES[name])
            if thin:
                style.update(linewidth=min(style["linewidth"], 0.5), alpha=0.8)
            layers.append(hv.Segments(_segments_km(city.networks[name], origin),
                                      kdims=["x0", "y0", "x1", "y1"]).opts(
                backend="matplotlib", **style))
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


def raster_note(city: City) -> str:
    """A sentence for a building map's caption when the city is drawn as a raster, else ``""``.

    >>> from workbench.city import toy_city
    >>> raster_note(toy_city())
    ''
    """
    n = city.buildings.sizes[BUILDING]
    if n <= RASTER_ABOVE:
        return ""
    return (f" With {n:,} buildings (more than {RASTER_ABOVE:,}) the map is a raster of "
            f"{RASTER_CELLS} cells across: each cell mixes the colours of its buildings by "
            f"count (restoration: the day the cell's last building is back; grey: one is not "
            f"back within the horizon).")


#: Cells along the longer side of a raster map (a cell ~12 m across a 4 km city).
RASTER_CELLS = 320


def _raster(frame: pd.DataFrame):
    """(cell of each building, bounds, grid shape) of a raster over the buildings."""
    pad = 1e-6 + 0.002 * max(frame["x"].max() - frame["x"].min(),
                             frame["y"].max() - frame["y"].min())
    bounds = (frame["x"].min() - pad, frame["y"].min() - pad, frame["x"].max() + pad,
              frame["y"].max() + pad)
    shape = grid_shape(bounds, RASTER_CELLS)
    return cell_of(frame["x"].values, frame["y"].values, bounds, shape), bounds, shape


def _category_layers(frame: pd.DataFrame, codes, colours: dict) -> list:
    """Buildings coloured by category (``colours``: code → colour): a marker each, or above
    :data:`RASTER_ABOVE` buildings one raster of the colours mixed by count in each cell."""
    codes = np.asarray(codes)
    if len(frame) > RASTER_ABOVE:
        cell, bounds, shape = _raster(frame)
        rgba = category_rgba(cell, codes, colours, shape).astype(float) / 255.0
        return [hv.RGB(rgba, bounds=bounds, kdims=["x", "y"]).opts(backend="matplotlib")]
    return [_points(frame[codes == code], colour) for code, colour in colours.items()
            if (codes == code).any()]


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
    # over a raster the networks are drawn on top as hairlines (a raster covers all below it)
    raster = any(isinstance(layer, (hv.RGB, hv.Image)) for layer in layers)
    lines = _network_layers(city, origin, networks, thin=raster)
    return hv.Overlay(layers + lines if raster else lines + layers).opts(
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
    layers = _category_layers(frame, frame["type"].values, TYPE_COLOURS)
    entries = [(kind, colour, "marker") for kind, colour in TYPE_COLOURS.items()
               if (frame["type"] == kind).any()]
    return _map(layers, city, origin, networks, [("building type", entries)],
                f"{city.name}: buildings by type over the networks")


def _category_map(city: City, values, categories: dict, legend_title: str, title: str,
                  networks, numbered: bool = False) -> hv.Overlay:
    """Buildings coloured by category (every category in the legend, with its count)."""
    origin = _origin(city)
    frame = _buildings_km(city, origin)
    frame["category"] = np.asarray(values, dtype=float)
    layers = _category_layers(frame, frame["category"].values,
                              {code: colour for code, (_, colour) in categories.items()})
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
    if len(frame) > RASTER_ABOVE:
        # a cell's colour: the day its last building is back; grey: one is not back at all
        label = "day the cell's last building is back [days after the event]"
        cell, bounds, shape = _raster(frame)
        day = latest_per_cell(cell[frame.index.isin(done.index)], done["day"].values, shape)
        layers = [hv.Image(day, bounds=bounds, kdims=["x", "y"], vdims=[("day", label)]).opts(
            cmap="viridis", clim=(0, top), colorbar=True, backend="matplotlib")]
        if len(open_):
            grey = category_rgba(cell[frame.index.isin(open_.index)], np.zeros(len(open_)),
                                 {0: "#bdbdbd"}, shape).astype(float) / 255.0
            layers.append(hv.RGB(grey, bounds=bounds, kdims=["x", "y"]).opts(
                backend="matplotlib"))
    else:
        layers = [hv.Points(done, kdims=["x", "y"], vdims=[("day", label)]).opts(
            color="day", cmap="viridis", clim=(0, top), colorbar=True, s=14,
            edgecolors="black", linewidth=0.3, backend="matplotlib")]
        if len(open_):
            layers.append(_points(open_, "#bdbdbd", marker="X", s=22))
    legends = [("", [(f"not restored within {horizon:,.0f} days ({len(open_):,})", "#bdbdbd",
                      "x")])] if len(open_) else []
    return _map(layers, city, origin, networks, legends,
                f"Restoration day of each building, {strategy}", below=True)
