"""The emulator of the recovery simulator: PCA of the ensemble's curves and a Gaussian process
per score, with its error (what :mod:`.calibrate` updates the inputs through).

Emulator (:class:`Emulator`, :func:`fit_emulator`)
--------------------------------------------------
1. Inputs: ``x = (log θ − mean) / sd`` over the members (the priors are lognormal, so log θ is
   where they are Gaussian).
2. Outputs: the curves (member × day) are centred and reduced by PCA (SVD); the fewest
   components explaining at least ``variance_kept`` (99 %) of the variance are kept (5–6 of 39
   members on the demo; with 99.99 %, the default before, 33: all but the first few were
   member-to-member noise that a GP then interpolated as if it were signal).
3. The **truncation residual** is measured out of sample: each member's residual after
   projecting it on the components of the other folds' members (``RESIDUAL_FOLDS`` = 10
   folds; ``residual_``). The in-sample residual is smaller (a member's own noise is partly
   in the components fitted to it) and spans only n − 1 − c directions. Its covariance over
   days, ``R``, is the residuals' second moment shrunk towards its diagonal by the
   Ledoit–Wolf weight (``shrinkage_``; 0.23–0.32 on the demo): the residual is a whole-curve
   error, correlated from day to day, not independent noise per day.
4. Each standardised component score is a linear trend in ``x`` (least squares, ``trend_``)
   plus a Gaussian process of the rest (scikit-learn ``GaussianProcessRegressor``, kernel
   ``C · RBF(ARD length scales ≥ MIN_LENGTH_SCALE) + White ≤ 1``, seeded optimiser
   restarts). The trend is how the emulator extrapolates: a zero-mean GP reverts to the
   ensemble's mean curve away from the members, and on the demo's SC functionality that made
   a second, spurious mode in the prior's tail (one chain at +2.9 prior sd of the fragility
   scale, the other at the truth: R-hat 1.8; with the trend, 1.007). The trend's own
   uncertainty is left out (plug-in, as in the GP's hyperparameters): adding it by the
   ordinary-least-squares formula widened the toy's intervals to 96–100 % coverage. The
   length-scale floor (0.25 prior sd) keeps a GP from fitting a wiggle finer than the
   members' spacing — with the floor at 0.01 it did, with a nugget of 1e-6, and the
   likelihood had several modes (chains disagreeing, R-hat 1.7); the nugget may now reach the
   whole score variance, so a component that is noise is said to be noise.
5. The GP posterior mean *and variance* at ``x`` are written again in pytensor
   (:meth:`Emulator.predict_symbolic`, same numbers as ``predict``: tested) and in numpy with
   their derivatives (``_CollapsedLikelihood``), which is what the sampler calls.

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

from ..core.dims import MEMBER, TIME
from ..core.errors import InputError

__all__ = ["Emulator", "fit_emulator", "sample_priors", "check_priors", "as_theta", "as_curves",
           "toy_recovery", "TOY_PRIORS", "PC", "MIN_MEMBERS", "NUGGET_FLOOR", "MIN_LENGTH_SCALE",
           "RESIDUAL_FOLDS"]

logger = logging.getLogger(__name__)

#: Dim of the emulator's principal components (not ``component``: that is a network part).
PC = "pc"
#: Fewest members an emulator is fitted on.
MIN_MEMBERS = 10
#: Smallest GP nugget (white-noise variance of a standardised score): keeps the training
#: covariance well conditioned and the emulator's stated error honest near training points.
NUGGET_FLOOR = 1e-6
#: Shortest GP length scale, in prior standard deviations of log θ (the inputs are
#: standardised): a wiggle shorter than the spacing of the members cannot be learned from them,
#: and fitted it turns a score's member-to-member noise into a many-moded likelihood.
MIN_LENGTH_SCALE = 0.25
#: Folds of the cross-validated PCA residual (at most; one member per fold below that).
RESIDUAL_FOLDS = 10
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


def check_priors(priors, names=None) -> dict:
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
    priors = check_priors(priors)
    rng = np.random.default_rng(seed)
    medians, sigmas = (np.array(v) for v in zip(*priors.values()))
    return medians * np.exp(sigmas * rng.standard_normal((n, len(priors))))


def as_theta(theta, names=None) -> tuple[list, np.ndarray]:
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


def as_curves(curves) -> tuple[np.ndarray, np.ndarray]:
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
    ``score_scale_`` (c,), ``trend_`` (c, 1 + k: intercept and slopes of each standardised
    score in ``x``), ``gps_`` (c regressors fitted to the rest), ``residual_`` (n, T: each member's
    cross-validated PCA truncation residual), ``truncation_var_`` (T,: its mean square per day)
    and ``shrinkage_`` (Ledoit–Wolf weight of the residual's per-day variance against its
    day-to-day correlation).

    Parameters
    ----------
    variance_kept : float
        Share of the curves' variance the kept PCA components explain (at least).
    n_restarts : int
        Optimiser restarts per GP (``n_restarts_optimizer``).
    random_state : int
        Seed of the restarts.
    """

    def __init__(self, *, variance_kept: float = 0.99, n_restarts: int = 2,
                 random_state: int = 0):
        self.variance_kept = variance_kept
        self.n_restarts = n_restarts
        self.random_state = random_state

    def fit(self, theta, curves) -> Emulator:
        """Fit on ``theta`` (n, k) [positive] and ``curves`` (n, T); returns ``self``."""
        if not 0.0 < self.variance_kept <= 1.0:
            raise InputError(f"variance_kept must lie in (0, 1], got {self.variance_kept}.")
        names, values = as_theta(theta)
        y, time = as_curves(curves)
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
        self.residual_ = _cv_residuals(y, len(self.components_))
        self.truncation_var_ = (self.residual_**2).mean(axis=0)
        self.shrinkage_ = _shrinkage(self.residual_, self.truncation_var_)
        self.score_scale_ = scores.std(axis=0)
        kernel = (ConstantKernel(1.0, (1e-3, 1e3))
                  * RBF(np.ones(x.shape[1]), (MIN_LENGTH_SCALE, 1e3))
                  + WhiteKernel(1e-4, (NUGGET_FLOOR, 1.0)))
        self.gps_ = []
        with threadpool_limits(1, user_api="blas"):
            self._fit_gps(x, scores, kernel)
        return self

    def _fit_gps(self, x: np.ndarray, scores: np.ndarray, kernel) -> None:
        # called with BLAS on one thread: on matrices this small, a second thread only waits,
        # and on a shared machine the waiting took a fit from 5 s to 70 s (measured)
        design = np.column_stack([np.ones(len(x)), x])                 # H = [1, x]
        standard = scores / self.score_scale_
        self.trend_ = np.linalg.lstsq(design, standard, rcond=None)[0].T      # (c, 1 + d)
        rest = standard - design @ self.trend_.T
        for j in range(scores.shape[1]):
            gp = GaussianProcessRegressor(kernel, n_restarts_optimizer=self.n_restarts,
                                          random_state=self.random_state)
            with warnings.catch_warnings(record=True) as caught:
                # a length scale at its upper bound means the score ignores that input, a
                # noise level at its lower bound that the simulator is deterministic: both are
                # expected, so they are logged rather than shown
                warnings.simplefilter("always", ConvergenceWarning)
                gp.fit(x, rest[:, j])
            for w in caught:
                if issubclass(w.category, ConvergenceWarning):
                    logger.debug("component %d: %s", j, w.message)
                else:
                    warnings.warn_explicit(w.message, w.category, w.filename, w.lineno)
            self.gps_.append(gp)

    def _x(self, theta) -> np.ndarray:
        _, values = as_theta(theta, self.names_)
        return (np.log(values) - self.x_mean_) / self.x_scale_

    def _scores(self, theta) -> tuple[np.ndarray, np.ndarray]:
        x = self._x(theta)
        with threadpool_limits(1, user_api="blas"):
            out = [gp.predict(x, return_std=True) for gp in self.gps_]
        design = np.column_stack([np.ones(len(x)), x])
        mean = (np.column_stack([m for m, _ in out]) + design @ self.trend_.T) \
            * self.score_scale_
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

    def residual_cov(self, days_a, days_b=None) -> np.ndarray:
        """Covariance of the truncation residual between the days ``days_a`` and ``days_b``
        (index arrays or slices into ``time_``; ``days_b`` defaults to ``days_a``): the
        residuals' second moment, shrunk towards its diagonal by ``shrinkage_``."""
        check_is_fitted(self, "residual_")
        index = np.arange(len(self.time_))
        a = index[days_a]
        b = a if days_b is None else index[days_b]
        moment = self.residual_[:, a].T @ self.residual_[:, b] / len(self.residual_)
        same = a[:, None] == b[None, :]
        return ((1.0 - self.shrinkage_) * moment
                + self.shrinkage_ * same * self.truncation_var_[a][:, None])

    def residual_draws(self, n: int, rng: np.random.Generator) -> np.ndarray:
        """``n`` draws (n, T) of the truncation residual, with the covariance
        :meth:`residual_cov` (a combination of the members' residuals plus an independent
        part per day: no T × T factorisation)."""
        check_is_fitted(self, "residual_")
        members = len(self.residual_)
        mixed = rng.standard_normal((n, members)) @ self.residual_ / math.sqrt(members)
        own = rng.standard_normal((n, len(self.time_))) * np.sqrt(self.truncation_var_)
        return math.sqrt(1.0 - self.shrinkage_) * mixed + math.sqrt(self.shrinkage_) * own

    def sample(self, theta, *, rng: np.random.Generator, errors=None) -> np.ndarray:
        """One curve (n, T) per row of ``theta``, drawn with the emulator's error: each component
        score is ``mean + sd · e`` (coherent over days; ``errors`` e (n, c) given, or standard
        normal draws), plus a truncation residual (:meth:`residual_draws`, correlated over
        days)."""
        mean, var = self._scores(theta)
        e = rng.standard_normal(mean.shape) if errors is None else np.asarray(errors, float)
        scores = mean + np.sqrt(var) * e
        return (self.curve_mean_ + scores @ self.components_
                + self.residual_draws(mean.shape[0], rng))

    def predict_symbolic(self, log_theta, days: int | None = None):
        """pytensor (mean of the curve (T,), variances of the component scores (c,)) at the
        symbolic vector ``log_theta`` (k,), in the order of ``names_``; the same numbers as
        :meth:`predict` (the GP predictive equations, written out). ``days``: the mean on the
        first ``days`` days only (what a likelihood of observed days needs)."""
        import pytensor.tensor as pt   # heavy: only when a model is built

        days = len(self.time_) if days is None else int(days)
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
        design = pt.concatenate([pt.ones((1,)), x])
        scores = (pt.sum(cross * alpha, axis=1) + pt.dot(self.trend_, design)) \
            * self.score_scale_
        projected = pt.matmul(l_inv, cross[:, :, None])[:, :, 0]
        variances = pt.maximum(amplitude + noise - pt.sum(projected**2, axis=1), noise)
        return (self.curve_mean_[:days] + pt.dot(scores, self.components_[:, :days]),
                variances * self.score_scale_**2)


def _cv_residuals(y: np.ndarray, n_kept: int) -> np.ndarray:
    """Each member's residual (n, T) after projecting it on the first ``n_kept`` principal
    components of the *other* folds' members (their mean removed): the truncation error of a
    member the PCA did not see, as the observed city is. The in-sample residual is smaller (a
    member's own noise is partly in the components fitted to it) and has rank n − 1 − c, fewer
    directions than a new curve can take."""
    n = len(y)
    folds = np.arange(n) % min(n, RESIDUAL_FOLDS)
    out = np.empty_like(y)
    for fold in np.unique(folds):
        test, train = folds == fold, folds != fold
        mean = y[train].mean(axis=0)
        rows = np.linalg.svd(y[train] - mean, full_matrices=False)[2][:n_kept]
        centred = y[test] - mean
        out[test] = centred - (centred @ rows.T) @ rows
    return out


def _shrinkage(residual: np.ndarray, var: np.ndarray) -> float:
    """Ledoit–Wolf weight of the diagonal target for the residuals' day-to-day correlation
    (the days whose residual is not always zero), 1 when fewer than two such days."""
    from sklearn.covariance import ledoit_wolf_shrinkage

    live = var > 1e-12 * max(float(var.max()), 1e-300)
    if live.sum() < 2:
        return 1.0
    standard = residual[:, live] / np.sqrt(var[live])
    return float(np.clip(ledoit_wolf_shrinkage(standard, assume_centered=True), 0.0, 1.0))


def fit_emulator(theta, curves, *, seed: int = 0, variance_kept: float = 0.99) -> Emulator:
    """Fit an :class:`Emulator` of ``curves`` (member × day) on the inputs ``theta``.

    ``theta``: (n, k) positive array, or a dict / DataFrame / xr.Dataset of the inputs on
    ``member`` (names kept for the priors of :func:`calibrate`; a bare array names them
    ``theta_0``, ...). ``curves``: (n, T) array or DataArray on (``member``, ``time``).

    Examples
    --------
    >>> fit_emulator(np.ones((3, 2)), np.zeros((4, 5)))  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    workbench.core.errors.InputError: theta has 3 members and curves 4; they must be the same ...
    """
    return Emulator(variance_kept=variance_kept, random_state=seed).fit(theta, curves)
