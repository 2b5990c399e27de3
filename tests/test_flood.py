"""Floods (workbench.hazard.flood, workbench.city.terrain): the bathtub, the Hazus depth–damage
curves as tabulated, a dry city's exactly-zero loss, facilities out under water, the parameter
rules, and a whole run of the bundled flood scenario."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import xarray as xr

from workbench.city import toy_city
from workbench.city.terrain import read_grid, sample_grid, shore_terrain
from workbench.core.errors import InputError
from workbench.core.paths import DATA_DIR, DEMO_CITY_DIR
from workbench.hazard.damage import DamageSampler, sample_damage
from workbench.hazard.flood import (FEET_PER_M, bathtub_intensity, flood_intensity,
                                    flood_loss_ratio)
from workbench.hazard.fragility import OCCUPANCY_OF_TYPE
from workbench.network.system import build_system

PER_M2 = dict.fromkeys(["residential", "office", "commercial", "industrial", "public"], 2000.0)
SCENARIO = DATA_DIR / "scenarios" / "flood.yaml"


def _ground(tmp_path, z_of_x) -> Path:
    """A terrain CSV over the toy city whose elevation is ``z_of_x(x)``."""
    xs, ys = np.arange(-1000.0, 1001.0, 50.0), np.arange(-1000.0, 1001.0, 50.0)
    gx, gy = np.meshgrid(xs, ys)
    path = tmp_path / "terrain.csv"
    pd.DataFrame({"x": gx.ravel(), "y": gy.ravel(),
                  "elevation_m": z_of_x(gx.ravel())}).to_csv(path, index=False)
    return path


def _toy():
    city = toy_city()
    return city, build_system(city)


def test_bathtub_depth_is_level_minus_ground_and_dry_sites_are_zero(tmp_path):
    city, system = _toy()
    terrain = read_grid(_ground(tmp_path, lambda x: 1.0 + x / 100.0), "elevation_m")
    f = bathtub_intensity(3.5, terrain, city.buildings, system.components)
    ground = 1.0 + city.buildings["x"].values / 100.0
    np.testing.assert_allclose(f["building_inundation_depth"].values,
                               np.maximum(3.5 - ground, 0.0), atol=1e-12)
    cx = system.components["x"].values
    located = np.isfinite(cx)
    np.testing.assert_allclose(f["component_inundation_depth"].values[located],
                               np.maximum(3.5 - (1.0 + cx[located] / 100.0), 0.0), atol=1e-9)
    assert f.attrs["hazard_kind"] == "flood" and f.attrs["hazard_water_level_m"] == 3.5


def test_a_dry_city_loses_exactly_nothing(tmp_path):
    """Not exposed (water below every site's ground) is zero loss, although several Hazus
    curves are > 0 at 0 ft above the first floor."""
    city, system = _toy()
    terrain = read_grid(_ground(tmp_path, lambda x: 5.0 + 0 * x), "elevation_m")
    dry = bathtub_intensity(4.99, terrain, city.buildings, system.components)
    damage = sample_damage(city, system, dry, realizations=3, seed=2,
                           replacement_cost_per_m2=PER_M2, design_code="0")
    assert float(damage["building_repair_cost"].sum()) == 0.0
    assert float(damage["component_repair_cost"].sum()) == 0.0
    assert int(damage["building_damage_state"].max()) == 0
    assert float(damage["building_repair_days"].sum()) == 0.0
    assert bool(damage["component_functional"].all())
    # the same buildings with water exactly at their first floor (0 ft) do lose: RES3 0.15
    at_floor = flood_intensity(city.buildings, system.components,
                               np.full(6, 0.3), np.zeros(system.n_components))
    wet = sample_damage(city, system, at_floor, replacement_cost_per_m2=PER_M2,
                        design_code="0")
    assert float(wet["building_repair_cost"].sum()) > 0
    assert float(wet["building_flood_loss_ratio"].values[0]) == pytest.approx(0.15)


def test_loss_ratios_are_the_hazus_table_at_its_depths():
    table = pd.read_csv(DATA_DIR / "hazus_flood_depth_damage.csv")
    assert set(table["occupancy"]) == set(OCCUPANCY_OF_TYPE.values())
    city = toy_city()
    types = city.buildings["type"].values.astype(str)
    for basement in (False, True):
        rows = table[table["basement"] == ("yes" if basement else "no")]
        for depth in rows["depth_ft"].unique():
            got = flood_loss_ratio(city.buildings, np.full(6, depth), basement=basement)
            want = [rows[(rows["workbench_type"] == t) & (rows["depth_ft"] == depth)]
                    ["loss_ratio"].item() for t in types]
            np.testing.assert_allclose(got, want, atol=1e-12)
    # held at the ends, linear between
    far = flood_loss_ratio(city.buildings, np.full(6, 100.0))
    np.testing.assert_allclose(far, flood_loss_ratio(city.buildings, np.full(6, 24.0)))
    assert (np.diff(flood_loss_ratio(city.buildings, np.linspace(-6, 30, 200)[:, None]
                                     * np.ones(6), basement=True), axis=0) >= 0).all()


def test_states_costs_and_effort_follow_the_stated_rules():
    city, system = _toy()
    depth = np.array([0.0, 0.3 + 3 / FEET_PER_M, 0.3 + 6 / FEET_PER_M, 1.0, 2.0, 4.0])
    f = flood_intensity(city.buildings, system.components, depth,
                        np.zeros(system.n_components))
    sampler = DamageSampler(city, system, replacement_cost_per_m2=PER_M2, design_code="0")
    d = sampler(f, realizations=50, seed=4)
    ratio = d["building_flood_loss_ratio"].values
    cost = d["building_repair_cost"].isel(realization=0).values
    np.testing.assert_allclose(cost, ratio * sampler._replacement)
    state = d["building_damage_state"].values
    assert (state == state[0]).all()                  # depth-damage is deterministic
    ladder = sampler._b_ratio[:, 1:]
    for b in np.flatnonzero(ratio > 0):
        assert state[0, b] == np.abs(ladder[b] - ratio[b]).argmin() + 1
    assert state[0, 0] == 0
    days = d["building_repair_days"].values
    # residential at 3 ft above the floor: Hazus band 1–4 ft, 270–450 days, drawn uniformly
    assert days[:, 1].min() >= 270 and days[:, 1].max() <= 450 and days[:, 1].std() > 20
    assert (days[:, 0] == 0).all()
    again = sampler(f, realizations=50, seed=4)
    assert again.identical(d)
    other = sampler(f, realizations=50, seed=5)
    assert not np.array_equal(other["building_repair_days"].values, days)
    np.testing.assert_array_equal(other["building_damage_state"].values, state)


def test_facilities_go_out_under_the_threshold_and_pipes_do_not():
    city, system = _toy()
    comps = system.components
    kinds = comps["kind"].values.astype(str)
    depth_c = np.full(system.n_components, 0.6)
    f = flood_intensity(city.buildings, comps, np.zeros(6), depth_c,
                        facility_flood_depth_m=0.5)
    d = sample_damage(city, system, f, replacement_cost_per_m2=PER_M2, design_code="0")
    out = ~d["component_functional"].isel(realization=0).values
    facility = np.isin(kinds, ["substation", "pump", "source", "ext_grid", "tank",
                               "treatment", "generator", "transformer"])
    assert facility.any()
    np.testing.assert_array_equal(out, facility)
    assert (d["component_damage_state"].isel(realization=0).values[facility] == 3).all()
    assert (d["component_repair_days"].isel(realization=0).values[facility] > 0).all()
    shallow = flood_intensity(city.buildings, comps, np.zeros(6), np.full(len(kinds), 0.49),
                              facility_flood_depth_m=0.5)
    d = sample_damage(city, system, shallow, replacement_cost_per_m2=PER_M2, design_code="0")
    assert bool(d["component_functional"].all())


@pytest.mark.parametrize("rows, match", [
    ("x,y\n0,0\n", r"lacks the column\(s\) \['elevation_m'\]"),
    ("x,y,elevation_m\n0,0,1\n10,0,1\n0,10,1\n", r"not a complete lattice"),
    ("x,y,elevation_m\n0,0,1\n10,0,nan\n0,10,1\n10,10,1\n", r"'elevation_m' holds a missing"),
    ("x,y,elevation_m\n0,0,1\n10,0,1\n25,0,1\n0,10,1\n10,10,1\n25,10,1\n",
     r"x values are not equally spaced"),
])
def test_bad_grids_are_refused_with_the_field(tmp_path, rows, match):
    path = tmp_path / "g.csv"
    path.write_text(rows)
    with pytest.raises(InputError, match=match):
        read_grid(path, "elevation_m")


def test_a_negative_depth_and_a_site_outside_the_grid_are_refused(tmp_path):
    path = tmp_path / "d.csv"
    path.write_text("x,y,depth_m\n0,0,1\n10,0,-1\n0,10,1\n10,10,1\n")
    with pytest.raises(InputError, match=r"depth_m must be ≥ 0"):
        read_grid(path, "depth_m")
    path.write_text("x,y,depth_m\n0,0,1\n10,0,1\n0,10,1\n10,10,1\n")
    with pytest.raises(InputError, match=r"6 buildings lie outside the grid"):
        sample_grid(read_grid(path, "depth_m"), toy_city().buildings["x"].values + 50,
                    toy_city().buildings["y"].values, what="buildings")


@pytest.mark.parametrize("hazard, match", [
    ({"kind": "flood"}, r"needs exactly one of water_level_m"),
    ({"kind": "flood", "water_level_m": 2.0, "depth_grid": "d.csv"},
     r"needs exactly one of water_level_m"),
    ({"kind": "earthquake", "water_level_m": 2.0}, r"hazard.water_level_m is 2.0 but"),
    ({"kind": "flood", "water_level_m": 2.0, "first_floor_height_m": -1},
     r"first_floor_height_m must be"),
    ({"kind": "flood", "water_level_m": 2.0, "residuals": True}, r"residuals is true"),
])
def test_flood_parameters_are_checked(hazard, match):
    from workbench.core.errors import ParameterError
    from workbench.run.params import validate_params
    with pytest.raises(ParameterError, match=match):
        validate_params({"hazard": hazard})


def test_the_demo_terrain_is_the_documented_synthetic_surface():
    grid = read_grid(DEMO_CITY_DIR / "terrain.csv", "elevation_m")
    assert float(grid.min()) >= 1.0 and float(grid.max()) <= 25.0
    assert "synthetic" in (DEMO_CITY_DIR / "README.md").read_text().lower()
    line = __import__("shapely").geometry.LineString([(0, 0), (0, 1000)])
    g = shore_terrain(line, (0, 0, 500, 1000), spacing_m=100.0)
    np.testing.assert_allclose(g.sel(y=500.0).values, 1.0 + 2.0 * g["x"].values / 100.0)


def test_the_bundled_flood_scenario_runs_and_names_the_flood(tmp_path):
    from workbench.run.params import load_params
    from workbench.run.pipeline import simulate
    from workbench.show.report.text import scenario_sentence
    params = load_params(SCENARIO)
    params["realizations"] = 2
    run = simulate(params, tmp_path / "flood")
    summary = json.loads((run / "summary.json").read_text())
    damage = xr.open_dataset(run / "damage.nc")
    exposed = int((damage["building_inundation_depth"] > 0).sum())
    assert 0 < exposed < damage.sizes["building"]
    assert damage.attrs["hazard_kind"] == "flood"
    loss = summary["strategies"]["semiflexible"]
    assert loss["repair_cost"] == pytest.approx(float(
        damage["building_repair_cost"].sum() + damage["component_repair_cost"].sum()) / 2,
        rel=1e-9)
    assert loss["economic_loss"] > loss["repair_cost"] > 0
    sentence = scenario_sentence(params, "helsinki-demo")
    assert "hypothetical flood" in sentence and "synthetic terrain" in sentence
    assert "2.5 m" in sentence


def test_the_bundled_earthquake_scenario_is_the_default_run():
    from workbench.run.params import load_params, validate_params
    given = load_params(DATA_DIR / "scenarios" / "earthquake.yaml")
    assert given == validate_params({})


@pytest.mark.slow
def test_workbench_run_of_the_flood_scenario_reports_the_flood(tmp_path):
    """Every notebook on the bundled flood scenario (small ensemble and mitigation settings):
    every stage ends ok, the pages name the flood, the assumptions are the flood's, and the
    check against earthquakes says it is not a test of the flood model."""
    import re
    from workbench import pipeline
    from workbench.run.params import load_params, validate_params
    params = load_params(SCENARIO)
    small = {"horizon_days": 60, "models": {"max_epochs": 1},
             "ensemble": {"members": 11, "draws": 20, "tune": 20, "chains": 1},
             "mitigation": {"members": 2}}
    for key, value in small.items():
        params[key] = {**params[key], **value} if isinstance(value, dict) else value
    run = pipeline.run(validate_params(params), tmp_path / "flood")
    manifest = json.loads((run / "manifest.json").read_text())
    assert "error" not in manifest
    index = (run / "index.html").read_text()
    assert "a hypothetical flood of Helsinki demo" in index
    report = re.sub(r"<[^>]+>", " ", (run / "07_resilience_report.html").read_text())
    assert "Hazus Flood Model v6.1" in report and "equivalent-PGA" not in report
    validation = json.loads((run / "validation.json").read_text())
    assert validation["caveats"][0].startswith("**This run is a flood")


def test_a_buildings_own_first_floor_height_wins_over_the_parameter():
    city, system = _toy()
    depth = np.full(6, 1.0)
    raised = city.buildings.assign(first_floor_height=("building", [1.0, np.nan, 0, 0, 0, 0]))
    f = flood_intensity(raised, system.components, depth, np.zeros(system.n_components),
                        first_floor_height_m=0.3)
    d = DamageSampler(raised, system, replacement_cost_per_m2=PER_M2, design_code="0")(f)
    ratio = d["building_flood_loss_ratio"].values
    want = flood_loss_ratio(raised, (depth - np.array([1.0, 0.3, 0, 0, 0, 0])) * FEET_PER_M)
    np.testing.assert_allclose(ratio, want)
