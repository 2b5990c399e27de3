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
# # 06 · Validation against observed lifeline restoration
#
# Observed restoration after real earthquakes has one shape: power comes back in days, water in weeks, gas in one to three months. This stage holds the run's lifeline restoration against a table of observed events bundled with the workbench (`data/validation/lifeline_restoration.csv`: every row with its source, and whether the number was read in a stored copy of that source; `data/validation/README.md` says how it was built). From `recovery.nc` it derives, per strategy, the share of customers (buildings mapped to a network) served by each network on each day, and the *restored fraction*: the share of the customers who lost service on day 0 that are served again, which is what utilities report. Days to 80, 90 and 95 %, the ordering power < water (≤ gas) in days to 90 %, and a band check stated as a band, not a fit: the simulated days to 90 % power within a factor of 2 of the observed ones for at least three quarters (and at least 3) of the comparable events (moment magnitude ≤ 7.0). The observed events are other cities, networks and crews: a miss says the run falls outside what real events span, and the text below says why where it can. The workbench has no gas network; gas rows enter the observed ordering only (METHOD §11). Results: `validation.json`, `validation_curves.csv`, and the `validation` entry of `summary.json`.

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
result = pipeline.stage(run_dir, 'validation')
if not result:
    print(result)

# %% [markdown]
# ## The observed table
#
# Rows and events, how many numbers were read in a stored source here (`verified_here`), and per event the days to 80/90/95 % from the verified rows (linear interpolation between observed points; "upper" when the first point is already above the level, so the day is a bound).

# %%
if result:
    facts = result.summary['table']
    print(f"{facts['rows']} rows over {facts['events']} events; {facts['verified_rows']} read in a stored source; "
          f"by lifeline: {facts['by_lifeline']}")
    obs = pd.DataFrame(result.summary['observed'])
    display(report.readable_table(obs[['event', 'magnitude', 'lifeline', 'basis', 'points', 't80', 't80_bound',
                                       't90', 't90_bound', 't95', 't95_bound']].fillna('')))

# %% [markdown]
# ## This run: days to 80, 90 and 95 % by network and strategy
#
# Of the restored fraction (customers who lost service on day 0, served again), mean over realisations; "no outage" when no customer of the network lost service.

# %%
if result:
    rows = []
    for s, nets in result.summary['simulated'].items():
        for net, v in nets.items():
            rows.append({'strategy': s, 'network': net, 'customers': v['customers'],
                         'served on day 0': round(v['served_day0'], 3),
                         **{k: (v[k] if v[k] is not None else v[f'{k}_status']) for k in ('t80', 't90', 't95')}})
    display(report.readable_table(pd.DataFrame(rows)))

# %% [markdown]
# ## Ordering and band check

# %%
if result:
    order, band = result.summary['ordering'], result.summary['band']
    for s, o in order['simulated'].items():
        print(f"{s}: power < water in days to 90 %: {o['result']} (power {o['power_t90']}, water {o['water_t90']}: {o['why']})")
    for e, o in order['observed'].items():
        print(f"observed, {e}: {o['result']} {o['t90']}")
    print()
    print('Band:', band['rule'])
    rows = [{'strategy': s, **e} for s, b in band['strategies'].items() for e in b['events']]
    display(report.readable_table(pd.DataFrame(rows).fillna('')))
    for s, b in band['strategies'].items():
        print(f"{s}: {b['in_band']} of {b['compared']} events in the band: {'passes' if b['passed'] else 'does not pass'}")
    for c in result.summary['caveats']:
        print('-', c)

# %% [markdown]
# ## The curves beside the observed points
#
# Restored fraction by strategy (steps) and the observed points of the verified rows, one marker per event; a white face marks a share of all customers rather than of those who lost service.

# %%
if result:
    fig = plots.static(plots.validation_curves(result.curves, result.observed), fig_inches=7)
    display(plots.save_figure(fig, run_dir, '06_validation', 'Lifeline restoration: the share of the customers who lost service on day 0 that are served again, by strategy (this run, mean over realisations), beside the points observed after real earthquakes (rows of data/validation/lifeline_restoration.csv read in a stored source; white face: share of all customers). Power days 0-14, water days 0-120.'))
