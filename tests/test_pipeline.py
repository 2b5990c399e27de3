"""Runs end to end: `simulate`, `run` through papermill, the CLI contract, failures that keep output."""

import json
import math

import pytest
import yaml

from workbench import pipeline
from workbench.city import toy_city
from workbench.io.cityio import save_city
from workbench.run.cli import main
from workbench.core.errors import StageError
from workbench.run.params import validate_params

SUMMARY_KEYS = {"economic_loss", "ep_loss", "repair_cost", "service_loss_person_days",
                "economic_loss_per_m2", "service_loss_per_m2", "recovery_days_95",
                "functionality_72h"}


@pytest.fixture(scope="module")
def toy_folder(tmp_path_factory):
    return save_city(toy_city(), tmp_path_factory.mktemp("city") / "toy")


def _params(toy_folder, **extra):
    return validate_params({"name": "toy", "city": str(toy_folder), "horizon_days": 60,
                            "hazard": {"magnitude": 7.0}, "constraints": {"crews": 2},
                            "models": {"max_epochs": 3},
                            "ensemble": {"members": 12, "draws": 50, "tune": 50, "chains": 1},
                            "mitigation": {"members": 3}, **extra})


def test_simulate_writes_contract_files(toy_folder, tmp_path):
    run_dir = pipeline.simulate(_params(toy_folder), tmp_path / "run")
    summary = json.loads((run_dir / "summary.json").read_text())
    networks = summary["city"].pop("networks")
    assert summary["city"] == {"name": "toy", "buildings": 6, "floor_area_m2": 14000.0,
                               "population": 90.0, "occupancy": 500.0}  # residents of b0, b1
    # the toy city's networks each have one source: single points of failure, flagged
    assert set(networks) == {"water", "power", "road"}
    assert all(f["single_point_of_failure"] == (len(f["sources"]) == 1) for f in networks.values())
    assert all(f["unmapped_buildings"] == 0 for f in networks.values())
    assert set(summary["strategies"]) == {"rigid", "semiflexible", "flexible"}
    for values in summary["strategies"].values():
        assert SUMMARY_KEYS <= set(values)
        assert values["economic_loss"] >= values["repair_cost"] >= 0
    manifest = json.loads((run_dir / "manifest.json").read_text())
    assert manifest["parameters"]["seed"] == 42
    assert manifest["packages"]["numpy"]
    assert any(k.endswith("buildings.csv") for k in manifest["inputs"])
    assert set(manifest["stages"]) == {"mapping", "damage", "recovery", "validation"}
    for name in ("city.nc", "damage.nc", "recovery.nc", "params.yaml"):
        assert (run_dir / name).exists()
    stints = pipeline.crew_assignments(run_dir)
    assert set(stints["strategy"]) <= {"rigid", "semiflexible", "flexible"}
    assert (stints["end_day"] >= stints["start_day"]).all()
    assert stints["crew"].max() < 2  # constraints.crews = 2


def test_same_parameters_same_summary(toy_folder, tmp_path):
    a = pipeline.simulate(_params(toy_folder), tmp_path / "a")
    b = pipeline.simulate(_params(toy_folder), tmp_path / "b")
    assert (a / "summary.json").read_bytes() == (b / "summary.json").read_bytes()
    c = pipeline.simulate(_params(toy_folder, seed=7), tmp_path / "c")
    assert json.loads((c / "summary.json").read_text())["seed"] == 7


def _bad_field(tmp_path):
    """An intensity field that exists but holds no intensity column: the damage stage fails."""
    path = tmp_path / "field.csv"
    path.write_text("id,x\nb0,1\n")
    return {"kind": "field", "field": str(path)}


def test_stage_failure_names_stage_and_keeps_earlier_output(toy_folder, tmp_path):
    params = _params(toy_folder, hazard=_bad_field(tmp_path))
    with pytest.raises(StageError, match="stage damage failed: InputError: intensity field"):
        pipeline.simulate(params, tmp_path / "run")
    assert (tmp_path / "run" / "city.nc").exists()
    assert not (tmp_path / "run" / "summary.json").exists()
    manifest = json.loads((tmp_path / "run" / "manifest.json").read_text())
    assert manifest["stages"]["mapping"]["status"] == "ok"
    assert manifest["stages"]["damage"]["status"] == "failed"
    assert manifest["error"]["stage"] == "damage" and "intensity field" in manifest["error"]["error"]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["field.csv", "run"]  # no staging, no lock


def test_cli_params_and_unknown_key(tmp_path, capsys):
    assert main(["params"]) == 0
    printed = yaml.safe_load(capsys.readouterr().out)
    printed["not_a_key"] = 1
    (tmp_path / "bad.yaml").write_text(yaml.safe_dump(printed))
    assert main(["simulate", str(tmp_path / "bad.yaml"), "--out", str(tmp_path / "o")]) == 1
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "not_a_key" in err[0]


def test_cli_bad_city_path(tmp_path, capsys):
    (tmp_path / "p.yaml").write_text("city: no/such/folder\n")
    assert main(["simulate", str(tmp_path / "p.yaml"), "--out", str(tmp_path / "o")]) == 1
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "parameter city" in err[0] and "no/such/folder" in err[0]
    assert not (tmp_path / "o" / "summary.json").exists()


@pytest.mark.slow
def test_run_executes_notebooks(toy_report):
    run_dir = toy_report.dir
    manifest = json.loads((run_dir / "manifest.json").read_text())
    stages = manifest["stages"]
    assert stages and all(s["status"] == "ok" for s in stages.values()), stages
    index = (run_dir / "index.html").read_text()
    for stage in stages:
        assert (run_dir / f"{stage}.ipynb").exists() and (run_dir / f"{stage}.html").exists()
        assert f"{stage}.html" in index
    for html in run_dir.glob("*.html"):
        text = html.read_text()
        assert "cdn.bokeh.org" not in text and "cdn.holoviz.org" not in text, html.name
    assert "Resilience indexes" in index
    # stage 06 ranked the default options that act on the toy city (it has no pump)
    ranking = (run_dir / "mitigation.csv").read_text().splitlines()
    assert ranking[0].startswith("option,kind,cost") and len(ranking) == 1 + 5
    assert "backup-pumps" in json.loads((run_dir / "mitigation.json").read_text())["skipped"]
    assert (run_dir / "figures" / "06_mitigation.svg").exists()
    # stage 04's people section: beside the recovery's indexes, in summary.json too
    people = json.loads((run_dir / "summary.json").read_text())["response"]
    for s, v in json.loads((run_dir / "summary.json").read_text())["strategies"].items():
        assert people["strategies"][s]["economic_loss"]["recovery"] == v["economic_loss"]
    # executed on the staging folder, the notebooks name the run folder they ended in
    notebook = json.loads((run_dir / "01_data_mapping.ipynb").read_text())
    injected = "".join(next(c for c in notebook["cells"]
                            if "injected-parameters" in c["metadata"].get("tags", []))["source"])
    assert str(run_dir) in injected and ".tmp-" not in injected
    summary = json.loads((run_dir / "summary.json").read_text())
    assert math.isfinite(summary["strategies"]["semiflexible"]["economic_loss"])


@pytest.mark.slow
def test_run_failure_keeps_failed_notebook(toy_folder, tmp_path):
    params = _params(toy_folder, hazard=_bad_field(tmp_path))
    with pytest.raises(StageError, match="stage 04_recovery_simulation failed"):
        pipeline.run(params, tmp_path / "run")
    run_dir = tmp_path / "run"
    manifest = json.loads((run_dir / "manifest.json").read_text())
    assert manifest["stages"]["01_data_mapping"]["status"] == "ok"
    assert manifest["stages"]["04_recovery_simulation"]["status"] == "failed"
    assert (run_dir / "04_recovery_simulation.html").exists()
    assert (run_dir / "city.nc").exists()
    index = (run_dir / "index.html").read_text()
    assert "Stage 04_recovery_simulation FAILED: InputError: intensity field" in index
    assert manifest["error"]["stage"] == "04_recovery_simulation"
    assert manifest["stages"]["07_resilience_report"]["status"] == "skipped"


def test_an_imported_citys_data_quality_is_on_the_first_screen(tmp_path):
    # a city from `workbench city from-inventory` says per field where its values came from;
    # index.html says it beside the indexes, and the toy city (no importer) says nothing
    from pathlib import Path
    from workbench.run.pipeline.index import index_page
    inventory = Path(__file__).parent / "data" / "simcenter_inventory.csv"
    assert main(["city", "from-inventory", str(inventory), "--out", str(tmp_path / "c")]) == 0
    params = validate_params({"name": "imported", "city": str(tmp_path / "c"),
                              "horizon_days": 60, "response": {"agents": False}})
    run_dir = pipeline.simulate(params, tmp_path / "run")
    note = pipeline.data_quality(run_dir)
    assert note.startswith("**The data behind these numbers.** Of the city's 240 buildings, ")
    assert "occupancy is estimated from other fields (imputed) for 44 %" in note
    page = index_page(run_dir, params, {})
    assert page.index("Resilience indexes") < page.index("The data behind these numbers")
    toy = pipeline.simulate(validate_params({"name": "toy", "city": str(save_city(
        toy_city(), tmp_path / "toy")), "horizon_days": 30}), tmp_path / "toy_run")
    assert pipeline.data_quality(toy) == ""
    assert "The data behind" not in index_page(toy, params, {})
