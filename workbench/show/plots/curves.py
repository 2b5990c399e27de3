"""Curves over the recovery by strategy: EP and SC functionality (mean and 5–95 % band over
realisations), crews busy, the crews' Gantt chart, sweeps of a constraint."""

from __future__ import annotations

import holoviews as hv
import numpy as np
import pandas as pd
import xarray as xr

from ...core.dims import MEMBER, STRATEGY, TIME
from ...metrics.indexes import plot_days
from ..formatting import money_scale
from .style import (DAYS, NETWORK_COLOURS, SAMPLE_DIMS, VARIABLES, axis_label, strategy_style,
                    strategy_width)

__all__ = ["recovery_curves", "crews_over_time", "crew_gantt", "sweep_plot"]


def _samples(da: xr.DataArray) -> list[str]:
    return [d for d in SAMPLE_DIMS if d in da.dims]


def recovery_curves(recovery: xr.Dataset, variable: str = "ep_functionality") -> hv.Overlay:
    """One curve per strategy of ``recovery[variable]`` over time (Zhou et al. 2025, Fig. 1(b);
    METHOD §5), in the strategy's colour and line style, as steps (the state of day t holds
    through day t). With several realisations or ensemble members: the mean and the 5–95 %
    band, and the title says how many."""
    da = recovery[variable]
    label = axis_label(variable, da.attrs.get("units"))
    samples = _samples(da)
    n = int(np.prod([da.sizes[d] for d in samples])) if samples else 1
    layers = []
    t = da[TIME].values
    for i, s in enumerate(da[STRATEGY].values):
        series = da.sel({STRATEGY: s})
        style = strategy_style(s, i)
        if samples and n > 1:
            q = series.quantile([0.05, 0.95], dim=samples)
            layers.append(hv.Area((t, q.isel(quantile=0).values, q.isel(quantile=1).values),
                                  kdims=[DAYS], vdims=[(variable, label), "hi"]).opts(
                color=style["color"], alpha=0.12, linewidth=0, backend="matplotlib"))
            series = series.mean(samples)
        elif samples:
            series = series.isel({d: 0 for d in samples})
        layers.append(hv.Curve((t, series.values), kdims=[DAYS], vdims=[(variable, label)],
                               label=str(s)).opts(
            color=style["color"], linestyle=style["linestyle"], linewidth=strategy_width(s),
            interpolation="steps-post", backend="matplotlib"))
    words = VARIABLES.get(variable, (variable.replace("_", " "),))[0]
    what = (f"\nmean and 5–95 % band over {n:,} "
            f"{'members' if MEMBER in samples else 'realisations'}" if n > 1 else "")
    opts = {"ylim": (0, 1.05)} if variable.endswith("functionality") else {}
    span = plot_days(da)
    if span[1] < t[-1]:     # the curves are flat after every strategy completes
        opts["xlim"] = span
    return hv.Overlay(layers).opts(title=f"{words} by strategy{what}", legend_position="best",
                                   fontsize={"title": 10}, backend="matplotlib", **opts)


def crews_over_time(recovery: xr.Dataset, variable: str = "crews_busy") -> hv.Overlay:
    """Busy crews per day, by strategy."""
    return recovery_curves(recovery, variable)


_TRADE_COLOURS = {"building": "#8c564b", "water": NETWORK_COLOURS["water"],
                  "power": NETWORK_COLOURS["power"], "road": "#555555", "all": "#8c564b"}


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
    return hv.Overlay(layers).opts(title=f"Crew assignments, {strategy} (bar: one stint, "
                                         f"coloured by trade)",
                                   xlabel="Days after the event [days]", ylabel="Crew [number]",
                                   legend_position="right", aspect=2, backend="matplotlib")


def sweep_plot(table: pd.DataFrame, x: str, y: str, by: str = "strategy") -> hv.Overlay:
    """Lines of ``y`` against ``x`` for each value of ``by`` (e.g. loss against crews), each
    strategy in its own colour and line style; money in EUR k / M / bn."""
    money = VARIABLES.get(y, ("", None))[1] == "EUR"
    factor, suffix = money_scale(table[y].tolist()) if money else (1.0, "")
    xlabel, ylabel = axis_label(x), axis_label(y, scale=suffix)
    table, opts = table.copy(), {}
    xs = table[x].astype(float)
    if np.isinf(xs).any():   # e.g. a commitment to completion: one step past the largest
        finite = sorted(set(xs[np.isfinite(xs)]))
        end = 1.5 * finite[-1] if finite and finite[-1] > 0 else 1.0
        table[x] = xs.where(np.isfinite(xs), end)
        opts["xticks"] = [(v, f"{v:g}") for v in finite if v == 0 or v >= 0.1 * end] + [
            (end, "to completion")]
    curves = []
    for i, (key, sub) in enumerate(table.groupby(by, sort=False)):
        sub = sub.sort_values(x)
        style = strategy_style(key, i) if by == "strategy" else {}
        curves.append(hv.Curve((sub[x].to_numpy(), sub[y].to_numpy() / factor),
                               kdims=[(x, xlabel)], vdims=[(y, ylabel)], label=str(key)).opts(
            marker="o", linewidth=strategy_width(key) if by == "strategy" else 1.8,
            backend="matplotlib", **style))
    words_y = VARIABLES.get(y, (y.replace("_", " "),))[0]
    words_x = VARIABLES.get(x, (x.replace("_", " "),))[0].lower()
    if VARIABLES.get(y, ("", ""))[1] in ("EUR", "person-days"):
        top = float(np.nanmax(table[y].to_numpy(float))) / factor if len(table) else 1.0
        opts["ylim"] = (0, 1.08 * top if top > 0 else 1.0)   # a loss from zero: true sizes
    return hv.Overlay(curves).opts(title=f"{words_y} against {words_x}", backend="matplotlib",
                                   **opts)
