"""Monte Carlo ensembles of the damage → recovery chain under uncertain inputs.

An ensemble *member* is one draw of the uncertain inputs (:data:`DEFAULT_PRIORS`, each
lognormal) and one damage realisation: damage is sampled with the member's seed and fragility
scale, the repair efforts are scaled, and **every strategy recovers the same damage** (common
random numbers: the differences between strategies within a member are the strategies' own,
not the luck of the draw). The result is one :class:`xarray.Dataset` with dims ``member``,
``strategy`` and ``time``, which :mod:`workbench.uncertainty.compare` takes as it is.

Reproducibility
---------------
Member ``m``'s seeds come from ``numpy.random.SeedSequence(seed).spawn(members)[m]``: they do not
depend on how many members there are, how they are batched or how many workers run them, so
the first members of a larger ensemble are the members of a smaller one, and a run on a
cluster is the serial run, bit for bit. Each member's prior values are drawn from its own
stream, one standard normal per known input in a fixed order, so leaving a prior out does not
change the others' draws.

Running
-------
Members are batched (tasks of at least about half a second, since per-task overhead dominates
small tasks: 2,000 scenarios as single tasks took 16.7 s, as 20 batches 4.4 s) and run serially
by default, on a local cluster (``workers=N``: ``N`` single-threaded processes) or on a running
scheduler (``scheduler="tcp://host:port"``; an unreachable address fails within
:data:`CONNECT_TIMEOUT_S` with an :class:`~workbench.core.errors.InputError`). The city, system and
intensity are sent to the workers once.
"""

from __future__ import annotations

import json
import logging
import math
import os
import time
from dataclasses import dataclass
from pathlib import Path
from types import MappingProxyType
from typing import Callable, Mapping, Sequence

import numpy as np
import xarray as xr

from ..hazard.capacity import resolve_building_model
from ..hazard.damage import DamageSampler
from ..hazard.debris import road_blockage
from ..core.dims import BUILDING, MEMBER, STRATEGIES, STRATEGY, TIME
from ..core.errors import InputError, StageError
from ..functionality import TableFunctionality
from ..metrics.indexes import summary_indexes
from ..recovery import Constraints, check_strategies, simulate_recovery
from ..models.archive import ArchivedFunctionality

__all__ = ["Prior", "DEFAULT_PRIORS", "PRIOR_NAMES", "MEMBER", "INDEXES", "CURVES",
           "CONNECT_TIMEOUT_S", "check_priors", "sample_members", "run_member", "run_ensemble",
           "save_ensemble"]

log = logging.getLogger(__name__)

#: The named places an ensemble can run (``scheduler=``); any other is a dask address.
SCHEDULERS = ("serial", "processes", "local")
#: Seconds a scheduler address has to answer before the run fails.
CONNECT_TIMEOUT_S = 5
#: Per-strategy indexes of a member (from :func:`workbench.metrics.indexes.summary_indexes`), units.
INDEXES = MappingProxyType({"economic_loss": "EUR", "ep_loss": "EUR", "repair_cost": "EUR",
                            "service_loss_person_days": "person-days",
                            "displaced_person_days": "person-days",
                            "sheltered_person_days": "person-days",
                            "recovery_days_95": "day"})
#: Per-strategy curves of a member, on ``time`` (days 0…horizon).
CURVES = ("ep_functionality", "sc_functionality")
_SECONDS_PER_ELEMENT_DAY = 5e-8    # rough cost of a member per (element × day × strategy) [s]
_MIN_TASK_S = 0.5
_MAX_TASK_BYTES = 8_000_000        # largest result of one task (members' curves) [bytes]


@dataclass(frozen=True)
class Prior:
    """A lognormal uncertain input: ``median · exp(sigma · z)``, ``z ~ N(0, 1)``.

    Iterating gives ``(median, sigma)``, the pair :mod:`workbench.uncertainty.calibrate` takes.

    >>> tuple(Prior(1.0, 0.2, "assumption"))
    (1.0, 0.2)
    """

    median: float
    sigma: float
    source: str = "assumption"
    note: str = ""

    def __iter__(self):
        return iter((self.median, self.sigma))


#: The uncertain inputs of a member. Each multiplies a deterministic input of the chain; a prior
#: left out keeps its input at 1 (as given).
DEFAULT_PRIORS = MappingProxyType({
    "fragility_median_scale": Prior(
        1.0, 0.2, "assumption (workbench)",
        "multiplies every lognormal fragility median, buildings and components. The curves' "
        "own dispersion (Hazus beta about 0.6-0.7, FEMA 2022, Hazus 5.1 ch. 5) is aleatory and "
        "sampled already; this is the epistemic uncertainty of the medians, sigma 0.2 assumed."),
    "repair_time_scale": Prior(
        1.0, 0.3, "assumption (workbench)",
        "multiplies the building repair effort (building_repair_days, Hazus clean-up and "
        "repair times, given there as means without a dispersion)."),
    "crew_productivity": Prior(
        1.0, 0.2, "assumption (workbench)",
        "work one crew does per crew-day, every trade: divides every repair effort, buildings, "
        "components and debris clearance."),
    "ep_unit_scale": Prior(
        1.0, 0.25, "assumption (workbench)",
        "multiplies EP per m2 of every building type (workbench.functionality.EP_UNIT, "
        "order-of-magnitude national-accounts figures)."),
})
#: Names of the known inputs, in the order their standard normals are drawn.
PRIOR_NAMES = tuple(DEFAULT_PRIORS)


def check_priors(priors) -> Mapping[str, Prior]:
    """``priors`` checked: a mapping of known input names to :class:`Prior`, to
    ``{"median", "sigma"[, "source", "note"]}`` or to a pair ``(median, sigma)``.

    >>> check_priors({"crew_productivity": (1.2, 0.1)})["crew_productivity"].median
    1.2
    >>> check_priors({"crew_productivity": (1.2, 0.0)})
    Traceback (most recent call last):
    ...
    workbench.core.errors.InputError: prior 'crew_productivity': sigma must be a finite number > 0 ...
    """
    if not isinstance(priors, Mapping):
        raise InputError(f"priors must be a mapping of input name to Prior or (median, sigma), "
                         f"got {type(priors).__name__}; e.g. {{'crew_productivity': (1.0, 0.2)}}.")
    unknown = [name for name in priors if name not in DEFAULT_PRIORS]
    if unknown:
        raise InputError(f"unknown uncertain input(s) {unknown}; known inputs are "
                         f"{list(PRIOR_NAMES)} (workbench.uncertainty.ensemble.DEFAULT_PRIORS).")
    out = {}
    for name in PRIOR_NAMES:
        if name in priors:
            out[name] = _prior(name, priors[name])
    return MappingProxyType(out)


def _prior(name: str, value) -> Prior:
    if isinstance(value, Prior):
        fields = {"median": value.median, "sigma": value.sigma, "source": value.source,
                  "note": value.note}
    elif isinstance(value, Mapping):
        extra = sorted(set(value) - {"median", "sigma", "source", "note"})
        if extra or not {"median", "sigma"} <= set(value):
            raise InputError(f"prior {name!r} must give 'median' and 'sigma' (and optionally "
                             f"'source', 'note'); got keys {sorted(value)}.")
        fields = {"source": "given", "note": "", **value}
    elif isinstance(value, (tuple, list)) and len(value) == 2:
        fields = {"median": value[0], "sigma": value[1], "source": "given", "note": ""}
    else:
        raise InputError(f"prior {name!r} must be a Prior, a mapping with 'median' and 'sigma' "
                         f"or a pair (median, sigma); got {value!r}.")
    for key, what in (("median", "the median multiplier"), ("sigma", "the sigma of the log")):
        v = fields[key]
        if not (isinstance(v, (int, float, np.integer, np.floating)) and not isinstance(v, bool)
                and math.isfinite(v) and v > 0):
            fix = (f"leave the prior out to keep {name} fixed at 1" if key == "sigma"
                   else "give a positive multiplier, 1 = as given")
            raise InputError(f"prior {name!r}: {key} must be a finite number > 0 ({what}), got "
                             f"{v!r}; {fix}.")
    return Prior(float(fields["median"]), float(fields["sigma"]), str(fields["source"]),
                 str(fields["note"]))


def _member_seeds(seed: int, members: int) -> np.ndarray:
    """(members, 3) uint32 seeds — priors, damage, recovery — spawned from the run seed."""
    children = np.random.SeedSequence(seed).spawn(members)
    return np.array([child.generate_state(3) for child in children], dtype=np.uint32
                    ).reshape(members, 3)


def sample_members(priors=DEFAULT_PRIORS, members: int = 100, seed: int = 0) -> xr.Dataset:
    """The uncertain inputs and seeds of ``members`` ensemble members.

    Parameters
    ----------
    priors : mapping
        Input name → prior (:func:`check_priors`); default :data:`DEFAULT_PRIORS`.
    members : int
        Number of members, ≥ 1.
    seed : int
        Run seed (≥ 0); member ``m``'s seeds are spawned from it and do not depend on
        ``members``.

    Returns
    -------
    xarray.Dataset
        Dim ``member``: one variable per prior (the multiplier, units ``1``) and
        ``damage_seed``, ``recovery_seed`` (int64); ``attrs``: ``seed``, ``n_members``,
        ``priors`` (JSON).

    Examples
    --------
    >>> small, large = sample_members(members=3, seed=7), sample_members(members=5, seed=7)
    >>> small.identical(large.isel(member=slice(0, 3)).assign_attrs(n_members=3))
    True
    >>> list(small.data_vars)[:2]
    ['fragility_median_scale', 'repair_time_scale']
    """
    priors = check_priors(priors)
    if not (isinstance(members, (int, np.integer)) and not isinstance(members, bool)
            and members >= 1):
        raise InputError(f"members must be a positive integer, got {members!r}.")
    if not (isinstance(seed, (int, np.integer)) and not isinstance(seed, bool) and seed >= 0):
        raise InputError(f"seed must be a non-negative integer, got {seed!r}.")
    seeds = _member_seeds(int(seed), int(members))
    z = np.array([np.random.default_rng(s).standard_normal(len(PRIOR_NAMES))
                  for s in seeds[:, 0]]).reshape(members, len(PRIOR_NAMES))
    data = {}
    for k, name in enumerate(PRIOR_NAMES):
        if name in priors:
            prior = priors[name]
            data[name] = ((MEMBER,), prior.median * np.exp(prior.sigma * z[:, k]),
                          {"units": "1", "long_name": prior.note, "source": prior.source})
    data["damage_seed"] = ((MEMBER,), seeds[:, 1].astype(np.int64))
    data["recovery_seed"] = ((MEMBER,), seeds[:, 2].astype(np.int64))
    return xr.Dataset(data, coords={MEMBER: np.arange(members)},
                      attrs={"seed": int(seed), "n_members": int(members),
                             "priors": _priors_json(priors)})


def _priors_json(priors: Mapping[str, Prior]) -> str:
    return json.dumps({name: {"median": p.median, "sigma": p.sigma, "source": p.source,
                              "note": p.note} for name, p in priors.items()})


# --------------------------------------------------------------------------- one member

def _values(draws) -> dict:
    """Multipliers (1 where a prior is absent) and seeds of one member's draws."""
    def get(name, default=None):
        if name in draws:
            return np.asarray(draws[name]).item()
        if default is None:
            raise InputError(f"draws lack {name!r}; take a member of sample_members "
                             f"(members.isel(member=m)).")
        return default
    out = {name: float(get(name, 1.0)) for name in PRIOR_NAMES}
    bad = {k: v for k, v in out.items() if not (math.isfinite(v) and v > 0)}
    if bad:
        raise InputError(f"member multipliers must be finite and > 0, got {bad}.")
    out["damage_seed"], out["recovery_seed"] = int(get("damage_seed")), int(get("recovery_seed"))
    return out


def _scaled_intensity(intensity: xr.Dataset, scale: float) -> xr.Dataset:
    """Shaking divided by the fragility median scale (every measure, buildings and components:
    the spectral accelerations too, which the capacity-spectrum method reads); a flood's depths
    likewise (a dry site stays dry)."""
    if scale == 1.0:
        return intensity
    names = [v for v in ("building_pga", "building_pgv", "building_sa03", "building_sa10",
                         "component_pga", "component_pgv", "building_inundation_depth",
                         "component_inundation_depth") if v in intensity]
    return intensity.assign({v: intensity[v] / scale for v in names})


def _scaled_effort(damage: xr.Dataset, repair_time_scale: float, productivity: float
                   ) -> xr.Dataset:
    """Building effort × repair_time_scale / productivity, component effort / productivity."""
    if repair_time_scale == 1.0 and productivity == 1.0:
        return damage
    out = {}
    for name in ("building_repair_days", "building_expected_repair_days"):
        if name in damage:
            out[name] = damage[name] * repair_time_scale / productivity
    if "component_repair_days" in damage:
        out["component_repair_days"] = damage["component_repair_days"] / productivity
    return damage.assign(out)


def _scaled_model(functionality, scale: float):
    """The functionality model with EP per m² × ``scale`` (:data:`_EP_SCALERS`)."""
    if scale == 1.0:
        return functionality
    model = TableFunctionality() if functionality is None else functionality
    for kind, scaler in _EP_SCALERS.items():
        if type(model).__name__ == kind:
            return scaler(model, scale)
    raise InputError(f"ep_unit_scale cannot scale a {type(model).__name__}; use a "
                     f"TableFunctionality or ArchivedFunctionality, or leave the prior "
                     f"ep_unit_scale out.")


def _scale_table(model, scale: float):
    return TableFunctionality(ep_unit_full={t: v * scale for t, v in model.ep_unit_full.items()},
                              ep_weights=model.ep_weights, rss_weights=model.rss_weights)


def _scale_archive(model, scale: float):
    table = model.table
    return ArchivedFunctionality(table.assign(ep_unit=table["ep_unit"] * scale))


#: Functionality models whose EP per m² an ensemble can scale, by class name.
_EP_SCALERS = MappingProxyType({"TableFunctionality": _scale_table,
                                "ArchivedFunctionality": _scale_archive})


def _member_arrays(city, system, intensity, constraints, values: dict, strategies, *,
                   road_debris: bool, functionality, sampler: DamageSampler,
                   shelters=None) -> dict:
    """One member as plain arrays (what a batch returns to the driver)."""
    damage = sampler(_scaled_intensity(intensity, values["fragility_median_scale"]),
                     seed=values["damage_seed"])
    if road_debris:
        damage = road_blockage(system, damage)
    damage = _scaled_effort(damage.isel(realization=0), values["repair_time_scale"],
                            values["crew_productivity"])
    model = _scaled_model(functionality, values["ep_unit_scale"])
    recovery = simulate_recovery(city, system, damage, constraints, strategies=strategies,
                                 functionality=model, shelters=shelters,
                                 seed=values["recovery_seed"])
    summary = summary_indexes(recovery, city, damage)
    out = {name: np.array([_finite_or_inf(summary[s][name]) for s in strategies])
           for name in INDEXES}
    out["recovered_95"] = np.array([summary[s]["recovered_95"] for s in strategies])
    for name in CURVES:
        out[name] = np.asarray(recovery[name].transpose(STRATEGY, TIME).values)
    out["damaged_buildings"] = int((damage["building_damage_state"].values > 0).sum())
    out["blocked_road_edges"] = float(damage.attrs.get("debris_blocked_edges", 0.0))
    return out


def _finite_or_inf(value) -> float:
    return math.inf if value is None else float(value)


def run_member(city, system, intensity: xr.Dataset, constraints: Constraints, draws, *,
               strategies: Sequence[str] = STRATEGIES, design_code="city",
               road_debris: bool = True, functionality=None,
               building_model: str = "auto") -> xr.Dataset:
    """One ensemble member: damage, scaled efforts, every strategy on that damage, indexes.

    Parameters
    ----------
    city : City
        The mapped city.
    system : InfrastructureSystem
        From :func:`workbench.network.system.build_system`.
    intensity : xarray.Dataset
        Shaking at buildings and components (``building_pga`` [g], ``building_pgv`` [cm/s],
        ``component_pga``, ``component_pgv``), e.g. from
        :func:`workbench.run.pipeline.hazard_intensity`.
    constraints : Constraints
    draws : mapping
        One member of :func:`sample_members` (``members.isel(member=m)``): multipliers of the
        priors it has (an absent one is 1) and ``damage_seed``, ``recovery_seed``.
    strategies : sequence of str
    design_code : str
        Seismic zone of the building design levels (:func:`workbench.hazard.damage.sample_damage`).
    road_debris : bool
        Block the road edges next to collapsed buildings (:func:`workbench.hazard.debris.road_blockage`).
    functionality : FunctionalityModel, optional
        Default :class:`~workbench.functionality.TableFunctionality`; ``ep_unit_scale`` scales
        its EP per m².
    building_model : str
        ``"auto"``, ``"capacity-spectrum"`` or ``"equivalent-pga"``
        (:func:`~workbench.hazard.damage.sample_damage`).

    Returns
    -------
    xarray.Dataset
        On ``strategy``: :data:`INDEXES` (``recovery_days_95`` ``inf`` where 95 % is not
        reached within the horizon, ``recovered_95`` beside it); on (``strategy``, ``time``):
        :data:`CURVES`; scalars ``damaged_buildings``, ``blocked_road_edges``.

    Notes
    -----
    Each multiplier acts on one input and nothing else: ``repair_time_scale`` and
    ``crew_productivity`` scale the effort (and the planners' expected effort) after the damage
    is drawn, so the same seeds give the same damage; ``ep_unit_scale`` scales EP per m² of
    every type alike, which leaves the planners' ranking (gains relative to EP0) and hence the
    schedule as it is: it moves the EP losses in proportion, not the service loss.

    The fragility scale divides the shaking fed to the fragilities (PGA and PGV alike):
    ``P(DS ≥ k) = Φ(ln(IM / (s θ_k)) / β) = Φ(ln((IM / s) / θ_k) / β)``, exactly a median ``s``
    times larger for every lognormal curve. For water pipes the Hazus repair rate is a
    function of PGV, so the scale divides the PGV at which each repair rate is reached: with
    ``RR ∝ PGV^2.25`` it multiplies the repair rate by ``s^-2.25`` (pipes ``s`` times as strong).

    Examples
    --------
    >>> from workbench.city import toy_city
    >>> from workbench.hazard import Earthquake, earthquake_intensity
    >>> from workbench.network.system import build_system
    >>> city = toy_city(); system = build_system(city)
    >>> shaking = earthquake_intensity(Earthquake(6.5, 0.0, 0.0), city.buildings,
    ...                                system.components)
    >>> one = run_member(city, system, shaking, Constraints(crews=2, horizon_days=60),
    ...                  sample_members(members=1, seed=3).isel(member=0), design_code="4")
    >>> one["economic_loss"].dims, one["ep_functionality"].dims
    (('strategy',), ('strategy', 'time'))
    >>> bool((one["repair_cost"] == one["repair_cost"][0]).all())    # one damage, all strategies
    True
    """
    strategies = check_strategies(strategies)
    sampler = DamageSampler(city.buildings, system.components if system is not None else None,
                            design_code=design_code, building_model=building_model)
    arrays = _member_arrays(city, system, intensity, constraints, _values(draws), strategies,
                            road_debris=road_debris, functionality=functionality,
                            sampler=sampler)
    return _dataset([arrays], strategies, constraints.horizon_days).isel({MEMBER: 0}, drop=True)


# --------------------------------------------------------------------------- the ensemble

@dataclass(frozen=True)
class _Context:
    """What every batch needs, sent to each worker once."""

    city: object
    system: object
    intensity: xr.Dataset
    constraints: Constraints
    strategies: tuple
    design_code: object
    road_debris: bool
    functionality: object
    shelters: object = None
    building_model: str = "auto"


def _run_batch(context: _Context, rows: list[dict]) -> dict:
    """Members ``rows`` (their values, with their ``member`` label) in order, the damage tables
    built once per batch; with the batch's wall-clock and CPU seconds (how much of a core the
    worker got). A member that raises is recorded — its label, seeds and error — and the batch
    goes on (:func:`run_ensemble` decides whether the ensemble may)."""
    wall, cpu = time.perf_counter(), time.process_time()
    c = context
    sampler = DamageSampler(c.city.buildings,
                            c.system.components if c.system is not None else None,
                            design_code=c.design_code, building_model=c.building_model)
    members, labels, failed = [], [], []
    for values in rows:
        try:
            members.append(_member_arrays(c.city, c.system, c.intensity, c.constraints, values,
                                          c.strategies, road_debris=c.road_debris,
                                          functionality=c.functionality, sampler=sampler,
                                          shelters=c.shelters))
            labels.append(values["member"])
        except Exception as exc:  # noqa: BLE001 — recorded with the member's seeds, see above
            failed.append({"member": int(values["member"]),
                           "damage_seed": int(values["damage_seed"]),
                           "recovery_seed": int(values["recovery_seed"]),
                           "error": f"{type(exc).__name__}: {exc}"[:500]})
    return {"members": members, "labels": labels, "failed": failed,
            "wall_s": time.perf_counter() - wall, "cpu_s": time.process_time() - cpu}


def _member_bytes(n_strategies: int, horizon: int) -> int:
    """Bytes of one member's result (its curves and indexes, float64)."""
    return 8 * n_strategies * (len(CURVES) * (horizon + 1) + len(INDEXES) + 1) + 16


def _default_batch_size(city, system, constraints, n_strategies: int, members: int,
                        workers: int) -> int:
    """Members per task: tasks of at least ~0.5 s, and about 8 tasks per worker, but no
    task whose result is larger than :data:`_MAX_TASK_BYTES` (so that what a worker holds,
    and what the client receives at a time, does not grow with the ensemble)."""
    cells = (city.buildings.sizes[BUILDING] + (system.n_components if system is not None else 0))
    member_s = max(1e-3, _SECONDS_PER_ELEMENT_DAY * cells * (constraints.horizon_days + 1)
                   * n_strategies)
    floor = math.ceil(_MIN_TASK_S / member_s)
    cap = max(1, _MAX_TASK_BYTES // _member_bytes(n_strategies, constraints.horizon_days))
    return max(1, min(members, cap, max(floor, math.ceil(members / (8 * workers)))))


def _check_run(draws, seed, workers, scheduler, batch_size, priors):
    if isinstance(draws, xr.Dataset):
        if priors is not None:
            raise InputError("priors are given twice: draws is a Dataset of sample_members "
                             "(which carries its priors) and priors= is set; drop priors=.")
        if MEMBER not in draws.dims or "damage_seed" not in draws:
            raise InputError(f"draws must be the Dataset of sample_members (dim {MEMBER!r}, "
                             f"damage_seed, recovery_seed) or a number of members.")
        if seed is not None and seed != draws.attrs.get("seed"):
            raise InputError(f"seed={seed!r} differs from the draws' seed "
                             f"{draws.attrs.get('seed')!r}; leave seed out, or draw the members "
                             f"again with sample_members(..., seed={seed!r}).")
    elif isinstance(draws, (int, np.integer)) and not isinstance(draws, bool):
        draws = sample_members(DEFAULT_PRIORS if priors is None else priors, int(draws),
                               0 if seed is None else seed)
    else:
        raise InputError(f"draws must be the Dataset of sample_members or a number of members, "
                         f"got {type(draws).__name__}.")
    if scheduler is not None and not (isinstance(scheduler, str) and (
            scheduler in SCHEDULERS or "://" in scheduler)):
        raise InputError(f"scheduler must be one of {', '.join(SCHEDULERS)} or a dask "
                         f"scheduler's address like 'tcp://127.0.0.1:8786', got {scheduler!r}.")
    if workers is not None and scheduler is not None and scheduler not in ("local",
                                                                            "processes"):
        raise InputError(f"workers= goes with scheduler 'local' or 'processes' (or none: a "
                         f"local cluster), not with {scheduler!r}.")
    if workers is not None and not (isinstance(workers, (int, np.integer))
                                    and not isinstance(workers, bool) and workers >= 1):
        raise InputError(f"workers must be a positive integer (local worker processes), got "
                         f"{workers!r}.")
    if batch_size is not None and not (isinstance(batch_size, (int, np.integer))
                                       and not isinstance(batch_size, bool) and batch_size >= 1):
        raise InputError(f"batch_size must be a positive integer (members per task), got "
                         f"{batch_size!r}.")
    return draws


def run_ensemble(city, system, intensity: xr.Dataset, constraints: Constraints, draws, *,
                 strategies: Sequence[str] = STRATEGIES, seed: int | None = None,
                 priors=None, design_code="city", road_debris: bool = True,
                 functionality=None, shelters=None, building_model: str = "auto",
                 scheduler: str | None = None,
                 workers: int | None = None,
                 batch_size: int | None = None,
                 progress: Callable[[int, int], None] | None = None,
                 max_failed_share: float = 0.05,
                 store=None) -> xr.Dataset:
    """Run every member of an ensemble (:func:`run_member`) and stack them on ``member``.

    Parameters
    ----------
    city, system, intensity, constraints, strategies, design_code, road_debris, functionality,
    building_model
        As for :func:`run_member`.
    shelters : Shelters, optional
        Default :class:`workbench.functionality.Shelters`.
    draws : xarray.Dataset or int
        The members (:func:`sample_members`), or their number, drawn from ``priors``
        (default :data:`DEFAULT_PRIORS`) with ``seed``.
    seed : int, optional
        Run seed when ``draws`` is a number (default 0); with a Dataset it must be its seed.
    scheduler : str, optional
        Where the batches run: ``"serial"`` (in this process; the default without
        ``workers``), ``"processes"`` (a pool of ``workers`` worker processes, default one per
        core: no dask), ``"local"`` (a dask LocalCluster of ``workers`` processes, default one
        per core; also what ``workers`` alone gives), or the address of a running dask
        scheduler (``"tcp://host:port"``: a workstation's or a cluster's, e.g. SLURM through
        dask-jobqueue). The data are the same on every one.
    workers : int, optional
        Worker processes of ``"local"`` or ``"processes"`` (single-threaded); alone, a local
        cluster of this many.
    batch_size : int, optional
        Members per task; default: tasks of at least ~0.5 s and about 8 per worker.
    progress : callable, optional
        ``progress(done, total)`` at the start (members already in the store) and after each
        batch (members done, members in all); :class:`workbench.core.progress.RateLine` makes
        a line with the rate and the time left of them.
    max_failed_share : float
        A member that raises is recorded (its label, seeds and error) and left out; the
        ensemble completes unless more than this share of its members failed (then a
        :class:`~workbench.core.errors.StageError` names the first failures). Default 0.05.
    store : path, optional
        A folder to write each finished batch to (``batch_NNNNN.nc``, each written whole and
        renamed into place, beside ``ensemble.json``, the fingerprint of the run: draws,
        strategies, constraints, models and their tables, shelters, the shaking, the city's
        buildings and components). A run given a store that holds batches of
        the same run takes them and runs only the others: an interrupted ensemble resumes, and
        its result equals an uninterrupted run's (tested). A store of another run is refused.

    Returns
    -------
    xarray.Dataset
        Dims ``member``, ``strategy``, ``time``: the indexes and curves of :func:`run_member`
        stacked in member order (failed members left out: ``attrs["failed_members"]``, JSON,
        lists them, ``attrs["n_failed"]`` counts them), the draws as variables on ``member``;
        ``attrs``: ``seed``,
        ``priors`` (JSON), ``n_members``, ``batch_size``, ``engine``, the constraints, and how
        the run went: ``wall_seconds``, ``task_seconds`` and ``task_cpu_seconds`` (summed over
        tasks; CPU well below wall means the workers waited for a core). The data are the same
        whether serial, on one worker or many.

    Examples
    --------
    >>> from workbench.city import toy_city
    >>> from workbench.hazard import Earthquake, earthquake_intensity
    >>> from workbench.network.system import build_system
    >>> city = toy_city(); system = build_system(city)
    >>> shaking = earthquake_intensity(Earthquake(6.5, 0.0, 0.0), city.buildings,
    ...                                system.components)
    >>> ens = run_ensemble(city, system, shaking, Constraints(crews=2, horizon_days=60), 4,
    ...                    seed=1, design_code="4")
    >>> dict(ens.sizes)
    {'member': 4, 'strategy': 3, 'time': 61}
    """
    draws = _check_run(draws, seed, workers, scheduler, batch_size, priors)
    strategies = check_strategies(strategies)
    if not isinstance(constraints, Constraints):
        raise InputError(f"constraints must be a workbench.recovery.Constraints, got "
                         f"{type(constraints).__name__}.")
    if not (isinstance(max_failed_share, (int, float)) and not isinstance(max_failed_share, bool)
            and 0.0 <= max_failed_share < 1.0):
        raise InputError(f"max_failed_share must be a share in [0, 1), got "
                         f"{max_failed_share!r}.")
    members = draws.sizes[MEMBER]
    columns = {name: draws[name].values for name in (*PRIOR_NAMES, "damage_seed",
                                                      "recovery_seed") if name in draws}
    labels = draws[MEMBER].values
    rows = [{**_values({k: v[m] for k, v in columns.items()}), "member": labels[m]}
            for m in range(members)]
    mode = scheduler or ("local" if workers else "serial")
    if mode in ("local", "processes") and workers is None:
        workers = os.cpu_count() or 1
    n_workers = workers or 1
    size = batch_size or _default_batch_size(city, system, constraints, len(strategies),
                                             members, n_workers)
    batches = [rows[i:i + size] for i in range(0, members, size)]
    context = _Context(city, system, intensity, constraints, strategies, design_code,
                       bool(road_debris), functionality, shelters, building_model)
    keep = _Store(store, _fingerprint(draws, strategies, constraints, intensity, design_code,
                                      road_debris, building_model, functionality, size,
                                      city=city, system=system, shelters=shelters),
                  strategies, constraints.horizon_days) if store is not None else None
    results = [keep.load(i) if keep is not None else None for i in range(len(batches))]
    todo = [i for i, r in enumerate(results) if r is None]
    start = time.perf_counter()
    done = sum(len(batches[i]) for i in range(len(batches)) if results[i] is not None)
    if progress is not None:
        progress(done, members)
    if mode == "processes":
        engine = f"processes, {workers} workers"
        ran = _run_processes(context, [batches[i] for i in todo], members, workers, progress,
                             done=done, keep=None if keep is None else (
                                 lambda k, r: keep.save(todo[k], r)))
        for i, r in zip(todo, ran):
            results[i] = r
    elif mode == "serial":
        engine = "serial"
        for i in todo:
            results[i] = _run_batch(context, batches[i])
            if keep is not None:
                keep.save(i, results[i])
                results[i] = _written(results[i])
            done += len(batches[i])
            if progress is not None:
                progress(done, members)
    else:
        address = None if mode == "local" else scheduler
        engine = f"local cluster, {workers} workers" if address is None else \
            f"scheduler {scheduler}"
        ran = _run_distributed(context, [batches[i] for i in todo], members, address,
                               workers, progress, done=done,
                               keep=None if keep is None else (lambda k, r: keep.save(todo[k],
                                                                                      r)))
        for i, r in zip(todo, ran):
            results[i] = r
    elapsed = time.perf_counter() - start
    log.info("ensemble of %d members in %d batches of %d (%s; %d from the store): %.1f s",
             members, len(batches), size, engine, len(batches) - len(todo), elapsed)
    failed = [f for batch in results for f in batch["failed"]]
    if len(failed) > max_failed_share * members or len(failed) == members:
        first = "; ".join(f"member {f['member']} (damage seed {f['damage_seed']}): {f['error']}"
                          for f in failed[:3])
        raise StageError("ensemble", f"{len(failed)} of {members} members failed, more than the "
                         f"{max_failed_share:.0%} allowed (ensemble.max_failed_share); first: "
                         f"{first}")
    for f in failed:
        log.warning("ensemble member %d (damage seed %d, recovery seed %d) failed and is left "
                    "out: %s", f["member"], f["damage_seed"], f["recovery_seed"], f["error"])
    timing = {"wall_seconds": elapsed,
              "task_seconds": float(sum(b["wall_s"] for b in results)),
              "task_cpu_seconds": float(sum(b["cpu_s"] for b in results))}
    ok = [label for batch in results for label in batch["labels"]]
    if keep is not None:
        ds = keep.open(len(batches))
    else:
        ds = _dataset([m for batch in results for m in batch["members"]], strategies,
                      constraints.horizon_days, np.asarray(ok, dtype=labels.dtype))
    for name in draws.data_vars:
        ds[name] = draws[name].sel({MEMBER: ok})
    ds.attrs.update({"seed": draws.attrs["seed"], "priors": draws.attrs["priors"],
                     "n_members": int(members), "batch_size": int(size), "engine": engine,
                     "n_failed": len(failed), "failed_members": json.dumps(failed),
                     **timing,
                     "road_debris": int(bool(road_debris)), "design_code": str(design_code),
                     "building_model": resolve_building_model(building_model, intensity),
                     **constraints.as_attrs()})
    return ds


_CONTEXT = None          # the context of a worker process of "processes" (_run_processes)


def _set_context(payload: bytes) -> None:
    import pickle
    global _CONTEXT
    _CONTEXT = pickle.loads(payload)


def _run_batch_here(rows: list[dict]) -> dict:
    return _run_batch(_CONTEXT, rows)


def _run_processes(context, batches, members, workers, progress, *, done=0, keep=None) -> list:
    """The batches on a pool of ``workers`` processes (``concurrent.futures``, started by
    spawning: the same on every platform, and safe beside threads); the context is sent to
    each process once. Results in batch order; ``keep`` and ``progress`` as for
    :func:`_run_distributed`."""
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor, as_completed
    import cloudpickle      # as dask sends it: the functionality's tables hold mappingproxies
    results = [None] * len(batches)
    with ProcessPoolExecutor(max_workers=workers, initializer=_set_context,
                             initargs=(cloudpickle.dumps(context),),
                             mp_context=multiprocessing.get_context("spawn")) as pool:
        index = {pool.submit(_run_batch_here, batch): i for i, batch in enumerate(batches)}
        for future in as_completed(index):
            i = index.pop(future)
            results[i] = future.result()
            if keep is not None:
                keep(i, results[i])
                results[i] = _written(results[i])
            done += len(batches[i])
            if progress is not None:
                progress(done, members)
    return results


def _run_distributed(context, batches, members, scheduler, workers, progress, *, done=0,
                     keep=None) -> list:
    """The batches on dask.distributed; results in batch order. ``done``: members already
    done (from a store); ``keep(k, result)`` is called as batch ``k`` arrives."""
    from distributed import Client, LocalCluster, as_completed
    if scheduler is not None:
        try:
            client = Client(scheduler, timeout=f"{CONNECT_TIMEOUT_S}s")
        except (OSError, TimeoutError) as exc:
            raise InputError(f"scheduler {scheduler!r} did not answer within "
                             f"{CONNECT_TIMEOUT_S} s ({type(exc).__name__}: {exc}); start it "
                             f"(`dask scheduler`) and its workers, check the address, or leave "
                             f"scheduler= out to run locally.") from None
        cluster = None
        try:
            client.wait_for_workers(1, timeout=CONNECT_TIMEOUT_S)
        except TimeoutError:
            client.close()
            raise InputError(f"scheduler {scheduler!r} has no workers after "
                             f"{CONNECT_TIMEOUT_S} s; start some (`dask worker {scheduler}`) "
                             f"or run locally with workers=N.") from None
    else:
        cluster = LocalCluster(n_workers=workers, threads_per_worker=1, processes=True,
                               dashboard_address=None, silence_logs=logging.ERROR)
        client = Client(cluster)
    try:
        shared = client.scatter(context, broadcast=True)
        futures = [client.submit(_run_batch, shared, batch, pure=False) for batch in batches]
        index = {f.key: i for i, f in enumerate(futures)}
        results = [None] * len(batches)
        pending = as_completed(futures)
        del futures                     # a batch's result is released once it is taken
        for future in pending:
            i = index[future.key]
            results[i] = future.result()
            future.release()
            if keep is not None:
                keep(i, results[i])
                results[i] = _written(results[i])
            done += len(batches[i])
            if progress is not None:
                progress(done, members)
        return results
    finally:
        client.close()
        if cluster is not None:
            cluster.close()


def _digest(*arrays) -> str:
    """SHA-256 of arrays' bytes (shape and dtype included)."""
    import hashlib
    h = hashlib.sha256()
    for a in arrays:
        a = np.ascontiguousarray(np.asarray(a))
        h.update(f"{a.shape}{a.dtype.str}".encode())
        h.update(a.tobytes() if a.dtype != object else repr(a.tolist()).encode())
    return h.hexdigest()


def _table_digest(ds) -> str:
    """SHA-256 of a table's variables and coordinates (None: no table)."""
    if ds is None:
        return "none"
    return _digest(*(ds[v].values for v in sorted(map(str, ds.variables))))


def _fingerprint(draws, strategies, constraints, intensity, design_code, road_debris,
                 building_model, functionality, batch_size, city=None, system=None,
                 shelters=None) -> dict:
    """What makes two runs the same run, for :class:`_Store`: the members' draws, the
    strategies, constraints and models (the functionality's tables, the shelters), the batch
    size, the shaking's values and the city's buildings and components, every value."""
    return {"draws": _digest(*(draws[v].values for v in sorted(draws.data_vars)),
                             draws[MEMBER].values),
            "buildings": _table_digest(getattr(city, "buildings", None)),
            "components": _table_digest(getattr(system, "components", None)),
            "shelters": repr(shelters),
            "functionality_tables": getattr(functionality, "_digest", "") or repr(functionality),
            "seed": int(draws.attrs["seed"]), "priors": draws.attrs["priors"],
            "strategies": list(strategies), "batch_size": int(batch_size),
            "constraints": json.dumps(constraints.as_attrs(), sort_keys=True, default=str),
            "design_code": str(design_code), "road_debris": bool(road_debris),
            "building_model": str(building_model),
            "functionality": type(functionality).__name__,
            "intensity": _digest(*(intensity[v].values for v in sorted(intensity.data_vars)))}


class _Store:
    """Finished batches of one ensemble on disk (``run_ensemble(store=...)``)."""

    def __init__(self, folder, fingerprint: dict, strategies, horizon: int):
        self.folder = Path(folder).expanduser()
        self.strategies, self.horizon = list(strategies), int(horizon)
        self.folder.mkdir(parents=True, exist_ok=True)
        mark = self.folder / "ensemble.json"
        if mark.exists():
            try:
                held = json.loads(mark.read_text())
            except ValueError:
                held = None
            if held != fingerprint:
                raise InputError(f"the ensemble store {str(self.folder)!r} holds batches of "
                                 f"another run (other members, settings or shaking); give a "
                                 f"new folder, or empty this one to start again.")
        elif any(self.folder.iterdir()):
            raise InputError(f"the ensemble store {str(self.folder)!r} is not empty and holds "
                             f"no ensemble.json; give an empty or new folder.")
        else:
            tmp = mark.with_suffix(".json.tmp")
            tmp.write_text(json.dumps(fingerprint))
            os.replace(tmp, mark)

    def _path(self, i: int) -> Path:
        return self.folder / f"batch_{i:05d}.nc"

    def save(self, i: int, result: dict) -> None:
        """Batch ``i`` written whole, then renamed into place (a kill leaves no half file)."""
        ds = _dataset(result["members"], self.strategies, self.horizon,
                      np.asarray(result["labels"])) if result["members"] else xr.Dataset()
        ds.attrs.update({"failed": json.dumps(result["failed"]),
                         "wall_s": result["wall_s"], "cpu_s": result["cpu_s"]})
        tmp = self._path(i).with_suffix(".nc.tmp")
        ds.to_netcdf(tmp, engine="h5netcdf")
        os.replace(tmp, self._path(i))

    def load(self, i: int) -> dict | None:
        """What :meth:`save` kept of batch ``i`` (:func:`_written`), or None when not
        written. Reads the batch's member labels and attributes, not its data."""
        path = self._path(i)
        if not path.exists():
            return None
        with xr.open_dataset(path, engine="h5netcdf") as ds:
            labels = ds[MEMBER].values.tolist() if MEMBER in ds.dims else []
            return {"members": None, "labels": labels, "failed": json.loads(ds.attrs["failed"]),
                    "wall_s": float(ds.attrs["wall_s"]), "cpu_s": float(ds.attrs["cpu_s"])}

    def open(self, n_batches: int) -> xr.Dataset:
        """The written batches ``0 … n_batches - 1`` (those with members) as one Dataset on
        ``member``, read lazily (dask, one chunk per batch): nothing is held in memory until
        it is used, so an ensemble of any size is written and summarised in flat memory."""
        paths = [self._path(i) for i in range(n_batches)]
        with_members = []
        for path in paths:
            with xr.open_dataset(path, engine="h5netcdf") as ds:
                if MEMBER in ds.dims:
                    with_members.append(path)
        ds = xr.open_mfdataset(with_members, engine="h5netcdf", combine="nested",
                               concat_dim=MEMBER, data_vars="minimal", coords="minimal",
                               compat="override", join="override", parallel=False)
        return ds.drop_attrs(deep=False)


def _written(result: dict) -> dict:
    """A batch's result without its members' arrays (they are in the store)."""
    return {**result, "members": None}


def _dataset(rows: list[dict], strategies, horizon: int, members=None) -> xr.Dataset:
    """Members' arrays stacked on ``member`` (in the order given; ``members`` labels them,
    default 0, 1, …)."""
    stack = lambda name: np.stack([r[name] for r in rows])  # noqa: E731
    data = {name: ((MEMBER, STRATEGY), stack(name), {"units": unit})
            for name, unit in INDEXES.items()}
    data["recovered_95"] = ((MEMBER, STRATEGY), stack("recovered_95"))
    for name in CURVES:
        data[name] = ((MEMBER, STRATEGY, TIME), stack(name), {"units": "1"})
    data["damaged_buildings"] = ((MEMBER,), stack("damaged_buildings"), {"units": "buildings"})
    data["blocked_road_edges"] = ((MEMBER,), stack("blocked_road_edges"), {"units": "edges"})
    members = np.arange(len(rows)) if members is None else members
    ds = xr.Dataset(data, coords={MEMBER: members, STRATEGY: list(strategies),
                                  TIME: np.arange(horizon + 1)})
    ds[TIME].attrs["units"] = "day"
    return ds


def save_ensemble(ds: xr.Dataset, path) -> Path:
    """Write an ensemble Dataset as netCDF (h5netcdf engine); returns the path."""
    if not isinstance(ds, xr.Dataset) or MEMBER not in ds.dims:
        raise InputError(f"save_ensemble takes the Dataset of run_ensemble (dim {MEMBER!r}), "
                         f"got {type(ds).__name__}.")
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    ds.to_netcdf(path, engine="h5netcdf")
    return path
