"""The whole ``workbench run`` on a synthetic city of 100,000 buildings (a script, not a test).

    .venv/bin/python benchmarks/bench_city.py                       # 100,000 buildings
    .venv/bin/python benchmarks/bench_city.py --buildings 20000     # another size
    .venv/bin/python benchmarks/bench_city.py --out /tmp/city100k   # keep the city and the run

1. ``workbench city synthetic --buildings N --seismic-zone 2B`` (about one network component
   per ten buildings; all values synthetic), timed;
2. a parameter file: the defaults, with the demo's constraints scaled to the city so that its
   recovery is of the demo's kind — building crews and inspections per day by buildings
   (N / 466), network crews by components (~N / 10 against the demo's 1,072) — and the stage-05
   and stage-06 ensembles on 2 workers: a pool of processes by default, as the README
   recommends on one machine (``--scheduler local`` for a dask LocalCluster, as before stop 41);
3. ``workbench run`` on it, every stage, with its progress lines; the resident memory of the
   command and all its processes (kernels, dask workers) sampled every 0.5 s.

Printed: each stage's time (``manifest.json``) and the peak memory of all the run's processes
together while it ran, the total, the sizes of the report's pages. Target (issue 28): the
whole run ≤ 15 min on 2 cores, peak memory stated.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import psutil
import yaml

ROOT = Path(__file__).resolve().parent.parent
DEMO = {"buildings": 466, "components": 1072,
        "crews": {"building": 60, "water": 6, "power": 6, "road": 3}, "inspections": 50}


def scaled_params(city: Path, buildings: int, components: int, scheduler: str = "processes"
                  ) -> dict:
    by_b, by_c = buildings / DEMO["buildings"], components / DEMO["components"]
    c = DEMO["crews"]
    return {"name": f"synthetic-{buildings}", "city": str(city),
            "constraints": {"crews": {"building": round(c["building"] * by_b),
                                      "water": round(c["water"] * by_c),
                                      "power": round(c["power"] * by_c),
                                      "road": round(c["road"] * by_c)},
                            "inspections_per_day": round(DEMO["inspections"] * by_b)},
            "ensemble": {"scheduler": scheduler, "workers": 2}}


class Sampler(threading.Thread):
    """Peak resident memory of a process and its descendants, per label (the stage)."""

    def __init__(self, pid: int):
        super().__init__(daemon=True)
        self.root, self.label, self.peaks, self.stop = psutil.Process(pid), "start", {}, False

    def run(self):
        while not self.stop:
            try:
                procs = [self.root, *self.root.children(recursive=True)]
                rss = 0
                for p in procs:
                    try:
                        rss += p.memory_info().rss
                    except psutil.Error:
                        pass
            except psutil.Error:
                return
            self.peaks[self.label] = max(self.peaks.get(self.label, 0), rss)
            time.sleep(0.5)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--buildings", type=int, default=100_000)
    parser.add_argument("--out", help="folder for the city and the run (default: temporary)")
    parser.add_argument("--scheduler", choices=("processes", "local"), default="processes",
                        help="the ensembles' scheduler (2 workers)")
    args = parser.parse_args(argv)
    out = sys.stdout
    base = Path(args.out) if args.out else Path(tempfile.mkdtemp(prefix="bench-city-"))
    base.mkdir(parents=True, exist_ok=True)
    workbench = str(ROOT / ".venv" / "bin" / "workbench")
    out.write(f"load average at start: {os.getloadavg()[0]:.2f} (2 cores); folder {base}\n")
    start = time.perf_counter()
    subprocess.run([workbench, "city", "synthetic", "--buildings", str(args.buildings),
                    "--seismic-zone", "2B", "--out", str(base / "city")], check=True,
                   capture_output=True)
    made = time.perf_counter() - start
    graphs = [json.loads(p.read_text()) for p in (base / "city" / "networks").glob("*.json")]
    components = sum(len(g["nodes"]) + len(g["edges"]) for g in graphs)
    out.write(f"city: {args.buildings:,} buildings, {components:,} components, made in "
              f"{made:.1f} s\n")
    params = scaled_params(base / "city", args.buildings, components, args.scheduler)
    (base / "params.yaml").write_text(yaml.safe_dump(params, sort_keys=False))
    out.write(f"parameters: {json.dumps(params['constraints'])}, ensemble {args.scheduler}, 2 "
              f"workers\n")
    out.flush()
    start = time.perf_counter()
    proc = subprocess.Popen([workbench, "run", str(base / "params.yaml"), "--out",
                             str(base / "run")], stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT, text=True)
    sampler = Sampler(proc.pid)
    sampler.start()
    for line in proc.stdout:
        out.write("  | " + line)
        out.flush()
        if line.startswith("[") and "] " in line:
            sampler.label = line.split("] ", 1)[1].split(" ")[0]
    rc = proc.wait()
    sampler.stop = True
    total = time.perf_counter() - start
    manifest = json.loads((base / "run" / "manifest.json").read_text())
    out.write(f"workbench run: exit {rc}, {total:.0f} s in all ({total / 60:.1f} min)\n")
    for name, t in manifest["stages"].items():
        peak = sampler.peaks.get(name)
        out.write(f"  {name:28s} {t['status']:8s} {t['seconds']:7.1f} s   peak memory "
                  f"{peak / 1e9 if peak else float('nan'):5.2f} GB (all its processes)\n")
    pages = sorted((base / "run").glob("*.html"))
    out.write("  pages: " + ", ".join(f"{p.name} {p.stat().st_size / 1e6:.1f} MB"
                                      for p in pages) + "\n")
    out.write(f"peak memory of the whole run: {max(sampler.peaks.values()) / 1e9:.2f} GB\n")
    return rc


if __name__ == "__main__":
    raise SystemExit(main())
