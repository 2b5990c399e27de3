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

The figures by what they draw: :mod:`.style` (the language, :func:`static`, :func:`save_figure`),
:mod:`.maps`, :mod:`.curves` (strategies, crews, sweeps), :mod:`.models` (stages 02–03),
:mod:`.ensemble` (stage 05), :mod:`.mitigation` (stage 06), :mod:`.people` (agents),
:mod:`.validation` (observed lifeline restoration).
"""

from .style import (STRATEGY_STYLES, DAMAGE_STATE_COLOURS, SERVICES_LOST_COLOURS, VARIABLES,
    FIGURES_DIR, strategy_style, axis_label, static, save_figure)
from .maps import city_map, damage_map, raster_note, restoration_map, services_lost_map
from .curves import crew_gantt, crews_over_time, recovery_curves, sweep_plot
from .models import (effect_sizes, importance_bars, learning_curve, predicted_vs_observed,
    training_history, archive_heatmaps)
from .ensemble import ensemble_boxes, forecast_band
from .mitigation import mitigation_plot
from .people import HOUSEHOLD_STATE_COLOURS, household_states
from .validation import validation_curves

__all__ = [
    "STRATEGY_STYLES", "DAMAGE_STATE_COLOURS", "SERVICES_LOST_COLOURS", "VARIABLES",
    "FIGURES_DIR", "strategy_style", "axis_label", "static", "save_figure", "city_map",
    "damage_map", "services_lost_map", "restoration_map", "raster_note", "recovery_curves",
    "crews_over_time",
    "crew_gantt", "sweep_plot", "effect_sizes", "importance_bars", "learning_curve",
    "predicted_vs_observed", "training_history", "archive_heatmaps", "ensemble_boxes",
    "forecast_band", "mitigation_plot", "household_states", "HOUSEHOLD_STATE_COLOURS",
    "validation_curves"]
