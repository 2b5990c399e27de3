"""Tests of workbench.models.production: the schema reader, the synthetic generator's documented
process (its ground truth is recovered from the data) and the hybrid design matrix."""

import numpy as np
import pandas as pd
import pytest

from workbench.core.dims import BUILDING_TYPES
from workbench.core.errors import InputError
from workbench.functionality import EP_SERVICE_WEIGHTS, EP_UNIT
from workbench.models.production import (
    PRODUCTION_GROUND_TRUTH, PRODUCTION_SCHEMA, SATISFACTION_COLUMNS, SERIES_CHANNELS,
    SERIES_SCHEMA, TARGET, hybrid_columns, hybrid_inputs, read_production, synthetic_production)

GT = PRODUCTION_GROUND_TRUTH


@pytest.fixture(scope="module")
def data():
    return synthetic_production(300, steps=48, seed=4)


def _long(static, series):
    """The series array as the long series table of SERIES_SCHEMA."""
    n, t, c = series.shape
    return pd.DataFrame({"unit_id": np.repeat(static["unit_id"].to_numpy(), t),
                         "step": np.tile(np.arange(t), n),
                         **{ch: series[:, :, k].ravel() for k, ch in enumerate(SERIES_CHANNELS)}})


def _expected_log_target(static, *, with_utilisation):
    """log VA/m² of the documented process, without its noise term."""
    types = static["building_type"].to_numpy()
    m2 = np.array([GT["m2_per_worker"][t] for t in types])
    sat = static.loc[:, list(SATISFACTION_COLUMNS)].to_numpy()
    w = np.array([EP_SERVICE_WEIGHTS[t] for t in types])
    density = np.where(types == "residential", 1.0,
                       static["labour"] * m2 / static["floor_area_m2"])
    out = (np.log([EP_UNIT[t] for t in types]) + np.log(1 - (w * (1 - sat)).sum(axis=1))
           + GT["labour_elasticity"] * np.log(density)
           + GT["technology_elasticity"] * np.log(static["technology"])
           + np.log([GT["industry_effect"][i] for i in static["industry"]]))
    if with_utilisation:
        out = out + GT["utilisation_effect"] * (np.asarray(static.attrs["utilisation"]) - 0.5)
    return np.asarray(out)


# --------------------------------------------------------------------------- synthetic data

def test_synthetic_follows_schema_and_is_labelled(data):
    static, series = data
    assert list(static.columns) == list(PRODUCTION_SCHEMA)
    assert series.shape == (300, 48, len(SERIES_CHANNELS)) and (series > 0).all()
    assert static.attrs["synthetic"] is True and static.attrs["seed"] == 4
    assert "synthetic_production(n=300" in static.attrs["source"]
    assert set(static["building_type"]) == set(BUILDING_TYPES)
    assert static[list(SATISFACTION_COLUMNS)].stack().between(0, 1).all()
    assert (static.loc[static["building_type"] == "residential", "labour"] == 0).all()
    assert (static.loc[static["building_type"] != "residential", "labour"] >= 1).all()


def test_same_seed_same_data_other_seed_other_data(data):
    static, series = synthetic_production(300, steps=48, seed=4)
    assert static.equals(data[0]) and np.array_equal(series, data[1])
    other = synthetic_production(300, steps=48, seed=5)
    assert not np.array_equal(other[1], series)


def test_ground_truth_is_recovered_from_the_data(data):
    # the target is the documented product of effects times lognormal noise of sd 0.1
    static, _ = data
    residual = np.log(static[TARGET].to_numpy()) - _expected_log_target(static,
                                                                         with_utilisation=True)
    assert abs(residual.mean()) < 0.03
    assert residual.std() == pytest.approx(GT["noise_sigma"], rel=0.15)


def test_temporal_signal_switch_changes_only_the_target(data):
    static, series = data
    flat, flat_series = synthetic_production(300, steps=48, seed=4, temporal_signal=False)
    # same draws: features and series identical, the target differs by exp(γ (u − 0.5)) only
    assert np.array_equal(flat_series, series)
    assert flat.drop(columns=TARGET).equals(static.drop(columns=TARGET))
    u = np.asarray(static.attrs["utilisation"])
    ratio = np.log(static[TARGET] / flat[TARGET]).to_numpy()
    np.testing.assert_allclose(ratio, GT["utilisation_effect"] * (u - 0.5), atol=1e-12)
    # without the signal nothing the static table does not explain is left tied to u
    residual = np.log(flat[TARGET].to_numpy()) - _expected_log_target(flat,
                                                                      with_utilisation=False)
    assert abs(np.corrcoef(residual, u)[0, 1]) < 0.15


def test_series_shape_reveals_the_operating_hours(data):
    # non-residential units: hours above the midpoint of standby and full load ≈ 8 + 8u
    static, series = data
    u = np.asarray(static.attrs["utilisation"])
    day = series[:, :24, SERIES_CHANNELS.index("electricity_kwh")]
    high = (day > 0.5 * (day.min(axis=1) + day.max(axis=1))[:, None]).sum(axis=1)
    working = (static["building_type"] != "residential").to_numpy()
    lo, hi = GT["operating_hours"]
    assert np.abs(high[working] - (lo + (hi - lo) * u[working])).max() <= 1.5
    # residential: morning and evening peaks stand highest
    home = day[~working].mean(axis=0)
    assert set(np.argsort(home)[-2:]) <= {6, 7, 8, 18, 19, 20, 21}


def test_consumption_scales_with_supply():
    static, series = synthetic_production(2000, steps=24, seed=2)
    power = static["power_satisfaction"].to_numpy()
    elec = series[:, :, SERIES_CHANNELS.index("electricity_kwh")].mean(axis=1)
    peak = np.array([GT["peak_electricity_kwh"][t] for t in static["building_type"]])
    ratio = elec / peak
    full, cut = ratio[power == 1.0], ratio[power < 0.5] / power[power < 0.5]
    assert np.median(cut) == pytest.approx(np.median(full), rel=0.15)   # ∝ satisfaction
    assert np.median(ratio[power < 0.5]) < 0.6 * np.median(full)


@pytest.mark.parametrize("kwargs, message", [({"n": 0}, "n must be an integer >= 1"),
                                             ({"steps": 0}, "steps must be an integer >= 1")])
def test_synthetic_bad_sizes(kwargs, message):
    with pytest.raises(InputError, match=message):
        synthetic_production(**kwargs)


# --------------------------------------------------------------------------- reading

def test_read_round_trip_through_csv(tmp_path, data):
    static, series = data
    static.to_csv(tmp_path / "static.csv", index=False)
    _long(static, series).sample(frac=1.0, random_state=0).to_csv(tmp_path / "series.csv",
                                                                  index=False)
    assert list(_long(static, series).columns) == list(SERIES_SCHEMA)
    got, got_series = read_production(tmp_path / "static.csv", tmp_path / "series.csv")
    assert list(got["unit_id"]) == list(static["unit_id"])
    pd.testing.assert_frame_equal(got, static, check_dtype=False)
    np.testing.assert_allclose(got_series, series, rtol=1e-12)
    assert got.attrs["source"].endswith("static.csv")


def test_read_without_target_when_not_required(data):
    static, series = data
    got, _ = read_production(static.drop(columns=TARGET), _long(static, series),
                             require_target=False)
    assert TARGET not in got.columns
    assert got.attrs["synthetic"] is True and got.attrs["source"] == static.attrs["source"]
    with pytest.raises(InputError, match=r"lacks column\(s\) \['value_added_per_m2'\]"):
        read_production(static.drop(columns=TARGET), _long(static, series))


def _small():
    static, series = synthetic_production(8, steps=4, seed=0)
    return static, _long(static, series)


def _bad(edit):
    static, long = _small()
    edit(static, long)
    return static, long


@pytest.mark.parametrize("edit, message", [
    (lambda s, l: s.drop(columns=["labour", "technology"], inplace=True),
     r"static table lacks column\(s\) \['labour', 'technology'\].*the schema is: unit_id"),
    (lambda s, l: l.drop(columns="water_m3", inplace=True),
     r"series table lacks column\(s\) \['water_m3'\].*step"),
    (lambda s, l: s.loc.__setitem__(([1, 3], "floor_area_m2"), np.nan),
     r"column 'floor_area_m2' has 2 missing value\(s\) \(NaN\)"),
    (lambda s, l: s.__setitem__("building_type", ["office"] * 7 + ["hospital"]),
     r"unknown type\(s\) \['hospital'\]; known types are \['residential'"),
    (lambda s, l: s.__setitem__("power_satisfaction", [1.0] * 7 + [1.2]),
     r"column 'power_satisfaction' must lie in 0..1; 1 row\(s\).*\(unit 'u00007'\) has 1.2"),
    (lambda s, l: s.__setitem__("labour", ["many"] * 8),
     r"column 'labour' must be numeric; row 0 has 'many'"),
    (lambda s, l: s.__setitem__("floor_area_m2", [0.0] * 8),
     r"column 'floor_area_m2' must be > 0 m2; 8 row\(s\)"),
    (lambda s, l: s.__setitem__("value_added_per_m2", [-1.0] * 8),
     r"column 'value_added_per_m2' must be > 0"),
    (lambda s, l: s.__setitem__("unit_id", ["u00000"] * 8),
     r"unit_id must be unique; duplicated: \['u00000'\]"),
    (lambda s, l: l.drop(index=l.index[(l["unit_id"] == "u00002") & (l["step"] == 3)],
                         inplace=True),
     r"equal length; most have 4 steps but 1 differ, e.g. \{'u00002': 3\}"),
    (lambda s, l: l.drop(index=l.index[l["unit_id"] == "u00005"], inplace=True),
     r"1 unit\(s\) of the static table have no series, e.g. \['u00005'\]"),
    (lambda s, l: s.drop(index=6, inplace=True),
     r"the series table holds 1 unit_id\(s\) not in the static table, e.g. \['u00006'\]"),
    (lambda s, l: l.__setitem__("step", l["step"] * 2),
     r"steps must run 0..3 for every unit"),
    (lambda s, l: l.__setitem__("step", l["step"] + 0.5),
     r"column 'step' must hold integers >= 0"),
    (lambda s, l: l.__setitem__("electricity_kwh", -l["electricity_kwh"]),
     r"column 'electricity_kwh' must be >= 0"),
], ids=["static-columns", "series-columns", "nan", "type", "satisfaction", "numeric", "area",
        "target", "dup-id", "unequal", "no-series", "no-unit", "gaps", "step-int", "negative"])
def test_bad_inputs_name_the_field(edit, message):
    with pytest.raises(InputError, match=message):
        read_production(*_bad(edit))


def test_bad_sources():
    with pytest.raises(InputError, match="static table 'no/such.csv' is not a file"):
        read_production("no/such.csv", pd.DataFrame())
    with pytest.raises(InputError, match="series table must be a CSV path or a pandas "
                                         "DataFrame; got list"):
        read_production(_small()[0], [1, 2])


def test_empty_static_table():
    static, long = _small()
    with pytest.raises(InputError, match=r"static table holds no units \(0 rows\)"):
        read_production(static.iloc[:0], long)


def test_duplicated_steps():
    static, long = _small()
    with pytest.raises(InputError, match=r"\(unit_id, step\) must be unique; unit 'u00000'"):
        read_production(static, pd.concat([long.iloc[:1], long]))


# --------------------------------------------------------------------------- design matrix

def test_hybrid_inputs_layout(data):
    static, series = data
    industries = sorted(set(static["industry"]))
    X = hybrid_inputs(static, series)
    cols = hybrid_columns(industries, series.shape[1])
    assert X.shape == (300, len(cols)) and len(cols) == 5 + len(industries) + 6 + 48 * 2
    n_static = X.shape[1] - series.shape[1] * series.shape[2]
    assert cols[n_static] == "electricity_kwh[0]" and cols[n_static + 1] == "water_m3[0]"
    np.testing.assert_array_equal(X[:, :5].sum(axis=1), 1.0)
    np.testing.assert_array_equal(X[:, 5:5 + len(industries)].sum(axis=1), 1.0)
    office = cols.index("building_type=office")
    np.testing.assert_array_equal(X[:, office], static["building_type"] == "office")
    np.testing.assert_allclose(X[:, cols.index("log_floor_area_m2")],
                               np.log(static["floor_area_m2"]))
    np.testing.assert_array_equal(X[:, n_static:].reshape(series.shape), series)
    np.testing.assert_array_equal(X[:, n_static + 2 * 7 + 1], series[:, 7, 1])


def test_hybrid_inputs_with_the_training_industries(data):
    static, series = data
    wider = hybrid_inputs(static, series, industries=[*sorted(set(static["industry"])), "Z"])
    assert wider.shape[1] == hybrid_inputs(static, series).shape[1] + 1
    with pytest.raises(InputError, match=r"industries \['[A-Z]'.*not in industries=\['J'\]"):
        hybrid_inputs(static, series, industries=["J"])
    with pytest.raises(InputError, match=r"series must have shape \(unit, step, channel\)"):
        hybrid_inputs(static, series[:10])
