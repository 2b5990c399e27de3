"""Stages 02 and 03: the data-driven half of the functionality method (METHOD §6).

* :mod:`.survey` — the survey table (schema, reader, documented synthetic generator);
* :mod:`.significance` — per-feature significance tests with multiple-testing correction;
* :mod:`.production` — the production table (static features and resource-consumption series);
* :mod:`.hybrid` — the hybrid RNN + MLP regressor of EP per m² (PyTorch);
* :mod:`.rss` — the rSS model of stage 03: log rSS additive, monotone in the service
  satisfactions (rSS = d_t / d0);
* :mod:`.forest` — the paper's random forest of per-capita consumption d_t (kept for comparison);
* :mod:`.archive` — trained models evaluated into functionality tables that a
  :class:`~workbench.functionality.FunctionalityModel` interpolates.
"""
