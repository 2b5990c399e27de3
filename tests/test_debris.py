"""Tests of workbench.hazard.debris: road edges blocked by the debris of collapsed buildings.

The toy city (workbench.city.toy_city) has buildings b0…b5 at x = 0, 100, …, 500 m, y = 10 m,
and a road path R0–R1–R2–R3 along y = 0 (nodes at x = 0, 150, 300, 450 m, gateway R0).
"""

import dataclasses
import math

import networkx as nx
import numpy as np
import pytest
import xarray as xr

from workbench.city import toy_city
from workbench.hazard.debris import (BLOCKED_DAMAGE_STATE, CLEARANCE_COST_PER_M2,
                              CLEARANCE_CREW_DAYS_PER_1000_M2, debris_reach, road_blockage)
from workbench.core.errors import InputError
from workbench.recovery import Constraints, simulate_recovery
from workbench.network.system import build_system

ROAD_EDGES = ["road:R0--R1", "road:R1--R2", "road:R2--R3"]


def _damage(system, states, building_days=10.0):
    """A damage Dataset (realization, building/component) with the given building states and
    undamaged components."""
    states = np.atleast_2d(np.asarray(states, dtype=np.int8))
    r = states.shape[0]
    m = system.n_components
    rc = ("realization", "component")
    return xr.Dataset(
        {"building_damage_state": (("realization", "building"), states),
         "building_repair_days": (("realization", "building"), np.where(states > 0,
                                                                         building_days, 0.0)),
         "building_repair_cost": (("realization", "building"), np.where(states > 0, 1e5, 0.0)),
         "component_damage_state": (rc, np.zeros((r, m), np.int8)),
         "component_functional": (rc, np.ones((r, m), bool)),
         "component_repair_days": (rc, np.zeros((r, m))),
         "component_repair_cost": (rc, np.zeros((r, m))),
         "component_pga": ("component", np.full(m, 0.3))},
        coords={"realization": np.arange(r),
                "building": system.city.buildings["building"].values,
                "component": system.component_ids},
        attrs={"seed": 0, "currency": "EUR"})


def _blocked(ds, r=0):
    func = ds["component_functional"].isel(realization=r)
    return ds["component"].values[~func.values].tolist()


def _city_with(**changes):
    """The toy city with building variables replaced, e.g. y={"b1": 30.0}."""
    city = toy_city()
    b = city.buildings.copy()
    for name, values in changes.items():
        if name == "footprint_area" and name not in b:   # the toy city's implied footprints
            b[name] = b["floor_area"] / b["stories"]
        for bid, value in values.items():
            b[name].loc[bid] = value
    return dataclasses.replace(city, buildings=b)


@pytest.fixture(scope="module")
def system():
    return build_system(toy_city())


def test_collapsed_building_blocks_exactly_the_edges_within_reach(system):
    # b1 (x = 100, DS 4) lies 10 m from R0–R1 and 51 m from R1–R2; reach 6 + ½√500 = 17.2 m.
    # b3 (x = 300) is at DS 3 only: no debris.
    blocked = road_blockage(system, _damage(system, [0, 4, 0, 3, 0, 0]))
    assert _blocked(blocked) == ["road:R0--R1"]
    one = blocked.isel(realization=0).sel(component="road:R0--R1")
    assert int(one["component_damage_state"]) == BLOCKED_DAMAGE_STATE
    # b1 has 2000 m² of floor area and blocks one edge: its whole clearance lands there
    assert float(one["component_repair_days"]) == pytest.approx(
        2000 * CLEARANCE_CREW_DAYS_PER_1000_M2 / 1000)
    assert float(one["component_repair_cost"]) == pytest.approx(2000 * CLEARANCE_COST_PER_M2)
    assert blocked.attrs["debris_blocked_edges"] == 1.0
    assert blocked.attrs["debris_min_state"] == 4
    assert "debris_rule" in blocked.attrs


def test_extensive_damage_blocks_nothing(system):
    damage = _damage(system, [0, 0, 0, 3, 3, 0])
    blocked = road_blockage(system, damage)
    xr.testing.assert_equal(blocked, damage)          # values identical (attrs aside)
    assert blocked.attrs["debris_blocked_edges"] == 0.0
    # with min_state=3 the same damage does block: b3 stands over node R2, 10 m from both of
    # its edges; b4 (x = 400) is 10 m from R2–R3 only
    assert _blocked(road_blockage(system, damage, min_state=3)) == ROAD_EDGES[1:]


def test_building_at_a_node_shares_its_clearance(system):
    # b3 (x = 300, 1500 m²) is 10 m from R1–R2 and R2–R3: each edge gets half its clearance
    blocked = road_blockage(system, _damage(system, [0, 0, 0, 4, 0, 0]))
    assert _blocked(blocked) == ["road:R1--R2", "road:R2--R3"]
    days = blocked["component_repair_days"].isel(realization=0).sel(component=ROAD_EDGES[1:])
    assert days.values.tolist() == pytest.approx([0.75, 0.75])


def test_reach_grows_with_stories():
    city = _city_with(footprint_area={"b1": 100.0})
    reach = [float(debris_reach(_city_with(stories={"b1": s}, footprint_area={"b1": 100.0})
                                .buildings).sel(building="b1")) for s in (1, 2, 4, 8, 16)]
    assert np.all(np.diff(reach) > 0)
    assert reach[2] == pytest.approx(0.5 * 4 * 3.0 + 0.5 * 10.0)
    assert float(debris_reach(city.buildings, reach_factor=0.0).sel(building="b1")) == 5.0
    # b1 moved 30 m from the road: a 4-storey building (reach 11 m) blocks nothing,
    # a 20-storey one (reach 35 m) blocks the edge beside it
    for stories, expected in ((4, []), (20, ["road:R0--R1"])):
        moved = _city_with(y={"b1": 30.0}, stories={"b1": stories},
                           footprint_area={"b1": 100.0})
        sys_ = build_system(moved)
        assert _blocked(road_blockage(sys_, _damage(sys_, [0, 4, 0, 0, 0, 0]))) == expected


def test_clearance_scales_with_floor_area():
    days, costs = [], []
    for area in (1000.0, 2000.0, 4000.0):
        sys_ = build_system(_city_with(floor_area={"b1": area}))
        out = road_blockage(sys_, _damage(sys_, [0, 4, 0, 0, 0, 0]), reach=12.0)
        assert _blocked(out) == ["road:R0--R1"]
        one = out.isel(realization=0).sel(component="road:R0--R1")
        days.append(float(one["component_repair_days"]))
        costs.append(float(one["component_repair_cost"]))
    assert days == pytest.approx([1.0, 2.0, 4.0])
    assert costs == pytest.approx([5e3, 1e4, 2e4])
    # constants are parameters; two buildings on one edge add up
    sys_ = build_system(toy_city())
    out = road_blockage(sys_, _damage(sys_, [4, 4, 0, 0, 0, 0]), reach=12.0,
                        clearance_crew_days_per_1000_m2=3.0, clearance_cost_per_m2=7.0)
    one = out.isel(realization=0).sel(component="road:R0--R1")
    # b0 (1000 m², at the gateway node, within 12 m of R0–R1 only) + b1 (2000 m²)
    assert float(one["component_repair_days"]) == pytest.approx(3.0 * 3.0)
    assert float(one["component_repair_cost"]) == pytest.approx(3000 * 7.0)


def test_realisations_are_independent(system):
    states = [[0, 4, 0, 0, 0, 0],    # R0–R1
              [0, 0, 0, 0, 0, 0],    # nothing
              [0, 4, 0, 0, 4, 0]]    # R0–R1 and R2–R3 (b4 at x = 400, 10 m from R2–R3)
    damage = _damage(system, states)
    blocked = road_blockage(system, damage)
    assert [_blocked(blocked, r) for r in range(3)] == [
        ["road:R0--R1"], [], ["road:R0--R1", "road:R2--R3"]]
    assert blocked.attrs["debris_blocked_edges"] == pytest.approx(1.0)
    for r in range(3):   # the same as one realisation at a time, with or without the dim
        alone = road_blockage(system, damage.isel(realization=r))
        xr.testing.assert_equal(alone, blocked.isel(realization=r))


def test_input_not_mutated_and_other_variables_kept(system):
    damage = _damage(system, [[0, 4, 0, 0, 4, 0], [4, 4, 4, 4, 4, 4]])
    before = damage.copy(deep=True)
    blocked = road_blockage(system, damage, reach=1000.0)
    xr.testing.assert_identical(damage, before)
    assert damage.attrs == before.attrs
    for name in ("building_damage_state", "building_repair_days", "building_repair_cost",
                 "component_pga"):
        xr.testing.assert_identical(blocked[name], damage[name])
    # a reach of 1 km blocks every road edge and nothing of the other networks
    road = blocked["component"].str.startswith("road:") & blocked["component"].str.contains("--")
    assert not blocked["component_functional"].sel(component=road).any()
    others = blocked.sel(component=~road)
    for name in ("component_functional", "component_damage_state", "component_repair_days",
                 "component_repair_cost"):
        xr.testing.assert_identical(others[name], damage.sel(component=~road)[name])
    assert blocked["component_damage_state"].dtype == np.int8


def test_blocked_road_cuts_road_service(system):
    blocked = road_blockage(system, _damage(system, [0, 4, 0, 0, 0, 0]))
    service = system.service_dataarray(blocked["component_functional"].isel(realization=0).values)
    # b0 is served by the gateway R0; everyone behind R0–R1 loses road access
    assert service.sel(network="road").values.tolist() == [1.0, 0.0, 0.0, 0.0, 0.0, 0.0]
    assert (service.sel(network=["water", "power"]) == 1).all()


def test_recovery_clears_the_blocked_road(system):
    blocked = road_blockage(system, _damage(system, [0, 4, 0, 0, 4, 0]))
    one = blocked.isel(realization=0)
    rec = simulate_recovery(system.city, system, one,
                            Constraints(crews={"building": 2, "road": 1}, horizon_days=60),
                            strategies=("rigid", "semiflexible"))
    days = rec["component_restored_day"].sel(component=["road:R0--R1", "road:R2--R3"])
    assert np.isfinite(days).all() and (days > 0).all()
    # one road crew: 2 + 4 crew-days of clearance, done one after the other
    assert float(days.max()) >= 6.0
    assert (rec["component_restored_day"].sel(component="road:R1--R2") == 0).all()
    # without road crews the debris never goes
    none = simulate_recovery(system.city, system, one,
                             Constraints(crews={"building": 2}, horizon_days=30),
                             strategies=("rigid",))
    assert np.isinf(none["component_restored_day"].sel(component="road:R0--R1")).all()


def test_nothing_to_block(system):
    damage = _damage(system, np.zeros((2, 6)))
    xr.testing.assert_equal(road_blockage(system, damage), damage)
    collapsed = _damage(system, np.full((1, 6), 4))
    xr.testing.assert_equal(road_blockage(None, collapsed), collapsed)
    # a road network of one gateway node and no edges
    city = toy_city()
    road = nx.Graph(name="road")
    road.add_node("R0", kind="gateway", x=250.0, y=0.0)
    lonely = build_system(dataclasses.replace(city, networks={**city.networks, "road": road}))
    collapsed = _damage(lonely, np.full((1, 6), 4))
    xr.testing.assert_equal(road_blockage(lonely, collapsed), collapsed)


def test_segment_distance_matches_brute_force():
    # a random street grid: the KD-tree candidates + exact distances = all pairs by brute force
    rng = np.random.default_rng(3)
    city = toy_city()
    road = nx.Graph(name="road")
    xy = rng.uniform((-50, -60), (550, 80), size=(40, 2))
    for i, (x, y) in enumerate(xy):
        road.add_node(f"R{i}", kind="gateway" if i == 0 else "intersection", x=x, y=y)
    full = nx.Graph()
    full.add_weighted_edges_from((i, j, np.hypot(*(xy[i] - xy[j])))
                                 for i in range(40) for j in range(i + 1, 40))
    tree = nx.minimum_spanning_tree(full)
    pairs = list(tree.edges) + [tuple(rng.choice(40, 2, replace=False)) for _ in range(20)]
    for a, b in pairs:
        if a != b:
            road.add_edge(f"R{a}", f"R{b}", kind="road", repair_days=1.0, repair_cost=1.0,
                          length=float(np.hypot(*(xy[a] - xy[b]))))
    sys_ = build_system(dataclasses.replace(city, networks={**city.networks, "road": road}))
    reach = xr.DataArray(rng.uniform(5, 60, 6), dims="building",
                         coords={"building": city.buildings["building"].values})
    out = road_blockage(sys_, _damage(sys_, np.full((1, 6), 4)), reach=reach)
    comp = sys_.components
    edges = np.flatnonzero((comp["network"] == "road").values & (comp["element"] == "edge").values)
    node = {n: (d["x"], d["y"]) for n, d in road.nodes(data=True)}
    a = np.array([node[u] for u in comp["u"].values[edges]])
    b = np.array([node[v] for v in comp["v"].values[edges]])
    p = np.column_stack([city.buildings["x"].values, city.buildings["y"].values])
    # dense (building, edge) distances by projection
    ab = b - a
    t = np.clip((((p[:, None] - a[None]) * ab[None]).sum(-1) / (ab * ab).sum(-1)), 0, 1)
    d = np.hypot(*np.moveaxis(p[:, None] - (a[None] + t[..., None] * ab[None]), -1, 0))
    expected = sorted(sys_.component_ids[edges][(d <= reach.values[:, None]).any(axis=0)])
    assert 0 < len(expected) < len(edges)     # the case discriminates
    assert sorted(_blocked(out)) == expected


def test_errors_name_the_fix(system):
    damage = _damage(system, [0, 4, 0, 0, 0, 0])
    with pytest.raises(InputError, match="min_state must be 1, 2, 3 or 4"):
        road_blockage(system, damage, min_state=5)
    with pytest.raises(InputError, match="apply road_blockage once"):
        road_blockage(system, road_blockage(system, damage))
    with pytest.raises(InputError, match="lacks.*component_repair_cost"):
        road_blockage(system, damage.drop_vars("component_repair_cost"))
    with pytest.raises(InputError, match="clearance_cost_per_m2 must be finite"):
        road_blockage(system, damage, clearance_cost_per_m2=-1.0)
    with pytest.raises(InputError, match="reach must be finite"):
        road_blockage(system, damage, reach=math.inf)
    with pytest.raises(InputError, match="missing from the system's city buildings"):
        road_blockage(system, damage.assign_coords(building=[f"x{i}" for i in range(6)]))
