"""Tests of workbench.demo: the committed demo city loads and a rebuild reproduces it."""

import filecmp
import warnings

import networkx as nx
import numpy as np
import pytest

from workbench.city import load_city
from workbench.demo import build_demo_city, demo_city
from workbench.dims import NETWORKS, SOURCE_KINDS
from workbench.mapping import UnmappedBuildingsWarning
from workbench.paths import DEMO_CITY_DIR

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
