"""The figure of stage 06: benefit–cost ratios of the mitigation options."""

from __future__ import annotations

import holoviews as hv
import pandas as pd


__all__ = ["mitigation_plot"]


def mitigation_plot(ranking: pd.DataFrame) -> hv.Overlay:
    """Cost against mean monetised benefit per option (EUR M, log axes) with the members' 5–95 %
    range as error bars, and the break-even diagonal: above it an option's benefit–cost ratio is
    above 1 (``workbench.mitigation.rank``; per event, or present value as the ranking says)."""
    t = ranking
    cost = t["cost"].clip(lower=1.0) / 1e6
    mean = t["benefit"] / 1e6
    lo = (t["benefit"] - t["benefit_p5"]).clip(lower=0) / 1e6
    hi = (t["benefit_p95"] - t["benefit"]).clip(lower=0) / 1e6
    positive = mean[mean > 0]
    floor = max(float(min(cost.min(), positive.min() if len(positive) else 1.0)) / 3, 1e-3)
    shown = mean.clip(lower=floor)
    top = float(max(cost.max(), (mean + hi).max())) * 3
    x_dim = hv.Dimension("cost", label="Cost [EUR M]")
    y_dim = hv.Dimension("benefit", label="Benefit: avoided loss + valued person-days [EUR M]")
    layers = [hv.Curve(([floor, top], [floor, top]), kdims=[x_dim], vdims=[y_dim],
                       label="break-even (benefit = cost)").opts(
                           color="#888888", linestyle="--", backend="matplotlib"),
              hv.ErrorBars((cost, shown, lo, hi), kdims=[x_dim],
                           vdims=[y_dim, "lo", "hi"]).opts(color="#333333",
                                                           backend="matplotlib"),
              hv.Scatter((cost, shown), kdims=[x_dim], vdims=[y_dim], label="options").opts(
                  color="#0072B2", s=40, backend="matplotlib")]
    layers += [hv.Text(float(c) * 1.15, float(m) * (1.25 if i % 2 else 0.8), str(name),
                       halign="left", fontsize=8)
               for i, (c, m, name) in enumerate(zip(cost, shown, t["option"]))]
    return hv.Overlay(layers).opts(logx=True, logy=True, xlim=(floor, top), ylim=(floor, top),
                                   title="Mitigation options: cost against benefit (mean, 5–95 %)",
                                   legend_position="top_left", aspect=1, backend="matplotlib")
