"""The flexible gap explained: semiflexible − flexible split by the limits flexible ignores."""

import json

import pytest

from workbench import report
from workbench.recovery import STRATEGY_RULES, simulate_recovery
from workbench.recovery.gap import GAP_INDEXES, GAP_STEPS, strategy_gap
from workbench.run.params import validate_params
from workbench.run.pipeline.commands import simulate
from workbench.run.pipeline.stages import map_stage, damage_stage, mitigated


def test_flexible_plus_every_step_is_semiflexible():
    rule = STRATEGY_RULES["flexible"]
    for _, change in GAP_STEPS:
        rule = rule.__class__(**{**rule.__dict__, **change})
    assert {**rule.__dict__, "name": "semiflexible"} == STRATEGY_RULES["semiflexible"].__dict__


@pytest.mark.slow        # simulate with two realisations (~1.5 s)
def test_the_parts_sum_to_the_gap_summary_json_reports(tmp_path):
    params = validate_params({"name": "gap", "horizon_days": 200, "realizations": 2})
    run = simulate(params, tmp_path / "run")
    summary = json.loads((run / "summary.json").read_text())
    gap = summary["strategy_gap"]
    assert gap["order"] == [c for c, _ in GAP_STEPS]
    s = summary["strategies"]
    for index in GAP_INDEXES:
        total = gap[index]["total"]
        assert total == pytest.approx(s["semiflexible"][index] - s["flexible"][index], rel=1e-9)
        assert sum(gap[index]["parts"].values()) == pytest.approx(total, rel=1e-3)
    assert gap["economic_loss"]["total"] > 0
    assert "optimistic bound, not a policy" in report.gap_sentence(summary)
    assert list(report.gap_table(summary).index)[-1] == "Semiflexible − flexible (total)"


def test_without_both_strategies_there_is_no_gap(tmp_path):
    params = validate_params({"name": "g", "horizon_days": 60, "strategies": ["rigid", "flexible"]})
    summary = json.loads((simulate(params, tmp_path / "r") / "summary.json").read_text())
    assert "strategy_gap" not in summary
    assert report.gap_table(summary) is None and report.gap_sentence(summary) == ""


def test_the_gap_of_one_realisation_reruns_the_two_strategies_exactly():
    params = validate_params({"horizon_days": 120})
    city = map_stage(params)
    damage = damage_stage(params, city).isel(realization=0)
    city, system, limits, shelters = mitigated(params, city)
    rec = simulate_recovery(city, system, damage, limits, shelters=shelters, seed=42,
                            strategies=("semiflexible", "flexible"))
    gap = strategy_gap(city, system, damage, limits, shelters=shelters, seed=42)
    from workbench.metrics.indexes import summary_indexes
    s = summary_indexes(rec, city, damage)
    assert gap["economic_loss"]["total"] == s["semiflexible"]["economic_loss"] - \
        s["flexible"]["economic_loss"]
