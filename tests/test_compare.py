"""Bayesian comparison of strategies (workbench.uncertainty.compare) on synthetic paired ensembles:
a known 1.5× gap is found with near certainty, identical strategies come out a coin toss, the
same seed gives the same draws, and bad indexes are refused by name."""

import arviz as az
import numpy as np
import pytest
import xarray as xr

from workbench.core.errors import InputError
from workbench.uncertainty.compare import (
    TABLE_COLUMNS, compare_strategies, pairwise_table, save_posterior, strategy_table)

pytestmark = pytest.mark.slow   # make test-fast leaves it out: PyMC fits, 3-9 s each

FAST = {"draws": 300, "tune": 300, "chains": 2}
N_MEMBERS = 40


def _member_losses(seed: int) -> np.ndarray:
    """Losses of the members under a reference strategy [EUR]: a wide lognormal spread, as
    between mild and severe earthquakes."""
    return np.exp(np.random.default_rng(seed).normal(13.0, 0.6, N_MEMBERS))


def _indexes(values: np.ndarray, strategies) -> xr.DataArray:
    return xr.DataArray(values, dims=("member", "strategy"),
                        coords={"member": np.arange(len(values)), "strategy": list(strategies)},
                        name="economic_loss", attrs={"units": "EUR"})


@pytest.fixture(scope="module")
def gap():
    """rigid costs 1.5× flexible on the same member, with 10 % noise."""
    base = _member_losses(1)
    noise = np.exp(np.random.default_rng(2).normal(0.0, 0.1, N_MEMBERS))
    indexes = _indexes(np.column_stack([base, 1.5 * base * noise]), ["flexible", "rigid"])
    return indexes, *compare_strategies(indexes, seed=0, **FAST)


def test_known_gap_is_found(gap):
    _, idata, table = gap
    row = table.iloc[0]
    assert list(table.columns) == list(TABLE_COLUMNS)
    assert (row.strategy_a, row.strategy_b) == ("flexible", "rigid")
    assert row.p_a_better > 0.95
    # the ratio flexible / rigid is 1 / 1.5, inside its interval and close in the mean
    assert row.ratio_lo < row.ratio_mean < row.ratio_hi
    assert row.ratio_mean == pytest.approx(1 / 1.5, rel=0.05)
    assert np.exp(row.log_ratio_lo) == pytest.approx(row.ratio_lo)   # equal-tailed: maps by exp
    assert int(idata.sample_stats["diverging"].sum()) == 0


def test_orientation_flips_the_probability(gap):
    _, idata, table = gap
    higher = pairwise_table(idata, lower_is_better=False)
    assert higher.p_a_better.iloc[0] == pytest.approx(1 - table.p_a_better.iloc[0])


def test_strategy_table(gap):
    _, idata, _ = gap
    summary = strategy_table(idata)
    assert summary.index.tolist() == ["flexible", "rigid"]
    assert summary.p_best.sum() == pytest.approx(1.0)
    assert summary.p_best["flexible"] > 0.95
    ratio = summary.typical_mean["rigid"] / summary.typical_mean["flexible"]
    assert ratio == pytest.approx(1.5, rel=0.05)
    assert summary.attrs["units"] == "EUR"


def test_same_seed_same_draws(gap):
    indexes, idata, table = gap
    again_idata, again = compare_strategies(indexes, seed=0, **FAST)
    assert again.equals(table)
    np.testing.assert_array_equal(again_idata.posterior["delta"], idata.posterior["delta"])
    assert idata.posterior.attrs["random_seed"] == 0


def test_save_posterior_round_trip(gap, tmp_path):
    _, idata, table = gap
    path = save_posterior(idata, tmp_path)
    assert path == tmp_path / "posterior.nc"
    back = az.from_netcdf(path)
    np.testing.assert_allclose(back.posterior["log_ratio"], idata.posterior["log_ratio"])
    assert pairwise_table(back).equals(table)
    with pytest.raises(InputError, match="does not exist"):
        save_posterior(idata, tmp_path / "missing" / "posterior.nc")


def test_identical_strategies_are_a_coin_toss():
    base = _member_losses(3)
    indexes = _indexes(np.column_stack([base, base, base]), ["a", "b", "c"])
    _, table = compare_strategies(indexes, seed=0, **FAST)
    assert table.p_a_better.between(0.4, 0.6).all(), table
    assert np.allclose(table.ratio_mean, 1.0, atol=1e-3)


@pytest.mark.parametrize("bad, message", [
    (0.0, r"member 3 / strategy 'rigid' = 0\.0"),
    (-5.0, r"member 3 / strategy 'rigid' = -5\.0"),
    (np.nan, r"member 3 / strategy 'rigid' = nan"),
])
def test_bad_values_are_named(bad, message):
    values = np.column_stack([_member_losses(4), _member_losses(5)])
    values[3, 1] = bad
    with pytest.raises(InputError, match=message):
        compare_strategies(_indexes(values, ["flexible", "rigid"]))


def test_bad_shapes():
    one_strategy = _indexes(_member_losses(6)[:, None], ["rigid"])
    with pytest.raises(InputError, match="1 strategy; a comparison needs at least 2"):
        compare_strategies(one_strategy)
    one_member = _indexes(np.array([[1.0, 2.0]]), ["flexible", "rigid"])
    with pytest.raises(InputError, match="1 member; the paired model needs at least 2"):
        compare_strategies(one_member)
    with pytest.raises(InputError, match="exactly the dims"):
        compare_strategies(one_member.rename(member="scenario"))
    with pytest.raises(InputError, match="repeated strategy labels"):
        compare_strategies(_indexes(np.ones((3, 2)), ["rigid", "rigid"]))
    with pytest.raises(InputError, match="must be an xarray.DataArray"):
        compare_strategies(np.ones((3, 2)))


def test_closed_form_density_is_the_mvnormal():
    # the member effect integrated out: σ² I + τ² J, written with its eigenvalues
    from scipy.stats import multivariate_normal

    from workbench.uncertainty.compare import _paired_logp

    rng = np.random.default_rng(8)
    mu, tau, sigma = rng.normal(size=3), 0.7, 0.2
    rows = rng.normal(size=(4, 3))
    cov = sigma**2 * np.eye(3) + tau**2 * np.ones((3, 3))
    got = _paired_logp(rows, mu, tau, sigma).eval()
    np.testing.assert_allclose(got, multivariate_normal(mu, cov).logpdf(rows), rtol=1e-12)
