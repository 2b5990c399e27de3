"""Hazard events in sequence (workbench.recovery.sequence, parameter ``events``): damage
accumulates on what is still unrepaired, the recovery re-plans, the phases stitch into one run;
an earthquake followed by a flood on day 30 costs more than either alone and less than the sum
where both hit the same buildings."""

from __future__ import annotations

import warnings

import numpy as np
import pytest
import xarray as xr

from workbench.city import toy_city
from workbench.core.errors import ParameterError
from workbench.metrics.indexes import summary_indexes
from workbench.recovery import Constraints, simulate_recovery
from workbench.recovery.sequence import combine_damage, join_events, split_events


def _toy_damage(city, states, days, costs, replacement=1e6):
    ids = city.buildings["building"].values
    return xr.Dataset({"building_damage_state": ("building", np.array(states, dtype=np.int8)),
                       "building_repair_days": ("building", np.array(days, dtype=float)),
                       "building_repair_cost": ("building", np.array(costs, dtype=float)),
                       "building_replacement_cost": ("building", np.full(len(ids), replacement))},
                      coords={"building": ids})


def test_join_and_split_give_back_each_event():
    city = toy_city()
    first = _toy_damage(city, [2, 0, 0, 0, 0, 0], [5, 0, 0, 0, 0, 0], [1e5, 0, 0, 0, 0, 0])
    second = _toy_damage(city, [0, 3, 0, 0, 0, 0], [0, 9, 0, 0, 0, 0], [0, 2e5, 0, 0, 0, 0])
    back, later = split_events(join_events(first, [(12, second)]))
    xr.testing.assert_identical(back.drop_attrs(), first.drop_attrs())
    assert later[0][0] == 12
    xr.testing.assert_equal(later[0][1], second)


def test_a_repaired_building_takes_the_new_damage_in_full_an_unrepaired_one_less():
    city = toy_city()
    first = _toy_damage(city, [3, 3, 0, 0, 0, 0], [4, 40, 0, 0, 0, 0],
                        [2e5, 2e5, 0, 0, 0, 0])
    second = _toy_damage(city, [2, 2, 0, 0, 0, 0], [10, 10, 0, 0, 0, 0],
                         [1e5, 1e5, 0, 0, 0, 0])
    progress = xr.Dataset({"building_restored_day": ("building", [4.0] + [np.inf] * 5),
                           "building_work_done": ("building", [4.0, 10.0, 0, 0, 0, 0]),
                           "building_available_day": ("building", [0.0, 3.0, 0, 0, 0, 0])},
                          coords={"building": city.buildings["building"].values,
                                  "time": np.arange(21)})
    c = combine_damage(first, progress, second)
    cost = c["building_repair_cost"].values
    # b0 repaired by day 20: the new damage in full; b1 three quarters unrepaired (0.15 of its
    # value broken): 0.75 × 2e5 left + 0.85 × 1e5 new
    assert cost[0] == pytest.approx(1e5)
    assert cost[1] == pytest.approx(0.75 * 2e5 + 0.85 * 1e5)
    assert c["building_repair_days"].values[1] == pytest.approx(0.75 * 40 + 0.85 * 10)
    assert c["building_damage_state"].values[:2].tolist() == [2, 3]
    # the delay b1 already served (ready by day 3 < 20) is not drawn again; b0 and b1, hit
    # again, wait anew (NaN: REDi's draw)
    ready = c["building_ready_day"].values
    assert np.isnan(ready[0]) and np.isnan(ready[1]) and ready[2] == 0.0


def test_the_phases_stitch_into_one_run_and_a_later_event_that_breaks_nothing_costs_nothing():
    city = toy_city()
    first = _toy_damage(city, [4, 3, 2, 0, 0, 0], [30, 20, 5, 0, 0, 0], [3e5, 2e5, 5e4, 0, 0, 0])
    nothing = _toy_damage(city, [0] * 6, [0] * 6, [0] * 6)
    limits = Constraints(crews=1, horizon_days=120)
    alone = simulate_recovery(city, None, first, limits, strategies=["flexible"])
    both = simulate_recovery(city, None, join_events(first, [(10, nothing)]), limits,
                             strategies=["flexible"])
    assert both.sizes["time"] == alone.sizes["time"] == 121
    np.testing.assert_allclose(both["ep"].values[0, :11], alone["ep"].values[0, :11])
    np.testing.assert_allclose(both["building_restored_day"].values,
                               alone["building_restored_day"].values)
    a, b = (summary_indexes(r, city, first)["flexible"] for r in (alone, both))
    assert b["economic_loss"] == pytest.approx(a["economic_loss"], rel=1e-9)
    assert b["repair_cost"] == a["repair_cost"]


def test_an_event_after_the_repairs_counts_in_full():
    city = toy_city()
    first = _toy_damage(city, [2, 0, 0, 0, 0, 0], [3, 0, 0, 0, 0, 0], [1e5, 0, 0, 0, 0, 0])
    limits = Constraints(crews=2, horizon_days=60)
    rec = simulate_recovery(city, None, join_events(first, [(20, first)]), limits,
                            strategies=["semiflexible"])
    s = summary_indexes(rec, city, first)["semiflexible"]
    assert s["repair_cost"] == pytest.approx(2e5)
    assert rec["building_restored_day"].values[0, 0] == pytest.approx(23.0)


@pytest.fixture(scope="module")
def demo_events():
    from workbench.run.params import validate_params
    from workbench.run.pipeline.stages import damage_stage, map_stage, mitigated
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        quake = validate_params({})
        flood = validate_params({"hazard": {"kind": "flood", "water_level_m": 2.5}})
        city = map_stage(quake)
        _, system, limits, shelters = mitigated(quake, city)
        d_eq = damage_stage(quake, city, system).isel(realization=0)
        d_fl = damage_stage(flood, city, system).isel(realization=0)
    return city, system, limits, shelters, d_eq, d_fl


def test_an_earthquake_then_a_flood_costs_more_than_either_and_less_than_both(demo_events):
    city, system, limits, shelters, d_eq, d_fl = demo_events
    both_hit = int(((d_eq["building_damage_state"] > 0)
                    & (d_fl["building_damage_state"] > 0)).sum())
    assert both_hit > 0
    out = {}
    for name, damage in (("quake", d_eq), ("flood", d_fl),
                         ("sequence", join_events(d_eq, [(30, d_fl)]))):
        rec = simulate_recovery(city, system, damage, limits, shelters=shelters, seed=42)
        out[name] = summary_indexes(rec, city, damage)
    for strategy in out["quake"]:
        q, f, s = (out[k][strategy] for k in ("quake", "flood", "sequence"))
        assert max(q["repair_cost"], f["repair_cost"]) < s["repair_cost"]
        assert s["repair_cost"] < q["repair_cost"] + f["repair_cost"]
        assert s["economic_loss"] > max(q["economic_loss"], f["economic_loss"])


def test_events_parameters_are_checked():
    from workbench.run.params import validate_params
    with pytest.raises(ParameterError, match=r"events\[1\]\.day must be a whole day after the "
                                             r"previous event's \(30\)"):
        validate_params({"events": [{"day": 30, "hazard": {"magnitude": 5.0}},
                                    {"day": 20, "hazard": {"magnitude": 5.0}}]})
    with pytest.raises(ParameterError, match=r"events\[0\]\.hazard: hazard\.water_level_m is 2\.0"):
        validate_params({"events": [{"day": 3, "hazard": {"water_level_m": 2.0}}]})
    with pytest.raises(ParameterError, match=r"events needs damage sampled"):
        validate_params({"events": [{"day": 3, "hazard": {}}],
                         "damage": {"source": "d.csv"}})


def test_a_run_with_events_samples_each_and_names_them(tmp_path):
    import json
    from workbench.run.params import validate_params
    from workbench.run.pipeline import simulate
    from workbench.run.pipeline.table import STAGES
    from workbench.show.report.text import scenario_sentence
    params = validate_params({"name": "seq", "realizations": 2, "horizon_days": 400,
                              "events": [{"day": 30, "hazard": {"kind": "flood",
                                                                "water_level_m": 2.5}}]})
    run = simulate(params, tmp_path / "seq")
    damage = xr.open_dataset(run / "damage.nc")
    assert damage.sizes["event"] == 1 and damage["event_day"].values.tolist() == [30]
    assert "event_building_inundation_depth" in damage
    summary = json.loads((run / "summary.json").read_text())
    first = [s for s in summary["strategies"].values()]
    assert all(s["repair_cost"] > 0 for s in first)
    sentence = scenario_sentence(params, "helsinki-demo")
    assert "magnitude 5.5" in sentence and "then, on day 30, a hypothetical flood" in sentence
    for stage in ("uncertainty", "mitigation", "response"):
        assert "events in sequence" in STAGES[stage].skip(params)
    again = simulate(params, tmp_path / "again")
    assert json.loads((again / "summary.json").read_text())["strategies"] == \
        summary["strategies"]
