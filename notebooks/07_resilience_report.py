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
# # Resilience report
#
# What this run found, the answer first: the scenario, the losses with their ranges, what the recovery strategies stand for and what to invest in; then the indexes by strategy, where the damage is, what limited the recovery, the recovery curves, the uncertainty, the mitigation options and every assumption behind the numbers. Each figure is also in the run's figures folder (PNG at 300 dpi, SVG and its caption).

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
optional = {name: pipeline.read_result(run_dir, name) for name in ('uncertainty', 'mitigation', 'validation')}
display(pipeline.safe_markdown(report.first_screen(params, summary, optional['uncertainty'], optional['mitigation'])))
display(pipeline.safe_markdown(report.policy_summary(summary)))
pipeline.safe_markdown(pipeline.data_quality(run_dir))

# %% [markdown]
# ## Indexes by strategy

# %%
display(report.indexes_table(summary))
display(pipeline.safe_markdown(report.lower_bound_note(summary)))
display(pipeline.safe_markdown('**Recovery goals**: the day each index is back to 90 % and 95 % of its level before the event, and to stay (beside the integrals above; the form of recovery goals in NIST-style planning).'))
display(report.indexes_table(summary, keys=[k for k in report.GOAL_KEYS if k in next(iter(summary['strategies'].values()))]))
pipeline.safe_markdown('**How each index is counted** (T is the horizon, t the day after the event, EP₀ the economic productivity before it):\n\n' + report.definitions_markdown(summary))

# %% [markdown]
# ## Why flexible is lower: the limits it ignores
#
# The gap between semiflexible and flexible split by cause: flexible with one limit added at a time — impeding delays, information, commitment, switching — until it is semiflexible.

# %%
gap = report.gap_table(summary)
if gap is None:
    print('This run does not compare semiflexible with flexible.')
else:
    display(pipeline.safe_markdown(report.gap_sentence(summary)))
    display(report.readable_table(gap))

# %% [markdown]
# ## Where the damage is, and when each building is back
#
# Left, the damage state of each building in the scenario's first damage realisation; right, the day each building is restored under the realistic planner (semiflexible) — over the streets, water mains and power lines.

# %%
city = pipeline.load_run_city(run_dir)
damage_state = xr.open_dataset(run_dir / 'damage.nc', engine='h5netcdf')['building_damage_state']
shown = 'semiflexible' if 'semiflexible' in summary['strategies'] else next(iter(summary['strategies']))
recovery = xr.open_dataset(run_dir / 'recovery.nc', engine='h5netcdf')
maps = plots.damage_map(city, damage_state.isel(realization=0), title='Building damage state') + plots.restoration_map(city, recovery, shown)
plots.save_figure(plots.static(maps.cols(2).opts(hspace=0.9, backend='matplotlib'), fig_inches=6), run_dir, '07_map', f'Building damage state (A; Hazus states 0 none to 4 complete, first damage realisation) and the day each building is restored under the {shown} strategy (B; grey: not within the horizon), over the streets, water mains and power lines; distances in km.' + plots.raster_note(city))

# %% [markdown]
# ## What limited the recovery
#
# Crews by trade under the realistic planner: how many were available, how many worked at once at most, on how many days all of them did — and so what a change of their number does. Where crews never all worked at once, the repairs waited for something else (inspections, financing, permits, a network upstream), and more crews change nothing.

# %%
assignments = pipeline.crew_assignments(run_dir)
display(report.readable_table(report.limits_table(assignments, params['constraints']['crews'], shown)))

# %% [markdown]
# ## Recovery curves
#
# Economic productivity and service capacity relative to before the event, one line per strategy (Zhou et al. 2025, Fig. 1(b)); where stage 04 ran it, the loss of the semiflexible strategy against the commitment period of its crews.

# %%
commitment = pipeline.read_commitment_sweep(run_dir)
panels = (plots.recovery_curves(recovery, 'ep_functionality') + plots.recovery_curves(recovery, 'sc_functionality'))
if commitment is not None:
    panels = panels + plots.sweep_plot(commitment, 'commitment_days', 'economic_loss')
fig = plots.static(panels.cols(3), fig_inches=4.2)
plots.save_figure(fig, run_dir, '07_recovery_curves', report.recovery_caption(summary, commitment is not None))

# %% [markdown]
# ## Uncertainty: the indexes over the ensemble, and the best strategy
#
# From the ensemble of stage 05: each index's mean and 5–95 % range over the ensemble members, the posterior probability that each strategy's typical (median-member) loss is the lowest, and the share of members in which it was lowest. Flexible is the optimistic bound (no information or implementation limits), not a plan a city can adopt.

# %%
u = optional['uncertainty']
if u:
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
# From stage 06: the mitigation options ranked by benefit–cost ratio over an ensemble, every option on the same members as the baseline.

# %%
m = optional['mitigation']
if m:
    display(pipeline.safe_markdown(wb.mitigation.ranking_summary(m)))
    display(report.readable_table(wb.mitigation.ranking_table(pd.read_csv(run_dir / 'mitigation.csv'))))
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
# ## Checked against real earthquakes
#
# Stage 06 sets this run's lifeline restoration beside restoration observed after real earthquakes (a table bundled with the workbench, every number with its source). A check of plausibility, not a calibration: the observed events are other cities, networks and crews. Its page, with the curves and every event, is [06 · Validation](06_validation.html).

# %%
display(pipeline.safe_markdown(report.validation_text(optional['validation']) if optional['validation']
                               else 'Stage 06 (validation) did not run: nothing to compare with observed events.'))
validation_figure = run_dir / plots.FIGURES_DIR / '06_validation.png'
if validation_figure.exists():
    from IPython.display import Image
    display(Image(filename=str(validation_figure), width=900))

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
# Every constant that drives a result, with its status: *cited* (a published figure or table, with its source) or *assumed* (a workbench choice, with the reason). All money is in EUR at 2024 prices.

# %%
report.text_table(report.assumptions_words(hazard=[params['hazard']['kind']] + [e['hazard']['kind'] for e in params.get('events', [])]))

# %% [markdown]
# How much the service index and the days displaced move with the shelter assumptions, one changed at a time on the first realisation (the defaults are assumptions; METHOD §3):

# %%
sensitivity = report.shelter_sensitivity_table(summary)
report.text_table(sensitivity) if sensitivity is not None else pipeline.safe_markdown('No shelter sensitivity in this run.')

# %% [markdown]
# ## Reproducibility
#
# The same parameters give the same numbers: [params.yaml](params.yaml) holds every parameter of this run (`workbench run params.yaml` replays it), and [manifest.json](manifest.json) the package versions, input hashes and git commit. The seed of this run:

# %%
pipeline.safe_markdown(f"Seed **{params['seed']}**, {params['realizations']} damage realisation(s), a horizon of {params['horizon_days']:,} days.")
