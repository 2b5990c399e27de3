"""An ipywidgets dashboard: change the constraints and the hazard, watch recovery move (METHOD §8).

:class:`Dashboard` puts the run's parameters behind bounded widgets — crews (one shared pool
or by trade, as the file gives them), materials per day, commitment days, strategies, hazard
magnitude and location (a bathtub flood: its water level), seed, the functionality model where a trained archive is at hand, the
mitigation options in effect
(``mitigation.apply``) — and shows what :func:`workbench.run.pipeline.simulate`
would compute for them: the EP and SC functionality curves of the chosen strategies, the index
table of ``summary.json``, the repair work of each crew trade (:func:`work_table_html`: what a
crew slider acts on, and why one that cannot move the indexes does not) and a map of the day
each building is restored (hover a building for its id, type, damage state and restoration
day). It computes with the pipeline's own stages
(:func:`~workbench.run.pipeline.stages.damage_stage`, :func:`recover` — the recovery stage's
simulation without its report-only extras — and :func:`~workbench.run.pipeline.summary.summarize`), so the parameter file it shows
(:meth:`Dashboard.params_yaml`, saved by :meth:`Dashboard.save`) replays as a report with the
same numbers: ``workbench run dashboard.yaml``.

Damage is cached per hazard setting (hazard, seed, realizations, damage section, mitigation
in effect): moving a constraint re-runs the recovery only. A recomputation that fails (a setting the model refuses)
shows its error in the page and leaves the last good figures in place; the widgets keep working.

Why ipywidgets and not panel: the design asks for ipywidgets; they run unchanged in JupyterLab,
in a papermill-executed notebook and in Voilà (``workbench serve``), which gives every visitor a
kernel of their own; the callbacks are plain Python, testable without a browser. The map is an
inline SVG with one ``<title>`` per building, the browser's own tooltip: no JavaScript library to
load, nothing fetched from the network.
"""

from __future__ import annotations

import copy
import html
import io
import json
import logging
import math
import re
import time
from pathlib import Path

import numpy as np
import xarray as xr

from ..core.dims import BUILDING, COMPONENT, DAMAGE_STATES, REALIZATION, STRATEGIES, STRATEGY
from ..core.errors import InputError, WorkbenchError
from ..metrics.indexes import last_restoration_day, plot_days, summary_indexes
from ..network.system import build_system
from ..recovery import (ANY_TRADE, DEFAULT_COMMITMENT_DAYS, TRADES, crew_pools, repair_tasks,
                        simulate_recovery)
from .params import dump_params, load_params, validate_params
from .pipeline.modelling import functionality_of, load_trained_archive
from .pipeline.stages import damage_stage, map_stage, mitigated, realization
from .pipeline.summary import summarize
from .pipeline.writer import write_text
from ..show.plots.raster import RASTER_ABOVE, cell_of, latest_per_cell, png_bytes

__all__ = ["Dashboard", "BOUNDS", "restoration_map_svg", "index_table_html", "work_table_html",
           "curves_png", "flexible_note", "recover", "STRATEGY_STYLES"]

log = logging.getLogger(__name__)

#: Widget bounds: (minimum, maximum, step). A widget cannot leave them, so it cannot produce a
#: constraint the model refuses (the only refusals left: no crew of any trade, no strategy).
BOUNDS = {
    "crews.building": (0, 400, 1), "crews.water": (0, 60, 1), "crews.power": (0, 60, 1),
    "crews.road": (0, 60, 1), "crews.any": (1, 580, 1),   # any: one shared pool
    "materials_per_day": (5.0, 10.0, 0.1),      # log10 EUR/day (100 k … 10 bn)
    "commitment_days": (0, 365, 1),
    "magnitude": (5.0, 8.0, 0.1),               # the ground-motion model's validity (M 5–8)
    "offset_km": (-10.0, 10.0, 0.25),           # epicentre east / north of the city centre
    "water_level_m": (0.0, 10.0, 0.1),          # a bathtub flood's still water level [m]
    "seed": (0, 2**31 - 1, 1),
}
#: Indexes of the table, with their labels and how they are shown.
_TABLE = (("economic_loss", "Economic loss", "EUR bn", 1e9, 3),
          ("ep_loss", "EP loss", "EUR bn", 1e9, 3),
          ("repair_cost", "Repair cost", "EUR bn", 1e9, 3),
          ("service_loss_person_days", "Service loss", "k person-days", 1e3, 1),
          ("displaced_person_days", "Displaced", "k person-days", 1e3, 1),
          ("recovery_days_95", "95 % functionality back", "day", 1, 0),
          ("functionality_72h", "Functionality at 72 h", "–", 1, 3),
          ("unrestored_buildings", "Buildings not restored at horizon", "buildings", 1, 0))
#: Cell padding of the dashboard's tables (an HTML widget takes no style sheet of the page).
_PAD = "padding:2px 8px"
#: The strategies' colours and line styles: the report's (``workbench.show.plots.STRATEGY_STYLES``,
#: equal, tested), held here because importing the report's plotting package loads HoloViews,
#: panel and bokeh into every visitor's kernel: 2 s and 54 MB each for three colours.
STRATEGY_STYLES = {"rigid": {"color": "#D55E00", "linestyle": "-"},
                   "semiflexible": {"color": "#0072B2", "linestyle": "--"},
                   "flexible": {"color": "#009E73", "linestyle": ":"}}
#: The limits semiflexible respects and flexible ignores, in a participant's words
#: (the causes of :data:`workbench.recovery.gap.GAP_STEPS`).
_LIMIT_WORDS = {"impeding_delays": "the delays before a repair may start (inspection, "
                                   "engineering, permits, financing)",
                "information": "damage known only once a building is inspected",
                "commitment": "crews kept on a task for the commitment period",
                "switching": "the days a crew needs to move to a new task"}
_SAVE_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,80}$")


def _widgets():
    import ipywidgets
    return ipywidgets


class Dashboard:
    """The dashboard of one parameter set (``None``: the defaults, the bundled demo city).

    Parameters
    ----------
    params : dict or None
        Parameters as :func:`workbench.run.params.validate_params` takes them.
    run_dir : path, optional
        A finished run folder: its trained archive (stage 03, ``models/``) is what the
        functionality switch's *trained* uses (without one the switch offers the lookup tables
        only), its stage-05 result (``uncertainty.json``: best strategy and how sure) is shown
        beside the table, and, when ``params`` is None, its parameters are the start.
    save_dir : path, optional
        Folder :meth:`save` writes parameter files into (default: the current directory). A
        file name from the page is a plain name, never a path.

    Attributes
    ----------
    widget : ipywidgets.Widget
        The page (display it in a notebook).
    summary : dict
        The ``strategies`` section of ``summary.json`` for the current settings.
    recovery : xarray.Dataset
        The recovery of the current settings.
    error : str or None
        The message of the last failed recomputation (None after a good one).
    timings : dict
        Seconds of the last recomputation: ``damage`` (0 when cached), ``recovery``, ``draw``.

    Examples
    --------
    >>> dash = Dashboard()                                       # doctest: +SKIP
    >>> dash.controls["crews.building"].value = 120              # doctest: +SKIP
    >>> dash.summary["semiflexible"]["economic_loss"]            # doctest: +SKIP
    """

    def __init__(self, params: dict | None = None, *, run_dir=None, save_dir=None):
        if params is None and run_dir is not None:     # the run's own parameters
            from .pipeline.reader import read_params
            params = read_params(run_dir)
        self.base = validate_params(copy.deepcopy(params) if params else {})
        if self.base["hazard"]["kind"] != "earthquake" and self.base["damage"]["source"] is None:
            log.info("hazard.kind %s: the magnitude and location controls are inactive",
                     self.base["hazard"]["kind"])
        self._bathtub = False
        self.save_dir = Path(save_dir) if save_dir is not None else Path.cwd()
        self.city = map_stage(self.base)
        self.system = build_system(self.city)
        self.archive = self._archive(run_dir)
        self.context = _run_context(run_dir)
        b = self.city.buildings
        self._centre = (float(b["x"].mean()), float(b["y"].mean()))
        self._damage_cache: dict[str, object] = {}
        self.summary: dict = {}
        self.recovery = None
        self.damage = None
        self.error: str | None = None
        self.timings: dict = {}
        self.computing = False
        self._building()
        self.refresh()

    @classmethod
    def from_file(cls, path=None, **kw) -> "Dashboard":
        """The dashboard of a parameter file (``None`` or ``""``: the run folder's parameters
        when ``run_dir`` is given, else the defaults)."""
        if not path and kw.get("run_dir"):
            return cls(None, **kw)
        return cls(load_params(path or None), **kw)

    # ------------------------------------------------------------------ widgets

    def _archive(self, run_dir):
        if run_dir is None:
            return None
        return load_trained_archive(run_dir)

    def _building(self) -> None:
        w = _widgets()
        p = self.base
        # crews as the file gives them: one shared pool (one slider) or by trade (one each)
        self.pools = crew_pools(p["constraints"]["crews"])
        c = {}
        style = {"description_width": "150px"}
        layout = w.Layout(width="420px")

        def int_slider(key, value, text):
            lo, hi, step = BOUNDS[key]
            c[key] = w.IntSlider(value=int(min(max(value, lo), hi)), min=lo, max=hi, step=step,
                                 description=text, style=style, layout=layout,
                                 continuous_update=False)

        for pool, n in self.pools.items():
            int_slider(f"crews.{pool}", n, "crews, any trade" if pool == ANY_TRADE
                       else f"{pool} crews")
        materials = p["constraints"]["materials_per_day"]
        lo, hi, step = BOUNDS["materials_per_day"]
        c["materials_unlimited"] = w.Checkbox(value=math.isinf(materials),
                                              description="materials unlimited", indent=False)
        c["materials_per_day"] = w.FloatLogSlider(
            value=1e8 if math.isinf(materials) else min(max(materials, 10**lo), 10**hi),
            base=10, min=lo, max=hi, step=step, description="materials [EUR/day]", style=style,
            layout=layout, continuous_update=False, readout_format=".3g",
            disabled=math.isinf(materials))
        commit = p["constraints"]["commitment_days"]
        c["commitment_to_completion"] = w.Checkbox(value=math.isinf(commit),
                                                   description="commit to completion",
                                                   indent=False)
        int_slider("commitment_days", DEFAULT_COMMITMENT_DAYS if math.isinf(commit) else commit,
                   "commitment [days]")
        c["commitment_days"].disabled = math.isinf(commit)
        c["strategies"] = w.SelectMultiple(options=list(STRATEGIES), value=tuple(p["strategies"]),
                                           description="strategies", style=style, rows=3)
        h = p["hazard"]
        lo, hi, step = BOUNDS["magnitude"]
        c["magnitude"] = w.FloatSlider(value=min(max(float(h["magnitude"]), lo), hi), min=lo,
                                       max=hi, step=step, description="magnitude [Mw]",
                                       style=style, layout=layout, continuous_update=False)
        east, north = self._offsets(h["location"])
        lo, hi, step = BOUNDS["offset_km"]
        for key, value, text in (("east_km", east, "epicentre east [km]"),
                                 ("north_km", north, "epicentre north [km]")):
            c[key] = w.FloatSlider(value=min(max(value, lo), hi), min=lo, max=hi, step=step,
                                   description=text, style=style, layout=layout,
                                   continuous_update=False)
        quake = h["kind"] == "earthquake" and p["damage"]["source"] is None
        self._quake = quake        # the hazard controls act (not their `disabled`: busy sets it)
        for key in ("magnitude", "east_km", "north_km"):
            c[key].disabled = not quake
        # a bathtub flood: its water level (a depth grid is the user's, not a control's)
        self._bathtub = (h["kind"] == "flood" and h.get("water_level_m") is not None
                         and p["damage"]["source"] is None)
        lo, hi, step = BOUNDS["water_level_m"]
        level = float(h["water_level_m"]) if self._bathtub else 0.0
        c["water_level_m"] = w.FloatSlider(value=min(max(level, lo), hi), min=lo, max=hi,
                                           step=step, description="water level [m]",
                                           style=style, layout=layout,
                                           continuous_update=False, disabled=not self._bathtub)
        # the controls of another hazard are hidden, not only inactive (their own layouts)
        flood = h["kind"] == "flood" and p["damage"]["source"] is None
        for key in ("magnitude", "east_km", "north_km", "water_level_m"):
            shown = (key == "water_level_m") == flood
            c[key].layout = w.Layout(width="420px", display=None if shown else "none")
        lo, hi, _ = BOUNDS["seed"]
        c["seed"] = w.BoundedIntText(value=int(p["seed"]), min=lo, max=hi, description="seed",
                                     style=style, layout=w.Layout(width="260px"))
        options = ["table"] + (["trained"] if self.archive is not None else [])
        used = p["models"]["functionality"] if p["models"]["functionality"] in options else "table"
        c["functionality"] = w.ToggleButtons(options=options, value=used,
                                             description="functionality", style=style)
        names = [o["name"] for o in p["mitigation"]["options"]]
        c["mitigation"] = w.SelectMultiple(options=names, value=tuple(p["mitigation"]["apply"]),
                                           description="in effect", style=style,
                                           rows=max(1, min(5, len(names))),
                                           disabled=not names)
        c["map_strategy"] = w.Dropdown(options=list(p["strategies"]), value=p["strategies"][0],
                                       description="map of", style=style)
        self.controls = c

        self.status = w.HTML()
        self.busy = w.HTML(layout=w.Layout(min_height="1.6em"))
        self.table = w.HTML()
        self.note = w.HTML(layout=w.Layout(max_width="640px"))
        self.work = w.HTML()
        self.curves = w.Image(format="png", layout=w.Layout(width="640px"))
        self.map = w.HTML()
        self.yaml = w.Textarea(disabled=True, layout=w.Layout(width="420px", height="260px"))
        self.save_name = w.Text(value="dashboard.yaml", description="save as",
                                layout=w.Layout(width="300px"))
        self.save_button = w.Button(description="save parameter file", icon="save")
        self.save_status = w.HTML()
        self.save_button.on_click(lambda _: self._save_clicked())
        c["materials_unlimited"].observe(self._toggle_materials, names="value")
        c["commitment_to_completion"].observe(self._toggle_commitment, names="value")
        for key, control in c.items():
            if key == "map_strategy":
                control.observe(lambda _: self._draw_map(), names="value")
            elif key not in ("materials_unlimited", "commitment_to_completion"):
                control.observe(self.refresh, names="value")

        section = lambda text: w.HTML(f"<b>{html.escape(text)}</b>")  # noqa: E731
        left = w.VBox([section("Resources"), *(c[f"crews.{t}"] for t in self.pools),
                       c["materials_unlimited"], c["materials_per_day"],
                       section("Commitment"), c["commitment_to_completion"],
                       c["commitment_days"], section("Strategies"), c["strategies"],
                       section(f"Hazard: {self._hazard_kind()}"), c["magnitude"],
                       c["east_km"], c["north_km"], c["water_level_m"],
                       c["seed"], section("Model"), c["functionality"],
                       section("Mitigation (options of the parameter file, as if done)"),
                       c["mitigation"],
                       section("Parameter file (replays as a report: workbench run FILE)"),
                       self.yaml, w.HBox([self.save_name, self.save_button]), self.save_status],
                      layout=w.Layout(width="440px"))
        right = w.VBox([self.busy, self.status, self.table, self.note, w.HTML(self.context),
                        self.curves,
                        w.HTML("<b>Repair work by crew trade</b> (realisation 0)"), self.work,
                        c["map_strategy"], self.map])
        self.widget = w.HBox([left, right])

    def _hazard_kind(self) -> str:
        """The hazard in a few words, for the controls' heading."""
        h, p = self.base["hazard"], self.base
        if p["damage"]["source"] is not None:
            return "a damage table (no hazard control)"
        if h["kind"] == "flood":
            return ("flood (a bathtub over the terrain)" if self._bathtub
                    else "flood (a depth grid: no hazard control)")
        return {"earthquake": "earthquake", "field": "a ground-motion field (no hazard "
                "control)"}.get(h["kind"], h["kind"]) + (
            f", then {len(p['events'])} later event(s)" if p.get("events") else "")

    def _offsets(self, location) -> tuple[float, float]:
        if location == "centre":
            return 0.0, 0.0
        x, y = map(float, location)
        return (x - self._centre[0]) / 1e3, (y - self._centre[1]) / 1e3

    def _toggle_materials(self, change) -> None:
        self.controls["materials_per_day"].disabled = bool(change["new"])
        self.refresh()

    def _toggle_commitment(self, change) -> None:
        self.controls["commitment_days"].disabled = bool(change["new"])
        self.refresh()

    # ------------------------------------------------------------------ parameters

    def current_params(self) -> dict:
        """The full, validated parameters of the widgets' current values."""
        c = self.controls
        p = copy.deepcopy(self.base)
        crews = {t: int(c[f"crews.{t}"].value) for t in self.pools}
        p["constraints"]["crews"] = crews.get(ANY_TRADE, crews)   # in the file's own form
        p["constraints"]["materials_per_day"] = (math.inf if c["materials_unlimited"].value
                                                 else float(c["materials_per_day"].value))
        p["constraints"]["commitment_days"] = (math.inf if c["commitment_to_completion"].value
                                               else int(c["commitment_days"].value))
        p["strategies"] = [s for s in STRATEGIES if s in c["strategies"].value]
        if not p["strategies"]:
            raise InputError("choose at least one strategy")
        if self._quake:
            p["hazard"]["magnitude"] = round(float(c["magnitude"].value), 2)
            east, north = float(c["east_km"].value), float(c["north_km"].value)
            p["hazard"]["location"] = ("centre" if east == 0.0 and north == 0.0 else
                                       [round(self._centre[0] + 1e3 * east, 3),
                                        round(self._centre[1] + 1e3 * north, 3)])
        if self._bathtub:
            p["hazard"]["water_level_m"] = round(float(c["water_level_m"].value), 2)
        p["seed"] = int(c["seed"].value)
        chosen = set(c["mitigation"].value)
        p["mitigation"]["apply"] = [o["name"] for o in p["mitigation"]["options"]
                                    if o["name"] in chosen]
        p["models"]["functionality"] = c["functionality"].value
        return validate_params(p)

    def params_yaml(self) -> str:
        """The current settings as a parameter file ``workbench run``/``simulate`` accept."""
        return ("# written by the workbench dashboard; replay: workbench run FILE\n"
                + dump_params(self.current_params()))

    def save(self, name: str = "dashboard.yaml") -> Path:
        """Write :meth:`params_yaml` to ``save_dir / name`` (``name``: a plain file name)."""
        if not isinstance(name, str) or not _SAVE_NAME.match(name) or ".." in name:
            raise InputError(f"save as: a plain file name of letters, digits, '_', '-', '.' "
                             f"(no folders), got {name!r}")
        if not name.endswith((".yaml", ".yml")):
            name += ".yaml"
        self.save_dir.mkdir(parents=True, exist_ok=True)
        target = self.save_dir / name
        write_text(target, self.params_yaml())
        return target

    def _save_clicked(self) -> None:
        try:
            target = self.save(self.save_name.value.strip())
            self.save_status.value = f"saved <code>{html.escape(str(target))}</code>"
        except (WorkbenchError, OSError) as exc:
            self.save_status.value = f"<span style='color:#b00'>{html.escape(str(exc))}</span>"

    # ------------------------------------------------------------------ computing

    def _damage(self, params: dict):
        key = json.dumps([params["hazard"], params.get("events"), params["seed"],
                          params["realizations"], params["damage"],
                          params["mitigation"]["apply"]],
                         sort_keys=True, default=str)
        if key not in self._damage_cache:
            if len(self._damage_cache) >= 8:       # a workshop sweeps a few hazards; keep 8
                self._damage_cache.pop(next(iter(self._damage_cache)))
            self._damage_cache[key] = damage_stage(params, self.city, self.system)
            return self._damage_cache[key], False
        return self._damage_cache[key], True

    def _gap(self) -> dict | None:
        """The semiflexible − flexible gap of the current settings by cause (realisation 0;
        :func:`workbench.recovery.gap.strategy_gap`), or None where semiflexible is not shown.
        Computed only when flexible is not the lowest loss (0.3–0.5 s on the demo city)."""
        if not {"semiflexible", "flexible"} <= set(self.summary):
            return None
        from ..recovery.gap import strategy_gap
        params = self.params
        archive = self.archive if params["models"]["functionality"] == "trained" else None
        city, system, limits, shelters = mitigated(params, self.city, self.system)
        return strategy_gap(city, system, realization(self.damage, 0), limits,
                            functionality=functionality_of(params, archive), shelters=shelters,
                            seed=params["seed"])

    def compute(self, params: dict) -> dict:
        """``summary.json``'s ``strategies`` for ``params`` (damage cached); sets
        :attr:`recovery`, :attr:`damage`, :attr:`summary` and :attr:`timings`."""
        t0 = time.perf_counter()
        damage, cached = self._damage(params)
        t1 = time.perf_counter()
        archive = self.archive if params["models"]["functionality"] == "trained" else None
        recovery, summaries = recover(params, self.city, self.system, damage, archive)
        summary = summarize(params, self.city, summaries,
                            functionality=params["models"]["functionality"])["strategies"]
        t2 = time.perf_counter()
        self.damage, self.recovery, self.summary = damage, recovery, summary
        self.params = params
        self.timings = {"damage": 0.0 if cached else t1 - t0, "recovery": t2 - t1}
        return summary

    def refresh(self, change=None) -> None:
        """Recompute for the widgets' values and redraw; a failure is shown, not raised.

        While it runs the page says so (:attr:`busy`: "Recomputing…") and every control is
        disabled, then each gets back the state it had: a recomputation takes 0.2–2 s and the
        figures would otherwise sit unchanged with no sign that a change was taken, and a
        participant who moved another slider meanwhile would queue a second run."""
        held = self._hold()
        try:
            self._refresh()
        finally:
            self._release(held)

    def _hold(self) -> dict:
        """Show the busy sign, disable every control; returns their previous ``disabled``."""
        self.computing = True
        self.busy.value = ("<span class='workbench-busy' style='color:#8a5a00;font-weight:bold'>"
                           "Recomputing… the figures below are still those of the previous "
                           "settings.</span>")
        held = {key: control.disabled for key, control in self.controls.items()}
        held["save"] = self.save_button.disabled
        for control in self.controls.values():
            control.disabled = True
        self.save_button.disabled = True
        return held

    def _release(self, held: dict) -> None:
        for key, control in self.controls.items():
            control.disabled = held[key]
        self.save_button.disabled = held["save"]
        self.busy.value = ""
        self.computing = False

    def _refresh(self) -> None:
        try:
            params = self.current_params()
            self.compute(params)
        except WorkbenchError as exc:
            self._failed(str(exc))
            return
        except Exception as exc:            # the page must keep working: show, log, go on
            log.exception("dashboard recomputation failed")
            self._failed(f"{type(exc).__name__}: {exc}")
            return
        t0 = time.perf_counter()
        self.error = None
        self.table.value = index_table_html(self.summary)
        self.note.value = flexible_note(
            self.summary, self.params["horizon_days"],
            gap=self._gap() if _flexible_not_lowest(self.summary) else None,
            realizations=int(self.damage.sizes.get(REALIZATION, 1)))
        self.work.value = work_table_html(self.system, self.damage, self.recovery)
        self.curves.value = curves_png(self.recovery)
        options = list(self.params["strategies"])
        chooser = self.controls["map_strategy"]
        if list(chooser.options) != options:
            keep = chooser.value if chooser.value in options else options[0]
            chooser.unobserve_all("value")
            chooser.options, chooser.value = options, keep
            chooser.observe(lambda _: self._draw_map(), names="value")
        self._draw_map()
        self.yaml.value = self.params_yaml()
        self.timings["draw"] = time.perf_counter() - t0
        total = sum(self.timings.values())
        self.status.value = (f"<span style='color:#333'>recomputed in {total:.2f} s "
                             f"(damage {'cached' if self.timings['damage'] == 0 else 'sampled'})"
                             f"</span>")

    def _failed(self, message: str) -> None:
        self.error = message
        self.status.value = (f"<div style='color:#b00;border:1px solid #b00;padding:4px'>"
                             f"Not recomputed: {html.escape(message)}. The figures below are "
                             f"those of the last good settings.</div>")

    def _draw_map(self) -> None:
        if self.recovery is None:
            return
        strategy = self.controls["map_strategy"].value
        self.map.value = restoration_map_svg(self.city, self.damage, self.recovery, strategy)


# --------------------------------------------------------------------------- the pieces

def recover(params: dict, city, system, damage, archive=None):
    """``(recovery, summaries)``: the recovery of every strategy on every realisation and their
    indexes, as :func:`~workbench.run.pipeline.stages.recovery_stage` computes them (the same
    calls, seeds ``seed + r``, the options of ``mitigation.apply`` in effect).

    Why not ``recovery_stage`` itself: it also computes what only the report shows — the
    semiflexible − flexible gap by cause and the shelter sensitivity sweep — which took 1.8 s of
    its 2.1 s on the demo city at M 5.5 and made every slider wait for figures the page never
    draws. The numbers are the same (tested against ``workbench simulate``, index for index).
    """
    city, system, limits, shelters = mitigated(params, city, system)
    model = functionality_of(params, archive)
    results, summaries = [], []
    for r in range(damage.sizes.get(REALIZATION, 1)):      # a few realisations, not buildings
        one = realization(damage, r)
        recovery = simulate_recovery(city, system, one, limits,
                                     strategies=tuple(params["strategies"]),
                                     functionality=model, shelters=shelters,
                                     seed=params["seed"] + r)
        results.append(recovery)
        summaries.append(summary_indexes(recovery, city, one))
    recovery = results[0] if len(results) == 1 else xr.concat(results, dim=REALIZATION)
    recovery.attrs["functionality"] = params["models"]["functionality"]
    return recovery, summaries


def _run_context(run_dir) -> str:
    """HTML of what a finished run adds: stage 05's best strategy and how sure ("" if none)."""
    if run_dir is None:
        return ""
    path = Path(run_dir) / "uncertainty.json"
    if not path.is_file():
        return ""
    try:
        from ..show.report import uncertainty_summary     # only with a run folder
        text = uncertainty_summary(json.loads(path.read_text()))
    except (ValueError, KeyError, TypeError) as exc:
        return f"<p>stage 05 result unreadable: {html.escape(str(exc))}</p>"
    body = re.sub(r"\*\*(.+?)\*\*", r"<b>\1</b>", html.escape(str(text)))
    return (f"<p style='max-width:640px'><i>From the run's stage 05 (ensemble, fixed "
            f"settings, not recomputed here):</i> {body}</p>")


def index_table_html(summary: dict) -> str:
    """The index table of ``summary.json``'s ``strategies`` as HTML (every text escaped)."""
    head = "".join(f"<th style='{_PAD}'>{html.escape(s)}</th>" for s in summary)
    rows = []
    for key, label, unit, scale, digits in _TABLE:
        cells = []
        for values in summary.values():
            v = values.get(key)
            if v is None:
                text = "not within horizon" if key.startswith("recovery_days") else "–"
            else:
                text = f"{v / scale:,.{digits}f}"
            cells.append(f"<td style='text-align:right;{_PAD}'>{html.escape(text)}</td>")
        rows.append(f"<tr><td style='{_PAD}'>{html.escape(label)} [{html.escape(unit)}]</td>"
                    f"{''.join(cells)}</tr>")
    return ("<table class='workbench-indexes' style='border-collapse:collapse'>"
            f"<thead><tr><th style='{_PAD}'>index</th>{head}</tr></thead>"
            f"<tbody>{''.join(rows)}</tbody></table>")


def _flexible_not_lowest(summary: dict) -> bool:
    loss = {s: v.get("economic_loss") for s, v in summary.items()}
    return ("flexible" in loss and loss["flexible"] is not None
            and any(v is not None and v < loss["flexible"] for s, v in loss.items()
                    if s != "flexible"))


def flexible_note(summary: dict, horizon_days: int, gap: dict | None = None, *,
                  realizations: int = 1) -> str:
    """HTML of one paragraph where flexible's economic loss is not the lowest ("" otherwise).

    Flexible is the optimistic bound of the model's *limits*: it knows all damage on day 0,
    starts repairs without delays and moves crews freely. Its daily plan is still the model's
    rule — each day, the repairs with the best functionality gain per remaining crew-day — not
    the best plan over the whole recovery, so a limit can order the work better. Measured on the
    demo city at M 6.5 with 20 building crews and ``horizon_days: 730``: semiflexible 22.57 <
    flexible 23.13 EUR bn, and adding the impeding delays alone to flexible lowers its loss by
    0.59 EUR bn (information +0.01, commitment −0.01, switching +0.03). ``gap``
    (:func:`workbench.recovery.gap.strategy_gap`) names the limit that lowers it here; a
    recovery cut by the horizon is said too (its losses count only up to the horizon).

    >>> s = {"rigid": {"economic_loss": 24.33e9, "unrestored_buildings": 300.0},
    ...      "semiflexible": {"economic_loss": 22.57e9, "unrestored_buildings": 346.0},
    ...      "flexible": {"economic_loss": 23.13e9, "unrestored_buildings": 368.0}}
    >>> "Here flexible is not the lowest" in flexible_note(s, 730)
    True
    >>> flexible_note({"flexible": {"economic_loss": 1.0}, "rigid": {"economic_loss": 2.0}}, 365)
    ''
    """
    if not _flexible_not_lowest(summary):
        return ""
    flex = summary["flexible"]["economic_loss"]
    lower = sorted((v["economic_loss"], s) for s, v in summary.items()
                   if s != "flexible" and v.get("economic_loss") is not None
                   and v["economic_loss"] < flex)
    bn = lambda v: f"{v / 1e9:,.2f}"              # noqa: E731
    parts = ["<b>Here flexible is not the lowest:</b> "
             + ", ".join(f"{html.escape(s)} {bn(v)}" for v, s in lower)
             + f" &lt; flexible {bn(flex)} EUR bn economic loss. Flexible is the optimistic "
             "bound of the model's limits (all damage known on day 0, repairs started without "
             "delays, crews moved freely), but its daily plan is the same rule the others "
             "follow: each day, the repairs with the best functionality gain per remaining "
             "crew-day. That is not the best plan over the whole recovery, and here a limit "
             "orders the work better."]
    economic = (gap or {}).get("economic_loss")
    if economic:
        order = gap.get("order", list(economic["parts"]))
        steps = ", ".join(f"{html.escape(_LIMIT_WORDS.get(c, c).split(' (')[0])} "
                          f"{economic['parts'][c] / 1e9:+,.2f}" for c in order)
        best = min(order, key=lambda c: economic["parts"][c])
        if economic["parts"][best] < 0:
            parts.append(f"Adding semiflexible's limits to flexible one at a time changes its "
                         f"loss by [EUR bn] {steps}"
                         f"{' (first realisation)' if realizations > 1 else ''}: the loss falls "
                         f"when {html.escape(_LIMIT_WORDS.get(best, best))} are added.")
    cut = {s: v.get("unrestored_buildings") for s, v in summary.items()}
    if any(n for n in cut.values()):
        parts.append(f"The {horizon_days}-day horizon also cuts the recovery ("
                     + ", ".join(f"{html.escape(s)} {int(n or 0):,}" for s, n in cut.items())
                     + " buildings not restored): losses after it are not counted.")
    return f"<p class='workbench-flexible-note' style='margin:4px 0'>{' '.join(parts)}</p>"


def work_table_html(system, damage, recovery) -> str:
    """Per crew trade: what the damage asks of it (the recovery's tasks: buildings with repair
    work, components out of service; their crew-days) and, per strategy, the day its last
    repair is done — so that a crew slider that cannot move the indexes shows why (on the
    demo city at the default M 5.5 one pump is out, one task that one water crew does as fast
    as six, and no building blocks a road). Realisation 0, as the curves and the map; every
    text escaped."""
    rec, dam = realization(recovery, 0), realization(damage, 0)
    horizon = int(rec["time"].values[-1])
    strategies = [str(s) for s in rec[STRATEGY].values]
    network = np.asarray(system.components["network"].values).astype(str)
    component_ids = np.asarray(system.components[COMPONENT].values)
    rows = []
    b = dam.sel({BUILDING: rec[BUILDING]})
    functional = dam["component_functional"].sel({COMPONENT: component_ids}).values
    b_todo, c_todo = repair_tasks(b["building_repair_days"].values, functional)
    for trade in TRADES:             # the recovery's tasks (repair_tasks) of each trade
        if trade == "building":
            work, todo = np.asarray(b["building_repair_days"].values, float), b_todo
            days = rec["building_restored_day"]
        else:
            ids = component_ids[network == trade]
            work = np.asarray(dam["component_repair_days"].sel({COMPONENT: ids}).values, float)
            todo = c_todo[network == trade]
            days = rec["component_restored_day"].sel({COMPONENT: ids})
        cells = [f"{int(todo.sum()):,}", f"{work[todo].sum():,.1f}"]
        for s in strategies:
            last = np.asarray(days.sel({STRATEGY: s}).values, float)[todo]
            if not todo.any():
                cells.append("–")
            elif not np.isfinite(last).all() or (last > horizon).any():
                cells.append(f"> {horizon}")      # not all done within the horizon
            else:
                cells.append(f"{last.max():.0f}")
        rows.append(f"<tr><td style='{_PAD}'>{html.escape(trade)}</td>"
                    + "".join(f"<td style='text-align:right;{_PAD}'>{html.escape(c)}</td>"
                              for c in cells) + "</tr>")
    th = f"<th style='{_PAD}'"
    by = "".join(f"{th}>{html.escape(s)}</th>" for s in strategies)
    return ("<table class='workbench-work' style='border-collapse:collapse'><thead><tr>"
            f"{th} rowspan='2'>crews</th>{th} rowspan='2'>items to repair</th>"
            f"{th} rowspan='2'>work [crew-days]</th>"
            f"{th} colspan='{len(strategies)}'>last repair done [day]</th></tr><tr>{by}</tr>"
            f"</thead><tbody>{''.join(rows)}</tbody></table>")


def curves_png(recovery, *, dpi: int = 80) -> bytes:
    """EP and SC functionality curves of every strategy (two panels) as PNG bytes.

    Drawn with matplotlib directly, in the report's strategy styles (:data:`STRATEGY_STYLES`),
    rather than through ``plots.recovery_curves``: rendering that HoloViews figure takes
    ~0.6 s on the demo, this ~0.11 s, and a constraint change must redraw in ≤ 0.5 s."""
    import matplotlib
    matplotlib.use("Agg", force=False)
    from matplotlib.figure import Figure
    rec = realization(recovery, 0)
    fig = Figure(figsize=(8, 3.2), dpi=dpi)
    days = rec["time"].values
    span = plot_days(rec[["ep_functionality", "sc_functionality"]].to_array("curve"))
    for i, (var, title) in enumerate((("ep_functionality", "Economic productivity EP / EP0"),
                                      ("sc_functionality", "Service capacity SC / demand"))):
        ax = fig.add_subplot(1, 2, i + 1)
        for s in rec[STRATEGY].values.astype(str):
            style = STRATEGY_STYLES.get(s, {})
            ax.step(days, rec[var].sel({STRATEGY: s}).values, where="post", label=s,
                    linewidth=1.6, **style)
        ax.set_title(title, fontsize=10)
        ax.set_xlabel("days after the event")
        ax.set_xlim(*span)          # to just past the last change, not the flat horizon
        ax.set_ylim(0, 1.02)
        ax.grid(alpha=0.3)
        if i == 0:
            ax.set_ylabel("functionality [–]")
            ax.legend(fontsize=8, loc="lower right")
    fig.tight_layout()
    out = io.BytesIO()
    fig.savefig(out, format="png")
    return out.getvalue()


def restoration_map_svg(city, damage, recovery, strategy: str, *, width: int = 640) -> str:
    """Buildings coloured by restoration day under ``strategy`` over the road network, as inline
    SVG; each building's ``<title>`` (the hover text) gives id, type, damage state and day. The
    day scale runs from 0 to the last building's restoration under any strategy of
    ``recovery`` (so that the strategies share it), not to the horizon, which a light damage
    would leave mostly unused."""
    b = city.buildings
    x, y = np.asarray(b["x"].values, float), np.asarray(b["y"].values, float)
    rec, dam = realization(recovery, 0), realization(damage, 0)
    day = np.asarray(rec["building_restored_day"].sel({STRATEGY: strategy})
                     .sel({BUILDING: b[BUILDING]}).values, float)
    state = np.asarray(dam["building_damage_state"].sel({BUILDING: b[BUILDING]}).values, int)
    horizon = int(rec["time"].values[-1])
    last = last_restoration_day(rec)
    last = max(horizon, 1) if last is None else int(np.ceil(last))
    x0, x1, y0, y1 = x.min(), x.max(), y.min(), y.max()
    pad = 0.03 * max(x1 - x0, y1 - y0, 1.0)
    span = max(x1 - x0, y1 - y0, 1.0) + 2 * pad
    scale = (width - 20) / span
    height = int((y1 - y0 + 2 * pad) * scale) + 60
    px = lambda v: 10 + (v - x0 + pad) * scale          # noqa: E731
    py = lambda v: 10 + (y1 + pad - v) * scale          # noqa: E731
    parts = [f"<svg xmlns='http://www.w3.org/2000/svg' width='{width}' height='{height}' "
             f"role='img' aria-label='restoration day by building'>",
             "<rect width='100%' height='100%' fill='white'/>"]
    road, streets = city.networks.get("road"), ""
    if road is not None:
        xy = {n: (d["x"], d["y"]) for n, d in road.nodes(data=True)}
        lines = "".join(f"<line x1='{px(xy[u][0]):.1f}' y1='{py(xy[u][1]):.1f}' "
                        f"x2='{px(xy[v][0]):.1f}' y2='{py(xy[v][1]):.1f}'/>"
                        for u, v in road.edges())
        streets = f"<g stroke='#bbbbbb' stroke-width='0.8'>{lines}</g>"
    if len(x) > RASTER_ABOVE:     # a raster, the streets over it, then the hover cells
        image, cells = _restoration_raster(px(x), py(y), width, height - 60, day, state, last,
                                           horizon)
        parts += [image, streets.replace("stroke-width='0.8'",
                                         "stroke-width='0.5' stroke-opacity='0.8'"), cells]
    else:
        parts += [streets, _restoration_circles(px(x), py(y), b, day, state, last, horizon)]
    parts.append(_map_legend(width, height, last, strategy, scale, raster=len(x) > RASTER_ABOVE))
    parts.append("</svg>")
    return "".join(parts)


def _restoration_circles(px, py, b, day, state, last, horizon) -> str:
    """One circle per building, its hover text (``<title>``) naming it."""
    from matplotlib import colormaps
    from matplotlib.colors import to_hex
    cmap = colormaps["viridis"]
    ids = b[BUILDING].values.astype(str)
    types = np.asarray(b["type"].values).astype(str)
    circles = []
    for i in np.argsort(-np.where(np.isfinite(day), day, horizon + 1)):   # late ones below
        if state[i] == 0:
            colour, when = "#d9d9d9", "undamaged"
        elif np.isfinite(day[i]):
            colour, when = to_hex(cmap(min(day[i] / last, 1.0))), f"day {day[i]:.0f}"
        else:
            colour, when = "#e41a1c", f"not within the {horizon}-day horizon"
        tip = (f"{ids[i]} · {types[i]} · damage {DAMAGE_STATES[state[i]]} (DS{state[i]}) · "
               f"restored {when}")
        circles.append(f"<circle cx='{px[i]:.1f}' cy='{py[i]:.1f}' r='4' fill='{colour}' "
                       f"stroke='#333' stroke-width='0.4'><title>{html.escape(tip)}</title>"
                       f"</circle>")
    return f"<g class='buildings'>{''.join(circles)}</g>"


#: Pixels of a cell of the dashboard's raster map, and of a cell of its hover grid.
RASTER_PX, HOVER_PX = 4, 16


def _restoration_raster(px, py, width: int, height: int, day, state, last, horizon
                        ) -> tuple[str, str]:
    """Above :data:`~workbench.show.plots.raster.RASTER_ABOVE` buildings: an image of cells of
    :data:`RASTER_PX` pixels, each coloured by the day its last damaged building is restored
    (grey: none damaged; red: one not restored within the horizon), and over it a grid of
    transparent cells of :data:`HOVER_PX` pixels whose hover text (``<title>``) tells what is
    under the pointer: buildings, damaged, not restored, the last restoration day. Returns
    (the image, the hover cells)."""
    import base64
    from matplotlib import colormaps
    from matplotlib.colors import to_rgba
    bounds = (0.0, 0.0, float(width), float(height))     # pixels; y grows downwards
    flip = height - np.asarray(py, float)               # cell_of counts rows from the top
    shape = (max(1, height // RASTER_PX), max(1, width // RASTER_PX))
    cell = cell_of(px, flip, bounds, shape)
    n = shape[0] * shape[1]
    damaged = state > 0
    restored = damaged & np.isfinite(day) & (day <= horizon)
    count = np.bincount(cell, minlength=n)
    hit = np.bincount(cell, weights=damaged, minlength=n)
    open_ = np.bincount(cell, weights=damaged & ~restored, minlength=n)
    latest = latest_per_cell(cell[restored], day[restored], shape).ravel()
    rgba = np.zeros((n, 4))
    rgba[count > 0] = to_rgba("#d9d9d9")
    coloured = (hit > 0) & np.isfinite(latest)
    rgba[coloured] = colormaps["viridis"](np.minimum(latest[coloured] / max(last, 1), 1.0))
    rgba[open_ > 0] = to_rgba("#e41a1c")
    image = base64.b64encode(png_bytes(np.round(255 * rgba).astype(np.uint8)
                                       .reshape(*shape, 4))).decode()
    picture = (f"<image x='0' y='0' width='{width}' height='{height}' "
               f"preserveAspectRatio='none' style='image-rendering:pixelated' "
               f"href='data:image/png;base64,{image}'/>")
    coarse = (max(1, height // HOVER_PX), max(1, width // HOVER_PX))
    cell = cell_of(px, flip, bounds, coarse)
    n = coarse[0] * coarse[1]
    count = np.bincount(cell, minlength=n)
    hit = np.bincount(cell, weights=damaged, minlength=n)
    open_ = np.bincount(cell, weights=damaged & ~restored, minlength=n)
    latest = latest_per_cell(cell[restored], day[restored], coarse).ravel()
    rects = []
    for k in np.flatnonzero(count):
        r, c = divmod(int(k), coarse[1])
        tip = f"{count[k]:,} buildings · {int(hit[k]):,} damaged"
        if open_[k]:
            tip += f" · {int(open_[k]):,} not restored within the {horizon}-day horizon"
        if np.isfinite(latest[k]):
            tip += f" · last restored on day {latest[k]:.0f}"
        rects.append(f"<rect x='{c * width / coarse[1]:.1f}' y='{r * height / coarse[0]:.1f}' "
                     f"width='{width / coarse[1]:.1f}' height='{height / coarse[0]:.1f}'>"
                     f"<title>{tip}</title></rect>")
    return picture, f"<g class='cells' fill='white' fill-opacity='0'>{''.join(rects)}</g>"


def _map_legend(width: int, height: int, last: int, strategy: str, scale: float,
                raster: bool = False) -> str:
    """The map's legend: the day scale, undamaged and not restored; a 1 km scale bar."""
    from matplotlib import colormaps
    from matplotlib.colors import to_hex
    cmap = colormaps["viridis"]
    parts = []
    top = height - 42
    for k in range(10):
        parts.append(f"<rect x='{10 + 20 * k}' y='{top}' width='20' height='10' "
                     f"fill='{to_hex(cmap(k / 9))}'/>")
    parts.append(f"<text x='10' y='{top + 24}' font-size='11'>day 0</text>"
                 f"<text x='170' y='{top + 24}' font-size='11'>day {last}</text>"
                 f"<text x='10' y='{top - 4}' font-size='11'>"
                 f"{'a cell is all back on day' if raster else 'restored on day'} "
                 f"({html.escape(strategy)})</text>"
                 f"<circle cx='250' cy='{top + 5}' r='4' fill='#d9d9d9' stroke='#333'/>"
                 f"<text x='258' y='{top + 9}' font-size='11'>undamaged</text>"
                 f"<circle cx='340' cy='{top + 5}' r='4' fill='#e41a1c' stroke='#333'/>"
                 f"<text x='348' y='{top + 9}' font-size='11'>not restored</text>")
    bar = 1000 * scale
    parts.append(f"<line x1='{width - 20 - bar:.1f}' y1='{top + 5}' x2='{width - 20}' "
                 f"y2='{top + 5}' stroke='black' stroke-width='2'/>"
                 f"<text x='{width - 20 - bar:.1f}' y='{top + 22}' font-size='11'>1 km</text>")
    return "".join(parts)
