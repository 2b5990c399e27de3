"""HoloViews plots. Each function returns a HoloViews object; it never displays or saves (docs/ARCHITECTURE.md conventions).

Reports render them with :func:`static`, which draws through HoloViews' matplotlib backend into a
PNG figure: the executed notebooks and their HTML then need no JavaScript and render offline (the
bokeh/panel notebook extension embeds loaders that point at a CDN).
"""

from __future__ import annotations

import holoviews as hv
import holoviews.plotting.mpl  # noqa: F401 — registers the matplotlib backend the options name
import numpy as np
import pandas as pd
import xarray as xr

from .city import City
from .dims import BUILDING, STRATEGY, TIME

__all__ = ["static", "city_map", "recovery_curves", "crews_over_time", "crew_gantt", "damage_map",
           "sweep_plot"]

_TYPE_COLOURS = {"residential": "#4c72b0", "office": "#dd8452", "commercial": "#55a868",
                 "industrial": "#8172b3", "public": "#c44e52"}
_NETWORK_COLOURS = {"water": "#1f78b4", "power": "#e6ab02", "road": "#999999"}


def static(obj, *, fig_inches: float = 7.0):
    """Render a HoloViews object to a matplotlib ``Figure`` (shown as a PNG in notebooks)."""
    import matplotlib.pyplot as plt
    fig = hv.render(obj.opts(fig_inches=fig_inches, backend="matplotlib"), backend="matplotlib")
    plt.close(fig)  # the returned figure is displayed once, by whoever shows it
    return fig


def _segments(graph) -> pd.DataFrame:
    xy = {n: (d["x"], d["y"]) for n, d in graph.nodes(data=True)}
    rows = [(*xy[u], *xy[v]) for u, v in graph.edges()]
    return pd.DataFrame(rows, columns=["x0", "y0", "x1", "y1"])


def city_map(city: City, *, networks=("road", "water", "power")) -> hv.Overlay:
    """Buildings (points coloured by type) over the network edges, in projected metres."""
    layers = []
    for name in networks:
        if name in city.networks:
            layers.append(hv.Segments(_segments(city.networks[name]), kdims=["x0", "y0", "x1", "y1"],
                                      label=name).opts(color=_NETWORK_COLOURS[name], linewidth=0.6,
                                                       alpha=0.7, backend="matplotlib"))
    b = city.buildings
    frame = pd.DataFrame({"x": b["x"].values, "y": b["y"].values,
                          "type": b["type"].values.astype(str)})
    for kind, colour in _TYPE_COLOURS.items():
        sub = frame[frame["type"] == kind]
        if len(sub):
            layers.append(hv.Points(sub, kdims=["x", "y"], label=kind).opts(
                color=colour, s=12, backend="matplotlib"))
    return hv.Overlay(layers).opts(aspect="equal", title=f"{city.name}: buildings by type over networks",
                                   xlabel="x [m]", ylabel="y [m]", legend_position="right",
                                   backend="matplotlib")


def damage_map(city: City, state: xr.DataArray, *, title: str = "building damage state") -> hv.Points:
    """Buildings coloured by a per-building value (e.g. damage state 0–4)."""
    b = city.buildings
    frame = pd.DataFrame({"x": b["x"].values, "y": b["y"].values,
                          "value": np.asarray(state.sel({BUILDING: b[BUILDING]}).values, dtype=float)})
    return hv.Points(frame, kdims=["x", "y"], vdims=["value"]).opts(
        color="value", cmap="viridis_r", colorbar=True, s=12, aspect="equal", title=title,
        xlabel="x [m]", ylabel="y [m]", backend="matplotlib")


def recovery_curves(recovery: xr.Dataset, variable: str = "ep_functionality") -> hv.Overlay:
    """One curve per strategy of ``recovery[variable]`` over time (the seed's Fig. 1(b) bracket)."""
    da = recovery[variable]
    units = da.attrs.get("units", "")
    label = f"{variable} [{units}]" if units else variable
    curves = [hv.Curve((da[TIME].values, da.sel({STRATEGY: s}).values), kdims=["day"],
                       vdims=[label], label=str(s))
              for s in da[STRATEGY].values]
    return hv.Overlay(curves).opts(title=f"{variable} by strategy", legend_position="bottom_right",
                                   backend="matplotlib")


def crews_over_time(recovery: xr.Dataset, variable: str = "crews_busy") -> hv.Overlay:
    """Busy crews per day, by strategy."""
    return recovery_curves(recovery, variable)


_TRADE_COLOURS = {"building": "#8c564b", "water": _NETWORK_COLOURS["water"],
                  "power": _NETWORK_COLOURS["power"], "road": "#555555", "all": "#8c564b"}


def crew_gantt(assignments: pd.DataFrame, strategy: str) -> hv.Overlay:
    """Gantt chart of one strategy: a bar per crew stint (crew on the y axis, days on x),
    coloured by trade; a stint ends at completion, at re-planning or when its commitment ends.

    ``assignments`` is the table ``simulate_recovery(..., return_assignments=True)`` returns.
    """
    table = assignments[assignments["strategy"] == strategy]
    layers = []
    for trade, sub in table.groupby("trade"):
        segments = pd.DataFrame({"x0": sub["start_day"], "y0": sub["crew"],
                                 "x1": sub["end_day"], "y1": sub["crew"]})
        layers.append(hv.Segments(segments, kdims=["x0", "y0", "x1", "y1"], label=str(trade)).opts(
            color=_TRADE_COLOURS.get(str(trade), "#333333"), linewidth=3, backend="matplotlib"))
    # a tick where each stint starts, so consecutive tasks of one crew stay distinguishable
    layers.append(hv.Scatter((table["start_day"], table["crew"]), kdims=["day"], vdims=["crew"],
                             label="task start").opts(color="black", marker="o", s=6,
                                                      backend="matplotlib"))
    return hv.Overlay(layers).opts(title=f"crew assignments, {strategy}", xlabel="day",
                                   ylabel="crew", legend_position="right", aspect=2,
                                   backend="matplotlib")


def sweep_plot(table: pd.DataFrame, x: str, y: str, by: str = "strategy") -> hv.Overlay:
    """Lines of ``y`` against ``x`` for each value of ``by`` (e.g. loss against crews)."""
    curves = [hv.Curve(sub.sort_values(x), kdims=[x], vdims=[y], label=str(key)).opts(
        marker="o", backend="matplotlib") for key, sub in table.groupby(by)]
    return hv.Overlay(curves).opts(title=f"{y} against {x}", backend="matplotlib")
