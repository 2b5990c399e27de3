"""Benchmark of the household and business agents (a script, not a test): 100,000 agents × 365 days.

    .venv/bin/python benchmarks/bench_agents.py             # ~100k agents × 365 days
    .venv/bin/python benchmarks/bench_agents.py --profile   # with a cProfile of the agents

The city comes from :func:`workbench.city.synthetic.grid_city`, sized so that its residents make about
100,000 households of the default size (2 persons). Damage is random and synthetic, as in
``bench_recovery.py`` (30 % of buildings damaged, DS 1–4 uniform; 10 % of components out), and
one recovery (``flexible``) is simulated first; the timing is of
:func:`workbench.response.simulate_agents` alone, with BLAS limited to one thread (run it under
``taskset -c 0`` to pin the process to one core). Target: ≤ 5 s.
"""

from __future__ import annotations

import argparse
import cProfile
import pstats
import sys
import time
from pathlib import Path

import numpy as np
from threadpoolctl import threadpool_limits

sys.path.insert(0, str(Path(__file__).parent))
from bench_recovery import synthetic_damage  # noqa: E402

from workbench.functionality import residents  # noqa: E402
from workbench.recovery import Constraints, simulate_recovery  # noqa: E402
from workbench.response import Households, simulate_agents  # noqa: E402
from workbench.city.synthetic import grid_city  # noqa: E402
from workbench.network.system import build_system  # noqa: E402

TARGET_S = 5.0


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--agents", type=int, default=100_000)
    parser.add_argument("--days", type=int, default=365)
    parser.add_argument("--profile", action="store_true")
    args = parser.parse_args(argv)

    size = Households().household_size
    # grid_city gives about 14.7 residents per building: size the city for the agents asked
    n_buildings = int(args.agents * size / 14.7)
    start = time.perf_counter()
    city = grid_city(n_buildings, 6000, seed=1)
    system = build_system(city)
    damage = synthetic_damage(city, system, seed=0)
    recovery = simulate_recovery(city, system, damage, Constraints(
        crews={"building": max(10, n_buildings // 50), "water": 3, "power": 3, "road": 3},
        horizon_days=args.days), strategies=["flexible"], seed=0)
    n_agents = int(np.maximum(1, np.rint(residents(city.buildings)[residents(city.buildings) > 0]
                                         / size)).sum())
    print(f"city {n_buildings} buildings, {system.n_components} components, {n_agents} agents; "
          f"setup + recovery {time.perf_counter() - start:.1f} s")

    profiler = cProfile.Profile() if args.profile else None
    with threadpool_limits(limits=1):                   # one core: no BLAS threads either
        start = time.perf_counter()
        if profiler:
            profiler.enable()
        out = simulate_agents(city, system, damage, recovery, seed=0)
        if profiler:
            profiler.disable()
        elapsed = time.perf_counter() - start
    persons = out["persons"].sum("state")
    total = residents(city.buildings).sum()
    print(f"simulate_agents: {n_agents} agents × {args.days} days in {elapsed:.2f} s "
          f"(target ≤ {TARGET_S:.0f} s: {'ok' if elapsed <= TARGET_S else 'MISSED'}); "
          f"people conserved every day: {bool(np.allclose(persons, total, rtol=1e-12))}")
    away = out["persons"].sel(state=["shelter", "elsewhere", "unsheltered"]).sum("state")
    print(f"away from home: day 0 {float(away.isel(time=0).squeeze()):.0f}, "
          f"day {args.days} {float(away.isel(time=-1).squeeze()):.0f} persons")
    if profiler:
        pstats.Stats(profiler).sort_stats("cumulative").print_stats(20)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
