"""Hazus earthquake fragilities and consequence tables, as arrays per building and component.

Buildings
---------
Fragility: Hazus *equivalent-PGA* structural fragility curves (the ones Hazus gives for buildings
that are lifeline facilities): lognormal in PGA [g], a median and beta for each damage state
slight…complete, by model building type (``W1``, ``C2L``, ``URML``, …: structure type + height)
and seismic design level. We take these rather than the capacity-spectrum method because they
need only PGA, which a GMPE or a ShakeMap gives directly; Hazus derives them from the spectral
displacement medians for a reference spectrum (M 7, soil, ≥ 15 km), so they are rougher for
other spectrum shapes. Table: ``data/hazus_building_fragility.csv``. Beta is 0.64 for every
type, level and state, as the Hazus tables print it: β = √(0.4² + 0.5²), the damage-state
threshold uncertainty (0.4) and the variability of ground-motion demand (0.5). The 0.5 belongs
here when the shaking is a median field (the default); with ``hazard.residuals`` the scatter of
the shaking is drawn per realisation and the damage draw takes the 0.5 out (β = √(0.64² − 0.5²) ≈ 0.40,
:data:`workbench.hazard.damage.DEMAND_BETA`), so it is not counted twice.

Design level (:func:`code_level`) from ``year_built`` and the place: the Hazus guidance table
"selection of damage functions for typical buildings based on UBC seismic zone and building age"
(:data:`SEISMIC_DESIGN_ZONES`; zones 4, 3, 2B, 2A, 1, 0 × built before 1941 / 1941–1975 / after
1975 → high, moderate, low or pre-code, with the light-wood-frame ``W1`` exceptions). The zone
comes from the city (:func:`seismic_design_zone`: the buildings' ``attrs["seismic_design_zone"]``,
read from ``city.json``) or is passed explicitly. A city that names no zone is taken as zone 0,
*no seismic design code* — a place that gives no code is not assumed designed for earthquakes
— and a warning says so. Types that Hazus gives only for low and pre-code (``S5``, ``C3``,
``URM``) take the highest level they have below the one asked for.

Consequences (``data/hazus_repair.csv``): repair cost as a fraction of replacement cost =
structural + acceleration-sensitive + drift-sensitive non-structural ratios of the occupancy,
all taken at the structural damage state (Hazus assesses non-structural damage separately; we
attribute it to the structural state, a common simplification). Repair time = the Hazus building
clean-up and repair time [days], read as crew-days for one crew. Workbench types map to Hazus
occupancies: residential → RES3 (multi-family), office → COM4 (professional/technical services),
commercial → COM1 (retail), industrial → IND1 (heavy), public → EDU1 (schools, the usual
shelters); GOV1 rows are in the table for users who prefer them.

Replacement cost: the building's ``replacement_cost`` [money] when it has one, else
``floor_area × replacement_cost_per_m2[type]`` from a mapping the caller passes (with its
currency and price year), or the default assumption table ``data/replacement_cost_per_m2.csv``.

Components
----------
``(network, kind)`` → model, :data:`COMPONENT_MODELS`: power substations and grid connections →
Hazus low-voltage substation with unanchored components (``EP.S.L.U``; transformer edges
too, as substation equipment), generators → small
generation plant, unanchored (``EP.G.S.U``), power lines → distribution circuit, standard
components (``EP.C.U``) per edge; water pumps, tanks and treatment plants → the equivalent-PGA
fragility of the low-rise concrete shear-wall building (``C2L``, moderate code) that houses them
(a proxy: Hazus' pumping-plant curves are not in the offline sources); water pipes → the Hazus
repair rate (:func:`pipe_repair_rate`). Junctions, buses, switches, valves, reservoirs,
intersections, gateways and road segments take no damage from shaking (Hazus damages roads only
by ground failure, which the workbench does not model). Unknown kinds are an error; bridges are not yet supported
(their Hazus curves need Sa(1.0 s)).

Repair effort of components (:func:`component_consequences`): every kind with a lognormal
fragility has a Hazus restoration class (:data:`COMPONENT_RESTORATION`: substation, distribution
circuit, generation plant, pumping plant, well, treatment plant, tank;
``data/hazus_lifeline_restoration.csv``) giving the mean days to restore by damage state, read as
crew-days of one crew. A component's own positive ``repair_days`` [crew-days] is its effort at
*complete* damage and the class's restoration profile (mean days at DS k ÷ mean days at DS 4)
scales it to the lower states; without one (nodes usually carry none) the class's mean days are
used as they are. Edges therefore keep their length-based complete effort
(:data:`workbench.io.importers.REPAIR_RULES`) and take the Hazus shape by state — a power line is a
segment of a circuit, not the whole circuit that the distribution-circuit function describes.
Cost the same way: own positive ``repair_cost`` or the class's replacement value, × the class's
cost ratio by state. A fragile kind without a restoration class is an error naming it.

References
----------
FEMA (2022). Hazus Earthquake Model Technical Manual, Hazus 5.1. Federal Emergency Management
Agency, Washington, D.C. (equivalent-PGA fragilities, repair cost ratios, repair times, electric
power fragilities). FEMA, Hazus Earthquake Model Technical Manual, Hazus 6.1, Tables 5-37 to
5-40 (equivalent-PGA fragilities, β 0.64) and Section 8.1, Table 8-12 (pipe repair rates).
NIBS & FEMA (2003). HAZUS-MH MR4 Technical Manual, Table 5.20 (design level by UBC seismic zone
and building age). Numbers copied from the BSD-3 ``simcenter-dlml`` 3.2 package on PyPI (NHERI
SimCenter Damage and Loss Model Library) or from transcriptions of the manual; see each CSV's
``source`` column and ``data/README.md``. The lifeline restoration days are an *unverified*
assumption (see their ``source`` column).
"""

from __future__ import annotations

import logging
from functools import lru_cache
from typing import Mapping, NamedTuple

import numpy as np
import pandas as pd
from scipy.special import ndtr

from ..core.dims import BUILDING_TYPES
from ..core.errors import InputError
from ..core.paths import DATA_DIR

__all__ = [
    "CODE_LEVELS", "SEISMIC_DESIGN_ZONES", "DesignZone", "DESIGN_ERA_STARTS",
    "SEISMIC_DESIGN_ZONE_ATTR", "DEFAULT_SEISMIC_DESIGN_ZONE", "OCCUPANCY_OF_TYPE",
    "COMPONENT_MODELS", "COMPONENT_RESTORATION",
    "building_fragility_table", "repair_table", "lifeline_fragility_table", "pipe_repair_table",
    "lifeline_restoration_table", "component_restoration_spread", "structure_types", "seismic_design_zone", "design_zone_key",
    "code_level", "design_levels", "design_rows",
    "building_fragility", "exceedance_probability", "pipe_repair_rate", "pipe_break_share",
    "building_consequences", "replacement_cost", "component_fragility", "component_consequences",
    "default_replacement_cost_per_m2",
]

log = logging.getLogger(__name__)

#: Hazus seismic design levels, weakest first: pre-, low, moderate, high code.
CODE_LEVELS = ("PC", "LC", "MC", "HC")


class DesignZone(NamedTuple):
    """Design level of buildings built before 1941, 1941–1975 and after 1975 in one UBC zone."""

    levels: tuple[str, str, str]
    #: the same for light wood frame (``W1``), which Hazus rates higher in older eras
    w1_levels: tuple[str, str, str]


#: First years of the eras 1941–1975 and after 1975 (before 1941 is the first era).
DESIGN_ERA_STARTS = (1941, 1976)

#: Hazus guidance "selection of damage functions for typical buildings based on UBC seismic zone
#: and building age" (NIBS & FEMA 2003, HAZUS-MH MR4 Technical Manual, Table 5.20; the same table
#: in later editions): UBC seismic zone → design level by era. Zone 0 (NEHRP map area 1) has no
#: seismic design: every building is pre-code, ``W1`` low code.
SEISMIC_DESIGN_ZONES = {
    "4": DesignZone(("PC", "MC", "HC"), ("MC", "MC", "HC")),
    "3": DesignZone(("PC", "MC", "MC"), ("MC", "MC", "MC")),
    "2B": DesignZone(("PC", "LC", "MC"), ("LC", "LC", "MC")),
    "2A": DesignZone(("PC", "LC", "LC"), ("LC", "LC", "LC")),
    "1": DesignZone(("PC", "PC", "LC"), ("LC", "LC", "LC")),
    "0": DesignZone(("PC", "PC", "PC"), ("LC", "LC", "LC")),
}

#: The buildings' (city's) attr that names its UBC seismic zone, e.g. ``"0"`` for Helsinki.
SEISMIC_DESIGN_ZONE_ATTR = "seismic_design_zone"

#: Zone of a city that names none: no seismic design code (see the module docstring).
DEFAULT_SEISMIC_DESIGN_ZONE = "0"

#: Workbench building type → Hazus occupancy class (see module docstring).
OCCUPANCY_OF_TYPE = {"residential": "RES3", "office": "COM4", "commercial": "COM1",
                     "industrial": "IND1", "public": "EDU1"}

_PROXY_BUILDING = "C2L", "MC"
#: (network, kind) → model: a lifeline fragility id, ``pipe``, ``building:<type>.<level>``
#: (equivalent-PGA fragility of the housing building) or ``none`` (no shaking damage).
COMPONENT_MODELS = {
    ("power", "substation"): "EP.S.L.U", ("power", "ext_grid"): "EP.S.L.U",
    ("power", "source"): "EP.S.L.U", ("power", "generator"): "EP.G.S.U",
    ("power", "line"): "EP.C.U", ("power", "transformer"): "EP.S.L.U",
    ("power", "bus"): "none", ("power", "junction"): "none", ("power", "switch"): "none",
    ("water", "pipe"): "pipe", ("water", "pump"): "building:C2L.MC",
    ("water", "tank"): "building:C2L.MC", ("water", "treatment"): "building:C2L.MC",
    ("water", "source"): "building:C2L.MC", ("water", "reservoir"): "none",
    ("water", "junction"): "none", ("water", "valve"): "none",
    ("road", "road"): "none", ("road", "intersection"): "none", ("road", "gateway"): "none",
    ("road", "junction"): "none", ("road", "source"): "none",
}

#: (network, kind) → Hazus restoration class (a row of ``data/hazus_lifeline_restoration.csv``)
#: for every kind with a lognormal fragility in :data:`COMPONENT_MODELS`. Grid connections,
#: power sources and transformers restore like the substation whose fragility they take; a
#: generic water ``source`` (intake or well field) like a well.
COMPONENT_RESTORATION = {
    ("power", "substation"): "substation", ("power", "ext_grid"): "substation",
    ("power", "source"): "substation", ("power", "transformer"): "substation",
    ("power", "generator"): "generation_plant", ("power", "line"): "distribution_circuit",
    ("water", "pump"): "pumping_plant", ("water", "tank"): "tank",
    ("water", "treatment"): "treatment_plant", ("water", "source"): "well",
}


# --------------------------------------------------------------------------- tables

@lru_cache(maxsize=None)
def _read(name: str) -> pd.DataFrame:
    return pd.read_csv(DATA_DIR / name, keep_default_na=False, na_values=[""])


def building_fragility_table() -> pd.DataFrame:
    """Hazus equivalent-PGA building fragilities, one row per model type and design level.

    Columns ``structure_type``, ``height``, ``code_level``, ``median_ds1..4`` [g],
    ``beta_ds1..4``, ``source``; a copy of ``data/hazus_building_fragility.csv``.

    Examples
    --------
    >>> row = building_fragility_table().query("structure_type == 'W1' and code_level == 'HC'")
    >>> float(row["median_ds1"].iloc[0])
    0.26
    """
    return _read("hazus_building_fragility.csv").copy()


def repair_table() -> pd.DataFrame:
    """Hazus repair cost ratios and repair times by occupancy (``data/hazus_repair.csv``)."""
    return _read("hazus_repair.csv").copy()


def lifeline_fragility_table() -> pd.DataFrame:
    """Hazus electric-power fragilities (``data/hazus_lifeline_fragility.csv``), PGA [g]."""
    return _read("hazus_lifeline_fragility.csv").copy()


def pipe_repair_table() -> pd.DataFrame:
    """Hazus pipe repair-rate constants (``data/hazus_pipe_repair_rate.csv``)."""
    return _read("hazus_pipe_repair_rate.csv").copy()


def lifeline_restoration_table() -> pd.DataFrame:
    """Restoration days and repair cost by damage state of lifeline components.

    One row per restoration class (``substation``, ``pumping_plant``, …): ``mean_days_ds1..4``
    and ``sigma_days_ds1..4`` [days, read as crew-days of one crew], ``replacement_cost_eur``
    [EUR, 2024], ``cost_ratio_ds1..4`` [fraction of it], ``source``, ``cost_source``; a copy of
    ``data/hazus_lifeline_restoration.csv``. The days are an unverified assumption (their
    ``source`` says so), the costs a labelled assumption.

    Examples
    --------
    >>> row = lifeline_restoration_table().set_index("restoration_class").loc["substation"]
    >>> float(row["mean_days_ds4"]), str(row["source"]).startswith("ASSUMPTION")
    (30.0, True)
    """
    return _restoration().copy()


@lru_cache(maxsize=None)
def _restoration() -> pd.DataFrame:
    table = _read("hazus_lifeline_restoration.csv")
    mean = table[[f"mean_days_ds{k}" for k in range(1, 5)]].to_numpy(float)
    ratio = table[[f"cost_ratio_ds{k}" for k in range(1, 5)]].to_numpy(float)
    ok = ((mean > 0).all(axis=1) & (np.diff(mean, axis=1) >= 0).all(axis=1)
          & (ratio > 0).all(axis=1) & (ratio <= 1).all(axis=1)
          & (table["replacement_cost_eur"].to_numpy(float) >= 0))
    if not ok.all():
        raise InputError(f"data/hazus_lifeline_restoration.csv: class(es) "
                         f"{table.loc[~ok, 'restoration_class'].tolist()} need mean days > 0 and "
                         f"non-decreasing over DS 1–4, cost ratios in (0, 1] and a replacement "
                         f"cost ≥ 0; fix the rows.")
    return table


@lru_cache(maxsize=None)
def _fragility_lookup() -> dict[tuple[str, str], tuple[np.ndarray, np.ndarray]]:
    table = _read("hazus_building_fragility.csv")
    model = (table["structure_type"] + table["height"].fillna("")).to_numpy()
    med = table[[f"median_ds{k}" for k in range(1, 5)]].to_numpy(float)
    beta = table[[f"beta_ds{k}" for k in range(1, 5)]].to_numpy(float)
    return {(m, c): (med[i], beta[i]) for i, (m, c) in enumerate(zip(model, table["code_level"]))}


def structure_types() -> list[str]:
    """The Hazus model building types the table knows (``W1``, ``C2L``, ``URML``, …)."""
    return sorted({m for m, _ in _fragility_lookup()})


# --------------------------------------------------------------------------- buildings

def seismic_design_zone(buildings, design_code="city") -> str:
    """The UBC seismic zone (a key of :data:`SEISMIC_DESIGN_ZONES`) that sets design levels.

    Parameters
    ----------
    buildings : City or xarray.Dataset
        Its ``attrs["seismic_design_zone"]`` (from the city folder's ``city.json``) is used when
        ``design_code`` is ``"city"``.
    design_code : str or int
        ``"city"`` (the city's own setting), or a zone: ``"4"``, ``"3"``, ``"2B"``, ``"2A"``,
        ``"1"``, ``"0"`` (an int is read as its digits).

    Returns
    -------
    str
        The zone. A city without the attr gives :data:`DEFAULT_SEISMIC_DESIGN_ZONE` (``"0"``,
        no seismic design code) and logs a warning naming that assumption.

    Raises
    ------
    InputError
        For a zone the Hazus table does not have, naming it and the known zones.

    Examples
    --------
    >>> from workbench.city import toy_city
    >>> seismic_design_zone(toy_city(), "2b"), seismic_design_zone(toy_city(), 4)
    ('2B', '4')
    >>> b = toy_city().buildings.assign_attrs(seismic_design_zone="3")
    >>> seismic_design_zone(b)
    '3'
    """
    buildings = getattr(buildings, "buildings", buildings)
    if isinstance(design_code, str) and design_code == "city":
        given = getattr(buildings, "attrs", {}).get(SEISMIC_DESIGN_ZONE_ATTR)
        if given is None:
            log.warning("the city gives no %r attr: assuming UBC seismic zone %s, no seismic "
                        "design code (every building pre-code, light wood frame W1 low code). Set "
                        "%r in the city's city.json attrs, or damage.design_code in the parameter "
                        "file.",
                        SEISMIC_DESIGN_ZONE_ATTR, DEFAULT_SEISMIC_DESIGN_ZONE,
                        SEISMIC_DESIGN_ZONE_ATTR)
            return DEFAULT_SEISMIC_DESIGN_ZONE
        return design_zone_key(given, f"the city's {SEISMIC_DESIGN_ZONE_ATTR!r} attr")
    return design_zone_key(design_code, "design_code")


def design_zone_key(value, what: str, *, city_allowed: bool = True) -> str:
    """``value`` as a key of :data:`SEISMIC_DESIGN_ZONES` (``"2b"`` → ``"2B"``, ``4`` → ``"4"``);
    anything else is an :class:`InputError` naming ``what``, the value and the known zones.

    >>> design_zone_key("2b", "zone")
    '2B'
    >>> design_zone_key("7", "--seismic-zone", city_allowed=False)
    Traceback (most recent call last):
    ...
    workbench.core.errors.InputError: --seismic-zone '7' is not a UBC seismic zone of the Hazus design-level table; known zones are ['4', '3', '2B', '2A', '1', '0'].
    """
    key = (str(value) if isinstance(value, (int, np.integer)) and not isinstance(value, bool)
           else value.strip().upper() if isinstance(value, str) else None)
    if key not in SEISMIC_DESIGN_ZONES:
        city = (f" (or 'city' for the city's own {SEISMIC_DESIGN_ZONE_ATTR!r})" if city_allowed
                else "")
        raise InputError(f"{what} {value!r} is not a UBC seismic zone of the Hazus design-level "
                         f"table; known zones are {list(SEISMIC_DESIGN_ZONES)}{city}.")
    return key


def code_level(year_built, structural_class=None, *, zone: str) -> np.ndarray:
    """Hazus design level (``PC``/``LC``/``MC``/``HC``) from construction year and seismic zone.

    Parameters
    ----------
    year_built : array_like of int
    structural_class : array_like of str, optional
        Model building types; light wood frame (``W1``) takes the table's W1 levels.
    zone : str
        A key of :data:`SEISMIC_DESIGN_ZONES` (see :func:`seismic_design_zone`).

    Examples
    --------
    >>> code_level([1900, 1950, 1990], zone="4").tolist()
    ['PC', 'MC', 'HC']
    >>> code_level([1900, 1990], ["W1", "C2L"], zone="0").tolist()
    ['LC', 'PC']
    """
    design = SEISMIC_DESIGN_ZONES[design_zone_key(zone, "zone")]
    era = np.searchsorted(DESIGN_ERA_STARTS, np.asarray(year_built), side="right")
    levels = np.asarray(design.levels)[era]
    if structural_class is not None:
        w1 = np.asarray(structural_class).astype(str) == "W1"
        levels = np.where(w1, np.asarray(design.w1_levels)[era], levels)
    return levels.astype("<U2")


def design_levels(buildings, design_code="city") -> tuple[np.ndarray, np.ndarray]:
    """(Hazus model type, design level) of every building: ``structural_class`` and the level
    of its year built and the seismic zone (:func:`code_level`), or its ``design_level`` where
    given (a retrofit, :mod:`workbench.mitigation`). An unknown type or level is an error."""
    buildings = getattr(buildings, "buildings", buildings)
    zone = seismic_design_zone(buildings, design_code)
    classes = np.asarray(buildings["structural_class"].values).astype(str)
    levels = code_level(buildings["year_built"].values, classes, zone=zone)
    if "design_level" in buildings:          # a retrofit (workbench.mitigation): the level given
        given = np.asarray(buildings["design_level"].values).astype(str)
        bad = ~np.isin(given, ("",) + CODE_LEVELS)
        if bad.any():
            raise InputError(f"design_level must be one of {list(CODE_LEVELS)} or empty (the "
                             f"level of its year and zone); got {given[bad][0]!r} for "
                             f"{int(bad.sum())} building(s).")
        levels = np.where(given != "", given, levels).astype("<U2")
    known = set(structure_types())
    unknown = sorted(set(classes.tolist()) - known)
    if unknown:
        raise InputError(f"unknown structural_class {unknown[:5]} for "
                         f"{int(np.isin(classes, unknown).sum())} building(s); the Hazus types are "
                         f"{structure_types()}. Map each building to one of them.")
    return classes, levels


def building_fragility(buildings, *, design_code="city") -> tuple[np.ndarray, np.ndarray]:
    """Median PGA [g] and beta of damage states 1–4 for every building.

    Parameters
    ----------
    buildings : City or xarray.Dataset
        With ``structural_class`` and ``year_built`` on dim ``building``; an optional
        ``design_level`` (``PC``/``LC``/``MC``/``HC``, empty = from year and zone) overrides a
        building's level, as a seismic retrofit does (:mod:`workbench.mitigation`). A type
        without that level in the Hazus table takes its highest level below it (URM: ``LC``).
    design_code : str or int
        Seismic zone for the design levels, or ``"city"``: see :func:`seismic_design_zone`.

    Returns
    -------
    median, beta : numpy.ndarray
        Shape (building, 4); damage states slight, moderate, extensive, complete.

    Raises
    ------
    InputError
        For a structural class the Hazus table does not know (the message lists the known ones).

    Examples
    --------
    >>> from workbench.city import toy_city
    >>> median, beta = building_fragility(toy_city(), design_code="4")
    >>> median.shape, float(median[0, 0])  # b0: URML built 1950 → low code (no MC for URM)
    ((6, 4), 0.14)
    >>> float(building_fragility(toy_city(), design_code="0")[0][0, 0])  # no seismic code
    0.13
    """
    return design_rows(buildings, design_code, _fragility_lookup(), "Hazus fragility")


def design_rows(buildings, design_code, lookup, what: str, where: str = ""
                ) -> tuple[np.ndarray, ...]:
    """Each building's entry of a table keyed by (Hazus type, design level), the entry a tuple
    of arrays: per array, the buildings' rows stacked, shape (building, …). A type without its
    level in the table takes the highest level below it the table has (:func:`design_levels`
    gives type and level). An absent type is an error naming ``what`` (and ``where``)."""
    classes, levels = design_levels(buildings, design_code)
    # hash-factorise (pandas) rather than sort strings: one lookup per distinct (type, level)
    inverse, pairs = pd.factorize(pd.Series(classes) + "|" + levels)
    rows = []
    for pair in pairs:
        model, level = pair.split("|")
        # fall back to the highest design level the type has, at or below the one asked for
        for lv in CODE_LEVELS[CODE_LEVELS.index(level)::-1]:
            if (model, lv) in lookup:
                rows.append(lookup[(model, lv)])
                break
        else:
            raise InputError(f"structural_class {model!r} has no {what} at or below design "
                             f"level {level!r}{where}.")
    sample = next(iter(lookup.values()))
    return tuple((np.stack([r[k] for r in rows]) if rows else np.empty((0,) + np.shape(a)))[inverse]
                 for k, a in enumerate(sample))


def exceedance_probability(intensity, median, beta) -> np.ndarray:
    """P(DS ≥ k | intensity) = Φ(ln(intensity / median) / beta), lognormal fragility.

    Broadcasts ``intensity`` (…, site) against ``median``/``beta`` (site, 4) when given
    ``intensity[..., None]``. Zero intensity gives 0; an infinite median (no damage) gives 0.
    The result is made non-increasing over damage states (the last axis), since curves with
    different betas may cross at extreme intensities.

    Examples
    --------
    >>> float(exceedance_probability(0.3, 0.3, 0.6))
    0.5
    >>> exceedance_probability(0.0, np.array([0.1, 0.2]), np.array([0.4, 0.4])).tolist()
    [0.0, 0.0]
    """
    with np.errstate(divide="ignore"):
        z = np.log(np.asarray(intensity, dtype=float) / median) / beta
    prob = ndtr(z)
    if prob.ndim and prob.shape[-1] == 4:
        prob = np.minimum.accumulate(prob, axis=-1)
    return prob


def building_consequences(buildings) -> tuple[np.ndarray, np.ndarray]:
    """Repair cost ratio and repair days by damage state 0–4 for every building.

    Returns
    -------
    cost_ratio : numpy.ndarray
        (building, 5): fraction of replacement cost, structural + non-structural.
    repair_days : numpy.ndarray
        (building, 5): Hazus clean-up and repair time [days].

    Examples
    --------
    >>> from workbench.city import toy_city
    >>> ratio, days = building_consequences(toy_city())
    >>> ratio[0].round(3).tolist(), days[0].tolist()  # b0, residential → RES3
    ([0.0, 0.02, 0.1, 0.413, 1.0], [0.0, 5.0, 30.0, 120.0, 240.0])
    """
    buildings = getattr(buildings, "buildings", buildings)
    types = np.asarray(buildings["type"].values).astype(str)
    unknown = sorted(set(types.tolist()) - set(OCCUPANCY_OF_TYPE))
    if unknown:
        raise InputError(f"unknown building type(s) {unknown}; known types are "
                         f"{list(BUILDING_TYPES)}.")
    table = _read("hazus_repair.csv")
    cols = [f"ds{k}" for k in range(1, 5)]
    by_type_ratio, by_type_days = {}, {}
    for btype, occ in OCCUPANCY_OF_TYPE.items():
        rows = table[table["occupancy"] == occ].set_index("quantity")
        ratio = rows.loc[rows.index.str.startswith("cost_ratio"), cols].to_numpy(float).sum(axis=0)
        by_type_ratio[btype] = np.concatenate([[0.0], np.minimum(ratio, 1.0)])
        by_type_days[btype] = np.concatenate([[0.0], rows.loc["repair_days", cols].to_numpy(float)])
    inverse, uniq = pd.factorize(types)
    ratio = np.stack([by_type_ratio[t] for t in uniq])[inverse]
    days = np.stack([by_type_days[t] for t in uniq])[inverse]
    return ratio, days


def default_replacement_cost_per_m2() -> dict[str, float]:
    """The default replacement cost [EUR/m², 2024] by building type (an assumption, see
    ``data/replacement_cost_per_m2.csv``).

    Examples
    --------
    >>> sorted(default_replacement_cost_per_m2())[:2]
    ['commercial', 'industrial']
    """
    table = _read("replacement_cost_per_m2.csv")
    return dict(zip(table["type"], table["eur_per_m2"].astype(float)))


def replacement_cost(buildings, replacement_cost_per_m2: Mapping[str, float] | None = None
                     ) -> np.ndarray:
    """Replacement cost [money] of every building.

    The building's ``replacement_cost`` where present; otherwise ``floor_area`` [m²] ×
    ``replacement_cost_per_m2[type]`` [money/m²]. With ``replacement_cost_per_m2=None`` the
    default table :func:`default_replacement_cost_per_m2` (``data/replacement_cost_per_m2.csv``,
    EUR at 2024 prices) is used. Its values are *assumptions* of the right order of magnitude
    for Finnish new-build costs, not a cited table (Hazus valuation tables are not available
    offline); the CSV says so in its ``source`` column, and a study should supply its own.

    Raises
    ------
    InputError
        If neither is available, naming the missing types and the fix.

    Examples
    --------
    >>> from workbench.city import toy_city
    >>> per_m2 = dict.fromkeys(["residential", "office", "commercial", "industrial", "public"],
    ...                        2000.0)
    >>> replacement_cost(toy_city(), per_m2)[:2].tolist()
    [2000000.0, 4000000.0]
    """
    buildings = getattr(buildings, "buildings", buildings)
    if "replacement_cost" in buildings:
        return np.asarray(buildings["replacement_cost"].values, dtype=float)
    types = np.asarray(buildings["type"].values).astype(str)
    per_m2 = dict(default_replacement_cost_per_m2() if replacement_cost_per_m2 is None
                  else replacement_cost_per_m2)
    missing = sorted(set(types.tolist()) - set(per_m2))
    if missing:
        raise InputError(f"buildings have no 'replacement_cost' and replacement_cost_per_m2 lacks "
                         f"type(s) {missing}. Add a 'replacement_cost' [money] variable to the "
                         f"buildings, or pass replacement_cost_per_m2={{type: money per m²}} with "
                         f"its currency and price_year.")
    for key, value in per_m2.items():
        if not (np.isfinite(value) and value >= 0):
            raise InputError(f"replacement_cost_per_m2[{key!r}] must be finite and ≥ 0; got "
                             f"{value!r}.")
    inverse, uniq = pd.factorize(types)
    rate = np.array([per_m2[t] for t in uniq], dtype=float)[inverse]
    return np.asarray(buildings["floor_area"].values, dtype=float) * rate


# --------------------------------------------------------------------------- components

def pipe_repair_rate(pgv, *, ductile=False) -> np.ndarray:
    """Hazus repair rate [repairs/km] of buried water pipes under ground shaking.

    ``RR = 0.0001 × PGV^2.25`` with PGV in cm/s for brittle pipes (cast iron, asbestos cement,
    concrete), × 0.3 for ductile pipes (ductile iron, PVC, steel); 80 % of the repairs are leaks
    and 20 % breaks. Hazus takes this from O'Rourke & Ayala (1993).

    References
    ----------
    FEMA (2024), Hazus Earthquake Model Technical Manual 6.1, Section 8.1, Table 8-12.
    O'Rourke, M. J. & Ayala, G. (1993). Pipeline damage due to wave propagation. J. Geotech. Eng.
    119(9), 1490–1498. doi:10.1061/(ASCE)0733-9410(1993)119:9(1490)

    Examples
    --------
    >>> round(float(pipe_repair_rate(10.0)), 4), round(float(pipe_repair_rate(10.0, ductile=True)), 4)
    (0.0178, 0.0053)
    """
    table = _pipe_table()
    brittle = table.loc["brittle"]
    rate = brittle["coefficient"] * np.power(np.asarray(pgv, dtype=float), brittle["exponent"])
    ductility = table.loc["ductile", "ductility_factor"]
    factor = np.where(np.asarray(ductile, dtype=bool), ductility, 1.0)
    return rate * factor


def pipe_break_share() -> float:
    """Share of the PGV-induced pipe repairs that are breaks, the rest being leaks (Hazus
    Technical Manual v6.1, §8.1: 20 % breaks under ground shaking): ``break_share`` of
    ``data/hazus_pipe_repair_rate.csv``.

    Examples
    --------
    >>> pipe_break_share()
    0.2
    """
    return float(_pipe_table().loc["brittle", "break_share"])


@lru_cache(maxsize=None)
def _pipe_table() -> pd.DataFrame:
    """``data/hazus_pipe_repair_rate.csv`` by ``pipe_class``, indexed once (every damage draw
    asks for the pipe rates; re-indexing the table cost ~ 2 ms a draw)."""
    return _read("hazus_pipe_repair_rate.csv").set_index("pipe_class")


# The old private name, kept for workbench/hazard/damage.py until it imports pipe_break_share.
_pipe_break_share = pipe_break_share


def component_fragility(components) -> dict[str, np.ndarray]:
    """Fragility model of every component, from its ``network`` and ``kind``.

    Parameters
    ----------
    components : xarray.Dataset or InfrastructureSystem
        Dim ``component`` with ``network`` and ``kind``; optional bool ``ductile`` for pipes.

    Returns
    -------
    dict
        ``model`` (component,) str: the model id of :data:`COMPONENT_MODELS`;
        ``median``, ``beta`` (component, 4): lognormal PGA fragility (median ``inf`` where the
        component takes no lognormal damage); ``is_pipe`` (component,) bool; ``ductile`` bool.

    Raises
    ------
    InputError
        For a (network, kind) pair without a model, listing the known pairs.

    Examples
    --------
    >>> import xarray as xr
    >>> comps = xr.Dataset({"network": ("component", ["power", "water"]),
    ...                     "kind": ("component", ["substation", "pipe"])})
    >>> frag = component_fragility(comps)
    >>> frag["model"].tolist(), float(frag["median"][0, 1]), frag["is_pipe"].tolist()
    (['EP.S.L.U', 'pipe'], 0.26, [False, True])
    """
    components = getattr(components, "components", components)
    networks = np.asarray(components["network"].values).astype(str)
    kinds = np.asarray(components["kind"].values).astype(str)
    pairs = sorted(set(zip(networks.tolist(), kinds.tolist())))
    unknown = [p for p in pairs if p not in COMPONENT_MODELS]
    if unknown:
        raise InputError(f"no fragility for component (network, kind) {unknown[:5]}; known pairs "
                         f"are {sorted(COMPONENT_MODELS)}. Rename the kinds, or add a model to "
                         f"workbench.hazard.fragility.COMPONENT_MODELS.")
    lifelines = _read("hazus_lifeline_fragility.csv").set_index("id")
    buildings = _fragility_lookup()
    n = len(kinds)
    model = np.empty(n, dtype=object)
    median = np.full((n, 4), np.inf)
    beta = np.ones((n, 4))
    for net, kind in pairs:
        sel = (networks == net) & (kinds == kind)
        name = COMPONENT_MODELS[(net, kind)]
        model[sel] = name
        if name.startswith("building:"):
            btype, level = name.split(":")[1].split(".")
            median[sel], beta[sel] = buildings[(btype, level)]
        elif name not in ("none", "pipe"):
            row = lifelines.loc[name]
            median[sel] = row[[f"median_ds{k}" for k in range(1, 5)]].to_numpy(float)
            beta[sel] = row[[f"beta_ds{k}" for k in range(1, 5)]].to_numpy(float)
    ductile = (np.asarray(components["ductile"].values, dtype=bool) if "ductile" in components
               else np.zeros(n, dtype=bool))
    return {"model": model.astype(str), "median": median, "beta": beta,
            "is_pipe": model.astype(str) == "pipe", "ductile": ductile}


def component_consequences(components, *, fragility: Mapping | None = None
                           ) -> tuple[np.ndarray, np.ndarray]:
    """Repair effort [crew-days] and cost [EUR] by damage state 0–4 of every component.

    Lognormal components (every kind of :data:`COMPONENT_MODELS` but ``none`` and ``pipe``) take
    their Hazus restoration class (:data:`COMPONENT_RESTORATION`): effort at DS k = complete
    effort × mean days(k) / mean days(4), where the complete effort is the component's own
    ``repair_days`` when positive (user data, or an edge's length rule) and the class's mean
    days at DS 4 otherwise — so a node without ``repair_days`` takes the class's mean days
    [read as crew-days of one crew] as they are. Cost at DS k = (own positive ``repair_cost``,
    else the class's ``replacement_cost_eur``) × cost ratio(k). Pipes and kinds without a
    fragility get zeros here (:func:`workbench.hazard.damage.sample_damage` costs pipes per repair).

    Parameters
    ----------
    components : xarray.Dataset or InfrastructureSystem
        Dim ``component`` with ``network``, ``kind``; optional ``repair_days``, ``repair_cost``
        (absent or 0 = not given).
    fragility : mapping, optional
        The result of :func:`component_fragility` for ``components``, if already computed.

    Returns
    -------
    repair_days, repair_cost : numpy.ndarray
        (component, 5), DS 0…4; DS 0 is 0.

    Raises
    ------
    InputError
        For a fragile (network, kind) without a restoration class, naming it.

    Examples
    --------
    >>> import xarray as xr
    >>> comps = xr.Dataset({"network": ("component", ["power", "power", "water"]),
    ...                     "kind": ("component", ["substation", "line", "junction"]),
    ...                     "repair_days": ("component", [0.0, 14.0, 0.0])})
    >>> days, cost = component_consequences(comps)
    >>> days[0].tolist(), days[1].round(1).tolist(), days[2].tolist()  # node, 14-day line, none
    ([0.0, 1.0, 3.0, 7.0, 30.0], [0.0, 0.6, 2.0, 6.0, 14.0], [0.0, 0.0, 0.0, 0.0, 0.0])
    """
    components = getattr(components, "components", components)
    frag = component_fragility(components) if fragility is None else fragility
    networks = np.asarray(components["network"].values).astype(str)
    kinds = np.asarray(components["kind"].values).astype(str)
    n = len(kinds)
    lognormal = np.isfinite(frag["median"][:, 0])
    pairs = sorted(set(zip(networks[lognormal].tolist(), kinds[lognormal].tolist())))
    table = _restoration().set_index("restoration_class")
    missing = [p for p in pairs if COMPONENT_RESTORATION.get(p) not in table.index]
    if missing:
        raise InputError(f"component kind(s) {missing} have a fragility but no repair effort: "
                         f"give each a Hazus restoration class in "
                         f"workbench.hazard.fragility.COMPONENT_RESTORATION (known classes: "
                         f"{table.index.tolist()}, rows of data/hazus_lifeline_restoration.csv).")

    def own(name):
        values = (np.asarray(components[name].values, dtype=float) if name in components
                  else np.zeros(n))
        return np.where(np.isfinite(values) & (values > 0), values, np.nan)

    own_days, own_cost = own("repair_days"), own("repair_cost")
    days = np.zeros((n, 5))
    cost = np.zeros((n, 5))
    for net, kind in pairs:  # one pass per distinct kind; components are filled by mask
        sel = (networks == net) & (kinds == kind)
        row = table.loc[COMPONENT_RESTORATION[(net, kind)]]
        mean = row[[f"mean_days_ds{k}" for k in range(1, 5)]].to_numpy(float)
        ratio = row[[f"cost_ratio_ds{k}" for k in range(1, 5)]].to_numpy(float)
        full_days = np.where(np.isnan(own_days[sel]), mean[-1], own_days[sel])
        full_cost = np.where(np.isnan(own_cost[sel]), float(row["replacement_cost_eur"]),
                             own_cost[sel])
        days[sel, 1:] = full_days[:, None] * (mean / mean[-1])[None, :]
        cost[sel, 1:] = full_cost[:, None] * ratio[None, :]
    return days, cost


def component_restoration_spread(components, *, fragility: Mapping | None = None) -> np.ndarray:
    """Coefficient of variation (σ / mean) of every component's restoration time by damage
    state 0–4: the Hazus restoration function of its class (``sigma_days_dsk / mean_days_dsk``
    of ``data/hazus_lifeline_restoration.csv``); 0 for DS 0, for pipes (their effort is drawn
    per repair, :func:`workbench.hazard.damage.sample_damage`) and for kinds without a
    fragility.

    Examples
    --------
    >>> import xarray as xr
    >>> comps = xr.Dataset({"network": ("component", ["power", "water"]),
    ...                     "kind": ("component", ["substation", "junction"])})
    >>> component_restoration_spread(comps).round(2).tolist()
    [[0.0, 0.5, 0.5, 0.5, 0.5], [0.0, 0.0, 0.0, 0.0, 0.0]]
    """
    components = getattr(components, "components", components)
    frag = component_fragility(components) if fragility is None else fragility
    networks = np.asarray(components["network"].values).astype(str)
    kinds = np.asarray(components["kind"].values).astype(str)
    table = _restoration().set_index("restoration_class")
    cv = np.zeros((len(kinds), 5))
    lognormal = np.isfinite(frag["median"][:, 0])
    for net, kind in sorted(set(zip(networks[lognormal].tolist(), kinds[lognormal].tolist()))):
        name = COMPONENT_RESTORATION.get((net, kind))
        if name not in table.index:
            continue                    # component_consequences names the missing class
        row = table.loc[name]
        mean = row[[f"mean_days_ds{k}" for k in range(1, 5)]].to_numpy(float)
        sigma = row[[f"sigma_days_ds{k}" for k in range(1, 5)]].to_numpy(float)
        cv[(networks == net) & (kinds == kind), 1:] = sigma / mean
    return cv
