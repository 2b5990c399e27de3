"""Runs (METHOD §1, §8, §9): the stages, the run folder, ``summary.json``, ``manifest.json``.

``workbench simulate`` (:func:`simulate`) calls the stages in order, each a function of its
inputs that returns its outputs, and hands each one's output to the next in memory;
``workbench run`` (:func:`run`) executes every notebook in ``notebooks/`` in name order through
papermill, each in a kernel of its own that calls its stage and reads the earlier stages' files.
Both write the run folder all-or-nothing, one run at a time.

==========================  =========================================================================
module                      job
==========================  =========================================================================
:mod:`.table`               THE stage table: every stage declared once (:data:`STAGES`); for the
                            notebooks :func:`stage` (``stage(run_dir, "recovery")``), which reads
                            a stage's inputs from the run folder, computes and writes
:mod:`.stages`              the compute functions of mapping, damage, recovery (:func:`map_stage`,
                            :func:`damage_stage`, :func:`recovery_stage`); :mod:`.modelling`,
                            :mod:`.response`, :mod:`.uncertainty`, :mod:`.mitigation`: the others
:mod:`.analyses`            tables the notebooks show: :func:`cascade_table`,
                            :func:`services_lost`, :func:`resilience_attributes`, :func:`crew_sweep`,
                            :func:`commitment_sweep` (``commitment_sweep.csv``)
:mod:`.reader`              reading a run folder back: :func:`read_params`, :func:`load_run_city`,
                            :func:`load_damage`, :func:`crew_assignments`, :func:`read_result`
:mod:`.writer`              the one writer of a run folder's files; :func:`open_run`
:mod:`.summary`             ``summary.json`` as a dict
:mod:`.manifest`            ``manifest.json``
:mod:`.index`               ``index.html``
:mod:`.folder`              :class:`RunFolder`: staging folder, atomic swap, lock
:mod:`.execute`             papermill in an isolated kernel; notebooks to HTML
:mod:`.safe_html`           Markdown from the inputs, sanitised for the report
:mod:`.failures`            one-line failures, traceback logs
:mod:`.commands`            :func:`simulate`, :func:`run`
==========================  =========================================================================
"""

from ..params import dump_params
from .analyses import (cascade_table, commitment_sweep, crew_sweep, read_commitment_sweep,
                       resilience_attributes, services_lost)
from .commands import run, simulate
from .execute import notebooks
from .failures import ERROR_LOG
from .folder import RunFolder
from .index import write_index
from .manifest import write_manifest
from .modelling import TrainedModels, load_trained_archive, significance_stage, training_stage
from .reader import (PARAMS_FILE, crew_assignments, data_quality, input_files, load_damage,
                     load_run_city, read_params, read_result, resolve_city)
from .safe_html import markdown_html, safe_markdown
from .stages import RecoveryResult, damage_stage, hazard_intensity, map_stage, recovery_stage
from .table import (STAGES, Skipped, Stage, stage, stage_damage, stage_mapping, stage_recovery,
                    stage_significance, stage_training)
from .summary import DEFINITIONS, summarize
from .writer import open_run, run_directory, write_summary

__all__ = [
    "simulate", "run", "stage", "STAGES", "Stage", "Skipped", "open_run", "run_directory", "read_params", "resolve_city",
    "input_files", "load_run_city", "load_damage", "crew_assignments", "data_quality",
    "read_result",
    "map_stage",
    "damage_stage", "recovery_stage", "RecoveryResult", "stage_mapping", "stage_damage",
    "stage_recovery", "hazard_intensity", "cascade_table", "services_lost",
    "resilience_attributes", "crew_sweep", "commitment_sweep", "read_commitment_sweep",
    "summarize", "write_summary", "write_manifest",
    "write_index", "notebooks", "RunFolder", "safe_markdown", "markdown_html", "dump_params",
    "DEFINITIONS", "PARAMS_FILE", "ERROR_LOG", "TrainedModels", "significance_stage",
    "training_stage", "stage_significance", "stage_training", "load_trained_archive",
]
