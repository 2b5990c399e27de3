"""People in the recovery, in a run (stage 04's last section; METHOD §5, :mod:`workbench.response`).

:func:`response_stage` takes the run's first damage realisation and its recovery and adds the
people: household and business agents (:func:`~workbench.response.agents.simulate_agents`, seeded
from the run seed for stage 4), the emergency supplies they need over the reopening roads in
the first ``response.supplies_days`` days (:func:`~workbench.response.supplies.emergency_supplies`)
and the warning reach of each channel given the power state at the event
(:func:`~workbench.response.warning.warning_reach`). The recovery's own indexes stay the run's
indexes (``summary.json``); the agents' are a comparison beside them, computed from the agents'
curves by the same :func:`~workbench.metrics.indexes.summary_indexes`, so *agents off* is the recovery's
numbers exactly. :func:`write_response` writes ``response.nc`` (agents), ``supplies.nc``,
``warning.nc`` and ``response.json``, and adds the same figures to ``summary.json`` under
``response`` (its strategies' indexes stay the recovery's); ``response.agents: false`` skips it
all.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import xarray as xr

from .writer import write_netcdf, write_text
from ...metrics.indexes import summary_indexes
from ...response import emergency_supplies, simulate_agents, warning_reach
from .modelling import functionality_of, stage_seed
from .stages import mitigated, realization
import pandas as pd
from ...show.formatting import money

__all__ = ["ResponseResult", "response_stage", "write_response",
           "RESPONSE_JSON"]

RESPONSE_JSON = "response.json"
#: Indexes compared with and without agents.
_COMPARED = ("economic_loss", "service_loss_person_days", "displaced_person_days",
             "functionality_72h", "recovery_days_95")


@dataclass(frozen=True)
class ResponseResult:
    """The agents, supplies and warning Datasets and the summary of ``response.json``."""

    agents: xr.Dataset
    supplies: xr.Dataset
    warning: xr.Dataset
    summary: dict


def response_stage(params: dict, city, damage: xr.Dataset, recovery: xr.Dataset, system=None,
                   archive: xr.Dataset | None = None) -> ResponseResult | None:
    """Agents, supplies and warning on realisation 0 (see the module docstring)."""
    r = params["response"]
    if not r["agents"]:
        return None
    city_m, system_m, _, shelters = mitigated(params, city, system)
    one, rec = realization(damage, 0), realization(recovery, 0)
    kw = dict(shelters=shelters, functionality=functionality_of(params, archive),
              seed=stage_seed(params, 4, 0))
    agents = simulate_agents(city_m, system_m, one, rec, enabled=True, **kw)
    supplies = emergency_supplies(city_m, system_m, rec, agents["supply_need"],
                                  days=r["supplies_days"])
    warning = warning_reach(city_m, system_m, one["component_functional"].values)
    with_agents = summary_indexes(agents, city_m, one)
    without = summary_indexes(rec, city_m, one)
    strategies = [str(s) for s in agents["strategy"].values]
    persons = agents["persons"]
    summary = {"seed": kw["seed"], "realization": 0, "strategies": {}}
    for s in strategies:
        day0 = persons.sel(strategy=s).isel(time=0)
        summary["strategies"][s] = {
            **{k: {"recovery": without[s][k], "agents": with_agents[s][k]} for k in _COMPARED},
            "persons_day0": {str(k): float(v) for k, v in
                             zip(day0["state"].values, day0.values)},
            "away_from_home_day30": float(persons.sel(strategy=s).isel(
                time=min(30, persons.sizes["time"] - 1)).drop_sel(state="home").sum()),
            "supplies_share_met_72h": float(supplies["share_met_72h"].sel(strategy=s)),
            "supplies_unmet_person_days_72h": float(
                supplies["unmet_person_days_72h"].sel(strategy=s))}
    hour1 = warning["reach"].sel(hour=1.0) if 1.0 in warning["hour"].values else \
        warning["reach"].isel(hour=0)
    summary["warning"] = {"reach_1h": {str(c): float(v) for c, v in
                                       zip(hour1["channel"].values, hour1.values)},
                          "reach_any_1h": float(warning["reach_any"].sel(
                              hour=float(hour1["hour"])))}
    return ResponseResult(agents, supplies, warning, summary)


def write_response(run_dir: str | Path, result: ResponseResult) -> None:
    """``response.nc``, ``supplies.nc``, ``warning.nc`` and ``response.json`` into ``run_dir``."""
    run_dir = Path(run_dir)
    for name, ds in (("response.nc", result.agents), ("supplies.nc", result.supplies),
                     ("warning.nc", result.warning)):
        write_netcdf(ds, run_dir / name)
    write_text(run_dir / RESPONSE_JSON, json.dumps(result.summary, indent=2) + "\n")
    summary_file = run_dir / "summary.json"
    if summary_file.is_file():         # the same figures under summary.json's "response"
        summary = json.loads(summary_file.read_text())
        summary["response"] = result.summary
        write_text(summary_file, json.dumps(summary, indent=2, allow_nan=False) + "\n")


#: What the comparison rests on, for the report (the assumptions that move it most).
CAVEAT = ("The agents are a post-processing layer on the recovery: crews and repairs are as "
          "above; what changes is who is where. On day 0 households leave by the Hazus "
          "displaced-household weights (none at moderate damage, 90 % of multi-family and no "
          "single-family households at extensive damage, all at complete damage), later a home "
          "without water or power after three days with 10 % a day; of those leaving, the Hazus "
          "income factors (13–62 %; 30 % without income data) seek a public shelter, the rest go "
          "to another district, valued below home and above a shelter place (METHOD §3); a "
          "household returns only once home is usable with water and power. Which rule moves "
          "the service loss is measured by `agents_decomposition` below: chiefly who ends up "
          "elsewhere rather than unsheltered.")


def comparison_table(summary: dict):
    """The indexes with and without agents, one row per index and strategy."""
    rows = []
    for s, v in summary["strategies"].items():
        for key, label, unit in (("economic_loss", "Total economic loss", "EUR"),
                                 ("service_loss_person_days", "Service-capacity loss",
                                  "person-days"),
                                 ("displaced_person_days", "Displaced person-days",
                                  "person-days"),
                                 ("functionality_72h", "Functionality at 72 hours", "–")):
            if key not in v:           # a response.json written before this index existed
                continue
            a, b = v[key]["recovery"], v[key]["agents"]
            show = (lambda x: money(x)) if unit == "EUR" else (
                (lambda x: f"{x:,.0f}") if unit == "person-days" else (lambda x: f"{x:.3f}"))
            rows.append({"strategy": s, "index": label, "recovery (agents off)": show(a),
                         "with agents": show(b),
                         "change": f"{(b - a) / a:+.0%}" if a else "–"})
        rows.append({"strategy": s, "index": "Emergency supplies met in the first 72 h",
                     "recovery (agents off)": "–",
                     "with agents": f"{v['supplies_share_met_72h']:.0%}", "change": "–"})
    return pd.DataFrame(rows).set_index(["strategy", "index"])
