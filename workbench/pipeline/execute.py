"""Executing the stage notebooks with papermill and rendering them to HTML (METHOD §9).

The kernel is isolated from the folders a run touches: it starts in a fresh empty working
folder with ``PYTHONSAFEPATH=1`` (Python ≥ 3.11), so neither the run folder, the parameter
file's folder nor the current folder is on its import path — a ``pandas.py`` there is never
imported, a ``matplotlibrc`` there never read — and every path it gets is absolute.
"""

from __future__ import annotations

import logging
import os
import subprocess
import tempfile
from pathlib import Path

from ..errors import StageError
from ..paths import NOTEBOOKS_DIR
from .writer import write_text

__all__ = ["notebooks", "execute_notebook", "record_parameters", "render_html"]


def notebooks(directory: Path = NOTEBOOKS_DIR) -> list[Path]:
    """The stage notebooks, ``NN_name.ipynb``, in name order."""
    return sorted(Path(directory).glob("[0-9][0-9]_*.ipynb"))


def _isolated_kernel_manager(cwd: str):
    """A kernel manager class whose kernels start in ``cwd`` with ``PYTHONSAFEPATH=1``, talking
    to it over encrypted sockets where the kernel supports it."""
    from jupyter_client import AsyncKernelManager

    class IsolatedKernelManager(AsyncKernelManager):
        async def start_kernel(self, **kw):
            kw["env"] = {**(kw.get("env") or os.environ), "PYTHONSAFEPATH": "1"}
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


def execute_notebook(notebook: Path, executed: Path, parameters: dict) -> None:
    """Execute ``notebook`` into ``executed`` with the papermill ``parameters`` (absolute paths).

    Raises :class:`StageError` naming the notebook when a cell fails (the executed notebook is
    kept, with the error), and ``KeyboardInterrupt`` when the kernel was interrupted.
    """
    import papermill as pm
    with tempfile.TemporaryDirectory(prefix="workbench-kernel-") as cwd:
        try:
            pm.execute_notebook(_literal_path(notebook), _literal_path(executed),
                                kernel_name="python3", progress_bar=False, log_output=False,
                                parameters=parameters,
                                kernel_manager_class=_isolated_kernel_manager(cwd))
        except pm.PapermillExecutionError as exc:
            if exc.ename == "KeyboardInterrupt":
                raise KeyboardInterrupt from exc
            raise StageError(notebook.stem, f"{exc.ename}: {exc.evalue}") from exc


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


def render_html(notebook: Path) -> str | None:
    """Render an executed notebook to HTML beside it; returns the file name (None when the
    notebook was not written)."""
    if not notebook.exists():
        return None
    import nbformat
    from nbconvert import HTMLExporter
    exporter = HTMLExporter(template_name="lab")
    exporter.log.setLevel(logging.ERROR)  # its per-image "alternative text" notices are noise here
    body, _ = exporter.from_notebook_node(nbformat.read(str(notebook), as_version=4))
    target = notebook.with_suffix(".html")
    write_text(target, body)
    return target.name
