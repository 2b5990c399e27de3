"""Path constants, in one side-effect-free module."""

from pathlib import Path

__all__ = ["ROOT", "DATA_DIR", "DEMO_CITY_DIR", "NOTEBOOKS_DIR", "REPORTS_DIR"]

#: The repository root (the package is installed in editable mode, see README).
ROOT = Path(__file__).resolve().parents[2]
DATA_DIR = ROOT / "data"
DEMO_CITY_DIR = DATA_DIR / "demo_city"
NOTEBOOKS_DIR = ROOT / "notebooks"
REPORTS_DIR = ROOT / "reports"
