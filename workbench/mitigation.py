"""Mitigation options ranked by benefit and cost over a hazard ensemble (stage 06, METHOD §8).

The two indexes exist so that investments can be compared by what they avoid (Zhou et al.
2025). An *option* is data — a kind, what it acts on, a cost — and acts on one input of the
damage → recovery chain:

=================  ===========================================  ===============================
kind               what it changes                              cost model (defaults)
=================  ===========================================  ===============================
``retrofit``       the Hazus design level of the buildings of   ``cost_share`` × replacement
                   chosen ``types`` and/or                      cost of the buildings (MC 0.10,
                   ``structural_classes`` (``to``: MC or HC;    HC 0.20: *assumption*)
                   a type without that level takes its highest
                   below it, URM: LC) → their fragilities
``backup_power``   water pumps (``pumps``: ``all`` or a list of  ``cost_per_pump`` (150 000 EUR,
                   ids) keep running without grid power:       *assumption*: a standby diesel
                   the physical dependency is removed           set with its switchgear)
``reserve_crews``  pre-positioned crews by trade (``crews``)    ``cost_per_crew_day`` × crews ×
                   working from day 0 to ``days``               days (2 000 EUR, *assumption*)
``shelters``       temporary shelter ``places`` open from       ``cost_per_place`` (300 EUR,
                   ``from_day``                                 *assumption*: stocked cots,
                                                                tents, sanitation)
=================  ===========================================  ===============================

Any option may give ``cost`` [EUR] instead, which then is its cost. A *combination* applies
several options at once (its cost is their sum).

Evaluation (:func:`evaluate`): every option and combination runs on **the same ensemble
members** as the baseline (:func:`workbench.uncertainty.ensemble.run_ensemble`, one strategy):
the same uncertain inputs, the same damage uniforms and recovery seeds (common random numbers),
so each member's avoided loss is the option's effect, not luck. Per member, the monetised
benefit of an event is

    ``b = ΔE + v · ΔS + d · ΔU + c · ΔH``

with ΔE the avoided economic loss [EUR], ΔS the avoided service loss [person-days] valued at
``v`` (disruption), and displacement priced per day as FEMA's benefit–cost analysis does,
separately: ΔU the avoided person-days displaced outside a public shelter at ``d`` (lodging and
meals, the per-diem method) and ΔH the avoided occupied shelter place-days at ``c`` (running the
shelter). An option that shelters more people (ΔH < 0) pays their running cost.

and the benefit–cost ratio ``BCR = b / C`` per event, or, with an annual probability ``p`` of
the scenario, ``p · b · AF / C`` over the option's service life ``T`` at discount rate ``r``
(annuity factor ``AF = (1 − (1 + r)^−T) / r``). :func:`rank` reports the ensemble mean with its
5–95 % range, the probability that the option is worth its cost (``P(BCR > 1)`` over members)
and, for the mean avoided loss, the 90 % interval under common random numbers beside the
interval independent runs would give (the members' variances added), which says how much the
pairing buys. The defaults of ``v``, ``r``, ``T`` are stated in :data:`DEFAULTS`.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field, replace
from types import MappingProxyType
from typing import Callable, ClassVar, Mapping, Sequence

import numpy as np
import pandas as pd
import xarray as xr

from .core import assumptions as _assumptions
from .core.dims import STRATEGIES
from .core.errors import InputError
from .core.sections import check, is_int, is_number, setting
from .functionality import Shelters
from .hazard.fragility import replacement_cost
from .network.system import build_system
from .recovery import ANY_TRADE, crew_pools
from .uncertainty.ensemble import run_ensemble

__all__ = ["KINDS", "Kind", "DEFAULTS", "MitigationSection", "Option", "parse_options", "option_cost", "apply",
           "evaluate", "rank", "annuity_factor"]

#: Default cost figures (*assumptions*, labelled in the module docstring) and evaluation values.
DEFAULTS = {                 # from the registry (workbench.core.assumptions), each stated there
    "retrofit_cost_share": _assumptions.value("retrofit_cost_share"),
    "cost_per_pump": _assumptions.value("backup_power_cost_per_pump"),
    "cost_per_crew_day": _assumptions.value("reserve_crew_cost_per_day"),
    "cost_per_place": _assumptions.value("shelter_cost_per_place"),
    "value_per_person_day": _assumptions.value("value_per_person_day"),
    "displacement_cost_per_person_day": _assumptions.value("displacement_cost_per_person_day"),
    "shelter_cost_per_place_day": _assumptions.value("shelter_cost_per_place_day"),
    "discount_rate": _assumptions.value("discount_rate"),
    "service_life_years": _assumptions.value("service_life_years"),
}
_LEVELS = ("MC", "HC")


@dataclass(frozen=True)
class Option:
    """One mitigation option (or combination, ``parts`` naming its options)."""

    name: str
    kind: str
    spec: Mapping = field(default_factory=dict)
    parts: tuple = ()


def _number(value, name: str, *, positive=False) -> float:
    ok = isinstance(value, (int, float, np.number)) and not isinstance(value, bool) \
        and math.isfinite(value) and (value > 0 if positive else value >= 0)
    if not ok:
        raise InputError(f"mitigation option {name} must be a finite number "
                         f"{'> 0' if positive else '≥ 0'}, got {value!r}")
    return float(value)


def parse_options(options: Sequence[Mapping], combinations: Sequence[Sequence[str]] = ()
                  ) -> list[Option]:
    """Options and combinations from the parameter file's ``mitigation`` section, checked.

    >>> opts = parse_options([{"name": "gen", "kind": "backup_power"},
    ...                       {"name": "beds", "kind": "shelters", "places": 500}],
    ...                      [["gen", "beds"]])
    >>> [(o.name, o.kind) for o in opts]
    [('gen', 'backup_power'), ('beds', 'shelters'), ('gen + beds', 'combination')]
    """
    out, names = [], set()
    for i, raw in enumerate(options):
        if not isinstance(raw, Mapping):
            raise InputError(f"mitigation.options[{i}] must be a mapping, got {raw!r}")
        name, kind = raw.get("name"), raw.get("kind")
        if not isinstance(name, str) or not name.strip() or "+" in name:
            raise InputError(f"mitigation.options[{i}].name must be a non-empty text without "
                             f"'+', got {name!r}")
        if name in names:
            raise InputError(f"mitigation option name {name!r} is used twice")
        if kind not in KINDS:
            raise InputError(f"mitigation option {name!r}: unknown kind {kind!r}; the kinds are "
                             f"{list(KINDS)}")
        unknown = sorted(set(raw) - {"name", "kind", "cost", *KINDS[kind].fields})
        if unknown:
            raise InputError(f"mitigation option {name!r} ({kind}): unknown field(s) {unknown}; "
                             f"its fields are {['cost', *KINDS[kind].fields]}")
        if "cost" in raw:
            _number(raw["cost"], f"{name!r} cost")
        spec = {k: v for k, v in raw.items() if k not in ("name", "kind")}
        KINDS[kind].check(name, spec)
        names.add(name)
        out.append(Option(name, kind, spec))
    for j, combo in enumerate(combinations):
        if isinstance(combo, str) or not isinstance(combo, Sequence) or len(combo) < 2:
            raise InputError(f"mitigation.combinations[{j}] must list two or more option "
                             f"names, got {combo!r}")
        missing = [c for c in combo if c not in names]
        if missing:
            raise InputError(f"mitigation.combinations[{j}] names unknown option(s) {missing}; "
                             f"the options are {sorted(names)}")
        if len(set(combo)) != len(combo):
            raise InputError(f"mitigation.combinations[{j}] repeats an option: {list(combo)}")
        out.append(Option(" + ".join(combo), "combination", {}, tuple(combo)))
    return out


# --------------------------------------------------------------------------- the kinds

def _check_retrofit(name: str, spec: dict) -> None:
    if not spec.get("types") and not spec.get("structural_classes"):
        raise InputError(f"mitigation option {name!r} (retrofit) names no buildings: give "
                         f"types and/or structural_classes")
    if spec.get("to", "MC") not in _LEVELS:
        raise InputError(f"mitigation option {name!r}: to must be one of {list(_LEVELS)}, "
                         f"got {spec.get('to')!r}")
    if "cost_share" in spec:
        _number(spec["cost_share"], f"{name!r} cost_share")


def _check_backup_power(name: str, spec: dict) -> None:
    pumps = spec.get("pumps", "all")
    if not (pumps == "all" or (isinstance(pumps, Sequence) and not isinstance(pumps, str)
                               and len(pumps) > 0)):
        raise InputError(f"mitigation option {name!r}: pumps must be 'all' or a list of "
                         f"pump ids, got {pumps!r}")
    if "cost_per_pump" in spec:
        _number(spec["cost_per_pump"], f"{name!r} cost_per_pump")


def _check_reserve_crews(name: str, spec: dict) -> None:
    try:
        crew_pools(spec.get("crews"), at_least_one=False)
    except InputError as exc:
        raise InputError(f"mitigation option {name!r}: {exc}") from None
    _number(spec.get("days", 0), f"{name!r} days", positive=True)
    if "cost_per_crew_day" in spec:
        _number(spec["cost_per_crew_day"], f"{name!r} cost_per_crew_day")


def _check_shelters(name: str, spec: dict) -> None:
    _number(spec.get("places", -1), f"{name!r} places")
    _number(spec.get("from_day", 0), f"{name!r} from_day")
    if "cost_per_place" in spec:
        _number(spec["cost_per_place"], f"{name!r} cost_per_place")


def _retrofitted(city, spec: dict, name: str) -> np.ndarray:
    """Mask of the buildings a retrofit acts on; an absent type or class is an error."""
    b = city.buildings
    mask = np.zeros(b.sizes["building"], bool)
    for field_, column in (("types", "type"), ("structural_classes", "structural_class")):
        wanted = spec.get(field_) or []
        values = np.asarray(b[column].values).astype(str)
        absent = sorted(set(map(str, wanted)) - set(values.tolist()))
        if absent:
            raise InputError(f"mitigation option {name!r}: {field_} {absent} not in the city "
                             f"(it has {sorted(set(values.tolist()))})")
        if wanted:
            mask |= np.isin(values, [str(w) for w in wanted])
    return mask


def _pumps(system, spec: dict) -> list[str]:
    """The pump ids a backup-power option equips (``all``: every pump of the water network)."""
    c = system.components
    is_pump = (c["network"].values == "water") & (c["kind"].values == "pump")
    ids = np.asarray(system.component_ids).astype(str)[is_pump].tolist()
    if not ids:
        raise InputError("mitigation backup_power: the city's water network has no pump "
                         "(components of kind 'pump'), so there is nothing to back up")
    pumps = spec.get("pumps", "all")
    if pumps == "all":
        return ids
    return [str(p) for p in pumps]


def _cost_retrofit(option: "Option", city, system) -> float:
    spec = option.spec
    mask = _retrofitted(city, spec, option.name)
    share = spec.get("cost_share", DEFAULTS["retrofit_cost_share"][spec.get("to", "MC")])
    return float(share * replacement_cost(city.buildings)[mask].sum())


def _cost_backup_power(option: "Option", city, system) -> float:
    return float(option.spec.get("cost_per_pump", DEFAULTS["cost_per_pump"])
                 * len(_pumps(system, option.spec)))


def _cost_reserve_crews(option: "Option", city, system) -> float:
    spec = option.spec
    n = sum(crew_pools(spec["crews"], at_least_one=False).values())
    return float(spec.get("cost_per_crew_day", DEFAULTS["cost_per_crew_day"]) * n * spec["days"])


def _cost_shelters(option: "Option", city, system) -> float:
    return float(option.spec.get("cost_per_place", DEFAULTS["cost_per_place"])
                 * option.spec["places"])


@dataclass(frozen=True)
class _Inputs:
    """What options act on; ``pumps``: the pumps with backup power so far."""

    city: object
    system: object
    constraints: object
    shelters: object
    pumps: tuple = ()


def _apply_retrofit(option: "Option", s: _Inputs) -> _Inputs:
    mask = _retrofitted(s.city, option.spec, option.name)
    b = s.city.buildings
    level = (np.asarray(b["design_level"].values).astype("<U2") if "design_level" in b
             else np.full(b.sizes["building"], "", "<U2"))
    level = np.where(mask, option.spec.get("to", "MC"), level)
    return replace(s, city=s.city.with_buildings(b.assign(design_level=("building", level))))


def _apply_backup_power(option: "Option", s: _Inputs) -> _Inputs:
    return replace(s, pumps=tuple(sorted(set(s.pumps) | set(_pumps(s.system, option.spec)))))


def _apply_reserve_crews(option: "Option", s: _Inputs) -> _Inputs:
    a = crew_pools(s.constraints.reserve_crews, "reserve_crews", at_least_one=False)
    b = crew_pools(option.spec["crews"], "reserve_crews", at_least_one=False)
    if ANY_TRADE in a and ANY_TRADE in b:
        extra = a[ANY_TRADE] + b[ANY_TRADE]
    else:   # one number beside crews by trade: the building trade's (Constraints.reserve_pools)
        a, b = ({"building" if t == ANY_TRADE else t: n for t, n in p.items()} for p in (a, b))
        extra = {t: a.get(t, 0) + b.get(t, 0) for t in set(a) | set(b)}
    days = max(s.constraints.reserve_days, float(option.spec["days"]))
    return replace(s, constraints=replace(s.constraints, reserve_crews=extra,
                                          reserve_days=days))


def _apply_shelters(option: "Option", s: _Inputs) -> _Inputs:
    sh = s.shelters
    return replace(s, shelters=replace(sh, temporary_places=sh.temporary_places
                                       + float(option.spec["places"]),
                                       temporary_from_day=float(option.spec.get("from_day", 0))))


@dataclass(frozen=True)
class Kind:
    """One kind of option: its fields (besides ``name``, ``kind``, ``cost``), the check of a
    spec, its cost model [EUR], how it acts on the inputs, and whether the infrastructure
    system must be built again after it (a changed city or changed pumps)."""

    fields: tuple
    check: Callable[[str, dict], None]
    cost: Callable[["Option", object, object], float]
    act: Callable[["Option", _Inputs], _Inputs]
    rebuilds_system: bool = False


#: The option kinds by name (a new kind is one entry here; an unknown name is refused naming
#: these).
KINDS: Mapping[str, Kind] = MappingProxyType({
    "retrofit": Kind(("types", "structural_classes", "to", "cost_share"), _check_retrofit,
                     _cost_retrofit, _apply_retrofit, rebuilds_system=True),
    "backup_power": Kind(("pumps", "cost_per_pump"), _check_backup_power, _cost_backup_power,
                         _apply_backup_power, rebuilds_system=True),
    "reserve_crews": Kind(("crews", "days", "cost_per_crew_day"), _check_reserve_crews,
                          _cost_reserve_crews, _apply_reserve_crews),
    "shelters": Kind(("places", "from_day", "cost_per_place"), _check_shelters, _cost_shelters,
                     _apply_shelters),
})


def option_cost(option: Option, city, system, by_name: Mapping[str, Option] | None = None
                ) -> float:
    """The option's cost [EUR] (its ``cost`` when given, else its kind's cost model)."""
    if option.kind == "combination":
        return float(sum(option_cost(by_name[p], city, system) for p in option.parts))
    if "cost" in option.spec:
        return float(option.spec["cost"])
    return KINDS[option.kind].cost(option, city, system)


def apply(option: Option, city, system, constraints, shelters, *,
          by_name: Mapping[str, Option] | None = None):
    """(city, system, constraints, shelters) with ``option`` (or each part of a combination)
    in effect; the system is built again when the city or the pumps changed."""
    parts = [by_name[p] for p in option.parts] if option.kind == "combination" else [option]
    state = _Inputs(city, system, constraints, shelters)
    rebuild = False
    for part in parts:
        state = KINDS[part.kind].act(part, state)
        rebuild |= KINDS[part.kind].rebuilds_system
    system = build_system(state.city, backup_power=state.pumps) if rebuild else state.system
    return state.city, system, state.constraints, state.shelters


# --------------------------------------------------------------------------- evaluation

def evaluate(options: Sequence[Option], city, system, intensity, constraints, draws, *,
             strategy: str = "semiflexible", shelters=None, design_code="city",
             road_debris: bool = True, functionality=None, progress=None, **engine
             ) -> xr.Dataset:
    """The baseline and every option over the same ensemble members (common random numbers).

    Returns a Dataset on dims ``option`` (``baseline`` first) and ``member``:
    ``economic_loss`` [EUR], ``service_loss_person_days``, ``displaced_person_days``,
    ``sheltered_person_days``, ``repair_cost`` [EUR]; ``cost`` on
    ``option`` [EUR]; ``attrs``: ``strategy``, the members' seed. ``engine``: ``scheduler``,
    ``workers``, ``batch_size`` of :func:`~workbench.uncertainty.ensemble.run_ensemble`.
    """
    shelters = Shelters() if shelters is None else shelters
    by_name = {o.name: o for o in options if o.kind != "combination"}
    runs = [("baseline", city, system, constraints, shelters, 0.0)]
    for o in options:
        runs.append((o.name, *apply(o, city, system, constraints, shelters, by_name=by_name),
                     option_cost(o, city, system, by_name)))
    out = {k: [] for k in ("economic_loss", "service_loss_person_days",
                           "displaced_person_days", "sheltered_person_days", "repair_cost")}
    for i, (name, c, s, k, sh, _) in enumerate(runs):
        ens = run_ensemble(c, s, intensity, k, draws, strategies=(strategy,),
                           design_code=design_code, road_debris=road_debris,
                           functionality=functionality, shelters=sh, **engine)
        for key in out:
            out[key].append(ens[key].sel(strategy=strategy).values)
        if progress is not None:
            progress(i + 1, len(runs))
    names = [r[0] for r in runs]
    members = draws["member"].values if isinstance(draws, xr.Dataset) else np.arange(draws)
    ds = xr.Dataset({key: (("option", "member"), np.array(v)) for key, v in out.items()},
                    coords={"option": names, "member": members})
    ds["cost"] = ("option", np.array([r[5] for r in runs]))
    ds["kind"] = ("option", np.array(["baseline"] + [o.kind for o in options]))
    for key, unit in (("economic_loss", "EUR"), ("service_loss_person_days", "person-days"),
                      ("displaced_person_days", "person-days"),
                      ("sheltered_person_days", "person-days"),
                      ("repair_cost", "EUR"), ("cost", "EUR")):
        ds[key].attrs["units"] = unit
    ds.attrs.update({"strategy": strategy,
                     "seed": int(draws.attrs["seed"]) if isinstance(draws, xr.Dataset) else 0})
    return ds


def _avoided(base: xr.Dataset, option: xr.Dataset, key: str) -> np.ndarray:
    """Baseline − option of ``key`` per member; 0 where the results predate the variable."""
    if key not in base or key not in option:
        return np.zeros(base.sizes["member"])
    return (base[key] - option[key]).values


def annuity_factor(rate: float, years: float) -> float:
    """Present value of 1 a year for ``years`` at ``rate``: ``(1 − (1 + r)^−T) / r``.

    >>> round(annuity_factor(0.03, 50), 2), annuity_factor(0.0, 10)
    (25.73, 10.0)
    """
    if rate == 0:
        return float(years)
    return float((1 - (1 + rate) ** -years) / rate)


def rank(results: xr.Dataset, *, value_per_person_day: float = DEFAULTS["value_per_person_day"],
         displacement_cost_per_person_day: float = DEFAULTS["displacement_cost_per_person_day"],
         shelter_cost_per_place_day: float = DEFAULTS["shelter_cost_per_place_day"],
         discount_rate: float = DEFAULTS["discount_rate"],
         service_life_years: float = DEFAULTS["service_life_years"],
         annual_probability: float | None = None) -> pd.DataFrame:
    """The options ranked by mean benefit–cost ratio (see the module docstring), one row each.

    Columns: ``option``, ``kind``, ``cost``, ``avoided_economic_loss`` (mean, ``_p5``, ``_p95``),
    ``avoided_person_days`` (mean, p5, p95; service loss), ``avoided_displaced_person_days``
    and ``avoided_sheltered_person_days`` (means), ``benefit`` (mean monetised benefit [EUR], per event
    or present value over the life; ``benefit_p5``, ``benefit_p95``), ``bcr`` (mean, ``bcr_p5``, ``bcr_p95``), ``p_worth_it``
    (share of members with BCR > 1), ``avoided_loss_ci90_crn`` and ``avoided_loss_ci90_independent``
    (half-widths [EUR] of the 90 % interval of the mean avoided economic loss), ``rank``.
    """
    _number(value_per_person_day, "value_per_person_day")
    _number(displacement_cost_per_person_day, "displacement_cost_per_person_day")
    _number(shelter_cost_per_place_day, "shelter_cost_per_place_day")
    _number(discount_rate, "discount_rate")
    _number(service_life_years, "service_life_years", positive=True)
    if annual_probability is not None and not 0 < annual_probability <= 1:
        raise InputError(f"annual_probability must be in (0, 1] or null, got "
                         f"{annual_probability!r}")
    scale = 1.0 if annual_probability is None else \
        annual_probability * annuity_factor(discount_rate, service_life_years)
    base = results.sel(option="baseline")
    n = results.sizes["member"]
    z = 1.6448536269514722              # the 95 % quantile of the standard normal
    rows = []
    for name in results["option"].values[1:]:
        o = results.sel(option=name)
        d_e = (base["economic_loss"] - o["economic_loss"]).values
        d_s = (base["service_loss_person_days"] - o["service_loss_person_days"]).values
        d_d, d_h = _avoided(base, o, "displaced_person_days"), _avoided(
            base, o, "sheltered_person_days")
        benefit = scale * (d_e + value_per_person_day * d_s
                           + displacement_cost_per_person_day * (d_d - d_h)
                           + shelter_cost_per_place_day * d_h)
        cost = float(o["cost"])
        bcr = benefit / cost if cost > 0 else np.full(n, math.inf)
        independent = math.sqrt((base["economic_loss"].var(ddof=1)
                                 + o["economic_loss"].var(ddof=1)) / n) if n > 1 else math.nan
        crn = float(np.std(d_e, ddof=1) / math.sqrt(n)) if n > 1 else math.nan
        rows.append({"option": str(name), "kind": str(o["kind"].values), "cost": cost,
                     "avoided_economic_loss": float(d_e.mean()),
                     "avoided_economic_loss_p5": float(np.percentile(d_e, 5)),
                     "avoided_economic_loss_p95": float(np.percentile(d_e, 95)),
                     "avoided_person_days": float(d_s.mean()),
                     "avoided_person_days_p5": float(np.percentile(d_s, 5)),
                     "avoided_person_days_p95": float(np.percentile(d_s, 95)),
                     "avoided_displaced_person_days": float(d_d.mean()),
                     "avoided_sheltered_person_days": float(d_h.mean()),
                     "benefit": float(benefit.mean()),
                     "benefit_p5": float(np.percentile(benefit, 5)),
                     "benefit_p95": float(np.percentile(benefit, 95)),
                     "bcr": float(bcr.mean()), "bcr_p5": float(np.percentile(bcr, 5)),
                     "bcr_p95": float(np.percentile(bcr, 95)),
                     "p_worth_it": float((bcr > 1).mean()),
                     "avoided_loss_ci90_crn": z * crn,
                     "avoided_loss_ci90_independent": z * float(independent)})
    table = pd.DataFrame(rows)
    if len(table):
        table = table.sort_values(["bcr", "option"], ascending=[False, True], kind="stable")
        table["rank"] = np.arange(1, len(table) + 1)
    table.attrs.update({"per": "event" if annual_probability is None else
                        f"present value over {service_life_years:g} years at "
                        f"{discount_rate:.1%}, annual probability {annual_probability:g}",
                        "value_per_person_day": value_per_person_day,
                        "displacement_cost_per_person_day": displacement_cost_per_person_day,
                        "shelter_cost_per_place_day": shelter_cost_per_place_day,
                        "members": n})
    return table.reset_index(drop=True)


# --------------------------------------------------------------------------- for reading

def ranking_table(table: pd.DataFrame) -> pd.DataFrame:
    """The ranking of :func:`rank` formatted for reading (EUR M, whole person-days, ratios with
    3 significant figures), indexed by rank."""
    def money(v):
        text = f"{v / 1e6:,.1f}"
        return "0.0" if text == "-0.0" else text

    def ratio(v):   # 3 significant figures; a ratio within 0.01 of 0 is said so, not printed
        if math.isinf(v):                       # to five decimals that no decision turns on
            return "∞" if v > 0 else "-∞"
        if v != 0 and abs(v) < 0.01:
            return "< 0.01" if v > 0 else "> -0.01"
        return f"{v:.3g}"

    out = pd.DataFrame({
        "option": table["option"], "kind": table["kind"],
        "cost [EUR M]": table["cost"].map(money),
        "avoided economic loss [EUR M] (5–95 %)": [
            f"{money(a)} ({money(lo)} – {money(hi)})" for a, lo, hi in
            zip(table["avoided_economic_loss"], table["avoided_economic_loss_p5"],
                table["avoided_economic_loss_p95"])],
        "avoided service loss [person-days] (5–95 %)": [
            f"{a:,.0f} ({lo:,.0f} – {hi:,.0f})" for a, lo, hi in
            zip(table["avoided_person_days"], table["avoided_person_days_p5"],
                table["avoided_person_days_p95"])],
        "avoided days displaced [person-days]": [
            f"{a:,.0f}" for a in table.get("avoided_displaced_person_days",
                                           pd.Series(np.zeros(len(table)), table.index))],
        "benefit–cost ratio (5–95 %)": [
            f"{ratio(b)} ({ratio(lo)} – {ratio(hi)})" for b, lo, hi in
            zip(table["bcr"], table["bcr_p5"], table["bcr_p95"])],
        "P(worth it)": table["p_worth_it"].map(lambda p: f"{p:.0%}"),
    })
    out.index = pd.Index(table["rank"].astype(int), name="rank")
    return out


def ranking_summary(summary: dict) -> str:
    """One paragraph on the ranking (the best option, how sure, what the ratio means)."""
    best = summary["best"]
    per = ("per event (the scenario happens)" if summary.get("annual_probability") is None
           else f"as a {summary['per']}")
    sure = best["p_worth_it"]
    verdict = ("pays for itself in every member" if sure == 1.0 else
               "pays for itself in no member" if sure == 0.0 else
               f"pays for itself in {sure:.0%} of the members")
    return (f"Over {summary['members']} ensemble members under the {summary['strategy']} "
            f"strategy, **{best['option']}** ranks first: benefit–cost ratio {best['bcr']:.3g} "
            f"(5–95 %: {best['bcr_p5']:.3g} – {best['bcr_p95']:.3g}) {per}, with a person-day "
            f"valued at {summary['value_per_person_day']:g} EUR; it {verdict}. "
            f"The ranking is that of this scenario's hazard and of the stated cost models "
            f"(assumptions); with few members the ranges are rough.")


# --------------------------------------------------------------------------- the parameter file

_OPTIONS = (
    ({"name": "retrofit-homes", "kind": "retrofit", "types": ["residential"], "to": "MC"},
     "Hazus design level of these buildings"),
    ({"name": "retrofit-public", "kind": "retrofit", "types": ["public"], "to": "MC"}, ""),
    ({"name": "backup-pumps", "kind": "backup_power", "pumps": "all"},
     "pumps run without grid power"),
    ({"name": "reserve-crews", "kind": "reserve_crews",
      "crews": {"building": 30, "water": 3, "power": 3}, "days": 60}, "pre-positioned"),
    ({"name": "shelters", "kind": "shelters", "places": 2000, "from_day": 3},
     "temporary shelter places"),
)


@dataclass(frozen=True)
class MitigationSection:
    """``mitigation`` (stage 06): the options, how they are valued, which are in effect."""

    DOC: ClassVar[str] = "stage 06 (06_mitigation): workbench.mitigation"
    #: Per-item comments of the template (options by position).
    ITEMS: ClassVar[dict] = {"options": [doc for _, doc in _OPTIONS]}

    members: int = setting(40, "ensemble members every option is evaluated on (common random "
                               "numbers); 0 = skip")
    strategy: str = setting("semiflexible", "the recovery strategy of the evaluation")
    value_per_person_day: float = setting(DEFAULTS["value_per_person_day"],
                                          "EUR per person-day of service loss (disruption; "
                                          "assumption)")
    displacement_cost_per_person_day: float = setting(
        DEFAULTS["displacement_cost_per_person_day"],
        "EUR per person-day displaced outside a public shelter: lodging and meals\n(FEMA BCA's "
        "per-diem method; assumption: about the Finnish daily allowance)")
    shelter_cost_per_place_day: float = setting(DEFAULTS["shelter_cost_per_place_day"],
                                                "EUR per occupied public-shelter place and day "
                                                "(running costs; assumption)")
    discount_rate: float = setting(DEFAULTS["discount_rate"], "social discount rate (EU CBA "
                                                              "guide 2014: 3 % outside the "
                                                              "Cohesion Fund)")
    service_life_years: float = setting(DEFAULTS["service_life_years"],
                                        "years an option lasts (present value with "
                                        "annual_probability)")
    annual_probability: float | None = setting(None, "annual probability of the scenario "
                                                     "event; null = benefit-cost per event")
    options: list = setting([o for o, _ in _OPTIONS], "kinds: "
                            + ", ".join(KINDS) + " (costs: workbench.mitigation)", shown="")
    combinations: list = setting([["retrofit-public", "shelters"]],
                                 "options applied together (names above)", shown="")
    apply: list = setting([], "options (names above) in effect in stage 04 and `workbench "
                              "simulate`: the city as\nif they were done (the dashboard's "
                              "mitigation switches write this)")

    def __post_init__(self):
        check(is_int(self.members) and 0 <= self.members <= 100_000, "members", self.members,
              "an integer from 0 (skip stage 06) to 100000")
        check(self.strategy in STRATEGIES, "strategy", self.strategy,
              " or ".join(repr(s) for s in STRATEGIES))
        for name in ("value_per_person_day", "displacement_cost_per_person_day",
                     "shelter_cost_per_place_day"):
            v = getattr(self, name)
            check(is_number(v) and math.isfinite(v) and v >= 0, name, v,
                  "a finite number ≥ 0 of EUR")
        check(is_number(self.discount_rate) and 0 <= self.discount_rate < 1, "discount_rate",
              self.discount_rate, "a number from 0 to below 1")
        t = self.service_life_years
        check(is_number(t) and math.isfinite(t) and t > 0, "service_life_years", t,
              "a finite number > 0 of years")
        a = self.annual_probability
        check(a is None or (is_number(a) and 0 < a <= 1), "annual_probability", a,
              "null (per event) or a number in (0, 1]")
        check(isinstance(self.options, list), "options", self.options, "a list of options")
        check(isinstance(self.combinations, list), "combinations", self.combinations,
              "a list of lists of option names")
        names = self.apply
        check(isinstance(names, list) and all(isinstance(n, str) for n in names)
              and len(set(names)) == len(names), "apply", names,
              "a list of distinct option names")
        known = {o.get("name") for o in self.options if isinstance(o, dict)}
        unknown = [n for n in names if n not in known]
        check(not unknown, "apply", names, f"names of mitigation.options (unknown: {unknown})")
        try:
            parse_options(self.options, self.combinations)
        except InputError as exc:
            hint = ""
            default = MitigationSection.__dataclass_fields__
            if (self.combinations == default["combinations"].default_factory()
                    and self.options != default["options"].default_factory()):
                hint = (" (the default mitigation.combinations name the default options: give "
                        "your own, or combinations: [])")
            raise InputError(f"{exc}{hint}") from None
