"""The recovery strategies, registered as small named rules (one table, no branches on names).

A strategy says what its planners know, how they plan and what holds their crews:

* ``fixed_plan`` — one priority list fixed before the event by a predefined rule and never
  revised (utilities along their critical paths, then buildings by function class and damage
  state, :attr:`~workbench.recovery.Constraints.rigid_plan`; crews take the first available
  tasks on it), or a plan made again every day;
* ``commitment`` — ``"completion"`` (a crew stays until its task is done), ``"period"`` (for
  :attr:`~workbench.recovery.Constraints.commitment_days` or to completion) or ``"none"``;
* ``limited_information`` — damage is known only where inspected
  (:attr:`~workbench.recovery.Constraints.inspections_per_day`); before that, planners see the
  expected damage of the fragilities;
* ``impeding_delays`` — a repair waits for inspection, engineering, permits and financing (REDi,
  :mod:`workbench.recovery.impeding`) when :attr:`~workbench.recovery.Constraints.impeding_delays`
  is on;
* ``mobilisation`` — a crew that starts a task pays
  :attr:`~workbench.recovery.Constraints.mobilisation_days` before its work counts;
* ``random_order`` — with ``fixed_plan``, the buildings' list is one random permutation drawn
  from the run's seed (no function classes, no damage states): a random priority.

The three strategies of Zhou et al. (2025, Fig. 1(b)):

* ``rigid`` — the pessimistic bound: a predefined rational plan that cannot adapt to what the
  disaster did — the kind of repair sequence fixed before the event that FEMA P-58, REDi
  (Almufti & Willford 2013) and GB/T 38591-2020 use — here a rule-based priority by function
  class and damage state (:data:`~workbench.recovery.RIGID_PLAN`: emergency and critical
  facilities, housing, business; lower damage states first), editable as the parameter
  ``constraints.rigid_plan``, applied to buildings as inspection finds them; crews stay to
  completion; all the limits of information and implementation apply;
* ``semiflexible`` — Zhou et al.'s (2025, METHOD §5.3): re-planned every day on what is known so far, crews committed
  for a period, delays and mobilisation paid;
* ``flexible`` — the optimistic bound: re-planned every day on the true damage, known at once,
  no impeding delays, no mobilisation, no commitment.

With perfect information (``inspections_per_day = inf``), no impeding delays, no mobilisation
and ``commitment_days = 0``, ``semiflexible`` and ``flexible`` are the same rule and give
identical results (tested).

Adding a strategy is one entry of :data:`STRATEGY_RULES` (and its test).

Peers' rules, for comparisons under a peer's assumptions (:data:`PEER_RULES`; passed to
:func:`~workbench.recovery.simulate_recovery` as rules, not offered in the parameter file):

* ``random_priority`` — pyrecodes' ``RandomPriority`` (pyrecodes 0.3.0): every resource goes
  to the components in one random order fixed before the event; perfect information (the damage
  states are inputs), the impeding activities as imported (``building_ready_day``), no
  mobilisation, a crew stays to completion.

Examples
--------
>>> strategy_rule("semiflexible").commitment
'period'
>>> strategy_rule("greedy")
Traceback (most recent call last):
...
workbench.core.errors.InputError: unknown strategy 'greedy'; valid strategies are ['rigid', 'semiflexible', 'flexible']
"""

from __future__ import annotations

from dataclasses import dataclass
from types import MappingProxyType

from ..core.errors import InputError

__all__ = ["StrategyRule", "STRATEGY_RULES", "PEER_RULES", "strategy_rule", "COMMITMENTS"]

#: What may hold a crew on its task.
COMMITMENTS = ("completion", "period", "none")


@dataclass(frozen=True)
class StrategyRule:
    """One recovery strategy as data (see the module docstring for each field)."""

    name: str
    fixed_plan: bool
    commitment: str
    limited_information: bool
    impeding_delays: bool
    mobilisation: bool
    random_order: bool = False

    def __post_init__(self):
        if self.commitment not in COMMITMENTS:
            raise InputError(f"strategy {self.name!r}: commitment must be one of {COMMITMENTS}, "
                             f"got {self.commitment!r}")


#: The registered strategies, from pessimistic to optimistic.
STRATEGY_RULES = MappingProxyType({
    "rigid": StrategyRule("rigid", fixed_plan=True, commitment="completion",
                          limited_information=True, impeding_delays=True, mobilisation=True),
    "semiflexible": StrategyRule("semiflexible", fixed_plan=False, commitment="period",
                                 limited_information=True, impeding_delays=True,
                                 mobilisation=True),
    "flexible": StrategyRule("flexible", fixed_plan=False, commitment="none",
                             limited_information=False, impeding_delays=False,
                             mobilisation=False),
})


#: Peers' rules (not in the parameter file): see the module docstring.
PEER_RULES = MappingProxyType({
    "random_priority": StrategyRule("random_priority", fixed_plan=True, commitment="completion",
                                    limited_information=False, impeding_delays=True,
                                    mobilisation=False, random_order=True),
})


def strategy_rule(name: str) -> StrategyRule:
    """The registered rule of strategy ``name``; an unknown name is an error listing the known."""
    if name not in STRATEGY_RULES:
        raise InputError(f"unknown strategy {name!r}; valid strategies are "
                         f"{list(STRATEGY_RULES)}")
    return STRATEGY_RULES[name]
