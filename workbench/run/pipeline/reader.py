"""Reading a run folder and the inputs a run names (METHOD §9).

The stage notebooks run in kernels of their own, so they find the parameters, the mapped city
and the damage of a run in its folder; these functions read them back. In-process, ``workbench
simulate`` hands the same objects from stage to stage and reads nothing back.
"""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import xarray as xr

from ...city.model import City
from ...core.dims import NETWORKS, REALIZATION
from ...core.errors import InputError
from ...show.report import data_quality_note
from ..params import load_params
from ...core.paths import DEMO_CITY_DIR
from ...io.cityio import load_city, read_network_json
from ...io.importers.provenance import PROVENANCE_ATTR, field_provenance

__all__ = ["PARAMS_FILE", "read_params", "resolve_city", "city_folder",
           "input_files", "load_run_city", "load_damage", "crew_assignments", "data_quality",
           "read_result", "MANIFEST_FILE", "is_workbench_manifest"]

PARAMS_FILE = "params.yaml"
#: Written last by ``workbench run`` and ``simulate``: a folder with it holds a finished run.
MANIFEST_FILE = "manifest.json"


def is_workbench_manifest(path: Path) -> bool:
    """Whether ``path`` is a ``manifest.json`` the workbench wrote (parameters, stages and the
    workbench's version among the packages)."""
    try:
        content = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return False
    return (isinstance(content, dict) and isinstance(content.get("stages"), dict)
            and "parameters" in content and "workbench" in (content.get("packages") or {}))


def read_params(run_dir: str | Path) -> dict:
    """The validated parameters a run directory was started with."""
    path = Path(run_dir) / PARAMS_FILE
    if not path.exists():
        raise InputError(f"{str(run_dir)!r} is not a run directory (no {PARAMS_FILE}); start a run "
                         f"with `workbench run` or `workbench simulate`.")
    return load_params(path)


def resolve_city(params: dict) -> City:
    """Load the city the parameters name: ``demo`` (bundled Helsinki) or a city folder."""
    if params["city"] == "demo":
        from ...io.demo import demo_city
        return demo_city()
    path = Path(params["city"]).expanduser()
    if not path.is_dir():
        raise InputError(f"parameter city: {params['city']!r} is neither 'demo' nor an existing "
                         f"city folder (looked in {str(path.resolve())!r}).")
    return load_city(path)


def city_folder(params: dict) -> Path:
    """The folder of the city the parameters name (the bundled demo's for ``demo``)."""
    return DEMO_CITY_DIR if params["city"] == "demo" else Path(params["city"]).expanduser()


def input_files(params: dict) -> list[Path]:
    """The files a run reads: the city folder, and the damage table or intensity field if any."""
    folder = city_folder(params)
    files = sorted(p for p in folder.rglob("*") if p.is_file())
    h = params["hazard"]
    for extra in (params["damage"]["source"], h["field"], h.get("terrain"), h.get("depth_grid")):
        if extra and Path(extra).expanduser().is_file():
            files.append(Path(extra).expanduser())
    return files


def load_run_city(run_dir: str | Path) -> City:
    """The mapped city that the data-mapping stage wrote into ``run_dir``."""
    run_dir = Path(run_dir)
    path = run_dir / "city.nc"
    if not path.exists():
        raise InputError(f"{str(path)!r} is missing: run the data-mapping stage first "
                         f"(notebook 01_data_mapping, or `workbench simulate`).")
    with xr.open_dataset(path, engine="h5netcdf") as ds:
        buildings = ds.load()
    for coord in [c for c in buildings.coords if c.endswith("_node")]:
        buildings[coord] = buildings[coord].astype(str)
    networks = {p.stem: read_network_json(p) for p in sorted((run_dir / "networks").glob("*.json"))
                if p.stem in NETWORKS}
    attrs = dict(buildings.attrs)
    name, provenance = attrs.pop("name", "city"), attrs.pop("provenance", "")
    buildings.attrs = attrs
    return City(buildings=buildings, networks=networks, name=name, provenance=provenance)


def data_quality(run_dir: str | Path) -> str:
    """The first-screen paragraph on the city's data (:func:`workbench.show.report.
    data_quality_note`) from the provenance an importer stored in ``city.nc``; "" for a city
    without it, or before the mapping stage ran."""
    path = Path(run_dir) / "city.nc"
    if not path.exists():
        return ""
    with xr.open_dataset(path, engine="h5netcdf") as ds:
        attrs, buildings = dict(ds.attrs), ds.sizes.get("building", 0)
    if PROVENANCE_ATTR not in attrs:
        return ""
    return data_quality_note(field_provenance(xr.Dataset(attrs=attrs)), buildings)


def load_damage(run_dir: str | Path) -> xr.Dataset:
    """The damage Dataset a run directory holds."""
    path = Path(run_dir) / "damage.nc"
    if not path.exists():
        raise InputError(f"{str(path)!r} is missing: run the damage stage first.")
    with xr.open_dataset(path, engine="h5netcdf") as ds:
        return ds.load()


def read_result(run_dir: str | Path, name: str) -> dict | None:
    """The JSON result ``name``.json of a run folder (``uncertainty``, ``mitigation``,
    ``validation``, …), or ``None`` where the stage that writes it did not run.

    >>> import tempfile
    >>> read_result(tempfile.mkdtemp(), "uncertainty") is None
    True
    """
    path = Path(run_dir) / f"{name}.json"
    return json.loads(path.read_text(encoding="utf-8")) if path.exists() else None


def crew_assignments(run_dir: str | Path, realization: int = 0) -> pd.DataFrame:
    """Every crew stint (strategy, crew, trade, target, start and end day) of one realisation,
    as the recovery stage wrote it to ``crew_assignments.csv``."""
    path = Path(run_dir) / "crew_assignments.csv"
    if not path.exists():
        raise InputError(f"{str(path)!r} is missing: run the recovery stage first.")
    table = pd.read_csv(path, dtype={"target": str})
    return table[table[REALIZATION] == realization].drop(columns=REALIZATION).reset_index(drop=True)
