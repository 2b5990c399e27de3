"""Peak memory and wall time of a large ensemble on the demo city (a script, not a test).

    .venv/bin/python benchmarks/bench_ensemble_memory.py                    # 1,000 and 10,000
    .venv/bin/python benchmarks/bench_ensemble_memory.py --members 200 2000 # other sizes
    .venv/bin/python benchmarks/bench_ensemble_memory.py --no-store         # held in memory
    .venv/bin/python benchmarks/bench_ensemble_memory.py --processes        # no dask: a pool

Each size runs in a fresh Python process (peak resident memory is a high-water mark): the
demo city, the default parameter file's shaking, constraints and strategies; a local dask
cluster of 2 single-threaded worker processes started by the script and given to
``run_ensemble`` as a running scheduler (``scheduler=``, as a user's cluster would be), with
``store=`` a temporary folder; then ``save_ensemble`` writes ``ensemble.nc`` and the
``economic_loss`` mean is read back. Printed per size: wall time, members per second, the
peak resident memory of the client process (which also hosts the scheduler) and of each
worker (``ru_maxrss``), the size of ``ensemble.nc``. Target: peak at 10,000 members
≤ 1.3 × peak at 1,000 (issue 28).
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent


def one_pool(members: int, store: bool) -> dict:
    """One ensemble of ``members`` on ``scheduler="processes"`` (2 worker processes)."""
    import resource
    sys.path.insert(0, str(HERE))
    from bench_ensemble import demo
    from workbench.uncertainty.ensemble import run_ensemble, sample_members, save_ensemble

    params, city, system, intensity, limits = demo()
    draws = sample_members(members=members, seed=1)
    with tempfile.TemporaryDirectory() as tmp:
        start = time.perf_counter()
        ens = run_ensemble(city, system, intensity, limits, draws, scheduler="processes",
                           workers=2, store=Path(tmp) / "store" if store else None)
        path = save_ensemble(ens, Path(tmp) / "ensemble.nc")
        wall = time.perf_counter() - start
        n, mean, size = _read_back(path)
    worker = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024   # the largest
    return {"members": n, "wall_s": wall, "batch_size": int(ens.attrs["batch_size"]),
            "client_peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
            "worker_peak_mb": [worker, worker], "file_mb": size / 1e6,
            "mean_economic_loss": mean}


def _read_back(path: Path) -> tuple[int, float, int]:
    """A saved ensemble's members, mean economic loss and file bytes."""
    import xarray as xr
    with xr.open_dataset(path, engine="h5netcdf") as saved:
        return saved.sizes["member"], float(saved["economic_loss"].mean()), path.stat().st_size


def one(members: int, store: bool) -> dict:
    """One ensemble of ``members`` in this process; its figures."""
    import resource
    import logging
    sys.path.insert(0, str(HERE))
    from bench_ensemble import demo
    from distributed import Client, LocalCluster
    from workbench.uncertainty.ensemble import run_ensemble, sample_members, save_ensemble

    params, city, system, intensity, limits = demo()
    draws = sample_members(members=members, seed=1)
    with tempfile.TemporaryDirectory() as tmp, \
            LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                         dashboard_address=None, silence_logs=logging.ERROR) as cluster, \
            Client(cluster) as client:
        start = time.perf_counter()
        ens = run_ensemble(city, system, intensity, limits, draws,
                           scheduler=cluster.scheduler_address,
                           store=Path(tmp) / "store" if store else None)
        path = save_ensemble(ens, Path(tmp) / "ensemble.nc")
        wall = time.perf_counter() - start
        n, mean, size = _read_back(path)
        peak_workers = client.run(lambda: resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)
    return {"members": n, "wall_s": wall, "batch_size": int(ens.attrs["batch_size"]),
            "client_peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
            "worker_peak_mb": sorted(v / 1024 for v in peak_workers.values()),
            "file_mb": size / 1e6, "mean_economic_loss": mean}


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--members", type=int, nargs="+", default=[1000, 10000])
    parser.add_argument("--no-store", action="store_true",
                        help="hold the members in memory (no ensemble.store)")
    parser.add_argument("--processes", action="store_true",
                        help='scheduler="processes" (a pool of 2 worker processes, no dask); '
                             "the workers' peak is the largest child's (both columns)")
    parser.add_argument("--one", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.one is not None:
        run = one_pool if args.processes else one
        print(json.dumps(run(args.one, not args.no_store)))
        return 0
    out = sys.stdout
    out.write(f"load average at start: {os.getloadavg()[0]:.2f} (2 cores); "
              f"store: {not args.no_store}; "
              f"{'a pool of 2 processes' if args.processes else 'a dask LocalCluster of 2'}\n")
    peaks = {}
    for members in args.members:
        cmd = [sys.executable, __file__, "--one", str(members)] + \
            (["--no-store"] if args.no_store else []) + \
            (["--processes"] if args.processes else [])
        done = subprocess.run(cmd, capture_output=True, text=True, check=True)
        r = json.loads(done.stdout.strip().splitlines()[-1])
        peaks[members] = r["client_peak_mb"] + sum(r["worker_peak_mb"])
        out.write(f"{members} members: {r['wall_s']:.0f} s ({members / r['wall_s']:.1f} "
                  f"members/s), batch size {r['batch_size']}; peak memory: client + scheduler "
                  f"{r['client_peak_mb']:.0f} MB, workers "
                  f"{' + '.join(f'{w:.0f}' for w in r['worker_peak_mb'])} MB "
                  f"(all {peaks[members]:.0f} MB); ensemble.nc {r['file_mb']:.0f} MB; mean "
                  f"economic loss EUR {r['mean_economic_loss'] / 1e9:.3f} bn; load "
                  f"{os.getloadavg()[0]:.2f}\n")
        out.flush()
    if len(peaks) > 1:
        small, large = min(peaks), max(peaks)
        out.write(f"peak at {large} / peak at {small}: {peaks[large] / peaks[small]:.2f} "
                  f"(target <= 1.3)\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
