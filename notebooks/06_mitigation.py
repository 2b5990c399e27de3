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
# # 06 · Mitigation
#
# What to invest in before the disaster. Each option of `mitigation.options` — a seismic retrofit of chosen buildings (a better Hazus design level), backup power at the water pumps, crews held in reserve for the first weeks, temporary shelter places — and each combination runs against the baseline on the same ensemble members (common random numbers: the same uncertain inputs, damage draws and recovery seeds), so a member's avoided loss is the option's own effect. Benefit = avoided economic loss + a value per person-day × avoided service loss + displacement priced per day as FEMA's benefit–cost analysis does (lodging and meals for each person-day displaced outside a public shelter, running costs for each occupied shelter place-day); the benefit–cost ratio is per event, or a present value when `mitigation.annual_probability` is given (METHOD §8). Costs follow each kind's stated cost model unless an option gives its `cost`.

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

# %%
result = pipeline.stage(run_dir, 'mitigation')
if not result:
    print(result)

# %% [markdown]
# ## The options

# %%
display(report.readable_table(pd.DataFrame(params['mitigation']['options']).fillna('')))
if result and result.summary['skipped']:
    print('Default options that cannot act on this city, skipped:')
    for name, why in result.summary['skipped'].items():
        print(f'  {name}: {why}')

# %% [markdown]
# ## Ranking
#
# By mean benefit–cost ratio over the members, with its 5–95 % range; *P(worth it)*: the share of members in which the option's benefit exceeds its cost.

# %%
if result:
    display(wb.mitigation.ranking_table(result.ranking))
    display(pipeline.safe_markdown(wb.mitigation.ranking_summary(result.summary)))

# %% [markdown]
# ## Cost against benefit
#
# Each option's cost and its mean benefit (avoided economic loss plus the valued person-days) with the members' 5–95 % range; above the diagonal an option's benefit–cost ratio exceeds 1.

# %%
if result:
    fig = plots.static(plots.mitigation_plot(result.ranking), fig_inches=6)
    display(plots.save_figure(fig, run_dir, '06_mitigation', 'Mitigation options: cost against mean benefit (avoided economic loss plus valued person-days, per event unless a present value is asked for) with the ensemble members\' 5-95 % range; above the diagonal the benefit-cost ratio exceeds 1.'))

# %% [markdown]
# ## What the pairing buys
#
# Half-width of the 90 % interval of the mean avoided economic loss: with common random numbers (as run) and as independent runs of the baseline and the option would give it (their members' variances added).

# %%
if result:
    display(report.readable_table(result.ranking.set_index('option')[['avoided_loss_ci90_crn', 'avoided_loss_ci90_independent']].div(1e6).rename(columns={'avoided_loss_ci90_crn': 'common random numbers [EUR M]', 'avoided_loss_ci90_independent': 'independent runs [EUR M]'})))
