"""Parameters owned where they are used: each section of the parameter file is a frozen,
validated dataclass beside its owner; the reader assembles them, and the template that
``workbench params`` prints is generated from their fields."""

import dataclasses

import pytest
import yaml

from workbench.core.errors import InputError, ParameterError
from workbench.core.sections import defaults, flow, from_mapping
from workbench.recovery import DEFAULT_COMMITMENT_DAYS, Constraints
from workbench.run.params import DEFAULTS, SECTIONS, RunSection, default_params_yaml, validate_params


def test_the_defaults_are_the_sections_defaults():
    for key, cls in SECTIONS.items():
        assert DEFAULTS[key] == defaults(cls), key
        assert cls.__module__.split(".")[1] != "run", f"{key} must live beside its owner"
    top = {f.name for f in dataclasses.fields(RunSection)}
    assert set(DEFAULTS) == set(SECTIONS) | top


def test_the_template_is_generated_from_the_fields_and_says_every_comment():
    text = default_params_yaml()
    assert yaml.safe_load(text) == DEFAULTS
    for key, cls in SECTIONS.items():
        for f in dataclasses.fields(cls):
            doc = f.metadata["doc"].split("\n")[0]
            assert f"  {f.name}:" in text, (key, f.name)
            if doc:
                assert f"# {doc}" in text, (key, f.name)
    # one long comment continues aligned on the next line
    assert "                            # once inspected (.inf = perfect information)" in text


def test_sections_are_frozen_and_check_their_rules():
    section = from_mapping(SECTIONS["response"], DEFAULTS["response"])
    with pytest.raises(dataclasses.FrozenInstanceError):
        section.agents = False
    with pytest.raises(InputError, match=r"^supplies_days must be an integer from 3 to 365; got 2$"):
        SECTIONS["response"](supplies_days=2)


@pytest.mark.parametrize("key, given", [
    ("map", {"max_distance_m": -5}),
    ("models", {"alpha": 2}),
    ("models", {"correction": "bonferroni"}),
    ("response", {"supplies_days": 2}),
    ("damage", {"road_debris": "yes"}),
    ("ensemble", {"chains": 40}),
    ("ensemble", {"priors": {"crew_productivity": {"median": 1.0, "sigma": -1}}}),
    ("mitigation", {"members": -1}),
    ("hazard", {"kind": "tsunami"}),
])
def test_each_rule_is_stated_once_by_its_owner(key, given):
    merged = {**DEFAULTS[key], **given}
    if key == "ensemble" and "priors" in given:
        merged["priors"] = {**DEFAULTS[key]["priors"], **given["priors"]}
    with pytest.raises(InputError) as direct:
        from_mapping(SECTIONS[key], merged)
    with pytest.raises(ParameterError) as via:
        validate_params({key: given})
    assert str(via.value) == f"parameter {key}.{direct.value}."


def test_one_default_commitment_everywhere():
    assert DEFAULTS["constraints"]["commitment_days"] == DEFAULT_COMMITMENT_DAYS
    assert Constraints().commitment_days == DEFAULT_COMMITMENT_DAYS


def test_the_reader_keeps_what_the_section_normalises():
    assert validate_params({"damage": {"design_code": "2b"}})["damage"]["design_code"] == "2B"
    assert validate_params({"ensemble": {"observed_days": 5}})["ensemble"]["observed_days"] == 5
    with pytest.raises(ParameterError, match=r"^parameter ensemble.observed_days must be null "
                                             r"or an integer from 1 to horizon_days − 1 \(29\)"):
        validate_params({"horizon_days": 30, "ensemble": {"observed_days": 30}})


@pytest.mark.parametrize("value, text", [
    (float("inf"), ".inf"), (None, "null"), (True, "true"), (["a", "b"], "[a, b]"),
    ({"x": 1, "y": [2.5]}, "{x: 1, y: [2.5]}"), ("centre", "centre"), (1000.0, "1000.0"),
])
def test_flow_writes_one_line_of_yaml(value, text):
    assert flow(value) == text
    assert yaml.safe_load(text) == value


# --------------------------------------------------------------------------- registries

def test_choices_by_name_are_registries_that_name_the_known_ones():
    from workbench.hazard.ground_motion import HAZARD_KINDS
    from workbench.hazard.section import INTENSITY
    from workbench.mitigation import KINDS
    from workbench.models.section import FUNCTIONALITY_MODELS, functionality_model
    assert tuple(INTENSITY) == HAZARD_KINDS
    assert set(FUNCTIONALITY_MODELS) == {"table", "trained"}
    assert functionality_model("table") is None
    with pytest.raises(InputError, match=r"unknown functionality model 'gru'; the models are "
                                         r"\['table', 'trained'\]"):
        functionality_model("gru")
    with pytest.raises(InputError, match="no archive of trained tables; run stage 03"):
        functionality_model("trained", None)
    text = default_params_yaml()
    for names in (INTENSITY, KINDS):       # the template lists what the registries hold
        assert all(name in text for name in names)
    with pytest.raises(ParameterError, match=r"hazard.kind must be 'earthquake' or 'field' or "
                                             r"'flood'"):
        validate_params({"hazard": {"kind": "tsunami"}})


def test_the_hazard_registry_gives_the_ground_motion_of_the_earthquake():
    import numpy as np
    from workbench.city import toy_city
    from workbench.hazard.ground_motion import Earthquake, earthquake_intensity
    from workbench.hazard.section import HazardSection
    city = toy_city()
    b = city.buildings
    via = HazardSection(magnitude=6.0).intensity(b, None)
    quake = Earthquake(magnitude=6.0, x=float(b["x"].mean()), y=float(b["y"].mean()))
    direct = earthquake_intensity(quake, b, None)
    np.testing.assert_array_equal(via["building_pga"].values, direct["building_pga"].values)
