"""Tests of workbench.network.criticality: single points of failure, criticality, redundancy, 4R.

Hand-checked on the toy city (three 4-node paths fed at index 0; water population per node
W0…W3 = 0, 210, 40, 250) and on small hand-built graphs; the block-cut-tree sums are checked
against brute-force node removal with networkx on a synthetic city.
"""

import networkx as nx
import numpy as np
import pandas as pd
import pytest
import xarray as xr

from workbench.city import City, buildings_from_frame, toy_city
from workbench.metrics.four_r import (four_r, rapidity, redundancy_index, resourcefulness,
                                     robustness)
from workbench.network.criticality import (cascade_criticality, network_sources, node_criticality,
                                           node_population, redundancy, single_points_of_failure,
                                           single_source_networks)
from workbench.core.errors import InputError
from workbench.city.synthetic import grid_city
from workbench.network.system import build_system


@pytest.fixture(scope="module")
def toy():
    return build_system(toy_city())


def ring_city():
    """Water: a 4-cycle R0–J1–J2–J3–R0 plus a spur J2–J4; power and road: 2-node paths."""
    water = nx.Graph(name="water")
    for node, kind, x, y in [("R0", "reservoir", 0, 0), ("J1", "junction", 100, 0),
                             ("J2", "junction", 100, 100), ("J3", "junction", 0, 100),
                             ("J4", "junction", 200, 100)]:
        water.add_node(node, kind=kind, x=float(x), y=float(y))
    attrs = dict(kind="pipe", length=100.0, repair_days=1.0, repair_cost=1.0)
    water.add_edges_from([("R0", "J1"), ("J1", "J2"), ("J2", "J3"), ("J3", "R0"), ("J2", "J4")],
                         **attrs)
    others = {}
    for name, src, node, kind in [("power", "S0", "B1", "line"), ("road", "G0", "I1", "road")]:
        g = nx.Graph(name=name)
        g.add_node(src, kind="substation" if name == "power" else "gateway", x=0.0, y=0.0)
        g.add_node(node, kind="bus" if name == "power" else "intersection", x=200.0, y=100.0)
        g.add_edge(src, node, kind=kind, length=100.0, repair_days=1.0, repair_cost=1.0)
        others[name] = g
    frame = pd.DataFrame({"id": ["a", "b", "c"], "type": ["residential"] * 3,
                          "floor_area": [100.0] * 3, "stories": [1] * 3,
                          "year_built": [2000] * 3, "structural_class": ["W1"] * 3,
                          "x": [100.0, 100.0, 200.0], "y": [0.0, 100.0, 100.0],
                          "occupancy": [10.0, 20.0, 40.0]})
    return build_system(City(buildings_from_frame(frame), {"water": water, **others}))


# --------------------------------------------------------------------------- SPOF

def test_path_bridges_and_articulation_points(toy):
    spof = single_points_of_failure(toy)
    water = spof[spof.network == "water"].set_index("component")
    # every edge of a path is a bridge; every node but the far end is an articulation point
    # (the source cuts everything off, W1 everything beyond it, …)
    assert set(water.index) == {"water:W0", "water:W1", "water:W2", "water:W0--W1",
                                "water:W1--W2", "water:W2--W3"}
    assert water.loc["water:W2", "population_cut_off"] == 290.0    # W2 40 + W3 250
    assert water.loc["water:W2--W3", "population_cut_off"] == 250.0
    assert water.loc["water:W0--W1", "nodes_cut_off"] == 3
    assert water.loc["water:W0", "failure"] == "articulation point"
    assert water.loc["water:W1--W2", "element"] == "edge"
    assert (spof.population_cut_off.diff().dropna() <= 0).all()     # sorted descending


def test_matches_networkx_bridges_and_articulation_points(toy):
    spof = single_points_of_failure(toy)
    graph = toy.networks["road"]
    aux = nx.Graph(graph)
    aux.add_edge("R0", "*")
    expected_nodes = {f"road:{n}" for n in nx.articulation_points(aux) if n != "*"}
    expected_edges = {f"road:{min(a, b)}--{max(a, b)}" for a, b in nx.bridges(graph)}
    road = spof[spof.network == "road"]
    assert set(road.component) == expected_nodes | expected_edges


def test_ring_has_only_spur_failures():
    system = ring_city()
    spof = single_points_of_failure(system)
    water = spof[spof.network == "water"].set_index("component")["population_cut_off"]
    # the loop protects J1, J3; J2 cuts off J4 (and itself); the spur edge is a bridge
    assert water.to_dict() == {"water:R0": 70.0, "water:J2": 60.0, "water:J2--J4": 40.0}


def test_two_sources_remove_the_source_spof():
    city = toy_city()
    water = nx.Graph(city.networks["water"])
    water.nodes["W3"]["kind"] = "tank"                    # now fed from both ends
    system = build_system(City(city.buildings, {**city.networks, "water": water}))
    spof = single_points_of_failure(system)
    assert spof[spof.network == "water"].empty
    crit = node_criticality(system).set_index("component")["population_lost"]
    assert crit["water:W1"] == 210.0                      # only its own buildings


def test_single_source_networks_and_their_source_spof(toy):
    city = toy_city()
    assert network_sources(city) == {"water": ["W0"], "power": ["P0"], "road": ["R0"]}
    assert single_source_networks(city) == network_sources(city) == single_source_networks(toy)
    # the lone source is a single point of failure for everything its network serves
    spof = single_points_of_failure(toy).set_index("component")["population_cut_off"]
    served = node_population(toy, "water").sum()
    assert spof["water:W0"] == served == 500.0
    water = nx.Graph(city.networks["water"])
    water.nodes["W3"]["kind"] = "tank"
    two = City(city.buildings, {**city.networks, "water": water})
    assert network_sources(two)["water"] == ["W0", "W3"]
    assert single_source_networks(two) == {"power": ["P0"], "road": ["R0"]}
    assert "water:W0" not in set(single_points_of_failure(build_system(two)).component)


def test_network_sources_kinds_by_name():
    city = toy_city()
    only_tanks = {"water": {"tank"}, "power": {"substation"}, "road": {"gateway"}}
    assert network_sources(city, source_kinds=only_tanks)["water"] == []
    assert "water" not in single_source_networks(city, source_kinds=only_tanks)
    with pytest.raises(InputError, match=r"network\(s\) \['road'\] have no source kinds"):
        network_sources(city, source_kinds={"water": {"reservoir"}, "power": {"substation"}})


# --------------------------------------------------------------------------- criticality

def test_node_population(toy):
    assert node_population(toy, "water").tolist() == [0.0, 210.0, 40.0, 250.0]
    assert node_population(toy, "water", population="floor_area").sum() == 14_000.0
    with pytest.raises(InputError, match="population='people' is not a building variable"):
        node_population(toy, "water", population="people")


def test_node_criticality_matches_brute_force():
    system = build_system(grid_city(400, 300, seed=5))
    table = node_criticality(system).set_index("component")
    for name in ("water", "road"):
        graph = system.networks[name]
        nodes = list(graph.nodes)
        pop = dict(zip(nodes, node_population(system, name)))
        sources = [nodes[i] for i in system.sources[name]]
        for v in nodes:
            rest = graph.subgraph([n for n in nodes if n != v])
            reach = set()
            for s in sources:
                if s != v:
                    reach |= nx.node_connected_component(rest, s)
            lost = sum(p for n, p in pop.items() if n not in reach)
            assert table.loc[f"{name}:{v}", "population_lost"] == pytest.approx(lost)


def test_cascade_criticality_equals_node_criticality_without_dependencies(toy):
    system = build_system(toy_city(), dependencies="none")
    nodes = [c for c in system.component_ids if "--" not in c]
    cascade = cascade_criticality(system, nodes, chunk=5).set_index("component")
    single = node_criticality(system).set_index("component")
    for cid in nodes:
        network = cid.split(":")[0]
        assert cascade.loc[cid, f"population_lost_{network}"] == single.loc[cid, "population_lost"]


def test_cascade_criticality_sees_pump_power():
    """A power bus feeding the only pump is critical for water."""
    from test_system import pump_city
    system = build_system(pump_city())
    table = cascade_criticality(system).set_index("component")
    # B2 feeds the pump but serves no building: losing it dries both buildings (3 + 10)
    assert table.loc["power:B2", "population_lost_water"] == 13.0
    assert table.loc["power:B2", "population_lost_power"] == 0.0
    assert table.loc["power:B2", "population_lost_any"] == 13.0
    with pytest.raises(InputError, match="chunk must be a positive integer"):
        cascade_criticality(system, chunk=0)


# --------------------------------------------------------------------------- redundancy

def test_redundancy_ring():
    table = redundancy(ring_city())
    water = table[table.network == "water"].set_index("node")["paths_to_source"].to_dict()
    assert water == {"R0": 2, "J1": 2, "J2": 2, "J3": 2, "J4": 1}
    index = redundancy_index(ring_city())
    # buildings a (J1, 10) and b (J2, 20) are redundant, c (J4, 40) is not
    assert index.sel(network="water").item() == pytest.approx(30 / 70)
    assert index.dims == ("network",) and index.attrs["units"] == "1"


def test_redundancy_path(toy):
    table = redundancy(toy)
    assert table[table.network == "power"]["paths_to_source"].tolist() == [2, 1, 1, 1]


# --------------------------------------------------------------------------- 4R

def curves():
    return xr.DataArray([[0.4, 0.8, 0.96, 1.0], [0.97, 0.98, 1.0, 1.0], [0.2, 0.3, 0.4, 0.5]],
                        dims=("strategy", "time"),
                        coords={"strategy": ["a", "b", "c"], "time": [0.0, 2.0, 4.0, 6.0]})


def test_robustness():
    r = robustness(curves())
    assert r.dims == ("strategy",) and r.values.tolist() == [0.4, 0.97, 0.2]
    with pytest.raises(InputError, match="must be an xarray.DataArray with dim 'time'"):
        robustness(np.array([1.0]))


def test_rapidity():
    out = rapidity(curves())
    assert out["time_to_threshold"].values.tolist() == [4.0, 0.0, np.inf]
    slope = out["mean_slope"].values
    assert slope[0] == pytest.approx((0.96 - 0.4) / 4)
    assert slope[1] == np.inf                  # already recovered: instantaneous
    assert slope[2] == pytest.approx(0.3 / 6)  # never reached: slope over the whole curve
    assert out["time_to_threshold"].attrs["units"] == "days"
    with pytest.raises(InputError, match=r"threshold must be in \(0, 1\]"):
        rapidity(curves(), threshold=0.0)


def test_resourcefulness():
    r = resourcefulness(crews=4, damaged_components=8, repair_crew_days=40.0,
                        materials_per_day=1e4, repair_cost=1e5)
    assert r.to_dict() == {"crews_per_damaged_component": 0.5, "crew_capacity_ratio": 0.1,
                           "material_ratio": 0.1}
    none = resourcefulness(crews=4, damaged_components=0, repair_crew_days=0.0)
    assert np.isinf(none).all()
    with pytest.raises(InputError, match="crews must be a number ≥ 0, got -1"):
        resourcefulness(crews=-1, damaged_components=1, repair_crew_days=1.0)


def test_four_r_table(toy):
    table = four_r(curves().sel(strategy="a"), toy, crews=2, damaged_components=4,
                   repair_crew_days=8.0)
    assert list(table.columns) == ["attribute", "indicator", "value", "units"]
    assert set(table.attribute) == {"robustness", "redundancy", "resourcefulness", "rapidity"}
    values = table.set_index("indicator")["value"]
    assert values["robustness"] == 0.4 and values["time_to_threshold"] == 4.0
    with pytest.raises(InputError, match="must be one curve along 'time'"):
        four_r(curves(), toy, crews=2, damaged_components=4, repair_crew_days=8.0)


def test_rapidity_times_the_threshold_by_the_indexes_rule():
    # a curve that touches 95 % on day 1 and falls back has not recovered until day 3, as
    # recovery_time (the indexes' days to 95 %) says: one number for one question
    from workbench.metrics.indexes import recovery_time
    q = xr.DataArray([0.5, 0.96, 0.9, 0.97, 1.0], dims="time", coords={"time": range(5)})
    out = rapidity(q)
    assert float(out["time_to_threshold"]) == float(recovery_time(q, 0.95)) == 3.0
    assert float(out["mean_slope"]) == pytest.approx((0.97 - 0.5) / 3)
    never = rapidity(q[:3])
    assert np.isinf(float(never["time_to_threshold"]))
    assert float(never["mean_slope"]) == pytest.approx((0.9 - 0.5) / 2)
