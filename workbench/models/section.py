"""The ``models`` section of the parameter file (:mod:`workbench.core.sections`): stages 02
(significance) and 03 (training), and which functionality the recovery uses."""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from ..core.sections import check, is_int, is_number, setting

__all__ = ["ModelsSection", "FUNCTIONALITY_MODELS", "CORRECTIONS", "EP_LEVELS"]

#: The functionality models the recovery can use, by name.
FUNCTIONALITY_MODELS = {"table": "the cited lookup tables", "trained": "stage 03's archive"}
#: Multiple-testing corrections of the feature selection (statsmodels' names).
CORRECTIONS = {"holm": "Holm", "fdr_bh": "Benjamini-Hochberg"}
#: Levels of the trained EP per m² at full service.
EP_LEVELS = ("cited", "trained")


@dataclass(frozen=True)
class ModelsSection:
    """``models``: the survey and production data, the selection's alpha and correction."""

    DOC: ClassVar[str] = "stages 02 (significance) and 03 (training): workbench.models"

    functionality: str = setting("table", "which functionality the recovery uses: 'table' "
                                          "(cited lookup tables) or\n'trained' (the archive "
                                          "stage 03 made from the survey and production data)")
    survey: str | None = setting(None, "survey CSV (schema: workbench.models.survey; relative: "
                                       "to this file's folder);\nnull = the synthetic demo "
                                       "survey (labelled synthetic)")
    production: str | None = setting(None, "production table CSV (schema: "
                                           "workbench.models.production); null = synthetic")
    production_series: str | None = setting(None, "its consumption series CSV (long: unit_id, "
                                                  "step, electricity_kwh, water_m3)")
    alpha: float = setting(0.05, "significance level of the feature selection")
    correction: str = setting("holm", "multiple-testing correction: holm or fdr_bh "
                                      "(Benjamini-Hochberg)")
    ep_level: str = setting("cited", "level of the trained EP per m2 at full service: 'cited' "
                                     "(the lookup table's\npublished figure; the hybrid gives "
                                     "the service dependence) or 'trained'")
    max_epochs: int = setting(300, "training epochs of the hybrid EP network at most (early "
                                   "stopping)")

    def __post_init__(self):
        check(self.functionality in FUNCTIONALITY_MODELS, "functionality", self.functionality,
              " or ".join(f"{k!r} ({v})" for k, v in FUNCTIONALITY_MODELS.items()))
        for key in ("survey", "production", "production_series"):
            v = getattr(self, key)
            check(v is None or (isinstance(v, str) and v.strip() != ""), key, v,
                  "null (the synthetic demo data) or a path to a CSV file")
        check((self.production is None) == (self.production_series is None),
              "production_series", self.production_series,
              "given together with models.production (the static table and its series), or "
              "both null")
        check(is_number(self.alpha) and 0 < self.alpha < 1, "alpha", self.alpha,
              "a number between 0 and 1")
        check(self.correction in CORRECTIONS, "correction", self.correction,
              " or ".join(f"{k!r}" for k in CORRECTIONS) + " (Benjamini-Hochberg)")
        check(self.ep_level in EP_LEVELS, "ep_level", self.ep_level,
              " or ".join(repr(k) for k in EP_LEVELS))
        check(is_int(self.max_epochs) and 1 <= self.max_epochs <= 100_000, "max_epochs",
              self.max_epochs, "an integer from 1 to 100000")
