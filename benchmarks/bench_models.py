"""Stages 02 (significance) and 03 (training: rSS model, hybrid, baseline, archive) on the demo's
synthetic data with the default parameters, timed (a script, not a test). Target: ≤ 90 s
together on 2 cores; the hybrid alone ≤ 60 s. Also times the rSS model alone (fit, scores,
archive) and, for comparison, the paper's forest of d_t (no longer part of the stage).

    .venv/bin/python benchmarks/bench_models.py
"""
import time
import warnings

warnings.simplefilter("ignore")

from workbench.models.archive import rss_archive  # noqa: E402
from workbench.models.forest import train_rss_forest  # noqa: E402
from workbench.models.rss import train_rss_model  # noqa: E402
from workbench.models.significance import select_features  # noqa: E402
from workbench.run.params import validate_params  # noqa: E402
from workbench.run.pipeline.modelling import (RSS_HOLDOUT, significance_stage,  # noqa: E402
                                              stage_seed, training_stage)

params = validate_params({})
t0 = time.perf_counter()
survey, table = significance_stage(params)
t1 = time.perf_counter()
trained = training_stage(params, survey, table)
t2 = time.perf_counter()
m = trained.metrics
r = m["rss_model"]
print(f"stage 02 significance: {t1 - t0:5.1f} s  ({len(survey)} survey rows, "
      f"{table['feature'].nunique()} features, selected: {', '.join(m['selected_features'])})")
print(f"stage 03 training:     {t2 - t1:5.1f} s  (hybrid held-out R² "
      f"{m['ep_hybrid']['holdout_r2']:.3f} in {m['ep_hybrid']['epochs']} epochs, baseline "
      f"{m['ep_baseline']['holdout_r2']:.3f})")
print(f"  rSS model: R² on rSS held-out {r['holdout_r2']:.3f}, CV {r['cv_r2_mean']:.3f}; "
      f"baselines no-skill {r['baseline_no_skill_r2']:.3f}, d0-only {r['baseline_d0_r2']:.3f}")
if "archive_vs_planted" in r:
    d = r["archive_vs_planted"]
    print(f"  archive vs planted rSS: largest |ratio − 1| {d['max_abs_deviation']:.3f} "
          f"(w, p ≥ {d['grid_water'][0]}), road effect {d['road_effect_max']:.3f}")
print(f"together:              {t2 - t0:5.1f} s")

seed = stage_seed(params, 3, 2)
selected = select_features(table)
t3 = time.perf_counter()
model = train_rss_model(survey, selected, seed=seed, test_size=RSS_HOLDOUT)
t4 = time.perf_counter()
rss_archive(model, survey)
t5 = time.perf_counter()
forest = train_rss_forest(survey, selected, seed=seed, test_size=RSS_HOLDOUT)
t6 = time.perf_counter()
print(f"rSS model alone: {t4 - t3:5.1f} s to fit and score, {t5 - t4:5.1f} s to archive; "
      f"the paper's forest of d_t: {t6 - t5:5.1f} s (held-out R² on d_t "
      f"{forest.metrics['holdout_r2']:.3f})")
