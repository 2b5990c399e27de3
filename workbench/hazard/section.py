"""The ``hazard`` and ``damage`` sections of the parameter file (:mod:`workbench.core.sections`):
what shakes the city, and how its damage is drawn or read."""

from __future__ import annotations

import math
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, ClassVar

from ..core.errors import InputError
from ..core.sections import check, is_int, setting
from .fragility import SEISMIC_DESIGN_ZONES
from .capacity import BUILDING_MODELS
from .gmpe import DEFAULT_GMPE, GMPES
from .flood import FLOOD_DEFAULTS, check_flood_settings
from .ground_motion import (HAZARD_KINDS, MECHANISMS, Earthquake, earthquake_intensity,
                            intensity_from_csv, rupture_length_wells_coppersmith)

__all__ = ["HazardSection", "DamageSection", "INTENSITY", "HazardKind"]


@dataclass(frozen=True)
class HazardKind:
    """One kind of hazard a run can name (``hazard.kind``): what it is, and how it gives the
    intensity Dataset (PGA, PGV at buildings and components) of a city."""

    meaning: str
    intensity: Callable[..., Any]


def _earthquake(h: "HazardSection", buildings, components, city_dir=None):
    """A scenario earthquake through the ground-motion model; ``location: centre`` puts the
    epicentre at the mean building position."""
    if h.location == "centre":
        x, y = float(buildings["x"].mean()), float(buildings["y"].mean())
    else:
        x, y = map(float, h.location)
    quake = Earthquake(magnitude=float(h.magnitude), x=x, y=y, depth_km=float(h.depth_km),
                       vs30=float(h.vs30), intensity_scale=float(h.intensity_scale),
                       gmpe=h.gmpe, mechanism=h.mechanism,
                       rupture_length_km=_rupture_length(h))
    return earthquake_intensity(quake, buildings, components, residuals=h.residuals,
                                correlation_range_km=h.correlation_range_km)


def _rupture_length(h: "HazardSection") -> float | None:
    """``rupture``: ``point`` (None), ``wells-coppersmith`` (the length of the magnitude, Wells &
    Coppersmith 1994), or a length in km."""
    if h.rupture == "point":
        return None
    if h.rupture == "wells-coppersmith":
        return rupture_length_wells_coppersmith(float(h.magnitude))
    return float(h.rupture)


def _field(h: "HazardSection", buildings, components, city_dir=None):
    """A user's CSV intensity field, scaled by ``intensity_scale``."""
    return intensity_from_csv(h.field, buildings, components, scale=h.intensity_scale)


def _flood(h: "HazardSection", buildings, components, city_dir=None):
    """A flood: a user's depth grid (``depth_grid``), or a bathtub of ``water_level_m`` over
    the ground of ``terrain`` (null: the city folder's ``terrain.csv``)."""
    from ..city.terrain import read_grid
    from .flood import bathtub_intensity, depth_grid_intensity
    settings = {"first_floor_height_m": h.first_floor_height_m, "basement": h.basement,
                "facility_flood_depth_m": h.facility_flood_depth_m}
    if h.depth_grid is not None:
        return depth_grid_intensity(read_grid(h.depth_grid, "depth_m"), buildings, components,
                                    **settings)
    terrain = h.terrain
    if terrain is None:
        if city_dir is None:
            raise InputError("hazard.terrain is null (the city folder's terrain.csv) but no "
                             "city folder is known here; give hazard.terrain a grid CSV.")
        terrain = Path(city_dir) / "terrain.csv"
        if not terrain.is_file():
            raise InputError(f"hazard.terrain is null, so the flood needs the city folder's "
                             f"terrain.csv, which {Path(city_dir).name!r} does not hold; give "
                             f"hazard.terrain a grid CSV of x, y, elevation_m, or a "
                             f"hazard.depth_grid.")
    return bathtub_intensity(float(h.water_level_m), read_grid(terrain, "elevation_m"),
                             buildings, components, **settings)


#: The registry of hazard kinds, by the name ``hazard.kind`` gives (its keys are
#: :data:`~workbench.hazard.ground_motion.HAZARD_KINDS`).
INTENSITY: dict[str, HazardKind] = {
    "earthquake": HazardKind("ground motion from a GMPE", _earthquake),
    "field": HazardKind("a user CSV", _field),
    "flood": HazardKind("a water level over the ground, or a depth grid", _flood),
}
assert tuple(INTENSITY) == HAZARD_KINDS


@dataclass(frozen=True)
class HazardSection:
    """``hazard``: an earthquake's ground motion (checked by :class:`Earthquake`), or a field."""

    DOC: ClassVar[str] = ""

    kind: str = setting("earthquake", " or ".join(f"'{k}' ({v.meaning})"
                                                  for k, v in INTENSITY.items()))
    magnitude: float = setting(5.5, "moment magnitude")
    location: Any = setting("centre", "'centre' of the city, or [x, y] in the city's CRS metres")
    depth_km: float = setting(10.0, "")
    vs30: float = setting(760.0, "m/s, site condition for the ground-motion relation")
    intensity_scale: float = setting(1.0, "multiplies the intensity field")
    mechanism: str = setting("unspecified", "fault mechanism: " + ", ".join(MECHANISMS))
    rupture: Any = setting("point", "'point' (a point source), 'wells-coppersmith' (a line "
                                    "rupture of the magnitude's length,\nWells & Coppersmith "
                                    "1994) or a length in km")
    gmpe: str = setting(DEFAULT_GMPE, "ground-motion model: " + ", ".join(GMPES) + " (workbench."
                                "hazard.gmpe;\nAB06, Atkinson & Boore 2006, a stable-continental "
                                "model, for the demo's\nFennoscandian shield; BA08 written here, "
                                "the others through pygmm)")
    residuals: bool = setting(False, "draw the model's between- and within-event scatter per "
                                     "realisation, spatially\ncorrelated (false: every "
                                     "realisation shaken by the medians)")
    correlation_range_km: float | None = setting(None, "range b of the within-event "
                                                       "correlation exp(-3h/b); null = 8.5 km\n"
                                                       "(Jayaram & Baker 2009, PGA)")
    field: str | None = setting(None, "a CSV intensity field for kind: field (relative: to this "
                                      "file's folder)")
    water_level_m: float | None = setting(None, "kind: flood, a still water level [m, the "
                                                "terrain's datum] over the ground\n(a bathtub: "
                                                "every site below it is under water)")
    terrain: str | None = setting(None, "kind: flood, a grid CSV of x, y, elevation_m; null = "
                                        "terrain.csv in the city folder\n(the demo's is "
                                        "synthetic)")
    depth_grid: str | None = setting(None, "kind: flood, a grid CSV of x, y, depth_m [m above "
                                           "the ground] to use instead of\nthe bathtub")
    first_floor_height_m: float = setting(
        FLOOD_DEFAULTS["first_floor_height_m"],
        "kind: flood, the first floor's height above the ground where the buildings\ndo not "
        "give first_floor_height (0.3 m: a slab on grade, an assumption)")
    basement: bool = setting(False, "kind: flood, whether the buildings have a basement "
                                    "(Hazus curve choice)")
    facility_flood_depth_m: float = setting(
        FLOOD_DEFAULTS["facility_flood_depth_m"],
        "kind: flood, water [m] above the ground that puts substations, pumps and\nother "
        "facilities out of service (an assumption)")

    def __post_init__(self):
        check(self.kind in INTENSITY, "kind", self.kind,
              " or ".join(repr(k) for k in INTENSITY))
        loc = self.location
        check(loc == "centre" or (isinstance(loc, (list, tuple)) and len(loc) == 2),
              "location", loc, "'centre' or [x, y] in metres of the city's CRS")
        x, y = (0.0, 0.0) if loc == "centre" else loc
        check(isinstance(self.gmpe, str) and self.gmpe in GMPES, "gmpe", self.gmpe,
              " or ".join(repr(g) for g in GMPES))
        check(self.mechanism in MECHANISMS, "mechanism", self.mechanism,
              " or ".join(repr(m) for m in MECHANISMS))
        r = self.rupture
        check(r in ("point", "wells-coppersmith") or (isinstance(r, (int, float))
                                                       and not isinstance(r, bool)
                                                       and math.isfinite(r) and r >= 0),
              "rupture", r, "'point', 'wells-coppersmith' or a length ≥ 0 km")
        Earthquake(magnitude=self.magnitude, x=x, y=y, depth_km=self.depth_km, vs30=self.vs30,
                   intensity_scale=self.intensity_scale, gmpe=self.gmpe,
                   mechanism=self.mechanism, rupture_length_km=_rupture_length(self))  # its rules
        check(isinstance(self.residuals, bool), "residuals", self.residuals, "true or false")
        b = self.correlation_range_km
        check(b is None or (isinstance(b, (int, float)) and not isinstance(b, bool)
                            and math.isfinite(b) and b > 0),
              "correlation_range_km", b, "null or a number > 0 km")
        if self.kind == "field" and self.residuals:
            raise InputError("residuals is true but hazard.kind is 'field': a user's field "
                             "carries no model scatter to draw; set residuals: false.")
        field = self.field
        check(field is None or (isinstance(field, str) and field.strip() != ""), "field",
              field, "null or a path to a CSV intensity field")
        if self.kind == "field" and field is None:
            raise InputError("field must name a CSV intensity field when hazard.kind is "
                             "'field'; got null. Give the file, or set kind: earthquake.")
        self._check_flood()
        if self.kind != "field" and field is not None:
            raise InputError(f"field is {field!r} but hazard.kind is {self.kind!r}, which does "
                             f"not read it; set kind: field to use the field, or remove "
                             f"hazard.field.")

    def _check_flood(self):
        flood = self.kind == "flood"
        level = self.water_level_m
        check(level is None or (isinstance(level, (int, float)) and not isinstance(level, bool)
                                and math.isfinite(level)),
              "water_level_m", level, "null or a number of metres")
        for key in ("terrain", "depth_grid"):
            value = getattr(self, key)
            check(value is None or (isinstance(value, str) and value.strip() != ""), key, value,
                  "null or a path to a grid CSV")
        check_flood_settings(self.first_floor_height_m, self.basement,
                             self.facility_flood_depth_m)
        if flood:
            if self.residuals:
                raise InputError("residuals is true but hazard.kind is 'flood': the "
                                 "ground-motion scatter does not apply; set residuals: false.")
            if (level is None) == (self.depth_grid is None):
                raise InputError(f"hazard.kind 'flood' needs exactly one of water_level_m (a "
                                 f"bathtub over the terrain) and depth_grid; got "
                                 f"water_level_m {level!r}, depth_grid {self.depth_grid!r}.")
            if self.depth_grid is not None and self.terrain is not None:
                raise InputError("hazard.terrain is given but a depth_grid replaces the "
                                 "bathtub, which alone reads the terrain; remove one.")
        else:
            given = [k for k in ("water_level_m", "terrain", "depth_grid")
                     if getattr(self, k) is not None]
            if given:
                raise InputError(f"hazard.{given[0]} is {getattr(self, given[0])!r} but "
                                 f"hazard.kind is {self.kind!r}, which does not read it; set "
                                 f"kind: flood, or remove hazard.{given[0]}.")

    def intensity(self, buildings, components, city_dir=None):
        """The intensity Dataset of this hazard at the buildings and components (the kind's
        entry of :data:`INTENSITY`); ``city_dir``: the city folder (a flood's default
        terrain)."""
        return INTENSITY[self.kind].intensity(self, buildings, components, city_dir)


@dataclass(frozen=True)
class DamageSection:
    """``damage``: drawn from the hazard through the Hazus fragilities, or read from a table."""

    DOC: ClassVar[str] = ""

    source: str | None = setting(None, "a pelicun-style damage table (CSV/JSON, relative: to "
                                       "this file's folder) to use\ninstead of the hazard; it "
                                       "sets the realizations;\nits repair costs must be EUR, "
                                       "like the productivity figures")
    road_debris: bool = setting(True, "collapsed buildings block the road edges next to them "
                                      "until cleared (workbench.hazard.debris)")
    building_model: str = setting("auto", "buildings' damage: 'capacity-spectrum' (Hazus "
                                          "capacity-spectrum method from SA(0.3 s),\nSA(1.0 s) "
                                          "and the magnitude; a scenario earthquake only), "
                                          "'equivalent-pga'\n(Hazus equivalent-PGA curves, "
                                          "from PGA alone) or 'auto' = capacity-spectrum where\n"
                                          "the hazard gives the spectrum and the magnitude, "
                                          "else equivalent-pga (a user field)")
    design_code: str = setting("city", "UBC seismic zone of the Hazus building design levels: "
                                       "4, 3, 2B, 2A, 1, 0, or 'city' =\nthe city's "
                                       "seismic_design_zone attr (city.json); a city without one "
                                       "is taken as\nzone 0, no seismic design code (all "
                                       "pre-code), with a warning")

    def __post_init__(self):
        source = self.source
        check(source is None or (isinstance(source, str) and source.strip() != ""), "source",
              source, "null or a path to a damage table (CSV or JSON)")
        check(isinstance(self.road_debris, bool), "road_debris", self.road_debris,
              "true or false")
        check(self.building_model in BUILDING_MODELS, "building_model", self.building_model,
              " or ".join(repr(m) for m in BUILDING_MODELS))
        code = self.design_code
        code = (str(code) if is_int(code) else code.strip().upper() if isinstance(code, str)
                else code)
        code = "city" if code == "CITY" else code
        check(code == "city" or code in SEISMIC_DESIGN_ZONES, "design_code", self.design_code,
              f"'city' (the city's seismic_design_zone) or a UBC seismic zone of "
              f"{list(SEISMIC_DESIGN_ZONES)}")
        object.__setattr__(self, "design_code", code)
