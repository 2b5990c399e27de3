"""Tests of workbench.io.demo: the committed demo city loads and a rebuild reproduces it."""

import filecmp
import warnings

import networkx as nx
import numpy as np
import pytest

from workbench.io.cityio import load_city
from workbench.network.criticality import network_sources, single_source_networks
from workbench.io.demo import build_demo_city, demo_city
from workbench.core.dims import NETWORKS, SOURCE_KINDS
from workbench.io.importers import field_provenance, source_sizing
from workbench.city.mapping import UnmappedBuildingsWarning
from workbench.core.paths import DEMO_CITY_DIR

pytest.importorskip("pyrosm")


def _build(path):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UnmappedBuildingsWarning)
        return build_demo_city(path)


def _files(folder):
    return sorted(p.relative_to(folder).as_posix() for p in folder.rglob("*") if p.is_file())


def test_demo_city_loads_with_three_networks():
    city = demo_city()
    assert sorted(city.networks) == sorted(NETWORKS)
    assert city.buildings.sizes["building"] > 400
    for name, graph in city.networks.items():
        assert nx.is_connected(graph)
        assert any(k in SOURCE_KINDS[name] for _, k in graph.nodes(data="kind"))
    mapped = city.buildings["water_node"].values.astype(str)
    assert (mapped != "").mean() > 0.99


def test_demo_sources_follow_the_load():
    city = demo_city()
    sources = network_sources(city)
    for name in ("water", "power"):
        graph = city.networks[name]
        sizing = graph.graph["source_sizing"]
        assert sizing == source_sizing(city.buildings, name)
        assert len(sources[name]) == sizing["n_sources"]
    # ~2.8 M m² of floor area: ~97 MW of peak demand over 38 MW per primary substation; the
    # extract's one OSM substation is kept and two are generated. Water: ~9,400 m³ on the
    # maximum day, within one supply main (~10,900 m³/day): a single source.
    power = city.networks["power"]
    assert [power.nodes[n]["origin"] for n in sources["power"]] == ["osm", "generated", "generated"]
    assert single_source_networks(city) == {"water": ["WS0"]}


def test_demo_says_where_each_field_comes_from():
    city = demo_city()
    table = field_provenance(city.buildings)
    n = city.buildings.sizes["building"]
    assert (table.sum(axis="columns") == n).all()
    constant = (city.buildings["year_source"] == "constant").sum()
    assert table.loc["year_built", "constant"] == constant == 23  # industrial: one year seen
    assert (table["constant"] <= 0.5 * n).all()  # nothing mostly constant in the demo
    assert "| `year_built` |" in city.provenance and "sized for a demand" in city.provenance


def test_demo_folder_is_small():
    size = sum((DEMO_CITY_DIR / f).stat().st_size for f in _files(DEMO_CITY_DIR))
    assert size < 2_000_000


def test_rebuild_is_byte_identical_and_matches_committed(tmp_path):
    _build(tmp_path / "a")
    _build(tmp_path / "b")
    files = _files(tmp_path / "a")
    assert files == _files(tmp_path / "b") == _files(DEMO_CITY_DIR)
    match, mismatch, errors = filecmp.cmpfiles(tmp_path / "a", tmp_path / "b", files, shallow=False)
    assert not mismatch and not errors
    # against the committed folder, compare values (robust to last-digit GEOS differences)
    rebuilt, committed = load_city(tmp_path / "a"), demo_city()
    assert rebuilt.buildings["building"].values.tolist() == committed.buildings["building"].values.tolist()
    for name in ("floor_area", "x", "y", "occupancy", "income_per_capita"):
        np.testing.assert_allclose(rebuilt.buildings[name], committed.buildings[name], rtol=1e-9)
    for name in NETWORKS:
        assert sorted(rebuilt.networks[name].edges) == sorted(committed.networks[name].edges)
