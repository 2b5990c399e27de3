"""The strategies differ for the reasons of Zhou et al. (2025) (METHOD §5): information, impeding
delays, switching cost.

Analytic cases on small cities, the registry, the ideal-world equality of semiflexible and
flexible, and the exact day planner against the greedy one.
"""

import math

import numpy as np
import pytest

from workbench.core.errors import InputError
from workbench.metrics.indexes import ep_loss, service_loss
from workbench.recovery import (STRATEGY_RULES, Constraints, simulate_recovery, strategy_rule)
from workbench.recovery._scheduling import _exact_buildings
from workbench.recovery.impeding import building_delays, impeding_table
from workbench.city.synthetic import grid_city
from workbench.network.system import build_system

from test_recovery import building_damage, plain_city, random_damage

STRATS = ("rigid", "semiflexible", "flexible")


@pytest.fixture(scope="module")
def grid():
    city = grid_city(120, 150, seed=2)
    return city, build_system(city)


def test_every_strategy_is_one_registered_rule_and_unknown_names_fail():
    assert tuple(STRATEGY_RULES) == STRATS
    flexible = strategy_rule("flexible")
    assert not (flexible.limited_information or flexible.impeding_delays
                or flexible.mobilisation) and flexible.commitment == "none"
    assert strategy_rule("rigid").fixed_plan and strategy_rule("rigid").commitment == "completion"
    city = plain_city(2)
    with pytest.raises(InputError, match=r"unknown strategy \['greedy'\]"):
        simulate_recovery(city, None, building_damage(city, [1, 0], [1, 0]), Constraints(),
                          strategies=["greedy"])


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_ideal_world_semiflexible_at_commitment_zero_equals_flexible_exactly(grid, seed):
    city, system = grid
    c = Constraints(crews={"building": 4, "water": 1, "power": 1, "road": 1}, commitment_days=0,
                    horizon_days=120, inspections_per_day=math.inf, impeding_delays=False,
                    mobilisation_days=0.0)
    rec = simulate_recovery(city, system, random_damage(city, system, seed), c, seed=seed)
    semi, flex = rec.sel(strategy="semiflexible"), rec.sel(strategy="flexible")
    for name in ("building_restored_day", "component_restored_day", "ep", "sc"):
        np.testing.assert_array_equal(semi[name].values, flex[name].values)


def with_probabilities(dmg, prob):
    """A damage Dataset with the planners' expectation (P(DS = k) and expected effort)."""
    prob = np.asarray(prob, dtype=float)
    return dmg.assign({"building_damage_probability": (("building", "damage_state"), prob),
                       "building_expected_repair_days": ("building", prob @ [0, 2, 8, 20, 40.0])}
                      ).assign_coords(damage_state=np.arange(5))


def test_no_repair_starts_before_its_building_is_inspected():
    # 6 collapsed homes of 2 crew-days, 6 crews, 2 inspections a day: homes come in pairs
    city = plain_city(6)
    dmg = with_probabilities(building_damage(city, [4] * 6, [2] * 6), [[0, 0, 0, 0, 1.0]] * 6)
    c = Constraints(crews=6, horizon_days=30, inspections_per_day=2)
    rec = simulate_recovery(city, None, dmg, c)
    for s in ("rigid", "semiflexible"):
        days = np.sort(rec["building_restored_day"].sel(strategy=s).values)
        np.testing.assert_array_equal(days, [3, 3, 4, 4, 5, 5])   # inspected day 1, 1, 2, 2, …
    # the flexible bound knows the damage at once
    np.testing.assert_array_equal(rec["building_restored_day"].sel(strategy="flexible"), 2)


def test_planners_inspect_where_they_expect_most_damage_first():
    # two homes; the fragilities expect the first to be intact, the second destroyed; in truth
    # both collapse: the second is inspected (and repaired) first
    city = plain_city(2)
    dmg = with_probabilities(building_damage(city, [4, 4], [2, 2]),
                             [[0.9, 0.1, 0, 0, 0], [0, 0, 0, 0, 1.0]])
    rec = simulate_recovery(city, None, dmg, Constraints(crews=2, horizon_days=20,
                                                         inspections_per_day=1),
                            strategies=["semiflexible"])
    assert rec["building_restored_day"].values.tolist() == [[4.0, 3.0]]


def test_impeding_delays_follow_redi_and_hold_back_all_but_flexible():
    table = impeding_table()
    assert {"inspection", "financing", "engineering_mobilisation", "permit"} <= set(table["factor"])
    assert table["source"].str.contains("REDi").all()
    rng = np.random.default_rng(0)
    d = building_delays(np.repeat([1, 2, 3, 4], 2000), rng).reshape(4, 2000)
    medians = np.median(d, axis=1)
    assert medians[0] == pytest.approx(1.0, rel=0.1)        # inspection only
    assert medians[1] > 40 and medians[3] > 300             # rc1; redesign
    assert (np.diff(medians) > 0).all()
    city = plain_city(4)
    dmg = building_damage(city, [2, 2, 3, 4], [5, 5, 5, 5])
    c = Constraints(crews=4, horizon_days=2000, impeding_delays=True)
    rec = simulate_recovery(city, None, dmg, c, seed=3)
    flex = rec["building_restored_day"].sel(strategy="flexible").values
    np.testing.assert_array_equal(flex, 5.0)
    for s in ("rigid", "semiflexible"):
        assert (rec["building_restored_day"].sel(strategy=s).values > 5.0 + 1.0).all()
    # the same draws for every strategy that waits (common random numbers)
    np.testing.assert_array_equal(rec["building_restored_day"].sel(strategy="rigid"),
                                  rec["building_restored_day"].sel(strategy="semiflexible"))


def test_a_crew_that_starts_a_task_mobilises_first():
    # one crew, two homes of 3 crew-days, 1 mobilisation day per task: back at days 4 and 8
    city = plain_city(2)
    rec = simulate_recovery(city, None, building_damage(city, [4, 4], [3, 3]),
                            Constraints(crews=1, horizon_days=20, mobilisation_days=1.0))
    for s in ("rigid", "semiflexible"):
        assert sorted(rec["building_restored_day"].sel(strategy=s).values.tolist()) == [4.0, 8.0]
    assert sorted(rec["building_restored_day"].sel(strategy="flexible").values.tolist()) == [3, 6]


def test_commitment_binds_once_information_arrives_late():
    # crews start on what is inspected first; a longer commitment keeps them there when better
    # repairs are found: the commitment sweep moves the semiflexible loss
    city = plain_city(12, types=["residential"] * 6 + ["office"] * 6,
                      area=np.r_[np.full(6, 100.0), np.full(6, 2000.0)])
    ds = [2] * 6 + [3] * 6
    prob = [[0, 0, 1.0, 0, 0]] * 6 + [[0.5, 0.5, 0, 0, 0]] * 6   # offices expected near intact
    dmg = with_probabilities(building_damage(city, ds, [30] * 12), prob)
    losses = []
    for commit in (0.0, 5.0, math.inf):
        c = Constraints(crews=3, commitment_days=commit, horizon_days=200,
                        inspections_per_day=2, mobilisation_days=1.0)
        rec = simulate_recovery(city, None, dmg, c, strategies=["semiflexible"])
        losses.append(float(ep_loss(rec).item()))
    assert losses[0] < losses[-1]
    assert losses[-1] > 1.05 * losses[0]


def test_exact_day_plan_is_never_worse_than_greedy():
    rng = np.random.default_rng(11)
    for _ in range(60):
        k = int(rng.integers(1, 9))
        ratio, w = rng.uniform(0, 1, k), rng.uniform(0.2, 1, k)
        need = rng.uniform(0, 10, k) * w
        slots, budget = int(rng.integers(0, k + 1)), float(rng.uniform(0, 30))
        # greedy: by ratio, materials handed out in that order, partial last task
        order = np.argsort(-ratio, kind="stable")[:slots]
        before = np.cumsum(need[order]) - need[order]
        f = np.clip(np.divide(budget - before, need[order], out=np.ones(len(order)),
                              where=need[order] > 0), 0, 1)
        greedy = float((ratio[order] * w[order] * f).sum())
        chosen = _exact_buildings(np.arange(k), ratio, w, need, slots, budget)
        assert chosen.sum() <= slots
        sel = np.flatnonzero(chosen)
        sel = sel[np.argsort(-ratio[sel], kind="stable")]
        before = np.cumsum(need[sel]) - need[sel]
        f = np.clip(np.divide(budget - before, need[sel], out=np.ones(len(sel)),
                              where=need[sel] > 0), 0, 1)
        exact = float((ratio[sel] * w[sel] * f).sum())
        assert exact >= greedy - 1e-9


def test_exact_planner_runs_the_simulation_and_matches_greedy_with_unlimited_materials(grid):
    city, system = grid
    dmg = random_damage(city, system, 4)
    runs = {}
    for planner in ("greedy", "exact"):
        c = Constraints(crews={"building": 4, "water": 1, "power": 1, "road": 1},
                        horizon_days=120, planner=planner)
        runs[planner] = simulate_recovery(city, system, dmg, c, strategies=["semiflexible"])
    np.testing.assert_allclose(ep_loss(runs["exact"]), ep_loss(runs["greedy"]), rtol=1e-9)
    with pytest.raises(InputError, match="planner must be one of"):
        Constraints(planner="optimal")


@pytest.mark.parametrize("kwargs, message", [
    ({"inspections_per_day": 0}, "inspections_per_day must be a number > 0"),
    ({"impeding_delays": "yes"}, "impeding_delays must be true or false"),
    ({"mobilisation_days": -1.0}, "mobilisation_days must be a finite number ≥ 0"),
])
def test_bad_information_and_implementation_settings(kwargs, message):
    with pytest.raises(InputError, match=message):
        Constraints(**kwargs)


def test_realistic_limits_keep_the_bracket_on_a_grid_city(grid):
    city, system = grid
    c = Constraints(crews={"building": 4, "water": 1, "power": 1, "road": 1}, commitment_days=10,
                    horizon_days=400, inspections_per_day=20, impeding_delays=True,
                    mobilisation_days=1.0)
    loss = []
    for seed in range(5):
        rec = simulate_recovery(city, system, random_damage(city, system, seed), c, seed=seed)
        loss.append(ep_loss(rec).sel(strategy=list(STRATS)).values)
    rigid, semi, flex = np.mean(loss, axis=0)
    assert flex <= semi <= rigid
    assert not np.isnan(service_loss(rec)).any()


@pytest.mark.parametrize("seed, kwargs", [
    (5, {}),
    (5, {"mobilisation_days": 0.5, "commitment_days": 3.5}),
    (5, {"commitment_days": 0.0, "reserve_crews": 3, "reserve_days": 20.0}),
    (5, {"crews": 12, "inspections_per_day": 4.0, "impeding_delays": True}),
    # a crew whose commitment ran out while coasting begins a new one (as when re-planned):
    # these two differ without it
    (81, {"commitment_days": 10.0, "inspections_per_day": math.inf, "impeding_delays": True,
          "mobilisation_days": 0.0}),
    (67, {"crews": {"building": 2, "water": 1, "power": 1, "road": 1}, "commitment_days": 1.5,
          "inspections_per_day": 0.5, "impeding_delays": True, "mobilisation_days": 1.0}),
    # crews scarce: tasks wait while every crew is committed (rigid to completion, semiflexible
    # within its period), so days are coasted with tasks waiting too
    (7, {"crews": {"building": 1, "water": 1, "power": 1, "road": 1}, "commitment_days": 6.0,
         "mobilisation_days": 0.5}),
    (9, {"crews": 2, "commitment_days": 20.0, "reserve_crews": 1, "reserve_days": 30.0,
         "inspections_per_day": 3.0, "impeding_delays": True}),
])
def test_coasted_days_change_no_number(grid, seed, kwargs, monkeypatch):
    """Days on which no crew can be given other work are coasted (only their work added): the
    result is the same, bit for bit, as running each of those days in full."""
    from workbench.recovery import _scheduling

    city, system = grid
    c = Constraints(**{"crews": {"building": 4, "water": 1, "power": 1, "road": 1},
                       "horizon_days": 400, **kwargs})
    dmg = random_damage(city, system, seed)
    coasted, waiting = [], []
    real_coast = _scheduling._coast

    def counting(p, st, tasks, t, *args):
        after = real_coast(p, st, tasks, t, *args)
        coasted.append(after - t)
        if not args[-1]:                 # tasks waited for crews
            waiting.append(after - t)
        return after

    monkeypatch.setattr(_scheduling, "_coast", counting)
    fast, fast_log = simulate_recovery(city, system, dmg, c, seed=seed, return_assignments=True)
    assert sum(coasted) > 50          # the path under test was taken
    if seed in (7, 9):
        assert sum(waiting) > 50      # and with tasks waiting
    monkeypatch.setattr(_scheduling, "_COAST", False)
    coasted.clear()
    full, full_log = simulate_recovery(city, system, dmg, c, seed=seed, return_assignments=True)
    assert not coasted
    for name in full.data_vars:
        np.testing.assert_array_equal(fast[name].values, full[name].values, err_msg=name)
    assert fast_log.equals(full_log)


class _DuckSystem:
    """A system that is not a workbench InfrastructureSystem (it only delegates to one): the
    recovery asks it for the service of each component state."""

    def __init__(self, system):
        self._system = system

    def __getattr__(self, name):
        return getattr(self._system, name)


def test_service_from_served_nodes_equals_service_of_the_whole_city(grid):
    """A workbench system's service is updated from the nodes whose served state changed; any
    other system is asked for every building's service: the same recovery, bit for bit."""
    city, system = grid
    c = Constraints(crews={"building": 4, "water": 1, "power": 1, "road": 1}, horizon_days=300)
    dmg = random_damage(city, system, 3, p_component=0.3)
    by_nodes = simulate_recovery(city, system, dmg, c, seed=3)
    whole = simulate_recovery(city, _DuckSystem(system), dmg, c, seed=3)
    assert (by_nodes["component_restored_day"] > 0).sum() > 20
    for name in whole.data_vars:
        np.testing.assert_array_equal(by_nodes[name].values, whole[name].values, err_msg=name)
