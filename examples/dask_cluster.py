"""Start a dask cluster for the workbench's ensembles (stages 05 and 06) and keep it running.

On a SLURM cluster (``pip install dask-jobqueue`` into the workbench's environment first; the
workers must run the same workbench, the same package versions, so that a member gives the
same numbers wherever it runs)::

    python examples/dask_cluster.py slurm --jobs 8 --cores 16 --memory 32GB \\
        --walltime 04:00:00 --queue normal --account myproject

On one machine, as a check of the same path (a local cluster of worker processes)::

    python examples/dask_cluster.py local --workers 4

Either prints the scheduler's address, e.g. ``tcp://10.1.2.3:8786``. Put it in the parameter
file and run as usual, from a machine that reaches it (a login node)::

    ensemble:
      scheduler: tcp://10.1.2.3:8786
      store: ensemble-batches      # each finished batch on disk: a killed run resumes

The script keeps the cluster until Ctrl-C (SLURM's jobs then end too). ``--check`` runs a
small ensemble on the cluster first and compares it with the same members run serially.
"""

from __future__ import annotations

import argparse
import logging
import sys
import time


def check(address: str) -> bool:
    """Six members of the toy city on ``address`` and serially: the same numbers?"""
    from workbench.city import toy_city
    from workbench.hazard import Earthquake, earthquake_intensity
    from workbench.network.system import build_system
    from workbench.recovery import Constraints
    from workbench.uncertainty.ensemble import run_ensemble, sample_members
    city = toy_city()
    system = build_system(city)
    shaking = earthquake_intensity(Earthquake(6.5, 0.0, 0.0), city.buildings, system.components)
    limits = Constraints(crews=2, horizon_days=60)
    draws = sample_members(members=6, seed=3)
    remote = run_ensemble(city, system, shaking, limits, draws, scheduler=address,
                          batch_size=2, design_code="4")
    local = run_ensemble(city, system, shaking, limits, draws, design_code="4")
    return remote.drop_attrs().identical(local.drop_attrs())


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    kind = parser.add_subparsers(dest="kind", required=True)
    slurm = kind.add_parser("slurm", help="workers as SLURM jobs (dask-jobqueue)")
    slurm.add_argument("--jobs", type=int, required=True, help="SLURM jobs to start")
    slurm.add_argument("--cores", type=int, required=True, help="cores per job (one "
                       "single-threaded worker process per core)")
    slurm.add_argument("--memory", required=True, help="memory per job, e.g. 32GB")
    slurm.add_argument("--walltime", default="04:00:00")
    slurm.add_argument("--queue", help="SLURM partition")
    slurm.add_argument("--account", help="SLURM account")
    local = kind.add_parser("local", help="a local cluster of worker processes")
    local.add_argument("--workers", type=int, default=2)
    for p in (slurm, local):
        p.add_argument("--check", action="store_true",
                       help="run six members here and on the cluster and compare them")
        p.add_argument("--once", action="store_true", help="stop after printing (and "
                       "--check), do not wait for Ctrl-C")
    args = parser.parse_args(argv)
    if args.kind == "slurm":
        try:
            from dask_jobqueue import SLURMCluster
        except ImportError:
            sys.exit("dask-jobqueue is not installed: pip install dask-jobqueue")
        cluster = SLURMCluster(cores=args.cores, processes=args.cores, memory=args.memory,
                               walltime=args.walltime, queue=args.queue,
                               account=args.account)
        cluster.scale(jobs=args.jobs)
    else:
        from distributed import LocalCluster
        cluster = LocalCluster(n_workers=args.workers, threads_per_worker=1, processes=True,
                               dashboard_address=None, silence_logs=logging.ERROR)
    print(f"scheduler: {cluster.scheduler_address}", flush=True)
    try:
        if args.check:
            same = check(cluster.scheduler_address)
            print(f"check: six members on the cluster "
                  f"{'equal' if same else 'DIFFER FROM'} the serial run", flush=True)
            if not same:
                return 1
        while not args.once:
            time.sleep(60)
    except KeyboardInterrupt:
        pass
    finally:
        cluster.close()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
