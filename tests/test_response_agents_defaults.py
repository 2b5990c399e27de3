"""Tests of the agents' sourced defaults (workbench.response.agents): the Hazus displaced-household
weights, the Hazus shelter-seeking factors by income, the Lin (2008) option, and the
decomposition of what moves the service loss.

The toy city (workbench.city.toy_city): residents b0 30, b1 60 (residential); with
``household_size=1`` they are 30 and 60 households (multi-family buildings), with
``household_size=100`` one household each (single-family).
"""

import dataclasses

import numpy as np
import pandas as pd
import pytest
import xarray as xr

from workbench.city import toy_city
from workbench.city.mapping import map_city
from workbench.core.errors import InputError
from workbench.functionality import Shelters, residents
from workbench.metrics.indexes import displaced_person_days, service_loss
from workbench.network.system import build_system
from workbench.recovery import Constraints, simulate_recovery
from workbench.response import agents_decomposition as exported_decomposition
from test_response_agents import _damage
from workbench.response.agents import (ASSUMPTIONS, DECOMPOSITION_CASES, HAZUS_DISPLACED_WEIGHTS,
                                       HAZUS_SHELTER_INCOME_CLASSES, HAZUS_SHELTER_WEIGHTS,
                                       RECOVERY_CASE, Households, agents_decomposition,
                                       hazus_displaced_share, shelter_seeking_probability,
                                       simulate_agents)


@pytest.fixture(scope="module")
def toy():
    city = map_city(toy_city())
    return city, build_system(city)


def _scenario(toy, states, **kw):
    """(city, system, damage, flexible recovery) of the toy city with building states ``states``."""
    city, system = toy
    damage = _damage(system, states, **kw)
    rec = simulate_recovery(city, system, damage, Constraints(crews=1, horizon_days=3),
                            strategies=["flexible"])
    return city, system, damage, rec


def _day0(out) -> xr.DataArray:
    """Persons by state on day 0 of the first strategy."""
    return out["persons"].isel(strategy=0, time=0)


def _with_income(city, per_capita):
    b = city.buildings
    return dataclasses.replace(city, buildings=b.assign(
        income_per_capita=("building", np.broadcast_to(np.asarray(per_capita, float),
                                                       (b.sizes["building"],)).copy())))


# --------------------------------------------------------------------------- dislocation

def test_hazus_displaced_share_is_the_manuals_table():
    assert hazus_displaced_share([0, 1, 2, 3, 4], [False] * 5).tolist() == [0, 0, 0, 0.9, 1]
    assert hazus_displaced_share([0, 1, 2, 3, 4], [True] * 5).tolist() == [0, 0, 0, 0, 1]
    assert HAZUS_DISPLACED_WEIGHTS["multi_family"][2:] == (0.0, 0.9, 1.0)   # M, E, C
    with pytest.raises(InputError, match="Hazus states 0..4"):
        hazus_displaced_share([5], [True])


def test_hazus_default_complete_damage_empties_moderate_keeps(toy):
    hh = Households(household_size=1.0)                  # 90 households in b0, b1
    out = simulate_agents(*_scenario(toy, [4, 4, 0, 0, 0, 0], building_days=50.0),
                          households=hh)
    assert float(_day0(out).sel(state="home")) == 0
    out = simulate_agents(*_scenario(toy, [2, 2, 0, 0, 0, 0], building_days=50.0),
                          households=hh)
    assert float(_day0(out).sel(state="home")) == 90


def test_hazus_extensive_damage_displaces_nine_tenths_of_multi_family_households(toy):
    args = _scenario(toy, [3, 3, 0, 0, 0, 0], building_days=50.0)
    away = [90 - float(_day0(simulate_agents(*args, households=Households(household_size=1.0),
                                             seed=s)).sel(state="home")) for s in range(30)]
    # 90 households, p = 0.9: sd of the mean of 30 draws 0.52 persons
    assert np.mean(away) == pytest.approx(0.9 * 90, abs=2.0)
    assert len(set(away)) > 1                             # a draw per household, not a fixed share


def test_single_family_household_stays_home_after_extensive_damage(toy):
    # the decision of the module docstring: Hazus (weight 0) decides, the household counts home
    single = Households(household_size=100.0)            # one household per building
    city, system, damage, rec = _scenario(toy, [3, 4, 0, 0, 0, 0], building_days=50.0)
    out = simulate_agents(city, system, damage, rec, households=single)
    p = out["persons"].isel(strategy=0)
    assert float(p.sel(state="home", time=0)) == 30      # b0 (DS3) stays, b1 (DS4) leaves
    assert (p.sel(state="home") == 30).all()             # and stays: its building has service
    np.testing.assert_allclose(p.sum("state"), residents(city.buildings).sum())
    assert out.attrs["dislocation_model"] == "hazus"


def test_recovery_dislocation_leaves_with_the_usable_share(toy):
    # "recovery": P = 1 − q; DS3 (q = 0) empties, DS0 keeps everyone
    out = simulate_agents(*_scenario(toy, [3, 0, 0, 0, 0, 0], building_days=50.0),
                          households=Households(household_size=1.0,
                                                dislocation_model="recovery"))
    assert float(_day0(out).sel(state="home")) == 60


#: Persons by state on days 0–30 of the scenario of the next test, computed by the code before
#: the Hazus defaults (commit 9a41d54: Lin's dislocation and 30 % of leavers seeking shelter).
_LIN_BEFORE = {
    "home": [18, 18, 18, 17, 14, 12, 12, 12, 14, 14, 16, 16, 26, 32, 43, 45, 48, 51, 52, 54, 57,
             61, 63, 63, 65, 68, 70, 75, 76, 77, 78],
    "shelter": [25, 25, 25, 26, 27, 27, 27, 27, 25, 25, 23, 23, 14, 10, 4, 4, 3, 2, 2, 2, 1, 1, 1,
                1, 1, 0, 0, 0, 0, 0, 0],
    "elsewhere": [47, 47, 47, 47, 49, 51, 51, 51, 51, 51, 51, 51, 50, 48, 43, 41, 39, 37, 36, 34,
                  32, 28, 26, 26, 24, 22, 20, 15, 14, 13, 12],
    "unsheltered": [0] * 31}


def test_the_lin_option_gives_the_numbers_of_before(toy):
    # a recovery written by hand (b0 DS2 back on day 8, b1 DS3 on day 12, the water source on
    # day 6) and room for every seeker in temporary places: the numbers depend on the agents
    # alone, not on the scheduler or on how many places the hosts offer
    city, system = toy
    damage = xr.Dataset({"building_damage_state": ("building", np.array([2, 3, 0, 0, 0, 0]))},
                        coords={"building": city.buildings["building"].values})
    ids = list(system.component_ids)
    c_day = np.zeros(len(ids))
    c_day[ids.index("water:W0")] = 6.0
    rec = xr.Dataset({"building_restored_day": ("building", [8.0, 12.0, 0, 0, 0, 0]),
                      "component_restored_day": ("component", c_day),
                      "ep": ("time", np.zeros(31)), "sc": ("time", np.zeros(31))},
                     coords={"building": city.buildings["building"].values, "component": ids,
                             "time": np.arange(31)})
    hh = Households(household_size=1.0, dislocation_model="lin2008", shelter_model="share")
    p = simulate_agents(city, system, damage, rec, seed=11, households=hh,
                        shelters=Shelters(temporary_places=1000.0))["persons"]
    for state, before in _LIN_BEFORE.items():
        np.testing.assert_allclose(p.sel(state=state), before, atol=1e-9, err_msg=state)


@pytest.mark.parametrize("model", ["hazus", "lin2008", "recovery"])
def test_nobody_is_created_or_lost_under_each_dislocation_model(toy, model):
    city, system = toy
    damage = _damage(system, [2, 3, 4, 0, 0, 0], out=["water:W0"], out_days=5.0,
                     building_days=9.0)
    rec = simulate_recovery(city, system, damage, Constraints(crews=1, horizon_days=25))
    out = simulate_agents(_with_income(city, 20_000.0), system, damage, rec, seed=3,
                          households=Households(dislocation_model=model))
    np.testing.assert_allclose(out["persons"].sum("state"), 90.0, rtol=1e-12)
    n_agents = int(out["households"].isel(strategy=0, time=0).sum())
    assert (out["households"].sum("state") == n_agents).all()


# --------------------------------------------------------------------------- shelter seeking

def test_shelter_seeking_probability_follows_the_income_table():
    usd = 0.451                                          # the default conversion
    middle = np.array([5_000.0, 12_500.0, 20_000.0, 30_000.0, 50_000.0]) / usd
    assert shelter_seeking_probability(middle).tolist() == list(
        HAZUS_SHELTER_INCOME_CLASSES["factor"]) == [0.62, 0.42, 0.29, 0.22, 0.13]
    # the class bounds: $10,000 opens the second class
    assert shelter_seeking_probability([9_999.0, 10_000.0, 35_000.0], usd_per_eur=1.0
                                       ).tolist() == [0.62, 0.42, 0.13]
    assert shelter_seeking_probability([0.0]).tolist() == [0.62]
    # no income: the flat share; the weights are the manual's
    assert shelter_seeking_probability([np.nan], fallback=0.25).tolist() == [0.25]
    assert dict(HAZUS_SHELTER_WEIGHTS) == {"income": 0.73, "ethnicity": 0.27, "ownership": 0.0,
                                           "age": 0.0}
    with pytest.raises(InputError, match="household income must be ≥ 0"):
        shelter_seeking_probability([-1.0])


@pytest.mark.parametrize("per_capita, factor", [(5_000.0, 0.62), (100_000.0, 0.13)])
def test_households_seek_shelter_by_their_income_class(toy, per_capita, factor):
    city, system, damage, rec = _scenario(toy, [4, 4, 0, 0, 0, 0], building_days=50.0)
    city = _with_income(city, per_capita)                # household income = per capita × 1
    hh = Households(household_size=1.0)
    seekers = []
    for seed in range(30):
        p = _day0(simulate_agents(city, system, damage, rec, households=hh, seed=seed))
        seekers.append(float(p.sel(state="shelter") + p.sel(state="unsheltered")))
    assert np.mean(seekers) == pytest.approx(factor * 90, abs=3.0)


def test_income_is_ignored_with_the_share_model_and_unknown_income_falls_back(toy):
    city, system, damage, rec = _scenario(toy, [4, 4, 0, 0, 0, 0], building_days=50.0)
    poor = _with_income(city, 5_000.0)
    nobody = Households(household_size=1.0, shelter_model="share", shelter_share=0.0)
    assert float(_day0(simulate_agents(poor, system, damage, rec, households=nobody)).sel(
        state="elsewhere")) == 90
    assert "income_per_capita" not in city.buildings                 # the toy city has none
    everyone = Households(household_size=1.0, shelter_share=1.0)     # the fallback share
    p = _day0(simulate_agents(city, system, damage, rec, households=everyone))
    assert float(p.sel(state="elsewhere")) == 0


def test_same_seed_same_draws_with_the_income_model(toy):
    city, system, damage, rec = _scenario(toy, [4, 3, 0, 0, 0, 0], building_days=50.0)
    city = _with_income(city, [5_000.0, 60_000.0, 0, 0, 0, 0])
    hh = Households(household_size=1.0)
    a = simulate_agents(city, system, damage, rec, households=hh, seed=7)
    xr.testing.assert_identical(a, simulate_agents(city, system, damage, rec, households=hh,
                                                   seed=7))
    b = simulate_agents(city, system, damage, rec, households=hh, seed=8)
    assert not np.array_equal(a["persons"].values, b["persons"].values)


# --------------------------------------------------------------------------- settings

@pytest.mark.parametrize("kwargs, match", [
    ({"dislocation_model": "lin"},
     "dislocation_model must be one of 'hazus', 'lin2008', 'recovery', got 'lin'"),
    ({"shelter_model": "income"}, "shelter_model must be one of 'hazus', 'share', got 'income'"),
    ({"income_usd_per_eur": 0}, "income_usd_per_eur must be a finite number > 0, got 0"),
    ({"return_needs_services": "yes"}, "return_needs_services must be true or false, got 'yes'"),
])
def test_bad_new_settings_name_the_field_and_value(kwargs, match):
    with pytest.raises(InputError, match=match):
        Households(**kwargs)


def test_new_defaults_are_registered_with_their_status():
    by_name = {a.name: a for a in ASSUMPTIONS}
    for name in ("hazus_displaced_household_weights", "hazus_shelter_income_factors",
                 "hazus_shelter_weights"):
        assert by_name[name].status == "cited" and "Hazus" in by_name[name].source
    for name in ("hazus_displacement_overrides_placard", "shelter_weights_without_data",
                 "income_usd_per_eur", "shelter_seeking_share"):
        assert by_name[name].status == "assumption"
    assert "transfer" in by_name["dislocation_logit_coefficients"].source
    assert "transfer" in by_name["income_usd_per_eur"].source
    assert Households().income_usd_per_eur == by_name["income_usd_per_eur"].value


# --------------------------------------------------------------------------- decomposition

@pytest.mark.slow
def test_the_decomposition_has_its_rows_and_all_off_is_the_recovery(toy):
    city, system = toy
    # DS3–4 homes (q = 0) leave no choice, so with every mechanism off the agents are the recovery
    damage = _damage(system, [4, 3, 0, 0, 0, 0], out=["power:P1"], out_days=5.0,
                     building_days=6.0)
    rec = simulate_recovery(city, system, damage, Constraints(crews=1, horizon_days=20))
    hh = Households(household_size=1.0)       # households of one: places fill as the recovery's
    table = agents_decomposition(city, system, damage, rec, households=hh, seed=2)
    assert exported_decomposition is agents_decomposition
    cases = [RECOVERY_CASE] + [label for label, _ in DECOMPOSITION_CASES]
    assert table.index.get_level_values("case").unique().tolist() == cases
    assert table.index.get_level_values("strategy").unique().tolist() == [
        "rigid", "semiflexible", "flexible"]
    assert list(table.columns) == ["service_loss_person_days", "displaced_person_days",
                                   "sheltered_person_days", "service_loss_change", "gap_closed"]
    # each row is the index of a simulate_agents run
    agents = simulate_agents(city, system, damage, rec, households=hh, seed=2)
    row = table.xs("agents", level="case")
    np.testing.assert_allclose(row["service_loss_person_days"], service_loss(agents).values)
    np.testing.assert_allclose(row["displaced_person_days"],
                               displaced_person_days(agents).values)
    assert (row["service_loss_change"] == 0).all()
    off = table.xs(RECOVERY_CASE, level="case")
    np.testing.assert_allclose(off["service_loss_person_days"], service_loss(rec).values)
    np.testing.assert_allclose(off["displaced_person_days"], displaced_person_days(rec).values)
    every = table.xs("all of these off", level="case")
    for column in ("service_loss_person_days", "displaced_person_days", "sheltered_person_days"):
        np.testing.assert_allclose(every[column], off[column], rtol=1e-12, err_msg=column)
    np.testing.assert_allclose(every["gap_closed"], 1.0)
    # the same seed gives the same table
    pd.testing.assert_frame_equal(table, agents_decomposition(city, system, damage, rec,
                                                              households=hh, seed=2))


def test_the_decomposition_takes_one_strategy_and_checks_the_settings(toy):
    city, system, damage, rec = _scenario(toy, [4, 0, 0, 0, 0, 0], building_days=2.0)
    table = agents_decomposition(city, system, damage, rec.isel(strategy=0), seed=1)
    assert table.index.get_level_values("strategy").unique().tolist() == ["-"]
    assert len(table) == len(DECOMPOSITION_CASES) + 1
    with pytest.raises(InputError, match="must be Households"):
        agents_decomposition(city, system, damage, rec, households={"household_size": 2})
