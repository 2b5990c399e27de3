"""Tests of workbench.functionality: EP, SC, demand, shelters and the model interface."""

import numpy as np
import pytest

from workbench.city import toy_city
from workbench.core.dims import BUILDING_TYPES
from workbench.core.errors import InputError
from workbench.functionality import (CURRENCY, EP_UNIT, EP_UNIT_INPUTS, PRICE_YEAR,
                                     FunctionalityModel, Shelters, TableFunctionality, Valuation,
                                     building_ep, building_sc, city_functionality,
                                     displaced_population, residents, service_demand,
                                     shelter_capacity, shelter_places, usable_fractions)


@pytest.fixture(scope="module")
def buildings():
    return toy_city().buildings


def test_rss_is_one_at_full_service_so_sc0_is_twice_the_residents(buildings):
    model = TableFunctionality()
    assert (model.rss(buildings, np.ones((6, 3))) == 1.0).all()
    r = residents(buildings)
    # no population field: the occupancy of the residential buildings, nobody else
    assert r.tolist() == [30.0, 60.0, 0.0, 0.0, 0.0, 0.0]
    np.testing.assert_allclose(building_sc(buildings, np.ones(6)), 2 * r)
    f = city_functionality(buildings)
    assert f["sc"] == f["demand"] == 2 * r.sum() == service_demand(buildings)


def test_population_field_counts_each_resident_once(buildings):
    # residents where they live, whatever the type; workplaces' occupancy is not demand
    b = buildings.assign(population=("building", [25.0, 50.0, 0.0, 0.0, 0.0, 5.0]))
    assert service_demand(b) == 2 * 80.0
    assert service_demand(b) < 2 * float(b["occupancy"].sum())
    f = city_functionality(b)
    assert f["sc"] == f["demand"]
    with pytest.raises(InputError, match=r"buildings\['population'\] must be finite and ≥ 0"):
        residents(b.assign(population=("building", [1.0, -1, 0, 0, 0, 0])))


def test_one_unsheltered_unserved_person_is_two_person_units(buildings):
    # a city of one resident whose home collapses and no shelter: demand − SC = 2
    one = buildings.isel(building=[0]).assign(occupancy=("building", [1.0]))
    f = city_functionality(one, [4])
    assert (f["demand"] - f["sc"]) / 2 == 1.0
    assert f["displaced"] == 1.0 and f["sheltered"] == 0.0


def test_service_loss_is_bounded_by_residents_whatever_the_state(buildings):
    # the worst state — every building collapsed, no service — loses every resident, no more
    f = city_functionality(buildings, [4] * 6, np.zeros((6, 3)))
    assert f["sc"] == 0.0 and (f["demand"] - f["sc"]) / 2 == residents(buildings).sum()
    rng = np.random.default_rng(3)
    for _ in range(20):
        f = city_functionality(buildings, rng.integers(0, 5, 6), rng.uniform(0, 1, (6, 3)))
        assert 0.0 <= (f["demand"] - f["sc"]) / 2 <= residents(buildings).sum() + 1e-9
        assert f["sc"] <= f["demand"] + 1e-9

def test_damage_state_tables_follow_atc20_placards():
    a, q = usable_fractions([0, 1, 2, 3, 4])
    assert a.tolist() == [1.0, 1.0, 0.5, 0.0, 0.0] and q.tolist() == a.tolist()
    with pytest.raises(InputError, match="damage states must be integers 0..4"):
        usable_fractions([5])


def test_ep_unit_table_is_derived_from_the_cited_inputs():
    from workbench.core.assumptions import CPI_TO_PRICE_YEAR
    assert CURRENCY == "EUR" and PRICE_YEAR == 2024   # one price year for all money
    assert set(EP_UNIT) == set(BUILDING_TYPES)
    for t, (value_added, area) in EP_UNIT_INPUTS.items():   # published at 2022 prices
        assert EP_UNIT[t] == pytest.approx(value_added * CPI_TO_PRICE_YEAR[2022] / area / 365.0)
    # offices produce most per m², dwellings least: the ordering national accounts give
    assert max(EP_UNIT, key=EP_UNIT.get) == "office"
    assert min(EP_UNIT, key=EP_UNIT.get) == "residential"


def test_ep_and_rss_never_fall_when_service_rises(buildings):
    model = TableFunctionality()
    rng = np.random.default_rng(0)
    low = rng.uniform(0, 1, (6, 3))
    high = np.clip(low + rng.uniform(0, 0.5, (6, 3)), 0, 1)
    assert (model.ep_unit(buildings, high) >= model.ep_unit(buildings, low)).all()
    assert (model.rss(buildings, high) >= model.rss(buildings, low)).all()
    assert (model.ep_unit(buildings, np.zeros((6, 3))) > 0).all()  # weights sum < 1


def test_ep_scales_with_usable_area(buildings):
    full = building_ep(buildings, np.ones(6))
    np.testing.assert_allclose(building_ep(buildings, np.full(6, 0.5)), full / 2)
    np.testing.assert_allclose(full, buildings["floor_area"].values
                               * np.array([EP_UNIT[t] for t in buildings["type"].values]))


def test_table_validation_names_the_problem():
    with pytest.raises(InputError, match=r"ep_weights must give every building type .*missing "
                                         r"\['public'\]"):
        TableFunctionality(ep_weights={t: (0.1, 0.1, 0.1) for t in BUILDING_TYPES[:-1]})
    with pytest.raises(InputError, match=r"rss_weights\['office'\] weights sum to 1.5 > 1"):
        TableFunctionality(rss_weights={t: (0.5, 0.5, 0.5) if t == "office" else (0, 0, 0)
                                        for t in BUILDING_TYPES})
    with pytest.raises(InputError, match=r"service must have shape \(n_buildings, 3\)"):
        TableFunctionality().rss(toy_city().buildings, np.ones((6, 2)))


def test_table_is_a_functionality_model_and_others_plug_in(buildings):
    assert isinstance(TableFunctionality(), FunctionalityModel)

    class Flat:
        def ep_unit(self, buildings, service):
            return np.full(buildings.sizes["building"], 2.0)

        def rss(self, buildings, service):
            return np.ones(buildings.sizes["building"])

    assert city_functionality(buildings, model=Flat())["ep"] == 2.0 * float(
        buildings["floor_area"].sum())
    with pytest.raises(InputError, match="functionality must implement ep_unit"):
        city_functionality(buildings, model=object())


#: Every shelter-capable building with all its places (no mass-care plan's cap): the host
#: mechanics on the toy city, whose planned places (one per ten residents) would hold 9.
ALL = Shelters(planned_share=None)


def test_shelters_house_displaced_residents_with_the_hosts_spare_service(buildings):
    # b5 (public, 2500 m²) offers 2500 · 0.5 / 3.5 places; b0, b1 (90 residents) collapse
    q = np.array([0.0, 0.0, 1, 1, 1, 1])
    places = shelter_places(buildings, q, ALL)
    assert places[-1] == pytest.approx(2500 * 0.5 / 3.5) and (places[:-1] == 0).all()
    assert displaced_population(buildings, q) == 90.0
    f = city_functionality(buildings, [4, 4, 0, 0, 0, 0], shelters=ALL)
    # 90 housed; b5's normal occupancy (200) covers their supplementary service, but a place
    # in a shelter is worth h_S + v_S = 1 of the 2 person-units of a served home (Valuation)
    assert f["sheltered"] == 90.0 and f["sc"] == pytest.approx(f["demand"] - 90.0 * (2 - 1.0))
    # a damaged shelter offers nothing
    f = city_functionality(buildings, [4, 4, 0, 0, 0, 3], shelters=ALL)
    assert f["sheltered"] == 0.0 and f["sc"] == 0.0


def test_a_host_shares_its_services_it_does_not_copy_them(buildings):
    # the same 90 displaced people in a host whose normal occupancy is only 30: all are housed,
    # only 30 person-units of supplementary service exist, so 60 are housed but unserved
    b = buildings.assign(occupancy=("building", [30.0, 60.0, 120.0, 40.0, 50.0, 30.0]))
    f = city_functionality(b, [4, 4, 0, 0, 0, 0], shelters=ALL)
    assert f["sheltered"] == 90.0
    assert f["sc"] == pytest.approx(0.5 * 90.0 + 0.5 * 30.0)
    # the host's own residents take their places and their share of its service first
    host = b.assign(population=("building", [30.0, 60.0, 0.0, 0.0, 0.0, 20.0]))
    places = shelter_places(host, np.ones(6), ALL)
    assert places[-1] == pytest.approx(2500 * 0.5 / 3.5 - 20.0)
    f = city_functionality(host, [4, 4, 0, 0, 0, 0], shelters=ALL)
    assert f["sc"] == pytest.approx(2 * 20.0 + 0.5 * 90.0 + 0.5 * 10.0)


def test_temporary_shelters_open_on_their_day():
    sh = Shelters(temporary_places=10.0, temporary_from_day=3.0)
    none = np.zeros(1)
    assert shelter_capacity(none, none, np.ones(1), 4.0, day=2.0, shelters=sh) == (0.0, 0.0)
    assert shelter_capacity(none, none, np.ones(1), 4.0, day=3.0, shelters=sh) == (4.0, 4.0)


def test_a_sheltered_day_always_costs_service(buildings):
    # however well served the host, a sheltered resident is worth less than one at home
    for valuation in (Valuation(), Valuation(shelter_housing=1.0, shelter_service=0.99),
                      Valuation(shelter_housing=0.0, shelter_service=0.0)):
        f = city_functionality(buildings, [4, 4, 0, 0, 0, 0],
                               shelters=Shelters(valuation=valuation, planned_share=None))
        assert f["sheltered"] == 90.0
        assert f["demand"] - f["sc"] == pytest.approx(
            90.0 * (2.0 - valuation.shelter_housing - valuation.shelter_service))
        assert f["demand"] - f["sc"] > 0


@pytest.mark.parametrize("kwargs, message", [
    ({"shelter_housing": 1.0, "shelter_service": 1.0}, "must be < 2"),
    ({"elsewhere_housing": 1.5}, "elsewhere_housing must be a share in"),
    ({"shelter_service": float("nan")}, "shelter_service must be a share in"),
    ({"elsewhere_service": True}, "elsewhere_service must be a share in"),
])
def test_bad_valuation(kwargs, message):
    with pytest.raises(InputError, match=message):
        Valuation(**kwargs)


def test_shelter_capable_variable_overrides_type(buildings):
    b = buildings.assign(shelter_capable=("building", [False, False, True, False, False, False]))
    places = shelter_places(b, np.ones(6))
    assert places[2] > 0 and places[5] == 0


@pytest.mark.parametrize("kwargs, message", [
    ({"area_per_person": -1.0}, "area_per_person must be > 0"),
    ({"usable_share": 0.0}, r"usable_share must be in \(0, 1\]"),
    ({"temporary_places": float("nan")}, "temporary_places must be finite"),
    ({"temporary_from_day": -2.0}, "temporary_from_day must be ≥ 0"),
])
def test_bad_shelters(kwargs, message):
    with pytest.raises(InputError, match=message):
        Shelters(**kwargs)


def test_opening_a_shelter_or_restoring_its_service_never_lowers_sc():
    rng = np.random.default_rng(7)
    for _ in range(200):
        k = int(rng.integers(1, 6))
        places, occupancy = rng.uniform(0, 50, k), rng.uniform(0, 30, k)
        rss, displaced = rng.uniform(0, 1, k), float(rng.uniform(0, 120))
        base, sheltered = shelter_capacity(places, occupancy, rss, displaced, day=0)
        assert sheltered == pytest.approx(min(displaced, places.sum()))
        assert base <= 2 * sheltered + 1e-9
        more_places = places + rng.uniform(0, 20, k) * (rng.random(k) < 0.5)
        better = np.minimum(1.0, rss + rng.uniform(0, 0.5, k))
        assert shelter_capacity(more_places, occupancy, rss, displaced, 0)[0] >= base - 1e-9
        assert shelter_capacity(places, occupancy, better, displaced, 0)[0] >= base - 1e-9


def test_designated_shelters_are_each_districts_largest_until_the_planned_share():
    from workbench.functionality import ShelterPlan, designated_shelters, planned_places
    b = toy_city().buildings.assign(
        shelter_capable=("building", [False, False, True, True, True, True]),
        floor_area=("building", [100.0, 100.0, 700.0, 1400.0, 70.0, 2100.0]))
    # places 100 (b2, west), 200, 10, 300 (b3-b5, east); the 90 residents live in the west
    assert designated_shelters(b, Shelters(planned_share=None)).tolist() == \
        [False, False, True, True, True, True]
    assert planned_places(b, Shelters(planned_share=1.0)).tolist() == \
        [0.0, 0.0, 90.0, 0.0, 0.0, 0.0]                    # near the people: b2, not b5
    assert planned_places(b, Shelters(planned_share=4.0)) == pytest.approx(
        [0.0, 0.0, 100.0, 0.0, 0.0, 260.0])                # west full, the rest city-wide
    assert planned_places(b, Shelters(planned_share=100.0)) == pytest.approx(
        [0.0, 0.0, 100.0, 200.0, 10.0, 300.0])            # all of them fall short
    places = shelter_places(b, np.ones(6), Shelters(planned_share=1.0))
    assert places[2] == pytest.approx(90.0) and places[5] == 0
    # the designated b2 damaged: its places open in the next usable capable building (b5)
    q = np.array([1.0, 1.0, 0.5, 1.0, 1.0, 1.0])
    assert shelter_places(b, q, Shelters(planned_share=1.0)) == pytest.approx(
        [0.0, 0.0, 0.0, 0.0, 0.0, 90.0])
    plan = ShelterPlan(b, Shelters(planned_share=1.0))
    assert plan.hosts.tolist() == [2, 3, 4, 5]
    assert plan.open(np.zeros(4, bool)).tolist() == [0.0] * 4       # nothing usable
    assert plan.open(np.ones(4, bool)).sum() == pytest.approx(90.0)  # never more than planned
    with pytest.raises(InputError, match="one flag per shelter host"):
        plan.open(np.ones(3, bool))
    with pytest.raises(InputError, match="planned_share must be"):
        Shelters(planned_share=0)
