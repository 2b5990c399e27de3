# ---
# jupyter:
#   jupytext:
#     notebook_metadata_filter: workbench
#     text_representation:
#       extension: .py
#       format_name: percent
#       format_version: '1.3'
#       jupytext_version: 1.19.7
#   kernelspec:
#     display_name: Python 3
#     language: python
#     name: python3
# ---

# %% [markdown]
# # 05 · Strategy uncertainty
#
# One damage realisation gives one number per strategy. Here an ensemble of members, each with its own damage draw and its own values of the uncertain inputs (fragility medians, repair time, crew productivity, EP per m²; `ensemble.priors`), recovers under every strategy on the same damage (common random numbers). A Bayesian model with strategy and member effects then says how sure we are that one strategy beats another, and an emulator of the simulator, trained on the ensemble, updates the inputs on the first days of an observed recovery and forecasts the rest (METHOD §7).

# %% tags=["parameters"]
# Parameters (papermill injects the values of a run)
params_file = ""
run_dir = ""

# %%
import pandas as pd

from workbench import pipeline, plots, report

run_dir = pipeline.open_run(params_file, run_dir)
params = pipeline.read_params(run_dir)

# %%
result = pipeline.stage(run_dir, 'uncertainty')
if not result:
    print(result)

# %% [markdown]
# Checks of the sampling (R-hat < 1.01, bulk ESS > 400, at least 4 chains, for every model; `uncertainty.json` → `sampling_warnings`):

# %%
if result:
    warned = result.summary.get('sampling_warnings', [])
    display(pipeline.safe_markdown('\n'.join(f'- ⚠ **Warning:** {w}' for w in warned) if warned else 'All models meet the thresholds.'))

# %% [markdown]
# ## Priors of the uncertain inputs
#
# Lognormal: the median and the standard deviation of the logarithm. All are workbench assumptions (`ensemble.priors`).

# %%
pd.DataFrame(params['ensemble']['priors']).T

# %% [markdown]
# ## Predictive distributions per strategy

# %%
if result:
    ens = result.ensemble
    display(plots.save_figure(plots.static(plots.ensemble_boxes(ens, 'economic_loss') + plots.ensemble_boxes(ens, 'service_loss_person_days'), fig_inches=4.5), run_dir, '05_ensemble_indexes', f'Total economic loss (A) and service-capacity loss (B) over {ens.sizes["member"]} ensemble members, by recovery strategy; box: quartiles, whiskers: 5-95 %, diamond: mean.'))
    display(plots.save_figure(plots.static(plots.recovery_curves(ens, 'ep_functionality') + plots.recovery_curves(ens, 'sc_functionality'), fig_inches=5), run_dir, '05_ensemble_curves', f'Economic productivity (A) and service capacity (B) relative to before the event: mean and 5-95 % band over {ens.sizes["member"]} ensemble members, by recovery strategy.'))
    display(report.uncertainty_table(result.summary))

# %% [markdown]
# ## Which strategy is better, and how sure
#
# Posterior of the ratio of each pair's losses (A ÷ B, for the median member) with its 90 % interval, and P(A better than B) — lower loss is better — beside the share of members in which A lost less than B (the paired members, no model). Per strategy, *P(lowest typical loss)* is the posterior probability that it has the lowest loss of the **median member** — it grows towards 1 with more members even when strategies are close, and is not the probability of being best in an event; the share of members in which the strategy was best stands beside it.

# %%
if result and len(result.pairwise):
    display(report.readable_table(result.pairwise.set_index(['index', 'strategy_a', 'strategy_b'])[['ratio_mean', 'ratio_lo', 'ratio_hi', 'p_a_better', 'share_members_a_better']].rename(columns={'p_a_better': 'P(A better than B)', 'share_members_a_better': 'share of members A better'})))
    display(report.readable_table(result.best.rename(columns={'p_lowest_typical': 'P(lowest typical loss)', 'share_members_best': 'share of members best'})))
    display(pipeline.safe_markdown('; '.join(f"lowest typical **{k.replace('_', ' ')}**: **{v['strategy']}**, posterior probability {v['p_lowest_typical']:.2f} (lowest in {v['share_of_members_best']:.0%} of the members)" for k, v in result.summary['best'].items()) + '.'))

# %% [markdown]
# ## Updating on an observed recovery
#
# When `ensemble.observed` names no file, one member is held back from the emulator and its first days play the observed recovery (**synthetic**, so the truth is known and shown). The emulator (PCA of the curves, a Gaussian process per component) stands in for the simulator in the likelihood; NUTS samples the inputs; the band is the 5–95 % range of the posterior predictive curve.
#
# One held-back member, as shown here, says little about whether the band is calibrated. Measured over 36 held-back members of 4 demo ensembles at the default scenario (synthetic observations; `benchmarks/bench_stage05.py --coverage`, METHOD §7), the 90 % band covers 94 % of the unobserved days pooled, but unevenly: the median member 96 %, 10 of 36 below 90 %, the worst 75 %. The inputs' 90 % intervals cover only 74 % of the true values, and the sampler often warns (R-hat ≥ 1.01 in 33 of 36): read the inputs' posteriors below as too narrow.

# %%
if result:
    o = result.observed
    print(f"observed: {o['variable']} under {o['strategy']}, first {o['days']} days — {o['source']}")
    curve = result.ensemble[o['variable']].sel(strategy=o['strategy'])
    truth = None if o['member'] is None else curve.isel(member=o['member']).values
    observed = result.calibration.observed_data['curve'].values
    display(plots.save_figure(plots.static(plots.forecast_band(result.forecast, observed, truth, variable=o['variable'], strategy=o['strategy']), fig_inches=6), run_dir, '05_forecast', f"Forecast of {o['variable']} under {o['strategy']} from its first {o['days']} days: posterior predictive mean and 90 % band, the observed days" + (' and the held-back truth (synthetic observation).' if truth is not None else '.')))
    display(report.readable_table(pd.DataFrame(result.summary.get('forecast', {})).drop(columns=['band'], errors='ignore')))

# %% [markdown]
# Posterior of the inputs (mean and 90 % interval) beside their priors:

# %%
if result:
    post = result.calibration.posterior['theta']
    q = post.quantile([0.05, 0.95], dim=('chain', 'draw'))
    display(report.readable_table(pd.DataFrame({'posterior mean': post.mean(('chain', 'draw')).to_series(), '5 %': q.sel(quantile=0.05).to_series(), '95 %': q.sel(quantile=0.95).to_series()})))
