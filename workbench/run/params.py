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
from dataclasses import dataclass
from typing import Any

import yaml

from ..core.dims import STRATEGIES
from ..core.errors import InputError, ParameterError
from ..core.sections import COMMENT_COLUMN, as_dict, defaults, from_mapping, setting, template_lines
from ..city.mapping import MappingSection
from ..hazard.section import DamageSection, HazardSection
from ..mitigation import MitigationSection
from ..models.section import ModelsSection
from ..recovery import check_strategies as check
from ..recovery.section import ConstraintsSection
from ..response.section import ResponseSection
from ..uncertainty.section import EnsembleSection
from .memory import check_memory, memory_estimate

__all__ = ["DEFAULTS", "default_params_yaml", "load_params", "validate_params", "dump_params",
           "check_memory", "memory_estimate"]

log = logging.getLogger(__name__)

@dataclass(frozen=True)
class RunSection:
    """The top-level keys of the parameter file: the run's name, city, seed, realisations,
    horizon and strategies (the run owns them; their rules are checked in
    :func:`validate_params`)."""

    name: str = setting("demo", "names the run directory: reports/<name>/")
    city: str = setting("demo", "'demo' (bundled central Helsinki) or a city folder (relative: "
                                "to this file)")
    seed: int = setting(42, "every random draw derives from it: same file -> same numbers")
    realizations: int = setting(1, "damage realisations sampled from the hazard (recovery runs "
                                   "on each)")
    horizon_days: int = setting(2190, "recovery simulated for days 0..horizon_days, each "
                                      "strategy until it completes (at most 36,500: 100 "
                                      "years); 6 years lets the demo complete (METHOD §5.3)")
    strategies: list = setting(list(STRATEGIES), "the recovery strategies compared (METHOD §5)")
    events: list = setting([], "later hazard events, each {day: N, hazard: {...}} (keys of the "
                               "hazard section;\nthe rest take its defaults): damage accumulates "
                               "on what is still unrepaired\nand the recovery re-plans "
                               "(METHOD §5.6); [] = the one event of `hazard`")


#: The file's sections in the order of the template, each with its owner's dataclass; the
#: top-level keys (:class:`RunSection`) sit between them where the template puts them.
SECTIONS: dict[str, type] = {"map": MappingSection, "hazard": HazardSection,
                             "constraints": ConstraintsSection, "damage": DamageSection,
                             "models": ModelsSection, "ensemble": EnsembleSection,
                             "mitigation": MitigationSection, "response": ResponseSection}
#: The order of the keys in the file: top-level keys and sections.
_LAYOUT = ("name", "city", "seed", "realizations", "horizon_days", "map", "hazard", "events",
           "constraints", "strategies", "damage", "models", "ensemble", "mitigation", "response")

#: The default parameters: the bundled demo city, a moderate earthquake under its centre.
DEFAULTS: dict[str, Any] = {key: defaults(SECTIONS[key]) if key in SECTIONS
                            else defaults(RunSection)[key] for key in _LAYOUT}

_HEADER = """\
# workbench parameter file (METHOD §9). Print it with `workbench params`, edit, then
#   workbench simulate PARAMS.yaml   or   workbench run PARAMS.yaml
# Keys you leave out take these defaults; an unknown key is an error. Relative paths (city,
# hazard.field, damage.source) are read from the folder of this file, not the current directory.
# Numbers may be written 1e6 or .inf; YAML anchors and aliases (&a, *a) are not accepted.
"""


def default_params_yaml() -> str:
    """The default parameter file, with comments: generated from the sections' fields (their
    defaults and comments), so defaults and template are one text.

    Examples
    --------
    >>> import yaml
    >>> yaml.safe_load(default_params_yaml()) == DEFAULTS
    True
    """
    lines = []
    for key in _LAYOUT:
        if key in SECTIONS:
            cls = SECTIONS[key]
            doc = getattr(cls, "DOC", "")
            lines.append(f"{key + ':':<{COMMENT_COLUMN}}# {doc}" if doc else f"{key}:")
            lines.extend(template_lines(cls, indent=2))
        else:
            lines.extend(template_lines(RunSection, names=(key,)))
    return _HEADER + "\n".join(lines) + "\n"


#: Top-level keys that hold a section (a mapping of keys); every other key holds a value.
_SECTIONS = tuple(k for k, v in DEFAULTS.items() if isinstance(v, dict))
#: Keys holding a file or folder path, resolved against the parameter file's folder.
_PATHS = (("city",), ("hazard", "field"), ("hazard", "terrain"), ("hazard", "depth_grid"),
          ("damage", "source"), ("models", "survey"),
          ("models", "production"), ("models", "production_series"), ("ensemble", "observed"),
          ("ensemble", "store"))
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
    where = f"parameter file {_show_path(path)}"
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
    h = p["horizon_days"]
    _check(not (_is_int(h) and h > MAX_HORIZON_DAYS), "horizon_days", h,
           f"at most {MAX_HORIZON_DAYS:,} days (100 years; the cited restoration times are days "
           f"to a few years, and each simulated day costs every strategy and realisation a step)")
    for key, cls in SECTIONS.items():
        p[key] = _section(p, key, cls)
        if key == "constraints":
            _check_constraints(p)
            _check_strategy_names(p)
    _observed_days(p)
    _check_events(p)
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


def _section(p: dict, key: str, cls) -> dict:
    """Section ``key`` of ``p`` checked by its owner's dataclass ``cls``; its values as the
    dataclass holds them (normalised: e.g. ``damage.design_code`` ``2b`` → ``2B``)."""
    try:
        return as_dict(from_mapping(cls, p[key]))
    except InputError as exc:
        if str(exc).startswith("mitigation option"):     # parse_options words its own path
            raise ParameterError(f"parameter {exc}") from None
        raise _as_parameter_error(exc, f"{key}.", p[key],
                                  rename={"x": "location", "y": "location"}) from None


def _check_events(p: dict) -> None:
    """``events``: a list of ``{day, hazard}``, days increasing in 1 … horizon − 1, each hazard
    a hazard section (its keys over the section's defaults), checked by its dataclass."""
    events = p["events"]
    _check(isinstance(events, list), "events", events,
           "a list of {day: N, hazard: {...}} (or [] for the one event of hazard)")
    last = 0
    for i, event in enumerate(events):
        where = f"events[{i}]"
        _check(isinstance(event, dict) and set(event) == {"day", "hazard"}, where, event,
               "a mapping of exactly day and hazard")
        day = event["day"]
        _check(_is_int(day) and last < day < p["horizon_days"], f"{where}.day", day,
               f"a whole day after the previous event's ({last}) and before the horizon "
               f"({p['horizon_days']})")
        last = day
        hazard = event["hazard"]
        _check(isinstance(hazard, dict), f"{where}.hazard", hazard,
               "a section of hazard keys (kind, magnitude, water_level_m, …)")
        merged = _merge(DEFAULTS["hazard"], hazard, f"{where}.hazard")
        try:
            event["hazard"] = as_dict(from_mapping(HazardSection, merged))
        except InputError as exc:
            raise _as_parameter_error(exc, f"{where}.hazard.", merged) from None
    if events and p["damage"]["source"] is not None:
        raise ParameterError("parameter events needs damage sampled from the hazards; "
                             "damage.source reads one damage table instead. Remove one of "
                             "them.")


def _check_constraints(p: dict) -> None:
    """The constraints section and ``horizon_days``, through
    :class:`workbench.recovery.Constraints` (:meth:`ConstraintsSection.constraints`)."""
    try:
        from_mapping(ConstraintsSection, p["constraints"]).constraints(p["horizon_days"])
    except InputError as exc:
        raise _as_parameter_error(exc, "constraints.", p["constraints"],
                                  top={"horizon_days": p["horizon_days"]}) from None


def _observed_days(p: dict) -> None:
    """``ensemble.observed_days`` against the horizon (a rule across two sections)."""
    try:
        from_mapping(EnsembleSection, p["ensemble"]).check_horizon(p["horizon_days"])
    except InputError as exc:
        raise _as_parameter_error(exc, "ensemble.", p["ensemble"]) from None


def _check_strategy_names(p: dict) -> None:
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


def _resolve_paths(p: dict, base: Path) -> dict:
    """Make the path keys of ``p`` absolute against ``base`` (``~`` expanded; ``demo`` kept)."""
    for event in p.get("events") or []:            # a later event's files, like hazard's
        h = event.get("hazard") if isinstance(event, dict) else None
        for key in ("field", "terrain", "depth_grid"):
            if isinstance(h, dict) and isinstance(h.get(key), str) and h[key].strip():
                h[key] = os.path.normpath(base / Path(h[key]).expanduser())
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


def _show_path(path) -> str:
    """A path for an error, quoted; a long one keeps its end (the file's name), not its start.

    >>> _show_path("/" + "d" * 100 + "/params.yaml")[-13:]
    "/params.yaml'"
    """
    text = repr(str(path))
    return text if len(text) <= _MAX_SHOWN else "'…" + text[len(text) - _MAX_SHOWN + 2:]


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
    """Re-word ``"<field> must …"`` (or ``"Earthquake field '<field>' must …"``, or a dotted
    ``"<field>.<key> must …"``) of another layer as ``"parameter <prefix><field> must …"``; the
    rule stays in that layer's words."""
    rename, top = rename or {}, top or {}
    message = _clip_message(str(exc))
    match = re.match(r"(?:Earthquake field )?'?(\w+)'?((?:\.\w+)*)(?:\[(['\"]?)(\w+)\3\])?(.*)",
                     message, re.DOTALL)
    field = rename.get(match.group(1), match.group(1)) if match else None
    if field in section or field in top:
        path = field if field in top else prefix + field
        value = top[field] if field in top else section.get(field)
        keys = [k for k in match.group(2).split(".") if k] + \
            ([match.group(4)] if match.group(4) else [])
        for k in keys:
            path += f".{k}"
            value = value.get(k) if isinstance(value, dict) else value
        return ParameterError(f"parameter {path}{match.group(5)}{_quoted_number_hint(value)}.")
    return ParameterError(f"parameter {prefix.rstrip('.')}: {message}.")


def _check(ok: bool, field: str, value, rule: str) -> None:
    if not ok:
        raise ParameterError(f"parameter {field} must be {rule}; got {_show(value)}"
                             f"{_quoted_number_hint(value)}.")
