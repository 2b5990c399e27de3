"""The four resilience attributes of Bruneau et al. (2003) — robustness, redundancy,
resourcefulness, rapidity — read on a recovery's functionality curve, the networks and the
resources of a run (METHOD §6). Rapidity's time to a threshold is the indexes' own
(:func:`workbench.metrics.indexes.recovery_time`), so a report gives one number for it.

References
----------
Bruneau, M., Chang, S. E., Eguchi, R. T., Lee, G. C., O'Rourke, T. D., Reinhorn, A. M.,
Shinozuka, M., Tierney, K., Wallace, W. A., & von Winterfeldt, D. (2003). A framework to
quantitatively assess and enhance the seismic resilience of communities. *Earthquake Spectra*,
19(4), 733–752. doi:10.1193/1.1623497
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import xarray as xr

from ..core.dims import NETWORKS, TIME
from ..core.errors import InputError
from ..network.criticality import redundancy
from ..network.system import InfrastructureSystem
from .indexes import recovery_time

__all__ = ["robustness", "redundancy_index", "resourcefulness", "rapidity", "four_r"]


def robustness(functionality: xr.DataArray, *, dim: str = TIME) -> xr.DataArray:
    """Robustness: the residual functionality right after the event (Bruneau et al. 2003).

    ``R = Q(t0) / Q_pre`` with ``Q`` the functionality normalised so that ``Q_pre = 1``, and
    ``t0`` the first entry of ``dim`` (the day of the event). 1 = no loss, 0 = total loss.

    Parameters
    ----------
    functionality : xarray.DataArray
        Normalised functionality [0–1] along ``dim`` (e.g. ``sc_functionality`` of the
        recovery Dataset); other dims (strategy, scenario) are kept.

    Returns
    -------
    xarray.DataArray
        Dims of ``functionality`` without ``dim``, units "1".

    Examples
    --------
    >>> q = xr.DataArray([0.4, 0.7, 1.0], dims="time", coords={"time": [0, 1, 2]})
    >>> float(robustness(q))
    0.4
    """
    _check_curve(functionality, dim)
    result = functionality.isel({dim: 0}, drop=True)
    return result.rename("robustness").assign_attrs(units="1", long_name="robustness")


def rapidity(functionality: xr.DataArray, *, threshold: float = 0.95, dim: str = TIME
             ) -> xr.Dataset:
    """Rapidity: how fast functionality comes back (Bruneau et al. 2003, "dQ/dt").

    Two indicators, for a normalised curve ``Q(t)`` along ``dim`` (days):

    * ``time_to_threshold`` [days] = the first ``t`` from which ``Q`` stays ≥ ``threshold``
      (:func:`workbench.metrics.indexes.recovery_time`, the rule of the indexes: a curve that
      touches the threshold and falls back has not recovered) minus ``t0``; ``inf`` when it
      never does within the curve;
    * ``mean_slope`` [1/day] = ``(Q(t_r) − Q(t0)) / (t_r − t0)`` with ``t_r`` that time, or
      the last time when the threshold is never reached — the average recovery rate. A curve
      already at the threshold at ``t0`` recovers instantly: slope ``inf``.

    Examples
    --------
    >>> q = xr.DataArray([0.5, 0.75, 1.0], dims="time", coords={"time": [0.0, 5.0, 10.0]})
    >>> out = rapidity(q)
    >>> float(out["time_to_threshold"]), float(out["mean_slope"])
    (10.0, 0.05)
    """
    _check_curve(functionality, dim)
    time_to = recovery_time(functionality, threshold, dim=dim)    # the indexes' one rule
    times = functionality[dim].values.astype(float)
    ever = np.isfinite(time_to)
    t_stop = xr.where(ever, time_to, times[-1])
    q0 = functionality.isel({dim: 0}, drop=True)
    q_stop = functionality.sel({dim: t_stop}).drop_vars(dim, errors="ignore")
    span = t_stop - times[0]
    with np.errstate(divide="ignore", invalid="ignore"):
        slope = xr.where(span > 0, (q_stop - q0) / span, np.inf)
    return xr.Dataset({
        "time_to_threshold": (time_to - times[0]).drop_vars(dim, errors="ignore").assign_attrs(
            units="days", threshold=threshold),
        "mean_slope": slope.drop_vars(dim, errors="ignore").assign_attrs(units="1/day"),
    })


def redundancy_index(system: InfrastructureSystem, *, population: str = "occupancy"
                     ) -> xr.DataArray:
    """Redundancy: share of the population served through nodes with ≥ 2 paths to a source.

    ``RD_k = Σ_i w_i · [paths_k(node_k(i)) ≥ 2] / Σ_i w_i`` per network ``k``, with ``w_i`` the
    building population and ``paths`` from :func:`redundancy` (edge-disjoint paths). This is
    the "substitutable elements" attribute of Bruneau et al. (2003) read on the network.

    Examples
    --------
    >>> from workbench.city import toy_city
    >>> from workbench.network.system import build_system
    >>> redundancy_index(build_system(toy_city())).values.tolist()
    [0.0, 0.06, 0.06]

    On the 4-node paths only b0 (30 persons of 500), served by the power and road sources
    themselves, needs no network path; water never maps buildings to its reservoir.
    """
    table = redundancy(system, population=population)
    table = table.assign(redundant=table["population"] * (table["paths_to_source"] >= 2))
    sums = table.groupby("network")[["redundant", "population"]].sum().reindex(list(NETWORKS))
    share = np.where(sums["population"] > 0, sums["redundant"] / sums["population"].where(
        sums["population"] > 0, 1.0), 0.0)
    return xr.DataArray(share, dims="network", coords={"network": list(NETWORKS)},
                        name="redundancy", attrs={"units": "1", "long_name": "redundancy"})


def resourcefulness(*, crews: float, damaged_components: int, repair_crew_days: float,
                    materials_per_day: float = np.inf, repair_cost: float = 0.0) -> pd.Series:
    """Resourcefulness: resources at hand per unit of damage (Bruneau et al. 2003).

    * ``crews_per_damaged_component`` = crews / damaged components [crews/component];
    * ``crew_capacity_ratio`` = crews / total repair effort [1/day]: the reciprocal of the
      ideal (perfectly parallel) repair time;
    * ``material_ratio`` = materials per day / total repair cost [1/day]: the reciprocal of
      the days of material deliveries the repairs need.

    No damage gives ``inf`` ratios (resources are unlimited relative to a zero need).

    Examples
    --------
    >>> resourcefulness(crews=10, damaged_components=40, repair_crew_days=200.0,
    ...                 materials_per_day=50_000.0, repair_cost=1e6).round(3).to_dict()
    {'crews_per_damaged_component': 0.25, 'crew_capacity_ratio': 0.05, 'material_ratio': 0.05}
    """
    for name, value in (("crews", crews), ("damaged_components", damaged_components),
                        ("repair_crew_days", repair_crew_days), ("repair_cost", repair_cost),
                        ("materials_per_day", materials_per_day)):
        if np.isnan(value) or value < 0:
            raise InputError(f"{name} must be a number ≥ 0, got {value}.")

    def ratio(a, b):
        return float(a) / float(b) if b > 0 else np.inf

    return pd.Series({
        "crews_per_damaged_component": ratio(crews, damaged_components),
        "crew_capacity_ratio": ratio(crews, repair_crew_days),
        "material_ratio": ratio(materials_per_day, repair_cost),
    }, name="resourcefulness")


def four_r(functionality: xr.DataArray, system: InfrastructureSystem, *, crews: float,
           damaged_components: int, repair_crew_days: float, materials_per_day: float = np.inf,
           repair_cost: float = 0.0, threshold: float = 0.95, population: str = "occupancy",
           dim: str = TIME) -> pd.DataFrame:
    """The four resilience attributes of Bruneau et al. (2003) as one tidy table.

    ``functionality`` must be a single curve (1-D along ``dim``); select a strategy and a
    scenario first.

    Returns
    -------
    pandas.DataFrame
        Columns ``attribute`` (robustness, redundancy, resourcefulness, rapidity),
        ``indicator``, ``value``, ``units``.

    Examples
    --------
    >>> from workbench.city import toy_city
    >>> from workbench.network.system import build_system
    >>> q = xr.DataArray([0.5, 0.75, 1.0], dims="time", coords={"time": [0.0, 5.0, 10.0]})
    >>> table = four_r(q, build_system(toy_city()), crews=2, damaged_components=4,
    ...                repair_crew_days=8.0)
    >>> float(table.set_index("indicator")["value"]["robustness"])
    0.5
    """
    if functionality.dims != (dim,):
        raise InputError(f"functionality must be one curve along {dim!r}; got dims "
                         f"{functionality.dims}. Select a strategy/scenario with .sel().")
    rows = [("robustness", "robustness", float(robustness(functionality, dim=dim)), "1")]
    for network, value in redundancy_index(system, population=population).to_series().items():
        rows.append(("redundancy", f"redundancy_{network}", float(value), "1"))
    units = {"crews_per_damaged_component": "crews/component", "crew_capacity_ratio": "1/day",
             "material_ratio": "1/day"}
    for name, value in resourcefulness(crews=crews, damaged_components=damaged_components,
                                       repair_crew_days=repair_crew_days,
                                       materials_per_day=materials_per_day,
                                       repair_cost=repair_cost).items():
        rows.append(("resourcefulness", name, value, units[name]))
    rapid = rapidity(functionality, threshold=threshold, dim=dim)
    rows.append(("rapidity", "time_to_threshold", float(rapid["time_to_threshold"]), "days"))
    rows.append(("rapidity", "mean_slope", float(rapid["mean_slope"]), "1/day"))
    return pd.DataFrame(rows, columns=["attribute", "indicator", "value", "units"])


def _check_curve(functionality: xr.DataArray, dim: str) -> None:
    if not isinstance(functionality, xr.DataArray) or dim not in functionality.dims:
        raise InputError(f"functionality must be an xarray.DataArray with dim {dim!r}; got "
                         f"{type(functionality).__name__} with dims "
                         f"{getattr(functionality, 'dims', None)}.")
    if functionality.sizes[dim] == 0:
        raise InputError(f"functionality has no entries along {dim!r}.")
