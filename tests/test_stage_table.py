"""The stage table: each stage declared once; ``simulate`` walks it in memory, a notebook calls
``pipeline.stage(run_dir, name)`` on the run folder, and both give the same files."""

import re
from pathlib import Path

import pytest
import xarray as xr

from workbench import pipeline
from workbench.city import toy_city
from workbench.core.errors import InputError
from workbench.io.cityio import save_city
from workbench.run.params import validate_params
from workbench.run.pipeline.execute import notebooks
from workbench.run.pipeline.table import ARTEFACTS, STAGES, Skipped, stage, stage_names
from workbench.run.pipeline.writer import write_params
from workbench.core.paths import NOTEBOOKS_DIR

CALL = re.compile(r"pipeline\.stage\(run_dir, '(\w+)'")


@pytest.fixture(scope="module")
def params(tmp_path_factory):
    city = save_city(toy_city(), tmp_path_factory.mktemp("city") / "toy")
    return validate_params({"name": "toy", "city": str(city), "horizon_days": 40,
                            "hazard": {"magnitude": 7.0}, "constraints": {"crews": 2},
                            "ensemble": {"members": 0}, "mitigation": {"members": 0}})


def test_the_notebooks_call_the_stages_of_the_table_in_its_order():
    called = {}
    for nb in notebooks(NOTEBOOKS_DIR):   # name order; a number may have several notebooks
        script = nb.with_suffix(".py").read_text(encoding="utf-8")
        called.setdefault(nb.name[:2], []).extend(CALL.findall(script))
    for number, names in called.items():
        assert names == stage_names(number), number
    assert sorted({s.notebook for s in STAGES.values()}) == \
        sorted(k for k, v in called.items() if v)
    # every stage runs after the stages that make what it needs
    made = set()
    for s in STAGES.values():
        assert set(s.needs) - {"archive"} <= made, s.name
        made.add(s.makes)
    assert set().union(*(s.needs for s in STAGES.values())) <= set(ARTEFACTS)


def test_a_stage_on_the_folder_gives_what_simulate_gives_in_memory(params, tmp_path):
    simulated = pipeline.simulate(params, tmp_path / "simulated")
    by_hand = tmp_path / "by-hand"
    by_hand.mkdir()
    write_params(by_hand, params)
    city = stage(by_hand, "mapping")
    damage = stage(by_hand, "damage", city=city)
    result = stage(by_hand, "recovery")                 # city and damage read from the folder
    assert set(result.recovery.data_vars) >= {"ep_functionality", "sc_functionality"}
    stage(by_hand, "validation")                        # adds its entry to summary.json
    assert (by_hand / "validation.json").read_bytes() == \
        (simulated / "validation.json").read_bytes()
    for name in ("damage.nc", "recovery.nc"):
        with xr.open_dataset(simulated / name, engine="h5netcdf") as a, \
                xr.open_dataset(by_hand / name, engine="h5netcdf") as b:
            xr.testing.assert_identical(a.load(), b.load())
    assert (by_hand / "summary.json").read_bytes() == (simulated / "summary.json").read_bytes()
    assert damage.sizes == xr.open_dataset(by_hand / "damage.nc", engine="h5netcdf").sizes


def test_a_skipped_stage_says_why_and_writes_nothing(params, tmp_path):
    write_params(tmp_path, {**params, "response": {**params["response"], "agents": False}})
    before = sorted(p.name for p in tmp_path.iterdir())
    for name, why in (("uncertainty", "ensemble.members is 0"),
                      ("mitigation", "mitigation.members is 0"),
                      ("response", "response.agents is false")):
        out = stage(tmp_path, name)
        assert isinstance(out, Skipped) and not out and why in str(out), name
        assert out.stage == name and why in out._repr_markdown_()
    assert sorted(p.name for p in tmp_path.iterdir()) == before


def test_a_damage_table_leaves_the_ensembles_nothing_to_resample(params, tmp_path):
    write_params(tmp_path, {**params, "ensemble": {**params["ensemble"], "members": 12},
                            "damage": {**params["damage"], "source": str(tmp_path / "d.csv")}})
    out = stage(tmp_path, "uncertainty")
    assert isinstance(out, Skipped) and "damage.source" in out.reason


def test_unknown_stage_input_or_missing_input_is_said(params, tmp_path):
    write_params(tmp_path, params)
    with pytest.raises(InputError, match=r"unknown stage 'colour'; the stages are \['mapping'"):
        stage(tmp_path, "colour")
    with pytest.raises(InputError, match=r"stage 'damage' takes \['city'\], not \['recovery'\]"):
        stage(tmp_path, "damage", recovery=None)
    with pytest.raises(InputError, match="significance.csv' does not exist; run stage 02"):
        stage(tmp_path, "training")


def test_the_names_of_before_are_the_table_s_stage(params, tmp_path):
    write_params(tmp_path, params)
    city = pipeline.stage_mapping(tmp_path)
    damage = pipeline.stage_damage(tmp_path, city)
    recovery = pipeline.stage_recovery(tmp_path, city, damage)
    assert isinstance(recovery, xr.Dataset) and (Path(tmp_path) / "summary.json").is_file()
