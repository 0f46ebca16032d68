"""Certified Newton removal against the L-BFGS settle and retraining (linear models).

Synthetic logistic data (``--rows`` x ``--features``, Gaussian features, labels
drawn from a random linear model), a ``LogisticRegression`` fitted on all rows,
then ``--forget`` of the rows removed. For each seed and number of classes:

- ``newton``: ``MarginalUnlearner(model, linear_update="newton").fit`` (the whole
  call: checks, one Newton step, the certificate, the history), and the Newton
  kernel alone (``newton_removal``: the step and its certificate, the part
  comparable to the settle kernel);
- ``settle``: the L-BFGS settle kernel alone, warm-started at the original
  weights (the part of the default path that reaches the retained optimum; the
  default path adds its forgetting phase before it), at its own tolerance
  (``gtol=1e-4``) and at one matching the Newton step's gradient norm
  (``tight settle``);
- ``default fit``: ``MarginalUnlearner(model).fit``, the whole default call
  (its forgetting phase, then the settle), which ``linear_update="newton"``
  replaces;
- ``retrain``: ``LogisticRegression`` (lbfgs, default tolerance) fitted from
  scratch on the retained rows;

with each one's distance to the exact retained optimum (Newton-Cholesky at
``tol=1e-12``) and, for ``newton``, its certified bound. A ``Ridge`` section
times the exact removal (normal equations on the retained rows) against
``Ridge.fit`` on them. ``floor`` is one GEMM ``X.T @ X`` of the whole data,
timed in the same run: the kernel's time is also given as a multiple of it.
Every timing runs on one BLAS thread.

Usage::

    python benchmarks/bench_certified.py                  # 1e5 x 50, forget 1%
    python benchmarks/bench_certified.py --quick          # 1e4 rows, 1 seed
"""

import numpy as np
from _harness import (
    add_output,
    add_quick,
    add_seeds,
    best_of,
    log,
    make_parser,
    parse_int,
    print_header,
    print_table,
    write_results,
)
from sklearn.linear_model import LogisticRegression, Ridge
from threadpoolctl import threadpool_limits

from sklearn_unlearn.datapoint import MarginalUnlearner
from sklearn_unlearn.datapoint._fine_tuning import SETTLE_LBFGS_ITER
from sklearn_unlearn.datapoint._network import Network
from sklearn_unlearn.datapoint._newton import newton_removal
from sklearn_unlearn.datapoint._retained_fit import settle_lbfgs


def logistic_data(n, d, n_classes, seed):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, d))
    W = rng.normal(scale=1.0 / np.sqrt(d), size=(d, n_classes))
    y = (2.0 * X @ W + rng.gumbel(size=(n, n_classes))).argmax(axis=1)
    forget = np.zeros(n, dtype=bool)
    forget[rng.choice(n, int(round(FORGET * n)), replace=False)] = True
    return X, y, forget


def stacked(coef, intercept):
    """Weights and intercepts in one array; a softmax's intercepts centred."""
    theta = np.c_[np.atleast_2d(coef), np.ravel(intercept)]
    if theta.shape[0] > 1:
        theta[:, -1] -= theta[:, -1].mean()
    return theta


def exact_optimum(X, y):
    model = LogisticRegression(solver="newton-cholesky", tol=1e-12, max_iter=100)
    return stacked(*_weights(model.fit(X, y)))


def _weights(model):
    return model.coef_, model.intercept_


def run_logistic(n, d, n_classes, seed, repeat):
    X, y, forget = logistic_data(n, d, n_classes, seed)
    model = LogisticRegression(max_iter=1000).fit(X, y)
    X_r, y_r = X[~forget], y[~forget]
    exact = exact_optimum(X_r, y_r)
    row = {"classes": n_classes, "seed": seed}
    with threadpool_limits(limits=1, user_api="blas"):
        row["newton_s"], unlearner = best_of(
            lambda: MarginalUnlearner(model, linear_update="newton").fit(
                X, y, forget_mask=forget
            ),
            repeat,
            return_value=True,
        )
        row["default_fit_s"] = best_of(
            lambda: MarginalUnlearner(model, random_state=seed).fit(
                X, y, forget_mask=forget
            ),
            repeat,
        )
        link = "logistic" if n_classes == 2 else "softmax"
        y_all = np.searchsorted(model.classes_, y)
        l2 = 1.0 / (model.C * X_r.shape[0])
        row["floor_s"] = best_of(lambda: X.T @ X, repeat)
        row["kernel_s"], removal = best_of(
            lambda: newton_removal(
                X, y_all, model.coef_.T, model.intercept_, l2, link, True,
                retain=~forget,
            ),
            repeat,
            return_value=True,
        )  # fmt: skip
        got = stacked(*_weights(unlearner.unlearned_estimator_))
        assert np.allclose(got, stacked(removal.coef.T, removal.intercept))
        row["newton_distance"] = float(np.linalg.norm(got - exact))
        row["newton_bound"] = unlearner.distance_bound_
        row["newton_gradient"] = unlearner.gradient_norm_
        y_idx = np.searchsorted(model.classes_, y_r)

        def settle(gtol):
            net = Network([model.coef_.T.copy()], [model.intercept_.copy()],
                          "identity", link)  # fmt: skip
            iters = settle_lbfgs(
                net, X_r, y_idx, l2, max_iter=SETTLE_LBFGS_ITER, gtol=gtol
            )
            return net, iters

        # the settle's own tolerance, then one matching the Newton step's
        # gradient (entry-wise: its norm over the square root of the size)
        tight = unlearner.gradient_norm_ / np.sqrt(got.size)
        for name, gtol in (("settle", 1e-4), ("settle_tight", tight)):
            row[f"{name}_s"], (net, iters) = best_of(
                lambda gtol=gtol: settle(gtol), repeat, return_value=True
            )
            got = stacked(net.weights[0].T, net.biases[0])
            row[f"{name}_distance"] = float(np.linalg.norm(got - exact))
            row[f"{name}_iterations"] = iters
        row["retrain_s"], retrained = best_of(
            lambda: LogisticRegression(max_iter=1000).fit(X_r, y_r),
            repeat,
            return_value=True,
        )
        got = stacked(*_weights(retrained))
        row["retrain_distance"] = float(np.linalg.norm(got - exact))
    return row


def run_ridge(n, d, seed, repeat):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, d))
    y = X @ rng.normal(size=d) + rng.normal(size=n)
    forget = rng.random(n) < FORGET
    model = Ridge(alpha=1.0).fit(X, y)
    with threadpool_limits(limits=1, user_api="blas"):
        solve_s, unlearner = best_of(
            lambda: MarginalUnlearner(model).fit(X, y, forget_mask=forget),
            repeat,
            return_value=True,
        )
        refit_s, ref = best_of(
            lambda: Ridge(alpha=1.0).fit(X[~forget], y[~forget]),
            repeat,
            return_value=True,
        )
    diff = np.abs(unlearner.unlearned_estimator_.coef_ - ref.coef_).max()
    return {"seed": seed, "solve_s": solve_s, "refit_s": refit_s, "max_diff": diff}


FORGET = 0.01


def main():
    global FORGET
    parser = make_parser(__doc__)
    parser.add_argument("--rows", type=parse_int, default=100_000)
    parser.add_argument("--features", type=int, default=50)
    parser.add_argument("--forget", type=float, default=0.01)
    parser.add_argument("--repeat", type=int, default=3, help="best of (3)")
    add_quick(parser)
    add_seeds(parser, 3)
    add_output(parser, "certified")
    args = parser.parse_args()
    if args.quick:
        args.rows, args.seeds, args.repeat = 10_000, 1, 1
    FORGET = args.forget
    n, d = args.rows, args.features
    print_header(
        "Certified Newton removal vs L-BFGS settle",
        f"{n} x {d}, forget {FORGET:.0%}, {args.seeds} seeds, best of "
        f"{args.repeat}, one BLAS thread",
    )
    rows = [
        run_logistic(n, d, k, seed, args.repeat)
        for k in (2, 3)
        for seed in range(args.seeds)
    ]
    table = [
        [
            r["classes"], r["seed"], f"{r['newton_s']:.3f}",
            f"{r['kernel_s']:.3f} ({r['kernel_s'] / r['floor_s']:.1f}x)",
            f"{r['floor_s']:.3f}",
            f"{r['settle_s']:.3f} ({r['settle_iterations']})",
            f"{r['settle_tight_s']:.3f} ({r['settle_tight_iterations']})",
            f"{r['default_fit_s']:.3f}", f"{r['retrain_s']:.3f}",
            f"{r['newton_distance']:.1e}",
            f"{r['newton_bound']:.1e}", f"{r['settle_distance']:.1e}",
            f"{r['settle_tight_distance']:.1e}", f"{r['retrain_distance']:.1e}",
        ]
        for r in rows
    ]  # fmt: skip
    print_table(
        ["classes", "seed", "newton fit s", "newton kernel s (x floor)",
         "floor s", "settle s (iters)", "tight settle s",
         "default fit s", "retrain s", "newton dist", "newton bound", "settle dist",
         "tight settle dist", "retrain dist"],
        table,
        title="LogisticRegression(C=1): distances to the exact retained optimum",
    )  # fmt: skip
    log()
    ridge = [run_ridge(n, d, seed, args.repeat) for seed in range(args.seeds)]
    print_table(
        ["seed", "unlearner s", "Ridge.fit s", "max |coef diff|"],
        [
            [
                r["seed"],
                f"{r['solve_s']:.3f}",
                f"{r['refit_s']:.3f}",
                f"{r['max_diff']:.1e}",
            ]
            for r in ridge
        ],  # fmt: skip
        title="Ridge(alpha=1): exact removal vs refit on the retained rows",
    )
    write_results({"logistic": rows, "ridge": ridge}, args.output)


if __name__ == "__main__":
    main()
