"""Figures of stages 02 and 03: effect sizes, importances, learning curves, predicted against
observed, training history, the archive's tables."""

from __future__ import annotations

import holoviews as hv
import numpy as np
import pandas as pd
import xarray as xr


__all__ = ["effect_sizes", "importance_bars", "learning_curve", "predicted_vs_observed",
           "training_history", "archive_heatmaps"]


def effect_sizes(table: pd.DataFrame) -> hv.Bars:
    """Effect size of each feature's primary test (stage 02), selected features marked."""
    rows = table[table["primary"].astype(bool)].copy()
    rows["status"] = np.where(rows["selected"].astype(bool), "selected", "not selected")
    symbol = {"cohen_d": "d", "eta_squared": "η²", "epsilon_squared": "ε²",
              "partial_eta_squared": "partial η²"}
    rows["label"] = rows["feature"] + " (" + rows["effect_size_name"].map(
        lambda n: symbol.get(n, n)) + ")"
    rows = rows.sort_values("effect_size")
    return hv.Bars(rows, kdims=["label", "status"], vdims=["effect_size"]).opts(
        title="effect size of each feature's primary test (partial η²: given the other "
              "features)", invert_axes=True, stacked=True, xlabel="",
        ylabel="effect size", legend_position="bottom_right", aspect=1.3, fontsize={"title": 9},
        backend="matplotlib")


def importance_bars(importance: pd.DataFrame) -> hv.ErrorBars:
    """Permutation importance (mean ± std of the drop in held-out R²) of the rSS model's features."""
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
    return hv.Overlay(lines).opts(title="learning curve of the rSS model", xlabel="training rows",
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
                     fig_inches: float = 3.2, **fixed):
    """One heat map per building type of an archived table over two networks' satisfaction,
    the third at ``fixed`` (default: road at full service); each map has its own colour scale.

    Returns a matplotlib ``Figure`` (panels ``fig_inches`` wide, three to a row), ready for
    :func:`save_figure`. Drawn with matplotlib itself rather than HoloViews: HoloViews' matplotlib
    backend redraws the whole figure for every colour bar, which made this figure of five 5 × 5
    panels take about 5 s to build and 1.5 s to save (stage 03 draws two); drawn here, it builds
    in about 0.2 s and saves in about 1.3 s.
    """
    import matplotlib.pyplot as plt
    fixed = fixed or {n: 1.0 for n in ("water", "power", "road") if n not in (x, y)}
    da = archive[variable].sel(fixed)
    units = da.attrs.get("units", "")
    types = [str(t) for t in da["building_type"].values]
    cols = min(3, len(types))
    rows = -(-len(types) // cols)
    fig, axes = plt.subplots(rows, cols, figsize=(fig_inches * cols * 1.15, fig_inches * rows),
                             squeeze=False, layout="constrained")
    xs, ys = da[x].values, da[y].values
    for ax, t in zip(axes.flat, types):
        sub = da.sel(building_type=t).transpose(y, x)
        mesh = ax.pcolormesh(_edges(xs), _edges(ys), sub.values, cmap="viridis")
        cbar = fig.colorbar(mesh, ax=ax)
        cbar.set_label(variable)
        ax.set(title=t, xlabel=x, ylabel=y, xticks=[0, 0.5, 1], yticks=[0, 0.5, 1])
    for ax in axes.flat[len(types):]:
        ax.set_visible(False)
    where = ", ".join(f"{k} = {v:g}" for k, v in fixed.items())
    fig.suptitle(f"archived {variable} [{units}] by type ({where}; each map its own scale)")
    plt.close(fig)  # the returned figure is displayed once, by whoever shows it
    return fig


def _edges(centres: np.ndarray) -> np.ndarray:
    """Cell edges halfway between grid points (the outer ones half a step beyond)."""
    c = np.asarray(centres, dtype=float)
    if c.size == 1:
        return np.array([c[0] - 0.5, c[0] + 0.5])
    mid = (c[1:] + c[:-1]) / 2
    return np.concatenate([[c[0] - (mid[0] - c[0])], mid, [c[-1] + (c[-1] - mid[-1])]])
