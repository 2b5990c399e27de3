"""Run pyrecodes' Example 3 (North-East San Francisco housing) and dump its curves as JSON.

This is the *pyrecodes side* of a peer comparison. It runs in its own virtual
environment where ``pyrecodes`` (0.3.0) is installed, NOT in the project's
environment, so it must never import anything from ``workbench``; it needs
only the standard library, numpy and pyrecodes. The project reads the JSON
this script writes.

The example data (``NorthEast_SF_Housing_*.json``, kept in
``data/peers/pyrecodes_example3/``) comes from pyrecodes' Example 3, which is
distributed under the BSD 3-Clause licence (see the LICENSE file next to the
data). This script only reads those files; it never writes into that folder.

pyrecodes draws activity durations from numpy's global RNG
(``np.random.lognormal``) and does not seed it. Run ``i`` (0-based) is seeded
with ``numpy.random.seed(1000 + i)`` and ``random.seed(1000 + i)`` before the
system is built, so every run can be repeated, and the seed is recorded.

For each run the JSON holds:
  * ``shelter``: the daily Shelter supply, demand and consumption, as
    ``ReCoDeSCalculator`` (``system.resilience_calculators[0]``) records them
    in ``system_supply`` / ``system_demand`` / ``system_consumption``. Each
    list has one entry per simulated time step, starting at step 0 (the
    calculator appends once per step from START_TIME_STEP = 0, so index ==
    time step). The earthquake hits at step 1 (DISASTER_TIME_STEP).
  * ``resources``: the same three lists for every other resource the
    calculator tracks (FirstResponderEngineer, RepairCrew, Money).
  * ``last_step``: ``system.time_step`` when the loop stopped.
  * ``wall_s``: wall time of ``main.run`` in seconds.
  * per building (components with an ``aim_id``), keyed by AIM id as a string:
    ``damage_state`` (the N of the library template ``DS{N}_Building``),
    ``repair_finished_step`` (last entry of the Repair activity's
    ``time_steps`` if the activity finished, else null),
    ``activity_finished_step`` (the same for every recovery activity) and
    ``durations`` (``recovery_activities[name].duration`` of every activity).

Usage (with the pyrecodes environment's Python)::

    SIDE_VENV/bin/python benchmarks/pyrecodes_side.py \\
        --data data/peers/pyrecodes_example3 --runs 5 --out runs.json

(``benchmarks/bench_pyrecodes.py`` makes the side environment and calls this.)
"""

from __future__ import annotations

import argparse
import contextlib
import importlib.metadata
import json
import math
import os
import random
import re
import sys
import time

import numpy as np

MAIN_FILE = "NorthEast_SF_Housing_Main.json"
REQUIRED_FILES = (
    MAIN_FILE,
    "NorthEast_SF_Housing_SystemConfiguration.json",
    "NorthEast_SF_Housing_ComponentLibrary.json",
    "NorthEast_SF_Housing_Exposure.json",
    "NorthEast_SF_Housing_Damage.json",
)
BASE_SEED = 1000
REPAIR = "Repair"
SHELTER = "Shelter"


def _plain(value):
    """Turn numpy scalars (and nested containers of them) into plain Python."""
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    if isinstance(value, np.ndarray):
        return [_plain(v) for v in value.tolist()]
    if isinstance(value, (bool, np.bool_)):
        return bool(value)
    if isinstance(value, (int, np.integer)):
        return int(value)
    if isinstance(value, (float, np.floating)):
        value = float(value)
        return value if math.isfinite(value) else None
    return value


def _damage_state(component):
    """Damage state N from the component's library template name 'DS{N}_...'."""
    match = re.match(r"DS(\d+)_", str(getattr(component, "name", "")))
    return int(match.group(1)) if match else None


def _finished_step(activity):
    """Step at which an activity finished: the last step it progressed at."""
    finished = activity.activity_finished()
    steps = getattr(activity, "time_steps", [])
    if finished and steps:
        return int(steps[-1])
    return None


def _buildings(system):
    damage_state, repair_finished, activity_finished, durations = {}, {}, {}, {}
    for component in system.components:
        aim_id = getattr(component, "aim_id", None)
        if aim_id is None:
            continue
        key = str(aim_id)
        damage_state[key] = _damage_state(component)
        activities = getattr(component.recovery_model, "recovery_activities", None) or {}
        durations[key] = {name: float(act.duration) for name, act in activities.items()}
        activity_finished[key] = {name: _finished_step(act) for name, act in activities.items()}
        repair_finished[key] = activity_finished[key].get(REPAIR)
    return damage_state, repair_finished, activity_finished, durations


def run_once(folder: str, seed: int) -> dict:
    from pyrecodes import main

    np.random.seed(seed)
    random.seed(seed)
    t0 = time.perf_counter()
    with open(os.devnull, "w") as devnull, contextlib.redirect_stdout(devnull):
        system = main.run(folder_name=folder, main_file_name=MAIN_FILE)
    wall = time.perf_counter() - t0

    calc = system.resilience_calculators[0]
    names = list(calc.resource_names)

    def curves(name):
        return {
            "supply": _plain(calc.system_supply[name]),
            "demand": _plain(calc.system_demand[name]),
            "consumption": _plain(calc.system_consumption[name]),
        }

    damage_state, repair_finished, activity_finished, durations = _buildings(system)
    return {
        "seed": seed,
        "wall_s": round(wall, 3),
        "last_step": int(system.time_step),
        "disaster_step": int(system.DISASTER_TIME_STEP),
        "start_step": int(system.START_TIME_STEP),
        "max_time_step": int(system.MAX_TIME_STEP),
        "finished": bool(getattr(system, "FINISH", False)),
        "calculator": type(calc).__name__,
        "shelter": curves(SHELTER),
        "resources": {name: curves(name) for name in names if name != SHELTER},
        "damage_state": damage_state,
        "repair_finished_step": repair_finished,
        "activity_finished_step": activity_finished,
        "durations": durations,
    }


def main_cli(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", required=True, help="folder with the Example 3 JSON files")
    parser.add_argument("--runs", type=int, default=5, help="number of seeded runs")
    parser.add_argument("--out", required=True, help="output JSON file")
    args = parser.parse_args(argv)

    folder = os.path.abspath(args.data)
    missing = [f for f in REQUIRED_FILES if not os.path.isfile(os.path.join(folder, f))]
    if missing:
        parser.error(f"missing in {folder}: {', '.join(missing)}")
    # pyrecodes builds paths as f"{folder_name}/{file}" and substitutes
    # "{folder}" in the configuration with folder_name: an absolute path works
    # from any working directory, and pyrecodes only reads these files.

    result = {
        "pyrecodes_version": importlib.metadata.version("pyrecodes"),
        "python": sys.version.split()[0],
        "numpy_version": np.__version__,
        "example": "pyrecodes Example 3: North-East San Francisco housing (BSD-3-Clause data)",
        "runs": [],
    }
    for i in range(args.runs):
        seed = BASE_SEED + i
        run = run_once(folder, seed)
        result["runs"].append(run)
        sh = run["shelter"]
        step2 = sh["consumption"][2] / sh["demand"][2] if len(sh["demand"]) > 2 and sh["demand"][2] else float("nan")
        print(f"run {i + 1}/{args.runs} seed={seed} wall={run['wall_s']:.1f}s "
              f"last_step={run['last_step']} demand={sh['demand'][-1]:.0f} met@2={step2:.3f}",
              flush=True)

    out_dir = os.path.dirname(os.path.abspath(args.out))
    os.makedirs(out_dir, exist_ok=True)
    with open(args.out, "w") as fh:
        json.dump(result, fh, allow_nan=False)
    print(f"wrote {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main_cli())
