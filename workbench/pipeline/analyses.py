"""Analyses of a run the stage notebooks show: the cascade, services lost, the 4R attributes and
a sweep over crews (METHOD §5–§7). Each takes the run's objects and returns a table."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import xarray as xr

from ..city import City
from ..dims import NETWORKS
from .reader import load_damage, load_run_city, read_params
from .stages import constraints, realization

__all__ = ["cascade_table", "services_lost", "resilience_attributes", "crew_sweep"]


def cascade_table(system, damage: xr.Dataset) -> pd.DataFrame:
    """Per network, for one realisation: components damaged by the hazard, components out after
    the interdependency cascade, and the share of buildings served before and after."""
    own = np.asarray(realization(damage, 0)["component_functional"].values, dtype=bool)
    after = system.cascade(own)
    intact = system.service(np.ones(system.n_components, bool))
    damaged = system.service(own)
    network = system.components["network"].values.astype(str)
    rows = []
    for k, name in enumerate(NETWORKS):
        mask = network == name
        rows.append({"network": name, "components": int(mask.sum()),
                     "damaged_by_hazard": int((~own & mask).sum()),
                     "out_after_cascade": int((~after & mask).sum()),
                     "buildings_served_before": float(intact[:, k].mean()),
                     "buildings_served_after": float(damaged[:, k].mean())})
    return pd.DataFrame(rows).set_index("network")


def services_lost(system, damage: xr.Dataset) -> xr.DataArray:
    """Per building, the number of networks (0–3) whose service it loses right after the event
    (own damage plus the interdependency cascade), realisation 0."""
    own = np.asarray(realization(damage, 0)["component_functional"].values, dtype=bool)
    intact = system.service_dataarray(np.ones(system.n_components, bool))
    after = system.service_dataarray(own)
    return (intact - after).sum("network").rename("services_lost")


def _run_inputs(run_dir, city: City | None, damage: xr.Dataset | None):
    """Parameters, mapped city, damage and compiled system of a run (read when not given)."""
    from ..system import build_system
    params = read_params(run_dir)
    city = city if city is not None else load_run_city(run_dir)
    damage = damage if damage is not None else load_damage(run_dir)
    return params, city, damage, build_system(city)


def _total(crews) -> int:
    return sum(crews.values()) if isinstance(crews, dict) else crews


def resilience_attributes(run_dir: str | Path, recovery: xr.Dataset, city: City | None = None,
                          damage: xr.Dataset | None = None) -> pd.DataFrame:
    """The 4R attributes (Bruneau et al. 2003; Li, METHOD refs) of every strategy on realisation 0.

    Robustness and rapidity come from the functionality curve ½(EP/EP0 + SC/demand);
    redundancy from the networks; resourcefulness from the run's crews and materials against
    all repair work (damaged buildings and components). Rows (attribute, indicator), one
    column per strategy.
    """
    from ..criticality import four_r
    from ..indexes import functionality_curve
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
    """Indexes of every strategy on realisation 0 with the run's crews scaled by ``factors``
    (each trade scaled alike; at least one crew in all)."""
    from ..indexes import summary_indexes
    from ..recovery import simulate_recovery
    params, city, damage, system = _run_inputs(run_dir, city, damage)
    one = realization(damage, 0)
    base = params["constraints"]["crews"]
    rows = []
    for factor in factors:
        crews = ({k: int(round(v * factor)) for k, v in base.items()} if isinstance(base, dict)
                 else max(1, int(round(base * factor))))
        if _total(crews) == 0:
            continue
        recovery = simulate_recovery(city, system, one, constraints(params, crews),
                                     strategies=tuple(params["strategies"]), seed=params["seed"])
        for strategy, values in summary_indexes(recovery, city, one).items():
            rows.append({"crews": _total(crews), "strategy": strategy, **values})
    return pd.DataFrame(rows)
