"""Tests of workbench.recovery: constraints, the daily simulation, the three strategies.

Expected values are analytic (a staircase of identical repairs) or properties the method must
have (more crews never lose more; rigid ≥ semiflexible ≥ flexible in mean loss; commitments
honoured). Damage Datasets are hand-made in the shape of docs/ARCHITECTURE.md.
"""

import math

import numpy as np
import pandas as pd
import pytest
import xarray as xr
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from workbench.city import City, buildings_from_frame, toy_city
from workbench.core.errors import InputError
from workbench.functionality import EP_UNIT
from workbench.metrics.indexes import ep_loss, functionality_curve, recovery_time, service_loss
from workbench.recovery import Constraints, simulate_recovery
from workbench.city.synthetic import grid_city
from workbench.network.system import build_system

STRATS = ("rigid", "semiflexible", "flexible")


def plain_city(n, *, types=None, area=None, occupancy=None):
    """n buildings without networks (every building fully served)."""
    types = types if types is not None else ["residential"] * n
    frame = pd.DataFrame({
        "id": [f"h{i:03d}" for i in range(n)], "type": types,
        "floor_area": area if area is not None else np.full(n, 100.0),
        "stories": 1, "year_built": 1980, "structural_class": "W1",
        "x": np.arange(n) * 10.0, "y": 0.0,
        "occupancy": occupancy if occupancy is not None else np.full(n, 3.0)})
    return City(buildings=buildings_from_frame(frame), name="plain")


def building_damage(city, ds, days, cost=None):
    ds = np.asarray(ds)
    days = np.asarray(days, dtype=float)
    cost = days * 1000.0 if cost is None else np.asarray(cost, dtype=float)
    return xr.Dataset({"building_damage_state": ("building", ds.astype("int8")),
                       "building_repair_days": ("building", days),
                       "building_repair_cost": ("building", cost)},
                      coords={"building": city.buildings["building"].values})


def random_damage(city, system, seed, p_building=0.5, p_component=0.15):
    """Random damage of the ARCHITECTURE.md shape (one realization, no realization dim)."""
    rng = np.random.default_rng(seed)
    n = city.buildings.sizes["building"]
    ds = np.where(rng.random(n) < p_building, rng.integers(1, 5, n), 0)
    days = np.round(np.array([0, 2, 8, 20, 40.0])[ds] * rng.uniform(0.5, 1.5, n))
    dmg = building_damage(city, ds, days)
    if system is not None:
        func = rng.random(system.n_components) >= p_component
        comp = system.components
        dmg = dmg.assign({
            "component_damage_state": ("component", np.where(func, 0, 3).astype("int8")),
            "component_functional": ("component", func),
            "component_repair_days": ("component", np.where(func, 0.0, comp["repair_days"].values)),
            "component_repair_cost": ("component", np.where(func, 0.0, comp["repair_cost"].values)),
        }).assign_coords(component=system.component_ids)
    return dmg


@pytest.fixture(scope="module")
def grid():
    city = grid_city(120, 150, seed=2)
    return city, build_system(city)


# --------------------------------------------------------------------------- constraints

@pytest.mark.parametrize("kwargs, message", [
    ({"crews": -1}, "crews must be a positive integer, got -1"),
    ({"crews": 0}, "crews must be a positive integer, got 0"),
    ({"crews": 2.5}, "crews must be a positive integer, got 2.5"),
    ({"crews": True}, "crews must be a positive integer, got True"),
    ({"crews": {"plumber": 2}}, r"unknown trade\(s\) \['plumber'\]; trades are \['building'"),
    ({"crews": {"building": -1}}, r"crews\['building'\] must be a non-negative integer, got -1"),
    ({"crews": {"building": 0, "water": 0}}, "must total at least one crew"),
    ({"materials_per_day": float("nan")}, "materials_per_day must be a number > 0 EUR/day"),
    ({"materials_per_day": 0}, r"materials_per_day must be .*got 0"),
    ({"commitment_days": -1}, r"commitment_days must be a number ≥ 0 .*got -1"),
    ({"commitment_days": float("nan")}, "commitment_days must be a number ≥ 0"),
    ({"horizon_days": 0}, "horizon_days must be a positive integer, got 0"),
    ({"horizon_days": 10.5}, "horizon_days must be a positive integer, got 10.5"),
])
def test_bad_constraints_name_field_and_value(kwargs, message):
    with pytest.raises(InputError, match=message):
        Constraints(**kwargs)


def test_constraints_accept_inf_and_long_commitment():
    c = Constraints(crews={"building": 3, "road": 1}, materials_per_day=math.inf,
                    commitment_days=math.inf, horizon_days=5)
    assert c.total_crews == 4 and c.pools[1] == (3, 0, 0, 1)
    assert Constraints(commitment_days=1000, horizon_days=10).commitment_days == 1000.0
    hash(c)  # frozen and hashable, so it can key a cache


def test_unknown_strategy_lists_valid_ones():
    city = plain_city(2)
    with pytest.raises(InputError, match=r"valid strategies are \['rigid', 'semiflexible', "
                                         r"'flexible'\]"):
        simulate_recovery(city, None, building_damage(city, [0, 0], [0, 0]), Constraints(),
                          strategies=["greedy"])


def test_damage_with_several_realizations_is_refused():
    city = plain_city(2)
    dmg = xr.concat([building_damage(city, [1, 0], [1, 0])] * 2, dim="realization")
    with pytest.raises(InputError, match=r"damage.isel\(realization=k\)"):
        simulate_recovery(city, None, dmg, Constraints())
    one = simulate_recovery(city, None, dmg.isel(realization=[0]), Constraints(horizon_days=3))
    assert one.sizes["strategy"] == 3


def test_damage_missing_buildings_is_named():
    city = plain_city(3)
    dmg = building_damage(city, [1, 0, 0], [1, 0, 0]).isel(building=[0, 1])
    with pytest.raises(InputError, match=r"lacks 1 of the city buildings .*h002"):
        simulate_recovery(city, None, dmg, Constraints())


# --------------------------------------------------------------------------- analytic cases

@pytest.mark.parametrize("strategy", STRATS)
@pytest.mark.parametrize("n, crews, d", [(7, 3, 4), (5, 5, 2), (6, 1, 3)])
def test_staircase_restoration_days_and_exact_ep_loss(strategy, n, crews, d):
    city = plain_city(n)
    rec = simulate_recovery(city, None, building_damage(city, [4] * n, [d] * n),
                            Constraints(crews=crews, commitment_days=2, horizon_days=60),
                            strategies=[strategy])
    days = np.sort(rec["building_restored_day"].sel(strategy=strategy).values)
    k = np.arange(1, n + 1)
    expected = np.ceil(k / crews) * d
    np.testing.assert_array_equal(days, expected)
    ep_building = 100.0 * EP_UNIT["residential"]       # a collapsed building: all of its EP lost
    assert float(ep_loss(rec).sel(strategy=strategy)) == pytest.approx(ep_building * expected.sum(),
                                                                       rel=1e-12)
    # three unsheltered, unserved occupants per building: 3 person-days per day
    assert float(service_loss(rec).sel(strategy=strategy)) == pytest.approx(3.0 * expected.sum())


def test_zero_damage_gives_zero_loss_and_immediate_recovery():
    city = toy_city()
    system = build_system(city)
    dmg = random_damage(city, system, 0, p_building=0.0, p_component=0.0)
    rec = simulate_recovery(city, system, dmg, Constraints(horizon_days=10))
    assert (ep_loss(rec) == 0).all() and (service_loss(rec) == 0).all()
    assert (rec["building_restored_day"] == 0).all() and (rec["component_restored_day"] == 0).all()
    assert (recovery_time(functionality_curve(rec), 1.0) == 0).all()
    assert (rec["crews_busy"] == 0).all()


def test_infinite_crews_recover_in_the_longest_single_repair():
    city = plain_city(6)
    days = [3, 7, 1, 4, 2, 7]
    rec = simulate_recovery(city, None, building_damage(city, [3] * 6, days),
                            Constraints(crews=100, horizon_days=30))
    np.testing.assert_array_equal(rec["building_restored_day"].values, np.tile(days, (3, 1)))
    assert (recovery_time(functionality_curve(rec), 1.0) == 7).all()


def test_fractional_effort_finishes_at_the_next_whole_day():
    city = plain_city(1)
    rec = simulate_recovery(city, None, building_damage(city, [2], [2.5]),
                            Constraints(crews=1, horizon_days=10), strategies=["rigid"])
    assert float(rec["building_restored_day"].item()) == 3.0


def test_material_budget_slows_work():
    city = plain_city(1)
    # 2 crew-days costing 100: 50 EUR per crew-day; 25 EUR/day of materials → half speed
    dmg = building_damage(city, [4], [2.0], cost=[100.0])
    rec = simulate_recovery(city, None, dmg, Constraints(crews=1, materials_per_day=25.0,
                                                         horizon_days=10))
    assert (rec["building_restored_day"] == 4.0).all()
    assert float(rec["materials_spent"].sel(strategy="rigid", time=0)) == 25.0


def test_trade_without_crews_never_repairs_its_tasks():
    city = toy_city()
    system = build_system(city)
    dmg = random_damage(city, system, 1, p_building=1.0, p_component=0.5)
    rec = simulate_recovery(city, system, dmg,
                            Constraints(crews={"building": 2, "power": 1, "road": 1},
                                        horizon_days=200))
    water_out = ((system.components["network"] == "water") & ~dmg["component_functional"]
                 & (dmg["component_repair_days"] > 0))
    assert bool(water_out.any())
    day = rec["component_restored_day"]
    assert np.isinf(day.isel(component=np.flatnonzero(water_out.values))).all()
    others = ~water_out & ~dmg["component_functional"]
    assert np.isfinite(day.isel(component=np.flatnonzero(others.values))).all()


def test_horizon_too_short_gives_inf_never_a_wrong_day():
    city = plain_city(4)
    rec = simulate_recovery(city, None, building_damage(city, [4] * 4, [5] * 4),
                            Constraints(crews=1, horizon_days=12))
    days = rec["building_restored_day"].sel(strategy="rigid").values
    assert sorted(days.tolist()) == [5.0, 10.0, math.inf, math.inf]
    assert np.isinf(recovery_time(functionality_curve(rec), 0.95)).all()
    assert rec.sizes["time"] == 13


def test_same_seed_identical_results(grid):
    city, system = grid
    dmg = random_damage(city, system, 3)
    c = Constraints(crews={"building": 4, "water": 1, "power": 1, "road": 1}, commitment_days=5,
                    materials_per_day=2e5, horizon_days=120)
    a = simulate_recovery(city, system, dmg, c, seed=7)
    b = simulate_recovery(city, system, dmg, c, seed=7)
    xr.testing.assert_identical(a, b)
    assert a.attrs["seed"] == 7


def test_output_follows_architecture_spec(grid):
    city, system = grid
    rec = simulate_recovery(city, system, random_damage(city, system, 0),
                            Constraints(crews=5, horizon_days=30))
    assert dict(rec.sizes) == {"strategy": 3, "time": 31, "building": 120,
                               "component": system.n_components}
    for name in ("ep", "sc", "demand", "ep_functionality", "sc_functionality", "crews_busy"):
        assert rec[name].dims == ("strategy", "time") and "units" in rec[name].attrs
    assert rec["building_restored_day"].dims == ("strategy", "building")
    assert rec["component_restored_day"].dims == ("strategy", "component")
    assert rec.attrs["ep0"] > 0 and rec.attrs["sc0"] > 0
    assert 0 <= float(rec["ep_functionality"].min()) <= float(rec["ep_functionality"].max()) <= 1
    assert int(rec["crews_busy"].max()) <= 5


# --------------------------------------------------------------------------- properties

def _losses(rec):
    return ep_loss(rec).values, service_loss(rec).values


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(n=st.integers(1, 12), crews=st.integers(1, 4), extra=st.integers(1, 4),
       seed=st.integers(0, 10_000), commitment=st.sampled_from([0.0, 2.0, 5.0, math.inf]))
def test_more_crews_never_lose_more(n, crews, extra, seed, commitment):
    rng = np.random.default_rng(seed)
    types = rng.choice(["residential", "office", "commercial", "industrial", "public"], n)
    city = plain_city(n, types=list(types), area=rng.uniform(50, 500, n),
                      occupancy=rng.uniform(1, 20, n))
    ds = rng.integers(0, 5, n)
    dmg = building_damage(city, ds, np.where(ds > 0, rng.integers(1, 9, n), 0))
    few = simulate_recovery(city, None, dmg, Constraints(crews=crews, commitment_days=commitment,
                                                         horizon_days=80))
    more = simulate_recovery(city, None, dmg, Constraints(crews=crews + extra,
                                                          commitment_days=commitment,
                                                          horizon_days=80))
    for a, b in zip(_losses(more), _losses(few)):
        assert (a <= b * (1 + 1e-12) + 1e-9).all()


def test_more_crews_never_lose_more_with_networks(grid):
    city, system = grid
    dmg = random_damage(city, system, 5)
    previous = None
    for crews in (2, 4, 8, 16):
        rec = simulate_recovery(city, system, dmg, Constraints(crews=crews, horizon_days=150))
        losses = np.stack(_losses(rec))
        if previous is not None:
            assert (losses <= previous * (1 + 1e-9)).all()
        previous = losses


def test_strategies_bracket_in_mean_loss(grid):
    city, system = grid
    c = Constraints(crews={"building": 4, "water": 1, "power": 1, "road": 1}, commitment_days=10,
                    horizon_days=200)
    loss = []
    for seed in range(6):
        rec = simulate_recovery(city, system, random_damage(city, system, seed), c, seed=seed)
        f = functionality_curve(rec)
        loss.append([float((1 - f).isel(time=slice(None, -1)).sum("time").sel(strategy=s))
                     for s in STRATS] + [float(ep_loss(rec).sel(strategy=s)) for s in STRATS])
    rigid, semi, flex, ep_rigid, ep_semi, ep_flex = np.mean(loss, axis=0)
    # the ideal world of Constraints' defaults (perfect information, no impeding delays, no
    # mobilisation): the planner's objective brackets; the margins come with realistic limits
    # (tests/test_strategies.py)
    assert flex <= semi <= rigid
    assert ep_flex <= ep_semi <= ep_rigid


# --------------------------------------------------------------------------- commitment log

class PowerHungryOffices:
    """A FunctionalityModel whose offices produce (and serve) nothing without power."""

    def ep_unit(self, buildings, service):
        office = buildings["type"].values == "office"
        return np.where(office, 100.0 * service[:, 1], 1.0)

    def rss(self, buildings, service):
        office = buildings["type"].values == "office"
        return np.where(office, service[:, 1], 1.0)


def switching_case(commit, mobilisation=0.0):
    """Toy city, one building crew, a home (b1, 20 crew-days) and an office (b2, 40 crew-days)
    to repair; the office's repair is the far better one (its EP). Planners expect the home to
    be heavily damaged and the office hardly at all, so with one inspection every five days
    the home is inspected (and known) on day 1 and the office on day 6: a re-planned crew starts
    the home, then switches when the office turns out damaged. Flexible knows all at day 0."""
    city = toy_city()
    city = city.with_buildings(city.buildings.assign(
        population=("building", [150.0, 30.0, 0.0, 0.0, 0.0, 0.0])))
    dmg = building_damage(city, [0, 4, 4, 0, 0, 0], [0, 20, 40, 0, 0, 0])
    prob = np.zeros((6, 5))
    prob[:, 0] = 1.0
    prob[1] = [0, 0, 0, 0, 1]                 # the home: expected collapsed
    prob[2] = [0.9, 0.1, 0, 0, 0]             # the office: expected hardly damaged
    dmg = dmg.assign(building_damage_probability=(("building", "damage_state"), prob),
                     building_expected_repair_days=("building", [0, 20, 2.0, 0, 0, 0]))
    c = Constraints(crews={"building": 1}, commitment_days=commit, horizon_days=90,
                    inspections_per_day=0.2, mobilisation_days=mobilisation)
    return simulate_recovery(city, None, dmg, c, functionality=PowerHungryOffices(),
                             return_assignments=True)


def test_committed_crews_never_move_before_their_period_ends():
    commit = 8.0
    rec, log = switching_case(commit)
    assert set(log.columns) >= {"strategy", "crew", "trade", "task_kind", "target", "start_day",
                                "end_day", "completed"}
    homes = log[log["target"] == "b1"].groupby("strategy").first()   # first stint on the home
    # flexible knows the office's damage at day 0 and never starts the home before it;
    # semiflexible starts the home on day 1 and leaves it when its period ends (day 9), after
    # the office is known (day 6); rigid finishes it
    first = log[log["strategy"] == "flexible"].sort_values("start_day").iloc[0]
    assert first["target"] == "b2" and first["start_day"] == 0 and first["completed"]
    assert homes.loc["semiflexible", "start_day"] == 1
    assert homes.loc["semiflexible", "end_day"] == 1 + commit
    assert not homes.loc["semiflexible", "completed"]
    assert homes.loc["rigid", "completed"]          # a fixed plan: every stint completes
    # progress is kept: the home needs only its remaining 20 − 8 crew-days later on
    day = rec["building_restored_day"].sel(strategy="semiflexible")
    assert float(day.sel(building="b2")) == 1 + commit + 40
    assert float(day.sel(building="b1")) == 1 + commit + 40 + 12
    assert float(rec["building_restored_day"].sel(strategy="flexible", building="b2")) == 40
    # and, in general, no stint that ends without completion is shorter than the period
    moved = log[~log["completed"] & np.isfinite(log["end_day"])]
    semi = moved[moved["strategy"] == "semiflexible"]
    assert ((semi["end_day"] - semi["start_day"]) >= commit).all()
    assert moved[moved["strategy"] == "rigid"].empty


@pytest.mark.parametrize("commit", [0.0, 3.0, math.inf])
def test_commitment_zero_is_flexible_and_inf_is_to_completion(commit):
    rec, log = switching_case(commit)
    semi = log[(log["strategy"] == "semiflexible") & (log["target"] == "b1")].iloc[0]
    # commitment 0: the crew moves the day the office is known (6); period 3 from day 1 ends
    # at day 4, the crew is kept (a new period, to day 7), then it moves; inf: it finishes
    assert semi["end_day"] == {0.0: 6.0, 3.0: 7.0, math.inf: 21.0}[commit]


def test_switching_cost_is_paid_and_known_to_planners():
    """With a mobilisation cost, a crew's first day on a new task does no work."""
    rec, _ = switching_case(0.0, mobilisation=1.0)
    day = rec["building_restored_day"].sel(strategy="semiflexible")
    # home from day 1 (mobilising day 1, work days 2-5: 4 crew-days), office from day 6
    # (mobilising day 6, done after 40 more: 47), then the home's remaining 16 (+1): 64
    assert float(day.sel(building="b2")) == 47
    assert float(day.sel(building="b1")) == 64


def test_crew_log_is_consistent(grid):
    city, system = grid
    c = Constraints(crews={"building": 5, "water": 1, "power": 1, "road": 1},
                    commitment_days=3, horizon_days=100)
    rec, log = simulate_recovery(city, system, random_damage(city, system, 2), c,
                                 return_assignments=True)
    for _, crew_log in log.groupby(["strategy", "crew"]):   # one task at a time per crew
        starts, ends = crew_log["start_day"].values, crew_log["end_day"].values
        assert (starts[1:] >= ends[:-1]).all()
    assert (log.loc[log["task_kind"] == "building", "trade"] == "building").all()
    done = log[log["completed"]]
    for strategy, rows in done.groupby("strategy"):
        days = rec["building_restored_day"].sel(strategy=strategy)
        b = rows[rows["task_kind"] == "building"]
        np.testing.assert_array_equal(days.sel(building=b["target"].values).values,
                                      b["end_day"].values)


def test_with_sampled_damage_from_the_damage_module():
    damage_module = pytest.importorskip("workbench.hazard.damage")
    from workbench.hazard import Earthquake
    city = toy_city()
    system = build_system(city)
    per_m2 = dict.fromkeys(["residential", "office", "commercial", "industrial", "public"], 2000.0)
    dmg = damage_module.sample_damage(city, system, Earthquake(6.0, 200.0, 0.0), seed=1,
                                      replacement_cost_per_m2=per_m2)
    rec = simulate_recovery(city, system, dmg, Constraints(crews=3, horizon_days=400))
    assert rec.sizes["component"] == system.n_components
    assert (ep_loss(rec) >= 0).all()


def test_a_horizon_that_cuts_the_recovery_says_so(caplog):
    city = toy_city()
    damage = xr.Dataset({"building_damage_state": ("building", [4, 4, 0, 0, 0, 0]),
                         "building_repair_days": ("building", [4.0, 40.0, 0, 0, 0, 0]),
                         "building_repair_cost": ("building", [1e5, 1e5, 0, 0, 0, 0])},
                        coords={"building": city.buildings["building"].values})
    with caplog.at_level("WARNING", logger="workbench.recovery"):
        simulate_recovery(city, None, damage, Constraints(crews=1, horizon_days=10))
    assert "horizon of 10 days cuts the recovery of rigid (1 buildings" in caplog.text
    caplog.clear()
    with caplog.at_level("WARNING", logger="workbench.recovery"):
        simulate_recovery(city, None, damage, Constraints(crews=2, horizon_days=60))
    assert "cuts the recovery" not in caplog.text
