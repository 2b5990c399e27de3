"""Stages 02 (significance) and 03 (training: forest, hybrid, baseline, archive) on the demo's
synthetic data with the default parameters, timed (a script, not a test). Target: ≤ 90 s
together on 2 cores; the hybrid alone ≤ 60 s.

    .venv/bin/python benchmarks/bench_models.py
"""
import time
import warnings

warnings.simplefilter("ignore")

from workbench.run.params import validate_params  # noqa: E402
from workbench.run.pipeline.modelling import significance_stage, training_stage  # noqa: E402

params = validate_params({})
t0 = time.perf_counter()
survey, table = significance_stage(params)
t1 = time.perf_counter()
trained = training_stage(params, survey, table)
t2 = time.perf_counter()
m = trained.metrics
print(f"stage 02 significance: {t1 - t0:5.1f} s  ({len(survey)} survey rows, "
      f"{table['feature'].nunique()} features, selected: {', '.join(m['selected_features'])})")
print(f"stage 03 training:     {t2 - t1:5.1f} s  (forest held-out R² {m['rss_forest']['holdout_r2']:.3f},"
      f" CV {m['rss_forest']['cv_r2_mean']:.3f}; hybrid held-out R² "
      f"{m['ep_hybrid']['holdout_r2']:.3f} in {m['ep_hybrid']['epochs']} epochs, baseline "
      f"{m['ep_baseline']['holdout_r2']:.3f})")
print(f"together:              {t2 - t0:5.1f} s")
