"""City functionality (METHOD §3, Zhou et al. 2025 §1): economic productivity EP and service capacity SC.

For building ``i`` at time ``t``

* ``EP_i = A_i · a_i · EP_unit,i(s_i)``  [EUR/day], with ``A_i`` the floor area [m²], ``a_i`` the
  usable share of it (:data:`A_EFF_BY_DAMAGE_STATE`, 1 once repaired) and ``EP_unit`` the value
  added per m² per day at the building's service satisfaction ``s_i`` (water, power, road);
* ``SC_i = R_i · q_i · (1 + rSS_i(s_i))``  [person-units], with ``R_i`` the building's
  residents (:func:`residents`), ``q_i`` the usable share of the building
  (:data:`Q_BASE_BY_DAMAGE_STATE`), so ``Q_base,i = R_i · q_i`` are the residents still housed
  there, and ``rSS = d_t / d0`` the supplementary service factor, 1 when every service is
  satisfied.

Whom the service index counts (Zhou et al. 2025 §1.2: demand = the population to be housed and served)
-----------------------------------------------------------------------------------------------
* **Demand** is the city's residents, each counted once, on the scale where a person needs one
  unit of housing and one unit of supplementary service: ``demand = 2 · Σ_i R_i``. It is constant
  over the recovery: displaced people still need housing and service. Residents are the
  buildings' ``population`` where the city carries it, else the ``occupancy`` of residential
  buildings. Workplaces enter EP, not SC: the daytime population is not counted a second time.
* The intact, fully served city has ``SC0 = Σ_i R_i (1 + 1) = demand`` and zero service loss.
  Buildings without a serving node (unmapped) are outside the modelled networks and keep full
  service (:meth:`workbench.network.system.InfrastructureSystem.service`), so this holds whatever the
  mapping.
* Service loss ``= ∫ max(0, demand − SC) dt / 2`` [person-days] (see
  :func:`workbench.metrics.indexes.service_loss`): one unsheltered, unserved resident costs exactly one
  person-day per day, and the loss is at most residents × horizon.

Shelters
--------
Displaced residents, ``Σ_i R_i (1 − q_i)``, fill shelter places while any are free. A
shelter-capable building (variable ``shelter_capable``; without it, every ``public`` building)
that is fully usable offers its *spare* capacity: ``A · usable_share / area_per_person`` places
(3.5 m² of covered living space per person, the Sphere minimum) less its own residents at home.
A host does not create a second copy of its services: its normal supplementary capacity
``Q0_j · rSS_j`` (``Q0`` its baseline occupancy not taken by its own residents, e.g. the pupils
and staff of a school, who are not there after the event) is shared among the ``H_j`` people it
hosts, so each gets ``rSS_j · min(1, Q0_j / H_j)`` — the per-capita resource ``d_t/d0`` falls as
the host fills. This is how the displaced population and the building type enter rSS, as the
seed lists them. People are placed where the services are first (the served places of the
highest rSS), then in any free place, so that opening a shelter never lowers SC.

A place in a shelter is not a home (:class:`Valuation`): a sheltered person counts
``h_S = 0.5`` for housing and ``v_S = 0.5`` of the host's shared service, so a host adds
``h_S · H_j + v_S · rSS_j · min(H_j, Q0_j)``, at most 1 person-unit per person where a served
home counts 2. A sheltered day therefore costs at least half a person-day of service loss, an
unsheltered one a whole; the shares are labelled assumptions (METHOD §3 gives the sensitivity).
Temporary shelter places added from a given day count ``h_S + v_S`` each (self-supplied). See
:class:`Shelters` and :func:`shelter_capacity`.

The tables
----------
Damage state → usable share follows the ATC-20 post-earthquake placards that Hazus damage states
map onto: DS0–1 (green, *inspected*) fully usable; DS2 (yellow, *restricted use*) half usable;
DS3–4 (red, *unsafe*) unusable until repaired.

``EP_unit`` at full service is value added per worker divided by floor area per worker, by
building type (:data:`EP_UNIT_INPUTS`); rounded national-accounts figures for Finland, EUR,
published for 2022 and converted to the workbench's price year 2024 with the consumer price index
(:mod:`workbench.core.assumptions`, where every such constant is listed with its status) (Statistics Finland, *National accounts*, value added and employment by industry,
StatFin table 11sq/11sz; floor area per worker from office-density surveys (British Council for
Offices 2018: ~10 m² net per workstation, ~20 m² gross) and round figures for other uses).
Residential EP is the imputed value added of housing services per m² of dwelling (real-estate
industry L68 over the dwelling stock). These are *order-of-magnitude* defaults labelled as such:
replace them through a :class:`FunctionalityModel` (stage 03 trains one).

Service dependence is linear: ``EP_unit(s) = EP_unit · (1 − Σ_k w_k (1 − s_k))`` and
``rSS(s) = 1 − Σ_k v_k (1 − s_k)`` with weights by type (:data:`EP_SERVICE_WEIGHTS`,
:data:`RSS_SERVICE_WEIGHTS`) — an assumption, documented as such, that keeps a dwelling without
services worth something (shelter from weather) and makes offices depend mostly on power.

References
----------
Applied Technology Council (1989). ATC-20, *Procedures for postearthquake safety evaluation of
buildings*. Redwood City, CA.
FEMA (2022). *Hazus Earthquake Model Technical Manual*, Hazus 5.1, chapters 11 and 15.
Sphere Association (2018). *The Sphere Handbook*, Shelter and settlement standard 3 (3.5 m² of
living space per person). doi:10.3362/9781908176707
Zhou, Y., Xiao, Y., & Xu, H. (2025). Quantifying urban disaster resilience for informed mitigation
strategies. *Engineering*, 53(10), 13–17. doi:10.1016/j.eng.2025.05.007
"""

from __future__ import annotations

from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Mapping, Protocol, runtime_checkable

import numpy as np
import pandas as pd
import xarray as xr

from .core import assumptions as _assumptions
from .core.dims import BUILDING, BUILDING_TYPES, NETWORKS
from .core.errors import InputError

__all__ = [
    "A_EFF_BY_DAMAGE_STATE", "Q_BASE_BY_DAMAGE_STATE", "EP_UNIT_INPUTS", "EP_UNIT",
    "EP_SERVICE_WEIGHTS", "RSS_SERVICE_WEIGHTS", "CURRENCY", "PRICE_YEAR",
    "FunctionalityModel", "TableFunctionality", "Shelters", "Valuation",
    "usable_fractions", "building_ep", "building_sc", "residents", "service_demand",
    "displaced_population", "shelter_capable", "designated_shelters", "planned_places", "district_codes",
    "ShelterPlan",
    "shelter_places", "shelter_capacity",
    "city_functionality",
    "functionality_model", "type_codes", "checked_service",
]

#: Currency and price year of EP (:mod:`workbench.core.assumptions`: one price year for all money).
CURRENCY, PRICE_YEAR = _assumptions.CURRENCY, _assumptions.PRICE_YEAR

#: Usable share of floor area by damage state 0..4 (ATC-20 green, green, yellow, red, red).
A_EFF_BY_DAMAGE_STATE = np.array(_assumptions.value("usable_area_share_by_damage_state"))
#: Usable share of baseline occupancy by damage state 0..4 (same placards).
Q_BASE_BY_DAMAGE_STATE = np.array(_assumptions.value("usable_occupancy_share_by_damage_state"))

#: type → (value added per worker [EUR/year, 2022 prices], gross floor area per worker [m²]);
#: residential → (value added of housing services per m² of dwelling [EUR/m²/year], 1).
EP_UNIT_INPUTS = _assumptions.value("ep_value_added_inputs")
_INPUTS_PRICE_YEAR = 2022
#: EP per m² per day at full service [EUR/m²/day, at :data:`PRICE_YEAR` prices] = value added
#: per worker / m² per worker / 365, times the consumer price index factor 2022 → 2024.
EP_UNIT = MappingProxyType({
    t: va * _assumptions.CPI_TO_PRICE_YEAR[_INPUTS_PRICE_YEAR] / area / 365.0
    for t, (va, area) in EP_UNIT_INPUTS.items()})

#: type → weights (water, power, road) of the service dependence of EP_unit (assumption).
EP_SERVICE_WEIGHTS = _assumptions.value("ep_service_weights")
#: type → weights (water, power, road) of the service dependence of rSS (assumption).
RSS_SERVICE_WEIGHTS = _assumptions.value("rss_service_weights")


@runtime_checkable
class FunctionalityModel(Protocol):
    """What recovery needs from a functionality model; trained models plug in here.

    ``buildings`` is the city's buildings Dataset (dim ``building``); ``service`` an array of
    shape (n_buildings, 3), columns water, power, road (:data:`workbench.core.dims.NETWORKS`), values
    in [0, 1]. Both methods return arrays of shape (n_buildings,), and must give the full-service
    values when ``service`` is all ones (``rss`` = 1 there, by definition).
    """

    def ep_unit(self, buildings: xr.Dataset, service: np.ndarray) -> np.ndarray:
        """Economic productivity per unit area [EUR/m²/day]."""

    def rss(self, buildings: xr.Dataset, service: np.ndarray) -> np.ndarray:
        """Supplementary service factor rSS = d_t/d0 [-]."""


def _frozen_table(table: Mapping, name: str, width: int | None) -> MappingProxyType:
    missing = [t for t in BUILDING_TYPES if t not in table]
    unknown = [t for t in table if t not in BUILDING_TYPES]
    if missing or unknown:
        raise InputError(f"{name} must give every building type {list(BUILDING_TYPES)}; "
                         f"missing {missing}, unknown {unknown}.")
    out = {}
    for key, value in table.items():
        arr = np.atleast_1d(np.asarray(value, dtype=float))
        if width is not None and arr.shape != (width,):
            raise InputError(f"{name}[{key!r}] must hold {width} weights (water, power, road), "
                             f"got {value!r}.")
        if not np.isfinite(arr).all() or (arr < 0).any():
            raise InputError(f"{name}[{key!r}] must be finite and ≥ 0, got {value!r}.")
        if width is not None and arr.sum() > 1:
            raise InputError(f"{name}[{key!r}] weights sum to {arr.sum():g} > 1, which would make "
                             f"the factor negative without service; scale them down.")
        out[key] = tuple(arr.tolist()) if width is not None else float(arr[0])
    return MappingProxyType(out)


@dataclass(frozen=True)
class TableFunctionality:
    """The default :class:`FunctionalityModel`: lookup tables by building type, linear in service.

    Parameters
    ----------
    ep_unit_full : mapping of str to float
        EP per m² per day at full service, by type [EUR/m²/day]; default :data:`EP_UNIT`.
    ep_weights, rss_weights : mapping of str to (float, float, float)
        Weights (water, power, road), each set summing to ≤ 1.

    Examples
    --------
    >>> from workbench.city import toy_city
    >>> b = toy_city().buildings
    >>> model = TableFunctionality()
    >>> full, none = np.ones((6, 3)), np.zeros((6, 3))
    >>> model.rss(b, full).tolist()
    [1.0, 1.0, 1.0, 1.0, 1.0, 1.0]
    >>> round(float(model.ep_unit(b, full)[2]), 2), round(float(model.ep_unit(b, none)[2]), 2)
    (16.26, 1.63)
    """

    ep_unit_full: Mapping[str, float] = field(default_factory=lambda: EP_UNIT)
    ep_weights: Mapping[str, tuple] = field(default_factory=lambda: EP_SERVICE_WEIGHTS)
    rss_weights: Mapping[str, tuple] = field(default_factory=lambda: RSS_SERVICE_WEIGHTS)

    def __post_init__(self):
        object.__setattr__(self, "ep_unit_full", _frozen_table(self.ep_unit_full, "ep_unit_full",
                                                               None))
        object.__setattr__(self, "ep_weights", _frozen_table(self.ep_weights, "ep_weights", 3))
        object.__setattr__(self, "rss_weights", _frozen_table(self.rss_weights, "rss_weights", 3))

    def __hash__(self):
        return hash(tuple(tuple(sorted(t.items())) for t in
                          (self.ep_unit_full, self.ep_weights, self.rss_weights)))

    def ep_unit(self, buildings: xr.Dataset, service: np.ndarray) -> np.ndarray:
        """EP per m² per day [EUR/m²/day], shape (n_buildings,)."""
        code = type_codes(buildings)
        full = np.array([self.ep_unit_full[t] for t in BUILDING_TYPES])[code]
        return full * _service_factor(self.ep_weights, code, service)

    def rss(self, buildings: xr.Dataset, service: np.ndarray) -> np.ndarray:
        """Supplementary service factor rSS [-], shape (n_buildings,); 1 at full service."""
        return _service_factor(self.rss_weights, type_codes(buildings), service)


#: The building types as a pandas index, for :func:`type_codes`.
_TYPE_INDEX = pd.Index(BUILDING_TYPES)


def type_codes(buildings: xr.Dataset) -> np.ndarray:
    """Index of each building's type in :data:`~workbench.core.dims.BUILDING_TYPES` (unknown → error).

    A pandas hash lookup (``Index.get_indexer``: 6 ms for 100,000 buildings, against 21 ms to
    convert to text and search); values it does not find are converted to text first, as
    before, and named in the error if still unknown."""
    codes = _TYPE_INDEX.get_indexer(np.asarray(buildings["type"].values))
    if (codes >= 0).all():
        return codes.astype(np.int64)
    types = np.asarray(buildings["type"].values).astype(str)
    order = np.argsort(BUILDING_TYPES)
    sorted_types = np.asarray(BUILDING_TYPES)[order]
    pos = np.clip(np.searchsorted(sorted_types, types), 0, len(sorted_types) - 1)
    if (sorted_types[pos] != types).any():
        bad = sorted(set(types[sorted_types[pos] != types]))
        raise InputError(f"unknown building type(s) {bad}; known types are {list(BUILDING_TYPES)}.")
    return order[pos]


def checked_service(service, n_buildings: int) -> np.ndarray:
    """``service`` as a float array of shape (n_buildings, 3), columns water, power, road
    (:data:`~workbench.core.dims.NETWORKS`); any other shape is an error naming it."""
    service = np.asarray(service, dtype=float)
    if service.shape != (n_buildings, len(NETWORKS)):
        raise InputError(f"service must have shape (n_buildings, {len(NETWORKS)}) = "
                         f"({n_buildings}, {len(NETWORKS)}), columns {list(NETWORKS)}; got "
                         f"{service.shape}.")
    return service


def _service_factor(weights: Mapping, code: np.ndarray, service: np.ndarray) -> np.ndarray:
    service = checked_service(service, len(code))
    w = np.array([weights[t] for t in BUILDING_TYPES])[code]          # (n, 3)
    return 1.0 - np.einsum("ij,ij->i", w, 1.0 - service)


@dataclass(frozen=True)
class Valuation:
    """What each place where a resident may be is worth in SC [person-units per person]:
    the share of a home's housing need it meets plus its supplementary service (METHOD §3).

    At home a resident counts ``1 + rSS`` (2 when served); unsheltered, 0. In between:

    * in a **public shelter**, ``shelter_housing`` for housing plus ``shelter_service`` times the
      host's shared rSS (:func:`shelter_capacity`); a temporary place the same housing and
      ``shelter_service`` of full service;
    * **elsewhere** (with family or friends, or renting outside the damaged area; only the agents
      of :mod:`workbench.response` send people there), ``elsewhere_housing + elsewhere_service``.

    The ranking home > elsewhere > public shelter > unsheltered is the literature's (public
    shelter is the last resort: most displaced households find their own, Hazus Earthquake
    Technical Manual ch. 14); the shares are workbench assumptions
    (:mod:`workbench.core.assumptions`), one table for the recovery and the agents alike. A
    sheltered day always costs something: ``shelter_housing + shelter_service < 2`` is required.

    Examples
    --------
    >>> v = Valuation()
    >>> v.shelter_housing + v.shelter_service, v.elsewhere_housing + v.elsewhere_service
    (1.0, 1.25)
    >>> Valuation(shelter_housing=1.0, shelter_service=1.0)
    Traceback (most recent call last):
    ...
    workbench.core.errors.InputError: valuation: shelter_housing + shelter_service must be < 2 (a sheltered day costs something), got 1.0 + 1.0
    """

    shelter_housing: float = _assumptions.value("shelter_housing_share")
    shelter_service: float = _assumptions.value("shelter_service_share")
    elsewhere_housing: float = _assumptions.value("elsewhere_housing_share")
    elsewhere_service: float = _assumptions.value("elsewhere_service_share")

    def __post_init__(self):
        for name in ("shelter_housing", "shelter_service", "elsewhere_housing",
                     "elsewhere_service"):
            value = getattr(self, name)
            ok = isinstance(value, (int, float, np.integer, np.floating)) and not isinstance(
                value, bool)
            if not ok or not (0.0 <= float(value) <= 1.0):
                raise InputError(f"valuation {name} must be a share in [0, 1], got {value!r}")
            object.__setattr__(self, name, float(value))
        if self.shelter_housing + self.shelter_service >= 2.0:
            raise InputError(f"valuation: shelter_housing + shelter_service must be < 2 (a "
                             f"sheltered day costs something), got {self.shelter_housing!r} + "
                             f"{self.shelter_service!r}")

    @property
    def elsewhere(self) -> float:
        """Worth of a resident elsewhere [person-units]."""
        return self.elsewhere_housing + self.elsewhere_service

    @property
    def temporary(self) -> float:
        """Worth of a resident in a temporary shelter place (self-supplied) [person-units]."""
        return self.shelter_housing + self.shelter_service


@dataclass(frozen=True)
class Shelters:
    """How displaced residents are sheltered (METHOD §3; Zhou et al. 2025 §1.2).

    Parameters
    ----------
    area_per_person : float
        Covered living space per sheltered person [m²]; default 3.5 (Sphere minimum).
    usable_share : float
        Share of a shelter-capable building's floor area usable as shelter, in (0, 1].
    temporary_places : float
        Places [persons] in temporary shelters, available from ``temporary_from_day`` on.
    temporary_from_day : float
        Day [d] from which temporary places exist; ``inf`` = never.
    planned_share : float or None
        Which shelter-capable buildings are designated public shelters: in each district the
        largest first (most places, then building id) until they hold ``planned_share`` × its
        residents (:func:`planned_places`); ``None`` designates every one.
    valuation : Valuation
        What a place in a shelter (and elsewhere) is worth in SC.

    Examples
    --------
    >>> Shelters().area_per_person
    3.5
    >>> Shelters(area_per_person=0)
    Traceback (most recent call last):
    ...
    workbench.core.errors.InputError: area_per_person must be > 0 m², got 0
    """

    area_per_person: float = _assumptions.value("shelter_area_per_person_m2")
    usable_share: float = _assumptions.value("shelter_usable_share")
    temporary_places: float = 0.0
    temporary_from_day: float = 0.0
    planned_share: float | None = _assumptions.value("shelter_planned_share")
    valuation: Valuation = field(default_factory=Valuation)

    def __post_init__(self):
        if not (np.isfinite(self.area_per_person) and self.area_per_person > 0):
            raise InputError(f"area_per_person must be > 0 m², got {self.area_per_person!r}")
        if not (0 < self.usable_share <= 1):
            raise InputError(f"usable_share must be in (0, 1], got {self.usable_share!r}")
        if not (np.isfinite(self.temporary_places) and self.temporary_places >= 0):
            raise InputError(f"temporary_places must be finite and ≥ 0, got "
                             f"{self.temporary_places!r}")
        if np.isnan(self.temporary_from_day) or self.temporary_from_day < 0:
            raise InputError(f"temporary_from_day must be ≥ 0 (inf = never), got "
                             f"{self.temporary_from_day!r}")
        share = self.planned_share
        if share is not None and not (isinstance(share, (int, float, np.integer, np.floating))
                                      and not isinstance(share, bool) and share > 0
                                      and np.isfinite(share)):
            raise InputError(f"planned_share must be a finite number > 0 of places per "
                             f"resident, or None (every shelter-capable building), got "
                             f"{share!r}")
        if not isinstance(self.valuation, Valuation):
            raise InputError(f"valuation must be a workbench.functionality.Valuation, got "
                             f"{type(self.valuation).__name__}")


def usable_fractions(damage_state) -> tuple[np.ndarray, np.ndarray]:
    """Usable share of floor area and of occupancy for Hazus damage states 0..4.

    Examples
    --------
    >>> a, q = usable_fractions([0, 1, 2, 3, 4])
    >>> a.tolist(), q.tolist()
    ([1.0, 1.0, 0.5, 0.0, 0.0], [1.0, 1.0, 0.5, 0.0, 0.0])
    """
    ds = np.asarray(damage_state)
    if ds.size and (ds.min() < 0 or ds.max() > 4):
        raise InputError(f"damage states must be integers 0..4 (Hazus none…complete); got "
                         f"values from {ds.min()} to {ds.max()}.")
    ds = ds.astype(np.int64)
    return A_EFF_BY_DAMAGE_STATE[ds], Q_BASE_BY_DAMAGE_STATE[ds]


def functionality_model(model) -> FunctionalityModel:
    """``model`` checked against :class:`FunctionalityModel`; ``None`` gives the default
    :class:`TableFunctionality`."""
    model = TableFunctionality() if model is None else model
    if not isinstance(model, FunctionalityModel):
        raise InputError(f"functionality must implement ep_unit(buildings, service) and "
                         f"rss(buildings, service); got {type(model).__name__}.")
    return model


def _full_service(buildings: xr.Dataset, service) -> np.ndarray:
    n = buildings.sizes[BUILDING]
    return np.ones((n, len(NETWORKS))) if service is None else np.asarray(service, dtype=float)


def building_ep(buildings: xr.Dataset, a_frac, service=None, model=None) -> np.ndarray:
    """Economic productivity of each building [EUR/day]: ``A · a · EP_unit(s)``.

    ``service`` is (n_buildings, 3) in [0, 1]; ``None`` means full service.

    Examples
    --------
    >>> from workbench.city import toy_city
    >>> b = toy_city().buildings
    >>> round(float(building_ep(b, np.ones(6)).sum()))
    90186
    """
    area = np.asarray(buildings["floor_area"].values, dtype=float)
    service = _full_service(buildings, service)
    ep_unit = functionality_model(model).ep_unit(buildings, service)
    return area * np.asarray(a_frac, dtype=float) * ep_unit


def building_sc(buildings: xr.Dataset, q_frac, service=None, model=None) -> np.ndarray:
    """Service capacity of the residents housed in each building [person-units]: ``R · q · (1 + rSS(s))``.

    Shelter capacity comes on top (:func:`shelter_capacity`); a building without residents
    contributes nothing here.

    Examples
    --------
    >>> from workbench.city import toy_city
    >>> b = toy_city().buildings   # residents: the occupancy of b0, b1 (residential)
    >>> building_sc(b, np.ones(6)).tolist()
    [60.0, 120.0, 0.0, 0.0, 0.0, 0.0]
    """
    service = _full_service(buildings, service)
    rss = functionality_model(model).rss(buildings, service)
    return residents(buildings) * np.asarray(q_frac, dtype=float) * (1.0 + rss)


def residents(buildings: xr.Dataset) -> np.ndarray:
    """Residents of each building [persons], the people the service index counts.

    The buildings' ``population`` where the city carries it (any type), else the ``occupancy``
    of residential buildings (0 elsewhere).

    Examples
    --------
    >>> from workbench.city import toy_city
    >>> residents(toy_city().buildings).tolist()
    [30.0, 60.0, 0.0, 0.0, 0.0, 0.0]
    """
    if "population" in buildings:
        values = np.asarray(buildings["population"].values, dtype=float)
    else:
        residential = np.asarray(buildings["type"].values).astype(str) == "residential"
        values = np.where(residential, np.asarray(buildings["occupancy"].values, dtype=float), 0.0)
    bad = ~np.isfinite(values) | (values < 0)
    if bad.any():
        field_name = "population" if "population" in buildings else "occupancy"
        raise InputError(f"buildings[{field_name!r}] must be finite and ≥ 0 persons; "
                         f"{int(bad.sum())} value(s) are not (first: {values[bad][0]!r}).")
    return values


def service_demand(buildings: xr.Dataset) -> float:
    """Demand for service capacity [person-units] = 2 · Σ residents (constant over the recovery).

    Examples
    --------
    >>> from workbench.city import toy_city
    >>> service_demand(toy_city().buildings)
    180.0
    """
    return 2.0 * float(residents(buildings).sum())


def displaced_population(buildings: xr.Dataset, q_frac) -> float:
    """Displaced residents [persons]: Σ residents · (1 − q).

    Examples
    --------
    >>> from workbench.city import toy_city
    >>> displaced_population(toy_city().buildings, [0.0, 0.5, 0.0, 0.0, 0.0, 0.0])
    60.0
    """
    return float((residents(buildings) * (1.0 - np.asarray(q_frac, dtype=float))).sum())


def shelter_capable(buildings: xr.Dataset) -> np.ndarray:
    """Which buildings may host displaced people: the variable ``shelter_capable`` where the
    buildings carry it, else every ``public`` building.

    Examples
    --------
    >>> from workbench.city import toy_city
    >>> shelter_capable(toy_city().buildings).tolist()
    [False, False, False, False, False, True]
    """
    if "shelter_capable" in buildings:
        return np.asarray(buildings["shelter_capable"].values, dtype=bool)
    return np.asarray(buildings["type"].values).astype(str) == "public"


def designated_shelters(buildings: xr.Dataset, shelters: Shelters | None = None) -> np.ndarray:
    """Which buildings are designated public shelters (bool, per building): those with planned
    places (:func:`planned_places`).

    Examples
    --------
    >>> from workbench.city import toy_city
    >>> b = toy_city().buildings           # 90 residents; b5 alone holds 357 places
    >>> designated_shelters(b, Shelters(planned_share=0.1)).tolist()
    [False, False, False, False, False, True]
    """
    return planned_places(buildings, shelters) > 0


def district_codes(buildings: xr.Dataset) -> tuple[np.ndarray, list[str]]:
    """(code of each building's district, district names); one district ``"city"`` when the
    buildings carry none.

    Examples
    --------
    >>> from workbench.city import toy_city
    >>> district_codes(toy_city().buildings)
    (array([1, 1, 1, 0, 0, 0]), ['east', 'west'])
    """
    n = buildings.sizes[BUILDING]
    names = (np.asarray(buildings["district"].values).astype(str) if "district" in buildings
             else np.full(n, ""))
    names = np.where(names == "", "city" if not (names != "").any() else "unknown", names)
    uniq, code = np.unique(names, return_inverse=True)
    return code.astype(np.int64), uniq.tolist()


def planned_places(buildings: xr.Dataset, shelters: Shelters | None = None) -> np.ndarray:
    """Places [persons] the pre-event mass-care plan sets up in each building when every
    building is usable (:class:`ShelterPlan`; after the event, :func:`shelter_places`).

    Examples
    --------
    >>> from workbench.city import toy_city
    >>> planned_places(toy_city().buildings, Shelters(planned_share=0.1)).tolist()
    [0.0, 0.0, 0.0, 0.0, 0.0, 9.0]
    """
    plan = ShelterPlan(buildings, shelters)
    out = np.zeros(buildings.sizes[BUILDING])
    out[plan.hosts] = plan.open(np.ones(len(plan.hosts), bool))
    return out


class ShelterPlan:
    """The mass-care plan: how many public shelter places open where, on any day.

    The plan puts shelters near the people they serve: each district (:func:`district_codes`)
    is to get ``shelters.planned_share`` × its residents places, in its own shelter-capable
    buildings (:func:`shelter_capable`) that are fully usable that day, the largest first
    (most places when intact, then building id); the last one opened sets up only the places
    still needed. What a district's usable buildings cannot hold goes, in the same way, to the
    usable capable buildings of the whole city with places left. A designated building found
    damaged is so replaced by the next usable one — the pre-surveyed alternates of a shelter
    plan (*assumption*; labelled in the registry with ``shelter_planned_share``). The plan
    never opens more than ``planned_share`` × the residents. With ``planned_share`` ``None``
    every usable capable building opens all its places.

    Attributes
    ----------
    hosts : numpy.ndarray of int
        Row of each shelter-capable building (the possible hosts).
    capacity : numpy.ndarray
        Places [persons] each host holds when fully usable.
    most : numpy.ndarray
        The most places each host opens within its district's share [persons].

    Examples
    --------
    >>> from workbench.city import toy_city
    >>> plan = ShelterPlan(toy_city().buildings, Shelters(planned_share=0.1))
    >>> plan.hosts.tolist(), plan.open(np.array([True])).tolist()
    ([5], [9.0])
    >>> plan.open(np.array([False])).tolist()        # the one host damaged: nothing opens
    [0.0]
    """

    def __init__(self, buildings: xr.Dataset, shelters: Shelters | None = None):
        shelters = Shelters() if shelters is None else shelters
        capable = shelter_capable(buildings)
        self.hosts = np.flatnonzero(capable)
        n = buildings.sizes[BUILDING]
        self.capacity = _places(buildings, np.ones(n), shelters)[self.hosts]
        self.share = shelters.planned_share
        ids = np.asarray(buildings[BUILDING].values).astype(str)[self.hosts]
        district = district_codes(buildings)[0]
        people = residents(buildings)
        self._district = district[self.hosts]
        # fixed orders: by district then largest first; and largest first city-wide
        self._order = np.lexsort((ids, -self.capacity, self._district))
        self._city_order = np.lexsort((ids, -self.capacity))
        d_sorted = self._district[self._order]
        self._start = np.searchsorted(d_sorted, d_sorted, side="left")
        share = 0.0 if self.share is None else self.share
        n_d = int(district.max(initial=-1)) + 1
        self._target = share * np.bincount(district, weights=people, minlength=n_d)
        self._total = share * float(people.sum())
        #: the most places each host opens within its district's share (all it holds without
        #: a planned share): what repairing it can add to the shelters, for the planners
        self.most = (self.capacity if self.share is None
                     else np.minimum(self.capacity, self._target[self._district]))

    def open(self, usable, keep=None) -> np.ndarray:
        """Places [persons] open in each host (order of :attr:`hosts`) when ``usable`` (bool,
        per host) are the fully usable ones.

        ``keep`` (persons per host, optional): people already sheltered there. A shelter that
        holds people stays open for them — their places count first against its district's
        share — so a building repaired later never takes their places away.
        """
        usable = np.asarray(usable, bool)
        if usable.shape != self.hosts.shape:
            raise InputError(f"usable must hold one flag per shelter host "
                             f"({len(self.hosts)}), got shape {usable.shape}")
        cap = np.where(usable, self.capacity, 0.0)
        if self.share is None:
            return cap
        kept = (np.zeros(len(cap)) if keep is None
                else np.minimum(np.asarray(keep, dtype=float), cap))
        target = np.maximum(self._target - np.bincount(self._district, weights=kept,
                                                       minlength=len(self._target)), 0.0)
        c = (cap - kept)[self._order]
        cum = np.cumsum(c)
        before = cum - c - np.where(self._start > 0, cum[self._start - 1], 0.0)
        fill = np.zeros(len(cap))
        fill[self._order] = np.clip(target[self._district[self._order]] - before, 0.0, c)
        # people kept beyond a district's share (placed there while their own district had no
        # usable building) still count against the plan's total: trim the new places, the
        # smallest hosts first
        excess = fill.sum() - max(self._total - kept.sum(), 0.0)
        if excess > 1e-9 * max(1.0, self._total):
            last = self._city_order[::-1]
            fill[last] -= _first_come(excess, fill[last])
        out = kept + fill
        short = self._total - out.sum()
        if short > 1e-9 * max(1.0, self._total):
            out[self._city_order] += _first_come(short, (cap - out)[self._city_order])
        return out


def _first_come(amount: float, room: np.ndarray) -> np.ndarray:
    """``amount`` shared over ``room`` in order, each taking what it holds until none is left."""
    return np.clip(amount - (np.cumsum(room) - room), 0.0, room)


def _places(buildings: xr.Dataset, q: np.ndarray, shelters: Shelters) -> np.ndarray:
    area = np.asarray(buildings["floor_area"].values, dtype=float)
    return np.maximum(area * shelters.usable_share / shelters.area_per_person
                      - residents(buildings) * q, 0.0)


def shelter_places(buildings: xr.Dataset, q_frac, shelters: Shelters | None = None) -> np.ndarray:
    """Spare shelter places of each building [persons] open when the buildings are as
    ``q_frac`` says (:class:`ShelterPlan`); 0 unless fully usable.

    ``A · usable_share / area_per_person`` less the building's own residents housed there.

    Examples
    --------
    >>> from workbench.city import toy_city
    >>> b = toy_city().buildings          # b5 planned for 9 of the 90 residents, holds 357
    >>> shelter_places(b, np.ones(6))[-1], shelter_places(b, np.ones(6), Shelters(
    ...     planned_share=None)).round(1)[-1]
    (np.float64(9.0), np.float64(357.1))
    """
    shelters = Shelters() if shelters is None else shelters
    q = np.asarray(q_frac, dtype=float)
    plan = ShelterPlan(buildings, shelters)
    opened = np.zeros(len(q))
    opened[plan.hosts] = plan.open(q[plan.hosts] >= 1.0)
    return np.where(q >= 1.0, np.minimum(_places(buildings, q, shelters), opened), 0.0)


def shelter_capacity(places, host_occupancy, rss, displaced: float, day: float,
                     shelters: Shelters | None = None) -> tuple[float, float]:
    """Service capacity added by shelters [person-units] and people sheltered [persons].

    ``H = min(displaced, Σ places + temporary places)`` people are sheltered (temporary places
    from ``shelters.temporary_from_day``). Each counts ``h = valuation.shelter_housing`` for
    housing. A host ``j`` has ``min(places_j, spare_j)`` *served* places — its normal
    supplementary capacity ``spare_j · rSS_j`` (``spare_j = host_occupancy_j``, its baseline
    occupancy not taken by its own residents) is shared among those it hosts, never copied —
    worth ``v · rSS_j`` each (``v = valuation.shelter_service``); a temporary place is
    self-supplied, worth ``v``. People take the served places of highest worth first (shelter
    managers put people where the services are), the rest any free place. So opening a place,
    or restoring a host's service, never lowers the capacity, and a sheltered person counts at
    most ``h + v`` < 2, the worth of a served resident at home: a sheltered day costs
    ``(2 − h − v) / 2`` person-days or more of service loss (:class:`Valuation`).

    Parameters
    ----------
    places, host_occupancy, rss : array_like, shape (n_hosts,)
        Open places [persons], spare baseline occupancy [persons] and rSS [-] of each host.
    displaced : float
        People to shelter [persons].
    day : float
        Day of the state [d] (for temporary shelters).

    Notes
    -----
    A greedy fill by worth is the exact optimum of this allocation (a fractional knapsack with
    unit weights); it is a sort of the hosts, cheap next to the day loop.

    Examples
    --------
    Four people in a host of 10 places whose normal occupancy is 2: housing for 4 at half a
    home's worth, supplementary service for 2 at half:

    >>> shelter_capacity(np.array([10.0]), np.array([2.0]), np.array([1.0]), 4.0, day=0)
    (3.0, 4.0)
    """
    shelters = Shelters() if shelters is None else shelters
    value = shelters.valuation
    places = np.asarray(places, dtype=float)
    temporary = shelters.temporary_places if day >= shelters.temporary_from_day else 0.0
    total = float(places.sum()) + temporary
    if total <= 0 or displaced <= 0:
        return 0.0, 0.0
    sheltered = min(float(displaced), total)
    worth = np.append(np.asarray(rss, dtype=float), 1.0)       # per served place, beyond housing
    slots = np.append(np.minimum(places, host_occupancy), temporary)
    order = np.argsort(-worth, kind="stable")
    filled = np.clip(sheltered - (np.cumsum(slots[order]) - slots[order]), 0.0, slots[order])
    return (value.shelter_housing * sheltered
            + value.shelter_service * float(worth[order] @ filled)), sheltered


def city_functionality(buildings: xr.Dataset, damage_state=None, service=None, *, model=None,
                       shelters: Shelters | None = None, day: float = 0.0) -> dict:
    """EP [EUR/day], SC and demand [person-units], displaced and sheltered [persons] of a state.

    Parameters
    ----------
    buildings : xarray.Dataset
        Dim ``building``.
    damage_state : array_like of int, shape (n_buildings,), optional
        Hazus damage states 0..4 (``None`` = intact).
    service : array_like, shape (n_buildings, 3), optional
        Service satisfaction, columns water, power, road (``None`` = full).
    model : FunctionalityModel, optional
    shelters : Shelters, optional
    day : float
        Day of the state [d] (for temporary shelters).

    Examples
    --------
    The intact toy city has SC = demand; collapsing the first house displaces its 30 residents,
    whom the public building b5 (357 places with no planned cap, normal occupancy 200) shelters
    — each worth 1 of the 2 person-units of a served home (:class:`Valuation`), so the loss is
    30 person-units a day:

    >>> from workbench.city import toy_city
    >>> b = toy_city().buildings
    >>> f = city_functionality(b)
    >>> f["sc"] == f["demand"], f["displaced"]
    (True, 0.0)
    >>> f = city_functionality(b, [4, 0, 0, 0, 0, 0], shelters=Shelters(planned_share=None))
    >>> f["demand"] - f["sc"], f["sheltered"]
    (30.0, 30.0)
    """
    n = buildings.sizes[BUILDING]
    ds = np.zeros(n, np.int64) if damage_state is None else np.asarray(damage_state)
    a_frac, q_frac = usable_fractions(ds)
    service = _full_service(buildings, service)
    model = functionality_model(model)
    rss = model.rss(buildings, service)
    ep = building_ep(buildings, a_frac, service, model)
    housed = residents(buildings) * q_frac
    sc = housed * (1.0 + rss)
    displaced = displaced_population(buildings, q_frac)
    spare = np.maximum(np.asarray(buildings["occupancy"].values, dtype=float) - housed, 0.0)
    extra, sheltered = shelter_capacity(shelter_places(buildings, q_frac, shelters), spare, rss,
                                        displaced, day, shelters)
    return {"ep": float(ep.sum()), "sc": float(sc.sum()) + extra,
            "demand": service_demand(buildings), "displaced": displaced, "sheltered": sheltered}
