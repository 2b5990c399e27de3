"""Bayesian comparison of strategies (workbench.uncertainty.compare) on synthetic paired ensembles:
a known 1.5× gap is found with near certainty, a close pair that the members order the same way
every time is found despite a noisy third strategy (issue 24), identical strategies come out a
coin toss, the posterior is the closed-form one, the same seed gives the same draws, poor
diagnostics are warned of, and bad indexes are refused by name."""

import arviz as az
import numpy as np
import pytest
import xarray as xr

from workbench.core.errors import InputError
from workbench.uncertainty.calibrate import convergence
from workbench.uncertainty.compare import (
    STRATEGY_COLUMNS, TABLE_COLUMNS, compare_strategies, convergence_warnings, pairwise_table,
    save_posterior, strategy_table)

# exact draws (no NUTS): every test here takes milliseconds
FAST = {"draws": 300, "chains": 4}
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
    assert row.share_members_a_better == 1.0


def test_orientation_flips_the_probability(gap):
    _, idata, table = gap
    higher = pairwise_table(idata, lower_is_better=False)
    assert higher.p_a_better.iloc[0] == pytest.approx(1 - table.p_a_better.iloc[0])


def test_strategy_table(gap):
    _, idata, _ = gap
    summary = strategy_table(idata)
    assert summary.index.tolist() == ["flexible", "rigid"]
    assert list(summary.columns) == list(STRATEGY_COLUMNS)
    assert summary.p_lowest_typical.sum() == pytest.approx(1.0)
    assert summary.p_lowest_typical["flexible"] > 0.95
    assert summary.share_members_best.tolist() == [1.0, 0.0]
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


def test_close_pair_is_found_beside_a_noisy_strategy():
    """Issue 24's done-when: A = B × 1.015 with paired noise 0.008 on 40 members, C far noisier
    (0.08). A loses more than B in (nearly) every member, so P(A loses less than B) < 0.01;
    the former one-σ model gave such a pair P ≈ 0.2."""
    rng = np.random.default_rng(24)
    b = _member_losses(11)
    a = 1.015 * b * np.exp(rng.normal(0.0, 0.008, N_MEMBERS))
    c = 0.9 * b * np.exp(rng.normal(0.0, 0.08, N_MEMBERS))
    indexes = _indexes(np.column_stack([a, b, c]), ["A", "B", "C"])
    idata, table = compare_strategies(indexes, seed=0, **FAST)
    row = table.set_index(["strategy_a", "strategy_b"]).loc[("A", "B")]
    assert row.share_members_a_better < 0.1           # the members: A is worse nearly always
    assert row.p_a_better < 0.01, table               # and so is the posterior
    assert row.ratio_lo > 1.0 and row.ratio_mean == pytest.approx(1.015, abs=0.005)
    # the noise of each pair's contrast is the pair's own, not the noisy strategy's
    pair_sd = idata.posterior["pair_sd"].mean(("chain", "draw")).to_series()
    assert pair_sd["A / B"] == pytest.approx(0.008, rel=0.3)
    assert pair_sd["A / C"] > 5 * pair_sd["A / B"]
    # C has the lowest typical loss; the raw share of members where it is best is beside it
    summary = strategy_table(idata)
    assert summary.p_lowest_typical.idxmax() == "C"
    share = np.mean(np.argmin(np.column_stack([a, b, c]), axis=1) == 2)
    assert summary.share_members_best["C"] == pytest.approx(share)


def test_the_contrast_is_the_closed_form_student_t():
    """The posterior of μ_a − μ_b drawn by the module is, marginally, the Student t of the
    conjugate model (flat μ, InvWishart(S + 1, floor² I) Σ): centre the mean paired difference,
    ν0 + M − S degrees of freedom."""
    from scipy import stats

    rng = np.random.default_rng(5)
    base = _member_losses(7)
    values = np.column_stack([base, base * np.exp(rng.normal(0.01, 0.03, N_MEMBERS)),
                              base * np.exp(rng.normal(0.0, 0.2, N_MEMBERS))])
    idata, table = compare_strategies(_indexes(values, ["a", "b", "c"]), seed=1,
                                      draws=20000, chains=1)
    d = np.log(values[:, 0]) - np.log(values[:, 1])
    m, s = N_MEMBERS, 3
    df = (s + 1) + m - 1 - s + 1              # ν_n − S + 1
    scale = np.sqrt(((d - d.mean()) ** 2).sum() / (m * df))
    expected = stats.t(df, loc=d.mean(), scale=scale)
    draws = idata.posterior["log_ratio"].sel(pair="a / b").values.ravel()
    assert table.p_a_better.iloc[0] == pytest.approx(expected.cdf(0.0), abs=0.01)
    np.testing.assert_allclose(np.quantile(draws, [0.05, 0.5, 0.95]),
                               expected.ppf([0.05, 0.5, 0.95]), atol=0.1 * scale)


def test_poor_diagnostics_are_warned_of():
    base = _member_losses(9)
    values = np.column_stack([base, base * 1.1])
    idata, _ = compare_strategies(_indexes(values, ["a", "b"]), seed=0, draws=20, chains=1)
    facts = convergence(idata, ["alpha", "delta", "sd"])
    warnings = convergence_warnings(facts, 1, "comparison")
    assert any("fewer than the 4" in w for w in warnings), warnings
    assert any("bulk ESS" in w and "not above 400" in w for w in warnings), warnings
    good = {"max_rhat": 1.001, "min_ess_bulk": 1500.0, "divergent": 0}
    assert convergence_warnings(good, 4, "comparison") == []
    assert any("R-hat 1.022" in w for w in convergence_warnings(
        {"max_rhat": 1.022, "min_ess_bulk": 1500.0}, 4, "calibration"))
