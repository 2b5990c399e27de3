"""Displaced person-days: the third index, a count of residents away from home (METHOD §4)."""

import numpy as np
import pytest
import xarray as xr

import workbench as wb
from workbench.metrics.indexes import displaced_person_days
from workbench.network.system import build_system
from workbench.recovery import Constraints, simulate_recovery
from workbench.show.report import indexes_table


@pytest.fixture(scope="module")
def demo():
    city = wb.demo_city()
    system = build_system(city)
    damage = wb.sample_damage(city, system, wb.Earthquake(6.0, float(city.buildings["x"].mean()),
                                                          float(city.buildings["y"].mean())),
                              seed=3).isel(realization=0)
    return city, system, damage


def _run(demo, damage=None, horizon=200):
    city, system, d = demo
    return simulate_recovery(city, system, d if damage is None else damage,
                             Constraints(crews={"building": 30, "water": 4, "power": 4,
                                                "road": 2}, horizon_days=horizon),
                             strategies=("semiflexible",), seed=1)


def test_the_index_integrates_the_residents_away_from_home(demo):
    rec = _run(demo)
    s = wb.summary_indexes(rec, demo[0], demo[2])["semiflexible"]
    by_hand = float(rec["displaced"].sel(strategy="semiflexible").values[:-1].sum())
    assert s["displaced_person_days"] == pytest.approx(by_hand)
    assert 0 <= s["sheltered_person_days"] <= s["displaced_person_days"]
    assert s["displaced_person_days"] > 0
    table = indexes_table({"strategies": {"semiflexible": s},
                           "units": {"displaced_person_days": "person-days"}})
    assert "Displaced person-days (residents away from home)" in table.index


def test_slower_repairs_displace_more_person_days_at_a_fixed_shelter_stock(demo):
    base = wb.summary_indexes(_run(demo), demo[0], demo[2])["semiflexible"]
    slow_damage = demo[2].assign(building_repair_days=demo[2]["building_repair_days"] * 2)
    slow = wb.summary_indexes(_run(demo, slow_damage), demo[0], slow_damage)["semiflexible"]
    assert slow["displaced_person_days"] > base["displaced_person_days"]


def test_a_recovery_without_displacement_curves_counts_zero():
    rec = xr.Dataset({"ep": (("strategy", "time"), np.ones((1, 3)))},
                     coords={"strategy": ["rigid"], "time": [0, 1, 2]})
    assert float(displaced_person_days(rec).sum()) == 0.0
