"""Tests of workbench.response.supplies: the daily min-cost flow of emergency supplies.

The toy city's road network is the path R0–R1–R2–R3 (150 m edges, nodes at x = 0…450 m); b5 (the
public building, district east) hangs from R3, b0 (west) from R0.
"""

import warnings

import networkx as nx
import numpy as np
import pytest
import xarray as xr

import workbench as wb
from workbench.city import toy_city
from workbench.core.errors import InputError
from workbench.city.mapping import map_city
from workbench.recovery import Constraints, simulate_recovery
from workbench.response.agents import simulate_agents
from workbench.response.supplies import (DEPOT_CAPACITY, Depot, default_depots,
                                         emergency_supplies, min_cost_supply)
from workbench.network.system import build_system


def _diamond():
    """A-B-D short (length 1 + 1, capacity 5), A-C-D long (2 + 2, capacity 10)."""
    g = nx.Graph()
    g.add_edge("A", "B", length=1, capacity=5)
    g.add_edge("B", "D", length=1, capacity=5)
    g.add_edge("A", "C", length=2, capacity=10)
    g.add_edge("C", "D", length=2, capacity=10)
    return g


def _check_flow(graph, result, supply, demand, capacity="capacity"):
    """Every arc within its capacity, flow conserved at every node."""
    for (u, v), f in result["flow"].items():
        assert 0 < f <= graph.edges[u, v][capacity]
    net = dict.fromkeys(graph.nodes, 0)
    for (u, v), f in result["flow"].items():
        net[u] -= f
        net[v] += f
    for n in graph.nodes:
        assert net[n] == result["delivered"].get(n, 0) - result["shipped"].get(n, 0)
    assert all(result["shipped"][n] <= s for n, s in supply.items())


def test_min_cost_flow_matches_the_hand_computed_answer():
    g = _diamond()
    result = min_cost_supply(g, {"A": 10}, {"D": 8})
    # 5 rations by A-B-D (2 each, the short route is full), 3 by A-C-D (4 each): 10 + 12
    assert result["cost"] == 22
    assert result["flow"] == {("A", "B"): 5, ("B", "D"): 5, ("A", "C"): 3, ("C", "D"): 3}
    assert result["delivered"] == {"D": 8} and result["unmet"] == {"D": 0}
    _check_flow(g, result, {"A": 10}, {"D": 8})
    assert g.number_of_nodes() == 4 and "flow" not in g.edges["A", "B"]    # never mutated


def test_a_short_depot_leaves_the_rest_unmet_and_still_routes_cheapest():
    g = _diamond()
    result = min_cost_supply(g, {"A": 6}, {"D": 8})
    # 5 on the short route (10) and 1 on the long one (4); 2 rations unmet
    assert (result["cost"], result["unmet"], result["shipped"]) == (14, {"D": 2}, {"A": 6})
    _check_flow(g, result, {"A": 6}, {"D": 8})


def test_capacity_binds_the_cut_and_two_depots_share_the_demand():
    g = _diamond()
    g.edges["C", "D"]["capacity"] = 1
    # the cut into D carries 5 + 1 = 6; a second depot at D itself serves locally at no cost
    result = min_cost_supply(g, {"A": 10}, {"D": 8})
    assert result["unmet"] == {"D": 2} and result["cost"] == 5 * 2 + 1 * 4
    both = min_cost_supply(g, {"A": 10, "D": 3}, {"D": 8, "C": 2})
    assert both["unmet"] == {"D": 0, "C": 0}
    _check_flow(g, both, {"A": 10, "D": 3}, {"D": 8, "C": 2})
    assert both["cost"] == 5 * 2 + 2 * 2          # D: 3 local + 5 short; C: 2 from A direct


def test_disconnected_demand_is_unmet():
    g = _diamond()
    g.add_node("E")
    result = min_cost_supply(g, {"A": 10}, {"E": 4, "D": 1})
    assert result["unmet"] == {"E": 4, "D": 0}


def test_flows_respect_capacities_on_the_demo_roads():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        city = wb.map_city(wb.demo_city())
    g = city.networks["road"]
    rng = np.random.default_rng(0)
    nodes = list(g.nodes)
    demand = {nodes[i]: int(rng.integers(1, 200)) for i in rng.choice(len(nodes), 30, False)}
    supply = {nodes[0]: 1500, nodes[-1]: 1500}
    result = min_cost_supply(g, supply, demand, default_capacity=300)
    for (u, v), f in result["flow"].items():
        assert f <= 300
    assert sum(result["delivered"].values()) + sum(result["unmet"].values()) == sum(
        demand.values())
    assert sum(result["shipped"].values()) == sum(result["delivered"].values())


# --------------------------------------------------------------------------- over the days

@pytest.fixture(scope="module")
def toy():
    city = map_city(toy_city())
    return city, build_system(city)


def _need(city, persons, days):
    return xr.DataArray(np.tile(np.asarray(persons, float), (days, 1)), dims=("time", "building"),
                        coords={"time": np.arange(days),
                                "building": city.buildings["building"].values})


def test_roads_reopen_as_the_recovery_clears_them(toy):
    city, system = toy
    day = np.zeros(system.n_components)
    day[system.index_of("road:R1--R2")] = 4.0               # debris cleared on day 4
    rec = xr.Dataset({"component_restored_day": ("component", day)},
                     coords={"component": system.component_ids})
    need = _need(city, [5, 0, 0, 0, 0, 20], 7)               # b0 (west, R0), b5 (east, R3)
    out = emergency_supplies(city, system, rec, need, depots=[Depot("R0", 100)], days=7)
    assert out["unmet"].values.tolist() == [20, 20, 20, 20, 0, 0, 0]
    np.testing.assert_array_equal(out["delivered"] + out["unmet"], out["demand"])
    assert float(out["share_met_72h"]) == pytest.approx(15 / 75)
    assert float(out["unmet_person_days"]) == 80
    short = out["shortfall_72h_by_district"]
    assert float(short.sel(district="east")) == 60 and float(short.sel(district="west")) == 0
    # once open, the 20 rations cross every edge of the path: 3 × 150 m
    assert float(out["transport"].sel(time=4)) == 20 * 450
    np.testing.assert_array_equal(out["edge_flow"].sel(time=4), [20, 20, 20])


def test_depot_capacity_and_opening_day(toy):
    city, system = toy
    rec = xr.Dataset({"component_restored_day": ("component", np.zeros(system.n_components))},
                     coords={"component": system.component_ids})
    need = _need(city, [0, 0, 0, 0, 0, 30], 4)
    out = emergency_supplies(city, system, rec, need,
                             depots=[Depot("R0", 10), Depot("R1", 10, from_day=2)], days=4)
    assert out["delivered"].values.tolist() == [10, 10, 20, 20]


def test_default_depots_are_the_largest_public_buildings(toy):
    city, _ = toy
    (depot,) = default_depots(city)
    assert (depot.name, depot.node, depot.capacity) == ("b5", "R3", DEPOT_CAPACITY)


def test_supplies_on_the_demo_after_agents(demo_quake):
    city, system, params = demo_quake.city, demo_quake.system, demo_quake.params
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        damage = wb.road_blockage(system, demo_quake.damage)
        rec = simulate_recovery(city, system, damage, Constraints(
            horizon_days=10, **params["constraints"]), strategies=["rigid", "flexible"], seed=0)
    agents = simulate_agents(city, system, damage, rec, seed=0)
    out = emergency_supplies(city, system, rec, agents["supply_need"], days=5)
    assert out.sizes == {"strategy": 2, "time": 5, "district": 7,
                         "component": city.networks["road"].number_of_edges()}
    assert ((out["share_met_72h"] >= 0) & (out["share_met_72h"] <= 1)).all()
    np.testing.assert_array_equal(out["delivered"] + out["unmet"], out["demand"])
    assert (out["edge_flow"] <= 2 * out["edge_capacity"]).all()
    np.testing.assert_allclose(out["shortfall_72h_by_district"].sum("district"),
                               out["unmet_person_days_72h"])
    np.testing.assert_allclose(out["demand_by_district"].sum("district"), out["demand"])
    np.testing.assert_allclose(out["unmet_by_district"].sum("district"), out["unmet"])
    assert (out["unmet_by_district"] <= out["demand_by_district"] + 1e-9).all()
    assert out.attrs["depots_default"] == 1
    # the recovery's own displaced (agents off): more need near blocked streets, still consistent
    off = simulate_agents(city, system, damage, rec, enabled=False)
    worse = emergency_supplies(city, system, rec, off["supply_need"], days=5)
    assert (worse["unmet_by_district"] <= worse["demand_by_district"] + 1e-9).all()
    np.testing.assert_allclose(worse["unmet_by_district"].sum("district"), worse["unmet"])


def test_bad_inputs_name_the_fix(toy):
    city, system = toy
    rec = xr.Dataset({"component_restored_day": ("component", np.zeros(system.n_components))},
                     coords={"component": system.component_ids})
    need = _need(city, [0] * 6, 4)
    with pytest.raises(InputError, match="is not a road node"):
        emergency_supplies(city, system, rec, need, depots=[Depot("W0", 10)], days=3)
    with pytest.raises(InputError, match="days must be ≥ 3"):
        emergency_supplies(city, system, rec, need, days=2)
    with pytest.raises(InputError, match="need must have dims"):
        emergency_supplies(city, system, rec, need, days=5)
    bad = need.copy()
    bad[2, 3] = -0.5                                     # a real negative names building and day
    with pytest.raises(InputError, match=r"need of building 'b3' on day 2 is -0\.5 persons"):
        emergency_supplies(city, system, rec, bad, days=3)
    bad[2, 3] = np.nan
    with pytest.raises(InputError, match=r"need of building 'b3' on day 2 is nan persons"):
        emergency_supplies(city, system, rec, bad, days=3)
    with pytest.raises(InputError, match="not in the road graph"):
        min_cost_supply(_diamond(), {"Z": 1}, {"D": 1})
    with pytest.raises(InputError, match="has no 'capacity'"):
        g = nx.path_graph(3)
        min_cost_supply(g, {0: 1}, {2: 1})
    with pytest.raises(InputError, match="not mapped to the road network"):
        default_depots(toy_city())
