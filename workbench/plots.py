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

__all__ = ["STRATEGY_STYLES", "static", "city_map", "recovery_curves", "crews_over_time", "crew_gantt", "damage_map",
           "sweep_plot", "effect_sizes", "importance_bars", "learning_curve", "predicted_vs_observed",
           "training_history", "archive_heatmaps", "ensemble_boxes", "forecast_band"]

_TYPE_COLOURS = {"residential": "#4c72b0", "office": "#dd8452", "commercial": "#55a868",
                 "industrial": "#8172b3", "public": "#c44e52"}
_NETWORK_COLOURS = {"water": "#1f78b4", "power": "#e6ab02", "road": "#999999"}
#: One colour and line style per strategy, in every plot of the report and the dashboard
#: (colour-blind-safe Okabe-Ito colours; dashes keep overlapping curves visible).
STRATEGY_STYLES = {"rigid": {"color": "#D55E00", "linestyle": "-"},
                   "semiflexible": {"color": "#0072B2", "linestyle": "--"},
                   "flexible": {"color": "#009E73", "linestyle": ":"}}


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


# --------------------------------------------------------------------------- stages 02 and 03

def effect_sizes(table: pd.DataFrame) -> hv.Bars:
    """Effect size of each feature's primary test (stage 02), selected features marked."""
    rows = table[table["primary"].astype(bool)].copy()
    rows["status"] = np.where(rows["selected"].astype(bool), "selected", "not selected")
    symbol = {"cohen_d": "d", "eta_squared": "η²", "epsilon_squared": "ε²"}
    rows["label"] = rows["feature"] + " (" + rows["effect_size_name"].map(
        lambda n: symbol.get(n, n)) + ")"
    rows = rows.sort_values("effect_size")
    return hv.Bars(rows, kdims=["label", "status"], vdims=["effect_size"]).opts(
        title="effect size of each feature's primary test (d: Cohen, η²: ANOVA, "
              "ε²: Kruskal–Wallis)", invert_axes=True, stacked=True, xlabel="",
        ylabel="effect size", legend_position="bottom_right", aspect=1.3, fontsize={"title": 9},
        backend="matplotlib")


def importance_bars(importance: pd.DataFrame) -> hv.ErrorBars:
    """Permutation importance (mean ± std of the drop in held-out R²) of the forest's features."""
    df = importance.sort_values("importance_mean")
    bars = hv.Bars(df, kdims=["feature"], vdims=["importance_mean"]).opts(
        invert_axes=True, color="#4c72b0", backend="matplotlib")
    err = hv.ErrorBars(df, kdims=["feature"], vdims=["importance_mean", "importance_std"]).opts(
        invert_axes=True, backend="matplotlib")
    return (bars * err).opts(title="permutation importance (drop in held-out R²)", ylabel="",
                             xlabel="", aspect=1.6, backend="matplotlib")


def learning_curve(curve: pd.DataFrame) -> hv.Overlay:
    """Training and cross-validated R² against the number of training rows."""
    lines = [hv.Curve((curve["train_size"].to_numpy(), curve[col].to_numpy()),
                      kdims=["train_size"], vdims=["R²"], label=label).opts(
        marker="o", backend="matplotlib")
        for col, label in (("train_r2", "training"), ("validation_r2", "cross-validated"))]
    return hv.Overlay(lines).opts(title="learning curve of the rSS forest", xlabel="training rows",
                                  legend_position="bottom_right", backend="matplotlib")


def predicted_vs_observed(frame: pd.DataFrame, observed: str, predicted, *,
                          title: str = "predicted against observed") -> hv.Overlay:
    """Scatter of predicted against observed (one layer per column of ``predicted``) and the
    1:1 line."""
    predicted = [predicted] if isinstance(predicted, str) else list(predicted)
    lo = float(min(frame[observed].min(), *(frame[c].min() for c in predicted)))
    hi = float(max(frame[observed].max(), *(frame[c].max() for c in predicted)))
    layers = [hv.Scatter(frame, kdims=[observed], vdims=[c], label=c).opts(
        s=8, alpha=0.6, backend="matplotlib") for c in predicted]
    layers.append(hv.Curve(([lo, hi], [lo, hi]), label="1:1").opts(
        color="black", linestyle="--", backend="matplotlib"))
    xlabel = observed if observed.startswith("observed") else f"observed {observed}"
    return hv.Overlay(layers).opts(title=title, xlabel=xlabel.replace("_", " "), ylabel="predicted",
                                   legend_position="top_left", aspect=1, backend="matplotlib")


def training_history(history: pd.DataFrame) -> hv.Overlay:
    """Loss per epoch of the hybrid network (training and early-stopping validation)."""
    cols = [c for c in history.columns if c != "epoch"]
    lines = [hv.Curve((history["epoch"].to_numpy(), history[c].to_numpy()), kdims=["epoch"],
                      vdims=["loss"], label=c).opts(backend="matplotlib") for c in cols]
    return hv.Overlay(lines).opts(title="hybrid EP network: loss per epoch (standardised log)",
                                  logy=True, legend_position="top_right", backend="matplotlib")


def archive_heatmaps(archive: xr.Dataset, variable: str, *, x: str = "water", y: str = "power",
                     **fixed) -> hv.Layout:
    """One heat map per building type of an archived table over two networks' satisfaction,
    the third at ``fixed`` (default: road at full service)."""
    fixed = fixed or {n: 1.0 for n in ("water", "power", "road") if n not in (x, y)}
    da = archive[variable].sel(fixed)
    units = da.attrs.get("units", "")
    maps = []
    for t in da["building_type"].values:
        sub = da.sel(building_type=t).transpose(y, x)
        maps.append(hv.HeatMap((sub[x].values, sub[y].values, sub.values), kdims=[x, y],
                               vdims=[variable]).opts(
            title=str(t), colorbar=True, cmap="viridis", show_values=False, axiswise=True,
            framewise=True, xticks=[0, 0.5, 1], yticks=[0, 0.5, 1], backend="matplotlib"))
    where = ", ".join(f"{k} = {v:g}" for k, v in fixed.items())
    return hv.Layout(maps).cols(3).opts(
        title=f"archived {variable} [{units}] by type ({where}; each map its own scale)",
        sublabel_format="", hspace=0.6, vspace=0.4, shared_axes=False, backend="matplotlib")


# --------------------------------------------------------------------------- stage 05

def ensemble_boxes(ensemble: xr.Dataset, index: str) -> hv.BoxWhisker:
    """The ensemble's distribution of one index per strategy (box: quartiles; whiskers: 1.5 IQR)."""
    da = ensemble[index]
    units = da.attrs.get("units", "")
    frame = da.to_dataframe().reset_index()[[STRATEGY, index]]
    label = f"{index} [{units}]" if units else index
    return hv.BoxWhisker(frame, kdims=[STRATEGY], vdims=[(index, label)]).opts(
        title=f"{index} over {ensemble.sizes['member']} members", backend="matplotlib")


def forecast_band(forecast: xr.Dataset, observed, truth=None, *,
                  variable: str = "functionality") -> hv.Overlay:
    """The forecast's 90 % band and mean over the horizon, the observed days and, for a
    synthetic observation, the held-back truth."""
    t = forecast[TIME].values
    layers = [hv.Area((t, forecast["lo"].values, forecast["hi"].values), kdims=["day"],
                      vdims=[variable, "hi"], label="90 % band").opts(
                          alpha=0.3, color="#4c72b0", backend="matplotlib"),
              hv.Curve((t, forecast["mean"].values), kdims=["day"], vdims=[variable],
                       label="forecast mean").opts(color="#4c72b0", backend="matplotlib")]
    if truth is not None:
        layers.append(hv.Curve((t, np.asarray(truth)), kdims=["day"], vdims=[variable],
                               label="held-back truth").opts(color="black", linestyle="--",
                                                             backend="matplotlib"))
    obs = np.asarray(observed)
    layers.append(hv.Scatter((np.arange(len(obs)), obs), kdims=["day"], vdims=[variable],
                             label=f"observed ({len(obs)} days)").opts(
                                 color="#c44e52", s=8, backend="matplotlib"))
    return hv.Overlay(layers).opts(title=f"{variable}: forecast from the first {len(obs)} days",
                                   legend_position="bottom_right", backend="matplotlib")
