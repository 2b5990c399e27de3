"""Plain-language summary of a run's indexes for policy makers (DESIGN §1, stage 07)."""

from __future__ import annotations

import math

__all__ = ["policy_summary", "indexes_table"]


def _money(value: float) -> str:
    for unit, scale in (("billion", 1e9), ("million", 1e6), ("thousand", 1e3)):
        if abs(value) >= scale:
            return f"EUR {value / scale:,.1f} {unit}"
    return f"EUR {value:,.0f}"


def _days(value) -> str:
    return "not within the simulated horizon" if value is None or math.isinf(value) else f"{value:,.0f} days"


def indexes_table(summary: dict):
    """The per-strategy indexes of ``summary.json`` as a DataFrame (rows: strategies)."""
    import pandas as pd
    return pd.DataFrame(summary["strategies"]).T


def policy_summary(summary: dict) -> str:
    """A few sentences in Markdown stating the indexes of every strategy with their units.

    Examples
    --------
    >>> s = {"name": "x", "city": {"buildings": 2, "floor_area_m2": 100.0, "population": 10.0},
    ...      "strategies": {"rigid": {"economic_loss": 2.5e6, "ep_loss": 2e6, "repair_cost": 5e5,
    ...      "service_loss_person_days": 1234.0, "economic_loss_per_m2": 25000.0,
    ...      "service_loss_per_m2": 12.34, "recovery_days_95": 40.0, "functionality_72h": 0.8}}}
    >>> print(policy_summary(s).splitlines()[2])
    - **rigid** recovery: total economic loss EUR 2.5 million (of which direct repair EUR 500.0 thousand), cumulative service-capacity loss 1,234 person-days; 95 % of functionality is back after 40 days; 80% of functionality is available at 72 hours.
    """
    city = summary["city"]
    occupants = (f"; {city['occupancy']:,.0f} people occupy its buildings on a normal day (residents "
                 f"and workers: the demand the service-capacity index counts)" if "occupancy" in city else "")
    lines = [f"The city of this run has {city['buildings']:,} buildings, {city['floor_area_m2']:,.0f} m² "
             f"of floor area and {city['population']:,.0f} residents{occupants}.", ""]
    for strategy, v in summary["strategies"].items():
        f72 = v.get("functionality_72h")
        lines.append(
            f"- **{strategy}** recovery: total economic loss {_money(v['economic_loss'])} (of which "
            f"direct repair {_money(v['repair_cost'])}), cumulative service-capacity loss "
            f"{v['service_loss_person_days']:,.0f} person-days; 95 % of functionality is back after "
            f"{_days(v['recovery_days_95'])}; "
            + (f"{f72:.0%} of functionality is available at 72 hours." if f72 is not None else ""))
    strategies = summary["strategies"]
    if len(strategies) > 1:
        best = min(strategies, key=lambda s: strategies[s]["economic_loss"])
        worst = max(strategies, key=lambda s: strategies[s]["economic_loss"])
        saved = strategies[worst]["economic_loss"] - strategies[best]["economic_loss"]
        lines += ["", f"Re-planning crews as the **{best}** strategy does saves {_money(saved)} "
                      f"against the **{worst}** strategy on the same damage."]
    return "\n".join(lines)
