"""Demand types and units (workbench.hazard.demand): a field's unit meets a model's in one place,
a CSV column may name its unit, and a hazard's damage model is found by its kind."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from workbench.city import toy_city
from workbench.core.errors import InputError
from workbench.hazard.damage import DAMAGE_MODELS, DamageSampler
from workbench.hazard.demand import MODEL_DEMANDS, DEMANDS, convert, site_demand
from workbench.hazard.flood import flood_intensity
from workbench.hazard.ground_motion import intensity_from_csv
from workbench.network.system import build_system

PER_M2 = dict.fromkeys(["residential", "office", "commercial", "industrial", "public"], 2000.0)


def test_every_model_reads_a_known_demand_in_a_unit_of_its_quantity():
    for model, demands in MODEL_DEMANDS.items():
        for demand, unit in demands:
            assert demand in DEMANDS, model
            convert(1.0, DEMANDS[demand].unit, unit, what=model)   # the same quantity


def test_a_csv_column_may_name_its_unit(tmp_path):
    city = toy_city()
    ids = city.buildings["building"].values
    pga_g = np.linspace(0.1, 0.6, 6)
    pd.DataFrame({"id": ids, "pga": pga_g, "pgv": 10 * pga_g}).to_csv(tmp_path / "g.csv")
    pd.DataFrame({"id": ids, "pga_pctg": 100 * pga_g,
                  "pgv_in_s": 10 * pga_g / 2.54}).to_csv(tmp_path / "u.csv")
    a = intensity_from_csv(tmp_path / "g.csv", city)
    b = intensity_from_csv(tmp_path / "u.csv", city)
    np.testing.assert_allclose(b["building_pga"].values, a["building_pga"].values, rtol=1e-12)
    np.testing.assert_allclose(b["building_pgv"].values, a["building_pgv"].values, rtol=1e-12)
    pd.DataFrame({"id": ids, "pga": pga_g, "pga_pctg": 100 * pga_g}).to_csv(tmp_path / "x.csv")
    with pytest.raises(InputError, match=r"gives pga twice \(columns \['pga', 'pga_pctg'\]\)"):
        intensity_from_csv(tmp_path / "x.csv", city)


def test_a_model_converts_from_the_fields_own_unit():
    city = toy_city()
    system = build_system(city)
    depth = np.array([0.0, 0.5, 1.0, 1.5, 2.0, 3.0])
    in_m = flood_intensity(city.buildings, system.components, depth,
                           np.zeros(system.n_components))
    in_ft = in_m.copy()
    in_ft["building_inundation_depth"] = in_ft["building_inundation_depth"] / 0.3048
    in_ft["building_inundation_depth"].attrs["units"] = "ft"
    sampler = DamageSampler(city, system, replacement_cost_per_m2=PER_M2, design_code="0")
    a, b = sampler(in_m, seed=3), sampler(in_ft, seed=3)
    np.testing.assert_allclose(b["building_repair_cost"].values, a["building_repair_cost"].values)
    np.testing.assert_allclose(site_demand(in_ft, "building", "inundation_depth", "m"), depth)
    in_ft["building_inundation_depth"].attrs["units"] = "g"
    with pytest.raises(InputError, match=r"building_inundation_depth: cannot convert g"):
        sampler(in_ft)


def test_a_hazard_kind_finds_its_damage_model(monkeypatch):
    city = toy_city()
    system = build_system(city)
    calls = []

    def model(sampler, intensity, realizations, seed):
        calls.append((intensity.attrs["hazard_kind"], realizations, seed))
        return DAMAGE_MODELS["flood"](sampler, intensity, realizations, seed)

    monkeypatch.setitem(DAMAGE_MODELS, "tsunami", model)
    wave = flood_intensity(city.buildings, system.components, np.ones(6),
                           np.zeros(system.n_components))
    wave.attrs["hazard_kind"] = "tsunami"
    DamageSampler(city, system, replacement_cost_per_m2=PER_M2, design_code="0")(
        wave, realizations=2, seed=5)
    assert calls == [("tsunami", 2, 5)]
