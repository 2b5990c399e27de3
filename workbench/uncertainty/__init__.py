"""Uncertainty over strategies: ensembles, Bayesian comparison, calibration on observed recovery."""
