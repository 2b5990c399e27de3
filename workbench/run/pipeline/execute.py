"""Executing the stage notebooks with papermill and rendering them to HTML (METHOD §8, §9).

The kernel is isolated from the folders a run touches: it starts in a fresh empty working
folder with ``PYTHONSAFEPATH=1`` (Python ≥ 3.11), so neither the run folder, the parameter
file's folder nor the current folder is on its import path — a ``pandas.py`` there is never
imported, a ``matplotlibrc`` there never read — and every path it gets is absolute.

``workbench run`` executes its notebooks one after another in one such kernel
(:class:`StageKernel`), emptied between them as a new kernel would be: what they import is
loaded once per run instead of once per notebook.
"""

from __future__ import annotations

import logging
import os
import re
import subprocess
import tempfile
import threading
from pathlib import Path
from typing import Callable

from ...core.errors import StageError
from ...core.progress import PROGRESS_ENV
from ...show.formatting import short_path
from ...core.paths import NOTEBOOKS_DIR
from .writer import write_text

__all__ = ["notebooks", "execute_notebook", "StageKernel", "record_parameters", "render_html",
           "hides_code", "shorten_paths", "HIDDEN_CELL_TAGS", "TEMPLATES_DIR"]

#: Cells left out of every HTML page (kept in the executed notebook): papermill's parameter
#: cells, which carry the run's absolute paths.
HIDDEN_CELL_TAGS = ("parameters", "injected-parameters")
#: nbconvert templates of the workbench (``workbench``: offline, tables that fit the page).
TEMPLATES_DIR = Path(__file__).parent / "templates"


def notebooks(directory: Path = NOTEBOOKS_DIR) -> list[Path]:
    """The stage notebooks, ``NN_name.ipynb``, in name order."""
    return sorted(Path(directory).glob("[0-9][0-9]_*.ipynb"))


def _isolated_kernel_manager(cwd: str, env: dict | None = None):
    """A kernel manager class whose kernels start in ``cwd`` with ``PYTHONSAFEPATH=1`` (and
    ``env``), talking to it over encrypted sockets where the kernel supports it."""
    from jupyter_client import AsyncKernelManager

    class IsolatedKernelManager(AsyncKernelManager):
        async def start_kernel(self, **kw):
            kw["env"] = {**(kw.get("env") or os.environ), **(env or {}), "PYTHONSAFEPATH": "1"}
            kw["cwd"] = cwd
            kw.setdefault("transport_encryption", "auto")  # CurveZMQ where the kernel has it
            # no terminal: a Ctrl-C still ends the kernel with the workbench (same process
            # group), but the dying kernel's messages never mix into the one-line report
            kw["stdout"] = kw["stderr"] = subprocess.DEVNULL
            return await super().start_kernel(**kw)

    return IsolatedKernelManager


def _literal_path(path: Path) -> str:
    # papermill fills ``{name}`` in notebook paths from the parameters; doubled braces stay braces
    return str(path).replace("{", "{{").replace("}", "}}")


class StageKernel:
    """One isolated kernel (:func:`_isolated_kernel_manager`) for every stage notebook of a run,
    shut down when the ``with`` block ends, however it ends.

    Each notebook gets a fresh start (:meth:`fresh`): the user namespace emptied and the
    execution count back at 1 (IPython's ``reset(new_session=True)``), open figures closed. A
    notebook that leans on a name an earlier one defined fails as it would alone; what stays
    is what Python keeps between imports: the modules themselves, already loaded. That is the
    point. Loading the scientific stack (pandas, xarray, SciPy, HoloViews, matplotlib, PyMC,
    torch) took 6-8 s of each notebook's first cell and starting a kernel 3-4 s: a run of the
    toy city took 200 s with a kernel per notebook and 119 s with this one, on the slowed 2-core
    machine of the README, every data file and figure the same byte for byte but for recorded
    wall times and time stamps (``tests/test_stage_kernel.py`` re-runs stage 05 in a kernel of
    its own against it). A kernel found dead before a notebook is replaced by a new one.
    """

    def __init__(self):
        self._folder = tempfile.TemporaryDirectory(prefix="workbench-kernel-")
        self.cwd = self._folder.name
        self.progress_file = Path(self.cwd) / ".progress"
        self._manager = _isolated_kernel_manager(self.cwd,
                                                 {PROGRESS_ENV: str(self.progress_file)})
        self.manager = self._manager(kernel_name="python3")   # started by the first notebook

    def __enter__(self) -> "StageKernel":
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def fresh(self, stage: str) -> None:
        """Empty the kernel for the notebook of ``stage`` (nothing to do before the first)."""
        from jupyter_core.utils import run_sync
        self.progress_file.unlink(missing_ok=True)   # no earlier stage's line shown as new
        if not self.manager.has_kernel:
            return
        if not run_sync(self.manager.is_alive)():    # the notebook starts a new one
            run_sync(self.manager.shutdown_kernel)(now=True)
            self.manager = self._manager(kernel_name="python3")
            return
        client = self.manager.blocking_client()
        client.start_channels()
        try:
            reply = client.execute_interactive(_FRESH, silent=True, store_history=False,
                                               timeout=FRESH_TIMEOUT_S)
        except TimeoutError:
            raise StageError(stage, f"the run's kernel did not answer within {FRESH_TIMEOUT_S} "
                                    "s when asked to empty itself for this notebook") from None
        finally:
            client.stop_channels()
        if reply["content"]["status"] != "ok":
            raise StageError(stage, "the run's kernel could not empty itself for this notebook: "
                                    f"{reply['content'].get('evalue', '')}")

    def close(self) -> None:
        from jupyter_core.utils import run_sync
        try:
            if self.manager.has_kernel:
                run_sync(self.manager.shutdown_kernel)(now=True)
        finally:
            self._folder.cleanup()


#: Seconds the run's kernel has to empty itself before a notebook.
FRESH_TIMEOUT_S = 60
#: Run silently in the kernel before every notebook but the first: a new kernel's namespace
#: and execution count, no figure left open. The namespace is ``__main__``'s, and IPython's
#: reset drops its module attributes (``__spec__``, ``__loader__``, …) too; they are put back,
#: as a process pool started by spawning reads ``__main__.__spec__`` (stage 05 on a pool of
#: processes failed without them).
_FRESH = ("__import__('matplotlib.pyplot').pyplot.close('all')\n"
          "(lambda keep: (get_ipython().reset(new_session=True), globals().update(keep)))(\n"
          "    {k: v for k, v in globals().items() if k[:2] == k[-2:] == '__'})\n"
          "__import__('gc').collect()\n")


def execute_notebook(notebook: Path, executed: Path, parameters: dict,
                     progress: Callable[[str], None] | None = None,
                     kernel: StageKernel | None = None) -> None:
    """Execute ``notebook`` into ``executed`` with the papermill ``parameters`` (absolute paths),
    in ``kernel`` (emptied first) or else in a kernel of its own.

    ``progress(line)`` gets each new progress line of the stages the notebook runs (an
    ensemble's members done, rate and time left: :func:`workbench.core.progress.stage_progress`
    writes it to a file in the kernel's working folder, named to the kernel by
    :data:`~workbench.core.progress.PROGRESS_ENV`, and a thread here reads it every
    :data:`POLL_S` seconds).

    Raises :class:`StageError` naming the notebook when a cell fails (the executed notebook is
    kept, with the error), and ``KeyboardInterrupt`` when the kernel was interrupted.
    """
    if kernel is None:
        with StageKernel() as own:
            return execute_notebook(notebook, executed, parameters, progress, own)
    import papermill as pm
    kernel.fresh(notebook.stem)
    stop = threading.Event()
    watcher = None
    if progress is not None:
        watcher = threading.Thread(target=_watch, args=(kernel.progress_file, progress, stop),
                                   daemon=True, name="workbench-progress")
        watcher.start()
    try:
        pm.execute_notebook(_literal_path(notebook), _literal_path(executed),
                            kernel_name="python3", progress_bar=False, log_output=False,
                            parameters=parameters, km=kernel.manager)
    except pm.PapermillExecutionError as exc:
        if exc.ename == "KeyboardInterrupt":
            raise KeyboardInterrupt from exc
        raise StageError(notebook.stem, f"{exc.ename}: {exc.evalue}") from exc
    finally:
        stop.set()
        if watcher is not None:
            watcher.join()


#: Seconds between two reads of a running notebook's progress line.
POLL_S = 1.0


def _watch(path: Path, progress: Callable[[str], None], stop: threading.Event) -> None:
    """Hand each new line of ``path`` to ``progress`` until ``stop`` (and once more after)."""
    last = None
    while True:
        ended = stop.wait(POLL_S)
        try:
            line = path.read_text(encoding="utf-8").strip()
        except OSError:
            line = None
        if line and line != last:
            last = line
            progress(line)
        if ended:
            return


def record_parameters(executed: Path, parameters: dict) -> None:
    """Rewrite the injected-parameters cell of an executed notebook with ``parameters``.

    A run executes its notebooks on the staging folder; once that folder is the run folder,
    its notebooks name the run folder, so they are re-run in place from Jupyter as they stand.
    """
    if not executed.exists():
        return
    import nbformat
    from papermill.translators import translate_parameters
    nb = nbformat.read(str(executed), as_version=4)
    for cell in nb.cells:
        if "injected-parameters" in cell.get("metadata", {}).get("tags", []):
            cell.source = translate_parameters("python3", "python", parameters, "Parameters")
    nb.metadata.get("papermill", {})["parameters"] = parameters
    tmp = executed.with_name(executed.name + ".tmp")
    nbformat.write(nb, str(tmp))
    tmp.replace(executed)


def hides_code(nb) -> bool:
    """Whether a notebook asks for its code to be hidden in its HTML (notebook metadata
    ``workbench.hide_code``: the final report reads as a document; stage notebooks show code).
    Set it in JupyterLab's notebook metadata (Edit → Notebook metadata) or in the YAML header
    of the paired percent script (``workbench: hide_code: true``)."""
    return bool(nb.metadata.get("workbench", {}).get("hide_code", False))


def _title(nb) -> str | None:
    """The notebook's first Markdown heading, as the page's title."""
    for cell in nb.cells:
        if cell.cell_type == "markdown":
            for line in cell.source.splitlines():
                if line.startswith("# "):
                    return line[2:].strip()
    return None


#: An absolute path in an output's text (not a URL's path, not a closing tag).
_ABSOLUTE = re.compile(r"(?<![\w.:/<~])/(?:[^\s/'\"<>:;,()\[\]]+/)+[^\s/'\"<>:;,()\[\]]*")


def shorten_paths(text: str) -> str:
    """``text`` with every absolute path shortened (:func:`workbench.show.formatting.short_path`):
    warnings and tracebacks in a page then name no folder of the machine.

    Examples
    --------
    >>> shorten_paths("/opt/x/lib/site-packages/pytensor/cmodule.py:2986: UserWarning")
    '…/cmodule.py:2986: UserWarning'
    >>> shorten_paths("see https://example.org/a/b and </td>")
    'see https://example.org/a/b and </td>'
    """
    return _ABSOLUTE.sub(lambda m: short_path(m.group(0)), text)


def _shortened_outputs(cell) -> None:
    for out in cell.get("outputs", []):
        if out.get("output_type") == "stream":
            out["text"] = shorten_paths(out.get("text", ""))
        elif out.get("output_type") == "error":
            out["evalue"] = shorten_paths(out.get("evalue", ""))
            out["traceback"] = [shorten_paths(line) for line in out.get("traceback", [])]
        elif "text/plain" in out.get("data", {}):
            out["data"]["text/plain"] = shorten_paths(out["data"]["text/plain"])


def render_html(notebook: Path, *, hide_code: bool | None = None) -> str | None:
    """Render an executed notebook to HTML beside it; returns the file name (None when the
    notebook was not written).

    The page loads nothing from the network (the ``workbench`` template: JupyterLab's, without
    its require.js, MathJax and mermaid loaders). The cells tagged ``parameters`` and
    ``injected-parameters`` (the run's absolute paths) are left out of the HTML, the paths in
    warnings, tracebacks and printed text are shortened (:func:`shorten_paths`), and with
    ``hide_code`` (default: the notebook's :func:`hides_code`) every code cell's input and
    prompt too: only text, tables and figures remain. The executed ``.ipynb`` keeps them all.
    """
    if not notebook.exists():
        return None
    import nbformat
    from nbconvert import HTMLExporter
    from nbconvert.preprocessors import TagRemovePreprocessor
    nb = nbformat.read(str(notebook), as_version=4)
    hide = hides_code(nb) if hide_code is None else hide_code
    exporter = HTMLExporter(template_name="workbench", extra_template_basedirs=[str(TEMPLATES_DIR)],
                            exclude_input=hide, exclude_input_prompt=hide,
                            exclude_output_prompt=hide)
    exporter.register_preprocessor(TagRemovePreprocessor(remove_cell_tags=set(HIDDEN_CELL_TAGS),
                                                         enabled=True), enabled=True)
    exporter.log.setLevel(logging.ERROR)  # its per-image "alternative text" notices are noise here
    for cell in nb.cells:   # the HTML only: the executed notebook keeps the outputs as they are
        _shortened_outputs(cell)
    title = _title(nb)
    if title:
        nb.metadata["title"] = title
    body, _ = exporter.from_notebook_node(nb)
    target = notebook.with_suffix(".html")
    write_text(target, body)
    return target.name
