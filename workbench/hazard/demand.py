"""Demand types, their units, and the one place where a field's unit meets a model's.

An intensity Dataset (an earthquake's, a user's field, a flood's) holds, per site
(``building``, ``component``), values of named *demand types* (:data:`DEMANDS`), each
variable ``<site>_<demand>`` with its ``units`` attribute. A damage model declares the demand
type and the unit it takes (:data:`MODEL_DEMANDS`) and reads it with :func:`site_demand`, which
converts from the field's unit (:func:`convert`); a unit it cannot convert from is an error that
names the variable, never a silent factor. A user's CSV field may name its unit in the column
(:func:`column_measure`: ``pga_pctg`` for a ShakeMap's %g, ``pgv_in_s``, …); a bare ``pga`` is
in g and a bare ``pgv`` in cm/s, as before.

A new hazard is a new kind of :data:`workbench.hazard.section.INTENSITY` that writes its demand
types here, rows of :data:`MODEL_DEMANDS` for its models, and an entry of
:data:`workbench.hazard.damage.DAMAGE_MODELS`: recovery, indexes, stages and reports read the
damage Dataset only (the flood was added that way).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from types import MappingProxyType

import numpy as np
import xarray as xr

from ..core.errors import InputError

__all__ = ["Demand", "DEMANDS", "UNITS", "MODEL_DEMANDS", "convert", "site_demand",
           "column_measure"]


@dataclass(frozen=True)
class Demand:
    """One demand type: the unit an intensity Dataset stores it in, and what it is."""

    unit: str
    meaning: str


#: The demand types, by the name their variables end in (``building_pga``, …).
DEMANDS = MappingProxyType({
    "pga": Demand("g", "peak ground acceleration"),
    "pgv": Demand("cm/s", "peak ground velocity"),
    "sa03": Demand("g", "5 %-damped spectral acceleration at 0.3 s"),
    "sa10": Demand("g", "5 %-damped spectral acceleration at 1.0 s"),
    "inundation_depth": Demand("m", "depth of water above the ground"),
})

#: Each unit as (quantity, factor to the quantity's SI unit).
UNITS = MappingProxyType({
    "g": ("acceleration", 9.80665), "%g": ("acceleration", 0.0980665),
    "m/s2": ("acceleration", 1.0), "cm/s2": ("acceleration", 0.01),
    "cm/s": ("velocity", 0.01), "m/s": ("velocity", 1.0), "in/s": ("velocity", 0.0254),
    "m": ("length", 1.0), "ft": ("length", 0.3048), "cm": ("length", 0.01),
    "in": ("length", 0.0254),
})

#: What each damage model reads: (demand type, the unit the model's tables take).
MODEL_DEMANDS = MappingProxyType({
    "equivalent-pga": (("pga", "g"),),                       # Hazus building curves
    "capacity-spectrum": (("sa03", "g"), ("sa10", "g")),     # Hazus capacity spectrum
    "lifeline-lognormal": (("pga", "g"),),                   # substations, pumps, …
    "pipe-repair-rate": (("pgv", "cm/s"),),                  # Hazus 6.1 repair rate
    "flood-depth-damage": (("inundation_depth", "ft"),),     # Hazus flood curves
    "flood-facility": (("inundation_depth", "m"),),          # facilities out under water
})

#: Unit spellings a CSV column may end in (``pga_pctg``, ``pgv_cm_s``, …).
_COLUMN_UNITS = {"g": "g", "pctg": "%g", "ms2": "m/s2", "m_s2": "m/s2", "cms2": "cm/s2",
                 "cm_s2": "cm/s2", "cm_s": "cm/s", "cms": "cm/s", "m_s": "m/s", "ms": "m/s",
                 "in_s": "in/s", "ins": "in/s"}


def convert(values, from_unit: str, to_unit: str, *, what: str = "values") -> np.ndarray:
    """``values`` in ``from_unit`` expressed in ``to_unit`` (:data:`UNITS`).

    Examples
    --------
    >>> convert([1.0, 2.0], "m", "ft").round(4).tolist()
    [3.2808, 6.5617]
    >>> convert([25.0], "%g", "g").tolist()
    [0.25]
    >>> convert([1.0], "g", "cm/s", what="building_pga")
    Traceback (most recent call last):
    ...
    workbench.core.errors.InputError: building_pga: cannot convert g (acceleration) to cm/s (velocity).
    """
    for unit in (from_unit, to_unit):
        if unit not in UNITS:
            raise InputError(f"{what}: unknown unit {unit!r}; known: {sorted(UNITS)}.")
    (q_from, f_from), (q_to, f_to) = UNITS[from_unit], UNITS[to_unit]
    if q_from != q_to:
        raise InputError(f"{what}: cannot convert {from_unit} ({q_from}) to {to_unit} "
                         f"({q_to}).")
    values = np.asarray(values, dtype=float)
    return values if from_unit == to_unit else values * (f_from / f_to)


def site_demand(intensity: xr.Dataset, site: str, demand: str, unit: str) -> np.ndarray:
    """The values of ``<site>_<demand>`` in ``unit`` (a model's), converted from the variable's
    own ``units`` (default: the demand type's unit of :data:`DEMANDS`).

    >>> ds = xr.Dataset({"building_inundation_depth": ("building", [0.6096])})
    >>> site_demand(ds, "building", "inundation_depth", "ft").round(9).tolist()
    [2.0]
    """
    name = f"{site}_{demand}"
    if name not in intensity:
        raise InputError(f"the intensity has no {name!r}, which the damage model needs.")
    own = intensity[name].attrs.get("units", DEMANDS[demand].unit)
    return convert(intensity[name].values, own, unit, what=name)


def column_measure(column: str) -> tuple[str, str] | None:
    """(demand type, unit) of a CSV column ``<demand>`` or ``<demand>_<unit>``
    (``pga`` → g, ``pgv`` → cm/s); None for a column that names no demand type.

    >>> column_measure("pga"), column_measure("PGA_pctg"), column_measure("pgv_in_s")
    (('pga', 'g'), ('pga', '%g'), ('pgv', 'in/s'))
    >>> column_measure("x") is None
    True
    """
    name = column.strip().lower()
    for demand in ("pga", "pgv"):
        if name == demand:
            return demand, DEMANDS[demand].unit
        match = re.fullmatch(demand + r"_(.+)", name)
        if match and match.group(1) in _COLUMN_UNITS:
            return demand, _COLUMN_UNITS[match.group(1)]
    return None
