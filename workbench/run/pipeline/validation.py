"""The validation stage: the run's lifeline restoration beside observed earthquakes (METHOD §11,
:mod:`workbench.metrics.validation`).

:func:`validation_stage` derives, from the recovery stage's ``recovery.nc``, the share of
customers served by water, power and road on each day, per strategy (on the system the recovery
ran on: the options of ``mitigation.apply`` in effect), and holds it against the bundled table of
observed restoration (``data/validation/lifeline_restoration.csv``): days to 80/90/95 %, the
ordering power < water (≤ gas), and the band check (simulated days to 90 % power within a factor
of 2 of the observed). :func:`write_validation` writes

1. ``validation.json``: definitions, units, the table's facts, simulated and observed days to
   each level, the ordering, the band check, caveats (:func:`workbench.metrics.validation.validate`);
2. ``validation_curves.csv``: the curves, tidy (strategy, realization, network, day, served,
   restored);
3. a ``validation`` entry in ``summary.json`` (:func:`summary_entry`): per strategy the days to
   90 % of power and water, the ordering and the band check's result, so that ``workbench
   simulate``'s summary carries it.

``workbench simulate`` runs it after the recovery; under ``workbench run`` notebook
``06_validation`` does, before the report.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
import xarray as xr

from ...core.dims import REALIZATION, STRATEGY, TIME
from ...metrics.validation import read_observed, validate
from .stages import mitigated
from .writer import write_text

__all__ = ["ValidationResult", "validation_stage", "write_validation", "summary_entry",
           "VALIDATION_JSON", "VALIDATION_CURVES"]

VALIDATION_JSON, VALIDATION_CURVES = "validation.json", "validation_curves.csv"


@dataclass(frozen=True)
class ValidationResult:
    """What the validation stage returns: the curves (:func:`~workbench.metrics.validation.served_curves`),
    the content of ``validation.json`` and the observed table."""

    curves: xr.Dataset
    summary: dict
    observed: pd.DataFrame


def _context(params: dict) -> dict:
    h = params["hazard"]
    return {"name": params["name"], "city": str(params["city"]) if params["city"] == "demo"
            else Path(str(params["city"])).name,
            "hazard": {k: h.get(k) for k in ("kind", "magnitude", "depth_km", "vs30")},
            "crews": params["constraints"]["crews"],
            "damage_source": None if params["damage"]["source"] is None else "table",
            "note": (f"the demo {h['kind'] if h['kind'] == 'flood' else 'earthquake'} is "
                     f"hypothetical (METHOD §10); the observed events are other cities, "
                     f"networks and crews")}


#: The caveat that leads ``validation.json`` of a run whose hazard is not an earthquake.
NOT_AN_EARTHQUAKE = ("**This run is a flood; the observed events are earthquakes.** The band "
                     "check and the ordering set its lifeline restoration beside restoration "
                     "after earthquakes, a reference for the order of magnitude: they do not "
                     "test the flood model, and a miss is no verdict on it.")


def validation_stage(params: dict, city, recovery: xr.Dataset,
                     system=None) -> ValidationResult:
    """The run's served-share curves and their comparison with the observed events."""
    _, system, _, _ = mitigated(params, city, system)
    table = read_observed()
    curves, summary = validate(city, system, recovery, table=table, context=_context(params))
    if params["hazard"]["kind"] == "flood" and params["damage"]["source"] is None:
        summary["caveats"] = [NOT_AN_EARTHQUAKE] + list(summary.get("caveats", []))
    return ValidationResult(curves=curves, summary=summary, observed=table)


def summary_entry(summary: dict) -> dict:
    """The ``validation`` entry of ``summary.json``: per strategy the days to 90 % of power and
    water (restored fraction), the ordering and whether the band check passed."""
    band = summary["band"]["strategies"]
    order = summary["ordering"]["simulated"]
    return {
        "file": VALIDATION_JSON,
        "strategies": {s: {"power_days_90": nets["power"]["t90"],
                           "water_days_90": nets["water"]["t90"],
                           "ordering_power_before_water": order[s]["result"],
                           "band_passed": band[s]["passed"],
                           "band_in": f"{band[s]['in_band']} of {band[s]['compared']}"}
                       for s, nets in summary["simulated"].items()},
        "rule": summary["band"]["rule"],
        "units": {"power_days_90": "days", "water_days_90": "days"},
    }


def _tidy(curves: xr.Dataset) -> pd.DataFrame:
    ds = curves[["served", "restored"]]
    if REALIZATION not in ds.dims:
        ds = ds.expand_dims({REALIZATION: [0]})
    frame = ds.to_dataframe().reset_index()
    frame = frame.rename(columns={TIME: "day"})
    return frame[[STRATEGY, REALIZATION, "network", "day", "served", "restored"]]


def write_validation(run_dir: str | Path, result: ValidationResult) -> None:
    """``validation.json``, ``validation_curves.csv`` and the ``validation`` entry of
    ``summary.json`` (when the recovery stage wrote one)."""
    run_dir = Path(run_dir)
    write_text(run_dir / VALIDATION_JSON,
               json.dumps(result.summary, indent=2, allow_nan=False) + "\n")
    write_text(run_dir / VALIDATION_CURVES,
               _tidy(result.curves).to_csv(index=False, float_format="%.6g"))
    path = run_dir / "summary.json"
    if path.is_file():
        summary = json.loads(path.read_text(encoding="utf-8"))
        summary["validation"] = summary_entry(result.summary)
        write_text(path, json.dumps(summary, indent=2, allow_nan=False) + "\n")
