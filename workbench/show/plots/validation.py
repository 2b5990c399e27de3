"""The figure of the validation stage (METHOD §11): the run's lifeline restoration curves, one
panel per network, beside the points observed after real earthquakes."""

from __future__ import annotations

import holoviews as hv
import numpy as np
import pandas as pd
import xarray as xr

from ...core.dims import REALIZATION, STRATEGY, TIME
from .style import DAYS, strategy_style, strategy_width

__all__ = ["validation_curves", "EVENT_MARKERS"]

#: Marker shapes cycled over the observed events (colour: grey shades; strategies keep colours).
EVENT_MARKERS = ("o", "s", "^", "D", "v", "P", "X", "*", "<", ">")
_EVENT_COLOURS = ("#000000", "#555555", "#888888", "#0b3d5c", "#6a3d9a", "#33a02c", "#b15928",
                  "#1f78b4", "#a6761d", "#666600")


def validation_curves(curves: xr.Dataset, observed: pd.DataFrame,
                      networks=("power", "water"), xmax: float | None = None) -> hv.Layout:
    """Per network: the restored fraction of each strategy (mean over realisations, steps)
    and the observed points of that lifeline (basis ``affected``/``affected_restorable``
    as filled markers, ``all`` as the same marker on a white face; rows not read in a stored
    source are left out), one marker per event.

    Examples
    --------
    >>> t = np.arange(5)
    >>> c = xr.Dataset({"restored": (("strategy", "network", "time"),
    ...                  np.tile(np.linspace(0, 1, 5), (1, 2, 1)))},
    ...                coords={"strategy": ["flexible"], "network": ["power", "water"], "time": t})
    >>> obs = pd.DataFrame({"event": ["a"], "lifeline": ["power"], "day": [2.0],
    ...                     "fraction_restored": [0.9], "basis": ["affected"],
    ...                     "verified_here": ["yes"]})
    >>> fig = validation_curves(c, obs)
    >>> len(fig)
    2
    """
    restored = curves["restored"]
    if REALIZATION in restored.dims:
        restored = restored.mean(REALIZATION, skipna=True)
    t = restored[TIME].values
    rows = observed[observed["verified_here"] == "yes"]
    events = sorted(rows["event"].unique())
    y = hv.Dimension("restored", label="Customers who lost service, served again [–]",
                     range=(0, 1.05))
    panels = []
    for net in networks:
        layers = []
        for i, s in enumerate(restored[STRATEGY].values):
            series = restored.sel({STRATEGY: s, "network": net}).values
            style = strategy_style(s, i)
            if np.isnan(series).all():
                continue                       # no customer of this network lost service
            layers.append(hv.Curve((t, series), kdims=[DAYS], vdims=[y],
                                   label=f"{s} (this run)").opts(
                color=style["color"], linestyle=style["linestyle"],
                linewidth=strategy_width(s), interpolation="steps-post",
                backend="matplotlib"))
        pts = rows[rows["lifeline"] == net]
        for j, event in enumerate(events):
            one = pts[pts["event"] == event]
            if one.empty:
                continue
            marker, colour = EVENT_MARKERS[j % len(EVENT_MARKERS)], _EVENT_COLOURS[j % 10]
            for basis, face in (("affected", colour), ("all", "white")):
                part = one[(one["basis"] == "all") == (basis == "all")]
                if part.empty:
                    continue
                layers.append(hv.Scatter((part["day"], part["fraction_restored"]),
                                         kdims=[DAYS], vdims=[y],
                                         label=event + (" (share of all)" if basis == "all"
                                                        else "")).opts(
                    marker=marker, color=face, edgecolors=colour, s=45, linewidth=1.2,
                    backend="matplotlib"))
        limit = xmax if xmax is not None else (14 if net == "power" else 120)
        panels.append(hv.Overlay(layers).opts(
            title=f"{net}: restored fraction, this run and observed events",
            xlim=(0, limit), ylim=(0, 1.05), legend_position="right", fontsize={"title": 10},
            backend="matplotlib"))
    return hv.Layout(panels).cols(1)
