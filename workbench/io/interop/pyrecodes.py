"""A pyrecodes example under its own assumptions: read it, schedule its impeding activities, run
the workbench's recovery engine on it ([validation]).

pyrecodes (N. Blagojević and contributors; BSD-3, ETH Zürich / Stanford) describes a built
environment with four files: a *main* file naming a *component library* (per damage state of a
building: its recovery activities — duration distribution, resource demand, preceding
activities — and how damage relates to function) and a *system configuration* (constants,
localities, the R2D exposure and damage files, resource pools and the priority rule by which
each resource is handed out). :func:`read_pyrecodes` reads what the R2D housing examples use;
anything else is an :class:`~workbench.core.errors.InputError` naming the field, never a
silent reinterpretation.

How pyrecodes' model meets the workbench's engine
(:func:`workbench.uncertainty.peer.simulate_example` runs it):

* **Impeding activities** (inspection, clean-up, financing, design, mobilisation, permits,
  demolition: every activity before ``Repair``) take resources from pools in pyrecodes, unlike
  REDi's delays in :mod:`workbench.recovery.impeding`, which wait for nothing. They are
  scheduled here by pyrecodes' rule (:func:`activity_schedule`): each day every active
  activity (predecessors finished, not finished) demands its resources; each pool is handed
  out in one priority order — ``RandomPriority`` is reproduced exactly, Python's
  ``random.seed(seed)`` then ``random.shuffle`` of the component positions, as pyrecodes 0.3.0
  does — the last served building getting the remainder; an activity progresses by
  ``1 / duration`` times the smallest share met of its resources. This schedule is a port of
  pyrecodes' distribution rule (about 60 lines of numpy): the workbench has no
  resource-limited impeding activities of its own, and no library implements pyrecodes' rule.
  The day each building's repair may start becomes ``building_ready_day`` of the damage
  Dataset, which the engine uses in place of REDi's delays.
* **Repair** is the engine's: one task per damaged building of effort = the sampled ``Repair``
  duration [crew-days], crews = the ``RepairCrew`` pool, the peer rule ``random_priority``
  (:data:`workbench.recovery.strategies.PEER_RULES`), perfect information, no mobilisation.
  The engine puts one crew on a task; pyrecodes puts ``⌈area / REPAIR_CREW_DEMAND_PER_SQFT⌉``
  crews (at most ``MAX_REPAIR_CREW_DEMAND_PER_BUILDING``) on a building for its repair
  duration. :func:`crew_demand` gives that number so the difference can be measured.
* **Function**: a damage state whose ``DamageFunctionalityRelation`` is ``Constant`` keeps its
  residents, ``ReverseBinary`` loses them until repaired (``building_usable_share`` 1 or 0 of
  the damage Dataset, in place of the Hazus usable shares of
  :func:`workbench.functionality.usable_fractions`). Shelter is the building's own
  ``Population``; nobody is housed elsewhere (pyrecodes' ``HousingDistributionModel``).
* **Time**: day 0 is pyrecodes' ``DISASTER_TIME_STEP``; pyrecodes does no recovery work on that
  step, so activities here progress from day 1. pyrecodes records step ``s`` as day
  ``s − DISASTER_TIME_STEP``.

Differences that remain are named where the comparison is made
(``benchmarks/bench_pyrecodes.py``, README).
"""

from __future__ import annotations

import json
import math
import random
from dataclasses import dataclass, field
from pathlib import Path
from typing import Mapping

import numpy as np
import pandas as pd
import xarray as xr

from ...city.model import City
from ...core.dims import BUILDING, REALIZATION
from ...core.errors import InputError
from ..importers.files import existing_file
from .inventory import buildings_from_assets

__all__ = ["Activity", "PyrecodesExample", "read_pyrecodes", "activity_schedule",
           "crew_demand", "example_damage", "shelter_curve", "REPAIR", "RELATIONS"]

#: The activity that removes damage; every other activity is an impeding one.
REPAIR = "Repair"
#: pyrecodes' damage–functionality relations read here → usable share while damaged.
RELATIONS = {"Constant": 1.0, "ReverseBinary": 0.0}
_SUPPORTED_DISTRIBUTIONS = ("Lognormal", "Deterministic")


@dataclass(frozen=True)
class Activity:
    """One recovery activity of a damage state: duration distribution, demand, predecessors."""

    name: str
    distribution: str                      # "Lognormal" (median, dispersion) or "Deterministic"
    median: float                          # [days]
    dispersion: float                      # ln-units; 0 for a deterministic duration
    demand: tuple = ()                     # ((resource, amount per day), ...)
    preceding: tuple = ()

    def sample(self, rng: np.random.Generator, size: int) -> np.ndarray:
        """``size`` durations [days]: ``median · exp(dispersion · z)``, z standard normal."""
        if self.dispersion == 0 or self.distribution == "Deterministic":
            return np.full(size, float(self.median))
        return self.median * np.exp(self.dispersion * rng.standard_normal(size))


@dataclass(frozen=True)
class PyrecodesExample:
    """A pyrecodes R2D housing example, read (:func:`read_pyrecodes`)."""

    name: str
    city: City                             # the buildings inside the locality, in file order
    damage_state: np.ndarray               # (building,) 0..4, pyrecodes' rule (collapse → 4)
    repair_cost: np.ndarray                # (building,) R2D repair cost [USD] (unused by it)
    area_sqft: np.ndarray                  # PlanArea × NumberOfStories, as pyrecodes reads it
    library: Mapping[int, tuple]           # damage state → its activities (empty: none)
    usable_share: Mapping[int, float]      # damage state → share usable while damaged
    pools: Mapping[str, float]             # resource → amount per day (the suppliers')
    consumable: frozenset                  # resources consumed (money), not renewed daily
    priority: np.ndarray                   # (building,) position in the priority list, 0 first
    priority_seed: float
    constants: Mapping[str, object] = field(default_factory=dict)
    recovery_steps: tuple = ()             # (start, end, step) rules of RecoveryTimeStepping
    disaster_step: int = 1

    @property
    def population(self) -> np.ndarray:
        return np.asarray(self.city.buildings["population"].values, dtype=float)


# --------------------------------------------------------------------------- reading


def _json(path: Path, what: str) -> dict:
    path = existing_file(path, what)
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (json.JSONDecodeError, UnicodeDecodeError) as err:
        raise InputError(f"{what} {str(path)!r} is not valid JSON ({err}).") from err


def _get(mapping, key, where: str):
    if not isinstance(mapping, dict) or key not in mapping:
        raise InputError(f"{where}: missing field {key!r}.")
    return mapping[key]


def _folder_file(folder: Path, name: str) -> Path:
    """A file named in a pyrecodes file: ``{folder}/x.json`` or a bare name, inside ``folder``
    only (a pyrecodes file names no path outside its folder here)."""
    name = str(name).replace("{folder}/", "").replace("{folder}\\", "")
    path = (folder / name).resolve()
    if folder.resolve() not in path.parents:
        raise InputError(f"pyrecodes example {str(folder)!r}: file {name!r} is outside its folder.")
    return path


def _activity(name: str, spec: dict, where: str) -> Activity:
    dist = _get(spec, "Duration", where)
    if not isinstance(dist, dict) or len(dist) != 1:
        raise InputError(f"{where}: Duration must hold one distribution, got {dist!r}.")
    (kind, par), = dist.items()
    if kind not in _SUPPORTED_DISTRIBUTIONS:
        raise InputError(f"{where}: duration distribution {kind!r} is not read here; known: "
                         f"{list(_SUPPORTED_DISTRIBUTIONS)}.")
    if kind == "Lognormal":
        median, disp = float(_get(par, "Median", where)), float(_get(par, "Dispersion", where))
    else:
        median, disp = float(_get(par, "Value", where)), 0.0
    if not (math.isfinite(median) and median >= 0 and math.isfinite(disp) and disp >= 0):
        raise InputError(f"{where}: duration median {median!r} and dispersion {disp!r} must be "
                         f"finite and ≥ 0.")
    if kind == "Lognormal" and median == 0 and disp > 0:
        raise InputError(f"{where}: a lognormal duration needs a median > 0, got 0.")
    demand = []
    for item in spec.get("Demand", []) or []:
        amount = float(_get(item, "Amount", where))
        if not math.isfinite(amount) or amount < 0:
            raise InputError(f"{where}: demand of {item.get('Resource')!r} must be ≥ 0, got "
                             f"{amount!r}.")
        demand.append((str(_get(item, "Resource", where)), amount))
    return Activity(name, kind, median, disp, tuple(demand),
                    tuple(spec.get("PrecedingActivities", []) or []))


def _library(data: dict, source: str) -> tuple[dict, dict]:
    activities, usable = {}, {}
    for ds in range(5):
        key = f"DS{ds}_Building"
        entry = _get(data, key, source)
        model = _get(entry, "RecoveryModel", f"{source} {key}")
        relation = _get(_get(model, "DamageFunctionalityRelation", f"{source} {key}"), "Type",
                        f"{source} {key}.DamageFunctionalityRelation")
        if relation not in RELATIONS:
            raise InputError(f"{source} {key}: DamageFunctionalityRelation {relation!r} is not "
                             f"read here; known: {list(RELATIONS)}.")
        usable[ds] = RELATIONS[relation]
        params = model.get("Parameters") or {}
        acts = tuple(_activity(n, s, f"{source} {key}.{n}") for n, s in params.items())
        names = {a.name for a in acts}
        for a in acts:
            unknown = set(a.preceding) - names
            if unknown:
                raise InputError(f"{source} {key}.{a.name}: preceding activities "
                                 f"{sorted(unknown)} are not activities of {key}.")
        if acts and REPAIR not in names:
            raise InputError(f"{source} {key}: recovery activities {sorted(names)} lack "
                             f"{REPAIR!r}.")
        activities[ds] = acts
    return activities, usable


def _pools(library: dict, config: dict, source: str) -> tuple[dict, frozenset]:
    content = _get(config, "Content", source)
    pools, consumable = {}, set()
    for locality, spec in content.items():
        components = _get(spec, "Components", f"{source} Content.{locality}")
        for group in components.get("RecoveryResourceSuppliers", []):
            for name in group:
                entry = _get(library, name, f"component library (supplier {name!r})")
                for resource, s in (entry.get("Supply") or {}).items():
                    pools[resource] = pools.get(resource, 0.0) + float(_get(s, "Amount", name))
                    if (s.get("ResourceClass") or {}).get("ClassName") == "ConsumableResource":
                        consumable.add(resource)
    return pools, frozenset(consumable)


def _priority_seed(config: dict, source: str, resources) -> float:
    seeds = set()
    for resource in resources:
        spec = _get(_get(config, "Resources", source), resource, f"{source} Resources")
        model = _get(spec, "DistributionModel", f"{source} Resources.{resource}")
        prio = (model.get("Parameters") or {}).get("DistributionPriority")
        if prio is None or prio.get("ClassName") != "RandomPriority":
            raise InputError(f"{source} Resources.{resource}: distribution priority "
                             f"{(prio or {}).get('ClassName')!r} is not read here; only "
                             f"RandomPriority (one seed for every resource).")
        seeds.add(float(_get(prio.get("Parameters"), "Seed", f"{source} {resource}")))
    if len(seeds) != 1:
        raise InputError(f"{source}: the recovery resources use different RandomPriority seeds "
                         f"{sorted(seeds)}; one list for all is read here.")
    return seeds.pop()


def _inside(lat: np.ndarray, lon: np.ndarray, box, source: str) -> np.ndarray:
    """pyrecodes' ``component_inside_bounding_box`` for an axis-aligned box: strictly inside."""
    corners = np.asarray(box, dtype=float)
    if corners.ndim != 2 or corners.shape[1] != 2 or len(corners) < 4:
        raise InputError(f"{source}: BoundingBox must list [longitude, latitude] corners, got "
                         f"{box!r}.")
    lo, hi = corners.min(axis=0), corners.max(axis=0)
    rect = np.isin(corners[:, 0], [lo[0], hi[0]]).all() and np.isin(corners[:, 1],
                                                                    [lo[1], hi[1]]).all()
    if not rect:
        raise InputError(f"{source}: only an axis-aligned BoundingBox is read here, got {box!r}.")
    return (lon > lo[0]) & (lon < hi[0]) & (lat > lo[1]) & (lat < hi[1])


def _damage_states(damage: dict, ids, source: str) -> tuple[np.ndarray, np.ndarray]:
    records = _get(_get(damage, "Buildings", source), "Building", f"{source} Buildings")
    states, costs = np.zeros(len(ids), np.int64), np.zeros(len(ids))
    for i, bid in enumerate(ids):      # parsing JSON is per record
        rec = _get(records, bid, f"{source} Buildings.Building")
        dmg = _get(rec, "Damage", f"{source} building {bid}")
        if dmg.get("collapse-0") == 1:
            ds = 4
        else:
            ds = max([int(v) for k, v in dmg.items() if "collapse" not in k] + [0])
        if not 0 <= ds <= 4:
            raise InputError(f"{source} building {bid}: damage state {ds} is not 0..4.")
        states[i] = ds
        cost = ((rec.get("Loss") or {}).get("Repair") or {}).get("Cost") or {}
        costs[i] = max([float(v) for v in cost.values()] + [0.0])
    return states, costs


def read_pyrecodes(folder, main_file: str = "NorthEast_SF_Housing_Main.json") -> PyrecodesExample:
    """Read a pyrecodes R2D housing example (one locality, a building stock, recovery resources
    from suppliers, RandomPriority) from ``folder``.

    Parameters
    ----------
    folder : path-like
        Holds the main file and the files it names (``{folder}/…``).
    main_file : str
        The main file's name.

    Returns
    -------
    PyrecodesExample

    Raises
    ------
    InputError
        A missing file or field, a model this reader does not know (another component
        creator, distribution, damage–functionality relation or priority rule), a building
        without damage, naming the field.

    Examples
    --------
    >>> from workbench.core.paths import DATA_DIR
    >>> ex = read_pyrecodes(DATA_DIR / "peers" / "pyrecodes_example3")
    >>> ex.city.buildings.sizes["building"], int(ex.population.sum())
    (718, 80438)
    >>> [a.name for a in ex.library[1]]
    ['RapidInspection', 'ContractorMobilization', 'Repair']
    """
    folder = Path(folder)
    main = _json(folder / main_file, "pyrecodes main file")
    lib_name = _get(_get(main, "ComponentLibrary", main_file), "ComponentLibraryFile", main_file)
    cfg_name = _get(_get(main, "System", main_file), "SystemConfigurationFile", main_file)
    library = _json(_folder_file(folder, lib_name), "pyrecodes component library")
    config = _json(_folder_file(folder, cfg_name), "pyrecodes system configuration")
    activities, usable = _library(library, lib_name)
    pools, consumable = _pools(library, config, cfg_name)
    constants = dict(_get(config, "Constants", cfg_name))

    content = _get(config, "Content", cfg_name)
    if len(content) != 1:
        raise InputError(f"{cfg_name}: one locality is read here, got {len(content)}.")
    (locality, spec), = content.items()
    box = _get(_get(spec, "Coordinates", f"{cfg_name} {locality}"), "BoundingBox",
               f"{cfg_name} {locality}.Coordinates")
    stock = _get(_get(spec, "Components", f"{cfg_name} {locality}"), "BuildingStock",
                 f"{cfg_name} {locality}.Components")
    if len(stock) != 1 or len(stock[0]) != 1:
        raise InputError(f"{cfg_name}: one BuildingStock subsystem is read here.")
    (_, sub), = stock[0].items()
    if sub.get("CreatorClassName") != "R2DSubsystemCreator":
        raise InputError(f"{cfg_name}: BuildingStock creator {sub.get('CreatorClassName')!r} "
                         f"is not read here; only R2DSubsystemCreator.")
    par = _get(sub, "Parameters", f"{cfg_name} BuildingStock")
    if list(par.get("AssetTypes", [])) != ["Building"]:
        raise InputError(f"{cfg_name}: AssetTypes {par.get('AssetTypes')!r}; only ['Building'].")
    exposure = _json(_folder_file(folder, _get(par, "R2DJSONFile_Info", cfg_name)), "R2D exposure")
    damage_name = _get(_get(_get(config, "DamageInput", cfg_name), "Parameters", cfg_name),
                       "DamageFile", f"{cfg_name} DamageInput.Parameters")
    damage = _json(_folder_file(folder, damage_name), "R2D damage")
    subsystem = _get(exposure, par.get("SubsystemNameInR2DJSON", "Buildings"), "R2D exposure")
    assets = _get(subsystem, "Building", "R2D exposure Buildings")
    info = {k: _get(v, "GeneralInformation", f"R2D exposure building {k}") for k, v in
            assets.items()}
    lat = np.array([float(_get(g.get("location"), "latitude", f"building {k} location"))
                    for k, g in info.items()])
    lon = np.array([float(_get(g.get("location"), "longitude", f"building {k} location"))
                    for k, g in info.items()])
    keep = _inside(lat, lon, box, cfg_name)
    cap = par.get("MaxNumComponents")
    if cap is not None:
        keep &= np.cumsum(keep) <= int(cap)
    ids = [k for k, k_in in zip(info, keep) if k_in]
    if not ids:
        raise InputError(f"{cfg_name}: no building of the exposure lies inside {box!r}.")
    buildings = buildings_from_assets({k: assets[k] for k in ids},
                                      source=str(par["R2DJSONFile_Info"]))
    ds, cost = _damage_states(damage, ids, damage_name)
    area = np.array([float(info[k]["PlanArea"]) * float(info[k]["NumberOfStories"])
                     for k in ids])

    needed = {r for acts in activities.values() for a in acts for r, _ in a.demand}
    missing = needed - set(pools)
    if missing:
        raise InputError(f"{cfg_name}: activities demand {sorted(missing)} but no supplier "
                         f"provides them.")
    seed = _priority_seed(config, cfg_name, sorted(needed))
    # RandomPriority: random.seed(Seed); random.shuffle(component positions) — the suppliers
    # come first in pyrecodes' component list, so the buildings are positions 1..n
    order = list(range(1, len(ids) + 1))
    rnd = random.Random()
    rnd.seed(int(seed) if float(seed).is_integer() else seed)
    rnd.shuffle(order)
    priority = np.empty(len(ids), np.int64)
    priority[np.asarray(order) - 1] = np.arange(len(ids))
    steps = tuple((int(r["start"]), int(r["end"]), int(r["step"]))
                  for r in par.get("RecoveryTimeStepping", []) or [])
    city = City(buildings=buildings, name=f"pyrecodes {folder.name}",
                provenance=f"pyrecodes example {folder.name} (BSD-3; see its LICENSE)")
    return PyrecodesExample(
        name=folder.name, city=city, damage_state=ds, repair_cost=cost, area_sqft=area,
        library=activities, usable_share=usable, pools=pools, consumable=consumable,
        priority=priority, priority_seed=seed, constants=constants, recovery_steps=steps,
        disaster_step=int(constants.get("DISASTER_TIME_STEP", 1)))


# --------------------------------------------------------------------------- scheduling


def crew_demand(example: PyrecodesExample) -> np.ndarray:
    """Repair crews pyrecodes puts on each building at once: ``min(MAX_REPAIR_CREW_DEMAND_PER_
    BUILDING, ⌈area / REPAIR_CREW_DEMAND_PER_SQFT[DS]⌉)`` (0 when undamaged)."""
    per = example.constants.get("REPAIR_CREW_DEMAND_PER_SQFT", {})
    most = float(example.constants.get("MAX_REPAIR_CREW_DEMAND_PER_BUILDING", math.inf))
    out = np.zeros(len(example.damage_state))
    for ds in range(1, 5):
        at = example.damage_state == ds
        out[at] = np.minimum(most, np.ceil(example.area_sqft[at] / float(per.get(f"DS{ds}",
                                                                                 math.inf))))
    return out


def _recover_days(example: PyrecodesExample, horizon: int) -> np.ndarray:
    """For each day 0..horizon, the days of progress applied on it. pyrecodes recovers only on
    the steps its ``RecoveryTimeStepping`` lists, after the disaster step; a listed step ``s``
    applies the sub-steps since the previous listed one (``s − previous``, 1 for the first), so
    from step 100 on (steps of 10) ten days of work appear at once at the end of each ten.
    Without rules: 1 every day from day 1."""
    days = np.zeros(horizon + 1, np.int64)
    if not example.recovery_steps:
        days[1:] = 1
        return days
    listed = sorted({s for start, end, step in example.recovery_steps
                     for s in range(start, end, step)})
    for i, s in enumerate(listed):
        d = s - example.disaster_step
        if 1 <= d <= horizon:
            days[d] = 1 if i == 0 else s - listed[i - 1]
    return days


def _finished(level: np.ndarray) -> np.ndarray:
    """pyrecodes' ``activity_finished``: ``math.isclose(level, 1.0)`` (relative 1e-9)."""
    return np.abs(level - 1.0) <= 1e-9


def activity_schedule(example: PyrecodesExample, rng: np.random.Generator, *,
                      horizon: int = 730, durations: Mapping | None = None) -> pd.DataFrame:
    """The impeding activities of every damaged building under pyrecodes' rule, one
    realisation of their durations.

    Every day ``t ≥ 1`` (day 0 is the event): each activity whose predecessors finished
    before the day and which is not finished demands its resources; each pool is handed out
    in the priority order, the building where it runs out getting the remainder (its share
    met = what it got / what it asked); each active activity progresses by ``1 / duration``
    times the smallest share met of its resources (an activity of zero duration finishes at
    once). On pyrecodes' coarse recovery steps (``RecoveryTimeStepping``) the days of progress
    since the previous step are applied at once on that step's day, with the shares met of
    that step (an activity whose predecessors finish inside them runs at full rate, as in
    pyrecodes, which resets every share to 1 before handing out); what finishes in them counts
    as finished on that day.
    ``Repair`` is not scheduled here: its start is what this returns.

    ``durations`` (building id → {activity: days}) replaces the sampled durations where given:
    with the durations a pyrecodes run drew, its schedule is reproduced building by building
    (``benchmarks/bench_pyrecodes.py`` checks it).

    Returns
    -------
    pandas.DataFrame
        One row per building (index: building id): ``damage_state``, ``ready_day`` (the first
        day all of ``Repair``'s predecessors are finished; 0 for an undamaged building, ``inf``
        if not within ``horizon``), ``repair_days`` (the sampled ``Repair`` duration), and
        ``finish_<activity>`` (the day each activity finished; NaN where the building has no
        such activity).

    Examples
    --------
    Two buildings, one engineer: the second waits for the first's 2-day inspection.

    >>> ex = _toy_example(pools={"Engineer": 1.0})
    >>> s = activity_schedule(ex, np.random.default_rng(0))
    >>> s["ready_day"].tolist()
    [3.0, 5.0]
    """
    ds = np.asarray(example.damage_state)
    n = len(ds)
    names = sorted({a.name for acts in example.library.values() for a in acts} - {REPAIR})
    k = len(names)
    col = {name: j for j, name in enumerate(names)}
    resources = sorted({r for acts in example.library.values() for a in acts for r, _ in a.demand})
    rcol = {r: j for j, r in enumerate(resources)}
    has = np.zeros((n, k), bool)
    dur = np.zeros((n, k))
    need = np.zeros((n, k, len(resources)))
    pred = np.zeros((n, k, k), bool)         # pred[b, a, a'] = a' precedes a
    gate = np.zeros((n, k), bool)             # activities Repair waits for
    repair_days = np.zeros(n)
    ids = np.asarray(example.city.buildings[BUILDING].values).astype(str)
    given = {str(k): v for k, v in (durations or {}).items()}
    for state, acts in example.library.items():   # per damage state (≤ 5), not per building
        at = np.flatnonzero(ds == state)
        if not len(at) or not acts:
            continue
        for a in acts:
            d = a.sample(rng, len(at))
            if given:
                d = np.array([float(given.get(ids[i], {}).get(a.name, x)) for i, x in zip(at, d)])
            if a.name == REPAIR:
                repair_days[at] = d
                gate[np.ix_(at, [col[p] for p in a.preceding if p != REPAIR])] = True
                continue
            j = col[a.name]
            has[at, j], dur[at, j] = True, d
            for r, amount in a.demand:
                need[at, j, rcol[r]] = amount
            for p in a.preceding:
                pred[at, j, col[p]] = True
    used = [r for r in resources if r in example.consumable and need[..., rcol[r]].any()]
    if used:
        raise InputError(f"consumable resource(s) {used} are demanded; this schedule treats "
                         f"pools as renewed every day and does not model consumption.")
    supply = np.array([example.pools[r] for r in resources])
    rate = np.divide(1.0, dur, out=np.full_like(dur, np.inf), where=dur > 0)
    level = np.where(has, 0.0, 1.0)
    finish = np.where(has, np.inf, np.nan)
    order = np.argsort(example.priority, kind="stable")
    steps = _recover_days(example, horizon)
    damaged = ds > 0
    def startable(level):
        """(finished, may progress): unfinished activities of damaged buildings whose
        predecessors are finished."""
        done = _finished(level)
        ready = ~(pred & ~done[:, None, :]).any(axis=2)
        return done, has & ~done & ready & damaged[:, None]

    for t in range(1, horizon + 1):
        done, active = startable(level)
        if done[damaged].all():
            break
        if steps[t] == 0:
            continue
        asked = (need * active[..., None]).sum(axis=1)            # (building, resource)
        met = np.ones_like(asked)
        if len(resources):
            before = np.cumsum(asked[order], axis=0) - asked[order]
            got = np.clip(supply - before, 0.0, asked[order])
            share = np.divide(got, asked[order], out=np.ones_like(got), where=asked[order] > 0)
            met[order] = share
        # an activity's progress: its rate times the smallest share met of what it demands
        factor = np.where(need > 0, met[:, None, :], 1.0).min(axis=2) if len(resources) else 1.0
        for sub in range(steps[t]):        # pyrecodes' sub-steps of a coarse recovery step
            if sub:
                done, now_active = startable(level)
                # activities that became active inside the coarse step: pyrecodes resets
                # every share met to 1 before handing out, so they progress at full rate
                fresh = now_active & ~active
                go = (active | fresh) & ~done
                f = np.where(fresh, 1.0, factor)
            else:
                go, f = active, factor
            level = np.where(go, np.minimum(level + rate * f, 1.0), level)
            now = go & _finished(level)
            finish[now] = t
    # Repair may start the day after the last activity it waits for finished (inf: never)
    ready_day = np.where(damaged, np.where(gate, finish, 0.0).max(axis=1) + 1.0, 0.0)
    frame = pd.DataFrame({"damage_state": ds, "ready_day": ready_day,
                          "repair_days": repair_days},
                         index=pd.Index(example.city.buildings[BUILDING].values, name=BUILDING))
    for name, j in col.items():
        frame[f"finish_{name}"] = finish[:, j]
    return frame


def example_damage(example: PyrecodesExample, schedule: pd.DataFrame) -> xr.Dataset:
    """The damage Dataset the engine takes for one schedule: damage states, repair effort =
    the sampled ``Repair`` duration [crew-days], R2D repair costs [USD], ``building_ready_day``
    (imported impeding activities) and ``building_usable_share`` (pyrecodes' relations)."""
    ds = example.damage_state
    usable = np.array([example.usable_share[int(s)] for s in ds], dtype=float)
    effort = np.where(ds > 0, schedule["repair_days"].to_numpy(), 0.0)
    ready = schedule["ready_day"].to_numpy()
    ready = np.where(np.isfinite(ready), ready, 1e9)   # never ready: beyond any horizon
    dims = (REALIZATION, BUILDING)
    damage = xr.Dataset(
        {"building_damage_state": (dims, ds[None].astype(np.int8)),
         "building_repair_days": (dims, effort[None]),
         "building_repair_cost": (dims, example.repair_cost[None]),
         "building_ready_day": (dims, ready[None]),
         "building_usable_share": (dims, usable[None])},
        coords={REALIZATION: [0], BUILDING: example.city.buildings[BUILDING].values})
    damage.attrs.update({"source": f"pyrecodes example {example.name}", "currency": "USD"})
    return damage


def shelter_curve(example: PyrecodesExample, restored_day: np.ndarray, horizon: int
                  ) -> np.ndarray:
    """Beds met on days 0…horizon [persons]: the population of every building usable on the
    day (usable while damaged, or restored by then)."""
    usable = np.array([example.usable_share[int(s)] for s in example.damage_state]) >= 1.0
    pop = example.population
    t = np.arange(horizon + 1)
    home = usable[:, None] | (np.asarray(restored_day)[:, None] <= t[None, :])
    return (pop[:, None] * home).sum(axis=0)


def _toy_example(pools: Mapping[str, float]) -> PyrecodesExample:
    """Two DS2 buildings whose repair waits for a 2-day inspection by one ``Engineer`` (for the
    examples and tests)."""
    from ...city import toy_city
    city = toy_city()
    b = city.buildings.isel({BUILDING: [0, 1]})
    b = b.assign(population=(BUILDING, [10.0, 20.0]))
    acts = (Activity("Inspect", "Deterministic", 2.0, 0.0, (("Engineer", 1.0),)),
            Activity(REPAIR, "Deterministic", 1.0, 0.0, (("RepairCrew", 1.0),), ("Inspect",)))
    return PyrecodesExample(
        name="toy", city=City(buildings=b), damage_state=np.array([2, 2]),
        repair_cost=np.zeros(2), area_sqft=np.array([1000.0, 1000.0]),
        library={0: (), 1: (), 2: acts, 3: (), 4: ()},
        usable_share={0: 1.0, 1: 1.0, 2: 0.0, 3: 0.0, 4: 0.0},
        pools={"RepairCrew": 1.0, **pools}, consumable=frozenset(),
        priority=np.array([0, 1]), priority_seed=42.0)
