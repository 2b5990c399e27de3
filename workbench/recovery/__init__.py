"""Recovery simulation under resource and commitment constraints (METHOD §5, Zhou et al. 2025 §2).

One damage realization in, one recovery Dataset out (``docs/ARCHITECTURE.md``), for each of
the three strategies. The simulation steps one day at a time; inside a day everything is
vectorised over repair tasks.

Tasks, crews, materials
-----------------------
* A *task* is a damaged building (``building_repair_days > 0``; effort = that many crew-days) or
  a component whose own state is not functional (effort = ``component_repair_days``). A task
  takes **one crew** at a time, so a task of effort ``d`` takes ``⌈d⌉`` days at best. Tasks of
  zero effort count as done at day 0.
* Crews: ``Constraints.crews`` is either one pool of interchangeable crews or a mapping by trade
  (``building``, ``water``, ``power``, ``road``); a task only takes a crew of its trade, and a
  trade without crews never repairs anything (its tasks stay unrestored, day ``inf``).
* Materials: a task consumes its repair cost evenly over its effort (``cost / effort`` EUR per
  crew-day). Each day the budget ``materials_per_day`` is handed out in priority order (committed
  work first); a task short of materials progresses by the share it got, and a new task that
  would get nothing is not started that day. Unspent budget does not carry over.
* A day's work is done between time ``t`` and ``t + 1``; a task finishing during day ``t`` is
  restored at time ``t + 1`` (integer days; a crew finishing early idles the rest of that day).
  Work done on a task is kept when its crew leaves (progress accrues to the task).

Information and implementation (why the strategies differ)
----------------------------------------------------------
* **Information.** A building's damage is known only once inspected: ``inspections_per_day``
  buildings are inspected per day from day 0, in the order of their *expected* gain per expected
  crew-day (from the fragilities' damage probabilities, ``building_damage_probability`` in the
  damage Dataset); a repair cannot start before its building is inspected. Network outages are
  seen at once (customers report them).
* **Implementation.** With ``impeding_delays``, a repair also waits for the REDi impeding
  factors of its damage state — inspection, engineering mobilisation and permits, financing
  (:mod:`workbench.recovery.impeding`, cited medians and dispersions; components: inspection
  only). A crew that starts a task spends ``mobilisation_days`` before its work counts (the
  switching cost); planners know it and rank a task no crew is on by gain per (remaining effort
  + mobilisation).

Commitment and strategies
-------------------------
A crew assigned to a task at day ``s`` stays on it until ``s + commitment_days`` or completion,
whichever comes first; re-planning that keeps a crew on its task starts a new commitment period.
``commitment_days = 0`` means no commitment, ``inf`` means to completion; a period longer than
the horizon is allowed (it then equals ``inf``). Each strategy is one registered rule
(:mod:`workbench.recovery.strategies`, :data:`STRATEGY_RULES`):

* ``rigid`` — the pessimistic bound: a predefined, rule-based plan fixed before the event and
  never revised (the kind of predefined repair sequence FEMA P-58, REDi and GB/T 38591-2020
  use); crews always take the first *available* unfinished tasks on it and stay to completion;
  inspection, impeding delays and mobilisation apply. Order: utilities first — network
  components (power, water, road interleaved along their critical paths, as below, with the
  levels of day 0) — then buildings by the rows of :attr:`Constraints.rigid_plan` (function
  class and damage state; default :data:`RIGID_PLAN`: emergency and critical facilities, then
  housing, then business, lower damage states first within a class), ties by the random tie
  order. The rule is fixed; it is applied as buildings are found: a building's repair becomes
  available only once it is inspected, when its damage state is known.
* ``semiflexible`` — Zhou et al.'s (2025, METHOD §5.3) strategy: re-planned every day on what is known so far, crews
  committed for ``commitment_days``, inspection, delays and mobilisation paid.
* ``flexible`` — the optimistic bound: re-planned every day on the true damage, known at day 0,
  no impeding delays, no mobilisation, no commitment.

With ``inspections_per_day = inf``, no impeding delays, no mobilisation and commitment 0,
``semiflexible`` and ``flexible`` follow the same rule and give identical results (tested); the
defaults of :class:`Constraints` are that ideal world, and the parameter file's defaults
(``workbench params``) the realistic one.

The per-step optimisation
-------------------------
*Networks* (Zhou et al. 2025 §2). At day 0 the Kruskal minimum spanning tree of each network (networkx
``minimum_spanning_tree(algorithm="kruskal")``, edge weight = remaining repair effort in crew-days,
0 for working edges) marks the *critical paths*: the fewest crew-days that reconnect every node.
Damaged MST components (and every damaged node) come first, ordered by a constraint-aware
breadth-first search from the working sources: a component's *level* is the number of damaged
components between it and the served part of the network (1 = on the frontier), recomputed
whenever a repair completes; within a level, the component the day's resources finish soonest
(``remaining effort / min(1, budget / material rate)``) comes first. Damaged edges off the MST
(redundant links) follow, greedily by weight (cheapest first). With one shared crew pool,
network tasks come before buildings (buildings need lifelines to function).

*Buildings*. Every day, each available building repair is scored by its functionality gain
per remaining crew-day, ``½ (ΔEP_i / EP0 + ΔSC_i / demand) / remaining_i``, and the free crews
take the best ratios (``planner="greedy"``, the fast path). ΔEP_i and ΔSC_i are valued at full
service, the service the building will have when its repair pays off: lifelines come back in
days, building repairs take weeks, and a value at today's service would reshuffle the building
crews whenever a network returns (a myopia under which more network crews could *raise* the
loss). ΔSC_i counts the residents re-housed and, for a shelter host, the unsheltered people its
places would take, each 1 for housing plus the share of the host's spare supplementary capacity
they would get (:func:`workbench.functionality.shelter_capacity`). What changes from day to day
is what is known (inspections), what may start (impeding delays) and who is still unsheltered. ``planner="exact"`` solves the day's assignment as a mixed-integer programme with
scipy's HiGHS (``scipy.optimize.milp``): maximise Σ ratio_i · work_i over which tasks get a crew
(binary) and how much each works (limited by the materials budget), with at most the free crews
of each pool and the day's budget — for up to :data:`EXACT_MAX_TASKS` candidates, greedy beyond.
With unlimited materials the greedy choice is already optimal (the best ratios fill the crews);
the two differ when materials bind (measured in the note of this change and in
``benchmarks/bench_planner.py``).

Ties are broken by one random permutation drawn from ``seed`` (the same for every strategy),
so the same seed gives identical results.

Implementation
--------------
This ``__init__`` is the public face: :class:`Constraints`, :func:`simulate_recovery` and the
assembly of the result Dataset and crew log. Its private modules hold the internals:
``_problem`` (tasks, crews, network plans and levels) and ``_scheduling`` (priority
orders and the day loop of one strategy).

References
----------
Zhou, Y., Xiao, Y., & Xu, H. (2025). Quantifying urban disaster resilience for informed mitigation
strategies. *Engineering*, 53(10), 13–17. doi:10.1016/j.eng.2025.05.007
Kruskal, J. B. (1956). On the shortest spanning subtree of a graph and the traveling salesman
problem. *Proc. AMS*, 7(1), 48–50. doi:10.1090/S0002-9939-1956-0078686-7
"""

from __future__ import annotations

import json
import logging
import math
from dataclasses import dataclass
from types import MappingProxyType
from typing import Mapping, Sequence

import numpy as np
import pandas as pd
import xarray as xr

from ..city.model import City
from ..core.assumptions import value as _assumed
from ..core.dims import BUILDING, BUILDING_TYPES, COMPONENT, NETWORKS, STRATEGIES, STRATEGY, TIME
from ..core.errors import InputError
from ..functionality import CURRENCY, PRICE_YEAR, Shelters
from ._problem import Problem, repair_tasks
from ._scheduling import EXACT_MAX_TASKS, PLANNERS, simulate_strategy
from .sequence import has_events, simulate_sequence
from .strategies import STRATEGY_RULES, StrategyRule, strategy_rule

__all__ = ["Constraints", "DEFAULT_COMMITMENT_DAYS", "simulate_recovery", "TRADES", "PlanRow",
           "RIGID_PLAN", "rigid_plan_rows", "PLANNERS",
           "EXACT_MAX_TASKS", "STRATEGY_RULES", "StrategyRule", "strategy_rule",
           "check_strategies", "repair_tasks", "crew_pools", "ANY_TRADE"]

log = logging.getLogger(__name__)

#: Crew trades when crews are given by trade: buildings, then one trade per network.
TRADES = ("building",) + tuple(NETWORKS)
#: The pool of ``crews: N`` (one number): crews that repair whatever is next, of any trade.
ANY_TRADE = "any"


def _is_int(value) -> bool:
    return isinstance(value, (int, np.integer)) and not isinstance(value, (bool, np.bool_))


#: Days a crew stays on a task it starts, unless told otherwise (the parameter file and
#: :class:`Constraints` alike).
DEFAULT_COMMITMENT_DAYS = 14


def _is_real(value) -> bool:
    return isinstance(value, (int, float, np.integer, np.floating)) and not isinstance(
        value, (bool, np.bool_))


# --------------------------------------------------------------------------- the rigid plan

@dataclass(frozen=True)
class PlanRow:
    """One row of the rigid strategy's predefined plan (:attr:`Constraints.rigid_plan`): a
    function class ``name``, the building ``types`` it holds (of
    :data:`~workbench.core.dims.BUILDING_TYPES`) and the Hazus ``damage_states`` (1 slight … 4
    complete) it covers, in the order they are repaired. In the parameter file a row is written
    ``{class: NAME, types: [...], damage_states: [...]}``."""

    name: str
    types: tuple[str, ...]
    damage_states: tuple[int, ...]

    def as_dict(self) -> dict:
        """The row as the parameter file writes it."""
        return {"class": self.name, "types": list(self.types),
                "damage_states": list(self.damage_states)}


#: The rigid strategy's default plan (cited and assumed in :mod:`workbench.core.assumptions`,
#: ``rigid_plan_classes`` and ``rigid_plan_damage_states``): emergency and critical facilities
#: (``public``: schools and halls, the city's shelters), then housing (``residential``), then
#: business (``commercial``, ``office``, ``industrial``) — the priority of pre-event recovery
#: planning, fixed before the event as FEMA P-58, REDi and GB/T 38591-2020 fix their repair
#: sequences; within a class lower damage states first (an assumption: the shortest repairs
#: return use soonest per crew).
RIGID_PLAN: tuple[PlanRow, ...] = tuple(
    PlanRow(name, tuple(types), tuple(_assumed("rigid_plan_damage_states")))
    for name, types in _assumed("rigid_plan_classes").items())

#: The keys of a row of the plan in the parameter file.
_PLAN_KEYS = ("class", "types", "damage_states")


def rigid_plan_rows(plan=RIGID_PLAN) -> list[dict]:
    """The plan as the parameter file writes it: a list of ``{class, types, damage_states}``.

    >>> rigid_plan_rows()[0]
    {'class': 'emergency and critical facilities', 'types': ['public'], 'damage_states': [1, 2, 3, 4]}
    """
    return [row.as_dict() for row in _check_rigid_plan(plan)]


def _check_rigid_plan(plan) -> tuple[PlanRow, ...]:
    """``rigid_plan`` checked: a list of rows, each a :class:`PlanRow` or a mapping with exactly
    the keys ``class`` (a name), ``types`` (a non-empty list of building types, none repeated)
    and ``damage_states`` (a non-empty list of 1…4, none repeated); an empty list is a plan
    without priorities (buildings in tie order)."""
    shape = ("a list of rows {class: NAME, types: [TYPE, ...], damage_states: [1..4, ...]}, "
             "in repair priority")
    if isinstance(plan, (str, bytes, Mapping)) or not isinstance(plan, Sequence):
        raise InputError(f"rigid_plan must be {shape}; got {plan!r}")
    rows = []
    for i, row in enumerate(plan, start=1):
        if isinstance(row, PlanRow):
            row = row.as_dict()
        if not isinstance(row, Mapping) or set(row) != set(_PLAN_KEYS):
            keys = sorted(map(str, row)) if isinstance(row, Mapping) else None
            raise InputError(f"rigid_plan row {i} must be a mapping with the keys "
                             f"{list(_PLAN_KEYS)}" + (f" (it has {keys})" if keys is not None
                                                      else "") + f"; got {row!r}")
        name, types, states = (row[k] for k in _PLAN_KEYS)
        where = f"rigid_plan row {i} ({name!r})"
        if not isinstance(name, str) or not name.strip():
            raise InputError(f"rigid_plan row {i}: class must be a non-empty name; got {name!r}")
        if isinstance(types, (str, bytes, Mapping)) or not isinstance(types, Sequence) \
                or not len(types):
            raise InputError(f"{where}: types must be a non-empty list of building types "
                             f"{list(BUILDING_TYPES)}; got {types!r}")
        unknown = [t for t in types if t not in BUILDING_TYPES]
        if unknown:
            raise InputError(f"{where}: unknown building type(s) {unknown}; types are "
                             f"{list(BUILDING_TYPES)}")
        if len(set(types)) != len(types):
            raise InputError(f"{where}: types must not repeat; got {list(types)}")
        if isinstance(states, (str, bytes, Mapping)) or not isinstance(states, Sequence) \
                or not len(states):
            raise InputError(f"{where}: damage_states must be a non-empty list of Hazus damage "
                             f"states 1 (slight) … 4 (complete); got {states!r}")
        bad = [d for d in states if not _is_int(d) or not 1 <= d <= 4]
        if bad:
            raise InputError(f"{where}: damage_states must be integers 1 (slight) … 4 "
                             f"(complete); got {bad}")
        if len(set(states)) != len(states):
            raise InputError(f"{where}: damage_states must not repeat; got {list(states)}")
        rows.append(PlanRow(name, tuple(str(t) for t in types), tuple(int(d) for d in states)))
    return tuple(rows)


@dataclass(frozen=True)
class Constraints:
    """Resource and commitment constraints of a recovery, validated on construction.

    Parameters
    ----------
    crews : int or mapping of str to int
        Number of interchangeable crews (> 0), or crews by trade (``building``, ``water``,
        ``power``, ``road``; each ≥ 0, total > 0; trades not named get none).
    materials_per_day : float
        Material budget [EUR/day], > 0; ``inf`` = unlimited.
    commitment_days : float
        Committed period [days], ≥ 0; 0 = no commitment, ``inf`` = to completion. May exceed the
        horizon.
    horizon_days : int
        Days simulated (time runs 0…horizon), > 0.
    inspections_per_day : float
        Buildings inspected per day, > 0 (the limit of information): a building's damage is
        known, and its repair can start, only once inspected; ``inf`` = perfect information
        (everything known at day 0, the default of this class). The parameter file's default is
        a stated assumption (``workbench params``).
    impeding_delays : bool
        Repairs wait for the REDi impeding factors (inspection, engineering, permits, financing;
        :mod:`workbench.recovery.impeding`). Default ``False`` here, ``true`` in the parameter
        file.
    mobilisation_days : float
        Days a crew spends moving to a task it starts before its work counts, ≥ 0 (the switching
        cost). Default 0 here.
    reserve_crews : int or mapping of str to int
        Extra crews held in reserve before the event (pre-positioned), like ``crews`` (one
        number: extra crews of the shared pool, or of the building trade when crews are given
        by trade; a mapping: by trade), working from day 0 until ``reserve_days``; default none.
    reserve_days : float
        Day the reserve crews leave, ≥ 0 (a reserve crew still on a task then leaves it; the
        work done is kept). 0 = no reserve.
    planner : str
        ``"greedy"`` (rank the day's building repairs by gain per remaining crew-day) or
        ``"exact"`` (solve the day's assignment as a mixed-integer programme with HiGHS where it
        has at most :data:`EXACT_MAX_TASKS` candidates, greedy beyond).
    rigid_plan : sequence of PlanRow or of mappings
        The ``rigid`` strategy's building priority, fixed before the event (default
        :data:`RIGID_PLAN`): rows in order, each a function class with its building types and
        the damage states (1…4) it covers, in the order repaired, as :class:`PlanRow` or
        ``{"class": name, "types": [...], "damage_states": [...]}``. A building takes the first
        row that holds its type and damage state; buildings in no row come last. Stored as a
        tuple of :class:`PlanRow`. The other strategies ignore it.

    Examples
    --------
    >>> Constraints(crews=4, commitment_days=3, horizon_days=30).crews
    4
    >>> dict(Constraints(crews={"building": 2, "water": 1}).crews)
    {'building': 2, 'water': 1, 'power': 0, 'road': 0}
    >>> Constraints(crews=-1)
    Traceback (most recent call last):
    ...
    workbench.core.errors.InputError: crews must be a positive integer, got -1
    """

    crews: int | Mapping[str, int] = 20
    materials_per_day: float = math.inf
    commitment_days: float = float(DEFAULT_COMMITMENT_DAYS)
    horizon_days: int = 365
    inspections_per_day: float = math.inf
    impeding_delays: bool = False
    mobilisation_days: float = 0.0
    planner: str = "greedy"
    reserve_crews: int | Mapping[str, int] = 0
    reserve_days: float = 0.0
    rigid_plan: Sequence = RIGID_PLAN

    def __post_init__(self):
        object.__setattr__(self, "crews", _check_crews(self.crews))
        m = self.materials_per_day
        if not _is_real(m) or math.isnan(m) or m <= 0:
            raise InputError(f"materials_per_day must be a number > 0 EUR/day (inf = unlimited), "
                             f"got {m!r}")
        c = self.commitment_days
        if not _is_real(c) or math.isnan(c) or c < 0:
            raise InputError(f"commitment_days must be a number ≥ 0 (0 = none, inf = to "
                             f"completion), got {c!r}")
        if not _is_int(self.horizon_days) or self.horizon_days <= 0:
            raise InputError(f"horizon_days must be a positive integer, got {self.horizon_days!r}")
        i = self.inspections_per_day
        if not _is_real(i) or math.isnan(i) or i <= 0:
            raise InputError(f"inspections_per_day must be a number > 0 buildings/day (inf = "
                             f"perfect information), got {i!r}")
        if not isinstance(self.impeding_delays, (bool, np.bool_)):
            raise InputError(f"impeding_delays must be true or false, got "
                             f"{self.impeding_delays!r}")
        mob = self.mobilisation_days
        if not _is_real(mob) or not math.isfinite(mob) or mob < 0:
            raise InputError(f"mobilisation_days must be a finite number ≥ 0 days, got {mob!r}")
        object.__setattr__(self, "reserve_crews", _check_crews(self.reserve_crews, "reserve_crews",
                                                               at_least_one=False))
        r = self.reserve_days
        if not _is_real(r) or math.isnan(r) or r < 0:
            raise InputError(f"reserve_days must be a number ≥ 0 days (the day reserve crews "
                             f"leave), got {r!r}")
        object.__setattr__(self, "reserve_days", float(r))
        if self.planner not in PLANNERS:
            raise InputError(f"planner must be one of {list(PLANNERS)}, got {self.planner!r}")
        object.__setattr__(self, "inspections_per_day", float(i))
        object.__setattr__(self, "impeding_delays", bool(self.impeding_delays))
        object.__setattr__(self, "mobilisation_days", float(mob))
        object.__setattr__(self, "materials_per_day", float(m))
        object.__setattr__(self, "commitment_days", float(c))
        object.__setattr__(self, "horizon_days", int(self.horizon_days))
        object.__setattr__(self, "rigid_plan", _check_rigid_plan(self.rigid_plan))

    def __hash__(self):
        return hash((tuple(crew_pools(self.crews).items()), self.materials_per_day,
                     self.commitment_days, self.horizon_days, self.inspections_per_day,
                     self.impeding_delays, self.mobilisation_days, self.planner,
                     self.reserve_days,
                     tuple(crew_pools(self.reserve_crews, at_least_one=False).items()),
                     self.rigid_plan))

    @property
    def pools(self) -> tuple[tuple[str, ...], tuple[int, ...]]:
        """Crew pools: (names, sizes); one pool ``any`` unless crews are given by trade
        (:func:`crew_pools`)."""
        pools = crew_pools(self.crews)
        return tuple(pools), tuple(pools.values())

    @property
    def reserve_pools(self) -> tuple[int, ...]:
        """Reserve crews by pool (the order of :attr:`pools`); all 0 without a reserve."""
        names = self.pools[0]
        r = self.reserve_crews
        if self.reserve_days <= 0:
            return tuple(0 for _ in names)
        r = crew_pools(r, "reserve_crews", at_least_one=False)
        if ANY_TRADE in r:                 # one number: the shared pool's, or the building trade's
            return tuple(r[ANY_TRADE] if n in (ANY_TRADE, "building") else 0 for n in names)
        if names == (ANY_TRADE,):
            return (int(sum(r.values())),)
        return tuple(r[t] for t in names)

    @property
    def total_crews(self) -> int:
        """All crews, every trade."""
        return int(sum(self.pools[1]))

    def as_attrs(self) -> dict:
        """The constraints as netCDF-safe attributes."""
        return {"crews": _crews_attr(self.crews), "materials_per_day": self.materials_per_day,
                "commitment_days": self.commitment_days, "horizon_days": self.horizon_days,
                "inspections_per_day": self.inspections_per_day,
                "impeding_delays": int(self.impeding_delays),
                "mobilisation_days": self.mobilisation_days, "planner": self.planner,
                "reserve_crews": _crews_attr(self.reserve_crews),
                "reserve_days": self.reserve_days,
                "rigid_plan": json.dumps(rigid_plan_rows(self.rigid_plan))}


def _crews_attr(crews) -> int | str:
    """Crews as written (one number, or by trade as JSON), for netCDF attributes."""
    pools = crew_pools(crews, at_least_one=False)
    return pools[ANY_TRADE] if ANY_TRADE in pools else json.dumps(pools)


def crew_pools(crews, name: str = "crews", *, at_least_one: bool = True) -> dict[str, int]:
    """Crews as pools: ``{"any": n}`` for one number (a shared pool that repairs every trade),
    else ``{trade: n}`` over every trade of :data:`TRADES` (trades not named get none).

    The one reader of the two forms of ``crews`` (and ``reserve_crews``, mitigation's
    reserve): every caller that needs counts by pool, a total or the form goes through it.
    ``at_least_one`` asks for at least one crew in all (the working pools; a reserve may be 0).

    >>> crew_pools(20)
    {'any': 20}
    >>> crew_pools({"building": 2, "road": 1})
    {'building': 2, 'water': 0, 'power': 0, 'road': 1}
    >>> sum(crew_pools({"building": 2, "road": 1}).values())
    3
    """
    return dict(_check_crews(crews, name, at_least_one=at_least_one)) if isinstance(
        crews, Mapping) else {ANY_TRADE: _check_crews(crews, name, at_least_one=at_least_one)}


def _check_crews(crews, name: str = "crews", *, at_least_one: bool = True):
    """Crews (``name``): a number, or a mapping by trade; at least one crew in all when
    ``at_least_one`` (the pools), else ≥ 0 (the reserve)."""
    if isinstance(crews, Mapping):
        unknown = [k for k in crews if k not in TRADES]
        if unknown:
            raise InputError(f"{name} by trade: unknown trade(s) {unknown}; trades are "
                             f"{list(TRADES)}")
        for trade, n in crews.items():
            if not _is_int(n) or n < 0:
                raise InputError(f"{name}[{trade!r}] must be a non-negative integer, got {n!r}")
        if at_least_one and sum(crews.values()) <= 0:
            raise InputError(f"{name} by trade must total at least one crew, got {dict(crews)}")
        return MappingProxyType({t: int(crews.get(t, 0)) for t in TRADES})
    if not _is_int(crews) or crews < (1 if at_least_one else 0):
        raise InputError(f"{name} must be a {'positive' if at_least_one else 'non-negative'} "
                         f"integer, got {crews!r}")
    return int(crews)


def check_strategies(strategies) -> tuple:
    """Strategies checked: names of :data:`STRATEGY_RULES` or :class:`StrategyRule` objects (a
    rule not registered, e.g. a step of :func:`workbench.recovery.gap.strategy_gap`); unknown
    or repeated names → error."""
    if isinstance(strategies, (str, StrategyRule)):
        strategies = (strategies,)
    strategies = tuple(strategies)
    unknown = [s for s in strategies if not isinstance(s, StrategyRule)
               and s not in STRATEGY_RULES]
    if unknown or not strategies:
        raise InputError(f"unknown strategy {unknown or strategies!r}; valid strategies are "
                         f"{list(STRATEGY_RULES)}")
    names = _names(strategies)
    if len(set(names)) != len(names):
        raise InputError(f"strategies must not repeat, got {list(names)}")
    return strategies


def _names(strategies) -> tuple[str, ...]:
    return tuple(s.name if isinstance(s, StrategyRule) else s for s in strategies)


# --------------------------------------------------------------------------- public entry

def simulate_recovery(city: City, system, damage: xr.Dataset, constraints: Constraints, *,
                      strategies: Sequence[str] = STRATEGIES, functionality=None,
                      shelters: Shelters | None = None, seed: int = 0,
                      return_assignments: bool = False):
    """Simulate the recovery of one damage realization under each strategy.

    Parameters
    ----------
    city : City
        Buildings with ``type``, ``floor_area`` [m²], ``occupancy`` [persons] (and optionally
        ``population``, ``shelter_capable``).
    system : InfrastructureSystem or None
        From :func:`workbench.network.system.build_system`; ``None`` for a city without networks (every
        building fully served, no component tasks).
    damage : xarray.Dataset
        One realization of the damage Dataset of ``docs/ARCHITECTURE.md`` (no ``realization``
        dim, or one of length 1), covering the city's buildings and the system's components.
    constraints : Constraints
    strategies : sequence of str or StrategyRule
        Any of ``rigid``, ``semiflexible``, ``flexible``, or rules of one's own (named by their
        ``name`` in the result).
    functionality : FunctionalityModel, optional
        Default :class:`workbench.functionality.TableFunctionality`.
    shelters : Shelters, optional
        Default :class:`workbench.functionality.Shelters`.
    seed : int
        Seed of the tie-breaking permutation; recorded in ``attrs["seed"]``.
    return_assignments : bool
        Also return the crew log as a DataFrame (one row per crew stint on a task: ``strategy``,
        ``crew``, ``trade``, ``task_kind``, ``target``, ``start_day``, ``end_day`` (``inf`` if
        still working at the horizon), ``completed``).

    Returns
    -------
    xarray.Dataset or (xarray.Dataset, pandas.DataFrame)
        Dims ``strategy``, ``time`` (days 0…horizon), ``building``, ``component``:

        * ``building_restored_day`` (strategy, building), ``component_restored_day`` (strategy,
          component) [day]: first time at which the element is repaired; 0 if undamaged,
          ``inf`` if not repaired within the horizon;
        * ``building_work_done``, ``component_work_done`` (strategy, element) [crew-days]: the
          repair work done on each element by the horizon (0 for an element without a task);
          ``building_available_day`` (strategy, building) [day]: the first day a building's
          repair could receive work (inspection and impeding delays; 0 without a task);
        * on (strategy, time), the state at the *start* of day ``t`` (held through day ``t``):
          ``ep`` [EUR/day], ``sc`` and ``demand`` [person-units], ``ep_functionality`` (EP/EP0)
          and ``sc_functionality`` (min(1, SC/demand)) [-], ``displaced`` and ``sheltered``
          [persons], ``crews_busy`` [crews working during day t; 0 at the horizon] and
          ``materials_spent`` [EUR/day];
        * ``attrs``: ``ep0`` [EUR/day], ``sc0``, ``demand0`` [person-units], ``repair_cost``
          [EUR], the constraints, ``seed``, ``currency``, ``price_year``, ``units`` (JSON).

    Examples
    --------
    Two collapsed homes, one crew, four days each: the second is back at day 8.

    >>> from workbench.city import toy_city
    >>> city = toy_city()
    >>> damage = xr.Dataset({
    ...     "building_damage_state": ("building", [4, 4, 0, 0, 0, 0]),
    ...     "building_repair_days": ("building", [4.0, 4.0, 0, 0, 0, 0]),
    ...     "building_repair_cost": ("building", [1e5, 1e5, 0, 0, 0, 0])},
    ...     coords={"building": city.buildings["building"].values})
    >>> rec = simulate_recovery(city, None, damage, Constraints(crews=1, horizon_days=10))
    >>> rec["building_restored_day"].sel(strategy="rigid").values[:3].tolist()
    [4.0, 8.0, 0.0]
    """
    if not isinstance(city, City):
        raise InputError(f"city must be a workbench City, got {type(city).__name__}")
    if not isinstance(constraints, Constraints):
        raise InputError(f"constraints must be a workbench.recovery.Constraints, got "
                         f"{type(constraints).__name__}; build one with Constraints(crews=…).")
    strategies = check_strategies(strategies)
    names = _names(strategies)
    if has_events(damage):          # hazard events in sequence (workbench.recovery.sequence)
        ds, log = simulate_sequence(_simulate, city, system, damage, constraints,
                                    strategies=strategies, functionality=functionality,
                                    shelters=shelters, seed=seed, return_assignments=True)
    else:
        ds, log = _simulate(city, system, damage, constraints, strategies=strategies,
                            functionality=functionality, shelters=shelters, seed=seed,
                            return_assignments=return_assignments)
    _warn_if_cut(ds, names)
    if not return_assignments:
        return ds
    return ds, log


def _simulate(city, system, damage, constraints, *, strategies, functionality, shelters, seed,
              return_assignments: bool = True):
    """:func:`simulate_recovery` of one damage without later events, without the warning: the
    recovery Dataset and the crew log (``None`` unless ``return_assignments``: an ensemble
    member does not read it)."""
    p = Problem(city, system, damage, constraints, functionality, shelters, seed)
    runs = [simulate_strategy(p, s) for s in strategies]
    names = _names(strategies)
    return (_dataset(p, names, runs, seed),
            _assignments(p, names, runs) if return_assignments else None)


def _warn_if_cut(ds: xr.Dataset, names) -> None:
    """Log a warning naming each strategy whose recovery the horizon cuts: its losses are lower
    bounds, and strategies cut unevenly are compared on unequal terms (METHOD §5.2)."""
    cut = []
    for name in names:
        one = ds.sel({STRATEGY: name}) if STRATEGY in ds.dims else ds
        open_b = int((~np.isfinite(one["building_restored_day"].values)).sum())
        open_c = (int((~np.isfinite(one["component_restored_day"].values)).sum())
                  if "component_restored_day" in one else 0)
        if open_b or open_c:
            cut.append(f"{name} ({open_b} buildings, {open_c} components unrestored)")
    if cut:
        log.warning("the horizon of %d days cuts the recovery of %s: its losses are lower "
                    "bounds and the strategies are compared on unequal terms; raise "
                    "horizon_days until every strategy completes", int(ds[TIME].values[-1]),
                    ", ".join(cut))


def _dataset(p: Problem, strategies, runs, seed) -> xr.Dataset:
    H = p.horizon
    n_b, n_c = len(p.building_ids), len(p.component_ids)
    b_day = np.zeros((len(strategies), n_b))
    c_day = np.zeros((len(strategies), n_c))
    b_work, c_work = np.zeros_like(b_day), np.zeros_like(c_day)
    b_avail = np.zeros_like(b_day)
    for i, run in enumerate(runs):
        bt = p.kind == 0
        b_day[i, p.target[bt]] = run["restored"][bt]
        c_day[i, p.target[~bt]] = run["restored"][~bt]
        b_work[i, p.target[bt]] = run["work"][bt]
        b_avail[i, p.target[bt]] = run["available"][bt]
        c_work[i, p.target[~bt]] = run["work"][~bt]
    curve = lambda k: np.stack([r["curves"][k] for r in runs])  # noqa: E731
    ep, sc = curve("ep"), curve("sc")
    demand = np.full_like(sc, p.demand)
    st_t = (STRATEGY, TIME)
    units = {"building_restored_day": "day", "component_restored_day": "day", "ep": "EUR/day",
             "sc": "person-units", "demand": "person-units", "ep_functionality": "1",
             "sc_functionality": "1", "displaced": "persons", "sheltered": "persons",
             "crews_busy": "crews", "materials_spent": "EUR/day",
             "building_work_done": "crew-days", "component_work_done": "crew-days",
             "building_available_day": "day"}
    data = {
        "building_restored_day": ((STRATEGY, BUILDING), b_day),
        "component_restored_day": ((STRATEGY, COMPONENT), c_day),
        "building_work_done": ((STRATEGY, BUILDING), b_work),
        "component_work_done": ((STRATEGY, COMPONENT), c_work),
        "building_available_day": ((STRATEGY, BUILDING), b_avail),
        "ep": (st_t, ep), "sc": (st_t, sc), "demand": (st_t, demand),
        "ep_functionality": (st_t, ep / p.ep0 if p.ep0 > 0 else np.ones_like(ep)),
        "sc_functionality": (st_t, np.minimum(1.0, sc / p.demand) if p.demand > 0
                             else np.ones_like(sc)),
        "displaced": (st_t, curve("displaced")), "sheltered": (st_t, curve("sheltered")),
        "crews_busy": (st_t, curve("crews_busy")),
        "materials_spent": (st_t, curve("materials_spent")),
    }
    ds = xr.Dataset(
        {k: (dims, v, {"units": units[k]}) for k, (dims, v) in data.items()},
        coords={STRATEGY: list(strategies), TIME: np.arange(H + 1),
                BUILDING: p.building_ids, COMPONENT: p.component_ids})
    ds[TIME].attrs["units"] = "day"
    ds.attrs.update({"ep0": p.ep0, "sc0": p.sc0, "demand0": p.demand,
                     "repair_cost": p.repair_cost, **p.constraints.as_attrs(), "seed": int(seed),
                     "currency": CURRENCY, "price_year": PRICE_YEAR,
                     "units": json.dumps({"ep0": "EUR/day", "sc0": "person-units",
                                          "demand0": "person-units", "repair_cost": "EUR",
                                          **units}),
                     "time_convention": "state at the start of day t, held through day t"})
    return ds


def _assignments(p: Problem, strategies, runs) -> pd.DataFrame:
    frames = []
    ids = np.concatenate([p.building_ids, p.component_ids])
    offset = np.where(p.kind == 0, 0, len(p.building_ids))
    for strategy, run in zip(strategies, runs):
        if not run["stints"]:
            continue
        crew, task, start, end, completed = (np.concatenate(x) for x in zip(*run["stints"]))
        frames.append(pd.DataFrame({
            "strategy": strategy, "crew": crew,
            "trade": np.asarray(p.pool_names)[p.crew_pool[crew]],
            "task_kind": np.where(p.kind[task] == 0, "building", "component"),
            "target": ids[p.target[task] + offset[task]], "start_day": start.astype(float),
            "end_day": end.astype(float),
            "completed": completed}))
    columns = ["strategy", "crew", "trade", "task_kind", "target", "start_day", "end_day",
               "completed"]
    if not frames:
        return pd.DataFrame(columns=columns)
    return pd.concat(frames, ignore_index=True).sort_values(
        ["strategy", "crew", "start_day"], kind="stable", ignore_index=True)[columns]
