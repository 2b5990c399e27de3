"""Every result-driving constant that is not read from a cited table, in one place, with its status.

Each entry of :data:`REGISTRY` is an :class:`Assumed` value: a name, the value, its units, its
status — ``cited`` (a published figure, with the source) or ``assumption`` (a workbench choice of
the right order of magnitude, with the reasoning) — and the module that uses it. The modules read
their defaults from here (``value("shelter_usable_share")``), so a reviewer finds every such
number on one page, and :func:`assumptions_table` prints them into the report.

Cited *tables* (Hazus fragilities, repair ratios and times, restoration functions) live as CSV
files in ``data/`` with a ``source`` column on every row; they are listed here by file name.

Money: one currency and one price year
--------------------------------------
All money is in EUR at **2024 prices** (:data:`PRICE_YEAR`). Figures published for another year
are converted with the Finnish consumer price index (:data:`CPI_TO_PRICE_YEAR`) where they enter:
the productivity per m² (value added, published for 2022) is multiplied by
``CPI_TO_PRICE_YEAR[2022]``. Replacement and repair costs are already stated at 2024 prices.
Imported damage tables must be in EUR of the same year (``workbench.io.interop``).

Examples
--------
>>> value("shelter_area_per_person_m2")
3.5
>>> entry("shelter_usable_share").status
'assumption'
>>> value("no_such_thing")
Traceback (most recent call last):
...
workbench.core.errors.InputError: no assumed value 'no_such_thing'; known: ...
"""

from __future__ import annotations

from dataclasses import dataclass
from types import MappingProxyType

from .errors import InputError
import pandas as pd

__all__ = ["Assumed", "REGISTRY", "STATUSES", "PRICE_YEAR", "CURRENCY", "CPI_TO_PRICE_YEAR",
           "value", "entry", "assumptions_table"]

#: The statuses an entry may have.
STATUSES = ("cited", "assumption")
#: The currency of every money figure.
CURRENCY = "EUR"
#: The price year of every money figure.
PRICE_YEAR = 2024


@dataclass(frozen=True)
class Assumed:
    """One result-driving constant: value, units, status (cited / assumption), source, user."""

    name: str
    value: object
    units: str
    status: str
    source: str
    used_in: str
    #: The hazard kinds (``hazard.kind``) whose runs it drives; all by default.
    hazards: tuple = ("earthquake", "field", "flood")

    def __post_init__(self):
        if self.status not in STATUSES:
            raise InputError(f"assumed value {self.name!r}: status must be one of {STATUSES}, "
                             f"got {self.status!r}.")
        if not self.source.strip():
            raise InputError(f"assumed value {self.name!r} needs a source or a reason.")


#: Consumer price index factors to 2024 prices: 2022 → 2024 = (1 + 6.2 %) (1 + 1.6 %), the
#: annual average changes of Statistics Finland's consumer price index for 2023 and 2024.
CPI_TO_PRICE_YEAR = MappingProxyType({2022: round(1.062 * 1.016, 4), 2024: 1.0})

REGISTRY: tuple[Assumed, ...] = (
    # --- usable shares of a damaged building (functionality)
    Assumed("usable_area_share_by_damage_state", (1.0, 1.0, 0.5, 0.0, 0.0), "share of floor area",
            "assumption", "ATC-20 placards mapped onto Hazus damage states: DS0-1 green "
            "(inspected, usable), DS2 yellow (restricted use; the share 0.5 is a workbench "
            "choice: ATC-20 gives no share), DS3-4 red (unsafe until repaired)",
            "workbench.functionality"),
    Assumed("usable_occupancy_share_by_damage_state", (1.0, 1.0, 0.5, 0.0, 0.0),
            "share of residents housed", "assumption",
            "the same ATC-20 placards; DS2 houses half of the residents (workbench choice)",
            "workbench.functionality"),
    # --- shelters
    Assumed("shelter_area_per_person_m2", 3.5, "m2 per person", "cited",
            "Sphere Association (2018), The Sphere Handbook, shelter and settlement standard 3: "
            "at least 3.5 m2 of covered living space per person (doi:10.3362/9781908176707)",
            "workbench.functionality.Shelters"),
    Assumed("shelter_usable_share", 0.5, "share of floor area", "assumption",
            "half of a shelter-capable building's gross floor area is usable as living space "
            "(corridors, sanitary and service rooms, kitchens take the rest)",
            "workbench.functionality.Shelters"),
    Assumed("shelter_planned_share", 0.1, "places per resident", "assumption",
            "the public shelter places a mass-care plan sets up: one place for one resident "
            "in ten, each district's in its own shelter-capable buildings, largest first "
            "(not every public building: the demo's 99 public buildings would hold 7 times its "
            "population); null = every capable building, all its places",
            "workbench.functionality.Shelters"),
    # --- what each place where a resident may be is worth (workbench.functionality.Valuation):
    # home = 1 housing + rSS supplementary; unsheltered = 0; the ranking home > with family or
    # renting > public shelter > unsheltered is the literature's (public shelter is the last
    # resort: Hazus Earthquake Technical Manual ch. 14 — most displaced households find their
    # own); the shares themselves are workbench choices
    Assumed("shelter_housing_share", 0.5, "share of a home's housing", "assumption",
            "a cot in a collective shelter at the Sphere minimum of covered space, without "
            "privacy or an own kitchen, meets half of the housing need a home meets",
            "workbench.functionality.Valuation"),
    Assumed("shelter_service_share", 0.5, "share of the host's rSS", "assumption",
            "a sheltered person gets half of the supplementary service per unit of the host's "
            "shared rSS (queues, distance from school and work); a temporary place's own "
            "services count the same share of full service",
            "workbench.functionality.Valuation"),
    Assumed("elsewhere_housing_share", 0.75, "share of a home's housing", "assumption",
            "staying with family or friends or in a rental outside the damaged area: a roof "
            "and some privacy, doubled up; above a public shelter, below home",
            "workbench.functionality.Valuation"),
    Assumed("elsewhere_service_share", 0.5, "person-units per person", "assumption",
            "the displaced share the supplementary capacity of the household or district that "
            "takes them in (it is not copied: the rule of shelter hosts)",
            "workbench.functionality.Valuation"),
    # --- productivity per m² (EP_unit)
    Assumed("ep_value_added_inputs", MappingProxyType({
        "residential": (80.0, 1.0), "office": (110_000.0, 20.0), "commercial": (70_000.0, 40.0),
        "industrial": (130_000.0, 80.0), "public": (65_000.0, 35.0)}),
        "(EUR per worker per year at 2022 prices, m2 per worker); residential: (EUR per m2 of "
        "dwelling per year, 1)", "assumption",
        "rounded orders of magnitude of Statistics Finland national accounts (value added and "
        "employment by industry: office J/K/M/N, commercial G/I, industrial C, public O/P/Q; "
        "residential = imputed housing services L68 ~20 bn EUR over ~250 M m2 of dwellings) and "
        "round floor areas per worker (offices ~20 m2 gross after British Council for Offices "
        "2018); converted to 2024 prices with the consumer price index factor for 2022 "
        "(1.079)",
        "workbench.functionality"),
    Assumed("ep_service_weights", MappingProxyType({
        "residential": (0.25, 0.35, 0.10), "office": (0.15, 0.60, 0.15),
        "commercial": (0.20, 0.45, 0.25), "industrial": (0.25, 0.50, 0.20),
        "public": (0.25, 0.45, 0.20)}),
        "share of the productivity per m² lost without (water, power, road)",
        "assumption", "linear service dependence; offices depend most on power; a dwelling "
        "without services keeps some value (shelter from weather); stage 03 replaces it",
        "workbench.functionality"),
    Assumed("rss_service_weights", MappingProxyType({
        "residential": (0.40, 0.40, 0.10), "office": (0.20, 0.50, 0.20),
        "commercial": (0.25, 0.40, 0.25), "industrial": (0.25, 0.45, 0.20),
        "public": (0.35, 0.35, 0.20)}), "share of rSS lost without (water, power, road)",
        "assumption", "linear service dependence of the supplementary service factor; "
        "stage 03's random forest replaces it", "workbench.functionality"),
    # --- damage of networks
    Assumed("pipe_repair_rate", "data/hazus_pipe_repair_rate.csv",
            "repairs per km by PGV; break share", "cited",
            "Hazus 6.1 Table 8-12 repair rates; 80 % leaks / 20 % breaks under shaking",
            "workbench.hazard.fragility", hazards=("earthquake", "field")),
    Assumed("pipe_repair_crew_days", 1.0, "crew-days per pipe repair", "assumption",
            "about one crew-day per leak or break repair, the order of magnitude of Hazus "
            "restoration rates for pipes", "workbench.hazard.damage", hazards=("earthquake", "field")),
    Assumed("component_out_of_service_state", 2, "Hazus damage state", "assumption",
            "a lognormal component is out at DS >= 2 (moderate: e.g. 40 % of a substation's "
            "breakers failed)", "workbench.hazard.damage"),
    # --- road debris
    Assumed("debris_reach_factor", 0.5, "share of building height", "cited",
            "debris spreads half the building height beyond the facade (doi:10.1155/2020/7034517, "
            "Table 7)", "workbench.hazard.debris"),
    Assumed("story_height_m", 3.0, "m", "assumption", "a typical storey", "workbench.hazard.debris"),
    Assumed("debris_clearance_crew_days_per_1000_m2", 1.0, "crew-days per 1000 m2 of floor area",
            "assumption", "~300 t of street debris per 1000 m2 collapsed, cleared by one loader "
            "crew in about a day", "workbench.hazard.debris"),
    Assumed("debris_clearance_cost_per_m2", 5.0, "EUR per m2 of floor area (2024)", "assumption",
            "haulage and disposal of the street share of the debris", "workbench.hazard.debris"),
    # --- importers: what a city gets where the data say nothing
    Assumed("floor_area_per_occupant_m2", MappingProxyType({
        "residential": 40.0, "office": 20.0, "commercial": 35.0, "industrial": 80.0,
        "public": 15.0}), "m2 of gross floor area per occupant (Q0 = area / this)", "assumption",
        "residential ~40 m2 per resident, the Finnish average dwelling floor area per person "
        "(Statistics Finland, Dwellings and housing conditions 2022; cited); office ~20 m2 per "
        "workplace (Nordic planning figure); commercial, industrial, public: planning orders of "
        "magnitude", "workbench.io.importers.buildings"),
    Assumed("default_stories", MappingProxyType({
        "residential": 5, "office": 6, "commercial": 4, "industrial": 2, "public": 3}),
        "storeys", "assumption", "typical central-Helsinki blocks; used only where an extract "
        "observes no storeys at all for a type (the field is then reported 'constant')",
        "workbench.io.importers.osm"),
    Assumed("default_year_built", 1960, "year", "assumption", "a mid-century year; used only where "
            "an extract observes no year at all (reported 'constant')", "workbench.io.importers.osm"),
    Assumed("peak_power_w_per_m2", MappingProxyType({
        "residential": 10.0, "office": 40.0, "commercial": 50.0, "industrial": 20.0,
        "public": 25.0}), "W per m2 of floor area (coincident peak)", "assumption",
        "below single-building design loads (offices 62-87 W/m2, BSRIA Rules of Thumb) because "
        "the peaks of many buildings do not coincide; sizes the generated substations",
        "workbench.io.importers.utilities"),
    Assumed("substation_firm_capacity", (2, 40.0, 0.95),
            "(transformers, MVA each, power factor): firm n-1 capacity in MW", "assumption",
            "a 110/20 kV urban primary substation of 2 x 40 MVA operated n-1",
            "workbench.io.importers.utilities"),
    Assumed("water_l_per_person_day", MappingProxyType({
        "residential": 158.0, "office": 40.0, "commercial": 40.0, "industrial": 40.0,
        "public": 40.0}), "L per occupant per day", "assumption",
        "residential 158 L, the Helsinki-region average (HSY; cited); offices 40 L (UK design "
        "chart; cited); other non-residential types 40 L (assumption); sizes the water sources",
        "workbench.io.importers.utilities"),
    Assumed("water_max_day_factor", 1.5, "maximum-day / average-day demand", "assumption",
            "usual design values 1.2-2", "workbench.io.importers.utilities"),
    Assumed("water_feed_main", (0.4, 1.0), "(inner diameter m, velocity m/s) of a generated "
            "source's supply main", "assumption", "DN400 at 1 m/s, ~10,860 m3/day",
            "workbench.io.importers.utilities"),
    # --- recovery: the limits of information and implementation
    Assumed("inspections_per_day", 50, "buildings per day", "assumption",
            "two ATC-20 rapid-evaluation teams at about 25 buildings a day each (a rapid "
            "evaluation takes 10-20 minutes); parameter constraints.inspections_per_day",
            "workbench.recovery"),
    Assumed("mobilisation_days", 1, "days per task a crew starts", "assumption",
            "moving a crew and its equipment to another site in the city",
            "workbench.recovery"),
    Assumed("redi_impeding_delays", "data/redi_impeding_delays.csv",
            "median days, lognormal beta", "cited",
            "REDi (Almufti & Willford 2013) inspection, engineering mobilisation, permits, "
            "financing, as implemented in pyredi 0.1.1; the mapping of Hazus damage states to "
            "REDi repair classes is a workbench assumption (workbench.recovery.impeding)",
            "workbench.recovery.impeding"),
    # --- recovery: the rigid strategy's predefined plan (parameter constraints.rigid_plan)
    Assumed("rigid_plan_classes", MappingProxyType({
        "emergency and critical facilities": ("public",), "housing": ("residential",),
        "business": ("commercial", "office", "industrial")}),
            "building types by function class, in repair priority", "cited",
            "a repair priority fixed before the event, never revised, as the predefined repair "
            "sequences of FEMA P-58 (FEMA 2018), REDi (Almufti & Willford 2013) and GB/T "
            "38591-2020 are; the order of the classes - emergency and critical facilities, "
            "then housing, then business - is the order of pre-event recovery planning's "
            "performance goals (NIST SP 1190, 2015: critical facilities, emergency housing, "
            "housing and neighbourhoods, community recovery). Which building types fall in "
            "each class is a workbench assumption: the city model has no hospitals or fire "
            "stations, and public buildings (schools, halls) are its shelters",
            "workbench.recovery"),
    Assumed("rigid_plan_damage_states", (1, 2, 3, 4), "Hazus damage states, in repair order "
            "within a function class", "assumption",
            "lower damage states first: the shortest repairs return use soonest per crew (a "
            "rule of thumb, not a cited rule)", "workbench.recovery"),
    # --- mitigation (stage 06): cost models and the value of a person-day
    Assumed("retrofit_cost_share", {"MC": 0.10, "HC": 0.20}, "share of replacement cost",
            "assumption", "seismic retrofit to Hazus moderate / high code, as a share of the "
            "retrofitted buildings' replacement cost; an option may give its own cost",
            "workbench.mitigation"),
    Assumed("backup_power_cost_per_pump", 150_000.0, "EUR per pump", "assumption",
            "a standby diesel set with its switchgear at a water pumping station",
            "workbench.mitigation"),
    Assumed("reserve_crew_cost_per_day", 2_000.0, "EUR per crew-day", "assumption",
            "a reserve crew's work in an event, per crew-day (paid only when the event comes: "
            "scaled by the annual probability like the benefit)", "workbench.mitigation"),
    Assumed("shelter_cost_per_place", 300.0, "EUR per place", "assumption",
            "stocked cots, tents and sanitation for one temporary shelter place",
            "workbench.mitigation"),
    Assumed("value_per_person_day", 50.0, "EUR per person-day", "assumption",
            "the disruption of one person-day of service loss (FEMA BCA counts residential "
            "disruption beside displacement costs); of the order of a daily allowance, with no "
            "published source: the dominant assumption of stage 06, whose ranking is shown at "
            "25, 50 and 100 EUR; parameter mitigation.value_per_person_day",
            "workbench.mitigation"),
    Assumed("displacement_cost_per_person_day", 50.0, "EUR per person-day", "assumption",
            "lodging and meals of a displaced resident not in a public shelter: FEMA BCA prices "
            "residential displacement at the lodging and meals per-diem rates (GSA); here of "
            "the order of the Finnish full-day allowance (about 50 EUR in 2024); parameter "
            "mitigation.displacement_cost_per_person_day", "workbench.mitigation"),
    Assumed("shelter_cost_per_place_day", 25.0, "EUR per occupied place-day", "assumption",
            "running a public shelter: meals, staff, cleaning and utilities per person and day; "
            "parameter mitigation.shelter_cost_per_place_day", "workbench.mitigation"),
    Assumed("discount_rate", 0.03, "per year", "cited",
            "social discount rate for EU Member States outside the Cohesion Fund (European "
            "Commission 2014, Guide to Cost-Benefit Analysis of Investment Projects); parameter "
            "mitigation.discount_rate", "workbench.mitigation"),
    Assumed("retrofit_service_life_years", 50, "years", "assumption",
            "life of a seismic retrofit (the retrofitted structure's remaining life), the "
            "analysis period of its present value; in the parameter file an option may give "
            "its own life, and the mitigation section one life for all", "workbench.mitigation"),
    Assumed("backup_power_service_life_years", 25, "years", "assumption",
            "life of a standby diesel generator set with its switchgear (manufacturers quote "
            "20-30 years for standby duty)", "workbench.mitigation"),
    Assumed("backup_power_annual_cost_per_pump", 3_000.0, "EUR per pump and year",
            "assumption", "upkeep of a standby generator: service, monthly load tests, fuel "
            "turnover (about 2 % of its cost a year)", "workbench.mitigation"),
    Assumed("reserve_crew_retainer_per_year", 10_000.0, "EUR per crew and year", "assumption",
            "the standby fee of a framework agreement that holds a crew ready, paid every year "
            "whether or not the event comes (its work in an event is paid per crew-day, "
            "the reserve crew cost per day above)", "workbench.mitigation"),
    Assumed("reserve_crew_contract_years", 10, "years", "assumption",
            "term of a reserve-crew framework agreement (an option without up-front cost: its "
            "benefit-cost ratio does not depend on it)", "workbench.mitigation"),
    Assumed("shelter_service_life_years", 15, "years", "assumption",
            "life of stocked shelter equipment (cots, tents, sanitation) in storage",
            "workbench.mitigation"),
    Assumed("shelter_annual_cost_per_place", 10.0, "EUR per place and year", "assumption",
            "storage, inspection and rotation of a stocked shelter place", "workbench.mitigation"),
    # --- tables in data/ (listed so that the page is complete)
    Assumed("building_fragility", "data/hazus_building_fragility.csv", "median PGA g, beta",
            "cited", "Hazus equivalent-PGA structural fragilities (medians), beta 0.64; every "
            "row's source column names manual and table", "workbench.hazard.fragility", hazards=("earthquake", "field")),
    Assumed("flood_depth_damage", "data/hazus_flood_depth_damage.csv",
            "loss ratio by depth above the first floor [ft]", "cited",
            "Hazus Flood Model v6.1 default structure curves of RES3, COM4, COM1, IND1, EDU1 "
            "(via simcenter-dlml 3.2); contents not counted", "workbench.hazard.flood",
            hazards=("flood",)),
    Assumed("flood_restoration", "data/hazus_flood_restoration.csv",
            "days by depth band (minimum, maximum)", "cited",
            "Hazus Flood Model restoration table flRsFnGBS (via FEMA's FAST lookup table), drawn "
            "uniformly between minimum and maximum and read as crew-days",
            "workbench.hazard.flood", hazards=("flood",)),
    Assumed("flood_damage_state_rule", "nearest earthquake repair-cost ratio",
            "Hazus damage state", "assumption",
            "Hazus flood has no damage states: a flood loss takes the state whose Hazus "
            "earthquake repair-cost ratio (same occupancy) is nearest, at least slight",
            "workbench.hazard.flood", hazards=("flood",)),
    Assumed("flood_first_floor_height_m", 0.3, "m above the ground", "assumption",
            "about 1 ft, a slab on grade, where the buildings give no first_floor_height "
            "(parameter hazard.first_floor_height_m)", "workbench.hazard.flood",
            hazards=("flood",)),
    Assumed("facility_flood_depth_m", 0.5, "m of water above the ground", "assumption",
            "switchgear and pump motors stand about half a metre above the floor; a facility "
            "under this much water is out (DS 3) (parameter hazard.facility_flood_depth_m)",
            "workbench.hazard.flood", hazards=("flood",)),
    Assumed("building_repair", "data/hazus_repair.csv", "cost ratios, days", "cited",
            "Hazus 5.1 repair cost ratios and building clean-up and repair times",
            "workbench.hazard.fragility"),
    Assumed("lifeline_restoration", "data/hazus_lifeline_restoration.csv",
            "days by damage state; EUR (2024) replacement cost", "assumption",
            "Hazus restoration functions for substations, circuits, plants, tanks, wells as "
            "recalled, NOT verified against the manual offline; replacement costs are planning "
            "figures; every row says so", "workbench.hazard.fragility.component_consequences"),
    Assumed("replacement_cost_per_m2", "data/replacement_cost_per_m2.csv", "EUR per m2 (2024)",
            "assumption", "orders of magnitude of Helsinki-region construction costs; every row "
            "says ASSUMPTION", "workbench.hazard.fragility.replacement_cost"),
    Assumed("network_repair_rules", "workbench.io.importers.REPAIR_RULES",
            "crew-days and EUR (2024) per edge and km", "assumption",
            "planning figures for street, main and cable renewal per km", "workbench.io.importers"),
)

_BY_NAME = MappingProxyType({a.name: a for a in REGISTRY})


def entry(name: str) -> Assumed:
    """The registry entry ``name``; an unknown name is an error listing the known ones."""
    if name not in _BY_NAME:
        raise InputError(f"no assumed value {name!r}; known: {sorted(_BY_NAME)}.")
    return _BY_NAME[name]


def value(name: str):
    """The value of the registry entry ``name``."""
    return entry(name).value


def assumptions_table():
    """Every entry as a DataFrame (name, value, units, status, source, used_in), cited first.

    Examples
    --------
    >>> t = assumptions_table()
    >>> sorted(set(t["status"])) == sorted(STATUSES)
    True
    """
    rows = [{"name": a.name, "value": _show(a.value), "units": a.units, "status": a.status,
             "source": a.source, "used_in": a.used_in} for a in REGISTRY]
    table = pd.DataFrame(rows)
    order = table["status"].map({s: i for i, s in enumerate(STATUSES)})
    return table.iloc[order.argsort(kind="stable")].reset_index(drop=True)


def _show(v) -> str:
    if isinstance(v, MappingProxyType):
        return "; ".join(f"{k}: {w}" for k, w in v.items())
    return str(v)
