"""MarginalUnlearner on an MLPRegressor against retraining (synthetic, diabetes).

For each problem and seed: an ``MLPRegressor`` fitted on all training rows
(``original``), one fitted with the same parameters and seed on the retained
rows only (``retrain``), and ``MarginalUnlearner(original).fit`` with its
defaults (no validation data: the calibrated step budget, then the settling
epochs; ``unlearned``). Reported: the mean squared error on the forgotten rows
and on held-out rows, and the wall time of the unlearning over that of the
retraining. Problems:

- ``cluster``: 600 normal rows (4 Gaussian features, a smooth target, noise
  0.1) plus 40 rows of an outlying cluster whose targets are shifted by 3; the
  cluster is forgotten (the setting of the package's test);
- ``diabetes-bmi``: scikit-learn's diabetes data (features standardised, target
  standardised on the training rows), 70/30 split; the training rows in the top
  decile of BMI are forgotten (a subpopulation);
- ``diabetes-random``: the same, a random 10% of the training rows forgotten.

Usage::

    python benchmarks/bench_regression_unlearning.py            # 3 seeds
    python benchmarks/bench_regression_unlearning.py --seeds 1
"""

import argparse
import time
import warnings

import numpy as np
from sklearn.datasets import load_diabetes
from sklearn.exceptions import ConvergenceWarning
from sklearn.neural_network import MLPRegressor
from threadpoolctl import threadpool_limits

from sklearn_unlearn.datapoint import MarginalUnlearner


def cluster_problem(seed):
    rng = np.random.default_rng(seed)

    def f(X):
        return np.sin(2 * X[:, 0]) + 0.5 * X[:, 1] - 0.3 * X[:, 2] ** 2

    cluster = 0.3 * rng.normal(size=(40, 4)) + [2.5, 2.5, 0, 0]
    X = np.vstack([rng.normal(size=(600, 4)), cluster])
    y = f(X) + 0.1 * rng.normal(size=len(X))
    y[600:] += 3.0
    X_test = rng.normal(size=(400, 4))
    y_test = f(X_test) + 0.1 * rng.normal(size=400)
    return X, y, np.arange(len(X)) >= 600, X_test, y_test


def diabetes_problem(seed, forget):
    X, y = load_diabetes(return_X_y=True)
    rng = np.random.default_rng(seed)
    order = rng.permutation(len(y))
    train, test = order[: int(0.7 * len(y))], order[int(0.7 * len(y)) :]
    mean, std = X[train].mean(axis=0), X[train].std(axis=0)
    y_mean, y_std = y[train].mean(), y[train].std()
    X, y = (X - mean) / std, (y - y_mean) / y_std
    if forget == "bmi":  # column 2 is the body mass index
        mask = X[train, 2] >= np.quantile(X[train, 2], 0.9)
    else:
        mask = np.zeros(len(train), dtype=bool)
        mask[rng.choice(len(train), len(train) // 10, replace=False)] = True
    return X[train], y[train], mask, X[test], y[test]


PROBLEMS = {
    "cluster": (cluster_problem, {"hidden_layer_sizes": (32,), "max_iter": 500}),
    "diabetes-bmi": (
        lambda seed: diabetes_problem(seed, "bmi"),
        {"hidden_layer_sizes": (64,), "max_iter": 300, "alpha": 1e-3},
    ),
    "diabetes-random": (
        lambda seed: diabetes_problem(seed, "random"),
        {"hidden_layer_sizes": (64,), "max_iter": 300, "alpha": 1e-3},
    ),
}


def mse(model, X, y):
    return float(np.mean((model.predict(X) - y) ** 2))


def run(problem, seed):
    make, params = PROBLEMS[problem]
    X, y, forget, X_test, y_test = make(seed)
    original = MLPRegressor(random_state=seed, **params).fit(X, y)
    start = time.perf_counter()
    retrained = MLPRegressor(random_state=seed, **params).fit(X[~forget], y[~forget])
    t_retrain = time.perf_counter() - start
    start = time.perf_counter()
    unlearned = MarginalUnlearner(original, random_state=seed).fit(
        X, y, forget_mask=forget
    )
    t_unlearn = time.perf_counter() - start
    models = {"original": original, "retrain": retrained, "unlearned": unlearned}
    row = {"problem": problem, "seed": seed, "n_forget": int(forget.sum())}
    for name, model in models.items():
        row[f"forget {name}"] = mse(model, X[forget], y[forget])
        row[f"test {name}"] = mse(model, X_test, y_test)
    gap = row["forget retrain"] - row["forget original"]
    row["gap closed"] = (row["forget unlearned"] - row["forget original"]) / gap
    row["time ratio"] = t_unlearn / t_retrain
    return row


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, default=3)
    parser.add_argument("--problems", nargs="+", default=list(PROBLEMS))
    args = parser.parse_args()
    warnings.simplefilter("ignore", ConvergenceWarning)
    columns = ["problem", "seed", "n_forget"] + [
        f"{part} {name}"
        for part in ("forget", "test")
        for name in ("original", "retrain", "unlearned")
    ]
    columns += ["gap closed", "time ratio"]
    print("| " + " | ".join(columns) + " |")
    print("|" + "---|" * len(columns))
    with threadpool_limits(limits=1):
        for problem in args.problems:
            for seed in range(args.seeds):
                row = run(problem, seed)
                cells = [
                    f"{row[c]:.3f}" if isinstance(row[c], float) else str(row[c])
                    for c in columns
                ]
                print("| " + " | ".join(cells) + " |", flush=True)


if __name__ == "__main__":
    main()
