"""File and optional-dependency checks shared by the readers of :mod:`workbench.io.importers`
and :mod:`workbench.io.interop`."""

from __future__ import annotations

from pathlib import Path

from ...core.errors import InputError
import importlib

__all__ = ["existing_file", "require_module"]


def require_module(module: str):
    """Import the optional package ``module`` a reader needs, or raise :class:`InputError`
    naming the package and how to install it.

    Examples
    --------
    >>> require_module("json").__name__
    'json'
    """
    try:
        return importlib.import_module(module)
    except ImportError as err:
        raise InputError(f"reading this format needs the package {module!r}; install it with "
                         f"`pip install {module}`.") from err


def existing_file(path, field: str) -> Path:
    """``path`` as a :class:`~pathlib.Path` if it is an existing file, else an
    :class:`InputError` naming the argument ``field`` and the path.

    Examples
    --------
    >>> existing_file("no/such/file.csv", "path")
    Traceback (most recent call last):
    ...
    workbench.core.errors.InputError: path 'no/such/file.csv' is not an existing file; check the path.
    """
    path = Path(path)
    if not path.is_file():
        raise InputError(f"{field} {str(path)!r} is not an existing file; check the path.")
    return path


# The old private name, kept for workbench/io/interop/damage.py until it imports existing_file.
_existing_file = existing_file
