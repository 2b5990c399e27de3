"""Stage 03 and its plumbing: the rSS forest, the archive of functionality tables, and a user's
survey and production files through 02 → 03 → ``workbench simulate`` with ``trained``."""

import json

import numpy as np
import pandas as pd
import pytest
import xarray as xr
import yaml

from workbench.city import toy_city
from workbench.core.errors import InputError
from workbench.functionality import TableFunctionality
from workbench.models.archive import (ArchivedFunctionality, archive_tables, load_archive,
                                      rss_archive, save_archive, table_archive)
from workbench.models.forest import load_forest, save_forest, train_rss_forest
from workbench.models.production import synthetic_production
from workbench.models.significance import select_features, significance_tests
from workbench.models.survey import SURVEY_GROUND_TRUTH, synthetic_survey


@pytest.fixture(scope="module")
def survey():
    return synthetic_survey(600, seed=3)


@pytest.fixture(scope="module")
def forest(survey):
    selected = select_features(significance_tests(survey))
    return train_rss_forest(survey, selected, seed=0, n_estimators=100)


@pytest.mark.slow
def test_forest_recovers_the_generators_relation(forest):
    planted = {f for f, effect in SURVEY_GROUND_TRUTH.items() if effect}
    assert planted <= set(forest.features)
    assert forest.metrics["holdout_r2"] >= 0.8
    assert len(forest.metrics["cv_r2"]) == 5 and forest.metrics["cv_r2_mean"] > 0.7
    assert list(forest.learning_curve.columns) == ["train_size", "train_r2", "validation_r2"]
    top = forest.importance["feature"].iloc[0]
    assert top in {"d0", "building_type", "income_per_capita"}   # d_t is on d0's scale


@pytest.mark.slow
def test_same_seed_same_forest_and_the_saved_forest_loads_identically(survey, forest, tmp_path):
    again = train_rss_forest(survey, [f for f in forest.features], seed=0, n_estimators=100)
    x = survey.head(50)
    assert np.array_equal(forest.predict(x), again.predict(x))
    save_forest(forest, tmp_path)
    loaded = load_forest(tmp_path)
    assert np.array_equal(loaded.predict(x), forest.predict(x))
    assert loaded.metrics == json.loads((tmp_path / "rss_forest.json").read_text())["metrics"]


def test_a_changed_or_untrusted_forest_file_is_refused(forest, tmp_path):
    save_forest(forest, tmp_path)
    weights = tmp_path / "rss_forest.skops"
    data = bytearray(weights.read_bytes())
    data[-10] ^= 0xFF
    weights.write_bytes(bytes(data))
    with pytest.raises(InputError, match="checksum of .*rss_forest.skops"):
        load_forest(tmp_path)
    # a file holding a type the workbench does not trust, with a matching checksum
    import hashlib

    import skops.io as sio
    from sklearn.preprocessing import FunctionTransformer
    sio.dump(FunctionTransformer(func=print), weights)
    meta = json.loads((tmp_path / "rss_forest.json").read_text())
    meta["sha256"] = hashlib.sha256(weights.read_bytes()).hexdigest()
    (tmp_path / "rss_forest.json").write_text(json.dumps(meta))
    with pytest.raises(InputError, match="does not load"):
        load_forest(tmp_path)
    meta["format"] = 99
    (tmp_path / "rss_forest.json").write_text(json.dumps(meta))
    with pytest.raises(InputError, match="format 99"):
        load_forest(tmp_path)


def test_forest_needs_its_columns(survey):
    with pytest.raises(InputError, match="missing column"):
        train_rss_forest(survey.drop(columns=["d0"]), [])
    with pytest.raises(InputError, match="at least 20"):
        train_rss_forest(survey.head(10), [])


# --------------------------------------------------------------------------- the archive

def test_archiving_the_lookup_table_reproduces_it_exactly():
    b = toy_city().buildings
    archived, table = ArchivedFunctionality(table_archive()), TableFunctionality()
    rng = np.random.default_rng(0)
    for _ in range(5):
        service = rng.random((6, 3))
        assert np.allclose(archived.ep_unit(b, service), table.ep_unit(b, service))
        assert np.allclose(archived.rss(b, service), table.rss(b, service))
    assert archived.rss(b, np.ones((6, 3))).tolist() == [1.0] * 6
    assert hash(archived) == hash(ArchivedFunctionality(table_archive()))


def test_trained_rss_archive_is_normalised_and_falls_with_water(forest, survey):
    rss = rss_archive(forest, survey)
    assert np.allclose(rss.sel(water=1.0, power=1.0, road=1.0), 1.0)
    # the generator plants lower consumption without water: every type's rSS falls with it
    at = rss.sel(power=1.0, road=1.0)
    assert (at.sel(water=0.0) < at.sel(water=1.0)).all()
    # a type the survey lacks keeps the lookup table
    few = survey[survey["building_type"] != "industrial"]
    rss2 = rss_archive(forest, few)
    ep = table_archive()["ep_unit"]
    ds = archive_tables(rss2, ep)
    assert ds.attrs["table_types_rss"] == "industrial"
    assert np.allclose(ds["rss"].sel(building_type="industrial"),
                       table_archive()["rss"].sel(building_type="industrial"))


def test_bad_archives_are_refused(tmp_path):
    good = table_archive()
    bad = good.copy(deep=True)
    bad["rss"][0, -1, -1, -1] = 0.5
    with pytest.raises(InputError, match="rss must be 1 at full service"):
        ArchivedFunctionality(bad)
    bad = good.copy(deep=True)
    bad["ep_unit"][1, 0, 0, 0] = np.nan
    with pytest.raises(InputError, match="finite"):
        ArchivedFunctionality(bad)
    with pytest.raises(InputError, match="building_type must be"):
        ArchivedFunctionality(good.isel(building_type=slice(0, 4)))
    with pytest.raises(InputError, match="run stage 03"):
        load_archive(tmp_path / "nope.nc")
    save_archive(good, tmp_path / "a.nc")
    assert load_archive(tmp_path / "a.nc").equals(good)


# --------------------------------------------------------------------------- through the run

def _user_files(tmp_path):
    """A small survey CSV and production CSVs, as a user would bring them."""
    synthetic_survey(240, seed=11).to_csv(tmp_path / "survey.csv", index=False)
    static, series = synthetic_production(160, steps=24, seed=5)
    static.to_csv(tmp_path / "production.csv", index=False)
    units = np.repeat(static["unit_id"].to_numpy(), series.shape[1])
    steps = np.tile(np.arange(series.shape[1]), len(static))
    pd.DataFrame({"unit_id": units, "step": steps,
                  "electricity_kwh": series[..., 0].ravel(),
                  "water_m3": series[..., 1].ravel()}).to_csv(tmp_path / "series.csv",
                                                              index=False)
    params = {"name": "trained", "seed": 7, "horizon_days": 120,
              "models": {"functionality": "trained", "survey": "survey.csv",
                         "production": "production.csv", "production_series": "series.csv",
                         "max_epochs": 15}}
    path = tmp_path / "params.yaml"
    path.write_text(yaml.safe_dump(params))
    return path


@pytest.mark.slow
def test_a_users_survey_runs_through_02_03_and_simulate_with_trained(tmp_path):
    from workbench.run.cli import main
    path = _user_files(tmp_path)
    out = tmp_path / "run"
    assert main(["simulate", str(path), "--out", str(out)]) == 0
    summary = json.loads((out / "summary.json").read_text())
    assert summary["functionality"]["used"] == "trained"
    both = summary["functionality"]["comparison"]
    assert set(both) == {"table", "trained"}
    trained_loss = both["trained"]["semiflexible"]["economic_loss"]
    assert trained_loss == summary["strategies"]["semiflexible"]["economic_loss"]
    assert trained_loss != both["table"]["semiflexible"]["economic_loss"]
    table = pd.read_csv(out / "significance.csv")
    assert {"feature", "test", "statistic", "p", "p_adj", "effect_size"} <= set(table.columns)
    for name in ("rss_forest.skops", "rss_forest.json", "hybrid.pt", "hybrid.json",
                 "metrics.json", "functionality_table.nc", "ep_history.csv"):
        assert (out / "models" / name).is_file(), name
    metrics = json.loads((out / "models" / "metrics.json").read_text())
    assert metrics["survey"] == "file: survey.csv"
    archive = load_archive(out / "models" / "functionality_table.nc")
    # same parameters and seed: the same tables
    out2 = tmp_path / "run2"
    assert main(["simulate", str(path), "--out", str(out2)]) == 0
    again = load_archive(out2 / "models" / "functionality_table.nc")
    assert np.array_equal(archive["rss"].values, again["rss"].values)
    assert np.array_equal(archive["ep_unit"].values, again["ep_unit"].values)
    assert json.loads((out2 / "summary.json").read_text())["strategies"] == summary["strategies"]


def test_trained_without_an_archive_is_a_clear_error():
    from workbench.run.params import validate_params
    from workbench.run.pipeline.modelling import functionality_of
    with pytest.raises(InputError, match="run stage 03"):
        functionality_of(validate_params({"models": {"functionality": "trained"}}), None)
    assert functionality_of(validate_params({}), None) is None


@pytest.mark.parametrize("models, message", [
    ({"functionality": "learned"}, "models.functionality"),
    ({"production": "p.csv"}, "models.production_series"),
    ({"alpha": 1.5}, "models.alpha"),
    ({"correction": "bonf"}, "models.correction"),
    ({"ep_level": "high"}, "models.ep_level"),
    ({"max_epochs": 0}, "models.max_epochs"),
])
def test_bad_model_parameters(models, message):
    from workbench.core.errors import ParameterError
    from workbench.run.params import validate_params
    with pytest.raises(ParameterError, match=message):
        validate_params({"models": models})


def test_archive_dims_are_named(forest, survey):
    rss = rss_archive(forest, survey)
    assert isinstance(rss, xr.DataArray)
    assert rss.dims == ("building_type", "water", "power", "road")


@pytest.mark.slow
def test_rss_archive_equals_sklearns_partial_dependence(forest, survey):
    """The hand-vectorised partial dependence gives scikit-learn's numbers (one type)."""
    from sklearn.inspection import partial_dependence

    from workbench.models.archive import GRID
    rows = survey[forest.features][survey["building_type"] == "office"]
    names = ["water_satisfaction", "power_satisfaction", "road_satisfaction", "displaced_share"]
    custom = {**{n: GRID for n in names[:3]}, "displaced_share": np.array([0.0])}
    pd_ = partial_dependence(forest.pipeline, rows, names, custom_values=custom,
                             kind="average", method="brute")
    mean = np.asarray(pd_["average"])[0][..., 0]
    ours = rss_archive(forest, survey).sel(building_type="office").values
    assert np.allclose(mean / mean[-1, -1, -1], ours, rtol=1e-12, atol=1e-12)
