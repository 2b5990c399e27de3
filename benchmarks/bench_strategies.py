"""The strategies on the demo city (a script, not a test): mean indexes over seeds 0-4 with the
default parameters, the commitment sweep of semiflexible, and more network crews.

    .venv/bin/python benchmarks/bench_strategies.py
"""
import time, warnings
import numpy as np
warnings.simplefilter("ignore")
import workbench as wb
from workbench import pipeline
from workbench.run.params import validate_params
from workbench.metrics.indexes import functionality_curve
params = validate_params({})
city = wb.map_city(wb.demo_city(), max_distance=params["map"]["max_distance_m"])
system = wb.build_system(city)
intensity = pipeline.hazard_intensity(params["hazard"], city, system.components)
seeds = range(5)
dam = [wb.sample_damage(city.buildings, system.components, intensity, seed=s).isel(realization=0) for s in seeds]
def run(strategies=wb.core.dims.STRATEGIES, **kw):
    c = wb.Constraints(horizon_days=params["horizon_days"], **{**params["constraints"], **kw})
    out = []
    for s, d in zip(seeds, dam):
        rec = wb.simulate_recovery(city, system, d, c, seed=s, strategies=strategies)
        sm = wb.summary_indexes(rec, city, d)
        F = (1 - functionality_curve(rec)).isel(time=slice(None, -1)).sum("time")
        out.append([[sm[k]["economic_loss"], sm[k]["service_loss_person_days"], float(F.sel(strategy=k))] for k in strategies])
    return np.mean(out, axis=0)
t0 = time.time()
print("mean over seeds 0-4, default parameters (crews 60/6/6/3, inspections 50/day, REDi delays, 1 mobilisation day, commitment 14)")
for k, (e, sl, f) in zip(wb.core.dims.STRATEGIES, run()):
    print(f"  {k:13s} economic {e/1e9:7.3f} bn EUR  service {sl/1e3:7.1f} k person-days  functionality loss {f:6.1f} days")
print("semiflexible, commitment sweep:")
for commit in (0, 7, 14, 30, 60, 120, np.inf):
    e, sl, f = run(strategies=["semiflexible"], commitment_days=commit)[0]
    print(f"  commitment {commit:>5}: economic {e/1e9:7.3f} bn  service {sl/1e3:7.1f} k  functionality loss {f:6.1f}")
print("more network crews (flexible and semiflexible):")
for w in (10, 11, 12, 13):
    r = run(crews={"building": 60, "water": w, "power": w, "road": 3})
    print(f"  water=power={w}: " + "  ".join(f"{k} E {a/1e9:.3f} S {b/1e3:.1f}" for k, (a, b, _) in zip(wb.core.dims.STRATEGIES, r)))
print(f"{time.time()-t0:.0f} s")
