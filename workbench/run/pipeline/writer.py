"""The one writer of a run folder: every file a stage produces is persisted here (METHOD §9).

The stages (:mod:`workbench.run.pipeline.stages`) return objects and write nothing; these functions
turn them into the files of the run folder, each through a temporary file and a rename, so a
file is never half written. Where the folder itself is written all-or-nothing (``workbench
run`` and ``simulate``), ``run_dir`` is the folder's staging copy
(:class:`~workbench.run.pipeline.folder.RunFolder`).

==========================  ==================================================================
function                    files
==========================  ==================================================================
:func:`write_params`        ``params.yaml``
:func:`write_city`          ``city.nc`` (buildings with the service map), ``networks/*.json``
:func:`write_damage`        ``damage.nc``
:func:`write_recovery`      ``recovery.nc``, ``crew_assignments.csv``, the exports of
                            :func:`workbench.io.interop.export_results`, ``summary.json``
==========================  ==================================================================

:func:`open_run` gives a stage notebook its folder, also when it is opened by hand.
"""

from __future__ import annotations

import json
from pathlib import Path

import xarray as xr

from ...city.model import City
from ..params import dump_params, load_params
from ...core.paths import REPORTS_DIR
from ...core.errors import InputError
from .reader import MANIFEST_FILE, PARAMS_FILE, is_workbench_manifest
from .summary import summarize
from ...io.cityio import write_network_json
from ...io.interop import export_results

__all__ = ["open_run", "run_directory", "write_params", "write_city", "write_damage",
           "write_recovery", "write_summary", "write_text", "write_netcdf"]


def write_text(path: Path, text: str) -> None:
    """Write via a temporary file and rename, so a failure never leaves half a file."""
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(text, encoding="utf-8")
    tmp.replace(path)


#: Variables larger than this [bytes] are written compressed (gzip level 1): at 10⁵ buildings
#: a variable on (time, building) is gigabytes, mostly zeros. Smaller ones are written as
#: before; the values read back are the same either way.
COMPRESS_ABOVE = 16_000_000


def write_netcdf(ds: xr.Dataset, path: Path) -> None:
    """Write a Dataset via a temporary file and rename (never half a file); variables above
    :data:`COMPRESS_ABOVE` bytes compressed."""
    tmp = path.with_name(path.name + ".tmp")
    encoding = {name: {"zlib": True, "complevel": 1} for name, var in ds.data_vars.items()
                if var.nbytes > COMPRESS_ABOVE and var.dtype.kind in "biuf"}
    ds.to_netcdf(tmp, engine="h5netcdf", encoding=encoding or None)
    tmp.replace(path)


_write_netcdf = write_netcdf


def write_params(run_dir: str | Path, params: dict) -> Path:
    """``params.yaml``: the full, validated parameters of the run."""
    path = Path(run_dir) / PARAMS_FILE
    write_text(path, dump_params(params))
    return path


def run_directory(params: dict, out: str | Path | None = None) -> Path:
    """``out`` or ``reports/<name>/``, created, with the parameters written to ``params.yaml``.

    For a stage notebook opened by hand in Jupyter only; ``workbench run`` and ``workbench
    simulate`` write their folder all-or-nothing
    (:class:`~workbench.run.pipeline.folder.RunFolder`).
    """
    directory = Path(out) if out is not None else REPORTS_DIR / params["name"]
    directory = directory.resolve()
    directory.mkdir(parents=True, exist_ok=True)
    write_params(directory, params)
    return directory


#: The most rows of a table a stage page shows in full; a longer one shows its first rows and
#: says how many there are (the run's CSV files hold them all).
PAGE_ROWS = 200


def _page_table_html(frame) -> str:
    """A DataFrame as a stage page shows it: :func:`workbench.show.report.readable_table`
    (names of the code in words, numbers formatted, no row numbers)."""
    from ...show.report import readable_table
    if len(frame) > PAGE_ROWS:
        return (readable_table(frame.head(PAGE_ROWS)).to_html()
                + f"<p>The first {PAGE_ROWS:,} of {len(frame):,} rows.</p>")
    return readable_table(frame).to_html()


def tables_for_reading() -> None:
    """In a notebook's kernel, show every DataFrame as a table for reading
    (:func:`_page_table_html`), so no stage page shows a name of the code, a Python repr or the
    row numbers 0, 1, 2, …; the notebook's plain-text output keeps the frame as it is. Outside
    IPython, nothing."""
    try:
        from IPython import get_ipython
    except ImportError:   # pragma: no cover - IPython is a dependency of every notebook
        return
    shell = get_ipython()
    if shell is None:
        return
    import pandas as pd
    shell.display_formatter.formatters["text/html"].for_type(pd.DataFrame, _page_table_html)


def open_run(params_file: str = "", run_dir: str = "") -> Path:
    """The run directory a notebook works in; in a notebook, every DataFrame it shows is from
    then on a table for reading (:func:`tables_for_reading`).

    Under ``workbench run`` both arguments are given (papermill parameters, absolute paths of
    the run's staging folder). Opened by hand in Jupyter, a notebook never rewrites a finished
    run (a folder with the ``manifest.json`` that ``workbench run`` or ``simulate`` writes last):
    given such a ``run_dir`` it refuses; with empty parameters it works on the default
    parameters in ``reports/<name>/``, or in ``reports/<name>-by-hand/`` when that one is
    finished, and prints which. So every stage notebook also runs alone, and the report a run
    made stays as the run made it.
    """
    tables_for_reading()
    if run_dir:
        if is_workbench_manifest(Path(run_dir) / MANIFEST_FILE):
            raise InputError(
                f"{str(run_dir)!r} holds a finished run (its manifest.json): a notebook run on its "
                f"own does not rewrite it. Give run_dir a new folder, or remake the whole report "
                f"with `workbench run`.")
        if (Path(run_dir) / PARAMS_FILE).exists():
            return Path(run_dir).resolve()
        return run_directory(load_params(params_file or None), run_dir)
    params = load_params(params_file or None)
    default = REPORTS_DIR / params["name"]
    if is_workbench_manifest(default / MANIFEST_FILE):
        default = REPORTS_DIR / f"{params['name']}-by-hand"
        print(f"reports/{params['name']}/ holds a finished run; this notebook works in "
              f"reports/{default.name}/ instead.")
    return run_directory(params, default)


def write_city(run_dir: str | Path, city: City) -> None:
    """``city.nc`` (the buildings with their serving nodes; the city's name and provenance in
    its attrs) and ``networks/<name>.json``."""
    run_dir = Path(run_dir)
    buildings = city.buildings.copy()
    buildings.attrs.update(name=city.name, provenance=city.provenance)
    _write_netcdf(buildings, run_dir / "city.nc")
    (run_dir / "networks").mkdir(exist_ok=True)
    for name, graph in city.networks.items():
        tmp = run_dir / "networks" / f"{name}.json.tmp"
        write_network_json(graph, tmp)
        tmp.replace(run_dir / "networks" / f"{name}.json")


def write_damage(run_dir: str | Path, damage: xr.Dataset) -> None:
    """``damage.nc``."""
    _write_netcdf(damage, Path(run_dir) / "damage.nc")


def write_summary(run_dir: str | Path, params: dict, city: City, summaries: list[dict], *,
                  functionality: str = "table", comparison: dict | None = None,
                  gap: list | None = None, shelters: dict | None = None) -> dict:
    """``summary.json`` of METHOD §9 (:func:`~workbench.run.pipeline.summary.summarize`); returns it."""
    summary = summarize(params, city, summaries, functionality=functionality,
                        comparison=comparison, gap=gap, shelters=shelters)
    text = json.dumps(summary, indent=2, allow_nan=False) + "\n"
    write_text(Path(run_dir) / "summary.json", text)
    return summary


def write_recovery(run_dir: str | Path, params: dict, city: City, damage: xr.Dataset,
                   result) -> dict:
    """The files of the recovery stage from its :class:`~workbench.run.pipeline.stages.RecoveryResult`:
    ``recovery.nc``, ``crew_assignments.csv`` (every crew stint), the exports of
    :func:`workbench.io.interop.export_results` and, last, so that it is there only when the rest
    is, ``summary.json`` (indexes averaged over realisations). Returns the summary."""
    run_dir = Path(run_dir)
    _write_netcdf(result.recovery, run_dir / "recovery.nc")
    write_text(run_dir / "crew_assignments.csv", result.assignments.to_csv(index=False))
    export_results(run_dir, city, damage, result.recovery)
    return write_summary(run_dir, params, city, result.summaries,
                         functionality=result.functionality, comparison=result.comparison,
                         gap=result.gap, shelters=result.shelters)
