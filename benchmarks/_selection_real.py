"""``real`` section of ``bench_selection.py``: retrain a LogisticRegression
after deleting the selected rows of a forget domain (digits, Adult), for a grid
of budgets, until the forget-domain metric meets its criterion.
"""

import time
import warnings

import numpy as np
from _harness import load_average, log, markdown_table
from _selection import SCORES, selector
from sklearn.base import clone
from sklearn.compose import ColumnTransformer
from sklearn.datasets import load_digits
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import log_loss
from sklearn.model_selection import train_test_split
from sklearn.preprocessing import OneHotEncoder, StandardScaler

from sklearn_unlearn import SelectiveRetrainer
from sklearn_unlearn.datasets import load_adult

FORGET_DIGIT = 3


def digits_data(seed=0):
    X, y = load_digits(return_X_y=True)
    X_tr, X_te, y_tr, y_te = train_test_split(
        X, y, test_size=0.3, stratify=y, random_state=seed
    )
    scaler = StandardScaler().fit(X_tr)
    return scaler.transform(X_tr), scaler.transform(X_te), y_tr, y_te


def adult_data():
    train = load_adult(subset="train", dropna=True)
    test = load_adult(subset="test", dropna=True)
    numeric = [c for c in train.data.columns if train.data[c].dtype.kind in "iuf"]
    categorical = [c for c in train.data.columns if c not in numeric]
    encoder = ColumnTransformer(
        [
            ("num", StandardScaler(), numeric),
            (
                "cat",
                OneHotEncoder(handle_unknown="ignore", sparse_output=False),
                categorical,
            ),
        ]
    ).fit(train.data)
    return (
        encoder.transform(train.data),
        encoder.transform(test.data),
        train.target.to_numpy(),
        test.target.to_numpy(),
        (train.data["native_country"] != "United-States").to_numpy(),
        (test.data["native_country"] != "United-States").to_numpy(),
    )


def budget_sweep(evaluate, meets, grid_step, fine_step, cache):
    """Evaluate ``evaluate(budget)`` on the grid, then on a finer grid inside
    the first bracket where ``meets`` turns true. Returns (budget, results)."""
    grid = np.round(np.arange(0.0, 1.0 + grid_step / 2, grid_step), 10)
    results = {}
    for b in grid:
        results[float(b)] = cache[float(b)] if float(b) in cache else evaluate(b)
        if meets(results[float(b)]):
            break
    first = float(b)
    if first > 0 and fine_step:
        prev = first - grid_step
        for fb in np.round(np.arange(prev + fine_step, first - 1e-9, fine_step), 10):
            results[float(fb)] = evaluate(fb)
            if meets(results[float(fb)]):
                return float(fb), results
    return first, results


def section_real(args):
    log(f"## real: retrain after deletion (load {load_average()})")
    out = {}
    start = time.perf_counter()

    # ---- digits: forget class FORGET_DIGIT, metric = its recall on the test split
    X_tr, X_te, y_tr, y_te = digits_data()
    forget = y_tr == FORGET_DIGIT
    is_forget_te = y_te == FORGET_DIGIT

    def digits_metrics(model):
        pred = model.predict(X_te)
        return {
            "forget_recall": float(np.mean(pred[is_forget_te] == FORGET_DIGIT)),
            "retained_accuracy": float(
                np.mean(pred[~is_forget_te] == y_te[~is_forget_te])
            ),
        }

    digits = real_dataset(
        X_tr,
        y_tr,
        forget,
        digits_metrics,
        LogisticRegression(max_iter=2000),
        {},
        lambda ref: lambda m: m["forget_recall"] <= 0.5 * ref[0.0]["forget_recall"],
        "forget_recall",
        args,
    )
    log(f"   digits done ({time.perf_counter() - start:.1f} s)")
    out["digits"] = digits

    # ---- Adult: forget native_country != United-States (a group, not a class)
    A_tr, A_te, ya_tr, ya_te, g_tr, g_te = adult_data()
    solver = LogisticRegression(solver="newton-cholesky")

    def adult_metrics(model):
        proba = model.predict_proba(A_te)
        pred = model.classes_[np.argmax(proba, axis=1)]
        return {
            "forget_log_loss": float(log_loss(ya_te[g_te], proba[g_te], labels=[0, 1])),
            "retained_accuracy": float(np.mean(pred[~g_te] == ya_te[~g_te])),
        }

    def adult_meets(ref):
        base = ref[0.0]["forget_log_loss"]
        level = base + 0.5 * (ref[1.0]["forget_log_loss"] - base)
        return lambda m: m["forget_log_loss"] >= level

    adult = real_dataset(
        A_tr,
        ya_tr,
        g_tr,
        adult_metrics,
        solver,
        {"estimator": solver},
        adult_meets,
        "forget_log_loss",
        args,
    )
    log(f"   adult done ({time.perf_counter() - start:.1f} s)")
    out["adult"] = adult
    out["setup"] = {
        "digits": f"load_digits, 70/30 stratified split (seed 0), StandardScaler; "
        f"forget domain = training rows of digit {FORGET_DIGIT} "
        f"({int(forget.sum())} of {forget.size}); LogisticRegression(max_iter=2000)",
        "adult": "load_adult train/test (original split, dropna=True); "
        "StandardScaler on the 6 numeric columns, OneHotEncoder on the 8 "
        f"categorical ones ({A_tr.shape[1]} features); forget domain = "
        f"native_country != United-States ({int(g_tr.sum())} of {g_tr.size} "
        f"training rows, {int(g_te.sum())} test rows); "
        "LogisticRegression(solver='newton-cholesky'), also as the classifier "
        "score's estimator",
    }
    print_real(out, args)
    return out


def real_dataset(X_tr, y_tr, forget, metrics, estimator, sel_kw, meets_of, key, args):
    caught = set()

    def evaluate(score, seed, budget):
        with warnings.catch_warnings(record=True) as records:
            warnings.simplefilter("always")
            model = SelectiveRetrainer(
                clone(estimator),
                selector(score, seed, budget=float(budget), family=None, **sel_kw),
                deletion="drop",
            ).fit(X_tr, y_tr, forget_mask=forget)
        caught.update(f"{w.category.__name__}: {w.message}"[:120] for w in records)
        return metrics(model)

    # Budgets 0 and 1 delete nothing / the whole forget domain for every score,
    # so they are evaluated once.
    ref = {0.0: evaluate("random", 0, 0.0), 1.0: evaluate("random", 0, 1.0)}
    meets = meets_of(ref)
    runs = []
    for score in SCORES:
        seeds = range(args.real_seeds) if score == "random" else [0]
        for seed in seeds:
            budget, results = budget_sweep(
                lambda b, s=score, sd=seed: evaluate(s, sd, b),
                meets,
                args.real_grid,
                args.real_fine,
                ref,
            )
            runs.append(
                {
                    "score": score,
                    "seed": seed,
                    "budget": budget,
                    "at_budget": results[budget],
                    "curve": {f"{b:g}": v for b, v in sorted(results.items())},
                }
            )
    return {"reference": ref, "runs": runs, "metric": key, "warnings": sorted(caught)}


def print_real(out, args):
    log()
    for name, title, key, fmt_key in (
        ("digits", "digits, forget digit 3", "forget_recall", "recall"),
        (
            "adult",
            "Adult, forget native_country != United-States",
            "forget_log_loss",
            "log-loss",
        ),
    ):
        res = out[name]
        ref = res["reference"]
        log(f"### {title}")
        log(out["setup"][name])
        log()
        if res["warnings"]:
            log("Warnings raised while fitting: " + "; ".join(res["warnings"]))
            log()
        if name == "digits":
            log(
                f"f = 0: forget recall {ref[0.0]['forget_recall']:.3f}, retained "
                f"accuracy {ref[0.0]['retained_accuracy']:.3f}; full deletion: recall "
                f"{ref[1.0]['forget_recall']:.3f}, retained accuracy "
                f"{ref[1.0]['retained_accuracy']:.3f}. Criterion: recall <= "
                f"{0.5 * ref[0.0]['forget_recall']:.3f} (half of f = 0)."
            )
        else:
            base, full = ref[0.0]["forget_log_loss"], ref[1.0]["forget_log_loss"]
            log(
                f"f = 0: forget-domain test log-loss {base:.4f}, retained accuracy "
                f"{ref[0.0]['retained_accuracy']:.4f}; full deletion: log-loss "
                f"{full:.4f} (+{full - base:.4f}), retained accuracy "
                f"{ref[1.0]['retained_accuracy']:.4f}. Criterion: log-loss >= "
                f"{base + 0.5 * (full - base):.4f} (half of the full-deletion "
                "increase)."
            )
        log()
        rows = []
        grid = [f"{b:g}" for b in np.round(np.arange(0, 1 + 1e-9, args.real_grid), 10)]
        for score in SCORES:
            runs = [r for r in res["runs"] if r["score"] == score]
            budgets = np.array([r["budget"] for r in runs])
            at = [r["at_budget"] for r in runs]
            cells = []
            for b in grid:
                vals = [r["curve"][b][key] if b in r["curve"] else None for r in runs]
                vals = [v for v in vals if v is not None]
                cells.append(f"{np.mean(vals):.3f}" if vals else "·")
            budget_cell = (
                f"{budgets.mean():.2f} ± {budgets.std(ddof=1):.2f}"
                if budgets.size > 1
                else f"{budgets[0]:.2f}"
            )
            rows.append(
                [score, budget_cell]
                + [f"{np.mean([a[key] for a in at]):.3f}"]
                + [f"{np.mean([a['retained_accuracy'] for a in at]):.4f}"]
                + cells
            )
        log(
            f"Smallest budget meeting the criterion ({args.real_grid:g} grid, refined "
            f"by {args.real_fine:g} in the first bracket; random: mean ± sd over "
            f"{args.real_seeds} seeds), the {fmt_key} and retained accuracy there, "
            f"then the {fmt_key} at each grid budget (· = not run: the sweep stops "
            "at the first budget meeting the criterion):"
        )
        log()
        log(markdown_table(["score", "budget", fmt_key, "retained acc", *grid], rows))
        log()
