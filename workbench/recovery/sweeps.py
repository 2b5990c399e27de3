"""Sweeps of one constraint: the same damage recovered under a range of settings.

:func:`constraint_sweep` answers "what if the commitment period (or the inspections, or the
mobilisation days) were different?" on one damage realisation, for every strategy, with the
indexes of :func:`workbench.metrics.indexes.summary_indexes` as a tidy table. The report's commitment
sweep is one call. (Import it from here: ``workbench.recovery`` does not import this module,
which builds on it.)

Examples
--------
>>> import xarray as xr
>>> from workbench.city import toy_city
>>> from workbench.recovery import Constraints
>>> city = toy_city()
>>> damage = xr.Dataset({"building_damage_state": ("building", [4, 4, 0, 0, 0, 0]),
...     "building_repair_days": ("building", [4.0, 4.0, 0, 0, 0, 0]),
...     "building_repair_cost": ("building", [1e5, 1e5, 0, 0, 0, 0])},
...     coords={"building": city.buildings["building"].values})
>>> t = constraint_sweep(city, None, damage, Constraints(crews=1, horizon_days=20),
...                      "mobilisation_days", [0.0, 2.0], strategies=["rigid"])
>>> t[["mobilisation_days", "recovery_days_100"]].values.tolist()
[[0.0, 8.0], [2.0, 12.0]]
"""

from __future__ import annotations

import dataclasses
from typing import Sequence

import pandas as pd
import xarray as xr

from ..functionality import Shelters, Valuation

from ..core.dims import STRATEGIES
from ..core.errors import InputError
from ..metrics.indexes import summary_indexes
from . import Constraints, simulate_recovery
from . import ANY_TRADE, crew_pools

__all__ = ["constraint_sweep", "crew_sweep", "shelter_sweep", "SHELTER_SWEEP"]

#: The shelter assumptions the report's sensitivity table varies, with the values tried. The
#: usable share of floor area and the area per person are not among them: under a planned
#: capacity (``Shelters.planned_share``) they decide mostly how many buildings hold the planned
#: places, not how many there are: on the demo they move the service loss < 0.4 % (METHOD §3).
SHELTER_SWEEP = {"planned_share": (0.05, 0.1, 0.2, None),
                 "shelter_housing": (0.25, 0.5, 0.75), "shelter_service": (0.25, 0.5, 0.75)}


def constraint_sweep(city, system, damage: xr.Dataset, constraints, field: str,
                     values: Sequence, *, strategies: Sequence[str] = STRATEGIES,
                     seed: int = 0, **kwargs) -> pd.DataFrame:
    """Indexes of every strategy with ``constraints.<field>`` set to each of ``values``.

    Parameters
    ----------
    city, system, damage
        As for :func:`workbench.recovery.simulate_recovery` (one realisation).
    constraints : Constraints
        The base settings; only ``field`` changes.
    field : str
        A field of :class:`~workbench.recovery.Constraints` (e.g. ``"commitment_days"``).
    values : sequence
        The settings to try, each validated by ``Constraints``.
    strategies, seed, **kwargs
        Passed to :func:`~workbench.recovery.simulate_recovery`.

    Returns
    -------
    pandas.DataFrame
        One row per value and strategy: ``field``, ``strategy`` and the keys of
        :data:`workbench.metrics.indexes.SUMMARY_KEYS` (losses in EUR and person-days).
    """
    names = [f.name for f in dataclasses.fields(Constraints)]
    if field not in names:
        raise InputError(f"constraint_sweep: {field!r} is not a Constraints field; fields are "
                         f"{names}.")
    rows = []
    for value in values:
        c = dataclasses.replace(constraints, **{field: value})
        rec = simulate_recovery(city, system, damage, c, strategies=strategies, seed=seed,
                                **kwargs)
        for strategy, indexes in summary_indexes(rec, city, damage).items():
            rows.append({field: value, "strategy": strategy, **indexes})
    return pd.DataFrame(rows)


def crew_sweep(city, system, damage: xr.Dataset, constraints,
               factors: Sequence[float] = (0.25, 0.5, 1.0, 2.0, 4.0), *,
               strategies: Sequence[str] = STRATEGIES, seed: int = 0) -> pd.DataFrame:
    """Indexes of every strategy with the crews of ``constraints`` scaled by each of ``factors``
    (every trade alike, rounded; at least one crew in all; a scaling to no crew is skipped).

    Returns a table like :func:`constraint_sweep`'s, with column ``crews`` (the total).
    """
    base = crew_pools(constraints.crews)
    rows = []
    for factor in factors:
        if ANY_TRADE in base:
            crews = max(1, int(round(base[ANY_TRADE] * factor)))
        else:
            crews = {k: int(round(v * factor)) for k, v in base.items()}
        total = sum(crew_pools(crews, at_least_one=False).values())
        if total == 0:
            continue
        c = dataclasses.replace(constraints, crews=crews)
        rec = simulate_recovery(city, system, damage, c, strategies=strategies, seed=seed)
        for strategy, indexes in summary_indexes(rec, city, damage).items():
            rows.append({"crews": total, "strategy": strategy, **indexes})
    return pd.DataFrame(rows)


def shelter_sweep(city, system, damage: xr.Dataset, constraints, field: str,
                  values: Sequence, *, shelters: Shelters | None = None,
                  strategies: Sequence[str] = STRATEGIES, seed: int = 0,
                  **kwargs) -> pd.DataFrame:
    """Indexes of every strategy with one shelter assumption set to each of ``values``: a field of
    :class:`~workbench.functionality.Shelters` (``usable_share``, ``planned_share``,
    ``area_per_person``, ...) or of its :class:`~workbench.functionality.Valuation`
    (``shelter_housing``, ...). Returns a table like :func:`constraint_sweep`'s.

    Examples
    --------
    >>> import xarray as xr
    >>> from workbench.city import toy_city
    >>> from workbench.recovery import Constraints
    >>> city = toy_city()
    >>> damage = xr.Dataset({"building_damage_state": ("building", [4, 4, 0, 0, 0, 0]),
    ...     "building_repair_days": ("building", [4.0, 4.0, 0, 0, 0, 0]),
    ...     "building_repair_cost": ("building", [1e5, 1e5, 0, 0, 0, 0])},
    ...     coords={"building": city.buildings["building"].values})
    >>> t = shelter_sweep(city, None, damage, Constraints(crews=1, horizon_days=20),
    ...                   "shelter_housing", [0.0, 0.5], strategies=["flexible"])
    >>> t["service_loss_person_days"].round(1).tolist()   # b5 plans 9 places for 90
    [462.0, 444.0]
    """
    base = Shelters() if shelters is None else shelters
    on_shelters = {f.name for f in dataclasses.fields(Shelters)} - {"valuation"}
    on_valuation = {f.name for f in dataclasses.fields(Valuation)}
    if field not in on_shelters | on_valuation:
        raise InputError(f"shelter_sweep: {field!r} is neither a Shelters field "
                         f"{sorted(on_shelters)} nor a Valuation field {sorted(on_valuation)}.")
    rows = []
    for value in values:
        if field in on_shelters:
            sh = dataclasses.replace(base, **{field: value})
        else:
            sh = dataclasses.replace(base, valuation=dataclasses.replace(base.valuation,
                                                                         **{field: value}))
        rec = simulate_recovery(city, system, damage, constraints, strategies=strategies,
                                seed=seed, shelters=sh, **kwargs)
        for strategy, indexes in summary_indexes(rec, city, damage).items():
            rows.append({field: value, "strategy": strategy, **indexes})
    return pd.DataFrame(rows)
