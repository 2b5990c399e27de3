"""People in the recovery, in a run (stage 04's last section): the agents' indexes beside the
recovery's, agents off = the recovery exactly, the files it writes."""

import json

import pytest

import workbench as wb
from workbench.run.params import validate_params
from workbench.run.pipeline import stages
from workbench.run.pipeline.response import comparison_table, response_stage, write_response


@pytest.fixture(scope="module")
def toy():
    params = validate_params({"city": "demo", "strategies": ["rigid", "flexible"],
                              "horizon_days": 120})
    city = stages.map_stage(params)
    system = wb.build_system(city)
    damage = stages.damage_stage(params, city, system)
    rec = stages.recovery_stage(params, city, damage, system)
    return params, city, system, damage, rec


def test_the_agents_sit_beside_the_recovery_and_conserve_people(toy, tmp_path):
    params, city, system, damage, rec = toy
    result = response_stage(params, city, damage, rec.recovery, system)
    summary = result.summary
    for s in ("rigid", "flexible"):
        v = summary["strategies"][s]
        assert v["economic_loss"]["recovery"] == rec.summaries[0][s]["economic_loss"]
        assert v["service_loss_person_days"]["recovery"] == \
            rec.summaries[0][s]["service_loss_person_days"]
        residents = float(wb.functionality.residents(city.buildings).sum())
        assert sum(v["persons_day0"].values()) == pytest.approx(residents)
        assert 0 <= v["supplies_share_met_72h"] <= 1
    persons = result.agents["persons"].sum("state")
    assert float(abs(persons - persons.isel(time=0)).max()) < 1e-6     # every day
    assert 0 <= summary["warning"]["reach_any_1h"] <= 1
    write_response(tmp_path, result)
    assert json.loads((tmp_path / "response.json").read_text()) == json.loads(
        json.dumps(summary))
    for name in ("response.nc", "supplies.nc", "warning.nc"):
        assert (tmp_path / name).is_file()
    table = comparison_table(summary)
    assert {"recovery (agents off)", "with agents", "change"} <= set(table.columns)


def test_agents_off_skips_the_section(toy):
    params, city, system, damage, rec = toy
    off = validate_params({**{k: params[k] for k in ("strategies", "horizon_days")},
                           "response": {"agents": False}})
    assert response_stage(off, city, damage, rec.recovery, system) is None


def test_response_parameters_are_checked():
    from workbench.core.errors import ParameterError
    with pytest.raises(ParameterError, match="response.supplies_days"):
        validate_params({"response": {"supplies_days": 2}})
    with pytest.raises(ParameterError, match="response.agents"):
        validate_params({"response": {"agents": "yes"}})
