"""The ``ensemble`` section of the parameter file (:mod:`workbench.core.sections`): stage 05's
ensemble of members, the lognormal priors it draws (stage 06 draws the same), and the PyMC
sampling."""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any, ClassVar

from ..core.sections import check, is_int, is_number, setting

__all__ = ["EnsembleSection", "OBSERVED_VARIABLES"]

#: The curves an observation may be of.
OBSERVED_VARIABLES = ("ep_functionality", "sc_functionality")

_PRIORS = {
    "fragility_median_scale": ({"median": 1.0, "sigma": 0.2}, "multiplies every fragility median"),
    "repair_time_scale": ({"median": 1.0, "sigma": 0.3}, "multiplies building repair effort"),
    "crew_productivity": ({"median": 1.0, "sigma": 0.2}, "work per crew-day, every trade"),
    "ep_unit_scale": ({"median": 1.0, "sigma": 0.25}, "multiplies EP per m2"),
}


@dataclass(frozen=True)
class EnsembleSection:
    """``ensemble``: members, priors, where they run, the PyMC sampling and the observation."""

    DOC: ClassVar[str] = "stage 05 (05_strategy_uncertainty): workbench.uncertainty"

    members: int = setting(40, "ensemble members (damage + recovery of every strategy, common "
                               "random numbers); 0 = skip")
    priors: Any = setting({k: v for k, (v, _) in _PRIORS.items()},
                          "lognormal priors of the uncertain inputs (median, sigma of the log); "
                          "assumptions", shown="")
    scheduler: str | None = setting(None, "where the members run: serial, processes (a pool "
                                          "of workers), local (a dask\nLocalCluster), or a dask "
                                          "scheduler's address (tcp://host:port; null = serial)")
    workers: int | None = setting(None, "worker processes of processes or local (null = one per "
                                        "core); alone: a local cluster")
    batch_size: int | None = setting(None, "members per dask task (null = chosen so a task is "
                                           "about a second of work)")
    max_failed_share: float = setting(0.05, "a member that raises is recorded (seeds, error) "
                                            "and left out; more failed than this share\nstops "
                                            "the stage")
    store: str | None = setting(None, "a folder to keep each finished batch of members in "
                                      "(relative: to this file's folder);\nthe same run "
                                      "started again takes them and runs only the rest "
                                      "(null = none)")
    draws: int = setting(400, "posterior draws per chain of the models (and NUTS tuning steps, "
                              "chains: 4 or more for the R-hat check)")
    tune: int = setting(400, "")
    chains: int = setting(4, "")
    observed: str | None = setting(None, "a CSV (day, value) of an observed recovery to update "
                                         "on; null = a held-back synthetic member")
    observed_variable: str = setting("ep_functionality", "the curve observed: ep_functionality "
                                                         "or sc_functionality")
    observed_days: int | None = setting(None, "days observed (from day 0) when the observation "
                                              "is synthetic; null = a quarter of\nthe horizon, "
                                              "at most 60")

    #: One comment per prior, for the template.
    ITEMS: ClassVar[dict] = {"priors": {k: doc for k, (_, doc) in _PRIORS.items()}}

    def __post_init__(self):
        check(is_int(self.members) and 0 <= self.members <= 1_000_000, "members", self.members,
              "an integer from 0 (no ensemble) to 1000000")
        check(self.members == 0 or self.members >= 11, "members", self.members,
              "0 (no ensemble) or at least 11 (ten train the emulator, one is held back as the "
              "observed recovery)")
        for name, prior in self.priors.items():
            for key in ("median", "sigma"):
                v = prior[key]
                check(is_number(v) and math.isfinite(v) and v > 0, f"priors.{name}.{key}", v,
                      "a finite number > 0 (a lognormal prior: median, and sigma of the log)")
        sched = self.scheduler
        check(sched is None or (isinstance(sched, str) and (
            sched in ("serial", "processes", "local") or "://" in sched)), "scheduler", sched,
              "null, serial, processes, local or a dask scheduler address such as "
              "tcp://127.0.0.1:8786")
        check(self.workers is None or sched in (None, "processes", "local"), "workers",
              self.workers, f"null with scheduler {sched!r} (workers go with processes or "
              f"local)")
        for key in ("workers", "batch_size"):
            v = getattr(self, key)
            check(v is None or (is_int(v) and v >= 1), key, v, "null or an integer ≥ 1")
        share = self.max_failed_share
        check(is_number(share) and 0 <= share < 1, "max_failed_share", share,
              "a share from 0 (every member must succeed) to below 1")
        check(self.store is None or (isinstance(self.store, str) and self.store.strip() != ""),
              "store", self.store, "null or a folder path")
        for key in ("draws", "tune"):
            v = getattr(self, key)
            check(is_int(v) and 10 <= v <= 100_000, key, v, "an integer from 10 to 100000")
        check(is_int(self.chains) and 1 <= self.chains <= 16, "chains", self.chains,
              "an integer from 1 to 16")
        obs = self.observed
        check(obs is None or (isinstance(obs, str) and obs.strip() != ""), "observed", obs,
              "null or a path to a CSV of day, value")
        check(self.observed_variable in OBSERVED_VARIABLES, "observed_variable",
              self.observed_variable, " or ".join(OBSERVED_VARIABLES))
        check(self.observed_days is None or is_int(self.observed_days)
              and self.observed_days >= 1, "observed_days", self.observed_days,
              "null or an integer ≥ 1")

    def check_horizon(self, horizon_days: int) -> None:
        """The observed days must end before the horizon."""
        check(self.observed_days is None or self.observed_days < horizon_days, "observed_days",
              self.observed_days,
              f"null or an integer from 1 to horizon_days − 1 ({horizon_days - 1})")
