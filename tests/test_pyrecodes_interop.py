"""pyrecodes' Example 3 read and run under its own assumptions (workbench.io.interop.pyrecodes).

The comparison with pyrecodes itself needs pyrecodes in a side environment
(``benchmarks/bench_pyrecodes.py``); these tests check the reader, pyrecodes' distribution rule
on cases worked by hand, and the engine's imported delays and usable shares.
"""

from __future__ import annotations

import json
import math
import random
import shutil
from dataclasses import replace

import numpy as np
import pytest
import xarray as xr

from workbench.city import toy_city
from workbench.core.errors import InputError
from workbench.core.paths import DATA_DIR
from workbench.io.interop.pyrecodes import (REPAIR, Activity, _toy_example, activity_schedule,
                                           example_damage, read_pyrecodes, shelter_curve)
from workbench.uncertainty.peer import simulate_example
from workbench.recovery import Constraints, simulate_recovery
from workbench.recovery.strategies import PEER_RULES, STRATEGY_RULES

EXAMPLE = DATA_DIR / "peers" / "pyrecodes_example3"


@pytest.fixture(scope="module")
def example():
    return read_pyrecodes(EXAMPLE)


def test_reads_the_example_as_pyrecodes_does(example):
    # 718 of the 1,001 buildings lie inside the locality's box; their Population is
    # pyrecodes' shelter demand (80,438 beds in its own runs)
    assert example.city.buildings.sizes["building"] == 718
    assert example.population.sum() == 80_438
    assert np.bincount(example.damage_state).tolist() == [341, 180, 129, 49, 19]
    assert example.pools["RepairCrew"] == 500 and example.pools["PlanCheckEngineeringTeam"] == 200
    assert example.consumable == frozenset({"Money"})
    assert example.usable_share == {0: 1.0, 1: 1.0, 2: 0.0, 3: 0.0, 4: 0.0}
    assert example.recovery_steps == ((0, 100, 1), (100, 1000, 10))
    ds3 = {a.name: a for a in example.library[3]}
    assert ds3["DetailedInspection"].median == 14 and ds3["DetailedInspection"].dispersion == 0.2
    assert ds3["DetailedInspection"].demand == (("SeniorEngineer", 2.0),)
    assert set(ds3[REPAIR].preceding) == set(ds3) - {REPAIR}
    # RandomPriority: random.seed(42) then random.shuffle of the component positions 1..n
    order = list(range(1, 719))
    rnd = random.Random(42)
    rnd.shuffle(order)
    assert example.priority[order[0] - 1] == 0 and example.priority[order[-1] - 1] == 717
    assert sorted(example.priority.tolist()) == list(range(718))


def test_a_short_pool_serves_in_priority_order_and_shares_the_remainder():
    # one engineer: the second building waits for the first's 2-day inspection
    assert activity_schedule(_toy_example({"Engineer": 1.0}),
                             np.random.default_rng(0))["ready_day"].tolist() == [3.0, 5.0]
    # 1.5 engineers: the second gets half a share while the first inspects (0.25/day for
    # two days), then a whole one: 0.5 + 0.5 on day 3 → ready on day 4
    assert activity_schedule(_toy_example({"Engineer": 1.5}),
                             np.random.default_rng(0))["ready_day"].tolist() == [3.0, 4.0]
    # enough engineers: both on day 3 (day 0 is the event; work starts on day 1)
    s = activity_schedule(_toy_example({"Engineer": 2.0}), np.random.default_rng(0))
    assert s["ready_day"].tolist() == [3.0, 3.0] and s["finish_Inspect"].tolist() == [2.0, 2.0]
    # the priority list decides who waits
    ex = replace(_toy_example({"Engineer": 1.0}), priority=np.array([1, 0]))
    assert activity_schedule(ex, np.random.default_rng(0))["ready_day"].tolist() == [5.0, 3.0]


def test_coarse_steps_apply_their_days_at_once_and_chain_inside():
    # pyrecodes' RecoveryTimeStepping: steps 2..4 daily, then every 10 steps; the listed step
    # 14 applies sub-steps 5..14. A 1-day activity and its 1-day successor that fall inside
    # both finish there (the successor at full rate), on day 13 (= step 14 − disaster step 1).
    base = _toy_example({"Engineer": 10.0})
    acts = (Activity("A", "Deterministic", 5.0, 0.0, (("Engineer", 1.0),)),
            Activity("B", "Deterministic", 1.0, 0.0, (("Engineer", 1.0),), ("A",)),
            Activity(REPAIR, "Deterministic", 1.0, 0.0, (), ("A", "B")))
    ex = replace(base, library={**base.library, 2: acts},
                 recovery_steps=((0, 4, 1), (4, 100, 10)))
    s = activity_schedule(ex, np.random.default_rng(0))
    # daily to step 4 (days 1..3: A at 3/5), step 14 (day 13) applies 10 days: A then B
    assert s["finish_A"].tolist() == [13.0, 13.0] and s["finish_B"].tolist() == [13.0, 13.0]
    assert s["ready_day"].tolist() == [14.0, 14.0]


def test_given_durations_replace_the_draws(example):
    ids = example.city.buildings["building"].values.astype(str)
    k = int(np.flatnonzero(example.damage_state == 2)[0])
    names = [a.name for a in example.library[2]]
    durations = {ids[k]: {n: 1.0 for n in names}}
    s = activity_schedule(example, np.random.default_rng(0), durations=durations)
    # RapidInspection → DetailedInspection → ArchAndEngDesign → Permitting/Mobilisation, one
    # day each from day 1 (if no pool is short for it)
    assert s.loc[ids[k], "ready_day"] == 5.0 and s.loc[ids[k], "repair_days"] == 1.0


def test_the_engine_takes_imported_delays_and_usable_shares():
    city = toy_city()
    ids = city.buildings["building"].values
    damage = xr.Dataset({
        "building_damage_state": ("building", [2, 2, 0, 0, 0, 0]),
        "building_repair_days": ("building", [2.0, 1.0, 0, 0, 0, 0]),
        "building_repair_cost": ("building", np.zeros(6)),
        "building_ready_day": ("building", [5.0, 0.0, 0, 0, 0, 0]),
        "building_usable_share": ("building", [0.0, 1.0, 1, 1, 1, 1])},
        coords={"building": ids})
    c = Constraints(crews=1, horizon_days=20, impeding_delays=True, commitment_days=math.inf)
    rec = simulate_recovery(city, None, damage, c, strategies=[PEER_RULES["random_priority"]])
    # building 0 may start on day 5 and needs two days; building 1 (ready at once) first
    assert rec["building_restored_day"].values[0, :2].tolist() == [7.0, 1.0]
    # residents: building 0's 30 are out until day 7; building 1's 60 never (usable share 1)
    displaced = rec["displaced"].values[0]
    assert displaced[:7].tolist() == [30.0] * 7 and displaced[7:].max() == 0.0
    # the Hazus shares without the override: a DS2 home is half usable
    rec = simulate_recovery(city, None, damage.drop_vars("building_usable_share"), c,
                            strategies=[PEER_RULES["random_priority"]])
    assert rec["displaced"].values[0, 0] == pytest.approx(0.5 * 30 + 0.5 * 60)
    bad = damage.assign(building_usable_share=("building", [1.5, 1, 1, 1, 1, 1]))
    with pytest.raises(InputError, match="building_usable_share"):
        simulate_recovery(city, None, bad, c)


def test_random_priority_is_a_peer_rule_not_a_parameter_file_strategy():
    assert "random_priority" not in STRATEGY_RULES
    rule = PEER_RULES["random_priority"]
    assert rule.fixed_plan and rule.random_order and not rule.limited_information


def test_the_example_runs_and_is_reproducible(example):
    out = simulate_example(example, realisations=2, seed=3, horizon=200)
    again = simulate_example(example, realisations=2, seed=3, horizon=200)
    assert out.identical(again)
    share = out["met_share"].values
    # day 0: every DS0/DS1 building keeps its residents (pyrecodes' 87.4 %), nothing else
    kept = example.population[example.damage_state <= 1].sum() / example.population.sum()
    assert share[:, 0] == pytest.approx([kept, kept]) and round(kept, 4) == 0.8736
    # nothing is restored before the DS2 chain (inspection, design, permits) can be done
    assert (share[:, 20] == share[:, 0]).all()
    assert (np.diff(share, axis=1) >= 0).all() and (share[:, -1] == 1.0).all()
    # the curve is the engine's: beds met = demand − the engine's displaced residents
    schedule = activity_schedule(example, np.random.default_rng([3, 0]), horizon=200)
    rec = simulate_recovery(example.city, None, example_damage(example, schedule),
                            Constraints(crews=500, horizon_days=200, impeding_delays=True,
                                        commitment_days=math.inf),
                            strategies=[PEER_RULES["random_priority"]], seed=3)
    engine = example.population.sum() - rec["displaced"].values[0]
    curve = shelter_curve(example, rec["building_restored_day"].values[0], 200)
    assert np.allclose(engine, curve) and np.allclose(curve, out["beds_met"].values[0])


def test_unknown_models_are_named(tmp_path):
    folder = tmp_path / "ex"
    shutil.copytree(EXAMPLE, folder)
    lib = folder / "NorthEast_SF_Housing_ComponentLibrary.json"
    data = json.loads(lib.read_text())
    data["DS2_Building"]["RecoveryModel"]["DamageFunctionalityRelation"]["Type"] = "Linear"
    lib.write_text(json.dumps(data))
    with pytest.raises(InputError, match="DS2_Building: DamageFunctionalityRelation 'Linear'"):
        read_pyrecodes(folder)
    with pytest.raises(InputError, match="pyrecodes main file"):
        read_pyrecodes(tmp_path / "nowhere")
