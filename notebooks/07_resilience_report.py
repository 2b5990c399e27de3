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
#   workbench:
#     hide_code: true
# ---

# %% [markdown]
# # 07 · Resilience report
#
# What this run says, for reading: the indexes of METHOD §4 from `summary.json` — total economic loss [EUR] and cumulative service-capacity loss [person-days], absolute and per m² of floor area — the recovery curves from `recovery.nc`, and what the simulated horizon leaves open. The code that made this page is in `07_resilience_report.ipynb` beside it; every figure is also in `figures/` (PNG at 300 dpi, SVG, caption).

# %% tags=["parameters"]
# Parameters (papermill injects the values of a run)
params_file = ""
run_dir = ""

# %%
import json

import pandas as pd
import xarray as xr

import workbench as wb
from workbench import pipeline, plots, report

run_dir = pipeline.open_run(params_file, run_dir)
params = pipeline.read_params(run_dir)

# %%
summary = json.loads((run_dir / 'summary.json').read_text())
display(pipeline.safe_markdown(report.first_screen(params, summary)))
display(pipeline.safe_markdown(report.policy_summary(summary)))
pipeline.safe_markdown(pipeline.data_quality(run_dir))

# %% [markdown]
# ## Indexes by strategy

# %%
display(report.indexes_table(summary))
pipeline.safe_markdown(report.lower_bound_note(summary))

# %% [markdown]
# ## Why flexible is lower: the limits it ignores
#
# The gap between semiflexible and flexible split by cause: flexible with one limit added at a time — impeding delays, information, commitment, switching — until it is semiflexible (`summary.json`, `strategy_gap`; METHOD §5.3).

# %%
gap = report.gap_table(summary)
if gap is None:
    print('This run does not compare semiflexible with flexible.')
else:
    display(pipeline.safe_markdown(report.gap_sentence(summary)))
    display(report.readable_table(gap))

# %% [markdown]
# ## Recovery curves
#
# Economic productivity and service capacity relative to before the event, one line per strategy (Zhou et al. 2025, Fig. 1(b)); where stage 04 ran it, the loss of the semiflexible strategy against the commitment period of its crews.

# %%
recovery = xr.open_dataset(run_dir / 'recovery.nc', engine='h5netcdf')
commitment = pipeline.read_commitment_sweep(run_dir)
panels = (plots.recovery_curves(recovery, 'ep_functionality') + plots.recovery_curves(recovery, 'sc_functionality'))
if commitment is not None:
    panels = panels + plots.sweep_plot(commitment, 'commitment_days', 'economic_loss')
fig = plots.static(panels.cols(3), fig_inches=4.2)
plots.save_figure(fig, run_dir, '07_recovery_curves', report.recovery_caption(summary, commitment is not None))

# %% [markdown]
# ## Uncertainty: the indexes over the ensemble, and the best strategy
#
# From stage 05 (`uncertainty.json`): each index's mean and 5–95 % range over the ensemble members, the posterior probability that each strategy's typical (median-member) loss is the lowest, and the share of members in which it was lowest. Flexible is the optimistic bound (no information or implementation limits), not a plan a city can adopt.

# %%
path = run_dir / 'uncertainty.json'
if path.exists():
    u = json.loads(path.read_text())
    display(pipeline.safe_markdown(report.uncertainty_summary(u)))
    for warning in u.get('sampling_warnings', []):
        display(pipeline.safe_markdown(f'**Warning:** {warning}'))
    display(report.uncertainty_table(u))
    ens = xr.open_dataset(run_dir / 'ensemble.nc', engine='h5netcdf')
    display(plots.save_figure(plots.static(plots.recovery_curves(ens, 'ep_functionality') + plots.recovery_curves(ens, 'sc_functionality'), fig_inches=4.5), run_dir, '07_ensemble_curves', f'Economic productivity (A) and service capacity (B) relative to before the event: mean and 5-95 % band over {u["members"]} ensemble members (uncertain fragility, repair time, crew productivity and productivity per m2), by recovery strategy.'))
else:
    display(pipeline.safe_markdown('Stage 05 made no ensemble in this run, so the numbers above come without a range.'))

# %% [markdown]
# ## What to invest in before the disaster
#
# From stage 06 (`mitigation.json`, `mitigation.csv`): the mitigation options ranked by benefit–cost ratio over an ensemble, every option on the same members as the baseline.

# %%
path = run_dir / 'mitigation.json'
if path.exists():
    m = json.loads(path.read_text())
    display(pipeline.safe_markdown(wb.mitigation.ranking_summary(m)))
    display(wb.mitigation.ranking_table(pd.read_csv(run_dir / 'mitigation.csv')))
    if m.get('value_sensitivity'):
        display(pipeline.safe_markdown('The value of a person-day of lost service has no published source and carries much of some options\' benefit (an assumption). The ranking at 25, 50 and 100 EUR per person-day — each cell the rank, then the benefit–cost ratio or, without an annual probability, the break-even return period:'))
        display(report.readable_table(wb.mitigation.sensitivity_table(m['value_sensitivity'])))
else:
    display(pipeline.safe_markdown('Stage 06 ranked no mitigation options in this run (`mitigation.members` is 0, or the damage comes from a table).'))

# %% [markdown]
# ## What the horizon leaves open
#
# Losses are integrated up to the horizon. Where recovery is not complete by then, this table says what is still unrestored and the loss still accruing per day, which the totals above do not include: they are lower bounds.

# %%
report.horizon_table(summary)

# %% [markdown]
# ## Lookup tables and trained tables, side by side
#
# Which functionality produced the numbers above is `models.functionality`; below, the indexes of the same damage under both (the trained tables come from stage 03; where its data are synthetic, so are they).

# %%
table = report.functionality_table(summary)
display(pipeline.safe_markdown(f"The numbers above come from the **{summary['functionality']['used']}** functionality."))
table if table is not None else pipeline.safe_markdown('Stage 03 did not run: no trained tables to compare.')

# %% [markdown]
# ## Assumptions
#
# Every result-driving constant that is not read from a cited table, with its status: *cited* (a published figure) or *assumption* (a workbench choice, with the reason). All money is in EUR at 2024 prices.

# %%
from workbench.core.assumptions import assumptions_table
report.text_table(assumptions_table())

# %% [markdown]
# How much the service index and the days displaced move with the shelter assumptions, one changed at a time on the first realisation (the defaults are assumptions; METHOD §3):

# %%
sensitivity = report.shelter_sensitivity_table(summary)
report.text_table(sensitivity) if sensitivity is not None else pipeline.safe_markdown('No shelter sensitivity in this run.')

# %% [markdown]
# ## Reproducibility
#
# Parameters, package versions, input hashes and the git commit of this run are in `manifest.json`; the same parameter file (`params.yaml`, with the full paths this page shortens) gives the same numbers.

# %%
print(report.parameters_text(params))
