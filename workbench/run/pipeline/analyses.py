"""Analyses of a run the stage notebooks show: the cascade, services lost, the 4R attributes and
a sweep over crews (METHOD §5–§7). The logic lives with its domain (``workbench.network.system``,
``workbench.network.criticality``, ``workbench.recovery.sweeps``); these wrappers pick the run's
realisation 0 and parameters."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import xarray as xr

from ...city.model import City
from ...recovery import crew_pools
from .reader import load_damage, load_run_city, read_params
from .stages import constraints, realization
from .writer import write_text
from ...network.system import cascade_table as table
from ...network.system import services_lost as lost
from ...network.system import build_system
from ...metrics.four_r import four_r
from ...metrics.indexes import functionality_curve
from ...recovery.sweeps import crew_sweep as sweep
from ...recovery.sweeps import constraint_sweep

__all__ = ["cascade_table", "services_lost", "resilience_attributes", "crew_sweep",
           "commitment_sweep", "read_commitment_sweep", "COMMITMENT_FILE", "COMMITMENT_DAYS"]

#: The commitment sweep of stage 04, read by the report's Fig. 1(b) panel.
COMMITMENT_FILE = "commitment_sweep.csv"
#: The commitment periods it tries [days]; ``inf``: committed to completion.
COMMITMENT_DAYS = (0.0, 7.0, 14.0, 30.0, 60.0, 120.0, float("inf"))


def cascade_table(system, damage: xr.Dataset) -> pd.DataFrame:
    """:func:`workbench.network.system.cascade_table` of the run's realisation 0."""
    return table(system, np.asarray(realization(damage, 0)["component_functional"].values, bool))


def services_lost(system, damage: xr.Dataset) -> xr.DataArray:
    """:func:`workbench.network.system.services_lost` of the run's realisation 0."""
    return lost(system, np.asarray(realization(damage, 0)["component_functional"].values, bool))


def _run_inputs(run_dir, city: City | None, damage: xr.Dataset | None):
    """Parameters, mapped city, damage and compiled system of a run (read when not given)."""
    params = read_params(run_dir)
    city = city if city is not None else load_run_city(run_dir)
    damage = damage if damage is not None else load_damage(run_dir)
    return params, city, damage, build_system(city)


def _total(crews) -> int:
    return sum(crew_pools(crews).values())


def resilience_attributes(run_dir: str | Path, recovery: xr.Dataset, city: City | None = None,
                          damage: xr.Dataset | None = None) -> pd.DataFrame:
    """The 4R attributes (Bruneau et al. 2003; Li, METHOD refs) of every strategy on realisation 0.

    Robustness and rapidity come from the functionality curve ½(EP/EP0 + SC/demand);
    redundancy from the networks; resourcefulness from the run's crews and materials against
    all repair work (damaged buildings and components). Rows (attribute, indicator), one
    column per strategy.
    """
    params, city, damage, system = _run_inputs(run_dir, city, damage)
    one = realization(damage, 0)
    curves = functionality_curve(realization(recovery, 0))
    effort = np.concatenate([one["building_repair_days"].values, one["component_repair_days"].values])
    cost = np.concatenate([one["building_repair_cost"].values, one["component_repair_cost"].values])
    columns = {}
    for strategy in params["strategies"]:
        table = four_r(curves.sel(strategy=strategy), system,
                       crews=_total(params["constraints"]["crews"]),
                       damaged_components=int((effort > 0).sum()),
                       repair_crew_days=float(effort.sum()),
                       materials_per_day=params["constraints"]["materials_per_day"],
                       repair_cost=float(cost.sum()))
        columns[strategy] = table.set_index(["attribute", "indicator"])["value"]
    return pd.DataFrame(columns)


def crew_sweep(run_dir: str | Path, city: City | None = None, damage: xr.Dataset | None = None,
               factors=(0.25, 0.5, 1.0, 2.0, 4.0)) -> pd.DataFrame:
    """:func:`workbench.recovery.sweeps.crew_sweep` of the run's realisation 0, with its
    parameters (each trade scaled alike)."""
    params, city, damage, system = _run_inputs(run_dir, city, damage)
    return sweep(city, system, realization(damage, 0), constraints(params), factors,
                 strategies=tuple(params["strategies"]), seed=params["seed"])


def commitment_sweep(run_dir: str | Path, city: City | None = None,
                     damage: xr.Dataset | None = None, values=COMMITMENT_DAYS) -> pd.DataFrame:
    """The run's realisation 0 recovered by the semiflexible strategy with each commitment
    period of ``values`` (:func:`workbench.recovery.sweeps.constraint_sweep`), written to
    ``commitment_sweep.csv`` of the run folder and returned."""
    params, city, damage, system = _run_inputs(run_dir, city, damage)
    table = constraint_sweep(city, system, realization(damage, 0), constraints(params),
                             "commitment_days", list(values), strategies=["semiflexible"],
                             seed=params["seed"])
    write_text(Path(run_dir) / COMMITMENT_FILE, table.to_csv(index=False))
    return table


def read_commitment_sweep(run_dir: str | Path) -> pd.DataFrame | None:
    """``commitment_sweep.csv`` of a run (stage 04), or ``None`` where it was not written."""
    path = Path(run_dir) / COMMITMENT_FILE
    return pd.read_csv(path) if path.exists() else None
