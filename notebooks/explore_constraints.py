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
# # Explore the constraints
#
# Change the repair crews, the materials budget, the commitment of crews, the strategies, the earthquake and the seed, and watch the recovery curves, the resilience indexes and the map of restoration days move (method: `docs/METHOD.md` §4–§5). Damage is kept per hazard setting, so a change of constraints re-runs the recovery only.
#
# The box *Parameter file* holds the current settings as a file `workbench run` accepts: save it and `workbench run dashboard.yaml` writes the full report with the same numbers.
#
# Run all cells (in JupyterLab: *Run → Run All Cells*); for a workshop, `workbench serve [PARAMS.yaml]` serves this page on http://127.0.0.1:8866 with a kernel per visitor. Not part of the report run.

# %%
import os

from workbench.run.dashboard import Dashboard

# workbench serve passes its parameter file, run folder and save folder; opened by hand: the demo city
env = os.environ.get
dashboard = Dashboard.from_file(env("WORKBENCH_DASHBOARD_PARAMS") or None,
                                run_dir=env("WORKBENCH_DASHBOARD_RUN") or None,
                                save_dir=env("WORKBENCH_DASHBOARD_SAVE_DIR") or None)
dashboard.widget
