"""``workbench serve``: the constraint dashboard as a page on the loopback address (METHOD §8).

Voilà serves ``notebooks/explore_constraints.ipynb`` (sources stripped, tracebacks not sent to the
page) on ``127.0.0.1``; every visitor gets a kernel of their own, so a workshop's participants
move their own sliders. The parameter file is checked before the server starts (one line naming
the field on error) and reaches the notebook as ``WORKBENCH_DASHBOARD_PARAMS``; the folder the
page saves parameter files into is ``WORKBENCH_DASHBOARD_SAVE_DIR`` (default: the current
directory); ``--run DIR`` (``WORKBENCH_DASHBOARD_RUN``) names a finished run folder whose
trained models and stage-05 result the page shows.

**Pages prepared in advance.** A visitor's kernel has to start Python, import the model and
compute the default scenario before the page shows a figure: measured on a 2-core machine, 7.4 s
for one visit and 62–64 s for each of 10 pages opened at once (before this change). Where the
time went, in the kernel (``Dashboard()`` on the demo city, 5.4 s after 1.2 s of imports):
city and networks 0.25 s, **damage 0.03 s**, the recovery stage 2.1 s (1.8 s of it the report's
gap-by-cause and shelter sweep, which the page never shows: :func:`~workbench.run.dashboard.recover`
now leaves them out) and the first drawing 2.8 s (2 s of it importing HoloViews for three
colours: no longer). So preparing the *damage* once per server, as first planned, would save
0.03 s of 7 s: not done. What is done instead is Voilà's pre-heated kernels
(``--preheat_kernel``, Voilà ≥ 0.3; installed 0.5.13): :data:`POOL` kernels per server run the
notebook before anyone visits, a visitor takes a finished one and Voilà starts the next in the
background, so the first :data:`POOL` visitors at once, and every later one who does not arrive
faster than a kernel starts (~4 s), see the figures as soon as the browser has drawn the page.
The cost is memory: each waiting kernel holds ~240 MB (``WORKBENCH_SERVE_POOL`` sets the
number; 0 turns it off). Nothing is cached in a file, so nothing is unpickled or read back.

**Nothing fetched from elsewhere.** Voilà's ``lab`` page links Font Awesome from a CDN, although
its own ``voila.js`` carries the same Font Awesome 5 with its fonts; offline that link fails and
stalls the page. The server writes, into a temporary folder of its own, a template
``workbench-offline`` that extends ``lab`` and drops every ``<link>`` to another host, and
serves with it (visitors cannot pick another template).
"""

from __future__ import annotations

import ipaddress
import os
import json
import secrets
import shutil
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
#: tab frees its ~240 MB); checked every CULL_INTERVAL_S (at most half of it).
#: ``WORKBENCH_SERVE_CULL_IDLE_S`` sets another, 30 s at least: a taken pool kernel whose page has
#: not connected yet counts as idle, and a page drawn by a busy browser took over 10 s (culled).
CULL_IDLE_S = 300
CULL_INTERVAL_S = 60
#: Kernels that run the dashboard before anyone visits (Voilà's pre-heated pool): a room of
#: participants opening the page together each get a finished one. On this machine only
#: (127.0.0.1) one: the person serving it. ``WORKBENCH_SERVE_POOL`` sets another; 0 turns it off.
POOL = 10
POOL_LOOPBACK = 1
#: Seconds before a taken pool kernel is replaced. Voilà's 1 s started ten replacements while
#: ten pages were opening and starved them: 27 s to the figures, against 13–16 s with a delay
#: (then Chromium drawing ten pages on 2 cores is the limit: 24.5 s of its CPU, 1.2 s of the
#: server's).
FILL_DELAY_S = 30
#: Seconds Voilà waits for a cell's last outputs once the kernel has replied (nbclient's
#: ``iopub_timeout``, 4 s by default, after which the outputs still on their way are dropped
#: with "Timeout waiting for IOPub output"). With ten pages opening on 2 cores under another
#: process's load, one page never showed its index table (10 min waited) and Voilà's log had
#: that warning on its kernel; with 60 s, the same load gave every page (one trial each). The
#: wait ends as soon as the outputs are in, so a longer one costs nothing when none is late.
IOPUB_TIMEOUT_S = 60
#: The page template the server writes for itself (Voilà's ``lab`` without links to a CDN).
OFFLINE_TEMPLATE = "workbench-offline"
_TEMPLATE_PAGE = """{%- extends 'voila/templates/lab/index.html.j2' -%}
{#- Voila's lab page, less every <link> to another host (Font Awesome on a CDN: voila.js
    carries the same Font Awesome 5 and its fonts, served from this server). -#}
{%- block notebook_css -%}
{%- for line in super().split('\n') -%}
{%- if not ('<link' in line and '://' in line) %}
{{ line }}
{%- endif -%}
{%- endfor -%}
{%- endblock notebook_css -%}
"""
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


def _env_int(name: str, default: int, lo: int, hi: int) -> int:
    """An integer setting from the environment, refused with one line naming it."""
    text = os.environ.get(name, "").strip()
    if not text:
        return default
    try:
        value = int(text)
    except ValueError:
        value = None
    if value is None or not lo <= value <= hi:
        raise InputError(f"{name} must be an integer from {lo} to {hi}, got {text!r}")
    return value


def write_template(folder: str | Path) -> Path:
    """Write the ``workbench-offline`` page template under ``folder`` (a Jupyter data folder:
    ``folder/voila/templates/workbench-offline``); returns the template's folder."""
    target = Path(folder) / "voila" / "templates" / OFFLINE_TEMPLATE
    target.mkdir(parents=True, exist_ok=True)
    (target / "conf.json").write_text(json.dumps({"base_template": "lab"}))
    (target / "index.html.j2").write_text(_TEMPLATE_PAGE)
    return target


def serve_command(params: str | Path | None = None, *, port: int = DEFAULT_PORT,
                  save_dir: str | Path | None = None, run: str | Path | None = None,
                  host: str = DEFAULT_HOST, token: str | None = None,
                  state_dir: str | Path | None = None, pool: int | None = None,
                  cull_idle: int | None = None) -> tuple[list[str], dict]:
    """The Voilà command line and environment that serve the dashboard (nothing started but the
    page template, written into ``state_dir``: a folder the server owns; a fresh temporary one
    when None, which the caller removes — :func:`serve` does).

    On an address other than loopback the page asks for ``token`` (one is drawn with
    :mod:`secrets` when none is given; ``env["WORKBENCH_DASHBOARD_TOKEN"]`` holds it). ``pool``
    kernels run the page before anyone visits (default ``WORKBENCH_SERVE_POOL``, else
    :data:`POOL`, or :data:`POOL_LOOPBACK` on loopback). Kernels without a page are culled after
    ``cull_idle`` seconds (default ``WORKBENCH_SERVE_CULL_IDLE_S``, else :data:`CULL_IDLE_S`).

    >>> state = tempfile.TemporaryDirectory()
    >>> argv, env = serve_command(port=8870, state_dir=state.name, pool=0)
    >>> "--Voila.ip=127.0.0.1" in argv, argv[-1].endswith("explore_constraints.ipynb")
    (True, True)
    >>> argv, env = serve_command(port=8870, host="0.0.0.0", token="abc", state_dir=state.name)
    >>> "--Voila.ip=0.0.0.0" in argv, "--Voila.token=abc" in argv
    (True, True)
    >>> state.cleanup()
    """
    host, loopback = check_host(host)
    if isinstance(port, bool) or not isinstance(port, int) or not 1024 <= port <= 65535:
        raise InputError(f"--port must be an integer from 1024 to 65535, got {port!r}")
    if pool is None:
        pool = _env_int("WORKBENCH_SERVE_POOL", POOL_LOOPBACK if loopback else POOL, 0, 100)
    elif isinstance(pool, bool) or not isinstance(pool, int) or not 0 <= pool <= 100:
        raise InputError(f"pool must be an integer from 0 to 100, got {pool!r}")
    if cull_idle is None:
        cull_idle = _env_int("WORKBENCH_SERVE_CULL_IDLE_S", CULL_IDLE_S, 30, 86400)
    elif isinstance(cull_idle, bool) or not isinstance(cull_idle, int) \
            or not 30 <= cull_idle <= 86400:
        raise InputError(f"cull_idle must be an integer from 30 to 86400 [s], got {cull_idle!r}")
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
    state = Path(state_dir) if state_dir is not None else Path(
        tempfile.mkdtemp(prefix="workbench-serve-"))
    write_template(state)
    env["JUPYTER_PATH"] = os.pathsep.join(
        [str(state), *filter(None, [os.environ.get("JUPYTER_PATH")])])
    env["WORKBENCH_SERVE_STATE"] = str(state)
    heat = (["--VoilaConfiguration.preheat_kernel=True",
             f"--VoilaConfiguration.default_pool_size={pool}",
             f"--VoilaKernelManager.fill_delay={FILL_DELAY_S}"] if pool > 0 else [])
    argv = [sys.executable, "-m", "voila", "--no-browser", f"--port={port}",
            f"--Voila.ip={host}", *access, "--Voila.port_retries=0",
            f"--MappingKernelManager.cull_idle_timeout={cull_idle}",
            f"--MappingKernelManager.cull_interval={min(CULL_INTERVAL_S, max(1, cull_idle // 2))}",
            "--MappingKernelManager.cull_connected=False",
            f"--VoilaExecutor.iopub_timeout={IOPUB_TIMEOUT_S}",
            "--VoilaConfiguration.show_tracebacks=False",
            f"--VoilaConfiguration.template={OFFLINE_TEMPLATE}",
            "--VoilaConfiguration.allow_template_override=NO",
            "--VoilaConfiguration.allow_theme_override=NO", *heat,
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
          host: str = DEFAULT_HOST, pool: int | None = None,
          cull_idle: int | None = None) -> int:
    """Serve the dashboard until interrupted or terminated; returns the server's exit status.

    The server's own files (the page template) live in a fresh temporary folder, removed when it
    stops. SIGTERM (a service manager, ``docker stop``) and Ctrl-C stop Voilà, which shuts its
    kernels down; one that has not ended after :data:`STOP_GRACE_S` seconds is killed."""
    state = Path(tempfile.mkdtemp(prefix="workbench-serve-"))
    try:
        argv, env = serve_command(params, port=port, save_dir=save_dir, run=run, host=host,
                                  state_dir=state, pool=pool, cull_idle=cull_idle)
        return _run(argv, env, host, port)
    finally:
        shutil.rmtree(state, ignore_errors=True)


def _setting(argv: list[str], name: str) -> str | None:
    prefix = f"--{name}="
    return next((a[len(prefix):] for a in argv if a.startswith(prefix)), None)


def _run(argv: list[str], env: dict, host: str, port: int) -> int:
    token = env.get("WORKBENCH_DASHBOARD_TOKEN")
    shown = "127.0.0.1" if host in ("0.0.0.0", "::") else host
    url = f"http://{shown}:{port}/" + (f"?token={token}" if token else "")
    if token:
        print(f"WARNING: serving on {host}, not only this machine: anyone who can reach it on "
              f"port {port} and has the token can open the dashboard. Give participants "
              f"http://<this machine's address>:{port}/?token={token}", file=sys.stderr,
              flush=True)
    pool = int(_setting(argv, "VoilaConfiguration.default_pool_size") or 0)
    idle = int(_setting(argv, "MappingKernelManager.cull_idle_timeout"))
    print(f"serving the dashboard on {url} (Ctrl-C stops; {pool} page(s) prepared in advance, "
          f"ready about {2 * pool} s after the start; a closed page's kernel ends after "
          f"{idle} s)", flush=True)
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
