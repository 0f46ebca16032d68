"""Per-example membership audit of data-point unlearning on scikit-learn's digits.

An MLPClassifier(128, 64) is trained on 60% of the digits (the split of
``bench_datapoint.py``); then a set of its training rows is forgotten, either

- ``digit``: 75% of the training rows of one digit; the negatives of the
  attack are the held-out rows of that digit; or
- ``random``: a random 10% of the training rows; the negatives are all
  held-out rows.

The held-out rows are the validation and test parts of the split (40%), which
no model here trains on (MarginalUnlearner runs without validation data).
``membership_audit`` trains ``--references`` reference MLPs on random halves
of the retained rows and scores, against the same references:

- ``original``: the trained model (it saw the forgotten rows);
- ``retrain``: the same estimator fitted on the retained rows (the target);
- ``retrain_other_init``: the same from another initialisation (noise floor);
- ``marginal``: ``MarginalUnlearner(original, random_state=seed)`` with
  its defaults (no validation data).

Columns: the audit's AUC and its true-positive rates at 1% and 0.1% false
positives, the population-level ``membership_advantage`` on the same rows
(for comparison), and the accuracy on the forgotten rows; mean and standard
deviation over ``--seeds`` seeds (split, forget set, models and references).

Usage::

    python benchmarks/bench_membership.py                  # 3 seeds, both setups
    python benchmarks/bench_membership.py --seeds 5 --setups random
    python benchmarks/bench_membership.py --references 16 --variance pooled
"""

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
from bench_datapoint import RANDOM_SHARE, random_forget, split
from sklearn.exceptions import ConvergenceWarning
from sklearn.neural_network import MLPClassifier

from sklearn_unlearn.datapoint import MarginalUnlearner
from sklearn_unlearn.metrics import membership_advantage, membership_audit

SETUPS = ("digit", "random")
METHODS = ("original", "retrain", "retrain_other_init", "marginal")


def make_mlp(seed):
    return MLPClassifier((128, 64), max_iter=300, random_state=seed)


def data_of(seed, setup, digit):
    """Training rows, forget mask, and the held-out negatives of the attack."""
    X, y, X_val, y_val, X_test, y_test, forget = split(seed, digit)
    X_out, y_out = np.vstack([X_val, X_test]), np.r_[y_val, y_test]
    if setup == "random":
        forget = random_forget(seed, y.size)
    else:
        X_out, y_out = X_out[y_out == digit], y_out[y_out == digit]
    return X, y, forget, X_out, y_out


def measure(model, data, args, seed, references=None):
    X, y, forget, X_out, y_out = data
    audit = membership_audit(
        model,
        X,
        y,
        forget_mask=forget,
        X_holdout=X_out,
        y_holdout=y_out,
        estimator=None if references else make_mlp(0),
        references=references,
        n_references=args.references,
        train_size=args.train_size,
        variance=args.variance,
        fpr=(0.01, 0.001),
        n_jobs=args.n_jobs,
        random_state=seed,
    )
    classes = list(model.classes_)
    population = membership_advantage(
        model.predict_proba(X[forget]),
        model.predict_proba(X_out),
        y_forget=np.searchsorted(classes, y[forget]),
        y_holdout=np.searchsorted(classes, y_out),
    )
    row = {
        "audit_auc": audit.auc,
        "tpr_1%": float(audit.tpr_at_fpr[0]),
        "tpr_0.1%": float(audit.tpr_at_fpr[1]),
        "population_auc": population,
        "forget_acc": float(np.mean(model.predict(X[forget]) == y[forget])),
    }
    return row, audit.references


def run(seed, setup, args):
    data = data_of(seed, setup, args.digit)
    X, y, forget, X_out, y_out = data
    original = make_mlp(seed).fit(X, y)
    models = {
        "original": original,
        "retrain": make_mlp(seed).fit(X[~forget], y[~forget]),
        "retrain_other_init": make_mlp(seed + 100).fit(X[~forget], y[~forget]),
        "marginal": MarginalUnlearner(original, random_state=seed).fit(
            X, y, forget_mask=forget
        ),
    }
    (first, references), seconds = timed(lambda: measure(original, data, args, seed))
    out = {"original": first}
    for name in METHODS[1:]:
        out[name] = measure(models[name], data, args, seed, references)[0]
    out["n_forget"], out["n_holdout"] = int(forget.sum()), int(y_out.size)
    out["audit_seconds"] = seconds
    return out


def report(setup, runs, args):
    keys = list(runs[0]["original"])
    rows = []
    for method in METHODS:
        cells = [method]
        for key in keys:
            values = np.array([r[method][key] for r in runs])
            cells.append(f"{values.mean():.3f} ± {values.std():.3f}")
        rows.append(cells)
    what = (
        f"75% of digit {args.digit}'s training rows (negatives: held-out rows of "
        "that digit)"
        if setup == "digit"
        else f"a random {RANDOM_SHARE:.0%} of the training rows (negatives: all "
        "held-out rows)"
    )
    log(
        f"\n## forget {what}: {runs[0]['n_forget']} forgotten, "
        f"{runs[0]['n_holdout']} held-out rows, {args.references} references "
        f"on {args.train_size:g} of the retained rows, variance={args.variance}, "
        f"{len(runs)} seeds\n"
    )
    print_table(["method", *keys], rows)
    gap = np.array(
        [r["marginal"]["audit_auc"] - r["retrain"]["audit_auc"] for r in runs]
    )
    noise = np.array(
        [r["retrain_other_init"]["audit_auc"] - r["retrain"]["audit_auc"] for r in runs]
    )
    log(
        f"\naudit AUC, marginal - retrain: {gap.mean():+.3f} (per seed "
        f"{np.round(gap, 3).tolist()}); other init - retrain: per seed "
        f"{np.round(noise, 3).tolist()}; audit time (references + scoring) "
        f"{np.mean([r['audit_seconds'] for r in runs]):.1f} s"
    )


def main(argv=None):
    parser = make_parser(__doc__)
    add_seeds(parser, 3)
    parser.add_argument("--digit", type=int, default=3)
    parser.add_argument("--setups", nargs="+", choices=SETUPS, default=list(SETUPS))
    parser.add_argument("--references", type=int, default=8)
    parser.add_argument("--train-size", type=float, default=0.5)
    parser.add_argument(
        "--variance", choices=("per_example", "pooled"), default="per_example"
    )
    parser.add_argument("--n-jobs", type=int, default=None)
    add_output(parser, str(result_path("bench_membership.json")))
    args = parser.parse_args(argv)
    warnings.filterwarnings("ignore", category=ConvergenceWarning)
    results = {}
    for setup in args.setups:
        runs = [run(seed, setup, args) for seed in range(args.seeds)]
        results[setup] = runs
        report(setup, runs, args)
    write_results(results, args.output)


if __name__ == "__main__":
    main()
