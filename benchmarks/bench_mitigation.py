"""Stage 06 speed and figures on the demo city (a script, not a test): the five default options
(no combination) ranked over 200 ensemble members, on a local 2-worker dask cluster (target:
<= 2 min on 2 cores), then the same serially with 40 members; prints the ranking with the 90 %
half-widths of the mean avoided loss under common random numbers and as independent runs.

    .venv/bin/python benchmarks/bench_mitigation.py [members] [workers]
"""
import sys
import time
import warnings

import pandas as pd

warnings.simplefilter("ignore")
import workbench as wb  # noqa: E402
from workbench import mitigation as mt  # noqa: E402
from workbench.run.params import validate_params  # noqa: E402
from workbench.run.pipeline import stages  # noqa: E402
from workbench.run.pipeline.uncertainty import ensemble_priors  # noqa: E402
from workbench.uncertainty.ensemble import sample_members  # noqa: E402


def main():
    members = int(sys.argv[1]) if len(sys.argv) > 1 else 200
    workers = int(sys.argv[2]) if len(sys.argv) > 2 else 2
    params = validate_params({})
    city = wb.map_city(wb.demo_city(), max_distance=params["map"]["max_distance_m"])
    system = wb.build_system(city)
    intensity = stages.hazard_intensity(params["hazard"], city, system.components)
    options = mt.parse_options(params["mitigation"]["options"])
    draws = sample_members(ensemble_priors(params), members, seed=0)
    t = time.perf_counter()
    res = mt.evaluate(options, city, system, intensity, stages.constraints(params), draws,
                      strategy="semiflexible", workers=workers if workers > 1 else None)
    elapsed = time.perf_counter() - t
    print(f"{len(options)} options + baseline over {members} members, semiflexible, "
          f"{workers} worker(s): {elapsed:.1f} s")
    table = mt.rank(res)
    pd.set_option("display.width", 200)
    pd.set_option("display.max_columns", 20)
    show = table[["rank", "option", "cost", "avoided_economic_loss", "avoided_person_days", "bcr",
                  "bcr_p5", "bcr_p95", "p_worth_it", "avoided_loss_ci90_crn",
                  "avoided_loss_ci90_independent"]].copy()
    for c in ("cost", "avoided_economic_loss", "avoided_loss_ci90_crn",
              "avoided_loss_ci90_independent"):
        show[c] = (show[c] / 1e6).round(2)
    print("money in EUR M; ratio per event")
    print(show.to_string(index=False))


if __name__ == "__main__":   # (dask's worker processes import this file)
    main()
