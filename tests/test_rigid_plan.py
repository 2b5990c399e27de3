"""The rigid strategy's predefined plan (issue #23 item 5; METHOD §5.3): a rule-based building
priority by function class and damage state, fixed before the event, editable as
``constraints.rigid_plan``, ignored by the other strategies."""

import json
import math

import numpy as np
import pytest
import yaml

from workbench.core import assumptions
from workbench.core.errors import InputError, ParameterError
from workbench.recovery import (RIGID_PLAN, Constraints, PlanRow, rigid_plan_rows,
                                simulate_recovery)
from workbench.run.params import DEFAULTS, default_params_yaml, dump_params, load_params, \
    validate_params
from workbench.run.pipeline.stages import constraints as constraints_of

from test_recovery import building_damage, plain_city, random_damage

TYPES = ["office", "residential", "public", "commercial", "residential", "public", "industrial",
         "residential", "office", "public"]
STATES = [1, 3, 4, 2, 1, 1, 4, 2, 3, 2]
#: the default plan's class of each type (emergency and critical facilities, housing, business)
CLASS = {"public": 0, "residential": 1, "commercial": 2, "office": 2, "industrial": 2}


def one_crew_order(plan=RIGID_PLAN, strategies=("rigid",), seed=0):
    """(type, damage state) of the buildings in the order one crew repairs them (1 day each,
    perfect information, no delays: the plan alone decides)."""
    city = plain_city(len(TYPES), types=TYPES)
    rec = simulate_recovery(city, None, building_damage(city, STATES, [1.0] * len(TYPES)),
                            Constraints(crews=1, horizon_days=30, rigid_plan=plan),
                            strategies=list(strategies), seed=seed)
    days = rec["building_restored_day"].sel(strategy="rigid").values
    assert sorted(days.tolist()) == list(range(1, len(TYPES) + 1))   # one at a time
    return [(TYPES[i], STATES[i]) for i in np.argsort(days)]


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_default_plan_emergency_then_housing_then_business_lower_states_first(seed):
    order = one_crew_order(seed=seed)
    keys = [(CLASS[t], d) for t, d in order]
    assert keys == sorted(keys)            # by class, then damage state; ties by the tie order
    assert [t for t, _ in order[:3]] == ["public"] * 3
    assert [t for t, _ in order[3:6]] == ["residential"] * 3


def test_an_edited_plan_changes_the_order_and_unlisted_buildings_go_last():
    plan = [{"class": "collapsed homes", "types": ["residential"], "damage_states": [4, 3, 2, 1]},
            {"class": "business", "types": ["office", "commercial", "industrial"],
             "damage_states": [4, 3, 2, 1]}]
    order = one_crew_order(plan)
    assert order[:3] == [("residential", 3), ("residential", 2), ("residential", 1)]
    assert [d for _, d in order[3:7]] == [4, 3, 2, 1]                 # business, higher first
    assert {t for t, _ in order[7:]} == {"public"}                     # in no row: last
    assert order != one_crew_order()


def test_a_building_takes_the_first_row_that_holds_it():
    plan = [{"class": "badly damaged homes", "types": ["residential"], "damage_states": [3]},
            {"class": "all", "types": ["public", "residential", "commercial", "office",
                                       "industrial"], "damage_states": [1, 2, 3, 4]}]
    order = one_crew_order(plan)
    assert order[0] == ("residential", 3)
    assert [d for _, d in order[1:]] == sorted(d for _, d in order[1:])


def test_an_empty_plan_is_the_tie_order():
    order = one_crew_order([])
    assert sorted(order) == sorted(zip(TYPES, STATES))


def test_the_default_plan_is_the_registry_cited_class_order_and_assumed_state_order():
    classes = assumptions.entry("rigid_plan_classes")
    states = assumptions.entry("rigid_plan_damage_states")
    assert classes.status == "cited" and states.status == "assumption"
    for source in ("FEMA P-58", "REDi", "GB/T 38591"):
        assert source in classes.source
    assert [r.name for r in RIGID_PLAN] == ["emergency and critical facilities", "housing",
                                            "business"]
    assert [r.types for r in RIGID_PLAN] == [("public",), ("residential",),
                                             ("commercial", "office", "industrial")]
    assert all(r.damage_states == (1, 2, 3, 4) for r in RIGID_PLAN)
    assert Constraints().rigid_plan == RIGID_PLAN


def test_constraints_store_the_plan_frozen_and_hashable():
    rows = rigid_plan_rows()
    c = Constraints(rigid_plan=rows)
    assert isinstance(c.rigid_plan, tuple) and all(isinstance(r, PlanRow) for r in c.rigid_plan)
    assert c == Constraints() and hash(c) == hash(Constraints())
    rows[0]["types"].append("office")                  # the caller's list is not the plan
    assert c.rigid_plan == RIGID_PLAN
    other = Constraints(rigid_plan=[PlanRow("homes", ("residential",), (1,))])
    assert other != c and hash(other) != hash(c)
    with pytest.raises(AttributeError):
        c.rigid_plan[0].types = ("office",)
    assert json.loads(c.as_attrs()["rigid_plan"]) == rigid_plan_rows()


ROW = {"class": "housing", "types": ["residential"], "damage_states": [1, 2]}


@pytest.mark.parametrize("plan, message", [
    ("housing", r"rigid_plan must be a list of rows .*got 'housing'"),
    ({"housing": ["residential"]}, r"rigid_plan must be a list of rows"),
    (5, r"rigid_plan must be a list of rows .*got 5"),
    ([["housing", ["residential"], [1]]], r"rigid_plan row 1 must be a mapping with the keys"),
    ([ROW, {"class": "x", "types": ["public"]}],
     r"rigid_plan row 2 must be a mapping with the keys .*it has \['class', 'types'\]"),
    ([{**ROW, "priority": 1}], r"rigid_plan row 1 must be a mapping .*'priority'"),
    ([{**ROW, "class": ""}], r"rigid_plan row 1: class must be a non-empty name; got ''"),
    ([{**ROW, "types": ["homes"]}],
     r"rigid_plan row 1 \('housing'\): unknown building type\(s\) \['homes'\]"),
    ([{**ROW, "types": []}], r"rigid_plan row 1 \('housing'\): types must be a non-empty list"),
    ([{**ROW, "types": "residential"}], r"types must be a non-empty list .*got 'residential'"),
    ([{**ROW, "types": ["public", "public"]}], r"types must not repeat"),
    ([{**ROW, "damage_states": []}], r"damage_states must be a non-empty list"),
    ([{**ROW, "damage_states": [1, 5]}], r"damage_states must be integers 1 \(slight\) … 4 "
                                         r"\(complete\); got \[5\]"),
    ([{**ROW, "damage_states": [0]}], r"damage_states must be integers .*got \[0\]"),
    ([{**ROW, "damage_states": [1.5]}], r"damage_states must be integers .*got \[1.5\]"),
    ([{**ROW, "damage_states": [True]}], r"damage_states must be integers .*got \[True\]"),
    ([{**ROW, "damage_states": [2, 2]}], r"damage_states must not repeat; got \[2, 2\]"),
])
def test_bad_plans_are_input_errors_naming_the_field_and_value(plan, message):
    with pytest.raises(InputError, match=message):
        Constraints(rigid_plan=plan)


def test_the_parameter_file_holds_the_plan_and_names_a_bad_one():
    template = yaml.safe_load(default_params_yaml())
    assert template["constraints"]["rigid_plan"] == rigid_plan_rows() == \
        DEFAULTS["constraints"]["rigid_plan"]
    assert "rigid_plan:" in default_params_yaml()
    assert constraints_of(validate_params({})).rigid_plan == RIGID_PLAN
    with pytest.raises(ParameterError, match=r"parameter constraints\.rigid_plan row 1 "
                                             r"\('housing'\): unknown building type\(s\) "
                                             r"\['homes'\]"):
        validate_params({"constraints": {"rigid_plan": [{**ROW, "types": ["homes"]}]}})
    with pytest.raises(ParameterError, match=r"parameter constraints\.rigid_plan must be a list"):
        validate_params({"constraints": {"rigid_plan": "public first"}})


def test_an_edited_plan_in_a_parameter_file_reaches_the_constraints(tmp_path):
    path = tmp_path / "p.yaml"
    path.write_text("constraints:\n  rigid_plan:\n"
                    "    - {class: homes, types: [residential], damage_states: [4, 3]}\n"
                    "    - class: shelters\n      types: [public]\n      damage_states: [1]\n",
                    encoding="utf-8")
    p = load_params(path)
    assert constraints_of(p).rigid_plan == (PlanRow("homes", ("residential",), (4, 3)),
                                            PlanRow("shelters", ("public",), (1,)))
    again = tmp_path / "again.yaml"
    again.write_text(dump_params(p), encoding="utf-8")
    assert load_params(again)["constraints"]["rigid_plan"] == p["constraints"]["rigid_plan"]


@pytest.mark.parametrize("seed", [0, 1])
def test_the_plan_changes_rigid_only(seed):
    from workbench.city.synthetic import grid_city
    from workbench.network.system import build_system
    city = grid_city(60, 80, seed=2)
    system = build_system(city)
    dmg = random_damage(city, system, seed, p_building=0.8)
    base = dict(crews={"building": 3, "water": 1, "power": 1, "road": 1}, commitment_days=5,
                horizon_days=150, inspections_per_day=10.0, impeding_delays=True,
                mobilisation_days=1.0)
    reverse = [PlanRow(r.name, r.types, tuple(reversed(r.damage_states)))
               for r in reversed(RIGID_PLAN)]
    a = simulate_recovery(city, system, dmg, Constraints(**base), seed=seed)
    b = simulate_recovery(city, system, dmg, Constraints(**base, rigid_plan=reverse), seed=seed)
    for s in ("semiflexible", "flexible"):
        for name in ("building_restored_day", "component_restored_day", "ep", "sc"):
            np.testing.assert_array_equal(a[name].sel(strategy=s).values,
                                          b[name].sel(strategy=s).values)
    assert not np.array_equal(a["building_restored_day"].sel(strategy="rigid").values,
                              b["building_restored_day"].sel(strategy="rigid").values)
    # utilities keep their place in the plan: the components' days do not depend on it
    np.testing.assert_array_equal(a["component_restored_day"].sel(strategy="rigid").values,
                                  b["component_restored_day"].sel(strategy="rigid").values)
    assert math.isfinite(float(a.attrs["ep0"]))
