"""Throughput of :func:`workbench.hazard.damage.sample_damage`: building-realisations per second, one core.

Run from the repository root::

    .venv/bin/python benchmarks/bench_damage.py [--buildings 100000] [--realizations 20]

Buildings are synthetic (:func:`workbench.city.synthetic.grid_city`, seeded) with about 600 network
components; the hazard is a M 6.8 earthquake at the city centre on stiff soil, or with
``--hazard flood`` a bathtub flood of the buildings (Hazus depth-damage). Each configuration
is timed ``--repeat`` times and the best time reported (the usual choice for a throughput that
the machine only ever slows down). Target: ≥ 1,000,000 building-realisations per second.
Set ``OMP_NUM_THREADS=1`` etc. to pin BLAS to one core; numpy's random generators and the
element-wise kernels used here are single-threaded anyway.

After the table of ``sample_damage`` (a new sampler and, for an earthquake, its shaking on every
call), the parts are timed apart (``--no-parts`` leaves them out):

* the shaking alone (``earthquake_intensity``, the GMPE) and building a ``DamageSampler``;
* one ``DamageSampler`` called again and again with the seed varying, as an ensemble calls it:
  with the earthquake (its shaking and probabilities memoised by the sampler after the first
  call) and with the intensity Dataset;
* the sampling kernel of the buildings alone (``_sample_sites``, probabilities precomputed):
  one uniform per building-realisation against the four exceedance thresholds, states only and
  with the repair cost and days read from the tables (the issue's target: ≥ 100 million
  building-realisations per second).
"""

from __future__ import annotations

import argparse
import os
import time

for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, "1")

import numpy as np  # noqa: E402

from workbench.hazard.damage import sample_damage  # noqa: E402
from workbench.core.dims import BUILDING_TYPES  # noqa: E402
from workbench.hazard import Earthquake  # noqa: E402
from workbench.city.synthetic import grid_city  # noqa: E402
from workbench.network.system import build_system  # noqa: E402

#: Synthetic replacement cost [EUR/m²] for the benchmark only (no published figure implied).
PER_M2 = dict.fromkeys(BUILDING_TYPES, 2000.0)


def _best_time(func, repeat: int) -> float:
    best = np.inf
    for _ in range(repeat):
        start = time.perf_counter()
        func()
        best = min(best, time.perf_counter() - start)
    return best


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--buildings", type=int, default=100_000)
    parser.add_argument("--realizations", type=int, nargs="+", default=[1, 20, 100])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--building-model", default="equivalent-pga",
                        choices=("equivalent-pga", "capacity-spectrum"),
                        help="buildings' damage model (capacity-spectrum: target ≤ 2 s for "
                             "100,000 buildings, one realisation)")
    parser.add_argument("--no-parts", action="store_true",
                        help="only the sample_damage table, not the parts timed apart")
    parser.add_argument("--hazard", default="earthquake", choices=("earthquake", "flood"),
                        help="flood: a bathtub 2 m deep at the west edge over ground rising "
                             "4 m across the city from west to east (about half the buildings "
                             "under water; Hazus depth-damage)")
    args = parser.parse_args(argv)

    t0 = time.perf_counter()
    city = grid_city(args.buildings, 600, seed=0)
    system = build_system(city)
    setup = time.perf_counter() - t0
    x = city.buildings["x"].values
    eq = Earthquake(6.8, float(x.mean()), float(city.buildings["y"].values.mean()), vs30=360.0)
    if args.hazard == "flood":
        import xarray as xr
        from workbench.hazard.flood import bathtub_intensity
        y = city.buildings["y"].values
        xs = np.array([x.min() - 1.0, x.max() + 1.0])
        ys = np.array([y.min() - 1.0, y.max() + 1.0])
        terrain = xr.DataArray(np.array([[0.0, 4.0], [0.0, 4.0]]), dims=("y", "x"),
                               coords={"y": ys, "x": xs}, name="elevation_m")
        eq = bathtub_intensity(2.0, terrain, city.buildings, None)    # buildings only
        system = None

    rows = []
    for r in args.realizations:
        seconds = _best_time(lambda: sample_damage(city, system, eq, realizations=r, seed=0,
                                                   replacement_cost_per_m2=PER_M2,
                                                   building_model=args.building_model),
                             args.repeat)
        rows.append((args.buildings, 0 if system is None else system.components.sizes["component"],
                     r, seconds,
                     args.buildings * r / seconds))
    header = f"{'buildings':>10} {'components':>10} {'realizations':>12} {'seconds':>9} " \
             f"{'building-realisations/s':>24}"
    model = f" ({eq.gmpe}, intensity included)" if args.hazard == "earthquake" else ""
    lines = [f"city setup (grid_city + build_system): {setup:.1f} s; hazard {args.hazard}{model}; "
             f"building model {args.building_model if args.hazard == 'earthquake' else 'Hazus flood'}",
             header, "-" * len(header)]
    lines += [f"{n:>10,} {m:>10,} {r:>12,} {s:>9.3f} {rate:>24,.0f}" for n, m, r, s, rate in rows]
    print("\n".join(lines))  # a script's output, not library code
    if not args.no_parts:
        print(_parts(city, system, eq, args))   # a script's output, not library code


def _parts(city, system, hazard, args) -> str:
    """The parts of :func:`sample_damage` timed apart (see the module docstring)."""
    from workbench.hazard.damage import DamageSampler, _exceedances, _sample_sites
    from workbench.hazard.ground_motion import earthquake_intensity
    n = args.buildings
    options = dict(replacement_cost_per_m2=PER_M2, building_model=args.building_model)
    lines = []
    if isinstance(hazard, Earthquake):
        shaking = _best_time(lambda: earthquake_intensity(hazard, city.buildings,
                                                          system.components), args.repeat)
        intensity = earthquake_intensity(hazard, city.buildings, system.components)
        lines.append(f"shaking alone (earthquake_intensity, {hazard.gmpe}): {shaking:.3f} s")
    else:
        intensity = hazard
    build = _best_time(lambda: DamageSampler(city, system, **options), args.repeat)
    lines.append(f"DamageSampler(...) (fragility, consequence and cost tables): {build:.3f} s")
    sampler = DamageSampler(city, system, **options)
    inputs = [("intensity Dataset", intensity)]
    if isinstance(hazard, Earthquake):
        sampler(hazard)                           # the first call computes the shaking
        inputs.insert(0, ("earthquake, memoised", hazard))
    header = f"{'one sampler, seed varying':<28} {'realizations':>12} {'seconds/call':>12} " \
             f"{'building-realisations/s':>24}"
    lines += ["", header, "-" * len(header)]
    for name, given in inputs:
        for r in args.realizations:
            seeds = iter(range(10**6))
            seconds = _best_time(lambda: sampler(given, realizations=r, seed=next(seeds)),
                                 args.repeat)
            lines.append(f"{name:<28} {r:>12,} {seconds:>12.3f} {n * r / seconds:>24,.0f}")
    if "building_pga" in intensity:
        p_b, _ = _exceedances(sampler.buildings, sampler.components, intensity, sampler._frag,
                              sampler.zone, sampler._curves)
        tables = (sampler._b_cost, sampler._b_days)
        header = f"{'kernel (buildings)':<28} {'realizations':>12} {'seconds':>12} " \
                 f"{'building-realisations/s':>24}"
        lines += ["", header, "-" * len(header)]
        for label, with_tables in (("states only", ()), ("states + cost, days", tables)):
            for r in args.realizations:
                seconds = _best_time(lambda: _sample_sites(np.random.default_rng(0), r, p_b,
                                                           with_tables), args.repeat)
                lines.append(f"{label:<28} {r:>12,} {seconds:>12.4f} {n * r / seconds:>24,.0f}")
    return "\n".join(lines)


if __name__ == "__main__":
    main()
