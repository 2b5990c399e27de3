"""Start-up time (a script, not a test): ``import workbench``, ``workbench --help`` and the first
use of a re-exported name, each in a fresh interpreter, best of ``--repeat``.

    .venv/bin/python benchmarks/bench_import.py [--repeat 5]

Target (issue [scale]): ``import workbench`` ≤ 0.3 s (it was 1.05 s when every module was
imported up front).
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import time

CASES = {
    "import workbench": "import workbench",
    "workbench --help": "from workbench.run.cli import main\ntry:\n    main(['--help'])\n"
                        "except SystemExit:\n    pass",
    "import workbench; workbench.sample_damage": "import workbench\nworkbench.sample_damage",
    "python alone": "pass",
}


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args(argv)
    for label, code in CASES.items():
        best = float("inf")
        for _ in range(args.repeat):
            start = time.perf_counter()
            subprocess.run([sys.executable, "-c", code], check=True, capture_output=True)
            best = min(best, time.perf_counter() - start)
        print(f"{label:45s} {best:6.3f} s (a fresh interpreter, best of {args.repeat})")


if __name__ == "__main__":
    main()
