"""Tests of the fast paths of workbench.hazard.damage: the earthquake memo of a DamageSampler,
the blocked sampling kernel and the id check give what the plain computation gives, bit for bit."""

import numpy as np
import pytest
import xarray as xr

from workbench.city import toy_city
from workbench.core.dims import BUILDING_TYPES
from workbench.hazard import Earthquake
from workbench.hazard import damage as dmg
from workbench.hazard.damage import DamageSampler, sample_damage
from workbench.hazard.ground_motion import earthquake_intensity
from workbench.network.system import build_system

PER_M2 = dict.fromkeys(BUILDING_TYPES, 2000.0)


@pytest.fixture(scope="module")
def city():
    return toy_city()


@pytest.fixture(scope="module")
def system(city):
    return build_system(city)


def _fresh(city, system, hazard, **kw):
    """The uncached computation: a new sampler for every call."""
    return sample_damage(city, system, hazard, replacement_cost_per_m2=PER_M2, design_code="4",
                         **kw)


def _same(a: xr.Dataset, b: xr.Dataset) -> bool:
    return a.identical(b) and all(a[v].dtype == b[v].dtype for v in b.variables)


@pytest.mark.parametrize("model", ["equivalent-pga", "capacity-spectrum"])
def test_one_sampler_many_earthquakes_matches_fresh_samplers(city, system, model):
    # two earthquakes through one sampler, interleaved: a memo keyed wrongly (or not at all by
    # the earthquake) would give the first one's shaking to the second
    eq1 = Earthquake(6.5, 0.0, 0.0)
    eq2 = Earthquake(5.8, 3000.0, -2000.0, vs30=360.0, gmpe="BA08")
    sampler = DamageSampler(city, system, replacement_cost_per_m2=PER_M2, design_code="4",
                            building_model=model)
    seen = {}
    for i, eq in enumerate([eq1, eq2, eq1, eq2, eq1]):
        r = 1 + i % 3
        got = sampler(eq, realizations=r, seed=i)
        assert _same(got, _fresh(city, system, eq, realizations=r, seed=i,
                                 building_model=model))
        seen.setdefault(eq, []).append(got["building_pga"].values.copy())
    assert not np.array_equal(seen[eq1][0], seen[eq2][0])
    assert len(sampler._shaking) == 2


def test_earthquake_fields_all_count_in_the_memo(city, system):
    base = Earthquake(6.5, 0.0, 0.0)
    variants = [Earthquake(6.5, 0.0, 0.0, intensity_scale=0.5),
                Earthquake(6.5, 0.0, 0.0, depth_km=20.0),
                Earthquake(6.5, 10.0, 0.0),
                Earthquake(6.5, 0.0, 0.0, vs30=360.0),
                Earthquake(6.5, 0.0, 0.0, rupture_length_km=10.0),
                Earthquake(6.6, 0.0, 0.0)]
    sampler = DamageSampler(city, system, replacement_cost_per_m2=PER_M2, design_code="4")
    sampler(base, seed=3)
    for eq in variants:
        assert _same(sampler(eq, seed=3), _fresh(city, system, eq, seed=3))
    # equal as numbers but not the same values: never one key
    keys = {dmg._earthquake_key(Earthquake(6.5, 0.0, 0.0)),
            dmg._earthquake_key(Earthquake(6.5, -0.0, 0.0)),
            dmg._earthquake_key(Earthquake(6.5, np.float64(0.0), 0.0)),
            dmg._earthquake_key(Earthquake(6.5, 0, 0.0))}
    assert len(keys) == 4
    assert dmg._earthquake_key(Earthquake(6.5, 0.0, 0.0)) == dmg._earthquake_key(base)


def test_memo_follows_sites_changed_in_place(city, system):
    buildings = city.buildings.copy(deep=True)
    components = system.components.copy(deep=True)
    eq = Earthquake(6.5, 0.0, 0.0)
    sampler = DamageSampler(buildings, components, replacement_cost_per_m2=PER_M2,
                            design_code="4")
    sampler(eq, seed=1)
    buildings["x"].values[:] += 5000.0              # moved in place: the shaking must follow
    components["length"].values[:] *= 3.0           # so must the pipes' repair probabilities
    got = sampler(eq, seed=1)
    assert _same(got, sample_damage(buildings, components, eq, seed=1, design_code="4",
                                    replacement_cost_per_m2=PER_M2))
    assert len(sampler._shaking) == 2


def test_damage_returned_does_not_share_the_memo(city, system):
    eq = Earthquake(6.5, 0.0, 0.0)
    sampler = DamageSampler(city, system, replacement_cost_per_m2=PER_M2, design_code="4",
                            building_model="capacity-spectrum")
    first = sampler(eq, realizations=2, seed=5)
    for name in ("building_pga", "component_pga", "component_pgv", "building_sa03",
                 "building_sd"):
        first[name].values[...] = -1.0               # a user writing into the result
    assert _same(sampler(eq, realizations=2, seed=5),
                 _fresh(city, system, eq, realizations=2, seed=5,
                        building_model="capacity-spectrum"))


def test_memo_is_bounded(city, system):
    sampler = DamageSampler(city, system, replacement_cost_per_m2=PER_M2, design_code="4")
    for k in range(dmg.SHAKING_MEMO + 3):
        sampler(Earthquake(6.0 + 0.1 * k, 0.0, 0.0))
    assert len(sampler._shaking) == dmg.SHAKING_MEMO


def test_intensity_dataset_matches_earthquake(city, system):
    # the same shaking given as a Dataset (never memoised) or as the earthquake (memoised)
    eq = Earthquake(6.5, 0.0, 0.0)
    shaking = earthquake_intensity(eq, city, system)
    sampler = DamageSampler(city, system, replacement_cost_per_m2=PER_M2, design_code="4")
    for seed in range(3):
        a = sampler(eq, realizations=4, seed=seed)
        b = sampler(shaking, realizations=4, seed=seed)
        assert _same(a, b)


def _reference(rng, realizations, exceedance, tables):
    """The plain kernel: all uniforms at once, a comparison per state, one gather per table."""
    u = rng.random((realizations, exceedance.shape[-2]))
    states = np.zeros(u.shape, dtype=np.int8)
    for k in range(exceedance.shape[-1]):
        states += u < exceedance[..., k]
    flat = states + (np.arange(u.shape[1]) * 5)[None, :]
    return states, [t.ravel()[flat] for t in tables]


@pytest.mark.parametrize("block", [7, 64, 1 << 17])
@pytest.mark.parametrize("shape", [(1, 50), (13, 50), (40, 3), (5, 0), (3, 200)])
@pytest.mark.parametrize("drawn", [False, True])
def test_blocked_kernel_is_the_plain_one(monkeypatch, block, shape, drawn):
    monkeypatch.setattr(dmg, "_BLOCK", block)
    r, n = shape
    gen = np.random.default_rng(42)
    p = gen.random(((r,) if drawn else ()) + (n, 4))     # not monotone: the count still rules
    p[..., 0] = np.where(gen.random(p.shape[:-1]) < 0.2, 1.0, p[..., 0])
    tables = (gen.random((n, 5)), np.asfortranarray(gen.random((n, 5))),
              gen.integers(0, 9, (n, 5)).astype(float))
    rng_a, rng_b = np.random.default_rng(7), np.random.default_rng(7)
    states, outs = dmg._sample_sites(rng_a, r, p, tables)
    ref_states, ref_outs = _reference(rng_b, r, p, tables)
    assert states.dtype == np.int8 and np.array_equal(states, ref_states)
    for got, want in zip(outs, ref_outs):
        assert got.dtype == want.dtype and np.array_equal(got, want)
    # the stream is left where the plain kernel leaves it
    assert rng_a.random() == rng_b.random()
    assert np.array_equal(dmg._sample_states(np.random.default_rng(7), r, p), ref_states)


@pytest.mark.parametrize("a, b", [
    (["b0", "b1"], ["b0", "b1"]), (["b0", "b1"], ["b0", "b2"]), ([0, 1], ["0", "1"]),
    ([0, 1], [0, 1]), (["1.0"], [1.0]), ([1], [1.0]), (["a", "b"], ["a"])])
def test_same_ids_is_the_string_comparison(a, b):
    da = xr.Dataset(coords={"building": np.array(a)})
    db = xr.Dataset(coords={"building": np.array(b)})
    want = np.array_equal(np.asarray(a).astype(str), np.asarray(b).astype(str))
    assert dmg._same_ids(da, db, "building") == want


def test_output_coordinate_has_no_attrs_of_the_input(city, system):
    buildings = city.buildings.copy()
    buildings["building"].attrs["note"] = "user attrs"
    eq = Earthquake(6.5, 0.0, 0.0)
    got = sample_damage(buildings, system, eq, design_code="4", replacement_cost_per_m2=PER_M2)
    assert got["building"].attrs == {}
    assert _same(got, _fresh(city, system, eq))


@pytest.mark.parametrize("pairs", [
    np.round(np.random.default_rng(0).random((5000, 2)) * 20, 1),
    np.array([[1.0, 2.0], [1.0, 1.0], [0.0, 3.0], [1.0, 2.0], [0.0, 3.0]]),
    np.zeros((3, 2)),
])
def test_unique_distance_pairs_equal_numpys_unique_along_rows(pairs):
    from workbench.hazard.gmpe import _unique_pairs
    unique, inverse = np.unique(pairs, axis=0, return_inverse=True)
    mine, mine_inverse = _unique_pairs(pairs)
    np.testing.assert_array_equal(mine, unique)
    np.testing.assert_array_equal(mine_inverse, np.asarray(inverse).ravel())
    np.testing.assert_array_equal(mine[mine_inverse], pairs)
