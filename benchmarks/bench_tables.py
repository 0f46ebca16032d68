"""Forgetting/utility frontier on every real table available offline.

Measured as ``spec/measuring_forgetting.md`` says: users' encoding (scaled
numeric, one-hot categories, fitted on the training rows; one variant per
family with raw numeric columns), a 60/40 split stratified on y per seed, S
removed from the features. For each method and repair level:

- ``leak``: test ROC AUC of ``HistGradientBoostingClassifier(random_state=seed)``
  predicting S from the repaired training rows (macro one-vs-rest for more
  than two groups; 0.5 = nothing leaks);
- ``util``: test ROC AUC of ``LogisticRegression(max_iter=2000)`` fitted on
  the repaired training rows (the Pipeline's final step);
- ``R``: ``independence_reference``, the utility a representation independent
  of S can reach ("utility U of a possible R");
- ``dist``: mean squared distance between encoded and repaired test rows.

The library's default ``BarycenterFeatureUnlearner`` runs in a Pipeline fitted
with y (refitted at every level, as users run it) and alone without y; then
every method without y (the default method's rows are copied from the
default's: same estimator, same seed), and fairlearn's CorrelationRemover. S is the last
column of X, named by ``sensitive_features=[j]``. Tables and their licences:
``benchmarks/_tables.py``. Everything runs on one thread.

Usage::

    python benchmarks/bench_tables.py                   # every table, 3 seeds
    python benchmarks/bench_tables.py --quick --tables titanic mixed-1k-raw
"""

import time
import warnings

import numpy as np
from _harness import (
    add_output,
    add_quick,
    add_seeds,
    limit_threads,
    load_average,
    log,
    make_parser,
    timed,
    write_results,
)
from _harness import peers as peers_lib
from _tables import DEFAULT_TABLES, adversary_auc, load, reference, split
from _tables_report import (
    DEFAULT,
    DEFAULT_Y,
    aggregate,
    pick,
    print_table,
    summary,
    verdict,
)
from sklearn.exceptions import ConvergenceWarning
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import roc_auc_score
from sklearn.pipeline import Pipeline

from sklearn_unlearn import BarycenterFeatureUnlearner

LEVELS = (0.0, 0.25, 0.5, 0.75, 1.0)
METHODS = ("stochastic", "gaussian", "quantile", "empirical")


def leakage(Z_train, Z_test, sp, seed):
    return adversary_auc(Z_train, sp.s_train, Z_test, sp.s_test, seed)


def utility(Z_train, Z_test, sp):
    model = LogisticRegression(max_iter=2000).fit(Z_train, sp.y_train)
    return float(roc_auc_score(sp.y_test, model.predict_proba(Z_test)[:, 1]))


def with_s(X, s):
    return np.column_stack([X, s.astype(np.float64)])


def row(method, level, leak, util, dist=0.0, fit_s=0.0, transform_s=0.0):
    return {
        "method": method,
        "repair_level": level,
        "leak": leak,
        "util": util,
        "dist": dist,
        "fit_s": fit_s,
        "transform_s": transform_s,
    }


def scored(method, level, Z_train, Z_test, sp, seed, raw, util=None, **times):
    """A result row; leak and util of the raw data when nothing moved."""
    dist = float(np.mean(np.sum((sp.X_test - Z_test) ** 2, axis=1)))
    if dist == 0.0 and np.array_equal(Z_train, sp.X_train):
        return row(method, level, raw["leak"], raw["util"], 0.0, **times)
    util = utility(Z_train, Z_test, sp) if util is None else util
    return row(method, level, leakage(Z_train, Z_test, sp, seed), util, dist, **times)


def run_default_with_y(sp, seed, levels, raw):
    """The Pipeline users run, fitted with y, refitted at every level."""
    A_train, A_test = with_s(sp.X_train, sp.s_train), with_s(sp.X_test, sp.s_test)
    rows = []
    for level in levels:
        unlearner = BarycenterFeatureUnlearner(
            [A_train.shape[1] - 1], repair_level=level, random_state=seed
        )
        pipe = Pipeline(
            [("unlearn", unlearner), ("clf", LogisticRegression(max_iter=2000))]
        )
        _, fit_s = timed(lambda p=pipe: p.fit(A_train, sp.y_train))
        (Z_train, Z_test), transform_s = timed(
            lambda p=pipe: (p[:-1].transform(A_train), p[:-1].transform(A_test))
        )
        util = float(roc_auc_score(sp.y_test, pipe.predict_proba(A_test)[:, 1]))
        rows.append(
            scored(
                DEFAULT_Y,
                level,
                Z_train,
                Z_test,
                sp,
                seed,
                raw,
                util,
                fit_s=fit_s,
                transform_s=transform_s,
            )
        )
    return rows


def run_unlearner(name, params, sp, seed, levels, raw):
    """Fitted without y, once; the repair level is read at transform time."""
    A_train, A_test = with_s(sp.X_train, sp.s_train), with_s(sp.X_test, sp.s_test)
    unlearner, fit_s = timed(
        lambda: BarycenterFeatureUnlearner(
            [A_train.shape[1] - 1], random_state=seed, **params
        ).fit(A_train)
    )
    rows = []
    for level in levels:
        unlearner.set_params(repair_level=level)
        (Z_train, Z_test), transform_s = timed(
            lambda: (unlearner.transform(A_train), unlearner.transform(A_test))
        )
        rows.append(
            scored(
                name,
                level,
                Z_train,
                Z_test,
                sp,
                seed,
                raw,
                fit_s=fit_s,
                transform_s=transform_s,
            )
        )
    return rows


def run_correlation_remover(sp, seed, levels, raw):
    # S one-hot (first group dropped): a linear remover needs indicator columns
    onehot = np.eye(int(sp.s_train.max()) + 1)[:, 1:]
    A_train = np.column_stack([sp.X_train, onehot[sp.s_train]])
    A_test = np.column_stack([sp.X_test, onehot[sp.s_test]])
    ids = list(range(sp.X_train.shape[1], A_train.shape[1]))
    remover, fit_s = timed(lambda: peers_lib.correlation_remover(ids).fit(A_train))
    (Z_train, Z_test), transform_s = timed(
        lambda: (remover.transform(A_train), remover.transform(A_test))
    )
    return [
        scored(
            "fairlearn CorrelationRemover",
            1.0,
            Z_train,
            Z_test,
            sp,
            seed,
            raw,
            fit_s=fit_s,
            transform_s=transform_s,
        )
    ]


def aif360_status():
    """AIF360 releases up to 0.6.1 have no DistributionalRepair: not compared."""
    try:
        from importlib.metadata import version

        import aif360.sklearn.preprocessing as aif
    except ImportError:
        return "aif360 not installed"
    present = hasattr(aif, "DistributionalRepair")
    return f"aif360 {version('aif360')}: {'present, not run' if present else 'absent'}"


def runners(quick):
    """(name, function) of every method to run, in report order."""
    out = [
        (DEFAULT_Y, run_default_with_y),
        (DEFAULT, lambda *a: run_unlearner(DEFAULT, {}, *a)),
    ]
    if quick:
        return out
    default_method = BarycenterFeatureUnlearner().get_params()["method"]
    for method in METHODS:
        if method == default_method:  # same estimator, same seed: same rows
            out.append((method, None))
        else:
            run = lambda *a, m=method: run_unlearner(m, {"method": m}, *a)  # noqa: E731
            out.append((method, run))
    if peers_lib.available("fairlearn"):
        out.append(("fairlearn CorrelationRemover", run_correlation_remover))
    return out


def run_seed(table, name, seed, args):
    max_train = args.adult_train if name.startswith("adult") else None
    sp = split(table, seed, scale=not name.endswith("-raw"), max_train=max_train)
    levels = (0.0, 1.0) if args.quick else LEVELS
    raw = row(
        "none (raw)",
        0.0,
        leakage(sp.X_train, sp.X_test, sp, seed),
        utility(sp.X_train, sp.X_test, sp),
    )
    try:
        # the same model as the utility's: on the "-raw" tables a plain
        # logistic regression on money in raw units is as hampered here
        ref = reference(sp, LogisticRegression(max_iter=2000), seed)
        utilities = (ref.utility, ref.raw_utility)
    except Exception as exc:  # the library changes under us: record it
        log(f"  {name} seed {seed} reference: {type(exc).__name__}: {exc}")
        utilities = (np.nan, np.nan)
    rows = [raw]
    for method, run in runners(args.quick):
        try:
            if run is None:
                same = [r for r in rows if r["method"] == DEFAULT]
                rows += [{**r, "method": method} for r in same]
                continue
            rows += run(sp, seed, levels, raw)
        except Exception as exc:  # the library changes under us: record it
            log(f"  {name} seed {seed} {method}: {type(exc).__name__}: {exc}")
            rows.append({**row(method, 1.0, np.nan, np.nan), "error": repr(exc)})
    info = {
        "n_train": len(sp.y_train),
        "n_train_full": sp.n_train_full,
        "n_test": len(sp.y_test),
        "n_features": sp.X_train.shape[1],
        "reference": utilities[0],
        "reference_raw": utilities[1],
    }
    return rows, info


def main(argv=None):
    parser = make_parser(__doc__)
    parser.add_argument("--tables", nargs="+", default=DEFAULT_TABLES)
    add_seeds(parser, 3)
    add_quick(parser, "only the default, at repair levels 0 and 1")
    parser.add_argument(
        "--adult-train",
        type=int,
        default=6000,
        help="training rows kept for Adult (0: all 18097)",
    )
    add_output(parser, "bench_tables", flag="--json")
    args = parser.parse_args(argv)
    args.adult_train = args.adult_train or None
    warnings.filterwarnings("ignore", category=FutureWarning)
    # LogisticRegression on raw money columns may stop at max_iter: part of
    # what the "-raw" variants measure, not worth a screen of warnings.
    warnings.filterwarnings("ignore", category=ConvergenceWarning)
    # One thread everywhere: same figures, and on a busy 2-core machine the
    # boosted trees' OpenMP threads spin-wait (24 s instead of 0.15 s).
    limit_threads(1)
    log(f"load average: {load_average()}")
    log(f"AIF360 DistributionalRepair: {aif360_status()}")
    peers_lib.require("fairlearn", "CorrelationRemover rows")
    results, start = {}, time.perf_counter()
    for name in args.tables:
        table = load(name)
        per_seed, infos = [], []
        for seed in range(args.seeds):
            rows, info = run_seed(table, name, seed, args)
            per_seed.append(rows)
            infos.append(info)
        info = {k: float(np.mean([i[k] for i in infos])) for k in infos[0]}
        rows = aggregate(per_seed)
        raw = pick(rows, "none (raw)")[0]
        results[name] = {
            "note": table.note,
            "groups": [str(g) for g in table.groups],
            "info": info,
            "rows": rows,
            "per_seed": per_seed,
            "verdict": verdict(rows, raw, info["reference"]),
        }
        print_table(name, results[name])
        log(f"(elapsed {time.perf_counter() - start:.0f} s)")
    summary(results)
    write_results({"args": vars(args), "tables": results}, args.json)


if __name__ == "__main__":
    main()
