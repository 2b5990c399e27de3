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
# # 04 · Damage, cascade and recovery
#
# A hazard scenario gives ground motion at every building and component; Hazus fragility curves give damage states, sampled with the run's seed; interdependencies cascade; then crews repair under resource and commitment constraints with the rigid, semiflexible and flexible strategies (METHOD §5, Zhou et al. 2025).

# %% tags=["parameters"]
# Parameters (papermill injects the values of a run)
params_file = ""
run_dir = ""

# %%
import json

import workbench as wb
from workbench import pipeline, plots, report

run_dir = pipeline.open_run(params_file, run_dir)
params = pipeline.read_params(run_dir)
city = pipeline.load_run_city(run_dir)

# %% [markdown]
# ## 1 · Hazard and damage

# %%
damage = pipeline.stage(run_dir, 'damage', city=city)
report.readable_table(wb.damage.damage_table(damage))

# %%
fig = plots.static(plots.damage_map(city, damage['building_damage_state'].isel(realization=0), title='Building damage state (realisation 0)'), fig_inches=8)
plots.save_figure(fig, run_dir, '04_damage_states', f'Hazus damage state of each building of {city.name} (realisation 0 of the scenario; 0 none to 4 complete, with the count of buildings in each), over the streets, water mains and power lines.' + plots.raster_note(city))

# %% [markdown]
# ## 2 · Interdependency cascade
#
# Service satisfaction per network before the event, with each component's own damage only, and after the cascade (pumps need power, co-located components fail together).

# %%
system = wb.system.build_system(city)
report.readable_table(pipeline.cascade_table(system, damage))

# %%
fig = plots.static(plots.services_lost_map(city, pipeline.services_lost(system, damage), title='Networks whose service each building lost after the cascade'), fig_inches=8)
plots.save_figure(fig, run_dir, '04_services_lost', 'Number of networks (water, power, road) whose service each building lost right after the event, once the interdependency cascade has run (realisation 0).' + plots.raster_note(city))

# %% [markdown]
# ## 3 · Critical infrastructure (single points of failure, criticality; METHOD §2)
#
# Single points of failure and the population each cuts off from every source.

# %%
report.readable_table(wb.criticality.single_points_of_failure(system).head(15))

# %% [markdown]
# Node criticality: the population that loses service from a network when that node alone fails.

# %%
report.readable_table(wb.criticality.node_criticality(system).head(10))

# %% [markdown]
# ## 4 · Recovery
#
# Economic productivity EP(t) and service capacity SC(t) relative to before the event, for each strategy, as in Zhou et al. (2025), Fig. 1(b): rigid is the pessimistic bound, flexible the optimistic one (METHOD §5). With several damage realisations, the mean and the 5–95 % band.

# %%
recovery = pipeline.stage(run_dir, 'recovery', city=city, damage=damage).recovery
rec = recovery.isel(realization=0) if 'realization' in recovery.dims else recovery
fig = plots.static(plots.recovery_curves(recovery, 'ep_functionality') + plots.recovery_curves(recovery, 'sc_functionality'), fig_inches=5)
plots.save_figure(fig, run_dir, '04_recovery_curves', 'Economic productivity (A) and service capacity (B) relative to before the event, by recovery strategy.')

# %% [markdown]
# Restoration day of each building under the semiflexible strategy (where it ran), on one sequential scale from the event to the horizon:

# %%
strategy = 'semiflexible' if 'semiflexible' in params['strategies'] else params['strategies'][0]
fig = plots.static(plots.restoration_map(city, recovery, strategy), fig_inches=8)
plots.save_figure(fig, run_dir, '04_restoration_day', f'Day on which each building is restored under the {strategy} strategy (realisation 0); grey crosses: not restored within the {params["horizon_days"]}-day horizon.' + plots.raster_note(city))

# %% [markdown]
# ## 5 · Resilience indexes
#
# Total economic loss (EP-loss integral plus direct repair cost) and cumulative service-capacity loss in person-days, with days to 95 % recovery and functionality at 72 hours (METHOD §4). From `summary.json`.

# %%
summary = json.loads((run_dir / 'summary.json').read_text())
print('functionality:', summary['functionality']['used'])
display(report.indexes_table(summary, keys=list(summary['units'])))
pipeline.safe_markdown(report.lower_bound_note(summary))

# %% [markdown]
# The same damage recovered under the lookup tables and under the trained tables of stage 03 (when it ran):

# %%
report.functionality_table(summary)

# %% [markdown]
# ## 6 · The 4R attributes (Bruneau et al. 2003; Li; METHOD §2)
#
# Robustness (functionality right after the event), redundancy (population served through nodes with two independent paths to a source), resourcefulness (crews and materials per unit of repair work) and rapidity (time to 95 % and mean recovery slope), for each strategy.

# %%
report.readable_table(pipeline.resilience_attributes(run_dir, recovery, city, damage))

# %% [markdown]
# ## 7 · Crews at work
#
# Busy crews per day, and each crew's stints under the semiflexible strategy (a bar ends when the task is done, or when the crew is re-planned after its commitment period).

# %%
fig = plots.static(plots.crews_over_time(rec), fig_inches=5)
plots.save_figure(fig, run_dir, '04_crews_busy', 'Busy repair crews per day, all trades, by recovery strategy (realisation 0).')

# %%
assignments = pipeline.crew_assignments(run_dir)
fig = plots.static(plots.crew_gantt(assignments, strategy), fig_inches=9)
plots.save_figure(fig, run_dir, '04_crew_gantt', f'Stints of each repair crew under the {strategy} strategy, coloured by trade; a dot marks the start of a task.')

# %% [markdown]
# ## 8 · Sweep over crews
#
# The same damage repaired with fewer and more crews: more crews never lose more.

# %%
sweep = pipeline.crew_sweep(run_dir, city, damage)
fig = plots.static(plots.sweep_plot(sweep, 'crews', 'economic_loss') + plots.sweep_plot(sweep, 'crews', 'service_loss_person_days'), fig_inches=5)
plots.save_figure(fig, run_dir, '04_crew_sweep', 'Total economic loss (A) and service-capacity loss (B) of the same damage (realisation 0) with a quarter to four times the crews of every trade, by recovery strategy.')

# %%
report.sweep_table(sweep, 'crews')

# %% [markdown]
# ## 9 · Why the strategies differ: the commitment sweep
#
# Rigid follows a plan fixed before the event — a priority by function class and damage state (`constraints.rigid_plan`: emergency and critical facilities, housing, business) applied as inspections find the damage — and holds its crews to completion. Semiflexible re-plans every day on what inspections have revealed, with crews committed for `commitment_days`, and pays the impeding delays (REDi: inspection, engineering, permits, financing) and a mobilisation day whenever a crew starts a task. Flexible is the optimistic bound: the true damage at once, no delays, no mobilisation, no commitment. The same damage (realisation 0) recovered by semiflexible with commitment periods from none to completion:

# %%
commitment = pipeline.commitment_sweep(run_dir, city, damage)  # commitment_sweep.csv
fig = plots.static(plots.sweep_plot(commitment, 'commitment_days', 'economic_loss') + plots.sweep_plot(commitment, 'commitment_days', 'service_loss_person_days'), fig_inches=5)
plots.save_figure(fig, run_dir, '04_commitment_sweep', 'Total economic loss (A) and service-capacity loss (B) of the semiflexible strategy on the same damage (realisation 0) with crews committed for 0 days up to completion.')

# %%
report.sweep_table(commitment, 'commitment_days')

# %% [markdown]
# ## People in the recovery
#
# Household and business agents on the same recovery (realisation 0): who leaves home, where to, when they come back, which businesses open; the emergency supplies the displaced need over the roads as they reopen, and how many people each warning channel reaches given the power state (METHOD §5, `workbench.response`). The run's indexes above stay the recovery's; the agents' are shown beside them (`response.json`, `response.nc`, `supplies.nc`, `warning.nc`).

# %%
from workbench.run.pipeline import response
people = pipeline.stage(run_dir, 'response', city=city, damage=damage)
if not people:
    print(people)
else:
    display(response.comparison_table(people.summary))
    display(pipeline.safe_markdown(response.CAVEAT))

# %%
if people:
    s = 'semiflexible' if 'semiflexible' in params['strategies'] else params['strategies'][0]
    fig = plots.static(plots.household_states(people.agents, s), fig_inches=7)
    display(plots.save_figure(fig, run_dir, '04_household_states', f'Residents by where they are (at home, in a public or temporary shelter, elsewhere in the city or with family, unsheltered) over the recovery under the {s} strategy, from the household agents.'))
    w = people.summary['warning']
    print('warning reach after 1 hour: ' + ', '.join(f'{c} {v:.0%}' for c, v in w['reach_1h'].items()) + f"; any channel {w['reach_any_1h']:.0%}")

# %% [markdown]
# What moves the agents' service loss is measured, not asserted: the same realisation under the same strategy, recovered once, with the agents' mechanisms switched off one at a time and then all at once (`workbench.response.agents_decomposition`, METHOD §5.4). `gap_closed` is the share of the difference between the agents and the recovery that a switch removes; with everything off the agents give the recovery's figures up to the day-0 draws.

# %%
if people:
    from workbench.response import agents_decomposition
    from workbench.run.pipeline.modelling import functionality_of
    from workbench.run.pipeline.stages import mitigated, realization
    city_m, system_m, _, shelters = mitigated(params, city)
    parts = agents_decomposition(city_m, system_m, realization(damage, 0), realization(recovery, 0).sel(strategy=[s]), shelters=shelters, functionality=functionality_of(params, pipeline.load_trained_archive(run_dir)), seed=people.summary['seed'])
    display(report.readable_table(parts))
