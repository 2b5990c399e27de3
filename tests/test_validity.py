"""Numbers a reviewer accepts: the service index counts people, nothing is dropped at the horizon."""

import json
import warnings

import numpy as np
import pytest
import xarray as xr

import workbench as wb
from workbench import pipeline
from workbench.functionality import residents
from workbench.metrics.indexes import ep_loss, service_loss
from workbench.run.params import validate_params


def no_damage(city, system):
    n, m = city.buildings.sizes["building"], system.n_components
    return xr.Dataset(
        {"building_damage_state": ("building", np.zeros(n, "int8")),
         "building_repair_days": ("building", np.zeros(n)),
         "building_repair_cost": ("building", np.zeros(n)),
         "component_damage_state": ("component", np.zeros(m, "int8")),
         "component_functional": ("component", np.ones(m, bool)),
         "component_repair_days": ("component", np.zeros(m)),
         "component_repair_cost": ("component", np.zeros(m))},
        coords={"building": city.buildings["building"].values,
                "component": system.component_ids})


@pytest.mark.parametrize("max_distance", [1.0, 60.0, 500.0])
def test_an_undamaged_city_scores_zero_whatever_its_mapping(max_distance):
    with warnings.catch_warnings(record=True):   # the unmapped count is warned; checked below
        warnings.simplefilter("always")
        city = wb.map_city(wb.demo_city(), max_distance=max_distance)
    unmapped = sum(int((city.buildings[f"{k}_node"].values == "").sum()) for k in wb.core.dims.NETWORKS)
    if max_distance < 100:
        assert unmapped > 100
    system = wb.build_system(city)
    rec = wb.simulate_recovery(city, system, no_damage(city, system),
                               wb.Constraints(horizon_days=30))
    assert (ep_loss(rec) == 0).all() and (service_loss(rec) == 0).all()
    assert float(rec["sc"].isel(time=0, strategy=0)) == float(rec["demand"].isel(time=0,
                                                                                  strategy=0))


@pytest.fixture(scope="module")
def demo_run(tmp_path_factory):
    out = tmp_path_factory.mktemp("demo")
    pipeline.simulate(validate_params({}), out)
    return json.loads((out / "summary.json").read_text())


def test_default_service_loss_is_at_most_every_resident_for_the_whole_horizon(demo_run):
    params = validate_params({})
    bound = residents(wb.demo_city().buildings).sum() * params["horizon_days"]
    assert demo_run["city"]["population"] == pytest.approx(residents(wb.demo_city().buildings).sum())
    for strategy, v in demo_run["strategies"].items():
        assert 0 < v["service_loss_person_days"] <= bound, strategy


def test_summary_states_the_definitions_and_what_the_horizon_leaves_open(demo_run):
    assert "residents" in demo_run["definitions"]["service_loss_person_days"]
    for v in demo_run["strategies"].values():
        for key in ("unrestored_buildings", "unrestored_floor_area_m2", "unrestored_components",
                    "ep_loss_per_day_at_horizon", "service_loss_per_day_at_horizon"):
            assert v[key] >= 0
        # open work at the horizon goes with a loss still accruing, and vice versa
        assert (v["unrestored_buildings"] + v["unrestored_components"] > 0) == (
            not v["recovered_100"])


def test_the_policy_summary_says_when_95_percent_is_not_back():
    from workbench.show.report import policy_summary
    s = {"city": {"buildings": 1, "floor_area_m2": 1.0, "population": 1.0},
         "strategies": {"rigid": {"economic_loss": 1.0, "repair_cost": 0.0,
                                  "service_loss_person_days": 1.0, "recovery_days_95": None,
                                  "functionality_72h": 0.5}}}
    text = policy_summary(s)
    assert "95 % of functionality is not back within the simulated horizon" in text
    assert "back after not" not in text
