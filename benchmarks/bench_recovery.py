"""Benchmark of the semiflexible recovery simulation on generated cities (a script, not a test).

    .venv/bin/python benchmarks/bench_recovery.py            # 1k, 10k, 100k buildings × 365 days
    .venv/bin/python benchmarks/bench_recovery.py --quick    # 1k and 10k only
    .venv/bin/python benchmarks/bench_recovery.py --profile  # cProfile of the 100k case
    .venv/bin/python benchmarks/bench_recovery.py --limits   # with inspection, delays, mobilisation

Cities come from :func:`workbench.city.synthetic.grid_city`; damage is random and synthetic (30 % of
buildings damaged, DS 1–4 uniform, repair effort 5/20/60/120 crew-days × U(0.5, 1.5); 10 % of
components out with their full repair effort), because the benchmark times the recovery, not
the hazard. Crews: one building crew per 50 buildings (at least 10) and three per network, so
network repairs take weeks and service changes on many days (the expensive path). Target at
100k buildings and ~10,000 components × 365 days: ≤ 10 s and ≤ 2 GB peak on one core.

Time is wall-clock of :func:`workbench.recovery.simulate_recovery` alone (city and system
generation reported apart), untraced. Memory, from a second run of the same simulation:
``tracemalloc`` peak of Python/numpy allocations during the
simulation, and the process's peak resident set (``ru_maxrss``) at the end of the case.
"""

from __future__ import annotations

import argparse
import cProfile
import pstats
import resource
import sys
import time
import tracemalloc

import numpy as np
import xarray as xr

from workbench.recovery import Constraints, simulate_recovery
from workbench.city.synthetic import grid_city
from workbench.network.system import build_system


def synthetic_damage(city, system, seed: int = 0) -> xr.Dataset:
    """Random damage of the ARCHITECTURE.md shape (see the module docstring)."""
    rng = np.random.default_rng(seed)
    n = city.buildings.sizes["building"]
    ds = np.where(rng.random(n) < 0.3, rng.integers(1, 5, n), 0)
    effort = np.round(np.array([0, 5, 20, 60, 120.0])[ds] * rng.uniform(0.5, 1.5, n))
    func = rng.random(system.n_components) >= 0.1
    comp = system.components
    return xr.Dataset(
        {"building_damage_state": ("building", ds.astype("int8")),
         "building_repair_days": ("building", effort),
         "building_repair_cost": ("building", effort * 3000.0),
         "component_damage_state": ("component", np.where(func, 0, 3).astype("int8")),
         "component_functional": ("component", func),
         "component_repair_days": ("component", np.where(func, 0.0, comp["repair_days"].values)),
         "component_repair_cost": ("component", np.where(func, 0.0, comp["repair_cost"].values))},
        coords={"building": city.buildings["building"].values, "component": system.component_ids})


def run_case(n_buildings: int, n_components: int, days: int, profile: bool = False,
             limits: bool = False) -> dict:
    start = time.perf_counter()
    city = grid_city(n_buildings, n_components, seed=1)
    system = build_system(city)
    damage = synthetic_damage(city, system)
    setup = time.perf_counter() - start
    constraints = Constraints(crews={"building": max(10, n_buildings // 50), "water": 3,
                                     "power": 3, "road": 3},
                              commitment_days=14, horizon_days=days,
                              **(LIMITS(n_buildings) if limits else {}))
    profiler = cProfile.Profile() if profile else None
    # the time untraced (tracemalloc slows every numpy allocation: 1.1 s becomes 2.8 s on the
    # 100k x 365 case), then the memory in a second, traced run of the same simulation
    start = time.perf_counter()
    if profiler:
        profiler.enable()
    rec = simulate_recovery(city, system, damage, constraints, strategies=["semiflexible"])
    if profiler:
        profiler.disable()
    elapsed = time.perf_counter() - start
    peak = 0
    if not profile:
        tracemalloc.start()
        simulate_recovery(city, system, damage, constraints, strategies=["semiflexible"])
        _, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
    if profiler:
        pstats.Stats(profiler, stream=sys.stdout).sort_stats("cumulative").print_stats(15)
    restored = rec["building_restored_day"]
    return {"buildings": n_buildings, "components": system.n_components, "days": days,
            "tasks": int((damage["building_repair_days"] > 0).sum()
                         + (~damage["component_functional"]).sum()),
            "setup_s": setup, "simulate_s": elapsed, "traced_peak_mb": peak / 2**20,
            "rss_peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
            "restored_share": float(np.isfinite(restored).mean())}


def LIMITS(n_buildings: int) -> dict:
    """Limits of information and implementation: inspections of a twentieth of the city a day,
    REDi impeding delays, one mobilisation day per task started."""
    return {"inspections_per_day": max(1.0, n_buildings / 20), "impeding_delays": True,
            "mobilisation_days": 1.0}


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="skip the 100k case")
    parser.add_argument("--profile", action="store_true", help="cProfile the 100k case only")
    parser.add_argument("--limits", action="store_true",
                        help="with inspection, impeding delays and mobilisation (LIMITS)")
    args = parser.parse_args(argv)
    if args.profile:
        run_case(100_000, 10_000, 365, profile=True, limits=args.limits)
        return 0
    cases = [(1_000, 600, 365), (10_000, 2_000, 365), (10_000, 2_000, 90),
             (10_000, 2_000, 180)]
    if not args.quick:
        cases += [(100_000, 10_000, 90), (100_000, 10_000, 180), (100_000, 10_000, 365)]
    header = (f"{'buildings':>9} {'components':>10} {'days':>5} {'tasks':>7} {'setup s':>8} "
              f"{'simulate s':>10} {'traced MB':>9} {'RSS MB':>7} {'restored':>8}")
    sys.stdout.write(header + "\n")
    for case in cases:
        r = run_case(*case, limits=args.limits)
        sys.stdout.write(f"{r['buildings']:>9} {r['components']:>10} {r['days']:>5} "
                         f"{r['tasks']:>7} {r['setup_s']:>8.2f} {r['simulate_s']:>10.2f} "
                         f"{r['traced_peak_mb']:>9.0f} {r['rss_peak_mb']:>7.0f} "
                         f"{r['restored_share']:>8.2f}\n")
        sys.stdout.flush()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
