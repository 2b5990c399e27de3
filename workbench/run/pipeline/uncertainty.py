"""Stage 05 of a run: ensembles, the Bayesian comparison of strategies, and updating on an
observed recovery (METHOD §7; :mod:`workbench.uncertainty`).

1. **Ensemble** — ``ensemble.members`` members drawn from the lognormal priors of the uncertain
   inputs (``ensemble.priors``); each member samples damage with its own seed (spawned from the
   run's) and recovers it under every strategy (common random numbers):
   :func:`workbench.uncertainty.ensemble.run_ensemble`, locally or on dask.distributed
   (``ensemble.scheduler`` / ``ensemble.workers``). → ``ensemble.nc``.
2. **Comparison** — for economic loss and service loss, the paired model of the members' log
   losses with an unstructured covariance, drawn exactly
   (:func:`workbench.uncertainty.compare.compare_strategies`): each pairwise ratio with its 90 %
   interval, P(A better than B) and the share of members in which A was better, and per
   strategy the posterior probability of the lowest *typical* (median-member) loss beside the
   share of members in which it was best. → ``posterior.nc`` (economic),
   ``posterior_service.nc``, ``strategy_comparison.csv``.
3. **Updating** — the members but one train an emulator of a recovery curve
   (``ensemble.observed_variable`` under the semiflexible strategy, or the first one run) on the
   inputs; the first ``observed_days`` of the held-back member — a synthetic "observed"
   recovery whose truth is known — or of the CSV ``ensemble.observed`` (a real one) update the
   inputs (NUTS through the emulator, :func:`workbench.uncertainty.calibrate.calibrate`), and
   the rest of the curve is forecast with a 90 % band. → ``forecast.nc``, ``calibration.nc``.
4. ``uncertainty.json``: per strategy the ensemble's mean and 5–95 % range of each index; per
   index under ``best`` the strategy with the lowest typical loss, ``p_lowest_typical`` (and
   per strategy ``p_lowest_typical_by_strategy``) beside ``share_of_members_best_by_strategy``
   (the old keys ``p_best`` / ``p_best_by_strategy`` hold the same numbers as
   ``p_lowest_typical*``, for readers of earlier runs); the forecast's coverage of the held-back
   truth; ``diagnostics``: the diagnostics of every model (largest R-hat, smallest bulk and tail
   ESS, divergences; :func:`workbench.uncertainty.calibrate.convergence`), the thresholds, and
   each input's posterior / prior sd of log θ (≈ 1: the observed curve does not inform it); and
   ``sampling_warnings``: one sentence per threshold a model misses (R-hat < 1.01, bulk ESS >
   400, ≥ 4 chains; :func:`workbench.uncertainty.compare.convergence_warnings`), empty when all
   are met — also :attr:`UncertaintyResult.warnings`, shown by the stage's notebook.

Cost on the demo with the default parameters (``benchmarks/bench_stage05.py``, 2 shared cores):
see the figures measured in that script's docstring (issue 24: 4 chains; the comparisons are
exact draws, milliseconds; before issue #12: ~170 s, nearly all of it NUTS stuck in the old
calibration model).

A run whose damage comes from a table (``damage.source``) has no hazard to resample: the stage
says so and writes nothing (its notebook shows the reason).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
import xarray as xr
from .modelling import stage_seed
from ...network.system import build_system
from ...uncertainty.compare import (ESS_BULK_MIN, MIN_CHAINS, RHAT_MAX, compare_strategies,
                                    convergence_warnings, strategy_table)
from ...uncertainty.ensemble import run_ensemble, sample_members
from .modelling import functionality_of
from .reader import city_folder
from .stages import constraints, hazard_intensity
from ...core.errors import InputError
from ...uncertainty.compare import save_posterior
from ...uncertainty.ensemble import save_ensemble
from .writer import write_text

__all__ = ["UncertaintyResult", "uncertainty_stage", "write_uncertainty",
           "ensemble_priors",
           "UNCERTAINTY_FILE", "observed_days"]

UNCERTAINTY_FILE = "uncertainty.json"
INDEXES = {"economic_loss": "posterior.nc", "service_loss_person_days": "posterior_service.nc"}


@dataclass
class UncertaintyResult:
    """What stage 05 returns (``None`` when the run cannot have an ensemble)."""

    ensemble: xr.Dataset
    posteriors: dict           # index → arviz.InferenceData
    pairwise: pd.DataFrame     # all pairs, both indexes (column ``index``)
    best: pd.DataFrame         # per index and strategy: typical value, interval,
    #                            p_lowest_typical, share_members_best
    calibration: object        # arviz.InferenceData or None
    forecast: xr.Dataset | None
    observed: dict             # what was observed: variable, strategy, days, member, source
    summary: dict              # the content of uncertainty.json
    warnings: list             # = summary["sampling_warnings"]: diagnostics below threshold


def _seed(params: dict, k: int) -> int:
    """The ``k``-th seed of stage 05 (:func:`~.modelling.stage_seed`, stage 5)."""
    return stage_seed(params, 5, k)


def observed_days(params: dict) -> int:
    """Days of the synthetic observation: ``ensemble.observed_days``, or a quarter of the
    horizon, at most 60."""
    given = params["ensemble"]["observed_days"]
    return int(given) if given is not None else max(1, min(60, params["horizon_days"] // 4))


def ensemble_priors(params: dict) -> dict:
    """``ensemble.priors`` as (median, sigma) pairs (the stages 05 and 06 draw members from)."""
    return {k: (float(v["median"]), float(v["sigma"]))
            for k, v in params["ensemble"]["priors"].items()}


def uncertainty_stage(params: dict, city, system=None, progress=None,
                      archive: xr.Dataset | None = None) -> UncertaintyResult | None:
    """Stage 05 on a mapped city (see the module docstring); ``archive``: stage 03's tables,
    used when ``models.functionality`` is ``trained``."""
    from ...uncertainty.calibrate import calibrate, convergence
    from ...uncertainty.emulator import fit_emulator
    e = params["ensemble"]
    if e["members"] == 0 or params["damage"]["source"] is not None:
        return None
    system = system if system is not None else build_system(city)
    intensity = hazard_intensity(params["hazard"], city, system.components,
                                 city_dir=city_folder(params))
    priors = ensemble_priors(params)
    draws = sample_members(priors, e["members"], seed=_seed(params, 0))
    ens = run_ensemble(city, system, intensity, constraints(params), draws,
                       strategies=tuple(params["strategies"]),
                       design_code=params["damage"]["design_code"],
                       building_model=params["damage"]["building_model"],
                       road_debris=params["damage"]["road_debris"],
                       functionality=functionality_of(params, archive), scheduler=e["scheduler"],
                       workers=e["workers"], batch_size=e["batch_size"], progress=progress,
                       max_failed_share=e["max_failed_share"],
                       store=e["store"])
    sampling = dict(draws=e["draws"], tune=e["tune"], chains=e["chains"])
    posteriors, pairs, best = {}, [], []
    if len(params["strategies"]) > 1:
        for k, index in enumerate(INDEXES):
            values = ens[index]
            if not bool((values > 0).all()):
                continue        # a log model needs a positive loss in every member
            idata, table = compare_strategies(values, seed=_seed(params, 2 + k), **sampling)
            posteriors[index] = idata
            pairs.append(table.assign(index=index))
            best.append(strategy_table(idata).assign(index=index))
    pairwise = pd.concat(pairs, ignore_index=True) if pairs else pd.DataFrame()
    best = pd.concat(best) if best else pd.DataFrame()

    variable = e["observed_variable"]
    strategy = "semiflexible" if "semiflexible" in params["strategies"] else \
        params["strategies"][0]
    curves = ens[variable].sel(strategy=strategy).transpose("member", "time")
    theta = ens[list(priors)]
    if e["observed"] is not None:
        observed = _read_observed(Path(e["observed"]), curves.sizes["time"])
        train = np.arange(ens.sizes["member"])
        held, source = None, f"file: {Path(e['observed']).name}"
    else:
        held = ens.sizes["member"] - 1                  # the last member plays the observed city
        train = np.arange(held)
        observed = curves.isel(member=held).values[:observed_days(params)]
        source = f"synthetic: ensemble member {held}, held back from the emulator"
    emulator = fit_emulator(theta.isel(member=train), curves.isel(member=train),
                            seed=_seed(params, 4))
    calibration, forecast = calibrate(emulator, observed, priors, seed=_seed(params, 5),
                                      **sampling)
    facts = {"variable": variable, "strategy": strategy, "days": int(len(observed)),
             "member": held, "source": source}
    truth = None if held is None else curves.isel(member=held).values
    summary = _summary(params, ens, best, forecast, calibration, facts, truth, theta, held)
    log_post = calibration.posterior["log_theta"]
    summary["diagnostics"] = {
        "calibration": convergence(calibration, ["log_theta", "sigma"]),
        # ≈ 1: the observed days say nothing about that input (e.g. EP per m² on the EP
        # functionality curve, a ratio in which the scale cancels)
        "posterior_sd_over_prior_sd": {
            n: float(log_post.sel(parameter=n).std(("chain", "draw"))) / priors[n][1]
            for n in map(str, log_post["parameter"].values)},
        "comparison": {index: convergence(idata, ["alpha", "delta", "sd"])
                       for index, idata in posteriors.items()},
        "thresholds": {"max_rhat_below": RHAT_MAX, "min_ess_bulk_above": ESS_BULK_MIN,
                       "min_chains": MIN_CHAINS}}
    d = summary["diagnostics"]
    warnings = convergence_warnings(d["calibration"], e["chains"], "calibration (NUTS)")
    for index, facts_ in d["comparison"].items():
        warnings += convergence_warnings(facts_, e["chains"], f"comparison of {index}")
    failed = json.loads(ens.attrs.get("failed_members", "[]"))
    summary["failed_members"] = failed          # recorded and left out (ensemble.max_failed_share)
    if failed:
        warnings.append(f"{len(failed)} of {ens.attrs['n_members']} ensemble members failed and "
                        f"are left out (first: member {failed[0]['member']}, "
                        f"{failed[0]['error']}); see failed_members.")
    summary["sampling_warnings"] = warnings
    return UncertaintyResult(ens, posteriors, pairwise, best, calibration, forecast, facts,
                             summary, warnings)


def _read_observed(path: Path, horizon: int) -> np.ndarray:
    if not path.is_file():
        raise InputError(f"ensemble.observed: {str(path)!r} does not exist.")
    frame = pd.read_csv(path)
    missing = [c for c in ("day", "value") if c not in frame.columns]
    if missing:
        raise InputError(f"ensemble.observed {str(path)!r} lacks column(s) {missing}; it must "
                         f"have day (0, 1, 2, … consecutive) and value (the observed curve).")
    day = frame["day"].to_numpy()
    if len(day) == 0 or not np.array_equal(day, np.arange(len(day))):
        raise InputError(f"ensemble.observed {str(path)!r}: day must run 0, 1, 2, … without "
                         f"gaps; got {day[:6].tolist()}…")
    if len(day) > horizon:
        raise InputError(f"ensemble.observed {str(path)!r} has {len(day)} days, longer than "
                         f"the horizon ({horizon - 1} days); cut it to the horizon.")
    return frame["value"].to_numpy(float)


def _summary(params, ens, best, forecast, calibration, facts, truth, theta, held) -> dict:
    out = {"members": int(ens.sizes["member"]), "priors": params["ensemble"]["priors"],
           "strategies": {}, "best": {}, "observed": facts}
    for s in params["strategies"]:
        row = {}
        for index in ("economic_loss", "service_loss_person_days", "recovery_days_95"):
            if index not in ens:
                continue
            v = ens[index].sel(strategy=s).values.astype(float)
            v = v[np.isfinite(v)]
            if len(v):
                row[index] = {"mean": float(v.mean()), "p05": float(np.quantile(v, 0.05)),
                              "p95": float(np.quantile(v, 0.95))}
        out["strategies"][s] = row
    for index, table in (best.groupby("index") if len(best) else []):
        p, share = table["p_lowest_typical"], table["share_members_best"]
        by_strategy = {str(k): float(v) for k, v in p.items()}
        out["best"][index] = {
            "strategy": str(p.idxmax()),
            "meaning": "p_lowest_typical: posterior probability of the lowest typical "
                       "(median-member) loss, not of being best in an event; "
                       "share_of_members_best: share of the ensemble members in which the "
                       "strategy had the lowest loss",
            "p_lowest_typical": float(p.max()),
            "p_lowest_typical_by_strategy": by_strategy,
            "share_of_members_best": float(share[p.idxmax()]),
            "share_of_members_best_by_strategy": {str(k): float(v) for k, v in share.items()},
            # the same numbers under the keys of earlier runs (readers of uncertainty.json)
            "p_best": float(p.max()), "p_best_by_strategy": by_strategy}
    if truth is not None and forecast is not None:
        k = facts["days"]
        rest = slice(k, None)
        inside = ((truth[rest] >= forecast["lo"].values[rest])
                  & (truth[rest] <= forecast["hi"].values[rest]))
        post = calibration.posterior["theta"]
        lo, hi = (post.quantile(q, dim=("chain", "draw")) for q in (0.05, 0.95))
        names = [str(n) for n in post["parameter"].values]
        true_theta = {n: float(theta[n].isel(member=held)) for n in names}
        out["forecast"] = {
            "band": "5–95 % of the posterior predictive curve",
            "covered_share_of_unobserved_days": float(inside.mean()) if inside.size else None,
            "theta_true": true_theta,
            "theta_in_90_interval": {n: bool(float(lo.sel(parameter=n)) <= true_theta[n]
                                             <= float(hi.sel(parameter=n))) for n in names}}
    return out


# --------------------------------------------------------------------------- run folder

def write_uncertainty(run_dir: str | Path, result: UncertaintyResult | None) -> None:
    """The files of stage 05 (see the module docstring); nothing when ``result`` is None."""
    if result is None:
        return
    run_dir = Path(run_dir)
    save_ensemble(result.ensemble, run_dir / "ensemble.nc")
    for index, idata in result.posteriors.items():
        save_posterior(idata, run_dir / INDEXES[index])
    write_text(run_dir / "strategy_comparison.csv", result.pairwise.to_csv(index=False))
    if result.forecast is not None:
        tmp = run_dir / "forecast.nc.tmp"
        result.forecast.to_netcdf(tmp, engine="h5netcdf")
        tmp.replace(run_dir / "forecast.nc")
    if result.calibration is not None:
        save_posterior(result.calibration, run_dir / "calibration.nc")
    write_text(run_dir / UNCERTAINTY_FILE,
               json.dumps(result.summary, indent=2, allow_nan=False) + "\n")
