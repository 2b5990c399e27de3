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

The emulator (:class:`~workbench.uncertainty.emulator.Emulator`, :func:`~workbench.uncertainty.emulator.fit_emulator`) lives in :mod:`.emulator`, with its method.

Calibration model (:func:`calibrate`)
-------------------------------------
``log θ_i ~ Normal(log median_i, sigma_i)`` (the ensemble's lognormal priors), observation noise
``σ ~ HalfNormal(noise_scale)``, and on the observed days ``t < k``

    ``y = m(θ) + Σ_j s_j(θ) e_j W_j + δ + ε``,  ``e_j ~ N(0, 1)``, ``δ ~ N(0, R)``,
    ``ε ~ N(0, (σ² + NOISE_FLOOR²) I)``,

with ``m(θ)`` the emulated curve, ``s_j²(θ)`` the GP variance of component ``j``'s score,
``W`` the PCA loadings and ``R`` the truncation covariance (step 3). Both the emulator's errors
``e`` and the residual ``δ`` are integrated out: ``y ~ MvNormal(m, σ² I + R + Wᵀ diag(s²) W)``,
evaluated by the Woodbury identity in the eigenbasis of ``R`` (a c × c Cholesky factor per
evaluation, c ≤ 6 on the demo) with its gradient in closed form, as one pytensor op. NUTS
samples only ``(log θ, σ)`` — 5 dimensions on the demo instead of 38 — with a dense mass
matrix started at the Laplace approximation (``_laplace``) and chains started spread over it
(``_initvals``). After sampling, each draw's ``e`` is drawn from its Gaussian conditional
``e | y, θ, σ`` (exact: together they are draws of the joint posterior, stored as
``emulator_error``).

Why this and not the model before: the emulator's error was already in the likelihood, but
with 33 components (mostly noise, each GP sure of itself at its training points through a
nugget of 1e-6), the truncation residual taken *in sample* and as independent per day, and the
``e`` sampled as 33 parameters tied to ``θ`` by a ridge (the data fix ``m_j(θ) + s_j(θ) e_j``,
not either term), NUTS hit its maximum tree depth at a step of 5e-4 (R-hat 2.2, ESS 3, 124
divergences on the demo) and the chains got stuck: the 90 % band covered 15 % of the held-back
member's unobserved days. Now R-hat ≤ 1.03 with no divergence, and over 36 held-back members
of 4 demo ensembles (``benchmarks/bench_stage05.py --coverage``) the band covers 84 % of their
unobserved days on average (median 99 %), the 90 % intervals of θ 85 %: still a little
overconfident, lowest for members whose repair-time scale lies 2–3 prior sd out, which the
first 60 days barely show.

An input the curve does not depend on keeps its prior: EP per m² (``ep_unit_scale``) scales
both the EP a building produces and what it would produce undamaged, so it cancels from the EP
functionality curve; its GP length scales go to their upper bound, its posterior sd is the
prior's (``uncertainty.json`` reports the ratio, ``diagnostics.posterior_sd_over_prior_sd``)
and its 90 % interval misses the truth exactly when the prior's does (a truth beyond ±1.645
prior sd), which is no failure of the calibration.

The forecast evaluates, for each posterior draw of ``(θ, e, σ)``, the emulated curve over the
whole horizon plus a truncation residual drawn *given* what the observed days showed
(Matheron's rule, ``_forecast_draws``): the band is for the simulator's curve, without the
measurement noise ``σ`` of the observations.

Validation
----------
* ``tests/test_calibrate.py``: the emulator reproduces held-out members of the toy simulator
  (:func:`toy_recovery`), its stated error covers its real error, and it agrees with its
  pytensor form; the collapsed likelihood equals scipy's MvNormal on the full covariance and
  its gradient a finite difference; a held-back member's θ lies in the 90 % intervals and the
  band covers its unobserved days, also when members are noisy as the demo's are; the same
  seed gives identical numbers.
* ``benchmarks/bench_sbc.py``: simulation-based calibration (Talts et al. 2018) on the toy
  simulator, data from the simulator itself (so the emulator's error is in the check): see its
  docstring for the figures (about 90 % coverage of the 90 % intervals, uniform ranks).
* ``benchmarks/bench_stage05.py``: stage 05 on the demo, the time of each part and the
  diagnostics.

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

import numpy as np
import xarray as xr
from scipy.linalg import solve_triangular
from scipy.optimize import minimize
from sklearn.utils.validation import check_is_fitted
from threadpoolctl import threadpool_limits

from ..core.dims import TIME
from ..core.errors import InputError
from .emulator import PC, Emulator, check_priors

__all__ = ["calibrate", "convergence", "PARAMETER", "NOISE_FLOOR"]

logger = logging.getLogger(__name__)

#: Dim of the uncertain inputs in the posterior.
PARAMETER = "parameter"
#: Smallest standard deviation of a day's misfit in the likelihood (curve units): keeps the
#: posterior of σ proper where the ensemble's curves agree exactly on some direction.
NOISE_FLOOR = 1e-4
_LOG_2PI = math.log(2.0 * math.pi)

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


def _laplace(likelihood, observed, medians, sigmas, noise_scale: float):
    """Mode and covariance of the posterior in the sampler's coordinates ``(log θ, log σ)``
    (L-BFGS on the analytic gradient; the Hessian by central differences of it): the start of
    the chains and of NUTS's dense mass matrix, so that even a short tuning (the tests' 50
    steps, before the first mass-matrix update at 101) samples a narrow, correlated posterior
    with short trajectories. Falls back to the prior's scales where the curvature is not
    positive definite."""

    log_medians = np.log(medians)

    def negative(u):
        log_theta, log_sigma = u[:-1], u[-1]
        sigma = math.exp(log_sigma)
        value, d_theta, d_sigma = likelihood.value_and_grad(observed, log_theta, sigma)
        value += (-0.5 * np.sum(((log_theta - log_medians) / sigmas) ** 2)
                  - 0.5 * (sigma / noise_scale) ** 2 + log_sigma)      # priors, log-Jacobian
        grad = np.append(d_theta - (log_theta - log_medians) / sigmas**2,
                         (d_sigma - sigma / noise_scale**2) * sigma + 1.0)
        return -value, -grad

    start = np.append(log_medians, math.log(noise_scale))
    with np.errstate(all="ignore"):
        mode = minimize(negative, start, jac=True, method="L-BFGS-B",
                        bounds=[(m - 6 * s, m + 6 * s) for m, s in zip(log_medians, sigmas)]
                        + [(math.log(NOISE_FLOOR) - 10.0, math.log(noise_scale) + 3.0)],
                        options={"maxiter": 500}).x
        step = 1e-4
        hessian = np.array([(negative(mode + step * unit)[1] - negative(mode - step * unit)[1])
                            / (2 * step) for unit in np.eye(len(mode))])
    hessian = 0.5 * (hessian + hessian.T)
    fallback = np.diag(np.append(sigmas, 1.0) ** 2)
    try:
        cov = np.linalg.inv(hessian)
        np.linalg.cholesky(cov)
        if not np.isfinite(cov).all():
            raise np.linalg.LinAlgError("not finite")
    except np.linalg.LinAlgError:
        cov = fallback
    return mode, cov


def _initvals(mode, cov, chains: int, seed: int) -> list[dict]:
    """One start per chain, spread over the Laplace approximation (``mode + L u``,
    ``u ~ U(−1, 1)``, ``L Lᵀ = cov``): dispersed, so R-hat compares chains that started apart,
    but not in the prior's tails, where the emulator extrapolates and the likelihood is so
    steep that step-size adaptation can collapse (seen: step 1e-11 with PyMC's default jitter
    of ±1 in log θ, 3–5 prior sd here)."""
    rng = np.random.default_rng([seed, 1])
    factor = np.linalg.cholesky(cov)
    starts = [mode + factor @ rng.uniform(-1.0, 1.0, len(mode)) for _ in range(chains)]
    return [{"log_theta": u[:-1], "sigma": float(np.exp(u[-1]))} for u in starts]


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
        ``posterior``: ``log_theta`` and ``theta`` on ``parameter``, ``sigma`` (sampled by
        NUTS), ``emulator_error`` on ``pc`` (drawn from its Gaussian conditional given each
        draw), attrs ``random_seed`` and the diagnostics of :func:`convergence`;
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
    >>> from workbench.uncertainty.emulator import TOY_PRIORS, sample_priors, toy_recovery
    >>> theta = sample_priors(TOY_PRIORS, 20, seed=1)
    >>> emulator = Emulator(n_restarts=0).fit(theta, toy_recovery(theta, days=10))
    >>> priors = dict(zip(emulator.names_, TOY_PRIORS.values()))
    >>> calibrate(emulator, np.ones(12), priors)  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    workbench.core.errors.InputError: observed has 12 days but the emulator's horizon is 10 days; ...
    """
    import pymc as pm   # heavy: imported when a model is built, not with the package
    import pytensor.tensor as pt
    from pymc.step_methods.hmc.quadpotential import QuadPotentialFullAdapt

    check_is_fitted(emulator, "gps_")   # NotFittedError: call fit / fit_emulator first
    horizon = len(emulator.time_)
    values = _check_observed(observed, horizon)
    priors = check_priors(priors, emulator.names_)
    if not (math.isfinite(noise_scale) and noise_scale > 0):
        raise InputError(f"noise_scale must be positive, got {noise_scale}.")
    k = values.size
    medians = np.array([priors[n][0] for n in emulator.names_])
    sigmas = np.array([priors[n][1] for n in emulator.names_])
    likelihood = _CollapsedLikelihood(emulator, k)
    coords = {PARAMETER: emulator.names_, TIME: emulator.time_[:k],
              PC: np.arange(len(emulator.gps_))}
    with pm.Model(coords=coords):
        data = pm.Data("curve_data", values, dims=TIME)
        log_theta = pm.Normal("log_theta", mu=np.log(medians), sigma=sigmas, dims=PARAMETER)
        pm.Deterministic("theta", pt.exp(log_theta), dims=PARAMETER)
        sigma = pm.HalfNormal("sigma", sigma=noise_scale)
        # the likelihood of the observed days (a Potential: the density is one op, with no
        # random draw to offer; the data go to observed_data below)
        pm.Potential("curve_loglik", likelihood.logp(data, log_theta, sigma))
        # BLAS on one thread: the matrices are tiny, and a second thread only waits
        with threadpool_limits(1, user_api="blas"), warnings.catch_warnings():
            mode, cov = _laplace(likelihood, values, medians, sigmas, noise_scale)
            # a dense mass matrix, started at the Laplace covariance: the inputs' posterior is
            # correlated (repair effort and crew productivity both scale repair time); PyMC
            # calls its adaptation "experimental"
            warnings.filterwarnings("ignore", "QuadPotentialFullAdapt", UserWarning)
            potential = QuadPotentialFullAdapt(len(mode), mode, cov, initial_weight=10)
            step = pm.NUTS(potential=potential, target_accept=0.9)
            idata = pm.sample(draws=draws, tune=tune, chains=chains, cores=1, step=step,
                              random_seed=seed, progressbar=False,
                              compute_convergence_checks=False,
                              initvals=_initvals(mode, cov, chains, seed))
    eigval, eigvec, loadings = likelihood.eigval, likelihood.eigvec, likelihood.loadings
    idata.add_groups(observed_data=xr.Dataset(
        {"curve": xr.DataArray(values, dims=TIME, coords={TIME: emulator.time_[:k]})}))
    rng = np.random.default_rng(seed)
    idata.posterior["emulator_error"] = _error_draws(emulator, idata.posterior, values, eigval,
                                                     eigvec, loadings, rng)
    idata.posterior.attrs["random_seed"] = int(seed)
    diagnostics = convergence(idata, ["log_theta", "sigma"])
    idata.posterior.attrs.update({k: v for k, v in diagnostics.items() if v is not None})
    predictive = _forecast_draws(emulator, idata.posterior, values, eigval, eigvec, rng)
    idata.add_groups(posterior_predictive=xr.Dataset({"curve": predictive}))
    q = predictive.quantile([0.05, 0.95], dim=("chain", "draw"))
    forecast = xr.Dataset(
        {"mean": predictive.mean(("chain", "draw")), "lo": q.isel(quantile=0, drop=True),
         "hi": q.isel(quantile=1, drop=True)},
        attrs={"observed_days": k, "interval": "90 % equal-tailed", "random_seed": int(seed)})
    return idata, forecast


class _CollapsedLikelihood:
    """``log p(y | log θ, σ)`` of :func:`calibrate` on the first ``k`` days, with the emulator's
    errors integrated out, and its gradient, in numpy: one pytensor op (:meth:`logp`) per
    evaluation. The same density as a pytensor graph (Cholesky, triangular solve and their
    gradients, which pytensor runs as Python ops when it finds no BLAS, as here) cost 0.6–1.5 ms
    per log-density-and-gradient on the demo; this op costs about 0.1 ms, and the model
    compiles in 0.2 s instead of 1.8 s (measured on the demo, 2 shared cores).

    The GP predictive mean and variance of each component score at ``x`` and their
    derivatives are sklearn's equations (``k*ᵀ α``; ``c + w − k*ᵀ K⁻¹ k*``, floored at the
    nugget ``w``); the Gaussian part is :func:`_collapsed`'s, differentiated in closed form:
    with ``α̃ = Σ⁻¹ z`` (eigenbasis), ``∂/∂m = V α̃``, ``∂/∂s_j² = ½ ((Ãᵀ α̃)_j² −
    (I − M⁻¹)_jj) / s_j²`` and ``∂/∂σ² = ½ (|α̃|² − tr Σ⁻¹)``. Tested against a finite
    difference and against scipy's ``multivariate_normal`` on the full covariance.
    """

    def __init__(self, emulator: Emulator, k: int):
        gps = emulator.gps_
        self.k = k
        self.train = gps[0].X_train_                                    # (n, d)
        self.amplitude = np.array([gp.kernel_.k1.k1.constant_value for gp in gps])
        self.inv_length2 = np.array([np.broadcast_to(gp.kernel_.k1.k2.length_scale,
                                                     self.train.shape[1:]) ** -2.0
                                     for gp in gps])                    # (c, d)
        self.noise = np.array([gp.kernel_.k2.noise_level for gp in gps])
        self.alpha = np.array([gp.alpha_ for gp in gps]).T              # (n, c)
        # L⁻¹ of each training covariance: |L⁻¹ k*|² is sklearn's form of k*ᵀ K⁻¹ k*, better
        # conditioned than an explicit K⁻¹ (the variance is a small difference of large terms)
        eye = np.eye(len(self.train))
        self.l_inv = np.array([solve_triangular(gp.L_, eye, lower=True) for gp in gps])
        self.x_mean, self.x_scale = emulator.x_mean_, emulator.x_scale_
        self.score_scale = emulator.score_scale_
        self.trend = emulator.trend_
        self.weights = emulator.components_[:, :k]                      # W, (c, k)
        self.curve_mean = emulator.curve_mean_[:k]
        eigval, self.eigvec = np.linalg.eigh(emulator.residual_cov(slice(0, k)))
        self.eigval = np.maximum(eigval, 0.0) + NOISE_FLOOR**2
        self.loadings = self.eigvec.T @ self.weights.T                  # Vᵀ Wᵀ, (k, c)
        self.eye = np.eye(len(gps))
        self._op = None

    def scores(self, log_theta: np.ndarray):
        """GP mean and variance of the scores (c,) at ``log_theta`` (d,) and their
        derivatives (c, d) with respect to it."""
        x = (log_theta - self.x_mean) / self.x_scale
        diff = x - self.train                                           # (n, d)
        cross = self.amplitude * np.exp(-0.5 * (diff**2) @ self.inv_length2.T)   # (n, c)
        d_cross = -cross[:, :, None] * diff[:, None, :] * self.inv_length2        # (n, c, d)
        half = (self.l_inv @ cross.T[:, :, None])[:, :, 0]               # L⁻¹ k*, (c, n)
        var = self.amplitude + self.noise - (half * half).sum(axis=1)
        solved = (np.swapaxes(self.l_inv, 1, 2) @ half[:, :, None])[:, :, 0].T   # K⁻¹ k*
        d_var = -2.0 * np.einsum("nc,ncd->cd", solved, d_cross)
        floored = var < self.noise
        var, d_var[floored] = np.where(floored, self.noise, var), 0.0
        design = np.append(1.0, x)                                      # h = [1, x]
        to_log = self.score_scale[:, None] / self.x_scale              # d/dx → d/d log θ
        mean = ((cross * self.alpha).sum(axis=0) + self.trend @ design) * self.score_scale
        d_mean = (np.einsum("nc,ncd->cd", self.alpha, d_cross) + self.trend[:, 1:]) * to_log
        return (mean, var * self.score_scale**2, d_mean,
                d_var * self.score_scale[:, None] * to_log)

    def value_and_grad(self, observed, log_theta, sigma):
        """``(log p, ∂/∂ log θ, ∂/∂σ)`` at one point."""
        mean, var, d_mean, d_var = self.scores(np.asarray(log_theta, dtype=float))
        sigma = float(sigma)
        z = (observed - self.curve_mean) @ self.eigvec - mean @ self.loadings.T
        total = self.eigval + sigma**2
        scaled = self.loadings * np.sqrt(var)                           # Ã, (k, c)
        weighted = scaled / total[:, None]
        factor = np.linalg.cholesky(self.eye + scaled.T @ weighted)    # M = L Lᵀ
        half_inv = np.linalg.inv(factor)
        m_inv = half_inv.T @ half_inv                                   # M⁻¹
        rhs = weighted.T @ z
        solved = m_inv @ rhs
        logp = -0.5 * (self.k * _LOG_2PI + np.log(total).sum()
                       + 2.0 * np.log(factor.diagonal()).sum() + (z * z / total).sum()
                       - rhs @ solved)
        resid = z / total - weighted @ solved                           # α̃ = Σ⁻¹ z
        d_score = self.loadings.T @ resid                               # W V α̃ = ∂/∂scores
        d_score_var = 0.5 * ((scaled.T @ resid) ** 2 - (1.0 - m_inv.diagonal())) / var
        trace = (1.0 / total).sum() - (m_inv * (weighted.T @ weighted)).sum()
        d_sigma = sigma * (resid @ resid - trace)                       # 2σ · ∂/∂σ²
        return logp, d_score @ d_mean + d_score_var @ d_var, d_sigma

    def logp(self, value, log_theta, sigma):
        """The log density as a pytensor variable (the model's ``Potential``)."""
        if self._op is None:
            self._op = _likelihood_op(self)
        return self._op(value, log_theta, sigma)[0]


def _likelihood_op(likelihood: _CollapsedLikelihood):
    """A pytensor op of ``likelihood.value_and_grad``: outputs (log p, ∂/∂ log θ, ∂/∂σ); its
    gradient reuses the last two outputs, so a logp-and-gradient call runs it once."""
    import pytensor.tensor as pt
    from pytensor.gradient import grad_undefined
    from pytensor.graph.basic import Apply
    from pytensor.graph.op import Op

    class CollapsedLogp(Op):   # compared by identity: each calibration has its own
        def make_node(self, value, log_theta, sigma):
            inputs = [pt.as_tensor_variable(value, dtype="float64"),
                      pt.as_tensor_variable(log_theta, dtype="float64"),
                      pt.as_tensor_variable(sigma, dtype="float64")]
            return Apply(self, inputs, [pt.dscalar(), pt.dvector(), pt.dscalar()])

        def perform(self, node, inputs, outputs):
            logp, d_theta, d_sigma = likelihood.value_and_grad(*inputs)
            outputs[0][0] = np.asarray(logp, dtype=float)
            outputs[1][0] = np.asarray(d_theta, dtype=float)
            outputs[2][0] = np.asarray(d_sigma, dtype=float)

        def grad(self, inputs, output_grads):
            _, d_theta, d_sigma = self(*inputs)
            g = output_grads[0]
            return [grad_undefined(self, 0, inputs[0], "the observed curve is data"),
                    g * d_theta, g * d_sigma]

    return CollapsedLogp()


def _collapsed(misfit, score_var, sigma, eigval, eigvec, loadings):
    """The emulator's errors ``e`` integrated out, per draw (leading axis), in the eigenbasis
    ``V`` of the truncation covariance on the observed days (``R + σ² I = V diag(var) Vᵀ``,
    ``var = λ + σ²``): with ``z = Vᵀ (y − m)``, ``Ã = Vᵀ Wᵀ diag(s)`` and
    ``M = I + Ãᵀ diag(1/var) Ã = L Lᵀ``, returns ``(L, b = Ãᵀ (z / var))``. Then (Woodbury)
    ``log N(y; m, σ² I + R + Wᵀ diag(s²) W) = −½ (k log 2π + Σ log var + log |M| + Σ z² / var
    − |L⁻¹ b|²)`` — the likelihood of :func:`calibrate`, :class:`_CollapsedLikelihood` — and
    ``e | y, θ, σ ~ N(M⁻¹ b, M⁻¹)``."""
    z = misfit @ eigvec
    var = eigval + sigma[:, None] ** 2
    scaled = loadings * np.sqrt(score_var)[:, None, :]
    gram = np.swapaxes(scaled, 1, 2) @ (scaled / var[:, :, None])
    factor = np.linalg.cholesky(gram + np.eye(loadings.shape[1]))
    return factor, np.einsum("skc,sk->sc", scaled, z / var)


def _error_draws(emulator, posterior, observed, eigval, eigvec, loadings, rng) -> xr.DataArray:
    """One draw of the emulator's errors ``e`` (chain, draw, pc) per posterior draw of
    ``(θ, σ)``, from their Gaussian conditional ``N(M⁻¹ b, M⁻¹)`` (:func:`_collapsed`): with
    the sampled ``(θ, σ)`` these are draws of the joint posterior."""
    stacked = posterior.stack(sample=("chain", "draw"))
    theta = stacked["theta"].transpose("sample", ...).values
    sigma = stacked["sigma"].values
    k = observed.size
    mean, var = emulator._scores(theta)
    misfit = observed - (emulator.curve_mean_[:k] + mean @ emulator.components_[:, :k])
    factor, rhs = _collapsed(misfit, var, sigma, eigval, eigvec, loadings)
    # M⁻¹ b + L⁻ᵀ ξ, with M = L Lᵀ
    half = np.linalg.solve(factor, rhs[..., None])
    noise = rng.standard_normal(rhs.shape)[..., None]
    errors = np.linalg.solve(np.swapaxes(factor, -1, -2), half + noise)[..., 0]
    n_chains, n_draws = posterior.sizes["chain"], posterior.sizes["draw"]
    return xr.DataArray(errors.reshape(n_chains, n_draws, -1), dims=("chain", "draw", PC),
                        coords={"chain": posterior["chain"].values,
                                "draw": posterior["draw"].values,
                                PC: np.arange(errors.shape[-1])})


def _forecast_draws(emulator: Emulator, posterior: xr.Dataset, observed: np.ndarray,
                    eigval: np.ndarray, eigvec: np.ndarray, rng) -> xr.DataArray:
    """The simulator's curve over the horizon for each posterior draw of ``(θ, e, σ)``: the
    emulated curve with those ``e``, plus a truncation residual drawn *given* the observed
    days' misfit (Matheron's rule: a prior draw ``δ*`` of the residual and ``ε*`` of the noise,
    corrected by ``R_{·o} (R_oo + σ² I)⁻¹ (y − m − δ*_o − ε*)``), so the residual the data
    showed carries on, as much as the residual's day-to-day correlation says it does."""
    k = observed.size
    stacked = posterior.stack(sample=("chain", "draw"))
    theta = stacked["theta"].transpose("sample", ...).values
    errors = stacked["emulator_error"].transpose("sample", ...).values
    sigma = stacked["sigma"].values
    mean, var = emulator._scores(theta)
    curves = emulator.curve_mean_ + (mean + np.sqrt(var) * errors) @ emulator.components_
    prior = emulator.residual_draws(len(theta), rng)
    # the floor is part of the noise: the model's var is λ + σ² with λ floored
    noise = np.sqrt(sigma**2 + NOISE_FLOOR**2)[:, None] * rng.standard_normal((len(theta), k))
    gap = observed - curves[:, :k] - prior[:, :k] - noise
    weights = ((gap @ eigvec) / (eigval + sigma[:, None] ** 2)) @ eigvec.T
    curves += prior + weights @ emulator.residual_cov(slice(0, k), slice(None))
    n_chains, n_draws = posterior.sizes["chain"], posterior.sizes["draw"]
    return xr.DataArray(curves.reshape(n_chains, n_draws, -1), dims=("chain", "draw", TIME),
                        coords={"chain": posterior["chain"].values,
                                "draw": posterior["draw"].values, TIME: emulator.time_})


def convergence(idata, var_names) -> dict:
    """NUTS diagnostics of ``var_names`` in ``idata.posterior``: the largest rank-normalised
    split R-hat (``max_rhat``; of a single chain, between its two halves), the smallest bulk
    and tail effective sample sizes (``min_ess_bulk``, ``min_ess_tail``) over every element
    (ArviZ), and the count of divergent transitions (``divergent``); None where a figure
    cannot be computed (too few draws).

    Examples
    --------
    >>> import arviz as az
    >>> draws = np.random.default_rng(0).normal(size=(2, 200))
    >>> facts = convergence(az.from_dict(posterior={"x": draws}), ["x"])
    >>> round(facts["max_rhat"], 2), facts["min_ess_bulk"] > 300, facts["divergent"]
    (1.0, True, None)
    """
    import arviz as az

    post = idata.posterior[[v for v in var_names if v in idata.posterior]]
    if post.sizes["chain"] == 1 and post.sizes["draw"] >= 8:
        # one chain: R-hat of its two halves (what split R-hat compares within a chain)
        half = post.sizes["draw"] // 2
        post = xr.concat([post.isel(draw=slice(0, half)),
                          post.isel(draw=slice(half, 2 * half)).assign_coords(
                              draw=post["draw"].values[:half])], dim="chain")

    def worst(values, pick):
        flat = np.concatenate([np.ravel(v) for v in values.data_vars.values()])
        flat = flat[np.isfinite(flat)]
        return float(pick(flat)) if flat.size else None

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        rhat = worst(az.rhat(post), np.max)
        bulk = worst(az.ess(post, method="bulk"), np.min)
        tail = worst(az.ess(post, method="tail"), np.min)
    stats = getattr(idata, "sample_stats", None)
    divergent = int(stats["diverging"].sum()) if stats is not None and "diverging" in stats \
        else None
    return {"max_rhat": rhat, "min_ess_bulk": bulk, "min_ess_tail": tail,
            "divergent": divergent}
