"""Mitigation options ranked by benefit and cost over a hazard ensemble (stage 06, METHOD §8).

The two indexes exist so that investments can be compared by what they avoid (Zhou et al.
2025). An *option* is data — a kind, what it acts on, a cost — and acts on one input of the
damage → recovery chain:

=================  ===========================================  ===============================
kind               what it changes                              cost model (defaults)
=================  ===========================================  ===============================
``retrofit``       raises the Hazus design level of the         up front: ``cost_share`` ×
                   buildings of chosen ``types`` and/or         replacement cost of the
                   ``structural_classes`` to                    buildings it changes (MC 0.10,
                   ``max(current, to)`` (``to``: MC or HC; a    HC 0.20); life 50 years
                   type without that level takes its highest
                   below it, URM: LC) → their fragilities
``backup_power``   water pumps (``pumps``: ``all`` or a list of  up front: ``cost_per_pump``
                   ids) keep running without grid power:       (150 000 EUR, a standby diesel
                   the physical dependency is removed           set); 3 000 EUR per pump and
                                                                year; life 25 years
``reserve_crews``  pre-positioned crews by trade (``crews``)    a retainer of 10 000 EUR per
                   working from day 0 to ``days``               crew and year; in an event
                                                                ``cost_per_crew_day`` × crews ×
                                                                days (2 000 EUR); term 10 years
``shelters``       temporary shelter ``places`` open from       up front: ``cost_per_place``
                   ``from_day``                                 (300 EUR: stocked cots, tents,
                                                                sanitation); 10 EUR per place
                                                                and year; life 15 years
=================  ===========================================  ===============================

Every figure of the cost models is an *assumption* of the registry
(:mod:`workbench.core.assumptions`). An option has four costs: up front ``C`` [EUR], recurring
``a`` [EUR per year], in an event ``e`` [EUR per event; paid only when the event comes] and a
service life ``T`` [years]. Any option may give ``cost`` (up front), ``annual_cost``,
``event_cost`` and ``life_years``; an option that gives ``cost`` has no recurring or event cost
unless it gives them too. A *combination* applies several options at once: its analysis period
is the longest life of its parts, each part's up-front cost annualised over its own life (a
shorter-lived part renewed).

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

``b`` is the avoided loss *if the event happens*. A benefit–cost ratio is a present value over
an annual probability ``p`` of the scenario (``mitigation.annual_probability``; FEMA's BCA):
over the option's service life ``T`` at discount rate ``r`` (annuity factor
``AF = (1 − (1 + r)^−T) / r``)

    ``BCR = p · b · AF / PC``,  ``PC = C + (a + p · e) · AF``

the present cost, whose event cost is scaled by the probability like the benefit. Without ``p``
there is no ratio: :func:`rank` gives the avoided loss per event and the **break-even return
period** ``(b − e) / (C / AF + a)`` [years], the return period at which ``BCR = 1`` (an option
pays if the event comes at least that often; ``≤ 0``: never), and ranks by it. With ``p`` it
gives the ensemble mean BCR with its 5–95 % range and the probability that the option is worth
its cost (``P(BCR > 1)`` over members), and ranks by the mean BCR. Both give, for the mean
avoided loss, the 90 % interval under common random numbers beside the interval independent
runs would give (the members' variances added), which says how much the pairing buys.
:func:`value_sensitivity` ranks again at 25, 50 and 100 EUR per person-day, the dominant
assumption. The defaults are stated in :data:`DEFAULTS`.
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
from .hazard.fragility import (CODE_LEVELS, building_fragility, code_level, replacement_cost,
                               seismic_design_zone)
from .network.system import build_system
from .recovery import ANY_TRADE, crew_pools
from .uncertainty.ensemble import run_ensemble

__all__ = ["KINDS", "Kind", "DEFAULTS", "MitigationSection", "Option", "Costs", "parse_options",
           "option_cost", "option_costs", "apply", "evaluate", "rank", "annuity_factor",
           "break_even_return_period", "value_sensitivity", "summarise", "sensitivity_table",
           "VALUES_PER_PERSON_DAY"]

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
    "retrofit_life_years": _assumptions.value("retrofit_service_life_years"),
    "backup_power_life_years": _assumptions.value("backup_power_service_life_years"),
    "cost_per_pump_year": _assumptions.value("backup_power_annual_cost_per_pump"),
    "retainer_per_crew_year": _assumptions.value("reserve_crew_retainer_per_year"),
    "reserve_crew_life_years": _assumptions.value("reserve_crew_contract_years"),
    "shelter_life_years": _assumptions.value("shelter_service_life_years"),
    "cost_per_place_year": _assumptions.value("shelter_annual_cost_per_place"),
}
#: The service life of each kind [years] (an option may give its own ``life_years``).
_LIVES = {"retrofit": DEFAULTS["retrofit_life_years"],
          "backup_power": DEFAULTS["backup_power_life_years"],
          "reserve_crews": DEFAULTS["reserve_crew_life_years"],
          "shelters": DEFAULTS["shelter_life_years"]}
#: The values of a person-day [EUR] the ranking is shown at (the dominant assumption).
VALUES_PER_PERSON_DAY = (25.0, 50.0, 100.0)
_LEVELS = ("MC", "HC")
#: Fields every option may give besides its kind's: its four costs.
_COMMON = ("cost", "annual_cost", "event_cost", "life_years")


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
        unknown = sorted(set(raw) - {"name", "kind", *_COMMON, *KINDS[kind].fields})
        if unknown:
            raise InputError(f"mitigation option {name!r} ({kind}): unknown field(s) {unknown}; "
                             f"its fields are {[*_COMMON, *KINDS[kind].fields]}")
        for key in _COMMON:
            if key in raw:
                _number(raw[key], f"{name!r} {key}", positive=key == "life_years")
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


def _retrofit_levels(city, spec: dict, name: str, design_code="city"
                     ) -> tuple[np.ndarray, np.ndarray]:
    """The buildings' ``design_level`` after a retrofit to ``max(current, to)`` and the mask of
    the buildings it changes: those of its types/classes whose fragility the higher level
    raises. A building already at or above ``to`` (or of a type without a higher level in the
    Hazus table, URM above LC) keeps its level and is not charged."""
    mask = _retrofitted(city, spec, name)
    b = city.buildings
    given = (np.asarray(b["design_level"].values).astype("<U2") if "design_level" in b
             else np.full(b.sizes["building"], "", "<U2"))
    classes = np.asarray(b["structural_class"].values).astype(str)
    zone = seismic_design_zone(b, design_code)
    current = np.where(given != "", given,
                       code_level(b["year_built"].values, classes, zone=zone)).astype("<U2")
    rank_of = {lv: i for i, lv in enumerate(CODE_LEVELS)}
    target = spec.get("to", "MC")
    up = mask & (np.array([rank_of[lv] for lv in current]) < rank_of[target])
    changed = np.zeros_like(up)
    if up.any():
        idx = np.flatnonzero(up)
        sub = b.isel(building=idx)
        before, _ = building_fragility(sub.assign(design_level=("building", current[idx])),
                                       design_code=design_code)
        after, _ = building_fragility(sub.assign(design_level=("building",
                                                               np.full(len(idx), target))),
                                      design_code=design_code)
        changed[idx] = (after != before).any(axis=1)
    return np.where(changed, target, given).astype("<U2"), changed


def _cost_retrofit(option: "Option", city, system, design_code="city") -> "Costs":
    spec = option.spec
    _, changed = _retrofit_levels(city, spec, option.name, design_code)
    share = spec.get("cost_share", DEFAULTS["retrofit_cost_share"][spec.get("to", "MC")])
    return Costs(float(share * replacement_cost(city.buildings)[changed].sum()), 0.0, 0.0,
                 float(DEFAULTS["retrofit_life_years"]))


def _cost_backup_power(option: "Option", city, system, design_code="city") -> "Costs":
    n = len(_pumps(system, option.spec))
    return Costs(float(option.spec.get("cost_per_pump", DEFAULTS["cost_per_pump"]) * n),
                 float(DEFAULTS["cost_per_pump_year"] * n), 0.0,
                 float(DEFAULTS["backup_power_life_years"]))


def _cost_reserve_crews(option: "Option", city, system, design_code="city") -> "Costs":
    spec = option.spec
    n = sum(crew_pools(spec["crews"], at_least_one=False).values())
    return Costs(0.0, float(DEFAULTS["retainer_per_crew_year"] * n),
                 float(spec.get("cost_per_crew_day", DEFAULTS["cost_per_crew_day"]) * n
                       * spec["days"]), float(DEFAULTS["reserve_crew_life_years"]))


def _cost_shelters(option: "Option", city, system, design_code="city") -> "Costs":
    places = option.spec["places"]
    return Costs(float(option.spec.get("cost_per_place", DEFAULTS["cost_per_place"]) * places),
                 float(DEFAULTS["cost_per_place_year"] * places), 0.0,
                 float(DEFAULTS["shelter_life_years"]))


@dataclass(frozen=True)
class Costs:
    """An option's costs: ``capital`` up front [EUR], ``annual`` recurring [EUR per year],
    ``event`` paid only when the event comes [EUR per event], ``life`` [years]."""

    capital: float
    annual: float
    event: float
    life: float


@dataclass(frozen=True)
class _Inputs:
    """What options act on; ``pumps``: the pumps with backup power so far; ``design_code``:
    the seismic zone of the buildings' current design levels."""

    city: object
    system: object
    constraints: object
    shelters: object
    pumps: tuple = ()
    design_code: object = "city"


def _apply_retrofit(option: "Option", s: _Inputs) -> _Inputs:
    level, _ = _retrofit_levels(s.city, option.spec, option.name, s.design_code)
    b = s.city.buildings
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
    """One kind of option: its fields (besides ``name``, ``kind`` and the costs of
    ``_COMMON``), the check of a spec, its cost model (:class:`Costs`), how it acts on the
    inputs, and whether the infrastructure system must be built again after it (a changed city
    or changed pumps)."""

    fields: tuple
    check: Callable[[str, dict], None]
    cost: Callable[..., Costs]
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


def option_costs(option: Option, city, system, by_name: Mapping[str, Option] | None = None,
                 *, design_code="city") -> list[Costs]:
    """The costs of the option, one :class:`Costs` per part (one for an option): its kind's
    cost model, with the option's own ``cost``, ``annual_cost``, ``event_cost``, ``life_years``
    in its place where given (an option that gives ``cost`` has no recurring or event cost
    unless it gives them too)."""
    if option.kind == "combination":
        return [c for p in option.parts
                for c in option_costs(by_name[p], city, system, design_code=design_code)]
    spec = option.spec
    if "cost" in spec:
        model = Costs(float(spec["cost"]), 0.0, 0.0, float(_LIVES[option.kind]))
    else:
        model = KINDS[option.kind].cost(option, city, system, design_code)
    return [Costs(model.capital, float(spec.get("annual_cost", model.annual)),
                  float(spec.get("event_cost", model.event)),
                  float(spec.get("life_years", model.life)))]


def option_cost(option: Option, city, system, by_name: Mapping[str, Option] | None = None,
                *, design_code="city") -> float:
    """The option's up-front cost [EUR] (its ``cost`` when given, else its kind's cost model;
    a combination: the sum of its parts'). See :func:`option_costs` for all four costs."""
    return float(sum(c.capital for c in option_costs(option, city, system, by_name,
                                                     design_code=design_code)))


def apply(option: Option, city, system, constraints, shelters, *,
          by_name: Mapping[str, Option] | None = None, design_code="city"):
    """(city, system, constraints, shelters) with ``option`` (or each part of a combination)
    in effect; the system is built again when the city or the pumps changed. ``design_code``:
    the seismic zone that sets the buildings' current design levels (a retrofit raises them to
    ``max(current, to)``), as :func:`workbench.hazard.fragility.building_fragility` takes it."""
    parts = [by_name[p] for p in option.parts] if option.kind == "combination" else [option]
    state = _Inputs(city, system, constraints, shelters, design_code=design_code)
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
    ``sheltered_person_days``, ``repair_cost`` [EUR]; ``cost`` on ``option`` (up front,
    [EUR]); the costs of each option's parts (:func:`option_costs`) on dims ``option`` and
    ``part`` (one part for an option, unused parts 0 with life NaN): ``capital_cost`` [EUR],
    ``annual_cost`` [EUR per year], ``event_cost`` [EUR per event], ``life_years``; ``attrs``:
    ``strategy``, the members' seed. ``engine``: ``scheduler``, ``workers``, ``batch_size``
    of :func:`~workbench.uncertainty.ensemble.run_ensemble`.
    """
    shelters = Shelters() if shelters is None else shelters
    by_name = {o.name: o for o in options if o.kind != "combination"}
    runs = [("baseline", city, system, constraints, shelters, [])]
    for o in options:
        runs.append((o.name, *apply(o, city, system, constraints, shelters, by_name=by_name,
                                    design_code=design_code),
                     option_costs(o, city, system, by_name, design_code=design_code)))
    out = {k: [] for k in ("economic_loss", "service_loss_person_days",
                           "displaced_person_days", "sheltered_person_days", "repair_cost")}
    for i, (name, c, s, k, sh, _) in enumerate(runs):
        # every member in every option, or none: the options are compared member by member
        # (common random numbers), so a member that fails stops the stage, naming its seeds
        ens = run_ensemble(c, s, intensity, k, draws, strategies=(strategy,),
                           design_code=design_code, road_debris=road_debris,
                           functionality=functionality, shelters=sh, max_failed_share=0.0,
                           **engine)
        for key in out:
            out[key].append(ens[key].sel(strategy=strategy).values)
        if progress is not None:
            progress(i + 1, len(runs))
    names = [r[0] for r in runs]
    members = draws["member"].values if isinstance(draws, xr.Dataset) else np.arange(draws)
    ds = xr.Dataset({key: (("option", "member"), np.array(v)) for key, v in out.items()},
                    coords={"option": names, "member": members})
    parts = max(1, max(len(r[5]) for r in runs))
    grid = {"capital_cost": np.zeros((len(runs), parts)), "annual_cost": np.zeros((len(runs),
            parts)), "event_cost": np.zeros((len(runs), parts)),
            "life_years": np.full((len(runs), parts), np.nan)}
    for i, r in enumerate(runs):
        for j, c in enumerate(r[5]):
            grid["capital_cost"][i, j], grid["annual_cost"][i, j] = c.capital, c.annual
            grid["event_cost"][i, j], grid["life_years"][i, j] = c.event, c.life
    for key, v in grid.items():
        ds[key] = (("option", "part"), v)
    ds["cost"] = ("option", grid["capital_cost"].sum(axis=1))
    ds["kind"] = ("option", np.array(["baseline"] + [o.kind for o in options]))
    for key, unit in (("economic_loss", "EUR"), ("service_loss_person_days", "person-days"),
                      ("displaced_person_days", "person-days"),
                      ("sheltered_person_days", "person-days"),
                      ("repair_cost", "EUR"), ("cost", "EUR"), ("capital_cost", "EUR"),
                      ("annual_cost", "EUR per year"), ("event_cost", "EUR per event"),
                      ("life_years", "years")):
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


def break_even_return_period(benefit, event_cost, equivalent_annual_cost):
    """The return period [years] at which an option's benefit–cost ratio is 1.

    ``benefit``: avoided loss per event [EUR] (array or number); ``event_cost``: what the
    option costs in an event [EUR]; ``equivalent_annual_cost``: its up-front cost annualised
    over its life plus its recurring cost, ``C / AF + a`` [EUR per year]. The ratio
    ``p b / (C / AF + a + p e)`` is 1 at ``1 / p = (b − e) / (C / AF + a)``: the option pays if
    the event recurs at least that often. ``≤ 0``: never (the event cost takes the benefit); an
    option that costs nothing between events: ``inf`` (NaN when it avoids nothing either).

    >>> break_even_return_period(1e6, 0.0, 1e4), break_even_return_period(5e5, 6e5, 1e4)
    (100.0, -10.0)
    """
    net = np.asarray(benefit, float) - float(event_cost)
    with np.errstate(divide="ignore", invalid="ignore"):
        rp = (net / equivalent_annual_cost if equivalent_annual_cost > 0
              else np.sign(net) * np.inf)
    return float(rp) if np.ndim(rp) == 0 else np.asarray(rp, float)


def _option_costs(results: xr.Dataset, name, rate: float, life: float | None):
    """(analysis period T, AF(T), up front, recurring, event cost, ``C / AF + a`` summed over
    the parts) of one option of ``results``; results that predate the cost models: the ``cost``
    up front, nothing recurring, the retrofit's life."""
    o = results.sel(option=name)
    if "capital_cost" in results:
        lives = np.asarray(o["life_years"].values, float)
        used = np.isfinite(lives)
        cap, annual, event = (np.asarray(o[k].values, float)[used]
                              for k in ("capital_cost", "annual_cost", "event_cost"))
        lives = lives[used]
    else:
        cap, annual, event = np.array([float(o["cost"])]), np.zeros(1), np.zeros(1)
        lives = np.array([float(DEFAULTS["retrofit_life_years"])])
    if life is not None:
        lives = np.full_like(lives, float(life))
    period = float(lives.max())
    eac = float(sum(c / annuity_factor(rate, t) for c, t in zip(cap, lives)) + annual.sum())
    return (period, annuity_factor(rate, period), float(cap.sum()), float(annual.sum()),
            float(event.sum()), eac)


def rank(results: xr.Dataset, *, value_per_person_day: float = DEFAULTS["value_per_person_day"],
         displacement_cost_per_person_day: float = DEFAULTS["displacement_cost_per_person_day"],
         shelter_cost_per_place_day: float = DEFAULTS["shelter_cost_per_place_day"],
         discount_rate: float = DEFAULTS["discount_rate"],
         service_life_years: float | None = None,
         annual_probability: float | None = None) -> pd.DataFrame:
    """The options ranked (see the module docstring), one row each.

    Without ``annual_probability`` the ranking is by break-even return period (longest first)
    and there is no benefit–cost ratio (its columns NaN); with it, by mean benefit–cost ratio.
    ``service_life_years``: one life for every option [years]; ``None``: each option's own
    (:func:`option_costs`).

    Columns: ``option``, ``kind``, ``cost`` (up front [EUR]), ``annual_cost`` [EUR per year],
    ``event_cost`` [EUR per event], ``life_years`` (analysis period), ``equivalent_annual_cost``
    (``C / AF + a`` [EUR per year]), ``avoided_economic_loss`` (mean, ``_p5``, ``_p95``),
    ``avoided_person_days`` (mean, p5, p95; service loss), ``avoided_displaced_person_days``
    and ``avoided_sheltered_person_days`` (means), ``benefit`` (mean monetised avoided loss per
    event [EUR]; ``benefit_p5``, ``benefit_p95``), ``break_even_return_period`` [years]
    (of the mean benefit; ``_p5``, ``_p95`` of its percentiles), ``present_cost`` [EUR],
    ``benefit_pv`` [EUR] (mean, p5, p95), ``bcr`` (mean, ``bcr_p5``, ``bcr_p95``) and
    ``p_worth_it`` (share of members with BCR > 1) — these four NaN without an annual
    probability —, ``avoided_loss_ci90_crn`` and ``avoided_loss_ci90_independent`` (half-widths
    [EUR] of the 90 % interval of the mean avoided economic loss), ``rank``.

    >>> res = xr.Dataset({"economic_loss": (("option", "member"), [[9e6, 11e6], [8e6, 9e6]]),
    ...                   "service_loss_person_days": (("option", "member"), [[0., 0.], [0., 0.]]),
    ...                   "cost": ("option", [0.0, 1e5]), "kind": ("option", ["baseline", "x"])},
    ...                  coords={"option": ["baseline", "o"], "member": [0, 1]})
    >>> row = rank(res, discount_rate=0.0, service_life_years=10).iloc[0]
    >>> float(row["benefit"]), float(row["break_even_return_period"]), bool(np.isnan(row["bcr"]))
    (1500000.0, 150.0, True)
    >>> float(rank(res, discount_rate=0.0, service_life_years=10,
    ...            annual_probability=0.01).iloc[0]["bcr"])
    1.5
    """
    _number(value_per_person_day, "value_per_person_day")
    _number(displacement_cost_per_person_day, "displacement_cost_per_person_day")
    _number(shelter_cost_per_place_day, "shelter_cost_per_place_day")
    _number(discount_rate, "discount_rate")
    if service_life_years is not None:
        _number(service_life_years, "service_life_years", positive=True)
    p = annual_probability
    if p is not None and not (isinstance(p, (int, float, np.number)) and not isinstance(p, bool)
                              and 0 < p <= 1):
        raise InputError(f"annual_probability must be in (0, 1] or null, got {p!r}")
    base = results.sel(option="baseline")
    n = results.sizes["member"]
    z = 1.6448536269514722              # the 95 % quantile of the standard normal
    nan = math.nan
    rows = []
    for name in results["option"].values[1:]:
        o = results.sel(option=name)
        period, af, cap, annual, event, eac = _option_costs(results, name, discount_rate,
                                                            service_life_years)
        d_e = (base["economic_loss"] - o["economic_loss"]).values
        d_s = (base["service_loss_person_days"] - o["service_loss_person_days"]).values
        d_d, d_h = _avoided(base, o, "displaced_person_days"), _avoided(
            base, o, "sheltered_person_days")
        benefit = (d_e + value_per_person_day * d_s
                   + displacement_cost_per_person_day * (d_d - d_h)
                   + shelter_cost_per_place_day * d_h)
        b5, b95 = np.percentile(benefit, 5), np.percentile(benefit, 95)
        row = {"option": str(name), "kind": str(o["kind"].values), "cost": cap,
               "annual_cost": annual, "event_cost": event, "life_years": period,
               "equivalent_annual_cost": eac,
               "avoided_economic_loss": float(d_e.mean()),
               "avoided_economic_loss_p5": float(np.percentile(d_e, 5)),
               "avoided_economic_loss_p95": float(np.percentile(d_e, 95)),
               "avoided_person_days": float(d_s.mean()),
               "avoided_person_days_p5": float(np.percentile(d_s, 5)),
               "avoided_person_days_p95": float(np.percentile(d_s, 95)),
               "avoided_displaced_person_days": float(d_d.mean()),
               "avoided_sheltered_person_days": float(d_h.mean()),
               "benefit": float(benefit.mean()), "benefit_p5": float(b5),
               "benefit_p95": float(b95),
               "break_even_return_period": break_even_return_period(benefit.mean(), event, eac),
               "break_even_return_period_p5": break_even_return_period(b5, event, eac),
               "break_even_return_period_p95": break_even_return_period(b95, event, eac),
               "present_cost": nan, "benefit_pv": nan, "benefit_pv_p5": nan,
               "benefit_pv_p95": nan, "bcr": nan, "bcr_p5": nan, "bcr_p95": nan,
               "p_worth_it": nan}
        if p is not None:
            present_cost = af * (eac + p * event)       # = C + (a + p e) AF for one option
            pv = p * benefit * af
            with np.errstate(divide="ignore", invalid="ignore"):
                bcr = (pv / present_cost if present_cost > 0 else np.sign(pv) * np.inf)
            row.update({"present_cost": float(present_cost), "benefit_pv": float(pv.mean()),
                        "benefit_pv_p5": float(np.percentile(pv, 5)),
                        "benefit_pv_p95": float(np.percentile(pv, 95)),
                        "bcr": float(np.mean(bcr)), "bcr_p5": float(np.percentile(bcr, 5)),
                        "bcr_p95": float(np.percentile(bcr, 95)),
                        "p_worth_it": float((bcr > 1).mean())})
        independent = math.sqrt((base["economic_loss"].var(ddof=1)
                                 + o["economic_loss"].var(ddof=1)) / n) if n > 1 else math.nan
        crn = float(np.std(d_e, ddof=1) / math.sqrt(n)) if n > 1 else math.nan
        row.update({"avoided_loss_ci90_crn": z * crn,
                    "avoided_loss_ci90_independent": z * float(independent)})
        rows.append(row)
    table = pd.DataFrame(rows)
    key = "break_even_return_period" if p is None else "bcr"
    if len(table):
        table = table.sort_values([key, "option"], ascending=[False, True], kind="stable",
                                  na_position="last")
        table["rank"] = np.arange(1, len(table) + 1)
    lives = ("each option's service life" if service_life_years is None
             else f"{service_life_years:g} years")
    table.attrs.update({"per": "event (the avoided loss if the event happens; no benefit-cost "
                               "ratio without an annual probability)" if p is None else
                        f"present value over {lives} at {discount_rate:.1%}, annual probability "
                        f"{p:g}",
                        "annual_probability": p, "discount_rate": discount_rate,
                        "value_per_person_day": value_per_person_day,
                        "displacement_cost_per_person_day": displacement_cost_per_person_day,
                        "shelter_cost_per_place_day": shelter_cost_per_place_day,
                        "members": n})
    return table.reset_index(drop=True)


def value_sensitivity(results: xr.Dataset, values: Sequence[float] = VALUES_PER_PERSON_DAY,
                      **settings) -> pd.DataFrame:
    """The ranking of :func:`rank` again at each value of a person-day [EUR] in ``values``
    (the dominant assumption of the benefit, with no published source; ``settings``: the other
    keywords of :func:`rank`). One row per option and value: ``option``,
    ``value_per_person_day``, ``rank``, ``benefit`` [EUR per event],
    ``break_even_return_period`` [years], ``bcr`` (NaN without an annual probability)."""
    settings.pop("value_per_person_day", None)
    parts = []
    for v in values:
        t = rank(results, value_per_person_day=float(v), **settings)
        parts.append(t[["option", "rank", "benefit", "break_even_return_period", "bcr"]]
                     .assign(value_per_person_day=float(v)))
    cols = ["option", "value_per_person_day", "rank", "benefit", "break_even_return_period",
            "bcr"]
    return pd.concat(parts, ignore_index=True)[cols] if parts else pd.DataFrame(columns=cols)


def _plain(v):
    """A number for JSON: NaN as None, numpy scalars as Python's."""
    if isinstance(v, (float, np.floating)):
        return None if math.isnan(v) else float(v)
    if isinstance(v, np.integer):
        return int(v)
    return v


def summarise(table: pd.DataFrame, sensitivity: pd.DataFrame | None = None, **meta) -> dict:
    """What ``mitigation.json`` says about a ranking of :func:`rank`: ``meta`` (members,
    strategy, the valuation settings, the options skipped…), ``per``, ``best`` (the first
    row's option, kind, costs, benefit and break-even return period with their 5–95 %, and —
    with an annual probability — its BCR and ``p_worth_it``; ``None`` without), the break-even
    return period of every option (``break_even_return_periods``), the options in rank order,
    and the ranking at each value of a person-day (``value_sensitivity``: records)."""
    best = table.iloc[0]
    keys = ("cost", "annual_cost", "event_cost", "life_years", "benefit", "benefit_p5",
            "benefit_p95", "break_even_return_period", "break_even_return_period_p5",
            "break_even_return_period_p95", "bcr", "bcr_p5", "bcr_p95", "p_worth_it")
    out = dict(meta)
    out.update({
        "per": table.attrs.get("per", ""),
        "best": {"option": str(best["option"]), "kind": str(best["kind"]),
                 **{k: _plain(float(best[k])) for k in keys}},
        "break_even_return_periods": {str(o): _plain(float(r)) for o, r in
                                      zip(table["option"], table["break_even_return_period"])},
        "options": [str(o) for o in table["option"]],
    })
    if sensitivity is not None:
        out["value_sensitivity"] = [{k: _plain(v) for k, v in r.items()}
                                    for r in sensitivity.to_dict("records")]
    return out


# --------------------------------------------------------------------------- for reading

def _money(v) -> str:
    text = f"{v / 1e6:,.1f}"
    return "0.0" if text == "-0.0" else text


def _ratio(v) -> str:
    """3 significant figures; a ratio within 0.01 of 0 is said so, not printed to five decimals
    that no decision turns on."""
    if math.isinf(v):
        return "∞" if v > 0 else "-∞"
    if v != 0 and abs(v) < 0.01:
        return "< 0.01" if v > 0 else "> -0.01"
    return f"{v:.3g}"


def _years(v) -> str:
    """A break-even return period in words: ``never`` (≤ 0), ``any`` (costs nothing between
    events), ``< 1``, else whole years."""
    if v is None or (isinstance(v, float) and math.isnan(v)):
        return "–"
    if v <= 0:
        return "never"
    if math.isinf(v):
        return "any"
    return "< 1" if v < 1 else f"{v:,.0f}"


def _has_ratio(table: pd.DataFrame) -> bool:
    return "bcr" in table and bool(table["bcr"].notna().any())


def ranking_table(table: pd.DataFrame) -> pd.DataFrame:
    """The ranking of :func:`rank` formatted for reading (EUR M, whole person-days, years,
    ratios with 3 significant figures), indexed by rank. Without an annual probability it has
    no benefit–cost ratio: the avoided loss if the event happens and the break-even return
    period."""
    n = len(table)

    def col(name, default=0.0):
        return table[name] if name in table else pd.Series(np.full(n, default), table.index)

    out = pd.DataFrame({
        "option": table["option"], "kind": table["kind"],
        "up front [EUR M]": table["cost"].map(_money),
        "per year [EUR k]": col("annual_cost").map(lambda v: f"{v / 1e3:,.0f}"),
        "in an event [EUR M]": col("event_cost").map(_money),
        "life [years]": col("life_years", math.nan).map(
            lambda v: "–" if math.isnan(v) else f"{v:g}"),
        "avoided economic loss [EUR M] (5–95 %)": [
            f"{_money(a)} ({_money(lo)} to {_money(hi)})" for a, lo, hi in
            zip(table["avoided_economic_loss"], table["avoided_economic_loss_p5"],
                table["avoided_economic_loss_p95"])],
        "avoided service loss [person-days] (5–95 %)": [
            f"{a:,.0f} ({lo:,.0f} to {hi:,.0f})" for a, lo, hi in
            zip(table["avoided_person_days"], table["avoided_person_days_p5"],
                table["avoided_person_days_p95"])],
        "avoided days displaced [person-days]": [
            f"{a:,.0f}" for a in col("avoided_displaced_person_days")],
    })
    if "benefit" in table:
        out["avoided loss if the event happens [EUR M] (5–95 %)"] = [
            f"{_money(a)} ({_money(lo)} to {_money(hi)})" for a, lo, hi in
            zip(table["benefit"], table["benefit_p5"], table["benefit_p95"])]
    if "break_even_return_period" in table:
        out["break-even return period [years] (5–95 %)"] = [
            f"{_years(r)} ({_years(lo)} to {_years(hi)})" for r, lo, hi in
            zip(table["break_even_return_period"], table["break_even_return_period_p5"],
                table["break_even_return_period_p95"])]
    if _has_ratio(table):
        out["benefit–cost ratio (5–95 %)"] = [
            f"{_ratio(b)} ({_ratio(lo)} to {_ratio(hi)})" for b, lo, hi in
            zip(table["bcr"], table["bcr_p5"], table["bcr_p95"])]
        out["P(worth it)"] = table["p_worth_it"].map(lambda p: f"{p:.0%}")
    out.index = pd.Index(table["rank"].astype(int), name="rank")
    return out


def sensitivity_table(sensitivity) -> pd.DataFrame:
    """The ranking at each value of a person-day (:func:`value_sensitivity`, or its records in
    ``mitigation.json``) for reading: one row per option (in the order of the middle value),
    one column per value: its rank and its benefit–cost ratio, or without an annual probability
    its break-even return period."""
    s = pd.DataFrame(list(sensitivity) if not isinstance(sensitivity, pd.DataFrame)
                     else sensitivity)
    values = sorted(s["value_per_person_day"].unique())
    ratio = s["bcr"].notna().any()
    s = s.assign(cell=[f"{int(r)} · BCR {_ratio(b)}" if ratio else
                       f"{int(r)} · {_years(t)} years"
                       for r, b, t in zip(s["rank"], s["bcr"].astype(float),
                                          s["break_even_return_period"].astype(float))])
    wide = s.pivot(index="option", columns="value_per_person_day", values="cell")
    middle = s[s["value_per_person_day"] == values[len(values) // 2]].set_index("option")["rank"]
    wide = wide.loc[middle.sort_values(kind="stable").index, values]
    what = "rank · benefit–cost ratio" if ratio else "rank · break-even return period"
    wide.columns = [f"{v:g} EUR per person-day ({what})" for v in values]
    wide.index.name = "option"
    return wide


def _sensitivity_sentence(records) -> str:
    if not records:
        return ""
    s = pd.DataFrame(records)
    firsts = s[s["rank"] == 1].sort_values("value_per_person_day")
    values = " / ".join(f"{v:g}" for v in firsts["value_per_person_day"])
    names = firsts["option"].tolist()
    if len(set(names)) == 1:
        which = f"**{names[0]}** ranks first at each of {values} EUR per person-day"
    else:
        which = ("the first option is " + " / ".join(f"**{n}**" for n in names)
                 + f" at {values} EUR per person-day")
    return (f" The value of a person-day is the dominant assumption (it has no published "
            f"source): {which}.")


def ranking_summary(summary: dict) -> str:
    """One paragraph on the ranking. With an annual probability: the best option's
    benefit–cost ratio as a present value and how sure; without one: what the options avoid if
    the event happens and the return period at which each would break even — never a ratio nor
    that an option pays for itself."""
    best = summary["best"]
    p = summary.get("annual_probability")
    rate = summary.get("discount_rate", DEFAULTS["discount_rate"])
    life = best.get("life_years")
    life_words = f"its {life:g}-year life" if life else "its life"
    rp = best.get("break_even_return_period")
    even = (f"it would break even if the event recurred at least once every {_years(rp)} years"
            if rp is not None and 0 < rp < math.inf else
            "it never breaks even (its cost in an event exceeds what it avoids)"
            if rp is not None and rp <= 0 else
            "it costs nothing between events")
    tail = (_sensitivity_sentence(summary.get("value_sensitivity"))
            + " The ranking is that of this scenario's hazard and of the stated cost models "
              "(assumptions); with few members the ranges are rough.")
    head = f"Over {summary['members']} ensemble members under the {summary['strategy']} strategy"
    if p is None:
        periods = [v for v in summary.get("break_even_return_periods", {}).values()
                   if v is not None and 0 < v < math.inf]
        spread = (f" The options break even at return periods from {_years(min(periods))} to "
                  f"{_years(max(periods))} years." if len(periods) > 1 else "")
        return (f"No annual probability of the scenario is given "
                f"(`mitigation.annual_probability`), so there is no benefit–cost ratio: only "
                f"what each option avoids if the event happens, and the return period at "
                f"which it would repay its cost. {head}, **{best['option']}** breaks even at "
                f"the longest return period: if the event happens it avoids "
                f"{_money(best['benefit'])} EUR M of monetised loss (5–95 %: "
                f"{_money(best['benefit_p5'])} to {_money(best['benefit_p95'])}), with a "
                f"person-day valued at {summary['value_per_person_day']:g} EUR, for "
                f"{_money(best['cost'])} EUR M up front; discounted at {rate:.1%} over "
                f"{life_words}, {even}.{spread}{tail}")
    sure = best["p_worth_it"]
    verdict = ("pays for itself in every member" if sure == 1.0 else
               "pays for itself in no member" if sure == 0.0 else
               f"pays for itself in {sure:.0%} of the members")
    return (f"{head}, **{best['option']}** ranks first: benefit–cost ratio {best['bcr']:.3g} "
            f"(5–95 %: {best['bcr_p5']:.3g} to {best['bcr_p95']:.3g}) as a present value over "
            f"{life_words} at {rate:.1%}, with an annual probability {p:g} of the scenario (a "
            f"return period of about {1 / p:,.0f} years) and a person-day valued at "
            f"{summary['value_per_person_day']:g} EUR; it {verdict}, and {even}.{tail}")


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
                                          "assumption, the dominant one:\nthe ranking is also "
                                          "shown at 25, 50 and 100)")
    displacement_cost_per_person_day: float = setting(
        DEFAULTS["displacement_cost_per_person_day"],
        "EUR per person-day displaced outside a public shelter: lodging and meals\n(FEMA BCA's "
        "per-diem method; assumption: about the Finnish daily allowance)")
    shelter_cost_per_place_day: float = setting(DEFAULTS["shelter_cost_per_place_day"],
                                                "EUR per occupied public-shelter place and day "
                                                "(running costs; assumption)")
    discount_rate: float = setting(DEFAULTS["discount_rate"], "social discount rate, real (EU "
                                                              "CBA guide 2014: 3 % outside the "
                                                              "Cohesion Fund;\nFEMA BCA: "
                                                              "3.1 %)")
    service_life_years: float | None = setting(None, "years every option lasts; null = each "
                                                     "option's own life (its life_years, or its "
                                                     "kind's:\nretrofit 50, backup power 25, "
                                                     "reserve crews 10, shelters 15; "
                                                     "assumptions)")
    annual_probability: float | None = setting(None, "annual probability of the scenario "
                                                     "event (1 / its return period); null = "
                                                     "no benefit-cost\nratio, only the avoided "
                                                     "loss if the event happens and the "
                                                     "break-even return period")
    options: list = setting([o for o, _ in _OPTIONS], "kinds: "
                            + ", ".join(KINDS) + " (costs: workbench.mitigation; any option may "
                            "give cost,\nannual_cost, event_cost [EUR] and life_years)",
                            shown="")
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
        check(t is None or (is_number(t) and math.isfinite(t) and t > 0), "service_life_years",
              t, "null (each option's own life) or a finite number > 0 of years")
        a = self.annual_probability
        check(a is None or (is_number(a) and 0 < a <= 1), "annual_probability", a,
              "null (no benefit-cost ratio) or a number in (0, 1]")
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
