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
from pathlib import Path

from ..core.errors import InputError
from .pairs import check_pair
from ..core.paths import NOTEBOOKS_DIR
from .params import load_params

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
        if not (folder / "manifest.json").is_file():
            raise InputError(f"--run {str(run)!r} is not a finished run folder (no "
                             f"manifest.json); give a folder `workbench run` wrote")
        env["WORKBENCH_DASHBOARD_RUN"] = str(folder)
    else:
        env.pop("WORKBENCH_DASHBOARD_RUN", None)
    target = Path(save_dir).expanduser().absolute() if save_dir else Path.cwd()
    env["WORKBENCH_DASHBOARD_SAVE_DIR"] = str(target)
    if not DASHBOARD_NOTEBOOK.exists():
        raise InputError(f"the dashboard notebook {str(DASHBOARD_NOTEBOOK)!r} is missing")
    check_pair(DASHBOARD_NOTEBOOK)
    argv = [sys.executable, "-m", "voila", "--no-browser", f"--port={port}",
            "--Voila.ip=127.0.0.1", "--Voila.port_retries=0",
            "--VoilaConfiguration.show_tracebacks=False",
            "--VoilaConfiguration.strip_sources=True", str(DASHBOARD_NOTEBOOK)]
    return argv, env


def serve(params: str | Path | None = None, *, port: int = DEFAULT_PORT,
          save_dir: str | Path | None = None, run: str | Path | None = None) -> int:
    """Serve the dashboard until interrupted; returns the server's exit status."""
    argv, env = serve_command(params, port=port, save_dir=save_dir, run=run)
    print(f"serving the dashboard on http://127.0.0.1:{port}/ (Ctrl-C stops)", flush=True)
    return subprocess.call(argv, env=env)
