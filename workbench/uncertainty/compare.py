"""Bayesian comparison of recovery strategies over an ensemble (METHOD §7).

Every ensemble member ran every strategy on the same damage (common random numbers), so a
member's indexes under two strategies are paired: what differs between members (how bad the
earthquake was, how slow the repairs) is shared by all strategies of that member. The model
takes this pairing out before it compares strategies, as a paired t-test would:

.. math::

    y_{ms} = \\log(\\text{index}_{ms}) = \\alpha + \\delta_s + u_m + \\varepsilon_{ms},\\qquad
    u_m \\sim N(0, \\tau),\\quad \\varepsilon_{ms} \\sim N(0, \\sigma_\\text{eff}),

with ``δ`` summing to zero over strategies, so ``μ_s = α + δ_s`` and ``μ_a − μ_b = δ_a − δ_b``.
The member effect ``u_m`` is integrated out analytically: each member's row is one draw of
``MvNormal(α + δ, σ_eff² I + τ² J)`` (``J`` all ones), whose density is written in closed form
from the covariance's two eigenvalues (``_paired_logp``; tested against scipy's MvNormal).
That is the same model, with no funnel and no ridge between ``α`` and the ``u_m`` for NUTS to
crawl along; the zero-sum ``δ`` makes the level ``α`` and the contrasts ``δ`` independent in
the likelihood for the same reason.

Priors
------
Weakly informative and scaled to the data as rstanarm's autoscaling does: with ``s`` the
standard deviation of all ``y`` values (1 when they are all equal),

* ``α ~ Normal(mean(y), 2.5 s)``,
* ``δ ~ ZeroSumNormal(2.5 s)`` over ``strategy`` (symmetric: no strategy is favoured a priori),
* ``τ ~ HalfNormal(2.5 s)`` (between members), ``σ ~ HalfNormal(2.5 s)`` (within a member),
* ``σ_eff = sqrt(σ² + SIGMA_FLOOR²)``, :data:`SIGMA_FLOOR` = 1e-4 on the log scale: two
  strategies that give *exactly* the same index on every member would otherwise make the
  posterior of ``σ`` improper at 0. Differences below 0.01 % of a loss are not resolved.

Outputs
-------
The posterior holds ``alpha``, ``delta`` and ``typical_index`` = ``exp(α + δ_s)`` on
``strategy`` (the index of the median member under each strategy, in the input's units),
``log_ratio`` = ``δ_a − δ_b`` on ``pair`` (coordinates ``strategy_a``, ``strategy_b``), ``tau``
and ``sigma``; the two derived variables are computed from the draws after sampling.
:func:`pairwise_table` and :func:`strategy_table` summarise it; intervals are **equal-tailed**
(5 % and 95 % quantiles for ``prob=0.9``), chosen because they map through ``exp`` unchanged:
the ratio interval is exactly ``exp`` of the log-ratio interval.

Chains run one after another in this process: on a small model, starting worker processes
costs more than sampling (measured: 5 s in sequence, 40+ s with ``cores=2``).

Examples
--------
>>> import numpy as np, xarray as xr
>>> idx = xr.DataArray([[100.0, 150.0], [200.0, 310.0]], dims=("member", "strategy"),
...                    coords={"strategy": ["fast", "slow"]})
>>> _validate(idx).dims
('member', 'strategy')
>>> _pairs(["a", "b", "c"])
[('a', 'b'), ('a', 'c'), ('b', 'c')]

References
----------
Gelman, A., Hill, J. (2007). *Data Analysis Using Regression and Multilevel/Hierarchical
Models*, ch. 11–12 (varying-intercept models). Cambridge University Press.
https://doi.org/10.1017/CBO9780511790942
Gabry, J., Goodrich, B. Prior distributions for rstanarm models (autoscaled priors; rstanarm
vignette, no DOI). https://mc-stan.org/rstanarm/articles/priors.html
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import xarray as xr

from ..core.dims import MEMBER, STRATEGY
from ..core.errors import InputError

__all__ = ["compare_strategies", "pairwise_table", "strategy_table", "save_posterior",
           "SIGMA_FLOOR", "PAIR", "POSTERIOR_FILE", "TABLE_COLUMNS"]

#: Dim of the pairwise differences in the posterior.
PAIR = "pair"
#: Smallest within-member noise on the log scale (see the module docstring).
SIGMA_FLOOR = 1e-4
#: File name :func:`save_posterior` uses when given a folder.
POSTERIOR_FILE = "posterior.nc"
#: Columns of :func:`pairwise_table`.
TABLE_COLUMNS = ("strategy_a", "strategy_b", "log_ratio_mean", "log_ratio_lo", "log_ratio_hi",
                 "ratio_mean", "ratio_lo", "ratio_hi", "p_a_better")
_MAX_LISTED = 5


def _validate(indexes) -> xr.DataArray:
    """``indexes`` checked and ordered (member, strategy); the rules are the InputErrors below."""
    if not isinstance(indexes, xr.DataArray):
        raise InputError(f"indexes must be an xarray.DataArray on ({MEMBER}, {STRATEGY}), got "
                         f"{type(indexes).__name__}. Take one index from the ensemble, e.g. "
                         f"ensemble['economic_loss'].")
    if set(indexes.dims) != {MEMBER, STRATEGY}:
        raise InputError(f"indexes must have exactly the dims ({MEMBER!r}, {STRATEGY!r}), got "
                         f"{indexes.dims}. Select or reduce the other dims first (.sel / .mean).")
    out = indexes.transpose(MEMBER, STRATEGY)
    if out.sizes[STRATEGY] < 2:
        raise InputError(f"indexes has {out.sizes[STRATEGY]} strategy; a comparison needs at "
                         f"least 2. Run the ensemble with two or more strategies.")
    if out.sizes[MEMBER] < 2:
        raise InputError(f"indexes has {out.sizes[MEMBER]} member; the paired model needs at "
                         f"least 2 to tell the member effect from the noise. Run a larger "
                         f"ensemble.")
    labels = out[STRATEGY].values.tolist()
    if len(set(labels)) < len(labels):
        raise InputError(f"indexes has repeated strategy labels {labels}; each strategy must "
                         f"appear once. Rename or drop the repeats.")
    values = np.asarray(out.values, dtype=float)
    bad = ~(np.isfinite(values) & (values > 0))
    if bad.any():
        members, strategies = out[MEMBER].values.tolist(), out[STRATEGY].values.tolist()
        rows, cols = np.nonzero(bad)
        listed = ", ".join(f"member {members[i]!r} / strategy {strategies[j]!r} = {values[i, j]}"
                           for i, j in zip(rows[:_MAX_LISTED], cols[:_MAX_LISTED]))
        more = f" (and {bad.sum() - _MAX_LISTED} more)" if bad.sum() > _MAX_LISTED else ""
        raise InputError(f"indexes must be positive and finite (the model works on "
                         f"log(index)); {int(bad.sum())} value(s) are not: {listed}{more}. Drop "
                         f"those members (indexes.drop_sel({MEMBER}=[...])) or check the runs "
                         f"that produced them.")
    return out


def _pairs(strategies) -> list[tuple]:
    """Unordered pairs (a, b) of strategies, a before b in the given order."""
    strategies = list(strategies)
    return [(a, b) for i, a in enumerate(strategies) for b in strategies[i + 1:]]


def _paired_logp(value, mu, tau, sigma_eff):
    """Log density of each member's row ``value`` (…, S) under ``MvNormal(mu, σ² I + τ² J)``,
    written with the two eigenvalues of that covariance (``σ² + S τ²`` along the all-ones
    direction, ``σ²`` on the S − 1 contrasts): the MvNormal's numbers without a Cholesky factor
    per gradient, which made compiling and sampling slower."""
    import pytensor.tensor as pt

    n = value.shape[-1]
    resid = value - mu
    mean = pt.mean(resid, axis=-1)
    within = pt.sum((resid - mean[..., None]) ** 2, axis=-1) / sigma_eff**2
    level = sigma_eff**2 + n * tau**2
    return -0.5 * ((n - 1) * pt.log(2 * np.pi * sigma_eff**2) + pt.log(2 * np.pi * level)
                   + within + n * mean**2 / level)


def _model(y: np.ndarray, strategies: list, members: list):
    """The PyMC model of the module docstring on ``y`` = log(index), (member, strategy)."""
    import pymc as pm   # heavy: imported when a model is built, not with the package

    scale = float(y.std()) or 1.0
    with pm.Model(coords={MEMBER: members, STRATEGY: strategies}) as model:
        alpha = pm.Normal("alpha", mu=float(y.mean()), sigma=2.5 * scale)
        delta = pm.ZeroSumNormal("delta", sigma=2.5 * scale, dims=STRATEGY)
        tau = pm.HalfNormal("tau", sigma=2.5 * scale)
        sigma = pm.HalfNormal("sigma", sigma=2.5 * scale)
        sigma_eff = pm.math.sqrt(sigma**2 + SIGMA_FLOOR**2)
        pm.CustomDist("log_index", alpha + delta, tau, sigma_eff, logp=_paired_logp,
                      signature="(s),(),()->(s)", observed=y, dims=(MEMBER, STRATEGY))
    return model


def _derived(posterior: xr.Dataset, strategies: list) -> xr.Dataset:
    """``typical_index`` on strategy and ``log_ratio`` on pair, from ``alpha`` and ``delta``
    (computed after sampling: in the model they would cost a compiled function)."""
    pairs = _pairs(strategies)
    delta = posterior["delta"]
    log_ratio = xr.concat([delta.sel({STRATEGY: a}, drop=True) - delta.sel({STRATEGY: b},
                                                                           drop=True)
                           for a, b in pairs], dim=PAIR)
    log_ratio = log_ratio.assign_coords({
        PAIR: [f"{a} / {b}" for a, b in pairs],
        "strategy_a": (PAIR, [a for a, _ in pairs]),
        "strategy_b": (PAIR, [b for _, b in pairs])})
    return posterior.assign(typical_index=np.exp(posterior["alpha"] + delta),
                            log_ratio=log_ratio.transpose("chain", "draw", PAIR))


def compare_strategies(indexes: xr.DataArray, *, draws: int = 1000, tune: int = 1000,
                       chains: int = 2, seed: int = 0, lower_is_better: bool = True):
    """Posterior of the strategy effects on a loss index, and every pairwise comparison.

    Parameters
    ----------
    indexes : xarray.DataArray
        One positive index per (``member``, ``strategy``), e.g. ``economic_loss`` [EUR] or
        ``service_loss_person_days``; every member ran every strategy on the same damage.
    draws, tune, chains : int
        NUTS draws kept and tuning steps per chain; chains run in sequence.
    seed : int
        ``random_seed`` of :func:`pymc.sample`; the same seed gives identical draws.
    lower_is_better : bool
        True for a loss: strategy A is better than B when its index is lower.

    Returns
    -------
    idata : arviz.InferenceData
        ``posterior`` (variables of the module docstring; attrs ``random_seed``,
        ``index_name``, ``units``) and ``observed_data`` (``log_index``).
    table : pandas.DataFrame
        :func:`pairwise_table` of ``idata``: one row per pair, ratio = index of A / index of B,
        90 % equal-tailed intervals. :func:`strategy_table` gives the per-strategy summary.

    Raises
    ------
    InputError
        Fewer than 2 strategies or members, other dims, or a value that is not positive and
        finite (the message names its member and strategy).

    Examples
    --------
    >>> idx = xr.DataArray([[1.0, 2.0]], dims=("member", "strategy"))
    >>> compare_strategies(idx)  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    workbench.core.errors.InputError: indexes has 1 member; the paired model needs at least 2 ...
    """
    import pymc as pm

    checked = _validate(indexes)
    strategies = list(checked[STRATEGY].values)
    members = list(checked[MEMBER].values)
    with _model(np.log(checked.values.astype(float)), strategies, members):
        idata = pm.sample(draws=draws, tune=tune, chains=chains, cores=1, random_seed=seed,
                          progressbar=False, compute_convergence_checks=False)
    posterior = _derived(idata.posterior, strategies)
    posterior.attrs.update(random_seed=int(seed), index_name=str(indexes.name or "index"),
                           units=str(indexes.attrs.get("units", "")))
    idata.posterior = posterior
    return idata, pairwise_table(idata, lower_is_better=lower_is_better)


def _quantiles(draws: xr.DataArray, prob: float) -> tuple[xr.DataArray, xr.DataArray]:
    tail = (1.0 - prob) / 2.0
    q = draws.quantile([tail, 1.0 - tail], dim=("chain", "draw"))
    return q.isel(quantile=0, drop=True), q.isel(quantile=1, drop=True)


def pairwise_table(idata, *, lower_is_better: bool = True, prob: float = 0.9) -> pd.DataFrame:
    """One row per pair of strategies, from the posterior of :func:`compare_strategies`.

    Columns (:data:`TABLE_COLUMNS`): ``strategy_a``, ``strategy_b``; ``log_ratio_*`` the
    posterior mean and equal-tailed ``prob`` interval of ``μ_a − μ_b`` (log scale);
    ``ratio_*`` the same for ``exp(μ_a − μ_b)``, the factor by which A's index exceeds B's on
    the same member; ``p_a_better`` the posterior probability that A is better (lower index
    when ``lower_is_better``). ``attrs`` records ``interval`` and ``lower_is_better``.

    Examples
    --------
    >>> import arviz as az
    >>> post = xr.Dataset({"log_ratio": (("chain", "draw", "pair"), [[[-0.2], [-0.1], [0.1]]])},
    ...                   coords={"pair": ["x / y"], "strategy_a": ("pair", ["x"]),
    ...                           "strategy_b": ("pair", ["y"])})
    >>> pairwise_table(az.InferenceData(posterior=post))["p_a_better"].round(3).tolist()
    [0.667]
    """
    log_ratio = idata.posterior["log_ratio"]
    lo, hi = _quantiles(log_ratio, prob)
    better = (log_ratio < 0) if lower_is_better else (log_ratio > 0)
    table = pd.DataFrame({
        "strategy_a": log_ratio["strategy_a"].values,
        "strategy_b": log_ratio["strategy_b"].values,
        "log_ratio_mean": log_ratio.mean(("chain", "draw")).values,
        "log_ratio_lo": lo.values, "log_ratio_hi": hi.values,
        "ratio_mean": np.exp(log_ratio).mean(("chain", "draw")).values,
        "ratio_lo": np.exp(lo.values), "ratio_hi": np.exp(hi.values),
        "p_a_better": better.mean(("chain", "draw")).values,
    }, columns=list(TABLE_COLUMNS))
    table.attrs.update(interval=f"{prob:.0%} equal-tailed", lower_is_better=lower_is_better)
    return table


def strategy_table(idata, *, lower_is_better: bool = True, prob: float = 0.9) -> pd.DataFrame:
    """Per strategy: the typical (median-member) index and the probability of being best.

    Index ``strategy``; columns ``typical_mean``, ``typical_lo``, ``typical_hi`` (posterior
    mean and equal-tailed ``prob`` interval of ``exp(α + δ_s)``, in the index's units) and
    ``p_best`` (posterior probability that the strategy has the lowest index of all, or the
    highest when not ``lower_is_better``; sums to 1).

    Examples
    --------
    >>> import arviz as az
    >>> post = xr.Dataset({"typical_index": (("chain", "draw", "strategy"),
    ...                                      [[[1.0, 2.0], [3.0, 2.0]]])},
    ...                   coords={"strategy": ["x", "y"]})
    >>> strategy_table(az.InferenceData(posterior=post))["p_best"].tolist()
    [0.5, 0.5]
    """
    typical = idata.posterior["typical_index"]
    lo, hi = _quantiles(typical, prob)
    best = typical.argmin(STRATEGY) if lower_is_better else typical.argmax(STRATEGY)
    n = typical.sizes[STRATEGY]
    p_best = [(best == i).mean().item() for i in range(n)]
    table = pd.DataFrame({"typical_mean": typical.mean(("chain", "draw")).values,
                          "typical_lo": lo.values, "typical_hi": hi.values, "p_best": p_best},
                         index=pd.Index(typical[STRATEGY].values, name=STRATEGY))
    table.attrs.update(interval=f"{prob:.0%} equal-tailed", units=idata.posterior.attrs.get(
        "units", ""))
    return table


def save_posterior(idata, path) -> Path:
    """Write ``idata`` to netCDF (ArviZ ``to_netcdf``, h5netcdf) and return the file's path.

    ``path`` is the file, or a folder that receives :data:`POSTERIOR_FILE` (``posterior.nc``).
    Read it back with ``arviz.from_netcdf``.
    """
    path = Path(path)
    if path.is_dir():
        path = path / POSTERIOR_FILE
    if not path.parent.is_dir():
        raise InputError(f"save_posterior: the folder {str(path.parent)!r} does not exist. "
                         f"Create it first (Path(...).mkdir(parents=True)).")
    idata.to_netcdf(str(path))
    return path
