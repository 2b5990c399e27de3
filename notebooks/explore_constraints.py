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
# # After the disaster: how fast does the city recover?
#
# This page simulates a disaster in a model city — an earthquake, or the flood its parameter file names — and the months of repairs that follow. On the right you see how much of the city's economic activity (EP) and of its services to residents (SC) is back, day by day, the losses in a table, and a map of the day each building is repaired (point at a building for its details).
#
# **What you can move** (on the left): the number of repair crews of each trade, the money for materials per day, how long a crew stays on a job before it may be moved, the hazard (an earthquake's strength and place, or a flood's water level), and which planning strategies are compared. Every change recomputes the page; while it does, the page says *Recomputing…* and the controls wait.
#
# **The three strategies**
#
# - **rigid** — a fixed plan made before the event (utilities first, then buildings by a set order), never revised.
# - **semiflexible** — the realistic planner: it re-plans every day with what is known so far, buildings must be inspected before they are repaired, repairs wait for engineering, permits and financing, and crews stay on a job for a while.
# - **flexible** — the optimistic bound: the same daily planning as if every damage were known on day one, with no waiting and crews moved freely. No one can choose it; it shows what better information and faster decisions could be worth. Where it does not come out lowest, the page says why.
#
# The box *Parameter file* holds your settings; *save parameter file* keeps them, so the organisers can rerun your case in full.

# %%
import os

from workbench.run.dashboard import Dashboard

# workbench serve passes its parameter file, run folder and save folder; opened by hand: the demo city
env = os.environ.get
dashboard = Dashboard.from_file(env("WORKBENCH_DASHBOARD_PARAMS") or None,
                                run_dir=env("WORKBENCH_DASHBOARD_RUN") or None,
                                save_dir=env("WORKBENCH_DASHBOARD_SAVE_DIR") or None)
dashboard.widget
