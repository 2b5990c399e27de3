"""``summary.json`` (METHOD §9): the indexes of every strategy, what the horizon leaves open, the
units and the definitions, as a dict (:func:`summarize`); :mod:`~workbench.run.pipeline.writer`
persists it."""

from __future__ import annotations

import numpy as np

from ...city.model import City
from ...functionality import residents
from ...network.criticality import network_sources

__all__ = ["DEFINITIONS", "UNITS", "summarize", "network_facts"]

#: What the indexes of ``summary.json`` mean, written into it so that a reader of the file alone
#: knows (see :mod:`workbench.functionality` and :mod:`workbench.metrics.indexes`).
DEFINITIONS = {
    "economic_loss": "integral over the horizon of (EP0 - EP(t)) dt plus the direct repair cost; "
                     "EP = sum over buildings of usable floor area x value added per m2 per day",
    "service_loss_person_days": "integral over the horizon of max(0, demand - SC(t)) dt / 2; "
                                "demand = 2 x residents (each resident counted once: one unit of "
                                "housing and one of supplementary service); SC = residents housed "
                                "at home x (1 + rSS) + sheltered people x (0.5 housing + 0.5 x "
                                "the host's rSS shared among those it hosts: a shelter place is "
                                "worth at most half a served home; functionality.Valuation); one "
                                "unhoused, unserved resident costs one person-day per day, a "
                                "sheltered one at least half, so the index is at most "
                                "residents x horizon",
    "shelter_sensitivity": "the service loss and displaced person-days of one strategy on the "
                           "first realisation with one shelter assumption changed at a time "
                           "(planned places per resident, housing and service shares of a "
                           "shelter place); the defaults are assumptions",
    "displaced_person_days": "integral over the horizon of the residents not living at home "
                             "(sheltered or not); a count, valued nowhere: the third index beside "
                             "the economic and service losses. sheltered_person_days: of them, "
                             "in a public shelter",
    "strategy_gap": "semiflexible - flexible of each index, split by cause: flexible with one "
                    "limit added at a time (impeding delays, information, commitment, switching); "
                    "the parts sum to the total",
    "population": "residents: the buildings' population field, else the occupancy of residential "
                  "buildings; workplaces count in EP, not in the service index",
    "recovery_days_95": "first day from which the city functionality F = (EP/EP0 + "
                        "min(1, SC/demand)) / 2 stays at or above 0.95 (recovery_days_90 and "
                        "_100: 0.90 and 1); null when not within the horizon",
    "recovery_goals": "ep_recovery_days_90 and _95: first day from which EP/EP0 stays at or "
                      "above 0.90 and 0.95; sc_recovery_days_90 and _95: the same for "
                      "min(1, SC/demand); recovery goals in the NIST style, beside the "
                      "integrals; null when not within the horizon",
    "horizon": "losses are integrated up to horizon_days; unrestored_* and *_per_day_at_horizon "
               "say what is still open then and the loss still accruing per day",
}

#: The units of the per-strategy values of ``summary.json``.
UNITS = {"economic_loss": "EUR", "ep_loss": "EUR", "repair_cost": "EUR",
         "service_loss_person_days": "person-days", "economic_loss_per_m2": "EUR/m2",
         "service_loss_per_m2": "person-days/m2", "displaced_person_days": "person-days",
         "sheltered_person_days": "person-days", "recovery_days_90": "days",
         "recovery_days_95": "days", "recovery_days_100": "days",
         "ep_recovery_days_90": "days", "ep_recovery_days_95": "days",
         "sc_recovery_days_90": "days", "sc_recovery_days_95": "days",
         "functionality_72h": "fraction of pre-event functionality",
         "unrestored_buildings": "buildings", "unrestored_floor_area_m2": "m2",
         "unrestored_components": "components", "displaced_at_horizon": "persons",
         "ep_loss_per_day_at_horizon": "EUR/day",
         "service_loss_per_day_at_horizon": "person-days/day"}


def network_facts(city: City) -> dict:
    """Per network: its sources, whether one source feeds it all, and the unmapped buildings."""
    out = {}
    for name, sources in network_sources(city).items():
        coord = f"{name}_node"
        unmapped = (int((np.asarray(city.buildings[coord].values).astype(str) == "").sum())
                    if coord in city.buildings.coords else 0)
        out[name] = {"sources": sources, "single_point_of_failure": len(sources) == 1,
                     "unmapped_buildings": unmapped}
    return out


def _merge(rows: list[dict]) -> dict:
    """One strategy's indexes over realisations: means; a flag true only when true in all."""
    merged = {}
    for key in rows[0]:
        values = [row[key] for row in rows]
        if all(isinstance(v, bool) for v in values):
            merged[key] = all(values)  # recovered_*: true only when every realisation recovered
        elif all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in values):
            merged[key] = float(np.mean(values))
        elif all(v is None or isinstance(v, (int, float)) for v in values):
            merged[key] = None  # not recovered within the horizon in some realisation
        else:
            merged[key] = values[0] if len(set(map(str, values))) == 1 else values
    return merged


def strategy_gap_summary(gaps: list[dict]) -> dict:
    """The per-realisation gaps of :func:`workbench.recovery.gap.strategy_gap` as one entry of
    ``summary.json``: per index, the mean total and parts over realisations, and the order."""
    out: dict = {"order": gaps[0]["order"],
                 "from": "flexible", "to": "semiflexible",
                 "method": "one limit added at a time to flexible, in the order given; each "
                           "part is the change of the index at its step, so the parts sum to "
                           "the total (semiflexible - flexible)"}
    for index in (k for k in gaps[0] if k != "order"):
        out[index] = {"total": float(np.mean([g[index]["total"] for g in gaps])),
                      "parts": {c: float(np.mean([g[index]["parts"][c] for g in gaps]))
                                for c in gaps[0]["order"]}}
    return out


def summarize(params: dict, city: City, summaries: list[dict], *, functionality: str = "table",
              comparison: dict | None = None, gap: list | None = None,
              shelters: dict | None = None) -> dict:
    """The content of ``summary.json``; per-strategy values are means over realisations.

    ``summaries`` holds, per realisation, the ``{strategy: {index: value}}`` of
    :func:`workbench.metrics.indexes.summary_indexes`. ``functionality`` names the model the indexes
    come from (``table`` or ``trained``); with ``comparison`` (stage 03 made an archive: the
    summaries under both models) ``functionality.comparison`` gives their losses side by side.
    """
    b = city.buildings
    facts = {"used": functionality}
    if comparison is not None:
        facts["comparison"] = {
            name: {s: {k: v for k, v in _merge([row[s] for row in rows]).items()
                       if k in ("economic_loss", "ep_loss", "service_loss_person_days")}
                   for s in params["strategies"]}
            for name, rows in comparison.items() if rows}
    out = {
        "name": params["name"],
        "seed": params["seed"],
        "horizon_days": params.get("horizon_days"),
        "realizations": len(summaries),   # an imported damage table sets the count
        "city": {"name": city.name, "buildings": int(b.sizes["building"]),
                 "floor_area_m2": float(b["floor_area"].sum()),
                 "population": float(residents(b).sum()),
                 "occupancy": float(b["occupancy"].sum()),
                 "networks": network_facts(city)},
        "strategies": {s: _merge([row[s] for row in summaries]) for s in params["strategies"]},
        "functionality": facts,
        "units": dict(UNITS),
        "definitions": DEFINITIONS,
    }
    if gap:
        out["strategy_gap"] = strategy_gap_summary(gap)
    if shelters:
        out["shelter_sensitivity"] = shelters
    return out
