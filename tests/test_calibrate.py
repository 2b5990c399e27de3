"""Calibration on an observed partial recovery (workbench.uncertainty.calibrate), on the toy
simulator: the emulator reproduces held-out members, states its error honestly, and its pytensor
form agrees with it; the collapsed likelihood is the full-covariance MvNormal and its gradient
is right; a held-back member's inputs are recovered from its first days and the band covers the
rest, also when members are noisy as the demo's are (each draws its own damage); the same seed
gives the same numbers; bad inputs are refused by name."""

import numpy as np
import pytensor
import pytensor.tensor as pt
import pytest
import xarray as xr
from sklearn.base import clone

from workbench.core.errors import InputError
from workbench.uncertainty.calibrate import NOISE_FLOOR, calibrate
from workbench.uncertainty.emulator import (TOY_PRIORS, Emulator, fit_emulator, sample_priors,
                                            toy_recovery)

pytestmark = pytest.mark.slow   # make test-fast leaves it out: NUTS fits of the emulator, 2-7 s each

HORIZON = 60          # days 0 .. 59
OBSERVED_DAYS = 15
NAMES = list(TOY_PRIORS)


@pytest.fixture(scope="module")
def ensemble():
    """150 members drawn from the priors, shaped like the ensemble module's output."""
    theta = sample_priors(TOY_PRIORS, 150, seed=1)
    inputs = xr.Dataset({name: ("member", theta[:, i]) for i, name in enumerate(NAMES)})
    curves = xr.DataArray(toy_recovery(theta, HORIZON), dims=("member", "time"),
                          coords={"time": np.arange(HORIZON)}, name="ep_functionality")
    return inputs, curves


@pytest.fixture(scope="module")
def emulator(ensemble):
    return fit_emulator(*ensemble, seed=0)


def test_emulator_reproduces_held_out_members(emulator):
    theta = sample_priors(TOY_PRIORS, 50, seed=2)
    mean, std = emulator.predict(theta, return_std=True)
    error = mean - toy_recovery(theta, HORIZON)
    assert mean.shape == std.shape == (50, HORIZON)
    assert np.sqrt((error**2).mean()) < 0.01      # functionality units
    assert np.abs(error).max() < 0.06
    # the stated error (GP and cross-validated truncation) covers the real one, mostly
    assert np.mean(np.abs(error) <= 1.645 * std) >= 0.8
    assert emulator.names_ == NAMES
    np.testing.assert_array_equal(emulator.time_, np.arange(HORIZON))


def test_symbolic_form_matches_predict(emulator):
    log_theta = pt.vector("log_theta")
    mean, score_var = emulator.predict_symbolic(log_theta)
    f = pytensor.function([log_theta], [mean, score_var])
    theta = sample_priors(TOY_PRIORS, 5, seed=3)
    expected_mean, expected_std = emulator.predict(theta, return_std=True)
    for i, row in enumerate(theta):
        got_mean, got_var = f(np.log(row))
        np.testing.assert_allclose(got_mean, expected_mean[i], atol=1e-9)
        got_std = np.sqrt(got_var @ emulator.components_**2 + emulator.truncation_var_)
        np.testing.assert_allclose(got_std, expected_std[i], rtol=1e-6)


def test_emulator_is_an_estimator(emulator):
    fresh = clone(emulator)
    assert fresh.get_params() == {"n_restarts": 2, "random_state": 0, "variance_kept": 0.99}
    assert not hasattr(fresh, "gps_")


def test_recovers_a_held_back_member(emulator):
    truth = sample_priors(TOY_PRIORS, 1, seed=99)[0]
    curve = toy_recovery(truth, HORIZON)
    observed = curve[:OBSERVED_DAYS] + np.random.default_rng(5).normal(0, 0.02, OBSERVED_DAYS)
    idata, forecast = calibrate(emulator, observed, TOY_PRIORS, draws=300, tune=300, seed=0)
    theta = idata.posterior["theta"]
    lo, hi = (theta.quantile(q, ("chain", "draw")).values for q in (0.05, 0.95))
    assert ((lo <= truth) & (truth <= hi)).all(), (lo, truth, hi)
    assert int(idata.sample_stats["diverging"].sum()) == 0
    attrs = idata.posterior.attrs
    assert attrs["max_rhat"] < 1.05 and attrs["min_ess_bulk"] > 100 and attrs["divergent"] == 0
    assert idata.posterior["emulator_error"].dims == ("chain", "draw", "pc")
    # the forecast band covers the unobserved rest of the curve, mostly
    rest = slice(OBSERVED_DAYS, None)
    inside = (forecast["lo"].values <= curve) & (curve <= forecast["hi"].values)
    assert inside[rest].mean() >= 0.8
    assert np.abs(forecast["mean"].values - curve)[rest].max() < 0.05
    assert forecast["mean"].dims == ("time",) and forecast.sizes["time"] == HORIZON
    assert forecast.attrs["observed_days"] == OBSERVED_DAYS
    assert idata.posterior_predictive["curve"].sizes["time"] == HORIZON
    assert idata.observed_data["curve"].sizes["time"] == OBSERVED_DAYS


def test_truncation_residual_is_out_of_sample(ensemble, emulator):
    inputs, curves = ensemble
    centred = curves.values - emulator.curve_mean_
    in_sample = centred - (centred @ emulator.components_.T) @ emulator.components_
    # a member the PCA did not see is fitted worse than one it did
    assert emulator.truncation_var_.sum() > (in_sample**2).mean(axis=0).sum()
    assert emulator.residual_.shape == curves.shape and 0.0 <= emulator.shrinkage_ <= 1.0
    # the draws have the stated covariance
    draws = emulator.residual_draws(40_000, np.random.default_rng(0))
    cov = emulator.residual_cov(slice(None))
    np.testing.assert_allclose(np.cov(draws.T, bias=True), cov, atol=0.05 * cov.max())
    np.testing.assert_allclose(emulator.residual_cov([3, 7], [7, 9]), cov[[3, 7]][:, [7, 9]])


def test_collapsed_likelihood_is_the_mvnormal(emulator):
    # e integrated out: σ² I + R + Wᵀ diag(s²) W, by Woodbury in the eigenbasis of R
    from scipy.stats import multivariate_normal

    from workbench.uncertainty.calibrate import _CollapsedLikelihood

    likelihood = _CollapsedLikelihood(emulator, OBSERVED_DAYS)
    rng = np.random.default_rng(4)
    weights = emulator.components_[:, :OBSERVED_DAYS]
    for _ in range(3):
        log_theta, sigma = rng.normal(0.0, 0.3, 3), 0.02 * np.exp(rng.normal())
        observed = toy_recovery(np.exp(rng.normal(0.0, 0.3, 3)), HORIZON)[:OBSERVED_DAYS]
        value, grad, grad_sigma = likelihood.value_and_grad(observed, log_theta, sigma)
        mean = emulator.predict(np.exp(log_theta))[0, :OBSERVED_DAYS]
        _, score_var = emulator._scores(np.exp(log_theta))
        cov = (emulator.residual_cov(slice(0, OBSERVED_DAYS)) + weights.T * score_var @ weights
               + (sigma**2 + NOISE_FLOOR**2) * np.eye(OBSERVED_DAYS))
        assert value == pytest.approx(multivariate_normal(mean, cov).logpdf(observed),
                                      rel=1e-7)
        step = 1e-6
        numeric = [(likelihood.value_and_grad(observed, log_theta + step * unit, sigma)[0]
                    - likelihood.value_and_grad(observed, log_theta - step * unit, sigma)[0])
                   / (2 * step) for unit in np.eye(3)]
        np.testing.assert_allclose(grad, numeric, rtol=1e-4, atol=1e-3)
        numeric_sigma = (likelihood.value_and_grad(observed, log_theta, sigma + step)[0]
                         - likelihood.value_and_grad(observed, log_theta, sigma - step)[0]) / (
            2 * step)
        assert grad_sigma == pytest.approx(numeric_sigma, rel=1e-4)


def test_same_seed_same_numbers(emulator):
    observed = toy_recovery([1.1, 0.9, 1.0], HORIZON)[:OBSERVED_DAYS]
    priors = dict(zip(emulator.names_, TOY_PRIORS.values()))
    runs = [calibrate(emulator, observed, priors, draws=50, tune=50, chains=1, seed=3)
            for _ in range(2)]
    (a, fa), (b, fb) = runs
    np.testing.assert_array_equal(a.posterior["theta"], b.posterior["theta"])
    np.testing.assert_array_equal(a.posterior["emulator_error"], b.posterior["emulator_error"])
    assert fa.identical(fb)


def _noisy_ensemble(n: int, seed: int):
    """The toy simulator with member-to-member noise that θ does not explain, as the demo's
    members each draw their own damage: a random initial loss and a random repair pace."""
    rng = np.random.default_rng(seed)
    theta = sample_priors(TOY_PRIORS, n, seed=seed)
    jitter = theta * np.exp(rng.normal(0.0, [0.08, 0.15, 0.0], (n, 3)))
    curves = toy_recovery(jitter, HORIZON)
    return theta, curves


def test_band_covers_noisy_held_back_members():
    # the emulator's GP variance and the out-of-sample truncation residual in the likelihood
    # and the band: before, the band covered ~15 % of a noisy held-back member's days
    theta, curves = _noisy_ensemble(41, seed=11)
    inside = []
    for held in (40, 20, 0):
        train = np.setdiff1d(np.arange(41), [held])
        emulator = fit_emulator(dict(zip(NAMES, theta[train].T)), curves[train], seed=held)
        _, forecast = calibrate(emulator, curves[held, :OBSERVED_DAYS], TOY_PRIORS, draws=150,
                                tune=150, chains=1, seed=held)
        rest = slice(OBSERVED_DAYS, None)
        inside.append(((forecast["lo"].values <= curves[held])
                       & (curves[held] <= forecast["hi"].values))[rest].mean())
    assert np.mean(inside) >= 0.75, inside


def test_bad_observed(emulator):
    with pytest.raises(InputError, match="observed has 61 days but the emulator's horizon is 60"):
        calibrate(emulator, np.ones(HORIZON + 1), TOY_PRIORS)
    with pytest.raises(InputError, match=r"NaN/inf on days \[2\]"):
        calibrate(emulator, [0.6, 0.6, np.nan, 0.7], TOY_PRIORS)
    with pytest.raises(InputError, match="non-empty 1-D series"):
        calibrate(emulator, [], TOY_PRIORS)
    with pytest.raises(InputError, match="non-empty 1-D series"):
        calibrate(emulator, np.ones((2, 3)), TOY_PRIORS)


@pytest.mark.parametrize("change, message", [
    ({"repair_time_scale": (0.0, 0.3)}, r"prior 'repair_time_scale' = \(median=0.0"),
    ({"repair_time_scale": (1.0, -0.1)}, r"sigma=-0.1\).*positive finite median and sigma"),
    ({"repair_time_scale": "wide"}, "must be a pair"),
    ({"unknown": (1.0, 0.1)}, r"unknown \['unknown'\]"),
])
def test_bad_priors(emulator, change, message):
    with pytest.raises(InputError, match=message):
        calibrate(emulator, [0.6, 0.62], {**TOY_PRIORS, **change})


def test_missing_prior(emulator):
    priors = {k: v for k, v in TOY_PRIORS.items() if k != "crew_productivity"}
    with pytest.raises(InputError, match=r"missing \['crew_productivity'\]"):
        calibrate(emulator, [0.6, 0.62], priors)


def test_bad_training_data(ensemble):
    inputs, curves = ensemble
    with pytest.raises(InputError, match="theta has 150 members and curves 149"):
        Emulator().fit(inputs, curves.isel(member=slice(1, None)))
    with pytest.raises(InputError, match="positive and finite"):
        fit_emulator(np.where(np.arange(3) == 1, -1.0, 1.0) * np.ones((20, 3)),
                     np.ones((20, 5)))
    with pytest.raises(InputError, match="Select one strategy first"):
        fit_emulator(inputs, curves.expand_dims(strategy=["rigid"]))
    with pytest.raises(InputError, match="at least 10 members"):
        fit_emulator(inputs.isel(member=slice(5)), curves.isel(member=slice(5)))
    with pytest.raises(InputError, match="nothing to emulate"):
        fit_emulator(inputs, xr.zeros_like(curves))


def test_sample_priors_is_seeded_and_lognormal():
    draws = sample_priors({"a": (2.0, 0.5)}, 20_000, seed=7)
    np.testing.assert_array_equal(draws, sample_priors({"a": (2.0, 0.5)}, 20_000, seed=7))
    assert np.median(draws) == pytest.approx(2.0, rel=0.02)
    assert np.log(draws).std() == pytest.approx(0.5, rel=0.02)


def test_unfitted_emulator_is_refused():
    from sklearn.exceptions import NotFittedError

    with pytest.raises(NotFittedError):
        calibrate(Emulator(), [0.6, 0.62], TOY_PRIORS)
