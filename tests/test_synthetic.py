"""Tests of workbench.city.synthetic.grid_city: a valid, mapped, labelled, reproducible city."""

import networkx as nx
import numpy as np
import pytest

from workbench.city import REQUIRED_BUILDING_FIELDS
from workbench.core.dims import BUILDING_TYPES, NETWORKS, SOURCE_KINDS
from workbench.core.errors import InputError
from workbench.city.synthetic import grid_city
from workbench.network.system import build_system


@pytest.fixture(scope="module")
def city():
    return grid_city(800, 600, seed=3)


def test_fields_types_and_label(city):
    b = city.buildings
    assert b.sizes["building"] == 800
    assert all(name in b.variables for name in REQUIRED_BUILDING_FIELDS)
    assert set(np.unique(b["type"].values)) <= set(BUILDING_TYPES)
    assert set(np.unique(b["structural_class"].values)) <= {"W1", "URML", "C2L", "C1M", "S1L"}
    assert b.attrs["synthetic"] == "true" and b.attrs["seed"] == 3
    assert "synthetic" in city.name and "synthetic" in city.provenance.lower()
    assert (b["occupancy"].values > 0).all() and (b["floor_area"].values > 0).all()


def test_networks_sources_loops_and_mapping(city):
    kinds = {name: {k for _, k in g.nodes(data="kind")} for name, g in city.networks.items()}
    assert {"reservoir", "pump"} <= kinds["water"]
    assert "substation" in kinds["power"] and "gateway" in kinds["road"]
    for name in NETWORKS:
        graph = city.networks[name]
        assert nx.is_connected(graph)
        assert graph.number_of_edges() > graph.number_of_nodes() - 1   # some loops
        assert any(k in SOURCE_KINDS[name] for _, k in graph.nodes(data="kind"))
        assert (city.buildings[f"{name}_node"].values != "").all()


def test_component_count_near_target(city):
    n = build_system(city).n_components
    assert 0.85 * 600 <= n <= 1.15 * 600


def test_reproducible_and_seed_dependent():
    a, b, c = grid_city(100, 90, seed=1), grid_city(100, 90, seed=1), grid_city(100, 90, seed=2)
    assert a.buildings.identical(b.buildings)
    assert sorted(a.networks["water"].edges) == sorted(b.networks["water"].edges)
    assert not np.array_equal(a.buildings["x"].values, c.buildings["x"].values)


@pytest.mark.parametrize("args, message", [((0,), "n_buildings must be a positive integer"),
                                           ((10, 5), r"n_components must be an integer ≥ 30")])
def test_bad_sizes(args, message):
    with pytest.raises(InputError, match=message):
        grid_city(*args)


def test_workbench_city_synthetic_writes_the_same_folder_from_the_same_seed(tmp_path, capsys):
    from workbench.run.cli import main
    args = ["city", "synthetic", "--buildings", "300", "--seismic-zone", "2B"]
    assert main([*args, "--out", str(tmp_path / "a")]) == 0
    assert "wrote" in capsys.readouterr().out
    assert main([*args, "--out", str(tmp_path / "b")]) == 0
    assert main([*args, "--seed", "1", "--out", str(tmp_path / "c")]) == 0

    def files(folder):
        return {p.relative_to(folder).as_posix(): p.read_bytes()
                for p in sorted(folder.rglob("*")) if p.is_file()}
    a, b, c = (files(tmp_path / k) for k in "abc")
    assert a == b and a.keys() == c.keys() and a != c
    from workbench.io.cityio import load_city
    city = load_city(tmp_path / "a")
    assert city.buildings.sizes["building"] == 300
    assert city.buildings.attrs["seismic_design_zone"] == "2B"
    assert main(["city", "synthetic", "--buildings", "0", "--out", str(tmp_path / "d")]) == 1
    assert "n_buildings (--buildings) must be a positive whole number, got 0" in \
        capsys.readouterr().err
    assert not (tmp_path / "d").exists()
