"""Tests of workbench.metrics.indexes: integrals, limits, recovery time, 72 h value, summary."""

import json
import math

import numpy as np
import pandas as pd
import pytest
import xarray as xr

from workbench.city import City, buildings_from_frame, toy_city
from workbench.core.errors import InputError
from workbench.metrics.indexes import (SUMMARY_KEYS, economic_loss, ep_loss, functionality_at,
                               recovery_time, repair_cost, service_loss,
                               summary_indexes)
from workbench.recovery import Constraints, simulate_recovery


def one_home_city(occupancy=1.0):
    frame = pd.DataFrame({"id": ["h0"], "type": ["residential"], "floor_area": [100.0],
                          "stories": [1], "year_built": [1980], "structural_class": ["W1"],
                          "x": [0.0], "y": [0.0], "occupancy": [occupancy]})
    return City(buildings=buildings_from_frame(frame))


def home_damage(city, ds, days, cost=5000.0):
    return xr.Dataset({"building_damage_state": ("building", [ds]),
                       "building_repair_days": ("building", [float(days)]),
                       "building_repair_cost": ("building", [cost if days else 0.0])},
                      coords={"building": city.buildings["building"].values})


def curve(values, **attrs):
    return xr.Dataset({"ep": ("time", np.asarray(values, float))},
                      coords={"time": np.arange(len(values))}, attrs={"ep0": 10.0, **attrs})


def test_left_rectangle_is_exact_for_daily_steps_and_trapezoid_differs():
    rec = curve([0.0, 0.0, 5.0, 10.0, 10.0])
    # EP0 − EP = 10, 10, 5, 0 over days 0..3
    assert float(ep_loss(rec)) == 25.0
    assert float(ep_loss(rec, rule="trapezoid")) == 10 + 7.5 + 2.5 + 0
    with pytest.raises(InputError, match=r"rule must be one of \['left', 'trapezoid'\]"):
        ep_loss(rec, rule="simpson")


def test_intact_city_has_zero_service_loss_and_one_person_costs_one_person_day_per_day():
    city = one_home_city(1.0)
    intact = simulate_recovery(city, None, home_damage(city, 0, 0), Constraints(horizon_days=5))
    assert (service_loss(intact) == 0).all() and (ep_loss(intact) == 0).all()
    # one resident, home collapsed for 6 days, no shelter: 6 person-days
    rec = simulate_recovery(city, None, home_damage(city, 4, 6), Constraints(horizon_days=10))
    np.testing.assert_allclose(service_loss(rec).values, 6.0)
    # 40 residents: 40 × 6
    city40 = one_home_city(40.0)
    rec = simulate_recovery(city40, None, home_damage(city40, 4, 6), Constraints(horizon_days=10))
    np.testing.assert_allclose(service_loss(rec).values, 240.0)


def test_economic_loss_is_ep_loss_plus_repair_cost():
    city = one_home_city()
    dmg = home_damage(city, 3, 4, cost=7000.0)
    rec = simulate_recovery(city, None, dmg, Constraints(horizon_days=10))
    assert repair_cost(dmg) == 7000.0 == rec.attrs["repair_cost"]
    np.testing.assert_allclose(economic_loss(rec, 7000.0).values, ep_loss(rec).values + 7000.0)
    np.testing.assert_allclose(economic_loss(rec).values, economic_loss(rec, 7000.0).values)
    with pytest.raises(InputError, match="repair_cost must be finite and ≥ 0 EUR, got nan"):
        economic_loss(rec, float("nan"))


def test_recovery_time_is_the_time_from_which_the_curve_stays_up():
    f = xr.DataArray([[0.5, 0.96, 0.9, 0.97, 1.0], [0.1, 0.2, 0.3, 0.4, 0.5]],
                     dims=("strategy", "time"), coords={"time": np.arange(5)})
    np.testing.assert_array_equal(recovery_time(f, 0.95).values, [3.0, math.inf])
    np.testing.assert_array_equal(recovery_time(f, 0.9).values, [1.0, math.inf])
    np.testing.assert_array_equal(recovery_time(f, 1.0).values, [4.0, math.inf])
    assert recovery_time(f).dims == ("strategy",)
    with pytest.raises(InputError, match=r"threshold must be in \(0, 1\]"):
        recovery_time(f, 95)


def test_functionality_at_72_hours_is_day_three():
    f = xr.DataArray([0.1, 0.2, 0.3, 0.4, 0.5], dims="time", coords={"time": np.arange(5)})
    assert float(functionality_at(f)) == 0.4
    assert float(functionality_at(f, hours=71.9)) == 0.3
    with pytest.raises(InputError, match="beyond the curve's last time"):
        functionality_at(f, hours=24 * 10)


def test_summary_has_exactly_the_keys_and_is_json_safe():
    city = toy_city()
    dmg = xr.Dataset({"building_damage_state": ("building", [4, 2, 0, 3, 0, 1]),
                      "building_repair_days": ("building", [30.0, 5, 0, 20, 0, 2]),
                      "building_repair_cost": ("building", [9e4, 1e4, 0, 5e4, 0, 1e3])},
                     coords={"building": city.buildings["building"].values})
    rec = simulate_recovery(city, None, dmg, Constraints(crews=1, horizon_days=20))
    summary = summary_indexes(rec, city, dmg)
    assert list(summary) == ["rigid", "semiflexible", "flexible"]
    required = {"economic_loss", "ep_loss", "repair_cost", "service_loss_person_days",
                "economic_loss_per_m2", "service_loss_per_m2", "recovery_days_95",
                "functionality_72h"}
    for row in summary.values():
        assert tuple(row) == SUMMARY_KEYS and required <= set(row)
        # 57 crew-days with one crew do not fit in 20 days: not recovered, said so explicitly
        assert row["recovery_days_100"] is None and row["recovered_100"] is False
        assert row["economic_loss"] == pytest.approx(row["ep_loss"] + row["repair_cost"])
        assert row["economic_loss_per_m2"] == pytest.approx(row["economic_loss"] / 14_000.0)
        assert row["repair_cost"] == 151_000.0
    json.dumps(summary, allow_nan=False)


def test_summary_of_an_intact_city():
    city = toy_city()
    dmg = xr.Dataset({"building_damage_state": ("building", [0] * 6),
                      "building_repair_days": ("building", [0.0] * 6),
                      "building_repair_cost": ("building", [0.0] * 6)},
                     coords={"building": city.buildings["building"].values})
    rec = simulate_recovery(city, None, dmg, Constraints(horizon_days=5))
    for row in summary_indexes(rec, city, dmg).values():
        assert row["economic_loss"] == 0 and row["service_loss_person_days"] == 0
        assert row["recovery_days_95"] == 0.0 and row["recovered_95"] is True
        assert row["functionality_72h"] == 1.0


def test_a_horizon_before_full_recovery_says_what_is_left_and_what_still_accrues():
    # one home of 4 residents needing 30 crew-days, simulated for 10 days only
    from workbench.functionality import EP_UNIT
    city = one_home_city(occupancy=4.0)
    rec = simulate_recovery(city, None, home_damage(city, 4, 30),
                            Constraints(crews=1, horizon_days=10), strategies=["rigid"])
    s = summary_indexes(rec, city)["rigid"]
    assert not s["recovered_100"] and s["recovery_days_100"] is None
    assert s["unrestored_buildings"] == 1 and s["unrestored_floor_area_m2"] == 100.0
    assert s["displaced_at_horizon"] == 4.0
    assert s["ep_loss_per_day_at_horizon"] == pytest.approx(100.0 * EP_UNIT["residential"])
    assert s["service_loss_per_day_at_horizon"] == 4.0   # 4 residents unhoused, unserved
    # the integrals stop at the horizon: 10 days of the same rates
    assert s["service_loss_person_days"] == pytest.approx(10 * 4.0)
    assert s["ep_loss"] == pytest.approx(10 * s["ep_loss_per_day_at_horizon"])
    # a long enough horizon leaves nothing open
    rec = simulate_recovery(city, None, home_damage(city, 4, 30),
                            Constraints(crews=1, horizon_days=40), strategies=["rigid"])
    s = summary_indexes(rec, city)["rigid"]
    assert s["unrestored_buildings"] == 0 and s["service_loss_per_day_at_horizon"] == 0.0


def test_recovery_goals_are_the_days_each_index_stays_back_above_90_and_95_percent():
    # issue [validation] item 4: per index (EP, SC) and strategy, the first day from which the
    # index's functionality stays at or above 90 % and 95 % (a dip after a crossing resets it)
    from workbench.city import toy_city
    city = toy_city()
    days = np.arange(6.0)
    ep = np.array([0.5, 0.92, 0.96, 0.94, 0.97, 1.0])
    sc = np.array([0.2, 0.5, 0.91, 0.96, 0.99, 1.0])
    n = city.buildings.sizes["building"]
    rec = xr.Dataset(
        {"ep_functionality": (("strategy", "time"), [ep]), "sc_functionality": (("strategy", "time"), [sc]),
         "ep": (("strategy", "time"), [ep * 100.0]), "sc": (("strategy", "time"), [sc * 10.0]),
         "demand": (("strategy", "time"), [np.full(6, 10.0)]),
         "building_restored_day": (("strategy", "building"), [np.zeros(n)])},
        coords={"strategy": ["rigid"], "time": days}, attrs={"ep0": 100.0, "repair_cost": 0.0})
    row = summary_indexes(rec, city)["rigid"]
    assert (row["ep_recovery_days_90"], row["ep_recovery_days_95"]) == (1.0, 4.0)
    assert (row["sc_recovery_days_90"], row["sc_recovery_days_95"]) == (2.0, 3.0)
    rec["sc_functionality"][:] = 0.5   # never back within the horizon: null, not a number
    assert summary_indexes(rec, city)["rigid"]["sc_recovery_days_90"] is None
