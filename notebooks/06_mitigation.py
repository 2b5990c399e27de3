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
# What to invest in before the disaster. Each option of `mitigation.options` — a seismic retrofit of chosen buildings (a better Hazus design level), backup power at the water pumps, crews held in reserve for the first weeks, temporary shelter places — and each combination runs against the baseline on the same ensemble members (common random numbers: the same uncertain inputs, damage draws and recovery seeds), so a member's avoided loss is the option's own effect. Benefit = avoided economic loss + a value per person-day × avoided service loss + displacement priced per day as FEMA's benefit–cost analysis does (lodging and meals for each person-day displaced outside a public shelter, running costs for each occupied shelter place-day). That benefit is the avoided loss *if the event happens*. A benefit–cost ratio needs how often it happens: only when `mitigation.annual_probability` p is given is it computed, as FEMA's benefit–cost analysis does, as a present value over the option's service life T at the discount rate r, BCR = p × avoided loss × AF / present cost, AF = (1 − (1 + r)^−T) / r, present cost = up-front cost + (recurring cost + p × cost in an event) × AF. Without p the stage gives the avoided loss per event and the break-even return period, the return period at which the ratio would be 1 (METHOD §8). Costs follow each kind's stated cost model (up front, per year, in an event, a service life; all assumptions of the registry) unless an option gives its own.

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
# Without an annual probability: by break-even return period (an option pays if the event recurs at least that often; the 5–95 % range from the members' avoided losses). With one: by mean benefit–cost ratio over the members, with its 5–95 % range; *P(worth it)*: the share of members in which the option's present benefit exceeds its present cost.

# %%
if result:
    display(report.readable_table(wb.mitigation.ranking_table(result.ranking)))
    display(pipeline.safe_markdown(wb.mitigation.ranking_summary(result.summary)))

# %% [markdown]
# ## The dominant assumption: the value of a person-day
#
# The value of a person-day of service loss has no published source and carries most of some options' benefit; the ranking again at 25, 50 and 100 EUR per person-day (rank, and the benefit–cost ratio or the break-even return period).

# %%
if result:
    display(report.readable_table(wb.mitigation.sensitivity_table(result.summary['value_sensitivity'])))

# %% [markdown]
# ## Cost against avoided loss
#
# Each option's cost per year (its up-front cost annualised over its life at the discount rate, plus its recurring cost) against what it avoids if the event happens, less its cost in an event, with the members' 5–95 % range. The dashed lines are return periods: an option above the line of T years breaks even if the event recurs at least once every T years. With an annual probability, its return period is the solid line.

# %%
if result:
    fig = plots.static(plots.mitigation_plot(result.ranking, params['mitigation']['annual_probability']), fig_inches=6)
    display(plots.save_figure(fig, run_dir, '06_mitigation', 'Mitigation options: cost per year (up-front cost annualised over the option\'s life, plus recurring cost) against the mean avoided loss if the event happens less the option\'s cost in an event, with the ensemble members\' 5-95 % range; above the line of T years an option breaks even if the event recurs at least once every T years.'))

# %% [markdown]
# ## What the pairing buys
#
# Half-width of the 90 % interval of the mean avoided economic loss: with common random numbers (as run) and as independent runs of the baseline and the option would give it (their members' variances added).

# %%
if result:
    display(report.readable_table(result.ranking.set_index('option')[['avoided_loss_ci90_crn', 'avoided_loss_ci90_independent']].div(1e6).rename(columns={'avoided_loss_ci90_crn': 'common random numbers [EUR M]', 'avoided_loss_ci90_independent': 'independent runs [EUR M]'})))
