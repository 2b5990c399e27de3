# ---
# jupyter:
#   jupytext:
#     notebook_metadata_filter: workbench
#     text_representation:
#       extension: .py
#       format_name: percent
#       format_version: '1.3'
#       jupytext_version: 1.19.6
#   kernelspec:
#     display_name: Python 3
#     language: python
#     name: python3
# ---

# %% [markdown]
# # 02 · Feature significance
#
# Which survey features change per-capita resource consumption after an event, rSS = d_t / d0 (METHOD §6, Zhou et al. 2025 §1.2)? Per feature: a Welch t-test (two groups), one-way ANOVA and Kruskal–Wallis (k groups), assumption checks (Shapiro–Wilk normality, Levene equal variance), effect sizes (Cohen's d, η², ε²) and a multiple-testing correction across features (`models.correction`). The selected features feed the random forest of stage 03.

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
# The table `models.survey` names, or — when it is `null` — the **synthetic** demo survey: a documented generator with planted effects and null features (`workbench.models.survey`), not a real survey.

# %%
survey = pipeline.modelling.survey_data(params)
print(survey.attrs.get('source', 'file: ' + wb.show.formatting.short_path(params['models']['survey'])))
report.readable_table(survey.describe(include='all').T)

# %% [markdown]
# ## Tests
#
# One row per feature and test. Each feature has one *primary* test — the parametric one (Welch for two groups, ANOVA for more) when every group passes the normality check and (for ANOVA) the equal-variance check, Kruskal–Wallis otherwise; the primary p-values of all features are corrected as one family, and a feature is selected when its adjusted p is below `models.alpha`.

# %%
table = pipeline.stage(run_dir, 'significance')
report.readable_table(table[table['primary']].set_index('feature')[['test', 'groups', 'n', 'statistic', 'p', 'p_adj', 'effect_size', 'effect_size_name', 'normality_p', 'equal_variance_p', 'selected']])

# %%
fig = plots.static(plots.effect_sizes(table), fig_inches=7)
plots.save_figure(fig, run_dir, '02_effect_sizes', 'Effect size of the primary test of each survey feature (Cohen d, ANOVA eta squared or Kruskal-Wallis epsilon squared), the features selected for the rSS forest marked.')

# %% [markdown]
# ## Selected features

# %%
from workbench.models.significance import select_features
print('selected:', ', '.join(select_features(table)) or 'none')

# %% [markdown]
# ## Where the survey is synthetic: the ground truth
#
# The generator's planted effects (True) and null features (False); a sound selection finds the first and not the second.

# %%
from workbench.models.survey import SURVEY_GROUND_TRUTH
if params['models']['survey'] is None:
    chosen = set(select_features(table))
    display(pd.DataFrame({'planted effect': SURVEY_GROUND_TRUTH, 'selected': {f: f in chosen for f in SURVEY_GROUND_TRUTH}}))

# %% [markdown]
# All tests: every test of every feature (non-primary p-values are corrected within their own test's family); the normality and equal-variance checks are in the table above. The tidy table, with every column, is `significance.csv`.

# %%
report.readable_table(table.set_index(['feature', 'test'])[['n', 'statistic', 'p', 'p_adj', 'effect_size', 'effect_size_name', 'primary', 'selected']])
