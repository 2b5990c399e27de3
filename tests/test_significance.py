"""Significance tests of survey features: planted effects found, nulls at their nominal rate, the
numbers agree with the libraries, bad input named."""

import math

import numpy as np
import pandas as pd
import pingouin as pg
import pytest
from scipy import stats
from statsmodels.stats.multitest import multipletests

from workbench.core.errors import InputError
from workbench.models.significance import (CORRECTIONS, TABLE_COLUMNS, select_features,
                                           significance_tests)
from workbench.models.survey import (D0_GROUND_TRUTH, SURVEY_FEATURES, SURVEY_GROUND_TRUTH,
                                     synthetic_survey)

PLANTED = {f for f, planted in SURVEY_GROUND_TRUTH.items() if planted}
ALPHA = 0.05


@pytest.fixture(scope="module")
def table():
    return significance_tests(synthetic_survey(600, seed=0))


@pytest.mark.parametrize("seed", [0, 1, 2, 3, 4])
def test_planted_features_are_selected_and_nulls_are_not(seed):
    survey = synthetic_survey(600, seed=seed)
    assert PLANTED <= set(select_features(significance_tests(survey)))
    # At alpha = 0.05 Holm lets a null feature in on 5 % of surveys (seed 1 selects
    # road_satisfaction, p_adj 0.047; the rate itself is tested on 200 null surveys below), so
    # "no null selected" is checked at alpha = 0.01, where the planted effects still pass.
    assert set(select_features(significance_tests(survey, alpha=0.01))) == PLANTED


def test_d0_target_selects_the_d0_effects():
    table = significance_tests(synthetic_survey(600, seed=0), target="d0")
    assert set(select_features(table)) == {f for f, v in D0_GROUND_TRUTH.items() if v}


def test_planted_effects_are_moderate_and_nulls_small(table):
    primary = table[table["primary"]].set_index("feature")["effect_size"]
    assert all(0.03 < primary[f] < 0.25 for f in PLANTED)        # η² or ε²: moderate
    assert all(primary[f] < 0.03 for f in SURVEY_FEATURES if f not in PLANTED)


def test_table_is_tidy_with_one_primary_test_per_feature(table):
    assert tuple(table.columns) == TABLE_COLUMNS
    assert list(table.drop_duplicates("feature")["feature"]) == list(SURVEY_FEATURES)
    assert (table.groupby("feature")["primary"].sum() == 1).all()
    tests = table.groupby("feature", sort=False)["test"].agg(tuple)
    assert tests["education"] == tests["building_type"] == ("anova", "kruskal")   # k ≥ 3 levels
    assert tests["floor_area_m2"] == ("welch_t", "anova", "kruskal")
    groups = table.set_index(["feature", "test"])["groups"]
    assert groups["building_type", "kruskal"] == 5 and groups["education", "anova"] == 3
    assert groups["income_per_capita", "welch_t"] == 2 and groups["income_per_capita", "anova"] == 4
    assert (table["n"] == 600).all() and not table.loc[~table["primary"], "selected"].any()
    assert table.attrs == {"target": "rss", "alpha": 0.05, "correction": "holm", "bins": 4}


def test_primary_test_follows_the_stated_rule(table):
    k_rows = table[table["test"] != "welch_t"].drop_duplicates("feature").set_index("feature")
    primary = table[table["primary"]].set_index("feature")["test"]
    normal = k_rows["normality_p"] >= ALPHA           # NaN (not testable) counts as not normal
    parametric = np.where(k_rows["groups"] == 2, "welch_t", "anova")
    equal = (k_rows["groups"] == 2) | (k_rows["equal_variance_p"] >= ALPHA)
    expected = pd.Series(np.where(normal & equal, parametric, "kruskal"), index=k_rows.index)
    pd.testing.assert_series_equal(primary, expected, check_names=False)


def test_parametric_tests_are_primary_on_normal_data():
    # each group holds the same evenly spaced normal quantiles (normal, equal spread), shuffled
    per_group = stats.norm.ppf((np.arange(30) + 0.5) / 30)
    rng = np.random.default_rng(1)
    df = pd.DataFrame({"three": np.repeat(["a", "b", "c"], 30),
                       "y": np.concatenate([per_group, per_group, per_group + 1.5])})
    df["two"] = np.where(np.arange(90) % 2 == 0, "u", "v")
    df = df.iloc[rng.permutation(90)].reset_index(drop=True)
    table = significance_tests(df, target="y", features=["three", "two"])
    primary = table[table["primary"]].set_index("feature")
    assert primary["test"].to_dict() == {"three": "anova", "two": "welch_t"}
    assert select_features(table) == ["three"]


def test_statistics_agree_with_the_libraries():
    rng = np.random.default_rng(2)
    df = pd.DataFrame({"kind": rng.choice(["a", "b", "c"], 120), "x": rng.uniform(0, 1, 120)})
    df["y"] = rng.normal(0, 1, 120) + (df["kind"] == "a") + df["x"]
    table = significance_tests(df, target="y", features=["kind", "x"])
    table = table.set_index(["feature", "test"])
    anova = pg.anova(data=df, dv="y", between="kind").iloc[0]
    assert table.loc[("kind", "anova"), "statistic"] == pytest.approx(anova["F"])
    assert table.loc[("kind", "anova"), "p"] == pytest.approx(anova["p_unc"])
    assert table.loc[("kind", "anova"), "effect_size"] == pytest.approx(anova["np2"])   # η²
    kruskal = pg.kruskal(data=df, dv="y", between="kind").iloc[0]
    assert table.loc[("kind", "kruskal"), "statistic"] == pytest.approx(kruskal["H"])
    assert table.loc[("kind", "kruskal"), "effect_size"] == pytest.approx(
        kruskal["H"] / ((120 ** 2 - 1) / (120 + 1)))                                   # ε²
    above = df["x"] > df["x"].median()
    welch = stats.ttest_ind(df.loc[above, "y"], df.loc[~above, "y"], equal_var=False)
    assert table.loc[("x", "welch_t"), ["statistic", "p"]].tolist() == pytest.approx(
        [welch.statistic, welch.pvalue])
    assert table.loc[("x", "welch_t"), "effect_size"] == pytest.approx(
        pg.compute_effsize(df.loc[above, "y"], df.loc[~above, "y"], eftype="cohen"))
    assert table.loc[("x", "welch_t"), "effect_size"] > 0      # upper half higher: d > 0
    quartiles = pd.qcut(df["x"], 4)
    assert table.loc[("x", "anova"), "statistic"] == pytest.approx(
        stats.f_oneway(*[g for _, g in df["y"].groupby(quartiles, observed=True)]).statistic)
    shapiro = min(stats.shapiro(g).pvalue for _, g in df["y"].groupby(df["kind"]))
    assert table.loc[("kind", "anova"), "normality_p"] == pytest.approx(shapiro)
    assert table.loc[("kind", "anova"), "equal_variance_p"] == pytest.approx(
        stats.levene(*[g for _, g in df["y"].groupby(df["kind"])]).pvalue)


@pytest.mark.slow
@pytest.mark.parametrize("correction", list(CORRECTIONS))
def test_p_adj_is_multipletests_within_each_family(correction):
    survey = synthetic_survey(600, seed=0)
    table = significance_tests(survey, correction=correction)
    primary = table["primary"]
    np.testing.assert_allclose(table.loc[primary, "p_adj"],
                               multipletests(table.loc[primary, "p"], method=correction)[1])
    for test, rows in table.groupby("test"):
        expected = pd.Series(multipletests(rows["p"], method=correction)[1], index=rows.index)
        np.testing.assert_allclose(rows.loc[~rows["primary"], "p_adj"],
                                   expected[~rows["primary"]])
    assert (table["selected"] == primary & (table["p_adj"] < ALPHA)).all()


def test_rss_is_dt_over_d0_when_absent_and_the_input_is_left_alone():
    survey = synthetic_survey(200, seed=5)
    before = survey.copy()
    implicit = significance_tests(survey, features=["water_satisfaction", "education"])
    explicit = significance_tests(survey.assign(rss=survey["dt"] / survey["d0"]),
                                  features=["water_satisfaction", "education"])
    pd.testing.assert_frame_equal(implicit, explicit)
    pd.testing.assert_frame_equal(survey, before)


@pytest.mark.slow
def test_false_positive_rate_on_null_surveys_is_alpha():
    # Counted: the uncorrected p of each feature's primary test, for the 9 features drawn
    # independently of each other (occupants and daily active population follow floor area, so
    # they are left out to keep the counts independent), on 200 null surveys: N = 1,800.
    features = [f for f in SURVEY_FEATURES if f not in ("occupants", "daily_active_population")]
    tables = [significance_tests(synthetic_survey(600, seed=1000 + s, null=True),
                                 features=features) for s in range(200)]
    primary = pd.concat(tables)
    primary = primary[primary["primary"]]
    n = len(primary)
    assert n == 200 * len(features)
    rate = float((primary["p"] < ALPHA).mean())
    se = math.sqrt(ALPHA * (1 - ALPHA) / n)
    assert abs(rate - ALPHA) <= 2 * se, f"FPR {rate:.4f} over N = {n}, 2 SE = {2 * se:.4f}"


@pytest.mark.slow
def test_false_positive_rate_of_the_parametric_tests_on_a_normal_target():
    # A normal target makes ANOVA and Welch primary for most features: their uncorrected primary p
    # for 3 null features on 200 datasets, N = 600.
    rng = np.random.default_rng(11)
    p = []
    for _ in range(200):
        df = pd.DataFrame({"y": rng.normal(0, 1, 120), "three": rng.choice(["a", "b", "c"], 120),
                           "two": rng.choice(["u", "v"], 120), "x": rng.uniform(0, 1, 120)})
        table = significance_tests(df, target="y", features=["three", "two", "x"])
        p.append(table.loc[table["primary"], ["test", "p"]])
    p = pd.concat(p)
    assert (p["test"] != "kruskal").mean() > 0.8
    rate, se = float((p["p"] < ALPHA).mean()), math.sqrt(ALPHA * (1 - ALPHA) / len(p))
    assert abs(rate - ALPHA) <= 2 * se, f"FPR {rate:.4f} over N = {len(p)}"


def _frame(**columns):
    base = {"kind": ["a", "a", "b", "b", "c", "c"], "x": [1.0, 2.0, 3.0, 4.0, 5.0, 6.0],
            "y": [1.0, 1.5, 2.0, 2.5, 3.0, 3.2]}
    return pd.DataFrame({**base, **columns})


@pytest.mark.parametrize("df, kwargs, match", [
    (_frame(kind=["a", "a", "b", "b", "b", "c"]), {"features": ["kind"]},
     r"feature 'kind': group 'c' has 1 member\(s\); each group needs at least two"),
    (_frame(), {"features": ["x"], "bins": 4},
     r"feature 'x': group .* has 1 member\(s\).*fewer bins than 4"),
    (_frame(x=[2.0] * 6), {"features": ["x"]},
     r"feature column 'x' is constant \(every row is 2.0\)"),
    (_frame(kind=["a"] * 6), {"features": ["kind"]}, r"feature column 'kind' is constant"),
    (_frame(y=[1.0] * 6), {"features": ["kind"]}, r"target column 'y' is constant"),
    (_frame(x=[1.0, np.nan, 3.0, 4.0, 5.0, 6.0]), {"features": ["x"]},
     r"feature column 'x' has 1 missing value\(s\) \(rows \[1\]\)"),
    (_frame(y=[1.0, np.nan, 3.0, 4.0, 5.0, 6.0]), {"features": ["kind"]},
     r"target column 'y' has 1 missing value"),
    (_frame(), {"features": ["kind", "age"]}, r"feature column 'age' is not in the table"),
    (_frame(), {"target": "rss", "features": ["kind"]}, r"target column 'rss' is not in the table"),
    (_frame(), {"features": ["kind"], "correction": "fdr"},
     r"correction must be one of \['holm', 'bonferroni', 'fdr_bh'\], got 'fdr'"),
    (_frame(), {"features": ["kind"], "alpha": 0.0}, r"alpha .* in \(0, 1\), got 0.0"),
    (_frame(), {"features": ["kind"], "alpha": 1.5}, r"alpha .* in \(0, 1\), got 1.5"),
    (_frame(), {"features": ["kind"], "bins": 1}, r"bins .* must be an integer ≥ 2, got 1"),
    (_frame(), {"features": "kind"}, r"features must be a sequence .* got the string 'kind'"),
    (_frame(), {"features": ["y"]}, r"features must name at least one column other than the "
                                    r"target"),
    (_frame(y=["p", "q", "r", "s", "t", "u"]), {"features": ["kind"]},
     r"target column 'y' must be numeric"),
], ids=["small-level", "small-bin", "constant-number", "constant-level", "constant-target",
        "nan-feature", "nan-target", "missing-feature", "missing-target", "correction", "alpha-0",
        "alpha-1.5", "bins", "features-string", "features-target", "text-target"])
def test_bad_input_is_named(df, kwargs, match):
    kwargs.setdefault("target", "y")
    with pytest.raises(InputError, match=match):
        significance_tests(df, **kwargs)


def test_bad_baseline_and_bad_table_are_named():
    survey = synthetic_survey(20, seed=0)
    survey.loc[3, "d0"] = 0.0
    with pytest.raises(InputError, match=r"column 'd0' holds 1 value\(s\) ≤ 0"):
        significance_tests(survey)
    with pytest.raises(InputError, match=r"table lacks column\(s\) \['selected'\]"):
        select_features(pd.DataFrame({"feature": ["a"]}))
