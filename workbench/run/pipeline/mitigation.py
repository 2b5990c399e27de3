"""Stage 06: mitigation options ranked by benefit and cost (METHOD §8, :mod:`workbench.mitigation`).

:func:`mitigation_stage` evaluates the options and combinations of ``mitigation.*`` against the
baseline on ``mitigation.members`` ensemble members (priors of ``ensemble.priors``; seeds spawned
from the run seed for stage 6), under ``mitigation.strategy``, every option on the same members
(common random numbers), and ranks them. :func:`write_mitigation` writes into the run folder:

1. ``mitigation.csv``: the ranking (:func:`workbench.mitigation.rank`), one row per option;
2. ``mitigation.nc``: per option and member, the economic loss, service loss and repair cost,
   the options' costs;
3. ``mitigation.json`` (:func:`workbench.mitigation.summarise`): what the ranking means (the
   avoided loss per event and break-even return periods, or with an annual probability a
   present value), the members, the valuation settings, the best option (its benefit–cost
   ratio and the probability it is worth its cost only with an annual probability), the
   ranking at 25/50/100 EUR per person-day, and the default options skipped because they
   cannot act on this city (``skipped``: name → why).

A run whose damage comes from a table (``damage.source``) has no hazard to resample, and
``mitigation.members: 0`` skips the stage: both return ``None`` and write nothing.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
import xarray as xr

from ..params import DEFAULTS
from .writer import write_text
from ...mitigation import evaluate, parse_options, rank, summarise, value_sensitivity
from ...network.system import build_system
from ...uncertainty.ensemble import sample_members
from .modelling import functionality_of, stage_seed
from .reader import city_folder
from .stages import constraints, hazard_intensity
from .uncertainty import ensemble_priors
from ...core.errors import InputError
from ...mitigation import option_cost
from .writer import write_netcdf

__all__ = ["MitigationResult", "mitigation_stage", "write_mitigation",
           "MITIGATION_CSV", "MITIGATION_NC", "MITIGATION_JSON"]

MITIGATION_CSV, MITIGATION_NC, MITIGATION_JSON = ("mitigation.csv", "mitigation.nc",
                                                  "mitigation.json")


@dataclass(frozen=True)
class MitigationResult:
    """What stage 06 returns: the per-member results, the ranking and its summary."""

    results: xr.Dataset
    ranking: pd.DataFrame
    summary: dict


def mitigation_stage(params: dict, city, system=None, progress=None,
                     archive: xr.Dataset | None = None) -> MitigationResult | None:
    """Stage 06 on a mapped city (see the module docstring)."""
    m, e = params["mitigation"], params["ensemble"]
    if m["members"] == 0 or params["damage"]["source"] is not None or not m["options"]:
        return None
    system = system if system is not None else build_system(city)
    options, skipped = _applicable(parse_options(m["options"], m["combinations"]), city, system,
                                   defaults=m["options"] == DEFAULTS["mitigation"]["options"],
                                   design_code=params["damage"]["design_code"])
    if not options:
        return None
    intensity = hazard_intensity(params["hazard"], city, system.components,
                                 city_dir=city_folder(params))
    draws = sample_members(ensemble_priors(params), m["members"], seed=stage_seed(params, 6, 0))
    results = evaluate(options, city, system, intensity, constraints(params), draws,
                       strategy=m["strategy"], design_code=params["damage"]["design_code"],
                       building_model=params["damage"]["building_model"],
                       road_debris=params["damage"]["road_debris"],
                       functionality=functionality_of(params, archive), progress=progress,
                       scheduler=e["scheduler"], workers=e["workers"],
                       batch_size=e["batch_size"])
    settings = {k: m[k] for k in ("displacement_cost_per_person_day",
                                  "shelter_cost_per_place_day", "discount_rate",
                                  "service_life_years", "annual_probability")}
    table = rank(results, value_per_person_day=m["value_per_person_day"], **settings)
    summary = summarise(table, value_sensitivity(results, **settings),
                        members=int(m["members"]), strategy=m["strategy"],
                        value_per_person_day=m["value_per_person_day"], **settings,
                        skipped=skipped)
    return MitigationResult(results, table, summary)


def _applicable(options, city, system, *, defaults: bool, design_code="city"):
    """The options that act on this city, and those skipped with why. An option that cannot
    act here (a type or class the city lacks, no pump to back up) is an error when the
    parameter file gives it; the default options are for any city, so there it is skipped."""
    keep, skipped = [], {}
    for o in options:
        if o.kind == "combination":
            bad = [p for p in o.parts if p in skipped]
            if bad:
                skipped[o.name] = f"combines the skipped option(s) {bad}"
                continue
            keep.append(o)
            continue
        try:
            option_cost(o, city, system, design_code=design_code)
        except InputError as exc:
            if not defaults:
                raise
            skipped[o.name] = str(exc)
            continue
        keep.append(o)
    return keep, skipped


def write_mitigation(run_dir: str | Path, result: MitigationResult) -> None:
    """``mitigation.csv``, ``mitigation.nc`` and ``mitigation.json`` into ``run_dir``."""
    run_dir = Path(run_dir)
    write_text(run_dir / MITIGATION_CSV, result.ranking.to_csv(index=False))
    write_netcdf(result.results, run_dir / MITIGATION_NC)
    write_text(run_dir / MITIGATION_JSON, json.dumps(result.summary, indent=2) + "\n")
