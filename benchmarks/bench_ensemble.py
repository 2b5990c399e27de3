"""Benchmark of the ensemble runner on the demo city (a script, not a test).

    .venv/bin/python benchmarks/bench_ensemble.py                  # (a) (b) (c), 1,000 members
    .venv/bin/python benchmarks/bench_ensemble.py --members 200    # a shorter (b)
    .venv/bin/python benchmarks/bench_ensemble.py --member-only    # (a) only

(a) seconds per member on the demo city, three strategies, with the parameter file's defaults
    (default ``workbench params``): the plain chain (``sample_damage`` → ``road_blockage`` →
    ``simulate_recovery`` → ``summary_indexes``) and a serial ensemble (which builds the damage
    tables once per batch); target ≤ 0.15 s;
(b) ``--members`` members on a local cluster of 2 worker processes against 1 (target ≥ 1.7×
    faster), and whether the two Datasets are identical;
(c) the batch size the runner chose.

Wall-clock times; the machine's other load is printed beside them (2 cores shared).
"""

from __future__ import annotations

import argparse
import os
import sys
import time

import workbench as wb
from workbench.hazard.damage import sample_damage
from workbench.hazard.debris import road_blockage
from workbench.metrics.indexes import summary_indexes
from workbench.run.params import validate_params
from workbench.run.pipeline import hazard_intensity
from workbench.recovery import Constraints, simulate_recovery
from workbench.uncertainty.ensemble import run_ensemble, sample_members


def demo():
    """The demo city, its system, the default shaking and constraints."""
    params = validate_params({})
    city = wb.map_city(wb.demo_city(), max_distance=params["map"]["max_distance_m"])
    system = wb.build_system(city)
    intensity = hazard_intensity(params["hazard"], city, system.components)
    limits = Constraints(horizon_days=params["horizon_days"], **params["constraints"])
    return params, city, system, intensity, limits


def plain_member(city, system, intensity, limits, seed: int) -> None:
    damage = road_blockage(system, sample_damage(city.buildings, system.components, intensity,
                                                 seed=seed))
    one = damage.isel(realization=0)
    summary_indexes(simulate_recovery(city, system, one, limits, seed=seed), city, one)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--members", type=int, default=1000, help="members of (b)")
    parser.add_argument("--member-only", action="store_true", help="(a) only")
    args = parser.parse_args(argv)
    out = sys.stdout
    params, city, system, intensity, limits = demo()
    out.write(f"load average at start: {os.getloadavg()[0]:.2f} (2 cores)\n")

    plain_member(city, system, intensity, limits, 0)                  # warm caches
    n = 20
    start = time.perf_counter()
    for seed in range(n):
        plain_member(city, system, intensity, limits, seed)
    plain = (time.perf_counter() - start) / n
    draws = sample_members(members=n, seed=1)
    start = time.perf_counter()
    run_ensemble(city, system, intensity, limits, draws)
    serial = (time.perf_counter() - start) / n
    out.write(f"(a) one member, demo, 3 strategies: plain chain {plain:.3f} s; "
              f"serial ensemble {serial:.3f} s/member ({n} members)\n")
    if args.member_only:
        return 0

    draws = sample_members(members=args.members, seed=1)
    times, results = {}, {}
    for workers in (1, 2):
        start = time.perf_counter()
        results[workers] = run_ensemble(city, system, intensity, limits, draws, workers=workers)
        times[workers] = time.perf_counter() - start
        attrs = results[workers].attrs
        share = attrs["task_cpu_seconds"] / (workers * attrs["wall_seconds"])
        out.write(f"(b) {args.members} members, local cluster of {workers} worker(s): "
                  f"{times[workers]:.1f} s ({times[workers] / args.members:.3f} s/member), "
                  f"batch size {attrs['batch_size']}; tasks {attrs['task_seconds']:.1f} s wall, "
                  f"{attrs['task_cpu_seconds']:.1f} s CPU (each worker had {share:.0%} of a "
                  f"core); load {os.getloadavg()[0]:.2f}\n")
        out.flush()
    same = results[1].drop_attrs().identical(results[2].drop_attrs())
    out.write(f"(b) speed-up 2 workers vs 1: {times[1] / times[2]:.2f}x (target >= 1.7x, which "
              f"needs both cores free); Datasets identical: {same}\n")
    out.write(f"(c) batch size: {results[2].attrs['batch_size']} members per task "
              f"({-(-args.members // results[2].attrs['batch_size'])} tasks)\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
