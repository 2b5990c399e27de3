"""The survey table: schema, reader (validation, CSV round trip) and the synthetic generator."""

import numpy as np
import pandas as pd
import pytest
import statsmodels.api as sm
from scipy import stats

from workbench.core.dims import BUILDING_TYPES
from workbench.core.errors import InputError
from workbench.models.survey import (D0_GROUND_TRUTH, EDUCATION_LEVELS, EDUCATION_SHARES,
                                     INCOME_REF, RSS_TYPE_BASE, SURVEY_FEATURES,
                                     SURVEY_GROUND_TRUTH, SURVEY_SCHEMA, engel_elasticity,
                                     read_survey, synthetic_survey)

COLUMNS = ["building_type", "floor_area_m2", "building_age_years", "occupants",
           "daily_active_population", "income_per_capita", "education", "displaced_share",
           "water_satisfaction", "power_satisfaction", "road_satisfaction", "d0", "dt"]


def test_schema_has_exactly_the_survey_columns():
    assert list(SURVEY_SCHEMA) == COLUMNS
    assert all(kind in ("category", "number") and unit and text
               for kind, unit, text in SURVEY_SCHEMA.values())
    assert [c for c, (kind, _, _) in SURVEY_SCHEMA.items() if kind == "category"] == [
        "building_type", "education"]
    assert SURVEY_SCHEMA["d0"][1] == SURVEY_SCHEMA["dt"][1] == "EUR/person/day"
    assert SURVEY_FEATURES == tuple(COLUMNS[:-2])
    assert set(SURVEY_GROUND_TRUTH) == set(D0_GROUND_TRUTH) == set(SURVEY_FEATURES)
    assert sum(not v for v in SURVEY_GROUND_TRUTH.values()) >= 3   # at least three nulls


def test_synthetic_survey_follows_the_schema_and_says_it_is_synthetic():
    survey = synthetic_survey(300, seed=3)
    assert list(survey.columns) == COLUMNS and len(survey) == 300
    assert survey.attrs["synthetic"] is True and "synthetic" in survey.attrs["source"]
    assert survey.attrs["seed"] == 3 and survey.attrs["units"]["income_per_capita"] == "EUR/year"
    assert set(survey["building_type"]) <= set(BUILDING_TYPES)
    assert set(survey["education"]) <= set(EDUCATION_LEVELS)
    read_survey(survey)   # passes its own validation


def test_same_seed_gives_the_same_frame_and_another_seed_does_not():
    pd.testing.assert_frame_equal(synthetic_survey(200, seed=7), synthetic_survey(200, seed=7))
    assert not synthetic_survey(200, seed=7).equals(synthetic_survey(200, seed=8))


def test_education_follows_income_only_when_asked_and_nothing_else_changes():
    base = synthetic_survey(3000, seed=4)
    pd.testing.assert_frame_equal(base, synthetic_survey(3000, seed=4, education_income=0.0))
    rank = {level: i for i, level in enumerate(EDUCATION_LEVELS)}
    log_income = np.log(base["income_per_capita"])
    rho = {}
    for r in (0.0, 0.5, 0.8):
        survey = synthetic_survey(3000, seed=4, education_income=r)
        pd.testing.assert_frame_equal(survey.drop(columns="education"),
                                      base.drop(columns="education"))
        shares = survey["education"].value_counts(normalize=True)
        np.testing.assert_allclose(shares[list(EDUCATION_LEVELS)], EDUCATION_SHARES, atol=0.03)
        rho[r] = stats.spearmanr(log_income, survey["education"].map(rank)).statistic
        assert survey.attrs["education_income"] == r
    assert abs(rho[0.0]) < 0.05 < rho[0.5] < rho[0.8]
    assert 0.6 < rho[0.8] < 0.8       # an ordinal correlation of about 0.7 (latent 0.8)
    assert "education_income=0.8" in synthetic_survey(5, education_income=0.8).attrs["source"]


@pytest.mark.parametrize("value", [1.0, -0.1, "0.5", True])
def test_bad_education_income_is_named(value):
    with pytest.raises(InputError, match=r"education_income \(correlation of education with "
                                         r"log income\) must be a number in \[0, 1\)"):
        synthetic_survey(10, education_income=value)


def test_null_survey_keeps_features_and_d0_and_shuffles_rss():
    planted, null = synthetic_survey(400, seed=2), synthetic_survey(400, seed=2, null=True)
    pd.testing.assert_frame_equal(planted.drop(columns="dt"), null.drop(columns="dt"))
    rss, rss_null = planted["dt"] / planted["d0"], null["dt"] / null["d0"]
    np.testing.assert_allclose(np.sort(rss), np.sort(rss_null))
    assert not np.allclose(rss, rss_null) and null.attrs["null"] is True


def test_engel_elasticity_reproduces_the_ols_fit_of_the_engel_data():
    # log-log OLS slope on Engel's 235 households: 0.856 (SE 0.020), below 1 (Engel's law)
    assert engel_elasticity() == pytest.approx(0.8559, abs=5e-4)


def test_d0_carries_the_engel_elasticity_and_rss_the_type_medians():
    survey = synthetic_survey(3000, seed=0)
    dummies = pd.get_dummies(survey["building_type"], dtype=float)
    x = dummies.assign(log_income=np.log(survey["income_per_capita"] / INCOME_REF))
    fit = sm.OLS(np.log(survey["d0"]), x).fit()
    assert fit.params["log_income"] == pytest.approx(engel_elasticity(),
                                                     abs=3 * fit.bse["log_income"])
    # at mean satisfaction, displacement and income, the median rSS of a type is its base
    rss = np.log(survey["dt"] / survey["d0"])
    medians = np.exp(rss.groupby(survey["building_type"]).median())
    assert medians.to_dict() == pytest.approx(RSS_TYPE_BASE, rel=0.08)


def test_read_survey_round_trips_a_csv(tmp_path):
    survey = synthetic_survey(50, seed=4).assign(building_id=[f"B{i}" for i in range(50)])
    path = tmp_path / "survey.csv"
    survey.to_csv(path, index=False)
    back = read_survey(path)
    pd.testing.assert_frame_equal(back, survey, check_exact=False, rtol=1e-12)
    assert back.columns[-1] == "building_id"       # extra columns are kept, after the schema
    assert back.attrs["source"] == str(path)
    assert read_survey(str(path)).equals(back)


def test_read_survey_leaves_its_input_alone_and_orders_schema_first():
    survey = synthetic_survey(20, seed=5)
    shuffled = survey[COLUMNS[::-1]].assign(note="x")
    before = shuffled.copy()
    out = read_survey(shuffled)
    assert list(out.columns) == COLUMNS + ["note"]
    pd.testing.assert_frame_equal(shuffled, before)


def _with(column, values, rows=(0,)):
    survey = synthetic_survey(30, seed=6)
    survey[column] = survey[column].astype(object) if isinstance(values, str) else survey[column]
    survey.loc[list(rows), column] = values
    return survey


@pytest.mark.parametrize("survey, match", [
    (synthetic_survey(10).drop(columns=["d0", "dt"]),
     r"lacks column\(s\) \['d0', 'dt'\].*schema is: building_type \(category"),
    (_with("income_per_capita", np.nan, rows=(1, 4)),
     r"'income_per_capita' has 2 missing value\(s\) \(2 row\(s\), e.g. \[1, 4\]\)"),
    (_with("building_type", np.nan), r"'building_type' has 1 missing"),
    (_with("building_type", "hospital"), r"'building_type' has unknown value\(s\) \['hospital'\]"),
    (_with("education", "phd"), r"'education' has unknown value\(s\) \['phd'\].*'tertiary'"),
    (_with("occupants", "many"), r"'occupants' must hold numbers \[persons\], but holds 'many'"),
    (_with("floor_area_m2", -5.0), r"'floor_area_m2' \[m²\] must be ≥ 0 and finite.*-5.0"),
    (_with("income_per_capita", np.inf), r"'income_per_capita' \[EUR/year\] must be ≥ 0 and "
                                         r"finite, but holds \[inf\]"),
    (_with("water_satisfaction", 1.5), r"'water_satisfaction' \[1\] must be in \[0, 1\].*"
                                       r"divide percentages by 100"),
    (_with("displaced_share", -0.1), r"'displaced_share' \[1\] must be in \[0, 1\]"),
    (_with("road_satisfaction", 80.0), r"'road_satisfaction' \[1\] must be in \[0, 1\]"),
    (_with("d0", 0.0), r"'d0' \[EUR/person/day\] must be > 0 and finite, but holds \[0.0\].*"
                       r"rSS = dt / d0"),
    (_with("dt", -1.0), r"'dt' \[EUR/person/day\] must be ≥ 0"),
], ids=["missing", "nan", "nan-category", "type", "education", "text", "negative", "inf",
        "satisfaction", "share", "percent", "d0", "dt"])
def test_bad_surveys_are_named(survey, match):
    with pytest.raises(InputError, match=match):
        read_survey(survey)


def test_bad_sources_and_sizes_are_named(tmp_path):
    with pytest.raises(InputError, match="survey file .*nothing.csv' does not exist"):
        read_survey(tmp_path / "nothing.csv")
    with pytest.raises(InputError, match="source must be a CSV path or a pandas.DataFrame, got "
                                         "list"):
        read_survey([1, 2])
    with pytest.raises(InputError, match=r"n \(number of buildings\) must be an integer ≥ 1, "
                                         r"got 0"):
        synthetic_survey(0)
