"""The ``hazard`` and ``damage`` sections of the parameter file (:mod:`workbench.core.sections`):
what shakes the city, and how its damage is drawn or read."""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any, Callable, ClassVar

from ..core.errors import InputError
from ..core.sections import check, is_int, setting
from .fragility import SEISMIC_DESIGN_ZONES
from .capacity import BUILDING_MODELS
from .gmpe import GMPES
from .ground_motion import (HAZARD_KINDS, MECHANISMS, Earthquake, earthquake_intensity,
                            intensity_from_csv, rupture_length_wells_coppersmith)

__all__ = ["HazardSection", "DamageSection", "INTENSITY", "HazardKind"]


@dataclass(frozen=True)
class HazardKind:
    """One kind of hazard a run can name (``hazard.kind``): what it is, and how it gives the
    intensity Dataset (PGA, PGV at buildings and components) of a city."""

    meaning: str
    intensity: Callable[["HazardSection", Any, Any], Any]


def _earthquake(h: "HazardSection", buildings, components):
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


def _field(h: "HazardSection", buildings, components):
    """A user's CSV intensity field, scaled by ``intensity_scale``."""
    return intensity_from_csv(h.field, buildings, components, scale=h.intensity_scale)


#: The registry of hazard kinds, by the name ``hazard.kind`` gives (its keys are
#: :data:`~workbench.hazard.ground_motion.HAZARD_KINDS`).
INTENSITY: dict[str, HazardKind] = {
    "earthquake": HazardKind("ground motion from a GMPE", _earthquake),
    "field": HazardKind("a user CSV", _field),
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
    gmpe: str = setting("BA08", "ground-motion model: " + ", ".join(GMPES) + " (workbench."
                                "hazard.gmpe;\nBA08 written here, the others through pygmm)")
    residuals: bool = setting(False, "draw the model's between- and within-event scatter per "
                                     "realisation, spatially\ncorrelated (false: every "
                                     "realisation shaken by the medians)")
    correlation_range_km: float | None = setting(None, "range b of the within-event "
                                                       "correlation exp(-3h/b); null = 8.5 km\n"
                                                       "(Jayaram & Baker 2009, PGA)")
    field: str | None = setting(None, "a CSV intensity field for kind: field (relative: to this "
                                      "file's folder)")

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
        if self.kind != "field" and field is not None:
            raise InputError(f"field is {field!r} but hazard.kind is {self.kind!r}, which does "
                             f"not read it; set kind: field to use the field, or remove "
                             f"hazard.field.")

    def intensity(self, buildings, components):
        """The intensity Dataset of this hazard at the buildings and components (the kind's
        entry of :data:`INTENSITY`)."""
        return INTENSITY[self.kind].intensity(self, buildings, components)


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
    building_model: str = setting("equivalent-pga", "buildings' damage: 'equivalent-pga' (Hazus "
                                                    "equivalent-PGA curves) or\n'capacity-"
                                                    "spectrum' (Hazus capacity-spectrum method "
                                                    "from SA(0.3 s), SA(1.0 s)\nand the "
                                                    "magnitude; an earthquake scenario only)")
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
