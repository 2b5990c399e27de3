"""Training time of the hybrid EP-per-m² regressor, and its held-out R² against the baseline.

Run from the repository root::

    .venv/bin/python benchmarks/bench_hybrid.py [--n 800] [--steps 48] [--seed 0]

Data: :func:`workbench.models.production.synthetic_production` (synthetic, seeded), with and
without its temporal signal. A seeded quarter of the units is held out; the hybrid
(GRU + MLP) and the static-only baseline (same MLP, no GRU) are fitted with their default
settings (``max_epochs=300`` with early stopping, one torch thread) on the rest, and R² is
computed on the held-out units on the EUR/m²/day scale (``score``, dominated by the
high-value offices) and on the log scale the models fit (``log R2``). Target: the hybrid trains in
≤ 60 s on 2 CPU cores; with the temporal signal it should beat the baseline clearly, without it
it should not.
"""

from __future__ import annotations

import argparse
import time

import numpy as np
import torch

from workbench.models.hybrid import HybridEPRegressor
from workbench.models.production import TARGET, hybrid_inputs, synthetic_production

#: Share of units held out for the R².
TEST_SHARE = 0.25


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=800)
    parser.add_argument("--steps", type=int, default=48)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)

    header = (f"{'temporal signal':>15} {'model':>9} {'fit s':>7} {'epochs':>7} "
              f"{'best':>5} {'held-out R2':>12} {'log R2':>7}")
    lines = [f"n={args.n} units, {args.steps} hourly steps, seed {args.seed}, "
             f"torch {torch.__version__}, {TEST_SHARE:.0%} held out", header, "-" * len(header)]
    for signal in (True, False):
        static, series = synthetic_production(args.n, args.steps, args.seed,
                                              temporal_signal=signal)
        X, y = hybrid_inputs(static, series), static[TARGET].to_numpy()
        n_static = X.shape[1] - series.shape[1] * series.shape[2]
        order = np.random.default_rng(args.seed + 1).permutation(len(X))
        test, train = order[:int(TEST_SHARE * len(X))], order[int(TEST_SHARE * len(X)):]
        scores = {}
        for name, temporal in (("hybrid", True), ("baseline", False)):
            start = time.perf_counter()
            model = HybridEPRegressor(n_static, series.shape[2], use_temporal=temporal,
                                      seed=args.seed).fit(X[train], y[train])
            seconds = time.perf_counter() - start
            log_pred, log_true = np.log(model.predict(X[test])), np.log(y[test])
            scores[name] = (model.score(X[test], y[test]),
                            1 - np.sum((log_pred - log_true) ** 2)
                            / np.sum((log_true - log_true.mean()) ** 2))
            lines.append(f"{str(signal):>15} {name:>9} {seconds:>7.1f} {model.n_epochs_:>7} "
                         f"{model.best_epoch_:>5} {scores[name][0]:>12.3f} "
                         f"{scores[name][1]:>7.3f}")
        gain = np.subtract(scores["hybrid"], scores["baseline"])
        lines.append(f"{'':>15} {'gain':>9} {'':>7} {'':>7} {'':>5} {gain[0]:>+12.3f} "
                     f"{gain[1]:>+7.3f}")
    print("\n".join(lines))  # a script's output, not library code


if __name__ == "__main__":
    main()
