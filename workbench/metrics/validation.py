"""Validation against observed lifeline restoration after real earthquakes (METHOD §11).

Observed restoration has one shape in every well-documented event: power comes back in days,
water in weeks, gas in one to three months. This module holds a run's simulated lifeline
restoration against that record, as a *band*, not a fit:

* :func:`read_observed` reads the bundled table ``data/validation/lifeline_restoration.csv``
  (one row per observed point: event, date, magnitude, lifeline, day, fraction restored, what
  the fraction is a share of, the source, whether the number was read in a stored copy of the
  source while the table was built, and what was counted), checking its schema with one-line
  errors that name the column and the value;
* :func:`served_curves` derives from a recovery the share of customers served by each network
  on each day, per strategy — vectorised: one service evaluation per distinct restoration day
  (:meth:`~workbench.network.system.InfrastructureSystem.service`), never a loop over buildings
  × days;
* :func:`time_to_level` and :func:`observed_times`: days to 80, 90 and 95 %;
* :func:`ordering_check` and :func:`band_check`: power before water (before gas) in days to
  90 %, and the simulated days to 90 % power within a factor of 2 of the observed ones;
* :func:`validate` puts them together into the content of ``validation.json``.

Definitions (written into ``validation.json``)
----------------------------------------------
*Customers* of a network are the buildings mapped to it (a building with a serving node;
unmapped buildings are outside the modelled network and not counted), each counted once
(``weight="buildings"``: one service connection per building, as utilities count customers),
or weighted by occupants (``weight="occupancy"``). *Served share* ``served(t)`` is the share of
customers whose serving node is served on day ``t`` (METHOD §2, after the cascade; a component
works from its ``component_restored_day``). *Restored fraction* ``restored(t)`` is the share of
the customers out of service on day 0 that are served on day ``t`` — what most utilities report
("80 % of the customers who lost power are back"); it is undefined (NaN) when no customer lost
service. The observed table says per row which one it gives (``basis``: ``affected`` — of the
customers who lost service; ``affected_restorable`` — of those, less the destroyed buildings
that could not take service; ``all`` — share of all customers served), and each observed event
is compared with the simulated curve of the same basis.

*Days to a level* of a simulated curve: the first day from which the curve stays at or above the
level (the rule of the indexes' days to 95 %, :func:`workbench.metrics.indexes.recovery_time`);
``None`` with the status "not within horizon" when it never does, and ``None`` with "no outage"
when no customer lost service. Of an observed event: linear interpolation between the last
observed point below the level and the first at or above it; when the first observed point is
already at or above, that day is an upper bound (``bound: "upper"``) and is not used in the band
check; ``None`` ("not within the observed points") when no point reaches the level.

*Band check* (:func:`band_check`), stated as a band, not a fit: for each comparable event with an
observed day to 90 % power (not a bound), the simulated day to 90 % power of a strategy is in
the band when it lies within a factor ``2`` of the observed one, both floored at one day (the
simulation's step: a repair done on day 0 is in service on day 1). The check passes when at
least 3 events, and at least three quarters of those compared, are in the band. *Comparable*:
shallow urban events of moment magnitude ≤ 7.0 (the megathrust events Tohoku and Maule and the
M 7.5 Noto event are shown, not compared). Only rows read in a stored source during the table's
making (``verified_here == "yes"``) enter the checks; the others are shown, marked.

*Assumptions and limits.* The comparison is between different cities, networks and crews: the
demo is a hypothetical M 5.5 under central Helsinki, with generated water and power networks
and the crews of the parameter file, so a miss says "outside the range real events span", not
"wrong". The workbench has no gas network: gas rows give the observed ordering only.
"""

from __future__ import annotations

import math
from datetime import date
from pathlib import Path

import numpy as np
import pandas as pd
import xarray as xr

from ..core.dims import COMPONENT, NETWORKS, REALIZATION, STRATEGY, TIME
from ..core.errors import InputError
from ..core.paths import DATA_DIR

__all__ = ["TABLE_PATH", "COLUMNS", "LIFELINES", "BASES", "LEVELS", "SIMULATED_NETWORKS",
           "BAND_FACTOR", "COMPARABLE_MAX_MAGNITUDE", "DEFINITIONS", "UNITS",
           "read_observed", "served_curves", "time_to_level", "observed_time_to_level",
           "observed_times", "simulated_times", "ordering_check", "band_check", "validate",
           "table_facts"]

#: The bundled table of observed restoration (data/validation/README.md says how it was built).
TABLE_PATH = DATA_DIR / "validation" / "lifeline_restoration.csv"
#: Its columns, in order, and what each must hold.
COLUMNS = ("event", "event_date", "magnitude", "lifeline", "day", "fraction_restored", "basis",
           "source", "verified_here", "note")
LIFELINES = ("power", "water", "gas")
BASES = ("affected", "affected_restorable", "all")
#: The levels of the days-to-level [fraction restored].
LEVELS = (0.8, 0.9, 0.95)
#: The lifelines the workbench simulates (it has no gas network).
SIMULATED_NETWORKS = ("power", "water")
BAND_FACTOR = 2.0
COMPARABLE_MAX_MAGNITUDE = 7.0
#: The band check passes with at least this many events in the band …
BAND_MIN_EVENTS = 3
#: … and at least this share of the events compared.
BAND_MIN_SHARE = 0.75
_MIN_ROWS, _MIN_EVENTS = 30, 5

DEFINITIONS = {
    "customers": "buildings mapped to the network (a serving node), each counted once "
                 "(weight 'buildings') or by occupants (weight 'occupancy'); unmapped buildings "
                 "are outside the modelled network and not counted",
    "served": "share of customers whose serving node is served on the day (after the cascade)",
    "restored": "share of the customers out of service on day 0 that are served on the day; "
                "undefined when none lost service",
    "t80, t90, t95": "days to 80/90/95 %: simulated, the first day from which the curve stays at "
                     "or above the level (null: 'not within horizon' or 'no outage'); observed, "
                     "linear interpolation between the last point below and the first at or "
                     "above (bound 'upper' when the first point is already above)",
    "basis": "what an observed fraction is a share of: 'affected' (customers who lost service), "
             "'affected_restorable' (of those, the ones that could take service again), 'all' "
             "(all customers); compared with the simulated 'restored' curve for the first two, "
             "'served' for 'all'",
    "band": "simulated days to 90 % power within a factor of 2 of the observed (both floored at "
            "one day) for at least 3 and at least three quarters of the comparable events "
            "(moment magnitude <= 7.0, verified rows, an observed time that is not a bound)",
    "ordering": "power before water (strictly) in days to 90 %, and water not after gas where "
                "gas is observed; the workbench has no gas network",
}
UNITS = {"t80": "days", "t90": "days", "t95": "days", "served": "1", "restored": "1",
         "fraction_restored": "1", "day": "days after the event (calendar days, day 0 = the "
         "day of the event)", "magnitude": "moment magnitude"}


# ------------------------------------------------------------------------------------ the table

def _bad(column: str, row: int, value, why: str) -> InputError:
    return InputError(f"validation table: column {column!r}, row {row + 2}: {value!r} {why}.")


def read_observed(path: str | Path = TABLE_PATH) -> pd.DataFrame:
    """The table of observed restoration, schema-checked.

    Every column of :data:`COLUMNS` must be there; ``lifeline`` ∈ :data:`LIFELINES`, ``basis``
    ∈ :data:`BASES`, ``verified_here`` ∈ {yes, no}, ``day`` ≥ 0, ``fraction_restored`` in
    [0, 1], ``event_date`` an ISO date, ``magnitude`` a number, ``source`` and ``note``
    non-empty. An error is one line naming the column, the row (as in a spreadsheet, header =
    row 1) and the value.

    Examples
    --------
    >>> t = read_observed()
    >>> len(t) >= 30, t["event"].nunique() >= 5, bool(t["source"].str.len().gt(0).all())
    (True, True, True)
    """
    path = Path(path)
    if not path.is_file():
        raise InputError(f"validation table {str(path)!r} does not exist.")
    table = pd.read_csv(path, dtype=str, keep_default_na=False)
    missing = [c for c in COLUMNS if c not in table.columns]
    if missing:
        raise InputError(f"validation table {path.name}: missing column(s) {missing}; the "
                         f"columns are {list(COLUMNS)}.")
    table = table[list(COLUMNS)].copy()
    for column in ("event", "source", "note"):
        for i, v in enumerate(table[column]):
            if not v.strip():
                raise _bad(column, i, v, "is empty")
    for column, allowed in (("lifeline", LIFELINES), ("basis", BASES),
                            ("verified_here", ("yes", "no"))):
        for i, v in enumerate(table[column]):
            if v not in allowed:
                raise _bad(column, i, v, f"is not one of {list(allowed)}")
    for i, v in enumerate(table["event_date"]):
        try:
            date.fromisoformat(v) if len(v) == 10 else date.fromisoformat("not a date")
        except ValueError:
            raise _bad("event_date", i, v, "is not a date YYYY-MM-DD") from None
    for column, low, high in (("magnitude", 0.0, 10.0), ("day", 0.0, math.inf),
                              ("fraction_restored", 0.0, 1.0)):
        values = pd.to_numeric(table[column], errors="coerce")
        for i, (raw, v) in enumerate(zip(table[column], values)):
            if not np.isfinite(v) or not low <= v <= high:
                raise _bad(column, i, raw, f"is not a number in [{low:g}, {high:g}]")
        table[column] = values.astype(float)
    return table


def table_facts(table: pd.DataFrame) -> dict:
    """Rows, events, rows read in a stored source, per lifeline: for ``validation.json``."""
    return {"rows": int(len(table)), "events": int(table["event"].nunique()),
            "verified_rows": int((table["verified_here"] == "yes").sum()),
            "by_lifeline": {k: int(v) for k, v in table["lifeline"].value_counts().items()}}


# --------------------------------------------------------------------------- simulated curves

def _weights(city, network: str, weight: str) -> np.ndarray:
    b = city.buildings
    node = np.asarray(b[f"{network}_node"].values).astype(str)
    mapped = node != ""
    if weight == "buildings":
        w = np.ones(len(node))
    elif weight == "occupancy":
        w = np.asarray(b["occupancy"].values, dtype=float)
    else:
        raise InputError(f"weight must be 'buildings' or 'occupancy', got {weight!r}.")
    return np.where(mapped, w, 0.0)


def served_curves(city, system, recovery: xr.Dataset, weight: str = "buildings") -> xr.Dataset:
    """The share of customers served, and the restored fraction, by network and day.

    Parameters
    ----------
    city : City
        The mapped city the recovery ran on.
    system : InfrastructureSystem
        Its system (with the options of ``mitigation.apply`` in effect, as the recovery had).
    recovery : xarray.Dataset
        With ``component_restored_day`` (dims (``realization``,) ``strategy``, ``component``)
        and ``time``.
    weight : {"buildings", "occupancy"}
        What a customer counts (module docstring).

    Returns
    -------
    xarray.Dataset
        ``served`` and ``restored`` [–] on (``realization``,) ``strategy``, ``network``,
        ``time``; ``customers`` (``network``) [buildings or persons].

    Examples
    --------
    On the toy city, the water pipe W1–W2 out until day 3 cuts the three buildings served by W2
    and W3 (half of the six): served 0.5 until day 3, then 1; restored 0 then 1.

    >>> from workbench.city import toy_city
    >>> from workbench.city.mapping import map_city
    >>> from workbench.network.system import build_system
    >>> city = map_city(toy_city()); system = build_system(city)
    >>> day = np.zeros((1, system.n_components)); day[0, system.index_of("water:W1--W2")] = 3
    >>> rec = xr.Dataset({"component_restored_day": (("strategy", "component"), day)},
    ...                  coords={"strategy": ["flexible"], "component": system.component_ids,
    ...                          "time": np.arange(6)})
    >>> c = served_curves(city, system, rec).sel(strategy="flexible", network="water")
    >>> c["served"].values.tolist(), c["restored"].values.tolist()
    ([0.5, 0.5, 0.5, 1.0, 1.0, 1.0], [0.0, 0.0, 0.0, 1.0, 1.0, 1.0])
    """
    if "component_restored_day" not in recovery:
        raise InputError("recovery lacks 'component_restored_day'; pass the Dataset of "
                         "workbench.recovery.simulate_recovery.")
    da = recovery["component_restored_day"]
    ids = np.asarray(da[COMPONENT].values).astype(str) if COMPONENT in da.coords else None
    if ids is not None and (len(ids) != system.n_components or (ids != system.component_ids).any()):
        da = da.sel({COMPONENT: system.component_ids})
    if STRATEGY not in da.dims:
        da = da.expand_dims({STRATEGY: ["strategy"]})
    has_r = REALIZATION in da.dims
    if not has_r:
        da = da.expand_dims({REALIZATION: [0]})
    da = da.transpose(REALIZATION, STRATEGY, COMPONENT)
    days = np.asarray(recovery[TIME].values, dtype=float)
    w = np.stack([_weights(city, n, weight) for n in NETWORKS], axis=1)      # (b, k)
    total = w.sum(axis=0)                                                     # (k,)
    c_day = np.asarray(da.values, dtype=float)                               # (r, s, c)
    n_r, n_s = c_day.shape[:2]
    served = np.full((n_r, n_s, len(NETWORKS), len(days)), np.nan)
    restored = np.full_like(served, np.nan)
    for r in range(n_r):
        for s in range(n_s):                  # strategies × realisations: a handful of calls
            one = c_day[r, s]
            change = np.unique(one[np.isfinite(one) & (one > days[0]) & (one <= days[-1])])
            starts = np.concatenate([[days[0]], change])
            state = np.nan_to_num(one, nan=np.inf)[None, :] <= starts[:, None]
            service = np.asarray(system.service(state), dtype=float)          # (seg, b, k)
            seg = np.searchsorted(starts, days, side="right") - 1             # (t,)
            out0 = (service[0] < 0.5) & (w > 0)                               # (b, k)
            on = service >= 0.5                                               # (seg, b, k)
            with np.errstate(invalid="ignore", divide="ignore"):
                sv = np.einsum("gbk,bk->gk", on, w) / np.where(total > 0, total, np.nan)
                lost = (w * out0).sum(axis=0)
                rs = np.einsum("gbk,bk->gk", on & out0, w) / np.where(lost > 0, lost, np.nan)
            served[r, s] = sv[seg].T
            restored[r, s] = rs[seg].T
    coords = {REALIZATION: da[REALIZATION].values, STRATEGY: da[STRATEGY].values,
              "network": list(NETWORKS), TIME: recovery[TIME].values}
    dims = (REALIZATION, STRATEGY, "network", TIME)
    out = xr.Dataset({"served": (dims, served, {"units": "1", "long_name": "share of customers "
                                                "served"}),
                      "restored": (dims, restored, {"units": "1", "long_name": "share of the "
                                                    "customers out on day 0 served again"})},
                     coords=coords)
    out["customers"] = ("network", total, {"units": "buildings" if weight == "buildings"
                                           else "persons"})
    out.attrs.update(weight=weight, definitions=str(DEFINITIONS["customers"]))
    return out if has_r else out.isel({REALIZATION: 0}, drop=True)


# ------------------------------------------------------------------------------ days to levels

def time_to_level(curve, days, level: float) -> tuple[float | None, str]:
    """Days until a daily (step) curve reaches ``level`` and stays: ``(day, "reached")``, or
    ``(None, "not within horizon")``, or ``(None, "no outage")`` for an all-NaN curve (no
    customer lost service).

    Examples
    --------
    >>> time_to_level([0.2, 0.85, 0.8, 0.95, 1.0], range(5), 0.8)
    (1.0, 'reached')
    >>> time_to_level([0.2, 0.85, 0.8, 0.95, 1.0], range(5), 0.9)
    (3.0, 'reached')
    >>> time_to_level([0.2, 0.5], range(2), 0.9), time_to_level([np.nan] * 3, range(3), 0.9)
    ((None, 'not within horizon'), (None, 'no outage'))
    """
    values = np.asarray(curve, dtype=float)
    days = np.asarray(days, dtype=float)
    if values.size == 0 or np.isnan(values).all():
        return None, "no outage"
    ok = np.nan_to_num(values, nan=0.0) >= level - 1e-12
    stays = np.flip(np.logical_and.accumulate(np.flip(ok)))
    if not stays.any():
        return None, "not within horizon"
    return float(days[np.argmax(stays)]), "reached"


def observed_time_to_level(days, fractions, level: float) -> tuple[float | None, str | None]:
    """Days until observed points reach ``level``: linear interpolation between the last point
    below and the first at or above; ``(day, "upper")`` when the first point is already at or
    above (an upper bound); ``(None, None)`` when no point reaches it.

    Examples
    --------
    >>> observed_time_to_level([0, 1, 2], [0.5, 0.95, 0.97], 0.9)
    (0.8889, None)
    >>> observed_time_to_level([30], [0.94], 0.9), observed_time_to_level([1], [0.8], 0.9)
    ((30.0, 'upper'), (None, None))
    """
    order = np.lexsort((np.asarray(fractions, float), np.asarray(days, float)))
    d = np.asarray(days, float)[order]
    f = np.asarray(fractions, float)[order]
    hit = np.flatnonzero(f >= level - 1e-12)
    if hit.size == 0:
        return None, None
    i = int(hit[0])
    below = np.flatnonzero(f[:i] < level)
    if below.size == 0:
        return float(d[i]), "upper"
    j = int(below[-1])
    if d[i] == d[j]:
        return float(d[i]), None
    t = d[j] + (level - f[j]) * (d[i] - d[j]) / (f[i] - f[j])
    return round(float(t), 4), None


def _key(level: float) -> str:
    return f"t{round(level * 100):d}"


def observed_times(table: pd.DataFrame, levels=LEVELS, verified_only: bool = True) -> list[dict]:
    """Days to each level per observed event, lifeline and basis (rows read in a stored source
    only, unless ``verified_only`` is false)."""
    rows = table[table["verified_here"] == "yes"] if verified_only else table
    out = []
    for (event, lifeline, basis), g in rows.groupby(["event", "lifeline", "basis"], sort=True):
        entry = {"event": event, "event_date": g["event_date"].iloc[0],
                 "magnitude": float(g["magnitude"].iloc[0]), "lifeline": lifeline,
                 "basis": basis, "points": int(len(g)),
                 "last_day": float(g["day"].max()),
                 "last_fraction": float(g.loc[g["day"].idxmax(), "fraction_restored"])}
        for level in levels:
            t, bound = observed_time_to_level(g["day"], g["fraction_restored"], level)
            entry[_key(level)] = t
            entry[f"{_key(level)}_bound"] = bound if t is not None else \
                "not within the observed points"
        out.append(entry)
    return out


def _curve_for(basis: str) -> str:
    return "served" if basis == "all" else "restored"


def simulated_times(curves: xr.Dataset, levels=LEVELS) -> dict:
    """Per strategy and network: customers, initial served share, whether any customer lost
    service, and days to each level of the restored fraction (mean over realisations) and of
    the served share."""
    mean = curves.mean(REALIZATION, skipna=True) if REALIZATION in curves.dims else curves
    days = curves[TIME].values
    out: dict = {}
    for s in curves[STRATEGY].values:
        out[str(s)] = {}
        for net in curves["network"].values:
            one = mean.sel({STRATEGY: s, "network": net})
            entry = {"customers": float(curves["customers"].sel(network=net)),
                     "served_day0": float(one["served"].values[0]),
                     "outage": bool(np.isfinite(one["restored"].values).any()
                                    and one["served"].values[0] < 1 - 1e-12)}
            for curve in ("restored", "served"):
                for level in levels:
                    values = one[curve].values if entry["outage"] else np.full(len(days), np.nan)
                    t, status = time_to_level(values, days, level)
                    name = _key(level) if curve == "restored" else f"served_{_key(level)}"
                    entry[name], entry[f"{name}_status"] = t, status
            out[str(s)][str(net)] = entry
    return out


# ------------------------------------------------------------------------------------ the checks

def ordering_check(simulated: dict, observed: list[dict]) -> dict:
    """Power before water in days to 90 % (strictly), water not after gas.

    Simulated: per strategy, power against water (the workbench has no gas network). A network
    without outage cannot be ordered ("not applicable", saying which). Observed: per event with
    a day to 90 % for at least two lifelines (basis ``affected`` or ``affected_restorable``
    preferred, else ``all``; upper bounds used as given).

    Examples
    --------
    >>> sim = {"flexible": {"power": {"t90": 3.0, "t90_status": "reached"},
    ...                     "water": {"t90": 20.0, "t90_status": "reached"}}}
    >>> ordering_check(sim, [])["simulated"]["flexible"]["result"]
    'holds'
    """
    sim = {}
    for s, nets in simulated.items():
        p, w = nets["power"], nets["water"]
        if p["t90"] is None or w["t90"] is None:
            why = "; ".join(f"{n}: {nets[n]['t90_status']}" for n in ("power", "water")
                            if nets[n]["t90"] is None)
            sim[s] = {"result": "not applicable", "power_t90": p["t90"],
                      "water_t90": w["t90"], "why": why}
        else:
            sim[s] = {"result": "holds" if p["t90"] < w["t90"] else "fails",
                      "power_t90": p["t90"], "water_t90": w["t90"],
                      "why": "power before water" if p["t90"] < w["t90"] else
                      ("power and water on the same day" if p["t90"] == w["t90"]
                       else "water before power")}
    obs = {}
    for event in sorted({o["event"] for o in observed}):
        best = {}
        for o in observed:
            if o["event"] != event or o["t90"] is None:
                continue
            rank = 0 if o["basis"] != "all" else 1
            if o["lifeline"] not in best or rank < best[o["lifeline"]][0]:
                best[o["lifeline"]] = (rank, o["t90"])
        t = {k: v[1] for k, v in best.items()}
        if len(t) < 2:
            continue
        ok = True
        if "power" in t and "water" in t:
            ok &= t["power"] < t["water"]
        if "water" in t and "gas" in t:
            ok &= t["water"] <= t["gas"]
        if "power" in t and "gas" in t and "water" not in t:
            ok &= t["power"] < t["gas"]
        obs[event] = {"t90": t, "result": "holds" if ok else "fails"}
    return {"rule": DEFINITIONS["ordering"], "simulated": sim, "observed": obs}


def band_check(simulated: dict, observed: list[dict], *, lifeline: str = "power",
               factor: float = BAND_FACTOR, max_magnitude: float = COMPARABLE_MAX_MAGNITUDE,
               min_events: int = BAND_MIN_EVENTS, min_share: float = BAND_MIN_SHARE) -> dict:
    """Simulated days to 90 % of ``lifeline`` within a factor of ``factor`` of the observed,
    per strategy, against the comparable events (module docstring).

    ``simulated``: :func:`simulated_times`; ``observed``: :func:`observed_times`. Each event is
    compared on its basis (``t90`` of the restored fraction, or ``served_t90`` for ``all``);
    an event with several bases uses ``affected`` first.

    Examples
    --------
    >>> obs = [{"event": e, "magnitude": 6.5, "lifeline": "power", "basis": "affected",
    ...         "t90": t, "t90_bound": None} for e, t in (("a", 1.0), ("b", 3.0), ("c", 4.0),
    ...                                                     ("d", 30.0))]
    >>> sim = {"flexible": {"power": {"t90": 2.0, "t90_status": "reached"}}}
    >>> r = band_check(sim, obs)["strategies"]["flexible"]
    >>> r["in_band"], r["compared"], r["passed"]
    (3, 4, True)
    """
    events: dict = {}
    for o in observed:
        if (o["lifeline"] != lifeline or o["t90"] is None or o["t90_bound"] is not None
                or o["magnitude"] > max_magnitude):
            continue
        rank = BASES.index(o["basis"]) if o["basis"] in BASES else len(BASES)
        if o["event"] not in events or rank < events[o["event"]][0]:
            events[o["event"]] = (rank, o)
    compared = [o for _, o in (events[e] for e in sorted(events))]
    left_out = sorted({o["event"] for o in observed if o["lifeline"] == lifeline}
                      - set(events))
    strategies = {}
    for s, nets in simulated.items():
        rows, n_in = [], 0
        for o in compared:
            name = "served_t90" if o["basis"] == "all" else "t90"
            sim_t = nets[lifeline].get(name)
            if sim_t is None:
                ratio, inside = None, False
            else:
                ratio = max(sim_t, 1.0) / max(o["t90"], 1.0)
                inside = 1.0 / factor - 1e-12 <= ratio <= factor + 1e-12
            n_in += inside
            rows.append({"event": o["event"], "basis": o["basis"], "observed_t90": o["t90"],
                         "simulated_t90": sim_t,
                         "simulated_status": nets[lifeline].get(f"{name}_status"),
                         "ratio": None if ratio is None else round(ratio, 3),
                         "in_band": bool(inside)})
        n = len(compared)
        passed = n_in >= min_events and n > 0 and n_in >= min_share * n
        strategies[str(s)] = {"in_band": int(n_in), "compared": n, "passed": bool(passed),
                              "events": rows}
    return {"lifeline": lifeline, "level": 0.9, "factor": factor,
            "rule": (f"simulated days to 90 % {lifeline} within a factor of {factor:g} of the "
                     f"observed (both floored at 1 day) for at least {min_events} and at least "
                     f"{min_share:.0%} of the comparable events (moment magnitude <= "
                     f"{max_magnitude:g}, rows read in a stored source, observed time not a "
                     f"bound)"),
            "comparable_events": [o["event"] for o in compared],
            "not_compared": left_out, "strategies": strategies}


# -------------------------------------------------------------------------------- all together

def validate(city, system, recovery: xr.Dataset, *, table: pd.DataFrame | None = None,
             weight: str = "buildings", context: dict | None = None) -> tuple[xr.Dataset, dict]:
    """The run's curves and the content of ``validation.json``: definitions, units, the table's
    facts, simulated and observed days to 80/90/95 %, the ordering and the band check, and the
    caveats (``context``: facts about the run, such as the hazard, written as given)."""
    table = read_observed() if table is None else table
    curves = served_curves(city, system, recovery, weight=weight)
    sim = simulated_times(curves)
    obs = observed_times(table)
    caveats = [
        "The observed events differ from the run in city, networks, crews and shaking; the "
        "band is a plausibility check, not a calibration.",
        "The workbench has no gas network: gas rows enter only the observed ordering.",
        "Customers are buildings mapped to a network; utilities count meters or households.",
    ]
    for s, nets in sim.items():
        for net in SIMULATED_NETWORKS:
            if not nets[net]["outage"]:
                caveats.append(f"{s}: no {net} customer lost service in this run, so {net} has "
                               f"no days to a level.")
    out = {
        "units": dict(UNITS), "definitions": dict(DEFINITIONS), "levels": list(LEVELS),
        "weight": weight,
        "table": {"path": "data/validation/lifeline_restoration.csv", **table_facts(table)},
        "run": dict(context or {}),
        "simulated": sim, "observed": obs,
        "ordering": ordering_check(sim, obs),
        "band": band_check(sim, obs),
        "caveats": caveats,
    }
    return curves, out
