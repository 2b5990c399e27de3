"""Damage of buildings and infrastructure components under a hazard, sampled with a seed.

:func:`sample_damage` turns shaking (an :class:`~workbench.hazard.Earthquake` or an intensity
Dataset from :func:`~workbench.hazard.intensity_from_csv`) into the damage Dataset of
``docs/ARCHITECTURE.md``; :func:`damage_probabilities` gives the exact P(DS ≥ k) it samples from.

Sampling
--------
* **Lognormal fragilities** (buildings, substations, circuits, pumps): one uniform draw ``u`` per
  site and realisation; DS = number of k with ``u < P(DS ≥ k)``. One draw against the cumulative
  curves keeps the states consistent (a building that reaches *extensive* also passed *moderate*)
  and makes P(DS ≥ k) exact.
* **Water pipes**: repairs ~ Poisson(RR(PGV) × length [km]), split by Poisson thinning into
  independent leaks (80 %) and breaks (20 %), the Hazus split under shaking. A pipe with ≥ 1 break
  is out of service (DS 3, *extensive*); one with leaks only stays in service (DS 1, *slight*).
* Zero intensity gives no damage: Φ(−∞) = 0 and RR(0) = 0.

Functionality and repair effort
-------------------------------
* ``component_functional`` is the component's own state before the cascade: lognormal
  components are out at DS ≥ ``out_of_service_state`` (default 2, *moderate*: e.g. 40 % of a
  substation's breakers failed); pipes are out with ≥ 1 break; components without a fragility
  are never damaged.
* Buildings: repair cost = Hazus cost ratio (structural + non-structural) × replacement cost;
  repair days = Hazus clean-up and repair time, read as crew-days for one crew
  (:func:`workbench.fragility.building_consequences`).
* Components carry ``repair_days`` [crew-days] and ``repair_cost`` for a *complete* failure.
  Lognormal components take ``component_repair_fraction[DS]`` of both (default 0, ¼, ½, ¾, 1: a
  workbench assumption, not a Hazus table). Pipes take ``pipe_repair_days`` crew-days per repair
  (leak or break; default 1, as in :data:`workbench.importers.REPAIR_RULES`), capped at the
  pipe's complete ``repair_days``; cost in the same proportion of ``repair_cost``.
"""

from __future__ import annotations

from typing import Mapping, Sequence

import numpy as np
import pandas as pd
import xarray as xr

from .dims import BUILDING, COMPONENT, DAMAGE_STATES, REALIZATION
from .errors import InputError
from .fragility import (HAZUS_ZONE4_BREAKS, _pipe_break_share, building_consequences,
                        building_fragility, component_fragility, exceedance_probability,
                        pipe_repair_rate, replacement_cost)
from .hazard import Earthquake, earthquake_intensity

__all__ = ["sample_damage", "damage_probabilities", "damage_table", "DAMAGE_STATE"]

#: Dim of :func:`damage_probabilities`: damage states 1..4 (slight … complete).
DAMAGE_STATE = "damage_state"

_PIPE_LEAK_DS, _PIPE_BREAK_DS = 1, 3


def _inputs(city_or_buildings, components, hazard_or_intensity):
    buildings = getattr(city_or_buildings, "buildings", city_or_buildings)
    if not isinstance(buildings, xr.Dataset) or BUILDING not in buildings.dims:
        raise InputError(f"sample_damage: city_or_buildings must be a City or a Dataset with dim "
                         f"{BUILDING!r}; got {type(city_or_buildings).__name__}.")
    components = getattr(components, "components", components)
    if components is None:
        components = xr.Dataset(
            {name: ((COMPONENT,), np.array([], dtype=dtype)) for name, dtype in
             [("network", str), ("kind", str), ("x", float), ("y", float), ("length", float),
              ("repair_days", float), ("repair_cost", float)]},
            coords={COMPONENT: np.array([], dtype=str)})
    if isinstance(hazard_or_intensity, Earthquake):
        intensity = earthquake_intensity(hazard_or_intensity, buildings, components)
    elif isinstance(hazard_or_intensity, xr.Dataset):
        intensity = hazard_or_intensity
        for dim, ds in ((BUILDING, buildings), (COMPONENT, components)):
            if dim in intensity.dims and not np.array_equal(
                    np.asarray(intensity[dim].values).astype(str),
                    np.asarray(ds[dim].values).astype(str)):
                raise InputError(f"the intensity Dataset's {dim!r} ids differ from the "
                                 f"{dim}s given; build it for the same {dim}s "
                                 f"(workbench.hazard.intensity_from_csv or earthquake_intensity).")
    else:
        raise InputError(f"hazard_or_intensity must be a workbench.hazard.Earthquake or an "
                         f"intensity Dataset; got {type(hazard_or_intensity).__name__}.")
    if "building_pga" not in intensity:
        raise InputError("the intensity has no 'building_pga' [g], which the building fragilities "
                         "need; give a field with a 'pga' column.")
    return buildings, components, intensity


def _site_intensity(intensity: xr.Dataset, name: str, size: int, needed: np.ndarray,
                    what: str) -> np.ndarray:
    if name in intensity:
        return np.asarray(intensity[name].values, dtype=float)
    if needed.any():
        measure = name.rsplit("_", 1)[1]
        raise InputError(f"the intensity has no {name!r}, which {int(needed.sum())} {what} "
                         f"need; give a field with a {measure!r} column.")
    return np.full(size, np.nan)


def damage_probabilities(city_or_buildings, components, hazard_or_intensity, *,
                         code_breaks=HAZUS_ZONE4_BREAKS) -> xr.Dataset:
    """Exact P(DS ≥ k), k = 1…4, of every building and component, as :func:`sample_damage` uses.

    Returns
    -------
    xarray.Dataset
        ``building_exceedance`` (building, damage_state) and ``component_exceedance``
        (component, damage_state), probabilities in [0, 1]; ``damage_state`` = 1…4.
        For pipes, P(DS ≥ 1) = P(≥ 1 repair), P(DS ≥ 2) = P(DS ≥ 3) = P(≥ 1 break), P(DS ≥ 4) = 0.

    Examples
    --------
    >>> from workbench.city import toy_city
    >>> from workbench.hazard import Earthquake
    >>> p = damage_probabilities(toy_city(), None, Earthquake(6.5, 0.0, 0.0))
    >>> bool((p["building_exceedance"].diff("damage_state") <= 0).all())
    True
    """
    buildings, components, intensity = _inputs(city_or_buildings, components, hazard_or_intensity)
    return _probabilities(buildings, components, intensity, component_fragility(components),
                          code_breaks)


def _probabilities(buildings, components, intensity, frag, code_breaks) -> xr.Dataset:
    median, beta = building_fragility(buildings, breaks=code_breaks)
    pga = np.asarray(intensity["building_pga"].values, dtype=float)
    p_building = exceedance_probability(pga[:, None], median, beta)
    m = components.sizes[COMPONENT]
    lognormal = np.isfinite(frag["median"][:, 0])
    c_pga = _site_intensity(intensity, "component_pga", m, lognormal, "components")
    c_pgv = _site_intensity(intensity, "component_pgv", m, frag["is_pipe"], "pipes")
    p_component = np.zeros((m, 4))
    p_component[lognormal] = exceedance_probability(
        c_pga[lognormal, None], frag["median"][lognormal], frag["beta"][lognormal])
    pipes = frag["is_pipe"]
    rate = _pipe_rate(c_pgv[pipes], frag["ductile"][pipes], components["length"].values[pipes])
    p_break = -np.expm1(-_pipe_break_share() * rate)
    p_component[pipes, 0] = -np.expm1(-rate)
    p_component[pipes, 1] = p_component[pipes, 2] = p_break
    states = np.arange(1, 5)
    return xr.Dataset(
        {"building_exceedance": ((BUILDING, DAMAGE_STATE), p_building),
         "component_exceedance": ((COMPONENT, DAMAGE_STATE), p_component)},
        coords={BUILDING: buildings[BUILDING].values, COMPONENT: components[COMPONENT].values,
                DAMAGE_STATE: states},
        attrs={k: v for k, v in intensity.attrs.items()})


def _pipe_rate(pgv: np.ndarray, ductile: np.ndarray, length_m: np.ndarray) -> np.ndarray:
    """Expected repairs per pipe: RR [1/km] × length [km]."""
    return pipe_repair_rate(pgv, ductile=ductile) * np.asarray(length_m, dtype=float) / 1000.0


def sample_damage(city_or_buildings, components, hazard_or_intensity, *, realizations: int = 1,
                  seed: int = 0, replacement_cost_per_m2: Mapping[str, float] | None = None,
                  currency: str = "EUR", price_year: int = 2024,
                  code_breaks=HAZUS_ZONE4_BREAKS, out_of_service_state: int = 2,
                  component_repair_fraction: Sequence[float] = (0.0, 0.25, 0.5, 0.75, 1.0),
                  pipe_repair_days: float = 1.0) -> xr.Dataset:
    """Sample damage states, repair effort and cost of buildings and components.

    Parameters
    ----------
    city_or_buildings : City or xarray.Dataset
        Buildings with ``type``, ``floor_area`` [m²], ``structural_class``, ``year_built``,
        ``x``, ``y`` [m]; optional ``replacement_cost`` [money].
    components : xarray.Dataset, InfrastructureSystem or None
        Component table (dim ``component``: ``network``, ``kind``, ``x``, ``y`` [m],
        ``length`` [m], ``repair_days`` [crew-days], ``repair_cost`` [money], optional bool
        ``ductile`` for pipes). None: no components.
    hazard_or_intensity : Earthquake or xarray.Dataset
        A scenario, or an intensity Dataset for the same buildings and components.
    realizations : int
        Number of independent damage realisations, ≥ 1.
    seed : int
        Seed of ``numpy.random.default_rng``; same seed, same Dataset.
    replacement_cost_per_m2 : mapping of str to float, optional
        Building type → replacement cost [currency/m²], for buildings without
        ``replacement_cost`` (see :func:`workbench.fragility.replacement_cost`).
    currency : str
        Currency of the costs (recorded in ``attrs``).
    price_year : int
        Price year of the costs (recorded in ``attrs``).
    code_breaks : sequence of (int, str)
        Year → Hazus design level steps (:func:`workbench.fragility.code_level`).
    out_of_service_state : int
        Lognormal components at or above this damage state (1–4) are not functional.
    component_repair_fraction : sequence of 5 floats
        Share of a component's complete ``repair_days``/``repair_cost`` at DS 0…4.
    pipe_repair_days : float
        Crew-days per pipe repair (leak or break).

    Returns
    -------
    xarray.Dataset
        Dims ``realization``, ``building``, ``component``; variables ``building_damage_state``
        and ``component_damage_state`` (int8, 0 none … 4 complete), ``building_repair_days`` and
        ``component_repair_days`` [crew-days], ``building_repair_cost`` and
        ``component_repair_cost`` [currency], ``component_functional`` (bool, own state before
        the cascade), ``component_repairs`` (pipes: number of repairs), ``building_pga``,
        ``component_pga`` [g], ``building_pgv``, ``component_pgv`` [cm/s] (NaN where a user
        field does not give the measure and nothing needs it); ``attrs``: ``seed``,
        ``realizations``, ``hazard_*``, ``currency``, ``price_year``.

    Examples
    --------
    >>> from workbench.city import toy_city
    >>> from workbench.hazard import Earthquake
    >>> from workbench.system import build_system
    >>> city = toy_city()
    >>> per_m2 = dict.fromkeys(["residential", "office", "commercial", "industrial", "public"],
    ...                        2000.0)
    >>> eq = Earthquake(6.5, 0.0, 0.0)
    >>> damage = sample_damage(city, build_system(city), eq, realizations=3, seed=1,
    ...                        replacement_cost_per_m2=per_m2)
    >>> dict(damage.sizes)
    {'realization': 3, 'building': 6, 'component': 21}
    >>> still = Earthquake(6.5, 0.0, 0.0, intensity_scale=0.0)
    >>> calm = sample_damage(city, build_system(city), still, replacement_cost_per_m2=per_m2)
    >>> int(calm["building_damage_state"].max()), bool(calm["component_functional"].all())
    (0, True)
    """
    if not (isinstance(realizations, (int, np.integer)) and realizations >= 1):
        raise InputError(f"realizations must be a positive integer; got {realizations!r}.")
    if not isinstance(seed, (int, np.integer)) or isinstance(seed, bool):
        raise InputError(f"seed must be an integer; got {seed!r}.")
    if out_of_service_state not in (1, 2, 3, 4):
        raise InputError(f"out_of_service_state must be 1, 2, 3 or 4; got "
                         f"{out_of_service_state!r}.")
    fraction = np.asarray(component_repair_fraction, dtype=float)
    if fraction.shape != (5,) or not np.all(np.isfinite(fraction)) or (fraction < 0).any():
        raise InputError(f"component_repair_fraction must be 5 finite shares ≥ 0 for DS 0…4; got "
                         f"{component_repair_fraction!r}.")
    if not (np.isfinite(pipe_repair_days) and pipe_repair_days >= 0):
        raise InputError(f"pipe_repair_days must be finite and ≥ 0; got {pipe_repair_days!r}.")
    buildings, components, intensity = _inputs(city_or_buildings, components, hazard_or_intensity)
    frag = component_fragility(components)
    probs = _probabilities(buildings, components, intensity, frag, code_breaks)
    rng = np.random.default_rng(seed)
    n, m = buildings.sizes[BUILDING], components.sizes[COMPONENT]

    # buildings: per-building tables computed once, then one draw per building-realisation
    p_b = probs["building_exceedance"].values
    ds_b = _sample_states(rng, realizations, p_b)
    ratio, days = building_consequences(buildings)
    cost_table = ratio * replacement_cost(buildings, replacement_cost_per_m2)[:, None]
    flat = ds_b + (np.arange(n) * 5)[None, :]
    b_cost = cost_table.ravel()[flat]
    b_days = days.ravel()[flat]

    # components: lognormal draw for all (pipes overwritten), then Poisson leaks and breaks
    p_c = probs["component_exceedance"].values
    ds_c = _sample_states(rng, realizations, p_c)
    full_days = np.asarray(components["repair_days"].values, dtype=float)
    full_cost = np.asarray(components["repair_cost"].values, dtype=float)
    c_days = fraction[ds_c] * full_days
    c_cost = fraction[ds_c] * full_cost
    functional = ds_c < out_of_service_state
    repairs = np.zeros((realizations, m), dtype=np.int32)
    pipes = np.flatnonzero(frag["is_pipe"])
    if pipes.size:
        pgv = np.asarray(intensity["component_pgv"].values, dtype=float)[pipes]
        rate = _pipe_rate(pgv, frag["ductile"][pipes], components["length"].values[pipes])
        share = _pipe_break_share()
        leaks = rng.poisson((1.0 - share) * rate, size=(realizations, pipes.size))
        breaks = rng.poisson(share * rate, size=(realizations, pipes.size))
        total = leaks + breaks
        repairs[:, pipes] = total
        ds_c[:, pipes] = np.where(breaks > 0, _PIPE_BREAK_DS, np.where(leaks > 0, _PIPE_LEAK_DS, 0))
        functional[:, pipes] = breaks == 0
        pipe_days = np.minimum(total * pipe_repair_days, full_days[pipes])
        c_days[:, pipes] = pipe_days
        with np.errstate(divide="ignore", invalid="ignore"):
            share_of_full = np.where(full_days[pipes] > 0, pipe_days / full_days[pipes],
                                     (total > 0).astype(float))
        c_cost[:, pipes] = share_of_full * full_cost[pipes]

    n_pga, n_pgv = (np.asarray(intensity[v].values, dtype=float) if v in intensity
                    else np.full(n, np.nan) for v in ("building_pga", "building_pgv"))
    c_pga, c_pgv = (np.asarray(intensity[v].values, dtype=float) if v in intensity
                    else np.full(m, np.nan) for v in ("component_pga", "component_pgv"))
    rb, rc = (REALIZATION, BUILDING), (REALIZATION, COMPONENT)
    out = xr.Dataset(
        {"building_damage_state": (rb, ds_b),
         "building_repair_days": (rb, b_days),
         "building_repair_cost": (rb, b_cost),
         "component_damage_state": (rc, ds_c),
         "component_functional": (rc, functional),
         "component_repair_days": (rc, c_days),
         "component_repair_cost": (rc, c_cost),
         "component_repairs": (rc, repairs),
         "building_pga": ((BUILDING,), n_pga), "building_pgv": ((BUILDING,), n_pgv),
         "component_pga": ((COMPONENT,), c_pga), "component_pgv": ((COMPONENT,), c_pgv)},
        coords={REALIZATION: np.arange(realizations), BUILDING: buildings[BUILDING].values,
                COMPONENT: components[COMPONENT].values},
        attrs={"seed": int(seed), "realizations": int(realizations), **intensity.attrs,
               "currency": currency, "price_year": int(price_year),
               "damage_states": ", ".join(DAMAGE_STATES),
               "out_of_service_state": int(out_of_service_state),
               "pipe_repair_days": float(pipe_repair_days),
               "fragility": "Hazus 5.1 equivalent-PGA (buildings), Hazus 5.1 electric power, "
                            "Hazus 6.1 pipe repair rate; see workbench.fragility"})
    units = {"building_repair_days": "crew-days", "component_repair_days": "crew-days",
             "building_repair_cost": currency, "component_repair_cost": currency,
             "building_pga": "g", "component_pga": "g", "building_pgv": "cm/s",
             "component_pgv": "cm/s", "component_repairs": "repairs"}
    for name, unit in units.items():
        out[name].attrs["units"] = unit
    return out


def _sample_states(rng: np.random.Generator, realizations: int, exceedance: np.ndarray
                   ) -> np.ndarray:
    """Damage states (realization, site) int8 from P(DS ≥ k) (site, 4) with one draw each."""
    u = rng.random((realizations, exceedance.shape[0]))
    states = np.zeros(u.shape, dtype=np.int8)
    for k in range(exceedance.shape[1]):
        states += u < exceedance[:, k]
    return states


def damage_table(damage: xr.Dataset) -> pd.DataFrame:
    """Buildings and components in each Hazus damage state, mean count over realisations.

    Rows: ``buildings`` and one per network (the prefix of the component ids,
    ``"<network>:..."``). Columns: the
    damage states of :data:`workbench.dims.DAMAGE_STATES`, plus ``out_of_service`` (components
    not functional by their own damage).

    Examples
    --------
    >>> ds = xr.Dataset({"building_damage_state": (("realization", "building"), [[0, 4], [2, 4]])})
    >>> damage_table(ds).loc["buildings", ["none", "moderate", "complete"]].tolist()
    [0.5, 0.5, 1.0]
    """
    def counts(states: xr.DataArray, dim: str) -> dict:
        values = np.asarray(states.transpose(..., dim).values).reshape(-1, states.sizes[dim])
        return {name: float((values == k).sum(axis=1).mean()) for k, name in enumerate(DAMAGE_STATES)}

    rows = {"buildings": counts(damage["building_damage_state"], BUILDING)}
    if "component_damage_state" in damage:
        states = damage["component_damage_state"]
        functional = damage["component_functional"]
        networks = np.array([c.split(":", 1)[0] for c in damage[COMPONENT].values.astype(str)])
        for name in dict.fromkeys(networks):
            mask = xr.DataArray(networks == name, dims=COMPONENT)
            row = counts(states.where(mask, drop=True), COMPONENT)
            out = (~functional.astype(bool)).where(mask, drop=True)
            row["out_of_service"] = float(out.sum(COMPONENT).mean())
            rows[str(name)] = row
    return pd.DataFrame(rows).T
