"""Numbers, units and paths written for a reader (the report's tables, ``index.html``, the plots'
axes; METHOD §8).

Money is scaled to EUR k / M / bn and shown with 3 significant figures; other quantities of 1,000
and more as whole numbers with thousands separators, smaller ones with 3 significant figures;
counts as integers; a path of the machine as a path relative to the repository (or its last
part), so a report carries no machine's folder names.
"""

from __future__ import annotations

import math
import os
import re
from pathlib import Path

from ..core.paths import ROOT

__all__ = ["MONEY_SCALES", "significant", "number", "money", "money_scale", "unit_text",
           "short_path", "short_paths", "words", "is_identifier", "value_words"]

#: Scales of money, largest first: (factor, suffix).
MONEY_SCALES = ((1e9, "bn"), (1e6, "M"), (1e3, "k"))

_UNIT_TEXT = {"m2": "m²", "EUR/m2": "EUR/m²", "person-days/m2": "person-days/m²", "1": "–",
              "fraction of pre-event functionality": "fraction of pre-event"}


def _finite(value) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value)


def significant(value: float, digits: int = 3) -> str:
    """``value`` rounded to ``digits`` significant figures, with thousands separators.

    Examples
    --------
    >>> [significant(v) for v in (25.84, 0.38913, 3.0, 1845.75, 999.7, 0.0, 1.234e-5, -2.5)]
    ['25.8', '0.389', '3.00', '1,850', '1,000', '0', '1.23e-05', '-2.50']
    """
    if value == 0:
        return "0"
    if not math.isfinite(value):
        return "∞" if value > 0 else "−∞"
    rounded = float(f"{value:.{digits}g}")
    if abs(rounded) < 1e-3:
        return f"{rounded:.{digits - 1}e}"
    exponent = math.floor(math.log10(abs(rounded)))
    decimals = max(0, digits - 1 - exponent)
    return f"{rounded:,.{decimals}f}"


def number(value) -> str:
    """A quantity for a table: counts as integers, 1,000 and more as whole numbers with
    separators, smaller values with 3 significant figures; ``None`` as "–", booleans as words.

    Examples
    --------
    >>> [number(v) for v in (13.0, 303.75, 4794.875, 0.0217, None, True, float("inf"))]
    ['13', '304', '4,795', '0.0217', '–', 'yes', '∞']
    """
    if value is None:
        return "–"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if not _finite(value):
        return significant(float(value)) if isinstance(value, (int, float)) else str(value)
    if float(value).is_integer():
        return f"{int(value):,}"
    if abs(value) >= 1000:
        return f"{value:,.0f}"
    return significant(value)


def money_scale(values) -> tuple[float, str]:
    """The scale (factor, suffix) at which the largest finite value of ``values`` reads best.

    Examples
    --------
    >>> money_scale([2.5e6, 3.1e9]), money_scale([250.0]), money_scale([])
    ((1000000000.0, 'bn'), (1.0, ''), (1.0, ''))
    """
    finite = [abs(v) for v in values if _finite(v)]
    top = max(finite, default=0.0)
    for factor, suffix in MONEY_SCALES:
        if top >= factor:
            return factor, suffix
    return 1.0, ""


def money(value, currency: str = "EUR") -> str:
    """An amount of money in words: 3 significant figures at its own scale.

    Examples
    --------
    >>> money(3081082470.899019), money(25840558.15), money(500.0), money(0.0)
    ('EUR 3.08 bn', 'EUR 25.8 M', 'EUR 500', 'EUR 0')
    """
    if value is None:
        return "–"
    factor, suffix = money_scale([value])
    return f"{currency} {significant(value / factor)}" + (f" {suffix}" if suffix else "")


def unit_text(units: str) -> str:
    """A unit as a reader writes it (``m2`` → ``m²``; ``1`` → ``–``)."""
    return _UNIT_TEXT.get(units, units)


def short_path(path, root: Path = ROOT) -> str:
    """A path as a report shows it: relative to the repository when inside it, else its last
    part after "…/" — a report names no folder of the machine (the full path is in
    ``params.yaml`` and ``manifest.json``).

    Examples
    --------
    >>> short_path(ROOT / "data" / "demo_city"), short_path("/home/someone/cities/lyon")
    ('data/demo_city', '…/lyon')
    >>> short_path("relative/path")
    'relative/path'
    """
    text = str(path)
    if not os.path.isabs(text):
        return text
    p = Path(text)
    try:
        return p.resolve().relative_to(Path(root).resolve()).as_posix()
    except ValueError:
        return f"…/{p.name}" if p.name else "…"


def short_paths(obj):
    """``obj`` (nested dicts and lists) with every absolute path string replaced by
    :func:`short_path`.

    Examples
    --------
    >>> short_paths({"city": "/srv/x/toy", "models": {"survey": None}, "name": "toy"})
    {'city': '…/toy', 'models': {'survey': None}, 'name': 'toy'}
    """
    if isinstance(obj, dict):
        return {k: short_paths(v) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return type(obj)(short_paths(v) for v in obj)
    if isinstance(obj, str) and os.path.isabs(obj):
        return short_path(obj)
    return obj


#: A name of the code (``income_per_capita``, ``p_adj``, ``CPI_TO_PRICE_YEAR``): letters and
#: digits joined by underscores.
_IDENTIFIER = re.compile(r"^[A-Za-z][A-Za-z0-9]*(?:_[A-Za-z0-9]+)+$")

#: Whole names whose words are not their parts'.
_NAME_WORDS = {
    "p_adj": "p, adjusted (Holm)", "df_num": "degrees of freedom (numerator)",
    "df_den": "degrees of freedom (denominator)", "holdout_r2": "R² held out",
    "cv_r2": "R² cross-validated", "cv_r2_mean": "R² cross-validated (mean)",
    "holdout_r2_log": "R² held out (log scale)", "d_t": "dₜ", "ep_unit": "EP per m²",
    "theta_in_90_interval": "θ inside its 90 % interval", "theta_true": "true θ",
    "log_theta": "log θ", "p_lowest_typical": "P(typical loss lowest)",
    "p_a_better": "P(A lower than B)", "share_members_a_better": "members where A is lower",
    "share_members_best": "members where lowest", "strategy_a": "strategy A",
    "strategy_b": "strategy B", "welch_t": "Welch's t", "cohen_d": "Cohen's d",
    "eta_squared": "η²", "epsilon_squared": "ε²", "partial_f": "partial F",
    "CPI_TO_PRICE_YEAR": "consumer price index to 2024 prices",
    "radio_tv": "radio and TV", "cell_broadcast": "cell broadcast",
}

#: Parts of names, as words (units in brackets when they end a name).
_PART_WORDS = {"rss": "rSS", "ep": "EP", "sc": "SC", "r2": "R²", "pga": "PGA", "pgv": "PGV",
               "lo": "low", "hi": "high", "sd": "sd", "ci90": "90 % interval",
               "crn": "common random numbers", "sh": "share", "pct": "%", "bcr": "benefit–cost ratio",
               "redi": "REDi", "hazus": "Hazus", "ds": "damage state", "id": "id", "osm": "OSM",
               "nan": "–", "vs30": "Vs30", "cpi": "CPI", "eur": "EUR", "d0": "d₀", "72h": "72 h"}
_UNIT_PARTS = {"m2": "m²", "m": "m", "km": "km", "eur": "EUR", "s": "s", "g": "g", "w": "W",
               "l": "l", "kw": "kW"}


def is_identifier(text) -> bool:
    """Whether ``text`` is a name of the code (words joined by underscores, no spaces).

    >>> is_identifier("income_per_capita"), is_identifier("income per capita"), is_identifier("x")
    (True, False, False)
    """
    return isinstance(text, str) and bool(_IDENTIFIER.match(text))


def words(name) -> str:
    """A name of the code as a reader's words; anything else unchanged.

    Whole names with words of their own come first (``p_adj`` → "p, adjusted (Holm)"); otherwise
    each part is a word (``rss`` → "rSS", ``lo`` → "low") and a unit that ends the name goes in
    brackets.

    >>> words("income_per_capita"), words("median_distance_m"), words("floor_area_m2")
    ('income per capita', 'median distance (m)', 'floor area (m²)')
    >>> words("p_adj"), words("ratio_lo"), words("backup_power"), words("economic loss")
    ('p, adjusted (Holm)', 'ratio low', 'backup power', 'economic loss')
    >>> words("SURVEY_GROUND_TRUTH")
    'survey ground truth'
    """
    if not is_identifier(name):
        return name
    if name in _NAME_WORDS:
        return _NAME_WORDS[name]
    parts = name.lower().split("_")
    unit = None
    if len(parts) > 1 and parts[-1] in _UNIT_PARTS and parts[-2] not in ("per",):
        unit = _UNIT_PARTS[parts.pop()]
    text = " ".join(_PART_WORDS.get(p, p) for p in parts)
    return f"{text} ({unit})" if unit else text


#: A name of the code inside a text: not part of a path, a file name or a dotted module name.
_IDENTIFIER_IN_TEXT = re.compile(
    r"(?<![\w./`-])([A-Za-z][A-Za-z0-9]*(?:_[A-Za-z0-9]+)+)(?![\w/`-]*\.\w)")


def words_in(text) -> str:
    """``text`` with every name of the code in it said as :func:`words`; paths, file names and
    dotted module names kept.

    >>> words_in("ep_unit: trained ÷ table"), words_in("building_type, displaced_share")
    ('EP per m²: trained ÷ table', 'building type, displaced share')
    >>> words_in("see data/hazus_repair.csv and recovery_times.csv")
    'see data/hazus_repair.csv and recovery_times.csv'
    """
    if not isinstance(text, str):
        return text
    if is_identifier(text):
        return words(text)
    return _IDENTIFIER_IN_TEXT.sub(lambda m: words(m.group(1)), text)


def value_words(value) -> str:
    """A value of the code as text for a table: a name as :func:`words`, a sequence as its
    items joined by commas, a mapping as "key: value" pairs — never a Python repr.

    >>> value_words(["residential", "commercial"]), value_words((1.0, 0.5))
    ('residential, commercial', '1, 0.5')
    >>> value_words({"single_family": 40, "office": 25.5})
    'single family: 40; office: 25.5'
    >>> value_words("workbench.io.importers.REPAIR_RULES")
    'repair rules (workbench.io.importers)'
    """
    from collections.abc import Mapping
    if isinstance(value, Mapping):
        return "; ".join(f"{words(str(k))}: {value_words(v)}" for k, v in value.items())
    if isinstance(value, (list, tuple, set, frozenset)):
        return ", ".join(value_words(v) for v in value)
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float):
        return f"{value:g}"
    text = str(value)
    module, _, last = text.rpartition(".")
    if module.startswith("workbench.") and is_identifier(last):
        return f"{words(last)} ({module})"
    return words_in(text)
