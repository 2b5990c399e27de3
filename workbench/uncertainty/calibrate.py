"""Updating the uncertain inputs on an observed partial recovery, and forecasting the rest.

Given the first ``k`` days of a real recovery curve (e.g. the city's functionality after the
event), :func:`calibrate` draws the posterior of the uncertain inputs ``θ`` (repair-time scale,
crew productivity, fragility scale, ...) and forecasts the curve over the whole horizon with a
90 % band. The likelihood has to go through the recovery simulator, which is too slow to call
inside a sampler; so the simulator is replaced by an **emulator** trained on the ensemble that
already ran (Kennedy and O'Hagan 2001), and the emulator's own error enters the likelihood.

Why an emulator, not likelihood-free inference
----------------------------------------------
PyMC's ``Simulator`` with SMC needs thousands of fresh simulator runs per calibration and an
ABC tolerance whose effect on coverage is hard to state; the emulator reuses the ensemble that
is run anyway, gives a differentiable likelihood (NUTS), and calibrates in seconds, so it can be
checked by simulation-based calibration (``benchmarks/bench_sbc.py``).

Emulator (:class:`Emulator`, :func:`fit_emulator`)
--------------------------------------------------
1. Inputs: ``x = (log θ − mean) / sd`` over the members (the priors are lognormal, so log θ is
   where they are Gaussian).
2. Outputs: the curves (member × day) are centred and reduced by PCA (SVD); the fewest
   components explaining at least ``variance_kept`` (99 %) of the variance are kept. The mean
   squared residual of the dropped components, per day, is kept as ``truncation_var_``.
3. One Gaussian process per component score (scikit-learn ``GaussianProcessRegressor``, kernel
   ``C · RBF(ARD length scales) + White``, scores standardised, seeded optimiser restarts).
4. The GP posterior mean *and variance* at ``x`` are written again in pytensor
   (:meth:`Emulator.predict_symbolic`, same numbers as ``predict``: tested), so PyMC can take
   gradients through them.

Calibration model (:func:`calibrate`)
-------------------------------------
``log θ_i ~ Normal(log median_i, sigma_i)`` (the ensemble's lognormal priors), observation noise
``σ ~ HalfNormal(noise_scale)``, the emulator's error ``e_j ~ Normal(0, 1)`` per component and,
on the observed days ``t < k``,

    ``y_t ~ Normal(m_t(θ) + Σ_j s_j(θ) e_j W_jt,  sqrt(σ² + r_t))``

with ``m(θ)`` the emulated curve, ``s_j²(θ)`` the GP variance of component ``j``'s score,
``W`` the PCA loadings and ``r_t`` the truncation variance. Integrating the ``e_j`` out gives
``MvNormal(m, σ² I + diag(r) + Wᵀ diag(s²) W)``: the emulator's error is a whole-curve error,
correlated across days (a diagonal covariance would count one emulator bias ``k`` times as
independent evidence). Keeping the ``e_j`` as parameters gives the same posterior without a
Cholesky factor per gradient, and lets the forecast carry the error the data revealed.
NUTS samples ``log θ``, ``σ`` and ``e``. Chains start inside the prior's bulk
(``init="adapt_diag"``; see ``_initvals``).

The forecast evaluates, for each posterior draw of ``(θ, e)``, the emulated curve over the whole
horizon (:meth:`Emulator.sample` with those ``e``, plus a fresh truncation residual): the band
is for the simulator's curve, without the measurement noise ``σ`` of the observations.

Validation
----------
* ``tests/test_calibrate.py``: the emulator reproduces held-out members of the toy simulator
  (:func:`toy_recovery`) and agrees with its pytensor form; a held-back member's θ lies in the
  90 % intervals and the band covers its unobserved days.
* ``benchmarks/bench_sbc.py``: simulation-based calibration (Talts et al. 2018) on the toy
  simulator, data from the simulator itself (so the emulator's error is in the check): over 50
  replicates the 90 % intervals covered the truth 90 / 86 / 94 % of the time for the three
  inputs (90.0 % overall) and 92 % for σ, ranks uniform (χ² p ≥ 0.24); the forecast band
  covered 90 % of unobserved days. 100 other replicates: 93 / 93 / 91 %.

Examples
--------
>>> curves = toy_recovery(np.array([[1.0, 1.0, 1.0], [1.0, 2.0, 1.0]]), days=4)
>>> curves.round(3)
array([[0.607, 0.611, 0.619, 0.629],
       [0.607, 0.608, 0.611, 0.615]])
>>> sample_priors({"a": (2.0, 0.1)}, 3, seed=0).shape
(3, 1)

References
----------
Kennedy, M. C., O'Hagan, A. (2001). Bayesian calibration of computer models. *JRSS B* 63(3),
425–464. https://doi.org/10.1111/1467-9868.00294
Higdon, D., Gattiker, J., Williams, B., Rightley, M. (2008). Computer model calibration using
high-dimensional output (PCA + GP emulation). *JASA* 103(482), 570–583.
https://doi.org/10.1198/016214507000000888
Talts, S., Betancourt, M., Simpson, D., Vehtari, A., Gelman, A. (2018). Validating Bayesian
inference algorithms with simulation-based calibration. arXiv:1804.06788.
https://doi.org/10.48550/arXiv.1804.06788
"""

from __future__ import annotations

import logging
import math
import warnings
from collections.abc import Mapping

import numpy as np
import xarray as xr
from scipy.linalg import solve_triangular
from sklearn.base import BaseEstimator
from sklearn.exceptions import ConvergenceWarning
from sklearn.gaussian_process import GaussianProcessRegressor
from sklearn.gaussian_process.kernels import RBF, ConstantKernel, WhiteKernel
from sklearn.utils.validation import check_is_fitted
from threadpoolctl import threadpool_limits

from ..dims import MEMBER, TIME
from ..errors import InputError

__all__ = ["Emulator", "fit_emulator", "calibrate", "sample_priors", "toy_recovery",
           "TOY_PRIORS", "PARAMETER", "PC", "MIN_MEMBERS", "NUGGET_FLOOR"]

logger = logging.getLogger(__name__)

#: Dim of the uncertain inputs in the posterior.
PARAMETER = "parameter"
#: Dim of the emulator's principal components (not ``component``: that is a network part).
PC = "pc"
#: Fewest members an emulator is fitted on.
MIN_MEMBERS = 10
#: Smallest GP nugget (white-noise variance of a standardised score): keeps the training
#: covariance well conditioned and the emulator's stated error honest near training points.
NUGGET_FLOOR = 1e-6
#: Priors of :func:`toy_recovery`'s inputs: name → (median, sigma of log).
TOY_PRIORS = {"fragility_median_scale": (1.0, 0.3), "repair_time_scale": (1.0, 0.3),
              "crew_productivity": (1.0, 0.2)}


def toy_recovery(theta, days: int) -> np.ndarray:
    """A toy recovery simulator for examples and validation: functionality per day [0–1].

    ``F(t) = 1 − a · exp(−(t / T)^β)`` with initial loss ``a = 1 − exp(−0.5 / θ1²)`` (a larger
    fragility median scale ``θ1`` means less damage), time scale ``T = 20 θ2`` days and shape
    ``β = 1.5 θ3``; ``theta`` is (n, 3) or (3,) in the order of :data:`TOY_PRIORS`, the result
    (n, days) or (days,) for days ``0 .. days − 1``.

    Examples
    --------
    >>> toy_recovery([1.0, 1.0, 1.0], days=3).round(3)   # 39 % lost, recovering
    array([0.607, 0.611, 0.619])
    """
    theta = np.asarray(theta, dtype=float)
    t = np.arange(days, dtype=float)
    flat = np.atleast_2d(theta)
    loss = 1.0 - np.exp(-0.5 / flat[:, :1] ** 2)
    curves = 1.0 - loss * np.exp(-(t / (20.0 * flat[:, 1:2])) ** (1.5 * flat[:, 2:3]))
    return curves if theta.ndim == 2 else curves[0]


def _check_priors(priors, names=None) -> dict:
    if not isinstance(priors, Mapping) or not priors:
        raise InputError(f"priors must be a non-empty dict name → (median, sigma), got "
                         f"{priors!r}. Pass e.g. {{'repair_time_scale': (1.0, 0.3)}}.")
    if names is not None and set(priors) != set(names):
        raise InputError(f"priors must name exactly the emulator's inputs {list(names)}; missing "
                         f"{sorted(set(names) - set(priors))}, unknown "
                         f"{sorted(set(priors) - set(names))}. Give one (median, sigma) per "
                         f"input the emulator was fitted on.")
    out = {}
    for name, value in priors.items():
        try:
            median, sigma = (float(v) for v in value)
        except (TypeError, ValueError):
            raise InputError(f"prior {name!r} must be a pair (median, sigma), got {value!r}."
                             ) from None
        if not (math.isfinite(median) and median > 0 and math.isfinite(sigma) and sigma > 0):
            raise InputError(f"prior {name!r} = (median={median}, sigma={sigma}): a lognormal "
                             f"prior needs a positive finite median and sigma (sigma of log θ). "
                             f"Use e.g. (1.0, 0.3).")
        out[name] = (median, sigma)
    return out


def sample_priors(priors: dict, n: int, *, seed: int = 0) -> np.ndarray:
    """``n`` draws (n, k) of the lognormal priors ``name → (median, sigma)``, columns in order.

    Examples
    --------
    >>> sample_priors({"repair_time_scale": (1.0, 0.3), "crew_productivity": (2.0, 0.1)}, 4,
    ...               seed=0).round(2)
    array([[1.04, 1.97],
           [1.21, 2.02],
           [0.85, 2.07],
           [1.48, 2.2 ]])
    """
    priors = _check_priors(priors)
    rng = np.random.default_rng(seed)
    medians, sigmas = (np.array(v) for v in zip(*priors.values()))
    return medians * np.exp(sigmas * rng.standard_normal((n, len(priors))))


def _as_theta(theta, names=None) -> tuple[list, np.ndarray]:
    """(names, (n, k) array) from a 2-D array, a dict/DataFrame of columns or an xr.Dataset."""
    if isinstance(theta, xr.Dataset):
        wrong = [v for v in theta.data_vars if theta[v].dims != (MEMBER,)]
        if wrong:
            raise InputError(f"theta variables must lie on ({MEMBER!r},) only; {wrong} do not. "
                             f"Select the uncertain inputs, e.g. ensemble[[...names...]].")
        theta = {v: theta[v].values for v in theta.data_vars}
    if isinstance(theta, Mapping) or hasattr(theta, "columns"):
        keys = list(theta.keys())
        if names is not None:
            if set(keys) != set(names):
                raise InputError(f"theta must hold exactly the emulator's inputs {list(names)}, "
                                 f"got {keys}.")
            keys = list(names)
        values = np.column_stack([np.asarray(theta[key], dtype=float) for key in keys])
    else:
        values = np.asarray(theta, dtype=float)
        if values.ndim == 1 and names is not None:
            values = values[None, :]
        keys = list(names) if names is not None else [f"theta_{i}" for i in
                                                       range(values.shape[-1])]
    if values.ndim != 2 or values.shape[1] != len(keys):
        raise InputError(f"theta must be (n_members, {len(keys)}) (one column per input), got "
                         f"shape {values.shape}.")
    bad = ~(np.isfinite(values) & (values > 0))
    if bad.any():
        row, col = np.argwhere(bad)[0]
        raise InputError(f"theta must be positive and finite (the emulator works on log θ); "
                         f"{int(bad.sum())} value(s) are not, e.g. member {row} / {keys[col]!r} = "
                         f"{values[row, col]}. Drop those members.")
    return keys, values


def _as_curves(curves) -> tuple[np.ndarray, np.ndarray]:
    """((n, T) array, time coordinate) from a 2-D array or a DataArray on (member, time)."""
    if isinstance(curves, xr.DataArray):
        if set(curves.dims) != {MEMBER, TIME}:
            raise InputError(f"curves must have the dims ({MEMBER!r}, {TIME!r}), got "
                             f"{curves.dims}. Select one strategy first "
                             f"(ensemble['ep_functionality'].sel(strategy=...)).")
        curves = curves.transpose(MEMBER, TIME)
        return np.asarray(curves.values, dtype=float), curves[TIME].values
    values = np.asarray(curves, dtype=float)
    if values.ndim != 2:
        raise InputError(f"curves must be 2-D (n_members, n_days), got shape {values.shape}.")
    return values, np.arange(values.shape[1])


class Emulator(BaseEstimator):
    """PCA + Gaussian-process emulator of a curve as a function of positive inputs θ.

    See the module docstring for the method. Fitted state: ``names_``, ``time_``,
    ``x_mean_``/``x_scale_`` (of log θ), ``curve_mean_`` (T,), ``components_`` (c, T),
    ``score_scale_`` (c,), ``truncation_var_`` (T,), ``gps_`` (c fitted regressors).

    Parameters
    ----------
    variance_kept : float
        Share of the curves' variance the kept PCA components explain (at least).
    n_restarts : int
        Optimiser restarts per GP (``n_restarts_optimizer``).
    random_state : int
        Seed of the restarts.
    """

    def __init__(self, *, variance_kept: float = 0.9999, n_restarts: int = 2,
                 random_state: int = 0):
        self.variance_kept = variance_kept
        self.n_restarts = n_restarts
        self.random_state = random_state

    def fit(self, theta, curves) -> Emulator:
        """Fit on ``theta`` (n, k) [positive] and ``curves`` (n, T); returns ``self``."""
        if not 0.0 < self.variance_kept <= 1.0:
            raise InputError(f"variance_kept must lie in (0, 1], got {self.variance_kept}.")
        names, values = _as_theta(theta)
        y, time = _as_curves(curves)
        if y.shape[0] != values.shape[0]:
            raise InputError(f"theta has {values.shape[0]} members and curves {y.shape[0]}; "
                             f"they must be the same members in the same order.")
        if values.shape[0] < MIN_MEMBERS:
            raise InputError(f"an emulator needs at least {MIN_MEMBERS} members, got "
                             f"{values.shape[0]}. Run a larger ensemble.")
        if not np.isfinite(y).all():
            raise InputError(f"curves hold {int((~np.isfinite(y)).sum())} NaN/inf value(s); "
                             f"drop the members whose runs failed.")
        log_theta = np.log(values)
        self.names_, self.time_ = names, time
        self.x_mean_ = log_theta.mean(axis=0)
        # an input that is the same for every member cannot be learned: scale 1 keeps it inert
        self.x_scale_ = np.where(log_theta.std(axis=0) > 0, log_theta.std(axis=0), 1.0)
        x = (log_theta - self.x_mean_) / self.x_scale_
        self.curve_mean_ = y.mean(axis=0)
        centred = y - self.curve_mean_
        _, singular, rows = np.linalg.svd(centred, full_matrices=False)
        power = singular**2
        if power.sum() <= 0:
            raise InputError("curves are the same for every member: there is nothing to "
                             "emulate (the inputs have no effect on this curve).")
        n_kept = int(np.searchsorted(np.cumsum(power) / power.sum(), self.variance_kept) + 1)
        self.components_ = rows[:min(n_kept, len(power))]
        scores = centred @ self.components_.T
        residual = centred - scores @ self.components_
        self.truncation_var_ = (residual**2).mean(axis=0)
        self.score_scale_ = scores.std(axis=0)
        kernel = (ConstantKernel(1.0, (1e-3, 1e3)) * RBF(np.ones(x.shape[1]), (1e-2, 1e3))
                  + WhiteKernel(1e-4, (NUGGET_FLOOR, 1e-1)))
        self.gps_ = []
        with threadpool_limits(1, user_api="blas"):
            self._fit_gps(x, scores, kernel)
        return self

    def _fit_gps(self, x: np.ndarray, scores: np.ndarray, kernel) -> None:
        # called with BLAS on one thread: on matrices this small, a second thread only waits,
        # and on a shared machine the waiting took a fit from 5 s to 70 s (measured)
        for j in range(scores.shape[1]):
            gp = GaussianProcessRegressor(kernel, n_restarts_optimizer=self.n_restarts,
                                          random_state=self.random_state)
            with warnings.catch_warnings(record=True) as caught:
                # a length scale at its upper bound means the score ignores that input, a
                # noise level at its lower bound that the simulator is deterministic: both are
                # expected, so they are logged rather than shown
                warnings.simplefilter("always", ConvergenceWarning)
                gp.fit(x, scores[:, j] / self.score_scale_[j])
            for w in caught:
                if issubclass(w.category, ConvergenceWarning):
                    logger.debug("component %d: %s", j, w.message)
                else:
                    warnings.warn_explicit(w.message, w.category, w.filename, w.lineno)
            self.gps_.append(gp)

    def _x(self, theta) -> np.ndarray:
        _, values = _as_theta(theta, self.names_)
        return (np.log(values) - self.x_mean_) / self.x_scale_

    def _scores(self, theta) -> tuple[np.ndarray, np.ndarray]:
        x = self._x(theta)
        with threadpool_limits(1, user_api="blas"):
            out = [gp.predict(x, return_std=True) for gp in self.gps_]
        mean = np.column_stack([m for m, _ in out]) * self.score_scale_
        # the predictive variance is at least the nugget; rounding can take it below
        nugget = np.array([gp.kernel_.k2.noise_level for gp in self.gps_])
        var = np.maximum(np.column_stack([s**2 for _, s in out]), nugget) * self.score_scale_**2
        return mean, var

    def predict(self, theta, return_std: bool = False):
        """Emulated curves (n, T) at ``theta`` (n, k) or (k,); with ``return_std`` also the
        emulator's standard deviation per member and day (GP and PCA truncation)."""
        mean, var = self._scores(theta)
        curves = self.curve_mean_ + mean @ self.components_
        if not return_std:
            return curves
        return curves, np.sqrt(var @ self.components_**2 + self.truncation_var_)

    def sample(self, theta, *, rng: np.random.Generator, errors=None) -> np.ndarray:
        """One curve (n, T) per row of ``theta``, drawn with the emulator's error: each component
        score is ``mean + sd · e`` (coherent over days; ``errors`` e (n, c) given, or standard
        normal draws), plus the truncation residual per day."""
        mean, var = self._scores(theta)
        e = rng.standard_normal(mean.shape) if errors is None else np.asarray(errors, float)
        scores = mean + np.sqrt(var) * e
        noise = np.sqrt(self.truncation_var_) * rng.standard_normal((mean.shape[0],
                                                                     len(self.time_)))
        return self.curve_mean_ + scores @ self.components_ + noise

    def predict_symbolic(self, log_theta):
        """pytensor (mean of the curve (T,), variances of the component scores (c,)) at the
        symbolic vector ``log_theta`` (k,), in the order of ``names_``; the same numbers as
        :meth:`predict` (the GP predictive equations, written out)."""
        import pytensor.tensor as pt   # heavy: only when a model is built

        x = (log_theta - self.x_mean_) / self.x_scale_
        train = self.gps_[0].X_train_           # the same inputs for every component
        amplitude = np.array([gp.kernel_.k1.k1.constant_value for gp in self.gps_])
        inv_length2 = np.array([np.broadcast_to(gp.kernel_.k1.k2.length_scale,
                                                train.shape[1:]) ** -2.0 for gp in self.gps_])
        noise = np.array([gp.kernel_.k2.noise_level for gp in self.gps_])
        alpha = np.array([gp.alpha_ for gp in self.gps_])
        # sklearn's predictive variance c + w − |L⁻¹ k*|², with L⁻¹ precomputed: as stable as
        # its triangular solve. All components in one batched op each: op count, not
        # arithmetic, is what a small graph costs per gradient
        l_inv = np.array([solve_triangular(gp.L_, np.eye(len(train)), lower=True)
                          for gp in self.gps_])
        cross = amplitude[:, None] * pt.exp(-0.5 * pt.dot(inv_length2, ((x - train) ** 2).T))
        scores = pt.sum(cross * alpha, axis=1) * self.score_scale_
        projected = pt.matmul(l_inv, cross[:, :, None])[:, :, 0]
        variances = pt.maximum(amplitude + noise - pt.sum(projected**2, axis=1), noise)
        return (self.curve_mean_ + pt.dot(scores, self.components_),
                variances * self.score_scale_**2)


def fit_emulator(theta, curves, *, seed: int = 0, variance_kept: float = 0.9999) -> Emulator:
    """Fit an :class:`Emulator` of ``curves`` (member × day) on the inputs ``theta``.

    ``theta``: (n, k) positive array, or a dict / DataFrame / xr.Dataset of the inputs on
    ``member`` (names kept for the priors of :func:`calibrate`; a bare array names them
    ``theta_0``, ...). ``curves``: (n, T) array or DataArray on (``member``, ``time``).

    Examples
    --------
    >>> fit_emulator(np.ones((3, 2)), np.zeros((4, 5)))  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    workbench.errors.InputError: theta has 3 members and curves 4; they must be the same ...
    """
    return Emulator(variance_kept=variance_kept, random_state=seed).fit(theta, curves)


def _check_observed(observed, horizon: int) -> np.ndarray:
    values = np.asarray(observed.values if isinstance(observed, xr.DataArray) else observed,
                        dtype=float)
    if values.ndim != 1 or values.size == 0:
        raise InputError(f"observed must be a non-empty 1-D series of the first days of the "
                         f"curve, got shape {values.shape}.")
    if values.size > horizon:
        raise InputError(f"observed has {values.size} days but the emulator's horizon is "
                         f"{horizon} days; pass at most the first {horizon} days, or fit the "
                         f"emulator on longer curves.")
    if not np.isfinite(values).all():
        days = np.flatnonzero(~np.isfinite(values)).tolist()
        raise InputError(f"observed holds NaN/inf on days {days}; observe a gap-free series of "
                         f"the first days (cut it before the first gap).")
    return values


def _initvals(medians, sigmas, noise_scale: float, chains: int, seed: int) -> list[dict]:
    """One start per chain, inside the prior's bulk (±1 sd of log θ). PyMC's default jitter of
    ±1 in log θ is 3–5 prior sd here: it can start a chain where the emulator extrapolates and
    the likelihood is so steep that step-size adaptation collapses (seen: step 1e-11)."""
    rng = np.random.default_rng([seed, 1])
    return [{"log_theta": np.log(medians) + sigmas * rng.uniform(-1.0, 1.0, len(medians)),
             "sigma": noise_scale} for _ in range(chains)]


def calibrate(emulator: Emulator, observed, priors: dict, *, draws: int = 500, tune: int = 500,
              chains: int = 2, seed: int = 0, noise_scale: float = 0.05):
    """Posterior of the inputs given the first days of a curve, and the forecast of the rest.

    Parameters
    ----------
    emulator : Emulator
        Fitted on the ensemble (:func:`fit_emulator`).
    observed : 1-D array or DataArray
        The curve on days ``0 .. k − 1`` (``k`` ≤ the emulator's horizon ``T``).
    priors : dict
        ``name → (median, sigma)`` of the lognormal prior of each input the emulator knows.
    draws, tune, chains : int
        NUTS settings; chains run in sequence.
    seed : int
        ``random_seed`` of :func:`pymc.sample` and seed of the forecast draws.
    noise_scale : float
        Scale of the ``HalfNormal`` prior of the observation noise σ (curve units).

    Returns
    -------
    idata : arviz.InferenceData
        ``posterior``: ``log_theta`` and ``theta`` on ``parameter``, ``sigma``,
        ``emulator_error`` on ``pc``;
        ``posterior_predictive``: ``curve`` (chain, draw, time) over the whole horizon;
        ``observed_data``: ``curve`` on the observed days.
    forecast : xarray.Dataset
        On ``time`` (the emulator's days): ``mean``, ``lo``, ``hi`` (5 % and 95 % quantiles) of
        the curve; attrs ``observed_days``, ``interval``, ``random_seed``.

    Raises
    ------
    InputError
        ``observed`` empty, not 1-D, longer than the horizon or holding NaN; ``priors`` not
        naming exactly the emulator's inputs, or with a non-positive median or sigma.

    Examples
    --------
    >>> theta = sample_priors(TOY_PRIORS, 20, seed=1)
    >>> emulator = Emulator(n_restarts=0).fit(theta, toy_recovery(theta, days=10))
    >>> priors = dict(zip(emulator.names_, TOY_PRIORS.values()))
    >>> calibrate(emulator, np.ones(12), priors)  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    workbench.errors.InputError: observed has 12 days but the emulator's horizon is 10 days; ...
    """
    import pymc as pm   # heavy: imported when a model is built, not with the package
    import pytensor.tensor as pt

    check_is_fitted(emulator, "gps_")   # NotFittedError: call fit / fit_emulator first
    horizon = len(emulator.time_)
    values = _check_observed(observed, horizon)
    priors = _check_priors(priors, emulator.names_)
    if not (math.isfinite(noise_scale) and noise_scale > 0):
        raise InputError(f"noise_scale must be positive, got {noise_scale}.")
    k = values.size
    medians = np.array([priors[n][0] for n in emulator.names_])
    sigmas = np.array([priors[n][1] for n in emulator.names_])
    coords = {PARAMETER: emulator.names_, TIME: emulator.time_[:k],
              PC: np.arange(len(emulator.gps_))}
    with pm.Model(coords=coords):
        # observed as data, not a constant: repeated calibrations share one compiled graph
        data = pm.Data("curve_data", values, dims=TIME)
        log_theta = pm.Normal("log_theta", mu=np.log(medians), sigma=sigmas, dims=PARAMETER)
        pm.Deterministic("theta", pt.exp(log_theta), dims=PARAMETER)
        sigma = pm.HalfNormal("sigma", sigma=noise_scale)
        mean, score_var = emulator.predict_symbolic(log_theta)
        error = pm.Normal("emulator_error", 0.0, 1.0, dims=PC)
        curve = mean + pt.dot(pt.sqrt(score_var) * error, emulator.components_)
        pm.Normal("curve", mu=curve[:k], sigma=pt.sqrt(sigma**2 + emulator.truncation_var_[:k]),
                  observed=data, dims=TIME)
        idata = pm.sample(draws=draws, tune=tune, chains=chains, cores=1, random_seed=seed,
                          progressbar=False, compute_convergence_checks=False,
                          target_accept=0.9, init="adapt_diag",
                          initvals=_initvals(medians, sigmas, noise_scale, chains, seed))
    idata.posterior.attrs["random_seed"] = int(seed)
    theta = idata.posterior["theta"].stack(sample=("chain", "draw")).transpose("sample", ...)
    errors = idata.posterior["emulator_error"].stack(sample=("chain", "draw"))
    curves = emulator.sample(theta.values, rng=np.random.default_rng(seed),
                             errors=errors.transpose("sample", ...).values)
    n_chains, n_draws = idata.posterior.sizes["chain"], idata.posterior.sizes["draw"]
    predictive = xr.DataArray(curves.reshape(n_chains, n_draws, horizon),
                              dims=("chain", "draw", TIME),
                              coords={"chain": idata.posterior["chain"].values,
                                      "draw": idata.posterior["draw"].values,
                                      TIME: emulator.time_})
    idata.add_groups(posterior_predictive=xr.Dataset({"curve": predictive}))
    q = predictive.quantile([0.05, 0.95], dim=("chain", "draw"))
    forecast = xr.Dataset(
        {"mean": predictive.mean(("chain", "draw")), "lo": q.isel(quantile=0, drop=True),
         "hi": q.isel(quantile=1, drop=True)},
        attrs={"observed_days": k, "interval": "90 % equal-tailed", "random_seed": int(seed)})
    return idata, forecast
