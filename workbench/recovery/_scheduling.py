"""The day loop of the recovery simulation (private; ``workbench.recovery`` is the public API).

``_simulate`` steps one strategy through the horizon one day at a time: it locks committed
crews, orders the open tasks (``_priority``: components by tier, level, network and finishing
time via ``_component_order``, buildings by functionality gain per remaining crew-day; the
``rigid`` strategy follows the fixed list of ``_rigid_order``), hands out crews and the material
budget, and records restoration days, curves and crew stints as raw arrays, which
``workbench.recovery`` assembles into the result Dataset and crew log. The method is documented
in ``workbench.recovery``.
"""

from __future__ import annotations

import math

import numpy as np

from ..dims import BUILDING
from ..functionality import shelter_capacity
from ._problem import _Problem

__all__: list[str] = []   # private module


# --------------------------------------------------------------------------- one strategy

def _priority(p: _Problem, strategy: str, active: np.ndarray, st: dict) -> np.ndarray:
    """Active tasks in priority order (components first, then buildings)."""
    if strategy == "rigid":
        return st["rigid_order"][active[st["rigid_order"]]]
    idx = np.flatnonzero(active)
    comp = idx[p.kind[idx] == 1]
    bld = idx[p.kind[idx] == 0]
    remaining = p.effort - st["work"]
    parts = []
    if len(comp):
        parts.append(comp[_component_order(p, comp, st["tier"], st["level"], remaining)])
    if len(bld):
        t = p.target[bld]
        d_ep = p.area[t] * st["ep_unit"][t] - st["ep_b"][t]
        # SC gain: the residents the repair re-houses, and for a host the people still
        # unsheltered that its places would take (at its current rSS)
        d_sc = p.residents[t] * (1 + st["rss"][t]) - st["sc_b"][t]
        d_sc += np.minimum(p.places_full[t], st["unsheltered"]) * (1 + st["rss"][t])
        gain = 0.5 * (d_ep / max(p.ep0, 1e-300) + d_sc / max(p.demand, 1e-300))
        ratio = gain / remaining[bld]
        parts.append(bld[np.lexsort((p.tie[bld], -ratio))])
    return np.concatenate(parts) if parts else idx


def _component_order(p, comp, tier, level, remaining):
    target = p.target[comp]
    budget = p.constraints.materials_per_day
    rate = p.rate[comp]
    speed = np.minimum(1.0, np.divide(budget, rate, out=np.full(len(comp), np.inf),
                                      where=rate > 0))
    finish = remaining[comp] / speed
    return np.lexsort((p.tie[comp], finish, p.net_rank[comp], level[target], tier[target]))


def _rigid_order(p: _Problem, tier, level) -> np.ndarray:
    all_tasks = np.arange(len(p.target))
    comp = all_tasks[p.kind == 1]
    bld = all_tasks[p.kind == 0]
    comp = comp[_component_order(p, comp, tier, level, p.effort)] if len(comp) else comp
    t = p.target[bld]
    bld = bld[np.lexsort((p.tie[bld], -p.occupancy[t], p.type_rank[t]))]
    return np.concatenate([comp, bld]).astype(np.int64)


def _simulate(p: _Problem, strategy: str) -> dict:
    H, n_t, n_crews = p.horizon, len(p.target), int(p.pool_sizes.sum())
    commit = p.constraints.commitment_days
    budget = p.constraints.materials_per_day
    b = p.buildings
    work = np.zeros(n_t)
    complete = p.effort <= 0
    restored = np.where(complete, 0.0, np.inf)
    task_crew = np.full(n_t, -1, np.int64)
    crew_task = np.full(n_crews, -1, np.int64)
    crew_since = np.zeros(n_crews)
    crew_start = np.zeros(n_crews)
    stints = []                       # arrays (crew, task, start, end, completed)

    a, q = p.a0.copy(), p.q0.copy()
    c_state = p.c_functional.copy()
    c_state[p.target[complete & (p.kind == 1)]] = True
    service = p.service(c_state)
    ep_unit = np.array(p.model.ep_unit(b, service), dtype=float)
    rss = np.array(p.model.rss(b, service), dtype=float)
    st = {"work": work, "ep_unit": ep_unit, "rss": rss,
          "ep_b": p.area * a * ep_unit, "sc_b": p.residents * q * (1 + rss), "unsheltered": 0.0}
    st["tier"], st["level"] = p.component_levels(c_state)
    if strategy == "rigid":
        st["rigid_order"] = _rigid_order(p, st["tier"], st["level"])

    curves = {k: np.zeros(H + 1) for k in ("ep", "sc", "displaced", "sheltered", "crews_busy",
                                           "materials_spent")}

    def record(t):
        curves["ep"][t] = st["ep_b"].sum()
        displaced = float((p.residents * (1.0 - q)).sum())
        places = np.where(q[p.shelter_idx] >= 1.0, p.shelter_cap, 0.0)
        extra, sheltered = shelter_capacity(places, p.host_occupancy, st["rss"][p.shelter_idx],
                                            displaced, t, p.shelters)
        curves["sc"][t] = st["sc_b"].sum() + extra
        curves["displaced"][t], curves["sheltered"][t] = displaced, sheltered
        st["unsheltered"] = displaced - sheltered

    for t in range(H):
        record(t)
        if complete.all():
            for k in ("ep", "sc", "displaced", "sheltered"):
                curves[k][t + 1:] = curves[k][t]
            break
        active = ~complete
        held = active & (task_crew >= 0)
        if strategy == "rigid":
            locked = held
        elif strategy == "semiflexible":
            locked = held.copy()
            locked[held] = (t - crew_since[task_crew[held]]) < commit
        else:
            locked = np.zeros(n_t, bool)
        order = _priority(p, strategy, active, st)
        is_locked = locked[order]
        locked_tasks, cand = order[is_locked], order[~is_locked]
        slots = p.pool_sizes - np.bincount(p.pool[locked_tasks], minlength=p.n_pools)
        rank = np.empty(len(cand), np.int64)
        for k in range(p.n_pools):
            in_pool = p.pool[cand] == k
            rank[in_pool] = np.arange(int(in_pool.sum()))
        seq = np.concatenate([locked_tasks, cand[rank < slots[p.pool[cand]]]])
        w = np.minimum(1.0, p.effort[seq] - work[seq])
        need = p.rate[seq] * w
        if math.isinf(budget):
            f = np.ones(len(seq))
        else:
            before = np.cumsum(need) - need
            f = np.clip(np.divide(budget - before, need, out=np.ones(len(seq)), where=need > 0),
                        0.0, 1.0)
        keep = np.arange(len(seq)) < len(locked_tasks)
        keep |= f > 0
        selected, w, f = seq[keep], w[keep], f[keep]

        # crews: re-planned crews keep their task when it is chosen again (a new commitment)
        selected_mask = np.zeros(n_t, bool)
        selected_mask[selected] = True
        busy = crew_task >= 0
        replanned = busy & ~locked[np.where(busy, crew_task, 0)]
        stay = replanned & selected_mask[np.where(busy, crew_task, 0)]
        crew_since[stay] = t
        leave = np.flatnonzero(replanned & ~stay)
        if len(leave):
            stints.append((leave, crew_task[leave], crew_start[leave], np.full(len(leave), t),
                           np.zeros(len(leave), bool)))
            task_crew[crew_task[leave]] = -1
            crew_task[leave] = -1
        new = selected[task_crew[selected] < 0]
        for k in range(p.n_pools):
            tasks_k = new[p.pool[new] == k]
            if not len(tasks_k):
                continue
            free_k = np.flatnonzero((crew_task < 0) & (p.crew_pool == k))[:len(tasks_k)]
            crew_task[free_k], task_crew[tasks_k] = tasks_k, free_k
            crew_since[free_k], crew_start[free_k] = t, t

        work[selected] += w * f
        curves["crews_busy"][t] = len(selected)
        curves["materials_spent"][t] = float(need[keep] @ f) if len(selected) else 0.0
        sel_effort = p.effort[selected]
        finished = selected[work[selected] >= sel_effort - 1e-9 * np.maximum(1.0, sel_effort)]
        if not len(finished):
            continue
        complete[finished] = True
        restored[finished] = t + 1
        crews = task_crew[finished]
        stints.append((crews, finished, crew_start[crews], np.full(len(crews), t + 1),
                       np.ones(len(crews), bool)))
        crew_task[crews], task_crew[finished] = -1, -1

        done_b = p.target[finished[p.kind[finished] == 0]]
        a[done_b], q[done_b] = 1.0, 1.0
        st["ep_b"][done_b] = p.area[done_b] * st["ep_unit"][done_b]
        st["sc_b"][done_b] = p.residents[done_b] * (1 + st["rss"][done_b])
        done_c = p.target[finished[p.kind[finished] == 1]]
        if len(done_c):
            c_state[done_c] = True
            # the model is asked again only for the buildings whose service changed
            new_service = p.service(c_state)
            changed = np.flatnonzero((new_service != service).any(axis=1))
            service = new_service
            if len(changed):
                sub, s_sub = b.isel({BUILDING: changed}), service[changed]
                st["ep_unit"][changed] = p.model.ep_unit(sub, s_sub)
                st["rss"][changed] = p.model.rss(sub, s_sub)
                st["ep_b"][changed] = p.area[changed] * a[changed] * st["ep_unit"][changed]
                st["sc_b"][changed] = (p.residents[changed] * q[changed]
                                       * (1 + st["rss"][changed]))
            if strategy != "rigid":
                st["tier"], st["level"] = p.component_levels(c_state)
    else:
        record(H)

    held = np.flatnonzero(crew_task >= 0)
    if len(held):   # stints still running at the horizon
        stints.append((held, crew_task[held], crew_start[held], np.full(len(held), np.inf),
                       np.zeros(len(held), bool)))
    return {"restored": restored, "curves": curves, "stints": stints}
