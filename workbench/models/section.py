"""The ``models`` section of the parameter file (:mod:`workbench.core.sections`): stages 02
(significance) and 03 (training), and which functionality the recovery uses."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable, ClassVar

from ..core.errors import InputError
from ..core.sections import check, is_int, is_number, setting
from .archive import ArchivedFunctionality

__all__ = ["ModelsSection", "FunctionalityModel", "FUNCTIONALITY_MODELS", "functionality_model",
           "CORRECTIONS", "EP_LEVELS"]


@dataclass(frozen=True)
class FunctionalityModel:
    """A functionality model the recovery can use (``models.functionality``): what it is, and
    ``make(archive)`` → the object :func:`workbench.recovery.simulate_recovery` takes as
    ``functionality`` (``None``: its default, the cited tables)."""

    meaning: str
    make: Callable[[Any], Any]


def _trained(archive):
    if archive is None:
        raise InputError("models.functionality is 'trained' but there is no archive of trained "
                         "tables; run stage 03 (03_model_training) first, or set "
                         "models.functionality: table.")
    return ArchivedFunctionality(archive)


#: The registry of functionality models, by the name ``models.functionality`` gives.
FUNCTIONALITY_MODELS: dict[str, FunctionalityModel] = {
    "table": FunctionalityModel("the cited lookup tables", lambda archive: None),
    "trained": FunctionalityModel("stage 03's archive", _trained),
}


def functionality_model(name: str, archive=None):
    """The functionality object of model ``name`` (:data:`FUNCTIONALITY_MODELS`), built on
    stage 03's ``archive`` where it needs one; an unknown name fails naming the known ones."""
    if name not in FUNCTIONALITY_MODELS:
        raise InputError(f"unknown functionality model {name!r}; the models are "
                         f"{list(FUNCTIONALITY_MODELS)}.")
    return FUNCTIONALITY_MODELS[name].make(archive)

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
              " or ".join(f"{k!r} ({v.meaning})" for k, v in FUNCTIONALITY_MODELS.items()))
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
