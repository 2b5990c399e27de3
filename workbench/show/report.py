"""Plain-language summary of a run's indexes for policy makers (METHOD §4, §8; stage 07).

Every table here is written for reading: one row per quantity (in words, with its units), one
column per strategy — narrow enough for a page — and every number formatted by
:mod:`workbench.show.formatting` (money in EUR k / M / bn with 3 significant figures, counts as
integers). A loss integrated up to a horizon at which losses still accrue is a *lower bound*,
marked "≥" in the tables and "at least" in the text.
"""

from __future__ import annotations

import hashlib
import html
import math
import re

from .formatting import money, money_scale, number, short_paths, significant, unit_text
import pandas as pd
import yaml
import numpy as np

__all__ = ["policy_summary", "indexes_table", "horizon_table", "functionality_table",
           "uncertainty_table", "uncertainty_summary", "lower_bound_note", "parameters_text",
           "is_lower_bound", "readable", "readable_table", "breakable", "sweep_table",
           "recovery_caption", "text_table", "indexes_text", "data_quality_note", "scenario_sentence",
           "strategies_paragraph", "first_screen", "STRATEGY_MEANINGS", "HORIZON_KEYS",
           "INDEX_KEYS", "LABELS"]

#: The headline indexes of ``summary.json``, in the order the report shows them.
INDEX_KEYS = ("economic_loss", "ep_loss", "repair_cost", "service_loss_person_days",
              "economic_loss_per_m2", "service_loss_per_m2", "recovery_days_95",
              "functionality_72h")

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
    "recovery_days_90": "Days to 90 % functionality",
    "recovery_days_95": "Days to 95 % functionality",
    "recovery_days_100": "Days to full functionality",
    "functionality_72h": "Functionality at 72 hours",
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
_CUT_OFF = {"economic_loss": "ep_loss_per_day_at_horizon",
            "ep_loss": "ep_loss_per_day_at_horizon",
            "economic_loss_per_m2": "ep_loss_per_day_at_horizon",
            "service_loss_person_days": "service_loss_per_day_at_horizon",
            "service_loss_per_m2": "service_loss_per_day_at_horizon"}
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
    per_day = _CUT_OFF.get(key)
    if per_day is None:
        return False
    if per_day in values:
        return bool((values.get(per_day) or 0) > 0)
    return values.get("recovered_100") is False


def _plural(count, one: str, many: str | None = None) -> str:
    many = many if many is not None else one + "s"
    return f"{number(count)} {one if count == 1 else many}"


def _horizon(summary: dict) -> str:
    days = summary.get("horizon_days")
    return f"the {days:,.0f}-day horizon" if days is not None else "the simulated horizon"


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


def indexes_text(summary: dict) -> str:
    """:func:`indexes_table` as plain text for a terminal (e.g. at the end of ``workbench
    simulate``), with the lower-bound sign explained where it is used.

    Examples
    --------
    >>> s = {"units": {"economic_loss": "EUR"}, "strategies": {"rigid": {"economic_loss": 2.5e9,
    ...      "ep_loss_per_day_at_horizon": 0.0}, "flexible": {"economic_loss": 1.25e9,
    ...      "ep_loss_per_day_at_horizon": 0.0}}}
    >>> print(indexes_text(s))
                          units rigid flexible
    Total economic loss  EUR bn  2.50     1.25
    """
    table = indexes_table(summary)
    text = table.to_string()
    if "≥" in text:
        text += "\n≥: a lower bound (losses still accrue at the horizon)"
    return text


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


def lower_bound_note(summary: dict) -> str:
    """A sentence saying which totals are lower bounds (losses still accrue at the horizon),
    or ``""`` when none is.

    Examples
    --------
    >>> lower_bound_note({"horizon_days": 60, "strategies": {"rigid": {"recovered_100": False}}})
    '**≥ marks a lower bound:** under **rigid** recovery is still going on at the 60-day horizon, so the losses integrated up to it are lower bounds; what is still open and the loss still accruing per day are in the table of what the horizon leaves open.'
    >>> lower_bound_note({"strategies": {"rigid": {"ep_loss_per_day_at_horizon": 0.0}}})
    ''
    """
    cut = [s for s, v in summary["strategies"].items()
           if any(is_lower_bound(v, k) for k in _CUT_OFF)]
    if not cut:
        return ""
    names = _join([f"**{s}**" for s in cut])
    return (f"**≥ marks a lower bound:** under {names} recovery is still going on at "
            f"{_horizon(summary)}, so the losses integrated up to it are lower bounds; what is "
            f"still open and the loss still accruing per day are in the table of what the "
            f"horizon leaves open.")


def _join(words: list[str]) -> str:
    return words[0] if len(words) == 1 else ", ".join(words[:-1]) + " and " + words[-1]


#: What each recovery strategy stands for, in a reader's words (METHOD §5).
STRATEGY_MEANINGS = {
    "rigid": "a fixed plan, made before the event from the damage expected, that holds its "
             "crews to each repair until it is done",
    "semiflexible": "the realistic planner: it re-plans every day on what inspections have "
                    "revealed so far, and its crews stay on a task for the commitment period",
    "flexible": "the optimistic bound, not a policy anyone can choose: it knows all the damage "
                "at once and meets no inspection, permit, financing or mobilisation delay",
}


def _city_words(name: str) -> str:
    words = str(name).replace("_", " ").replace("-", " ").strip()
    return words[:1].upper() + words[1:] if words else "the city"


def scenario_sentence(params: dict, city_name: str) -> str:
    """The run's scenario in one sentence: hazard, size, place, whether hypothetical.

    >>> p = {"hazard": {"kind": "earthquake", "magnitude": 5.5, "location": "centre",
    ...                 "depth_km": 10.0, "vs30": 760.0, "intensity_scale": 1.0},
    ...      "damage": {"source": None}, "mitigation": {"annual_probability": None}}
    >>> print(scenario_sentence(p, "helsinki-demo"))  # doctest: +NORMALIZE_WHITESPACE
    **Scenario:** a hypothetical earthquake of magnitude 5.5, 10 km deep under the centre of
    Helsinki demo (ground motion of Boore & Atkinson 2008 on ground of Vs30 760 m/s). No return
    period is given, so this is a what-if, not a hazard estimate for the city.
    """
    h, city = params["hazard"], _city_words(city_name)
    source = params.get("damage", {}).get("source")
    if source:
        what = (f"damage read from the table {short_paths(str(source))} (not sampled from a "
                f"hazard) in {city}")
    elif h["kind"] == "field":
        what = (f"a hazard given as a ground-motion field ({short_paths(str(h.get('field')))}) "
                f"over {city}")
    else:
        where = ("under the centre of " + city if h["location"] == "centre" else
                 f"at x {float(h['location'][0]):,.0f} m, y {float(h['location'][1]):,.0f} m "
                 f"in the coordinates of {city}")
        scale = (f", its shaking scaled by {float(h['intensity_scale']):g}"
                 if float(h.get("intensity_scale", 1.0)) != 1.0 else "")
        what = (f"a hypothetical earthquake of magnitude {float(h['magnitude']):g}, "
                f"{float(h['depth_km']):g} km deep {where} (ground motion of Boore & Atkinson "
                f"2008 on ground of Vs30 {float(h['vs30']):g} m/s{scale})")
    p = params.get("mitigation", {}).get("annual_probability")
    when = (f" Its annual probability is {float(p):g} (a return period of about "
            f"{1 / float(p):,.0f} years)." if p else
            " No return period is given, so this is a what-if, not a hazard estimate for the "
            "city.")
    return f"**Scenario:** {what}.{when}"


def strategies_paragraph(strategies) -> str:
    """What each strategy of the run stands for (:data:`STRATEGY_MEANINGS`), as Markdown."""
    return "**The strategies compared:** " + "; ".join(
        f"*{s}* is {STRATEGY_MEANINGS[s]}" for s in strategies if s in STRATEGY_MEANINGS) + "."


def first_screen(params: dict, summary: dict) -> str:
    """The paragraphs a report opens with: the scenario, then what the strategies mean."""
    return (scenario_sentence(params, summary["city"].get("name", params["name"])) + "\n\n"
            + strategies_paragraph(summary["strategies"]))


#: Building fields by the words a reader knows them by (the rest: underscores as spaces).
_FIELD_WORDS = {"stories": "storeys", "shelter_capable": "shelter capability"}
#: How each kind of value that is not data is said.
_NOT_DATA = {"constant": "a constant default", "synthetic": "generated (synthetic)",
             "imputed": "estimated from other fields (imputed)"}


def _share(part: int, whole: int) -> str:
    share = part / whole
    return "100 %" if part == whole else "> 99 %" if share > 0.99 else f"{share:.0%}".replace(
        "%", " %")


def data_quality_note(provenance, buildings: int, *, least: float = 0.1) -> str:
    """One paragraph for the first screen: which building fields of an imported city are not
    data — a constant default, synthetic or imputed — for at least ``least`` of its buildings.

    ``provenance``: the importers' table (:func:`workbench.io.importers.field_provenance`:
    index ``field``, counts per ``data``/``imputed``/``constant``/``synthetic``), or ``None``
    for a city that carries none (then ""). Positions (``x``, ``y``) are left out.

    >>> import pandas as pd
    >>> t = pd.DataFrame({"data": [0, 10, 1214], "imputed": [0, 0, 977],
    ...                   "constant": [2191, 2181, 0], "synthetic": [0, 0, 0]},
    ...                  index=pd.Index(["year_built", "stories", "type"], name="field"))
    >>> print(data_quality_note(t, 2191))  # doctest: +NORMALIZE_WHITESPACE
    **The data behind these numbers.** Of the city's 2,191 buildings, year built is a constant
    default for 100 %, storeys for > 99 %; type is estimated from other fields (imputed) for 45 %.
    The damage, the repairs and the service index are computed from these fields, so read the
    indexes as the method applied to this city's best available description, not as a
    measurement of it.
    """
    if provenance is None or buildings <= 0:
        return ""
    parts = []
    for kind, words in _NOT_DATA.items():
        if kind not in provenance.columns:
            continue
        col = provenance[kind]
        fields = [(f, int(n)) for f, n in col.items() if f not in ("x", "y")
                  and n >= least * buildings]
        fields.sort(key=lambda item: -item[1])
        if fields:
            named = [_FIELD_WORDS.get(f, str(f).replace("_", " ")) for f, _ in fields]
            first = f"{named[0]} is {words} for {_share(fields[0][1], buildings)}"
            rest = [f"{w} for {_share(n, buildings)}" for w, (_, n) in zip(named[1:], fields[1:])]
            parts.append(", ".join([first, *rest]))
    if not parts:
        return ""
    return (f"**The data behind these numbers.** Of the city's {buildings:,} buildings, "
            + "; ".join(parts) + ". The damage, the repairs and the service index are computed "
            "from these fields, so read the indexes as the method applied to this city's best "
            "available description, not as a measurement of it.")


def _back(day, horizon: str) -> str:
    """When 95 % of functionality is back, in words."""
    if day is None or (isinstance(day, float) and math.isinf(day)):
        return f"95 % of functionality is not back within {horizon}"
    if day == 0:
        return "functionality never falls below 95 %"
    return f"95 % of functionality is back after {_plural(day, 'day')}"


def _still_open(v: dict, horizon: str) -> str:
    """What a strategy leaves unrestored at the horizon, and the loss still accruing then."""
    open_b, open_c = v.get("unrestored_buildings", 0) or 0, v.get("unrestored_components", 0) or 0
    if not (open_b or open_c):
        return ""
    parts = []
    if open_b:
        parts.append(f"{_plural(open_b, 'building')} "
                     f"({number(v.get('unrestored_floor_area_m2', 0))} m²)")
    if open_c:
        parts.append(_plural(open_c, "network component"))
    still = " are" if (open_b + open_c) > 1 else " is"
    accrue = []
    if (v.get("ep_loss_per_day_at_horizon") or 0) > 0:
        accrue.append(f"{money(v['ep_loss_per_day_at_horizon'])} of economic productivity")
    if (v.get("service_loss_per_day_at_horizon") or 0) > 0:
        accrue.append(f"{number(v['service_loss_per_day_at_horizon'])} person-days of service")
    tail = (f", and losses still accrue: {' and '.join(accrue)} per day, not counted in the "
            f"totals above (which are therefore lower bounds)" if accrue else "")
    return f" At the end of {horizon} {' and '.join(parts)}{still} still unrestored{tail}."


def _strategy_line(strategy: str, v: dict, horizon: str) -> str:
    econ, service = v.get("economic_loss", 0) or 0, v.get("service_loss_person_days", 0) or 0
    if econ == 0 and service == 0:
        return (f"- **{strategy}** recovery: no loss — nothing this scenario damaged costs "
                f"productivity, repairs or service.")
    bound_e = is_lower_bound(v, "economic_loss")
    bound_s = is_lower_bound(v, "service_loss_person_days")
    econ_text = (f"total economic loss {'of at least ' if bound_e else ''}{money(econ)}"
                 + (f" (of which direct repair {money(v['repair_cost'])})"
                    if v.get("repair_cost") else ""))
    service_text = (f"cumulative service-capacity loss {'of at least ' if bound_s else ''}"
                    f"{number(service)} person-days")
    f72 = v.get("functionality_72h")
    at72 = (f"; {significant(100 * f72, 2) if f72 < 1 else '100'} % of functionality is "
            f"available at 72 hours" if f72 is not None else "")
    still = _still_open(v, horizon)
    bound = (f" The totals are lower bounds: losses still accrue at {horizon}."
             if (bound_e or bound_s) and "lower bounds" not in still else "")
    return (f"- **{strategy}** recovery: {econ_text}, {service_text}; "
            f"{_back(v.get('recovery_days_95'), horizon)}{at72}.{bound}{still}")


def _comparison(summary: dict) -> list[str]:
    strategies = summary["strategies"]
    if len(strategies) == 1:
        (only,) = strategies
        return ["", f"Only the **{only}** strategy was simulated, so there is nothing to compare "
                    f"it with; name more in `strategies` to compare."]
    losses = {s: v.get("economic_loss", 0) or 0 for s, v in strategies.items()}
    low, high = min(losses.values()), max(losses.values())
    if math.isclose(low, high, rel_tol=1e-9, abs_tol=0.5):
        return ["", f"All {len(strategies)} strategies give the same total economic loss, "
                    f"{money(low)}, on this damage."]
    best = [f"**{s}**" for s, x in losses.items() if x == low]
    worst = [f"**{s}**" for s, x in losses.items() if x == high]
    best = _join(best) + (" strategies have" if len(best) > 1 else " strategy has")
    worst = _join(worst) + (" strategies" if len(worst) > 1 else " strategy")
    cut = any(is_lower_bound(v, "economic_loss") for v in strategies.values())
    within = (f" over {_horizon(summary)} (losses still accrue there, so the difference over "
              f"the whole recovery may differ)" if cut else "")
    return ["", f"On the same damage the {best} the lowest total economic loss: "
                f"{money(high - low)} less than the {worst}{within}."]


def _realisations(summary: dict) -> list[str]:
    n = summary.get("realizations")
    if n is None:
        return []
    if n == 1:
        return ["", "These numbers come from **one** damage realisation: one draw of which "
                    "buildings and components the scenario damages. Stage 05's ensemble gives "
                    "their range; for means over more draws, raise `realizations`."]
    return ["", f"These numbers are means over **{n:,}** damage realisations."]


def policy_summary(summary: dict) -> str:
    """A few sentences in Markdown stating the indexes of every strategy with their units.

    Losses cut off at the horizon are called lower bounds ("at least"); a strategy not back to
    95 % within the horizon says so; one strategy has nothing to compare; no damage, no loss.

    Examples
    --------
    >>> s = {"name": "x", "city": {"buildings": 2, "floor_area_m2": 100.0, "population": 10.0},
    ...      "strategies": {"rigid": {"economic_loss": 2.5e6, "ep_loss": 2e6, "repair_cost": 5e5,
    ...      "service_loss_person_days": 1234.0, "economic_loss_per_m2": 25000.0,
    ...      "service_loss_per_m2": 12.34, "recovery_days_95": 40.0, "functionality_72h": 0.8}}}
    >>> print(policy_summary(s).splitlines()[2])  # doctest: +NORMALIZE_WHITESPACE
    - **rigid** recovery: total economic loss EUR 2.50 M (of which direct repair EUR 500 k), cumulative service-capacity loss 1,234 person-days; 95 % of functionality is back after 40 days; 80 % of functionality is available at 72 hours.
    """
    city = summary["city"]
    horizon = _horizon(summary)
    occupants = (f" ({number(city['occupancy'])} people occupy its buildings on a normal day, "
                 f"residents and workers; workplaces count in the economic index)"
                 if "occupancy" in city else "")
    lines = [f"The city of this run has {_plural(city['buildings'], 'building')}, "
             f"{number(city['floor_area_m2'])} m² of floor area and "
             f"{_plural(city['population'], 'resident')}{occupants}. The service-capacity "
             f"index counts each resident once: a resident without housing and services costs one "
             f"person-day per day, so it is at most residents × days.", ""]
    for name, facts in city.get("networks", {}).items():
        if facts.get("single_point_of_failure"):
            lines += [f"**Single point of failure:** the {name} network has one source "
                      f"({', '.join(map(str, facts['sources']))}); every building it serves "
                      f"depends on it.", ""]
    for strategy, v in summary["strategies"].items():
        lines.append(_strategy_line(strategy, v, horizon))
    used = summary.get("functionality", {}).get("used")
    if used is not None:
        lines += ["", "These numbers use the " + (
            "**trained** functionality tables (stage 03: the forest's rSS and the hybrid network's "
            "EP per m², archived by building type and service)" if used == "trained" else
            "**lookup-table** functionality (cited productivity figures, service weights that are "
            "stated assumptions)") + "."]
    lines += _realisations(summary)
    lines += _comparison(summary)
    return "\n".join(lines)


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


_INDEX_WORDS = {"economic_loss": "Economic loss", "service_loss_person_days": "Service loss"}
_INDEX_UNITS = {"economic_loss": "EUR", "service_loss_person_days": "person-days"}


def uncertainty_table(uncertainty: dict):
    """Per index, its ensemble mean and 5–95 % range and the posterior P(best), one column per
    strategy (``uncertainty.json`` of stage 05).

    Examples
    --------
    >>> u = {"strategies": {"a": {"economic_loss": {"mean": 2e9, "p05": 1e9, "p95": 3e9}}},
    ...      "best": {"economic_loss": {"p_best_by_strategy": {"a": 1.0}}}}
    >>> uncertainty_table(u).to_dict("index")
    {'Economic loss, mean': {'units': 'EUR bn', 'a': '2.00'}, 'Economic loss, 5–95 %': {'units': 'EUR bn', 'a': '1.00 – 3.00'}, 'Economic loss, P(best)': {'units': '–', 'a': '1.00'}}
    """
    strategies = list(uncertainty["strategies"])
    indexes = list(dict.fromkeys(k for f in uncertainty["strategies"].values() for k in f))
    rows = {}
    for index in indexes:
        facts = [uncertainty["strategies"][s].get(index) for s in strategies]
        word = _INDEX_WORDS.get(index, index.replace("_", " "))
        units = _INDEX_UNITS.get(index, "")
        if units == "EUR":
            factor, suffix = money_scale([f["p95"] for f in facts if f])
            unit, fmt = "EUR" + (f" {suffix}" if suffix else ""), (lambda x: significant(x / factor))
        else:
            unit, fmt = units, number
        rows[f"{word}, mean"] = [unit] + [fmt(f["mean"]) if f else "–" for f in facts]
        rows[f"{word}, 5–95 %"] = [unit] + [f"{fmt(f['p05'])} – {fmt(f['p95'])}" if f else "–"
                                            for f in facts]
        best = uncertainty.get("best", {}).get(index)
        if best is not None:
            p = best["p_best_by_strategy"]
            rows[f"{word}, P(best)"] = ["–"] + [f"{p[s]:.2f}" if p.get(s) is not None else "–"
                                                for s in strategies]
    out = pd.DataFrame.from_dict(rows, orient="index", columns=["units", *strategies])
    return out


def uncertainty_summary(uncertainty: dict) -> str:
    """"Best strategy, and how sure" in Markdown, with the number of members (and a word on
    raising it when they are few).

    Examples
    --------
    >>> u = {"members": 40, "best": {"economic_loss": {"strategy": "flexible", "p_best": 0.99}}}
    >>> print(uncertainty_summary(u))
    Over 40 ensemble members (uncertain fragility, repair time, crew productivity and productivity per m²): lowest **economic loss** — **flexible**, with posterior probability 0.99 of being the best.
    >>> print(uncertainty_summary({"members": 12, "best": {}}))  # doctest: +ELLIPSIS
    Over 12 ensemble members (...): one strategy only, nothing to compare. With 12 members the 5–95 % ranges are rough; raise `ensemble.members` (40 or more) for steadier ones.
    """
    names = {"economic_loss": "economic loss", "service_loss_person_days": "service loss"}
    parts = [f"lowest **{names.get(k, k)}** — **{v['strategy']}**, with posterior probability "
             f"{v['p_best']:.2f} of being the best" for k, v in uncertainty.get("best", {}).items()]
    members = uncertainty["members"]
    head = (f"Over {_plural(members, 'ensemble member')} (uncertain fragility, repair time, "
            f"crew productivity and productivity per m²): ")
    few = (f" With {_plural(members, 'member')} the 5–95 % ranges are rough; raise "
           f"`ensemble.members` (40 or more) for steadier ones." if members < 40 else "")
    return head + ("; ".join(parts) if parts else "one strategy only, nothing to compare") + "." + few


def parameters_text(params: dict) -> str:
    """The run's parameters as YAML for the report, every path of the machine shortened
    (:func:`workbench.show.formatting.short_path`; ``params.yaml`` holds them in full).

    Examples
    --------
    >>> print(parameters_text({"name": "toy", "city": "/home/someone/toy"}).strip())
    name: toy
    city: …/toy
    """
    return yaml.safe_dump(short_paths(params), sort_keys=False, allow_unicode=True)


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


def recovery_caption(summary: dict, commitment: bool = False) -> str:
    """The caption of the report's recovery figure (Zhou et al. 2025, Fig. 1(b) layout): what
    each panel shows, the city, the realisations and the horizon.

    Examples
    --------
    >>> s = {"city": {"name": "toy"}, "realizations": 1, "horizon_days": 60,
    ...      "strategies": {"rigid": {}, "flexible": {}}}
    >>> print(recovery_caption(s, commitment=True))
    Recovery of toy after the scenario event under the rigid and flexible strategies over the 60-day horizon (one damage realisation): (A) economic productivity EP(t)/EP0 and (B) service capacity SC(t) relative to demand, both [–]; (C) total economic loss of the semiflexible strategy against the commitment period of its crews.
    """
    n = summary.get("realizations", 1)
    which = ("one damage realisation" if n == 1 else
             f"mean and 5–95 % band over {n:,} damage realisations")
    text = (f"Recovery of {summary['city'].get('name', 'the city')} after the scenario event under "
            f"the {_join(list(summary['strategies']))} strateg"
            f"{'ies' if len(summary['strategies']) > 1 else 'y'} over {_horizon(summary)} "
            f"({which}): (A) economic productivity EP(t)/EP0 and (B) service capacity SC(t) "
            f"relative to demand, both [–]")
    if commitment:
        text += ("; (C) total economic loss of the semiflexible strategy against the commitment "
                 "period of its crews")
    return text + "."


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


def _page_styler(frame, *, hide_index: bool = False):
    """``frame`` as a Styler for a page: every cell and label escaped and :func:`breakable`;
    element ids from the table's content (the same table, the same HTML bytes)."""
    from pandas.io.formats.style import Styler

    uuid = "T" + hashlib.sha256(frame.to_csv().encode()).hexdigest()[:10]
    if not hide_index and any(n is not None for n in frame.index.names):
        # the index names are shown as given: escaped here, with their joints (a new frame:
        # the caller's index keeps its names)
        frame = frame.rename_axis(index=[None if n is None else breakable(n)
                                         for n in frame.index.names])
    styler = Styler(frame, uuid=uuid, cell_ids=False).format(breakable, na_rep="–")
    styler = styler.format_index(breakable, axis=1)
    default_rows = isinstance(frame.index, pd.RangeIndex) and frame.index.name is None
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
    >>> html = readable_table(pd.DataFrame({"effect_size": [0.1234567]})).to_html()
    >>> "effect_<wbr>size" in html and "0.123" in html and "0.12345" not in html
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
