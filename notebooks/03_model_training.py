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
# # 03 · Model training
#
# The two data-driven functionality inputs of the method (METHOD §6, Zhou et al. 2025 §1.1–1.2): an additive model of log rSS (rSS = d_t / d0, per-capita consumption after the event over before), monotone in the service satisfactions, on the features stage 02 selected (the paper fits d_t with a random forest; on d_t most of its R² is d0 and its service dependence comes out attenuated); a hybrid network — a GRU over resource-consumption series and a dense net over static features, hidden states concatenated — predicts EP per m², compared with a static-only baseline. Both are then *archived*: evaluated on a grid of building type × water × power × road satisfaction into `models/functionality_table.nc`, which the recovery reads when `models.functionality` is `trained`.

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
trained = pipeline.stage(run_dir, 'training')
metrics = trained.metrics
print('survey:', metrics['survey'])
print('production:', metrics['production'])

# %% [markdown]
# ## rSS model
#
# log rSS as an additive model: a level per building type, monotone splines of the service satisfactions (non-decreasing) and of the displaced share (non-increasing), splines of the other selected numbers (METHOD §6). R² is on rSS itself, on a held-out quarter and 5-fold cross-validated on the training part (seeded splits, the rows stage 02 selected on), beside two baselines on the same held-out rows: no skill (the training mean) and d0 only (log rSS linear in log d0).

# %%
f = metrics['rss_model']
summary = {'features': ', '.join(trained.rss.features), 'held-out R² on rSS': round(f['holdout_r2'], 3), 'CV R² on rSS (mean of 5 folds)': round(f['cv_r2_mean'], 3), 'CV R² by fold': ', '.join(f'{v:.3f}' for v in f['cv_r2']), 'baseline no skill: held-out R²': round(f['baseline_no_skill_r2'], 3), 'baseline d0 only: held-out R²': round(f['baseline_d0_r2'], 3), 'held-out R² on log rSS': round(f['holdout_r2_log'], 3), 'training rows': f['n_train'], 'held-out rows': f['n_test']}
if 'archive_vs_planted' in f:
    dev = f['archive_vs_planted']
    summary['archive vs planted rSS: largest |ratio − 1| (synthetic survey)'] = round(dev['max_abs_deviation'], 3)
    summary['archive: largest road effect (planted: none)'] = round(dev['road_effect_max'], 3)
display(pd.Series(summary).to_frame('rSS model'))
display(pipeline.safe_markdown(pipeline.modelling.evidence(metrics)['rss']))

# %%
fig = plots.static(plots.importance_bars(trained.rss.importance) + plots.learning_curve(trained.rss.learning_curve), fig_inches=5)
plots.save_figure(fig, run_dir, '03_rss_forest', 'rSS model (additive, monotone in service): (A) permutation importance of each feature, the drop in held-out R2 on rSS (mean and standard deviation); (B) learning curve, training and cross-validated R2 on rSS against the training rows.')

# %%
fig = plots.static(plots.predicted_vs_observed(trained.rss_predictions, 'observed_rss', 'predicted_rss', title='rSS model: rSS predicted against observed (held-out rows)'), fig_inches=5)
plots.save_figure(fig, run_dir, '03_rss_predictions', 'rSS = d_t / d0 predicted by the rSS model against observed, held-out survey rows, with the 1:1 line.')

# %% [markdown]
# ## EP per m²: the hybrid network and its static-only baseline
#
# Held-out R² of both on the same quarter of the production units. Where the consumption series carry information the static features lack, the hybrid should win; where they carry none, it should not. On synthetic data (the default) the generator decides which: the sentence under the table says what data the numbers come from.

# %%
display(report.readable_table(pd.DataFrame({k: metrics[k] for k in ('ep_hybrid', 'ep_baseline')}).T))
display(pipeline.safe_markdown(pipeline.modelling.evidence(metrics)['ep']))

# %%
history = pd.read_csv(run_dir / 'models' / 'ep_history.csv')
fig = plots.static(plots.training_history(history) + plots.predicted_vs_observed(trained.ep_predictions, 'observed', ['hybrid', 'baseline'], title='EP per m² [EUR/m²/day], held-out units'), fig_inches=5)
plots.save_figure(fig, run_dir, '03_ep_hybrid', 'Hybrid GRU + MLP network for EP per m2: (A) loss per epoch, training and early-stopping validation; (B) predicted against observed EP per m2 [EUR/m2/day] on the held-out units, the hybrid and the static-only baseline.')

# %% [markdown]
# ## The archived tables
#
# rSS and EP per m² by type over water and power satisfaction (road at full service). rSS is the mean of d0 × rSS over the type's surveyed units with nobody displaced, divided by the same at full service, so it is 1 at full service by definition; the EP level at full service is `models.ep_level` (`cited`: the lookup table's published figure, the network giving the service dependence).

# %%
archive = trained.archive
fig = plots.archive_heatmaps(archive, 'rss', fig_inches=3.2)
plots.save_figure(fig, run_dir, '03_archive_rss', 'Archived rSS by building type over water and power satisfaction, road at full service.')

# %%
fig = plots.archive_heatmaps(archive, 'ep_unit', fig_inches=3.2)
plots.save_figure(fig, run_dir, '03_archive_ep_unit', 'Archived EP per m2 by building type over water and power satisfaction, road at full service.')

# %% [markdown]
# Beside the lookup tables (same grid): the ratio trained ÷ table at half water and half power, road at full service.

# %%
from workbench.models.archive import table_archive
table = table_archive()
point = dict(water=0.5, power=0.5, road=1.0)
report.readable_table(pd.DataFrame({v: (archive[v].sel(point) / table[v].sel(point)).to_series() for v in ('rss', 'ep_unit')}).rename(columns=lambda v: f'{v}: trained ÷ table'))
