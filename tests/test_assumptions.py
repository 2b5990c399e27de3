"""Every result-driving constant that is not a cited table sits in one registry, with its status."""

import numpy as np
import pytest

from workbench import debris, functionality
from workbench.core import assumptions
from workbench.core.assumptions import REGISTRY, STATUSES, assumptions_table, value
from workbench.core.errors import InputError


def test_entries_are_unique_and_each_says_cited_or_assumption_and_why():
    names = [a.name for a in REGISTRY]
    assert len(names) == len(set(names))
    assert {a.status for a in REGISTRY} <= set(STATUSES)
    assert all(a.source.strip() and a.units.strip() and a.used_in.startswith("workbench")
               for a in REGISTRY)
    assert len(assumptions_table()) == len(REGISTRY)
    with pytest.raises(InputError, match="status must be one of"):
        assumptions.Assumed("x", 1, "m", "guess", "because", "workbench.x")


def test_the_modules_read_their_defaults_from_the_registry():
    np.testing.assert_array_equal(functionality.A_EFF_BY_DAMAGE_STATE,
                                  value("usable_area_share_by_damage_state"))
    assert functionality.A_EFF_BY_DAMAGE_STATE[2] == 0.5   # the DS2 usable share
    assert functionality.Shelters().usable_share == value("shelter_usable_share")
    assert functionality.Shelters().area_per_person == value("shelter_area_per_person_m2")
    assert functionality.EP_SERVICE_WEIGHTS is value("ep_service_weights")
    assert debris.CLEARANCE_COST_PER_M2 == value("debris_clearance_cost_per_m2")


def test_one_price_year_for_all_money():
    from workbench.hazard.damage import sample_damage
    import inspect
    assert functionality.PRICE_YEAR == assumptions.PRICE_YEAR == 2024
    assert inspect.signature(sample_damage).parameters["price_year"].default == 2024
    assert assumptions.CPI_TO_PRICE_YEAR[2024] == 1.0
    assert 1.0 < assumptions.CPI_TO_PRICE_YEAR[2022] < 1.2
