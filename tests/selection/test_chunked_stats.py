"""Statistics gathered by chunks (partial_fit) or dask blocks, merged exactly."""

import numpy as np
import pandas as pd
import pytest
from numpy.testing import assert_allclose, assert_array_equal

from sklearn_unlearn import DistributionalSelector
from sklearn_unlearn.selection._chunked_stats import chunk_stats, merge_domain_stats
from sklearn_unlearn.selection._scores import SCORES
from sklearn_unlearn.selection._stats import domain_stats

STAT_SCORES = sorted(SCORES)


def _data(seed=0, n=1200, d=4):
    rng = np.random.default_rng(seed)
    mask = rng.random(n) < 0.3
    X = rng.standard_normal((n, d)) * [1.0, 2.0, 0.5, 1.0][:d] + 10.0  # far origin
    X[mask] += np.linspace(0.5, 1.5, d)
    X[mask, 0] = X[mask, 0] ** 2 / 10  # skewed: third power sums matter
    return X, mask


def _chunks(n, seed=1):
    cuts = np.sort(np.random.default_rng(seed).choice(np.arange(1, n), 9, False))
    return np.split(np.arange(n), cuts)


def _assert_same_stats(got, expected, rtol=1e-10):
    compared = 0
    power_sums = got.scatter_forget is not None and expected.scatter_forget is not None
    for field in expected._fields:
        e, g = getattr(expected, field), getattr(got, field)
        if e is None or g is None:  # fit computes more than a criterion needs
            continue
        if not power_sums and field.startswith(("scatter", "third", "fourth")):
            continue
        assert_allclose(g, e, rtol=rtol, atol=0, err_msg=field)
        compared += 1
    assert compared >= 4


def test_merge_equals_statistics_of_the_concatenation():
    X, mask = _data()
    expected = domain_stats(X, np.flatnonzero(mask), X, np.flatnonzero(~mask))
    # chunks of every size, including chunks without forget or retained rows
    order = np.argsort(mask, kind="stable")  # retained rows first
    merged = None
    for rows in _chunks(X.shape[0]):
        rows = order[rows]
        chunk = chunk_stats(X[rows], mask[rows], scatter=True)
        merged = chunk if merged is None else merge_domain_stats(merged, chunk)
    assert (merged.n_forget, merged.n_retain) == (mask.sum(), (~mask).sum())
    _assert_same_stats(merged, expected)
    assert merged.third_forget is not None


def test_means_only_statistics_merge_without_scatter():
    X, mask = _data(2)
    a = chunk_stats(X[:500], mask[:500], scatter=False)
    b = chunk_stats(X[500:], mask[500:], scatter=False)
    merged = merge_domain_stats(a, b)
    assert merged.scatter_forget is None and merged.third_retain is None
    assert_allclose(merged.mean_forget, X[mask].mean(axis=0), rtol=1e-12)
    assert_allclose(merged.mean_retain, X[~mask].mean(axis=0), rtol=1e-12)


@pytest.mark.parametrize("criterion", STAT_SCORES)
def test_partial_fit_over_chunks_equals_fit(criterion):
    X, mask = _data(3)
    full = DistributionalSelector(criterion, budget=0.4).fit(X, forget_mask=mask)
    stream = DistributionalSelector(criterion, budget=0.4)
    for rows in _chunks(X.shape[0]):
        assert stream.partial_fit(X[rows], forget_mask=mask[rows]) is stream
    assert stream.statistics_.n_forget == mask.sum()
    _assert_same_stats(stream.statistics_, full.statistics_)
    assert_allclose(stream.score_samples(X)[mask], full.scores_, rtol=1e-10, atol=1e-12)
    assert_array_equal(full.score_samples(X)[mask], full.scores_)
    # the two-pass recipe deletes the rows fit deletes
    scores = np.concatenate(
        [stream.score_samples(X[rows])[mask[rows]] for rows in _chunks(X.shape[0])]
    )
    forget = np.flatnonzero(mask)
    deleted = forget[np.argsort(-scores, kind="stable")[: full.n_deleted_]]
    assert_array_equal(np.sort(deleted), np.flatnonzero(full.deletion_mask_))


def test_partial_fit_with_a_domain_column_and_dataframes():
    X, mask = _data(4)
    df = pd.DataFrame(X, columns=list("abcd"))
    df.insert(2, "source", np.where(mask, "partner", "own"))
    kw = dict(domain_column="source", forget_value="partner", budget=10)
    full = DistributionalSelector(**kw).fit(df)
    stream = DistributionalSelector(**kw)
    for rows in _chunks(len(df), seed=5):
        stream.partial_fit(df.iloc[rows])
    assert_array_equal(stream.feature_names_in_, df.columns)
    _assert_same_stats(stream.statistics_, full.statistics_)
    assert_allclose(stream.score_samples(df)[mask], full.scores_, rtol=1e-10)


def test_fit_restarts_the_stream_and_partial_fit_after_fit_starts_afresh():
    X, mask = _data(6)
    sel = DistributionalSelector(budget=3)
    sel.partial_fit(X[:400], forget_mask=mask[:400])
    sel.fit(X, forget_mask=mask)
    sel.partial_fit(X[:300], forget_mask=mask[:300])
    alone = DistributionalSelector(budget=3).partial_fit(
        X[:300], forget_mask=mask[:300]
    )
    _assert_same_stats(sel.statistics_, alone.statistics_, rtol=0)


@pytest.fixture(scope="module")
def domains():
    rng = np.random.default_rng(0)
    X = np.vstack([rng.normal(1.0, 1.0, (2000, 5)), rng.normal(0.0, 1.3, (6000, 5))])
    perm = rng.permutation(len(X))
    return X[perm], perm < 2000


@pytest.mark.parametrize(
    "criterion",
    ["likelihood_ratio", "euclidean", "mahalanobis", "cosine", "coreset", "random"],
)
def test_dask_selection_equals_numpy(dask_client, domains, criterion):
    da = pytest.importorskip("dask.array")
    X, mask = domains
    params = dict(criterion=criterion, budget=0.3, family=None, random_state=0)
    ref = DistributionalSelector(**params).fit(X, forget_mask=mask)
    Xd = da.from_array(X, chunks=((1500, 2500, 4000), (2, 3)))
    selector = DistributionalSelector(**params).fit(
        Xd, forget_mask=da.from_array(mask, chunks=1000)
    )
    np.testing.assert_array_equal(selector.forget_indices_, ref.forget_indices_)
    np.testing.assert_allclose(selector.scores_, ref.scores_, rtol=1e-12, atol=1e-12)
    np.testing.assert_array_equal(selector.ranking_, ref.ranking_)
    np.testing.assert_array_equal(selector.deletion_mask_, ref.deletion_mask_)
    assert selector.n_deleted_ == ref.n_deleted_ == 600


def test_dask_fit_resample_is_lazy_and_keeps_the_rows(dask_client, domains):
    da = pytest.importorskip("dask.array")
    X, mask = domains
    Xd = da.from_array(X, chunks=2000)
    y = da.from_array(np.arange(len(X)), chunks=2000)
    selector = DistributionalSelector(budget=0.5, family=None)
    X_kept, y_kept = selector.fit_resample(Xd, y, forget_mask=mask)
    assert isinstance(X_kept, da.Array)
    np.testing.assert_array_equal(X_kept.compute(), X[selector.sample_indices_])
    np.testing.assert_array_equal(y_kept.compute(), selector.sample_indices_)


@pytest.mark.parametrize(
    "params, message",
    [
        (dict(family="gaussian_mean"), "family=None"),
        (dict(family=None, criterion="classifier"), "criterion='classifier'"),
        (dict(family=None, domain_column=0), "forget_mask"),
    ],
)
def test_dask_unsupported_options_are_clear_errors(domains, params, message):
    da = pytest.importorskip("dask.array")
    X, mask = domains
    with pytest.raises(ValueError, match=message):
        DistributionalSelector(**params).fit(
            da.from_array(X, chunks=2000), forget_mask=mask
        )


def test_dask_nan_is_detected(domains):
    da = pytest.importorskip("dask.array")
    X, mask = domains
    X = X.copy()
    X[5, 2] = np.nan
    with pytest.raises(ValueError, match="NaN"):
        DistributionalSelector(family=None).fit(
            da.from_array(X, chunks=2000), forget_mask=mask
        )
