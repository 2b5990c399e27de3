"""The day loop of the recovery simulation (private; ``workbench.recovery`` is the public API).

``simulate_strategy`` steps one strategy (a :class:`~workbench.recovery.strategies.StrategyRule`) through
the horizon one day at a time: it locks committed crews, orders the open tasks that are
available (inspected and past their impeding delays; ``_priority``: components by tier, level,
network and finishing time via ``_component_order``, buildings by functionality gain per
remaining crew-day — or, for a fixed plan, the list of ``_fixed_order``), hands out crews and the
material budget (``_assign``), lets crews mobilise before their work counts, and records
restoration days, curves and crew stints as raw arrays, which ``workbench.recovery`` assembles
into the result Dataset and crew log. The day's state is one :class:`_DayState`. The method is
documented in ``workbench.recovery``.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from ..dims import BUILDING
from ..functionality import shelter_capacity
from ._problem import Problem
from .strategies import StrategyRule

__all__ = ["simulate_strategy", "Problem", "PLANNERS", "EXACT_MAX_TASKS"]   # private module

#: Day planners: the greedy ratio rule, or the exact mixed-integer programme (HiGHS).
PLANNERS = ("greedy", "exact")
#: The exact planner solves a day's building assignment only up to this many candidates.
EXACT_MAX_TASKS = 400


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
    tier: np.ndarray            # 0 on the network's MST, 1 off it, per component
    level: np.ndarray           # CA-BFS level, per component
    mobilisation: float = 0.0   # days a crew starting a task spends before its work counts
    unsheltered: float = 0.0    # displaced residents without a shelter place [persons]
    fixed_order: np.ndarray | None = None


# --------------------------------------------------------------------------- priorities

def _building_ratio(p: Problem, st: _DayState, bld: np.ndarray, mobilisation: float
                    ) -> np.ndarray:
    """Functionality gain per remaining crew-day of building tasks ``bld`` at today's service
    (the seed's short-term gain; planners add the mobilisation of a task no crew is on yet:
    they know switching costs)."""
    t = p.target[bld]
    ep_unit, rss = p.full_ep_unit[t], p.full_rss[t]
    d_ep = p.area[t] * (1.0 - st.a[t]) * ep_unit
    d_sc = p.residents[t] * (1.0 - st.q[t]) * (1 + rss)
    hosted = np.minimum(p.places_full[t], st.unsheltered)
    d_sc = d_sc + hosted + rss * np.minimum(hosted, p.host_spare[t])
    gain = 0.5 * (d_ep / max(p.ep0, 1e-300) + d_sc / max(p.demand, 1e-300))
    remaining = p.effort[bld] - st.work[bld]
    return gain / (remaining + np.where(st.task_crew[bld] < 0, mobilisation, 0.0))


def _priority(p: Problem, rule: StrategyRule, open_: np.ndarray, st: _DayState,
              mobilisation: float) -> tuple[np.ndarray, np.ndarray]:
    """Open tasks in priority order (components first, then buildings), and the gain ratio of
    every open building task (by task; NaN elsewhere; empty for a fixed plan), for the exact
    planner."""
    if rule.fixed_plan:
        order = st.fixed_order[open_[st.fixed_order]]
        return order, np.zeros(0)
    idx = np.flatnonzero(open_)
    comp = idx[p.kind[idx] == 1]
    bld = idx[p.kind[idx] == 0]
    remaining = p.effort - st.work
    parts, ratio = [], np.full(len(p.target), np.nan)
    if len(comp):
        parts.append(comp[_component_order(p, comp, st.tier, st.level, remaining)])
    if len(bld):
        r = _building_ratio(p, st, bld, mobilisation)
        parts.append(bld[np.lexsort((p.tie[bld], -r))])
        ratio[bld] = r
    return (np.concatenate(parts) if parts else idx), ratio


def _component_order(p, comp, tier, level, remaining):
    target = p.target[comp]
    budget = p.constraints.materials_per_day
    rate = p.rate[comp]
    speed = np.minimum(1.0, np.divide(budget, rate, out=np.full(len(comp), np.inf),
                                      where=rate > 0))
    finish = remaining[comp] / speed
    return np.lexsort((p.tie[comp], finish, p.net_rank[comp], level[target], tier[target]))


def _fixed_order(p: Problem, tier, level) -> np.ndarray:
    """The pre-event plan: components along their critical paths (levels of day 0), then
    buildings by *expected* gain per expected crew-day — the same objective as the daily planner,
    on the fragilities' expectation instead of the damage found (the strategies on one footing);
    ties by occupancy priority (``RIGID_TYPE_ORDER``)."""
    all_tasks = np.arange(len(p.target))
    comp = all_tasks[p.kind == 1]
    bld = all_tasks[p.kind == 0]
    comp = comp[_component_order(p, comp, tier, level, p.effort)] if len(comp) else comp
    t = p.target[bld]
    bld = bld[np.lexsort((p.tie[bld], p.type_rank[t], -p.expected_ratio[t]))]
    return np.concatenate([comp, bld]).astype(np.int64)


# --------------------------------------------------------------------------- the day's choice

def _exact_buildings(cand: np.ndarray, ratio: np.ndarray, w: np.ndarray, need: np.ndarray,
                     slots: int, budget: float) -> np.ndarray:
    """Exact day assignment of building tasks of one pool (scipy's HiGHS MILP).

    Maximise Σ ratio_i · w_i · y_i (gain rate × work done today) over x_i ∈ {0, 1} (task i gets a
    crew) and 0 ≤ y_i ≤ x_i (its share of a full day's work, limited by materials), subject to
    Σ x_i ≤ slots and Σ need_i · y_i ≤ budget. Returns a boolean mask over ``cand``.
    """
    from scipy.optimize import Bounds, LinearConstraint, milp
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


def _assign(p: Problem, st: _DayState, order: np.ndarray, ratio: np.ndarray,
            locked: np.ndarray, t: int) -> tuple[np.ndarray, np.ndarray]:
    """The day's tasks: committed ones, then free crews by pool in priority order; materials in
    that order. Returns the chosen tasks and each one's share of a full day's work."""
    budget = p.constraints.materials_per_day
    is_locked = locked[order]
    locked_tasks, cand = order[is_locked], order[~is_locked]
    slots = p.pool_sizes - np.bincount(p.pool[locked_tasks], minlength=p.n_pools)
    rank = np.empty(len(cand), np.int64)
    for k in range(p.n_pools):
        in_pool = p.pool[cand] == k
        rank[in_pool] = np.arange(int(in_pool.sum()))
    take = rank < slots[p.pool[cand]]
    if p.constraints.planner == "exact" and len(ratio):
        take = _exact_take(p, st, cand, take, ratio, locked_tasks, slots, budget)
    seq = np.concatenate([locked_tasks, cand[take]])
    w = np.minimum(1.0, p.effort[seq] - st.work[seq])
    crew = st.task_crew[seq]
    # a crew still mobilising does no work (a task taken today: its crew is new)
    ready = np.where(crew >= 0, st.crew_ready[np.maximum(crew, 0)], t + st.mobilisation)
    w = w * np.clip(t + 1 - ready, 0.0, 1.0)
    need = p.rate[seq] * w
    if math.isinf(budget):
        f = np.ones(len(seq))
    else:
        before = np.cumsum(need) - need
        f = np.clip(np.divide(budget - before, need, out=np.ones(len(seq)), where=need > 0),
                    0.0, 1.0)
    keep = (np.arange(len(seq)) < len(locked_tasks)) | (f > 0)
    return seq[keep], (w * f)[keep]


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
    complete = p.effort <= 0
    c_state = p.c_functional.copy()
    c_state[p.target[complete & (p.kind == 1)]] = True
    service = p.service(c_state)
    ep_unit = np.array(p.model.ep_unit(p.buildings, service), dtype=float)
    rss = np.array(p.model.rss(p.buildings, service), dtype=float)
    a, q = p.a0.copy(), p.q0.copy()
    tier, level = p.component_levels(c_state)
    st = _DayState(
        work=np.zeros(n_t), complete=complete, restored=np.where(complete, 0.0, np.inf),
        available=p.available_day(rule), task_crew=np.full(n_t, -1, np.int64),
        crew_task=np.full(n_crews, -1, np.int64), crew_since=np.zeros(n_crews),
        crew_start=np.zeros(n_crews), crew_ready=np.zeros(n_crews), a=a, q=q, c_state=c_state,
        service=service, ep_unit=ep_unit, rss=rss, ep_b=p.area * a * ep_unit,
        sc_b=p.residents * q * (1 + rss), tier=tier, level=level,
        mobilisation=p.constraints.mobilisation_days if rule.mobilisation else 0.0)
    if rule.fixed_plan:
        st.fixed_order = _fixed_order(p, tier, level)
    return st


def simulate_strategy(p: Problem, strategy: str) -> dict:
    from .strategies import strategy_rule
    rule = strategy_rule(strategy)
    H = p.horizon
    commit = p.constraints.commitment_days
    st = _new_state(p, rule)
    mobilisation = st.mobilisation
    stints = []                       # arrays (crew, task, start, end, completed)
    curves = {k: np.zeros(H + 1) for k in ("ep", "sc", "displaced", "sheltered", "crews_busy",
                                           "materials_spent")}

    def record(t):
        curves["ep"][t] = st.ep_b.sum()
        displaced = float((p.residents * (1.0 - st.q)).sum())
        places = np.where(st.q[p.shelter_idx] >= 1.0, p.shelter_cap, 0.0)
        extra, sheltered = shelter_capacity(places, p.host_occupancy, st.rss[p.shelter_idx],
                                            displaced, t, p.shelters)
        curves["sc"][t] = st.sc_b.sum() + extra
        curves["displaced"][t], curves["sheltered"][t] = displaced, sheltered
        st.unsheltered = displaced - sheltered

    for t in range(H):
        record(t)
        if st.complete.all():
            for k in ("ep", "sc", "displaced", "sheltered"):
                curves[k][t + 1:] = curves[k][t]
            break
        active = ~st.complete
        held = active & (st.task_crew >= 0)
        locked = {"completion": lambda: held,
                  "period": lambda: held & _in_period(st, held, t, commit),
                  "none": lambda: np.zeros(len(held), bool)}[rule.commitment]()
        open_ = active & ((st.available <= t) | held)
        order, ratio = _priority(p, rule, open_, st, mobilisation)
        selected, work = _assign(p, st, order, ratio, locked, t)
        _move_crews(p, st, selected, locked, t, mobilisation, stints)

        st.work[selected] += work
        curves["crews_busy"][t] = len(selected)
        curves["materials_spent"][t] = float(p.rate[selected] @ work) if len(selected) else 0.0
        sel_effort = p.effort[selected]
        finished = selected[st.work[selected] >= sel_effort - 1e-9 * np.maximum(1.0, sel_effort)]
        if len(finished):
            _finish(p, rule, st, finished, t, stints)
    else:
        record(H)

    held = np.flatnonzero(st.crew_task >= 0)
    if len(held):   # stints still running at the horizon
        stints.append((held, st.crew_task[held], st.crew_start[held], np.full(len(held), np.inf),
                       np.zeros(len(held), bool)))
    return {"restored": st.restored, "curves": curves, "stints": stints}


def _in_period(st: _DayState, held: np.ndarray, t: int, commit: float) -> np.ndarray:
    out = np.zeros(len(held), bool)
    out[held] = (t - st.crew_since[st.task_crew[held]]) < commit
    return out


def _move_crews(p, st, selected, locked, t, mobilisation, stints):
    """Re-planned crews keep their task when it is chosen again (a new commitment); the others
    leave it; chosen tasks without a crew get a free crew of their pool, which mobilises."""
    n_t = len(st.work)
    selected_mask = np.zeros(n_t, bool)
    selected_mask[selected] = True
    busy = st.crew_task >= 0
    task_of = np.where(busy, st.crew_task, 0)
    replanned = busy & ~locked[task_of]
    stay = replanned & selected_mask[task_of]
    st.crew_since[stay] = t
    leave = np.flatnonzero(replanned & ~stay)
    if len(leave):
        stints.append((leave, st.crew_task[leave], st.crew_start[leave], np.full(len(leave), t),
                       np.zeros(len(leave), bool)))
        st.task_crew[st.crew_task[leave]] = -1
        st.crew_task[leave] = -1
    new = selected[st.task_crew[selected] < 0]
    for k in range(p.n_pools):
        tasks_k = new[p.pool[new] == k]
        if not len(tasks_k):
            continue
        free_k = np.flatnonzero((st.crew_task < 0) & (p.crew_pool == k))[:len(tasks_k)]
        st.crew_task[free_k], st.task_crew[tasks_k] = tasks_k, free_k
        st.crew_since[free_k], st.crew_start[free_k] = t, t
        st.crew_ready[free_k] = t + mobilisation


def _finish(p, rule, st, finished, t, stints):
    """Tasks done during day ``t``: restored at ``t + 1``; buildings usable, service updated."""
    b = p.buildings
    st.complete[finished] = True
    st.restored[finished] = t + 1
    crews = st.task_crew[finished]
    stints.append((crews, finished, st.crew_start[crews], np.full(len(crews), t + 1),
                   np.ones(len(crews), bool)))
    st.crew_task[crews], st.task_crew[finished] = -1, -1

    done_b = p.target[finished[p.kind[finished] == 0]]
    st.a[done_b], st.q[done_b] = 1.0, 1.0
    st.ep_b[done_b] = p.area[done_b] * st.ep_unit[done_b]
    st.sc_b[done_b] = p.residents[done_b] * (1 + st.rss[done_b])
    done_c = p.target[finished[p.kind[finished] == 1]]
    if not len(done_c):
        return
    st.c_state[done_c] = True
    # the model is asked again only for the buildings whose service changed
    new_service = p.service(st.c_state)
    changed = np.flatnonzero((new_service != st.service).any(axis=1))
    st.service = new_service
    if len(changed):
        sub, s_sub = b.isel({BUILDING: changed}), new_service[changed]
        st.ep_unit[changed] = p.model.ep_unit(sub, s_sub)
        st.rss[changed] = p.model.rss(sub, s_sub)
        st.ep_b[changed] = p.area[changed] * st.a[changed] * st.ep_unit[changed]
        st.sc_b[changed] = p.residents[changed] * st.q[changed] * (1 + st.rss[changed])
    if not rule.fixed_plan:
        st.tier, st.level = p.component_levels(st.c_state)
