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
  (:func:`workbench.hazard.fragility.building_consequences`). Design levels follow the city's seismic
  zone (``design_code``; :func:`workbench.hazard.fragility.seismic_design_zone`: a city that names
  none is taken as zone 0, no seismic code, with a warning).
* Every damaged lognormal component takes effort: its Hazus restoration class gives the mean
  days to restore by damage state, read as crew-days of one crew; a component's own positive
  ``repair_days``/``repair_cost`` (an edge's length rule, or user data on a node) is its
  complete-damage value, scaled to the lower states by the class's profile
  (:func:`workbench.hazard.fragility.component_consequences`). A fragile kind without a class is an
  error, never a silent 0. Pipes take ``pipe_repair_days`` crew-days per repair (leak or break;
  default 1, as in :data:`workbench.io.importers.REPAIR_RULES`), capped at the pipe's complete
  ``repair_days`` when it has one; cost in the same proportion of ``repair_cost``.
"""

from __future__ import annotations

from collections import OrderedDict
from dataclasses import fields
from typing import Mapping

import numpy as np
import pandas as pd
import xarray as xr

from ..core import assumptions as _assumptions
from ..core.dims import BUILDING, COMPONENT, DAMAGE_STATES, REALIZATION
from ..core.errors import InputError
from .fragility import (building_consequences, building_fragility, pipe_break_share,
                        component_consequences, component_fragility,
                        component_restoration_spread, exceedance_probability,
                        pipe_repair_rate, replacement_cost, seismic_design_zone)
from .ground_motion import Earthquake, earthquake_intensity
from .capacity import (building_capacity, capacity_exceedance, check_building_model,
                       resolve_building_model)
from .residuals import realised_intensity
from .demand import DEMANDS, MODEL_DEMANDS, site_demand
from .flood import draw_flood_damage, is_flood
from .effort import require_effort, restoration_factor

__all__ = ["sample_damage", "DamageSampler", "damage_probabilities", "damage_table",
           "DAMAGE_MODELS",
           "restoration_factor", "DAMAGE_STATE", "DEMAND_BETA"]

#: Dim of :func:`damage_probabilities`: damage states 1..4 (slight … complete).
DAMAGE_STATE = "damage_state"
#: The ground-motion demand part of the Hazus equivalent-PGA β (0.64 = √(0.4² + 0.5²),
#: :mod:`workbench.hazard.fragility`): taken out of the building curves when the shaking is
#: drawn per realisation (``hazard.residuals``), which then carries that scatter itself.
DEMAND_BETA = 0.5

_PIPE_LEAK_DS, _PIPE_BREAK_DS = 1, 3


def _inputs(city_or_buildings, components, hazard_or_intensity):
    buildings, components = _sites(city_or_buildings, components)
    return buildings, components, _intensity(buildings, components, hazard_or_intensity)


def _sites(city_or_buildings, components):
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
    return buildings, components


def _intensity(buildings, components, hazard_or_intensity):
    if isinstance(hazard_or_intensity, Earthquake):
        intensity = earthquake_intensity(hazard_or_intensity, buildings, components)
    elif isinstance(hazard_or_intensity, xr.Dataset):
        intensity = hazard_or_intensity
        for dim, ds in ((BUILDING, buildings), (COMPONENT, components)):
            if dim in intensity.dims and not _same_ids(intensity, ds, dim):
                raise InputError(f"the intensity Dataset's {dim!r} ids differ from the "
                                 f"{dim}s given; build it for the same {dim}s "
                                 f"(workbench.hazard.intensity_from_csv or earthquake_intensity).")
    else:
        raise InputError(f"hazard_or_intensity must be a workbench.hazard.Earthquake or an "
                         f"intensity Dataset; got {type(hazard_or_intensity).__name__}.")
    if is_flood(intensity):
        missing = [v for v in ("building_inundation_depth", "component_inundation_depth")
                   if v not in intensity]
        if missing:
            raise InputError(f"the flood intensity has no {missing} [m]; build it with "
                             f"workbench.hazard.flood (bathtub_intensity, "
                             f"depth_grid_intensity or flood_intensity).")
        return intensity
    shaking = DAMAGE_MODELS.get(intensity.attrs.get("hazard_kind"), _shaking_damage)
    if shaking is _shaking_damage and "building_pga" not in intensity:
        raise InputError("the intensity has no 'building_pga' [g], which the building fragilities "
                         "need; give a field with a 'pga' column.")
    return intensity       # (another hazard's model checks its own demands)


def _same_ids(a: xr.Dataset, b: xr.Dataset, dim: str) -> bool:
    """Whether the ids of ``dim`` in ``a`` and ``b`` are equal as strings. Two indexes of
    strings only are compared as they are (pandas caches what they hold), sparing the
    conversion of 100,000 ids to NumPy strings on every draw."""
    ia, ib = a.indexes.get(dim), b.indexes.get(dim)
    if (ia is not None and ib is not None and ia.dtype == object and ib.dtype == object
            and ia.inferred_type == "string" and ib.inferred_type == "string"):
        return bool(ia.equals(ib))
    return np.array_equal(np.asarray(a[dim].values).astype(str),
                          np.asarray(b[dim].values).astype(str))


def _site_intensity(intensity: xr.Dataset, name: str, size: int, needed: np.ndarray,
                    what: str) -> np.ndarray:
    if name in intensity:               # in the unit the models take (workbench.hazard.demand)
        site, demand = name.split("_", 1)
        return site_demand(intensity, site, demand, DEMANDS[demand].unit)
    if needed.any():
        measure = name.rsplit("_", 1)[1]
        raise InputError(f"the intensity has no {name!r}, which {int(needed.sum())} {what} "
                         f"need; give a field with a {measure!r} column.")
    return np.full(size, np.nan)


def damage_probabilities(city_or_buildings, components, hazard_or_intensity, *,
                         design_code="city", building_model: str = "auto") -> xr.Dataset:
    """Exact P(DS ≥ k), k = 1…4, of every building and component, as :func:`sample_damage` uses
    (at the median shaking).

    ``design_code``: the seismic zone of the building design levels, or ``"city"`` (the
    buildings' ``attrs["seismic_design_zone"]``; none → zone 0), see
    :func:`workbench.hazard.fragility.seismic_design_zone`. ``building_model``: as for
    :func:`sample_damage`.

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
    >>> p = damage_probabilities(toy_city(), None, Earthquake(6.5, 0.0, 0.0), design_code="4")
    >>> bool((p["building_exceedance"].diff("damage_state") <= 0).all()), p.attrs["design_code"]
    (True, '4')
    """
    buildings, components, intensity = _inputs(city_or_buildings, components, hazard_or_intensity)
    zone = seismic_design_zone(buildings, design_code)
    if is_flood(intensity):        # depth-damage is deterministic: P = 1 up to the state
        damage = DamageSampler(buildings, components, design_code=zone)(intensity)
        states = damage["building_damage_state"].isel({REALIZATION: 0}).values
        c_states = damage["component_damage_state"].isel({REALIZATION: 0}).values
        k = np.arange(1, 5)
        return xr.Dataset(
            {"building_exceedance": ((BUILDING, DAMAGE_STATE),
                                     (states[:, None] >= k).astype(float)),
             "component_exceedance": ((COMPONENT, DAMAGE_STATE),
                                      (c_states[:, None] >= k).astype(float))},
            coords={BUILDING: buildings[BUILDING].values,
                    COMPONENT: components[COMPONENT].values, DAMAGE_STATE: k},
            attrs={**intensity.attrs, "design_code": zone})
    check_building_model(building_model)
    probs = _probabilities(buildings, components, intensity, component_fragility(components), zone)
    if resolve_building_model(building_model, intensity) == "capacity-spectrum":
        probs["building_exceedance"].values = _capacity_exceedance(
            lambda m: building_capacity(buildings, m, design_code=zone), intensity)[0]
    return probs


def _probabilities(buildings, components, intensity, frag, zone: str,
                   building_curves=None) -> xr.Dataset:
    p_building, p_component = _exceedances(buildings, components, intensity, frag, zone,
                                           building_curves)
    states = np.arange(1, 5)
    dims = (REALIZATION,) if p_building.ndim > 2 else ()
    return xr.Dataset(
        {"building_exceedance": (dims + (BUILDING, DAMAGE_STATE), p_building),
         "component_exceedance": (dims + (COMPONENT, DAMAGE_STATE), p_component)},
        coords={BUILDING: buildings[BUILDING].values, COMPONENT: components[COMPONENT].values,
                DAMAGE_STATE: states},
        attrs={**intensity.attrs, "design_code": zone})


def _exceedances(buildings, components, intensity, frag, zone: str,
                 building_curves=None) -> tuple[np.ndarray, np.ndarray]:
    """P(DS ≥ k) of the buildings (…, building, 4) and components (…, component, 4), the
    arrays of :func:`_probabilities` (the sampler takes them without a Dataset around them)."""
    median, beta = (building_fragility(buildings, design_code=zone) if building_curves is None
                    else building_curves)
    # a leading realization axis when the shaking differs by realisation (residuals)
    pga = site_demand(intensity, "building", "pga", "g")     # the curves' unit
    if pga.ndim > 1:
        # the ground-motion scatter is drawn: the demand part of β (0.5) must not count twice
        beta = np.sqrt(np.maximum(np.asarray(beta) ** 2 - DEMAND_BETA ** 2, 0.0))
    p_building = exceedance_probability(pga[..., None], median, beta)
    m = components.sizes[COMPONENT]
    lead = pga.shape[:-1]
    lognormal = np.isfinite(frag["median"][:, 0])
    c_pga = _site_intensity(intensity, "component_pga", m, lognormal, "components")
    c_pgv = _site_intensity(intensity, "component_pgv", m, frag["is_pipe"], "pipes")
    c_pga, c_pgv = (np.broadcast_to(v, lead + (m,)) for v in (c_pga, c_pgv))
    p_component = np.zeros(lead + (m, 4))
    p_component[..., lognormal, :] = exceedance_probability(
        c_pga[..., lognormal, None], frag["median"][lognormal], frag["beta"][lognormal])
    pipes = frag["is_pipe"]
    rate = _pipe_rate(c_pgv[..., pipes], frag["ductile"][pipes],
                      components["length"].values[pipes])
    p_break = -np.expm1(-pipe_break_share() * rate)
    p_component[..., pipes, 0] = -np.expm1(-rate)
    p_component[..., pipes, 1] = p_break
    p_component[..., pipes, 2] = p_break
    return p_building, p_component


def _pipe_rate(pgv: np.ndarray, ductile: np.ndarray, length_m: np.ndarray) -> np.ndarray:
    """Expected repairs per pipe: RR [1/km] × length [km]."""
    return pipe_repair_rate(pgv, ductile=ductile) * np.asarray(length_m, dtype=float) / 1000.0


def sample_damage(city_or_buildings, components, hazard_or_intensity, *, realizations: int = 1,
                  seed: int = 0, replacement_cost_per_m2: Mapping[str, float] | None = None,
                  currency: str = "EUR", price_year: int = 2024, design_code="city",
                  out_of_service_state: int = _assumptions.value("component_out_of_service_state"),
                  pipe_repair_days: float = _assumptions.value("pipe_repair_crew_days"),
                  building_model: str = "auto") -> xr.Dataset:
    """Sample damage states, repair effort and cost of buildings and components.

    Parameters
    ----------
    city_or_buildings : City or xarray.Dataset
        Buildings with ``type``, ``floor_area`` [m²], ``structural_class``, ``year_built``,
        ``x``, ``y`` [m]; optional ``replacement_cost`` [money].
    components : xarray.Dataset, InfrastructureSystem or None
        Component table (dim ``component``: ``network``, ``kind``, ``x``, ``y`` [m],
        ``length`` [m], ``repair_days`` [crew-days] and ``repair_cost`` [money] at complete
        damage (0 = not given: the Hazus restoration table decides), optional bool ``ductile``
        for pipes). None: no components.
    hazard_or_intensity : Earthquake or xarray.Dataset
        A scenario, or an intensity Dataset for the same buildings and components.
    realizations : int
        Number of independent damage realisations, ≥ 1.
    building_model : str
        ``"capacity-spectrum"`` (the Hazus capacity-spectrum method from SA(0.3 s), SA(1.0 s)
        and the magnitude, :mod:`workbench.hazard.capacity`), ``"equivalent-pga"`` (Hazus
        equivalent-PGA curves, from PGA alone) or ``"auto"`` (default): capacity-spectrum
        where the intensity gives the spectrum and the magnitude, as a scenario earthquake does,
        else equivalent-PGA (:func:`~workbench.hazard.capacity.resolve_building_model`; the
        model used is ``attrs["building_model"]``).
    seed : int
        Seed of ``numpy.random.default_rng``; same seed, same Dataset.
    replacement_cost_per_m2 : mapping of str to float, optional
        Building type → replacement cost [currency/m²], for buildings without
        ``replacement_cost`` (see :func:`workbench.hazard.fragility.replacement_cost`).
    currency : str
        Currency of the costs (recorded in ``attrs``).
    price_year : int
        Price year of the costs (recorded in ``attrs``).
    design_code : str or int
        UBC seismic zone of the building design levels (``"4"``, ``"3"``, ``"2B"``, ``"2A"``,
        ``"1"``, ``"0"``), or ``"city"``: the buildings' ``attrs["seismic_design_zone"]``, and
        zone 0 (no seismic code, with a logged warning) when the city names none
        (:func:`workbench.hazard.fragility.seismic_design_zone`).
    out_of_service_state : int
        Lognormal components at or above this damage state (1–4) are not functional.
    pipe_repair_days : float
        Crew-days per pipe repair (leak or break), > 0.

    Returns
    -------
    xarray.Dataset
        Dims ``realization``, ``building``, ``component``; variables ``building_damage_state``
        and ``component_damage_state`` (int8, 0 none … 4 complete), ``building_repair_days`` and
        ``component_repair_days`` [crew-days], ``building_repair_cost`` and
        ``component_repair_cost`` [currency], ``component_functional`` (bool, own state before
        the cascade), ``component_repairs`` (pipes: number of repairs),
        ``building_damage_probability`` (building, damage_state 0…4: P(DS = k), what planners
        expect before inspection) and ``building_expected_repair_days`` [crew-days], ``building_pga``,
        ``component_pga`` [g], ``building_pgv``, ``component_pgv`` [cm/s] (NaN where a user
        field does not give the measure and nothing needs it); ``attrs``: ``seed``,
        ``realizations``, ``hazard_*``, ``currency``, ``price_year``, ``design_code`` (the
        seismic zone used).

    Examples
    --------
    >>> from workbench.city import toy_city
    >>> from workbench.hazard import Earthquake
    >>> from workbench.network.system import build_system
    >>> city = toy_city()
    >>> per_m2 = dict.fromkeys(["residential", "office", "commercial", "industrial", "public"],
    ...                        2000.0)
    >>> eq = Earthquake(6.5, 0.0, 0.0)
    >>> damage = sample_damage(city, build_system(city), eq, realizations=3, seed=1,
    ...                        replacement_cost_per_m2=per_m2, design_code="4")
    >>> dict(damage.sizes), damage.attrs["design_code"]
    ({'realization': 3, 'building': 6, 'damage_state': 5, 'component': 21}, '4')
    >>> still = Earthquake(6.5, 0.0, 0.0, intensity_scale=0.0)
    >>> calm = sample_damage(city, build_system(city), still, replacement_cost_per_m2=per_m2,
    ...                      design_code="4")
    >>> int(calm["building_damage_state"].max()), bool(calm["component_functional"].all())
    (0, True)
    """
    _check_draws(realizations, seed)
    sampler = DamageSampler(city_or_buildings, components,
                            replacement_cost_per_m2=replacement_cost_per_m2, currency=currency,
                            price_year=price_year, design_code=design_code,
                            out_of_service_state=out_of_service_state,
                            pipe_repair_days=pipe_repair_days, building_model=building_model)
    return sampler(hazard_or_intensity, realizations=realizations, seed=seed)


def _capacity_exceedance(capacity_of, intensity: xr.Dataset) -> tuple[np.ndarray, np.ndarray]:
    """(P(DS ≥ k), performance points [in]) of the buildings by the capacity-spectrum method
    (:mod:`workbench.hazard.capacity`) from the intensity's SA(0.3 s), SA(1.0 s);
    ``capacity_of(magnitude)`` gives the buildings' capacity (:func:`building_capacity`)."""
    missing = [v for v in ("building_sa03", "building_sa10") if v not in intensity]
    if missing:
        raise InputError(f"damage.building_model 'capacity-spectrum' needs the spectral "
                         f"accelerations {missing} [g] at the buildings, which a scenario "
                         f"earthquake gives (a user field does not); use building_model "
                         f"'equivalent-pga' with a field.")
    magnitude = intensity.attrs.get("hazard_magnitude")
    if magnitude is None:
        raise InputError("damage.building_model 'capacity-spectrum' needs the earthquake's "
                         "magnitude (its duration sets the degradation κ); the intensity "
                         "carries none.")
    magnitude = float(magnitude)
    (_, unit_03), (_, unit_10) = MODEL_DEMANDS["capacity-spectrum"]
    sas = site_demand(intensity, "building", "sa03", unit_03)
    sa1 = site_demand(intensity, "building", "sa10", unit_10)
    return capacity_exceedance(capacity_of(magnitude), sas, sa1, magnitude,
                               drawn=REALIZATION in intensity.dims, with_sd=True)


def _check_draws(realizations, seed) -> None:
    if not (isinstance(realizations, (int, np.integer)) and realizations >= 1):
        raise InputError(f"realizations must be a positive integer; got {realizations!r}.")
    if not isinstance(seed, (int, np.integer)) or isinstance(seed, bool):
        raise InputError(f"seed must be an integer; got {seed!r}.")


class DamageSampler:
    """:func:`sample_damage` of one set of buildings and components, its tables built once.

    ``DamageSampler(buildings, components, **options)(hazard, realizations=r, seed=s)`` is
    ``sample_damage(buildings, components, hazard, realizations=r, seed=s, **options)``, the
    same Dataset bit for bit (``sample_damage`` is exactly that). The fragility curves, the
    consequence tables and the replacement costs depend only on the buildings and components,
    so an ensemble that samples many seeds or intensities of one city builds them once.
    The buildings and components are read when the sampler is built; build a new one after
    changing them.

    An :class:`~workbench.hazard.Earthquake` is computed once per sampler: its median shaking
    at the sites (the GMPE, the costly part) and the exceedance probabilities from it are
    memoised, keyed by the earthquake's fields (their types and exact values) and the sites'
    coordinates and the components' lengths as they are at the call (the last
    :data:`SHAKING_MEMO` earthquakes). The draws are made anew on every call; the Dataset
    returned never shares memory with the memo. An intensity Dataset is never memoised.

    Examples
    --------
    >>> from workbench.city import toy_city
    >>> from workbench.hazard import Earthquake
    >>> from workbench.network.system import build_system
    >>> city = toy_city()
    >>> per_m2 = dict.fromkeys(["residential", "office", "commercial", "industrial", "public"],
    ...                        2000.0)
    >>> sampler = DamageSampler(city, build_system(city), replacement_cost_per_m2=per_m2,
    ...                         design_code="4")
    >>> eq = Earthquake(6.5, 0.0, 0.0)
    >>> sampler(eq, seed=1).identical(sample_damage(city, build_system(city), eq, seed=1,
    ...                               replacement_cost_per_m2=per_m2, design_code="4"))
    True
    """

    def __init__(self, city_or_buildings, components, *,
                 replacement_cost_per_m2: Mapping[str, float] | None = None,
                 currency: str = "EUR", price_year: int = 2024, design_code="city",
                 out_of_service_state: int = _assumptions.value("component_out_of_service_state"),
                 pipe_repair_days: float = _assumptions.value("pipe_repair_crew_days"),
                 building_model: str = "auto"):
        self.building_model = check_building_model(building_model)
        self._capacity = {}
        self._shaking = OrderedDict()        # earthquake key -> _Shaking (see the docstring)
        if out_of_service_state not in (1, 2, 3, 4):
            raise InputError(f"out_of_service_state must be 1, 2, 3 or 4; got "
                             f"{out_of_service_state!r}.")
        if not (isinstance(pipe_repair_days, (int, float, np.number))
                and np.isfinite(pipe_repair_days) and pipe_repair_days > 0):
            raise InputError(f"pipe_repair_days must be finite and > 0 (a broken pipe takes "
                             f"effort); got {pipe_repair_days!r}.")
        buildings, components = _sites(city_or_buildings, components)
        self.buildings, self.components = buildings, components
        self.currency, self.price_year = currency, price_year
        self.out_of_service_state, self.pipe_repair_days = out_of_service_state, pipe_repair_days
        self.zone = seismic_design_zone(buildings, design_code)
        self._frag = component_fragility(components)
        self._c_tables = component_consequences(components, fragility=self._frag)
        self._c_spread = component_restoration_spread(components, fragility=self._frag)
        self._curves = building_fragility(buildings, design_code=self.zone)
        self._b_ratio, self._b_days = building_consequences(buildings)
        self._replacement = replacement_cost(buildings, replacement_cost_per_m2)
        self._b_cost = self._b_ratio * self._replacement[:, None]

    def capacity(self, magnitude: float) -> dict:
        """The buildings' capacity-spectrum tables for ``magnitude`` (κ depends on it), built
        once per magnitude (:func:`workbench.hazard.capacity.building_capacity`)."""
        if magnitude not in self._capacity:
            self._capacity[magnitude] = building_capacity(self.buildings, magnitude,
                                                          design_code=self.zone)
        return self._capacity[magnitude]

    def __call__(self, hazard_or_intensity, *, realizations: int = 1, seed: int = 0
                 ) -> xr.Dataset:
        """The damage Dataset of ``hazard_or_intensity`` (see :func:`sample_damage`)."""
        _check_draws(realizations, seed)
        buildings, components = self.buildings, self.components
        if isinstance(hazard_or_intensity, Earthquake):
            memo = self._earthquake(hazard_or_intensity)
            draw = DAMAGE_MODELS.get(memo.intensity.attrs.get("hazard_kind"), _shaking_damage)
            if draw is _shaking_damage:
                return _draw(self, buildings, components, memo.intensity, realizations, seed,
                             memo=memo)
            return draw(self, memo.intensity.copy(deep=True), realizations, seed)
        intensity = _intensity(buildings, components, hazard_or_intensity)
        draw = DAMAGE_MODELS.get(intensity.attrs.get("hazard_kind"), _shaking_damage)
        return draw(self, intensity, realizations, seed)

    def _earthquake(self, eq: Earthquake) -> "_Shaking":
        """The memo of ``eq`` at the sampler's sites (computed on a miss; see the docstring)."""
        key = (_earthquake_key(eq), _sites_key(self.buildings, self.components))
        memo = self._shaking.get(key)
        if memo is None:
            memo = _Shaking(_intensity(self.buildings, self.components, eq))
            self._shaking[key] = memo
            while len(self._shaking) > SHAKING_MEMO:
                self._shaking.popitem(last=False)
        else:
            self._shaking.move_to_end(key)
        return memo


#: Earthquakes whose shaking one :class:`DamageSampler` keeps (least recently used dropped).
SHAKING_MEMO = 4


class _Shaking:
    """An earthquake's median intensity Dataset at a sampler's sites and, once a draw has
    needed them, its exceedance probabilities and capacity-spectrum performance points.
    Owned by the sampler: nothing in it is handed out or written after it is filled."""

    __slots__ = ("intensity", "exceedance")

    def __init__(self, intensity: xr.Dataset):
        self.intensity = intensity
        self.exceedance = None         # (model, p_building, p_component, building_sd)


def _earthquake_key(eq: Earthquake) -> tuple:
    """``eq`` as a memo key: each field's type and repr (exact for floats, and tells −0.0
    from 0.0 and a NumPy scalar from a float, which ``==`` would not)."""
    return (type(eq),) + tuple((f.name, type(getattr(eq, f.name)), repr(getattr(eq, f.name)))
                               for f in fields(eq))


def _sites_key(buildings: xr.Dataset, components: xr.Dataset) -> tuple:
    """What the memoised shaking and probabilities read from the sites besides the sampler's
    tables, as bytes: coordinates of buildings and components, pipe lengths (a copy of about
    2.5 MB per 100,000 sites, far cheaper than the GMPE)."""
    parts = []
    for table, names in ((buildings, ("x", "y")), (components, ("x", "y", "length"))):
        for name in names:
            if name in table:
                values = np.asarray(table[name].values)
                parts.append((name, values.dtype.str, values.shape, values.tobytes()))
            else:
                parts.append((name, None))
    return tuple(parts)


def _shaking_damage(sampler: DamageSampler, intensity: xr.Dataset, realizations: int,
                    seed: int) -> xr.Dataset:
    """The damage of ground shaking (an earthquake's, or a user's field)."""
    return _draw(sampler, sampler.buildings, sampler.components, intensity, realizations, seed)


def _draw(sampler: DamageSampler, buildings, components, intensity, realizations: int,
          seed: int, memo: _Shaking | None = None) -> xr.Dataset:
    """The sampling of :func:`sample_damage` on the tables of ``sampler``; ``memo``: the
    sampler's memo of an earthquake whose median ``intensity`` this is (its probabilities are
    computed once and kept there; the site intensities returned are copies)."""
    currency, price_year, zone = sampler.currency, sampler.price_year, sampler.zone
    out_of_service_state, pipe_repair_days = (sampler.out_of_service_state,
                                              sampler.pipe_repair_days)
    frag = sampler._frag
    c_days_table, c_cost_table = sampler._c_tables
    if intensity.attrs.get("hazard_residuals"):
        # shaking drawn per realisation around the medians (workbench.hazard.residuals)
        intensity = realised_intensity(intensity, buildings, components, realizations, seed)
    if memo is not None and memo.exceedance is not None:
        model, p_b, p_c, building_sd = memo.exceedance
    else:
        p_b, p_c = _exceedances(buildings, components, intensity, frag, zone, sampler._curves)
        building_sd = None
        model = resolve_building_model(sampler.building_model, intensity)
        if model == "capacity-spectrum":
            p_b, building_sd = _capacity_exceedance(sampler.capacity, intensity)
        if memo is not None:
            memo.exceedance = (model, p_b, p_c, building_sd)
    rng = np.random.default_rng(seed)
    n, m = buildings.sizes[BUILDING], components.sizes[COMPONENT]

    # buildings: per-building tables computed once, then one draw per building-realisation
    days = sampler._b_days
    ds_b, (b_cost, b_days) = _sample_sites(rng, realizations, p_b, (sampler._b_cost, days))

    # components: lognormal draw for all (pipes overwritten), then Poisson leaks and breaks
    ds_c, (c_days, c_cost, c_spread) = _sample_sites(
        rng, realizations, p_c, (c_days_table, c_cost_table, sampler._c_spread))
    full_days = np.asarray(components["repair_days"].values, dtype=float)
    full_cost = np.asarray(components["repair_cost"].values, dtype=float)
    functional = ds_c < out_of_service_state
    repairs = np.zeros((realizations, m), dtype=np.int32)
    pipes = np.flatnonzero(frag["is_pipe"])
    if pipes.size:
        pgv = site_demand(intensity, "component", "pgv",
                          MODEL_DEMANDS["pipe-repair-rate"][0][1])[..., pipes]
        rate = _pipe_rate(pgv, frag["ductile"][pipes], components["length"].values[pipes])
        share = pipe_break_share()
        leaks = rng.poisson((1.0 - share) * rate, size=(realizations, pipes.size))
        breaks = rng.poisson(share * rate, size=(realizations, pipes.size))
        total = leaks + breaks
        repairs[:, pipes] = total
        ds_c[:, pipes] = np.where(breaks > 0, _PIPE_BREAK_DS, np.where(leaks > 0, _PIPE_LEAK_DS, 0))
        functional[:, pipes] = breaks == 0
        # capped at the pipe's complete effort when it has one (a renewal is no longer than that)
        cap = np.where(full_days[pipes] > 0, full_days[pipes], np.inf)
        pipe_days = np.minimum(total * pipe_repair_days, cap)
        c_days[:, pipes] = pipe_days
        with np.errstate(divide="ignore", invalid="ignore"):
            share_of_full = np.where(full_days[pipes] > 0, pipe_days / full_days[pipes],
                                     (total > 0).astype(float))
        c_cost[:, pipes] = share_of_full * full_cost[pipes]

    # lifeline restoration with the spread of its Hazus restoration function: the effort of a
    # damaged component is its class's mean effort for the state × a factor ~ N(1, σ/mean)
    # truncated at 0 (Hazus restoration functions are normal; a time is never negative); drawn
    # after every other draw, so the damage states are those of the same seed without it, and
    # shared by every strategy run on this realisation (common random numbers)
    u = rng.random((realizations, m))
    c_days = c_days * restoration_factor(u, c_spread)
    # a building's effort is its table's at the state drawn: when every damaged state of the
    # table has effort > 0 there is nothing for require_effort to find in the draws
    if not (days[:, 1:] > 0).all():
        require_effort("building", ds_b, b_days, buildings[BUILDING].values)
    require_effort("component", ds_c, c_days, components[COMPONENT].values)
    drawn = REALIZATION in intensity.dims     # shaking per realisation (residuals)
    site_dims = {BUILDING: ((REALIZATION, BUILDING) if drawn else (BUILDING,)),
                 COMPONENT: ((REALIZATION, COMPONENT) if drawn else (COMPONENT,))}
    shape = {BUILDING: (realizations, n) if drawn else (n,),
             COMPONENT: (realizations, m) if drawn else (m,)}
    # copies when the intensity is the sampler's memo (the Dataset returned owns its arrays)
    as_float = np.array if memo is not None else np.asarray
    site = {v: (site_dims[d], as_float(intensity[v].values, dtype=float) if v in intensity
                else np.full(shape[d], np.nan))
            for v, d in (("building_pga", BUILDING), ("building_pgv", BUILDING),
                         ("building_sa03", BUILDING), ("building_sa10", BUILDING),
                         ("component_pga", COMPONENT), ("component_pgv", COMPONENT))}
    rb, rc = (REALIZATION, BUILDING), (REALIZATION, COMPONENT)
    # P(DS = k), k = 0…4, from the exceedance curves the states were drawn from (per
    # realisation when the shaking is: planners then know that realisation's shaking)
    edge = p_b.shape[:-1] + (1,)
    p_state = -np.diff(np.concatenate([np.ones(edge), p_b, np.zeros(edge)], axis=-1), axis=-1)
    p_dims = ((REALIZATION,) if drawn else ()) + (BUILDING, DAMAGE_STATE)
    out = xr.Dataset(
        {"building_damage_state": (rb, ds_b),
         "building_repair_days": (rb, b_days),
         "building_repair_cost": (rb, b_cost),
         # what planners can expect before inspecting (workbench.recovery, information)
         "building_damage_probability": (p_dims, p_state),
         "building_expected_repair_days": (p_dims[:-1], (p_state * days).sum(axis=-1)),
         "component_damage_state": (rc, ds_c),
         "component_functional": (rc, functional),
         "component_repair_days": (rc, c_days),
         "component_repair_cost": (rc, c_cost),
         "component_repairs": (rc, repairs),
         "building_replacement_cost": ((BUILDING,), sampler._replacement),
         **site},
        coords={REALIZATION: np.arange(realizations), BUILDING: _coordinate(buildings, BUILDING),
                COMPONENT: _coordinate(components, COMPONENT), DAMAGE_STATE: np.arange(5)},
        attrs={"seed": int(seed), "realizations": int(realizations), **intensity.attrs,
               "currency": currency, "price_year": int(price_year),
               "damage_states": ", ".join(DAMAGE_STATES),
               "out_of_service_state": int(out_of_service_state),
               "pipe_repair_days": float(pipe_repair_days),
               "design_code": zone,
               "building_model": model,
               "fragility": ("Hazus capacity-spectrum method (buildings, workbench.hazard."
                             "capacity), " if model == "capacity-spectrum"
                             else "Hazus equivalent-PGA, beta 0.64 (buildings), ")
               + "Hazus 5.1 electric "
                            "power, Hazus 6.1 pipe repair rate; see workbench.hazard.fragility",
               "component_repair": "Hazus restoration class by damage state "
                                   "(data/hazus_lifeline_restoration.csv, days an unverified "
                                   "assumption) scaling own repair_days/repair_cost; effort "
                                   "drawn per component from the class's restoration "
                                   "function (normal, mean and sigma, truncated at 0)"})
    units = {"building_repair_days": "crew-days", "component_repair_days": "crew-days",
             "building_repair_cost": currency, "component_repair_cost": currency,
             "building_replacement_cost": currency,
             "building_pga": "g", "component_pga": "g", "building_pgv": "cm/s",
             "component_pgv": "cm/s", "component_repairs": "repairs"}
    for name, unit in units.items():
        out[name].attrs["units"] = unit
    if building_sd is not None:          # the capacity-spectrum method's performance points
        out["building_sd"] = (site_dims[BUILDING], as_float(building_sd, dtype=float))
        out["building_sd"].attrs["units"] = "in"
    return out


def _coordinate(sites: xr.Dataset, dim: str) -> xr.Variable:
    """The coordinate ``dim`` of ``sites`` (values, no attrs), its pandas index reused: the
    same coordinate as ``sites[dim].values`` gives, without rebuilding an index from 100,000
    strings (~20 ms) on every draw."""
    var = sites[dim].variable.copy(deep=False)
    var.attrs, var.encoding = {}, {}
    return var


#: Site-realisations per block of :func:`_sample_sites` (a block's uniforms, 1 MB, stay in cache).
_BLOCK = 1 << 17


def _sample_sites(rng: np.random.Generator, realizations: int, exceedance: np.ndarray,
                  tables=()) -> tuple[np.ndarray, list[np.ndarray]]:
    """Damage states (realization, site) int8 from P(DS ≥ k) (site, 4), or (realization,
    site, 4) when the shaking differs by realisation, with one uniform draw each: DS = number
    of k with ``u < P(DS ≥ k)``; and each of ``tables`` (site, 5) read at the state drawn
    (realization, site).

    The uniforms are drawn a block of whole realisations at a time into one buffer (the same
    stream, in the same order, as ``rng.random((realizations, sites))``: a Generator's doubles
    are drawn one after another however the calls split them), and each block is compared
    and gathered while it is in cache. Written with NumPy's ``out=`` arguments rather than a
    compiled loop: the work is four comparisons and a gather per draw, which NumPy does at
    memory speed once the temporaries stay small.
    """
    sites = exceedance.shape[-2]
    states = np.empty((realizations, sites), dtype=np.int8)
    outs = [np.empty((realizations, sites), dtype=np.asarray(t).dtype) for t in tables]
    if sites == 0:
        rng.random((realizations, 0))
        return states, outs
    drawn = exceedance.ndim > 2
    # the thresholds as contiguous rows, one per state: (4, [realization,] site)
    thresholds = np.ascontiguousarray(np.moveaxis(exceedance, -1, 0))
    flat_tables = [np.ascontiguousarray(t).ravel() for t in tables]
    offsets = np.arange(sites, dtype=np.intp) * 5
    rows = max(1, min(realizations, _BLOCK // sites))
    u = np.empty((rows, sites))
    hit = np.empty((rows, sites), dtype=np.bool_)
    index = np.empty((rows, sites), dtype=np.intp)
    for start in range(0, realizations, rows):
        stop = min(start + rows, realizations)
        k = stop - start
        block, below, flat = u[:k], hit[:k], index[:k]
        rng.random(out=block)
        state = states[start:stop]
        for j in range(thresholds.shape[0]):
            p = thresholds[j, start:stop] if drawn else thresholds[j]
            if j == 0:
                np.less(block, p, out=state.view(np.bool_))
            else:
                np.less(block, p, out=below)
                np.add(state, below.view(np.int8), out=state)
        if flat_tables:
            np.add(state, offsets, out=flat)
            for table, out in zip(flat_tables, outs):
                np.take(table, flat, out=out[start:stop], mode="clip")   # indices all valid
    return states, outs


def _sample_states(rng: np.random.Generator, realizations: int, exceedance: np.ndarray
                   ) -> np.ndarray:
    """Damage states (realization, site) int8 from P(DS ≥ k) (site, 4), or (realization,
    site, 4) when the shaking differs by realisation, with one draw each
    (:func:`_sample_sites` without tables)."""
    return _sample_sites(rng, realizations, exceedance)[0]


def damage_table(damage: xr.Dataset) -> pd.DataFrame:
    """Buildings and components in each Hazus damage state, mean count over realisations.

    Rows: ``buildings`` and one per network (the prefix of the component ids,
    ``"<network>:..."``). Columns: the
    damage states of :data:`workbench.core.dims.DAMAGE_STATES`, plus ``out_of_service`` (components
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


#: The damage model of each hazard kind (``intensity.attrs["hazard_kind"]``), called as
#: ``model(sampler, intensity, realizations, seed)``; a kind not named here is ground shaking.
#: A new hazard adds its entry (and its kind in :data:`workbench.hazard.section.INTENSITY`).
DAMAGE_MODELS = {"earthquake": _shaking_damage, "field": _shaking_damage,
                 "flood": draw_flood_damage}
