"""The day loop of the recovery simulation (private; ``workbench.recovery`` is the public API).

``simulate_strategy`` steps one strategy (a :class:`~workbench.recovery.strategies.StrategyRule`) through
the horizon one day at a time: it locks committed crews, orders the open tasks that are
available (inspected and past their impeding delays; ``_priority``: components by tier, level,
network and finishing time via ``_component_order``, buildings by functionality gain per
remaining crew-day — or, for a fixed plan, the predefined list of ``_fixed_order``: utilities,
then buildings by the rows of ``Constraints.rigid_plan``), hands out crews and the
material budget (``_assign``), lets crews mobilise before their work counts, and records
restoration days, curves and crew stints as raw arrays, which ``workbench.recovery`` assembles
into the result Dataset and crew log. The day's state is one :class:`_DayState`. The method is
documented in ``workbench.recovery``.

Speed without changing a number: the loop runs a day in some tens of numpy calls on arrays of the
open tasks. What does not change from one day to the next is kept rather than recomputed — the
day's EP, SC and shelter figures until a repair completes, the buildings' gains (a shelter
host's until the unsheltered change), per-task constants (``Problem.speed``,
``Problem.done_at``), the service and levels of a component state and the model's values at a
service pattern (memoised in :class:`Problem`); with many open buildings only those free crews
could take are ranked (:func:`_top_buildings`); the days on which no crew can be given other
work — every open task has its crew, or every crew is committed and no pool with a task waiting
has a crew free — and none finishes are coasted, only their work added (:func:`_coast`). Every value that is computed is computed by the
same expression, in the same order, as the plain loop did, so the results are the same bit for
bit (checked against the loop before these changes on the demo and on generated cities), save
the day's materials spent, now summed exactly (``math.fsum``) so that the order in which tasks
were chosen does not enter it.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from ..functionality import shelter_capacity
from ._problem import Problem
from .strategies import StrategyRule, strategy_rule
from scipy.optimize import Bounds, LinearConstraint, milp

__all__ = ["simulate_strategy", "Problem", "PLANNERS", "EXACT_MAX_TASKS"]   # private module

#: Day planners: the greedy ratio rule, or the exact mixed-integer programme (HiGHS).
PLANNERS = ("greedy", "exact")
#: The exact planner solves a day's building assignment only up to this many candidates.
EXACT_MAX_TASKS = 400
#: Above this many open buildings the greedy planner ranks only those crews could take.
_TOP_BUILDINGS_FROM = 2000
#: Coast through the days on which nothing but the work done changes (:func:`_coast`); off, every
#: day runs in full (the tests compare the two).
_COAST = True


@dataclass
class _DayState:
    """Everything that changes from day to day in one strategy's simulation."""

    work: np.ndarray            # crew-days done, per task
    complete: np.ndarray        # task done, per task
    restored: np.ndarray        # day the task's element is restored (inf = not yet)
    available: np.ndarray       # first day a task may receive work
    task_crew: np.ndarray       # crew on each task (-1 = none)
    crew_task: np.ndarray       # task of each crew (-1 = idle)
    crew_since: np.ndarray      # day the crew's current commitment began
    crew_start: np.ndarray      # day the crew's current stint began
    crew_ready: np.ndarray      # day from which the crew's work counts (after mobilisation)
    a: np.ndarray               # usable share of floor area, per building
    q: np.ndarray               # usable share of occupancy, per building
    c_state: np.ndarray         # each component's own state (True = works)
    service: np.ndarray         # (building, network) service satisfaction
    ep_unit: np.ndarray         # EUR/m²/day at the current service, per building
    rss: np.ndarray             # supplementary service factor, per building
    ep_b: np.ndarray            # EP of each building [EUR/day]
    sc_b: np.ndarray            # SC of the residents housed in each building [person-units]
    away: np.ndarray            # residents displaced from each building [persons]
    tier: np.ndarray            # 0 on the network's MST, 1 off it, per component
    level: np.ndarray           # CA-BFS level, per component
    mobilisation: float = 0.0   # days a crew starting a task spends before its work counts
    unsheltered: float = 0.0    # displaced residents without a shelter place [persons]
    fixed_order: np.ndarray | None = None
    n_complete: int = 0         # tasks done (``complete.sum()``)
    changed: bool = True        # a repair completed since the day's figures were last computed
    temporary_on: bool | None = None   # temporary shelters open at the last computed figures
    figures: tuple = ()         # (ep, sc, displaced, sheltered) of the current state
    gain: np.ndarray | None = None     # functionality gain of each building task (None = stale)
    gain_unsheltered: float = 0.0      # the unsheltered the hosts' gains were computed with
    open_available: np.ndarray | None = None   # not complete and available by today
    last_ready: float = -math.inf      # latest day from which a crew's work counts
    pool_sizes: np.ndarray | None = None   # crews of each pool today (reserves leave)
    served: np.ndarray | None = None   # served state of every node (Problem.served)


# --------------------------------------------------------------------------- priorities

def _building_ratio(p: Problem, st: _DayState, bld: np.ndarray, mobilisation: float
                    ) -> np.ndarray:
    """Functionality gain per remaining crew-day of building tasks ``bld`` at today's service
    (Zhou et al.'s short-term gain, METHOD §5.3; planners add the mobilisation of a task no crew is on yet:
    they know switching costs).

    The gains of all building tasks are computed once and kept: a task's gain depends on its own
    usable shares (which change only when it is done, and then it is no longer open) and, for a
    shelter host, on the unsheltered; so only the hosts' gains are computed again, and only when
    the unsheltered change. Elementwise, so the same numbers as computing all every day."""
    if st.gain is None:
        st.gain = _gains(p, st, p.building_target)
        st.gain_unsheltered = st.unsheltered
    elif st.unsheltered != st.gain_unsheltered:
        hosts = p.host_tasks
        st.gain[hosts] = _gains(p, st, p.building_target[hosts])
        st.gain_unsheltered = st.unsheltered
    remaining = p.effort[bld] - st.work[bld]
    if mobilisation == 0:             # remaining + 0.0 is remaining
        return st.gain[bld] / remaining
    return st.gain[bld] / (remaining + np.where(st.task_crew[bld] < 0, mobilisation, 0.0))


def _gains(p: Problem, st: _DayState, t: np.ndarray) -> np.ndarray:
    """Functionality gain of repairing buildings ``t`` (valued at full service), [-]."""
    ep_unit, rss = p.full_ep_unit[t], p.full_rss[t]
    d_ep = p.area[t] * (1.0 - st.a[t]) * ep_unit
    d_sc = p.residents[t] * (1.0 - st.q[t]) * (1 + rss)
    hosted = np.minimum(p.places_full[t], st.unsheltered)
    d_sc = d_sc + p.value.shelter_housing * hosted + p.value.shelter_service * rss * np.minimum(
        hosted, p.host_spare[t])
    return 0.5 * (d_ep / max(p.ep0, 1e-300) + d_sc / max(p.demand, 1e-300))


def _priority(p: Problem, rule: StrategyRule, open_: np.ndarray, st: _DayState,
              mobilisation: float, locked: np.ndarray) -> tuple[np.ndarray, np.ndarray | None]:
    """Open tasks in priority order (components first, then buildings), and, for the exact
    planner, the gain ratio of every open building task (by task; NaN elsewhere; None for a
    fixed plan or the greedy planner).

    With the greedy planner and many open buildings, the order holds the committed buildings
    and only as many of the others as free crews could take (:func:`_top_buildings`): what
    :func:`_assign` takes from it is the same."""
    if rule.fixed_plan:
        return st.fixed_order[open_[st.fixed_order]], None
    # tasks are buildings first (positions < n_bt), then components
    comp = open_[p.n_bt:].nonzero()[0] + p.n_bt
    # the open buildings in tie order, so that a stable sort by ratio is the lexsort by
    # (ratio, tie) of the plain loop
    bld = p.buildings_by_tie[open_[p.buildings_by_tie]]
    parts = []
    ratio = np.full(len(p.target), np.nan) if p.constraints.planner == "exact" else None
    if len(comp):
        remaining = p.effort[comp] - st.work[comp]
        parts.append(comp[_component_order(p, comp, st.tier, st.level, remaining)])
    if len(bld):
        r = _building_ratio(p, st, bld, mobilisation)
        if ratio is None and len(bld) > _TOP_BUILDINGS_FROM:
            parts.append(_top_buildings(p, bld, r, locked, st.pool_sizes))
        else:
            parts.append(bld[np.argsort(-r, kind="stable")])
        if ratio is not None:
            ratio[bld] = r
    if len(parts) == 2:
        return np.concatenate(parts), ratio
    return (parts[0] if parts else comp), ratio


def _top_buildings(p: Problem, bld: np.ndarray, r: np.ndarray, locked: np.ndarray,
                   sizes: np.ndarray) -> np.ndarray:
    """The committed buildings of ``bld`` (tie order, ratios ``r``) in priority order, then the
    first of the others in priority order, as many as the crews not committed could take.

    The first ``k`` of a stable sort by ``−r`` of tie-ordered tasks are those below the k-th
    smallest key and, among those equal to it, the first in tie order: found with one
    ``partition`` rather than sorting every open building."""
    key = -r
    is_locked = locked[bld]
    held, held_key = bld[is_locked], key[is_locked]
    free, free_key = bld[~is_locked], key[~is_locked]
    if p.n_pools == 1:
        k = int(sizes[0]) - int(np.count_nonzero(locked))
    else:                              # buildings are pool 0
        k = int(sizes[0]) - len(held)
    k = max(k, 0)
    if k < len(free):
        if k == 0:
            free, free_key = free[:0], free_key[:0]
        else:
            kth = np.partition(free_key, k - 1)[k - 1]
            chosen = free_key < kth
            chosen[(free_key == kth).nonzero()[0][:k - int(np.count_nonzero(chosen))]] = True
            free, free_key = free[chosen], free_key[chosen]
    return np.concatenate([held[np.argsort(held_key, kind="stable")],
                           free[np.argsort(free_key, kind="stable")]])


def _component_order(p, comp, tier, level, remaining):
    """Priority order of component tasks ``comp`` with ``remaining`` effort (one per task)."""
    target = p.target[comp]
    # unlimited materials: every speed is 1 and remaining / 1 is remaining
    finish = remaining if p.unit_speed else remaining / p.speed[comp]
    return np.lexsort((p.tie[comp], finish, p.net_rank[comp], level[target], tier[target]))


def _fixed_order(p: Problem, tier, level, random_order: bool = False) -> np.ndarray:
    """The predefined plan, a rule fixed before the event and never revised: utilities first —
    network components along their critical paths (levels of day 0, ``_component_order``) —
    then buildings by the rows of ``Constraints.rigid_plan`` (function class and damage state,
    ``Problem.plan_rank``; buildings in no row last), within a row and damage state in the
    random tie order. The rule uses a building's true damage state: its task becomes available
    only once the building is inspected (``Problem.available_day``), when that state is known,
    so the fixed rule is applied to the buildings as they are found. No objective of the daily
    planner enters it. With ``random_order`` the buildings follow the random tie order alone
    (a random priority list, as pyrecodes' ``RandomPriority``)."""
    all_tasks = np.arange(len(p.target))
    comp = all_tasks[p.kind == 1]
    bld = all_tasks[p.kind == 0]
    comp = comp[_component_order(p, comp, tier, level, p.effort[comp])] if len(comp) else comp
    rank = np.zeros(len(bld), np.int64) if random_order else p.plan_rank[p.target[bld]]
    bld = bld[np.lexsort((p.tie[bld], rank))]
    return np.concatenate([comp, bld]).astype(np.int64)


# --------------------------------------------------------------------------- the day's choice

def _exact_buildings(cand: np.ndarray, ratio: np.ndarray, w: np.ndarray, need: np.ndarray,
                     slots: int, budget: float) -> np.ndarray:
    """Exact day assignment of building tasks of one pool (scipy's HiGHS MILP).

    Maximise Σ ratio_i · w_i · y_i (gain rate × work done today) over x_i ∈ {0, 1} (task i gets a
    crew) and 0 ≤ y_i ≤ x_i (its share of a full day's work, limited by materials), subject to
    Σ x_i ≤ slots and Σ need_i · y_i ≤ budget. Returns a boolean mask over ``cand``.
    """
    k = len(cand)
    value = ratio * w
    c = np.concatenate([np.zeros(k), -value])                 # minimise −value
    rows = [np.concatenate([np.ones(k), np.zeros(k)])]        # crews
    lo, hi = [-np.inf], [float(slots)]
    if math.isfinite(budget):
        rows.append(np.concatenate([np.zeros(k), need]))      # materials
        lo.append(-np.inf)
        hi.append(float(budget))
    link = np.hstack([-np.eye(k), np.eye(k)])                 # y_i − x_i ≤ 0
    a = np.vstack([np.array(rows), link])
    constraint = LinearConstraint(a, np.concatenate([lo, np.full(k, -np.inf)]),
                                  np.concatenate([hi, np.zeros(k)]))
    res = milp(c, constraints=constraint, integrality=np.concatenate([np.ones(k), np.zeros(k)]),
               bounds=Bounds(0, 1))
    if res.status != 0 or res.x is None:        # never worse than greedy: fall back to it
        return np.zeros(k, bool) if slots <= 0 else np.arange(k) < slots
    return res.x[:k] > 0.5


def _assign(p: Problem, st: _DayState, order: np.ndarray, ratio: np.ndarray | None,
            locked: np.ndarray, t: int) -> tuple[np.ndarray, np.ndarray, int]:
    """The day's tasks: committed ones, then free crews by pool in priority order; materials in
    that order. Returns the chosen tasks, each one's share of a full day's work and how many of
    them (the first) are committed."""
    budget = p.constraints.materials_per_day
    is_locked = locked[order]
    locked_tasks, cand = order[is_locked], order[~is_locked]
    slots = st.pool_sizes - np.bincount(p.pool[locked_tasks], minlength=p.n_pools)
    # the first slots[k] candidates of each pool k, in priority order
    if ratio is not None:
        take = _first_of_pools(p, cand, slots)
        take = np.ones(len(cand), bool) if take is None else take
        take = _exact_take(p, st, cand, take, ratio, locked_tasks, slots, budget)
        taken = cand[take]
    elif not len(cand):
        taken = cand
    elif p.n_pools == 1:
        taken = cand[:max(int(slots[0]), 0)]
    else:
        # crews by trade: the building tasks (pool 0) are the candidates after the components
        n_comp = int(np.count_nonzero(cand >= p.n_bt))
        taken = cand[n_comp:n_comp + max(int(slots[0]), 0)]
        if n_comp:
            comp = cand[:n_comp]
            take = _first_of_pools(p, comp, slots)
            taken = np.concatenate([comp if take is None else comp[take], taken])
    seq = np.concatenate([locked_tasks, taken]) if len(taken) else locked_tasks
    w = np.minimum(1.0, p.effort[seq] - st.work[seq])
    if st.mobilisation > 0:
        # a crew still mobilising does no work: factor clip(t + 1 − ready, 0, 1), ready = the
        # day its work counts (a task taken today: its crew is new, ready at t + mobilisation).
        # Committed tasks always have their crew; once every crew is ready (last_ready ≤ t)
        # only the new tasks' factor differs from 1, and it is one number
        if st.last_ready > t:
            crew = st.task_crew[seq]
            ready = np.where(crew >= 0, st.crew_ready[np.maximum(crew, 0)],
                             t + st.mobilisation)
            w = w * np.minimum(np.maximum(t + 1 - ready, 0.0), 1.0)     # = clip(…, 0, 1)
        elif len(taken):
            new = (st.task_crew[taken] < 0).nonzero()[0]
            factor = min(max(t + 1 - (t + st.mobilisation), 0.0), 1.0)
            if len(new) and factor != 1.0:
                at = new + len(locked_tasks)
                w[at] = w[at] * factor
    if math.isinf(budget):
        return seq, w, len(locked_tasks)    # every task gets the materials it needs (f = 1)
    need = p.rate[seq] * w
    before = np.cumsum(need) - need
    f = np.clip(np.divide(budget - before, need, out=np.ones(len(seq)), where=need > 0),
                0.0, 1.0)
    keep = (np.arange(len(seq)) < len(locked_tasks)) | (f > 0)
    return seq[keep], (w * f)[keep], len(locked_tasks)


def _first_of_pools(p: Problem, cand: np.ndarray, slots: np.ndarray) -> np.ndarray | None:
    """Mask of the first ``slots[k]`` candidates of each pool ``k`` (in their order); None when
    that is every candidate."""
    if p.n_pools == 1:
        return np.arange(len(cand)) < slots[0]
    in_pool = p.pool[cand]
    counts = np.bincount(in_pool, minlength=p.n_pools).tolist()
    free = slots.tolist()
    if all(f >= c for f, c in zip(free, counts)):
        return None
    take = np.zeros(len(cand), bool)
    for k, (f, c) in enumerate(zip(free, counts)):
        if f <= 0 or c == 0:
            continue
        if f >= c:
            take |= in_pool == k
        else:
            take[(in_pool == k).nonzero()[0][:f]] = True
    return take


def _exact_take(p, st, cand, take, ratio, locked_tasks, slots, budget):
    """Replace the greedy choice of building candidates by the exact one, pool by pool."""
    bld = p.kind[cand] == 0
    b_cand = cand[bld]
    if not 0 < len(b_cand) <= EXACT_MAX_TASKS:
        return take
    # budget left after committed and component work, which keep their priority
    before = np.concatenate([locked_tasks, cand[take & ~bld]])
    spent = float((p.rate[before] * np.minimum(1.0, p.effort[before] - st.work[before])).sum())
    left = budget - spent if math.isfinite(budget) else budget
    w = np.minimum(1.0, p.effort[b_cand] - st.work[b_cand])
    out = take.copy()
    pools = p.pool[b_cand]
    for k in np.unique(pools):
        sel = pools == k
        free = int(slots[k] - (take & ~bld & (p.pool[cand] == k)).sum())
        chosen = _exact_buildings(b_cand[sel], ratio[b_cand[sel]], w[sel],
                                  p.rate[b_cand[sel]] * w[sel], max(free, 0), max(left, 0.0))
        positions = np.flatnonzero(bld)[sel]
        out[positions] = chosen
    return out


# --------------------------------------------------------------------------- one strategy

def _new_state(p: Problem, rule: StrategyRule) -> _DayState:
    n_t, n_crews = len(p.target), int(p.pool_sizes.sum())
    day0 = p.day0()
    complete = day0["complete"].copy()
    c_state = day0["c_state"].copy()
    service = day0["service"]
    ep_unit, rss = day0["ep_unit"].copy(), day0["rss"].copy()
    a, q = p.a0.copy(), p.q0.copy()
    tier, level = day0["levels"]
    st = _DayState(
        work=np.zeros(n_t), complete=complete, restored=np.where(complete, 0.0, np.inf),
        available=p.available_day(rule), task_crew=np.full(n_t, -1, np.int64),
        crew_task=np.full(n_crews, -1, np.int64), crew_since=np.zeros(n_crews),
        crew_start=np.zeros(n_crews), crew_ready=np.zeros(n_crews), a=a, q=q, c_state=c_state,
        service=service, ep_unit=ep_unit, rss=rss, ep_b=p.area * a * ep_unit,
        sc_b=p.residents * q * (1 + rss), away=p.residents * (1.0 - q), tier=tier, level=level,
        mobilisation=p.constraints.mobilisation_days if rule.mobilisation else 0.0,
        n_complete=int(complete.sum()), pool_sizes=p.pool_sizes.copy(),
        served=day0["served"])
    if rule.fixed_plan:
        st.fixed_order = _fixed_order(p, tier, level, rule.random_order)
    return st


def simulate_strategy(p: Problem, strategy) -> dict:
    """One strategy, by name or as a :class:`StrategyRule` (e.g. a step of
    :func:`workbench.recovery.gap.strategy_gap`), stepped through the horizon."""
    rule = strategy if isinstance(strategy, StrategyRule) else strategy_rule(strategy)
    H = p.horizon
    commit = p.constraints.commitment_days
    st = _new_state(p, rule)
    mobilisation = st.mobilisation
    stints = []                       # arrays (crew, task, start, end, completed)
    curves = {k: np.zeros(H + 1) for k in ("ep", "sc", "displaced", "sheltered", "crews_busy",
                                           "materials_spent")}

    shelter = [None, None]            # (inputs, answer) of the last shelter_capacity call
    places_of = [None, None]          # (usable hosts, places open) of the last ShelterPlan.open
    ep_curve, sc_curve, displaced_curve, sheltered_curve, busy_curve, spent_curve = (
        curves[k] for k in ("ep", "sc", "displaced", "sheltered", "crews_busy",
                            "materials_spent"))
    temporary_from = p.shelters.temporary_from_day

    def record(t):
        # the figures change only when a repair completes (st.changed) or temporary shelters
        # open; between those days they are the same numbers, kept
        # (the day enters shelter_capacity only through whether temporary places are open);
        # the shelters' answer is kept too while its inputs are the same
        temporary_on = t >= temporary_from
        if st.changed or temporary_on != st.temporary_on:
            ep = st.ep_b.sum()
            displaced = float(st.away.sum())     # (kept: the same values as computed anew)
            usable = st.q[p.shelter_idx] >= 1.0
            if places_of[0] is None or not np.array_equal(usable, places_of[0]):
                places_of[:] = usable, p.shelter_plan.open(usable)   # hosts changed: again
            places = places_of[1]
            host_rss = st.rss[p.shelter_idx]
            key = (places.tobytes(), host_rss.tobytes(), displaced, temporary_on)
            if key != shelter[0]:
                shelter[:] = key, shelter_capacity(places, p.host_occupancy, host_rss,
                                                   displaced, t, p.shelters)
            extra, sheltered = shelter[1]
            st.figures = (ep, st.sc_b.sum() + extra, displaced, sheltered)
            st.unsheltered = displaced - sheltered
            st.changed, st.temporary_on = False, temporary_on
        ep_curve[t], sc_curve[t], displaced_curve[t], sheltered_curve[t] = st.figures

    n_t = len(p.target)
    no_tasks, no_crews = np.zeros(n_t, bool), np.zeros(len(st.crew_task), bool)
    next_available = -math.inf        # the next day on which a task becomes available
    # arrays changed in place only (never replaced), so they can be named once
    task_crew, crew_task, work_done, done_at, rate = (st.task_crew, st.crew_task, st.work,
                                                      p.done_at, p.rate)
    commitment = rule.commitment
    # days on which every open task already has its crew can be coasted (_coast): greedy or
    # fixed choices, unlimited materials
    can_coast = (_COAST and math.isinf(p.constraints.materials_per_day)
                 and (rule.fixed_plan or p.constraints.planner != "exact"))
    t = 0
    while t < H:
        record(t)
        if st.n_complete == n_t:
            for k in ("ep", "sc", "displaced", "sheltered"):
                curves[k][t + 1:] = curves[k][t]
            break
        if t >= p.reserve_until and st.pool_sizes is not p.base_sizes:
            _release_reserve(p, st, t, stints)
        if t >= next_available:
            available = st.available <= t
            st.open_available = available & ~st.complete      # kept by _finish until then
            later = st.available[~available]
            next_available = later.min() if len(later) else math.inf
        held = task_crew >= 0               # a task with a crew is never complete
        if can_coast and st.last_ready <= t:
            waiting = st.open_available & ~held
            # every open task has its crew, or (crews committed) no pool with a task waiting
            # has a crew without one
            every = not waiting.any()
            if every or (commitment != "none" and _pools_full(p, st, held, waiting)):
                until = min(H, next_available)
                if st.pool_sizes is not p.base_sizes:
                    until = min(until, p.reserve_until)
                coasted = _coast(p, st, held.nonzero()[0], t, until, commitment, commit,
                                 record, busy_curve, spent_curve, every)
                if coasted > t:
                    t = coasted
                    continue
        busy = crew_task >= 0
        if commitment == "completion":
            locked, crew_locked = held, busy
        elif commitment == "period":
            locked, crew_locked = _in_period(st, busy, t, commit)
        else:
            locked, crew_locked = no_tasks, no_crews
        order, ratio = _priority(p, rule, st.open_available | held, st, mobilisation, locked)
        selected, work, n_locked = _assign(p, st, order, ratio, locked, t)
        if commitment != "completion":      # (to completion: no crew is re-planned)
            _replan_crews(st, selected, busy & ~crew_locked, t, stints)
        _new_crews(p, st, selected[n_locked:], t, mobilisation)

        # (selected has no repeats: the same as work_done[selected] += work)
        after = work_done[selected] + work
        work_done[selected] = after
        busy_curve[t] = len(selected)
        spent_curve[t] = _spent(rate[selected], work)
        finished = selected[after >= done_at[selected]]
        if len(finished):
            _finish(p, rule, st, finished, t, stints)
        t += 1
    else:
        record(H)

    held = np.flatnonzero(st.crew_task >= 0)
    if len(held):   # stints still running at the horizon
        stints.append((held, st.crew_task[held], st.crew_start[held], np.full(len(held), np.inf),
                       np.zeros(len(held), bool)))
    return {"restored": st.restored, "curves": curves, "stints": stints, "work": st.work,
            "available": st.available}


def _spent(rate: np.ndarray, work: np.ndarray) -> float:
    """Materials spent on a day: Σ rate · work, correctly rounded (``math.fsum``), so the same
    tasks give the same number in whatever order they were chosen."""
    return math.fsum((rate * work).tolist())


def _pools_full(p: Problem, st: _DayState, held: np.ndarray, waiting: np.ndarray) -> bool:
    """No pool that has an open task waiting (``waiting``, available and without a crew) has
    a crew without a task: the day can give no crew new work."""
    free = (st.pool_sizes - np.bincount(p.pool[held], minlength=p.n_pools)) > 0
    if not free.any():
        return True
    if p.n_pools == 1:
        return False                   # a crew without a task, and a task waits
    # buildings (pool 0) are the tasks before n_bt; components' pools are their networks'
    if free[0] and waiting[:p.n_bt].any():
        return False
    comp = waiting[p.n_bt:].nonzero()[0] + p.n_bt
    return not free[p.pool[comp]].any()


def _coast(p: Problem, st: _DayState, tasks: np.ndarray, t: int, until: float, commitment: str,
           commit: float, record, busy_curve: np.ndarray, spent_curve: np.ndarray,
           every: bool = True) -> int:
    """Days ``t, t + 1, …`` on which nothing can change but the work done: the tasks with a
    crew (``tasks``) are taken again and nothing else, no crew is new or mobilising and
    materials are unlimited, so each gets ``min(1, remaining)`` — the same expression, on the
    same values, as the full day. Stops before the first day on which a task would finish, at
    ``until`` (the next day a task becomes available, the reserve leaves or the horizon) and
    when a pool holds more tasks than crews. Returns the first day not coasted (``t`` when
    none was); each coasted day's figures are recorded as the full day records them.

    ``every``: every open task has its crew. Re-planned crews then keep their task (it is
    chosen again), so they begin a new commitment, as :func:`_replan_crews` would do.
    Otherwise tasks wait for crews and every pool with one waiting is full (:func:`_pools_full`):
    the day's choice is the committed tasks alone only while every crew is committed, so
    under a commitment period the coast stops on the first day a crew's period is over (and
    the full day re-plans it); the caller does not coast without commitments. The figures of
    the day change only when a repair completes, which ends the coast."""
    if len(tasks) > int(st.pool_sizes.sum()) or (
            p.n_pools > 1 and (np.bincount(p.pool[tasks], minlength=p.n_pools)
                               > st.pool_sizes).any()):
        return t
    effort, done_at, work_done = p.effort[tasks], p.done_at[tasks], st.work
    rate = p.rate[tasks]
    crews = st.task_crew[tasks]
    start = t
    while t < until:
        if t > start:
            record(t)
        work = work_done[tasks]
        w = np.minimum(1.0, effort - work)
        after = work + w
        if (after >= done_at).any():
            break
        if commitment == "period":
            over = (t - st.crew_since[crews]) >= commit
            if not every and over.any():
                break                 # a crew free to be re-planned: a full day
            st.crew_since[crews[over]] = t
        elif commitment != "completion":
            st.crew_since[crews] = t
        work_done[tasks] = after
        busy_curve[t] = len(tasks)
        spent_curve[t] = _spent(rate, w)
        t += 1
    return t


def _in_period(st: _DayState, busy: np.ndarray, t: int, commit: float
               ) -> tuple[np.ndarray, np.ndarray]:
    """Tasks (by task) and crews (by crew) within their commitment period on day ``t``."""
    out = np.zeros(len(st.work), bool)
    within = busy & ((t - st.crew_since) < commit)
    out[st.crew_task[within]] = True
    return out, within


def _replan_crews(st, selected, replanned, t, stints):
    """Re-planned crews (mask by crew) keep their task when it is chosen again (a new
    commitment); the others leave it."""
    crews = replanned.nonzero()[0]
    if not len(crews):
        return
    selected_mask = np.zeros(len(st.work), bool)
    selected_mask[selected] = True
    stay = selected_mask[st.crew_task[crews]]
    st.crew_since[crews[stay]] = t
    leave = crews[~stay]
    if len(leave):
        stints.append((leave, st.crew_task[leave], st.crew_start[leave],
                       np.full(len(leave), t), np.zeros(len(leave), bool)))
        st.task_crew[st.crew_task[leave]] = -1
        st.crew_task[leave] = -1


def _new_crews(p, st, taken, t, mobilisation):
    """Chosen tasks without a crew (among ``taken``, the day's uncommitted choices, in order)
    get the free crews of their pool, lowest first; the crews mobilise."""
    if not len(taken):
        return
    new = taken[st.task_crew[taken] < 0]
    if not len(new):
        return
    st.last_ready = max(st.last_ready, t + mobilisation)
    if p.n_pools == 1:
        groups = ((0, new),)
    else:
        pools = p.pool[new]
        groups = ((k, new[pools == k])
                  for k in np.bincount(pools, minlength=p.n_pools).nonzero()[0])
    for k, tasks_k in groups:
        free = (st.crew_task < 0) & (p.crew_pool == k)
        if p.has_reserve:
            free &= p.crew_until > t
        free_k = free.nonzero()[0][:len(tasks_k)]
        st.crew_task[free_k], st.task_crew[tasks_k] = tasks_k, free_k
        st.crew_since[free_k], st.crew_start[free_k] = t, t
        st.crew_ready[free_k] = t + mobilisation


def _release_reserve(p, st, t, stints):
    """The reserve crews leave on day ``t``: those on a task leave it (its work is kept)."""
    st.pool_sizes = p.base_sizes
    gone = ((p.crew_until <= t) & (st.crew_task >= 0)).nonzero()[0]
    if len(gone):
        stints.append((gone, st.crew_task[gone], st.crew_start[gone], np.full(len(gone), t),
                       np.zeros(len(gone), bool)))
        st.task_crew[st.crew_task[gone]] = -1
        st.crew_task[gone] = -1


def _finish(p, rule, st, finished, t, stints):
    """Tasks done during day ``t``: restored at ``t + 1``; buildings usable, service updated."""
    st.complete[finished] = True
    st.open_available[finished] = False
    st.n_complete += len(finished)
    st.changed = True
    st.restored[finished] = t + 1
    crews = st.task_crew[finished]
    stints.append((crews, finished, st.crew_start[crews], np.full(len(crews), t + 1),
                   np.ones(len(crews), bool)))
    st.crew_task[crews], st.task_crew[finished] = -1, -1

    is_building = finished < p.n_bt
    done_b = p.target[finished[is_building]]
    if len(done_b):
        st.a[done_b], st.q[done_b] = 1.0, 1.0
        st.away[done_b] = p.residents[done_b] * (1.0 - st.q[done_b])
        st.ep_b[done_b] = p.area[done_b] * st.ep_unit[done_b]
        st.sc_b[done_b] = p.residents[done_b] * (1 + st.rss[done_b])
    if is_building.all():
        return
    done_c = p.target[finished[~is_building]]
    st.c_state[done_c] = True
    # the model is asked again only for the buildings whose service changed
    if p.tracks_nodes:
        # a building's service is its node's: only the buildings of the nodes whose served
        # state changed are looked at (the service array is this strategy's own once changed)
        served = p.served(st.c_state)
        nodes = (served != st.served).nonzero()[0]
        st.served = served
        positions = p.node_buildings(nodes)
        if not st.service.flags.writeable:
            st.service = st.service.copy()
        rows = positions // 3
        st.service[rows, positions % 3] = served[p.node_of(positions)]
        changed = np.unique(rows)
    else:
        new_service = p.service(st.c_state)
        old = st.service          # (the rows that differ: one comparison per network column)
        changed = ((new_service[:, 0] != old[:, 0]) | (new_service[:, 1] != old[:, 1])
                   | (new_service[:, 2] != old[:, 2])).nonzero()[0]
        st.service = new_service
    new_service = st.service
    if len(changed):
        st.ep_unit[changed], st.rss[changed] = p.model_values(changed, new_service[changed])
        st.ep_b[changed] = p.area[changed] * st.a[changed] * st.ep_unit[changed]
        st.sc_b[changed] = p.residents[changed] * st.q[changed] * (1 + st.rss[changed])
    if not rule.fixed_plan:
        st.tier, st.level = p.component_levels(st.c_state)
