"""Tests of workbench.hazard: BA08 reproduced by hand, validation, user intensity fields."""

import numpy as np
import pandas as pd
import pytest

from workbench.city import toy_city
from workbench.errors import InputError
from workbench.hazard import (Earthquake, earthquake_intensity, ground_motion, intensity_from_csv,
                              joyner_boore_distance)
from workbench.system import build_system


def _ba08_rock_by_hand(m, rjb, e, e5, e6, mh, c1, c2, c3, h):
    """BA08 eqs. (3)-(5) on reference rock, written out independently of the module."""
    f_m = e + e5 * (m - mh) + e6 * (m - mh) ** 2 if m <= mh else e
    r = np.sqrt(rjb ** 2 + h ** 2)
    return np.exp(f_m + (c1 + c2 * (m - 4.5)) * np.log(r) + c3 * (r - 1.0))


def test_ba08_reproduces_hand_calculation_on_rock():
    # Boore & Atkinson (2008) Tables 6-7, unspecified mechanism, Vs30 = 760 (no site term)
    pga, pgv = ground_motion(Earthquake(6.5, 0.0, 0.0), [10_000.0, 30_000.0], [0.0, 0.0])
    for i, rjb in enumerate([10.0, 30.0]):
        assert pga[i] == pytest.approx(_ba08_rock_by_hand(
            6.5, rjb, -0.53804, 0.28805, -0.10164, 6.75, -0.66050, 0.11970, -0.01151, 1.35), rel=1e-9)
        assert pgv[i] == pytest.approx(_ba08_rock_by_hand(
            6.5, rjb, 5.00121, 0.18322, -0.12736, 8.50, -0.87370, 0.10060, -0.00334, 2.54), rel=1e-9)
    assert pga[0] == pytest.approx(0.1837, abs=1e-4)


def test_soft_soil_amplifies_weak_motion_and_scale_multiplies():
    rock = ground_motion(Earthquake(6.0, 0.0, 0.0), [40_000.0], [0.0])
    soil = ground_motion(Earthquake(6.0, 0.0, 0.0, vs30=300.0), [40_000.0], [0.0])
    assert soil[0][0] > rock[0][0] and soil[1][0] > rock[1][0]
    half = ground_motion(Earthquake(6.0, 0.0, 0.0, intensity_scale=0.5), [40_000.0], [0.0])
    assert half[0][0] == pytest.approx(rock[0][0] / 2)
    zero = ground_motion(Earthquake(6.0, 0.0, 0.0, intensity_scale=0.0), [40_000.0], [0.0])
    assert zero[0][0] == 0.0 and zero[1][0] == 0.0


def test_finite_rupture_shortens_distance():
    eq = Earthquake(7.0, 0.0, 0.0, rupture_length_km=20.0)
    assert joyner_boore_distance(eq, [5_000.0, 30_000.0], [0.0, 0.0]).tolist() == [0.0, 20.0]


@pytest.mark.parametrize("field, value", [("magnitude", float("nan")), ("magnitude", -1.0),
                                          ("vs30", 0.0), ("depth_km", -5.0),
                                          ("intensity_scale", -1.0), ("x", float("inf"))])
def test_invalid_earthquake_names_field_and_value(field, value):
    kwargs = {"magnitude": 6.0, "x": 0.0, "y": 0.0, field: value}
    with pytest.raises(InputError, match=rf"'{field}' must be .*got {value}"):
        Earthquake(**kwargs)


def test_unknown_mechanism():
    with pytest.raises(InputError, match="mechanism.*'thrust'.*unspecified"):
        Earthquake(6.0, 0.0, 0.0, mechanism="thrust")


def test_earthquake_intensity_covers_buildings_and_components():
    city = toy_city()
    shaking = earthquake_intensity(Earthquake(6.0, 0.0, 0.0), city, build_system(city))
    assert set(shaking.data_vars) == {"building_pga", "building_pgv", "component_pga",
                                      "component_pgv"}
    assert shaking["building_pga"].attrs["units"] == "g"
    assert shaking.attrs["hazard_magnitude"] == 6.0


def test_field_by_id_maps_and_scales(tmp_path):
    city = toy_city()
    path = tmp_path / "field.csv"
    pd.DataFrame({"id": [f"b{i}" for i in range(6)], "pga": np.linspace(0.1, 0.6, 6),
                  "pgv": np.linspace(10, 60, 6)}).to_csv(path, index=False)
    field = intensity_from_csv(path, city, scale=2.0)
    np.testing.assert_allclose(field["building_pga"].values, 2 * np.linspace(0.1, 0.6, 6))
    assert field.attrs["hazard_intensity_scale"] == 2.0


def test_field_by_id_that_misses_buildings_says_how_many(tmp_path):
    path = tmp_path / "field.csv"
    pd.DataFrame({"id": ["b0", "b1"], "pga": [0.2, 0.3]}).to_csv(path, index=False)
    with pytest.raises(InputError, match=r"does not cover 4 of 6 buildings \(e\.g\. 'b2'\)"):
        intensity_from_csv(path, toy_city())


def test_field_by_xy_misses_components_beyond_max_distance(tmp_path):
    city = toy_city()
    path = tmp_path / "field.csv"
    pd.DataFrame({"x": [0.0, 500.0], "y": [10.0, 10.0], "intensity": [0.3, 0.1]}).to_csv(path)
    field = intensity_from_csv(path, city, build_system(city))
    assert "building_pgv" not in field and field["building_pga"].values[-1] == 0.1
    with pytest.raises(InputError, match=r"does not cover 4 of 6 buildings .* and \d+ of 21 "
                                         r"components"):
        intensity_from_csv(path, city, build_system(city), max_distance=50.0)


def test_field_with_bad_values_or_columns(tmp_path):
    path = tmp_path / "field.csv"
    pd.DataFrame({"id": ["b0"], "pga": [-0.1]}).to_csv(path, index=False)
    with pytest.raises(InputError, match="'pga' must be finite and ≥ 0"):
        intensity_from_csv(path, toy_city())
    pd.DataFrame({"id": ["b0"], "sa": [0.1]}).to_csv(path, index=False)
    with pytest.raises(InputError, match="none of the columns 'pga', 'pgv', 'intensity'"):
        intensity_from_csv(path, toy_city())
