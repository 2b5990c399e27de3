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
from pathlib import Path

from ..core.paths import ROOT

__all__ = ["MONEY_SCALES", "significant", "number", "money", "money_scale", "unit_text",
           "short_path", "short_paths"]

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
