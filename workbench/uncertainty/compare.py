"""Bayesian comparison of recovery strategies over an ensemble (METHOD §7).

Every ensemble member ran every strategy on the same damage (common random numbers), so a
member's indexes under two strategies are paired: what differs between members (how bad the
earthquake was, how slow the repairs) is shared by all strategies of that member. The model
compares strategies on the paired members, as a paired t-test would, for every pair at once:

.. math::

    y_m = \\log(\\text{index}_{m,\\cdot}) \\sim \\text{MvNormal}(\\mu, \\Sigma),\\qquad
    \\mu_s = \\alpha + \\delta_s,\\ \\textstyle\\sum_s \\delta_s = 0,

one row ``y_m`` of S strategies per member, with an **unstructured** covariance ``Σ``: each
strategy its own spread over the members, each pair its own correlation. The noise of a
pair's contrast in one member is ``sd(y_a − y_b) = sqrt(Σ_aa + Σ_bb − 2 Σ_ab)`` (``pair_sd``),
what the members' paired differences show, so the posterior of ``μ_a − μ_b`` is that pair's
paired comparison whatever the other strategies do.

*Why (issue 24).* The former model ``y = α + δ_s + u_m + ε`` with one within-member ``σ`` for
all strategies let a strategy whose losses wander more from member to member (flexible's
deviations were twice the others' on the demo of the time) inflate the noise of every
contrast, and wash out a pair that the members order the same way every time (rigid vs
semiflexible: lower in 40 of 40 members, yet P = 0.19). Two repairs were tried and measured on
the demo ensemble of issue 24 (40 members, 3 strategies, 2 shared cores, 4 chains × 400
draws): a strategy-specific ``σ_s`` with the member effect integrated out leaves a ridge
(only ``σ_a² + σ_b²`` is pinned when one strategy is much noisier; the member's level and its
contrasts are also correlated on these data, 0.6–0.8, which one shared ``u_m`` cannot carry)
— R-hat 1.12, bulk ESS 22 and 120 divergent transitions on service loss; the unstructured
model sampled by NUTS (LKJ prior) was right — R-hat ≤ 1.005, ratio intervals within 0.002 of
the exact ones — but took 130–150 s per index (18 s of it compiling). With a flat prior
on ``μ`` and an inverse-Wishart prior on ``Σ`` the same model's posterior is known in closed
form (conjugate), so it is drawn exactly, in milliseconds, with no chain to converge.

Prior and posterior
-------------------
``p(μ) ∝ 1`` (no strategy is favoured, no level assumed) and
``Σ ~ InvWishart(ν0 = S + 1, Ψ0 = SIGMA_FLOOR² I)``, nearly the Jeffreys prior: with
``ν0 = S + 1`` the posterior mean of ``Σ`` is the members' sample covariance. :data:`SIGMA_FLOOR`
= 1e-4 on the log scale keeps ``Σ`` invertible when two strategies give *exactly* the same
index on every member (differences below 0.01 % of a loss are not resolved). Then, with ``M``
members, ``ȳ`` their mean row and ``W`` their scatter matrix (Gelman et al. 2013, §3.6),

* ``Σ | y ~ InvWishart(ν0 + M − 1, Ψ0 + W)``, ``μ | Σ, y ~ Normal(ȳ, Σ / M)``,

drawn in that order (:func:`_posterior_draws`); marginally each contrast ``μ_a − μ_b`` is a
Student t centred on the members' mean paired difference (tested). "Chains" are independent
streams of draws (``numpy.random.SeedSequence.spawn`` of the seed), so the R-hat and ESS that
stage 05 reports for this model measure only the Monte Carlo error.

Outputs
-------
The posterior holds ``alpha`` (the mean of ``μ``), ``delta`` = ``μ_s − α``, ``typical_index``
= ``exp(μ_s)`` and ``sd`` = ``sqrt(Σ_ss)`` on ``strategy`` (the index of the median member under
each strategy, in the input's units, and the spread of log index over the members), and
``log_ratio`` = ``μ_a − μ_b`` and ``pair_sd`` on ``pair`` (coordinates ``strategy_a``,
``strategy_b``); ``observed_data`` holds the members' ``log_index``. :func:`pairwise_table`
and :func:`strategy_table` summarise it; intervals are **equal-tailed** (5 % and 95 % quantiles
for ``prob=0.9``), chosen because they map through ``exp`` unchanged: the ratio interval is
exactly ``exp`` of the log-ratio interval. Every pair's posterior probability is shown beside
the share of members in which A beats B (``share_members_a_better``), so that a disagreement
would be seen.

*What "best" means.* ``p_lowest_typical`` of :func:`strategy_table` is the posterior
probability that a strategy has the lowest **typical** (median-member) index — a statement
about ``exp(μ_s)``, which grows towards 1 with the members even when the strategies are close.
It is not the probability that the strategy is best in a given event: for that,
``share_members_best`` gives the share of the ensemble's members in which it had the lowest
index (raw, no model).

Checks of the sampling
----------------------
:func:`convergence_warnings` turns the diagnostics of
:func:`workbench.uncertainty.calibrate.convergence` (ArviZ) into warnings when the largest
R-hat is not below :data:`RHAT_MAX` (1.01), the smallest bulk ESS not above
:data:`ESS_BULK_MIN` (400), or fewer than :data:`MIN_CHAINS` (4) chains ran (Vehtari et al.
2021); stage 05 applies it to every model, this one and the NUTS calibration.

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
Gelman, A., Carlin, J. B., Stern, H. S., Dunson, D. B., Vehtari, A., Rubin, D. B. (2013).
*Bayesian Data Analysis*, 3rd ed., §3.6 (multivariate normal with unknown mean and variance).
CRC Press. https://doi.org/10.1201/b16018
Vehtari, A., Gelman, A., Simpson, D., Carpenter, B., Bürkner, P.-C. (2021). Rank-normalization,
folding, and localization: an improved R-hat for assessing convergence of MCMC. *Bayesian
Analysis* 16(2), 667–718. https://doi.org/10.1214/20-BA1221
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import xarray as xr

from ..core.dims import MEMBER, STRATEGY
from ..core.errors import InputError

__all__ = ["compare_strategies", "pairwise_table", "strategy_table", "save_posterior",
           "convergence_warnings", "SIGMA_FLOOR", "PAIR", "POSTERIOR_FILE", "TABLE_COLUMNS",
           "STRATEGY_COLUMNS", "RHAT_MAX", "ESS_BULK_MIN", "MIN_CHAINS"]

#: Dim of the pairwise differences in the posterior.
PAIR = "pair"
#: Smallest within-member noise on the log scale (see the module docstring).
SIGMA_FLOOR = 1e-4
#: What the posterior's attrs say of how it was drawn.
METHOD = ("exact Monte Carlo draws of the paired normal model with an unstructured covariance "
          "(flat prior on mu, InvWishart(S + 1, SIGMA_FLOOR^2 I) on Sigma)")
#: File name :func:`save_posterior` uses when given a folder.
POSTERIOR_FILE = "posterior.nc"
#: Columns of :func:`pairwise_table`.
TABLE_COLUMNS = ("strategy_a", "strategy_b", "log_ratio_mean", "log_ratio_lo", "log_ratio_hi",
                 "ratio_mean", "ratio_lo", "ratio_hi", "p_a_better", "share_members_a_better")
#: Columns of :func:`strategy_table`.
STRATEGY_COLUMNS = ("typical_mean", "typical_lo", "typical_hi", "p_lowest_typical",
                    "share_members_best")
#: Convergence thresholds (:func:`convergence_warnings`): largest R-hat below, smallest bulk
#: ESS above, and at least this many chains (the default of :func:`compare_strategies`).
RHAT_MAX = 1.01
ESS_BULK_MIN = 400
MIN_CHAINS = 4
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


def _posterior_draws(y: np.ndarray, n_draws: int, rng: np.random.Generator):
    """Exact draws of (μ, Σ) given ``y`` (member, strategy): Σ from its marginal posterior
    ``InvWishart(ν0 + M − 1, Ψ0 + scatter)``, then μ | Σ ~ N(ȳ, Σ / M) (module docstring)."""
    from scipy.stats import invwishart

    m, n = y.shape
    mean = y.mean(axis=0)
    resid = y - mean
    scale = resid.T @ resid + SIGMA_FLOOR**2 * np.eye(n)       # Ψ0 + scatter
    df = (n + 1) + m - 1                                       # ν0 + M − 1, ν0 = S + 1
    cov = np.asarray(invwishart(df=df, scale=scale).rvs(size=n_draws, random_state=rng))
    cov = cov.reshape(n_draws, n, n)
    chol = np.linalg.cholesky(cov / m)
    mu = mean + np.einsum("dij,dj->di", chol, rng.standard_normal((n_draws, n)))
    return mu, cov


def _posterior(y: np.ndarray, strategies: list, draws: int, chains: int,
               seed: int) -> xr.Dataset:
    """The posterior of the module docstring on ``y`` = log(index), (member, strategy), as
    (chain, draw) arrays; each chain from its own stream spawned from ``seed``."""
    streams = np.random.SeedSequence(seed).spawn(chains)
    mu, cov = map(np.stack, zip(*(_posterior_draws(y, draws, np.random.default_rng(s))
                                   for s in streams)))
    alpha = mu.mean(axis=-1)
    pairs = _pairs(strategies)
    pos = {s: i for i, s in enumerate(strategies)}
    ia, ib = (np.array([pos[p[k]] for p in pairs], dtype=int) for k in (0, 1))
    var = np.diagonal(cov, axis1=-2, axis2=-1)
    pair_sd = np.sqrt(var[..., ia] + var[..., ib] - 2 * cov[..., ia, ib])
    cd, sd = ("chain", "draw"), ("chain", "draw", STRATEGY)
    pd_ = ("chain", "draw", PAIR)
    return xr.Dataset(
        {"alpha": (cd, alpha), "delta": (sd, mu - alpha[..., None]),
         "typical_index": (sd, np.exp(mu)), "sd": (sd, np.sqrt(var)),
         "log_ratio": (pd_, mu[..., ia] - mu[..., ib]), "pair_sd": (pd_, pair_sd)},
        coords={"chain": np.arange(chains), "draw": np.arange(draws), STRATEGY: strategies,
                PAIR: [f"{a} / {b}" for a, b in pairs],
                "strategy_a": (PAIR, [a for a, _ in pairs]),
                "strategy_b": (PAIR, [b for _, b in pairs])})


def compare_strategies(indexes: xr.DataArray, *, draws: int = 1000, tune: int = 0,
                       chains: int = MIN_CHAINS, seed: int = 0, lower_is_better: bool = True):
    """Posterior of the strategy effects on a loss index, and every pairwise comparison.

    Parameters
    ----------
    indexes : xarray.DataArray
        One positive index per (``member``, ``strategy``), e.g. ``economic_loss`` [EUR] or
        ``service_loss_person_days``; every member ran every strategy on the same damage.
    draws, chains : int
        Posterior draws per chain, and chains (default 4, :data:`MIN_CHAINS`). The draws are
        exact and independent, so the diagnostics of :func:`convergence_warnings` measure only
        the Monte Carlo error (bulk ESS ≈ draws × chains).
    tune : int
        Ignored: nothing to tune for exact draws (kept so that stage 05 passes the same
        ``ensemble.draws`` / ``tune`` / ``chains`` to every model).
    seed : int
        Seed of the draws (one :class:`numpy.random.SeedSequence` stream per chain); the same
        seed gives identical draws.
    lower_is_better : bool
        True for a loss: strategy A is better than B when its index is lower.

    Returns
    -------
    idata : arviz.InferenceData
        ``posterior`` (variables of the module docstring; attrs ``random_seed``,
        ``index_name``, ``units``, ``method``) and ``observed_data`` (``log_index``, the
        members' log indexes).
    table : pandas.DataFrame
        :func:`pairwise_table` of ``idata``: one row per pair, ratio = index of A / index of B,
        90 % equal-tailed intervals, P(A better than B) beside the share of members in which A
        was better. :func:`strategy_table` gives the per-strategy summary.

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
    import arviz as az

    checked = _validate(indexes)
    strategies = list(checked[STRATEGY].values)
    y = np.log(checked.values.astype(float))
    posterior = _posterior(y, strategies, int(draws), int(chains), int(seed))
    posterior.attrs.update(random_seed=int(seed), index_name=str(indexes.name or "index"),
                           units=str(indexes.attrs.get("units", "")), method=METHOD)
    observed = xr.Dataset({"log_index": ((MEMBER, STRATEGY), y)},
                          coords={MEMBER: checked[MEMBER].values, STRATEGY: strategies})
    idata = az.InferenceData(posterior=posterior, observed_data=observed)
    return idata, pairwise_table(idata, lower_is_better=lower_is_better)


def _quantiles(draws: xr.DataArray, prob: float) -> tuple[xr.DataArray, xr.DataArray]:
    tail = (1.0 - prob) / 2.0
    q = draws.quantile([tail, 1.0 - tail], dim=("chain", "draw"))
    return q.isel(quantile=0, drop=True), q.isel(quantile=1, drop=True)


def _observed(idata) -> xr.DataArray | None:
    """log(index) of the members on (member, strategy), or None when ``idata`` has none."""
    observed = getattr(idata, "observed_data", None)
    if observed is None or "log_index" not in observed:
        return None
    return observed["log_index"].transpose(MEMBER, STRATEGY)


def _member_shares(idata, log_ratio, lower_is_better: bool) -> np.ndarray:
    """Per pair, the share of members in which A's index is better than B's (NaN if unknown)."""
    y = _observed(idata)
    if y is None:
        return np.full(log_ratio.sizes[PAIR], np.nan)
    shares = []
    for a, b in zip(log_ratio["strategy_a"].values, log_ratio["strategy_b"].values):
        d = (y.sel({STRATEGY: a}) - y.sel({STRATEGY: b})).values
        shares.append(float(np.mean(d < 0 if lower_is_better else d > 0)))
    return np.array(shares)


def pairwise_table(idata, *, lower_is_better: bool = True, prob: float = 0.9) -> pd.DataFrame:
    """One row per pair of strategies, from the posterior of :func:`compare_strategies`.

    Columns (:data:`TABLE_COLUMNS`): ``strategy_a``, ``strategy_b``; ``log_ratio_*`` the
    posterior mean and equal-tailed ``prob`` interval of ``μ_a − μ_b`` (log scale);
    ``ratio_*`` the same for ``exp(μ_a − μ_b)``, the factor by which A's index exceeds B's on
    the same member; ``p_a_better`` the posterior probability that A is better (lower typical
    index when ``lower_is_better``); ``share_members_a_better`` the share of the members
    (``observed_data``) in which A's index was better than B's, no model — the check that the
    model agrees with the paired members (NaN without observed data). ``attrs`` records
    ``interval`` and ``lower_is_better``.

    Examples
    --------
    >>> import arviz as az
    >>> post = xr.Dataset({"log_ratio": (("chain", "draw", "pair"), [[[-0.2], [-0.1], [0.1]]])},
    ...                   coords={"pair": ["x / y"], "strategy_a": ("pair", ["x"]),
    ...                           "strategy_b": ("pair", ["y"])})
    >>> pairwise_table(az.InferenceData(posterior=post))["p_a_better"].round(3).tolist()
    [0.667]
    >>> obs = xr.Dataset({"log_index": (("member", "strategy"), [[1.0, 2.0], [3.0, 2.5]])},
    ...                  coords={"strategy": ["x", "y"]})
    >>> pairwise_table(az.InferenceData(posterior=post, observed_data=obs)
    ...                )["share_members_a_better"].tolist()
    [0.5]
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
        "share_members_a_better": _member_shares(idata, log_ratio, lower_is_better),
    }, columns=list(TABLE_COLUMNS))
    table.attrs.update(interval=f"{prob:.0%} equal-tailed", lower_is_better=lower_is_better)
    return table


def strategy_table(idata, *, lower_is_better: bool = True, prob: float = 0.9) -> pd.DataFrame:
    """Per strategy: the typical (median-member) index, the probability that it is the lowest
    typical index, and the share of members in which the strategy was best.

    Index ``strategy``; columns (:data:`STRATEGY_COLUMNS`) ``typical_mean``, ``typical_lo``,
    ``typical_hi`` (posterior mean and equal-tailed ``prob`` interval of ``exp(α + δ_s)``, in
    the index's units); ``p_lowest_typical`` (posterior probability that the strategy has the
    lowest *typical* index of all, or the highest when not ``lower_is_better``; sums to 1 —
    formerly ``p_best``, which it is not: see the module docstring); ``share_members_best``
    (the share of the members, ``observed_data``, in which the strategy had the best index,
    ties to the first; NaN without observed data).

    Examples
    --------
    >>> import arviz as az
    >>> post = xr.Dataset({"typical_index": (("chain", "draw", "strategy"),
    ...                                      [[[1.0, 2.0], [3.0, 2.0]]])},
    ...                   coords={"strategy": ["x", "y"]})
    >>> strategy_table(az.InferenceData(posterior=post))["p_lowest_typical"].tolist()
    [0.5, 0.5]
    """
    typical = idata.posterior["typical_index"]
    lo, hi = _quantiles(typical, prob)
    best = typical.argmin(STRATEGY) if lower_is_better else typical.argmax(STRATEGY)
    n = typical.sizes[STRATEGY]
    p_lowest = [(best == i).mean().item() for i in range(n)]
    y = _observed(idata)
    if y is None:
        share = np.full(n, np.nan)
    else:
        y = y.sel({STRATEGY: typical[STRATEGY].values}).values
        winner = y.argmin(axis=1) if lower_is_better else y.argmax(axis=1)
        share = np.array([np.mean(winner == i) for i in range(n)])
    table = pd.DataFrame({"typical_mean": typical.mean(("chain", "draw")).values,
                          "typical_lo": lo.values, "typical_hi": hi.values,
                          "p_lowest_typical": p_lowest, "share_members_best": share},
                         index=pd.Index(typical[STRATEGY].values, name=STRATEGY),
                         columns=list(STRATEGY_COLUMNS))
    table.attrs.update(interval=f"{prob:.0%} equal-tailed", units=idata.posterior.attrs.get(
        "units", ""))
    return table


def convergence_warnings(diagnostics: dict, chains: int, what: str) -> list[str]:
    """Warnings (plain sentences; empty when all is well) for one model's NUTS diagnostics.

    ``diagnostics`` as :func:`workbench.uncertainty.calibrate.convergence` returns them
    (``max_rhat``, ``min_ess_bulk``, ``divergent``); ``chains`` the chains that ran; ``what``
    names the model in the sentences. Thresholds: :data:`RHAT_MAX`, :data:`ESS_BULK_MIN`,
    :data:`MIN_CHAINS`; a figure that could not be computed counts as not met.

    Examples
    --------
    >>> convergence_warnings({"max_rhat": 1.003, "min_ess_bulk": 900, "divergent": 0}, 4, "m")
    []
    >>> for w in convergence_warnings({"max_rhat": 1.022, "min_ess_bulk": 124.4,
    ...                                "divergent": 2}, 2, "calibration"):
    ...     print(w)
    calibration: 2 chains, fewer than the 4 the checks need; raise ensemble.chains.
    calibration: largest R-hat 1.022, not below 1.01 — the chains disagree; raise ensemble.tune and ensemble.draws.
    calibration: smallest bulk ESS 124, not above 400 — too few independent draws; raise ensemble.draws.
    calibration: 2 divergent transitions — the posterior may be biased.
    """
    out = []
    if chains < MIN_CHAINS:
        out.append(f"{what}: {chains} chain{'s' if chains != 1 else ''}, fewer than the "
                   f"{MIN_CHAINS} the checks need; raise ensemble.chains.")
    rhat, ess = diagnostics.get("max_rhat"), diagnostics.get("min_ess_bulk")
    if rhat is None or not rhat < RHAT_MAX:
        shown = "could not be computed" if rhat is None else f"{rhat:.3f}, not below {RHAT_MAX}"
        out.append(f"{what}: largest R-hat {shown} — the chains disagree; raise "
                   f"ensemble.tune and ensemble.draws.")
    if ess is None or not ess > ESS_BULK_MIN:
        shown = "could not be computed" if ess is None else f"{ess:.0f}, not above {ESS_BULK_MIN}"
        out.append(f"{what}: smallest bulk ESS {shown} — too few independent draws; raise "
                   f"ensemble.draws.")
    if diagnostics.get("divergent"):
        out.append(f"{what}: {diagnostics['divergent']} divergent transitions — the posterior "
                   f"may be biased.")
    return out


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
