"""Why the commitment sweep of semiflexible stays small on the demo (a script, not a test).

Mean over seeds 0-4, default parameters, semiflexible at commitment 0 / 14 / 60 days / to
completion, in three settings: the default model; true building repair efforts spread around
the Hazus value by a lognormal factor (beta 0.6 and 1.0; known to planners once inspected, so
repairs in competition differ widely in length); and half the building crews. Prints the
range of the economic loss over the sweep in per cent of its smallest value.

    .venv/bin/python benchmarks/bench_commitment.py
"""
import time
import warnings

import numpy as np

warnings.simplefilter("ignore")
import workbench as wb  # noqa: E402
from workbench import pipeline  # noqa: E402
from workbench.run.params import validate_params  # noqa: E402

params = validate_params({})
city = wb.map_city(wb.demo_city(), max_distance=params["map"]["max_distance_m"])
system = wb.build_system(city)
intensity = pipeline.hazard_intensity(params["hazard"], city, system.components)
seeds = range(5)
base = [wb.sample_damage(city.buildings, system.components, intensity, seed=s).isel(realization=0)
        for s in seeds]


def spread(beta):
    """Each building's repair effort × a lognormal(0, beta) factor, seeded per seed."""
    out = []
    for s, d in zip(seeds, base):
        f = np.random.default_rng([s, 9]).lognormal(0.0, beta, d.sizes["building"])
        out.append(d.assign(building_repair_days=d.building_repair_days * f))
    return out


def sweep(damage, **kw):
    losses = []
    for commit in (0, 14, 60, np.inf):
        c = wb.Constraints(horizon_days=params["horizon_days"],
                           **{**params["constraints"], **kw, "commitment_days": commit})
        e = [wb.summary_indexes(wb.simulate_recovery(city, system, d, c, seed=s,
                                                     strategies=["semiflexible"]), city, d)
             ["semiflexible"]["economic_loss"] for s, d in zip(seeds, damage)]
        losses.append(float(np.mean(e)))
    return losses


t0 = time.time()
half = {**params["constraints"]["crews"],
        "building": params["constraints"]["crews"]["building"] // 2}
for name, damage, kw in (("default model", base, {}),
                         ("repair effort spread, beta 0.6", spread(0.6), {}),
                         ("repair effort spread, beta 1.0", spread(1.0), {}),
                         ("half the building crews", base, {"crews": half})):
    e = sweep(damage, **kw)
    print(f"{name:32s} commitment 0/14/60/inf: "
          + " / ".join(f"{x / 1e9:.3f}" for x in e)
          + f" bn EUR; range {100 * (max(e) - min(e)) / min(e):.1f} %")
print(f"{time.time() - t0:.0f} s")
