"""Outcome unlearning of dask input on a LocalCluster, against the in-memory fit."""

import numpy as np
import pandas as pd
import pytest
from sklearn.frozen import FrozenEstimator
from sklearn.linear_model import LinearRegression, LogisticRegression
from sklearn.metrics import roc_auc_score

from sklearn_unlearn import BarycenterOutcomeUnlearner
from sklearn_unlearn.outcome._sketches import sketch_capacity
from sklearn_unlearn.utils._quantile_sketch import a_priori_error

da = pytest.importorskip("dask.array")
dd = pytest.importorskip("dask.dataframe")


@pytest.fixture
def client(dask_client):
    return dask_client


def _rows(n, seed=0, n_groups=3):
    """S shifts the features and the target: the raw outputs leak S."""
    rng = np.random.default_rng(seed)
    s = rng.integers(0, n_groups, size=n)
    X = rng.normal(size=(n, 3)) + 1.5 * s[:, None]
    y = X @ np.array([1.0, -0.5, 2.0]) + rng.normal(size=n)
    return X, y, s


def _ks(a, b):
    grid = np.concatenate([a, b])
    fa = np.searchsorted(np.sort(a), grid, "right") / a.size
    fb = np.searchsorted(np.sort(b), grid, "right") / b.size
    return float(np.abs(fa - fb).max())


def _leak(scores, s):
    """AUC of S (two groups) from a score, whichever way round."""
    auc = roc_auc_score(s, scores)
    return max(auc, 1.0 - auc)


def test_exact_sketches_give_the_in_memory_fit_and_predictions(client):
    # at most 8 x 1000 rows per group: the sketches never compact
    X, y, s = _rows(6000)
    regressor = LinearRegression().fit(X[:1000], y[:1000])
    classifier = LogisticRegression().fit(X[:1000], y[:1000] > 3.0)
    Xd, sd = da.from_array(X, chunks=(700, 2)), da.from_array(s, chunks=700)
    for model in (regressor, classifier):
        ref = BarycenterOutcomeUnlearner(FrozenEstimator(model), random_state=0)
        ref.fit(X, y, sensitive_features=s)
        lazy = BarycenterOutcomeUnlearner(model, random_state=0)
        lazy.fit(Xd, None, sensitive_features=sd)
        assert lazy.estimator_ is model  # used as it is
        for name in ("group_counts_", "group_quantiles_", "barycenter_quantiles_"):
            np.testing.assert_array_equal(getattr(lazy, name), getattr(ref, name))
        for form in ("predict", "predict_proba", "decision_function"):
            if not hasattr(model, form):
                continue
            out = getattr(lazy, form)(Xd, sensitive_features=sd)
            assert isinstance(out, da.Array)  # lazy, one task per row block
            assert out.numblocks[0] == Xd.numblocks[0]
            expected = getattr(ref, form)(X, sensitive_features=s)
            np.testing.assert_array_equal(client.compute(out).result(), expected)


def test_compacted_sketches_stay_within_their_rank_error_and_do_not_leak(client):
    X, y, s = _rows(40000, seed=1, n_groups=2)
    model = LinearRegression().fit(X[:2000], y[:2000])
    n_quantiles = 20  # 160 values per level: every group's sketch compacts
    ref = BarycenterOutcomeUnlearner(
        FrozenEstimator(model), n_quantiles=n_quantiles, random_state=0
    ).fit(X, y, sensitive_features=s)
    Xd = da.from_array(X, chunks=(3000, 3))
    lazy = BarycenterOutcomeUnlearner(model, n_quantiles=n_quantiles, random_state=0)
    lazy.fit(Xd, None, sensitive_features=s)
    np.testing.assert_array_equal(lazy.group_counts_, np.bincount(s))
    # each fitted quantile between the exact ones at u -+ e / (n - 1), with e
    # the a priori bound of the sketch (the certified error is at most that)
    capacity, raw, u = sketch_capacity(n_quantiles), model.predict(X), lazy.references_
    eps = 0.0
    for g in range(2):
        n = int(np.sum(s == g))
        error = a_priori_error(n, capacity) * n
        eps = max(eps, error / n)
        lower = np.quantile(raw[s == g], np.clip(u - error / (n - 1), 0, 1))
        upper = np.quantile(raw[s == g], np.clip(u + error / (n - 1), 0, 1))
        Q = lazy.group_quantiles_[g, :, 0]
        assert np.all(Q >= lower - 1e-12) and np.all(Q <= upper + 1e-12)
    assert not np.array_equal(lazy.group_quantiles_, ref.group_quantiles_)
    # each group's repaired law: within the rank errors of its and the
    # barycenter's quantiles and a grid step of the in-memory one
    pred = lazy.predict(Xd, sensitive_features=s).compute()
    pred_ref = ref.predict(X, sensitive_features=s)
    step = 1 / (u.size - 1)
    for g in range(2):
        assert _ks(pred[s == g], pred_ref[s == g]) <= 2 * eps + step
    assert _leak(raw, s) > 0.8  # the raw outputs tell S apart
    assert _leak(pred, s) <= 0.55


def test_dask_dataframe_with_s_as_a_column_or_a_series(client):
    X, y, s = _rows(3000, seed=2)
    frame = pd.DataFrame(X, columns=["a", "b", "c"]).assign(group=s)
    model = LinearRegression().fit(frame[["a", "b", "c"]][:500], y[:500])
    ref = BarycenterOutcomeUnlearner(
        FrozenEstimator(model), sensitive_feature_ids="group", random_state=0
    ).fit(frame, y)
    ddf = dd.from_pandas(frame, npartitions=4)
    by_name = BarycenterOutcomeUnlearner(
        model, sensitive_feature_ids="group", random_state=0
    ).fit(ddf, None)
    np.testing.assert_array_equal(by_name.feature_names_in_, frame.columns)
    out = by_name.predict(ddf)
    assert isinstance(out, da.Array) and out.numblocks == (4,)
    # the model reads each partition in its own memory layout: its outputs
    # (hence the quantiles) may differ from the whole frame's in the last bit
    np.testing.assert_allclose(out.compute(), ref.predict(frame), rtol=1e-13)
    features = ddf[["a", "b", "c"]]
    by_value = BarycenterOutcomeUnlearner(model, random_state=0)
    by_value.fit(features, None, sensitive_features=ddf["group"])
    np.testing.assert_allclose(
        by_value.predict(features, sensitive_features=ddf["group"]).compute(),
        ref.predict(frame),
        rtol=1e-13,
    )


def test_dask_errors_before_the_pass():
    X, y, s = _rows(600, seed=3)
    Xd = da.from_array(X, chunks=(200, 3))
    with pytest.raises(ValueError, match="pass it fitted"):
        BarycenterOutcomeUnlearner(LinearRegression()).fit(Xd, y, sensitive_features=s)
    model = LinearRegression().fit(X, y)
    with pytest.raises(ValueError, match="pass cv=None"):
        BarycenterOutcomeUnlearner(model, cv=3).fit(Xd, y, sensitive_features=s)
    labels = np.digitize(y, [0.0, 3.0])  # three classes: three output columns
    multiclass = LogisticRegression().fit(X, labels)
    with pytest.raises(ValueError, match="3 column"):
        BarycenterOutcomeUnlearner(multiclass).fit(Xd, None, sensitive_features=s)
    fitted = BarycenterOutcomeUnlearner(model).fit(Xd, None, sensitive_features=s)
    with pytest.raises(ValueError, match="groups unseen during fit"):
        fitted.predict(Xd, sensitive_features=s + 5)
    bad = X.copy()
    bad[450, 1] = np.nan
    lazy = fitted.predict(da.from_array(bad, chunks=(200, 3)), sensitive_features=s)
    with pytest.raises(ValueError, match="NaN"):  # found in its block
        lazy.compute()
