"""The default table method beyond one machine: in memory, Dask, partial_fit.

Usage::

    python benchmarks/bench_table_stream.py              # n = 3e5 training rows
    python benchmarks/bench_table_stream.py --n 20000

On the synthetic mixed table of ``bench_table_cost.py`` (one-hot blocks, flags,
skewed amounts, continuous columns; S-dependent; a binary label), the script
fits ``BarycenterFeatureUnlearner()`` with ``y`` three ways: in memory, on a
dask array (chunks of 25,000 rows) on a ``distributed.LocalCluster`` of two
worker processes with one thread each, and by ``partial_fit`` over 6 chunks.
It prints the fit time, the number of cells, the boosted-trees adversary's
AUC for S on held-out repaired rows (``leakage_auc``, 3 folds; 0.5 = nothing
leaks) and the held-out label AUC of a boosted-trees model trained on the
repaired training rows (with the raw data as reference).

Then the outcome repair: a boosted-trees classifier fitted on the first
50,000 training rows, repaired by ``BarycenterOutcomeUnlearner`` from its
outputs on all training rows, in memory (the model wrapped in
``FrozenEstimator``) and on the dask array (the fitted model as it is, outputs
sketched per block); it prints the fit time, the time of the held-out
``predict_proba`` (computed from the lazy array on Dask), the AUC of S from the
held-out repaired probability (either way round; 0.5 = nothing leaks) and the
held-out label AUC.
"""

import argparse
import time

import numpy as np
from bench_table_cost import mixed_table
from sklearn.ensemble import HistGradientBoostingClassifier
from sklearn.frozen import FrozenEstimator
from sklearn.metrics import roc_auc_score

from sklearn_unlearn import BarycenterFeatureUnlearner, BarycenterOutcomeUnlearner
from sklearn_unlearn.metrics import leakage_auc

N_TEST, N_FEATURES, N_CHUNKS, N_MODEL = 50_000, 50, 6, 50_000


def scores(Z, Z_test, y, y_test, s_test):
    leak = leakage_auc(Z_test, s_test, cv=3, random_state=0)
    model = HistGradientBoostingClassifier(random_state=0).fit(Z, y)
    return leak, roc_auc_score(y_test, model.predict_proba(Z_test)[:, 1])


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=300_000)
    n = parser.parse_args(argv).n
    X_all, y_all, s_all = mixed_table(n + N_TEST, N_FEATURES)
    X, y, s = X_all[:n], y_all[:n], s_all[:n]
    X_test, y_test, s_test = X_all[n:], y_all[n:], s_all[n:]

    import dask.array as da
    import distributed

    cluster = distributed.LocalCluster(
        n_workers=2, threads_per_worker=1, processes=True, dashboard_address=":0"
    )
    client = distributed.Client(cluster)

    def in_memory():
        return BarycenterFeatureUnlearner(random_state=0).fit(
            X, y, sensitive_features=s
        )

    def on_dask():
        Xd = da.from_array(X, chunks=(25_000, -1)).persist()
        yd = da.from_array(y, chunks=25_000).persist()
        return BarycenterFeatureUnlearner(random_state=0).fit(
            Xd, yd, sensitive_features=s
        )

    def streamed():
        unlearner = BarycenterFeatureUnlearner(random_state=0)
        for rows in np.array_split(np.arange(n), N_CHUNKS):
            unlearner.partial_fit(X[rows], y[rows], sensitive_features=s[rows])
        return unlearner

    print(f"n = {n:,} training rows, {N_TEST:,} held out, {N_FEATURES} columns")
    leak, utility = scores(X, X_test, y, y_test, s_test)
    print(f"{'raw data':<22} {'':>8} {'':>6} {leak:>10.3f} {utility:>10.3f}")
    print(f"{'fit':<22} {'time (s)':>8} {'cells':>6} {'S AUC':>10} {'label AUC':>10}")
    for name, fit in [
        ("in memory", in_memory),
        ("dask, 2 workers", on_dask),
        (f"partial_fit x {N_CHUNKS}", streamed),
    ]:
        start = time.perf_counter()
        unlearner = fit()
        seconds = time.perf_counter() - start
        Z = unlearner.transform(X, sensitive_features=s)
        Z_test = unlearner.transform(X_test, sensitive_features=s_test)
        leak, utility = scores(Z, Z_test, y, y_test, s_test)
        k = unlearner.cell_centers_.shape[0]
        print(f"{name:<22} {seconds:>8.1f} {k:>6} {leak:>10.3f} {utility:>10.3f}")
    outcome(X, y, s, (X_test, y_test, s_test), da)
    client.close()
    cluster.close()


def outcome(X, y, s, test, da):
    """The outcome repair of a fitted model, in memory and on Dask."""
    X_test, y_test, s_test = test
    model = HistGradientBoostingClassifier(random_state=0)
    model.fit(X[:N_MODEL], y[:N_MODEL])
    raw = model.predict_proba(X_test)[:, 1]
    s_auc = roc_auc_score(s_test, raw)
    print(f"\noutcome: a model fitted on {N_MODEL:,} rows, repaired from all")
    print(f"{'raw outputs':<22} {'':>8} {'':>8} {max(s_auc, 1 - s_auc):>10.3f}", end="")
    print(f" {roc_auc_score(y_test, raw):>10.3f}")
    print(f"{'fit':<22} {'fit (s)':>8} {'pred (s)':>8} {'S AUC':>10} {'label AUC':>10}")
    Xd = da.from_array(X, chunks=(25_000, -1)).persist()
    Xd_test = da.from_array(X_test, chunks=(25_000, -1)).persist()
    for name, wrapped, rows, rows_test in [
        ("in memory", FrozenEstimator(model), X, X_test),
        ("dask, 2 workers", model, Xd, Xd_test),
    ]:
        repair = BarycenterOutcomeUnlearner(wrapped, random_state=0)
        start = time.perf_counter()
        repair.fit(rows, y, sensitive_features=s)
        fitted = time.perf_counter()
        proba = np.asarray(repair.predict_proba(rows_test, sensitive_features=s_test))
        predicted = time.perf_counter()
        s_auc = roc_auc_score(s_test, proba[:, 1])
        label_auc = roc_auc_score(y_test, proba[:, 1])
        print(
            f"{name:<22} {fitted - start:>8.1f} {predicted - fitted:>8.1f} "
            f"{max(s_auc, 1 - s_auc):>10.3f} {label_auc:>10.3f}"
        )


if __name__ == "__main__":
    main()
