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

import numpy as np
from _harness import (
    add_output,
    add_repeat,
    add_seed,
    best_of,
    load_average,
    log,
    make_parser,
    parse_int,
    print_header,
    print_table,
    write_results,
)
from sklearn.base import clone
from sklearn.ensemble import HistGradientBoostingClassifier
from sklearn.linear_model import LogisticRegression

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
    parser = make_parser(__doc__)
    parser.add_argument("--n", type=parse_int, nargs="+")
    parser.add_argument("--d", type=int, nargs="+", default=[20])
    add_repeat(parser, 2)
    add_seed(parser)
    add_output(parser, "bench_metrics_leakage")
    args = parser.parse_args(argv)
    ns = args.n or [10_000, 100_000]
    print_header("leakage_auc benchmark")
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
                        "load": load_average(),
                    }
                )
                log(f"   n={n} d={d} {name}: {seconds:.3g} s, AUC {auc:.4f}")
    header = ["n", "d", "adversary", "seconds", "floor s", "ratio", "AUC"]
    table = [
        [
            r["n"],
            r["d"],
            r["adversary"],
            f"{r['seconds']:.3g}",
            f"{r['floor_seconds']:.3g}",
            f"{r['seconds'] / r['floor_seconds']:.2f}",
            f"{r['auc']:.4f}",
        ]
        for r in records
    ]
    log()
    print_table(header, table)
    write_results({"cv": CV, "records": records}, args.output)


if __name__ == "__main__":
    main()
