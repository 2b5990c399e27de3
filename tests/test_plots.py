"""One visual language (issue [report] item 4): one colour and line style per strategy in every
strategy plot; labels in words with units and no offset on any axis; fixed categorical scales
with a legend for damage states; maps in km with the networks and a scale bar; figures written
for papers (PNG at 300 dpi, SVG, caption)."""

import matplotlib
import numpy as np
import pandas as pd
import pytest
import xarray as xr
from matplotlib.colors import to_hex
from PIL import Image

from workbench import plots
from workbench.city import toy_city
from workbench.core.dims import BUILDING, DAMAGE_STATES, MEMBER, REALIZATION, STRATEGIES, STRATEGY, TIME

matplotlib.use("Agg")


def _recovery(realizations: int = 0) -> xr.Dataset:
    days = np.arange(31)
    base = np.clip(0.2 + days / 30, 0, 1)
    curves = np.stack([base, base, np.minimum(1, base + 0.1)])   # rigid = semiflexible
    dims, data = (STRATEGY, TIME), curves
    coords = {STRATEGY: list(STRATEGIES), TIME: days}
    if realizations:
        rng = np.random.default_rng(0)
        data = np.clip(curves[None] + rng.normal(0, 0.05, (realizations, *curves.shape)), 0, 1)
        dims, coords = (REALIZATION, *dims), {REALIZATION: np.arange(realizations), **coords}
    ds = xr.Dataset({v: (dims, data, {"units": "1"}) for v in ("ep_functionality",
                                                                "sc_functionality")}, coords)
    ds["crews_busy"] = (dims, data * 4, {"units": "crews"})
    return ds


def _lines(fig) -> dict:
    """Legend label → (colour, line style) of every labelled line of a figure."""
    out = {}
    for ax in fig.axes:
        for line in ax.get_lines():
            if not line.get_label().startswith("_"):
                out[line.get_label()] = (to_hex(line.get_color()), line.get_linestyle())
    return out


def _styles():
    dashes = {"-": "-", "--": "--", ":": ":", "-.": "-."}
    return {s: (st["color"].lower(), dashes[st["linestyle"]])
            for s, st in plots.STRATEGY_STYLES.items()}


def _no_offsets(fig):
    fig.canvas.draw()
    for ax in fig.axes:
        for axis in (ax.xaxis, ax.yaxis):
            assert axis.get_offset_text().get_text() == "", (ax.get_title(), axis)


@pytest.mark.parametrize("make", [
    lambda: plots.recovery_curves(_recovery(), "ep_functionality"),
    lambda: plots.crews_over_time(_recovery()),
    lambda: plots.recovery_curves(_recovery(realizations=5), "sc_functionality"),
])
def test_curves_use_the_strategy_styles(make):
    fig = plots.static(make(), fig_inches=4)
    lines = _lines(fig)
    assert set(lines) == set(STRATEGIES)
    for s, style in _styles().items():
        assert lines[s] == style, s
    _no_offsets(fig)
    ax = fig.axes[0]
    assert ax.get_xlabel() == "Days after the event [days]"
    assert "[" in ax.get_ylabel() and "_" not in ax.get_ylabel()


def test_several_realisations_give_the_mean_and_a_band():
    overlay = plots.recovery_curves(_recovery(realizations=5), "ep_functionality")
    assert "\nmean and 5–95 % band over 5 realisations" in overlay.opts.get().kwargs["title"]
    assert sum(type(e).__name__ == "Area" for e in overlay) == 3


def test_sweep_plot_styles_money_and_labels():
    rows = [{"crews": c, "strategy": s, "economic_loss": 3.0e10 / c + i * 1e9,
             "service_loss_person_days": 1e5 / c} for c in (1, 2, 4) for i, s in
            enumerate(STRATEGIES)]
    table = pd.DataFrame(rows)
    fig = plots.static(plots.sweep_plot(table, "crews", "economic_loss") +
                       plots.sweep_plot(table, "crews", "service_loss_person_days"), fig_inches=4)
    assert _lines(fig) == {s: v for s, v in _styles().items()}
    labels = [ax.get_ylabel() for ax in fig.axes]
    assert labels == ["Economic loss [EUR bn]", "Service-capacity loss [person-days]"]
    assert fig.axes[0].get_xlabel() == "Crews, all trades [crews]"
    _no_offsets(fig)


def test_a_commitment_to_completion_is_plotted_and_named():
    table = pd.DataFrame({"commitment_days": [0.0, 14.0, float("inf")],
                          "strategy": ["semiflexible"] * 3, "economic_loss": [2.6e7] * 3})
    fig = plots.static(plots.sweep_plot(table, "commitment_days", "economic_loss"), fig_inches=4)
    fig.canvas.draw()
    assert "to completion" in [t.get_text() for t in fig.axes[0].get_xticklabels()]
    assert fig.axes[0].get_ylim()[0] == 0


def test_ensemble_boxes_take_the_strategy_colours():
    rng = np.random.default_rng(1)
    ens = xr.Dataset({"economic_loss": ((MEMBER, STRATEGY), rng.uniform(1e9, 3e9, (12, 3)),
                                        {"units": "EUR"})},
                     {MEMBER: np.arange(12), STRATEGY: list(STRATEGIES)})
    fig = plots.static(plots.ensemble_boxes(ens, "economic_loss"), fig_inches=4)
    ax = fig.axes[0]
    assert ax.get_ylabel() == "Economic loss [EUR bn]"
    boxes = [line for line in ax.get_lines() if len(line.get_xdata()) == 5]   # box outlines
    assert [to_hex(b.get_color()) for b in boxes] == [c for c, _ in _styles().values()]
    _no_offsets(fig)


def _state(city, values):
    return xr.DataArray(values, dims=[BUILDING], coords={BUILDING: city.buildings[BUILDING].values})


def test_damage_map_is_categorical_with_every_state_in_the_legend():
    city = toy_city()
    fig = plots.static(plots.damage_map(city, _state(city, [0, 0, 2, 2, 4, 4])), fig_inches=5)
    assert len(fig.axes) == 1  # no colour bar
    ax = fig.axes[0]
    texts = [t.get_text() for leg in ax.artists if hasattr(leg, "get_texts")
             for t in leg.get_texts()]
    for code, name in enumerate(DAMAGE_STATES):
        assert any(t.startswith(f"{code} {name}") for t in texts), (name, texts)
    assert "1 slight (0)" in texts and "streets" in texts and "water mains" in texts
    # the same state gets the same colour in every run: the fixed scale, not the data's range
    colours = {to_hex(c) for coll in ax.collections[3:] for c in coll.get_facecolors()}
    assert colours == {plots.DAMAGE_STATE_COLOURS[k][1] for k in (0, 2, 4)}
    assert ax.get_xlabel().endswith("[km]") and ax.get_ylabel().endswith("[km]")
    assert any(type(a).__name__ == "AnchoredSizeBar" for a in ax.artists)
    assert max(abs(v) for v in ax.get_xlim()) < 1  # km from the local origin, not metres


def test_city_map_draws_the_networks_under_the_buildings():
    city = toy_city()
    fig = plots.static(plots.city_map(city), fig_inches=5)
    ax = fig.axes[0]
    kinds = [type(c).__name__ for c in ax.collections]
    assert kinds[:3] == ["LineCollection"] * 3 and set(kinds[3:]) == {"PathCollection"}


def test_save_figure_writes_png_svg_and_caption(tmp_path):
    fig = plots.static(plots.recovery_curves(_recovery()), fig_inches=3)
    assert plots.save_figure(fig, tmp_path, "curves", "EP by strategy.") is fig
    folder = tmp_path / plots.FIGURES_DIR
    assert sorted(p.name for p in folder.iterdir()) == ["curves.png", "curves.svg", "curves.txt"]
    dpi = Image.open(folder / "curves.png").info["dpi"]
    assert round(dpi[0]) == 300
    svg = (folder / "curves.svg").read_text()
    assert "<svg" in svg and "<dc:date>" not in svg
    assert (folder / "curves.txt").read_text() == "EP by strategy.\n"
    plots.save_figure(fig, tmp_path, "curves", "EP by strategy.")
    assert svg == (folder / "curves.svg").read_text()   # the same figure, the same file
    with pytest.raises(ValueError):
        plots.save_figure(fig, tmp_path, "../escape", "x")


def test_curves_end_soon_after_the_last_strategy_completes():
    days = np.arange(201)
    curves = np.stack([np.clip(0.2 + days / k, 0, 1) for k in (30, 25, 20)])  # all back by day 24
    rec = xr.Dataset({"ep_functionality": ((STRATEGY, TIME), curves, {"units": "1"})},
                     coords={STRATEGY: list(STRATEGIES), TIME: days})
    fig = plots.static(plots.recovery_curves(rec, "ep_functionality"), fig_inches=4)
    lo, hi = fig.axes[0].get_xlim()
    assert lo == 0 and 24 <= hi <= 40
    # curves still changing on the last day keep the whole horizon
    curves[0, -1] = 0.5
    fig = plots.static(plots.recovery_curves(rec.assign(ep_functionality=(
        (STRATEGY, TIME), curves, {"units": "1"})), "ep_functionality"), fig_inches=4)
    assert fig.axes[0].get_xlim()[1] >= 200


def test_archive_heatmaps_show_each_types_table_on_its_own_scale():
    grid = np.linspace(0, 1, 3)
    types = ["residential", "office", "public", "industrial"]
    rng = np.random.default_rng(3)
    scale = np.array([1, 10, 100, 1000])[:, None, None, None]     # a scale per type
    values = rng.uniform(0, 1, (len(types), 3, 3, 3)) * scale
    archive = xr.Dataset({"rss": (("building_type", "water", "power", "road"), values,
                                  {"units": "1"})},
                         {"building_type": types, "water": grid, "power": grid, "road": grid})
    fig = plots.archive_heatmaps(archive, "rss")
    panels = [ax for ax in fig.axes if ax.get_visible() and ax.get_title()]
    assert [ax.get_title() for ax in panels] == types
    assert "road = 1" in fig.get_suptitle() and "[1]" in fig.get_suptitle()
    for i, ax in enumerate(panels):
        (mesh,) = ax.collections
        # rows are power, columns water, at road = 1 (the last grid point)
        np.testing.assert_array_equal(np.asarray(mesh.get_array()).reshape(3, 3),
                                      values[i, :, :, -1].T)
        assert mesh.norm.vmax == values[i, :, :, -1].max()   # its own scale
        assert (ax.get_xlabel(), ax.get_ylabel()) == ("water", "power")
    assert sum(1 for ax in fig.axes if ax.get_visible() and ax.get_ylabel() == "rss") == len(types)
    assert not any(ax.get_visible() for ax in fig.axes
                   if not ax.get_title() and ax.get_ylabel() != "rss")   # the spare slot is empty
