"""Stages 02 and 03: the data-driven half of the functionality method (METHOD §6).

* :mod:`.survey` — the survey table (schema, reader, documented synthetic generator);
* :mod:`.significance` — per-feature significance tests with multiple-testing correction;
* :mod:`.production` — the production table (static features and resource-consumption series);
* :mod:`.hybrid` — the hybrid RNN + MLP regressor of EP per m² (PyTorch);
* :mod:`.forest` — the random forest of per-capita consumption d_t (rSS = d_t / d0);
* :mod:`.archive` — trained models evaluated into functionality tables that a
  :class:`~workbench.functionality.FunctionalityModel` interpolates.
"""
