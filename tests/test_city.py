"""The city data model: validation messages and a lossless city folder."""

import networkx as nx
import numpy as np
import pytest
import xarray as xr

from workbench.city import City, buildings_from_frame, toy_city, validate_network
from workbench.io.cityio import load_city, save_city
from workbench.core.errors import InputError
from workbench.city.mapping import map_city


def _frame():
    city = toy_city()
    frame = city.buildings.to_dataframe().reset_index().rename(columns={"building": "id"})
    return frame


def test_toy_city_shapes():
    city = toy_city()
    assert city.buildings.sizes["building"] == 6
    assert float(city.buildings["floor_area"].sum()) == 14000.0
    assert city.buildings["floor_area"].attrs["units"] == "m2"


def test_missing_column_is_named():
    with pytest.raises(InputError, match=r"lacks required building column\(s\) \['floor_area'\]"):
        buildings_from_frame(_frame().drop(columns="floor_area"))


def test_nan_area_names_building():
    frame = _frame()
    frame.loc[2, "floor_area"] = np.nan
    with pytest.raises(InputError, match=r"'floor_area' is nan for building 'b2'"):
        buildings_from_frame(frame)


def test_negative_area_names_building_and_value():
    frame = _frame()
    frame.loc[3, "floor_area"] = -5.0
    with pytest.raises(InputError, match=r"'floor_area' must be ≥ 0; building 'b3' has -5.0"):
        buildings_from_frame(frame)


def test_zero_stories_and_unknown_type():
    frame = _frame()
    frame.loc[0, "stories"] = 0
    with pytest.raises(InputError, match="'stories' must be ≥ 1"):
        buildings_from_frame(frame)
    frame = _frame()
    frame.loc[0, "type"] = "castle"
    with pytest.raises(InputError, match=r"unknown building type\(s\) \['castle'\]"):
        buildings_from_frame(frame)


def test_duplicate_ids():
    frame = _frame()
    frame.loc[1, "id"] = "b0"
    with pytest.raises(InputError, match="unique"):
        buildings_from_frame(frame)


def test_network_without_source():
    graph = toy_city().networks["water"].copy()
    graph.nodes["W0"]["kind"] = "junction"
    with pytest.raises(InputError, match="network 'water' has no source node"):
        validate_network(graph, "water")


def test_disconnected_network_names_count():
    graph = toy_city().networks["power"].copy()
    graph.remove_edge("P1", "P2")
    with pytest.raises(InputError, match=r"network 'power' is disconnected: 2 node\(s\) in 1"):
        validate_network(graph, "power")


def test_edge_attribute_missing_and_negative():
    graph = toy_city().networks["road"].copy()
    del graph.edges["R0", "R1"]["repair_days"]
    with pytest.raises(InputError, match=r"edge \('R0', 'R1'\) lacks attribute\(s\) \['repair_days'\]"):
        validate_network(graph, "road")
    graph = toy_city().networks["road"].copy()
    graph.edges["R0", "R1"]["length"] = -1.0
    with pytest.raises(InputError, match="length=-1.0"):
        validate_network(graph, "road")


def test_service_map_must_reference_known_nodes():
    city = map_city(toy_city())
    buildings = city.buildings.assign_coords(
        water_node=("building", ["W1", "W9", "W1", "W2", "W3", "W3"]))
    with pytest.raises(InputError, match=r"water nodes not in the network: \['W9'\]"):
        City(buildings=buildings, networks=city.networks)


def test_city_folder_round_trip(tmp_path):
    city = map_city(toy_city())
    save_city(city, tmp_path / "c")
    again = load_city(tmp_path / "c")
    xr.testing.assert_identical(city.buildings, again.buildings)
    for name, graph in city.networks.items():
        assert nx.utils.graphs_equal(graph, again.networks[name])
        assert dict(graph.nodes(data=True)) == dict(again.networks[name].nodes(data=True))
    assert again.name == "toy"
    assert again.provenance == city.provenance


def test_unknown_city_folder():
    with pytest.raises(InputError, match="city folder 'no/such/place' does not exist"):
        load_city("no/such/place")


def test_a_network_file_with_a_repeated_node_id_is_refused(tmp_path):
    # networkx's reader would keep one of the two nodes silently (here: moved 5 km)
    import json
    folder = save_city(toy_city(), tmp_path / "toy")
    path = folder / "networks" / "road.json"
    data = json.loads(path.read_text())
    twin = dict(data["nodes"][0], x=data["nodes"][0]["x"] + 5000.0)
    data["nodes"].append(twin)
    path.write_text(json.dumps(data))
    with pytest.raises(InputError, match=rf"road.json'?: node id '{twin['id']}' appears more "
                                         r"than once \(1 repeated id\(s\)\)"):
        load_city(folder)
