"""pyrecodes' Example 3 under its own assumptions: pyrecodes' runs beside the workbench's engine.

Run from the repository root (about 2 minutes after the side environment exists)::

    .venv/bin/python benchmarks/bench_pyrecodes.py [--runs 5] [--venv DIR] [--out DIR]

1. A side environment for pyrecodes, never the project's: ``--venv`` (default
   ``~/.cache/workbench/pyrecodes-0.3.0``) is made with ``python -m venv`` and gets
   ``pip install pyrecodes==0.3.0 matplotlib`` unless it already has that version.
2. pyrecodes runs Example 3 (``data/peers/pyrecodes_example3/``, BSD-3) ``--runs`` times there
   (``benchmarks/pyrecodes_side.py``; run ``i`` seeds numpy's global generator with 1000 + i,
   which pyrecodes draws its durations from).
3. The workbench reads the same files (:func:`workbench.io.interop.pyrecodes.read_pyrecodes`)
   and runs its engine ``--runs`` times with durations of its own (seed 0; realisation ``m``
   draws from ``default_rng([0, m])``) — the comparison the README states.
4. Each pyrecodes run is *replayed*: the durations it drew go through the workbench's
   schedule and engine, and every building's restoration day is compared with pyrecodes' (when
   the curve shows it). This separates what the models do differently from what the random
   draws do.

Written to ``--out`` (default ``reports/peers/pyrecodes_example3``): ``comparison.csv`` and
``comparison.md`` (the table), ``shelter_curves.png`` (beds met over days, every run and
realisation), ``replay.csv`` (per run: buildings restored the same day, largest differences
by damage state, days on which pyrecodes' repair crews were short) and ``pyrecodes_runs.json``.
The bands: mean day of 95 % of beds met within ±15 %, unmet bed-days within ±20 %.
"""

from __future__ import annotations

import argparse
import json
import math
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd

from workbench.core.paths import DATA_DIR
from workbench.io.interop.pyrecodes import activity_schedule, read_pyrecodes
from workbench.uncertainty.peer import example_constraints, restored_days, simulate_example

ROOT = Path(__file__).resolve().parents[1]
EXAMPLE = DATA_DIR / "peers" / "pyrecodes_example3"
VERSION = "0.3.0"
BANDS = {"day_95": 0.15, "unmet_bed_days": 0.20}


def side_environment(venv: Path) -> Path:
    """The side environment's Python, with pyrecodes VERSION installed (made if missing)."""
    python = venv / "bin" / "python"
    if python.exists():
        probe = subprocess.run([str(python), "-c", "import importlib.metadata as m; "
                                "print(m.version('pyrecodes'))"], capture_output=True, text=True)
        if probe.returncode == 0 and probe.stdout.strip() == VERSION:
            return python
    print(f"making the side environment {venv} (pyrecodes {VERSION}) …", flush=True)
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
    subprocess.run([str(venv / "bin" / "pip"), "install", "-q", f"pyrecodes=={VERSION}",
                    "matplotlib"], check=True)
    return python


def curve_facts(share: np.ndarray, demand: float) -> dict:
    """Facts of a daily met-share curve (index = day since the event)."""
    share = np.asarray(share, dtype=float)
    below = np.flatnonzero(share < 0.95 - 1e-12)
    day95 = 0 if not len(below) else (int(below[-1]) + 1 if below[-1] + 1 < len(share)
                                      else math.nan)
    full = np.flatnonzero(share >= 1 - 1e-12)
    return {"met_day_1": float(share[1]), "met_day_60": float(share[60]),
            "day_95": float(day95),
            "day_100": float(full[0]) if len(full) else math.nan,
            "unmet_bed_days": float(((1 - share) * demand).sum())}


def pyrecodes_curves(runs: list) -> list[np.ndarray]:
    """Daily met share of each pyrecodes run, index = day (step − disaster step)."""
    out = []
    for run in runs:
        s = run["shelter"]
        consumption, demand = np.asarray(s["consumption"], float), np.asarray(s["demand"], float)
        out.append((consumption / demand)[run["disaster_step"]:])
    return out


def replay(example, runs: list, horizon: int) -> pd.DataFrame:
    """Each pyrecodes run's own durations through the workbench; per-building agreement."""
    ids = example.city.buildings["building"].values.astype(str)
    listed = sorted({s for a, b, c in example.recovery_steps for s in range(a, b, c)})

    def shown(step):                 # the day pyrecodes' curve shows a repair finished at step
        if step is None:
            return math.inf
        return float(min(x for x in listed if x >= step)) + 1 - example.disaster_step

    rows = []
    constraints = example_constraints(example, horizon)
    for run in runs:
        schedule = activity_schedule(example, np.random.default_rng(0), horizon=horizon,
                                     durations=run["durations"])
        mine = restored_days(example, schedule, constraints)
        theirs = np.array([shown(run["repair_finished_step"][i]) if example.damage_state[k] > 0
                           else 0.0 for k, i in enumerate(ids)])
        diff = mine - theirs
        acts = same = 0
        for k, i in enumerate(ids):  # the impeding activities, building by building
            for name, step in run["activity_finished_step"][i].items():
                if name == "Repair":
                    continue
                acts += 1
                same += shown(step) == schedule.loc[i, f"finish_{name}"] + 1
        crews = run["resources"]["RepairCrew"]
        short = int((np.asarray(crews["demand"]) > np.asarray(crews["supply"]) + 1e-9).sum())
        row = {"seed": run["seed"], "impeding_activities": acts,
               "impeding_same_day": same / acts if acts else math.nan,
               "repair_crew_short_days": short}
        for ds in range(1, 5):
            at = example.damage_state == ds
            row[f"ds{ds}_same_day"] = float((diff[at] == 0).mean())
            row[f"ds{ds}_mean_diff_days"] = float(diff[at].mean())
            row[f"ds{ds}_max_abs_diff_days"] = float(np.abs(diff[at]).max())
        late = example.damage_state >= 2
        after = late & (theirs > 99)
        row["ds2_4_after_day_99"] = int(after.sum())
        row["ds2_4_diff_only_after_day_99"] = bool((diff[late & ~after] == 0).all())
        rows.append(row)
    return pd.DataFrame(rows)


def table(ours: list[dict], theirs: list[dict]) -> pd.DataFrame:
    rows = []
    for key in ("met_day_1", "met_day_60", "day_95", "day_100", "unmet_bed_days"):
        a = np.array([f[key] for f in theirs])
        b = np.array([f[key] for f in ours])
        diff = (b.mean() - a.mean()) / a.mean()
        band = BANDS.get(key)
        rows.append({"measure": key, "pyrecodes_mean": a.mean(), "pyrecodes_min": a.min(),
                     "pyrecodes_max": a.max(), "workbench_mean": b.mean(),
                     "workbench_min": b.min(), "workbench_max": b.max(),
                     "difference": diff, "band": band if band else math.nan,
                     "within_band": (abs(diff) <= band) if band else None})
    return pd.DataFrame(rows)


def figure(path: Path, theirs: list[np.ndarray], ours: np.ndarray) -> None:
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    fig, ax = plt.subplots(figsize=(8, 4.5), dpi=120)
    for i, c in enumerate(theirs):
        ax.plot(np.arange(len(c)), 100 * c, color="tab:orange", lw=0.8, alpha=0.7,
                label="pyrecodes 0.3.0 (its runs)" if i == 0 else None)
    for i, c in enumerate(ours):
        ax.plot(np.arange(len(c)), 100 * c, color="tab:blue", lw=0.8, alpha=0.7, ls="--",
                label="workbench engine, same assumptions" if i == 0 else None)
    ax.axhline(95, color="grey", lw=0.6, ls=":")
    ax.set(xlim=(0, 160), ylim=(85, 100.5), xlabel="days since the earthquake",
           ylabel="beds met [% of 80,438]",
           title="pyrecodes Example 3 (North-East San Francisco): shelter over days")
    ax.legend(loc="lower right")
    fig.tight_layout()
    fig.savefig(path)
    plt.close(fig)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--venv", type=Path,
                        default=Path.home() / ".cache" / "workbench" / f"pyrecodes-{VERSION}")
    parser.add_argument("--out", type=Path, default=ROOT / "reports" / "peers" /
                        "pyrecodes_example3")
    parser.add_argument("--horizon", type=int, default=365)
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    python = side_environment(args.venv)
    runs_file = args.out / "pyrecodes_runs.json"
    start = time.perf_counter()
    subprocess.run([str(python), str(ROOT / "benchmarks" / "pyrecodes_side.py"), "--data",
                    str(EXAMPLE), "--runs", str(args.runs), "--out", str(runs_file)], check=True)
    t_peer = time.perf_counter() - start
    runs = json.loads(runs_file.read_text())["runs"]

    example = read_pyrecodes(EXAMPLE)
    start = time.perf_counter()
    ours = simulate_example(example, realisations=args.runs, seed=0, horizon=args.horizon)
    t_ours = time.perf_counter() - start
    demand = ours.attrs["demand"]
    their_curves = pyrecodes_curves(runs)
    facts_theirs = [curve_facts(c, demand) for c in their_curves]
    facts_ours = [curve_facts(c, demand) for c in ours["met_share"].values]
    result = table(facts_ours, facts_theirs)
    result.to_csv(args.out / "comparison.csv", index=False)
    check = replay(example, runs, args.horizon)
    check.to_csv(args.out / "replay.csv", index=False)
    figure(args.out / "shelter_curves.png", their_curves, ours["met_share"].values)
    with pd.option_context("display.width", 200, "display.max_columns", 30):
        text = (f"# pyrecodes Example 3: pyrecodes {VERSION} ({args.runs} runs, "
                f"{t_peer:.0f} s) vs the workbench engine ({args.runs} realisations, "
                f"{t_ours:.1f} s)\n\nDemand {demand:,.0f} beds.\n\n"
                f"{result.round(4).to_markdown(index=False)}\n\n## Replay of pyrecodes' own "
                f"durations\n\n{check.round(3).to_markdown(index=False)}\n")
    (args.out / "comparison.md").write_text(text)
    print(text)


if __name__ == "__main__":
    main()
