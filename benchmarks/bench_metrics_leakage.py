"""Wall time of ``leakage_auc`` (cross-validated adversary AUC) on n x d data.

Each case times the public function with its default adversary
(HistGradientBoostingClassifier, 5-fold stratified CV) and, for comparison,
with a LogisticRegression adversary. The floor is what the cross-validation
cannot avoid: ``cv`` fits of the same adversary on (cv - 1) / cv of the rows
plus its predictions on the rest, timed here as one fit on all rows times
``cv * (cv - 1) / cv`` (fit cost is about linear in n for both adversaries).
A ratio near 1 means the metric adds nothing but the adversary's own work.

Usage::

    python benchmarks/bench_metrics_leakage.py              # n in {1e4, 1e5}, d = 20
    python benchmarks/bench_metrics_leakage.py --n 1e5 --d 5 20 50

Data: 3 groups with shares 0.5 / 0.3 / 0.2; Z | S = g ~ N(0.3 g 1, I_d).
"""

import argparse
import json
import os
import platform
from pathlib import Path

import numpy as np
import sklearn
from _common import best_of, log, parse_int
from sklearn.base import clone
from sklearn.ensemble import HistGradientBoostingClassifier
from sklearn.linear_model import LogisticRegression

import sklearn_unlearn
from sklearn_unlearn.metrics import leakage_auc

CV = 5
ADVERSARIES = {
    "hgb (default)": None,
    "logistic": LogisticRegression(max_iter=1000),
}


def make_data(n, d, seed):
    rng = np.random.default_rng(seed)
    s = rng.choice(3, size=n, p=[0.5, 0.3, 0.2])
    return rng.standard_normal((n, d)) + 0.3 * s[:, None], s


def fit_floor(adversary, Z, s, repeat):
    model = HistGradientBoostingClassifier() if adversary is None else adversary
    return best_of(lambda: clone(model).fit(Z, s), repeat) * (CV - 1)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=parse_int, nargs="+")
    parser.add_argument("--d", type=int, nargs="+", default=[20])
    parser.add_argument("--repeat", type=int, default=2)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument(
        "--output",
        default=str(Path(__file__).parent / "results" / "bench_metrics_leakage.json"),
    )
    args = parser.parse_args(argv)
    ns = args.n or [10_000, 100_000]
    log(
        f"# leakage_auc benchmark (sklearn_unlearn {sklearn_unlearn.__version__}, "
        f"numpy {np.__version__}, scikit-learn {sklearn.__version__}, "
        f"{platform.machine()}, {os.cpu_count()} cpus, "
        f"load {os.getloadavg()[0]:.2f})"
    )
    records = []
    for n in ns:
        for d in args.d:
            Z, s = make_data(n, d, args.seed)
            for name, adversary in ADVERSARIES.items():
                seconds, auc = best_of(
                    lambda a=adversary, Z=Z, s=s: leakage_auc(
                        Z, s, estimator=a, cv=CV, random_state=0
                    ),
                    args.repeat,
                    return_value=True,
                )
                floor = fit_floor(adversary, Z, s, args.repeat)
                records.append(
                    {
                        "n": n,
                        "d": d,
                        "adversary": name,
                        "seconds": seconds,
                        "auc": auc,
                        "floor_seconds": floor,
                        "load": f"{os.getloadavg()[0]:.2f}",
                    }
                )
                log(f"   n={n} d={d} {name}: {seconds:.3g} s, AUC {auc:.4f}")
    header = ["n", "d", "adversary", "seconds", "floor s", "ratio", "AUC"]
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    for r in records:
        cells = [
            r["n"],
            r["d"],
            r["adversary"],
            f"{r['seconds']:.3g}",
            f"{r['floor_seconds']:.3g}",
            f"{r['seconds'] / r['floor_seconds']:.2f}",
            f"{r['auc']:.4f}",
        ]
        lines.append("| " + " | ".join(str(c) for c in cells) + " |")
    log()
    log("\n".join(lines))
    out = Path(args.output)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps({"cv": CV, "records": records}, indent=2))
    log(f"\nraw numbers: {out}")


if __name__ == "__main__":
    main()
