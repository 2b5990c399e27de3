"""The parameter file: defaults, validation, unknown keys."""

import math

import pytest
import yaml

from workbench.errors import ParameterError
from workbench.params import DEFAULTS, default_params_yaml, load_params, validate_params


def test_defaults_round_trip(tmp_path):
    path = tmp_path / "p.yaml"
    path.write_text(default_params_yaml())
    assert load_params(path) == validate_params({})
    assert math.isinf(load_params(path)["constraints"]["materials_per_day"])


def test_contract_keys_present():
    p = yaml.safe_load(default_params_yaml())
    for key in ("name", "city", "seed", "hazard", "constraints", "strategies", "horizon_days"):
        assert key in p
    for key in ("crews", "materials_per_day", "commitment_days"):
        assert key in p["constraints"]


@pytest.mark.parametrize("given, message", [
    ({"not_a_key": 1}, r"unknown parameter key\(s\): not_a_key"),
    ({"constraints": {"crew": 3}}, r"under 'constraints': constraints.crew"),
    ({"constraints": {"crews": -1}}, r"constraints.crews must be a positive integer; got -1"),
    ({"constraints": {"crews": 0}}, r"constraints.crews must be a positive integer; got 0"),
    ({"constraints": {"materials_per_day": float("nan")}}, r"constraints.materials_per_day"),
    ({"strategies": ["rigid", "greedy"]}, r"strategies must be any of \['rigid', 'semiflexible', 'flexible'\]; got \['greedy'\]"),
    ({"hazard": {"magnitude": -2}}, r"hazard.magnitude must be a moment magnitude in \(0, 10\]; got -2"),
    ({"hazard": {"magnitude": float("nan")}}, r"hazard.magnitude"),
    ({"horizon_days": 0}, r"horizon_days must be a positive integer"),
    ({"seed": 1.5}, r"seed must be a non-negative integer"),
    ({"damage": {"design_code": "zone 9"}}, r"damage.design_code must be 'city' .* \['4', '3', "
                                            r"'2B', '2A', '1', '0'\]; got 'zone 9'"),
    ({"damage": {"design_code": True}}, r"damage.design_code .*; got True"),
])
def test_bad_values_are_named(given, message):
    with pytest.raises(ParameterError, match=message):
        validate_params(given)


def test_crews_by_trade():
    p = validate_params({"constraints": {"crews": {"building": 3, "water": 1, "power": 1, "road": 0}}})
    assert p["constraints"]["crews"]["building"] == 3


def test_missing_file():
    with pytest.raises(ParameterError, match="does not exist"):
        load_params("nope.yaml")


def test_defaults_not_mutated():
    validate_params({"constraints": {"crews": 3}})
    assert DEFAULTS["constraints"]["crews"] == {"building": 60, "water": 6, "power": 6, "road": 3}


def test_design_code_default_and_spellings():
    assert DEFAULTS["damage"]["design_code"] == "city"
    assert "design_code: city" in default_params_yaml()
    assert validate_params({"damage": {"design_code": 0}})["damage"]["design_code"] == "0"
    assert validate_params({"damage": {"design_code": "2b"}})["damage"]["design_code"] == "2B"
    assert validate_params({})["damage"]["design_code"] == "city"
