"""Tests of workbench.network.system: component table, service, interdependency cascade.

Expected values are worked out by hand on the toy city (three 4-node paths, sources at index 0;
water map W1, W1, W1, W2, W3, W3) and on a small hand-built interdependent city.
"""

import networkx as nx
import numpy as np
import pandas as pd
import pytest
import xarray as xr

from workbench.city import City, buildings_from_frame, toy_city
from workbench.core.errors import InputError
from workbench.network.system import build_system, component_id


@pytest.fixture(scope="module")
def toy():
    return build_system(toy_city())


def intact(system):
    return np.ones(system.n_components, bool)


def knock_out(system, *ids):
    state = intact(system)
    for cid in ids:
        state[system.index_of(cid)] = False
    return state


# --------------------------------------------------------------------------- hand-built city

def _path(name, ids, kinds, xs, y=0.0, edge_kind="pipe"):
    graph = nx.Graph(name=name)
    for node, kind, x in zip(ids, kinds, xs):
        graph.add_node(node, kind=kind, x=float(x), y=y)
    for a, b in zip(ids[:-1], ids[1:]):
        graph.add_edge(a, b, kind=edge_kind, length=100.0, repair_days=1.0, repair_cost=1.0)
    return graph


def pump_city(*, site=False):
    """Water R0 → PU (pump) → J1 → J2; power S0 → B1 → B2 with B2 beside the pump; road path.

    Buildings: h0 at J1, h1 at J2 (water); power maps them to B1/B2.
    """
    water = _path("water", ["R0", "PU", "J1", "J2"],
                  ["reservoir", "pump", "junction", "junction"], [0, 100, 200, 300])
    power = _path("power", ["S0", "B1", "B2"], ["substation", "bus", "bus"], [-300, 200, 100],
                  y=20.0, edge_kind="line")
    road = _path("road", ["G0", "I1"], ["gateway", "intersection"], [0, 300], y=-20.0,
                 edge_kind="road")
    if site:
        water.nodes["J2"]["site"] = "vault"
        road.nodes["I1"]["site"] = "vault"
    frame = pd.DataFrame({"id": ["h0", "h1"], "type": ["residential", "office"],
                          "floor_area": [100.0, 200.0], "stories": [1, 2],
                          "year_built": [1990, 2000], "structural_class": ["W1", "C2L"],
                          "x": [200.0, 300.0], "y": [5.0, 5.0], "occupancy": [3.0, 10.0]})
    return City(buildings_from_frame(frame), {"water": water, "power": power, "road": road},
                name="pump city")


# --------------------------------------------------------------------------- table

def test_component_table(toy):
    comps = toy.components
    assert toy.n_components == 21 and toy.n_buildings == 6
    assert comps.sizes == {"component": 21}
    edge = toy.index_of("water:W1--W2")
    assert comps["element"].values[edge] == "edge"
    assert comps["x"].values[edge] == 225.0 and comps["length"].values[edge] == 150.0
    assert (comps["u"].values[edge], comps["v"].values[edge]) == ("W1", "W2")
    assert comps["length"].attrs["units"] == "m"
    assert comps["repair_days"].attrs["units"] == "crew-days"
    node = toy.index_of("road:R0")
    assert comps["kind"].values[node] == "gateway" and comps["u"].values[node] == ""
    assert toy.node_component["water"].tolist() == [0, 1, 2, 3]
    assert toy.edge_endpoints["power"].tolist() == [[0, 1], [1, 2], [2, 3]]
    assert toy.sources["road"].tolist() == [0]
    assert toy.building_node["water"].tolist() == [1, 1, 1, 2, 3, 3]
    ids = toy.component_ids[toy.edge_component["road"]]
    assert ids.tolist() == ["road:R0--R1", "road:R1--R2", "road:R2--R3"]


def test_component_id_sorts_edge_ends():
    assert component_id("road", "b", "a") == "road:a--b"


def test_system_is_read_only(toy):
    with pytest.raises(AttributeError, match="read-only"):
        toy.city = None
    with pytest.raises(ValueError):
        toy.node_component["water"][0] = 5


def test_index_of_unknown_names_close_ids(toy):
    with pytest.raises(InputError, match=r"unknown component id 'water:W9'.*water:W"):
        toy.index_of("water:W9")


def test_unmapped_city_is_mapped():
    city = toy_city()
    assert "water_node" not in city.buildings.coords
    system = build_system(city)
    assert "water_node" in system.city.buildings.coords


def test_missing_network_is_an_error():
    city = toy_city()
    city = City(city.buildings, {k: v for k, v in city.networks.items() if k != "road"})
    with pytest.raises(InputError, match=r"lacks network\(s\) \['road'\]"):
        build_system(city)


def test_bad_dependency_mode():
    with pytest.raises(InputError, match="dependencies must be one of"):
        build_system(toy_city(), dependencies="physical")


@pytest.mark.parametrize("bad, message", [
    (np.ones(5, bool), r"shape \(n_components,\).*21.*\(5,\)"),
    (np.full(21, 0.5), "must be boolean"),
])
def test_bad_functional(toy, bad, message):
    with pytest.raises(InputError, match=message):
        toy.service(bad)


# --------------------------------------------------------------------------- service

def test_intact_city_is_fully_served(toy):
    assert (toy.service(intact(toy)) == 1.0).all()
    assert toy.cascade(intact(toy)).all()


def test_cut_water_pipe_unserves_w2_w3(toy):
    service = toy.service(knock_out(toy, "water:W1--W2"))
    # buildings b3 (W2), b4, b5 (W3) lose water; power and road untouched
    assert service[:, 0].tolist() == [1, 1, 1, 0, 0, 0]
    assert (service[:, 1:] == 1).all()


def test_damaged_source_unserves_everything(toy):
    service = toy.service(knock_out(toy, "power:P0"))
    assert (service[:, 1] == 0).all() and (service[:, [0, 2]] == 1).all()


def test_damaged_serving_node_unserves_only_its_buildings(toy):
    service = toy.service(knock_out(toy, "road:R2"))
    # R2 serves no building directly (road map R1,R1,R1,R2,R3,R3 like water): b3 mapped to R2,
    # and R3 loses its only link, so b3, b4, b5 are unserved
    assert service[:, 2].tolist() == [1, 1, 1, 0, 0, 0]


def test_edge_out_when_endpoint_out(toy):
    state = toy.cascade(knock_out(toy, "water:W2"))
    out = set(toy.component_ids[~state])
    assert out == {"water:W2", "water:W1--W2", "water:W2--W3"}


def test_unmapped_buildings_keep_full_service_whatever_the_damage():
    city = toy_city()
    from workbench.city.mapping import map_city
    mapped = map_city(city)
    water = mapped.buildings["water_node"].values.copy()
    water[0] = ""
    buildings = mapped.buildings.assign_coords(water_node=("building", water))
    system = build_system(mapped.with_buildings(buildings))
    assert system.service(intact(system))[:, 0].tolist() == [1, 1, 1, 1, 1, 1]
    # outside the modelled network: no water component can cut it off
    dry = np.zeros(system.n_components, bool)
    assert system.service(dry)[:, 0].tolist() == [1, 0, 0, 0, 0, 0]


def test_two_dimensional_input(toy):
    states = np.stack([intact(toy), knock_out(toy, "water:W1--W2"), knock_out(toy, "power:P0")])
    service = toy.service(states)
    assert service.shape == (3, 6, 3)
    for r in range(3):
        np.testing.assert_array_equal(service[r], toy.service(states[r]))
    served = toy.served_nodes(states)
    assert served["water"].shape == (3, 4)
    assert served["power"][2].tolist() == [False, False, False, False]


def test_service_dataarray(toy):
    da = toy.service_dataarray(knock_out(toy, "water:W1--W2"))
    assert da.dims == ("building", "network")
    assert da.sel(building="b4", network="water").item() == 0.0
    assert da.sel(building="b4", network="power").item() == 1.0
    stacked = toy.service_dataarray(np.stack([intact(toy)] * 2))
    assert stacked.dims == ("realization", "building", "network")


def test_dataarray_input(toy):
    state = xr.DataArray(knock_out(toy, "water:W1--W2"), dims="component",
                         coords={"component": toy.component_ids})
    assert toy.service(state)[:, 0].sum() == 3
    with pytest.raises(InputError, match="differs from the system's component ids"):
        toy.service(state.isel(component=slice(None, None, -1)))


def test_service_is_monotone(toy):
    """Removing a component never increases any building's service (random property check)."""
    rng = np.random.default_rng(0)
    system = build_system(pump_city())
    for sys_ in (toy, system):
        for _ in range(50):
            state = rng.random(sys_.n_components) > 0.3
            more = state & (rng.random(sys_.n_components) > 0.2)
            assert (sys_.service(more) <= sys_.service(state)).all()
            assert (sys_.cascade(more) <= sys_.cascade(state)).all()


# --------------------------------------------------------------------------- interdependency

def test_pump_is_fed_by_nearest_power_node():
    system = build_system(pump_city())
    assert system.component_ids[system.pump_components].tolist() == ["water:PU"]
    assert system.pump_power_node.tolist() == [2]  # B2, at x = 100 beside the pump


def test_pump_loses_substation_and_water_cascades():
    system = build_system(pump_city())
    state = knock_out(system, "power:B1--S0")
    after = system.cascade(state)
    out = set(system.component_ids[~after])
    # the line is cut → B1, B2 unserved → pump out → its two pipes out
    assert out == {"power:B1--S0", "water:PU", "water:PU--R0", "water:J1--PU"}
    served = system.served_nodes(state)
    assert served["water"].tolist() == [True, False, False, False]
    assert served["power"].tolist() == [True, False, False]
    assert system.service(state).tolist() == [[0.0, 0.0, 1.0], [0.0, 0.0, 1.0]]


def test_no_dependency_mode_keeps_pump():
    system = build_system(pump_city(), dependencies="none")
    state = knock_out(system, "power:B1--S0")
    assert system.service(state)[:, 0].tolist() == [1.0, 1.0]
    assert len(system.pump_components) == 0


def _reference_cascade(system, own):
    """A slow, literal networkx reading of the rules, iterated until nothing changes."""
    ids = list(system.component_ids)
    comps = system.components
    site = comps["site"].values
    base = dict(zip(ids, own))
    for s in set(site) - {""}:
        members = [c for c, m in zip(ids, site) if m == s]
        if not all(base[c] for c in members):
            base.update({c: False for c in members})
    state = dict(base)
    while True:
        served, up = {}, {}
        for name, graph in system.networks.items():
            ok_nodes = [n for n in graph if state[f"{name}:{n}"]]
            sub = nx.Graph()
            sub.add_nodes_from(ok_nodes)
            for a, b in graph.edges:
                if state[component_id(name, a, b)] and a in sub and b in sub:
                    sub.add_edge(a, b)
            reach = set()
            for n in ok_nodes:
                if graph.nodes[n]["kind"] in {"reservoir", "substation", "gateway"}:
                    reach |= nx.node_connected_component(sub, n)
            for n in graph:
                served[f"{name}:{n}"] = n in reach
                up[f"{name}:{n}"] = n in sub
            for a, b in graph.edges:
                cid = component_id(name, a, b)
                up[cid] = sub.has_edge(a, b)
                served[cid] = up[cid] and a in reach
        new = dict(base)
        power_nodes = list(system.networks["power"].nodes)
        for p, feeder in zip(system.pump_components, system.pump_power_node):
            new[ids[p]] &= served[f"power:{power_nodes[feeder]}"]
        for d, s in system.logical_pairs:
            new[ids[d]] &= served[ids[s]]
        if new == state:
            return np.array([up[c] for c in ids])
        state = new


@pytest.mark.parametrize("site", [False, True])
def test_fixed_point_is_exact(site):
    """The vectorised cascade equals a literal networkx reading of the rules."""
    rng = np.random.default_rng(1)
    system = build_system(pump_city(site=site),
                          logical=[("road:I1", "water:J1"), ("power:B2", "road:G0--I1")])
    for _ in range(60):
        state = rng.random(system.n_components) > 0.25
        after = system.cascade(state)
        np.testing.assert_array_equal(after, _reference_cascade(system, state))
        if not site:  # without co-location the cascade is idempotent
            np.testing.assert_array_equal(system.cascade(after), after)


def test_geographic_dependency_fails_site_together():
    system = build_system(pump_city(site=True))
    out = set(system.component_ids[~system.cascade(knock_out(system, "water:J2"))])
    assert out == {"water:J2", "water:J1--J2", "road:I1", "road:G0--I1"}
    # a site-mate put out by the cascade (not damaged) does not drag the others
    state = knock_out(system, "water:R0")
    assert system.cascade(state)[system.index_of("road:I1")]


def test_logical_dependency_chain():
    # road I1 needs water J1 to work; power B2 needs the road edge to work
    system = build_system(pump_city(),
                          logical=[("road:I1", "water:J1"), ("power:B2", "road:G0--I1")])
    state = knock_out(system, "water:PU--R0")
    out = set(system.component_ids[~system.cascade(state)])
    # J1 unserved → I1 out → road edge out → B2 out → pump out → pump edges out
    assert out == {"water:PU--R0", "road:I1", "road:G0--I1", "power:B2", "power:B1--B2",
                   "water:PU", "water:J1--PU"}


def test_logical_unknown_id():
    with pytest.raises(InputError, match="unknown component 'road:X'"):
        build_system(pump_city(), logical=[("road:X", "water:J1")])


def test_synthetic_city_monotone_and_batched():
    """On a generated city with pumps: monotone service, and 2-D input equals row by row."""
    from workbench.city.synthetic import grid_city
    system = build_system(grid_city(300, 400, seed=2))
    assert len(system.pump_components) >= 2
    rng = np.random.default_rng(3)
    states = rng.random((20, system.n_components)) > 0.1
    fewer = states & (rng.random(states.shape) > 0.1)
    batch, batch_fewer = system.service(states), system.service(fewer)
    assert (batch_fewer <= batch).all()
    for r in range(0, 20, 7):
        np.testing.assert_array_equal(batch[r], system.service(states[r]))
    # an undamaged system serves every mapped building from every network
    assert (system.service(np.ones(system.n_components, bool)) == 1).all()


def test_buildings_grouped_by_serving_node_give_service_from_served_nodes(toy):
    """``building_positions_by_node`` (kept by the system): reading each building's service
    from its node's served state gives ``service`` for any state, and the arrays are made once
    and cannot be written."""
    order, indptr, node = toy.building_positions_by_node()
    assert toy.building_positions_by_node()[0] is order          # kept, not recomputed
    assert not (order.flags.writeable or indptr.flags.writeable or node.flags.writeable)
    for cut in (None, "water:W1--W2", "water:W1", "power:P0--P1"):
        state = intact(toy) if cut is None else knock_out(toy, cut)
        served = np.concatenate(list(toy.served_nodes(state).values()))
        flat = np.ones(3 * toy.n_buildings)          # unmapped: outside the networks, served
        for n in range(len(indptr) - 1):
            flat[order[indptr[n]:indptr[n + 1]]] = served[n]
        assert set(np.flatnonzero(node < 0)) == set(range(len(flat))) - set(order)
        np.testing.assert_array_equal(flat.reshape(-1, 3), toy.service(state))


def test_cascades_in_threads_equal_one_by_one():
    """The connectivity matrix ``_labels_one`` rewrites is kept per thread: members of an
    ensemble on a threaded dask worker share one system, and their cascades must not mix."""
    from concurrent.futures import ThreadPoolExecutor
    from workbench.city.synthetic import grid_city
    from workbench.network.system import _thread_graphs
    system = build_system(grid_city(3000, 3000, seed=2))
    rng = np.random.default_rng(5)
    states = [rng.random(system.n_components) > 0.05 for _ in range(48)]
    alone = [system.cascade(s) for s in states]

    def cascade(state):
        return system.cascade(state), id(_thread_graphs()[system][0])

    with ThreadPoolExecutor(4) as pool:
        threaded = list(pool.map(cascade, states))
    for a, (b, _) in zip(alone, threaded):
        np.testing.assert_array_equal(a, b)
    assert sum(int((~a).sum()) for a in alone) > 48 * 0.05 * system.n_components  # states differ
    # each thread wrote its own matrix, not the one this thread holds
    assert id(_thread_graphs()[system][0]) not in {g for _, g in threaded}
