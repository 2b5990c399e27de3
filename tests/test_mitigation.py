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
    table = mt.rank(res, annual_probability=0.01)
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
    assert mt.option_cost(by["crews + beds"], city, system, by) == 500 * 300   # up front
    crews, beds = mt.option_costs(by["crews + beds"], city, system, by)
    assert crews == mt.Costs(0.0, 10 * 10_000, 10 * 30 * 2000, 10)   # retainer; work in an event
    assert beds == mt.Costs(500 * 300, 500 * 10, 0.0, 15)
    assert mt.option_costs(by["pumps"], city, system) == [mt.Costs(150_000 * 2, 3_000 * 2, 0, 25)]


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
    assert summary["best"]["option"] in text and "if the event happens" in text
    assert "pays for itself" not in text and summary["best"]["bcr"] is None
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
    assert cell == "< 0.01 (0 to 0.0831)"
    row.update(bcr=-0.004, bcr_p5=-2.5, bcr_p95=float("inf"))
    assert ranking_table(pd.DataFrame([row]))["benefit–cost ratio (5–95 %)"].iloc[0] == \
        "> -0.01 (-2.5 to ∞)"


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


# --------------------------------------------------------------------------- issue 24, item 5

def _toy_results(p_cost=(0.0, 1e6, 0.0), annual=(0.0, 2e4, 1e4), event=(0.0, 0.0, 5e4),
                 life=(np.nan, 50.0, 10.0)):
    """Baseline and two options over three members, with their four costs."""
    econ = [[10e6, 12e6, 8e6], [7e6, 9e6, 6.5e6], [9e6, 10e6, 7.5e6]]
    return xr.Dataset(
        {"economic_loss": (("option", "member"), econ),
         "service_loss_person_days": (("option", "member"), [[100.0] * 3, [60.0] * 3,
                                                              [90.0, 80.0, 95.0]]),
         "capital_cost": (("option", "part"), np.array(p_cost)[:, None]),
         "annual_cost": (("option", "part"), np.array(annual)[:, None]),
         "event_cost": (("option", "part"), np.array(event)[:, None]),
         "life_years": (("option", "part"), np.array(life)[:, None]),
         "cost": ("option", list(p_cost)), "kind": ("option", ["baseline", "retrofit",
                                                                "reserve_crews"])},
        coords={"option": ["baseline", "wall", "crews"], "member": [0, 1, 2], "part": [0]})


def test_without_an_annual_probability_nothing_pays_for_itself():
    res = _toy_results()
    table = mt.rank(res)
    assert table[["bcr", "bcr_p5", "bcr_p95", "p_worth_it", "present_cost"]].isna().all().all()
    # ranked by break-even return period: (b − e) / (C / AF + a)
    wall = table.set_index("option").loc["wall"]
    b = np.mean([3e6, 3e6, 1.5e6]) + 50 * 40
    assert wall["benefit"] == pytest.approx(b)
    assert wall["break_even_return_period"] == pytest.approx(
        b / (1e6 / mt.annuity_factor(0.03, 50) + 2e4), rel=1e-12)
    assert list(table["option"]) == list(table.sort_values("break_even_return_period",
                                                           ascending=False)["option"])
    summary = mt.summarise(table, mt.value_sensitivity(res), members=3, strategy="rigid",
                           value_per_person_day=50.0, annual_probability=None)
    json.dumps(summary, allow_nan=False)                     # NaN written as null
    words = (mt.ranking_summary(summary) + mt.ranking_table(table).to_string()
             + " ".join(mt.ranking_table(table).columns)
             + mt.sensitivity_table(summary["value_sensitivity"]).to_string()).lower()
    for said in ("pays for itself", "benefit–cost ratio (", "worth it", "bcr "):
        assert said not in words
    assert "break-even return period" in words and "if the event happens" in words
    # the report's text functions that mention the mitigation scenario say no such thing either
    import inspect
    from workbench.show.report import text as report_text
    assert "pays for itself" not in inspect.getsource(report_text)
    p = validate_params({})
    assert "pays for itself" not in report_text.scenario_sentence(p, "demo")


@pytest.mark.parametrize("p, life", [(1 / 475, None), (0.01, 30.0), (1.0, None)])
def test_the_ratio_is_a_present_value_over_an_annual_probability(p, life):
    res = _toy_results()
    table = mt.rank(res, annual_probability=p, service_life_years=life,
                    discount_rate=0.031).set_index("option")
    base = res.sel(option="baseline")
    for name, cap, annual, event, own_life in (("wall", 1e6, 2e4, 0.0, 50.0),
                                              ("crews", 0.0, 1e4, 5e4, 10.0)):
        o = res.sel(option=name)
        avoided = ((base["economic_loss"] - o["economic_loss"])
                   + 50.0 * (base["service_loss_person_days"]
                             - o["service_loss_person_days"])).values
        af = mt.annuity_factor(0.031, own_life if life is None else life)
        present_cost = cap + (annual + p * event) * af      # the event cost scaled by p
        bcr = avoided * p * af / present_cost
        row = table.loc[name]
        assert row["present_cost"] == pytest.approx(present_cost, rel=1e-12)
        assert abs(row["bcr"] - bcr.mean()) < 1e-9
        assert abs(row["bcr_p5"] - np.percentile(bcr, 5)) < 1e-9
        assert row["p_worth_it"] == (bcr > 1).mean()
        # at the break-even return period the ratio is 1
        rp = row["break_even_return_period"]
        at = mt.rank(res, annual_probability=min(1.0, 1 / rp), service_life_years=life,
                     discount_rate=0.031).set_index("option").loc[name]
        if 1 / rp <= 1:
            assert abs(at["present_cost"] * at["bcr"] - at["benefit_pv"]) < 1e-6
            assert at["benefit_pv"] == pytest.approx(at["present_cost"], rel=1e-9)
    summary = mt.summarise(mt.rank(res, annual_probability=p), members=3, strategy="rigid",
                           value_per_person_day=50.0, annual_probability=p)
    assert "pays for itself" in mt.ranking_summary(summary)


def test_a_combination_annualises_each_part_over_its_own_life():
    res = _toy_results()
    two = res.isel(option=[0, 1, 1]).assign_coords(option=["baseline", "a", "a + b"])
    two = two.drop_vars(["capital_cost", "annual_cost", "event_cost", "life_years", "part"])
    two["capital_cost"] = (("option", "part"), [[0, 0], [1e6, 0], [1e6, 2e5]])
    two["annual_cost"] = (("option", "part"), [[0, 0], [0, 0], [0, 5e3]])
    two["event_cost"] = (("option", "part"), [[0, 0], [0, 0], [0, 1e4]])
    two["life_years"] = (("option", "part"), [[np.nan] * 2, [50, np.nan], [50, 15]])
    row = mt.rank(two, annual_probability=0.01).set_index("option").loc["a + b"]
    af = mt.annuity_factor
    eac = 1e6 / af(0.03, 50) + 2e5 / af(0.03, 15) + 5e3
    assert row["life_years"] == 50 and row["cost"] == 1.2e6
    assert row["equivalent_annual_cost"] == pytest.approx(eac, rel=1e-12)
    assert row["present_cost"] == pytest.approx(af(0.03, 50) * (eac + 0.01 * 1e4), rel=1e-12)


@pytest.mark.parametrize("kwargs, match", [
    ({"annual_probability": -0.01}, "annual_probability"),
    ({"annual_probability": 2.0}, "annual_probability"),
    ({"discount_rate": -0.03}, "discount_rate"),
    ({"service_life_years": 0}, "service_life_years"),
])
def test_bad_valuation_settings_are_named(kwargs, match):
    with pytest.raises(InputError, match=match):
        mt.rank(_toy_results(), **kwargs)
    from workbench.core.errors import ParameterError
    with pytest.raises(ParameterError, match=f"mitigation.{match}"):
        validate_params({"mitigation": kwargs})


def test_bad_option_costs_are_named():
    with pytest.raises(InputError, match="'x' life_years must be a finite number > 0"):
        mt.parse_options([{"name": "x", "kind": "shelters", "places": 1, "life_years": 0}])
    with pytest.raises(InputError, match="'x' annual_cost must be"):
        mt.parse_options([{"name": "x", "kind": "shelters", "places": 1, "annual_cost": -5}])
    opt = mt.parse_options([{"name": "x", "kind": "shelters", "places": 10, "cost": 1e3,
                             "event_cost": 7.0}])[0]
    assert mt.option_costs(opt, None, None) == [mt.Costs(1e3, 0.0, 7.0, 15.0)]


def test_the_ranking_is_shown_at_three_values_of_a_person_day():
    res = _toy_results()
    sens = mt.value_sensitivity(res, annual_probability=0.01)
    assert sorted(sens["value_per_person_day"].unique()) == [25.0, 50.0, 100.0]
    at_100 = sens[sens["value_per_person_day"] == 100.0].set_index("option")
    assert at_100.loc["wall", "bcr"] == pytest.approx(mt.rank(
        res, value_per_person_day=100.0, annual_probability=0.01).set_index(
            "option").loc["wall", "bcr"])
    wide = mt.sensitivity_table(sens)
    assert list(wide.columns) == [f"{v} EUR per person-day (rank · benefit–cost ratio)"
                                  for v in (25, 50, 100)]
    summary = mt.summarise(mt.rank(res), mt.value_sensitivity(res), members=3,
                           strategy="rigid", value_per_person_day=50.0)
    assert "dominant assumption" in mt.ranking_summary(summary)


def _high_code(city):
    """Every building built after 1975: under UBC zone 4, high code (Hazus)."""
    b = city.buildings
    return city.with_buildings(b.assign(year_built=("building",
                                                    np.full(b.sizes["building"], 1990))))


def test_a_retrofit_raises_to_max_of_current_and_target_and_charges_only_what_it_changes(demo):
    from workbench.hazard.fragility import building_fragility
    params, city, system, _ = demo
    opt = mt.parse_options([{"name": "r", "kind": "retrofit", "types": ALL_TYPES,
                             "to": "MC"}])[0]
    before, _ = building_fragility(city, design_code="4")
    c, *_ = mt.apply(opt, city, system, stages.constraints(params),
                     wb.functionality.Shelters(), design_code="4")
    after, _ = building_fragility(c, design_code="4")
    assert (after >= before).all()                 # no median lowered (HC stays HC)
    raised = (after > before).any(axis=1)
    assert 0 < raised.sum() < len(raised)
    share = mt.DEFAULTS["retrofit_cost_share"]["MC"]
    replacement = wb.hazard.fragility.replacement_cost(city.buildings)
    assert mt.option_cost(opt, city, system, design_code="4") == pytest.approx(
        share * replacement[raised].sum())
    # a high-code city: nothing to raise, nothing charged
    high = _high_code(city)
    h, *_ = mt.apply(opt, high, system, stages.constraints(params),
                     wb.functionality.Shelters(), design_code="4")
    np.testing.assert_array_equal(building_fragility(h, design_code="4")[0],
                                  building_fragility(high, design_code="4")[0])
    assert mt.option_cost(opt, high, system, design_code="4") == 0


@pytest.mark.slow
def test_a_retrofit_of_a_high_code_city_never_gives_a_negative_avoided_loss(demo):
    params, city, system, intensity = demo
    high = _high_code(city)
    opts = mt.parse_options([
        {"name": "to-MC", "kind": "retrofit", "types": ALL_TYPES, "to": "MC"},
        {"name": "public-to-HC", "kind": "retrofit", "types": ["public"], "to": "HC"}])
    res = mt.evaluate(opts, high, system, intensity, stages.constraints(params),
                      sample_members(members=4, seed=7), design_code="4")
    base = res.sel(option="baseline")
    for name in ("to-MC", "public-to-HC"):
        o = res.sel(option=name)
        for key in ("economic_loss", "service_loss_person_days", "repair_cost"):
            assert ((base[key] - o[key]).values >= 0).all(), (name, key)
        assert float(o["cost"]) == 0
    table = mt.rank(res)
    assert (table["benefit_p5"] >= 0).all()


@pytest.mark.slow
def test_options_in_effect_take_the_runs_design_code(demo):
    """``mitigation.apply`` in stages 01–05 raises buildings to max(current, target) under the
    run's ``damage.design_code``, as stage 06 does: under zone 4 a high-code city is not lowered
    to moderate code (and the city default would have changed other buildings)."""
    params, city, system, _ = demo
    high = _high_code(city)
    spec = {"name": "to-MC", "kind": "retrofit", "types": ALL_TYPES, "to": "MC"}
    levels = {}
    for code in ("4", "city"):
        p = validate_params({"damage": {"design_code": code},
                             "mitigation": {"apply": ["to-MC"], "options": [spec],
                                            "combinations": []}})
        levels[code] = stages.mitigated(p, high, system)[0].buildings["design_level"].values
        _, changed = mt._retrofit_levels(high, spec, "to-MC", code)
        assert (levels[code] == "MC").sum() == changed.sum(), code
    assert (levels["4"] == "MC").sum() == 0
    assert (levels["city"] == "MC").sum() > 0


def test_a_member_that_fails_stops_the_comparison_naming_its_seeds(demo, monkeypatch):
    """Options are compared member by member: a failed member is not left out of one option
    (as stage 05 may), it stops the stage."""
    import workbench.uncertainty.ensemble as ensemble
    from workbench.core.errors import StageError
    real = ensemble._member_arrays

    def member(city, system, intensity, constraints, values, *args, **kwargs):
        if int(values["member"]) == 1:
            raise FloatingPointError("injected")
        return real(city, system, intensity, constraints, values, *args, **kwargs)
    monkeypatch.setattr(ensemble, "_member_arrays", member)
    with pytest.raises(StageError, match=r"1 of 2 members failed, more than the 0% allowed.*"
                                         r"member 1 \(damage seed \d+\): FloatingPointError"):
        _evaluate(demo, [{"name": "noop", "kind": "shelters", "places": 0, "cost": 1e6}],
                  members=2)
