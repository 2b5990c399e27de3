"""Tests of workbench.io.interop: a SimCenter-style inventory and pelicun-style damage in, GIS out.

Fixtures: ``tests/data/simcenter_inventory.csv`` (240 synthetic buildings around Berkeley, CA,
PlanArea in ft²) and ``tests/data/simcenter_damage.csv`` (80 rows), both written by
``tests/data/make_simcenter_fixtures.py``.
"""

import json
import math
import warnings
from pathlib import Path

import networkx as nx
import numpy as np
import pandas as pd
import pytest
import xarray as xr

from workbench.io.cityio import load_city
from workbench.core.dims import BUILDING_TYPES, NETWORKS
from workbench.core.errors import InputError
from workbench.hazard.fragility import building_fragility, structure_types
from workbench.functionality import city_functionality
from workbench.io.importers import field_provenance, source_sizing
from workbench.io.interop import (AREA_UNITS, OCCUPANCY_CLASS_TYPES, city_from_inventory,
                               export_results, hazus_model_type, read_damage, read_inventory,
                               street_lattice)
from workbench.io.interop.inventory import _inventory_buildings
from workbench.recovery import Constraints, simulate_recovery
from workbench.network.system import build_system

DATA = Path(__file__).parent / "data"
INVENTORY = DATA / "simcenter_inventory.csv"
DAMAGE = DATA / "simcenter_damage.csv"
FT2 = 0.09290304


@pytest.fixture(scope="module")
def raw():
    return pd.read_csv(INVENTORY, dtype={"id": str})


@pytest.fixture(scope="module")
def city(tmp_path_factory):
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # every building must map within max_distance
        return city_from_inventory(INVENTORY, tmp_path_factory.mktemp("city"), seed=3)


@pytest.fixture(scope="module")
def system(city):
    return build_system(city)


@pytest.fixture(scope="module")
def damage(city, system):
    return read_damage(DAMAGE, city, system=system)


def _write(frame: pd.DataFrame, tmp_path, name="inv.csv") -> Path:
    path = tmp_path / name
    frame.to_csv(path, index=False)
    return path


# --------------------------------------------------------------------------- inventory

def test_inventory_floor_area_converts_square_feet(raw):
    b = read_inventory(INVENTORY)
    assert b.sizes["building"] == len(raw) == 240
    assert b.attrs["area_units"] == "ft2" and AREA_UNITS["ft2"] == pytest.approx(FT2, rel=1e-15)
    expected = raw["PlanArea"].to_numpy() * FT2 * raw["NumberOfStories"].to_numpy()
    np.testing.assert_allclose(b["floor_area"].values, expected, rtol=1e-12)
    np.testing.assert_allclose(b["footprint_area"].values, raw["PlanArea"].to_numpy() * FT2)
    assert b["building"].values.tolist() == raw["id"].tolist()
    assert b["floor_area"].attrs["units"] == "m2"


def test_inventory_types_and_structural_classes(raw):
    b = read_inventory(INVENTORY)
    types = b["type"].values.astype(str)
    occ = raw["OccupancyClass"].to_numpy()
    assert set(types) <= set(BUILDING_TYPES)
    assert (types[np.char.startswith(occ.astype(str), "RES")] == "residential").all()
    assert (types[occ == "COM4"] == "office").all() and (types[occ == "COM1"] == "commercial").all()
    assert (types[occ == "IND2"] == "industrial").all()
    assert set(types[np.isin(occ, ["EDU1", "GOV1", "REL1"])]) == {"public"}
    classes = b["structural_class"].values.astype(str)
    assert set(classes) <= set(structure_types())
    stories, stype = raw["NumberOfStories"].to_numpy(), raw["StructureType"].to_numpy()
    c2 = stype == "C2"
    assert (classes[c2 & (stories <= 3)] == "C2L").all()
    assert (classes[c2 & (stories >= 8)] == "C2H").all()
    assert (classes[(stype == "URM") & (stories >= 3)] == "URMM").all()
    assert (classes[stype == "W1"] == "W1").all()
    building_fragility(b)  # every class has a Hazus fragility


def test_inventory_occupancy_population_cost_and_projection(raw):
    b = read_inventory(INVENTORY)
    res = b["type"].values == "residential"
    np.testing.assert_array_equal(b["occupancy"].values[res], raw["Population"].to_numpy()[res])
    assert (b["occupancy_source"].values[res] == "Population").all()
    assert (b["occupancy_source"].values[~res] == "density").all()
    np.testing.assert_allclose(b["occupancy"].values[b["type"].values == "office"],
                               b["floor_area"].values[b["type"].values == "office"] / 20.0)
    np.testing.assert_array_equal(b["replacement_cost"].values, raw["ReplacementCost"].to_numpy())
    assert b.attrs["crs"] == "EPSG:32610"  # UTM 10N for Berkeley
    from pyproj import Transformer
    x, y = Transformer.from_crs("EPSG:4326", "EPSG:32610", always_xy=True).transform(
        raw["Longitude"].to_numpy(), raw["Latitude"].to_numpy())
    np.testing.assert_allclose(b["x"].values, x, atol=1e-6)
    np.testing.assert_allclose(b["y"].values, y, atol=1e-6)


def test_inventory_field_provenance(raw):
    b = read_inventory(INVENTORY)
    table = field_provenance(b)
    n = len(raw)
    for name in ("type", "floor_area", "stories", "year_built", "structural_class", "x", "y",
                 "footprint_area", "replacement_cost"):
        assert table.loc[name, "data"] == n, name
    res = b["type"].values == "residential"
    assert table.loc["occupancy"].to_dict() == {"data": res.sum(), "imputed": n - res.sum(),
                                                "constant": 0, "synthetic": 0}
    given = raw["Population"].notna().to_numpy()
    assert table.loc["population", "data"] == given.sum()
    assert table.loc["population", "imputed"] == (~given & res).sum()
    assert table.loc["population", "constant"] == (~given & ~res).sum()
    assert (table["synthetic"] == 0).all()
    # without a Population column every Q0 is by density: imputed, and no population field
    bare = _inventory_buildings(raw.drop(columns="Population"), source="bare", area_units=None,
                                crs=None, area_per_person=None)
    assert field_provenance(bare).loc["occupancy", "imputed"] == n
    assert "population" not in field_provenance(bare).index


def test_inventory_geojson_and_simcenter_json_match_csv(raw, tmp_path):
    csv = read_inventory(INVENTORY)
    head = raw.head(20)
    features = [{"type": "Feature", "geometry": {"type": "Point",
                                                 "coordinates": [r.Longitude, r.Latitude]},
                 "properties": {k: v for k, v in r._asdict().items()
                                if k not in ("Index", "Latitude", "Longitude")}}
                for r in head.itertuples()]
    geo = tmp_path / "inv.geojson"
    geo.write_text(json.dumps({"type": "FeatureCollection", "features": features}))
    assets = [{"id": r.id, "GeneralInformation": {
        "AIM_id": r.id, "location": {"latitude": r.Latitude, "longitude": r.Longitude},
        "PlanArea": r.PlanArea, "NumberOfStories": r.NumberOfStories, "YearBuilt": r.YearBuilt,
        "StructureType": r.StructureType, "OccupancyClass": r.OccupancyClass,
        "ReplacementCost": r.ReplacementCost, "Population": r.Population,
        "units": {"length": "ft"}}} for r in head.itertuples()]
    simcenter = tmp_path / "assets.json"
    simcenter.write_text(json.dumps(assets, default=int))
    for path in (geo, simcenter):
        other = read_inventory(path, crs="EPSG:32610")
        assert other["building"].values.tolist() == head["id"].tolist()
        for name in ("floor_area", "x", "y", "occupancy"):
            np.testing.assert_allclose(other[name].values, csv[name].values[:20], rtol=1e-12)
        np.testing.assert_array_equal(other["structural_class"].values,
                                      csv["structural_class"].values[:20])


def test_hazus_model_type_height_ranges():
    got = hazus_model_type(["C1", "C1", "C1", "URM", "URM", "RM1", "RM1", "PC1", "s2"],
                           [3, 4, 8, 2, 3, 3, 4, 5, 7])
    assert got.tolist() == ["C1L", "C1M", "C1H", "URML", "URMM", "RM1L", "RM1M", "PC1", "S2M"]
    assert set(OCCUPANCY_CLASS_TYPES.values()) == set(BUILDING_TYPES)


# --------------------------------------------------------------------------- bad inventories

def test_missing_coordinates_name_the_buildings(raw, tmp_path):
    bad = raw.copy()
    bad.loc[[3, 7], "Latitude"] = np.nan
    with pytest.raises(InputError, match=r"Latitude/Longitude of 2 building\(s\) lack coordinates "
                                         r"\(e.g. \['4', '8'\]\)"):
        read_inventory(_write(bad, tmp_path))


def test_unknown_hazus_classes_list_the_known_ones(raw, tmp_path):
    bad = raw.copy()
    bad.loc[0, "OccupancyClass"] = "RES9"
    with pytest.raises(InputError, match=r"OccupancyClass \['RES9'\] is not a Hazus occupancy "
                                         r"class \(1 building\(s\)\); known classes are .*'COM4'"):
        read_inventory(_write(bad, tmp_path))
    bad = raw.copy()
    bad.loc[0, "StructureType"] = "X9"
    with pytest.raises(InputError, match=r"StructureType \['X9'\] is not a Hazus structure type.*"
                                         r"known types are .*'URM'"):
        read_inventory(_write(bad, tmp_path))


def test_area_units_never_guessed(raw, tmp_path):
    with pytest.raises(InputError, match="units of PlanArea are unknown; add an AreaUnits"):
        read_inventory(_write(raw.drop(columns="AreaUnits"), tmp_path))
    mixed = raw.copy()
    mixed.loc[:9, "AreaUnits"] = "m2"
    with pytest.raises(InputError, match=r"AreaUnits are mixed \(\['ft2', 'm2'\]\)"):
        read_inventory(_write(mixed, tmp_path))
    gaps = raw.copy()
    gaps.loc[[5], "AreaUnits"] = np.nan
    with pytest.raises(InputError,
                       match=r"AreaUnits of 1 building\(s\) are missing \(e.g. \['6'\]\)"):
        read_inventory(_write(gaps, tmp_path))
    with pytest.raises(InputError, match="area_units='m2' contradicts the file's AreaUnits"):
        read_inventory(INVENTORY, area_units="m2")
    metric = read_inventory(_write(raw.drop(columns="AreaUnits"), tmp_path), area_units="m2")
    np.testing.assert_allclose(metric["footprint_area"].values, raw["PlanArea"].to_numpy())


# --------------------------------------------------------------------------- city

def test_city_builds_maps_and_saves(city, tmp_path):
    assert sorted(city.networks) == sorted(NETWORKS)
    for name in NETWORKS:
        nodes = city.buildings[f"{name}_node"].values.astype(str)
        assert (nodes != "").all() and set(nodes) <= set(city.networks[name])
    assert nx.is_connected(city.networks["road"])
    again = city_from_inventory(INVENTORY, tmp_path / "again", seed=3)
    assert nx.utils.graphs_equal(again.networks["water"], city.networks["water"])
    loaded = load_city(tmp_path / "again")
    assert "city_from_inventory" in loaded.provenance and "ft2" in loaded.provenance
    assert "| `occupancy` |" in loaded.provenance and "sized for a demand" in loaded.provenance
    for name in ("water", "power"):
        sizing = city.networks[name].graph["source_sizing"]
        assert sizing == source_sizing(city.buildings, name)
        kinds = [k for _, k in city.networks[name].nodes(data="kind")]
        assert sum(k in ("reservoir", "substation") for k in kinds) == sizing["n_sources"]
    np.testing.assert_allclose(loaded.buildings["floor_area"].values,
                               city.buildings["floor_area"].values)


def test_street_lattice_covers_buildings_and_is_seeded(city):
    b = city.buildings
    streets = street_lattice(b, spacing=150.0, seed=1)
    xy = np.array([(d["x"], d["y"]) for _, d in streets.nodes(data=True)])
    assert xy[:, 0].min() < b["x"].min() and xy[:, 0].max() > b["x"].max()
    assert xy[:, 1].min() < b["y"].min() and xy[:, 1].max() > b["y"].max()
    assert nx.utils.graphs_equal(streets, street_lattice(b, spacing=150.0, seed=1))
    assert not nx.utils.graphs_equal(streets, street_lattice(b, spacing=150.0, seed=2))


# --------------------------------------------------------------------------- damage

def test_damage_states_reproduce_exactly(city, system, damage):
    table = pd.read_csv(DAMAGE, dtype={"id": str}).set_index("id")
    assert dict(damage.sizes) == {"realization": 1, "building": 240,
                                  "component": system.n_components}
    ds = damage["building_damage_state"].isel(realization=0).to_series()
    assert ds.dtype == np.int8
    np.testing.assert_array_equal(ds[table.index].values, table["DS"].values)
    assert (ds.drop(table.index) == 0).all()  # absent buildings are undamaged
    days = damage["building_repair_days"].isel(realization=0).to_series()
    np.testing.assert_array_equal(days[table.index].values, table["repair_time"].values)
    cost = damage["building_repair_cost"].isel(realization=0).to_series()
    np.testing.assert_array_equal(cost[table.index].values, table["repair_cost"].values)
    assert bool(damage["component_functional"].all())
    assert int(damage["component_damage_state"].max()) == 0


def test_recovery_t0_reflects_imported_states(city, system, damage):
    one = damage.isel(realization=0)
    rec = simulate_recovery(city, system, one, Constraints(crews=5, horizon_days=30),
                            strategies=["flexible"])
    state = one["building_damage_state"].values
    intact_service = system.service(np.ones(system.n_components, bool))
    expected = city_functionality(city.buildings, state, intact_service)
    assert float(rec["ep"].isel(strategy=0, time=0)) == pytest.approx(expected["ep"], rel=1e-12)
    assert float(rec["sc"].isel(strategy=0, time=0)) == pytest.approx(expected["sc"], rel=1e-12)
    intact = city_functionality(city.buildings)
    assert expected["ep"] < intact["ep"]
    restored = rec["building_restored_day"].isel(strategy=0).values
    assert (restored[one["building_repair_days"].values == 0] == 0).all()
    assert (restored[one["building_repair_days"].values > 0] > 0).all()


def test_unlimited_crews_restore_each_building_in_its_repair_time(city, system, damage):
    one = damage.isel(realization=0)
    rec = simulate_recovery(city, system, one, Constraints(crews=10_000, horizon_days=300),
                            seed=1)
    repair = one["building_repair_days"].values
    for strategy in rec["strategy"].values:
        day = rec["building_restored_day"].sel(strategy=strategy).values
        np.testing.assert_array_equal(day, np.ceil(repair))
    assert (repair[repair > 0] == np.round(repair[repair > 0])).all()  # whole days in the fixture


def test_damage_realizations_components_and_json(city, system, tmp_path):
    edge = next(c for c in system.component_ids if c.startswith("water:") and "--" in c)
    rows = pd.DataFrame({"id": ["1", "1", "2", edge], "realization": [0, 1, 1, 1],
                         "highest_damage_state": [4, 2, 1, 3], "repair_cost-": [1e6, 1e5, 1e3, 5e4],
                         "repair_time-sequential": [200.0, 30.0, 5.0, 2.0]})
    csv = read_damage(_write(rows, tmp_path, "dl.csv"), city, system=system)
    assert csv["building_damage_state"].sel(building="1").values.tolist() == [4, 2]
    assert csv["building_damage_state"].sel(building="2").values.tolist() == [0, 1]
    out = csv["component_functional"].sel(component=edge).values.tolist()
    assert out == [True, False]
    assert csv["component_repair_days"].sel(component=edge).values.tolist() == [0.0, 2.0]
    records = {"1": [{"DS": 4, "repair_cost": 1e6, "repair_time": 200.0},
                     {"DS": 2, "repair_cost": 1e5, "repair_time": 30.0}],
               "2": [{"DS": 0, "repair_cost": 0.0, "repair_time": 0.0},
                     {"DS": 1, "repair_cost": 1e3, "repair_time": 5.0}],
               edge: [{"DS": 0, "repair_cost": 0.0, "repair_time": 0.0},
                      {"DS": 3, "repair_cost": 5e4, "repair_time": 2.0}]}
    path = tmp_path / "dl.json"
    path.write_text(json.dumps({"Buildings": records}))
    xr.testing.assert_equal(read_damage(path, city, system=system).drop_attrs(),
                            csv.drop_attrs())
    # an explicit `functional` overrides the DS rule; the Dataset survives netCDF
    flagged = rows.assign(functional=[None, None, None, "True"])
    kept = read_damage(_write(flagged, tmp_path, "dl2.csv"), city, system=system)
    assert bool(kept["component_functional"].sel(component=edge).all())
    kept.to_netcdf(tmp_path / "damage.nc", engine="h5netcdf")
    with xr.open_dataset(tmp_path / "damage.nc", engine="h5netcdf") as back:
        xr.testing.assert_identical(back.load(), kept)


# --------------------------------------------------------------------------- bad damage

def test_bad_damage_tables(city, system, tmp_path):
    def check(frame, pattern):
        with pytest.raises(InputError, match=pattern):
            read_damage(_write(frame, tmp_path, "bad.csv"), city, system=system)

    good = pd.read_csv(DAMAGE, dtype={"id": str})
    stray = pd.concat([good, pd.DataFrame({"id": ["9001", "9002", "9003"], "DS": 1,
                                           "repair_cost": 1.0, "repair_time": 1.0})])
    check(stray, r"3 damage id\(s\) match no building or component of city "
                 r"'simcenter_inventory' \(e.g. \['9001', '9002', '9003'\]\)")
    check(good.assign(DS=good["DS"].where(good.index != 4, 5)),
          r"DS of 1 building\(s\) are outside the damage states 0–4 \(values \[5.0\]\)")
    check(good.assign(DS=good["DS"].where(good.index != 4, -1)), r"outside the damage states 0–4")
    check(good.assign(repair_time=good["repair_time"].where(good.index != 2, -3.0)),
          r"repair_time of 1 building\(s\) are negative \(e.g. \['17'\]\)")
    check(good.assign(repair_cost=good["repair_cost"].where(good.index != 2, -3.0)),
          r"repair_cost of 1 building\(s\) are negative")
    check(good.assign(repair_cost=good["repair_cost"].where(good.index != 0)),
          r"repair_cost of 1 building\(s\) are missing or not numbers \(NaN\) \(e.g. \['10'\]\)")
    check(good.drop(columns="repair_time").assign(**{"repair_time-parallel": 1.0}),
          r"lacks the column 'repair_time'.*repair_time-parallel is a duration")
    check(pd.concat([good, good.head(1)]), r"appear more than once in a realization")
    # a damaged row without repair time would be restored at day 0: an error naming the row
    check(good.assign(repair_time=good["repair_time"].where(good.index != 3, 0.0)),
          r"repair_time of 1 building\(s\) are 0 with a damage state DS > 0 \(recovery would "
          r"count them restored at day 0\) \(e.g. \['20'\]\); give the repair time in days")


def test_unreadable_damage_files(city, system, tmp_path):
    for name, content, pattern in (
            ("bad.csv", b"\xff\xfe\x00\x00garbage", r"bad.csv' is not a readable CSV table"),
            ("empty.csv", b"", r"empty.csv' is not a readable CSV table \(No columns"),
            ("bad.json", b"{not json", r"bad.json' is not valid UTF-8 JSON"),
            ("list.json", b"[1, 2]", r"a damage JSON list must hold records"),
            ("keyed.json", b'{"1": 3}', r"the record of id '1' is int, not an object")):
        path = tmp_path / name
        path.write_bytes(content)
        with pytest.raises(InputError, match=pattern):
            read_damage(path, city, system=system)


def test_table_realizations_win_over_the_parameter_with_a_warning(city, system, tmp_path, caplog):
    rows = pd.DataFrame({"id": ["1", "1", "2"], "realization": [0, 1, 2], "DS": [4, 2, 1],
                         "repair_cost": [1e6, 1e5, 1e3], "repair_time": [200.0, 30.0, 5.0]})
    path = _write(rows, tmp_path, "dl.csv")
    with caplog.at_level("WARNING", logger="workbench.io.interop.damage"):
        damage = read_damage(path, city, system=system, realizations=10)
    assert damage.sizes["realization"] == 3
    (record,) = caplog.records
    assert record.getMessage() == ("damage table dl.csv holds 3 realization(s); parameter "
                                   "realizations = 10 does not apply to an imported table: the "
                                   "run uses the table's 3")
    caplog.clear()
    with caplog.at_level("WARNING", logger="workbench.io.interop.damage"):
        read_damage(path, city, system=system, realizations=3)
    assert not caplog.records


# --------------------------------------------------------------------------- exports

def test_exports_open_in_geopandas(city, system, damage, tmp_path):
    gpd = pytest.importorskip("geopandas")
    one = damage.isel(realization=0)
    rec = simulate_recovery(city, system, one, Constraints(crews=20, horizon_days=60), seed=0)
    paths = export_results(tmp_path, city, damage, rec)
    assert [p.name for p in paths] == ["buildings_results.geojson", "buildings_results.csv",
                                       "curves.csv", "indexes.csv"]
    frame = gpd.read_file(paths[0])
    assert len(frame) == 240 and frame.crs.to_epsg() == 32610
    np.testing.assert_allclose(frame.geometry.x.values, city.buildings["x"].values)
    assert frame["damage_state"].tolist() == one["building_damage_state"].values.tolist()
    table = pd.read_csv(paths[1], dtype={"id": str})
    assert len(table) == 240 and {"restored_day_rigid", "restored_day_flexible"} <= set(table)
    np.testing.assert_array_equal(table["restored_day_rigid"].values,
                                  rec["building_restored_day"].sel(strategy="rigid").values)
    unrestored = ~np.isfinite(table["restored_day_rigid"].values)
    assert frame["restored_day_rigid"].isna().to_numpy().tolist() == unrestored.tolist()
    assert table["latitude"].between(37.8, 37.9).all()
    curves = pd.read_csv(paths[2])
    assert list(curves.columns) == ["strategy", "realization", "day", "variable", "value", "units"]
    ep = curves.query("strategy == 'rigid' and variable == 'ep'").sort_values("day")["value"]
    np.testing.assert_allclose(ep.values, rec["ep"].sel(strategy="rigid").values)
    indexes = pd.read_csv(paths[3])
    assert len(indexes) == 3 and indexes["repair_cost"].iloc[0] == pytest.approx(
        float(one["building_repair_cost"].sum()))
    assert math.isfinite(indexes["economic_loss"].iloc[0])
