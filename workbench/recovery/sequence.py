"""Hazard events in sequence: an earthquake and its aftershock, an earthquake then a flood.

A damage Dataset may carry *later events* beside its first one (:func:`join_events`): each
later event's damage under the same variable names prefixed ``event_``, on a dim ``event``
whose coordinate ``event_day`` is the day it strikes. :func:`workbench.recovery.
simulate_recovery` then simulates the sequence (:func:`simulate_sequence`), strategy by strategy:

1. the recovery from the first event runs up to the next event's day;
2. at that day the damage still unrepaired and the new event's damage are combined
   (:func:`combine_damage`): damage *accumulates on what is still unrepaired* —

   * an element carries the share ``rem`` of its earlier repair still to do (1 − work done /
     effort; 0 once restored) and its damage state while ``rem > 0``;
   * the new event damages only what is not already damaged: a building with a share
     ``r`` of its replacement cost still broken takes the new event's cost and effort × (1 − r);
     a component, × (1 − rem) (its share of effort still to do). So where both events hit the
     same unrepaired building the total is less than the sum of the two alone, and where the
     first repair was finished the new damage counts in full;
   * the damage state is the higher of the two; a component works only if neither left it out;

3. the recovery *re-plans* from that day on the combined damage, as after a new event: every
   building still damaged is inspected again and waits again for its impeding delays (an
   aftershock or a flood sends inspectors and permits back to the start), crews start new
   assignments; work done before is kept (it is in the shares above);
4. the days of all phases are stitched into one recovery Dataset on days 0…horizon.

Per strategy the combined damage differs (each has repaired different buildings by the second
event), so ``repair_cost`` is a variable on ``strategy`` (the first event's cost plus what each
later event added), which :func:`workbench.metrics.indexes.summary_indexes` reads.
"""

from __future__ import annotations

import json
from dataclasses import replace
from typing import Sequence

import numpy as np
import pandas as pd
import xarray as xr

from ..core.dims import BUILDING, COMPONENT, REALIZATION, STRATEGY, TIME
from ..core.errors import InputError

__all__ = ["EVENT", "EVENT_DAY", "join_events", "split_events", "has_events", "combine_damage",
           "simulate_sequence"]

#: Dim and coordinate of the later events in a damage Dataset.
EVENT, EVENT_DAY = "event", "event_day"
_PREFIX = "event_"
#: What the combination reads of each event's damage (the rest is left to the first event).
_NEEDED = ("building_damage_state", "building_repair_days", "building_repair_cost",
           "component_functional", "component_repair_days", "component_repair_cost")
#: The curves of a recovery Dataset, stitched phase by phase.
_CURVES = ("ep", "sc", "demand", "ep_functionality", "sc_functionality", "displaced",
           "sheltered", "crews_busy", "materials_spent")


def has_events(damage: xr.Dataset) -> bool:
    """Whether ``damage`` carries later events (:func:`join_events`)."""
    return EVENT in damage.dims


def join_events(first: xr.Dataset, later: Sequence[tuple[int, xr.Dataset]]) -> xr.Dataset:
    """``first`` with the ``later`` events' damage, ``(day, damage)`` in order of day, added as
    ``event_<variable>`` on dim ``event`` (coordinate ``event_day``); each event's hazard
    attributes go to ``attrs["events"]`` (JSON, first event included, with its day 0).

    Examples
    --------
    >>> first = xr.Dataset({"building_repair_days": ("building", [2.0, 0.0])},
    ...                    coords={"building": ["a", "b"]})
    >>> both = join_events(first, [(30, first * 2)])
    >>> both["event_building_repair_days"].values.tolist(), both["event_day"].values.tolist()
    ([[4.0, 0.0]], [30])
    >>> [d for d, _ in split_events(both)[1]]
    [30]
    """
    if not later:
        return first
    days = [int(d) for d, _ in later]
    if days != sorted(days) or len(set(days)) != len(days) or days[0] <= 0:
        raise InputError(f"later events must come on increasing days > 0; got days {days}.")
    stacked = xr.concat([d[[v for v in d.data_vars]] for _, d in later], dim=EVENT,
                        coords="minimal", compat="override", combine_attrs="drop")
    stacked = stacked.rename({v: _PREFIX + v for v in stacked.data_vars})
    out = xr.merge([first, stacked.assign_coords({EVENT_DAY: (EVENT, np.array(days))})],
                   compat="override", join="exact",
                   combine_attrs="override")
    hazard = lambda ds: {k: v for k, v in ds.attrs.items()         # noqa: E731
                         if k.startswith("hazard_") or k in ("seed", "building_model")}
    out.attrs["events"] = json.dumps([{"day": 0, **hazard(first)}]
                                     + [{"day": d, **hazard(ds)} for d, ds in later],
                                     default=str)
    return out


def split_events(damage: xr.Dataset) -> tuple[xr.Dataset, list[tuple[int, xr.Dataset]]]:
    """(first event's damage, [(day, later event's damage), …]) of a joined Dataset."""
    if not has_events(damage):
        return damage, []
    names = [v for v in damage.data_vars if v.startswith(_PREFIX)]
    first = damage.drop_vars(names + [EVENT_DAY])
    first.attrs.pop("events", None)
    later = []
    for k in range(damage.sizes[EVENT]):
        one = damage[names].isel({EVENT: k}, drop=True)
        one = one.rename({v: v[len(_PREFIX):] for v in names})
        later.append((int(damage[EVENT_DAY].values[k]), one))
    return first, later


def _values(ds: xr.Dataset, name: str, dim: str, n: int, default=0.0) -> np.ndarray:
    if name not in ds:
        return np.full(n, default)
    da = ds[name]
    if REALIZATION in da.dims:
        if da.sizes[REALIZATION] != 1:
            raise InputError(f"{name}: pass one realisation (damage.isel(realization=k)).")
        da = da.isel({REALIZATION: 0})
    return np.asarray(da.transpose(dim, ...).values)


def combine_damage(before: xr.Dataset, progress: xr.Dataset, new: xr.Dataset) -> xr.Dataset:
    """The damage a recovery restarts from when ``new`` strikes: ``before`` (the damage the
    current phase started from) less the work ``progress`` (one strategy of that phase's
    recovery Dataset: ``*_restored_day``, ``*_work_done``) did, plus ``new`` by the rules of the
    module docstring. One realisation each.

    Examples
    --------
    A building half repaired (2 of 4 crew-days, a quarter of its value broken) is hit again by
    damage worth 0.4 of its value: it takes (1 − 0.125) of the new cost and effort.

    >>> b = {"building": ["a"]}
    >>> before = xr.Dataset({"building_damage_state": ("building", [3]),
    ...     "building_repair_days": ("building", [4.0]),
    ...     "building_repair_cost": ("building", [250.0]),
    ...     "building_replacement_cost": ("building", [1000.0])}, coords=b)
    >>> progress = xr.Dataset({"building_restored_day": ("building", [np.inf]),
    ...                        "building_work_done": ("building", [2.0])}, coords=b)
    >>> new = before.assign(building_damage_state=("building", [2]),
    ...                     building_repair_cost=("building", [400.0]),
    ...                     building_repair_days=("building", [8.0]))
    >>> c = combine_damage(before, progress, new)
    >>> (c["building_repair_cost"].item(), c["building_repair_days"].item(),
    ...  int(c["building_damage_state"].item()))
    (475.0, 9.0, 3)
    """
    n = before.sizes[BUILDING]
    if "building_replacement_cost" not in before and "building_replacement_cost" not in new:
        raise InputError("events in sequence need building_replacement_cost in the damage "
                         "(the share of each building already broken); damage sampled by "
                         "workbench.hazard carries it, a damage table does not.")
    replacement = _values(new if "building_replacement_cost" in new else before,
                          "building_replacement_cost", BUILDING, n, np.nan)
    eff1 = _values(before, "building_repair_days", BUILDING, n)
    cost1 = _values(before, "building_repair_cost", BUILDING, n)
    ds1 = _values(before, "building_damage_state", BUILDING, n, 0).astype(np.int8)
    rem = _remaining(before, progress, "building")
    with np.errstate(divide="ignore", invalid="ignore"):
        broken = np.where(replacement > 0, np.clip(cost1 * rem / replacement, 0.0, 1.0), 0.0)
    intact = 1.0 - broken
    eff2 = _values(new, "building_repair_days", BUILDING, n)
    cost2 = _values(new, "building_repair_cost", BUILDING, n)
    ds2 = _values(new, "building_damage_state", BUILDING, n, 0).astype(np.int8)
    hit = eff2 * intact > 0
    state = np.maximum(np.where(rem > 0, ds1, 0), np.where(hit, ds2, 0))
    b_days = eff1 * rem + eff2 * intact
    b_cost = cost1 * rem + cost2 * intact
    # a building the new event did not damage keeps what is left of its earlier wait for
    # inspection and impeding delays; one it damaged waits anew (NaN: REDi's delays drawn)
    length = float(progress[TIME].values[-1]) if TIME in progress.coords else 0.0
    waited = _values(progress, "building_available_day", BUILDING, n)
    ready = np.where(hit, np.nan, np.maximum(waited - length, 0.0))
    out = {"building_damage_state": ((BUILDING,), state.astype(np.int8)),
           "building_repair_days": ((BUILDING,), b_days),
           "building_repair_cost": ((BUILDING,), b_cost),
           "building_replacement_cost": ((BUILDING,), replacement),
           "building_ready_day": ((BUILDING,), ready)}
    p2 = (_values(new, "building_damage_probability", BUILDING, n)
          if "building_damage_probability" in new else None)
    # inspected again only where the new event may have damaged it (planners' view)
    could = (p2[:, 0] < 1.0) if p2 is not None else hit
    out["building_known"] = ((BUILDING,), ~could)
    if p2 is not None:
        # planners know the state the earlier damage left; the new event's is still unknown
        k = np.arange(p2.shape[1])
        floor = np.where(rem > 0, ds1, 0)[:, None]
        below = np.where(k[None, :] <= floor, p2, 0.0).sum(axis=1, keepdims=True)
        p = np.where(k[None, :] > floor, p2, 0.0) + np.where(k[None, :] == floor, below, 0.0)
        out["building_damage_probability"] = ((BUILDING, "damage_state"), p)
        expected = _values(new, "building_expected_repair_days", BUILDING, n)
        out["building_expected_repair_days"] = ((BUILDING,), eff1 * rem + expected * intact)
    m = before.sizes.get(COMPONENT, 0)
    coords = {BUILDING: before[BUILDING].values}
    if m:
        coords[COMPONENT] = before[COMPONENT].values
        c_eff1 = _values(before, "component_repair_days", COMPONENT, m)
        c_cost1 = _values(before, "component_repair_cost", COMPONENT, m)
        c_ds1 = _values(before, "component_damage_state", COMPONENT, m, 0).astype(np.int8)
        c_rem = _remaining(before, progress, "component")
        works2 = _values(new, "component_functional", COMPONENT, m, True).astype(bool)
        c_eff2 = _values(new, "component_repair_days", COMPONENT, m)
        c_cost2 = _values(new, "component_repair_cost", COMPONENT, m)
        c_ds2 = _values(new, "component_damage_state", COMPONENT, m, 0).astype(np.int8)
        c_intact = 1.0 - c_rem
        out.update({
            "component_functional": ((COMPONENT,), (c_rem == 0) & works2),
            "component_damage_state": ((COMPONENT,), np.maximum(np.where(c_rem > 0, c_ds1, 0),
                                                                 c_ds2).astype(np.int8)),
            "component_repair_days": ((COMPONENT,), c_eff1 * c_rem + c_eff2 * c_intact),
            "component_repair_cost": ((COMPONENT,), c_cost1 * c_rem + c_cost2 * c_intact)})
    return xr.Dataset(out, coords=coords, attrs=dict(new.attrs))


def simulate_sequence(simulate, city, system, damage: xr.Dataset, constraints, *,
                      strategies, functionality=None, shelters=None, seed: int = 0,
                      return_assignments: bool = False):
    """The recovery from the events of ``damage`` (:func:`join_events`); ``simulate`` runs one
    phase (one realisation, no later events) and returns (recovery Dataset, crew log), as
    :func:`workbench.recovery.simulate_recovery` does with ``return_assignments``. Returns the
    recovery Dataset of days 0…horizon, with the variable ``repair_cost`` (strategy) [EUR] and
    ``attrs["events"]`` (and the crew log, days shifted to the run's, if asked)."""
    first, later = split_events(_one(damage))
    days = [0] + [d for d, _ in later]
    horizon = int(constraints.horizon_days)
    if days[-1] >= horizon:
        raise InputError(f"an event on day {days[-1]} comes at or after the horizon of "
                         f"{horizon} days; give it an earlier day or a longer horizon_days.")
    from ..functionality import Shelters
    shelters = shelters if shelters is not None else Shelters()
    per_strategy, logs = [], []
    for strategy in strategies:
        phases, current = [], first
        cost = float(_total_cost(first))
        for k, start in enumerate(days):
            end = days[k + 1] if k + 1 < len(days) else horizon
            limits = replace(constraints, horizon_days=end - start,
                             reserve_days=max(0.0, float(constraints.reserve_days) - start))
            sheltered = replace(shelters, temporary_from_day=max(
                0.0, float(shelters.temporary_from_day) - start))
            phase_seed = seed if k == 0 else int(np.random.SeedSequence([seed, k])
                                                  .generate_state(1)[0])
            rec, log = simulate(city, system, current, limits, strategies=(strategy,),
                                functionality=functionality, shelters=sheltered,
                                seed=phase_seed)
            phases.append((start, end, rec.isel({STRATEGY: 0}), current))
            log = log.assign(start_day=log["start_day"] + start, end_day=log["end_day"] + start)
            logs.append(log)
            if k + 1 < len(days):
                left = _left_cost(current, rec.isel({STRATEGY: 0}))
                current = combine_damage(current, rec.isel({STRATEGY: 0}), later[k][1])
                # the cost the new event added: the combined damage's cost less what was left
                cost += float(_total_cost(current)) - left
        per_strategy.append((phases, cost))
    out = _stitch(per_strategy, strategies, horizon, seed)
    out.attrs["events"] = damage.attrs.get("events", json.dumps([{"day": d} for d in days]))
    if not return_assignments:
        return out
    return out, pd.concat(logs, ignore_index=True)


def _one(damage: xr.Dataset) -> xr.Dataset:
    if REALIZATION in damage.dims:
        if damage.sizes[REALIZATION] != 1:
            raise InputError(f"damage holds {damage.sizes[REALIZATION]} realizations; pass one "
                             f"(damage.isel(realization=k)).")
        damage = damage.isel({REALIZATION: 0}, drop=True)
    return damage


def _total_cost(damage: xr.Dataset) -> float:
    return float(sum(float(damage[v].sum()) for v in ("building_repair_cost",
                                                      "component_repair_cost") if v in damage))


def _remaining(damage: xr.Dataset, progress: xr.Dataset, kind: str) -> np.ndarray:
    """The share of each element's repair (``kind``: building or component) that the work of
    ``progress`` had not yet done: 1 − work done / effort, 0 once restored, without effort, or
    (a component) still working."""
    dim = BUILDING if kind == "building" else COMPONENT
    n = damage.sizes.get(dim, 0)
    eff = _values(damage, f"{kind}_repair_days", dim, n)
    done = np.isfinite(_values(progress, f"{kind}_restored_day", dim, n, 0.0))
    if kind == "component":
        done |= _values(damage, "component_functional", dim, n, True).astype(bool)
    work = _values(progress, f"{kind}_work_done", dim, n)
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(done | ~(eff > 0), 0.0, np.clip(1.0 - work / eff, 0.0, 1.0))


def _left_cost(damage: xr.Dataset, progress: xr.Dataset) -> float:
    """The repair cost of ``damage`` that the work of ``progress`` had not yet done."""
    left = 0.0
    for kind, dim in (("building", BUILDING), ("component", COMPONENT)):
        if f"{kind}_repair_cost" not in damage or damage.sizes.get(dim, 0) == 0:
            continue
        cost = _values(damage, f"{kind}_repair_cost", dim, damage.sizes[dim])
        left += float((cost * _remaining(damage, progress, kind)).sum())
    return left


def _stitch(per_strategy, strategies, horizon: int, seed: int) -> xr.Dataset:
    """One recovery Dataset on days 0…horizon from each strategy's phases."""
    names = [getattr(s, "name", s) for s in strategies]
    parts = []
    for (phases, cost), name in zip(per_strategy, names):
        first = phases[0][2]
        b_day = np.zeros(first.sizes[BUILDING])
        c_day = np.zeros(first.sizes.get(COMPONENT, 0))
        b_work, c_work = np.zeros_like(b_day), np.zeros_like(c_day)
        curves = {k: [] for k in _CURVES if k in first}
        for start, end, rec, damage in phases:
            last = end == horizon
            piece = rec.isel({TIME: slice(None, None if last else -1)})
            for k in curves:
                curves[k].append(piece[k].values)
            tasks = np.asarray(damage["building_repair_days"].values, dtype=float) > 0
            day = np.asarray(rec["building_restored_day"].values, dtype=float)
            b_day = np.where(tasks, start + day, b_day)
            b_work = b_work + np.asarray(rec["building_work_done"].values)
            if c_day.size:
                c_tasks = ~np.asarray(damage["component_functional"].values, dtype=bool)
                c_day = np.where(c_tasks, start + np.asarray(rec["component_restored_day"]
                                                             .values, dtype=float), c_day)
                c_work = c_work + np.asarray(rec["component_work_done"].values)
        data = {k: ((TIME,), np.concatenate(v), first[k].attrs) for k, v in curves.items()}
        data.update({
            "building_restored_day": ((BUILDING,), b_day, first["building_restored_day"].attrs),
            "building_work_done": ((BUILDING,), b_work, first["building_work_done"].attrs),
            "repair_cost": ((), cost, {"units": "EUR"})})
        if c_day.size:
            data["component_restored_day"] = ((COMPONENT,), c_day,
                                              first["component_restored_day"].attrs)
            data["component_work_done"] = ((COMPONENT,), c_work,
                                           first["component_work_done"].attrs)
        coords = {TIME: np.arange(horizon + 1), BUILDING: first[BUILDING].values}
        if c_day.size:
            coords[COMPONENT] = first[COMPONENT].values
        parts.append(xr.Dataset({k: xr.Variable(*v) for k, v in data.items()}, coords=coords)
                     .expand_dims({STRATEGY: [name]}))
    out = xr.concat(parts, dim=STRATEGY)
    out[TIME].attrs["units"] = "day"
    attrs = dict(per_strategy[0][0][0][2].attrs)
    attrs.update({"horizon_days": int(horizon), "seed": int(seed)})
    attrs.pop("repair_cost", None)
    out.attrs.update(attrs)
    return out
