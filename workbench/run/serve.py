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

import ipaddress
import os
import secrets
import signal
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
#: The address served by default: this machine only.
DEFAULT_HOST = "127.0.0.1"
#: A kernel with no page connected for this long is shut down [s] (a participant who closed the
#: tab frees its ~280 MB); checked every CULL_INTERVAL_S.
CULL_IDLE_S = 300
CULL_INTERVAL_S = 60
#: Seconds Voilà has, after SIGTERM, to shut its kernels down before it is killed.
STOP_GRACE_S = 20


def check_host(host: str) -> tuple[str, bool]:
    """``(host, is_loopback)`` for an IP address to serve on; anything else is refused.

    >>> check_host("0.0.0.0"), check_host("127.0.0.1")
    (('0.0.0.0', False), ('127.0.0.1', True))
    >>> check_host("my laptop")
    Traceback (most recent call last):
    ...
    workbench.core.errors.InputError: --host must be an IP address of this machine (127.0.0.1, the default, or 0.0.0.0 for every interface), got 'my laptop'
    """
    try:
        address = ipaddress.ip_address(str(host).strip())
    except ValueError:
        raise InputError(f"--host must be an IP address of this machine (127.0.0.1, the default, "
                         f"or 0.0.0.0 for every interface), got {host!r}") from None
    return str(address), address.is_loopback


def serve_command(params: str | Path | None = None, *, port: int = DEFAULT_PORT,
                  save_dir: str | Path | None = None, run: str | Path | None = None,
                  host: str = DEFAULT_HOST, token: str | None = None
                  ) -> tuple[list[str], dict]:
    """The Voilà command line and environment that serve the dashboard (nothing started).

    On an address other than loopback the page asks for ``token`` (one is drawn with
    :mod:`secrets` when none is given; ``env["WORKBENCH_DASHBOARD_TOKEN"]`` holds it). Kernels
    without a page are culled after :data:`CULL_IDLE_S` seconds.

    >>> argv, env = serve_command(port=8870)
    >>> "--Voila.ip=127.0.0.1" in argv, argv[-1].endswith("explore_constraints.ipynb")
    (True, True)
    >>> argv, env = serve_command(port=8870, host="0.0.0.0", token="abc")
    >>> "--Voila.ip=0.0.0.0" in argv, "--Voila.token=abc" in argv
    (True, True)
    """
    host, loopback = check_host(host)
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
    if loopback:
        env.pop("WORKBENCH_DASHBOARD_TOKEN", None)
        access = []
    else:
        token = token or secrets.token_urlsafe(16)
        env["WORKBENCH_DASHBOARD_TOKEN"] = token
        access = [f"--Voila.token={token}"]
    argv = [sys.executable, "-m", "voila", "--no-browser", f"--port={port}",
            f"--Voila.ip={host}", *access, "--Voila.port_retries=0",
            f"--MappingKernelManager.cull_idle_timeout={CULL_IDLE_S}",
            f"--MappingKernelManager.cull_interval={CULL_INTERVAL_S}",
            "--MappingKernelManager.cull_connected=False",
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
          save_dir: str | Path | None = None, run: str | Path | None = None,
          host: str = DEFAULT_HOST) -> int:
    """Serve the dashboard until interrupted or terminated; returns the server's exit status.

    SIGTERM (a service manager, ``docker stop``) and Ctrl-C stop Voilà, which shuts its kernels
    down; one that has not ended after :data:`STOP_GRACE_S` seconds is killed."""
    argv, env = serve_command(params, port=port, save_dir=save_dir, run=run, host=host)
    token = env.get("WORKBENCH_DASHBOARD_TOKEN")
    shown = "127.0.0.1" if host in ("0.0.0.0", "::") else host
    url = f"http://{shown}:{port}/" + (f"?token={token}" if token else "")
    if token:
        print(f"WARNING: serving on {host}, not only this machine: anyone who can reach it on "
              f"port {port} and has the token can open the dashboard. Give participants "
              f"http://<this machine's address>:{port}/?token={token}", file=sys.stderr,
              flush=True)
    print(f"serving the dashboard on {url} (Ctrl-C stops; idle kernels end after "
          f"{CULL_IDLE_S // 60} min)", flush=True)
    child = subprocess.Popen(argv, env=env)

    def stop(signum, frame):
        child.terminate()

    previous = signal.signal(signal.SIGTERM, stop)
    try:
        while True:
            try:
                return child.wait()
            except KeyboardInterrupt:
                child.terminate()
    finally:
        signal.signal(signal.SIGTERM, previous)
        if child.poll() is None:
            try:
                child.wait(timeout=STOP_GRACE_S)
            except subprocess.TimeoutExpired:
                child.kill()
                child.wait()
