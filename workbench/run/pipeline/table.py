"""THE stage table (METHOD §1, §9): every stage of a run declared once.

A :class:`Stage` says what the stage needs (named artefacts), what it makes, the function that
computes it from the parameters and its inputs, how its output is written into the run folder,
and why it is skipped when the parameters leave nothing for it to do. Both ways of running use
the table and nothing else:

- ``workbench simulate`` (:func:`~.commands.simulate`) walks the stages ``simulate`` takes, in
  order, and hands each one's output to the next in memory (:func:`run_in_memory`);
- a stage notebook calls :func:`stage` (``pipeline.stage(run_dir, "recovery")``): it reads what
  the stage needs from the run folder, computes and writes. A skipped stage returns a
  :class:`Skipped` that says why.

The notebooks run the stages in the order of the table: notebook ``NN`` calls the stages whose
``notebook`` is ``NN`` (a test holds the notebooks to the table).

=============  ========  ========================================  =========================
stage          notebook  needs → makes                              files
=============  ========  ========================================  =========================
mapping        01        → ``city``                                 ``city.nc``, ``networks/``
significance   02        → ``significance``                         ``significance.csv``
training       03        ``significance`` → ``trained``             ``models/``
damage         04        ``city`` → ``damage``                      ``damage.nc``
recovery       04        ``city``, ``damage``, ``archive`` →        ``recovery.nc``,
                         ``recovery``                               ``summary.json``, …
response       04        ``city``, ``damage``, ``recovery``,        ``response.nc``, …
                         ``archive`` → ``response``
uncertainty    05        ``city``, ``archive`` → ``uncertainty``    ``ensemble.nc``, …
mitigation     06        ``city``, ``archive`` → ``mitigation``     ``mitigation.csv``, …
validation     06        ``city``, ``recovery`` → ``validation``    ``validation.json``, …
=============  ========  ========================================  =========================

Notebook 06 is two notebooks, ``06_mitigation`` and ``06_validation`` (name order), so that the
report ``07_resilience_report`` stays the last stage.

``archive`` is stage 03's archive of trained functionality tables (``None`` before stage 03 or
without it).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable

import pandas as pd
import xarray as xr

from ...core.errors import InputError
from ...core.progress import stage_progress
from . import writer
from .mitigation import mitigation_stage, write_mitigation
from .modelling import (load_trained_archive, significance_stage, survey_data, training_stage,
                        write_models, write_significance)
from .reader import load_damage, load_run_city, read_params
from .response import response_stage, write_response
from .stages import damage_stage, map_stage, recovery_stage
from .uncertainty import uncertainty_stage, write_uncertainty
from .validation import validation_stage, write_validation

__all__ = ["Stage", "Skipped", "Artefact", "STAGES", "ARTEFACTS", "stage", "stage_names",
           "run_in_memory", "stage_mapping", "stage_damage", "stage_recovery",
           "stage_significance", "stage_training"]


@dataclass(frozen=True)
class Skipped:
    """What a skipped stage returns: its name and why it did not run (shown as the reason)."""

    stage: str
    reason: str

    def __bool__(self) -> bool:
        return False

    def __str__(self) -> str:
        return f"{self.stage} skipped: {self.reason}"

    def _repr_markdown_(self) -> str:
        return f"*{self.stage} skipped:* {self.reason}"


@dataclass(frozen=True)
class Stage:
    """One stage of a run.

    Attributes
    ----------
    name : str
        The stage's name: the key of :data:`STAGES` and of ``manifest.json``'s stages.
    notebook : str
        The number of the notebook that runs it (``"04"``).
    needs : tuple of str
        The artefacts it reads (keys of :data:`ARTEFACTS`), given to ``compute`` by name.
    makes : str
        The artefact it makes.
    compute : callable
        ``compute(params, **needs)`` → the output (``None``: nothing to do, see ``empty``).
    write : callable
        ``write(run_dir, params, output, inputs)``: its files in the run folder.
    skip : callable
        ``skip(params)`` → why the parameters leave the stage nothing to do, or ``None``.
    simulate : callable
        ``simulate(params)`` → whether ``workbench simulate`` runs it.
    empty : str
        Why, when ``compute`` returns ``None``.
    progress : tuple of str, optional
        (what, unit) of a stage that reports ``progress(done, total)``: ``compute`` then gets
        ``progress=`` :func:`workbench.core.progress.stage_progress` (shown in the notebook,
        and in the terminal under ``workbench run``).
    """

    name: str
    notebook: str
    needs: tuple[str, ...]
    makes: str
    compute: Callable[..., Any]
    write: Callable[[Path, dict, Any, dict], None]
    skip: Callable[[dict], str | None] = lambda params: None
    simulate: Callable[[dict], bool] = lambda params: True
    empty: str = "nothing to do"
    progress: tuple[str, str] | None = None


@dataclass(frozen=True)
class Artefact:
    """A stage output as the next stage reads it: from the run folder, or from the outputs in
    memory (by default the output of the stage that makes it)."""

    read: Callable[[Path], Any]
    in_memory: Callable[[dict], Any] | None = None


def _read_significance(run_dir: Path) -> pd.DataFrame:
    path = run_dir / "significance.csv"
    if not path.is_file():
        raise InputError(f"{str(path)!r} does not exist; run stage 02 "
                         f"(02_feature_significance) first.")
    return pd.read_csv(path)


def _read_recovery(run_dir: Path) -> xr.Dataset:
    path = run_dir / "recovery.nc"
    if not path.is_file():
        raise InputError(f"{str(path)!r} does not exist; run stage 04 "
                         f"(04_recovery_simulation) first.")
    with xr.open_dataset(path, engine="h5netcdf") as ds:
        return ds.load()


def _archive_in_memory(outputs: dict):
    trained = outputs.get("trained")
    return None if trained is None else trained.archive


#: How each artefact a stage needs is read.
ARTEFACTS: dict[str, Artefact] = {
    "city": Artefact(load_run_city),
    "damage": Artefact(load_damage),
    "significance": Artefact(_read_significance),
    "archive": Artefact(load_trained_archive, _archive_in_memory),
    "recovery": Artefact(_read_recovery, lambda outputs: outputs["recovery"].recovery),
}


def _trained_only(params: dict) -> bool:
    return params["models"]["functionality"] == "trained"


def _no_hazard(params: dict) -> str | None:
    if params["damage"]["source"] is not None:
        return ("this run reads its damage from a table (damage.source), so there is no hazard "
                "to resample.")
    return None


def _one_event(params: dict) -> str | None:
    if params.get("events"):
        return ("this run names events in sequence (events), and this stage is built for one "
                "event: it would describe the first alone.")
    return None


def _skip_uncertainty(params: dict) -> str | None:
    if params["ensemble"]["members"] == 0:
        return "ensemble.members is 0."
    return _no_hazard(params) or _one_event(params)


def _skip_mitigation(params: dict) -> str | None:
    m = params["mitigation"]
    if m["members"] == 0:
        return "mitigation.members is 0."
    if not m["options"]:
        return "mitigation.options is empty."
    return _no_hazard(params) or _one_event(params)


#: The stages, in the order they run.
STAGES: dict[str, Stage] = {s.name: s for s in (
    Stage("mapping", "01", (), "city",
          compute=map_stage,
          write=lambda run_dir, params, city, _: writer.write_city(run_dir, city)),
    Stage("significance", "02", (), "significance",
          compute=lambda params: significance_stage(params)[1],
          write=lambda run_dir, params, table, _: write_significance(run_dir, table),
          simulate=_trained_only),
    Stage("training", "03", ("significance",), "trained",
          compute=lambda params, significance: training_stage(params, survey_data(params),
                                                              significance),
          write=lambda run_dir, params, trained, _: write_models(run_dir, trained),
          simulate=_trained_only),
    Stage("damage", "04", ("city",), "damage",
          compute=damage_stage,
          write=lambda run_dir, params, damage, _: writer.write_damage(run_dir, damage)),
    Stage("recovery", "04", ("city", "damage", "archive"), "recovery",
          compute=recovery_stage,
          write=lambda run_dir, params, result, given: writer.write_recovery(
              run_dir, params, given["city"], given["damage"], result)),
    Stage("response", "04", ("city", "damage", "recovery", "archive"), "response",
          compute=response_stage,
          write=lambda run_dir, params, result, _: write_response(run_dir, result),
          skip=lambda params: _one_event(params) or (
              None if params["response"]["agents"] else
              "response.agents is false: no agents in this run."),
          simulate=lambda params: False),
    Stage("uncertainty", "05", ("city", "archive"), "uncertainty",
          compute=uncertainty_stage,
          write=lambda run_dir, params, result, _: write_uncertainty(run_dir, result),
          skip=_skip_uncertainty, simulate=lambda params: False,
          progress=("ensemble", "members")),
    Stage("mitigation", "06", ("city", "archive"), "mitigation",
          compute=mitigation_stage,
          write=lambda run_dir, params, result, _: write_mitigation(run_dir, result),
          skip=_skip_mitigation, simulate=lambda params: False,
          empty="no mitigation option acts on this city.",
          progress=("mitigation", "ensembles")),
    Stage("validation", "06", ("city", "recovery"), "validation",
          compute=validation_stage,
          write=lambda run_dir, params, result, _: write_validation(run_dir, result)),
)}


def stage_names(notebook: str) -> list[str]:
    """The stages notebook ``notebook`` (its number, ``"04"``) runs, in order."""
    return [s.name for s in STAGES.values() if s.notebook == notebook]


def _get(name: str) -> Stage:
    if name not in STAGES:
        raise InputError(f"unknown stage {name!r}; the stages are {list(STAGES)}.")
    return STAGES[name]


def _run(s: Stage, params: dict, inputs: Callable[[], dict], run_dir: Path):
    """Stage ``s``: why it is skipped, or its output computed from ``inputs()`` (read only when
    it runs) and written into ``run_dir``."""
    reason = s.skip(params)
    if reason is not None:
        return Skipped(s.name, reason)
    given = inputs()
    extra = {} if s.progress is None else {"progress": stage_progress(*s.progress)}
    out = s.compute(params, **given, **extra)
    if out is None:
        return Skipped(s.name, s.empty)
    s.write(run_dir, params, out, given)
    return out


def stage(run_dir: str | Path, name: str, **given):
    """Stage ``name`` on a run folder: read what it needs from ``run_dir`` (an input passed by
    keyword, such as a ``city`` the notebook already holds, is used as given), compute, write
    its files; return its output, or a :class:`Skipped` that says why it did not run.

    Examples
    --------
    >>> stage("reports/demo", "colour")
    Traceback (most recent call last):
    ...
    workbench.core.errors.InputError: unknown stage 'colour'; the stages are ['mapping', ...
    """
    s = _get(name)
    unknown = sorted(set(given) - set(s.needs))
    if unknown:
        raise InputError(f"stage {name!r} takes {list(s.needs) or 'no inputs'}, not {unknown}.")
    run_dir = Path(run_dir)
    params = read_params(run_dir)
    return _run(s, params, lambda: {k: given[k] if k in given else ARTEFACTS[k].read(run_dir)
                                    for k in s.needs}, run_dir)


def run_in_memory(params: dict, run_dir: Path, tracked) -> dict:
    """``workbench simulate``: the stages it takes, in order, each given the earlier outputs in
    memory and writing its files into ``run_dir``; ``tracked(name)`` is the context in which
    each runs (timing, failure). Returns the outputs by artefact."""
    outputs: dict = {}
    for s in STAGES.values():
        if not s.simulate(params):
            continue
        with tracked(s.name):
            outputs[s.makes] = _run(s, params, lambda: {
                k: ARTEFACTS[k].in_memory(outputs) if ARTEFACTS[k].in_memory else outputs[k]
                for k in s.needs}, run_dir)
    return outputs


# --------------------------------------------------------------------------- names of before
# The notebooks of earlier releases called one function per stage; they are :func:`stage`.

def stage_mapping(run_dir: str | Path):
    """``stage(run_dir, "mapping")``: the mapped city."""
    return stage(run_dir, "mapping")


def stage_damage(run_dir: str | Path, city=None):
    """``stage(run_dir, "damage")``: the damage Dataset."""
    return stage(run_dir, "damage", **({} if city is None else {"city": city}))


def stage_recovery(run_dir: str | Path, city=None, damage=None) -> xr.Dataset:
    """``stage(run_dir, "recovery").recovery``: the recovery Dataset."""
    given = {k: v for k, v in (("city", city), ("damage", damage)) if v is not None}
    return stage(run_dir, "recovery", **given).recovery


def stage_significance(run_dir: str | Path) -> pd.DataFrame:
    """``stage(run_dir, "significance")``: the significance table."""
    return stage(run_dir, "significance")


def stage_training(run_dir: str | Path):
    """``stage(run_dir, "training")``: the trained models."""
    return stage(run_dir, "training")
