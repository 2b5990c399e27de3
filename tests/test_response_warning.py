"""Tests of workbench.response.warning: the share of people each channel reaches, given power.

The toy city: six buildings at x = 0…500 m, y = 10 m; residents b0 30, b1 60 (west); the power
network is the path P0 (substation, x = 0)–P1–P2–P3. The default device grid puts one siren and
one cell tower at (250, 10), fed by its nearest power node P2 (x = 300).
"""

import dataclasses

import numpy as np
import pytest

from workbench.city import toy_city
from workbench.core.errors import InputError
from workbench.city.mapping import map_city
from workbench.response.warning import CHANNELS, Channel, device_grid, warning_reach
from workbench.network.system import build_system

HOURS = [0.1, 0.25, 0.5, 1.0, 2.0, 6.0, 24.0]


@pytest.fixture(scope="module")
def toy():
    city = map_city(toy_city())
    return city, build_system(city)


def _closed_form(c: Channel, hours, until=np.inf):
    h = np.asarray(hours, float)
    powered = 1 - np.exp(-np.minimum(h, until) / c.time_constant_hours)
    always = 1 - np.exp(-h / c.time_constant_hours)
    return c.uptake * ((1 - c.unpowered_share) * powered + c.unpowered_share * always)


def test_intact_power_every_channel_reaches_its_uptake(toy):
    city, system = toy
    r = warning_reach(city, system, np.ones(system.n_components, bool), hours=HOURS)
    for name, c in CHANNELS.items():
        np.testing.assert_allclose(r["reach"].sel(channel=name), _closed_form(c, HOURS))
    assert (r["devices_powered"] == 1).all()


def test_without_power_devices_run_on_batteries_and_reach_stops_growing(toy):
    city, system = toy
    state = np.ones(system.n_components, bool)
    state[system.index_of("power:P0")] = False            # the substation: no power anywhere
    r = warning_reach(city, system, state, hours=HOURS)
    for name, c in CHANNELS.items():
        np.testing.assert_allclose(r["reach"].sel(channel=name),
                                   _closed_form(c, HOURS, until=c.battery_hours), atol=1e-12)
    siren = r["reach"].sel(channel="siren")
    assert float(siren.sel(hour=24)) == pytest.approx(float(siren.sel(hour=0.5)))
    radio = r["reach"].sel(channel="radio_tv")            # only battery radios are left
    c = CHANNELS["radio_tv"]
    assert float(radio.sel(hour=24)) == pytest.approx(
        c.uptake * c.unpowered_share * (1 - np.exp(-24 / c.time_constant_hours)))
    assert (r["devices_powered"].sel(channel=["siren", "cell_broadcast"]) == 0).all()


def test_reach_accumulates_and_channels_combine(toy):
    city, system = toy
    state = np.ones(system.n_components, bool)
    state[system.index_of("power:P1--P2")] = False        # P2, P3 dark: the device's node too
    r = warning_reach(city, system, state, hours=HOURS)
    assert (r["reach"].diff("hour") >= -1e-15).all()
    assert (r["reach_any"] >= r["reach"].max("channel") - 1e-15).all()
    assert (r["reach_any"] <= 1).all()
    assert (r["reach_any"].diff("hour") >= -1e-15).all()
    # buildings served by P1 keep their television; those on P2, P3 do not
    assert float(r["reach"].sel(channel="radio_tv", hour=24)) < CHANNELS["radio_tv"].uptake


def test_districts_average_to_the_city(toy):
    city, system = toy
    state = np.ones(system.n_components, bool)
    state[system.index_of("power:P1--P2")] = False
    r = warning_reach(city, system, state, hours=HOURS)
    # only the west has residents (b0, b1): the city is its west district
    np.testing.assert_allclose(r["reach_by_district"].sel(district="west"), r["reach"])
    assert (r["reach_by_district"].sel(district="east") == 0).all()


def test_devices_out_of_range_reach_nobody(toy):
    city, system = toy
    r = warning_reach(city, system, np.ones(system.n_components, bool), hours=[1.0],
                      devices={"siren": ([5000.0], [5000.0])})
    assert float(r["reach"].sel(channel="siren", hour=1.0)) == 0.0
    assert "siren" not in r.attrs["devices_default"]


def test_longer_batteries_never_reach_fewer(toy):
    city, system = toy
    state = np.ones(system.n_components, bool)
    state[system.index_of("power:P0")] = False
    short = warning_reach(city, system, state, hours=HOURS)
    longer = {k: dataclasses.replace(c, battery_hours=c.battery_hours + 4)
              for k, c in CHANNELS.items()}
    long_ = warning_reach(city, system, state, hours=HOURS, channels=longer)
    assert (long_["reach"] >= short["reach"] - 1e-15).all()


def test_demo_after_the_earthquake(demo_quake):
    city, system, damage = demo_quake.city, demo_quake.system, demo_quake.damage
    after = warning_reach(city, system, damage["component_functional"])
    before = warning_reach(city, system, np.ones(system.n_components, bool))
    assert ((after["reach"] >= 0) & (after["reach"] <= 1)).all()
    assert (after["reach"] <= before["reach"] + 1e-12).all()
    assert float(after["reach_any"].sel(hour=24)) < float(before["reach_any"].sel(hour=24))


def test_device_grid_covers_the_extent():
    x, y = device_grid(toy_city().buildings, 100.0)
    assert len(x) == 5 and x.min() > 0 and x.max() < 500 and (y == 10).all()


def test_bad_settings_name_the_field(toy):
    city, system = toy
    with pytest.raises(InputError, match="uptake must be a share"):
        Channel("device", 100.0, 100.0, 1.0, 1.5, 0.1)
    with pytest.raises(InputError, match="battery_hours must be a number ≥ 0"):
        Channel("device", 100.0, 100.0, -1.0, 0.5, 0.1)
    with pytest.raises(InputError, match="devices for unknown channels"):
        warning_reach(city, system, np.ones(system.n_components, bool),
                      devices={"pager": ([0.0], [0.0])})
    with pytest.raises(InputError, match="hours must be"):
        warning_reach(city, system, np.ones(system.n_components, bool), hours=[-1])


def test_a_building_takes_the_best_device_in_range(toy):
    city, system = toy
    state = np.ones(system.n_components, bool)
    state[system.index_of("power:P1--P2")] = False        # P2, P3 dark; P0, P1 served
    c = CHANNELS["siren"]
    # two sirens: one at x = 0 (fed by P0, powered), one at x = 500 (fed by P3, on battery);
    # coverage 150 m: b0, b1 hear the first, b4, b5 only the second, b2, b3 none
    devices = {"siren": ([0.0, 500.0], [10.0, 10.0])}
    short = {"siren": dataclasses.replace(c, coverage_m=150.0)}
    people = np.ones(6)
    r = warning_reach(city, system, state, channels=short, devices=devices, people=people,
                      hours=[0.25, 24.0])
    full = c.uptake * (1 - np.exp(-24 / c.time_constant_hours))
    battery = c.uptake * (1 - np.exp(-c.battery_hours / c.time_constant_hours))
    assert float(r["reach"].sel(channel="siren", hour=24.0)) == pytest.approx(
        (2 * full + 2 * battery) / 6)
    assert r["devices_powered"].item() == 0.5
