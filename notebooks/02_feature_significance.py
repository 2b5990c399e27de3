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
# # 02 · Feature significance
#
# Which survey features change per-capita resource consumption after an event, rSS = d_t / d0 (METHOD §6, Zhou et al. 2025 §1.2)? Each feature is tested **given the others**: one linear model of log rSS on every feature at once (a category as its levels, a number as a cubic spline), and per feature the partial F-test that its coefficients are zero, with partial η² as effect size and a multiple-testing correction across features (`models.correction`); a feature is selected when its adjusted p is below `models.alpha`. The selected features feed the random forest of stage 03.
#
# Why not one feature at a time: a feature with no effect of its own differs between groups whenever it follows a feature that has one. On synthetic surveys (`workbench.models.survey.synthetic_survey`, 600 rows, seeds 0–59) where education follows income as it does in real surveys, the one-at-a-time selection of earlier versions picked the null `education` in 60 of 60 surveys; the test given the others picks it in 1 of 60. The one-at-a-time tests (Welch, ANOVA, Kruskal–Wallis, with their effect sizes and assumption checks) are kept below as a **description** of the survey; they select nothing.

# %% tags=["parameters"]
# Parameters (papermill injects the values of a run)
params_file = ""
run_dir = ""

# %%
import pandas as pd

import workbench as wb
from workbench import pipeline, plots, report

run_dir = pipeline.open_run(params_file, run_dir)
params = pipeline.read_params(run_dir)

# %% [markdown]
# ## The survey
#
# The table `models.survey` names, or — when it is `null` — the **synthetic** demo survey: a documented generator with planted effects and null features (`workbench.models.survey`), not a real survey. The tests use only the rows the rSS forest of stage 03 trains on (three quarters); the quarter held out to score the forest plays no part in choosing its features.

# %%
survey = pipeline.modelling.survey_data(params)
print(survey.attrs.get('source', 'file: ' + wb.show.formatting.short_path(params['models']['survey'])))
report.readable_table(survey.describe(include='all').T)

# %% [markdown]
# ## Tests given the other features (these select)
#
# One row per feature: the partial F-test in the joint model of log rSS (`partial_f`), on `df_num` (the feature's columns) and `df_den` (residual) degrees of freedom; `effect_size` is the partial η², the share of the variance left by the other features that this one explains. No normality pre-test decides the test. The p-values of all features are corrected as one family.

# %%
table = pipeline.stage(run_dir, 'significance')
conditional = table[table['primary']].set_index('feature')
print(f"{int(conditional['n'].iloc[0])} survey rows (the forest's training rows), test: {', '.join(conditional['test'].unique())}")
report.readable_table(conditional[['n', 'df_num', 'df_den', 'statistic', 'p', 'p_adj', 'effect_size', 'selected']])

# %%
bars = plots.effect_sizes(table.assign(effect_size_name='partial η²')).opts(title='partial η² of each feature given the others (joint model of log rSS)', backend='matplotlib')
fig = plots.static(bars, fig_inches=7)
plots.save_figure(fig, run_dir, '02_effect_sizes', 'Partial eta squared of each survey feature given the other features (partial F-test in a joint model of log rSS), the features selected for the rSS forest marked.')

# %% [markdown]
# ## Selected features

# %%
from workbench.models.significance import select_features
print('selected:', ', '.join(select_features(table)) or 'none')

# %% [markdown]
# ## Where the survey is synthetic: the ground truth
#
# The generator's planted effects (True) and null features (False); a sound selection finds the first and not the second. This checks the method on synthetic data only: on a real survey there is no ground truth.

# %%
from workbench.models.survey import SURVEY_GROUND_TRUTH
if params['models']['survey'] is None:
    chosen = set(select_features(table))
    display(pd.DataFrame({'planted effect': SURVEY_GROUND_TRUTH, 'selected': {f: f in chosen for f in SURVEY_GROUND_TRUTH}}))

# %% [markdown]
# ## Description: each feature alone (these select nothing)
#
# Each feature against rSS by itself, grouped by level or by quartile (a median split for Welch): Welch's t-test, one-way ANOVA and Kruskal–Wallis with Cohen's d, η² and ε², and, for reading, the Shapiro–Wilk (`normality_p`, smallest over the groups) and Levene (`equal_variance_p`) checks; p-values are corrected within each test's family. A feature can differ here only because it follows one that matters: on a real survey, compare with the table above before reading a difference as an effect. The tidy table, with every column, is `significance.csv` (`scope`: conditional or marginal).

# %%
marginal = table[table['scope'] == 'marginal']
report.readable_table(marginal.set_index(['feature', 'test'])[['groups', 'n', 'statistic', 'p', 'p_adj', 'effect_size', 'effect_size_name', 'normality_p', 'equal_variance_p']])
