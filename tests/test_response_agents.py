"""Tests of workbench.response.agents: households and businesses on a finished recovery.

The toy city (workbench.city.toy_city): residents b0 30, b1 60 (residential, district west);
b5 is the public shelter host (357 places, normal occupancy 200, district east). Networks are
4-node paths with the source at x = 0.
"""

import warnings

import numpy as np
import pytest
import xarray as xr

import workbench as wb
from workbench.city import toy_city
from workbench.core.errors import InputError
from workbench.functionality import Shelters, residents
from workbench.city.mapping import map_city
from workbench.recovery import Constraints, simulate_recovery
from workbench.response.agents import (DISLOCATION_COEFFICIENTS, STATES, Businesses, Households,
                                       dislocation_probability, district_codes, simulate_agents)
from workbench.network.system import build_system


def _damage(system, building_states, out=(), out_days=4.0, building_days=10.0):
    """One realization: building damage states, components ``out`` (ids) with repair effort."""
    states = np.asarray(building_states, np.int8)
    func = np.ones(system.n_components, bool)
    for c in out:
        func[system.index_of(c)] = False
    comp_days = np.where(func, 0.0, out_days)
    return xr.Dataset(
        {"building_damage_state": ("building", states),
         "building_repair_days": ("building", np.where(states > 0, building_days, 0.0)),
         "building_repair_cost": ("building", np.where(states > 0, 1e5, 0.0)),
         "component_damage_state": ("component", np.where(func, 0, 3).astype(np.int8)),
         "component_functional": ("component", func),
         "component_repair_days": ("component", comp_days),
         "component_repair_cost": ("component", np.where(func, 0.0, 1e4))},
        coords={"building": system.city.buildings["building"].values,
                "component": system.component_ids})


@pytest.fixture(scope="module")
def toy():
    city = map_city(toy_city())
    return city, build_system(city)


@pytest.fixture(scope="module")
def demo(demo_quake):
    """The demo city, default earthquake, seed 0, with road debris; 120-day recovery."""
    q = demo_quake
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        damage = wb.road_blockage(q.system, q.damage)
        recovery = simulate_recovery(q.city, q.system, damage, Constraints(
            horizon_days=120, **q.params["constraints"]), seed=0)
    return q.city, q.system, damage, recovery


@pytest.fixture(scope="module")
def demo_on(demo):
    city, system, damage, recovery = demo
    return simulate_agents(city, system, damage, recovery, seed=3)


# --------------------------------------------------------------------------- conservation

def test_people_neither_created_nor_lost_on_any_day(demo, demo_on):
    city, _, _, recovery = demo
    r = residents(city.buildings)
    total = r.sum()
    persons = demo_on["persons"]
    assert persons.sizes == {"strategy": 3, "time": 121, "state": len(STATES)}
    np.testing.assert_allclose(persons.sum("state"), total, rtol=1e-12)
    # households: whole agents, exactly, every day
    n_agents = int(demo_on["households"].isel(strategy=0, time=0).sum())
    assert (demo_on["households"].sum("state") == n_agents).all()
    assert (demo_on["households_by_district"].sum(["state", "district"]) == n_agents).all()
    assert (demo_on["households_by_district"].sum("district") == demo_on["households"]).all()
    # by home district, every day
    code, names = district_codes(city.buildings)
    by_district = np.bincount(code, r, minlength=len(names))
    np.testing.assert_allclose(demo_on["persons_by_district"].sum("state").transpose(
        ..., "district"), np.broadcast_to(by_district, (3, 121, len(names))), rtol=1e-12)
    # present: several districts, so nobody is outside the city
    np.testing.assert_allclose(demo_on["present"].sum("district"), total, rtol=1e-12)
    # businesses: every non-residential building in exactly one state
    n_business = int((city.buildings["type"] != "residential").sum())
    assert (demo_on["businesses"].sum("business_state") == n_business).all()
    # and people actually move: the damaged demo displaces thousands — at the default M 5.5
    # (capacity-spectrum damage, few buildings beyond moderate) mostly for want of water and
    # power after the 72 h of tolerance — and they return
    away = persons.sel(state=["shelter", "elsewhere", "unsheltered"]).sum("state")
    assert (away.max("time") > 1000).all()
    assert (persons.sel(state="home").diff("time") > 0).any("time").all()     # some return


def test_people_conserved_with_agents_off_too(demo):
    city, system, damage, recovery = demo
    off = simulate_agents(city, system, damage, recovery, enabled=False)
    np.testing.assert_allclose(off["persons"].sum("state"), residents(city.buildings).sum(),
                               rtol=1e-12)
    np.testing.assert_allclose(off["persons"].sel(state="shelter"), recovery["sheltered"])
    n_agents = float(off["households"].isel(strategy=0, time=0).sum())
    np.testing.assert_allclose(off["households"].sum("state"), n_agents, rtol=1e-12)
    assert (off["persons"].sel(state="elsewhere") == 0).all()


def test_sc_stays_within_zero_and_demand(demo, demo_on):
    assert (demo_on["sc"] >= 0).all()
    assert (demo_on["sc"] <= demo_on["demand"] * (1 + 1e-12)).all()
    assert (demo_on["ep"] <= demo_on.attrs["ep0"] * (1 + 1e-12)).all()


# --------------------------------------------------------------------------- switch, seeds

def test_agents_off_returns_the_recoverys_curves_bit_for_bit(demo):
    city, system, damage, recovery = demo
    off = simulate_agents(city, system, damage, recovery, enabled=False)
    for name in ("ep", "sc", "ep_functionality", "sc_functionality"):
        assert np.array_equal(off[name].values, recovery[name].values), name
    assert off.attrs["enabled"] == 0


def test_agents_off_give_the_recoverys_summary_indexes_exactly(demo, demo_on):
    # the report's comparison: the same indexes function on both Datasets; off = the recovery
    city, system, damage, recovery = demo
    off = simulate_agents(city, system, damage, recovery, enabled=False)
    assert wb.summary_indexes(off, city, damage) == wb.summary_indexes(recovery, city, damage)
    on = wb.summary_indexes(demo_on, city, damage)
    base = wb.summary_indexes(recovery, city, damage)
    for s in ("rigid", "semiflexible", "flexible"):
        assert on[s]["repair_cost"] == base[s]["repair_cost"]
        assert on[s]["service_loss_person_days"] != base[s]["service_loss_person_days"]


def test_the_timeline_reproduces_the_recoverys_ep(demo):
    # businesses that reopen at once and do not depend on customers: the agents' EP is the
    # recovery's, so the day-by-day service and usable shares are reconstructed right
    city, system, damage, recovery = demo
    neutral = simulate_agents(city, system, damage, recovery,
                              businesses=Businesses(reopen_days=0, customer_types=()))
    np.testing.assert_allclose(neutral["ep"], recovery["ep"], rtol=1e-12)


def test_same_seed_same_result_other_seed_other_result(demo, demo_on):
    city, system, damage, recovery = demo
    one = recovery.sel(strategy=["flexible"])
    a = simulate_agents(city, system, damage, one, seed=3)
    xr.testing.assert_identical(a, demo_on.sel(strategy=["flexible"]))
    b = simulate_agents(city, system, damage, one, seed=4)
    assert not np.array_equal(a["persons"].values, b["persons"].values)
    assert a.attrs["seed"] == 3


def test_agents_change_the_curves_the_report_compares(demo, demo_on):
    # with agents, people leave homes the recovery counts as usable, and those who go to
    # family count as housed: the adjusted curves differ from the recovery's
    _, _, _, recovery = demo
    assert not np.allclose(demo_on["sc"], recovery["sc"])
    loss_on = float((1 - demo_on["sc_functionality"]).sum())
    loss_off = float((1 - recovery["sc_functionality"]).sum())
    assert loss_on != pytest.approx(loss_off)


# --------------------------------------------------------------------------- the rule

def test_dislocation_probability_is_lins_logistic_model():
    c = DISLOCATION_COEFFICIENTS
    p = dislocation_probability([0.0, 0.1, 0.5, 1.0], [False] * 4)
    assert np.all(np.diff(p) > 0)                       # more loss, more dislocation
    assert p[0] == pytest.approx(1 / (1 + np.exp(-c["intercept"])))
    assert dislocation_probability(0.1, True) < dislocation_probability(0.1, False)
    assert dislocation_probability(0.1, False) == pytest.approx(0.4558, abs=1e-4)


def test_undamaged_city_everyone_stays_and_curves_are_full(toy):
    city, system = toy
    damage = _damage(system, [0] * 6)
    rec = simulate_recovery(city, system, damage, Constraints(crews=2, horizon_days=10))
    out = simulate_agents(city, system, damage, rec)
    assert (out["persons"].sel(state="home") == 90).all()
    np.testing.assert_allclose(out["sc"], out["demand"])
    np.testing.assert_allclose(out["ep"], rec.attrs["ep0"])
    assert (out["businesses"].sel(business_state="open") == 4).all()
    assert (out["supply_need"] == 0).all()


def test_unusable_home_empties_on_day_zero_and_refills_once_repaired(toy):
    city, system = toy
    damage = _damage(system, [4, 0, 0, 0, 0, 0], building_days=6.0)
    rec = simulate_recovery(city, system, damage, Constraints(crews=1, horizon_days=30),
                            strategies=["flexible"])
    restored = float(rec["building_restored_day"].sel(strategy="flexible", building="b0"))
    assert restored == 6.0
    out = simulate_agents(city, system, damage, rec,
                          households=Households(return_days=(1.0, 1.0, 1.0)))
    home = out["persons"].sel(strategy="flexible", state="home")
    assert (home.sel(time=slice(0, restored - 1)) == 60).all()      # b0's 30 are away
    assert (home.sel(time=slice(restored, None)) == 90).all()       # back the day it is usable


def test_lin_option_moderate_damage_dislocates_a_share_slight_damage_none(toy):
    city, system = toy
    damage = _damage(system, [2, 1, 0, 0, 0, 0], building_days=200.0)
    rec = simulate_recovery(city, system, damage, Constraints(crews=1, horizon_days=5))
    shares = []
    for seed in range(40):
        out = simulate_agents(city, system, damage, rec.sel(strategy=["flexible"]), seed=seed,
                              households=Households(household_size=1.0,
                                                    dislocation_model="lin2008"))
        home_west = float(out["persons_by_district"].isel(strategy=0, time=0).sel(
            district="west", state="home"))
        shares.append(90 - home_west)                     # west's residents not at home
    # b1 (slight) keeps all 60 at home; b0 (moderate: 10 % value loss) loses Lin's share of 30
    expected = dislocation_probability(0.1, False) * 30
    assert np.mean(shares) == pytest.approx(expected, rel=0.1)


def test_households_leave_a_home_without_water_only_after_the_tolerance(toy):
    city, system = toy
    # the water source is out and never repaired within the horizon: no water anywhere
    damage = _damage(system, [0] * 6, out=["water:W0"], out_days=1000.0)
    rec = simulate_recovery(city, system, damage, Constraints(crews=1, horizon_days=20))
    hh = Households(utility_tolerance_days=3, utility_leave_rate=0.5)
    out = simulate_agents(city, system, damage, rec.sel(strategy=["flexible"]), households=hh)
    home = out["persons"].isel(strategy=0).sel(state="home")
    assert (home.sel(time=slice(0, 2)) == 90).all()      # days 0-2: the first 72 hours
    assert float(home.sel(time=3)) < 90
    assert float(home.sel(time=20)) < 30
    # those at home without water need supplies there
    assert float(out["supply_need"].isel(strategy=0).sel(time=0).sum()) == 90


def test_shelters_are_never_overfilled_and_the_unsheltered_wait(toy):
    city, system = toy
    damage = _damage(system, [4, 4, 0, 0, 0, 0], building_days=200.0)
    rec = simulate_recovery(city, system, damage, Constraints(crews=1, horizon_days=30))
    shelters = Shelters(area_per_person=125.0, temporary_places=40.0, temporary_from_day=5.0,
                        planned_share=None)
    places = 2500 * 0.5 / 125.0                          # 10 places in b5
    hh = Households(shelter_share=1.0, unsheltered_leave_rate=0.0)
    out = simulate_agents(city, system, damage, rec, households=hh, shelters=shelters)
    p = out["persons"]
    assert (p.sel(state="shelter").sel(time=slice(0, 4)) <= places + 1e-9).all()
    assert (p.sel(state="shelter") <= places + 40 + 1e-9).all()
    assert (p.sel(state="unsheltered").sel(time=0) == 80).all()
    assert (p.sel(state="shelter").sel(time=5) == 50).all()           # temporary places open
    # shelter SC: 10 in b5 and 40 in temporary places, each worth h_S + v_S = 1 (Valuation)
    np.testing.assert_allclose(out["sc"].sel(time=5), 10 * 1.0 + 40 * 1.0)


def test_closed_businesses_reopen_after_their_building(toy):
    city, system = toy
    damage = _damage(system, [0, 0, 4, 0, 0, 0], building_days=5.0)     # the office b2
    rec = simulate_recovery(city, system, damage, Constraints(crews=1, horizon_days=60),
                            strategies=["flexible"])
    out = simulate_agents(city, system, damage, rec, businesses=Businesses(reopen_days=10.0))
    closed = out["businesses"].isel(strategy=0).sel(business_state="closed")
    assert (closed.sel(time=slice(0, 4)) == 1).all()
    assert int(closed.sel(time=60)) == 0
    ep = out["ep"].isel(strategy=0)
    assert (ep <= rec["ep"].isel(strategy=0) + 1e-6).all()


# --------------------------------------------------------------------------- errors

@pytest.mark.parametrize("kwargs, match", [
    ({"shelter_share": 1.5}, "shelter_share must be a share in"),
    ({"household_size": 0}, "household_size must be a finite number > 0"),
    ({"return_days": (1.0, 2.0)}, "return_days must give 3 mean delays"),
    ({"dislocation": {"intercept": 0.0}}, "dislocation must give the coefficients"),
])
def test_bad_household_settings_name_the_field(kwargs, match):
    with pytest.raises(InputError, match=match):
        Households(**kwargs)


def test_bad_inputs_name_the_fix(toy):
    city, system = toy
    damage = _damage(system, [0] * 6)
    rec = simulate_recovery(city, system, damage, Constraints(crews=1, horizon_days=3))
    with pytest.raises(InputError, match="recovery lacks 'building_restored_day'"):
        simulate_agents(city, system, damage, rec.drop_vars("building_restored_day"))
    with pytest.raises(InputError, match="damage lacks 'building_damage_state'"):
        simulate_agents(city, system, damage.drop_vars("building_damage_state"), rec)
    with pytest.raises(InputError, match="must be Households"):
        simulate_agents(city, system, damage, rec, households={"household_size": 2})
    with pytest.raises(InputError, match="reopen_days must be"):
        Businesses(reopen_days=-1)


def test_one_realization_at_a_time(toy):
    city, system = toy
    damage = _damage(system, [0] * 6)
    rec = simulate_recovery(city, system, damage, Constraints(crews=1, horizon_days=3))
    two = xr.concat([rec, rec], dim="realization")
    with pytest.raises(InputError, match=r"holds 2 realizations.*isel\(realization=r\)"):
        simulate_agents(city, system, damage, two)
    one = simulate_agents(city, system, damage, two.isel(realization=[0]))
    assert "realization" not in one.dims


@pytest.mark.slow           # three agent runs on a 3,000-building city (~5 s)
def test_looking_at_the_nearest_hosts_first_changes_no_household(monkeypatch):
    """Households seek the nearest host with room (hosts_by_distance). A home looks at its
    NEAREST_HOSTS nearest hosts first and at the others only when those are full: the same
    households go to the same hosts as when every home sorts every host, bit for bit, whether
    few hosts are looked at first (most households go on to the others) or many."""
    import workbench.response.agents as agents
    from workbench.city.synthetic import grid_city
    from workbench.hazard import Earthquake, earthquake_intensity
    city = grid_city(3000, 600, seed=8)
    system = build_system(city)
    x, y = float(city.buildings["x"].mean()), float(city.buildings["y"].mean())
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        shaking = earthquake_intensity(Earthquake(6.0, x + 3000.0, y), city.buildings,
                                       system.components)
        damage = wb.road_blockage(system, wb.sample_damage(city.buildings, system.components,
                                                           shaking, seed=2, design_code="0"))
        one = damage.isel(realization=0)
        recovery = simulate_recovery(city, system, one, Constraints(horizon_days=200, crews=40),
                                     strategies=["flexible"], seed=2)
    hosts = len(agents.ShelterPlan(city.buildings, agents.Shelters()).hosts)
    runs = {}
    for k in (hosts + 1, 64, 2):                      # every host at once; the default; few
        monkeypatch.setattr(agents, "NEAREST_HOSTS", k)
        runs[k] = simulate_agents(city, system, one, recovery, seed=5)
    assert hosts > 64
    persons = runs[hosts + 1]["persons"]
    assert float(persons.sel(state="shelter").max()) > 0        # households found shelter
    assert float(persons.sel(state="unsheltered").max()) > 0    # and the shelters filled up
    for k in (64, 2):
        for name in runs[k].variables:
            assert runs[k][name].values.tobytes() == runs[hosts + 1][name].values.tobytes(), \
                (k, name)


@pytest.mark.parametrize("enabled", [True, False])
def test_days_held_once_nothing_can_change_equal_every_day_run(demo_quake, enabled, monkeypatch):
    """Once every building is restored and served and everybody is home, the days left hold the
    last day's figures: the same Dataset, bit for bit, as running every day to the horizon."""
    from workbench.response import agents

    q = demo_quake
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        damage = wb.road_blockage(q.system, q.damage)
        recovery = simulate_recovery(q.city, q.system, damage, Constraints(
            horizon_days=1500, **q.params["constraints"]), seed=0,
            strategies=["flexible", "rigid"])
    held = []
    real_hold = agents._hold

    def counting(out, t):
        held.append(t)
        real_hold(out, t)

    monkeypatch.setattr(agents, "_hold", counting)
    fast = simulate_agents(q.city, q.system, damage, recovery, seed=3, enabled=enabled)
    assert len(held) == 2 and max(held) < 1400       # both strategies held, well before the end
    monkeypatch.setattr(agents, "_HOLD", False)
    held.clear()
    full = simulate_agents(q.city, q.system, damage, recovery, seed=3, enabled=enabled)
    assert not held
    assert fast.identical(full)
