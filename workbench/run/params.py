"""The run parameter file (METHOD §9): one YAML file names city, hazard, constraints, strategies, seed.

Every key has a default (:data:`DEFAULTS`, printed with comments by ``workbench params``). A file
only needs the keys it changes; unknown keys — at any depth — are an error that names them.

Reading a file (:func:`load_params`): UTF-8 YAML, at most 1 MB, one mapping of keys; anchors and
aliases (``&a``, ``*a``) and repeated keys are refused, so a "billion laughs" file fails at its
first anchor; numbers YAML 1.1 reads as text (``1e12``, ``inf``, ``.Infinity``) count as numbers
where a number is expected. Relative paths (``city``, ``hazard.field``, ``damage.source``) are
resolved against the folder of the parameter file (:func:`validate_params`: against
``base_dir``, by default the current directory), and the validated parameters hold them absolute.

Each rule is stated once: the constraint fields and ``horizon_days`` are checked by
:class:`workbench.recovery.Constraints`, the strategy names by :mod:`workbench.recovery`, the
earthquake fields by :class:`workbench.hazard.Earthquake`, the design code by
:data:`workbench.hazard.fragility.SEISMIC_DESIGN_ZONES`; this module checks the file's shape and the
fields no other layer owns, and reports every error with the parameter's path
(``parameter constraints.crews must be …``).
"""

from __future__ import annotations

import copy
import logging
import math
import os
import re
from pathlib import Path
from typing import Any

import yaml

from ..core import assumptions as _assumptions
from ..core.dims import STRATEGIES
from ..core.errors import InputError, ParameterError
from ..hazard.ground_motion import HAZARD_KINDS, Earthquake
from ..recovery import Constraints, crew_pools
from ..recovery import check_strategies as check
from ..hazard.fragility import SEISMIC_DESIGN_ZONES
from ..mitigation import parse_options

__all__ = ["DEFAULTS", "default_params_yaml", "load_params", "validate_params", "dump_params",
           "check_memory", "memory_estimate"]

log = logging.getLogger(__name__)

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
        # the limits of information and implementation (workbench.recovery); see the template
        "inspections_per_day": _assumptions.value("inspections_per_day"),
        "impeding_delays": True,
        "mobilisation_days": _assumptions.value("mobilisation_days"),
        "planner": "greedy",
    },
    "strategies": list(STRATEGIES),
    "damage": {"source": None, "road_debris": True, "design_code": "city"},
    "models": {
        "functionality": "table",
        "survey": None,
        "production": None,
        "production_series": None,
        "alpha": 0.05,
        "correction": "holm",
        "ep_level": "cited",
        "max_epochs": 300,
    },
    "ensemble": {
        "members": 40,
        "priors": {
            "fragility_median_scale": {"median": 1.0, "sigma": 0.2},
            "repair_time_scale": {"median": 1.0, "sigma": 0.3},
            "crew_productivity": {"median": 1.0, "sigma": 0.2},
            "ep_unit_scale": {"median": 1.0, "sigma": 0.25},
        },
        "scheduler": None,
        "workers": None,
        "batch_size": None,
        "draws": 400,
        "tune": 400,
        "chains": 2,
        "observed": None,
        "observed_variable": "ep_functionality",
        "observed_days": None,
    },
    "mitigation": {
        "members": 40,
        "strategy": "semiflexible",
        "value_per_person_day": _assumptions.value("value_per_person_day"),
        "discount_rate": _assumptions.value("discount_rate"),
        "service_life_years": _assumptions.value("service_life_years"),
        "annual_probability": None,
        "options": [
            {"name": "retrofit-homes", "kind": "retrofit", "types": ["residential"], "to": "MC"},
            {"name": "retrofit-public", "kind": "retrofit", "types": ["public"], "to": "MC"},
            {"name": "backup-pumps", "kind": "backup_power", "pumps": "all"},
            {"name": "reserve-crews", "kind": "reserve_crews",
             "crews": {"building": 30, "water": 3, "power": 3}, "days": 60},
            {"name": "shelters", "kind": "shelters", "places": 2000, "from_day": 3},
        ],
        "combinations": [["retrofit-public", "shelters"]],
        "apply": [],
    },
    "response": {
        "agents": True,
        "supplies_days": 7,
    },
}

_TEMPLATE = """\
# workbench parameter file (METHOD §9). Print it with `workbench params`, edit, then
#   workbench simulate PARAMS.yaml   or   workbench run PARAMS.yaml
# Keys you leave out take these defaults; an unknown key is an error. Relative paths (city,
# hazard.field, damage.source) are read from the folder of this file, not the current directory.
# Numbers may be written 1e6 or .inf; YAML anchors and aliases (&a, *a) are not accepted.
name: {name}                # names the run directory: reports/<name>/
city: {city}                # 'demo' (bundled central Helsinki) or a city folder (relative: to this file)
seed: {seed}                  # every random draw derives from it: same file -> same numbers
realizations: {realizations}            # damage realisations sampled from the hazard (recovery runs on each)
horizon_days: {horizon_days}          # recovery simulated for days 0..horizon_days (at most 36,500: 100 years)
map:
  max_distance_m: {map[max_distance_m]}    # a building farther than this from every node of a network is outside its model (full service)
hazard:
  kind: {hazard[kind]}        # 'earthquake' (ground motion from a GMPE) or 'field' (a user CSV)
  magnitude: {hazard[magnitude]}          # moment magnitude
  location: {hazard[location]}        # 'centre' of the city, or [x, y] in the city's CRS metres
  depth_km: {hazard[depth_km]}
  vs30: {hazard[vs30]}              # m/s, site condition for the ground-motion relation
  intensity_scale: {hazard[intensity_scale]}    # multiplies the intensity field
  field: null               # a CSV intensity field for kind: field (relative: to this file's folder)
constraints:
  crews: {{building: {constraints[crews][building]}, water: {constraints[crews][water]}, power: {constraints[crews][power]}, road: {constraints[crews][road]}}}  # repair crews by trade, or one number for a shared pool
  materials_per_day: .inf   # EUR of materials that may be used per day (.inf = unlimited)
  commitment_days: {constraints[commitment_days]}        # a crew stays on its task this many days (0 = none, .inf = to completion)
  inspections_per_day: {constraints[inspections_per_day]}    # buildings inspected per day; damage is known, and repair can start, only
                            # once inspected (.inf = perfect information). Assumption: two ATC-20 rapid-evaluation
                            # teams at ~25 buildings a day each
  impeding_delays: true     # repairs wait for REDi inspection, engineering, permits, financing (data/redi_impeding_delays.csv)
  mobilisation_days: {constraints[mobilisation_days]}      # days a crew spends moving to a task it starts before its work counts (assumption)
  planner: greedy           # greedy (gain per crew-day) or exact (the day's assignment as a HiGHS MILP; slower)
strategies: [rigid, semiflexible, flexible]
damage:
  source: null              # a pelicun-style damage table (CSV/JSON, relative: to this file's folder) to use
                            # instead of the hazard; it sets the realizations;
                            # its repair costs must be EUR, like the productivity figures
  road_debris: true         # collapsed buildings block the road edges next to them until cleared (workbench.hazard.debris)
  design_code: city         # UBC seismic zone of the Hazus building design levels: 4, 3, 2B, 2A, 1, 0, or 'city' =
                            # the city's seismic_design_zone attr (city.json); a city without one is taken as
                            # zone 0, no seismic design code (all pre-code), with a warning
models:                     # stages 02 (significance) and 03 (training): workbench.models
  functionality: {models[functionality]}      # which functionality the recovery uses: 'table' (cited lookup tables) or
                            # 'trained' (the archive stage 03 made from the survey and production data)
  survey: null              # survey CSV (schema: workbench.models.survey; relative: to this file's folder);
                            # null = the synthetic demo survey (labelled synthetic)
  production: null          # production table CSV (schema: workbench.models.production); null = synthetic
  production_series: null   # its consumption series CSV (long: unit_id, step, electricity_kwh, water_m3)
  alpha: {models[alpha]}               # significance level of the feature selection
  correction: {models[correction]}          # multiple-testing correction: holm or fdr_bh (Benjamini-Hochberg)
  ep_level: {models[ep_level]}           # level of the trained EP per m2 at full service: 'cited' (the lookup table's
                            # published figure; the hybrid gives the service dependence) or 'trained'
  max_epochs: {models[max_epochs]}           # training epochs of the hybrid EP network at most (early stopping)
ensemble:                   # stage 05 (05_strategy_uncertainty): workbench.uncertainty
  members: {ensemble[members]}              # ensemble members (damage + recovery of every strategy, common random numbers); 0 = skip
  priors:                   # lognormal priors of the uncertain inputs (median, sigma of the log); assumptions
    fragility_median_scale: {{median: {ensemble[priors][fragility_median_scale][median]}, sigma: {ensemble[priors][fragility_median_scale][sigma]}}}  # multiplies every fragility median
    repair_time_scale: {{median: {ensemble[priors][repair_time_scale][median]}, sigma: {ensemble[priors][repair_time_scale][sigma]}}}       # multiplies building repair effort
    crew_productivity: {{median: {ensemble[priors][crew_productivity][median]}, sigma: {ensemble[priors][crew_productivity][sigma]}}}       # work per crew-day, every trade
    ep_unit_scale: {{median: {ensemble[priors][ep_unit_scale][median]}, sigma: {ensemble[priors][ep_unit_scale][sigma]}}}          # multiplies EP per m2
  scheduler: null           # a dask.distributed scheduler address (tcp://host:port) to run the members on
  workers: null             # or a local dask cluster of this many worker processes; null and null = in this process
  batch_size: null          # members per dask task (null = chosen so a task is about a second of work)
  draws: {ensemble[draws]}               # posterior draws per chain of the PyMC models (and tuning steps, chains)
  tune: {ensemble[tune]}
  chains: {ensemble[chains]}
  observed: null            # a CSV (day, value) of an observed recovery to update on; null = a held-back synthetic member
  observed_variable: {ensemble[observed_variable]}  # the curve observed: ep_functionality or sc_functionality
  observed_days: null       # days observed (from day 0) when the observation is synthetic; null = a quarter of
                            # the horizon, at most 60
mitigation:                 # stage 06 (06_mitigation): workbench.mitigation
  members: {mitigation[members]}              # ensemble members every option is evaluated on (common random numbers); 0 = skip
  strategy: {mitigation[strategy]}    # the recovery strategy of the evaluation
  value_per_person_day: {mitigation[value_per_person_day]}  # EUR per person-day without home and services (assumption)
  discount_rate: {mitigation[discount_rate]}       # social discount rate (EU CBA guide 2014: 3 % outside the Cohesion Fund)
  service_life_years: {mitigation[service_life_years]}    # years an option lasts (present value with annual_probability)
  annual_probability: null  # annual probability of the scenario event; null = benefit-cost per event
  options:                  # kinds: retrofit, backup_power, reserve_crews, shelters (costs: workbench.mitigation)
    - {{name: retrofit-homes, kind: retrofit, types: [residential], to: MC}}     # Hazus design level of these buildings
    - {{name: retrofit-public, kind: retrofit, types: [public], to: MC}}
    - {{name: backup-pumps, kind: backup_power, pumps: all}}                    # pumps run without grid power
    - {{name: reserve-crews, kind: reserve_crews, crews: {{building: 30, water: 3, power: 3}}, days: 60}}  # pre-positioned
    - {{name: shelters, kind: shelters, places: 2000, from_day: 3}}              # temporary shelter places
  combinations:             # options applied together (names above)
    - [retrofit-public, shelters]
  apply: []                 # options (names above) in effect in stage 04 and `workbench simulate`: the city as
                            # if they were done (the dashboard's mitigation switches write this)
response:                   # people in the recovery (stage 04, last section): workbench.response
  agents: true              # household and business agents beside the recovery's own curves (a comparison;
                            # summary.json keeps the recovery's indexes); false = skip
  supplies_days: {response[supplies_days]}          # days of emergency supplies simulated (at least 3: the 72-hour window)
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


#: Top-level keys that hold a section (a mapping of keys); every other key holds a value.
_SECTIONS = tuple(k for k, v in DEFAULTS.items() if isinstance(v, dict))
#: Keys holding a file or folder path, resolved against the parameter file's folder.
_PATHS = (("city",), ("hazard", "field"), ("damage", "source"), ("models", "survey"),
          ("models", "production"), ("models", "production_series"), ("ensemble", "observed"))
#: A parameter file is a few kB; anything larger is the wrong file (and is not parsed).
_MAX_FILE_BYTES = 1_000_000
#: Values quoted in an error are cut to this many characters.
_MAX_SHOWN = 80


# --------------------------------------------------------------------------- reading a file

class _Refused(yaml.MarkedYAMLError):
    """Valid YAML that a parameter file may not use (its message says the fix)."""


class _StrictLoader(yaml.SafeLoader):
    """``yaml.SafeLoader`` that refuses anchors, aliases and repeated keys.

    Anchors and aliases are what a "billion laughs" file multiplies; a parameter file needs
    neither, so the first anchor ends the read. A repeated key would silently keep the last value.
    """

    def compose_node(self, parent, index):
        event = self.peek_event()
        if isinstance(event, yaml.AliasEvent) or getattr(event, "anchor", None) is not None:
            raise _Refused(None, None, "YAML anchors and aliases (&name, *name) are not accepted "
                           "in a parameter file; write each value out", event.start_mark)
        return super().compose_node(parent, index)

    def construct_mapping(self, node, deep=False):
        seen: dict = {}
        for key_node, _ in node.value:
            if isinstance(key_node, yaml.ScalarNode):
                key = (key_node.tag, key_node.value)
                if key in seen:
                    raise _Refused(None, None, f"key {_show(key_node.value)} appears twice (first "
                                   f"on line {seen[key] + 1}); keep one", key_node.start_mark)
                seen[key] = key_node.start_mark.line
        return super().construct_mapping(node, deep=deep)


def _read_yaml(path: Path) -> dict:
    """The mapping a parameter file holds; every failure names the file (and line)."""
    where = f"parameter file {_show(str(path))}"
    if not path.exists():
        raise ParameterError(f"{where} does not exist; print a template with "
                             f"`workbench params > params.yaml`.")
    if not path.is_file():
        raise ParameterError(f"{where} is not a file; give a YAML parameter file.")
    size = path.stat().st_size
    if size > _MAX_FILE_BYTES:
        raise ParameterError(f"{where} is {size / 1e6:,.1f} MB, more than a parameter file's "
                             f"{_MAX_FILE_BYTES / 1e6:.0f} MB limit; is it the right file?")
    data = path.read_bytes()
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[:exc.start].count(b"\n") + 1
        raise ParameterError(f"{where}, line {line}: byte 0x{data[exc.start]:02x} is not UTF-8; "
                             f"save the file as UTF-8 text.") from None
    try:
        given = yaml.load(text, Loader=_StrictLoader)  # noqa: S506 — a SafeLoader subclass
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        problem = exc.problem or exc.context or "not valid YAML"
        context = f"{exc.context}: " if exc.context and exc.problem else ""
        fix = ("" if isinstance(exc, _Refused) else
               "; fix the YAML there (`workbench params` prints a valid file)")
        raise ParameterError(f"{where}, line {mark.line + 1}, column {mark.column + 1}: "
                             f"{context}{problem}{fix}.") from None
    except yaml.reader.ReaderError as exc:
        line = text[:exc.position].count("\n") + 1
        code = exc.character if isinstance(exc.character, int) else ord(exc.character)
        raise ParameterError(f"{where}, line {line}: the control character U+{code:04X} is not "
                             f"allowed in YAML; remove it.") from None
    except RecursionError:
        raise ParameterError(f"{where} nests too deeply to be a parameter file.") from None
    if given is None:
        raise ParameterError(f"{where} is empty (no keys); give the keys to change, e.g. "
                             f"`name: myrun`, or leave the file out to run the defaults.")
    if not isinstance(given, dict):
        kind = type(given).__name__
        raise ParameterError(f"{where}, line 1: must hold a mapping of `key: value` lines; it "
                             f"holds {'an' if kind[0] in 'aeiou' else 'a'} {kind} "
                             f"({_show(given)}).")
    return given


def load_params(path: str | Path | None = None, **overrides) -> dict:
    """Read a YAML parameter file (``None`` → defaults), apply ``overrides``, validate.

    Relative paths in the file are read from the file's folder; relative paths in
    ``overrides`` from the current directory.
    """
    given: dict = {}
    if path is not None:
        path = Path(path)
        given = _resolve_paths(_read_yaml(path), path.absolute().parent)
    given.update(overrides)
    return validate_params(given)


def dump_params(params: dict) -> str:
    """Parameters as YAML (infinite values as ``.inf``), loadable by :func:`load_params`."""
    return yaml.safe_dump(params, sort_keys=False)


# --------------------------------------------------------------------------- validation

def validate_params(given: dict | None, *, base_dir: str | Path | None = None) -> dict:
    """Merge ``given`` onto :data:`DEFAULTS` and check every value; return the full parameters.

    Relative paths are resolved against ``base_dir`` (default: the current directory) and
    returned absolute (the stages that read them say when they are missing). The parameters must
    also fit in memory as far as they alone say (:func:`check_memory` without a city).

    Examples
    --------
    >>> validate_params({"seed": 1})["seed"]
    1
    >>> validate_params({"colour": "red"})
    Traceback (most recent call last):
    ...
    workbench.core.errors.ParameterError: unknown parameter key(s): colour. Known keys: ...
    >>> validate_params({"constraints": {"crews": -1}})
    Traceback (most recent call last):
    ...
    workbench.core.errors.ParameterError: parameter constraints.crews must be a positive integer, got -1.
    """
    given = {} if given is None else given
    if not isinstance(given, dict):
        raise ParameterError(f"parameters must be a mapping of keys, got {type(given).__name__} "
                             f"({_show(given)}).")
    p = _merge(DEFAULTS, given, "")
    _numbers(p, DEFAULTS)
    name = p["name"]
    _check(isinstance(name, str) and name.strip() not in ("", ".", "..")
           and not any(c in name for c in ("/", "\\", "\0")), "name", name,
           "a folder name for reports/<name>/: not empty, '.' or '..', without '/' or '\\'")
    _check(isinstance(p["city"], str) and p["city"].strip() != "", "city", p["city"],
           "'demo' or a path to a city folder")
    _check(_is_int(p["seed"]) and p["seed"] >= 0, "seed", p["seed"], "a non-negative integer")
    _check(_is_int(p["realizations"]) and p["realizations"] >= 1, "realizations",
           p["realizations"], "a positive integer")
    _check(_is_number(p["map"]["max_distance_m"]) and p["map"]["max_distance_m"] > 0,
           "map.max_distance_m", p["map"]["max_distance_m"], "a positive number of metres")
    h = p["horizon_days"]
    _check(not (_is_int(h) and h > MAX_HORIZON_DAYS), "horizon_days", h,
           f"at most {MAX_HORIZON_DAYS:,} days (100 years; the cited restoration times are days "
           f"to a few years, and each simulated day costs every strategy and realisation a step)")
    _check_hazard(p["hazard"])
    _check_constraints(p)
    _check_strategies(p)
    _check_damage(p["damage"])
    _check_models(p["models"])
    _check_ensemble(p["ensemble"], p["horizon_days"])
    _check_mitigation(p["mitigation"])
    r = p["response"]
    _check(isinstance(r["agents"], bool), "response.agents", r["agents"], "true or false")
    _check(_is_int(r["supplies_days"]) and 3 <= r["supplies_days"] <= 365,
           "response.supplies_days", r["supplies_days"], "an integer from 3 to 365")
    _resolve_paths(p, Path.cwd() if base_dir is None else Path(base_dir))
    check_memory(p, 0, 0)
    return p


#: Longest horizon a parameter file may ask for [days]: 100 years, far past any cited
#: restoration time; a longer one only makes the run take minutes for days of full service.
MAX_HORIZON_DAYS = 36_500


def _merge(defaults: dict, given: dict, path: str) -> dict:
    unknown = sorted((k for k in given if k not in defaults), key=str)
    if unknown:
        where = f" under {path!r}" if path else ""
        names = ", ".join(_clip(f"{path}.{k}" if path else str(k)) for k in unknown)
        raise ParameterError(f"unknown parameter key(s){where}: {names}. Known keys: "
                             f"{sorted(defaults)} (print them all with `workbench params`).")
    out = copy.deepcopy(defaults)
    for key, value in given.items():
        if not path and key in _SECTIONS and not isinstance(value, dict):
            raise ParameterError(f"parameter {key} must be a section of keys "
                                 f"({', '.join(defaults[key])}); got {_show(value)}. Indent its "
                                 f"keys under `{key}:`, or leave it out for the defaults.")
        if isinstance(defaults[key], dict) and isinstance(value, dict):
            out[key] = _merge(defaults[key], value, f"{path}.{key}" if path else key)
        else:
            out[key] = value
    return out


_EXPONENT = re.compile(r"[-+]?(?:\d[\d_]*\.?[\d_]*|\.\d[\d_]*)[eE][-+]?\d+")
_INFINITY = re.compile(r"[-+]?\.?inf(?:inity)?", re.IGNORECASE)


def _yaml11_number(value):
    """A number that YAML 1.1 reads as text (``1e12``, ``inf``, ``.Infinity``), else ``value``.

    >>> _yaml11_number("1e3"), _yaml11_number("-Infinity"), _yaml11_number("six")
    (1000, -inf, 'six')
    """
    if not isinstance(value, str):
        return value
    text = value.strip()
    if _INFINITY.fullmatch(text):
        return -math.inf if text.startswith("-") else math.inf
    if _EXPONENT.fullmatch(text):
        number = float(text.replace("_", ""))
        return int(number) if number.is_integer() else number
    return value


def _numbers(p: dict, defaults: dict) -> None:
    """Where the default is a number (or numbers), read YAML 1.1 text numbers as numbers."""
    for key, default in defaults.items():
        if key not in p:
            continue
        value = p[key]
        if isinstance(default, dict):
            if isinstance(value, dict):
                _numbers(value, default)
            else:  # a value where a mapping is the default, e.g. crews: 1e2
                p[key] = _yaml11_number(value)
        elif _is_number(default) or key == "location":
            p[key] = ([_yaml11_number(v) for v in value] if isinstance(value, list)
                      else _yaml11_number(value))


def _check_hazard(h: dict) -> None:
    """The hazard section; the earthquake fields through :class:`workbench.hazard.Earthquake`."""
    _check(h["kind"] in HAZARD_KINDS, "hazard.kind", h["kind"],
           " or ".join(repr(k) for k in HAZARD_KINDS))
    loc = h["location"]
    _check(loc == "centre" or (isinstance(loc, (list, tuple)) and len(loc) == 2),
           "hazard.location", loc, "'centre' or [x, y] in metres of the city's CRS")
    x, y = (0.0, 0.0) if loc == "centre" else loc
    try:
        Earthquake(magnitude=h["magnitude"], x=x, y=y, depth_km=h["depth_km"], vs30=h["vs30"],
                   intensity_scale=h["intensity_scale"])
    except InputError as exc:
        raise _as_parameter_error(exc, "hazard.", h, rename={"x": "location", "y": "location"}) \
            from None
    field = h["field"]
    _check(field is None or (isinstance(field, str) and field.strip() != ""), "hazard.field",
           field, "null or a path to a CSV intensity field")
    if h["kind"] == "field" and field is None:
        raise ParameterError("parameter hazard.field must name a CSV intensity field when "
                             "hazard.kind is 'field'; got null. Give the file, or set kind: "
                             "earthquake.")
    if h["kind"] != "field" and field is not None:
        raise ParameterError(f"parameter hazard.field is {_show(field)} but hazard.kind is "
                             f"{_show(h['kind'])}, which does not read it; set kind: field to use "
                             f"the field, or remove hazard.field.")


def _check_constraints(p: dict) -> None:
    """The constraints section and ``horizon_days``, through
    :class:`workbench.recovery.Constraints`."""
    try:
        Constraints(horizon_days=p["horizon_days"], **p["constraints"])
    except InputError as exc:
        raise _as_parameter_error(exc, "constraints.", p["constraints"],
                                  top={"horizon_days": p["horizon_days"]}) from None


def _check_strategies(p: dict) -> None:
    """The file's shape (a name or a list of names) here; the names in :mod:`workbench.recovery`."""
    strategies = p["strategies"]
    if isinstance(strategies, str):
        strategies = p["strategies"] = [strategies]
    _check(isinstance(strategies, list) and len(strategies) > 0, "strategies", strategies,
           f"a non-empty list such as {list(STRATEGIES)}")
    try:
        check(strategies)
    except (InputError, TypeError) as exc:
        raise _as_parameter_error(exc, "strategies.", {}, top={"strategies": strategies}) \
            from None


def _check_damage(d: dict) -> None:
    source = d["source"]
    _check(source is None or (isinstance(source, str) and source.strip() != ""), "damage.source",
           source, "null or a path to a damage table (CSV or JSON)")
    _check(isinstance(d["road_debris"], bool), "damage.road_debris", d["road_debris"],
           "true or false")
    code = d["design_code"]
    code = str(code) if _is_int(code) else code.strip().upper() if isinstance(code, str) else code
    code = "city" if code == "CITY" else code
    _check(code == "city" or code in SEISMIC_DESIGN_ZONES, "damage.design_code",
           d["design_code"],
           f"'city' (the city's seismic_design_zone) or a UBC seismic zone of "
           f"{list(SEISMIC_DESIGN_ZONES)}")
    d["design_code"] = code


def _check_models(m: dict) -> None:
    _check(m["functionality"] in ("table", "trained"), "models.functionality", m["functionality"],
           "'table' (the cited lookup tables) or 'trained' (stage 03's archive)")
    for key in ("survey", "production", "production_series"):
        v = m[key]
        _check(v is None or (isinstance(v, str) and v.strip() != ""), f"models.{key}", v,
               "null (the synthetic demo data) or a path to a CSV file")
    _check((m["production"] is None) == (m["production_series"] is None),
           "models.production_series", m["production_series"],
           "given together with models.production (the static table and its series), or both null")
    _check(_is_number(m["alpha"]) and 0 < m["alpha"] < 1, "models.alpha", m["alpha"],
           "a number between 0 and 1")
    _check(m["correction"] in ("holm", "fdr_bh"), "models.correction", m["correction"],
           "'holm' or 'fdr_bh' (Benjamini-Hochberg)")
    _check(m["ep_level"] in ("cited", "trained"), "models.ep_level", m["ep_level"],
           "'cited' or 'trained'")
    _check(_is_int(m["max_epochs"]) and 1 <= m["max_epochs"] <= 100_000, "models.max_epochs",
           m["max_epochs"], "an integer from 1 to 100000")


def _check_mitigation(m: dict) -> None:
    """The mitigation section; the options through :func:`workbench.mitigation.parse_options`."""
    _check(_is_int(m["members"]) and 0 <= m["members"] <= 100_000, "mitigation.members",
           m["members"], "an integer from 0 (skip stage 06) to 100000")
    _check(m["strategy"] in STRATEGIES, "mitigation.strategy", m["strategy"],
           " or ".join(repr(s) for s in STRATEGIES))
    _check(_is_number(m["value_per_person_day"]) and math.isfinite(m["value_per_person_day"])
           and m["value_per_person_day"] >= 0, "mitigation.value_per_person_day",
           m["value_per_person_day"], "a finite number ≥ 0 of EUR")
    _check(_is_number(m["discount_rate"]) and 0 <= m["discount_rate"] < 1,
           "mitigation.discount_rate", m["discount_rate"], "a number from 0 to below 1")
    _check(_is_number(m["service_life_years"]) and math.isfinite(m["service_life_years"])
           and m["service_life_years"] > 0, "mitigation.service_life_years",
           m["service_life_years"], "a finite number > 0 of years")
    a = m["annual_probability"]
    _check(a is None or (_is_number(a) and 0 < a <= 1), "mitigation.annual_probability", a,
           "null (per event) or a number in (0, 1]")
    _check(isinstance(m["options"], list), "mitigation.options", m["options"],
           "a list of options")
    _check(isinstance(m["combinations"], list), "mitigation.combinations", m["combinations"],
           "a list of lists of option names")
    _check(isinstance(m["apply"], list) and all(isinstance(a, str) for a in m["apply"])
           and len(set(m["apply"])) == len(m["apply"]), "mitigation.apply", m["apply"],
           "a list of distinct option names")
    unknown = [a for a in m["apply"] if a not in {o.get("name") for o in m["options"]
                                                 if isinstance(o, dict)}]
    _check(not unknown, "mitigation.apply", m["apply"],
           f"names of mitigation.options (unknown: {unknown})")
    try:
        parse_options(m["options"], m["combinations"])
    except InputError as exc:
        hint = ""
        if (m["combinations"] == DEFAULTS["mitigation"]["combinations"]
                and m["options"] != DEFAULTS["mitigation"]["options"]):
            hint = (" (the default mitigation.combinations name the default options: give "
                    "your own, or combinations: [])")
        raise ParameterError(f"parameter {exc}{hint}") from None


def _check_ensemble(e: dict, horizon: int) -> None:
    _check(_is_int(e["members"]) and 0 <= e["members"] <= 1_000_000, "ensemble.members",
           e["members"], "an integer from 0 (no ensemble) to 1000000")
    _check(e["members"] == 0 or e["members"] >= 11, "ensemble.members", e["members"],
           "0 (no ensemble) or at least 11 (ten train the emulator, one is held back as the "
           "observed recovery)")
    for name, prior in e["priors"].items():
        for key in ("median", "sigma"):
            v = prior[key]
            _check(_is_number(v) and math.isfinite(v) and v > 0, f"ensemble.priors.{name}.{key}",
                   v, "a finite number > 0 (a lognormal prior: median, and sigma of the log)")
    sched = e["scheduler"]
    _check(sched is None or (isinstance(sched, str) and "://" in sched), "ensemble.scheduler",
           sched, "null or a dask scheduler address such as tcp://127.0.0.1:8786")
    for key, low in (("workers", 1), ("batch_size", 1)):
        v = e[key]
        _check(v is None or (_is_int(v) and v >= low), f"ensemble.{key}", v,
               f"null or an integer ≥ {low}")
    for key in ("draws", "tune"):
        _check(_is_int(e[key]) and 10 <= e[key] <= 100_000, f"ensemble.{key}", e[key],
               "an integer from 10 to 100000")
    _check(_is_int(e["chains"]) and 1 <= e["chains"] <= 16, "ensemble.chains", e["chains"],
           "an integer from 1 to 16")
    obs = e["observed"]
    _check(obs is None or (isinstance(obs, str) and obs.strip() != ""), "ensemble.observed", obs,
           "null or a path to a CSV of day, value")
    _check(e["observed_variable"] in ("ep_functionality", "sc_functionality"),
           "ensemble.observed_variable", e["observed_variable"],
           "ep_functionality or sc_functionality")
    _check(e["observed_days"] is None or _is_int(e["observed_days"])
           and 1 <= e["observed_days"] < horizon,
           "ensemble.observed_days", e["observed_days"],
           f"null or an integer from 1 to horizon_days − 1 ({horizon - 1})")


def _resolve_paths(p: dict, base: Path) -> dict:
    """Make the path keys of ``p`` absolute against ``base`` (``~`` expanded; ``demo`` kept)."""
    for keys in _PATHS:
        holder = p
        for key in keys[:-1]:
            holder = holder.get(key) if isinstance(holder, dict) else None
        value = holder.get(keys[-1]) if isinstance(holder, dict) else None
        demo = keys == ("city",) and value == "demo"
        if not isinstance(value, str) or value.strip() == "" or demo:
            continue
        holder[keys[-1]] = os.path.normpath(base / Path(value).expanduser())
    return p


# --------------------------------------------------------------------------- memory

#: Bytes of one stored value (float64 / int64).
_VALUE_BYTES = 8
#: Variables per element and realization in the damage Dataset (states, repair days and cost,
#: functional, repairs, intensities …).
_DAMAGE_VARIABLES = 8
#: Values per element, strategy and realization in the results: the restoration day and about
#: two rows of the crew log (8 columns each).
_RESULT_VALUES_PER_ELEMENT = 1 + 2 * 8
#: Values per day, strategy and realization: the recovery curves (ep, sc, demand, …) and their
#: tidy export (``curves.csv``, one 8-column row per curve).
_RESULT_VALUES_PER_DAY = 10 * (1 + 8)
#: Working values per element while one strategy runs (task, crew and service arrays, the city).
_WORKING_VALUES_PER_ELEMENT = 64
#: Working values per crew while one strategy runs (its task, since, start, ready day, pool and
#: flags in the day loop, workbench.recovery._scheduling).
_WORKING_VALUES_PER_CREW = 6


def memory_estimate(params: dict, n_buildings: int, n_components: int, *,
                    realizations: int | None = None) -> dict[str, float]:
    """Bytes a run of ``params`` needs for its data, by part: ``damage``, ``recovery``,
    ``working``, ``crews``.

    damage = realizations × (buildings + components) × 8 variables × 8 B (the damage Dataset);
    recovery = realizations × strategies × ((buildings + components) × 17 + (horizon + 1) × 90)
    × 8 B (restoration days, crew log, curves and their export); working = (buildings +
    components) × 64 × 8 B; crews = (crews + reserve crews, every trade) × 6 × 8 B (the day
    loop's arrays per crew). Not counted: the interpreter and its libraries (~0.3 GB).

    Examples
    --------
    >>> e = memory_estimate(validate_params({}), 1000, 500)
    >>> e["damage"] == 1 * 1500 * 8 * 8
    True
    """
    r = params["realizations"] if realizations is None else realizations
    elements = n_buildings + n_components
    runs = r * len(params["strategies"])
    return {"damage": float(r) * elements * _DAMAGE_VARIABLES * _VALUE_BYTES,
            "recovery": float(runs) * (elements * _RESULT_VALUES_PER_ELEMENT
                                       + (params["horizon_days"] + 1) * _RESULT_VALUES_PER_DAY)
            * _VALUE_BYTES,
            "working": float(elements) * _WORKING_VALUES_PER_ELEMENT * _VALUE_BYTES,
            "crews": float(_total_crews(params["constraints"])) * _WORKING_VALUES_PER_CREW
            * _VALUE_BYTES}


def _total_crews(constraints: dict) -> int:
    """Crews and reserve crews of the constraints section, every trade (:func:`crew_pools`)."""
    total = 0
    for key in ("crews", "reserve_crews"):
        if key in constraints:
            try:
                total += sum(crew_pools(constraints[key], key, at_least_one=False).values())
            except InputError:      # refused with its own message by the constraints' check
                pass
    return total


def _physical_memory() -> float | None:
    try:
        return float(os.sysconf("SC_PHYS_PAGES") * os.sysconf("SC_PAGE_SIZE"))
    except (AttributeError, ValueError, OSError):  # not a POSIX system: no check
        return None


def check_memory(params: dict, n_buildings: int, n_components: int, *,
                 realizations: int | None = None, physical_bytes: float | None = None) -> float:
    """Refuse a run whose data would need more than half of this machine's memory.

    Call it before allocating, with the city's counts (``realizations``: an imported damage
    table's count, when it sets them); :func:`validate_params` calls it with none, which bounds
    the part the parameters alone decide. Returns the estimate [bytes] (:func:`memory_estimate`).

    Raises
    ------
    ParameterError
        Naming the estimate in GB, its parts, and the parameters to lower.

    Examples
    --------
    >>> p = validate_params({})
    >>> check_memory(p, 2000, 1000, physical_bytes=8e9) < 1e9
    True
    >>> check_memory(p, 2000, 1000, realizations=10**6, physical_bytes=8e9)
    Traceback (most recent call last):
    ...
    workbench.core.errors.ParameterError: parameters realizations 1,000,000 ... need about 2,995.0 GB ...
    """
    parts = memory_estimate(params, n_buildings, n_components, realizations=realizations)
    total = sum(parts.values())
    physical = _physical_memory() if physical_bytes is None else float(physical_bytes)
    if physical is not None and total > physical / 2:
        r = params["realizations"] if realizations is None else realizations
        given = (f"realizations {r:,}" + (" (the damage table's count)" if realizations else "")
                 + f", horizon_days {params['horizon_days']:,} and "
                   f"{len(params['strategies'])} strategies")
        if parts["crews"] > total / 2:      # the crews alone: name them
            raise ParameterError(
                f"parameter constraints.crews ({_total_crews(params['constraints']):,} crews in "
                f"all) needs about {parts['crews'] / 1e9:,.1f} GB of memory for the day loop "
                f"alone, more than half of this machine's {physical / 1e9:,.1f} GB; give a "
                f"number of crews a city can field (the demo's default is 75).")
        city = (f" on {n_buildings:,} buildings and {n_components:,} components (damage "
                f"{parts['damage'] / 1e9:,.1f} GB, recovery {parts['recovery'] / 1e9:,.1f} GB)"
                if n_buildings + n_components else " before counting the city")
        raise ParameterError(
            f"parameters {given} need about {total / 1e9:,.1f} GB of memory{city}, more than "
            f"half of this machine's {physical / 1e9:,.1f} GB; lower realizations or "
            f"horizon_days, or run on a larger machine.")
    return total


# --------------------------------------------------------------------------- messages

def _is_int(v) -> bool:
    return isinstance(v, int) and not isinstance(v, bool)


def _is_number(v) -> bool:
    return isinstance(v, (int, float)) and not isinstance(v, bool) and not math.isnan(v)


def _clip(text: str) -> str:
    """``text`` cut to :data:`_MAX_SHOWN` characters with "…"."""
    return text if len(text) <= _MAX_SHOWN else text[:_MAX_SHOWN - 1] + "…"


def _show(value) -> str:
    """``repr(value)`` for an error, cut to :data:`_MAX_SHOWN` characters."""
    return _clip(repr(value))


def _quoted_number_hint(value) -> str:
    if isinstance(value, str):
        try:
            float(value)
        except ValueError:
            return ""
        return " (quoted text, not a number: remove the quotes)"
    return ""


def _clip_message(message: str) -> str:
    """A message from another layer with the value after its last "got " cut short."""
    message = message.rstrip(".")
    head, sep, tail = message.rpartition("got ")
    return head + sep + _clip(tail) if sep and len(tail) > _MAX_SHOWN else _clip_long(message)


def _clip_long(message: str, limit: int = 400) -> str:
    return message if len(message) <= limit else message[:limit - 1] + "…"


def _as_parameter_error(exc: Exception, prefix: str, section: dict, *, rename=None,
                        top=None) -> ParameterError:
    """Re-word ``"<field> must …"`` (or ``"Earthquake field '<field>' must …"``) of another
    layer as ``"parameter <prefix><field> must …"``; the rule stays in that layer's words."""
    rename, top = rename or {}, top or {}
    message = _clip_message(str(exc))
    match = re.match(r"(?:Earthquake field )?'?(\w+)'?(?:\[(['\"]?)(\w+)\2\])?(.*)", message,
                     re.DOTALL)
    field = rename.get(match.group(1), match.group(1)) if match else None
    if field in section or field in top:
        path = field if field in top else prefix + field
        value = top[field] if field in top else section.get(field)
        if match.group(3):
            path += f".{match.group(3)}"
            value = value.get(match.group(3)) if isinstance(value, dict) else value
        return ParameterError(f"parameter {path}{match.group(4)}{_quoted_number_hint(value)}.")
    return ParameterError(f"parameter {prefix.rstrip('.')}: {message}.")


def _check(ok: bool, field: str, value, rule: str) -> None:
    if not ok:
        raise ParameterError(f"parameter {field} must be {rule}; got {_show(value)}"
                             f"{_quoted_number_hint(value)}.")
