"""Resilience indexes from recovery curves (METHOD §4, Zhou et al. 2025 §3).

* total economic loss = ``∫ (EP0 − EP(t)) dt`` + direct repair cost [EUR];
* cumulative service-capacity loss = ``∫ max(0, demand(t) − SC(t)) dt / 2`` [person-days]; the
  factor ½ undoes the normalisation of :mod:`workbench.functionality` (a person needs two
  person-units: occupancy and supplementary service), so one unsheltered, unserved person costs
  one person-day per day and the intact city costs zero;
* both per m² of total floor area; recovery time to 90/95/100 % and the 72-hour functionality.

Integration rule
----------------
The recovery Dataset holds the state at the *start* of each day, held through that day
(:func:`workbench.recovery.simulate_recovery`), so the exact integral of the daily step model is
the **left rectangle** rule ``Σ_{t < H} x(t) · (t_{+1} − t)`` over the horizon ``[0, H]``
(``rule="left"``, the default). ``rule="trapezoid"`` is offered for curves that are samples of a
continuous process. Losses after the horizon are not in the integrals, so nothing is dropped
without a word: where the horizon ends before full recovery, :func:`summary_indexes` reports what
is still unrestored at the horizon (buildings, floor area, components, displaced residents) and
the loss still accruing per day there (``ep_loss_per_day_at_horizon`` [EUR/day],
``service_loss_per_day_at_horizon`` [person-days/day]).

City functionality
------------------
Recovery time and the 72-hour value use one curve, ``F(t) = ½ (EP(t)/EP0 + min(1, SC(t)/demand))``
(:func:`functionality_curve`) — economic and social sides weighted alike, as Zhou et al. (2025)
weight their two indexes (METHOD §4).
"""

from __future__ import annotations

import math

import numpy as np
import xarray as xr

from ..city.model import City
from ..core.dims import REALIZATION, STRATEGY, TIME
from ..core.errors import InputError

__all__ = ["ep_loss", "repair_cost", "economic_loss", "service_loss", "functionality_curve",
           "recovery_time", "functionality_at", "summary_indexes", "displaced_person_days",
           "last_change_day", "settled_day", "plot_days", "last_restoration_day", "SUMMARY_KEYS", "RULES"]

#: Integration rules accepted by the loss functions.
RULES = ("left", "trapezoid")
#: Keys of each strategy's entry in :func:`summary_indexes`.
SUMMARY_KEYS = ("economic_loss", "ep_loss", "repair_cost", "service_loss_person_days",
                "economic_loss_per_m2", "service_loss_per_m2", "displaced_person_days",
                "sheltered_person_days", "recovery_days_90",
                "recovery_days_95", "recovery_days_100", "recovered_90", "recovered_95",
                "recovered_100", "ep_recovery_days_90", "ep_recovery_days_95",
                "sc_recovery_days_90", "sc_recovery_days_95", "functionality_72h",
                "unrestored_buildings",
                "unrestored_floor_area_m2", "unrestored_components", "displaced_at_horizon",
                "ep_loss_per_day_at_horizon", "service_loss_per_day_at_horizon")


def _integrate(x: xr.DataArray, dim: str, rule: str) -> xr.DataArray:
    if rule not in RULES:
        raise InputError(f"rule must be one of {list(RULES)}, got {rule!r}")
    if dim not in x.dims:
        raise InputError(f"the curve has no dim {dim!r}; its dims are {x.dims}.")
    if rule == "trapezoid":
        return x.integrate(dim)
    dt = x[dim].diff(dim, label="lower")
    return (x.isel({dim: slice(None, -1)}) * dt).sum(dim)


def ep_loss(recovery: xr.Dataset, *, dim: str = TIME, rule: str = "left") -> xr.DataArray:
    """Cumulative loss of economic productivity ``∫ (EP0 − EP) dt`` [EUR], per strategy.

    Examples
    --------
    >>> rec = xr.Dataset({"ep": ("time", [50.0, 50.0, 100.0])}, coords={"time": [0, 1, 2]},
    ...                  attrs={"ep0": 100.0})
    >>> float(ep_loss(rec)), float(ep_loss(rec, rule="trapezoid"))
    (100.0, 75.0)
    """
    out = _integrate(recovery.attrs["ep0"] - recovery["ep"], dim, rule)
    return out.rename("ep_loss").assign_attrs(units="EUR")


def service_loss(recovery: xr.Dataset, *, dim: str = TIME, rule: str = "left") -> xr.DataArray:
    """Cumulative service-capacity loss ``∫ max(0, demand − SC) dt / 2`` [person-days].

    Examples
    --------
    One person (2 person-units) unserved for 3 days:

    >>> rec = xr.Dataset({"sc": ("time", [8.0, 8.0, 8.0, 10.0]),
    ...                   "demand": ("time", [10.0] * 4)}, coords={"time": [0, 1, 2, 3]})
    >>> float(service_loss(rec))
    3.0
    """
    gap = (recovery["demand"] - recovery["sc"]).clip(min=0.0)
    return (_integrate(gap, dim, rule) / 2.0).rename("service_loss").assign_attrs(
        units="person-days")


def displaced_person_days(recovery: xr.Dataset, variable: str = "displaced", *,
                          dim: str = TIME, rule: str = "left") -> xr.DataArray:
    """Cumulative person-days away from home ``∫ displaced(t) dt`` [person-days], per strategy
    (``variable="sheltered"``: of them, in a public shelter). A count of people, not a
    valuation: a resident in a shelter counts as much as one without, whatever the service
    index makes of them; 0 where the recovery has no ``displaced`` curve.

    Examples
    --------
    Two residents away from home for 3 days, one of them sheltered:

    >>> rec = xr.Dataset({"displaced": ("time", [2.0, 2.0, 2.0, 0.0]),
    ...                   "sheltered": ("time", [1.0, 1.0, 1.0, 0.0])}, coords={"time": [0, 1, 2, 3]})
    >>> float(displaced_person_days(rec)), float(displaced_person_days(rec, "sheltered"))
    (6.0, 3.0)
    """
    if variable not in recovery:
        return xr.zeros_like(recovery["ep"].isel({dim: 0}), dtype=float).rename(variable)
    return _integrate(recovery[variable], dim, rule).rename(f"{variable}_person_days") \
        .assign_attrs(units="person-days")


def repair_cost(damage: xr.Dataset) -> float:
    """Direct repair cost [EUR]: all building and component repair costs of one realization.

    Examples
    --------
    >>> repair_cost(xr.Dataset({"building_repair_cost": ("building", [1.0, 2.0]),
    ...                         "component_repair_cost": ("component", [3.0])}))
    6.0
    """
    if REALIZATION in damage.dims and damage.sizes[REALIZATION] != 1:
        raise InputError(f"damage holds {damage.sizes[REALIZATION]} realizations; pass one "
                         f"(damage.isel(realization=k)).")
    total = 0.0
    for name in ("building_repair_cost", "component_repair_cost"):
        if name in damage:
            total += float(damage[name].sum())
    return total


def economic_loss(recovery: xr.Dataset, repair_cost: float | None = None, *, dim: str = TIME,
                  rule: str = "left") -> xr.DataArray:
    """Total economic loss = ``∫ (EP0 − EP) dt`` + direct repair cost [EUR], per strategy.

    ``repair_cost`` [EUR] defaults to ``recovery.attrs["repair_cost"]``.

    Examples
    --------
    >>> rec = xr.Dataset({"ep": ("time", [50.0, 100.0])}, coords={"time": [0, 1]},
    ...                  attrs={"ep0": 100.0, "repair_cost": 7.0})
    >>> float(economic_loss(rec)), float(economic_loss(rec, 0.0))
    (57.0, 50.0)
    """
    cost = recovery.attrs["repair_cost"] if repair_cost is None else repair_cost
    if not np.isfinite(cost) or cost < 0:
        raise InputError(f"repair_cost must be finite and ≥ 0 EUR, got {cost!r}")
    return (ep_loss(recovery, dim=dim, rule=rule) + cost).rename("economic_loss").assign_attrs(
        units="EUR")


def functionality_curve(recovery: xr.Dataset) -> xr.DataArray:
    """City functionality ``F = ½ (EP/EP0 + min(1, SC/demand))`` [-] on (strategy, time).

    Examples
    --------
    >>> rec = xr.Dataset({"ep_functionality": ("time", [0.5, 1.0]),
    ...                   "sc_functionality": ("time", [0.7, 1.0])}, coords={"time": [0, 1]})
    >>> functionality_curve(rec).values.tolist()
    [0.6, 1.0]
    """
    f = 0.5 * (recovery["ep_functionality"] + recovery["sc_functionality"])
    return f.rename("functionality").assign_attrs(units="1")


def recovery_time(functionality: xr.DataArray, threshold: float = 0.95, dim: str = TIME
                  ) -> xr.DataArray:
    """First time from which ``functionality`` stays ≥ ``threshold`` [days]; ``inf`` if never.

    "Stays": a curve that touches the threshold and falls back has not recovered. A curve
    already at the threshold at the first time gives that time (0). Never a wrong day: a curve
    below the threshold at its last time gives ``inf``.

    Examples
    --------
    >>> f = xr.DataArray([0.2, 0.96, 0.9, 0.97, 1.0], dims="time", coords={"time": range(5)})
    >>> float(recovery_time(f, 0.95)), float(recovery_time(f, 1.0)), float(recovery_time(f[:3]))
    (3.0, 4.0, inf)
    """
    if not (0 < threshold <= 1):
        raise InputError(f"threshold must be in (0, 1], got {threshold!r}")
    if dim not in functionality.dims:
        raise InputError(f"functionality has no dim {dim!r}; its dims are {functionality.dims}.")
    # on the numpy values (one pass, no alignment): "stays" is a reversed running AND
    axis = functionality.get_axis_num(dim)
    ok = np.asarray(functionality.values) >= threshold - 1e-12
    stays = np.flip(np.logical_and.accumulate(np.flip(ok, axis), axis=axis), axis)
    shape = [1] * ok.ndim
    shape[axis] = -1
    times = np.asarray(functionality[dim].values, dtype=float).reshape(shape)
    out = np.where(stays, times, math.inf).min(axis=axis)
    template = functionality.isel({dim: 0}, drop=True)
    return xr.DataArray(out, dims=template.dims, coords=template.coords, name="recovery_time",
                        attrs={"units": "day", "threshold": threshold})


def functionality_at(curve: xr.DataArray, hours: float = 72.0, dim: str = TIME) -> xr.DataArray:
    """The curve's value ``hours`` after the event (time in days; step interpolation).

    The state at day ``t`` holds through day ``t``, so the value at ``hours / 24`` days is the
    last sample at or before it.

    Examples
    --------
    >>> f = xr.DataArray([0.2, 0.5, 0.6, 0.8, 1.0], dims="time", coords={"time": range(5)})
    >>> float(functionality_at(f)), float(functionality_at(f, hours=60))
    (0.8, 0.6)
    """
    days = hours / 24.0
    times = curve[dim].values.astype(float)
    if not (np.isfinite(days) and times[0] <= days):
        raise InputError(f"hours must be ≥ the first time ({times[0] * 24:g} h), got {hours!r}")
    if days > times[-1]:
        raise InputError(f"hours={hours!r} lies beyond the curve's last time ({times[-1]:g} days); "
                         f"simulate a longer horizon.")
    index = int(np.searchsorted(times, days, side="right")) - 1
    return curve.isel({dim: index}, drop=True).rename("functionality_at").assign_attrs(hours=hours)


def summary_indexes(recovery: xr.Dataset, city: City, damage: xr.Dataset | None = None,
                    *, rule: str = "left") -> dict:
    """The resilience indexes of every strategy as plain, JSON-safe Python values.

    Parameters
    ----------
    recovery : xarray.Dataset
        From :func:`workbench.recovery.simulate_recovery` (one realization).
    city : City
        For the total floor area [m²].
    damage : xarray.Dataset, optional
        The realization simulated, for the direct repair cost; default
        ``recovery.attrs["repair_cost"]``. A recovery of events in sequence carries each
        strategy's own ``repair_cost`` (a variable on ``strategy``), which then counts.

    Returns
    -------
    dict of str to dict
        ``{strategy: {key: value}}`` with the keys of :data:`SUMMARY_KEYS`: losses in EUR and
        person-days (per m² of floor area: EUR/m², person-days/m²), ``recovery_days_*`` [days]
        of the city functionality F and the recovery goals of each index,
        ``ep_recovery_days_90/95`` (EP/EP0) and ``sc_recovery_days_90/95`` (min(1, SC/demand))
        (``None`` — JSON ``null`` — when the threshold is not reached within the horizon, with
        ``recovered_*`` ``False`` beside it; never ``inf`` or NaN), ``functionality_72h`` [-]
        (``None`` when the horizon is shorter than 3 days); what the horizon leaves open:
        ``unrestored_buildings``, ``unrestored_floor_area_m2`` [m²], ``unrestored_components``
        (restoration day ``inf``), ``displaced_at_horizon`` [persons], and the loss still
        accruing on the last day, ``ep_loss_per_day_at_horizon`` = EP0 − EP(H) [EUR/day] and
        ``service_loss_per_day_at_horizon`` = max(0, demand − SC(H)) / 2 [person-days/day].

    Examples
    --------
    >>> from workbench.city import toy_city
    >>> from workbench.recovery import Constraints, simulate_recovery
    >>> city = toy_city()
    >>> damage = xr.Dataset({"building_damage_state": ("building", [4, 0, 0, 0, 0, 0]),
    ...     "building_repair_days": ("building", [5.0, 0, 0, 0, 0, 0]),
    ...     "building_repair_cost": ("building", [1e5, 0, 0, 0, 0, 0])},
    ...     coords={"building": city.buildings["building"].values})
    >>> rec = simulate_recovery(city, None, damage, Constraints(crews=1, horizon_days=10),
    ...                         strategies=["rigid"])
    >>> s = summary_indexes(rec, city, damage)["rigid"]
    >>> s["repair_cost"], s["recovery_days_100"], s["recovered_100"]
    (100000.0, 5.0, True)
    >>> s["unrestored_buildings"], s["ep_loss_per_day_at_horizon"]
    (0, 0.0)
    """
    floor_area = float(city.buildings["floor_area"].sum())
    cost_s = (_by_strategy(recovery["repair_cost"], recovery.sizes[STRATEGY])
              if "repair_cost" in recovery else None)
    cost = (None if cost_s is not None else repair_cost(damage) if damage is not None
            else float(recovery.attrs["repair_cost"]))
    ep = ep_loss(recovery, rule=rule)
    sl = service_loss(recovery, rule=rule)
    f = functionality_curve(recovery)
    times = {p: recovery_time(f, p / 100.0) for p in (90, 95, 100)}
    # recovery goals per index (NIST-style): the day each of EP/EP0 and min(1, SC/demand) is back
    goals = {f"{index}_recovery_days_{p}": recovery_time(recovery[f"{index}_functionality"], p / 100.0)
             for index in ("ep", "sc") for p in (90, 95)}
    f72 = functionality_at(f, hours=72.0) if recovery[TIME].values[-1] >= 3 else None
    # per strategy by position, on the numpy values (the same numbers as selecting by label)
    n = recovery.sizes[STRATEGY]
    ep_s, sl_s = _by_strategy(ep, n), _by_strategy(sl, n)
    away = {k: _by_strategy(displaced_person_days(recovery, k, rule=rule), n)
            for k in ("displaced", "sheltered")}
    times_s = {p: _by_strategy(da, n) for p, da in times.items()}
    goals_s = {k: _by_strategy(da, n) for k, da in goals.items()}
    f72_s = _by_strategy(f72, n) if f72 is not None else None
    area = np.asarray(city.buildings["floor_area"].values, dtype=float)
    horizon = {name: _by_strategy(recovery[name], n)
               for name in ("building_restored_day", "component_restored_day", "ep", "sc",
                            "demand", "displaced") if name in recovery}
    out = {}
    for i, strategy in enumerate(recovery[STRATEGY].values.tolist()):
        # events in sequence: each strategy's own repair cost (workbench.recovery.sequence)
        own = float(cost_s[i]) if cost_s is not None else cost
        row = {"economic_loss": float(ep_s[i]) + own, "ep_loss": float(ep_s[i]),
               "repair_cost": own, "service_loss_person_days": float(sl_s[i])}
        row["economic_loss_per_m2"] = row["economic_loss"] / floor_area
        row["service_loss_per_m2"] = row["service_loss_person_days"] / floor_area
        row["displaced_person_days"] = float(away["displaced"][i])
        row["sheltered_person_days"] = float(away["sheltered"][i])
        for p, values in times_s.items():
            day = float(values[i])
            row[f"recovery_days_{p}"] = day if math.isfinite(day) else None
            row[f"recovered_{p}"] = math.isfinite(day)
        for key, values in goals_s.items():
            day = float(values[i])
            row[key] = day if math.isfinite(day) else None
        row["functionality_72h"] = float(f72_s[i]) if f72_s is not None else None
        row.update(_open_at_horizon({k: v[i] for k, v in horizon.items()},
                                    recovery.attrs, area))
        out[strategy] = {k: row[k] for k in SUMMARY_KEYS}
    return out


def _by_strategy(da: xr.DataArray, n: int) -> np.ndarray:
    """``da``'s values with dim ``strategy`` first (repeated ``n`` times where it has none)."""
    if STRATEGY in da.dims:
        return np.asarray(da.transpose(STRATEGY, ...).values)
    return np.broadcast_to(np.asarray(da.values), (n,) + da.shape)


def _open_at_horizon(rec: dict, attrs: dict, area: np.ndarray) -> dict:
    """What one strategy leaves unrestored at the horizon, and the loss still accruing per day
    (``rec``: that strategy's arrays, time last)."""
    out_b = ~np.isfinite(np.asarray(rec["building_restored_day"], dtype=float))
    if "component_restored_day" in rec:
        out_c = int((~np.isfinite(np.asarray(rec["component_restored_day"], dtype=float))).sum())
    else:
        out_c = 0
    ep0 = float(attrs.get("ep0", float(rec["ep"][0])))
    gap = float(rec["demand"][-1]) - float(rec["sc"][-1])
    displaced = float(rec["displaced"][-1]) if "displaced" in rec else 0.0
    return {"unrestored_buildings": int(out_b.sum()),
            "unrestored_floor_area_m2": float(area[out_b].sum()),
            "unrestored_components": out_c,
            "displaced_at_horizon": displaced,
            "ep_loss_per_day_at_horizon": max(0.0, ep0 - float(rec["ep"][-1])),
            "service_loss_per_day_at_horizon": max(0.0, gap) / 2.0}


def last_change_day(da: xr.DataArray) -> float:
    """The last day on which any curve of ``da`` (any strategy, member, realisation) changes;
    the first day when none does.

    >>> import xarray as xr
    >>> last_change_day(xr.DataArray([0.5, 0.8, 1.0, 1.0, 1.0], dims="time",
    ...                              coords={"time": range(5)}))
    2.0
    """
    values = np.asarray(da.transpose(TIME, ...).values, dtype=float).reshape(da.sizes[TIME], -1)
    t = da[TIME].values
    moved = np.flatnonzero((np.abs(np.diff(values, axis=0)) > 0).any(axis=1))
    return float(t[moved[-1] + 1]) if len(moved) else float(t[0])


#: A curve closer than this share of the curves' largest value to where it ends is drawn as
#: flat (0.1 %: under a pixel's height on a report figure).
SETTLED = 1e-3


def settled_day(da: xr.DataArray, tolerance: float = SETTLED) -> float:
    """The first day from which every curve of ``da`` stays within ``tolerance`` × the largest
    value of the curves of its own last value (0 tolerance: :func:`last_change_day`).

    One building of 100,000 restored late moves a functionality curve by 10⁻⁵: the curves are
    settled long before their last change.

    >>> import xarray as xr
    >>> settled_day(xr.DataArray([0.5, 0.9, 0.9995, 0.9995, 1.0], dims="time",
    ...                          coords={"time": range(5)}))
    2.0
    """
    values = np.asarray(da.transpose(TIME, ...).values, dtype=float).reshape(da.sizes[TIME], -1)
    t = da[TIME].values
    scale = np.nanmax(np.abs(values)) if values.size and np.isfinite(values).any() else 0.0
    away = (np.abs(values - values[-1]) > tolerance * scale).any(axis=1)
    moved = np.flatnonzero(away)
    return float(t[moved[-1] + 1]) if len(moved) else float(t[0])


def plot_days(da: xr.DataArray) -> tuple[float, float]:
    """The days a figure of the curves ``da`` spans: from the first to a little past the day
    they settle (:func:`settled_day`; 10 days, or 5 % of the span), not the flat rest of the
    horizon — a recovery over in 100 days would otherwise fill the first twentieth of a
    2,190-day axis.

    >>> import xarray as xr
    >>> plot_days(xr.DataArray([0.5, 1.0] + [1.0] * 99, dims="time",
    ...                        coords={"time": range(101)}))
    (0.0, 11.0)
    """
    t = da[TIME].values
    end = settled_day(da)
    return float(t[0]), float(min(t[-1], end + max(10, 0.05 * (end - t[0]))))


def last_restoration_day(recovery: xr.Dataset) -> float | None:
    """The day the last building is restored within the horizon under any strategy of
    ``recovery`` (at least 1), where a map's day scale ends so that the strategies share it;
    None when no building is restored within the horizon.

    >>> import xarray as xr
    >>> rec = xr.Dataset({"building_restored_day": (("strategy", "building"),
    ...                   [[40.0, float("inf")], [20.0, 0.0]])}, coords={"time": range(61)})
    >>> last_restoration_day(rec)
    40.0
    """
    horizon = float(recovery[TIME].values[-1])
    days = np.asarray(recovery["building_restored_day"].values, float)
    days = days[np.isfinite(days) & (days <= horizon)]
    return max(1.0, float(days.max())) if days.size else None
