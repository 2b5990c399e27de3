"""Tests of workbench.damage: the damage Dataset contract and the science of the sampling."""

import numpy as np
import pandas as pd
import pytest
import xarray as xr

from workbench.city import toy_city
from workbench.damage import damage_probabilities, sample_damage
from workbench.dims import BUILDING_TYPES
from workbench.errors import InputError
from workbench.hazard import Earthquake, intensity_from_csv
from workbench.system import build_system

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
    assert dict(damage.sizes) == {"realization": 4, "building": 6, "component": 21}
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
    eq = Earthquake(6.8, 0.0, 0.0, vs30=360.0)
    n = 20_000
    comps = _components()
    damage = sample_damage(city, comps, eq, realizations=n, seed=11,
                           replacement_cost_per_m2=PER_M2)
    exact = damage_probabilities(city, comps, eq)
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
    ({"component_repair_fraction": (0, 1)}, "component_repair_fraction must be 5 finite"),
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
    from workbench.fragility import default_replacement_cost_per_m2, replacement_cost
    per_m2 = default_replacement_cost_per_m2()
    expected = city.buildings["floor_area"].values * [per_m2[t] for t in city.buildings["type"].values]
    assert replacement_cost(city).tolist() == expected.tolist()
