"""Reserve (pre-positioned) crews: extra crews from day 0 until ``reserve_days`` (issue
[mitigation], option kind ``reserve_crews``)."""

import pytest
import xarray as xr

from workbench.city import toy_city
from workbench.core.errors import InputError
from workbench.recovery import Constraints, simulate_recovery


def _two_homes(days=4.0):
    city = toy_city()
    damage = xr.Dataset({
        "building_damage_state": ("building", [4, 4, 0, 0, 0, 0]),
        "building_repair_days": ("building", [days, days, 0, 0, 0, 0]),
        "building_repair_cost": ("building", [1e5, 1e5, 0, 0, 0, 0])},
        coords={"building": city.buildings["building"].values})
    return city, damage


def _days(rec, strategy="flexible"):
    return sorted(rec["building_restored_day"].sel(strategy=strategy).values[:2].tolist())


def test_a_reserve_crew_works_until_it_leaves_and_its_work_is_kept():
    city, damage = _two_homes()
    base = dict(crews=1, commitment_days=0, horizon_days=20)
    alone = simulate_recovery(city, None, damage, Constraints(**base))
    assert _days(alone) == [4.0, 8.0]
    # a second crew for two days does half of the second home; the first crew ends it
    helped, log = simulate_recovery(city, None, damage,
                                    Constraints(**base, reserve_crews=1, reserve_days=2),
                                    return_assignments=True)
    assert _days(helped) == [4.0, 6.0]
    reserve = log[(log["strategy"] == "flexible") & (log["crew"] == 1)]
    assert reserve["end_day"].max() == 2.0 and not reserve["completed"].any()
    # a reserve that outlasts the recovery is the same as a larger pool
    long = simulate_recovery(city, None, damage,
                             Constraints(**base, reserve_crews=1, reserve_days=100))
    two = simulate_recovery(city, None, damage, Constraints(**{**base, "crews": 2}))
    assert _days(long) == _days(two) == [4.0, 4.0]


def test_no_reserve_and_reserve_days_0_give_the_same_recovery():
    city, damage = _two_homes()
    a = simulate_recovery(city, None, damage, Constraints(crews=1, horizon_days=20))
    b = simulate_recovery(city, None, damage, Constraints(crews=1, horizon_days=20,
                                                          reserve_crews=5, reserve_days=0))
    assert a["building_restored_day"].equals(b["building_restored_day"])
    assert a["ep"].equals(b["ep"])


def test_reserve_by_trade_goes_to_its_pool():
    c = Constraints(crews={"building": 2, "water": 1}, reserve_crews={"water": 3},
                    reserve_days=10)
    assert c.reserve_pools == (0, 3, 0, 0)
    assert Constraints(crews=2, reserve_crews={"water": 3, "road": 1},
                       reserve_days=5).reserve_pools == (4,)
    assert Constraints(crews={"building": 2}, reserve_crews=4, reserve_days=5).reserve_pools \
        == (4, 0, 0, 0)


@pytest.mark.parametrize("kw, match", [({"reserve_crews": -1, "reserve_days": 5}, "reserve_crews"),
                                       ({"reserve_crews": {"cats": 1}}, "unknown trade"),
                                       ({"reserve_days": -2}, "reserve_days"),
                                       ({"reserve_days": float("nan")}, "reserve_days")])
def test_bad_reserves_are_named(kw, match):
    with pytest.raises(InputError, match=match):
        Constraints(crews=1, **kw)
