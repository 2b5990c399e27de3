"""Tests of workbench.fragility: Hazus tables, code levels, curves, pipes, consequences."""

import numpy as np
import pytest
import xarray as xr

from workbench.city import toy_city
from workbench.errors import InputError
from workbench.fragility import (building_consequences, building_fragility,
                                 building_fragility_table, code_level, component_fragility,
                                 exceedance_probability, pipe_repair_rate, repair_table,
                                 replacement_cost, structure_types)


def test_tables_carry_provenance():
    for table in (building_fragility_table(), repair_table()):
        assert table["source"].str.contains("Hazus").all()
        assert table["source"].str.contains("simcenter-dlml").all()


def test_hazus_numbers_copied_faithfully():
    # spot checks against the Hazus 5.1 equivalent-PGA table (LF.C2.L.HC, LF.URM.L.PC)
    table = building_fragility_table().set_index(["structure_type", "height", "code_level"])
    assert table.loc[("C2", "L", "HC"), ["median_ds1", "median_ds4"]].tolist() == [0.24, 1.55]
    assert table.loc[("URM", "L", "PC"), "median_ds3"] == 0.26
    assert (building_fragility_table()[[f"beta_ds{k}" for k in range(1, 5)]] == 0.4).all().all()


def test_fragility_at_its_median_gives_half():
    median = np.array([[0.2, 0.4, 0.8, 1.6]])
    beta = np.full((1, 4), 0.6)
    np.testing.assert_allclose(exceedance_probability(np.array([[0.4]]), median, beta)[0, 1], 0.5)
    # and for every building of the toy city at each of its own medians
    med, b = building_fragility(toy_city())
    for k in range(4):
        np.testing.assert_allclose(exceedance_probability(med[:, k], med[:, k], b[:, k]), 0.5)


def test_zero_intensity_and_monotone_states():
    med, beta = building_fragility(toy_city())
    assert exceedance_probability(np.zeros((6, 1)), med, beta).max() == 0.0
    p = exceedance_probability(np.full((6, 1), 0.5), med, beta)
    assert (np.diff(p, axis=-1) <= 0).all()


def test_code_levels_by_year():
    assert code_level([1940, 1941, 1975, 1976]).tolist() == ["PC", "MC", "MC", "HC"]


def test_fallback_to_highest_available_level():
    # URML exists only at LC and PC: a 1990 (HC) URML takes LC
    city = toy_city()
    b = city.buildings.copy()
    b["year_built"][:] = 1990
    med, _ = building_fragility(b)
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
