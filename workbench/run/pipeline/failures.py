"""Failures told in one line, with the traceback kept in a log file (METHOD §9).

A command that fails prints one line on stderr: what failed, shortened, and where the full
traceback is. The log goes into the run folder when there is one, else into a temporary file.

Examples
--------
>>> one_line("ValueError: bad\\n  value " + "x" * 400, limit=40)
'ValueError: bad value xxxxxxxxxxxxxxxxx…'
"""

from __future__ import annotations

import os
import tempfile
import traceback
from pathlib import Path

__all__ = ["ERROR_LOG", "one_line", "describe", "write_traceback"]

#: The traceback log of a failed run, in its run folder.
ERROR_LOG = "error.log"


def one_line(text: str, *, limit: int = 300) -> str:
    """``text`` on one line (runs of whitespace, newlines included, become one space), cut to
    ``limit`` characters with an ellipsis."""
    text = " ".join(str(text).split())
    return text if len(text) <= limit else text[:limit - 1].rstrip() + "…"


def describe(exc: BaseException, *, limit: int = 300) -> str:
    """``Type: message`` of an exception, on one line and at most ``limit`` characters."""
    message = one_line(str(exc), limit=limit)
    return f"{type(exc).__name__}: {message}" if message else type(exc).__name__


def write_traceback(exc: BaseException, path: str | Path | None = None) -> Path:
    """Write the full traceback of ``exc`` to ``path``, or to a new temporary file
    ``workbench-*.log`` when ``path`` is None or cannot be written; returns the file written."""
    text = "".join(traceback.format_exception(exc))
    if path is not None:
        try:
            Path(path).write_text(text, encoding="utf-8", errors="backslashreplace")
            return Path(path)
        except OSError:
            pass  # the run folder is not writable: the temporary file below still holds it
    fd, name = tempfile.mkstemp(prefix="workbench-", suffix=".log")
    with os.fdopen(fd, "w", encoding="utf-8", errors="backslashreplace") as f:
        f.write(text)
    return Path(name)
