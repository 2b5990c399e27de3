"""Runs (METHOD §1, §8, §9): the stages, the run directory, ``summary.json``, ``manifest.json``.

Stages hand data to each other through files in the run directory, never through kernel state:

======================  =====================================================================
stage function          reads → writes
======================  =====================================================================
:func:`stage_mapping`   city (demo or folder) → ``city.nc`` (buildings + service map),
                        ``networks/<name>.json``
:func:`stage_damage`    ``city.nc``, ``networks/`` → ``damage.nc``
:func:`stage_recovery`  ``city.nc``, ``networks/``, ``damage.nc`` → ``recovery.nc``,
                        ``summary.json``, ``crew_assignments.csv`` and the exports of
                        :func:`workbench.interop.export_results`
======================  =====================================================================

``workbench simulate`` calls the three in order; ``workbench run`` executes every notebook in
``notebooks/`` in name order through papermill, each of which calls its stage function and plots.
"""

from __future__ import annotations

import datetime as _dt
import hashlib
import html
import importlib.metadata
import json
import logging
import math
import platform
import subprocess
import time
from pathlib import Path
from typing import Callable

import numpy as np
import pandas as pd
import xarray as xr

from .city import City, load_city, read_network_json, write_network_json
from .dims import NETWORKS, REALIZATION
from .errors import InputError, StageError
from .functionality import residents
from .params import dump_params, load_params, validate_params
from .paths import DEMO_CITY_DIR, NOTEBOOKS_DIR, REPORTS_DIR, ROOT

__all__ = [
    "open_run", "run_directory", "resolve_city", "stage_mapping", "load_run_city", "stage_damage",
    "stage_recovery", "hazard_intensity", "cascade_table", "services_lost", "resilience_attributes",
    "crew_assignments", "crew_sweep", "load_damage", "simulate", "run", "write_manifest",
    "read_params", "PARAMS_FILE",
]

log = logging.getLogger(__name__)

PARAMS_FILE = "params.yaml"
_PACKAGES = ("workbench", "numpy", "scipy", "pandas", "xarray", "networkx", "scikit-learn", "torch",
             "pymc", "holoviews", "bokeh", "papermill", "pyrosm", "wntr", "pandapower")


# --------------------------------------------------------------------------- run directory

def run_directory(params: dict, out: str | Path | None = None) -> Path:
    """``out`` or ``reports/<name>/``, created, with the parameters written to ``params.yaml``."""
    directory = Path(out) if out is not None else REPORTS_DIR / params["name"]
    directory = directory.resolve()
    directory.mkdir(parents=True, exist_ok=True)
    (directory / PARAMS_FILE).write_text(dump_params(params))
    return directory


def open_run(params_file: str = "", run_dir: str = "") -> Path:
    """The run directory a notebook works in.

    Under ``workbench run`` both arguments are given (papermill parameters). Opened by hand in
    Jupyter with empty parameters, the notebook works on the default parameters in
    ``reports/<name>/``, so every stage notebook also runs alone.
    """
    if run_dir and (Path(run_dir) / PARAMS_FILE).exists():
        return Path(run_dir).resolve()
    return run_directory(load_params(params_file or None), run_dir or None)


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
        from .demo import demo_city
        return demo_city()
    path = Path(params["city"]).expanduser()
    if not path.is_dir():
        raise InputError(f"parameter city: {params['city']!r} is neither 'demo' nor an existing "
                         f"city folder (looked in {str(path.resolve())!r}).")
    return load_city(path)


def _input_files(params: dict) -> list[Path]:
    """The files a run reads: the city folder, and the damage table or intensity field if any."""
    folder = DEMO_CITY_DIR if params["city"] == "demo" else Path(params["city"]).expanduser()
    files = sorted(p for p in folder.rglob("*") if p.is_file())
    for extra in (params["damage"]["source"], params["hazard"]["field"]):
        if extra and Path(extra).expanduser().is_file():
            files.append(Path(extra).expanduser())
    return files


# --------------------------------------------------------------------------- stages

def stage_mapping(run_dir: str | Path) -> City:
    """Stage 01: load the city, map buildings onto every network, write it into the run directory."""
    from .mapping import map_city
    run_dir = Path(run_dir)
    params = read_params(run_dir)
    city = map_city(resolve_city(params), max_distance=params["map"]["max_distance_m"])
    buildings = city.buildings.copy()
    buildings.attrs.update(name=city.name, provenance=city.provenance)
    _atomic_netcdf(buildings, run_dir / "city.nc")
    (run_dir / "networks").mkdir(exist_ok=True)
    for name, graph in city.networks.items():
        write_network_json(graph, run_dir / "networks" / f"{name}.json")
    return city


def load_run_city(run_dir: str | Path) -> City:
    """The mapped city that :func:`stage_mapping` wrote into ``run_dir``."""
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


def stage_damage(run_dir: str | Path, city: City | None = None) -> xr.Dataset:
    """Stage hazard → damage: sample damage for every realisation, or read it from the table
    ``damage.source`` names (then the hazard is not used); with ``damage.road_debris``, block
    the road edges next to collapsed buildings (:func:`workbench.debris.road_blockage`); write
    ``damage.nc``."""
    from .damage import sample_damage
    from .system import build_system
    run_dir = Path(run_dir)
    params = read_params(run_dir)
    city = city or load_run_city(run_dir)
    system = build_system(city)
    if params["damage"]["source"] is not None:
        from .interop import read_damage
        damage = read_damage(Path(params["damage"]["source"]).expanduser(), city, system=system,
                             currency="EUR")
    else:
        hazard = hazard_intensity(params["hazard"], city, system.components)
        damage = sample_damage(city.buildings, system.components, hazard,
                               realizations=params["realizations"], seed=params["seed"],
                               design_code=params["damage"]["design_code"])
    if params["damage"]["road_debris"]:
        from .debris import road_blockage
        damage = road_blockage(system, damage)
    _atomic_netcdf(damage, run_dir / "damage.nc")
    return damage


def hazard_intensity(hazard: dict, city: City, components: xr.Dataset) -> xr.Dataset:
    """The intensity Dataset (PGA, PGV at buildings and components) the ``hazard`` parameters name.

    ``location: centre`` puts the epicentre at the mean building position.
    """
    from .hazard import Earthquake, earthquake_intensity, intensity_from_csv
    if hazard["kind"] == "field":
        return intensity_from_csv(hazard["field"], city.buildings, components,
                                  scale=hazard["intensity_scale"])
    if hazard["location"] == "centre":
        x, y = float(city.buildings["x"].mean()), float(city.buildings["y"].mean())
    else:
        x, y = map(float, hazard["location"])
    quake = Earthquake(magnitude=float(hazard["magnitude"]), x=x, y=y,
                       depth_km=float(hazard["depth_km"]), vs30=float(hazard["vs30"]),
                       intensity_scale=float(hazard["intensity_scale"]))
    return earthquake_intensity(quake, city.buildings, components)


def cascade_table(system, damage: xr.Dataset) -> pd.DataFrame:
    """Per network, for one realisation: components damaged by the hazard, components out after
    the interdependency cascade, and the share of buildings served before and after."""
    own = np.asarray(_realization(damage, 0)["component_functional"].values, dtype=bool)
    after = system.cascade(own)
    intact = system.service(np.ones(system.n_components, bool))
    damaged = system.service(own)
    network = system.components["network"].values.astype(str)
    rows = []
    for k, name in enumerate(NETWORKS):
        mask = network == name
        rows.append({"network": name, "components": int(mask.sum()),
                     "damaged_by_hazard": int((~own & mask).sum()),
                     "out_after_cascade": int((~after & mask).sum()),
                     "buildings_served_before": float(intact[:, k].mean()),
                     "buildings_served_after": float(damaged[:, k].mean())})
    return pd.DataFrame(rows).set_index("network")


def _recovery_inputs(run_dir, city: City | None, damage: xr.Dataset | None):
    """Parameters, mapped city, damage and compiled system of a run (loaded when not given)."""
    from .system import build_system
    params = read_params(run_dir)
    city = city or load_run_city(run_dir)
    damage = damage if damage is not None else load_damage(run_dir)
    return params, city, damage, build_system(city)


def _realization(damage: xr.Dataset, r: int) -> xr.Dataset:
    return damage.isel({REALIZATION: r}) if REALIZATION in damage.dims else damage


def _constraints(params: dict, crews=None):
    from .recovery import Constraints
    given = params["constraints"] if crews is None else {**params["constraints"], "crews": crews}
    return Constraints(horizon_days=params["horizon_days"], **given)


def services_lost(system, damage: xr.Dataset) -> xr.DataArray:
    """Per building, the number of networks (0–3) whose service it loses right after the event
    (own damage plus the interdependency cascade), realisation 0."""
    own = np.asarray(_realization(damage, 0)["component_functional"].values, dtype=bool)
    intact = system.service_dataarray(np.ones(system.n_components, bool))
    after = system.service_dataarray(own)
    return (intact - after).sum("network").rename("services_lost")


def resilience_attributes(run_dir: str | Path, recovery: xr.Dataset, city: City | None = None,
                          damage: xr.Dataset | None = None) -> pd.DataFrame:
    """The 4R attributes (Bruneau et al. 2003; Li, METHOD refs) of every strategy on realisation 0.

    Robustness and rapidity come from the functionality curve ½(EP/EP0 + SC/demand);
    redundancy from the networks; resourcefulness from the run's crews and materials against
    all repair work (damaged buildings and components). Rows (attribute, indicator), one
    column per strategy.
    """
    from .criticality import four_r
    from .indexes import functionality_curve
    params, city, damage, system = _recovery_inputs(run_dir, city, damage)
    one = _realization(damage, 0)
    curves = functionality_curve(_realization(recovery, 0))
    crews = params["constraints"]["crews"]
    effort = np.concatenate([one["building_repair_days"].values, one["component_repair_days"].values])
    cost = np.concatenate([one["building_repair_cost"].values, one["component_repair_cost"].values])
    columns = {}
    for strategy in params["strategies"]:
        table = four_r(curves.sel(strategy=strategy), system,
                       crews=sum(crews.values()) if isinstance(crews, dict) else crews,
                       damaged_components=int((effort > 0).sum()),
                       repair_crew_days=float(effort.sum()),
                       materials_per_day=params["constraints"]["materials_per_day"],
                       repair_cost=float(cost.sum()))
        columns[strategy] = table.set_index(["attribute", "indicator"])["value"]
    return pd.DataFrame(columns)


def crew_assignments(run_dir: str | Path, realization: int = 0) -> pd.DataFrame:
    """Every crew stint (strategy, crew, trade, target, start and end day) of one realisation,
    as the recovery stage wrote it to ``crew_assignments.csv``."""
    path = Path(run_dir) / "crew_assignments.csv"
    if not path.exists():
        raise InputError(f"{str(path)!r} is missing: run the recovery stage first.")
    table = pd.read_csv(path, dtype={"target": str})
    return table[table[REALIZATION] == realization].drop(columns=REALIZATION).reset_index(drop=True)


def crew_sweep(run_dir: str | Path, city: City | None = None, damage: xr.Dataset | None = None,
               factors=(0.25, 0.5, 1.0, 2.0, 4.0)) -> pd.DataFrame:
    """Indexes of every strategy on realisation 0 with the run's crews scaled by ``factors``
    (each trade scaled alike; at least one crew in all)."""
    from .indexes import summary_indexes
    from .recovery import simulate_recovery
    params, city, damage, system = _recovery_inputs(run_dir, city, damage)
    one = _realization(damage, 0)
    base = params["constraints"]["crews"]
    rows = []
    for factor in factors:
        crews = ({k: int(round(v * factor)) for k, v in base.items()} if isinstance(base, dict)
                 else max(1, int(round(base * factor))))
        total = sum(crews.values()) if isinstance(crews, dict) else crews
        if total == 0:
            continue
        recovery = simulate_recovery(city, system, one, _constraints(params, crews),
                                     strategies=tuple(params["strategies"]), seed=params["seed"])
        for strategy, values in summary_indexes(recovery, city, one).items():
            rows.append({"crews": total, "strategy": strategy, **values})
    return pd.DataFrame(rows)


def load_damage(run_dir: str | Path) -> xr.Dataset:
    """The damage Dataset a run directory holds."""
    path = Path(run_dir) / "damage.nc"
    if not path.exists():
        raise InputError(f"{str(path)!r} is missing: run the damage stage first.")
    with xr.open_dataset(path, engine="h5netcdf") as ds:
        return ds.load()


def stage_recovery(run_dir: str | Path, city: City | None = None,
                   damage: xr.Dataset | None = None) -> xr.Dataset:
    """Stage recovery: simulate every strategy on every realisation; write ``recovery.nc``,
    ``summary.json`` (indexes averaged over realisations), ``crew_assignments.csv`` (every crew
    stint) and the exports of :func:`workbench.interop.export_results`."""
    from .indexes import summary_indexes
    from .recovery import simulate_recovery
    run_dir = Path(run_dir)
    params, city, damage, system = _recovery_inputs(run_dir, city, damage)
    constraints = _constraints(params)
    results, summaries, stints = [], [], []
    for r in range(damage.sizes.get(REALIZATION, 1)):
        one = _realization(damage, r)
        recovery, table = simulate_recovery(city, system, one, constraints,
                                            strategies=tuple(params["strategies"]),
                                            seed=params["seed"] + r, return_assignments=True)
        results.append(recovery)
        summaries.append(summary_indexes(recovery, city, one))
        stints.append(table.assign(**{REALIZATION: r}))
    recovery = results[0] if len(results) == 1 else xr.concat(results, dim=REALIZATION)
    _atomic_netcdf(recovery, run_dir / "recovery.nc")
    _atomic_text(run_dir / "crew_assignments.csv", pd.concat(stints).to_csv(index=False))
    write_summary(run_dir, params, city, summaries)
    from .interop import export_results
    export_results(run_dir, city, damage, recovery)
    return recovery


#: What the indexes of ``summary.json`` mean, written into it so that a reader of the file alone
#: knows (see :mod:`workbench.functionality` and :mod:`workbench.indexes`).
DEFINITIONS = {
    "economic_loss": "integral over the horizon of (EP0 - EP(t)) dt plus the direct repair cost; "
                     "EP = sum over buildings of usable floor area x value added per m2 per day",
    "service_loss_person_days": "integral over the horizon of max(0, demand - SC(t)) dt / 2; "
                                "demand = 2 x residents (each resident counted once: one unit of "
                                "housing and one of supplementary service); SC = residents housed "
                                "at home x (1 + rSS) + sheltered people x (1 + the host's rSS "
                                "shared among those it hosts); one unhoused, unserved resident "
                                "costs one person-day per day, so the index is at most "
                                "residents x horizon",
    "population": "residents: the buildings' population field, else the occupancy of residential "
                  "buildings; workplaces count in EP, not in the service index",
    "recovery_days_95": "first day the city functionality F = (EP/EP0 + min(1, SC/demand)) / 2 "
                        "reaches 0.95; null when not within the horizon",
    "horizon": "losses are integrated up to horizon_days; unrestored_* and *_per_day_at_horizon "
               "say what is still open then and the loss still accruing per day",
}


def _network_facts(city: City) -> dict:
    """Per network: its sources, whether one source feeds it all, and the unmapped buildings."""
    from .criticality import network_sources
    out = {}
    for name, sources in network_sources(city).items():
        coord = f"{name}_node"
        unmapped = (int((np.asarray(city.buildings[coord].values).astype(str) == "").sum())
                    if coord in city.buildings.coords else 0)
        out[name] = {"sources": sources, "single_point_of_failure": len(sources) == 1,
                     "unmapped_buildings": unmapped}
    return out


def write_summary(run_dir: Path, params: dict, city: City, summaries: list[dict]) -> dict:
    """``summary.json`` of METHOD §9; per-strategy values are means over realisations."""
    b = city.buildings
    strategies = {}
    for strategy in params["strategies"]:
        rows = [s[strategy] for s in summaries]
        merged = {}
        for key in rows[0]:
            values = [row[key] for row in rows]
            if all(isinstance(v, bool) for v in values):
                merged[key] = all(values)  # recovered_*: true only when every realisation recovered
            elif all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in values):
                merged[key] = float(np.mean(values))
            elif all(v is None or isinstance(v, (int, float)) for v in values):
                merged[key] = None  # not recovered within the horizon in some realisation
            else:
                merged[key] = values[0] if len(set(map(str, values))) == 1 else values
        strategies[strategy] = merged
    summary = {
        "name": params["name"],
        "seed": params["seed"],
        "realizations": params["realizations"],
        "city": {"name": city.name, "buildings": int(b.sizes["building"]),
                 "floor_area_m2": float(b["floor_area"].sum()),
                 "population": float(residents(b).sum()),
                 "occupancy": float(b["occupancy"].sum()),
                 "networks": _network_facts(city)},
        "strategies": strategies,
        "units": {"economic_loss": "EUR", "ep_loss": "EUR", "repair_cost": "EUR",
                  "service_loss_person_days": "person-days", "economic_loss_per_m2": "EUR/m2",
                  "service_loss_per_m2": "person-days/m2", "recovery_days_95": "days",
                  "functionality_72h": "fraction of pre-event functionality",
                  "unrestored_buildings": "buildings", "unrestored_floor_area_m2": "m2",
                  "unrestored_components": "components", "displaced_at_horizon": "persons",
                  "ep_loss_per_day_at_horizon": "EUR/day",
                  "service_loss_per_day_at_horizon": "person-days/day"},
        "definitions": DEFINITIONS,
    }
    _atomic_text(run_dir / "summary.json", json.dumps(summary, indent=2, allow_nan=False) + "\n")
    return summary


# --------------------------------------------------------------------------- commands

def simulate(params: dict, out: str | Path | None = None,
             progress: Callable[[str], None] | None = None) -> Path:
    """``workbench simulate``: mapping → damage → recovery → indexes, no notebooks."""
    params = validate_params(params)
    run_dir = run_directory(params, out)
    timings = {}
    city = damage = None
    for stage, call in (("mapping", lambda: stage_mapping(run_dir)),
                        ("damage", lambda: stage_damage(run_dir, city)),
                        ("recovery", lambda: stage_recovery(run_dir, city, damage))):
        if progress:
            progress(f"{stage} …")
        start = time.perf_counter()
        try:
            value = call()
        except Exception as exc:  # noqa: BLE001 — re-raised as a StageError naming the stage
            timings[stage] = {"status": "failed", "seconds": round(time.perf_counter() - start, 3)}
            write_manifest(run_dir, params, timings)
            raise StageError(stage, f"{type(exc).__name__}: {exc}") from exc
        timings[stage] = {"status": "ok", "seconds": round(time.perf_counter() - start, 3)}
        if stage == "mapping":
            city = value
        elif stage == "damage":
            damage = value
    write_manifest(run_dir, params, timings)
    return run_dir


def notebooks(directory: Path = NOTEBOOKS_DIR) -> list[Path]:
    """The stage notebooks, in name order."""
    return sorted(directory.glob("[0-9][0-9]_*.ipynb"))


def run(params: dict, out: str | Path | None = None, *, notebook_dir: Path = NOTEBOOKS_DIR,
        progress: Callable[[str], None] | None = None) -> Path:
    """``workbench run``: execute every notebook with papermill into the run directory.

    Each notebook gets two parameters, ``params_file`` and ``run_dir`` (absolute paths). A failed
    notebook is kept (with its error) and rendered; later stages are skipped; ``index.html`` and
    ``manifest.json`` mark the failure; a :class:`StageError` names the stage.
    """
    import papermill as pm
    params = validate_params(params)
    run_dir = run_directory(params, out)
    timings: dict = {}
    stages = notebooks(Path(notebook_dir))
    if not stages:
        raise InputError(f"no stage notebooks (NN_name.ipynb) in {str(notebook_dir)!r}.")
    failure = None
    for i, nb in enumerate(stages):
        stage = nb.stem
        if failure is not None:
            timings[stage] = {"status": "skipped", "seconds": 0.0}
            continue
        if progress:
            progress(f"[{i + 1}/{len(stages)}] {stage} …")
        start = time.perf_counter()
        executed = run_dir / nb.name
        try:
            pm.execute_notebook(str(nb), str(executed), kernel_name="python3", progress_bar=False,
                                parameters={"params_file": str(run_dir / PARAMS_FILE),
                                            "run_dir": str(run_dir)},
                                cwd=str(run_dir), log_output=False)
            status = "ok"
        except pm.PapermillExecutionError as exc:
            status = "failed"
            failure = StageError(stage, f"{exc.ename}: {exc.evalue}")
        seconds = round(time.perf_counter() - start, 3)
        timings[stage] = {"status": status, "seconds": seconds, "notebook": nb.name,
                          "html": _to_html(executed)}
        write_manifest(run_dir, params, timings)
        write_index(run_dir, params, timings)
        if progress:
            progress(f"      {stage}: {status} in {seconds:.1f} s")
    write_manifest(run_dir, params, timings)
    write_index(run_dir, params, timings)
    if failure is not None:
        raise failure
    return run_dir


def _to_html(notebook: Path) -> str | None:
    """Render an executed notebook to HTML beside it; returns the file name."""
    if not notebook.exists():
        return None
    import nbformat
    from nbconvert import HTMLExporter
    exporter = HTMLExporter(template_name="lab")
    exporter.log.setLevel(logging.ERROR)  # its per-image "alternative text" notices are noise here
    body, _ = exporter.from_notebook_node(nbformat.read(str(notebook), as_version=4))
    target = notebook.with_suffix(".html")
    _atomic_text(target, body)
    return target.name


# --------------------------------------------------------------------------- manifest, index

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


def write_manifest(run_dir: Path, params: dict, timings: dict) -> dict:
    """``manifest.json``: parameters, package versions, input file hashes, git commit, timings."""
    versions = {}
    for name in _PACKAGES:
        try:
            versions[name] = importlib.metadata.version(name)
        except importlib.metadata.PackageNotFoundError:
            versions[name] = None
    inputs = {}
    for path in _input_files(params):
        try:
            key = str(path.relative_to(ROOT))
        except ValueError:
            key = str(path)
        inputs[key] = _sha256(path)
    manifest = {
        "parameters": params,
        "python": platform.python_version(),
        "packages": versions,
        "inputs": inputs,
        "git_commit": _git_commit(),
        "written": _dt.datetime.now(_dt.timezone.utc).isoformat(timespec="seconds"),
        "stages": timings,
    }
    _atomic_text(run_dir / "manifest.json",
                 json.dumps(manifest, indent=2, default=_json_default) + "\n")
    return manifest


def _json_default(value):
    if isinstance(value, float) and math.isinf(value):
        return "inf"
    return str(value)


def write_index(run_dir: Path, params: dict, timings: dict) -> Path:
    """``index.html``: the key numbers and every stage with its status and rendered notebook."""
    esc = html.escape
    rows = []
    for stage, t in timings.items():
        link = f'<a href="{esc(t["html"])}">{esc(stage)}</a>' if t.get("html") else esc(stage)
        cls = {"ok": "ok", "failed": "failed"}.get(t["status"], "skipped")
        rows.append(f'<tr class="{cls}"><td>{link}</td><td>{esc(t["status"].upper())}</td>'
                    f'<td>{t["seconds"]:.1f} s</td></tr>')
    numbers = ""
    summary_path = run_dir / "summary.json"
    if summary_path.exists():
        summary = json.loads(summary_path.read_text())
        units = summary.get("units", {})
        keys = list(units)
        strategies = summary["strategies"]
        # one row per index, one column per strategy: narrow enough for any screen
        head = "<th>index</th><th>units</th>" + "".join(f"<th>{esc(s)}</th>" for s in strategies)
        body = "".join(
            f"<tr><td>{esc(k)}</td><td>{esc(units[k])}</td>"
            + "".join(f"<td>{_fmt(v.get(k))}</td>" for v in strategies.values()) + "</tr>"
            for k in keys)
        c = summary["city"]
        single = [f"<p class=\"failed\">Single point of failure: the {esc(n)} network has one "
                  f"source ({esc(', '.join(f['sources']))}); every building it serves depends on "
                  f"it.</p>" for n, f in c.get("networks", {}).items()
                  if f.get("single_point_of_failure")]
        numbers = "".join(single) + (f"<h2>Resilience indexes</h2><p>{c['buildings']} buildings, "
                   f"{c['floor_area_m2']:,.0f} m² floor area, {c['population']:,.0f} residents "
                   f"(the people the service-capacity index counts, once each), baseline "
                   f"occupancy {c.get('occupancy', 0):,.0f} persons (residents and workers).</p>"
                   f"<table><tr>{head}</tr>{body}</table>"
                   + "".join(f"<p><small><b>{esc(k)}</b>: {esc(v)}</small></p>"
                             for k, v in summary.get("definitions", {}).items()))
    extra = sorted(p.name for p in run_dir.glob("*") if p.suffix in (".csv", ".geojson", ".nc", ".json"))
    files = "".join(f'<li><a href="{esc(n)}">{esc(n)}</a></li>' for n in extra)
    failed = [s for s, t in timings.items() if t["status"] == "failed"]
    banner = (f'<p class="failed">Stage {esc(failed[0])} FAILED; later stages were not run. '
              f'Its notebook (with the error) is linked below.</p>' if failed else "")
    page = f"""<!doctype html><html><head><meta charset="utf-8"><title>{esc(params['name'])} — resilience report</title>
<style>body{{font-family:sans-serif;max-width:70em;margin:2em auto}}table{{border-collapse:collapse}}
td,th{{border:1px solid #ccc;padding:.3em .6em;text-align:right}}td:first-child{{text-align:left}}
tr.failed,p.failed{{background:#fdd}}tr.ok td:nth-child(2){{color:#060}}</style></head><body>
<h1>Resilience report: {esc(params['name'])}</h1>
<p>City <code>{esc(params['city'])}</code>, seed {params['seed']}.</p>{banner}
{numbers}
<h2>Stages</h2><table><tr><th>stage</th><th>status</th><th>time</th></tr>{''.join(rows)}</table>
<h2>Files</h2><ul>{files}</ul></body></html>
"""
    target = run_dir / "index.html"
    _atomic_text(target, page)
    return target


def _fmt(v) -> str:
    if v is None:
        return "not reached"
    if isinstance(v, float):
        return f"{v:,.3g}" if abs(v) < 1000 else f"{v:,.0f}"
    return html.escape(str(v))


# --------------------------------------------------------------------------- atomic writes

def _atomic_text(path: Path, text: str) -> None:
    """Write via a temporary file and rename, so a failure never leaves half a file."""
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(text)
    tmp.replace(path)


def _atomic_netcdf(ds: xr.Dataset, path: Path) -> None:
    tmp = path.with_name(path.name + ".tmp")
    ds.to_netcdf(tmp, engine="h5netcdf")
    tmp.replace(path)
