"""Realisations of a peer's example under its own assumptions: pyrecodes' Example 3 through the
workbench's recovery engine (METHOD §11.1).

The example is read and its impeding activities scheduled by
:mod:`workbench.io.interop.pyrecodes`; this module draws the realisations and runs the engine
(:func:`workbench.recovery.simulate_recovery` with the peer rule ``random_priority``).
"""

from __future__ import annotations

import math

import numpy as np
import xarray as xr

from ..core.dims import BUILDING
from ..core.errors import InputError
from ..io.interop.pyrecodes import (PyrecodesExample, activity_schedule, example_damage,
                                    shelter_curve)
from ..recovery import Constraints, simulate_recovery
from ..recovery.strategies import PEER_RULES

__all__ = ["simulate_example", "example_constraints", "restored_days"]


def example_constraints(example: PyrecodesExample, horizon: int) -> Constraints:
    """The engine's constraints under the example's assumptions: its ``RepairCrew`` pool, crews
    to completion, impeding delays on (the imported ``building_ready_day``), perfect
    information, no mobilisation."""
    pools = example.pools
    if "RepairCrew" not in pools or pools["RepairCrew"] < 1:
        raise InputError("the example has no RepairCrew pool; the engine needs repair crews.")
    return Constraints(crews=int(pools["RepairCrew"]), horizon_days=int(horizon),
                       commitment_days=math.inf, impeding_delays=True,
                       inspections_per_day=math.inf, mobilisation_days=0.0)


def restored_days(example: PyrecodesExample, schedule, constraints: Constraints, *,
                  seed: int = 0) -> np.ndarray:
    """Day each building is restored [day] by the engine under the peer rule
    ``random_priority``, for one schedule of the impeding activities
    (:func:`~workbench.io.interop.pyrecodes.activity_schedule`)."""
    rec = simulate_recovery(example.city, None, example_damage(example, schedule), constraints,
                            strategies=[PEER_RULES["random_priority"]], seed=int(seed))
    return rec["building_restored_day"].isel(strategy=0).values


def simulate_example(example: PyrecodesExample, *, realisations: int = 5, seed: int = 0,
                     horizon: int = 365) -> xr.Dataset:
    """Run the workbench's engine on ``example`` under its own assumptions, ``realisations``
    times (durations drawn from ``seed``; realisation ``m`` uses ``default_rng([seed, m])``).

    Returns
    -------
    xarray.Dataset
        ``beds_met`` (member, time) [persons], ``met_share`` (member, time) [-],
        ``ready_day`` and ``restored_day`` (member, building) [day]; ``attrs``: ``demand``
        [persons], the constraints, ``seed``.
    """
    constraints = example_constraints(example, horizon)
    beds, ready, restored = [], [], []
    for m in range(int(realisations)):
        schedule = activity_schedule(example, np.random.default_rng([int(seed), m]),
                                     horizon=int(horizon))
        day = restored_days(example, schedule, constraints, seed=int(seed) + m)
        beds.append(shelter_curve(example, day, int(horizon)))
        ready.append(schedule["ready_day"].to_numpy())
        restored.append(day)
    demand = float(example.population.sum())
    out = xr.Dataset(
        {"beds_met": (("member", "time"), np.asarray(beds)),
         "met_share": (("member", "time"), np.asarray(beds) / demand),
         "ready_day": (("member", BUILDING), np.asarray(ready)),
         "restored_day": (("member", BUILDING), np.asarray(restored))},
        coords={"member": np.arange(int(realisations)), "time": np.arange(int(horizon) + 1),
                BUILDING: example.city.buildings[BUILDING].values})
    out["beds_met"].attrs["units"] = "persons"
    out.attrs.update({"demand": demand, "seed": int(seed), "example": example.name,
                      **{f"constraint_{k}": v for k, v in constraints.as_attrs().items()
                         if k != "rigid_plan"}})
    return out
