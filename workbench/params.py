"""The run parameter file (METHOD §9): one YAML file names city, hazard, constraints, strategies, seed.

Every key has a default (:data:`DEFAULTS`, printed with comments by ``workbench params``). A file
only needs the keys it changes; unknown keys — at any depth — are an error that names them.
"""

from __future__ import annotations

import copy
import math
from pathlib import Path
from typing import Any

import yaml

from .dims import STRATEGIES
from .errors import ParameterError

__all__ = ["DEFAULTS", "default_params_yaml", "load_params", "validate_params", "dump_params"]

#: The default parameters: the bundled demo city, a moderate earthquake under its centre.
DEFAULTS: dict[str, Any] = {
    "name": "demo",
    "city": "demo",
    "seed": 42,
    "realizations": 1,
    "horizon_days": 730,
    "map": {"max_distance_m": 1000.0},
    "hazard": {
        "kind": "earthquake",
        "magnitude": 5.5,
        "location": "centre",
        "depth_km": 10.0,
        "vs30": 760.0,
        "intensity_scale": 1.0,
        "field": None,
    },
    "constraints": {
        "crews": {"building": 60, "water": 6, "power": 6, "road": 3},
        "materials_per_day": math.inf,
        "commitment_days": 14,
    },
    "strategies": list(STRATEGIES),
    "damage": {"source": None, "road_debris": True, "design_code": "city"},
}

_TEMPLATE = """\
# workbench parameter file (METHOD §9). Print it with `workbench params`, edit, then
#   workbench simulate PARAMS.yaml   or   workbench run PARAMS.yaml
# Keys you leave out take these defaults; an unknown key is an error.
name: {name}                # names the run directory: reports/<name>/
city: {city}                # 'demo' (bundled central Helsinki) or a path to a city folder
seed: {seed}                  # every random draw derives from it: same file -> same numbers
realizations: {realizations}            # damage realisations sampled from the hazard (recovery runs on each)
horizon_days: {horizon_days}          # recovery simulated for days 0..horizon_days
map:
  max_distance_m: {map[max_distance_m]}    # a building farther than this from every node of a network is outside its model (full service)
hazard:
  kind: {hazard[kind]}        # 'earthquake' (ground motion from a GMPE) or 'field' (a user CSV)
  magnitude: {hazard[magnitude]}          # moment magnitude
  location: {hazard[location]}        # 'centre' of the city, or [x, y] in the city's CRS metres
  depth_km: {hazard[depth_km]}
  vs30: {hazard[vs30]}              # m/s, site condition for the ground-motion relation
  intensity_scale: {hazard[intensity_scale]}    # multiplies the intensity field
  field: null               # path to a CSV intensity field (kind: field)
constraints:
  crews: {{building: {constraints[crews][building]}, water: {constraints[crews][water]}, power: {constraints[crews][power]}, road: {constraints[crews][road]}}}  # repair crews by trade, or one number for a shared pool
  materials_per_day: .inf   # EUR of materials that may be used per day (.inf = unlimited)
  commitment_days: {constraints[commitment_days]}        # a crew stays on its task this many days (0 = none, .inf = to completion)
strategies: [rigid, semiflexible, flexible]
damage:
  source: null              # a pelicun-style damage table (CSV/JSON) to use instead of the hazard;
                            # its repair costs must be EUR, like the productivity figures
  road_debris: true         # collapsed buildings block the road edges next to them until cleared (workbench.debris)
  design_code: city         # UBC seismic zone of the Hazus building design levels: 4, 3, 2B, 2A, 1, 0, or 'city' =
                            # the city's seismic_design_zone attr (city.json); a city without one is taken as
                            # zone 0, no seismic design code (all pre-code), with a warning
"""


def default_params_yaml() -> str:
    """The default parameter file, with comments.

    Examples
    --------
    >>> import yaml
    >>> yaml.safe_load(default_params_yaml()) == DEFAULTS
    True
    """
    return _TEMPLATE.format(**DEFAULTS)


def _merge(defaults: dict, given: dict, path: str) -> dict:
    unknown = sorted(set(given) - set(defaults))
    if unknown:
        where = f" under {path!r}" if path else ""
        names = ", ".join(f"{path}.{k}" if path else str(k) for k in unknown)
        raise ParameterError(f"unknown parameter key(s){where}: {names}. Known keys: "
                             f"{sorted(defaults)} (print them all with `workbench params`).")
    out = copy.deepcopy(defaults)
    for key, value in given.items():
        if isinstance(defaults[key], dict) and isinstance(value, dict):
            out[key] = _merge(defaults[key], value, f"{path}.{key}" if path else key)
        else:
            out[key] = value
    return out


def validate_params(given: dict | None) -> dict:
    """Merge ``given`` onto :data:`DEFAULTS` and check every value; return the full parameters.

    Examples
    --------
    >>> validate_params({"seed": 1})["seed"]
    1
    >>> validate_params({"colour": "red"})
    Traceback (most recent call last):
    ...
    workbench.errors.ParameterError: unknown parameter key(s): colour. Known keys: ...
    """
    given = given or {}
    if not isinstance(given, dict):
        raise ParameterError(f"a parameter file must hold a mapping of keys, got {type(given).__name__}.")
    p = _merge(DEFAULTS, given, "")
    _check(isinstance(p["name"], str) and p["name"].strip() != "" and "/" not in p["name"],
           "name", p["name"], "a non-empty string without '/'")
    _check(isinstance(p["city"], str) and p["city"] != "", "city", p["city"],
           "'demo' or a path to a city folder")
    _check(_is_int(p["seed"]) and p["seed"] >= 0, "seed", p["seed"], "a non-negative integer")
    _check(_is_int(p["realizations"]) and p["realizations"] >= 1, "realizations",
           p["realizations"], "a positive integer")
    _check(_is_int(p["horizon_days"]) and p["horizon_days"] >= 1, "horizon_days",
           p["horizon_days"], "a positive integer number of days")
    _check(_is_number(p["map"]["max_distance_m"]) and p["map"]["max_distance_m"] > 0,
           "map.max_distance_m", p["map"]["max_distance_m"], "a positive number of metres")
    h = p["hazard"]
    _check(h["kind"] in ("earthquake", "field"), "hazard.kind", h["kind"], "'earthquake' or 'field'")
    _check(_is_number(h["magnitude"]) and 0 < h["magnitude"] <= 10, "hazard.magnitude",
           h["magnitude"], "a moment magnitude in (0, 10]")
    _check(_is_number(h["depth_km"]) and h["depth_km"] >= 0, "hazard.depth_km", h["depth_km"],
           "a non-negative number of km")
    _check(_is_number(h["vs30"]) and h["vs30"] > 0, "hazard.vs30", h["vs30"], "a positive number (m/s)")
    _check(_is_number(h["intensity_scale"]) and h["intensity_scale"] >= 0, "hazard.intensity_scale",
           h["intensity_scale"], "a non-negative number")
    loc = h["location"]
    _check(loc == "centre" or (isinstance(loc, (list, tuple)) and len(loc) == 2
                                and all(_is_number(v) for v in loc)),
           "hazard.location", loc, "'centre' or [x, y] in metres")
    _check(h["kind"] != "field" or isinstance(h["field"], str), "hazard.field", h["field"],
           "a path to a CSV intensity field when hazard.kind is 'field'")
    c = p["constraints"]
    crews = c["crews"]
    if isinstance(crews, dict):
        _check(all(_is_int(v) and v >= 0 for v in crews.values()) and sum(crews.values()) > 0,
               "constraints.crews", crews, "non-negative integers by trade with a positive total")
    else:
        _check(_is_int(crews) and crews > 0, "constraints.crews", crews, "a positive integer")
    _check(_is_number(c["materials_per_day"]) and c["materials_per_day"] > 0,
           "constraints.materials_per_day", c["materials_per_day"], "a positive number (or .inf)")
    _check(_is_number(c["commitment_days"]) and c["commitment_days"] >= 0,
           "constraints.commitment_days", c["commitment_days"], "a non-negative number (or .inf)")
    source = p["damage"]["source"]
    _check(source is None or (isinstance(source, str) and source != ""), "damage.source", source,
           "null or a path to a damage table (CSV or JSON)")
    _check(isinstance(p["damage"]["road_debris"], bool), "damage.road_debris",
           p["damage"]["road_debris"], "true or false")
    from .fragility import SEISMIC_DESIGN_ZONES  # the zone table is stated once, there
    code = p["damage"]["design_code"]
    code = str(code) if _is_int(code) else code.strip().upper() if isinstance(code, str) else code
    code = "city" if code == "CITY" else code
    _check(code == "city" or code in SEISMIC_DESIGN_ZONES, "damage.design_code",
           p["damage"]["design_code"],
           f"'city' (the city's seismic_design_zone) or a UBC seismic zone of "
           f"{list(SEISMIC_DESIGN_ZONES)}")
    p["damage"]["design_code"] = code
    strategies = p["strategies"]
    if isinstance(strategies, str):
        strategies = p["strategies"] = [strategies]
    _check(isinstance(strategies, list) and len(strategies) > 0, "strategies", strategies,
           f"a non-empty list of {list(STRATEGIES)}")
    unknown = [s for s in strategies if s not in STRATEGIES]
    _check(not unknown, "strategies", unknown, f"any of {list(STRATEGIES)}")
    _check(len(set(strategies)) == len(strategies), "strategies", strategies, "no repeats")
    return p


def load_params(path: str | Path | None = None, **overrides) -> dict:
    """Read a YAML parameter file (``None`` → defaults), apply ``overrides``, validate."""
    given: dict = {}
    if path is not None:
        path = Path(path)
        if not path.is_file():
            raise ParameterError(f"parameter file {str(path)!r} does not exist.")
        try:
            given = yaml.safe_load(path.read_text()) or {}
        except yaml.YAMLError as exc:
            raise ParameterError(f"parameter file {str(path)!r} is not valid YAML: {exc}") from None
    if not isinstance(given, dict):
        raise ParameterError(f"parameter file {str(path)!r} must hold a mapping of keys.")
    given.update(overrides)
    return validate_params(given)


def dump_params(params: dict) -> str:
    """Parameters as YAML (infinite values as ``.inf``), loadable by :func:`load_params`."""
    return yaml.safe_dump(params, sort_keys=False)


def _is_int(v) -> bool:
    return isinstance(v, int) and not isinstance(v, bool)


def _is_number(v) -> bool:
    return isinstance(v, (int, float)) and not isinstance(v, bool) and not math.isnan(v)


def _check(ok: bool, field: str, value, rule: str) -> None:
    if not ok:
        raise ParameterError(f"parameter {field} must be {rule}; got {value!r}.")
