"""Forgetting on mixed-type tabular data: strong-adversary leakage on Adult.

Adult from the library's own loader (train part -> test part, rows with missing
values dropped); features: one-hot categories and standardised numeric columns
(``fnlwgt``, a census sampling weight, is left out), the sensitive column removed
after repair. For each method and repair level, fitted on the training part:

- ``leak``: test ROC AUC of a HistGradientBoosting adversary predicting S, fitted
  on the repaired training features (0.5 = nothing leaks);
- ``income``: test ROC AUC of a logistic regression predicting income >50K,
  fitted on the repaired training features;
- fit and transform (train + test) wall time.

Also shown: fairlearn's CorrelationRemover (alpha=1) as a peer, when installed,
and a control row, ``stochastic, S shuffled``: the stochastic method fitted with
a sensitive attribute drawn at random (independent of X). Its transport is close
to the identity, so its income AUC is the cost of the cells and draws alone; the
rest of the gap to the raw data is the cost of making the features independent
of the real S.

Usage::

    python benchmarks/bench_adult_leakage.py                   # S = sex, then race
    python benchmarks/bench_adult_leakage.py --sensitive sex   # one attribute
"""

import warnings

import numpy as np
from _harness import (
    add_output,
    add_seed,
    load_average,
    log,
    make_parser,
    print_table,
    timed,
    write_results,
)
from _harness import peers as peers_lib
from _tables import adversary_auc
from sklearn.compose import ColumnTransformer
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import roc_auc_score
from sklearn.preprocessing import OneHotEncoder, StandardScaler

from sklearn_unlearn import BarycenterFeatureUnlearner
from sklearn_unlearn.cli._demo import CATEGORICAL, NUMERIC, POSITIVE
from sklearn_unlearn.datasets import load_adult

METHODS = {
    "gaussian": {"method": "gaussian"},
    "quantile": {"method": "quantile"},
    "empirical": {"method": "empirical"},
    "stochastic": {"method": "stochastic"},
    "stochastic, within_cell=0": {"method": "stochastic", "within_cell": 0.0},
}
LEVELS = (0.0, 0.5, 1.0)


def encoded(sensitive):
    """Repair-ready arrays: features (S removed), S, income; train and test."""
    parts = {}
    for subset in ("train", "test"):
        X, y, _ = load_adult(subset=subset, return_X_y=True, dropna=True)
        parts[subset] = (X, (X[sensitive] == POSITIVE[sensitive]).to_numpy(int), y)
    encoder = ColumnTransformer(
        [
            (
                "cat",
                OneHotEncoder(handle_unknown="ignore", sparse_output=False),
                [c for c in CATEGORICAL if c != sensitive],
            ),
            ("num", StandardScaler(), NUMERIC),
        ]
    ).fit(parts["train"][0])
    return {
        subset: (encoder.transform(X), s, y.to_numpy())
        for subset, (X, s, y) in parts.items()
    }


def scores(Z_train, Z_test, data, seed=0):
    (_, s_train, y_train), (_, s_test, y_test) = data["train"], data["test"]
    leak = adversary_auc(Z_train, s_train, Z_test, s_test, seed)
    model = LogisticRegression(max_iter=2000).fit(Z_train, y_train)
    return leak, roc_auc_score(y_test, model.predict_proba(Z_test)[:, 1])


def result(method, level, leak, income, fit_s=0.0, transform_s=0.0):
    return {
        "method": method,
        "repair_level": level,
        "leak_auc": leak,
        "income_auc": income,
        "fit_s": fit_s,
        "transform_s": transform_s,
    }


def run_method(name, params, data, s_fit, seed):
    (X_train, _, _), (X_test, s_test, _) = data["train"], data["test"]
    unlearner, t_fit = timed(
        lambda: BarycenterFeatureUnlearner(random_state=seed, **params).fit(
            X_train, sensitive_features=s_fit
        )
    )
    rows = []
    for level in LEVELS:
        unlearner.set_params(repair_level=level)
        (Z_train, Z_test), t_transform = timed(
            lambda u=unlearner: (
                u.transform(X_train, sensitive_features=s_fit),
                u.transform(X_test, sensitive_features=s_test),
            )
        )
        leak, income = scores(Z_train, Z_test, data, seed)
        rows.append(result(name, level, leak, income, t_fit, t_transform))
    return rows


def peer_rows(data, seed):
    if peers_lib.require("fairlearn", "CorrelationRemover row") is None:
        return []
    rows = []
    (X_train, s_train, _), (X_test, s_test, _) = data["train"], data["test"]
    with_s = [
        np.column_stack([X, s]) for X, s in ((X_train, s_train), (X_test, s_test))
    ]
    remover, t_fit = timed(
        lambda: peers_lib.correlation_remover([X_train.shape[1]]).fit(with_s[0])
    )
    (Z_train, Z_test), t_transform = timed(
        lambda: (remover.transform(with_s[0]), remover.transform(with_s[1]))
    )
    leak, income = scores(Z_train, Z_test, data, seed)
    rows.append(
        result("fairlearn CorrelationRemover", 1.0, leak, income, t_fit, t_transform)
    )
    return rows


def run(sensitive, seed):
    data = encoded(sensitive)
    (X_train, s_train, _), (X_test, _, _) = data["train"], data["test"]
    leak, income = scores(X_train, X_test, data, seed)
    rows = [result("none (raw)", 0.0, leak, income)]
    for name, params in METHODS.items():
        rows += run_method(name, params, data, s_train, seed)
    shuffled = np.random.default_rng(seed).permutation(s_train)
    control = run_method(
        "stochastic, S shuffled", METHODS["stochastic"], data, shuffled, seed
    )
    rows.append(control[-1])
    rows += peer_rows(data, seed)
    return rows, X_train.shape


def main(argv=None):
    parser = make_parser(__doc__)
    parser.add_argument(
        "--sensitive", choices=sorted(POSITIVE), nargs="+", default=["sex", "race"]
    )
    add_seed(parser, flag="--random-state", help="seed of every estimator")
    add_output(parser, "bench_adult_leakage")
    args = parser.parse_args(argv)
    warnings.filterwarnings("ignore", category=FutureWarning)
    log(f"load average: {load_average()}")
    results = {}
    for sensitive in args.sensitive:
        rows, shape = run(sensitive, args.random_state)
        results[sensitive] = rows
        log(
            f"\n## S = {sensitive} ({POSITIVE[sensitive]} vs other): train "
            f"{shape[0]} x {shape[1]}\n"
        )
        print_table(
            ["method", "repair", "leak AUC(S)", "income AUC", "fit s", "transform s"],
            [
                [
                    r["method"],
                    f"{r['repair_level']:.1f}",
                    f"{r['leak_auc']:.3f}",
                    f"{r['income_auc']:.3f}",
                    f"{r['fit_s']:.2f}",
                    f"{r['transform_s']:.2f}",
                ]
                for r in rows
            ],
        )
    write_results(results, args.output)


if __name__ == "__main__":
    main()
