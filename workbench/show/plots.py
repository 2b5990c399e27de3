"""HoloViews plots in one visual language (METHOD §8). Each plot function returns a HoloViews
object; it never displays or saves (docs/ARCHITECTURE.md conventions). :func:`save_figure` is
the one function that writes: a notebook cell hands it a rendered figure to keep for a paper.

Reports render the plots with :func:`static`, which draws through HoloViews' matplotlib backend
into a PNG figure: the executed notebooks and their HTML then need no JavaScript and render
offline (the bokeh/panel notebook extension embeds loaders that point at a CDN).

The language: one colour and line style per strategy (:data:`STRATEGY_STYLES`), drawn widest
first so identical curves stay visible; axes labelled in words with units ("EP functionality
[–]", "Economic loss [EUR M]"), money scaled to EUR k / M / bn and no offset on any axis; fixed
category scales (:data:`DAMAGE_STATE_COLOURS`, :data:`SERVICES_LOST_COLOURS`) so a colour means
the same in every run; maps in km from the city's south-west corner, networks under the
buildings, with a scale bar; with several realisations or members, the mean with a 5–95 % band.
"""

from __future__ import annotations

import re
from pathlib import Path

import holoviews as hv
import holoviews.plotting.mpl  # noqa: F401 — registers the matplotlib backend the options name
import numpy as np
import pandas as pd
import xarray as xr

from ..city.model import City
from ..core.dims import BUILDING, DAMAGE_STATES, MEMBER, REALIZATION, STRATEGY, TIME
from .formatting import money_scale, unit_text

__all__ = ["STRATEGY_STYLES", "DAMAGE_STATE_COLOURS", "SERVICES_LOST_COLOURS", "VARIABLES",
           "FIGURES_DIR", "strategy_style", "axis_label", "static", "save_figure", "city_map",
           "damage_map", "services_lost_map", "restoration_map", "recovery_curves",
           "crews_over_time", "crew_gantt", "sweep_plot", "effect_sizes", "importance_bars",
           "learning_curve", "predicted_vs_observed", "training_history", "archive_heatmaps",
           "ensemble_boxes", "forecast_band", "mitigation_plot", "household_states"]

_TYPE_COLOURS = {"residential": "#4c72b0", "office": "#dd8452", "commercial": "#55a868",
                 "industrial": "#8172b3", "public": "#c44e52"}
_NETWORK_COLOURS = {"water": "#1f78b4", "power": "#e6ab02", "road": "#999999"}
_NETWORK_WORDS = {"road": "streets", "water": "water mains", "power": "power lines"}
#: Networks laid along the streets share their lines: streets wide and pale underneath, water
#: narrower on top, power dashed on top of that, so all three stay visible.
_NETWORK_LINES = {"road": {"color": "#c8c8c8", "linewidth": 3.0, "linestyle": "-"},
                  "water": {"color": _NETWORK_COLOURS["water"], "linewidth": 1.2, "linestyle": "-"},
                  "power": {"color": _NETWORK_COLOURS["power"], "linewidth": 1.0,
                            "linestyle": "--"}}
#: One colour and line style per strategy, in every plot of the report and the dashboard
#: (colour-blind-safe Okabe-Ito colours; dashes keep overlapping curves visible).
STRATEGY_STYLES = {"rigid": {"color": "#D55E00", "linestyle": "-"},
                   "semiflexible": {"color": "#0072B2", "linestyle": "--"},
                   "flexible": {"color": "#009E73", "linestyle": ":"}}
#: Line widths, widest first in drawing order: a narrower curve on top of an identical one
#: leaves the wider one showing at its sides.
_STRATEGY_WIDTHS = {"rigid": 3.2, "semiflexible": 2.2, "flexible": 2.0}
_EXTRA_STYLES = ({"color": "#CC79A7", "linestyle": "-."}, {"color": "#E69F00", "linestyle": "-"},
                 {"color": "#56B4E9", "linestyle": "--"}, {"color": "#000000", "linestyle": ":"})

#: Hazus damage states 0–4: name and colour, the same in every run (green, then yellow to
#: dark red with the severity; ColorBrewer RdYlGn and RdBu ends).
DAMAGE_STATE_COLOURS = dict(zip(range(5), zip(DAMAGE_STATES, (
    "#1a9850", "#fee08b", "#fc8d59", "#d73027", "#67001f"))))
#: Networks whose service a building lost (0–3): name and colour, the same in every run.
SERVICES_LOST_COLOURS = {0: ("none", "#d9d9d9"), 1: ("one network", "#fdbe85"),
                         2: ("two networks", "#fd8d3c"), 3: ("all three", "#a63603")}

#: What a variable is, in words, and its units (``None``: take the units from the data).
VARIABLES = {
    "ep_functionality": ("EP functionality", "–"),
    "sc_functionality": ("SC functionality", "–"),
    "functionality": ("Functionality", "–"),
    "crews_busy": ("Busy crews", "crews"),
    "displaced": ("Displaced residents", "persons"),
    "economic_loss": ("Economic loss", "EUR"),
    "ep_loss": ("Lost economic productivity", "EUR"),
    "repair_cost": ("Direct repair cost", "EUR"),
    "service_loss_person_days": ("Service-capacity loss", "person-days"),
    "recovery_days_95": ("Days to 95 % functionality", "days"),
    "crews": ("Crews, all trades", "crews"),
    "commitment_days": ("Commitment period", "days"),
    "day": ("Days after the event", "days"),
}
_DAYS = hv.Dimension("day", label="Days after the event [days]")
_SAMPLE_DIMS = (REALIZATION, MEMBER)

#: The folder of a run that :func:`save_figure` writes into.
FIGURES_DIR = "figures"


def strategy_style(strategy: str, order: int = 0) -> dict:
    """Colour and line style of ``strategy`` (:data:`STRATEGY_STYLES`; a strategy not named
    there gets one of a few further styles, by its position ``order``)."""
    return dict(STRATEGY_STYLES.get(str(strategy), _EXTRA_STYLES[order % len(_EXTRA_STYLES)]))


def _width(strategy: str) -> float:
    return _STRATEGY_WIDTHS.get(str(strategy), 1.8)


def axis_label(variable: str, units: str | None = None, scale: str = "") -> str:
    """``variable`` in words with its units in brackets, e.g. ``Economic loss [EUR M]``.

    Examples
    --------
    >>> axis_label("ep_functionality"), axis_label("economic_loss", scale="M")
    ('EP functionality [–]', 'Economic loss [EUR M]')
    >>> axis_label("materials_spent", "EUR/day")
    'materials spent [EUR/day]'
    """
    words, known = VARIABLES.get(variable, (variable.replace("_", " "), None))
    unit = unit_text(units if known is None and units else (known or units or ""))
    if scale and unit.startswith("EUR"):
        unit = f"EUR {scale}{unit[3:]}"
    return f"{words} [{unit}]" if unit else words


def _plain_axes(fig) -> None:
    """No offset and no scientific notation on any linear axis (no "1e10" corner labels), and
    thousands separators from 10,000 up."""
    from matplotlib.ticker import FuncFormatter, ScalarFormatter
    for ax in fig.axes:
        for axis, limits in ((ax.xaxis, ax.get_xlim()), (ax.yaxis, ax.get_ylim())):
            fmt = axis.get_major_formatter()
            if type(fmt) is not ScalarFormatter:
                continue
            if max(abs(v) for v in limits) >= 1e4:
                axis.set_major_formatter(FuncFormatter(lambda v, _: f"{v:,.12g}"))
            else:
                fmt.set_useOffset(False)
                fmt.set_scientific(False)


def static(obj, *, fig_inches: float = 7.0):
    """Render a HoloViews object to a matplotlib ``Figure`` (shown as a PNG in notebooks)."""
    import matplotlib.pyplot as plt
    fig = hv.render(obj.opts(fig_inches=fig_inches, backend="matplotlib"), backend="matplotlib")
    _plain_axes(fig)
    plt.close(fig)  # the returned figure is displayed once, by whoever shows it
    return fig


_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]*$")


def save_figure(fig, run_dir, name: str, caption: str):
    """Write ``fig`` into ``<run_dir>/figures/`` as ``name.png`` (300 dpi) and ``name.svg``,
    with its caption in ``name.txt``; returns ``fig`` (so a cell shows it).

    Each file is written through a temporary file and a rename; the SVG carries no date and
    fixed ids, so the same figure gives the same file.
    """
    import matplotlib
    if not _NAME.match(name):
        raise ValueError(f"figure name {name!r}: letters, digits, '_', '-' and '.' only")
    folder = Path(run_dir) / FIGURES_DIR
    folder.mkdir(parents=True, exist_ok=True)
    with matplotlib.rc_context({"svg.hashsalt": name, "svg.fonttype": "none"}):
        for ext, extra in (("png", {"dpi": 300, "metadata": {"Software": None}}),
                           ("svg", {"metadata": {"Date": None, "Creator": None}})):
            target = folder / f"{name}.{ext}"
            tmp = folder / f".{name}.{ext}.tmp"
            fig.savefig(tmp, format=ext, bbox_inches="tight", facecolor="white", **extra)
            tmp.replace(target)
    text = folder / f"{name}.txt"
    tmp = folder / f".{name}.txt.tmp"
    tmp.write_text(caption.strip() + "\n", encoding="utf-8")
    tmp.replace(text)
    return fig


# --------------------------------------------------------------------------- maps

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


def _network_layers(city: City, origin, networks) -> list:
    layers = []
    for name in sorted(networks, key=list(_NETWORK_LINES).index):   # widest first
        if name in city.networks:
            layers.append(hv.Segments(_segments_km(city.networks[name], origin),
                                      kdims=["x0", "y0", "x1", "y1"]).opts(
                backend="matplotlib", **_NETWORK_LINES[name]))
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
                handles.append(Line2D([], [], **_NETWORK_LINES[c]) if kind == "line" else
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
    nets = [(_NETWORK_WORDS[n], n, "line") for n in networks if n in city.networks]
    legends = list(legends) + ([("networks", nets)] if nets else [])
    return hv.Overlay(_network_layers(city, origin, networks) + layers).opts(
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
    layers, entries = [], []
    for kind, colour in _TYPE_COLOURS.items():
        sub = frame[frame["type"] == kind]
        if len(sub):
            layers.append(_points(sub, colour))
            entries.append((kind, colour, "marker"))
    return _map(layers, city, origin, networks, [("building type", entries)],
                f"{city.name}: buildings by type over the networks")


def _category_map(city: City, values, categories: dict, legend_title: str, title: str,
                  networks, numbered: bool = False) -> hv.Overlay:
    """Buildings coloured by category (every category in the legend, with its count)."""
    origin = _origin(city)
    frame = _buildings_km(city, origin)
    frame["category"] = np.asarray(values, dtype=float)
    layers = []
    for code, (name, colour) in categories.items():
        sub = frame[frame["category"] == code]
        if len(sub):
            layers.append(_points(sub, colour))
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
    from day 0 to the horizon, in days), those not restored within the horizon in grey."""
    rec = recovery.isel({REALIZATION: 0}) if REALIZATION in recovery.dims else recovery
    horizon = float(rec[TIME].values[-1])
    origin = _origin(city)
    frame = _buildings_km(city, origin)
    frame["day"] = np.asarray(rec["building_restored_day"].sel({STRATEGY: strategy})
                              .sel({BUILDING: city.buildings[BUILDING]}).values, float)
    done = frame[np.isfinite(frame["day"]) & (frame["day"] <= horizon)]
    open_ = frame.drop(done.index)
    label = "restoration day [days after the event]"
    layers = [hv.Points(done, kdims=["x", "y"], vdims=[("day", label)]).opts(
        color="day", cmap="viridis", clim=(0, horizon), colorbar=True, s=14,
        edgecolors="black", linewidth=0.3, backend="matplotlib")]
    if len(open_):
        layers.append(_points(open_, "#bdbdbd", marker="X", s=22))
    legends = [("", [(f"not restored within {horizon:,.0f} days ({len(open_):,})", "#bdbdbd",
                      "x")])] if len(open_) else []
    return _map(layers, city, origin, networks, legends,
                f"Restoration day of each building, {strategy}", below=True)


# --------------------------------------------------------------------------- strategies

def _samples(da: xr.DataArray) -> list[str]:
    return [d for d in _SAMPLE_DIMS if d in da.dims]


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
                                  kdims=[_DAYS], vdims=[(variable, label), "hi"]).opts(
                color=style["color"], alpha=0.12, linewidth=0, backend="matplotlib"))
            series = series.mean(samples)
        elif samples:
            series = series.isel({d: 0 for d in samples})
        layers.append(hv.Curve((t, series.values), kdims=[_DAYS], vdims=[(variable, label)],
                               label=str(s)).opts(
            color=style["color"], linestyle=style["linestyle"], linewidth=_width(s),
            interpolation="steps-post", backend="matplotlib"))
    words = VARIABLES.get(variable, (variable.replace("_", " "),))[0]
    what = (f"\nmean and 5–95 % band over {n:,} "
            f"{'members' if MEMBER in samples else 'realisations'}" if n > 1 else "")
    opts = {"ylim": (0, 1.05)} if variable.endswith("functionality") else {}
    return hv.Overlay(layers).opts(title=f"{words} by strategy{what}", legend_position="best",
                                   fontsize={"title": 10}, backend="matplotlib", **opts)


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
            marker="o", linewidth=_width(key) if by == "strategy" else 1.8,
            backend="matplotlib", **style))
    words_y = VARIABLES.get(y, (y.replace("_", " "),))[0]
    words_x = VARIABLES.get(x, (x.replace("_", " "),))[0].lower()
    if VARIABLES.get(y, ("", ""))[1] in ("EUR", "person-days"):
        top = float(np.nanmax(table[y].to_numpy(float))) / factor if len(table) else 1.0
        opts["ylim"] = (0, 1.08 * top if top > 0 else 1.0)   # a loss from zero: true sizes
    return hv.Overlay(curves).opts(title=f"{words_y} against {words_x}", backend="matplotlib",
                                   **opts)


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
    layers = [hv.Area((t, forecast["lo"].values, forecast["hi"].values), kdims=[_DAYS],
                      vdims=[(variable, label), "hi"], label="90 % band").opts(
                          alpha=0.25, color=colour, linewidth=0, backend="matplotlib"),
              hv.Curve((t, forecast["mean"].values), kdims=[_DAYS], vdims=[(variable, label)],
                       label="forecast mean").opts(color=colour, linewidth=2,
                                                   backend="matplotlib")]
    if truth is not None:
        layers.append(hv.Curve((t, np.asarray(truth)), kdims=[_DAYS], vdims=[(variable, label)],
                               label="held-back truth").opts(color="black", linestyle="--",
                                                             backend="matplotlib"))
    obs = np.asarray(observed)
    layers.append(hv.Scatter((np.arange(len(obs)), obs), kdims=[_DAYS], vdims=[(variable, label)],
                             label=f"observed ({len(obs)} days)").opts(
                                 color="black", marker="o", s=10, backend="matplotlib"))
    words = VARIABLES.get(variable, (variable.replace("_", " "),))[0]
    who = f" under {strategy}" if strategy is not None else ""
    return hv.Overlay(layers).opts(title=f"{words}{who}: forecast from the first {len(obs)} days",
                                   legend_position="bottom_right", backend="matplotlib")


# --------------------------------------------------------------------------- stage 06

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


# --------------------------------------------------------------------------- people (response)

#: Fixed colours of the households' states (``workbench.response.agents``).
HOUSEHOLD_STATE_COLOURS = {"home": "#009E73", "shelter": "#56B4E9", "elsewhere": "#E69F00",
                           "unsheltered": "#D55E00"}


def household_states(agents: xr.Dataset, strategy: str) -> hv.Overlay:
    """Residents by where they are (home, shelter, elsewhere, unsheltered) over time, stacked,
    under ``strategy`` (``workbench.response.simulate_agents``)."""
    persons = agents["persons"].sel({STRATEGY: strategy}) if STRATEGY in agents["persons"].dims \
        else agents["persons"]
    t = persons[TIME].values
    y_dim = hv.Dimension("persons", label="Residents [persons]")
    layers, below = [], np.zeros(len(t))
    for k in persons["state"].values.astype(str):          # stacked by hand: fixed colours
        above = below + persons.sel(state=k).values
        layers.append(hv.Area((t, above, below), kdims=[_DAYS], vdims=[y_dim, "below"],
                              label=k).opts(facecolor=HOUSEHOLD_STATE_COLOURS.get(k, "#999999"),
                                            alpha=0.9, linewidth=0, backend="matplotlib"))
        below = above
    states = list(persons["state"].values.astype(str))

    def legend(plot, element):           # filled bands carry no legend entry of their own
        from matplotlib.patches import Patch
        plot.handles["axis"].legend(
            handles=[Patch(facecolor=HOUSEHOLD_STATE_COLOURS.get(k, "#999999"), label=k)
                     for k in reversed(states)], loc="center left", bbox_to_anchor=(1.01, 0.5),
            frameon=False)

    return hv.Overlay(layers).opts(title=f"Where the residents are, {strategy}", aspect=2,
                                   hooks=[legend], backend="matplotlib")
