"""The ``response`` section of the parameter file (:mod:`workbench.core.sections`): people in
the recovery (stage 04's last section)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from ..core.sections import check, is_int, setting

__all__ = ["ResponseSection"]


@dataclass(frozen=True)
class ResponseSection:
    """``response``: household and business agents, emergency supplies."""

    DOC: ClassVar[str] = "people in the recovery (stage 04, last section): workbench.response"

    agents: bool = setting(True, "household and business agents beside the recovery's own "
                                 "curves (a comparison;\nsummary.json keeps the recovery's "
                                 "indexes); false = skip")
    supplies_days: int = setting(7, "days of emergency supplies simulated (at least 3: the "
                                    "72-hour window)")

    def __post_init__(self):
        check(isinstance(self.agents, bool), "agents", self.agents, "true or false")
        check(is_int(self.supplies_days) and 3 <= self.supplies_days <= 365, "supplies_days",
              self.supplies_days, "an integer from 3 to 365")
