"""``workbench simulate`` and ``workbench run`` (METHOD §9).

Both write their run folder all-or-nothing (:class:`~workbench.run.pipeline.folder.RunFolder`):
into a staging folder that takes the target's place when the run ends. A stage that fails still
ends in a finished folder, marked failed in ``manifest.json`` (and ``index.html`` under
``run``), with the traceback of an unexpected error in ``error.log``; the command then raises a
:class:`StageError` naming the stage. An interrupted run (``KeyboardInterrupt``) leaves the
previous folder as it was.
"""

from __future__ import annotations

import logging
import time
from contextlib import contextmanager
from pathlib import Path
from typing import Callable

from ...core.errors import InputError, StageError, WorkbenchError
from ..params import validate_params
from ..pairs import check_pairs
from ...core.paths import NOTEBOOKS_DIR
from . import writer
from .execute import StageKernel, execute_notebook, notebooks, record_parameters, render_html
from .failures import ERROR_LOG, describe, one_line, write_traceback
from .folder import RunFolder
from .index import write_index
from .manifest import write_manifest
from .reader import PARAMS_FILE
from .table import run_in_memory

__all__ = ["simulate", "run"]

log = logging.getLogger(__name__)

Progress = Callable[[str], None]


class _Tracker:
    """Times the stages of a run and records the first failure (for the manifest and index)."""

    def __init__(self, folder: RunFolder, progress: Progress | None):
        self.folder, self.progress = folder, progress
        self.timings: dict = {}
        self.error: dict | None = None

    @contextmanager
    def stage(self, name: str, label: str | None = None):
        """Run the block as stage ``name``; yields a dict of extra facts to record with it.

        Any exception becomes a :class:`StageError` naming the stage; one the workbench did
        not raise on purpose also leaves its traceback in the run folder's ``error.log``.
        """
        if self.progress:
            self.progress(label or f"{name} …")
        facts: dict = {}
        start = time.perf_counter()
        try:
            yield facts
        except Exception as exc:  # noqa: BLE001 — recorded, then re-raised as a StageError
            failure, traceback_file = self._failure(name, exc)
            text = str(failure).removeprefix(f"stage {name} failed: ")
            self.timings[name] = {"status": "failed", "seconds": self._since(start), **facts,
                                  "error": text}
            self.error = {"stage": name, "error": text, "traceback": traceback_file}
            if failure is exc:
                raise
            raise failure from exc
        self.timings[name] = {"status": "ok", "seconds": self._since(start), **facts}

    def skip(self, name: str) -> None:
        self.timings[name] = {"status": "skipped", "seconds": 0.0}

    @staticmethod
    def _since(start: float) -> float:
        return round(time.perf_counter() - start, 3)

    def _failure(self, name: str, exc: Exception) -> tuple[StageError, str | None]:
        if isinstance(exc, StageError):
            return exc, None
        if isinstance(exc, WorkbenchError):
            text = one_line(str(exc), limit=10_000)  # worded on purpose: kept whole
            return StageError(name, f"{type(exc).__name__}: {text}"), None
        written = write_traceback(exc, self.folder.path / ERROR_LOG)
        in_folder = written.parent == self.folder.path  # else a temporary file: see write_traceback
        shown = self.folder.target / ERROR_LOG if in_folder else written
        return (StageError(name, f"{describe(exc)} (traceback in {str(shown)!r})"),
                ERROR_LOG if in_folder else str(written))


@contextmanager
def _writing(folder: RunFolder):
    """Failures of the run folder's own files (parameters, manifest, the final rename), as one
    :class:`WorkbenchError` with the traceback in a temporary file: the folder is not kept."""
    try:
        yield
    except WorkbenchError:
        raise
    except Exception as exc:  # noqa: BLE001 — re-raised as a WorkbenchError naming the log
        log = write_traceback(exc)
        raise WorkbenchError(f"writing the run folder {str(folder.target)!r}: {describe(exc)} "
                             f"(the run folder is as it was before this run; traceback in "
                             f"{str(log)!r})") from exc


@contextmanager
def _run_folder(params: dict, out):
    """The :class:`RunFolder` of a run: ``out``, else ``reports/<name>/`` in the folder the
    command runs in (from the repository's root: its ``reports/``). An interrupt that
    comes once the new folder is in place (while the lock is released) ends nothing: the run is
    complete, so the command ends as if it had come a moment later."""
    folder = RunFolder(Path(out) if out is not None else Path.cwd() / "reports" / params["name"])
    try:
        with folder:
            yield folder
    except KeyboardInterrupt:
        if not folder.committed:
            raise
        log.warning("interrupted after the run folder %s was complete and in place", folder.target)


def _parameters(run_dir: Path) -> dict:
    """The papermill parameters of a stage notebook: absolute paths into ``run_dir``."""
    return {"params_file": str(run_dir / PARAMS_FILE), "run_dir": str(run_dir)}


def _finish(executed: Path, folder: RunFolder) -> str | None:
    """An executed notebook, naming the run folder it will be in, rendered to HTML."""
    record_parameters(executed, _parameters(folder.target))
    return render_html(executed)


def simulate(params: dict, out: str | Path | None = None,
             progress: Progress | None = None) -> Path:
    """``workbench simulate``: mapping → damage → recovery → indexes, no notebooks.

    With ``models.functionality: trained`` the significance and training stages run first
    (``significance.csv``, ``models/``) and the recovery uses their archive.

    The stages are those of the stage table (:mod:`.table`) that ``simulate`` takes, in its
    order; each gets its inputs from the ones before, in memory; the run folder gets
    ``params.yaml``, the stages' files, ``summary.json`` and ``manifest.json``. Returns the
    run folder.
    """
    params = validate_params(params)
    failure = None
    with _run_folder(params, out) as folder:
        tracker = _Tracker(folder, progress)
        with _writing(folder):
            writer.write_params(folder.path, params)
        try:
            run_in_memory(params, folder.path, tracker.stage)
        except StageError as exc:
            failure = exc
        with _writing(folder):
            write_manifest(folder.path, params, tracker.timings, tracker.error)
            folder.commit()
    if failure is not None:
        raise failure
    return folder.target


def run(params: dict, out: str | Path | None = None, *, notebook_dir: Path = NOTEBOOKS_DIR,
        progress: Progress | None = None) -> Path:
    """``workbench run``: execute every notebook with papermill into the run folder.

    Each notebook gets two parameters, ``params_file`` and ``run_dir`` (absolute paths of the
    folder being written). The notebooks run in one kernel, emptied before each
    (:class:`~workbench.run.pipeline.execute.StageKernel`). A failed notebook is kept (with its
    error) and rendered; later stages are skipped; ``index.html`` and ``manifest.json`` mark
    the failure; a :class:`StageError` names the stage. Returns the run folder.
    """
    params = validate_params(params)
    stages = notebooks(Path(notebook_dir))
    if not stages:
        raise InputError(f"no stage notebooks (NN_name.ipynb) in {str(notebook_dir)!r}.")
    check_pairs(Path(notebook_dir))   # before any output: an edit to one file of a pair only
    failure = None
    with _run_folder(params, out) as folder:
        tracker = _Tracker(folder, progress)
        with _writing(folder):
            writer.write_params(folder.path, params)
        with StageKernel() as kernel:    # one kernel for all the notebooks, emptied between
            for i, nb in enumerate(stages):
                if failure is not None:
                    tracker.skip(nb.stem)
                    continue
                executed = folder.path / nb.name
                try:
                    with tracker.stage(nb.stem, f"[{i + 1}/{len(stages)}] {nb.stem} …") as facts:
                        facts["notebook"] = nb.name
                        try:
                            execute_notebook(nb, executed, _parameters(folder.path),
                                             progress=progress and (
                                                 lambda line: progress(f"      {line}")),
                                             kernel=kernel)
                        except Exception:
                            facts["html"] = _finish(executed, folder)  # the failed one, its error
                            raise
                        facts["html"] = _finish(executed, folder)
                except StageError as exc:
                    failure = exc
                if progress:
                    t = tracker.timings[nb.stem]
                    progress(f"      {nb.stem}: {t['status']} in {t['seconds']:.1f} s")
        with _writing(folder):
            write_manifest(folder.path, params, tracker.timings, tracker.error)
            write_index(folder.path, params, tracker.timings, tracker.error)
            folder.commit()
    if failure is not None:
        raise failure
    return folder.target
