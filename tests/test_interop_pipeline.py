"""Bring-your-own inventory and damage through the public commands (`city from-inventory`,
`simulate` and `run` with `damage.source`)."""

import json
from pathlib import Path

import geopandas as gpd
import pandas as pd
import pytest
import xarray as xr

from workbench import pipeline
from workbench.run.cli import main
from workbench.run.params import validate_params

pytestmark = pytest.mark.slow   # make test-fast leaves it out: a whole `workbench run` of every notebook (~90 s)

DATA = Path(__file__).parent / "data"


@pytest.fixture(scope="module")
def inventory_city(tmp_path_factory):
    out = tmp_path_factory.mktemp("inv") / "berkeley"
    assert main(["city", "from-inventory", str(DATA / "simcenter_inventory.csv"), "--out", str(out)]) == 0
    return out


def _params(city, **extra):
    return validate_params({"name": "inv", "city": str(city), "horizon_days": 400,
                            "constraints": {"crews": 30},
                            "damage": {"source": str(DATA / "simcenter_damage.csv")},
                            "models": {"max_epochs": 3}, **extra})


def test_simulate_uses_imported_damage(inventory_city, tmp_path):
    run_dir = pipeline.simulate(_params(inventory_city), tmp_path / "run")
    table = pd.read_csv(DATA / "simcenter_damage.csv", dtype={"id": str})
    damage = xr.open_dataset(run_dir / "damage.nc", engine="h5netcdf")
    states = damage["building_damage_state"].isel(realization=0).to_series()
    assert (states.loc[table["id"]].to_numpy() == table["DS"].to_numpy()).all()
    assert int((states > 0).sum()) == int((table["DS"] > 0).sum())  # the rest stays undamaged
    summary = json.loads((run_dir / "summary.json").read_text())
    assert summary["city"]["buildings"] == 240
    # imported building repairs, plus the clearance of roads blocked by their debris
    clearance = float(damage["component_repair_cost"].isel(realization=0).sum())
    assert damage.attrs["debris_blocked_edges"] >= 0
    for values in summary["strategies"].values():
        assert values["repair_cost"] == pytest.approx(table["repair_cost"].sum() + clearance)
    results = gpd.read_file(run_dir / "buildings_results.geojson")
    assert len(results) == 240 and results.crs is not None
    manifest = json.loads((run_dir / "manifest.json").read_text())
    assert any(k.endswith("simcenter_damage.csv") for k in manifest["inputs"])
    for name in ("buildings_results.csv", "curves.csv", "indexes.csv"):
        assert (run_dir / name).exists()


def test_run_with_imported_damage_lists_exports(inventory_city, tmp_path):
    run_dir = pipeline.run(_params(inventory_city), tmp_path / "run")
    index = (run_dir / "index.html").read_text()
    for name in ("buildings_results.geojson", "curves.csv", "indexes.csv", "summary.json"):
        assert f'href="{name}"' in index


def test_bad_damage_source_is_a_stage_error(inventory_city, tmp_path, capsys):
    bad = tmp_path / "bad.csv"
    bad.write_text("id,DS,repair_cost,repair_time\n1,7,10.0,3\n")
    (tmp_path / "p.yaml").write_text(f"city: {inventory_city}\ndamage: {{source: {bad}}}\n")
    assert main(["simulate", str(tmp_path / "p.yaml"), "--out", str(tmp_path / "o")]) == 1
    err = capsys.readouterr().err
    assert "stage damage failed" in err and "7" in err


def test_an_imported_table_sets_the_realizations_and_says_so(inventory_city, tmp_path, caplog):
    # the table holds one realisation; a parameter asking for 3 does not apply to it
    with caplog.at_level("WARNING"):
        run_dir = pipeline.simulate(_params(inventory_city, realizations=3), tmp_path / "run")
    summary = json.loads((run_dir / "summary.json").read_text())
    assert summary["realizations"] == 1
    assert any("realization" in r.getMessage() and "table" in r.getMessage()
               for r in caplog.records)
