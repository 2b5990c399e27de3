"""Figures of stage 05: the ensemble's indexes by strategy, the forecast band after updating."""

from __future__ import annotations

import holoviews as hv
import numpy as np
import xarray as xr

from ...core.dims import MEMBER, STRATEGY, TIME
from ..formatting import money_scale
from .style import DAYS, VARIABLES, axis_label, strategy_style

__all__ = ["ensemble_boxes", "forecast_band"]


def _colour_boxes(strategies):
    """A hook that gives each box of a box plot its strategy's colour and line style."""
    def hook(plot, element):
        h = plot.handles
        for i, s in enumerate(strategies):
            style = strategy_style(s, i)
            for key, per in (("boxes", 1), ("medians", 1), ("whiskers", 2), ("caps", 2)):
                for artist in h.get(key, [])[i * per:(i + 1) * per]:
                    artist.set_color(style["color"])
                    artist.set_linewidth(1.8)
                    if key in ("boxes", "whiskers"):
                        artist.set_linestyle(style["linestyle"])
            for artist in h.get("fliers", [])[i:i + 1]:
                artist.set_markeredgecolor(style["color"])
    return hook


def ensemble_boxes(ensemble: xr.Dataset, index: str) -> hv.BoxWhisker:
    """The ensemble's distribution of one index per strategy, each in its strategy's colour
    (box: quartiles; whiskers: 5–95 %; diamond: mean); money in EUR k / M / bn."""
    da = ensemble[index]
    money = da.attrs.get("units", VARIABLES.get(index, ("", ""))[1]) == "EUR"
    factor, suffix = money_scale(np.asarray(da.values, float).ravel().tolist()) if money else (1, "")
    label = axis_label(index, da.attrs.get("units"), scale=suffix)
    frame = da.to_dataframe().reset_index()[[STRATEGY, index]]
    frame[index] = frame[index] / factor
    strategies = [str(s) for s in da[STRATEGY].values]
    words = VARIABLES.get(index, (index.replace("_", " "),))[0]
    n = ensemble.sizes.get(MEMBER, len(frame) // max(len(strategies), 1))
    return hv.BoxWhisker(frame, kdims=[(STRATEGY, "Strategy")], vdims=[(index, label)]).opts(
        title=f"{words} over {n:,} members", whis=(5, 95), showmeans=True,
        meanprops={"marker": "D", "markerfacecolor": "black", "markeredgecolor": "black",
                   "markersize": 5}, hooks=[_colour_boxes(strategies)], backend="matplotlib")


def forecast_band(forecast: xr.Dataset, observed, truth=None, *,
                  variable: str = "functionality", strategy: str | None = None) -> hv.Overlay:
    """The forecast's 90 % band and mean over the horizon, the observed days and, for a
    synthetic observation, the held-back truth; in ``strategy``'s colour when given."""
    t = forecast[TIME].values
    label = axis_label(variable)
    colour = strategy_style(strategy)["color"] if strategy is not None else "#4c72b0"
    layers = [hv.Area((t, forecast["lo"].values, forecast["hi"].values), kdims=[DAYS],
                      vdims=[(variable, label), "hi"], label="90 % band").opts(
                          alpha=0.25, color=colour, linewidth=0, backend="matplotlib"),
              hv.Curve((t, forecast["mean"].values), kdims=[DAYS], vdims=[(variable, label)],
                       label="forecast mean").opts(color=colour, linewidth=2,
                                                   backend="matplotlib")]
    if truth is not None:
        layers.append(hv.Curve((t, np.asarray(truth)), kdims=[DAYS], vdims=[(variable, label)],
                               label="held-back truth").opts(color="black", linestyle="--",
                                                             backend="matplotlib"))
    obs = np.asarray(observed)
    layers.append(hv.Scatter((np.arange(len(obs)), obs), kdims=[DAYS], vdims=[(variable, label)],
                             label=f"observed ({len(obs)} days)").opts(
                                 color="black", marker="o", s=10, backend="matplotlib"))
    words = VARIABLES.get(variable, (variable.replace("_", " "),))[0]
    who = f" under {strategy}" if strategy is not None else ""
    return hv.Overlay(layers).opts(title=f"{words}{who}: forecast from the first {len(obs)} days",
                                   legend_position="bottom_right", backend="matplotlib")
