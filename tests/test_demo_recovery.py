"""The strategies bracket each other on the demo city (Zhou et al. 2025, Fig. 1(b); METHOD §5)."""

import numpy as np
import pytest

import workbench as wb
from workbench import pipeline
from workbench.metrics.indexes import functionality_curve
from workbench.run.params import validate_params


@pytest.fixture(scope="module")
def demo():
    """The default parameters, the mapped demo city, its system, the shaking and constraints."""
    params = validate_params({})
    city = wb.map_city(wb.demo_city(), max_distance=params["map"]["max_distance_m"])
    system = wb.build_system(city)
    intensity = pipeline.hazard_intensity(params["hazard"], city, system.components)
    constraints = wb.Constraints(horizon_days=params["horizon_days"], **params["constraints"])
    return city, system, intensity, constraints


@pytest.fixture(scope="module")
def demo_losses(demo):
    """Mean economic loss and functionality-loss integral of each strategy over seeds 0–15.
    Sixteen seeds, not four: at the default (capacity-spectrum buildings, AB06) damage is light
    and 60 building crews are rarely all busy, so rigid's lead over semiflexible is a few per
    cent and varies by seed (economic loss: rigid above semiflexible in 13 of 16 seeds; METHOD
    §5.3)."""
    city, system, intensity, constraints = demo
    economic, functionality = [], []
    for seed in range(16):
        damage = wb.sample_damage(city.buildings, system.components, intensity,
                                  seed=seed).isel(realization=0)
        recovery = wb.simulate_recovery(city, system, damage, constraints, seed=seed)
        summary = wb.summary_indexes(recovery, city, damage)
        economic.append([summary[s]["economic_loss"] for s in wb.core.dims.STRATEGIES])
        lost = (1 - functionality_curve(recovery)).sum("time")  # daily steps: left rectangle
        functionality.append([float(lost.sel(strategy=s)) for s in wb.core.dims.STRATEGIES])
    return np.mean(economic, axis=0), np.mean(functionality, axis=0)


def test_flexible_le_semiflexible_le_rigid_in_mean_economic_loss(demo_losses):
    rigid, semi, flexible = demo_losses[0]
    assert flexible <= semi <= rigid
    # with the limits of information and implementation of the default parameters the plan
    # made before the event loses more; the optimistic bound ignores those limits altogether
    assert rigid > 1.02 * semi and semi > 1.1 * flexible


@pytest.mark.parametrize("mobilisation, holding_saves", [(1.0, True), (0.0, False)])
def test_the_commitment_period_binds_on_the_demo_city(demo, mobilisation, holding_saves):
    """Commitment moves semiflexible's loss, and which way says why. With the default day of
    mobilisation per task, crews re-planned daily (commitment 0) leave tasks half done and pay
    the mobilisation again elsewhere, so holding them to completion loses less; with no
    mobilisation, switching is free and holding them costs something (METHOD §5.3)."""
    from dataclasses import replace
    from workbench.recovery.sweeps import constraint_sweep
    city, system, intensity, base = demo
    base = replace(base, mobilisation_days=mobilisation)
    losses = []
    for seed in range(3):
        damage = wb.sample_damage(city.buildings, system.components, intensity,
                                  seed=seed).isel(realization=0)
        sweep = constraint_sweep(city, system, damage, base, "commitment_days",
                                 [0.0, float("inf")], strategies=["semiflexible"], seed=seed)
        losses.append(sweep["economic_loss"].to_numpy())
    free, to_completion = np.mean(losses, axis=0)
    if holding_saves:
        assert to_completion < 0.99 * free
    else:
        assert to_completion > 1.01 * free


def test_bracket_holds_for_the_planning_objective(demo_losses):
    # the planner maximises ½(EP/EP0 + SC/demand); its loss integral must bracket too
    rigid, semi, flexible = demo_losses[1]
    assert flexible <= semi <= rigid


@pytest.mark.parametrize("trades, levels", [(("building",), (60, 70)), (("road",), (3, 5)),
                                            (("water", "power"), (6, 10, 11))])
@pytest.mark.slow
def test_more_crews_never_raise_either_index_in_the_mean(demo, trades, levels):
    """Five seeds, every strategy: crews of some trades raised step by step from the default;
    economic and service loss in the mean never rise. (Building repairs are valued at the
    service they will have once lifelines are back, so a network restored a day sooner does
    not reshuffle them: valued at today's service, flexible lost more with 11 water and power
    crews than with 10.)"""
    city, system, intensity, base = demo
    from dataclasses import replace
    runs = [replace(base, crews={**base.crews, **{t: n for t in trades}}) for n in levels]
    out = []
    for seed in range(5):
        damage = wb.sample_damage(city.buildings, system.components, intensity,
                                  seed=seed).isel(realization=0)
        row = []
        for c in runs:
            s = wb.summary_indexes(wb.simulate_recovery(city, system, damage, c, seed=seed),
                                   city, damage)
            row.append([[s[k]["economic_loss"], s[k]["service_loss_person_days"]]
                        for k in wb.core.dims.STRATEGIES])
        out.append(row)
    mean = np.mean(out, axis=0)              # (level, strategy, index)
    assert (np.diff(mean, axis=0) <= 1e-12 * mean[:-1]).all(), (trades, mean)
