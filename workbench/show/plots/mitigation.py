"""The figure of stage 06: each mitigation option's cost per year against what it avoids if the
event happens, with the return periods at which an option breaks even."""

from __future__ import annotations

import holoviews as hv
import pandas as pd


__all__ = ["mitigation_plot", "RETURN_PERIOD_LINES"]

#: Return periods [years] drawn as break-even lines, with their line styles.
RETURN_PERIOD_LINES = ((10, ":"), (100, "--"), (1000, "-."))


def mitigation_plot(ranking: pd.DataFrame, annual_probability: float | None = None) -> hv.Overlay:
    """Cost per year against avoided loss per event, one point per option (EUR M, log axes).

    x: the option's equivalent annual cost (up-front cost annualised over its life at the
    discount rate, plus its recurring cost; ``equivalent_annual_cost`` of
    :func:`workbench.mitigation.rank`). y: the mean avoided loss if the event happens, less the
    option's cost in an event (``benefit − event_cost``), with the members' 5–95 % range as error
    bars. An option above the line of T years breaks even if the event recurs at least once every
    T years (y = T · x); with ``annual_probability`` (the scenario's, if known) its return period
    is drawn too. Options whose net avoided loss is ≤ 0 sit on the bottom edge.

    Examples
    --------
    >>> t = pd.DataFrame({"option": ["a", "b"], "equivalent_annual_cost": [1e5, 2e6],
    ...                   "benefit": [5e7, 1e6], "benefit_p5": [4e7, 0.0],
    ...                   "benefit_p95": [6e7, 2e6], "event_cost": [0.0, 0.0]})
    >>> fig = mitigation_plot(t, annual_probability=1 / 475)
    >>> [type(layer).__name__ for layer in fig][:4]
    ['Curve', 'Curve', 'Curve', 'Curve']
    >>> len(fig)   # three return periods, the scenario's, error bars, points, two labels
    8
    """
    t = ranking
    eac = t["equivalent_annual_cost"].clip(lower=1.0) / 1e6
    net = (t["benefit"] - t["event_cost"]) / 1e6
    lo = (net - (t["benefit_p5"] - t["event_cost"]) / 1e6).clip(lower=0)
    hi = ((t["benefit_p95"] - t["event_cost"]) / 1e6 - net).clip(lower=0)
    floor = max(float(min(eac.min(), net[net > 0].min() if (net > 0).any() else 1.0)) / 3, 1e-4)
    top = float(max(eac.max(), (net + hi).max())) * 3
    shown = net.clip(lower=floor)
    x = hv.Dimension("eac", label="Cost per year: up front annualised + recurring [EUR M]")
    y = hv.Dimension("net", label="Avoided loss if the event happens, less its cost in it [EUR M]")
    layers = [hv.Curve(([floor, top / rp], [floor * rp, top]), kdims=[x], vdims=[y],
                       label=f"break-even at {rp:g} years").opts(
                           color="#888888", linestyle=style, backend="matplotlib")
              for rp, style in RETURN_PERIOD_LINES]
    if annual_probability:
        p = float(annual_probability)
        layers.append(hv.Curve(([floor, top * p], [floor / p, top]), kdims=[x], vdims=[y],
                               label=f"the scenario: {1 / p:,.0f} years").opts(
                                   color="#D55E00", backend="matplotlib"))
    layers += [hv.ErrorBars((eac, shown, lo, hi), kdims=[x], vdims=[y, "lo", "hi"]).opts(
                   color="#333333", backend="matplotlib"),
               hv.Scatter((eac, shown), kdims=[x], vdims=[y], label="options").opts(
                   color="#0072B2", s=40, backend="matplotlib")]
    layers += [hv.Text(float(c) * 1.15, float(m) * (1.25 if i % 2 else 0.8), str(name),
                       halign="left", fontsize=8)
               for i, (c, m, name) in enumerate(zip(eac, shown, t["option"]))]
    return hv.Overlay(layers).opts(
        logx=True, logy=True, xlim=(floor, top), ylim=(floor, top),
        title="Mitigation options: cost per year against avoided loss per event",
        legend_position="bottom_right", aspect=1, backend="matplotlib")
