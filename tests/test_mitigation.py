"""Stage 06 (issue [mitigation]): options ranked by benefit and cost over an ensemble with
common random numbers; the checks of the issue's done-when, bad input, the stage's files."""

import json

import numpy as np
import xarray as xr
import pytest

import workbench as wb
from workbench import mitigation as mt
from workbench.core.errors import InputError
from workbench.run.params import validate_params
from workbench.run.pipeline import stages
from workbench.run.pipeline.mitigation import mitigation_stage, write_mitigation
from workbench.uncertainty.ensemble import sample_members

ALL_TYPES = ["residential", "office", "commercial", "industrial", "public"]


@pytest.fixture(scope="module")
def demo():
    params = validate_params({})
    city = wb.map_city(wb.demo_city(), max_distance=params["map"]["max_distance_m"])
    system = wb.build_system(city)
    intensity = stages.hazard_intensity(params["hazard"], city, system.components)
    return params, city, system, intensity


def _evaluate(demo, options, combinations=(), members=5, seed=3):
    params, city, system, intensity = demo
    opts = mt.parse_options(options, combinations)
    return mt.evaluate(opts, city, system, intensity, stages.constraints(params),
                       sample_members(members=members, seed=seed))


@pytest.mark.slow
def test_a_no_op_option_has_ratio_0_and_ranks_last(demo):
    res = _evaluate(demo, [
        {"name": "noop", "kind": "shelters", "places": 0, "cost": 1e6},
        {"name": "retrofit-homes", "kind": "retrofit", "types": ["residential"], "to": "MC"}])
    table = mt.rank(res)
    noop = table.set_index("option").loc["noop"]
    assert noop["bcr"] == 0 and noop["bcr_p5"] == 0 and noop["bcr_p95"] == 0
    assert noop["avoided_economic_loss"] == 0 and noop["p_worth_it"] == 0
    assert table["option"].iloc[-1] == "noop" and table["rank"].iloc[-1] == len(table)


@pytest.mark.slow
def test_retrofitting_every_building_to_the_top_level_never_raises_expected_loss(demo):
    res = _evaluate(demo, [{"name": "all-HC", "kind": "retrofit", "types": ALL_TYPES,
                            "to": "HC"}], members=6)
    base, hc = res.sel(option="baseline"), res.sel(option="all-HC")
    assert float(hc["economic_loss"].mean()) < float(base["economic_loss"].mean())
    assert float(hc["service_loss_person_days"].mean()) <= float(
        base["service_loss_person_days"].mean())
    assert float(hc["repair_cost"].mean()) < float(base["repair_cost"].mean())
    assert float(res["cost"].sel(option="all-HC")) > 0


@pytest.mark.slow
def test_common_random_numbers_narrow_the_comparison(demo):
    """The same members for baseline and option vs the option on other members."""
    params, city, system, intensity = demo
    opts = mt.parse_options([{"name": "retrofit-homes", "kind": "retrofit",
                              "types": ["residential"], "to": "MC"}])
    limits = stages.constraints(params)
    paired = mt.evaluate(opts, city, system, intensity, limits, sample_members(members=8, seed=5))
    other = mt.evaluate(opts, city, system, intensity, limits, sample_members(members=8, seed=6))
    base = paired["economic_loss"].sel(option="baseline").values
    crn = base - paired["economic_loss"].sel(option="retrofit-homes").values
    independent = base - other["economic_loss"].sel(option="retrofit-homes").values
    se_crn = crn.std(ddof=1) / np.sqrt(len(crn))
    se_ind = np.sqrt(base.var(ddof=1) / 8 + other["economic_loss"].sel(
        option="retrofit-homes").values.var(ddof=1) / 8)
    assert se_crn < se_ind / 2                   # pairing removes most of the noise
    assert abs(crn.mean() - independent.mean()) < 4 * se_ind
    row = mt.rank(paired).iloc[0]                # and rank() states both half-widths
    assert row["avoided_loss_ci90_crn"] < row["avoided_loss_ci90_independent"]


def test_options_act_on_their_input_and_combinations_on_all_of_theirs(demo):
    params, city, system, intensity = demo
    opts = mt.parse_options([
        {"name": "pumps", "kind": "backup_power"},
        {"name": "crews", "kind": "reserve_crews", "crews": {"building": 10}, "days": 30},
        {"name": "beds", "kind": "shelters", "places": 500, "from_day": 2}], [["crews", "beds"]])
    by = {o.name: o for o in opts}
    shelters = wb.functionality.Shelters()
    c, s, k, sh = mt.apply(by["crews + beds"], city, system, stages.constraints(params),
                           shelters, by_name=by)
    assert k.reserve_pools[0] == 10 and k.reserve_days == 30
    assert sh.temporary_places == 500 and sh.temporary_from_day == 2
    _, s2, _, _ = mt.apply(by["pumps"], city, system, stages.constraints(params), shelters)
    assert len(s2.pump_components) == 0 < len(system.pump_components)   # no grid dependency
    # every power component out: the pumps stop without backup, not with it
    power_out = np.asarray(system.components["network"].values) != "power"
    pumps = np.flatnonzero(np.asarray(system.components["kind"].values) == "pump")
    assert not system.cascade(power_out)[pumps].any() and s2.cascade(power_out)[pumps].all()
    assert mt.option_cost(by["crews + beds"], city, system, by) == 10 * 30 * 2000 + 500 * 300
    assert mt.option_cost(by["pumps"], city, system) == 150_000 * 2


@pytest.mark.slow
def test_the_same_seed_gives_the_same_ranking(demo):
    options = [{"name": "beds", "kind": "shelters", "places": 500}]
    a, b = _evaluate(demo, options, members=3), _evaluate(demo, options, members=3)
    assert a.identical(b)


@pytest.mark.parametrize("options, combinations, match", [
    ([{"name": "x", "kind": "shelters", "places": 10, "cost": -1}], [], "cost must be"),
    ([{"name": "x", "kind": "moat"}], [], "unknown kind 'moat'.*retrofit"),
    ([{"name": "x", "kind": "shelters", "places": 10}], [["x", "y"]], "unknown option"),
    ([{"name": "x", "kind": "retrofit", "to": "MC"}], [], "names no buildings"),
    ([{"name": "x", "kind": "retrofit", "types": ["public"], "to": "ZZ"}], [], "to must be"),
    ([{"name": "x", "kind": "shelters", "places": 1, "colour": 2}], [], "unknown field"),
    ([{"name": "x", "kind": "reserve_crews", "crews": 3, "days": 0}], [], "days"),
])
def test_bad_options_are_named(options, combinations, match):
    with pytest.raises(InputError, match=match):
        mt.parse_options(options, combinations)


def test_a_retrofit_of_a_class_absent_from_the_city_says_so(demo):
    params, city, system, intensity = demo
    opt = mt.parse_options([{"name": "x", "kind": "retrofit", "structural_classes": ["PC2"]}])[0]
    with pytest.raises(InputError, match=r"structural_classes \['PC2'\] not in the city"):
        mt.option_cost(opt, city, system)


def test_backup_power_in_a_city_without_pumps_says_so():
    city = wb.toy_city()
    system = wb.build_system(city)
    opt = mt.parse_options([{"name": "gen", "kind": "backup_power"}])[0]
    with pytest.raises(InputError, match="no pump"):
        mt.option_cost(opt, city, system)


@pytest.mark.slow
def test_stage_06_writes_its_ranking(demo, tmp_path):
    params, city, system, _ = demo
    params = validate_params({"mitigation": {"members": 3}})
    result = mitigation_stage(params, city, system)
    write_mitigation(tmp_path, result)
    table = (tmp_path / "mitigation.csv").read_text()
    assert table.splitlines()[0].startswith("option,kind,cost")
    summary = json.loads((tmp_path / "mitigation.json").read_text())
    assert summary["best"]["option"] == result.ranking["option"].iloc[0]
    assert set(summary["options"]) == {o["name"] for o in params["mitigation"]["options"]} | {
        " + ".join(c) for c in params["mitigation"]["combinations"]}
    text = mt.ranking_summary(summary)
    assert summary["best"]["option"] in text and "per event" in text
    assert mitigation_stage(validate_params({"mitigation": {"members": 0}}), city, system) is None


def test_mitigation_apply_names_options_only():
    from workbench.core.errors import ParameterError
    with pytest.raises(ParameterError, match=r"mitigation.apply.*unknown: \['nope'\]"):
        validate_params({"mitigation": {"apply": ["nope"]}})
    with pytest.raises(ParameterError, match="distinct option names"):
        validate_params({"mitigation": {"apply": ["shelters", "shelters"]}})
    assert validate_params({"mitigation": {"apply": ["shelters"]}})["mitigation"]["apply"] == [
        "shelters"]


def test_options_in_effect_act_in_stage_04(demo):
    params, city, system, _ = demo
    base = validate_params({"strategies": ["flexible"]})
    done = validate_params({"strategies": ["flexible"],
                            "mitigation": {"apply": ["retrofit-homes", "shelters"]}})
    c, s, k, sh = stages.mitigated(done, city, system)
    assert sh.temporary_places == 2000 and "design_level" in c.buildings
    rec = {}
    for name, p in (("base", base), ("done", done)):
        damage = stages.damage_stage(p, city, system)
        rec[name] = stages.recovery_stage(p, city, damage, system).summaries[0]["flexible"]
    assert rec["done"]["economic_loss"] < rec["base"]["economic_loss"]
    assert rec["done"]["service_loss_person_days"] < rec["base"]["service_loss_person_days"]


def test_the_ranking_table_prints_no_ratio_to_five_decimals():
    import pandas as pd
    from workbench.mitigation import ranking_table
    row = {"option": "o", "kind": "shelters", "cost": 1e6, "avoided_economic_loss": 3080.0,
           "avoided_economic_loss_p5": 0.0, "avoided_economic_loss_p95": 8310.0,
           "avoided_person_days": 1.0, "avoided_person_days_p5": 0.0,
           "avoided_person_days_p95": 2.0, "bcr": 0.00308, "bcr_p5": 0.0, "bcr_p95": 0.0831,
           "p_worth_it": 0.0, "rank": 1}
    cell = ranking_table(pd.DataFrame([row]))["benefit–cost ratio (5–95 %)"].iloc[0]
    assert cell == "< 0.01 (0 – 0.0831)"
    row.update(bcr=-0.004, bcr_p5=-2.5, bcr_p95=float("inf"))
    assert ranking_table(pd.DataFrame([row]))["benefit–cost ratio (5–95 %)"].iloc[0] == \
        "> -0.01 (-2.5 – ∞)"


def test_displacement_is_priced_per_day_beside_the_service_loss():
    # two members; the option avoids 10 person-days displaced outside a shelter and adds 4
    # occupied shelter place-days (it shelters people who would have been elsewhere)
    res = xr.Dataset(
        {"economic_loss": (("option", "member"), [[100.0, 100.0], [90.0, 90.0]]),
         "service_loss_person_days": (("option", "member"), [[5.0, 5.0], [3.0, 3.0]]),
         "displaced_person_days": (("option", "member"), [[20.0, 20.0], [14.0, 14.0]]),
         "sheltered_person_days": (("option", "member"), [[6.0, 6.0], [10.0, 10.0]]),
         "repair_cost": (("option", "member"), [[0.0, 0.0], [0.0, 0.0]]),
         "cost": ("option", [0.0, 100.0]), "kind": ("option", ["baseline", "shelters"])},
        coords={"option": ["baseline", "beds"], "member": [0, 1]})
    row = mt.rank(res, value_per_person_day=2.0, displacement_cost_per_person_day=3.0,
                  shelter_cost_per_place_day=1.0).iloc[0]
    # ΔE 10 + v·ΔS 2·2 + d·(ΔD − ΔH) 3·(6 − (−4)) + c·ΔH 1·(−4)
    assert row["benefit"] == pytest.approx(10 + 4 + 30 - 4)
    assert row["avoided_displaced_person_days"] == 6.0
    assert row["avoided_sheltered_person_days"] == -4.0
    with pytest.raises(InputError, match="shelter_cost_per_place_day"):
        mt.rank(res, shelter_cost_per_place_day=-1.0)
