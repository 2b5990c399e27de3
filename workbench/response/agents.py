"""Households and businesses as agents on a finished recovery: who leaves, where to, when back.

A **post-processing layer**: :func:`simulate_agents` reads a recovery Dataset
(:func:`workbench.recovery.simulate_recovery`) — when each building and each component is
restored — and replays the horizon day by day with people in it. The recovery's day loop is not
changed and does not see the agents; the agents' states give *adjusted* EP and SC curves next to
the recovery's own. With ``enabled=False`` the function returns the recovery's curves unchanged
(bit for bit) and the household counts the recovery implies, so a report can show both.

What each agent sees on day ``t`` (state at the start of day ``t``, as in the recovery)
-------------------------------------------------------------------------------------
* its building's usable share ``q_i(t)`` (:data:`~workbench.functionality.Q_BASE_BY_DAMAGE_STATE`
  at its damage state until ``building_restored_day``, 1 from then on);
* the building's water and power service ``s_i(t)``: :meth:`InfrastructureSystem.service` of the
  component states of that day (a component works from its ``component_restored_day``), evaluated
  once per day on which some component returns;
* the distance from home to each shelter host (Euclidean, ``x``, ``y`` [m]).

Households (one agent per household; vectorised over agents, one loop over days)
---------------------------------------------------------------------------------
States: ``home``, ``shelter`` (a place in a shelter host, :func:`~workbench.functionality.shelter_places`,
or a temporary place of :class:`~workbench.functionality.Shelters`), ``elsewhere`` (with family,
friends or in a rental in another district — outside the city when it has one district),
``unsheltered`` (displaced, waiting for a shelter place near home).

1. **Day 0, dislocation** (``dislocation_model``). By default (``"hazus"``) a household leaves
   with the Hazus displaced-household weight of its building's damage state
   (:data:`HAZUS_DISPLACED_WEIGHTS`; FEMA 2022, displaced households): moderate damage (DS2) 0;
   extensive (DS3) 0.9 in a multi-family building, 0 in a single-family one (a building of one
   household); complete (DS4) 1; none or slight (DS0–1) 0. Hazus reads extensive damage as
   leaving some dwellings habitable (a tenth of multi-family units) and single-family owners
   staying on their property while they repair; the recovery reads DS3 as an ATC-20 red placard
   (``q = 0``). *Decision (assumption):* Hazus decides who is displaced — a household it does
   not displace from a DS3 (or DS2) building stays ``home`` and counts at home in SC, like any
   resident at home, until it leaves for want of utilities; the recovery's own curves keep
   ``q = 0``. The agents' day-0 displacement is therefore below the recovery's ``R (1 − q)``
   wherever buildings have DS2 or DS3 damage (the recovery's count is ``"recovery"``, below).
   ``"lin2008"`` keeps IN-CORE's rule, a *transfer* (a US regression applied to another
   country): ``P`` = 1 when the building is unusable (``q = 0``, ATC-20 red placard: entry is
   prohibited); 0 when fully usable (``q = 1``, Hazus DS0–1: IN-CORE sets dislocation to zero
   for insignificant damage); in between (DS2, yellow placard: a choice) the logistic model of
   Lin (2008) as implemented in IN-CORE (pyincore ``PopulationDislocationUtil.get_disl_probability``):
   ``logit P = −0.42523 + 0.02480 · VL[%] − 0.50166 · SF − 0.01826 · %black − 0.01198 · %hisp``,
   with ``VL`` the value loss in percent of the building's value — here the Hazus repair-cost
   ratio of its damage state and type (:func:`workbench.hazard.fragility.building_consequences`; IN-CORE
   draws it from the damage factors of Bai et al. 2009: the substitution is an *assumption*) —
   ``SF`` = 1 for a building of one household (IN-CORE: one housing unit), and the two
   block-group shares set to 0 (no such data for a European city: *assumption*).
   ``"recovery"``: ``P = 1 − q``, the share the recovery counts displaced (used by
   :func:`agents_decomposition` to switch the mechanism off).
2. **Utilities.** A household at home whose building has been without water or power for
   ``utility_tolerance_days`` full days (default 3: the first 72 hours) leaves on each further
   day of the outage with probability ``utility_leave_rate``.
3. **Where to** (``shelter_model``). A leaving household seeks a public shelter with a
   probability of its own (:func:`shelter_seeking_probability`), drawn from the agents' seeded
   generator. By default (``"hazus"``) it is the Hazus short-term shelter model (FEMA 2022,
   shelter needs): the share of displaced people who seek public shelter is
   ``α_I IM + α_E EM + α_O OM + α_A AM``, modification factors for income, ethnicity, ownership
   and age with the default weights ``α = 0.73, 0.27, 0, 0`` (:data:`HAZUS_SHELTER_WEIGHTS`);
   the income factor ``IM`` of the household's class is 0.62 (< $10,000 a year), 0.42
   ($10–15k), 0.29 ($15–25k), 0.22 ($25–35k), 0.13 (> $35k)
   (:data:`HAZUS_SHELTER_INCOME_CLASSES`). Household income = the building's
   ``income_per_capita`` [EUR/year] × persons per household × ``income_usd_per_eur`` (0.451 US
   dollars of 1990 per euro of 2024: the ECB's 2024 reference rate 1.0824 USD/EUR times the US
   CPI-U ratio 1990/2024, 130.7/313.689; the manual states no price year for its classes, which
   date from its 1990-census-era shelter study: a *transfer*, labelled assumption). A European
   city has no ethnicity data, and ownership and age weigh 0: the terms without data drop out
   and the weights left are rescaled to sum 1, so the share is ``IM`` — the ethnicity weight's
   mass is put on income (*assumption*). Households of a city without ``income_per_capita``
   seek with ``shelter_share`` (0.3, an *assumption*), as every household does with
   ``shelter_model="share"``. A household that does not seek goes
   ``elsewhere`` (another district, chosen in proportion to its residents: family and
   friends live where people live). A seeker takes the nearest host with a free place within
   ``shelter_max_distance_m`` (then a temporary place); with none it is ``unsheltered`` and tries
   again every day, moving ``elsewhere`` with daily probability ``unsheltered_leave_rate``.
   Places are never over-filled: seekers are admitted host by host in order (those waiting
   first), as long as their household fits.
4. **Return.** A household away returns home once its building is fully usable and has water
   and power (without waiting for them with ``return_needs_services=False``), with daily
   probability ``1 / return_days`` of its state (1 when ``return_days ≤ 1``): a geometric delay of mean ``return_days − 1`` days after the first day
   it could.

Businesses (one agent per non-residential building)
---------------------------------------------------
``closed`` while the building is unusable (``a = 0``) and, once it is restored, until it
reopens: with daily probability ``1 / reopen_days`` (1 when ``reopen_days ≤ 1``; the delay is
drawn once per business from its own stream); ``reduced`` when open below
its full EP (restricted-use floor area, missing services, or — for the ``customer_types`` — fewer
customers: EP × min(1, people present in the district / its residents)); ``open`` otherwise.

Adjusted curves
---------------
* ``EP(t) = Σ_residential A a EP_unit(s) + Σ_business [open] · A a EP_unit(s) · customers`` —
  the recovery's per-building EP times the business state.
* ``SC(t) = Σ_i H_i (1 + rSS_i) + Σ_j [h_S h_j + v_S rSS_j · min(h_j, Q'_j)] + (h_S + v_S) h_T
  + (h_E + v_E) E``, with ``H_i`` the residents at home, ``h_j`` the people in host ``j``
  (``Q'_j`` its spare baseline occupancy), ``h_T`` those in temporary places and ``E`` those
  elsewhere; the shares ``h_S, v_S, h_E, v_E`` are the one :class:`~workbench.functionality.Valuation`
  the recovery uses too (``shelters.valuation``): home (2 when served) > elsewhere (1.25) >
  public shelter (≤ 1) > unsheltered (0).
  The demand ``2 · Σ R_i`` is unchanged: nobody is created or lost (tested every day).

What moves the service loss
---------------------------
:func:`agents_decomposition` measures it rather than asserting it: the service loss and the
displaced person-days of the recovery alone, of the agents with their settings, and of the
agents with one mechanism switched off at a time (:data:`DECOMPOSITION_CASES`: day-0
dislocation as the recovery's ``1 − q``, no leaving for utilities, no return delay, return
without waiting for water and power, every leaving household seeking shelter, the unsheltered
waiting, both of these — nobody goes ``elsewhere`` —, no distance limit to shelters) and with all
of them off, which reproduces the recovery's figures up to the day-0 draws (and whole
households in shelter places). It only calls
:func:`simulate_agents` with other settings, so it reflects whatever valuation of the states SC
uses.

Parameters without a source are labelled *assumption* in :data:`ASSUMPTIONS` (the entries to
merge into :data:`workbench.core.assumptions.REGISTRY`).

References
----------
FEMA (2022). *Hazus Earthquake Model Technical Manual*, Hazus 5.1. Federal Emergency Management
Agency, Washington, D.C. — direct social losses: displaced households (weights by damage state
and single-/multi-family dwelling) and short-term shelter needs (modification factors by income,
ethnicity, ownership and age, and their weights).
Lin, Y.-S. (2008). Dislocation Algorithm 3 (logistic regression). Hazard Reduction and Recovery
Center, Texas A&M University, research report 08-05R — as cited by, and with the coefficients
implemented in, pyincore (IN-CORE) ``analyses/populationdislocation``
(``PopulationDislocationUtil.get_disl_probability``).
Rosenheim, N., Guidotti, R., Gardoni, P., & Peacock, W. G. (2021). Integration of detailed
household and housing unit characteristic data with critical infrastructure for post-hazard
resilience modeling. *Sustainable and Resilient Infrastructure*, 6(6), 385–401.
doi:10.1080/23789689.2019.1681821
Bai, J., Hueste, M. B. D., & Gardoni, P. (2009). Probabilistic assessment of structural damage
due to earthquakes for buildings in Mid-America. *Journal of Structural Engineering*, 135(10).
doi:10.1061/(ASCE)0733-9445(2009)135:10(1155)
Applied Technology Council (1989). ATC-20, *Procedures for postearthquake safety evaluation of
buildings*.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass, field, replace
from types import MappingProxyType
from typing import Mapping

import numpy as np
import pandas as pd
import xarray as xr

from ..core import assumptions as _assumptions
from ..city.model import City
from ..core.dims import BUILDING, COMPONENT, NETWORKS, REALIZATION, STRATEGY, TIME
from ..core.errors import InputError, WorkbenchError
from ..hazard.fragility import building_consequences
from ..metrics.indexes import displaced_person_days, service_loss
from ..functionality import (A_EFF_BY_DAMAGE_STATE, Q_BASE_BY_DAMAGE_STATE, Shelters,
                             functionality_model, residents, ShelterPlan, district_codes)

__all__ = ["Households", "Businesses", "simulate_agents", "dislocation_probability",
           "hazus_displaced_share", "shelter_seeking_probability", "agents_decomposition",
           "district_codes", "DISLOCATION_COEFFICIENTS", "DISLOCATION_MODELS", "SHELTER_MODELS",
           "HAZUS_DISPLACED_WEIGHTS", "HAZUS_SHELTER_INCOME_CLASSES", "HAZUS_SHELTER_WEIGHTS",
           "DECOMPOSITION_CASES", "RECOVERY_CASE", "ASSUMPTIONS", "STATES", "BUSINESS_STATES", "STATE", "DISTRICT",
           "BUSINESS_STATE"]

#: Dims of the agents' Dataset (to move to :mod:`workbench.core.dims`).
STATE, DISTRICT, BUSINESS_STATE = "state", "district", "business_state"
#: Household states, in the order of the ``state`` dim.
STATES = ("home", "shelter", "elsewhere", "unsheltered")
#: Business states, in the order of the ``business_state`` dim.
BUSINESS_STATES = ("open", "reduced", "closed")
_HOME, _SHELTER, _ELSEWHERE, _UNSHELTERED = range(4)

#: Lin (2008) logistic dislocation model, coefficients as in pyincore (value loss in percent).
DISLOCATION_COEFFICIENTS = MappingProxyType({
    "intercept": -0.42523, "value_loss_percent": 0.02480, "single_family": -0.50166,
    "percent_black": -0.01826, "percent_hispanic": -0.01198})
#: Day-0 dislocation models of :class:`Households` (module docstring, step 1).
DISLOCATION_MODELS = ("hazus", "lin2008", "recovery")
#: Shelter-seeking models of :class:`Households` (module docstring, step 3).
SHELTER_MODELS = ("hazus", "share")
#: Hazus displaced-household weights: the share of a building's households displaced, by its
#: Hazus damage state 0–4 (the manual's moderate, extensive, complete are DS2–4; DS0–1 displace
#: nobody), for single-family (one household) and multi-family buildings (FEMA 2022).
HAZUS_DISPLACED_WEIGHTS = MappingProxyType({"single_family": (0.0, 0.0, 0.0, 0.0, 1.0),
                                           "multi_family": (0.0, 0.0, 0.0, 0.9, 1.0)})
#: Hazus short-term shelter model: household income classes (upper bounds [USD/year]) and their
#: modification factors, the share of the displaced who seek public shelter (FEMA 2022).
HAZUS_SHELTER_INCOME_CLASSES = MappingProxyType({
    "upper_usd": (10_000.0, 15_000.0, 25_000.0, 35_000.0, math.inf),
    "factor": (0.62, 0.42, 0.29, 0.22, 0.13)})
#: Hazus default weights of the shelter model's modification factors (FEMA 2022).
HAZUS_SHELTER_WEIGHTS = MappingProxyType({"income": 0.73, "ethnicity": 0.27, "ownership": 0.0,
                                          "age": 0.0})

#: The constants of this module, with their status (entries for workbench.core.assumptions.REGISTRY).
ASSUMPTIONS = (
    _assumptions.Assumed(
        "hazus_displaced_household_weights", HAZUS_DISPLACED_WEIGHTS,
        "share of a building's households, by damage state 0-4", "cited",
        "FEMA (2022) Hazus Earthquake Model Technical Manual, Hazus 5.1, displaced households: "
        "moderate 0 / extensive 0 / complete 1 for single-family, 0 / 0.9 / 1 for multi-family "
        "dwellings (DS0-1: none displaced); the default dislocation_model='hazus'",
        "workbench.response.agents"),
    _assumptions.Assumed(
        "hazus_displacement_overrides_placard", True, "-", "assumption",
        "a household Hazus does not displace from a DS2-3 building (single-family at DS3, a "
        "tenth of multi-family households at DS3) stays home and counts at home in SC, although "
        "the recovery counts DS3 as red-tagged (q = 0): Hazus's reading of extensive damage "
        "(habitable parts, owners staying on their property) decides who is displaced",
        "workbench.response.agents"),
    _assumptions.Assumed(
        "dislocation_logit_coefficients", DISLOCATION_COEFFICIENTS, "logit per unit", "cited",
        "transfer (a US regression applied to another country), the option "
        "dislocation_model='lin2008': Lin (2008) HRRC report 08-05R, Dislocation Algorithm 3, "
        "as implemented in pyincore PopulationDislocationUtil.get_disl_probability (IN-CORE; "
        "Rosenheim et al. 2021, doi:10.1080/23789689.2019.1681821)",
        "workbench.response.agents"),
    _assumptions.Assumed(
        "dislocation_value_loss", "Hazus repair-cost ratio by damage state", "share of value",
        "assumption", "IN-CORE draws value loss from the Bai et al. (2009) damage factors; the "
        "workbench's Hazus cost ratios stand in for them; race/ethnicity shares set to 0",
        "workbench.response.agents"),
    _assumptions.Assumed("household_size", 2.0, "persons per household", "assumption",
                         "about the mean household size of a Finnish city",
                         "workbench.response.agents"),
    _assumptions.Assumed(
        "hazus_shelter_income_factors", HAZUS_SHELTER_INCOME_CLASSES,
        "share of displaced people seeking public shelter, by household income class [USD/yr]",
        "cited", "FEMA (2022) Hazus Earthquake Model Technical Manual, Hazus 5.1, short-term "
        "shelter needs, modification factors by income: < $10k 0.62, $10-15k 0.42, $15-25k "
        "0.29, $25-35k 0.22, > $35k 0.13; the default shelter_model='hazus'",
        "workbench.response.agents"),
    _assumptions.Assumed(
        "hazus_shelter_weights", HAZUS_SHELTER_WEIGHTS, "weight of each modification factor",
        "cited", "FEMA (2022) Hazus Earthquake Model Technical Manual, Hazus 5.1, short-term "
        "shelter needs, default weights: income 0.73, ethnicity 0.27, ownership 0, age 0",
        "workbench.response.agents"),
    _assumptions.Assumed(
        "shelter_weights_without_data", "terms without data drop out, the rest rescaled to 1",
        "-", "assumption", "no ethnicity data for a European city (ownership and age weigh 0): "
        "the share seeking shelter is the income factor alone, the ethnicity weight's mass put "
        "on income", "workbench.response.agents"),
    _assumptions.Assumed(
        "income_usd_per_eur", 0.451, "USD of 1990 per EUR of 2024", "assumption",
        "transfer of the Hazus income classes: household income = income_per_capita x persons "
        "per household [EUR/yr, 2024] x the ECB 2024 reference rate 1.0824 USD/EUR x the US "
        "CPI-U 1990/2024 (130.7/313.689); the manual states no price year for its classes, "
        "taken as 1990 dollars (its shelter study dates from the 1990 census era)",
        "workbench.response.agents"),
    _assumptions.Assumed("shelter_seeking_share", 0.3, "share of dislocated households",
                         "assumption", "most displaced households stay with family, friends or "
                         "rent; used where a building has no income_per_capita "
                         "(shelter_model='hazus') and for every household with "
                         "shelter_model='share'; replace with survey data",
                         "workbench.response.agents"),
    _assumptions.Assumed("shelter_max_distance_m", 2000.0, "m", "assumption",
                         "walking distance to a shelter", "workbench.response.agents"),
    _assumptions.Assumed("utility_tolerance_days", 3.0, "days", "assumption",
                         "the 72-hour self-sufficiency households are asked to prepare for",
                         "workbench.response.agents"),
    _assumptions.Assumed("utility_leave_rate", 0.1, "per day", "assumption",
                         "daily probability of leaving a home without water or power after "
                         "the tolerance", "workbench.response.agents"),
    _assumptions.Assumed("unsheltered_leave_rate", 0.2, "per day", "assumption",
                         "daily probability that a household without a shelter place finds "
                         "one with family or friends", "workbench.response.agents"),
    _assumptions.Assumed("return_days", (3.0, 14.0, 1.0), "days (shelter, elsewhere, "
                         "unsheltered)", "assumption", "mean delay of the return once home "
                         "is usable and served", "workbench.response.agents"),
    _assumptions.Assumed("business_reopen_days", 7.0, "days", "assumption",
                         "mean delay between a business's building being usable and its "
                         "reopening (stock, staff)", "workbench.response.agents"),
)
_DEFAULT = {a.name: a.value for a in ASSUMPTIONS}


def _positive(name: str, value, *, allow_zero: bool = False, allow_inf: bool = False) -> float:
    ok = isinstance(value, (int, float, np.integer, np.floating)) and not isinstance(value, bool)
    v = float(value) if ok else math.nan
    if not ok or math.isnan(v) or v < 0 or (v == 0 and not allow_zero) or (
            math.isinf(v) and not allow_inf):
        rule = "≥ 0" if allow_zero else "> 0"
        raise InputError(f"{name} must be a {'' if allow_inf else 'finite '}number {rule}, "
                         f"got {value!r}")
    return v


def _share(name: str, value) -> float:
    v = _positive(name, value, allow_zero=True)
    if v > 1:
        raise InputError(f"{name} must be a share in [0, 1], got {value!r}")
    return v


def _choice(name: str, value, allowed: tuple) -> str:
    if not isinstance(value, str) or value not in allowed:
        raise InputError(f"{name} must be one of {', '.join(map(repr, allowed))}, got {value!r}")
    return value


@dataclass(frozen=True)
class Households:
    """Decision settings of the household agents (module docstring, steps 1–4).

    Parameters
    ----------
    household_size : float
        Persons per agent [persons], > 0; each building's residents are split into
        ``max(1, round(R / household_size))`` agents of equal size.
    shelter_share : float
        Share of leaving households that seek a public shelter, in [0, 1]: every household's
        with ``shelter_model="share"``, else that of the households of a city without
        ``income_per_capita``.
    shelter_max_distance_m : float
        Farthest host a household walks to [m], ≥ 0 (``inf`` = any).
    utility_tolerance_days : float
        Days without water or power at home before households start to leave [d], ≥ 0.
    utility_leave_rate, unsheltered_leave_rate : float
        Daily probabilities in [0, 1].
    return_days : (float, float, float)
        Mean delay of the return [d] from ``shelter``, ``elsewhere``, ``unsheltered``, each ≥ 0.
    dislocation : mapping of str to float
        Logistic coefficients of ``dislocation_model="lin2008"``, keys of
        :data:`DISLOCATION_COEFFICIENTS`.
    dislocation_model : {"hazus", "lin2008", "recovery"}
        Who leaves on day 0 (module docstring, step 1): the Hazus displaced-household weights
        (default), Lin's (2008) logistic model as in IN-CORE (a transfer), or the recovery's
        usable share (``1 − q``).
    shelter_model : {"hazus", "share"}
        Who of those leaving seeks a public shelter (step 3): the Hazus income factors
        (default; ``shelter_share`` where income is unknown), or ``shelter_share`` for all.
    income_usd_per_eur : float
        US dollars of the Hazus income classes per euro of ``income_per_capita``, > 0.
    return_needs_services : bool
        Households away wait for water and power at home before returning (step 4).

    Examples
    --------
    >>> Households().shelter_share, Households().dislocation_model
    (0.3, 'hazus')
    >>> Households(shelter_share=2)
    Traceback (most recent call last):
    ...
    workbench.core.errors.InputError: shelter_share must be a share in [0, 1], got 2
    >>> Households(dislocation_model="lin")
    Traceback (most recent call last):
    ...
    workbench.core.errors.InputError: dislocation_model must be one of 'hazus', 'lin2008', 'recovery', got 'lin'
    """

    household_size: float = _DEFAULT["household_size"]
    shelter_share: float = _DEFAULT["shelter_seeking_share"]
    shelter_max_distance_m: float = _DEFAULT["shelter_max_distance_m"]
    utility_tolerance_days: float = _DEFAULT["utility_tolerance_days"]
    utility_leave_rate: float = _DEFAULT["utility_leave_rate"]
    unsheltered_leave_rate: float = _DEFAULT["unsheltered_leave_rate"]
    return_days: tuple = _DEFAULT["return_days"]
    dislocation: Mapping[str, float] = field(default_factory=lambda: DISLOCATION_COEFFICIENTS)
    dislocation_model: str = "hazus"
    shelter_model: str = "hazus"
    income_usd_per_eur: float = _DEFAULT["income_usd_per_eur"]
    return_needs_services: bool = True

    def __post_init__(self):
        _positive("household_size", self.household_size)
        _choice("dislocation_model", self.dislocation_model, DISLOCATION_MODELS)
        _choice("shelter_model", self.shelter_model, SHELTER_MODELS)
        _positive("income_usd_per_eur", self.income_usd_per_eur)
        if not isinstance(self.return_needs_services, (bool, np.bool_)):
            raise InputError(f"return_needs_services must be true or false, got "
                             f"{self.return_needs_services!r}")
        object.__setattr__(self, "return_needs_services", bool(self.return_needs_services))
        _share("shelter_share", self.shelter_share)
        _positive("shelter_max_distance_m", self.shelter_max_distance_m, allow_zero=True,
                  allow_inf=True)
        _positive("utility_tolerance_days", self.utility_tolerance_days, allow_zero=True,
                  allow_inf=True)
        _share("utility_leave_rate", self.utility_leave_rate)
        _share("unsheltered_leave_rate", self.unsheltered_leave_rate)
        days = tuple(self.return_days)
        if len(days) != 3:
            raise InputError(f"return_days must give 3 mean delays (shelter, elsewhere, "
                             f"unsheltered), got {self.return_days!r}")
        object.__setattr__(self, "return_days", tuple(
            _positive(f"return_days[{i}]", d, allow_zero=True) for i, d in enumerate(days)))
        keys = set(self.dislocation)
        if keys != set(DISLOCATION_COEFFICIENTS):
            raise InputError(f"dislocation must give the coefficients "
                             f"{sorted(DISLOCATION_COEFFICIENTS)}, got {sorted(keys)}")
        object.__setattr__(self, "dislocation", MappingProxyType(
            {k: float(v) for k, v in self.dislocation.items()}))

    def __hash__(self):
        return hash((self.household_size, self.shelter_share, self.shelter_max_distance_m,
                     self.utility_tolerance_days, self.utility_leave_rate,
                     self.unsheltered_leave_rate, self.return_days,
                     tuple(sorted(self.dislocation.items())), self.dislocation_model,
                     self.shelter_model, self.income_usd_per_eur, self.return_needs_services))

    def as_attrs(self) -> dict:
        """The settings as netCDF-safe attributes."""
        return {"household_size": float(self.household_size),
                "shelter_share": float(self.shelter_share),
                "shelter_max_distance_m": float(self.shelter_max_distance_m),
                "utility_tolerance_days": float(self.utility_tolerance_days),
                "utility_leave_rate": float(self.utility_leave_rate),
                "unsheltered_leave_rate": float(self.unsheltered_leave_rate),
                "return_days": json.dumps(dict(zip(STATES[1:], self.return_days))),
                "dislocation": json.dumps(dict(self.dislocation)),
                "dislocation_model": self.dislocation_model, "shelter_model": self.shelter_model,
                "income_usd_per_eur": float(self.income_usd_per_eur),
                "return_needs_services": int(self.return_needs_services)}


@dataclass(frozen=True)
class Businesses:
    """Decision settings of the business agents.

    Parameters
    ----------
    reopen_days : float
        Mean delay [d] between a closed business's building being usable again and its
        reopening, ≥ 0 (0 = at once).
    customer_types : tuple of str
        Building types whose EP follows the people present in their district.

    Examples
    --------
    >>> Businesses().reopen_days
    7.0
    """

    reopen_days: float = _DEFAULT["business_reopen_days"]
    customer_types: tuple = ("commercial",)

    def __post_init__(self):
        _positive("reopen_days", self.reopen_days, allow_zero=True)
        object.__setattr__(self, "customer_types", tuple(str(t) for t in self.customer_types))

    def as_attrs(self) -> dict:
        """The settings as netCDF-safe attributes."""
        return {"reopen_days": float(self.reopen_days),
                "customer_types": ",".join(self.customer_types)}


def dislocation_probability(value_loss, single_family, coefficients=DISLOCATION_COEFFICIENTS
                            ) -> np.ndarray:
    """Probability that a household leaves its damaged home, Lin (2008) logistic model.

    Parameters
    ----------
    value_loss : array_like
        Share of the building's value lost, in [0, 1] (the model takes it in percent).
    single_family : array_like of bool
        Building of one household.

    Examples
    --------
    >>> dislocation_probability([0.1, 0.1, 1.0], [False, True, False]).round(3).tolist()
    [0.456, 0.337, 0.886]
    """
    c = coefficients
    logit = (c["intercept"] + c["value_loss_percent"] * 100.0 * np.asarray(value_loss, float)
             + c["single_family"] * np.asarray(single_family, float))
    return 1.0 / (1.0 + np.exp(-logit))


def hazus_displaced_share(damage_state, single_family) -> np.ndarray:
    """Share of a building's households displaced at the event, by the Hazus weights
    (:data:`HAZUS_DISPLACED_WEIGHTS`; module docstring, step 1).

    Parameters
    ----------
    damage_state : array_like of int
        Hazus damage state 0–4 of the building.
    single_family : array_like of bool
        Building of one household.

    Examples
    --------
    >>> hazus_displaced_share([1, 2, 3, 3, 4], [False, False, False, True, True]).tolist()
    [0.0, 0.0, 0.9, 0.0, 1.0]
    """
    ds = np.asarray(damage_state)
    if ds.size and (not np.issubdtype(ds.dtype, np.integer) or ds.min() < 0 or ds.max() > 4):
        raise InputError(f"damage_state must hold Hazus states 0..4, got {np.unique(ds)[:5]}")
    single = np.asarray(HAZUS_DISPLACED_WEIGHTS["single_family"])[ds]
    multi = np.asarray(HAZUS_DISPLACED_WEIGHTS["multi_family"])[ds]
    return np.where(np.asarray(single_family, bool), single, multi)


def shelter_seeking_probability(household_income, *,
                                usd_per_eur: float = _DEFAULT["income_usd_per_eur"],
                                fallback: float = _DEFAULT["shelter_seeking_share"]
                                ) -> np.ndarray:
    """Probability that a displaced household seeks a public shelter: the Hazus short-term
    shelter model by income (module docstring, step 3).

    The Hazus share is ``Σ α_k F_k`` over the modification factors income, ethnicity,
    ownership and age (:data:`HAZUS_SHELTER_WEIGHTS`); with income the only one known, the
    terms without data drop out and the weights are rescaled to sum 1: the share is the income
    factor of the household's class (:data:`HAZUS_SHELTER_INCOME_CLASSES`).

    Parameters
    ----------
    household_income : array_like of float
        Household income [EUR/year at the price year], ≥ 0; NaN where unknown.
    usd_per_eur : float
        US dollars of the income classes per euro (default: 1990 dollars per 2024 euro).
    fallback : float
        Probability where the income is unknown, in [0, 1].

    Examples
    --------
    >>> shelter_seeking_probability([15_000, 30_000, 50_000, 70_000, 100_000, np.nan]).tolist()
    [0.62, 0.42, 0.29, 0.22, 0.13, 0.3]
    """
    income = np.asarray(household_income, dtype=float)
    _positive("usd_per_eur", usd_per_eur)
    _share("fallback", fallback)
    if (income < 0).any():
        raise InputError(f"household income must be ≥ 0 [EUR/year] (NaN where unknown), got "
                         f"{income[income < 0][:3].tolist()}")
    w = HAZUS_SHELTER_WEIGHTS
    known = ("income",)                   # no ethnicity data; ownership and age weigh 0
    scale = sum(w[k] for k in known)
    classes = HAZUS_SHELTER_INCOME_CLASSES
    k = np.searchsorted(np.asarray(classes["upper_usd"][:-1]), income * usd_per_eur,
                        side="right")
    factor = np.asarray(classes["factor"])[np.minimum(k, len(classes["factor"]) - 1)]
    return np.where(np.isnan(income), float(fallback), factor * (w["income"] / scale))


# --------------------------------------------------------------------------- the timeline

class _Timeline:
    """Per-building states of one strategy's recovery: usable shares, service, EP and rSS."""

    def __init__(self, city, system, damage, recovery, model):
        b = city.buildings
        ids = b[BUILDING].values
        self.horizon = int(recovery.sizes[TIME]) - 1
        self.restored = _aligned(recovery["building_restored_day"], BUILDING, ids, "recovery")
        ds = _aligned(damage["building_damage_state"], BUILDING, ids, "damage").astype(np.int64)
        if ds.size and (ds.min() < 0 or ds.max() > 4):
            raise InputError("damage building_damage_state must hold Hazus states 0..4.")
        self.ds = ds
        self.q0, self.a0 = Q_BASE_BY_DAMAGE_STATE[ds], A_EFF_BY_DAMAGE_STATE[ds]
        n_b = len(ids)
        if system is None:
            starts = np.zeros(1)
            service = np.ones((1, n_b, len(NETWORKS)))
        else:
            c_day = _aligned(recovery["component_restored_day"], COMPONENT,
                             system.component_ids, "recovery")
            change = np.unique(c_day[np.isfinite(c_day) & (c_day > 0) & (c_day <= self.horizon)])
            starts = np.concatenate([[0.0], change])
            states = c_day[None, :] <= starts[:, None]
            service = np.asarray(system.service(states), dtype=float).reshape(
                len(starts), n_b, len(NETWORKS))
        self.starts = starts
        self.segment = np.searchsorted(starts, np.arange(self.horizon + 1), side="right") - 1
        self.service = service
        # water or power out, by segment and building (the agents' utility outage)
        self.outage = (service[..., 0] < 1) | (service[..., 1] < 1)
        self.ep_unit, self.rss = _model_values(model, b, service)
        self.area = np.asarray(b["floor_area"].values, dtype=float)
        full = np.ones((n_b, len(NETWORKS)))
        self.ep_full = self.area * np.asarray(model.ep_unit(b, full), float)

    def q(self, t):
        return np.where(t >= self.restored, 1.0, self.q0)

    def a(self, t):
        return np.where(t >= self.restored, 1.0, self.a0)

    def day(self, t):
        """(service (n_b, 3), EP per building [EUR/day], rSS) of day ``t``."""
        k = self.segment[t]
        return self.service[k], self.area * self.a(t) * self.ep_unit[k], self.rss[k]


def _model_values(model, b: xr.Dataset, service: np.ndarray):
    """EP_unit and rSS (segment, building) at each segment's service.

    A model gives a building's values from that building and its service (the contract the
    recovery relies on too), so with 0/1 service each building's values are known from the
    2³ service patterns: 16 model calls instead of two per segment."""
    n_seg, n_b = service.shape[:2]
    binary = ((service == 0.0) | (service == 1.0)).all()
    if not binary or n_seg <= 8:
        return (np.stack([np.asarray(model.ep_unit(b, s), float) for s in service]),
                np.stack([np.asarray(model.rss(b, s), float) for s in service]))
    bits = 1 << np.arange(len(NETWORKS))
    patterns = ((np.arange(2 ** len(NETWORKS))[:, None] & bits) > 0).astype(float)
    ep_tab = np.stack([np.asarray(model.ep_unit(b, np.tile(p, (n_b, 1))), float)
                       for p in patterns])
    rss_tab = np.stack([np.asarray(model.rss(b, np.tile(p, (n_b, 1))), float)
                        for p in patterns])
    code = (service.astype(np.int64) * bits).sum(axis=2)            # (segment, building)
    cols = np.arange(n_b)[None, :]
    return ep_tab[code, cols], rss_tab[code, cols]


def _aligned(da: xr.DataArray, dim: str, ids, what: str) -> np.ndarray:
    if REALIZATION in da.dims:
        if da.sizes[REALIZATION] != 1:
            raise InputError(f"{what} must be one realization; select it with "
                             f".isel(realization=r).")
        da = da.isel({REALIZATION: 0})
    have = da[dim].values.astype(str)
    if len(have) != len(ids) or (have != np.asarray(ids).astype(str)).any():
        missing = sorted(set(np.asarray(ids).astype(str)) - set(have))
        if missing:
            raise InputError(f"{what} lacks {len(missing)} {dim}(s) of the city/system, e.g. "
                             f"{missing[:3]}; was it computed for this city?")
        da = da.sel({dim: ids})
    return np.asarray(da.values, dtype=float)


# --------------------------------------------------------------------------- public entry

def simulate_agents(city: City, system, damage: xr.Dataset, recovery: xr.Dataset, *,
                    households: Households | None = None, businesses: Businesses | None = None,
                    shelters: Shelters | None = None, functionality=None, seed: int = 0,
                    enabled: bool = True) -> xr.Dataset:
    """Households and businesses deciding day by day on a finished recovery (module docstring).

    Parameters
    ----------
    city : City
    system : InfrastructureSystem or None
        The system the recovery ran on (``None``: no networks, full service).
    damage : xarray.Dataset
        The realization the recovery ran on (``building_damage_state``).
    recovery : xarray.Dataset
        Output of :func:`~workbench.recovery.simulate_recovery`, with or without dim
        ``strategy``.
    households, businesses : Households, Businesses, optional
    shelters : Shelters, optional
        The shelters the recovery used (temporary places).
    functionality : FunctionalityModel, optional
        The model the recovery used.
    seed : int
        Seed of the agents' ``numpy.random.Generator`` (the same draws for every strategy);
        recorded in ``attrs["seed"]``.
    enabled : bool
        ``False``: the recovery's own curves, exactly, and the counts it implies (its displaced
        ``R(1 − q)``, sheltered as it shelters them, nobody elsewhere).

    Returns
    -------
    xarray.Dataset
        Dims (``strategy``,) ``time``, ``state``, ``district``, ``business_state``, ``building``:
        ``households`` (time, state) and ``households_by_district`` (time, district, state)
        [households], ``persons`` (time, state) and ``persons_by_district`` (time, district,
        state) [persons] — by home district —
        ``present`` (time, district) [persons in the district], ``businesses`` (time,
        business_state) [businesses], ``ep`` [EUR/day], ``sc``, ``demand`` [person-units],
        ``ep_functionality``, ``sc_functionality`` [-], ``displaced`` [persons not at home] and
        ``sheltered`` [of them, in a public shelter] on (time), ``supply_need`` (time, building) [persons needing emergency supplies there: in
        shelters, unsheltered near home, at home without water], and the recovery's
        ``building_restored_day``, ``component_restored_day`` [day]. ``attrs``: ``enabled``,
        ``seed``, ``ep0``, ``repair_cost``, the settings, ``units``. It reads like the recovery
        Dataset: :func:`workbench.metrics.indexes.summary_indexes` gives the indexes with the agents.

    Examples
    --------
    One collapsed house of the toy city, repaired on day 5: its 30 residents leave on day 0 and
    are all back by the horizon; with the agents off, the curves are the recovery's.

    >>> from workbench.city import toy_city
    >>> from workbench.recovery import Constraints, simulate_recovery
    >>> city = toy_city()
    >>> damage = xr.Dataset({"building_damage_state": ("building", [4, 0, 0, 0, 0, 0]),
    ...     "building_repair_days": ("building", [5.0, 0, 0, 0, 0, 0]),
    ...     "building_repair_cost": ("building", [1e5, 0, 0, 0, 0, 0])},
    ...     coords={"building": city.buildings["building"].values})
    >>> rec = simulate_recovery(city, None, damage, Constraints(crews=1, horizon_days=60),
    ...                         strategies=["flexible"])
    >>> out = simulate_agents(city, None, damage, rec, seed=1)
    >>> p = out["persons"].sel(strategy="flexible")
    >>> float(p.sel(time=0, state="home")), float(p.sel(time=60, state="home"))
    (60.0, 90.0)
    >>> off = simulate_agents(city, None, damage, rec, enabled=False)
    >>> bool((off["sc"] == rec["sc"]).all())
    True
    """
    if not isinstance(city, City):
        raise InputError(f"city must be a workbench City, got {type(city).__name__}")
    for name in ("building_restored_day", "sc", "ep"):
        if name not in recovery:
            raise InputError(f"recovery lacks {name!r}; pass the Dataset of "
                             f"workbench.recovery.simulate_recovery.")
    if system is not None and "component_restored_day" not in recovery:
        raise InputError("recovery lacks 'component_restored_day'; it must come from the same "
                         "system.")
    if "building_damage_state" not in damage:
        raise InputError("damage lacks 'building_damage_state'; pass the realization the "
                         "recovery ran on.")
    for name, ds in (("recovery", recovery), ("damage", damage)):
        if ds.sizes.get(REALIZATION, 1) != 1:
            raise InputError(f"{name} holds {ds.sizes[REALIZATION]} realizations; simulate the "
                             f"agents on one: {name}.isel(realization=r).")
    recovery = recovery.squeeze(REALIZATION, drop=True) if REALIZATION in recovery.dims \
        else recovery
    hh = Households() if households is None else households
    bus = Businesses() if businesses is None else businesses
    shelters = Shelters() if shelters is None else shelters
    if not isinstance(hh, Households) or not isinstance(bus, Businesses):
        raise InputError("households and businesses must be Households(...) and "
                         "Businesses(...) of workbench.response.agents.")
    model = functionality_model(functionality)
    static = _Static(city, hh, shelters)
    strategies = recovery[STRATEGY].values.tolist() if STRATEGY in recovery.dims else [None]
    runs = []
    # the supply need by building and day (gigabytes at 10⁵ buildings) is written by each
    # strategy's run into its slice of one array, never copied into the result
    need = np.zeros((len(strategies), int(recovery.sizes[TIME]), len(static.building_ids)))
    for i, strategy in enumerate(strategies):
        one = recovery if strategy is None else recovery.sel({STRATEGY: strategy})
        line = _Timeline(city, system, damage, one, model)
        run = (_agents_on(static, line, hh, bus, shelters, seed, need[i]) if enabled
               else _agents_off(static, line, one, need[i]))
        runs.append(_dataset(static, line, run, one))
    if strategies == [None]:
        ds = runs[0]
    else:
        attrs = runs[0]["supply_need"].attrs
        ds = xr.concat([r.drop_vars("supply_need") for r in runs], dim=STRATEGY)
        ds = ds.assign_coords({STRATEGY: strategies})
        ds["supply_need"] = xr.Variable((STRATEGY, TIME, BUILDING), need, attrs)
    ds.attrs.update({"enabled": int(bool(enabled)), "seed": int(seed),
                     "ep0": float(recovery.attrs.get("ep0", line.ep_full.sum())),
                     **({"repair_cost": float(recovery.attrs["repair_cost"])}
                        if "repair_cost" in recovery.attrs else {}),
                     "demand0": float(static.residents.sum() * 2.0),
                     **hh.as_attrs(), **bus.as_attrs(),
                     "units": json.dumps(_UNITS),
                     "time_convention": "state at the start of day t, held through day t"})
    return ds


#: The runs of :func:`agents_decomposition`: (label, the :class:`Households` settings changed).
#: One mechanism at a time, but for "nobody goes elsewhere" (a household reaches ``elsewhere``
#: by not seeking shelter or by giving up waiting for a place: only both switches close it) and
#: the last row, every mechanism off at once.
DECOMPOSITION_CASES = (
    ("agents", {}),
    ("day-0 dislocation as the recovery's 1 - q", {"dislocation_model": "recovery"}),
    ("no leaving for want of utilities", {"utility_leave_rate": 0.0}),
    ("no return delays", {"return_days": (0.0, 0.0, 0.0)}),
    ("return without waiting for water and power", {"return_needs_services": False}),
    ("everyone leaving seeks shelter", {"shelter_model": "share", "shelter_share": 1.0}),
    ("the unsheltered keep waiting", {"unsheltered_leave_rate": 0.0}),
    ("nobody goes elsewhere (the two above)", {"shelter_model": "share", "shelter_share": 1.0,
                                               "unsheltered_leave_rate": 0.0}),
    ("no distance limit to shelters", {"shelter_max_distance_m": math.inf}),
    ("all of these off", {"dislocation_model": "recovery", "utility_leave_rate": 0.0,
                          "return_days": (0.0, 0.0, 0.0), "return_needs_services": False,
                          "shelter_model": "share", "shelter_share": 1.0,
                          "unsheltered_leave_rate": 0.0, "shelter_max_distance_m": math.inf}),
)
#: The label of the recovery's own figures in :func:`agents_decomposition`.
RECOVERY_CASE = "recovery (agents off)"


def agents_decomposition(city: City, system, damage: xr.Dataset, recovery: xr.Dataset, *,
                         households: Households | None = None,
                         businesses: Businesses | None = None, shelters: Shelters | None = None,
                         functionality=None, seed: int = 0) -> pd.DataFrame:
    """What moves the agents' service loss: the recovery alone, the agents, and the agents with
    each mechanism switched off in turn (:data:`DECOMPOSITION_CASES`), then all at once.

    Every row is one :func:`simulate_agents` call on the same inputs and seed with other
    :class:`Households` settings (``households`` the starting point), so the table reflects the
    valuation of the states SC uses, whatever it is. Costs ``len(DECOMPOSITION_CASES) + 1`` runs
    of the agents: pass ``recovery.sel(strategy=[s])`` for one strategy.

    Returns
    -------
    pandas.DataFrame
        Index (``case``, ``strategy``; ``"-"`` for a recovery without dim ``strategy``); columns
        ``service_loss_person_days``, ``displaced_person_days``, ``sheltered_person_days``
        [person-days] (:func:`~workbench.metrics.indexes.service_loss`,
        :func:`~workbench.metrics.indexes.displaced_person_days`), ``service_loss_change``
        (relative to the ``agents`` row of the strategy) and ``gap_closed`` (the share of the
        difference agents − recovery that the switch removes; NaN where there is none).

    Examples
    --------
    >>> from workbench.city import toy_city
    >>> from workbench.recovery import Constraints, simulate_recovery
    >>> city = toy_city()
    >>> damage = xr.Dataset({"building_damage_state": ("building", [4, 3, 0, 0, 0, 0]),
    ...     "building_repair_days": ("building", [5.0, 8.0, 0, 0, 0, 0]),
    ...     "building_repair_cost": ("building", [1e5, 5e4, 0, 0, 0, 0])},
    ...     coords={"building": city.buildings["building"].values})
    >>> rec = simulate_recovery(city, None, damage, Constraints(crews=1, horizon_days=30),
    ...                         strategies=["flexible"])
    >>> table = agents_decomposition(city, None, damage, rec, seed=1)
    >>> table.index.get_level_values("case")[:3].tolist()
    ['recovery (agents off)', 'agents', "day-0 dislocation as the recovery's 1 - q"]
    >>> len(table) == len(DECOMPOSITION_CASES) + 1
    True
    """
    hh = Households() if households is None else households
    if not isinstance(hh, Households):
        raise InputError("households must be Households(...) of workbench.response.agents.")
    kw = dict(businesses=businesses, shelters=shelters, functionality=functionality, seed=seed)
    cases = [(RECOVERY_CASE, dict(households=hh, enabled=False))]
    cases += [(label, dict(households=replace(hh, **change)))
              for label, change in DECOMPOSITION_CASES]
    rows = []
    for label, how in cases:
        # one run at a time, its figures kept and its Dataset dropped (at 10⁵ buildings a run
        # holds gigabytes: its supply need by building and day)
        ds = simulate_agents(city, system, damage, recovery, **how, **kw)
        figures = [service_loss(ds), displaced_person_days(ds),
                   displaced_person_days(ds, "sheltered")]
        strategies = ds[STRATEGY].values.tolist() if STRATEGY in ds.dims else ["-"]
        del ds
        for s in strategies:
            one = [float(f.sel({STRATEGY: s})) if STRATEGY in f.dims else float(f)
                   for f in figures]
            rows.append({"case": label, "strategy": str(s), "service_loss_person_days": one[0],
                         "displaced_person_days": one[1], "sheltered_person_days": one[2]})
    table = pd.DataFrame(rows).set_index(["case", "strategy"])
    loss = table["service_loss_person_days"]
    agents = loss.xs("agents", level="case").reindex(table.index.get_level_values("strategy"))
    base = loss.xs(RECOVERY_CASE, level="case").reindex(table.index.get_level_values("strategy"))
    agents, base = agents.to_numpy(), base.to_numpy()
    gap = agents - base
    table["service_loss_change"] = np.divide(loss.to_numpy() - agents, agents,
                                             out=np.full(len(table), np.nan), where=agents != 0)
    table["gap_closed"] = np.divide(agents - loss.to_numpy(), gap,
                                    out=np.full(len(table), np.nan), where=gap != 0)
    return table


_UNITS = {"households": "households", "households_by_district": "households",
          "persons": "persons", "persons_by_district": "persons",
          "present": "persons", "displaced": "persons", "sheltered": "persons", "building_restored_day": "day",
          "component_restored_day": "day", "businesses": "businesses", "ep": "EUR/day",
          "sc": "person-units", "demand": "person-units", "ep_functionality": "1",
          "sc_functionality": "1", "supply_need": "persons"}


class _Static:
    """What does not depend on the strategy: agents, hosts, districts, distances."""

    def __init__(self, city, hh: Households, shelters: Shelters):
        b = city.buildings
        n_b = b.sizes[BUILDING]
        self.building_ids = b[BUILDING].values
        self.residents = residents(b)
        self.occupancy = np.asarray(b["occupancy"].values, dtype=float)
        self.district, self.district_names = district_codes(b)
        self.n_d = len(self.district_names)
        self.types = np.asarray(b["type"].values).astype(str)
        self.business = self.types != "residential"
        home = np.flatnonzero(self.residents > 0)
        n_h = np.maximum(1, np.rint(self.residents[home] / hh.household_size)).astype(np.int64)
        self.n_households = np.zeros(n_b, np.int64)
        self.n_households[home] = n_h
        self.agent_b = np.repeat(home, n_h)
        self.persons = np.repeat(self.residents[home] / n_h, n_h)
        self.single = np.repeat(n_h == 1, n_h)
        self.p_seek = _seeking(b, hh, self.agent_b, self.persons)
        self.home_d = self.district[self.agent_b]
        self.row = np.full(n_b, -1, np.int64)
        self.row[home] = np.arange(len(home))
        self.agent_row = self.row[self.agent_b]
        self.row_size = self.residents[home] / n_h          # persons per household, by row
        ratio, _ = building_consequences(b)
        self.cost_ratio = ratio
        # hosts and the order in which a household tries them: nearest first, temporary last
        # (the plan opens its places in whichever capable buildings are usable on the day)
        self.plan = ShelterPlan(b, shelters)
        self.hosts = self.plan.hosts
        self.xy = np.column_stack([np.asarray(b[c].values, dtype=float) for c in ("x", "y")])
        self.home_buildings = home
        n_hosts = len(self.hosts)
        # each home's nearest hosts, filled in for the homes whose households seek shelter
        # (np.empty: pages never touched cost no memory); see nearest_hosts
        self.width = min(n_hosts, NEAREST_HOSTS)
        self.order = np.empty((len(home), self.width + 1), np.int32)
        self.order_dist = np.empty((len(home), self.width + 1), np.float32)
        self.complete = np.zeros(len(home), bool)
        self.ordered = np.zeros(len(home), bool)
        self._tree = None
        self.host_building = np.append(self.hosts, -1)
        self.host_d = np.append(self.district[self.hosts], -1)
        # where "elsewhere" goes: another district, in proportion to its residents
        r_d = np.bincount(self.district, weights=self.residents, minlength=self.n_d)
        self.residents_d = r_d
        w = np.broadcast_to(r_d, (self.n_d, self.n_d)).copy()
        np.fill_diagonal(w, 0.0)
        total = w.sum(axis=1, keepdims=True)
        self.dest_cum = np.divide(np.cumsum(w, axis=1), total, out=np.ones_like(w),
                                  where=total > 0)
        self.dest_none = total[:, 0] <= 0

    def _distances(self, rows: np.ndarray, hosts=None) -> np.ndarray:
        """Distances [m, float32] from home rows ``rows`` to ``hosts`` (positions in
        :attr:`hosts`; default all; one list for every row, or a matrix of a list per row)."""
        home = self.xy[self.home_buildings[rows]]
        hosts = np.arange(len(self.hosts)) if hosts is None else np.asarray(hosts)
        there = self.xy[self.hosts[hosts]]
        if hosts.ndim == 1:
            there = there[None, :, :]
        return np.hypot(home[:, None, 0] - there[..., 0],
                        home[:, None, 1] - there[..., 1]).astype(np.float32)

    def hosts_by_distance(self, rows: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Every host of home rows ``rows`` nearest first (ties: lower host first), the
        temporary places last: (host positions, distances [m, float32]), each
        (len(rows), n_hosts + 1)."""
        d = self._distances(rows)
        order = np.argsort(d, axis=1, kind="stable")
        n = len(rows)
        return (np.column_stack([order, np.full(n, len(self.hosts))]),
                np.column_stack([np.take_along_axis(d, order, axis=1), np.zeros(n, np.float32)]))

    def nearest_hosts(self, rows: np.ndarray, max_distance: float) -> None:
        """Fill in the first hosts of home rows ``rows`` in the order of
        :meth:`hosts_by_distance`, at most :data:`NEAREST_HOSTS` of them: :attr:`order`,
        :attr:`order_dist` (``inf`` past the first ones known for sure) and :attr:`complete`
        (the known ones hold every host within ``max_distance``, and the temporary places
        are in the last column; else that column is ``inf`` away).

        The candidates come from a k-d tree (scipy's ``cKDTree``, exact) instead of sorting
        the distances to every host, which at 10⁵ buildings and 10³ hosts took most of a
        run. The distances are then computed as :meth:`hosts_by_distance` computes them and
        sorted the same way; every host outside the candidates is at least as far as the
        farthest candidate, so the candidates nearer than that (by more than a float32 step,
        against round-off) are exactly the first hosts of the full order."""
        rows = rows[~self.ordered[rows]]
        if not len(rows):
            return
        n, k = len(rows), self.width
        if k == len(self.hosts):                     # all hosts: the full order
            order, dist = self.hosts_by_distance(rows)
            self.order[rows], self.order_dist[rows] = order, dist
            self.complete[rows] = True
            self.ordered[rows] = True
            return
        if self._tree is None:
            from scipy.spatial import cKDTree
            self._tree = cKDTree(self.xy[self.hosts])
        _, near = self._tree.query(self.xy[self.home_buildings[rows]], k=k)
        near = np.asarray(near, np.int64).reshape(n, k)
        d = self._distances(rows, near)
        order = np.lexsort((near, d), axis=1)       # by distance, then host: a stable argsort
        near, d = np.take_along_axis(near, order, axis=1), np.take_along_axis(d, order, axis=1)
        sure = np.nextafter(d[:, -1], np.float32(-np.inf))   # all others are at least this far
        d = np.where(d < sure[:, None], d, np.float32(np.inf))
        complete = sure > np.float32(max_distance)
        self.order[rows, :-1], self.order_dist[rows, :-1] = near, d
        self.order[rows, -1] = len(self.hosts)
        self.order_dist[rows, -1] = np.where(complete, np.float32(0.0), np.float32(np.inf))
        self.complete[rows] = complete
        self.ordered[rows] = True


def _seeking(b: xr.Dataset, hh: Households, agent_b, persons) -> np.ndarray:
    """Each agent's probability of seeking a public shelter when it leaves (step 3)."""
    if hh.shelter_model == "share" or "income_per_capita" not in b:
        return np.full(len(agent_b), hh.shelter_share)
    per_capita = np.asarray(b["income_per_capita"].values, dtype=float)
    bad = np.flatnonzero(per_capita < 0)
    if len(bad):
        raise InputError(f"buildings income_per_capita must be ≥ 0 [EUR/year] (empty where "
                         f"unknown), got {per_capita[bad[0]]!r} for building "
                         f"{str(b[BUILDING].values[bad[0]])!r}")
    return shelter_seeking_probability(per_capita[agent_b] * persons,
                                       usd_per_eur=hh.income_usd_per_eur,
                                       fallback=hh.shelter_share)


# --------------------------------------------------------------------------- agents on

def _agents_on(st: _Static, line: _Timeline, hh: Households, bus: Businesses,
               shelters: Shelters, seed: int, supply_need: np.ndarray) -> dict:
    H, n_a, n_b = line.horizon, len(st.agent_b), len(st.building_ids)
    n_hosts = len(st.hosts)
    rng = np.random.default_rng(seed)
    lag_rng = np.random.default_rng([int(seed), 1])
    # day-0 dislocation probability of each agent
    q0 = line.q0[st.agent_b]
    if hh.dislocation_model == "hazus":
        p_leave0 = hazus_displaced_share(line.ds[st.agent_b], st.single)
    elif hh.dislocation_model == "recovery":
        p_leave0 = 1.0 - q0
    else:                                   # lin2008
        value_loss = st.cost_ratio[st.agent_b, line.ds[st.agent_b]]
        p_leave0 = np.where(q0 <= 0, 1.0, np.where(q0 >= 1, 0.0, dislocation_probability(
            value_loss, st.single, hh.dislocation)))
    p_return = np.array([0.0] + [1.0 / max(d, 1.0) for d in hh.return_days])
    valuation = shelters.valuation
    # businesses closed at the event reopen a geometric delay after their building is usable
    lag = lag_rng.geometric(1.0 / max(bus.reopen_days, 1.0), n_b) - 1.0
    reopen = np.where(st.business & (line.a0 <= 0), line.restored + lag, -np.inf)
    customers = np.isin(st.types, bus.customer_types) & st.business

    state = np.zeros(n_a, np.int64)
    host = np.full(n_a, -1, np.int64)
    where = st.home_d.copy()
    run = np.zeros(n_b)
    out = _empty_run(st, H, supply_need)
    tally = _Tally(st, state, host, where)
    # days on which something other than the agents changes: a segment of component states
    # starts, a building is restored, a business may reopen, temporary places open
    changes = np.zeros(H + 2, bool)
    for days in (line.starts, line.restored, np.ceil(reopen),
                 [math.ceil(shelters.temporary_from_day)]):
        days = np.ceil(np.asarray(days, dtype=float))
        days = days[np.isfinite(days) & (days >= 0) & (days <= H)].astype(np.int64)
        changes[days] = True
    # the agents' state at the start of the day; only the agents that may change today are
    # looked at (those away from home, and those at home in a building out of service long
    # enough to leave), and only those that changed are counted again (the tally) and copied
    before = state.copy(), host.copy(), where.copy()
    # after the last of those days, once everybody is home and every building served, no
    # agent can change again: the days left are the last one's figures (_hold)
    last_change = int(np.flatnonzero(changes).max()) if changes.any() else -1
    for t in range(H + 1):
        service, ep_b, rss = line.day(t)
        q = line.q(t)
        outage = line.outage[line.segment[t]]
        run = np.where(outage, run + 1, 0.0)
        u = rng.random(n_a)
        if t == 0:
            movers = np.flatnonzero(u < p_leave0)
        else:
            long_out = run > hh.utility_tolerance_days
            movers = np.flatnonzero(long_out[st.agent_b]) if long_out.any() else \
                np.zeros(0, np.int64)
            movers = movers[(state[movers] == _HOME) & (u[movers] < hh.utility_leave_rate)]
        usable_served = (q >= 1) & ~outage if hh.return_needs_services else q >= 1
        away = np.flatnonzero(state != _HOME)
        back = away[usable_served[st.agent_b[away]] & (u[away] < p_return[state[away]])]
        state[back], host[back], where[back] = _HOME, -1, st.home_d[back]
        waiting = away[state[away] == _UNSHELTERED]
        seek_new = rng.random(len(movers)) < st.p_seek[movers]
        _go_elsewhere(st, movers[~seek_new], rng, state, host, where)
        seekers = np.concatenate([waiting, movers[seek_new]])
        moved = len(movers) > 0 or len(back) > 0
        if len(seekers):
            held = np.bincount(host + 1, st.persons, minlength=n_hosts + 2)[1:]
            places = np.append(st.plan.open(q[st.hosts] >= 1, keep=held[:n_hosts]),
                               shelters.temporary_places if t >= shelters.temporary_from_day
                               else 0.0)
            free = places - held
            taken, at = _admit(st, seekers, free, hh.shelter_max_distance_m)
            state[taken], host[taken] = _SHELTER, at
            where[taken] = np.where(at < n_hosts, st.host_d[at], st.home_d[taken])
            failed = np.setdiff1d(seekers, taken, assume_unique=True)
            state[failed] = _UNSHELTERED
            still = failed[np.isin(failed, waiting, assume_unique=True)]
            gone = still[rng.random(len(still)) < hh.unsheltered_leave_rate]
            _go_elsewhere(st, gone, rng, state, host, where)
            moved = moved or len(taken) > 0 or len(gone) > 0
        settled = (_HOLD and t >= last_change and not outage.any()
                   and not (state != _HOME).any())
        if t > 0 and not moved and not changes[t]:
            for value in out.values():       # nothing changed: yesterday's figures
                value[t] = value[t - 1]
            if settled:
                _hold(out, t)
                break
            continue
        if moved:
            maybe = np.sort(np.concatenate([back, movers, waiting]))   # all that may differ
            changed = maybe[(state[maybe] != before[0][maybe]) | (host[maybe] != before[1][maybe])
                            | (where[maybe] != before[2][maybe])]
            tally.add(changed, *before, sign=-1.0)
            tally.add(changed, state, host, where, sign=1.0)
            tally.settle(t)
            for old, now in zip(before, (state, host, where)):
                old[changed] = now[changed]
        _record(out, tally, st, t, service, ep_b, line.ep_full, rss, valuation,
                reopen, customers)
        if settled:
            _hold(out, t)
            break
    return out


def _hold(out: dict, t: int) -> None:
    """The figures of day ``t`` held to the horizon (nothing changes after it)."""
    for value in out.values():
        value[t + 1:] = value[t]


def _go_elsewhere(st: _Static, who, rng, state, host, where) -> None:
    if not len(who):
        return
    own = st.home_d[who]
    u = rng.random(len(who))
    dest = (u[:, None] > st.dest_cum[own]).sum(axis=1)
    state[who], host[who] = _ELSEWHERE, -1
    where[who] = np.where(st.dest_none[own], -1, np.minimum(dest, st.n_d - 1))


def _admit(st: _Static, seekers, free, max_distance):
    """Seekers (in priority order) to the nearest host with room for their household.

    Households of one building have the same size and the same host order, so the first host
    with room is found once per building; a host's room goes to its seekers in priority order
    and those it cannot take try again (each round fills at least one household)."""
    free = free.copy()
    taken, at = [], []
    pending = np.asarray(seekers, np.int64)
    for _ in range(len(free) + 1):
        if not len(pending):
            break
        size = st.persons[pending]
        if free.max(initial=0.0) < size.min() - 1e-9:
            break
        rows, inverse = np.unique(st.agent_row[pending], return_inverse=True)
        st.nearest_hosts(rows, max_distance)
        row_size = st.row_size[rows]
        hosts = st.order[rows]
        fits = (free[hosts] >= row_size[:, None] - 1e-9) & (st.order_dist[rows] <= max_distance)
        found = fits.any(axis=1)
        first = hosts[np.arange(len(rows)), fits.argmax(axis=1)]
        far = np.flatnonzero(~found & ~st.complete[rows])  # room may be past the nearest hosts
        if len(far):
            found[far], first[far] = _first_open(st, rows[far], row_size[far], free,
                                                 max_distance)
        some, first = found[inverse], first[inverse]
        pending, choice, size = pending[some], first[some], size[some]
        if not len(pending):
            break
        order = np.argsort(choice, kind="stable")          # keeps the priority within a host
        choice, pending, size = choice[order], pending[order], size[order]
        cum = np.cumsum(size)
        start = np.r_[0, np.flatnonzero(np.diff(choice)) + 1]
        before = np.repeat(cum[start] - size[start], np.diff(np.r_[start, len(choice)]))
        ok = cum - before <= free[choice] + 1e-9
        taken.append(pending[ok])
        at.append(choice[ok])
        free -= np.bincount(choice[ok], size[ok], minlength=len(free))
        pending = pending[~ok]
    if not taken:
        return np.zeros(0, np.int64), np.zeros(0, np.int64)
    return np.concatenate(taken), np.concatenate(at)


def _first_open(st: _Static, rows, size, free, max_distance):
    """(found, host) of home rows ``rows`` (households of ``size``): the first host with room
    in the order of :meth:`_Static.hosts_by_distance`, within ``max_distance``, else the
    temporary places if they have room. Only the hosts with room for the smallest household
    are sorted: they are in the same order as in the full one, and the others cannot take any
    of these households (when the shelters fill up, few hosts are left)."""
    n_hosts = len(st.hosts)
    open_ = np.flatnonzero(free[:n_hosts] >= size.min() - 1e-9)
    found = np.zeros(len(rows), bool)
    first = np.full(len(rows), n_hosts, np.int64)
    if len(open_):
        d = st._distances(rows, open_)
        order = np.lexsort((np.broadcast_to(open_, d.shape), d), axis=1)  # distance, then host
        hosts, dist = open_[order], np.take_along_axis(d, order, axis=1)
        fits = (free[hosts] >= size[:, None] - 1e-9) & (dist <= max_distance)
        found = fits.any(axis=1)
        first = np.where(found, hosts[np.arange(len(rows)), fits.argmax(axis=1)], n_hosts)
    temporary = ~found & (free[n_hosts] >= size - 1e-9)
    return found | temporary, first


def _empty_run(st: _Static, H: int, supply_need: np.ndarray) -> dict:
    """The run's arrays by day; ``supply_need`` (days, buildings) is the caller's."""
    n_t, n_s = H + 1, len(STATES)
    return {"households": np.zeros((n_t, n_s)), "persons": np.zeros((n_t, n_s)),
            "households_by_district": np.zeros((n_t, st.n_d, n_s)),
            "persons_by_district": np.zeros((n_t, st.n_d, n_s)),
            "present": np.zeros((n_t, st.n_d)), "businesses": np.zeros((n_t, 3)),
            "ep": np.zeros(n_t), "sc": np.zeros(n_t),
            "supply_need": supply_need}


#: Hold the figures once nothing can change to the horizon (:func:`_hold`); off, every day is
#: run (the tests compare the two).
_HOLD = True

#: Hosts a home keeps in order of distance (:meth:`_Static.nearest_hosts`); a household that
#: finds no room in them, while hosts within reach remain, is given the full order.
NEAREST_HOSTS = 64

#: Persons below which a running sum of fractional household sizes is zero: a tally updated
#: by adding and removing agents (``_Tally``) keeps round-off of order 1e-16 × its largest
#: value per update, e.g. −1.7e-13 persons where nobody is left. One millionth of a person is
#: far above that round-off on any city (1e6 persons × 1e3 updates × 1e-16 = 1e-7) and far
#: below any real count (a household's share of a building is ≥ 1e-3 persons in practice).
ROUNDOFF_PERSONS = 1e-6


def settle_roundoff(values: np.ndarray, what: str, t: int, labels=None) -> np.ndarray:
    """``values`` [persons] with numerical zeros set to 0; a real negative is an error.

    Values within :data:`ROUNDOFF_PERSONS` of 0 become exactly 0 (in place, and returned).
    A value below −:data:`ROUNDOFF_PERSONS` cannot come from round-off: it raises a
    :class:`~workbench.core.errors.WorkbenchError` naming the figure ``what``, the day ``t`` and
    the entry (``labels[i]`` when given, e.g. the building id), since it means the agents'
    book-keeping lost people, not that the user's data are wrong.

    >>> settle_roundoff(np.array([3.0, -1.7e-13, 2e-14]), "persons at home", 5).tolist()
    [3.0, 0.0, 0.0]
    >>> settle_roundoff(np.array([1.0, -0.5]), "persons at home", 5, labels=["b1", "b2"])
    Traceback (most recent call last):
    ...
    workbench.core.errors.WorkbenchError: persons at home is -0.5 persons for 'b2' on day 5 (< 0 by more than round-off): the agents' book-keeping is inconsistent; please report this with the parameter file.
    """
    values[np.abs(values) < ROUNDOFF_PERSONS] = 0.0
    bad = np.flatnonzero(values < 0)
    if len(bad):
        i = int(bad[np.argmin(values[bad])])
        where = repr(str(labels[i])) if labels is not None else f"entry {i}"
        raise WorkbenchError(
            f"{what} is {values[i]:.6g} persons for {where} on day {t} (< 0 by more than "
            f"round-off): the agents' book-keeping is inconsistent; please report this with "
            f"the parameter file.")
    return values


class _Tally:
    """Sums over the agents of each figure recorded, kept up to date from the agents that
    changed during the day (a few hundred) instead of recounting every agent every day.
    :meth:`settle` sets the round-off of those running sums to exact zeros."""

    def __init__(self, st: _Static, state, host, where):
        n_b, n_s = len(st.building_ids), len(STATES)
        self.st, self.n_hosts = st, len(st.hosts)
        self.households = np.zeros(st.n_d * n_s, np.int64)   # (home district, state)
        self.persons = np.zeros(st.n_d * n_s)
        self.present = np.zeros(st.n_d + 1)                   # −1 (outside the city) first
        self.at_home = np.zeros(n_b)                          # residents at home, by building
        self.hosted = np.zeros(self.n_hosts + 2)              # −1 (no host) first, temporary last
        self.away_need = np.zeros(n_b)                        # shelter or unsheltered, by where
        self._host_labels = None
        self.add(np.arange(len(st.agent_b)), state, host, where, sign=1.0)

    def add(self, who, state, host, where, *, sign: float) -> None:
        st, n_s = self.st, len(STATES)
        n_b = len(st.building_ids)
        w = sign * st.persons[who]
        s, h, b = state[who], host[who], st.agent_b[who]
        key = st.home_d[who] * n_s + s
        self.households += int(sign) * np.bincount(key, minlength=len(self.households))
        self.persons += np.bincount(key, w, minlength=len(self.persons))
        self.present += np.bincount(where[who] + 1, w, minlength=len(self.present))
        self.at_home += np.bincount(b, np.where(s == _HOME, w, 0.0), minlength=n_b)
        self.hosted += np.bincount(h + 1, w, minlength=len(self.hosted))
        at = np.where((h >= 0) & (h < self.n_hosts), st.host_building[h], b)
        needs = (s == _SHELTER) | (s == _UNSHELTERED)
        self.away_need += np.bincount(at, np.where(needs, w, 0.0), minlength=n_b)

    def settle(self, t: int) -> None:
        """Numerical zeros of the running sums to 0 (:func:`settle_roundoff`), on day ``t``."""
        ids, districts = self.st.building_ids, ["outside the city", *self.st.district_names]
        if self._host_labels is None:       # named in an error only: made once
            self._host_labels = [*ids[self.st.hosts], "temporary places"]
        hosts = self._host_labels
        settle_roundoff(self.persons, "persons by district and state", t)
        settle_roundoff(self.present, "persons present", t, districts)
        settle_roundoff(self.at_home, "residents at home", t, ids)
        settle_roundoff(self.hosted[1:], "persons in shelter", t, hosts)
        settle_roundoff(self.away_need, "persons away needing supplies", t, ids)


def _record(out, tally: _Tally, st, t, service, ep_b, ep_full, rss, valuation, reopen,
            customers) -> None:
    n_s, n_hosts = len(STATES), len(st.hosts)
    by_district = tally.persons.reshape(st.n_d, n_s)
    households = tally.households.reshape(st.n_d, n_s)
    out["households"][t] = households.sum(axis=0)
    out["households_by_district"][t] = households
    out["persons"][t] = by_district.sum(axis=0)
    out["persons_by_district"][t] = by_district
    present = tally.present[1:]
    out["present"][t] = present
    at_home, hosted = tally.at_home, tally.hosted[1:]
    spare = np.maximum(st.occupancy[st.hosts] - at_home[st.hosts], 0.0)
    # (products summed, not `@`: a BLAS dot of a long vector pays a thread start-up per call)
    v = valuation
    out["sc"][t] = ((at_home * (1.0 + rss)).sum() + v.shelter_housing * hosted[:n_hosts].sum()
                    + v.shelter_service
                    * (rss[st.hosts] * np.minimum(hosted[:n_hosts], spare)).sum()
                    + v.temporary * hosted[n_hosts]
                    + v.elsewhere * out["persons"][t][_ELSEWHERE])
    # businesses
    closed = st.business & (t < reopen)
    factor = np.divide(present, st.residents_d, out=np.ones(st.n_d), where=st.residents_d > 0)
    factor = np.where(customers, np.minimum(1.0, factor[st.district]), 1.0)
    ep = np.where(closed, 0.0, ep_b * factor)
    out["ep"][t] = ep.sum()
    reduced = st.business & ~closed & (ep < ep_full * (1.0 - 1e-12))
    out["businesses"][t] = [(st.business & ~closed & ~reduced).sum(), reduced.sum(),
                            closed.sum()]
    # who needs supplies where: in shelter hosts, unsheltered (and in temporary places) near
    # home, at home without water; nobody elsewhere
    out["supply_need"][t] = settle_roundoff(at_home * (1.0 - service[:, 0]) + tally.away_need,
                                            "supply need", t, st.building_ids)


# --------------------------------------------------------------------------- agents off

def _agents_off(st: _Static, line: _Timeline, recovery: xr.Dataset,
                supply_need: np.ndarray) -> dict:
    H = line.horizon
    out = _empty_run(st, H, supply_need)
    displaced_all = np.asarray(recovery["displaced"].values, dtype=float)
    sheltered_all = np.asarray(recovery["sheltered"].values, dtype=float)
    total = st.residents.sum()
    # from the last day on which a component state, a building or the recovery's displaced
    # and sheltered change, every figure is that day's (_hold)
    restored = line.restored[np.isfinite(line.restored) & (line.restored <= H)]
    curve_change = np.flatnonzero((displaced_all[1:] != displaced_all[:-1])
                                  | (sheltered_all[1:] != sheltered_all[:-1]))
    last_change = max(float(line.starts.max()), float(restored.max()) if len(restored) else 0.0,
                      float(curve_change.max() + 1) if len(curve_change) else 0.0)
    for t in range(H + 1):
        service, ep_b, _ = line.day(t)
        q = line.q(t)
        displaced_b = st.residents * (1.0 - q)
        share = sheltered_all[t] / displaced_all[t] if displaced_all[t] > 0 else 0.0
        persons = [total - displaced_all[t], sheltered_all[t], 0.0,
                   displaced_all[t] - sheltered_all[t]]
        out["persons"][t] = persons
        hh_d = np.bincount(st.district, st.n_households, minlength=st.n_d)
        away_hh_d = np.bincount(st.district, st.n_households * (1.0 - q), minlength=st.n_d)
        out["households_by_district"][t] = np.stack(
            [hh_d - away_hh_d, share * away_hh_d, np.zeros(st.n_d), (1.0 - share) * away_hh_d],
            axis=1)
        out["households"][t] = out["households_by_district"][t].sum(axis=0)
        home_d = np.bincount(st.district, st.residents * q, minlength=st.n_d)
        away_d = np.bincount(st.district, displaced_b, minlength=st.n_d)
        out["persons_by_district"][t] = np.stack(
            [home_d, share * away_d, np.zeros(st.n_d), (1.0 - share) * away_d], axis=1)
        out["present"][t] = home_d + away_d
        closed = st.business & (line.a(t) <= 0)
        reduced = st.business & ~closed & (ep_b < line.ep_full * (1.0 - 1e-12))
        out["businesses"][t] = [(st.business & ~closed & ~reduced).sum(), reduced.sum(),
                                closed.sum()]
        places = st.plan.open(q[st.hosts] >= 1)
        need = st.residents * q * (1.0 - service[:, 0]) + (1.0 - share) * displaced_b
        if places.sum() > 0:
            need[st.hosts] += sheltered_all[t] * places / places.sum()
        else:
            need += share * displaced_b        # temporary places: near home
        out["supply_need"][t] = settle_roundoff(need, "supply need", t, st.building_ids)
        if _HOLD and t >= last_change:
            _hold(out, t)
            break
    out["ep"] = np.asarray(recovery["ep"].values)
    out["sc"] = np.asarray(recovery["sc"].values)
    out["displaced"] = displaced_all
    out["ep_functionality"] = np.asarray(recovery["ep_functionality"].values)
    out["sc_functionality"] = np.asarray(recovery["sc_functionality"].values)
    return out


# --------------------------------------------------------------------------- the Dataset

def _dataset(st: _Static, line: _Timeline, run: dict, recovery: xr.Dataset) -> xr.Dataset:
    ep0 = float(recovery.attrs.get("ep0", line.ep_full.sum()))
    demand = (np.asarray(recovery["demand"].values, dtype=float) if "demand" in recovery
              else np.full(line.horizon + 1, 2.0 * float(st.residents.sum())))
    if "ep_functionality" not in run:
        run["ep_functionality"] = run["ep"] / ep0 if ep0 > 0 else np.ones_like(run["ep"])
        run["sc_functionality"] = np.divide(run["sc"], demand, out=np.ones_like(run["sc"]),
                                            where=demand > 0).clip(max=1.0)
    if "displaced" not in run:
        run["displaced"] = run["persons"][:, 1:].sum(axis=1)
    run["sheltered"] = run["persons"][:, STATES.index("shelter")]
    dims = {"households": (TIME, STATE), "persons": (TIME, STATE),
            "households_by_district": (TIME, DISTRICT, STATE),
            "persons_by_district": (TIME, DISTRICT, STATE), "present": (TIME, DISTRICT),
            "businesses": (TIME, BUSINESS_STATE), "ep": (TIME,), "sc": (TIME,),
            "ep_functionality": (TIME,), "sc_functionality": (TIME,), "displaced": (TIME,),
            "sheltered": (TIME,), "supply_need": (TIME, BUILDING)}
    data = {k: (d, run[k], {"units": _UNITS[k]}) for k, d in dims.items()}
    data["demand"] = ((TIME,), demand, {"units": "person-units"})
    coords = {TIME: recovery[TIME].values, STATE: list(STATES), DISTRICT: st.district_names,
              BUSINESS_STATE: list(BUSINESS_STATES), BUILDING: st.building_ids}
    # the restoration days, so that workbench.metrics.indexes.summary_indexes reads this Dataset as it
    # reads the recovery's
    for name, dim in (("building_restored_day", BUILDING), ("component_restored_day", COMPONENT)):
        if name in recovery:
            data[name] = recovery[name].variable.copy()
            if dim == COMPONENT:
                coords[COMPONENT] = recovery[COMPONENT].values
    ds = xr.Dataset(data, coords=coords)
    ds[TIME].attrs["units"] = "day"
    return ds
