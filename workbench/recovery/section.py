"""The ``constraints`` section of the parameter file (:mod:`workbench.core.sections`): the
limits of a recovery, checked by :class:`~workbench.recovery.Constraints` (the rules live there,
once). The file's defaults state the limits of information and implementation as assumptions
(:mod:`workbench.core.assumptions`); :class:`Constraints` alone defaults to none of them."""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any, ClassVar

from ..core import assumptions as _assumptions
from ..core.sections import setting
from . import DEFAULT_COMMITMENT_DAYS, Constraints, rigid_plan_rows

__all__ = ["ConstraintsSection"]


@dataclass(frozen=True)
class ConstraintsSection:
    """``constraints``: crews, materials, commitment and the limits of information."""

    DOC: ClassVar[str] = ""
    ITEMS: ClassVar[dict] = {"rigid_plan": ["shelters, schools, halls", "homes",
                                            "shops, offices, industry"]}

    crews: Any = setting({"building": 60, "water": 6, "power": 6, "road": 3},
                         "repair crews by trade, or one number for a shared pool")
    materials_per_day: float = setting(math.inf, "EUR of materials that may be used per day "
                                                 "(.inf = unlimited)")
    commitment_days: float = setting(DEFAULT_COMMITMENT_DAYS,
                                     "a crew stays on its task this many days (0 = none, .inf = "
                                     "to completion)")
    inspections_per_day: float = setting(
        _assumptions.value("inspections_per_day"),
        "buildings inspected per day; damage is known, and repair can start, only\nonce "
        "inspected (.inf = perfect information). Assumption: two ATC-20 rapid-evaluation\n"
        "teams at ~25 buildings a day each")
    impeding_delays: bool = setting(True, "repairs wait for REDi inspection, engineering, "
                                          "permits, financing (data/redi_impeding_delays.csv)")
    mobilisation_days: float = setting(_assumptions.value("mobilisation_days"),
                                       "days a crew spends moving to a task it starts before "
                                       "its work counts (assumption)")
    planner: str = setting("greedy", "greedy (gain per crew-day) or exact (the day's assignment "
                                     "as a HiGHS MILP; slower)")
    rigid_plan: list = setting(
        rigid_plan_rows(),
        "the rigid strategy's predefined building priority, fixed before the event: rows\n"
        "in order (a building takes the first row holding its type and damage state 1..4;\n"
        "damage states in the order listed; others last). Cited class order, assumed\n"
        "damage-state order (METHOD §5.3)", shown="")

    def constraints(self, horizon_days: int, **extra) -> Constraints:
        """The :class:`Constraints` of this section over ``horizon_days`` (checked there)."""
        return Constraints(horizon_days=horizon_days, crews=self.crews,
                           materials_per_day=self.materials_per_day,
                           commitment_days=self.commitment_days,
                           inspections_per_day=self.inspections_per_day,
                           impeding_delays=self.impeding_delays,
                           mobilisation_days=self.mobilisation_days, planner=self.planner,
                           rigid_plan=self.rigid_plan, **extra)
