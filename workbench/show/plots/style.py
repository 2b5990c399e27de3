"""The visual language of the plots: one colour and line style per strategy, axes in words with
units, fixed category colours; :func:`static` renders, :func:`save_figure` writes."""

from __future__ import annotations

import re
from pathlib import Path

import holoviews as hv
import holoviews.plotting.mpl  # noqa: F401 — registers the matplotlib backend the options name

from ...core.dims import DAMAGE_STATES, MEMBER, REALIZATION
from ..formatting import unit_text

__all__ = ["TYPE_COLOURS", "NETWORK_COLOURS", "NETWORK_WORDS", "NETWORK_LINES", "STRATEGY_STYLES",
           "DAMAGE_STATE_COLOURS", "SERVICES_LOST_COLOURS", "VARIABLES", "DAYS", "SAMPLE_DIMS",
           "FIGURES_DIR", "strategy_style", "strategy_width", "axis_label", "static",
           "save_figure"]


TYPE_COLOURS = {"residential": "#4c72b0", "office": "#dd8452", "commercial": "#55a868",
                 "industrial": "#8172b3", "public": "#c44e52"}
NETWORK_COLOURS = {"water": "#1f78b4", "power": "#e6ab02", "road": "#999999"}
NETWORK_WORDS = {"road": "streets", "water": "water mains", "power": "power lines"}
#: Networks laid along the streets share their lines: streets wide and pale underneath, water
#: narrower on top, power dashed on top of that, so all three stay visible.
NETWORK_LINES = {"road": {"color": "#c8c8c8", "linewidth": 3.0, "linestyle": "-"},
                  "water": {"color": NETWORK_COLOURS["water"], "linewidth": 1.2, "linestyle": "-"},
                  "power": {"color": NETWORK_COLOURS["power"], "linewidth": 1.0,
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
DAYS = hv.Dimension("day", label="Days after the event [days]")
SAMPLE_DIMS = (REALIZATION, MEMBER)

#: The folder of a run that :func:`save_figure` writes into.
FIGURES_DIR = "figures"


def strategy_style(strategy: str, order: int = 0) -> dict:
    """Colour and line style of ``strategy`` (:data:`STRATEGY_STYLES`; a strategy not named
    there gets one of a few further styles, by its position ``order``)."""
    return dict(STRATEGY_STYLES.get(str(strategy), _EXTRA_STYLES[order % len(_EXTRA_STYLES)]))


def strategy_width(strategy: str) -> float:
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
