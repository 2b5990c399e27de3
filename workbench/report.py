"""Plain-language summary of a run's indexes for policy makers (METHOD §1, stage 07)."""

from __future__ import annotations

import math

__all__ = ["policy_summary", "indexes_table", "horizon_table", "functionality_table",
           "uncertainty_table", "uncertainty_summary", "HORIZON_KEYS"]

#: The keys of ``summary.json`` that say what the horizon leaves open.
HORIZON_KEYS = ("recovered_100", "unrestored_buildings", "unrestored_floor_area_m2",
                "unrestored_components", "displaced_at_horizon", "ep_loss_per_day_at_horizon",
                "service_loss_per_day_at_horizon")


def _money(value: float) -> str:
    for unit, scale in (("billion", 1e9), ("million", 1e6), ("thousand", 1e3)):
        if abs(value) >= scale:
            return f"EUR {value / scale:,.1f} {unit}"
    return f"EUR {value:,.0f}"


def _back(day) -> str:
    """When 95 % of functionality is back, in words."""
    if day is None or math.isinf(day):
        return "95 % of functionality is not back within the simulated horizon"
    return f"95 % of functionality is back after {day:,.0f} days"


def _still_open(v: dict) -> str:
    """What a strategy leaves unrestored at the horizon, and the loss still accruing then."""
    open_b, open_c = v.get("unrestored_buildings", 0) or 0, v.get("unrestored_components", 0) or 0
    if not (open_b or open_c):
        return ""
    return (f" At the end of the simulated horizon {open_b:,.0f} buildings "
            f"({v.get('unrestored_floor_area_m2', 0):,.0f} m²) and {open_c:,.0f} network components "
            f"are still unrestored, and losses still accrue: "
            f"{_money(v.get('ep_loss_per_day_at_horizon', 0))} and "
            f"{v.get('service_loss_per_day_at_horizon', 0):,.0f} person-days per day, not counted "
            f"in the totals above.")


def indexes_table(summary: dict):
    """The indexes of ``summary.json`` as a DataFrame: one row per index (with its units), one
    column per strategy — narrow enough to read on a page.

    Examples
    --------
    >>> s = {"units": {"economic_loss": "EUR"}, "strategies": {"rigid": {"economic_loss": 2.0},
    ...      "flexible": {"economic_loss": 1.0}}}
    >>> indexes_table(s).columns.tolist(), indexes_table(s).loc["economic_loss", "units"]
    (['units', 'rigid', 'flexible'], 'EUR')
    """
    import pandas as pd
    units = summary.get("units", {})
    table = pd.DataFrame(summary["strategies"])
    table.insert(0, "units", [units.get(k, "") for k in table.index])
    return table


def horizon_table(summary: dict):
    """What each strategy leaves unrestored at the horizon and the loss still accruing per day.

    One row per key of :data:`HORIZON_KEYS` (with its units), one column per strategy.

    Examples
    --------
    >>> s = {"units": {"unrestored_buildings": "buildings"}, "strategies": {"rigid":
    ...      {"recovered_100": False, "unrestored_buildings": 3}}}
    >>> horizon_table(s).loc["unrestored_buildings"].tolist()
    ['buildings', 3]
    """
    import pandas as pd
    units = summary.get("units", {})
    rows = {s: {k: v[k] for k in HORIZON_KEYS if k in v} for s, v in summary["strategies"].items()}
    table = pd.DataFrame(rows)
    table.insert(0, "units", [units.get(k, "") for k in table.index])
    return table


def policy_summary(summary: dict) -> str:
    """A few sentences in Markdown stating the indexes of every strategy with their units.

    Examples
    --------
    >>> s = {"name": "x", "city": {"buildings": 2, "floor_area_m2": 100.0, "population": 10.0},
    ...      "strategies": {"rigid": {"economic_loss": 2.5e6, "ep_loss": 2e6, "repair_cost": 5e5,
    ...      "service_loss_person_days": 1234.0, "economic_loss_per_m2": 25000.0,
    ...      "service_loss_per_m2": 12.34, "recovery_days_95": 40.0, "functionality_72h": 0.8}}}
    >>> print(policy_summary(s).splitlines()[2])  # doctest: +NORMALIZE_WHITESPACE
    - **rigid** recovery: total economic loss EUR 2.5 million (of which direct repair EUR 500.0 thousand), cumulative service-capacity loss 1,234 person-days; 95 % of functionality is back after 40 days; 80% of functionality is available at 72 hours.
    """
    city = summary["city"]
    occupants = (f" ({city['occupancy']:,.0f} people occupy its buildings on a normal day, "
                 f"residents and workers; workplaces count in the economic index)"
                 if "occupancy" in city else "")
    lines = [f"The city of this run has {city['buildings']:,} buildings, {city['floor_area_m2']:,.0f} m² "
             f"of floor area and {city['population']:,.0f} residents{occupants}. The service-capacity "
             f"index counts each resident once: a resident without housing and services costs one "
             f"person-day per day, so it is at most residents × days.", ""]
    for name, facts in city.get("networks", {}).items():
        if facts.get("single_point_of_failure"):
            lines += [f"**Single point of failure:** the {name} network has one source "
                      f"({', '.join(facts['sources'])}); every building it serves depends on it.",
                      ""]
    for strategy, v in summary["strategies"].items():
        f72 = v.get("functionality_72h")
        lines.append(
            f"- **{strategy}** recovery: total economic loss {_money(v['economic_loss'])} (of which "
            f"direct repair {_money(v['repair_cost'])}), cumulative service-capacity loss "
            f"{v['service_loss_person_days']:,.0f} person-days; {_back(v['recovery_days_95'])}; "
            + (f"{f72:.0%} of functionality is available at 72 hours." if f72 is not None else "")
            + _still_open(v))
    used = summary.get("functionality", {}).get("used")
    if used is not None:
        lines += ["", "These numbers use the " + (
            "**trained** functionality tables (stage 03: the forest's rSS and the hybrid network's "
            "EP per m², archived by building type and service)" if used == "trained" else
            "**lookup-table** functionality (cited productivity figures, service weights that are "
            "stated assumptions)") + "."]
    strategies = summary["strategies"]
    if len(strategies) > 1:
        best = min(strategies, key=lambda s: strategies[s]["economic_loss"])
        worst = max(strategies, key=lambda s: strategies[s]["economic_loss"])
        saved = strategies[worst]["economic_loss"] - strategies[best]["economic_loss"]
        lines += ["", f"Re-planning crews as the **{best}** strategy does saves {_money(saved)} "
                      f"against the **{worst}** strategy on the same damage."]
    return "\n".join(lines)


def functionality_table(summary: dict):
    """Economic and service loss by strategy under the lookup tables and the trained tables,
    side by side (``summary.json``'s ``functionality.comparison``); ``None`` without it.

    Examples
    --------
    >>> s = {"functionality": {"used": "table", "comparison": {
    ...     "table": {"rigid": {"economic_loss": 2.0e9, "service_loss_person_days": 10.0}},
    ...     "trained": {"rigid": {"economic_loss": 1.5e9, "service_loss_person_days": 12.0}}}}}
    >>> functionality_table(s).round(2).to_dict("records")[0]["trained ÷ table, economic"]
    0.75
    """
    import pandas as pd
    comparison = summary.get("functionality", {}).get("comparison")
    if not comparison or not {"table", "trained"} <= set(comparison):
        return None
    rows = []
    for strategy in comparison["table"]:
        t, m = comparison["table"][strategy], comparison["trained"][strategy]
        rows.append({"strategy": strategy,
                     "economic loss, table [EUR bn]": t["economic_loss"] / 1e9,
                     "economic loss, trained [EUR bn]": m["economic_loss"] / 1e9,
                     "trained ÷ table, economic": (m["economic_loss"] / t["economic_loss"]
                                                   if t["economic_loss"] else float("nan")),
                     "service loss, table [person-days]": t["service_loss_person_days"],
                     "service loss, trained [person-days]": m["service_loss_person_days"]})
    return pd.DataFrame(rows).set_index("strategy")


def uncertainty_table(uncertainty: dict):
    """Per strategy, each index's ensemble mean and 5–95 % range and its posterior P(best)
    (``uncertainty.json`` of stage 05).

    Examples
    --------
    >>> u = {"strategies": {"a": {"economic_loss": {"mean": 2e9, "p05": 1e9, "p95": 3e9}}},
    ...      "best": {"economic_loss": {"p_best_by_strategy": {"a": 1.0}}}}
    >>> uncertainty_table(u).iloc[0].to_dict()["economic_loss, 5–95 %"]
    '1.00 – 3.00 bn'
    """
    import pandas as pd
    rows = {}
    for strategy, facts in uncertainty["strategies"].items():
        row = {}
        for index, v in facts.items():
            scale, unit = (1e9, " bn") if index == "economic_loss" else (1.0, "")
            row[f"{index}, mean"] = v["mean"] / scale
            row[f"{index}, 5–95 %"] = f"{v['p05'] / scale:,.2f} – {v['p95'] / scale:,.2f}{unit}"
            best = uncertainty.get("best", {}).get(index)
            if best is not None:
                row[f"{index}, P(best)"] = best["p_best_by_strategy"].get(strategy)
        rows[strategy] = row
    return pd.DataFrame.from_dict(rows, orient="index")


def uncertainty_summary(uncertainty: dict) -> str:
    """"Best strategy, and how sure" in Markdown.

    Examples
    --------
    >>> u = {"members": 40, "best": {"economic_loss": {"strategy": "flexible", "p_best": 0.99}}}
    >>> print(uncertainty_summary(u))
    Over 40 ensemble members (uncertain fragility, repair time, crew productivity and productivity per m²): lowest **economic loss** — **flexible**, with posterior probability 0.99 of being the best.
    """
    names = {"economic_loss": "economic loss", "service_loss_person_days": "service loss"}
    parts = [f"lowest **{names.get(k, k)}** — **{v['strategy']}**, with posterior probability "
             f"{v['p_best']:.2f} of being the best" for k, v in uncertainty.get("best", {}).items()]
    head = (f"Over {uncertainty['members']} ensemble members (uncertain fragility, repair time, "
            f"crew productivity and productivity per m²): ")
    return head + ("; ".join(parts) if parts else "one strategy only, nothing to compare") + "."
