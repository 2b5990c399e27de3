"""Tests of workbench.hazard.fragility: Hazus tables, code levels, curves, pipes, consequences."""

import logging

import numpy as np
import pytest
import xarray as xr

import workbench.hazard.fragility as fragility
from workbench.city import toy_city
from workbench.core.errors import InputError
from workbench.hazard.fragility import (COMPONENT_MODELS, COMPONENT_RESTORATION, SEISMIC_DESIGN_ZONES,
                                 building_consequences, building_fragility,
                                 building_fragility_table, code_level, component_consequences,
                                 component_fragility, exceedance_probability,
                                 lifeline_restoration_table, pipe_repair_rate, repair_table,
                                 replacement_cost, seismic_design_zone, structure_types)


def test_tables_carry_provenance():
    for table in (building_fragility_table(), repair_table()):
        assert table["source"].str.contains("Hazus").all()
        assert table["source"].str.contains("simcenter-dlml").all()


def test_hazus_numbers_copied_faithfully():
    # spot checks against the Hazus 5.1 equivalent-PGA table (LF.C2.L.HC, LF.URM.L.PC)
    table = building_fragility_table().set_index(["structure_type", "height", "code_level"])
    assert table.loc[("C2", "L", "HC"), ["median_ds1", "median_ds4"]].tolist() == [0.24, 1.55]
    assert table.loc[("URM", "L", "PC"), "median_ds3"] == 0.26
    # Hazus 6.1 Tables 5-37…5-40 print beta_SPGA = sqrt(0.4² + 0.5²) = 0.64 for every row
    betas = building_fragility_table()[[f"beta_ds{k}" for k in range(1, 5)]]
    assert (betas == 0.64).all().all() and round(float(np.hypot(0.4, 0.5)), 2) == 0.64
    assert building_fragility_table()["source"].str.contains("Tables 5-37 to 5-40").all()


def test_fragility_at_its_median_gives_half():
    median = np.array([[0.2, 0.4, 0.8, 1.6]])
    beta = np.full((1, 4), 0.6)
    np.testing.assert_allclose(exceedance_probability(np.array([[0.4]]), median, beta)[0, 1], 0.5)
    # and for every building of the toy city at each of its own medians
    med, b = building_fragility(toy_city(), design_code="4")
    for k in range(4):
        np.testing.assert_allclose(exceedance_probability(med[:, k], med[:, k], b[:, k]), 0.5)


def test_zero_intensity_and_monotone_states():
    med, beta = building_fragility(toy_city())
    assert exceedance_probability(np.zeros((6, 1)), med, beta).max() == 0.0
    p = exceedance_probability(np.full((6, 1), 0.5), med, beta)
    assert (np.diff(p, axis=-1) <= 0).all()


def test_code_levels_by_year():
    assert code_level([1940, 1941, 1975, 1976], zone="4").tolist() == ["PC", "MC", "MC", "HC"]


# The Hazus guidance table (HAZUS-MH MR4 Technical Manual, Table 5.20), as transcribed:
# zone → (post-1975, 1941–1975, pre-1941) for typical buildings and for W1.
HAZUS_TABLE_5_20 = {
    "4": (("HC", "MC", "PC"), ("HC", "MC", "MC")),
    "3": (("MC", "MC", "PC"), ("MC", "MC", "MC")),
    "2B": (("MC", "LC", "PC"), ("MC", "LC", "LC")),
    "2A": (("LC", "LC", "PC"), ("LC", "LC", "LC")),
    "1": (("LC", "PC", "PC"), ("LC", "LC", "LC")),
    "0": (("PC", "PC", "PC"), ("LC", "LC", "LC")),
}


@pytest.mark.parametrize("zone", list(HAZUS_TABLE_5_20))
def test_design_levels_follow_the_hazus_zone_table(zone):
    years = [1990, 1950, 1930]
    typical, w1 = HAZUS_TABLE_5_20[zone]
    assert code_level(years, ["C2L"] * 3, zone=zone).tolist() == list(typical)
    assert code_level(years, ["W1"] * 3, zone=zone).tolist() == list(w1)
    assert set(SEISMIC_DESIGN_ZONES) == set(HAZUS_TABLE_5_20)


def test_design_zone_from_city_param_and_default(caplog):
    b = toy_city().buildings
    with caplog.at_level(logging.WARNING, logger="workbench.hazard.fragility"):
        assert seismic_design_zone(b) == "0"
    assert "no 'seismic_design_zone' attr: assuming UBC seismic zone 0" in caplog.text
    assert seismic_design_zone(b.assign_attrs(seismic_design_zone="2a")) == "2A"
    assert seismic_design_zone(b.assign_attrs(seismic_design_zone=4), "1") == "1"  # param wins
    with pytest.raises(InputError, match=r"design_code 'Z9' is not a UBC seismic zone.*"
                                         r"\['4', '3', '2B', '2A', '1', '0'\]"):
        seismic_design_zone(b, "Z9")
    with pytest.raises(InputError, match=r"the city's 'seismic_design_zone' attr 'high'"):
        seismic_design_zone(b.assign_attrs(seismic_design_zone="high"))


def test_fallback_to_highest_available_level():
    # URML exists only at LC and PC: a 1990 (HC) URML takes LC
    city = toy_city()
    b = city.buildings.copy()
    b["year_built"][:] = 1990
    med, _ = building_fragility(b, design_code="4")
    lc = building_fragility_table().query("structure_type == 'URM' and height == 'L' "
                                          "and code_level == 'LC'")
    assert med[0].tolist() == lc[[f"median_ds{k}" for k in range(1, 5)]].iloc[0].tolist()


def test_unknown_structure_type_lists_known():
    b = toy_city().buildings.copy()
    b["structural_class"][:] = np.array(["XYZ"] * 6)
    with pytest.raises(InputError, match=r"unknown structural_class \['XYZ'\] for 6 .*'C2L'"):
        building_fragility(b)
    assert "W1" in structure_types() and "URML" in structure_types()


def test_pipe_repair_rate_hazus():
    assert pipe_repair_rate(20.0) == pytest.approx(1e-4 * 20.0 ** 2.25)
    assert pipe_repair_rate(20.0, ductile=True) == pytest.approx(0.3e-4 * 20.0 ** 2.25)
    assert pipe_repair_rate(0.0) == 0.0


def test_consequences_are_monotone_and_capped():
    ratio, days = building_consequences(toy_city())
    assert (np.diff(ratio, axis=1) >= 0).all() and (np.diff(days, axis=1) >= 0).all()
    assert ratio[:, 0].max() == 0.0 and ratio.max() <= 1.0


def test_replacement_cost_needs_a_source():
    with pytest.raises(InputError, match=r"replacement_cost_per_m2 lacks type\(s\) "
                                         r"\['commercial'.*Add a 'replacement_cost'"):
        replacement_cost(toy_city(), {"residential": 1.0})
    b = toy_city().buildings.assign(replacement_cost=("building", np.arange(6.0)))
    assert replacement_cost(b).tolist() == list(np.arange(6.0))


def test_component_models_and_unknown_kind():
    comps = xr.Dataset({"network": ("component", ["power", "power", "water", "road"]),
                        "kind": ("component", ["substation", "line", "pump", "road"])})
    frag = component_fragility(comps)
    assert frag["model"].tolist() == ["EP.S.L.U", "EP.C.U", "building:C2L.MC", "none"]
    assert np.isinf(frag["median"][3]).all()
    bad = xr.Dataset({"network": ("component", ["road"]), "kind": ("component", ["bridge"])})
    with pytest.raises(InputError, match=r"no fragility for component .*\('road', 'bridge'\)"):
        component_fragility(bad)


def test_medians_rise_with_design_level():
    """Stronger code, higher median PGA: so a weaker zone never damages less (equal betas)."""
    table = building_fragility_table()
    table["model"] = table["structure_type"] + table["height"].fillna("")
    rank = table["code_level"].map({"PC": 0, "LC": 1, "MC": 2, "HC": 3})
    cols = [f"median_ds{k}" for k in range(1, 5)]
    for _, rows in table.assign(rank=rank).sort_values("rank").groupby("model"):
        assert (np.diff(rows[cols].to_numpy(), axis=0) >= 0).all()


# --------------------------------------------------------------------------- component effort

def test_every_fragile_kind_has_a_restoration_class():
    classes = set(lifeline_restoration_table()["restoration_class"])
    fragile = {p for p, model in COMPONENT_MODELS.items() if model not in ("none", "pipe")}
    assert fragile == set(COMPONENT_RESTORATION)
    assert set(COMPONENT_RESTORATION.values()) <= classes


def test_restoration_table_says_what_is_assumed():
    table = lifeline_restoration_table()
    assert table["source"].str.startswith("ASSUMPTION").all()
    assert table["cost_source"].str.startswith("ASSUMPTION").all()
    means = table[[f"mean_days_ds{k}" for k in range(1, 5)]].to_numpy()
    assert (means > 0).all() and (np.diff(means, axis=1) >= 0).all()


def test_fragile_kind_without_repair_effort_is_an_error(monkeypatch):
    monkeypatch.delitem(COMPONENT_RESTORATION, ("water", "pump"))
    comps = xr.Dataset({"network": ("component", ["water", "water"]),
                        "kind": ("component", ["pump", "junction"])})
    with pytest.raises(InputError, match=r"\('water', 'pump'\)\] have a fragility but no repair "
                                         r"effort.*COMPONENT_RESTORATION"):
        component_consequences(comps)
    monkeypatch.setitem(COMPONENT_RESTORATION, ("water", "pump"), "windmill")
    with pytest.raises(InputError, match=r"'pump'\)\] have a fragility but no repair effort"):
        component_consequences(comps)
    assert fragility.COMPONENT_RESTORATION is COMPONENT_RESTORATION


def test_own_repair_days_override_the_table():
    comps = xr.Dataset({"network": ("component", ["water", "water", "power"]),
                        "kind": ("component", ["pump", "pump", "generator"]),
                        "repair_days": ("component", [0.0, 70.0, 0.0]),
                        "repair_cost": ("component", [0.0, 5e5, 0.0])})
    days, cost = component_consequences(comps)
    row = lifeline_restoration_table().set_index("restoration_class").loc["pumping_plant"]
    mean = np.array([row[f"mean_days_ds{k}"] for k in range(1, 5)])
    np.testing.assert_allclose(days[0, 1:], mean)                  # table days as they are
    np.testing.assert_allclose(days[1, 1:], 70.0 * mean / mean[-1])  # own complete effort
    assert days[:, 0].max() == 0.0 and (days[:, 1:] > 0).all() and (cost[:, 1:] > 0).all()
    assert cost[1, 4] == 5e5 and cost[0, 4] == row["replacement_cost_eur"]
