"""The compute functions of the mapping, damage and recovery stages (METHOD §1, §8): functions
of the parameters and their inputs that return their outputs, and the helpers the later stages
share (:func:`mitigated`, :func:`hazard_intensity`, :func:`constraints`).

What each stage needs and makes, how it is written and read, and in which notebook it runs, is
declared once in the stage table (:mod:`.table`).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
import xarray as xr

from ...city.model import City
from ...core.dims import REALIZATION
from .reader import city_folder, resolve_city
from ...recovery import Constraints
from ...city.mapping import map_city
from ...core.sections import from_mapping
from ...hazard.section import HazardSection
from ...functionality import Shelters
from ...recovery.sequence import join_events
from ...network.system import build_system
from ...mitigation import Option, apply, parse_options
from ...hazard.damage import sample_damage
from ..memory import check_memory
from ...metrics.indexes import summary_indexes
from ...models.section import FUNCTIONALITY_MODELS, functionality_model
from ...recovery import simulate_recovery
from ...recovery.gap import strategy_gap
from ...recovery.sweeps import SHELTER_SWEEP, shelter_sweep
from .modelling import functionality_of

__all__ = ["RecoveryResult", "map_stage", "damage_stage", "recovery_stage", "hazard_intensity",
           "realization", "constraints", "mitigated"]


@dataclass(frozen=True)
class RecoveryResult:
    """What the recovery stage returns.

    Attributes
    ----------
    recovery : xarray.Dataset
        Per strategy (and realisation, when several): restoration days and EP/SC curves.
    summaries : list of dict
        Per realisation, ``{strategy: {index: value}}``
        (:func:`workbench.metrics.indexes.summary_indexes`).
    assignments : pandas.DataFrame
        Every crew stint, with its ``realization``.
    """

    recovery: xr.Dataset
    summaries: list
    assignments: pd.DataFrame
    functionality: str = "table"
    comparison: dict | None = None
    gap: list | None = None
    shelters: dict | None = None


def realization(ds: xr.Dataset, r: int) -> xr.Dataset:
    """Realisation ``r`` of a Dataset with dim ``realization`` (a Dataset without it as is)."""
    return ds.isel({REALIZATION: r}) if REALIZATION in ds.dims else ds


def constraints(params: dict, crews=None):
    """The :class:`~workbench.recovery.Constraints` of the parameters (``crews`` overridden)."""
    given = params["constraints"] if crews is None else {**params["constraints"], "crews": crews}
    return Constraints(horizon_days=params["horizon_days"], **given)


def map_stage(params: dict) -> City:
    """Stage 01: the city the parameters name, every building mapped onto every network."""
    return map_city(resolve_city(params), max_distance=params["map"]["max_distance_m"])


def hazard_intensity(hazard: dict, city: City, components: xr.Dataset, city_dir=None
                     ) -> xr.Dataset:
    """The intensity Dataset (shaking, or a flood's depths, at buildings and components) the
    ``hazard`` parameters name: :meth:`~workbench.hazard.section.HazardSection.intensity`, by
    the registry of hazard kinds (``location: centre`` puts an earthquake's epicentre at the
    mean building position; a flood's ``terrain: null`` reads ``city_dir``'s terrain.csv)."""
    return from_mapping(HazardSection, hazard).intensity(city.buildings, components,
                                                         city_dir=city_dir)


def mitigated(params: dict, city: City, system=None):
    """(city, system, constraints, shelters) with the options of ``mitigation.apply`` in effect
    (:func:`workbench.mitigation.apply`; a retrofit raises each building to the better of the
    target and the level ``damage.design_code`` gives it); as they are when it is empty."""
    system = system if system is not None else build_system(city)
    limits, shelters = constraints(params), Shelters()
    names = params["mitigation"]["apply"]
    if not names:
        return city, system, limits, shelters
    options = {o.name: o for o in parse_options(params["mitigation"]["options"])}
    together = Option(" + ".join(names), "combination", {}, tuple(names))
    return apply(together, city, system, limits, shelters, by_name=options,
                 design_code=params["damage"]["design_code"])


def damage_stage(params: dict, city: City, system=None) -> xr.Dataset:
    """Stage hazard → damage: sample damage for every realisation, or read it from the table
    ``damage.source`` names (then the hazard is not used); with ``damage.road_debris``, block
    the road edges next to collapsed buildings (:func:`workbench.hazard.debris.road_blockage`). The
    options of ``mitigation.apply`` are in effect (:func:`mitigated`). Later ``events`` are
    sampled too and carried in the Dataset (:func:`workbench.recovery.sequence.join_events`),
    each with the seed ``SeedSequence([seed, k])`` of its place k."""
    city, system, _, _ = mitigated(params, city, system)
    n_b, n_c = city.buildings.sizes["building"], system.n_components
    if params["damage"]["source"] is not None:
        from ...io.interop import read_damage
        damage = read_damage(Path(params["damage"]["source"]).expanduser(), city, system=system,
                             currency="EUR", realizations=params["realizations"])
        check_memory(params, n_b, n_c, realizations=damage.sizes[REALIZATION])
    else:
        check_memory(params, n_b, n_c)   # refuse before allocating, with the estimate
        hazard = hazard_intensity(params["hazard"], city, system.components,
                                  city_dir=city_folder(params))
        damage = sample_damage(city.buildings, system.components, hazard,
                               realizations=params["realizations"], seed=params["seed"],
                               design_code=params["damage"]["design_code"],
                               building_model=params["damage"]["building_model"])
    from ...hazard.debris import road_blockage
    if params["damage"]["road_debris"]:
        damage = road_blockage(system, damage)
    later = []
    for k, event in enumerate(params.get("events") or [], start=1):
        # each later event's own damage, its seed derived from the run's and its place
        seed = int(np.random.SeedSequence([params["seed"], k]).generate_state(1)[0])
        hazard = hazard_intensity(event["hazard"], city, system.components,
                                  city_dir=city_folder(params))
        one = sample_damage(city.buildings, system.components, hazard,
                            realizations=params["realizations"], seed=seed,
                            design_code=params["damage"]["design_code"],
                            building_model=params["damage"]["building_model"])
        if params["damage"]["road_debris"]:
            one = road_blockage(system, one)
        later.append((event["day"], one))
    return join_events(damage, later) if later else damage


def recovery_stage(params: dict, city: City, damage: xr.Dataset, system=None,
                   archive: xr.Dataset | None = None) -> RecoveryResult:
    """Stage recovery: simulate every strategy on every realisation (seed ``seed + r``).

    The functionality model is ``models.functionality``: the lookup tables, or the ``archive``
    of trained tables (stage 03). When an archive is given, the indexes are also computed under
    the other model (``comparison``: ``{"table": summaries, "trained": summaries}``), so the
    report shows both side by side. The options of ``mitigation.apply`` are in effect.
    """
    city, system, limits, shelters = mitigated(params, city, system)
    used = params["models"]["functionality"]
    model = functionality_of(params, archive)
    # with an archive, the indexes under every other functionality model too (the registry's)
    others = [n for n in FUNCTIONALITY_MODELS if n != used] if archive is not None else []
    comparison = {n: [] for n in FUNCTIONALITY_MODELS} if archive is not None else None
    results, summaries, stints = [], [], []
    gaps = [] if {"semiflexible", "flexible"} <= set(params["strategies"]) else None
    for r in range(damage.sizes.get(REALIZATION, 1)):
        one = realization(damage, r)
        recovery, table = simulate_recovery(city, system, one, limits,
                                            strategies=tuple(params["strategies"]),
                                            functionality=model, shelters=shelters,
                                            seed=params["seed"] + r, return_assignments=True)
        results.append(recovery)
        summaries.append(summary_indexes(recovery, city, one))
        stints.append(table.assign(**{REALIZATION: r}))
        if comparison is not None:
            comparison[used].append(summaries[-1])
        if gaps is not None:            # the semiflexible − flexible gap by cause
            gaps.append(strategy_gap(city, system, one, limits, functionality=model,
                                     shelters=shelters, seed=params["seed"] + r))
        for name in others:
            alt = simulate_recovery(city, system, one, limits,
                                    strategies=tuple(params["strategies"]),
                                    functionality=functionality_model(name, archive),
                                    shelters=shelters, seed=params["seed"] + r)
            comparison[name].append(summary_indexes(alt, city, one))
    recovery = results[0] if len(results) == 1 else xr.concat(results, dim=REALIZATION)
    recovery.attrs["functionality"] = used
    return RecoveryResult(recovery=recovery, summaries=summaries,
                          assignments=pd.concat(stints), functionality=used,
                          comparison=comparison, gap=gaps,
                          shelters=shelter_sensitivity(params, city, system, realization(damage, 0),
                                                       limits, shelters, model))


def shelter_sensitivity(params: dict, city: City, system, damage: xr.Dataset, limits,
                        shelters: Shelters, model) -> dict:
    """The ``shelter_sensitivity`` entry of ``summary.json``: the service loss and displaced
    person-days of one strategy (semiflexible where it is run) on ``damage`` with each assumption
    of :data:`~workbench.recovery.sweeps.SHELTER_SWEEP` set to each of its values in turn."""
    strategy = ("semiflexible" if "semiflexible" in params["strategies"]
                else params["strategies"][0])
    out = {"strategy": strategy, "realization": 0}
    for field, values in SHELTER_SWEEP.items():
        table = shelter_sweep(city, system, damage, limits, field, values, shelters=shelters,
                              strategies=(strategy,), functionality=model,
                              seed=params["seed"])
        # one strategy: one row per value, in order (the values as given: None stays None)
        out[field] = [{"value": value,
                       "service_loss_person_days": float(row["service_loss_person_days"]),
                       "displaced_person_days": float(row["displaced_person_days"])}
                      for value, row in zip(values, table.to_dict("records"))]
    return out
