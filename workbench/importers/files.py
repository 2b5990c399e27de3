"""File and optional-dependency checks shared by the readers of :mod:`workbench.importers`
and :mod:`workbench.interop`."""

from __future__ import annotations

from pathlib import Path

from ..errors import InputError

__all__: list[str] = []


def _require(module: str):
    import importlib
    try:
        return importlib.import_module(module)
    except ImportError as err:
        raise InputError(f"reading this format needs the package {module!r}; install it with "
                         f"`pip install {module}`.") from err


def _existing_file(path, field: str) -> Path:
    path = Path(path)
    if not path.is_file():
        raise InputError(f"{field} {str(path)!r} is not an existing file; check the path.")
    return path
