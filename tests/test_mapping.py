"""The service map on a toy city with known answers."""

import numpy as np
import pytest

from workbench.city import toy_city
from workbench.core.errors import InputError
from workbench.city.mapping import UnmappedBuildingsWarning, buildings_by_type, map_buildings, map_city
from workbench.network.system import service_table


def test_nearest_nodes_known_answer():
    # buildings at x = 0..500 (y = 10); nodes at x = 0 (source, not serving), 150, 300, 450
    mapped = map_city(toy_city())
    assert mapped.buildings["water_node"].values.tolist() == ["W1", "W1", "W1", "W2", "W3", "W3"]
    # power's source is a substation, which does serve buildings nearby
    assert mapped.buildings["power_node"].values.tolist() == ["P0", "P1", "P1", "P2", "P3", "P3"]
    np.testing.assert_allclose(mapped.buildings["water_distance"].values[3],
                               np.hypot(300 - 300, 10.0))


def test_unmapped_buildings_warn_with_count():
    city = toy_city()
    with pytest.warns(UnmappedBuildingsWarning, match="1 of 6 buildings have no water node within 60 m"):
        mapped = map_buildings(city.buildings, {"water": city.networks["water"]}, max_distance=60)
    assert (mapped["water_node"].values == "").sum() == 1
    assert np.isinf(mapped["water_distance"].values).sum() == 1


def test_bad_max_distance():
    city = toy_city()
    with pytest.raises(InputError, match="max_distance must be a positive number"):
        map_buildings(city.buildings, city.networks, max_distance=-1)


def test_tables():
    city = map_city(toy_city())
    table = buildings_by_type(city.buildings)
    assert table.loc["all", "buildings"] == 6
    assert table.loc["all", "floor_area_m2"] == 14000.0
    service = service_table(city)
    assert service["buildings_unmapped"].sum() == 0
    assert (service["share_served"] == 1.0).all()
