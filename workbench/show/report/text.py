"""The report's sentences: the scenario and the city in words, what each strategy stands for, the
policy summary, the data-quality note, captions; a lower bound is said "at least"."""

from __future__ import annotations

import math

import yaml

from ..formatting import money, number, short_paths, significant
from .tables import CUT_OFF, indexes_table, is_lower_bound

__all__ = ["indexes_text", "lower_bound_note", "STRATEGY_MEANINGS", "scenario_sentence",
           "strategies_paragraph", "first_screen", "answer", "mitigation_headline",
           "data_quality_note", "policy_summary", "uncertainty_summary", "parameters_text",
           "recovery_caption", "gap_sentence", "city_words", "validation_text"]


def _plural(count, one: str, many: str | None = None) -> str:
    many = many if many is not None else one + "s"
    return f"{number(count)} {one if count == 1 else many}"


def _horizon(summary: dict) -> str:
    days = summary.get("horizon_days")
    return f"the {days:,.0f}-day horizon" if days is not None else "the simulated horizon"


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
           if any(is_lower_bound(v, k) for k in CUT_OFF)]
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
    "rigid": "a plan fixed before the event — emergency and critical facilities, then "
             "housing, then business, lighter damage first — that holds its crews to each "
             "repair until it is done",
    "semiflexible": "the realistic planner: it re-plans every day on what inspections have "
                    "revealed so far, and its crews stay on a task for the commitment period",
    "flexible": "the optimistic bound, not a policy anyone can choose: it knows all the damage "
                "at once and meets no inspection, permit, financing or mobilisation delay",
}


def city_words(name: str) -> str:
    """A city's folder name as a title: ``helsinki-demo`` → "Helsinki demo"."""
    words = str(name).replace("_", " ").replace("-", " ").strip()
    return words[:1].upper() + words[1:] if words else "the city"


def _hazard_words(h: dict, city: str, demo: bool) -> str:
    """One hazard event in words (a scenario earthquake, a user's field, or a flood)."""
    if h["kind"] == "flood":
        return _flood_words(h, city, demo=demo)
    if h["kind"] == "field":
        return (f"a hazard given as a ground-motion field ({short_paths(str(h.get('field')))}) "
                f"over {city}")
    where = ("under the centre of " + city if h["location"] == "centre" else
             f"at x {float(h['location'][0]):,.0f} m, y {float(h['location'][1]):,.0f} m "
             f"in the coordinates of {city}")
    scale = (f", its shaking scaled by {float(h['intensity_scale']):g}"
             if float(h.get("intensity_scale", 1.0)) != 1.0 else "")
    from ...hazard.gmpe import GMPES
    model = GMPES[h.get("gmpe") or "BA08"].label.replace(" (", " ").rstrip(")")
    spread = (", its scatter drawn per realisation with spatially correlated residuals"
              if h.get("residuals") else ", its median")
    rupture = h.get("rupture", "point")
    if rupture not in (None, "point"):
        from ...hazard.ground_motion import rupture_length_wells_coppersmith
        length = (rupture_length_wells_coppersmith(float(h["magnitude"]))
                  if rupture == "wells-coppersmith" else float(rupture))
        where += f", rupturing {length:.0f} km of fault"
    return (f"a hypothetical earthquake of magnitude {float(h['magnitude']):g}, "
            f"{float(h['depth_km']):g} km deep {where} (ground motion of {model}{spread} "
            f"on ground of Vs30 {float(h['vs30']):g} m/s{scale})")


def scenario_sentence(params: dict, city_name: str) -> str:
    """The run's scenario in one sentence: hazard, size, place, whether hypothetical.

    >>> p = {"hazard": {"kind": "earthquake", "magnitude": 5.5, "location": "centre",
    ...                 "depth_km": 10.0, "vs30": 760.0, "intensity_scale": 1.0},
    ...      "damage": {"source": None}, "mitigation": {"annual_probability": None}}
    >>> print(scenario_sentence(p, "helsinki-demo"))  # doctest: +NORMALIZE_WHITESPACE
    **Scenario:** a hypothetical earthquake of magnitude 5.5, 10 km deep under the centre of
    Helsinki demo (ground motion of Boore & Atkinson 2008, its median on ground of Vs30 760 m/s);
    buildings damaged by the Hazus equivalent-PGA curves (from PGA alone). No return period is
    given, so this is a what-if, not a hazard estimate for the city.
    """
    h, city = params["hazard"], city_words(city_name)
    source = params.get("damage", {}).get("source")
    demo = params.get("city") == "demo"
    if source:
        what = (f"damage read from the table {short_paths(str(source))} (not sampled from a "
                f"hazard) in {city}")
    else:
        what = _hazard_words(h, city, demo)
        for event in params.get("events") or []:
            what += (f"; then, on day {int(event['day'])}, "
                     f"{_hazard_words(event['hazard'], city, demo)}, its damage added to what "
                     f"is still unrepaired and the recovery planned again")
        if params.get("events"):
            what += (" (the maps and tables of damage show the first event's; the losses, "
                     "curves and restoration days take in every event)")
    if not source and h["kind"] != "flood":
        model = params.get("damage", {}).get("building_model") or "equivalent-pga"
        if model == "capacity-spectrum" or (model == "auto" and h["kind"] == "earthquake"):
            what += ("; buildings damaged by the Hazus capacity-spectrum method (their capacity "
                     "against the spectrum at 0.3 and 1.0 s)")
        else:
            what += "; buildings damaged by the Hazus equivalent-PGA curves (from PGA alone)"
    p = params.get("mitigation", {}).get("annual_probability")
    when = (f" Its annual probability is {float(p):g} (a return period of about "
            f"{1 / float(p):,.0f} years)." if p else
            " No return period is given, so this is a what-if, not a hazard estimate for the "
            "city.")
    return f"**Scenario:** {what}.{when}"


def _flood_words(h: dict, city: str, demo: bool = False) -> str:
    """A flood scenario in words: its source, the first-floor height and the facilities'
    threshold (:mod:`workbench.hazard.flood`).

    >>> print(_flood_words({"water_level_m": 2.5, "terrain": None, "depth_grid": None,
    ...                     "first_floor_height_m": 0.3, "basement": False,
    ...                     "facility_flood_depth_m": 0.5}, "Helsinki demo"))
    ... # doctest: +NORMALIZE_WHITESPACE
    a hypothetical flood of Helsinki demo: still water at 2.5 m over the ground of the city
    folder's terrain (a bathtub), buildings damaged by the Hazus flood depth-damage curves from
    a first floor 0.3 m above the ground without basements, substations, pumps and other
    facilities out of service under 0.5 m of water or more
    """
    if h.get("depth_grid"):
        water = f"water depths from the grid {short_paths(str(h['depth_grid']))}"
    else:
        ground = (f"the terrain {short_paths(str(h['terrain']))}" if h.get("terrain")
                  else "the demo's synthetic terrain" if demo else "the city folder's terrain")
        water = f"still water at {float(h['water_level_m']):g} m over the ground of {ground} " \
                f"(a bathtub)"
    cellar = "with basements" if h.get("basement") else "without basements"
    return (f"a hypothetical flood of {city}: {water}, buildings damaged by the Hazus flood "
            f"depth-damage curves from a first floor {float(h.get('first_floor_height_m', 0.3)):g} "
            f"m above the ground {cellar}, substations, pumps and other facilities out of "
            f"service under {float(h.get('facility_flood_depth_m', 0.5)):g} m of water or more")


def strategies_paragraph(strategies) -> str:
    """What each strategy of the run stands for (:data:`STRATEGY_MEANINGS`), as Markdown."""
    return "**The strategies compared:** " + "; ".join(
        f"*{s}* is {STRATEGY_MEANINGS[s]}" for s in strategies if s in STRATEGY_MEANINGS) + "."


def _range(band: dict | None, fmt) -> str:
    """" (5–95 % over N members: a to b)" from an ensemble's band, or ""."""
    if not band or band.get("p05") is None or band.get("p95") is None:
        return ""
    return f" ({fmt(band['p05'])} to {fmt(band['p95'])})"


def _days(value) -> str:
    return "not within the horizon" if value is None or value != value else _plural(value, "day")


def answer(summary: dict, uncertainty: dict | None = None) -> str:
    """The answer in a few lines: the indexes of the realistic strategy (semiflexible when run,
    else the first) with their 5–95 % ranges over stage 05's ensemble where it ran, then the fixed
    plan and the optimistic bound beside it — each said for what it is.

    Examples
    --------
    >>> s = {"horizon_days": 365, "strategies": {
    ...   "semiflexible": {"economic_loss": 2.0e9, "service_loss_person_days": 3.0e5,
    ...                    "displaced_person_days": 4.0e5, "recovery_days_95": 200.0},
    ...   "flexible": {"economic_loss": 1.5e9, "service_loss_person_days": 1.0e5,
    ...                "displaced_person_days": 2.0e5, "recovery_days_95": 120.0}}}
    >>> u = {"members": 40, "strategies": {"semiflexible": {
    ...   "economic_loss": {"p05": 1.0e9, "p95": 3.0e9}}}}
    >>> print(answer(s, u))  # doctest: +NORMALIZE_WHITESPACE
    **The answer:** with the realistic planner (*semiflexible*) the city loses **EUR 2.00 bn**
    (repairs and lost economic productivity; over 40 ensemble members, 5–95 %: EUR 1.00 bn to
    EUR 3.00 bn), **300,000 person-days** of housing and services and **400,000 person-days**
    of residents away from home; 95 % of its functionality is back after **200 days**. The
    optimistic bound (*flexible*, no planner can reach it): EUR 1.50 bn, 100,000 person-days,
    120 days.
    """
    strategies = summary["strategies"]
    main = "semiflexible" if "semiflexible" in strategies else next(iter(strategies))
    v = strategies[main]
    band = (uncertainty or {}).get("strategies", {}).get(main, {})
    members = (uncertainty or {}).get("members")
    over = f"over {members} ensemble members, 5–95 %: " if members else ""

    def ranged(key, fmt):
        r = _range(band.get(key), fmt)
        return f"; {over}{r[2:-1]}" if r else ""

    bound = lambda key: "at least " if is_lower_bound(v, key) else ""
    who = {"semiflexible": "the realistic planner (*semiflexible*)",
           "rigid": "a plan fixed before the event (*rigid*)",
           "flexible": "the optimistic bound (*flexible*, no planner can reach it)"}.get(main, f"*{main}*")
    lines = [f"**The answer:** with {who} the city loses **{bound('economic_loss')}"
             f"{money(v['economic_loss'])}** (repairs and lost economic productivity"
             f"{ranged('economic_loss', money)}), **{bound('service_loss_person_days')}"
             f"{number(v['service_loss_person_days'])} person-days** of housing and services"
             f"{_range(band.get('service_loss_person_days'), number)}"]
    if v.get("displaced_person_days") is not None:
        lines.append(f" and **{bound('displaced_person_days')}"
                     f"{number(v['displaced_person_days'])} person-days** of residents away "
                     f"from home")
    day = v.get("recovery_days_95")
    lines.append(f"; 95 % of its functionality is back after **{_days(day)}**"
                 f"{_range(band.get('recovery_days_95'), number)}."
                 if day is not None and day == day else
                 f"; 95 % of its functionality is not back within {_horizon(summary)}.")
    for other, words in (("rigid", "A plan fixed before the event (*rigid*)"),
                         ("flexible", "The optimistic bound (*flexible*, no planner can reach "
                                      "it)")):
        if other in strategies and other != main:
            o = strategies[other]
            lines.append(f" {words}: {money(o['economic_loss'])}, "
                         f"{number(o['service_loss_person_days'])} person-days, "
                         f"{_days(o.get('recovery_days_95'))}.")
    return "".join(lines)


def mitigation_headline(mitigation: dict | None) -> str:
    """The first-ranked mitigation option in one sentence with its caveat, or ``""``."""
    if not mitigation or not mitigation.get("best"):
        return ""
    best = mitigation["best"]
    name = best["option"]
    if best.get("bcr") is not None:
        how = (f"benefit–cost ratio {significant(best['bcr'])}"
               + (f" ({significant(best['bcr_p5'])} to {significant(best['bcr_p95'])})"
                  if best.get("bcr_p5") is not None else "")
               + (f", worth its cost in {best['p_worth_it']:.0%} of the ensemble members"
                  if best.get("p_worth_it") is not None else ""))
    else:
        rp = best.get("break_even_return_period")
        how = ("no benefit–cost ratio, as the scenario has no annual probability; it repays "
               f"its cost if the event recurs at least once every {number(rp)} years"
               if rp is not None and 0 < rp < math.inf else
               "no benefit–cost ratio, as the scenario has no annual probability")
    return (f"**Before the next event:** of the mitigation options tried, **{name}** ranks "
            f"first ({how}). Caveat: the costs are stated cost models and a person-day of lost "
            f"service is valued at an assumed {money(mitigation.get('value_per_person_day', 0))}"
            f" — the ranking is for this scenario only.")


def first_screen(params: dict, summary: dict, uncertainty: dict | None = None,
                 mitigation: dict | None = None) -> str:
    """The paragraphs a report opens with: the scenario, the answer (indexes with their ranges),
    what the strategies mean, and the first-ranked mitigation option with its caveat."""
    parts = [scenario_sentence(params, summary["city"].get("name", params["name"])),
             answer(summary, uncertainty), strategies_paragraph(summary["strategies"]),
             mitigation_headline(mitigation)]
    return "\n\n".join(p for p in parts if p)


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
            "**trained** functionality tables (stage 03: the rSS model's table and the hybrid network's "
            "EP per m², archived by building type and service)" if used == "trained" else
            "**lookup-table** functionality (cited productivity figures, service weights that are "
            "stated assumptions)") + "."]
    lines += _realisations(summary)
    lines += _comparison(summary)
    return "\n".join(lines)


def uncertainty_summary(uncertainty: dict) -> str:
    """"Best strategy, and how sure" in Markdown, with the number of members (and a word on
    raising it when they are few).

    Examples
    --------
    >>> u = {"members": 40, "best": {"economic_loss": {"strategy": "flexible",
    ...      "p_lowest_typical": 0.99, "share_of_members_best": 0.975}}}
    >>> print(uncertainty_summary(u))
    Over 40 ensemble members (uncertain fragility, repair time, crew productivity and productivity per m²): lowest **economic loss** — **flexible**: posterior probability 0.99 that its typical (median-member) loss is the lowest; lowest in 98 % of the members.
    >>> print(uncertainty_summary({"members": 12, "best": {}}))  # doctest: +ELLIPSIS
    Over 12 ensemble members (...): one strategy only, nothing to compare. With 12 members the 5–95 % ranges are rough; raise `ensemble.members` (40 or more) for steadier ones.
    """
    names = {"economic_loss": "economic loss", "service_loss_person_days": "service loss"}
    parts = [f"lowest **{names.get(k, k)}** — **{v['strategy']}**: posterior probability "
             f"{v.get('p_lowest_typical', v.get('p_best')):.2f} that its typical (median-member) "
             f"loss is the lowest" + (f"; lowest in {v['share_of_members_best'] * 100:.0f} % of the members"
                                      if v.get("share_of_members_best") is not None else "")
             for k, v in uncertainty.get("best", {}).items()]
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


_CAUSE_WORDS = {"impeding_delays": "waiting for inspection, engineering, permits and financing "
                                   "(REDi impeding delays)",
                "information": "knowing the damage only once inspected",
                "commitment": "keeping crews on their tasks for the committed period",
                "switching": "the days crews spend moving to a new task"}


def gap_sentence(summary: dict) -> str:
    """One paragraph on why flexible is below semiflexible: the share of the economic-loss gap
    each limit explains (``summary.json``'s ``strategy_gap``); "" without it.

    Examples
    --------
    >>> gap = {"order": ["impeding_delays", "information", "commitment", "switching"],
    ...        "economic_loss": {"total": 100.0, "parts": {"impeding_delays": 90.0,
    ...                          "information": 6.0, "commitment": 1.0, "switching": 3.0}}}
    >>> gap_sentence({"strategy_gap": gap})[:60]
    'Flexible is the optimistic bound, not a policy: it ignores t'
    """
    gap = summary.get("strategy_gap")
    if not gap or "economic_loss" not in gap:
        return ""
    e = gap["economic_loss"]
    total = e["total"]
    if not total:
        return "Flexible and semiflexible lose the same here: the limits flexible ignores cost nothing."
    if total < 0:
        return _reversed_gap(e)
    parts = sorted(e["parts"].items(), key=lambda kv: -abs(kv[1]))
    top, share = parts[0][0], parts[0][1] / total
    rest = _join([f"{_CAUSE_WORDS[c].split(' (')[0]} {v / total:.0%}" for c, v in parts[1:]])
    return (f"Flexible is the optimistic bound, not a policy: it ignores the limits of "
            f"information and implementation every real recovery meets. Of the "
            f"{money(total)} by which semiflexible loses more than flexible, "
            f"{share:.0%} is {_CAUSE_WORDS[top]}; the rest: {rest} (the limits added to flexible "
            f"one at a time — impeding delays, information, commitment, switching; each share "
            f"depends on that order).")


def _reversed_gap(e: dict) -> str:
    """The paragraph of :func:`gap_sentence` when flexible loses *more* than semiflexible."""
    parts = e["parts"]
    lower = [c for c, v in parts.items() if v < 0]
    signed = _join([f"{_CAUSE_WORDS[c].split(' (')[0]} "
                    f"{'−' if v < 0 else '+'}{money(abs(v))}" for c, v in parts.items()])
    why = (f"adding {_join([_CAUSE_WORDS[c].split(' (')[0] for c in lower])} to flexible "
           f"lowers its loss" if lower else "no single limit lowers it")
    return (f"Here flexible, the optimistic bound, loses {money(-e['total'])} more than "
            f"semiflexible. It ignores the limits of information and implementation every real "
            f"recovery meets, but it orders repairs greedily — each day the largest gain per "
            f"crew-day — and that myopia costs more in this run than the limits save: "
            f"{why}. The limits added to flexible one at a time — impeding delays, information, "
            f"commitment, switching — change its economic loss by {signed}. Read flexible here "
            f"as a greedy heuristic, not a bound.")


def validation_text(validation: dict) -> str:
    """What stage 06's check against observed earthquakes found (``validation.json``), as
    Markdown: days to 90 % of power and water restored by strategy, the band check and the
    ordering power before water, each with its verdict, and the caveats that bound them.

    >>> v = {"band": {"rule": "within a factor of 2", "strategies": {"rigid": {
    ...          "in_band": 1, "compared": 4, "passed": False, "events": []}}},
    ...      "ordering": {"simulated": {"rigid": {"result": "fails", "power_t90": 9.0,
    ...                                           "water_t90": 5.0, "why": "water before power"}}},
    ...      "caveats": ["Other cities."]}
    >>> print(validation_text(v))  # doctest: +NORMALIZE_WHITESPACE
    **Days to 90 % restored** (of the customers who lost service): *rigid* power 9, water 5.
    <BLANKLINE>
    **Band check** (within a factor of 2): *rigid* 1 of 4 events, does not pass.
    <BLANKLINE>
    **Power before water**, as in every observed event with both: *rigid* fails (water before
    power).
    <BLANKLINE>
    Other cities.
    """
    order = validation.get("ordering", {}).get("simulated", {})
    band = validation.get("band", {})

    def days(value):
        return "not reached" if value is None else f"{value:g}"

    lines = ["**Days to 90 % restored** (of the customers who lost service): " + "; ".join(
        f"*{s}* power {days(o.get('power_t90'))}, water {days(o.get('water_t90'))}"
        for s, o in order.items()) + "."]
    if band.get("strategies"):
        lines.append(f"**Band check** ({band.get('rule', '')}): " + "; ".join(
            f"*{s}* {b['in_band']} of {b['compared']} events, "
            f"{'passes' if b['passed'] else 'does not pass'}"
            for s, b in band["strategies"].items()) + ".")
    if order:
        lines.append("**Power before water**, as in every observed event with both: " + "; ".join(
            f"*{s}* {o['result']}" + (f" ({o['why']})" if o.get("why") else "")
            for s, o in order.items()) + ".")
    lines += list(validation.get("caveats", []))
    return "\n\n".join(lines)
