"""One valuation of where people are (METHOD §3, ``workbench.functionality.Valuation``), checked on
the demo city: a sheltered day costs service, slower repairs cost more, and the agents' service
loss is bounded by the recovery's once "elsewhere" is valued as served."""

import numpy as np
import pytest

import workbench as wb
from workbench import pipeline
from workbench.functionality import Shelters, Valuation
from workbench.metrics.indexes import displaced_person_days, service_loss
from workbench.response import simulate_agents
from workbench.run.params import validate_params

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def demo_run():
    """The mapped demo city, its system, one damage realization and its recovery (all three
    strategies) under heavy damage — the former default's ground motion and building curves
    (BA08, equivalent-PGA: 31 % of the buildings at complete damage; the default's M 5.5
    displaces few people for long) — and a horizon of 730 days, which cuts the recovery:
    residents are still sheltered at its end."""
    params = validate_params({"horizon_days": 730, "hazard": {"gmpe": "BA08"},
                              "damage": {"building_model": "equivalent-pga"}})
    city = wb.map_city(wb.demo_city(), max_distance=params["map"]["max_distance_m"])
    system = wb.build_system(city)
    intensity = pipeline.hazard_intensity(params["hazard"], city, system.components)
    constraints = wb.Constraints(horizon_days=params["horizon_days"], **params["constraints"])
    damage = wb.sample_damage(city.buildings, system.components, intensity, seed=3,
                              building_model=params["damage"]["building_model"]
                              ).isel(realization=0)
    recovery = wb.simulate_recovery(city, system, damage, constraints, seed=3)
    return city, system, damage, constraints, recovery


def test_a_resident_sheltered_at_the_horizon_costs_service_every_day(demo_run):
    *_, recovery = demo_run
    last = recovery.isel(time=-1)
    value = Valuation()
    for strategy in recovery["strategy"].values:
        day = last.sel(strategy=strategy)
        sheltered = float(day["sheltered"])
        unsheltered = float(day["displaced"]) - sheltered
        gap = float(day["demand"] - day["sc"])
        # a served home counts 2, a shelter place at most h_S + v_S, the unsheltered nothing
        assert gap >= sheltered * (2 - value.shelter_housing - value.shelter_service) \
            + 2 * unsheltered - 1e-6
    rigid = last.sel(strategy="rigid")
    assert float(rigid["sheltered"]) > 0 and float(rigid["demand"] - rigid["sc"]) > 0


def test_slower_repairs_at_a_fixed_shelter_stock_cost_service_and_displacement(demo_run):
    city, system, damage, constraints, recovery = demo_run
    slow = damage.assign(building_repair_days=damage["building_repair_days"] * 2)
    if "building_expected_repair_days" in slow:
        slow["building_expected_repair_days"] = slow["building_expected_repair_days"] * 2
    slower = wb.simulate_recovery(city, system, slow, constraints, seed=3,
                                  strategies=["semiflexible", "flexible"])
    for strategy in ("semiflexible", "flexible"):
        base, twice = recovery.sel(strategy=strategy), slower.sel(strategy=strategy)
        assert float(service_loss(twice)) > float(service_loss(base))
        assert float(displaced_person_days(twice)) > float(displaced_person_days(base))


def test_agents_valuing_elsewhere_as_served_stay_within_the_recovery(demo_run):
    city, system, damage, _, recovery = demo_run
    rec = recovery.sel(strategy=["semiflexible"])
    served = Shelters(valuation=Valuation(elsewhere_housing=1.0, elsewhere_service=1.0))
    agents = simulate_agents(city, system, damage, rec, shelters=served, seed=3)
    unsheltered = displaced_person_days(rec) - displaced_person_days(rec, "sheltered")
    bound = float(service_loss(rec).squeeze()) + float(unsheltered.squeeze())
    assert float(service_loss(agents).squeeze()) <= bound
    # and the default valuation (elsewhere below home) costs more than valuing it as served
    default = simulate_agents(city, system, damage, rec, seed=3)
    assert float(service_loss(default).squeeze()) > float(service_loss(agents).squeeze())
    assert np.isfinite(float(service_loss(default).squeeze()))


def test_the_shelter_assumptions_swept_for_the_report_each_move_the_service_index(demo_run):
    from workbench.recovery.sweeps import SHELTER_SWEEP, shelter_sweep
    from workbench.show import report
    from workbench.show.report import shelter_sensitivity_table
    city, system, damage, constraints, _ = demo_run
    sens = {"strategy": "semiflexible", "realization": 0}
    for field, values in SHELTER_SWEEP.items():
        t = shelter_sweep(city, system, damage, constraints, field, values,
                          strategies=("semiflexible",), seed=3)
        losses = t["service_loss_person_days"].to_numpy()
        assert np.ptp(losses) > 0.01 * losses.mean(), field     # a sweep that moves
        sens[field] = [{"value": v, "service_loss_person_days": s, "displaced_person_days": d}
                       for v, s, d in zip(values, losses, t["displaced_person_days"])]
    table = shelter_sensitivity_table({"shelter_sensitivity": sens})
    assert len(table) == sum(len(v) for v in SHELTER_SWEEP.values())
    labels = table["assumption: value"]
    assert sum(label.endswith("(default)") for label in labels) == len(SHELTER_SWEEP)
    # the page shows the labels (text_table hides the index)
    html = report.text_table(table).to_html()
    assert "shelter places planned per resident: 0.1 (default)" in html
    with pytest.raises(wb.core.errors.InputError, match="neither a Shelters field"):
        shelter_sweep(city, system, damage, constraints, "crews", [1])


def test_the_agents_find_the_planned_shelter_places_and_never_exceed_them(demo_run):
    # the designated hosts of the demo are among its most damaged buildings: the plan opens
    # its places in the usable capable buildings instead, so the default agents shelter people
    from workbench.functionality import planned_places
    city, system, damage, _, recovery = demo_run
    rec = recovery.sel(strategy=["semiflexible"])
    agents = simulate_agents(city, system, damage, rec, seed=3)
    planned = float(planned_places(city.buildings, Shelters()).sum())
    sheltered = agents["sheltered"].values
    assert float(displaced_person_days(agents, "sheltered").squeeze()) > 0
    assert sheltered.max() > 0.5 * planned and sheltered.max() <= planned + 1e-6
    assert float(rec["sheltered"].isel(time=0).squeeze()) > 0     # open from day 0
