"""``workbench serve``: the constraint dashboard as a page on the loopback address (METHOD §8).

Voilà serves ``notebooks/explore_constraints.ipynb`` (sources stripped, tracebacks not sent to the
page) on ``127.0.0.1``; every visitor gets a kernel of their own, so a workshop's participants
move their own sliders. The parameter file is checked before the server starts (one line naming
the field on error) and reaches the notebook as ``WORKBENCH_DASHBOARD_PARAMS``; the folder the
page saves parameter files into is ``WORKBENCH_DASHBOARD_SAVE_DIR`` (default: the current
directory); ``--run DIR`` (``WORKBENCH_DASHBOARD_RUN``) names a finished run folder whose
trained models and stage-05 result the page shows.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
from pathlib import Path

from ..core.errors import InputError, WorkbenchError
from ..core.paths import NOTEBOOKS_DIR
from .pairs import check_pair
from .params import load_params
from .pipeline.reader import is_workbench_manifest, read_params

__all__ = ["DASHBOARD_NOTEBOOK", "DEFAULT_PORT", "serve_command", "serve"]

#: The notebook the server shows.
DASHBOARD_NOTEBOOK = NOTEBOOKS_DIR / "explore_constraints.ipynb"
#: Voilà's usual port.
DEFAULT_PORT = 8866


def serve_command(params: str | Path | None = None, *, port: int = DEFAULT_PORT,
                  save_dir: str | Path | None = None, run: str | Path | None = None
                  ) -> tuple[list[str], dict]:
    """The Voilà command line and environment that serve the dashboard (nothing started).

    >>> argv, env = serve_command(port=8870)
    >>> "--Voila.ip=127.0.0.1" in argv, argv[-1].endswith("explore_constraints.ipynb")
    (True, True)
    """
    if isinstance(port, bool) or not isinstance(port, int) or not 1024 <= port <= 65535:
        raise InputError(f"--port must be an integer from 1024 to 65535, got {port!r}")
    env = {**os.environ}
    if params:
        path = Path(params).expanduser().absolute()
        load_params(path)                      # refuse a bad file here, with its field named
        env["WORKBENCH_DASHBOARD_PARAMS"] = str(path)
    else:
        env.pop("WORKBENCH_DASHBOARD_PARAMS", None)
    if run:
        folder = Path(run).expanduser().absolute()
        if not is_workbench_manifest(folder / "manifest.json"):
            raise InputError(f"--run {str(run)!r} is not a finished run folder (no manifest.json "
                             f"that `workbench run` or `simulate` wrote); give a folder they wrote")
        try:                                   # the parameters every page starts from
            read_params(folder)
        except WorkbenchError as exc:
            raise InputError(f"--run {str(run)!r}: its parameters cannot be read: {exc}") from None
        env["WORKBENCH_DASHBOARD_RUN"] = str(folder)
    else:
        env.pop("WORKBENCH_DASHBOARD_RUN", None)
    target = Path(save_dir).expanduser().absolute() if save_dir else Path.cwd()
    _check_writable(target, "--save-dir" if save_dir else "the current folder (--save-dir)")
    env["WORKBENCH_DASHBOARD_SAVE_DIR"] = str(target)
    if not DASHBOARD_NOTEBOOK.exists():
        raise InputError(f"the dashboard notebook {str(DASHBOARD_NOTEBOOK)!r} is missing")
    check_pair(DASHBOARD_NOTEBOOK)
    argv = [sys.executable, "-m", "voila", "--no-browser", f"--port={port}",
            "--Voila.ip=127.0.0.1", "--Voila.port_retries=0",
            "--VoilaConfiguration.show_tracebacks=False",
            "--VoilaConfiguration.strip_sources=True", str(DASHBOARD_NOTEBOOK)]
    return argv, env


def _check_writable(folder: Path, what: str) -> None:
    """Refuse, before serving, a folder the dashboard's "save parameter file" could not write."""
    try:
        folder.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile(dir=folder, prefix=".workbench-write-check-"):
            pass
    except OSError as exc:
        raise InputError(f"{what} {str(folder)!r} is not a folder the dashboard can save "
                         f"parameter files into ({exc.strerror or exc}); give a writable one") \
            from None


def serve(params: str | Path | None = None, *, port: int = DEFAULT_PORT,
          save_dir: str | Path | None = None, run: str | Path | None = None) -> int:
    """Serve the dashboard until interrupted; returns the server's exit status."""
    argv, env = serve_command(params, port=port, save_dir=save_dir, run=run)
    print(f"serving the dashboard on http://127.0.0.1:{port}/ (Ctrl-C stops)", flush=True)
    return subprocess.call(argv, env=env)
