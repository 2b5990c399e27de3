"""The gap between the greedy and the exact (HiGHS MILP) day planner on the demo city (a script).

    .venv/bin/python benchmarks/bench_planner.py                 # budgets inf, 20 M, 5 M EUR/day
    .venv/bin/python benchmarks/bench_planner.py --seeds 3

For each materials budget, the semiflexible strategy recovers the default scenario's damage
(seeds 0…n−1) with ``planner="greedy"`` and ``planner="exact"``; the script prints the mean
economic and service loss of each and the wall time. With unlimited materials the greedy choice
is optimal for the day (the best ratios fill the crews), so the gap is 0 there by construction.
"""

from __future__ import annotations

import argparse
import math
import sys
import time
import warnings

import numpy as np

import workbench as wb
from workbench import pipeline
from workbench.run.params import validate_params


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--seeds", type=int, default=3)
    args = parser.parse_args(argv)
    warnings.simplefilter("ignore")
    params = validate_params({})
    city = wb.map_city(wb.demo_city(), max_distance=params["map"]["max_distance_m"])
    system = wb.build_system(city)
    intensity = pipeline.hazard_intensity(params["hazard"], city, system.components)
    damage = [wb.sample_damage(city.buildings, system.components, intensity, seed=s)
              .isel(realization=0) for s in range(args.seeds)]
    sys.stdout.write(f"{'budget EUR/day':>15} {'planner':>7} {'economic bn':>12} "
                     f"{'service k pd':>13} {'seconds':>8}\n")
    for budget in (math.inf, 20e6, 5e6):
        for planner in ("greedy", "exact"):
            section = {**params["constraints"], "materials_per_day": budget, "planner": planner}
            constraints = wb.Constraints(horizon_days=params["horizon_days"], **section)
            start = time.perf_counter()
            losses = []
            for seed, dmg in enumerate(damage):
                rec = wb.simulate_recovery(city, system, dmg, constraints, seed=seed,
                                           strategies=["semiflexible"])
                s = wb.summary_indexes(rec, city, dmg)["semiflexible"]
                losses.append((s["economic_loss"], s["service_loss_person_days"]))
            e, sl = np.mean(losses, axis=0)
            sys.stdout.write(f"{budget:>15,.0f} {planner:>7} {e / 1e9:>12.4f} {sl / 1e3:>13.2f} "
                             f"{time.perf_counter() - start:>8.1f}\n")
            sys.stdout.flush()
    return 0


if __name__ == "__main__":
    sys.exit(main())
