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


if __name__ == "__main__":
    main()
