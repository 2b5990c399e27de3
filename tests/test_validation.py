"""Validation against observed lifeline restoration (METHOD §11, workbench.metrics.validation):
the bundled table's schema, days to a level on analytic curves, the served-share curve on a toy
system known by hand, the ordering and band checks on constructed inputs, and validation.json
written by `workbench simulate`."""

import json
import math

import numpy as np
import pandas as pd
import pytest
import xarray as xr

from workbench import pipeline
from workbench.city import toy_city
from workbench.city.mapping import map_city
from workbench.core.errors import InputError
from workbench.io.cityio import save_city
from workbench.metrics import validation as v
from workbench.network.system import build_system
from workbench.run.params import validate_params


# ------------------------------------------------------------------------------ the table

def test_the_bundled_table_has_its_schema_30_rows_5_events_and_a_source_on_every_row():
    t = v.read_observed()
    assert list(t.columns) == list(v.COLUMNS)
    assert len(t) >= 30 and t["event"].nunique() >= 5
    assert t["source"].str.strip().str.len().gt(0).all()
    assert t["note"].str.strip().str.len().gt(0).all()
    assert set(t["verified_here"]) <= {"yes", "no"} and (t["verified_here"] == "yes").sum() >= 30
    assert set(t["lifeline"]) == {"power", "water", "gas"}
    assert t["fraction_restored"].between(0, 1).all() and (t["day"] >= 0).all()
    # a row not read here cites the compilation the issue names, by DOI
    assert t.loc[t["verified_here"] == "no", "source"].str.startswith("doi:").all()
    # one event date and magnitude per event
    assert (t.groupby("event")[["event_date", "magnitude"]].nunique() == 1).all().all()


@pytest.mark.parametrize("column, value, words", [
    ("lifeline", "gaz", "column 'lifeline', row 2: 'gaz' is not one of"),
    ("fraction_restored", "1.2", "column 'fraction_restored', row 2: '1.2' is not a number"),
    ("day", "soon", "column 'day', row 2: 'soon'"),
    ("source", " ", "column 'source', row 2: ' ' is empty"),
    ("event_date", "17/01/1995", "column 'event_date', row 2: '17/01/1995' is not a date"),
    ("verified_here", "maybe", "column 'verified_here', row 2"),
])
def test_a_bad_value_is_one_line_naming_the_column_and_the_value(tmp_path, column, value, words):
    t = pd.read_csv(v.TABLE_PATH, dtype=str, keep_default_na=False)
    t.loc[0, column] = value
    t.to_csv(tmp_path / "t.csv", index=False)
    with pytest.raises(InputError) as err:
        v.read_observed(tmp_path / "t.csv")
    assert words in str(err.value) and "\n" not in str(err.value)


def test_a_missing_column_is_named(tmp_path):
    pd.read_csv(v.TABLE_PATH).drop(columns="basis").to_csv(tmp_path / "t.csv", index=False)
    with pytest.raises(InputError, match=r"missing column\(s\) \['basis'\]"):
        v.read_observed(tmp_path / "t.csv")


# -------------------------------------------------------------------------- days to a level

def test_days_to_a_level_on_an_exponential_recovery():
    tau, days = 5.0, np.arange(60)
    curve = 1 - np.exp(-days / tau)                  # reaches p on day ceil(-tau ln(1 - p))
    for level in v.LEVELS:
        t, status = v.time_to_level(curve, days, level)
        assert status == "reached" and t == math.ceil(-tau * math.log(1 - level) - 1e-9)
    assert v.time_to_level(curve[:5], days[:5], 0.9) == (None, "not within horizon")
    assert v.time_to_level(np.full(5, np.nan), days[:5], 0.9) == (None, "no outage")
    # a curve that reaches the level and falls back has not reached it
    assert v.time_to_level([0.0, 0.95, 0.5, 0.92, 1.0], range(5), 0.9) == (3.0, "reached")


def test_observed_days_to_a_level_interpolate_linearly_and_say_when_they_are_a_bound():
    # a straight line from 0.5 on day 0 to 1.0 on day 10 reaches 0.9 on day 8
    assert v.observed_time_to_level([0, 10], [0.5, 1.0], 0.9) == (8.0, None)
    assert v.observed_time_to_level([10, 0], [1.0, 0.5], 0.8) == (6.0, None)   # any order
    assert v.observed_time_to_level([3], [0.95], 0.9) == (3.0, "upper")
    assert v.observed_time_to_level([3, 5], [0.2, 0.6], 0.9) == (None, None)


# ------------------------------------------------------------------- the served-share curve

def _toy():
    city = map_city(toy_city())
    return city, build_system(city)


def _recovery(system, days: dict, horizon: int = 8, strategies=("flexible",)):
    day = np.zeros((len(strategies), system.n_components))
    for cid, d in days.items():
        day[:, system.index_of(cid)] = d
    return xr.Dataset({"component_restored_day": (("strategy", "component"), day)},
                      coords={"strategy": list(strategies), "component": system.component_ids,
                              "time": np.arange(horizon)})


def test_served_share_on_the_toy_city_by_hand():
    city, system = _toy()
    # W1--W2 out until day 3 cuts b3, b4, b5 (served by W2, W3) from water: 3 of 6 buildings;
    # the power substation node out until day 5 cuts all six from power
    rec = _recovery(system, {"water:W1--W2": 3, "power:P0": 5})
    c = v.served_curves(city, system, rec)
    water, power = c.sel(strategy="flexible", network="water"), c.sel(strategy="flexible",
                                                                        network="power")
    assert water["served"].values.tolist() == [0.5] * 3 + [1.0] * 5
    assert water["restored"].values.tolist() == [0.0] * 3 + [1.0] * 5
    assert power["served"].values.tolist() == [0.0] * 5 + [1.0] * 3
    assert np.isnan(c.sel(strategy="flexible", network="road")["restored"].values).all()
    assert c["customers"].values.tolist() == [6.0, 6.0, 6.0]
    # weighted by occupants: the share of the occupants of b3, b4, b5
    occ = np.asarray(city.buildings["occupancy"].values, float)
    w = v.served_curves(city, system, rec, weight="occupancy").sel(strategy="flexible",
                                                                  network="water")
    assert w["served"].values[0] == pytest.approx(occ[:3].sum() / occ.sum())
    times = v.simulated_times(c)["flexible"]
    assert (times["water"]["t90"], times["power"]["t90"]) == (3.0, 5.0)
    assert times["road"]["t90"] is None and times["road"]["t90_status"] == "no outage"
    assert v.ordering_check(times and {"flexible": times}, [])["simulated"]["flexible"][
        "result"] == "fails"     # water before power here


def test_served_curves_keep_realisations_and_a_component_never_restored():
    city, system = _toy()
    a = _recovery(system, {"water:W1--W2": 2})
    b = _recovery(system, {"water:W1--W2": np.inf})
    rec = xr.concat([a, b], dim="realization")
    c = v.served_curves(city, system, rec)
    assert c["served"].dims == ("realization", "strategy", "network", "time")
    water = c.sel(strategy="flexible", network="water")["restored"].values
    assert water[0].tolist() == [0, 0] + [1] * 6 and water[1].tolist() == [0] * 8
    t = v.simulated_times(c)["flexible"]["water"]
    assert t["t90"] is None and t["t90_status"] == "not within horizon"    # mean 0.5


# ------------------------------------------------------------------------------- the checks

def _obs(times, lifeline="power", magnitude=6.5, basis="affected", bound=None):
    return [{"event": f"e{i}", "magnitude": magnitude, "lifeline": lifeline, "basis": basis,
             "t90": t, "t90_bound": bound} for i, t in enumerate(times)]


def _sim(t90, served_t90=None):
    return {"s": {"power": {"t90": t90, "t90_status": "reached" if t90 is not None else
                            "not within horizon", "served_t90": served_t90,
                            "served_t90_status": "reached"}}}


def test_the_band_check_passes_within_a_factor_of_two_for_three_of_four_events():
    band = v.band_check(_sim(4.0), _obs([2.0, 3.0, 8.0, 40.0]))
    r = band["strategies"]["s"]
    assert (r["in_band"], r["compared"], r["passed"]) == (3, 4, True)
    assert [e["in_band"] for e in r["events"]] == [True, True, True, False]
    assert "factor of 2" in band["rule"]


def test_the_band_check_fails_when_too_few_events_are_in_the_band():
    r = v.band_check(_sim(9.0), _obs([0.7, 0.9, 3.3, 10.0]))["strategies"]["s"]
    assert (r["in_band"], r["compared"], r["passed"]) == (1, 4, False)
    # both floored at one day: 0.4 observed and 1 simulated are in the band
    assert v.band_check(_sim(1.0), _obs([0.4, 0.5, 0.9]))["strategies"]["s"]["passed"]
    # two of two in the band is still too few events
    assert not v.band_check(_sim(1.0), _obs([1.0, 1.5]))["strategies"]["s"]["passed"]
    # a simulated curve that never reaches 90 % is outside the band
    assert v.band_check(_sim(None), _obs([1.0, 1.5, 2.0]))["strategies"]["s"]["in_band"] == 0


def test_the_band_leaves_out_bounds_large_events_and_compares_on_the_events_basis():
    obs = (_obs([2.0]) + _obs([2.0], bound="upper") + _obs([2.0], magnitude=9.0))
    obs[1]["event"], obs[2]["event"] = "bound", "megathrust"
    band = v.band_check(_sim(2.0), obs)
    assert band["comparable_events"] == ["e0"]
    assert band["not_compared"] == ["bound", "megathrust"]
    served = v.band_check(_sim(50.0, served_t90=2.0), _obs([2.0, 2.0, 2.0], basis="all"))
    assert served["strategies"]["s"]["passed"]


def test_the_observed_ordering_of_the_bundled_table_is_power_before_water_before_gas():
    order = v.ordering_check({}, v.observed_times(v.read_observed()))["observed"]
    assert order and all(o["result"] == "holds" for o in order.values()), order


# ----------------------------------------------------------------------- written by simulate

def test_simulate_writes_validation_json_and_a_summary_entry(tmp_path):
    city = save_city(toy_city(), tmp_path / "toy")
    params = validate_params({"name": "toy", "city": str(city), "horizon_days": 40,
                              "hazard": {"magnitude": 7.0}, "constraints": {"crews": 2},
                              "ensemble": {"members": 0}, "mitigation": {"members": 0}})
    run_dir = pipeline.simulate(params, tmp_path / "run")
    out = json.loads((run_dir / "validation.json").read_text())
    assert set(out) >= {"units", "definitions", "table", "simulated", "observed", "ordering",
                        "band", "caveats"}
    assert out["units"]["t90"] == "days" and out["table"]["rows"] >= 30
    assert set(out["simulated"]) == set(params["strategies"])
    for nets in out["simulated"].values():
        assert set(nets) == {"water", "power", "road"}
        for t in nets.values():
            assert all((t[k] is None) == (t[f"{k}_status"] != "reached")
                       for k in ("t80", "t90", "t95"))
    summary = json.loads((run_dir / "summary.json").read_text())
    assert summary["validation"]["file"] == "validation.json"
    assert set(summary["validation"]["strategies"]) == set(params["strategies"])
    curves = pd.read_csv(run_dir / "validation_curves.csv")
    assert list(curves.columns) == ["strategy", "realization", "network", "day", "served",
                                    "restored"]
    assert len(curves) == len(params["strategies"]) * 3 * 41
    manifest = json.loads((run_dir / "manifest.json").read_text())
    assert manifest["stages"]["validation"]["status"] == "ok"
