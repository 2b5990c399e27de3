"""Tests of workbench.hazard: BA08 reproduced by hand, validation, user intensity fields."""

import numpy as np
import pandas as pd
import pytest

from workbench.city import toy_city
from workbench.core.errors import InputError
from workbench.hazard import (Earthquake, earthquake_intensity, ground_motion, intensity_from_csv,
                              joyner_boore_distance)
from workbench.network.system import build_system


def _ba08_rock_by_hand(m, rjb, e, e5, e6, mh, c1, c2, c3, h):
    """BA08 eqs. (3)-(5) on reference rock, written out independently of the module."""
    f_m = e + e5 * (m - mh) + e6 * (m - mh) ** 2 if m <= mh else e
    r = np.sqrt(rjb ** 2 + h ** 2)
    return np.exp(f_m + (c1 + c2 * (m - 4.5)) * np.log(r) + c3 * (r - 1.0))


def test_ba08_reproduces_hand_calculation_on_rock():
    # Boore & Atkinson (2008) Tables 6-7, unspecified mechanism, Vs30 = 760 (no site term)
    pga, pgv = ground_motion(Earthquake(6.5, 0.0, 0.0, gmpe="BA08"), [10_000.0, 30_000.0], [0.0, 0.0])
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
    assert set(shaking.data_vars) == {"building_pga", "building_pgv", "building_sa03",
                                      "building_sa10", "component_pga", "component_pgv"}
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


# --------------------------------------------------------------------------- no silent wrong results

def test_source_beyond_ba08_range_is_refused_with_the_distance():
    # an epicentre given in degrees (or another CRS) lands far from a city in metres
    eq = Earthquake(6.0, 24.9e3 * 100, 60.2e3 * 100)
    with pytest.raises(InputError, match=r"is 6,\d{3} km from the nearest building, beyond the "
                                         r"200 km within which BA08 is valid \(largest PGA at any "
                                         r"building .* g\); give the epicentre \(hazard.location\) "
                                         r"in metres of the city's CRS — its buildings span x 0…500"):
        earthquake_intensity(eq, toy_city())


def test_source_too_far_to_damage_anything_is_a_warning_with_distance_and_pga(caplog):
    with caplog.at_level("WARNING", logger="workbench.hazard"):
        shaking = earthquake_intensity(Earthquake(5.0, 150_000.0, 0.0), toy_city())
    largest = float(shaking["building_pga"].max())
    assert largest < 0.011
    (record,) = [r for r in caplog.records if r.name == "workbench.hazard.ground_motion"]
    assert "149.5 km from the nearest building" in record.getMessage()
    assert f"{largest:.2g} g, below the 0.011 g" in record.getMessage()
    caplog.clear()
    with caplog.at_level("WARNING", logger="workbench.hazard"):  # asked for no shaking: silent
        earthquake_intensity(Earthquake(5.0, 150_000.0, 0.0, intensity_scale=0.0), toy_city())
        earthquake_intensity(Earthquake(6.0, 0.0, 0.0), toy_city())  # damaging: silent
    assert not caplog.records


def test_field_far_from_the_city_is_refused(tmp_path):
    # a field in degrees for a city in metres: no building within twice the point spacing
    path = tmp_path / "field.csv"
    pd.DataFrame({"x": [24.90, 24.95, 25.00], "y": [60.20, 60.20, 60.20],
                  "pga": [0.3, 0.2, 0.1]}).to_csv(path, index=False)
    city = toy_city()
    city.buildings["x"] = city.buildings["x"] + 385_000.0
    with pytest.raises(InputError, match=r"covers none of the 6 buildings: the nearest is 385.0 km "
                                         r"from any field point, whose spacing is 0.05 m; give x, y in "
                                         r"metres of the city's CRS"):
        intensity_from_csv(path, city)


def test_field_covering_part_of_the_city_warns_with_the_share(tmp_path, caplog):
    path = tmp_path / "field.csv"
    pd.DataFrame({"x": [0.0, 50.0, 100.0], "y": [10.0, 10.0, 10.0],
                  "pga": [0.3, 0.2, 0.1]}).to_csv(path, index=False)
    with caplog.at_level("WARNING", logger="workbench.hazard"):
        field = intensity_from_csv(path, toy_city())
    assert field["building_pga"].values.tolist() == [0.3, 0.1, 0.1, 0.1, 0.1, 0.1]
    (record,) = caplog.records
    assert record.getMessage().startswith(
        "intensity field field.csv covers 50 % of the buildings (3 of 6 within 100 m, twice its "
        "point spacing); the rest lie up to 0.4 km away")


def test_field_that_is_not_a_csv_table(tmp_path):
    path = tmp_path / "field.csv"
    path.write_bytes(b"\xff\xfe\x00garbage\x00\n")
    with pytest.raises(InputError, match=r"field.csv' is not a readable CSV table"):
        intensity_from_csv(path, toy_city())
    path.write_text("")
    with pytest.raises(InputError, match=r"is not a readable CSV table \(No columns"):
        intensity_from_csv(path, toy_city())
    pd.DataFrame({"x": [0.0, "east"], "y": [0.0, 0.0], "pga": [0.1, 0.2]}).to_csv(path, index=False)
    with pytest.raises(InputError, match=r"x, y must be finite numbers \[m\]; row 1 has \[nan, 0.0\]"):
        intensity_from_csv(path, toy_city())
