"""The parameter file: defaults, validation, unknown keys."""

import math

import pytest
import yaml

from workbench.core.errors import ParameterError
from workbench.run.params import DEFAULTS, default_params_yaml, dump_params, load_params, validate_params


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
    # the constraint rules are workbench.recovery.Constraints', reported with the parameter path
    ({"constraints": {"crews": -1}}, r"^parameter constraints.crews must be a positive integer, got -1\.$"),
    ({"constraints": {"crews": 0}}, r"constraints.crews must be a positive integer, got 0"),
    ({"constraints": {"crews": {"water": -2}}}, r"constraints.crews.water must be a non-negative integer, got -2"),
    ({"constraints": {"crews": {"building": 0, "water": 0, "power": 0, "road": 0}}},
     r"constraints.crews by trade must total at least one crew"),
    ({"constraints": {"crews": {"plumber": 2}}}, r"under 'constraints.crews': constraints.crews.plumber"),
    ({"constraints": {"materials_per_day": float("nan")}}, r"constraints.materials_per_day must be a number > 0"),
    ({"constraints": {"commitment_days": -1}}, r"constraints.commitment_days must be a number ≥ 0"),
    ({"horizon_days": 0}, r"^parameter horizon_days must be a positive integer, got 0"),
    # strategy names are workbench.recovery's; the list shape is the file's
    ({"strategies": ["rigid", "greedy"]}, r"parameter strategies: unknown strategy \['greedy'\]; valid "
                                          r"strategies are \['rigid', 'semiflexible', 'flexible'\]"),
    ({"strategies": ["rigid", "rigid"]}, r"parameter strategies must not repeat"),
    ({"strategies": {}}, r"strategies must be a non-empty list such as \['rigid'"),
    ({"strategies": []}, r"strategies must be a non-empty list"),
    # the earthquake rules are workbench.hazard.Earthquake's
    ({"hazard": {"magnitude": -2}}, r"parameter hazard.magnitude must be a finite number > 0 .*; got -2"),
    ({"hazard": {"magnitude": 11}}, r"parameter hazard.magnitude must be ≤ 10; got 11"),
    ({"hazard": {"magnitude": float("nan")}}, r"hazard.magnitude"),
    ({"hazard": {"magnitude": "6"}}, r"got '6' \(quoted text, not a number: remove the quotes\)"),
    ({"hazard": {"location": [0, "north"]}}, r"parameter hazard.location must be a finite number .*; got 'north'"),
    ({"hazard": {"location": [1, 2, 3]}}, r"hazard.location must be 'centre' or \[x, y\]"),
    ({"hazard": {"intensity_scale": ".inf"}}, r"hazard.intensity_scale must be a finite number ≥ 0"),
    ({"hazard": {"kind": "tsunami"}}, r"hazard.kind must be 'earthquake' or 'field' or 'flood'; got 'tsunami'"),
    ({"hazard": {"kind": "field"}}, r"hazard.field must name a CSV intensity field"),
    ({"hazard": {"field": "shake.csv"}}, r"hazard.field is '.*shake.csv' but hazard.kind is 'earthquake'"),
    ({"seed": 1.5}, r"seed must be a non-negative integer"),
    ({"damage": {"design_code": "zone 9"}}, r"damage.design_code must be 'city' .* \['4', '3', "
                                            r"'2B', '2A', '1', '0'\]; got 'zone 9'"),
    ({"damage": {"design_code": True}}, r"damage.design_code .*; got True"),
    ({"damage": {"road_debris": "yes"}}, r"damage.road_debris must be true or false; got 'yes'"),
    # sections of the wrong type
    ({"hazard": 5}, r"parameter hazard must be a section of keys \(kind, magnitude, .*\); got 5"),
    ({"constraints": None}, r"parameter constraints must be a section of keys .*; got None"),
    ({"map": [1000]}, r"parameter map must be a section of keys \(max_distance_m\); got \[1000\]"),
    # run names that are no folder name
    ({"name": "."}, r"parameter name must be a folder name .*; got '\.'"),
    ({"name": ".."}, r"parameter name must be a folder name"),
    ({"name": "  "}, r"parameter name must be a folder name"),
    ({"name": "runs/a"}, r"without '/'.*; got 'runs/a'"),
    ({"name": "runs\\a"}, r"parameter name must be a folder name"),
    ({"name": 7}, r"parameter name must be a folder name"),
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


# --------------------------------------------------------------------------- each rule once

def test_constraint_rules_are_those_of_recovery_constraints():
    from workbench.core.errors import InputError
    from workbench.recovery import Constraints
    for given in ({"crews": -1}, {"materials_per_day": 0}, {"commitment_days": -3}):
        with pytest.raises(InputError) as direct:
            Constraints(horizon_days=730, **given)
        with pytest.raises(ParameterError) as via:
            validate_params({"constraints": given})
        assert str(via.value) == f"parameter constraints.{direct.value}."


def test_earthquake_rules_are_those_of_hazard_earthquake():
    from workbench.core.errors import InputError
    from workbench.hazard import Earthquake
    with pytest.raises(InputError) as direct:
        Earthquake(magnitude=5.5, x=0.0, y=0.0, vs30=-1.0)
    with pytest.raises(ParameterError) as via:
        validate_params({"hazard": {"vs30": -1.0}})
    assert str(via.value) == str(direct.value).replace("Earthquake field 'vs30'",
                                                       "parameter hazard.vs30")


# --------------------------------------------------------------------------- reading files

def _file(tmp_path, text, name="p.yaml"):
    path = tmp_path / name
    path.write_bytes(text if isinstance(text, bytes) else text.encode())
    return path


BILLION_LAUGHS = "\n".join(
    ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    + [f"{chr(98 + i)}: &{chr(98 + i)} [{','.join(['*' + chr(97 + i)] * 9)}]" for i in range(8)]) + "\n"


@pytest.mark.parametrize("content, message", [
    (b"name: r\xe9sum\xe9\n", r"p.yaml', line 1: byte 0xe9 is not UTF-8; save the file as UTF-8"),
    (b"seed: 1\nname: \xff\n", r"line 2: byte 0xff is not UTF-8"),
    ("", r"p.yaml' is empty \(no keys\)"),
    ("# only a comment\n", r"is empty \(no keys\)"),
    ("seed: 1\nhazard:\n  magnitude: 6\n kind: field\n", r"p.yaml', line 4, column 2: .*fix the YAML there"),
    ("seed: [1, 2\n", r"p.yaml', line 2"),
    ("- seed\n- 1\n", r"line 1: must hold a mapping of `key: value` lines; it holds a list"),
    ("just text\n", r"must hold a mapping .* it holds a str \('just text'\)"),
    ("seed: 1\nseed: 2\n", r"line 2, column 1: key 'seed' appears twice \(first on line 1\); keep one"),
    ("base: &b 1\nseed: *b\n", r"line 1, column 7: YAML anchors and aliases \(&name, \*name\) are not accepted"),
    (BILLION_LAUGHS, r"line 1, column 4: YAML anchors and aliases"),
    ("seed: 1\x07\n", r"line 1: the control character U\+0007 is not allowed in YAML"),
    ("a: " + "[" * 5000 + "\n", r"nests too deeply|line 1"),
])
def test_unreadable_files_name_the_file_and_line(tmp_path, content, message):
    path = _file(tmp_path, content)
    with pytest.raises(ParameterError, match=message) as info:
        load_params(path)
    assert "\n" not in str(info.value)


def test_billion_laughs_fails_fast(tmp_path):
    import time
    start = time.perf_counter()
    with pytest.raises(ParameterError, match="anchors and aliases"):
        load_params(_file(tmp_path, BILLION_LAUGHS))
    assert time.perf_counter() - start < 0.5


def test_huge_file_is_not_parsed(tmp_path):
    path = _file(tmp_path, "seed: 1\n" + "#" * 2_000_000 + "\n")
    with pytest.raises(ParameterError, match=r"is 2.0 MB, more than a parameter file's 1 MB limit"):
        load_params(path)


def test_directory_is_not_a_parameter_file(tmp_path):
    with pytest.raises(ParameterError, match=r"is not a file"):
        load_params(tmp_path)


def test_yaml11_text_numbers_are_numbers_where_numbers_are_expected(tmp_path):
    path = _file(tmp_path, "name: 1e3\nseed: 1e3\nhazard:\n  vs30: 7.6e2\n  location: [3.85e5, 6.672E6]\n"
                           "constraints:\n  crews: 1e2\n  materials_per_day: inf\n"
                           "  commitment_days: .Infinity\n")
    p = load_params(path)
    assert p["name"] == "1e3"  # text where text is expected
    assert p["seed"] == 1000 and isinstance(p["seed"], int)
    assert p["hazard"]["vs30"] == 760 and p["hazard"]["location"] == [385000, 6672000]
    assert p["constraints"]["crews"] == 100
    assert math.isinf(p["constraints"]["materials_per_day"])
    assert math.isinf(p["constraints"]["commitment_days"])
    assert load_params(tmp_path / "p.yaml") == validate_params(yaml.safe_load(dump_params(p)))


def test_relative_paths_are_read_from_the_parameter_files_folder(tmp_path, monkeypatch):
    folder = tmp_path / "study"
    (folder / "cities" / "town").mkdir(parents=True)
    (folder / "dl.csv").write_text("id,DS,repair_cost,repair_time\n")
    path = _file(folder, "city: cities/town\ndamage:\n  source: dl.csv\n")
    monkeypatch.chdir(tmp_path)  # elsewhere: the file's folder decides, not the current one
    p = load_params(path)
    assert p["city"] == str(folder / "cities" / "town")
    assert p["damage"]["source"] == str(folder / "dl.csv")
    assert validate_params(p) == p  # absolute now: validating again changes nothing
    assert load_params(_file(folder, "city: demo\n"))["city"] == "demo"
    # a path that does not exist is kept, absolute, for the stage that reads it to name
    assert load_params(_file(folder, "city: ../nowhere\n"))["city"] == str(tmp_path / "nowhere")
    # a dict's relative paths: against base_dir, by default the current directory
    assert validate_params({"city": "study/cities/town"})["city"] == p["city"]
    assert validate_params({"city": "town"}, base_dir=folder / "cities")["city"] == p["city"]
    # the ensemble's store of batches likewise
    stored = load_params(_file(folder, "ensemble:\n  store: batches\n"))
    assert stored["ensemble"]["store"] == str(folder / "batches")


@pytest.mark.parametrize("ensemble, match", [
    ({"max_failed_share": 1.0}, r"max_failed_share.*from 0 \(every member must succeed\)"),
    ({"max_failed_share": -0.1}, "max_failed_share"),
    ({"store": ""}, r"store.*null or a folder path"),
    ({"scheduler": "cluster"}, r"scheduler.*null, serial, processes, local or a dask"),
    ({"scheduler": "tcp://h:1", "workers": 2}, r"workers.*null with scheduler 'tcp://h:1'"),
])
def test_the_ensembles_failure_share_and_store_are_checked(ensemble, match):
    with pytest.raises(ParameterError, match=match):
        validate_params({"ensemble": ensemble})


def test_template_says_how_paths_and_numbers_are_read():
    text = default_params_yaml()
    assert "Relative paths (city,\n# hazard.field, damage.source) are read from the folder of this file" in text
    assert "1e6 or .inf" in text


def test_overlong_values_are_cut_in_errors():
    with pytest.raises(ParameterError) as info:
        validate_params({"name": "x" * 5000 + "/"})
    assert len(str(info.value)) < 250 and "x…" in str(info.value)
    with pytest.raises(ParameterError) as info:
        validate_params({"k" * 5000: 1})
    assert len(str(info.value)) < 350 and "k…" in str(info.value)
    with pytest.raises(ParameterError) as info:
        validate_params({"constraints": {"crews": list(range(5000))}})
    assert len(str(info.value)) < 250 and "…" in str(info.value)


# --------------------------------------------------------------------------- memory

def test_memory_estimate_counts_damage_and_recovery():
    from workbench.run.params import memory_estimate
    p = validate_params({"realizations": 10, "horizon_days": 99})
    e = memory_estimate(p, 1000, 500)
    assert e["damage"] == 10 * 1500 * 8 * 8
    assert e["recovery"] == 10 * 3 * (1500 * 17 + 100 * 90) * 8


def test_memory_beyond_half_the_machine_is_refused():
    from workbench.run.params import check_memory
    p = validate_params({"realizations": 1000, "horizon_days": 730})
    assert check_memory(p, 100_000, 10_000, physical_bytes=128e9) < 64e9
    with pytest.raises(ParameterError, match=r"parameters realizations 1,000, horizon_days 730 "
                                             r"and 3 strategies need about 53.6 GB of memory "
                                             r"on 100,000 buildings and 10,000 components .* more "
                                             r"than half of this machine's 8.0 GB; lower "
                                             r"realizations or horizon_days"):
        check_memory(p, 100_000, 10_000, physical_bytes=8e9)
    with pytest.raises(ParameterError, match=r"realizations 50,000 \(the damage table's count\)"):
        check_memory(p, 100_000, 10_000, realizations=50_000, physical_bytes=8e9)


def test_absurd_sizes_are_refused_before_any_city_is_read():
    with pytest.raises(ParameterError, match=r"realizations 1,000,000,000,000, .* before counting "
                                             r"the city, more than half of this machine's"):
        validate_params({"realizations": "1e12"})
