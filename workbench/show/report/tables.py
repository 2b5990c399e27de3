"""The report's tables, written for reading: one row per quantity (in words, with its units), one
column per strategy, every number formatted by :mod:`workbench.show.formatting`; a loss that
still accrues at the horizon is marked "≥" (a lower bound)."""

from __future__ import annotations

import hashlib
import html
import re

import numpy as np
import pandas as pd

from ...functionality import Shelters, Valuation
from ...recovery import ANY_TRADE, crew_pools
from ..formatting import (money, money_scale, number, significant, unit_text,
                          value_words, words, words_in)

__all__ = ["INDEX_KEYS", "HORIZON_KEYS", "LABELS", "is_lower_bound", "indexes_table",
           "horizon_table", "functionality_table", "uncertainty_table", "readable", "sweep_table",
           "breakable", "readable_table", "text_table", "CUT_OFF", "gap_table",
           "shelter_sensitivity_table", "crews_at_work", "limits_table", "assumptions_words",
           "definitions_markdown", "DEFINITION_WORDS"]


#: The headline indexes of ``summary.json``, in the order the report shows them.
INDEX_KEYS = ("economic_loss", "ep_loss", "repair_cost", "service_loss_person_days",
              "displaced_person_days", "sheltered_person_days", "economic_loss_per_m2",
              "service_loss_per_m2", "recovery_days_95", "functionality_72h")


#: The recovery goals of ``summary.json``: days to 90 and 95 % of each index's functionality,
#: then of the city functionality F.
GOAL_KEYS = ("ep_recovery_days_90", "ep_recovery_days_95", "sc_recovery_days_90",
             "sc_recovery_days_95", "recovery_days_90", "recovery_days_95")


#: The keys of ``summary.json`` that say what the horizon leaves open.
HORIZON_KEYS = ("recovered_100", "unrestored_buildings", "unrestored_floor_area_m2",
                "unrestored_components", "displaced_at_horizon", "ep_loss_per_day_at_horizon",
                "service_loss_per_day_at_horizon")


#: Each key of ``summary.json``'s strategies in words.
LABELS = {
    "economic_loss": "Total economic loss",
    "ep_loss": "of which lost economic productivity",
    "repair_cost": "of which direct repair cost",
    "service_loss_person_days": "Service-capacity loss",
    "economic_loss_per_m2": "Economic loss per m² of floor area",
    "service_loss_per_m2": "Service-capacity loss per m² of floor area",
    "displaced_person_days": "Displaced person-days (residents away from home)",
    "sheltered_person_days": "of which in a public shelter",
    "recovery_days_90": "Days to 90 % functionality",
    "recovery_days_95": "Days to 95 % functionality",
    "recovery_days_100": "Days to full functionality",
    "functionality_72h": "Functionality at 72 hours",
    "ep_recovery_days_90": "Economic productivity: days to 90 %",
    "ep_recovery_days_95": "Economic productivity: days to 95 %",
    "sc_recovery_days_90": "Service capacity: days to 90 %",
    "sc_recovery_days_95": "Service capacity: days to 95 %",
    "recovered_90": "90 % recovered within the horizon",
    "recovered_95": "95 % recovered within the horizon",
    "recovered_100": "Fully recovered within the horizon",
    "unrestored_buildings": "Buildings unrestored at the horizon",
    "unrestored_floor_area_m2": "Floor area unrestored at the horizon",
    "unrestored_components": "Network components unrestored at the horizon",
    "displaced_at_horizon": "Residents displaced at the horizon",
    "ep_loss_per_day_at_horizon": "Economic productivity lost per day at the horizon",
    "service_loss_per_day_at_horizon": "Service-capacity loss per day at the horizon",
}


#: Losses integrated over the horizon, and the per-day loss at the horizon that makes each a
#: lower bound when it is positive.
CUT_OFF = {"economic_loss": "ep_loss_per_day_at_horizon",
            "ep_loss": "ep_loss_per_day_at_horizon",
            "economic_loss_per_m2": "ep_loss_per_day_at_horizon",
            "service_loss_person_days": "service_loss_per_day_at_horizon",
            "service_loss_per_m2": "service_loss_per_day_at_horizon",
            "displaced_person_days": "displaced_at_horizon"}


_SCALED_MONEY = {"EUR", "EUR/day"}


def is_lower_bound(values: dict, key: str) -> bool:
    """Whether the loss ``key`` of one strategy's ``values`` is cut off at the horizon: losses
    still accrue there, so the total over the horizon is a lower bound.

    Examples
    --------
    >>> v = {"ep_loss_per_day_at_horizon": 10.0, "service_loss_per_day_at_horizon": 0.0}
    >>> is_lower_bound(v, "economic_loss"), is_lower_bound(v, "service_loss_person_days")
    (True, False)
    >>> is_lower_bound({"recovered_100": False}, "economic_loss")  # no per-day figure: the flag
    True
    """
    per_day = CUT_OFF.get(key)
    if per_day is None:
        return False
    if per_day in values:
        return bool((values.get(per_day) or 0) > 0)
    return values.get("recovered_100") is False


def _row(key: str, units: str, strategies: dict) -> tuple[str, list[str]]:
    """Units text and the cells of one row; money rows share one scale."""
    values = [v.get(key) for v in strategies.values()]
    if units in _SCALED_MONEY:
        factor, suffix = money_scale(values)
        unit = "EUR" + (f" {suffix}" if suffix else "") + units[3:]
        cells = ["–" if x is None else significant(x / factor) for x in values]
    else:
        unit = unit_text(units)
        cells = [number(x) for x in values]
    if key.startswith("recovery_days"):
        cells = [("not within horizon" if x is None else c) for x, c in zip(values, cells)]
    cells = [("≥ " + c if is_lower_bound(v, key) and c not in ("–",) else c)
             for v, c in zip(strategies.values(), cells)]
    return unit, cells


def _table(summary: dict, keys):
    units = summary.get("units", {})
    strategies = summary["strategies"]
    rows, unit_col = {}, []
    for key in keys:
        if not any(key in v for v in strategies.values()):
            continue
        unit, cells = _row(key, units.get(key, ""), strategies)
        rows[LABELS.get(key, key.replace("_", " "))] = cells
        unit_col.append(unit)
    table = pd.DataFrame.from_dict(rows, orient="index", columns=list(strategies))
    table.insert(0, "units", unit_col)
    return table


def indexes_table(summary: dict, keys=INDEX_KEYS):
    """The indexes of ``summary.json`` as a table for reading: one row per index in words, its
    units, one column per strategy; "≥" marks a loss cut off at the horizon (a lower bound).

    Examples
    --------
    >>> s = {"units": {"economic_loss": "EUR", "recovery_days_95": "days"},
    ...      "strategies": {"rigid": {"economic_loss": 3081082470.899019, "recovery_days_95": None,
    ...                               "ep_loss_per_day_at_horizon": 5.0},
    ...                     "flexible": {"economic_loss": 2.0e9, "recovery_days_95": 41.0,
    ...                                  "ep_loss_per_day_at_horizon": 0.0}}}
    >>> indexes_table(s).to_dict("index")["Total economic loss"]
    {'units': 'EUR bn', 'rigid': '≥ 3.08', 'flexible': '2.00'}
    >>> indexes_table(s).loc["Days to 95 % functionality"].tolist()
    ['days', 'not within horizon', '41']
    """
    return _table(summary, keys)


def horizon_table(summary: dict):
    """What each strategy leaves open at the horizon and the loss still accruing per day
    (:data:`HORIZON_KEYS`), one row each in words with its units, one column per strategy.

    Examples
    --------
    >>> s = {"units": {"unrestored_buildings": "buildings"}, "strategies": {"rigid":
    ...      {"recovered_100": False, "unrestored_buildings": 3.0}}}
    >>> horizon_table(s).to_dict("index")
    {'Fully recovered within the horizon': {'units': '', 'rigid': 'no'}, 'Buildings unrestored at the horizon': {'units': 'buildings', 'rigid': '3'}}
    """
    return _table(summary, HORIZON_KEYS)


def functionality_table(summary: dict):
    """Economic and service loss by strategy under the lookup tables and the trained tables,
    side by side (``summary.json``'s ``functionality.comparison``); ``None`` without it.

    Examples
    --------
    >>> s = {"functionality": {"used": "table", "comparison": {
    ...     "table": {"rigid": {"economic_loss": 2.0e9, "service_loss_person_days": 10.0}},
    ...     "trained": {"rigid": {"economic_loss": 1.5e9, "service_loss_person_days": 12.0}}}}}
    >>> functionality_table(s).to_dict("index")["Economic loss, trained ÷ table"]
    {'units': '–', 'rigid': '0.750'}
    """
    comparison = summary.get("functionality", {}).get("comparison")
    if not comparison or not {"table", "trained"} <= set(comparison):
        return None
    table, trained = comparison["table"], comparison["trained"]
    strategies = list(table)
    money_values = [v["economic_loss"] for c in (table, trained) for v in c.values()]
    factor, suffix = money_scale(money_values)
    unit = "EUR" + (f" {suffix}" if suffix else "")

    def ratio(key, s):
        t = table[s][key]
        return significant(trained[s][key] / t) if t else "–"

    rows = {
        "Economic loss, lookup tables": [unit] + [significant(table[s]["economic_loss"] / factor)
                                                  for s in strategies],
        "Economic loss, trained tables": [unit] + [significant(trained[s]["economic_loss"] / factor)
                                                   for s in strategies],
        "Economic loss, trained ÷ table": ["–"] + [ratio("economic_loss", s) for s in strategies],
        "Service loss, lookup tables": ["person-days"] + [
            number(table[s]["service_loss_person_days"]) for s in strategies],
        "Service loss, trained tables": ["person-days"] + [
            number(trained[s]["service_loss_person_days"]) for s in strategies],
        "Service loss, trained ÷ table": ["–"] + [ratio("service_loss_person_days", s)
                                                  for s in strategies],
    }
    out = pd.DataFrame.from_dict(rows, orient="index", columns=["units", *strategies])
    return out


_INDEX_WORDS = {"economic_loss": "Economic loss", "service_loss_person_days": "Service loss",
                "recovery_days_95": "Days to 95 % functionality"}


_INDEX_UNITS = {"economic_loss": "EUR", "service_loss_person_days": "person-days",
                "recovery_days_95": "days"}


def uncertainty_table(uncertainty: dict):
    """Per index, its ensemble mean and 5–95 % range, the posterior probability that each
    strategy's typical (median-member) loss is the lowest, and the share of members in which it
    was lowest; one column per strategy (``uncertainty.json`` of stage 05).

    Examples
    --------
    >>> u = {"strategies": {"a": {"economic_loss": {"mean": 2e9, "p05": 1e9, "p95": 3e9}}},
    ...      "best": {"economic_loss": {"p_lowest_typical_by_strategy": {"a": 1.0},
    ...                                 "share_of_members_best_by_strategy": {"a": 1.0}}}}
    >>> uncertainty_table(u).to_dict("index")  # doctest: +NORMALIZE_WHITESPACE
    {'Economic loss, mean': {'units': 'EUR bn', 'a': '2.00'},
     'Economic loss, 5–95 %': {'units': 'EUR bn', 'a': '1.00 to 3.00'},
     'Economic loss, P(lowest typical loss)': {'units': '–', 'a': '1.00'},
     'Economic loss, share of members lowest': {'units': '–', 'a': '100 %'}}
    """
    strategies = list(uncertainty["strategies"])
    indexes = list(dict.fromkeys(k for f in uncertainty["strategies"].values() for k in f))
    rows = {}
    for index in indexes:
        facts = [uncertainty["strategies"][s].get(index) for s in strategies]
        word = _INDEX_WORDS.get(index, _capital(words(index)))
        units = _INDEX_UNITS.get(index, "")
        if units == "EUR":
            factor, suffix = money_scale([f["p95"] for f in facts if f])
            unit, fmt = "EUR" + (f" {suffix}" if suffix else ""), (lambda x: significant(x / factor))
        else:
            unit, fmt = units, number
        rows[f"{word}, mean"] = [unit] + [fmt(f["mean"]) if f else "–" for f in facts]
        rows[f"{word}, 5–95 %"] = [unit] + [f"{fmt(f['p05'])} to {fmt(f['p95'])}" if f else "–"
                                            for f in facts]
        best = uncertainty.get("best", {}).get(index)
        if best is not None:
            p = best.get("p_lowest_typical_by_strategy", best.get("p_best_by_strategy", {}))
            rows[f"{word}, P(lowest typical loss)"] = ["–"] + [
                f"{p[s]:.2f}" if p.get(s) is not None else "–" for s in strategies]
            share = best.get("share_of_members_best_by_strategy")
            if share is not None:
                rows[f"{word}, share of members lowest"] = ["–"] + [
                    f"{share[s]:.0%}".replace("%", " %") if share.get(s) is not None else "–"
                    for s in strategies]
    out = pd.DataFrame.from_dict(rows, orient="index", columns=["units", *strategies])
    return out


def readable(frame):
    """Any table with every number formatted for reading (:func:`workbench.show.formatting.number`:
    counts as integers, 3 significant figures, thousands separators; NaN as "–").

    Examples
    --------
    >>> import pandas as pd
    >>> readable(pd.DataFrame({"none": [13.0, 2.0], "p": [0.0123456, float("nan")]})).to_dict("list")
    {'none': ['13', '2'], 'p': ['0.0123', '–']}
    """

    def cell(v):
        if isinstance(v, (bool, np.bool_)):
            return number(bool(v))
        if isinstance(v, (int, float, np.integer, np.floating)):
            return "–" if v != v else number(float(v))
        return v
    out = frame.copy()
    for col in out.columns:
        out[col] = [cell(v) for v in out[col]]
    return out


def sweep_table(sweep, x: str):
    """A sweep of one constraint (``crew_sweep``, ``constraint_sweep``) for reading: per value
    of ``x`` and strategy the total economic loss, the service-capacity loss and the days to 95 %
    ("≥" where losses still accrue at the horizon).

    Examples
    --------
    >>> import pandas as pd
    >>> t = pd.DataFrame({"crews": [2, 4], "strategy": ["rigid", "rigid"],
    ...                   "economic_loss": [3.2e9, 2.9e9], "service_loss_person_days": [10.5, 8.0],
    ...                   "recovery_days_95": [float("nan"), 40.0],
    ...                   "ep_loss_per_day_at_horizon": [1.0, 0.0]})
    >>> sweep_table(t, "crews").to_dict("records")[0]
    {'crews': '2', 'strategy': 'rigid', 'economic loss [EUR bn]': '≥ 3.20', 'service loss [person-days]': '10.5', 'days to 95 %': 'not within horizon'}
    """
    factor, suffix = money_scale(sweep["economic_loss"].tolist())
    rows = []
    for _, r in sweep.iterrows():
        v = r.to_dict()
        days = v.get("recovery_days_95")
        bound_e = "≥ " if is_lower_bound(v, "economic_loss") else ""
        bound_s = "≥ " if is_lower_bound(v, "service_loss_person_days") else ""
        rows.append({x: "to completion" if v[x] == float("inf") else number(float(v[x])),
                     "strategy": v["strategy"],
                     f"economic loss [EUR{' ' + suffix if suffix else ''}]":
                         bound_e + significant(v["economic_loss"] / factor),
                     "service loss [person-days]": bound_s + number(v["service_loss_person_days"]),
                     "days to 95 %": ("not within horizon" if days is None or days != days
                                      else number(days))})
    return pd.DataFrame(rows)


#: Where a name may wrap on a page: after ``_`` and ``/``, and after a ``.`` that joins two
#: words (``workbench.hazard.fragility``, not ``0.5``).
_JOINTS = re.compile(r"([_/])(?=[^\s<])|(\.)(?=[A-Za-z])")


#: A formatted number (:func:`workbench.show.formatting.number`, money, "≥ " lower bounds).
_NUMBER = re.compile(r"^(≥ |&gt;|&lt;|≤ )?[-−+]?[\d.,\u202f ]*\d(e[-+]\d+)?( ?%)?$")


def breakable(value) -> str:
    """A cell's text as HTML: escaped, with a break opportunity (``<wbr>``, which copying
    leaves out) at each joint of a name, so that ``shelter_area_per_person_m2`` or
    ``data/hazus_repair.csv`` wraps in a narrow column instead of pushing the table off the page.

    >>> breakable("shelter_area_per_m2 <b>")
    'shelter_<wbr>area_<wbr>per_<wbr>m2 &lt;b&gt;'
    >>> breakable("workbench.hazard.fragility 0.5")
    'workbench.<wbr>hazard.<wbr>fragility 0.5'
    >>> breakable("1.15e-25")
    '<span style="white-space: nowrap">1.15e-25</span>'
    """
    text = html.escape(str(value))
    if _NUMBER.match(text):   # a number stays whole ("1.15e-25" would wrap after its "-")
        return f'<span style="white-space: nowrap">{text}</span>'
    return _JOINTS.sub(lambda m: (m.group(1) or m.group(2)) + "<wbr>", text)


def _label_words(label):
    return tuple(words_in(x) if isinstance(x, str) else x for x in label) \
        if isinstance(label, tuple) else words_in(label) if isinstance(label, str) else label


def _in_words(frame):
    """``frame`` with every name of the code in its labels and cells said in words
    (:func:`workbench.show.formatting.words`: ``income_per_capita`` → "income per capita") and
    every list, tuple or mapping as text (:func:`~workbench.show.formatting.value_words`): no
    snake_case and no Python repr reaches a page. A copy; numbers untouched."""
    out = frame.rename(columns=_label_words, index=_label_words)
    out = out.rename_axis(index=[_label_words(n) for n in out.index.names],
                          columns=[_label_words(n) for n in out.columns.names])
    for col in out.columns:
        if out[col].dtype == object:
            out[col] = [value_words(v) if isinstance(v, (str, list, tuple, dict, set))
                        or hasattr(v, "items") else v for v in out[col]]
    return out


def _page_styler(frame, *, hide_index: bool = False):
    """``frame`` as a Styler for a page: every cell and label escaped and :func:`breakable`;
    element ids from the table's content (the same table, the same HTML bytes)."""
    from pandas.io.formats.style import Styler

    uuid = "T" + hashlib.sha256(frame.to_csv().encode()).hexdigest()[:10]
    default_rows = isinstance(frame.index, pd.RangeIndex) and frame.index.name is None
    frame = _in_words(frame)
    if not hide_index and any(n is not None for n in frame.index.names):
        # the index names are shown as given: escaped here, with their joints (a new frame:
        # the caller's index keeps its names)
        frame = frame.rename_axis(index=[None if n is None else breakable(n)
                                         for n in frame.index.names])
    styler = Styler(frame, uuid=uuid, cell_ids=False).format(breakable, na_rep="–")
    styler = styler.format_index(breakable, axis=1)
    if hide_index or default_rows:   # row numbers 0, 1, 2, … say nothing to a reader
        return styler.hide(axis="index")
    return styler.format_index(breakable, axis=0)


def readable_table(frame):
    """:func:`readable` for a page: the same strings as a ``Styler`` whose names wrap at their
    joints (:func:`breakable`), so that wide tables of a stage (12 columns of test results)
    fit the page's width.

    Examples
    --------
    >>> import pandas as pd
    >>> html = readable_table(pd.DataFrame({"effect_size": [0.1234567],
    ...                                     "file": ["data/hazus_repair.csv"]})).to_html()
    >>> "effect size" in html and "0.123" in html and "0.12345" not in html
    True
    >>> "data/<wbr>hazus_<wbr>repair.<wbr>csv" in html   # a file keeps its name
    True
    """
    return _page_styler(readable(frame))


def text_table(frame):
    """A table of words (e.g. :func:`workbench.core.assumptions.assumptions_table`) for a page: every
    cell in full (no "…" cut), escaped, left-aligned, names wrapping at their joints
    (:func:`breakable`), without the row numbers — a pandas ``Styler``.

    Examples
    --------
    >>> import pandas as pd
    >>> html = text_table(pd.DataFrame({"source": ["x" * 80]})).to_html()
    >>> "x" * 80 in html and "text-align: left" in html
    True
    """
    return (_page_styler(frame, hide_index=True)
            .set_properties(**{"text-align": "left", "vertical-align": "top"})
            .set_table_styles([{"selector": "th", "props": [("text-align", "left")]}]))


_GAP_ROWS = {"impeding_delays": "Impeding delays (REDi)", "information": "Information (inspections)",
             "commitment": "Commitment", "switching": "Switching (mobilisation)"}


def gap_table(summary: dict):
    """``summary.json``'s ``strategy_gap`` for reading: one row per cause (in the order the
    limits were added) and the total, one column per index; ``None`` without it."""
    gap = summary.get("strategy_gap")
    if not gap:
        return None
    columns = {"economic_loss": "economic loss [EUR]",
               "service_loss_person_days": "service loss [person-days]",
               "displaced_person_days": "displaced [person-days]"}
    rows = {}
    for cause in gap["order"] + ["total"]:
        label = _GAP_ROWS.get(cause, "Semiflexible − flexible (total)")
        rows[label] = [money(gap[k]["parts"][cause] if cause != "total" else gap[k]["total"])
                       if k == "economic_loss" else
                       number(gap[k]["parts"][cause] if cause != "total" else gap[k]["total"])
                       for k in columns if k in gap]
    return pd.DataFrame.from_dict(rows, orient="index",
                                  columns=[v for k, v in columns.items() if k in gap])


_SHELTER_ROWS = {"planned_share": "shelter places planned per resident",
                 "shelter_housing": "housing share of a shelter place",
                 "shelter_service": "service share of a shelter place"}


def shelter_sensitivity_table(summary: dict):
    """``summary.json``'s ``shelter_sensitivity`` for reading: one row per assumption and value
    tried (named in the first column, the default marked), the service loss and displaced
    person-days; ``None`` without it."""
    sens = summary.get("shelter_sensitivity")
    if not sens:
        return None
    default = {"planned_share": Shelters().planned_share,
               "shelter_housing": Valuation().shelter_housing,
               "shelter_service": Valuation().shelter_service}
    rows, index = [], []
    for field, label in _SHELTER_ROWS.items():
        for row in sens.get(field, []):      # (a field missing from an older run is skipped)
            value = row["value"]
            shown = "every capable building" if value is None else f"{value:g}"
            index.append(f"{label}: {shown}" + (" (default)" if value == default[field] else ""))
            rows.append([number(row["service_loss_person_days"]),
                         number(row["displaced_person_days"])])
    # the labels are a column, not the index: text_table hides the index (row numbers)
    return pd.DataFrame([[label, *row] for label, row in zip(index, rows)], columns=[
        "assumption: value", f"service loss [person-days], {sens['strategy']}",
        "displaced [person-days]"])


def crews_at_work(assignments: pd.DataFrame, strategy: str, realization: int = 0) -> pd.DataFrame:
    """Per trade: how many crews worked at once at most, and on how many days all of them did.

    ``assignments`` is ``crew_assignments.csv`` (one row per stint: strategy, crew, trade,
    start and end day). A stint occupies its crew from the day it starts to the day it ends;
    counted with a difference array over days (``np.add.at``), no loop over days.

    >>> a = pd.DataFrame({"strategy": "s", "realization": 0, "crew": [0, 1, 0],
    ...                   "trade": "building", "start_day": [0.0, 0.0, 2.0],
    ...                   "end_day": [2.0, 5.0, 3.0]})
    >>> crews_at_work(a, "s").to_dict("records")
    [{'trade': 'building', 'crews used': 2, 'most at work at once': 2, 'days all at work': 3, 'last day at work': 5}]
    >>> a.loc[1, "end_day"] = float("nan")   # not finished within the horizon
    >>> crews_at_work(a, "s")["last day at work"].tolist()
    [3]
    """
    rows = []
    mine = assignments[(assignments["strategy"] == strategy)
                       & (assignments.get("realization", 0) == realization)]
    for trade, g in mine.groupby("trade", sort=False):
        start_day = g["start_day"].to_numpy(float)
        end_day = g["end_day"].to_numpy(float)
        # a stint not finished within the horizon has no end day: it runs to the last day on record
        open_ = ~np.isfinite(end_day)
        last = np.nanmax(np.concatenate([start_day, end_day[~open_]]))
        end_day = np.where(open_, np.maximum(last, start_day + 1), end_day)
        start = np.floor(start_day).astype(int)
        end = np.ceil(end_day).astype(int)
        change = np.zeros(int(end.max()) + 1)
        np.add.at(change, start, 1)
        np.add.at(change, end, -1)
        busy = np.cumsum(change)[:-1]
        used = int(g["crew"].nunique())
        rows.append({"trade": trade, "crews used": used, "most at work at once": int(busy.max()),
                     "days all at work": int((busy >= used).sum()),
                     "last day at work": int(end.max())})
    return pd.DataFrame(rows)


def _trade_words(trade: str) -> str:
    return "any trade (one shared pool)" if trade == ANY_TRADE else words(trade)


def limits_table(assignments: pd.DataFrame, crews, strategy: str) -> pd.DataFrame:
    """What limited the recovery of ``strategy``, trade by trade, for reading: the crews
    available (``constraints.crews``), the most at work at once, the days all of them worked,
    and what that means for a change of the number of crews — where the crews never all
    worked at once, more crews change nothing (and fewer, down to the most at once, neither):
    the repairs waited for something else (inspections, financing, permits, a network upstream).
    ``crews`` as in the parameters: one number (a shared pool) or a mapping by trade.

    >>> a = pd.DataFrame({"strategy": "rigid", "crew": [0, 1, 0], "trade": "any",
    ...                   "start_day": [0.0, 0.0, 2.0], "end_day": [2.0, 1.0, 3.0]})
    >>> limits_table(a, 3, "rigid").iloc[0].tolist()[:3]
    ['3', '2', '0']
    """
    crews = crew_pools(crews, at_least_one=False)
    used = crews_at_work(assignments, strategy)
    rows = []
    for trade in crews:
        if not (used["trade"] == trade).any() if len(used) else True:
            rows.append({"crews": _trade_words(trade), "available": number(int(crews[trade])),
                         "most at work at once": "0", "days all at work": "0",
                         "what a change of crews does": "nothing to repair in this run: the "
                                                        "number of crews changes nothing"})
    for r in used.to_dict("records"):
        available = int(crews.get(r["trade"], r["crews used"]))
        most, all_at_work = r["most at work at once"], r["days all at work"]
        if most < available:
            means = (f"never all at work: {available - most} more than needed; fewer, down to "
                     f"{most}, would not change this run")
        else:
            means = (f"all at work on {number(all_at_work)} days: a binding limit then, so more "
                     f"crews shorten the recovery and fewer lengthen it")
        rows.append({"crews": _trade_words(r["trade"]), "available": number(available),
                     "most at work at once": number(most),
                     "days all at work": number(all_at_work if most >= available else 0),
                     "what a change of crews does": means})
    return pd.DataFrame(rows).set_index("crews") if rows else pd.DataFrame()


_M2 = re.compile(r"\bm2\b")


def _capital(text: str) -> str:
    """First letter upper case, the rest as written ("rEDi" stays, unlike ``str.capitalize``)."""
    return text[:1].upper() + text[1:]


def assumptions_words(hazard=None):
    """The assumptions registry (:data:`workbench.core.assumptions.REGISTRY`) for reading: a
    readable name, the value in words (no Python repr: a sequence by its items, a mapping by
    "key: value" pairs, a cited table by its file), its units, whether it is *cited* or
    *assumed*, and the source or the reason — cited first. ``hazard``: only the entries that
    drive a run of that ``hazard.kind``, or of any of a list of kinds (None: all). The code's names stay in
    :func:`~workbench.core.assumptions.assumptions_table` for developers.

    >>> t = assumptions_words()
    >>> list(t.columns), set(t["status"]) == {"cited", "assumed"}
    (['assumption', 'value', 'units', 'status', 'source or reason'], True)
    >>> any("_" in n for n in t["assumption"])
    False
    """
    from ...core.assumptions import REGISTRY
    rows = [{"assumption": _capital(words(a.name)),
             "value": value_words(a.value), "units": _M2.sub("m²", a.units),
             "status": "cited" if a.status == "cited" else "assumed",
             "source or reason": a.source} for a in REGISTRY
            if hazard is None or set([hazard] if isinstance(hazard, str) else hazard)
            & set(a.hazards)]
    table = pd.DataFrame(rows)
    return table.iloc[(table["status"] != "cited").to_numpy().argsort(kind="stable")].reset_index(
        drop=True)


#: The definitions of ``summary.json`` in a reader's words: a name and a formula written out
#: (T the horizon, t days after the event, EP₀ productivity before it).
DEFINITION_WORDS = {
    "economic_loss": ("Total economic loss",
                      "EL = ∫₀ᵀ (EP₀ − EP(t)) dt + repair cost, where EP(t) = Σ over buildings of "
                      "usable floor area × value added per m² per day"),
    "service_loss_person_days": (
        "Service-capacity loss",
        "SL = ½ ∫₀ᵀ max(0, D − SC(t)) dt, with demand D = 2 × residents and SC(t) = residents "
        "at home × (1 + rSS) + sheltered people × (½ + ½ × their host's rSS, shared among those "
        "it hosts); a resident without home and services costs one person-day per day, a "
        "sheltered one at least half, so SL ≤ residents × T"),
    "displaced_person_days": ("Displaced person-days",
                              "∫₀ᵀ (residents not living at home) dt, sheltered or not; of them, "
                              "the days in a public shelter are the sheltered person-days"),
    "recovery_days_95": ("Days to 95 % functionality",
                         "the first day t from which F(t) = ½ (EP(t)/EP₀ + min(1, SC(t)/D)) "
                         "stays at or above 0.95; not given when that is beyond the horizon"),
    "strategy_gap": ("Why flexible is lower",
                     "semiflexible − flexible for each index, split by adding one limit at a time "
                     "to flexible — impeding delays, information, commitment, switching; the "
                     "parts sum to the total"),
    "shelter_sensitivity": ("Shelter sensitivity",
                            "the service loss and displaced person-days on the first "
                            "realisation with one shelter assumption changed at a time (planned "
                            "places per resident, housing and service shares of a shelter "
                            "place); the defaults are assumptions"),
    "population": ("Residents",
                   "the buildings' population, else the occupancy of residential buildings; "
                   "workplaces count in the economic index, not in the service index"),
    "recovery_goals": ("Recovery goals",
                       "days to 90 % and 95 % of each index's functionality: the first day from "
                       "which EP(t)/EP₀, or min(1, SC(t)/D), stays at or above the level; "
                       "not given when that is beyond the horizon"),
    "horizon": ("Horizon T",
                "losses are summed up to the horizon; what is still unrestored then, and the "
                "loss still accruing per day, is given beside the totals (which are then lower "
                "bounds)"),
}


def definitions_markdown(summary: dict) -> str:
    """``summary.json``'s definitions as a Markdown list a person reads: each by its name in
    words with its formula written out (:data:`DEFINITION_WORDS`); a definition not known here
    by its key in words and its own text.

    >>> print(definitions_markdown({"definitions": {"recovery_days_95": "x", "new_index": "y"}}))
    - **Days to 95 % functionality:** the first day t from which F(t) = ½ (EP(t)/EP₀ + min(1, SC(t)/D)) stays at or above 0.95; not given when that is beyond the horizon
    - **New index:** y
    """
    lines = []
    for key, text in summary.get("definitions", {}).items():
        name, formula = DEFINITION_WORDS.get(key, (_capital(words(key)), text))
        lines.append(f"- **{name}:** {formula}")
    return "\n".join(lines)
