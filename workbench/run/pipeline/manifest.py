"""``manifest.json`` (METHOD §9): parameters, package versions, input file hashes, git commit,
stage timings and, for a failed run, what failed."""

from __future__ import annotations

import datetime as _dt
import hashlib
import importlib.metadata
import json
import math
import platform
import subprocess
from pathlib import Path

from ...core.paths import ROOT
from .reader import MANIFEST_FILE, input_files
from .writer import write_text

__all__ = ["manifest", "write_manifest"]

_PACKAGES = ("workbench", "numpy", "scipy", "pandas", "xarray", "networkx", "scikit-learn", "torch",
             "pymc", "holoviews", "bokeh", "papermill", "pyrosm", "wntr", "pandapower")


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _git_commit() -> str:
    try:
        out = subprocess.run(["git", "-C", str(ROOT), "rev-parse", "HEAD"], capture_output=True,
                             text=True, timeout=10, check=True)
        dirty = subprocess.run(["git", "-C", str(ROOT), "status", "--porcelain", "--untracked-files=no"],
                               capture_output=True, text=True, timeout=10).stdout.strip()
        return out.stdout.strip() + ("-dirty" if dirty else "")
    except (OSError, subprocess.SubprocessError):
        return "unknown"


def _versions() -> dict:
    versions = {}
    for name in _PACKAGES:
        try:
            versions[name] = importlib.metadata.version(name)
        except importlib.metadata.PackageNotFoundError:
            versions[name] = None
    return versions


def manifest(params: dict, timings: dict, error: dict | None = None) -> dict:
    """The content of ``manifest.json``.

    ``timings`` maps each stage to ``{"status": "ok" | "failed" | "skipped", "seconds": …}``
    (and, for a failed stage, ``"error"``); ``error``, for a failed run, names the ``stage``,
    the ``error`` (exception type and message) and the ``traceback`` log file, if any.
    """
    inputs = {}
    for path in input_files(params):
        try:
            key = str(path.relative_to(ROOT))
        except ValueError:
            key = str(path)
        inputs[key] = _sha256(path)
    content = {
        "parameters": params,
        "python": platform.python_version(),
        "packages": _versions(),
        "inputs": inputs,
        "git_commit": _git_commit(),
        "written": _dt.datetime.now(_dt.timezone.utc).isoformat(timespec="seconds"),
        "stages": timings,
    }
    if error is not None:
        content["error"] = error
    return content


def write_manifest(run_dir: str | Path, params: dict, timings: dict,
                   error: dict | None = None) -> dict:
    """Write ``manifest.json`` (:func:`manifest`) into ``run_dir``; returns its content."""
    content = manifest(params, timings, error)
    write_text(Path(run_dir) / MANIFEST_FILE,
               json.dumps(content, indent=2, default=_json_default) + "\n")
    return content


def _json_default(value):
    if isinstance(value, float) and math.isinf(value):
        return "inf"
    return str(value)
