"""Tests of workbench.hazard.damage: the damage Dataset contract and the science of the sampling."""

import numpy as np
import pandas as pd
import pytest
import xarray as xr

from workbench.city import toy_city
from workbench.hazard.damage import damage_probabilities, sample_damage
from workbench.io.demo import demo_city
from workbench.core.dims import BUILDING_TYPES
from workbench.core.errors import InputError
from workbench.hazard.fragility import COMPONENT_MODELS, lifeline_restoration_table
from workbench.hazard import Earthquake, intensity_from_csv
from workbench.network.system import build_system

PER_M2 = dict.fromkeys(BUILDING_TYPES, 2000.0)


def _components(n_pipes=2, length=1000.0):
    """A hand-made component table: a substation, a bus, a line and long pipes."""
    kinds = ["substation", "bus", "line"] + ["pipe"] * n_pipes
    nets = ["power"] * 3 + ["water"] * n_pipes
    m = len(kinds)
    return xr.Dataset(
        {"network": ("component", nets), "element": ("component", ["node", "node", "edge"] +
                                                     ["edge"] * n_pipes),
         "kind": ("component", kinds), "x": ("component", np.linspace(0, 400, m)),
         "y": ("component", np.zeros(m)),
         "length": ("component", [0.0, 0.0, 150.0] + [length] * n_pipes),
         "repair_days": ("component", [20.0, 0.0, 2.0] + [5.0] * n_pipes),
         "repair_cost": ("component", [1e5, 0.0, 1e4] + [5e4] * n_pipes)},
        coords={"component": [f"c{i}" for i in range(m)]})


@pytest.fixture(scope="module")
def city():
    return toy_city()


def test_dataset_contract(city):
    eq = Earthquake(6.5, 0.0, 0.0)
    damage = sample_damage(city, build_system(city), eq, realizations=4, seed=3,
                           replacement_cost_per_m2=PER_M2)
    assert dict(damage.sizes) == {"realization": 4, "building": 6, "component": 21,
                                  "damage_state": 5}
    # what planners expect before inspection: a distribution over DS 0…4 per building
    np.testing.assert_allclose(damage["building_damage_probability"].sum("damage_state"), 1.0)
    assert (damage["building_expected_repair_days"] >= 0).all()
    expected = {"building_damage_state": ("realization", "building"),
                "building_repair_days": ("realization", "building"),
                "building_repair_cost": ("realization", "building"),
                "component_damage_state": ("realization", "component"),
                "component_functional": ("realization", "component"),
                "component_repair_days": ("realization", "component"),
                "component_repair_cost": ("realization", "component"),
                "building_pga": ("building",), "building_pgv": ("building",),
                "component_pga": ("component",), "component_pgv": ("component",)}
    for name, dims in expected.items():
        assert damage[name].dims == dims, name
    assert damage["building_damage_state"].dtype == np.int8
    assert damage["component_damage_state"].dtype == np.int8
    assert damage["component_functional"].dtype == bool
    assert damage["building_damage_state"].isin(range(5)).all()
    assert {"seed", "currency", "price_year", "hazard_magnitude"} <= set(damage.attrs)
    assert damage.attrs["seed"] == 3


def test_roundtrip_netcdf(city, tmp_path):
    damage = sample_damage(city, build_system(city), Earthquake(6.5, 0.0, 0.0), seed=1,
                           replacement_cost_per_m2=PER_M2)
    damage.to_netcdf(tmp_path / "damage.nc")
    xr.testing.assert_identical(xr.load_dataset(tmp_path / "damage.nc"), damage)


def test_same_seed_same_dataset_other_seed_differs(city):
    kw = dict(realizations=50, replacement_cost_per_m2=PER_M2)
    eq = Earthquake(7.0, 0.0, 0.0, vs30=300.0)
    a = sample_damage(city, _components(), eq, seed=7, **kw)
    b = sample_damage(city, _components(), eq, seed=7, **kw)
    c = sample_damage(city, _components(), eq, seed=8, **kw)
    xr.testing.assert_identical(a, b)
    assert not a["building_damage_state"].equals(c["building_damage_state"])


def test_zero_intensity_gives_no_damage(city):
    eq = Earthquake(7.5, 0.0, 0.0, intensity_scale=0.0)
    damage = sample_damage(city, _components(), eq, realizations=20,
                           replacement_cost_per_m2=PER_M2)
    assert int(damage["building_damage_state"].max()) == 0
    assert int(damage["component_damage_state"].max()) == 0
    assert bool(damage["component_functional"].all())
    assert float(damage["building_repair_cost"].sum()) == 0.0
    assert float(damage["component_repair_days"].sum()) == 0.0


def test_sampled_fractions_match_fragility_probabilities(city):
    """P(DS ≥ k) from many realisations within 4 binomial sigmas of the exact curves."""
    eq = Earthquake(6.8, 0.0, 0.0, vs30=360.0, gmpe="BA08")  # shaking of non-trivial P
    n = 20_000
    comps = _components()
    damage = sample_damage(city, comps, eq, realizations=n, seed=11,
                           replacement_cost_per_m2=PER_M2, design_code="4")
    exact = damage_probabilities(city, comps, eq, design_code="4")
    for site, var in (("building", "building"), ("component", "component")):
        states = damage[f"{var}_damage_state"].values
        p = exact[f"{site}_exceedance"].values
        for k in range(1, 5):
            frac = (states >= k).mean(axis=0)
            sigma = np.sqrt(p[:, k - 1] * (1 - p[:, k - 1]) / n)
            assert (np.abs(frac - p[:, k - 1]) <= 4 * sigma + 1e-12).all(), (site, k)
    # the probabilities are not trivial: the test would catch a wrong sampler
    assert 0.05 < exact["building_exceedance"].sel(damage_state=2).mean() < 0.95


def test_pipes_poisson_breaks_make_them_non_functional(city):
    eq = Earthquake(7.0, 0.0, 0.0, vs30=250.0)
    comps = _components(n_pipes=1, length=5000.0)
    damage = sample_damage(city, comps, eq, realizations=20_000, seed=5,
                           replacement_cost_per_m2=PER_M2)
    pipe = damage.sel(component="c3")
    assert (pipe["component_functional"] == (pipe["component_damage_state"] < 3)).all()
    assert set(np.unique(pipe["component_damage_state"].values)) <= {0, 1, 3}
    p = damage_probabilities(city, comps, eq)["component_exceedance"].sel(component="c3")
    frac_out = 1 - float(pipe["component_functional"].mean())
    sigma = np.sqrt(float(p.sel(damage_state=3)) * (1 - float(p.sel(damage_state=3))) / 20_000)
    assert abs(frac_out - float(p.sel(damage_state=3))) <= 4 * sigma
    # repair effort: one crew-day per repair, capped at the pipe's complete repair_days (5)
    np.testing.assert_allclose(pipe["component_repair_days"],
                               np.minimum(pipe["component_repairs"], 5.0))
    # components without a fragility are never damaged
    assert int(damage.sel(component="c1")["component_damage_state"].max()) == 0


def test_repair_cost_follows_hazus_ratios(city):
    eq = Earthquake(7.5, 0.0, 0.0, vs30=250.0)
    damage = sample_damage(city, None, eq, realizations=200, seed=2,
                           replacement_cost_per_m2=PER_M2)
    b0 = damage.sel(building="b0")  # residential → RES3, 1000 m² × 2000 = 2 M
    ratio = {0: 0.0, 1: 0.02, 2: 0.1, 3: 0.413, 4: 1.0}
    for ds, cost in zip(b0["building_damage_state"].values, b0["building_repair_cost"].values):
        assert cost == pytest.approx(ratio[int(ds)] * 2e6)


def test_intensity_field_input(city, tmp_path):
    path = tmp_path / "field.csv"
    pd.DataFrame({"id": [f"b{i}" for i in range(6)], "pga": [0.0] * 6}).to_csv(path, index=False)
    field = intensity_from_csv(path, city)
    damage = sample_damage(city, None, field, realizations=5, replacement_cost_per_m2=PER_M2)
    assert int(damage["building_damage_state"].max()) == 0
    assert damage.attrs["hazard_kind"] == "field"
    # a field without PGV cannot damage pipes: say so
    pd.DataFrame({"id": [f"b{i}" for i in range(6)] + [f"c{i}" for i in range(5)],
                  "pga": [0.1] * 11}).to_csv(path, index=False)
    field = intensity_from_csv(path, city, _components())
    with pytest.raises(InputError, match="no 'component_pgv', which 2 pipes need"):
        sample_damage(city, _components(), field, replacement_cost_per_m2=PER_M2)


@pytest.mark.parametrize("kwargs, match", [
    ({"realizations": 0}, "realizations must be a positive integer; got 0"),
    ({"seed": 1.5}, "seed must be an integer; got 1.5"),
    ({"out_of_service_state": 5}, "out_of_service_state must be 1, 2, 3 or 4; got 5"),
    ({"pipe_repair_days": 0.0}, r"pipe_repair_days must be finite and > 0 .*; got 0.0"),
    ({"design_code": "5"}, r"design_code '5' is not a UBC seismic zone .*\['4', '3', '2B', '2A', "
                           r"'1', '0'\]"),
])
def test_bad_arguments(city, kwargs, match):
    with pytest.raises(InputError, match=match):
        sample_damage(city, None, Earthquake(6.0, 0.0, 0.0), replacement_cost_per_m2=PER_M2,
                      **kwargs)


def test_missing_replacement_cost_is_an_error(city):
    with pytest.raises(InputError, match="replacement_cost_per_m2 lacks type"):
        sample_damage(city, None, Earthquake(6.0, 0.0, 0.0),
                      replacement_cost_per_m2={"residential": 1000.0})


def test_default_replacement_cost_table(city):
    from workbench.hazard.fragility import default_replacement_cost_per_m2, replacement_cost
    per_m2 = default_replacement_cost_per_m2()
    expected = city.buildings["floor_area"].values * [per_m2[t] for t in city.buildings["type"].values]
    assert replacement_cost(city).tolist() == expected.tolist()


# --------------------------------------------------------------------------- repair effort

def test_lognormal_components_take_the_hazus_restoration_profile(city):
    """The substation of _components carries its own repair_days (20): that is its complete
    effort, and DS 1–3 take the Hazus substation profile mean_days(k) / mean_days(4) in the
    mean, with the spread of its restoration function: a factor ~ N(1, σ/mean) truncated at 0
    (σ/mean = 0.5 for substations), drawn per component and realisation — not one step per
    state."""
    from scipy.stats import truncnorm
    eq = Earthquake(7.0, 0.0, 0.0, vs30=250.0, gmpe="BA08")  # several states
    damage = sample_damage(city, _components(), eq, realizations=400, seed=4,
                           replacement_cost_per_m2=PER_M2, design_code="4")
    row = lifeline_restoration_table().set_index("restoration_class").loc["substation"]
    mean = np.array([0.0] + [row[f"mean_days_ds{k}"] for k in range(1, 5)])
    sub = damage.sel(component="c0")
    states = sub["component_damage_state"].values
    assert len(set(states.tolist())) >= 3  # several states drawn: the check below bites
    days = sub["component_repair_days"].values
    damaged = states > 0
    factor = days[damaged] / (20.0 * mean[states[damaged]] / mean[4])
    assert (days[~damaged] == 0).all() and (factor > 0).all()
    cv = row["sigma_days_ds1"] / row["mean_days_ds1"]
    law = truncnorm(-1.0 / cv, np.inf, loc=1.0, scale=cv)
    se = law.std() / np.sqrt(factor.size)
    assert abs(factor.mean() - law.mean()) < 4 * se, (factor.mean(), law.mean())
    assert abs(factor.std() - law.std()) < 0.15 * law.std()
    for k in set(states[damaged].tolist()):       # no state restores in a single step
        assert len(np.unique(days[states == k])) == (states == k).sum()
    ratio = np.array([0.0] + [row[f"cost_ratio_ds{k}"] for k in range(1, 5)])
    np.testing.assert_allclose(sub["component_repair_cost"].values, 1e5 * ratio[states])


def test_node_without_repair_days_takes_the_table_days(city):
    comps = _components().assign(repair_days=("component", [0.0, 0.0, 2.0, 5.0, 5.0]),
                                 repair_cost=("component", [0.0, 0.0, 1e4, 5e4, 5e4]))
    damage = sample_damage(city, comps, Earthquake(7.0, 0.0, 0.0, vs30=250.0), realizations=200,
                           seed=5, replacement_cost_per_m2=PER_M2, design_code="4")
    row = lifeline_restoration_table().set_index("restoration_class").loc["substation"]
    mean = np.array([0.0] + [row[f"mean_days_ds{k}"] for k in range(1, 5)])
    sub = damage.sel(component="c0")
    states = sub["component_damage_state"].values
    days = sub["component_repair_days"].values
    for k in range(1, 5):          # the table's mean days, with the restoration function's spread
        if (states == k).sum() >= 20:
            assert days[states == k].mean() == pytest.approx(mean[k], rel=0.25), k
    assert (days[states == 0] == 0).all() and (days[states > 0] > 0).all()
    assert float(sub["component_repair_cost"].max()) == pytest.approx(row["replacement_cost_eur"])


def test_every_damaged_component_takes_effort():
    """50 realisations of a strong scenario on the demo city (its substation and pumps carry no
    repair_days): no component that is out has zero effort, nor any fragile one at DS ≥ 1;
    components without a fragility are never damaged and take none."""
    city = demo_city()
    system = build_system(city)
    x, y = float(city.buildings["x"].mean()), float(city.buildings["y"].mean())
    damage = sample_damage(city, system, Earthquake(6.0, x, y), realizations=50, seed=3)
    days = damage["component_repair_days"].values
    states = damage["component_damage_state"].values
    out = ~damage["component_functional"].values
    comps = system.components
    pairs = zip(comps["network"].values.tolist(), comps["kind"].values.tolist())
    fragile = np.array([COMPONENT_MODELS[p] != "none" for p in pairs])
    nodes = fragile & (comps["element"].values == "node")
    assert nodes.any()  # substation and pumps: nodes, which the demo gives no repair_days
    assert out.sum() > 100 and (states[:, nodes] >= 1).sum() > 10  # the scenario damages
    assert (days[out] > 0).all()
    assert (days[states >= 1] > 0).all()
    assert (days[:, ~fragile] == 0).all() and (states[:, ~fragile] == 0).all()
    assert (damage["component_repair_cost"].values[:, nodes][states[:, nodes] >= 1] > 0).all()


def test_no_seismic_code_damages_more(city):
    """The same city without seismic design (zone 0, the default for a city that names none)
    has P(DS ≥ k) at least that of high code, and more for some buildings."""
    eq = Earthquake(6.5, 0.0, 0.0)
    none_ = damage_probabilities(city, None, eq)["building_exceedance"]
    zone0 = damage_probabilities(city.buildings.assign_attrs(seismic_design_zone="0"), None,
                                 eq)["building_exceedance"]
    high = damage_probabilities(city, None, eq, design_code="4")["building_exceedance"]
    xr.testing.assert_equal(none_, zone0)
    assert (none_ >= high).all() and (none_ > high + 0.05).any()
    damage0 = sample_damage(city, None, eq, realizations=2000, seed=1,
                            replacement_cost_per_m2=PER_M2)
    damage4 = sample_damage(city, None, eq, realizations=2000, seed=1,
                            replacement_cost_per_m2=PER_M2, design_code="4")
    assert damage0.attrs["design_code"] == "0" and damage4.attrs["design_code"] == "4"
    cost0, cost4 = (float(d["building_repair_cost"].mean()) for d in (damage0, damage4))
    assert cost0 > cost4
