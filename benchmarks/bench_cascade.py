"""Speed of the compiled infrastructure system on a large synthetic city.

Target (brief of ``workbench.network.system``): one :meth:`InfrastructureSystem.service` call on
100,000 buildings and 10,000 components in under 5 ms, because recovery calls it once per day
for 365 days.

Run::

    .venv/bin/python benchmarks/bench_cascade.py [--buildings 100000] [--components 10000]
"""

from __future__ import annotations

import argparse
import logging
import time

import numpy as np

from workbench.city.synthetic import grid_city
from workbench.network.system import build_system

log = logging.getLogger("bench_cascade")


def _best_ms(func, *, repeat: int = 5, number: int = 20) -> float:
    """Best of ``repeat`` means over ``number`` calls, in milliseconds."""
    best = np.inf
    for _ in range(repeat):
        start = time.perf_counter()
        for _ in range(number):
            func()
        best = min(best, (time.perf_counter() - start) / number)
    return best * 1e3


def run(n_buildings: int, n_components: int, *, seed: int = 0, realizations: int = 100
        ) -> dict[str, float]:
    """Time city generation, build, and the per-call costs; return figures in s or ms."""
    start = time.perf_counter()
    city = grid_city(n_buildings, n_components, seed=seed)
    t_city = time.perf_counter() - start
    start = time.perf_counter()
    system = build_system(city)
    t_build = time.perf_counter() - start
    rng = np.random.default_rng(seed)
    damaged = rng.random(system.n_components) > 0.05   # 5 % of components damaged
    batch = rng.random((realizations, system.n_components)) > 0.05
    return {
        "components": system.n_components,
        "pumps": len(system.pump_components),
        "grid_city_s": t_city,
        "build_system_s": t_build,
        "service_ms": _best_ms(lambda: system.service(damaged)),
        "service_intact_ms": _best_ms(lambda: system.service(np.ones(system.n_components, bool))),
        "cascade_ms": _best_ms(lambda: system.cascade(damaged)),
        f"service_{realizations}_realizations_ms": _best_ms(lambda: system.service(batch),
                                                            repeat=3, number=2),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--buildings", type=int, default=100_000)
    parser.add_argument("--components", type=int, default=10_000)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    figures = run(args.buildings, args.components, seed=args.seed)
    log.info("%d buildings, %d components", args.buildings, figures.pop("components"))
    for name, value in figures.items():
        log.info("%-32s %10.3f", name, value)


if __name__ == "__main__":
    main()
