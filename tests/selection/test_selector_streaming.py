"""Streaming statistics of DistributionalSelector: partial_fit and score_samples."""

import numpy as np
import pandas as pd
import pytest
from numpy.testing import assert_allclose, assert_array_equal

from sklearn_unlearn import DistributionalSelector
from sklearn_unlearn.selection._scores import SCORES, domain_stats
from sklearn_unlearn.selection._streaming import chunk_stats, merge_domain_stats

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
        if e is None or g is None:  # fit computes more than a score needs
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


@pytest.mark.parametrize("score", STAT_SCORES)
def test_partial_fit_over_chunks_equals_fit(score):
    X, mask = _data(3)
    full = DistributionalSelector(score, budget=0.4).fit(X, forget_mask=mask)
    stream = DistributionalSelector(score, budget=0.4)
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


def test_streaming_errors():
    X, mask = _data(7)
    for sel, message in [
        (DistributionalSelector("classifier"), "needs all rows at once"),
        (DistributionalSelector("random"), "needs all rows at once"),
        (DistributionalSelector(lambda a, b: a[:, 0]), "needs all rows at once"),
        (DistributionalSelector(target=(0.1, 0.1)), "target"),
    ]:
        assert not hasattr(sel, "partial_fit")
        with pytest.raises(AttributeError) as excinfo:
            sel.score_samples(X)
        assert message in str(excinfo.value.__cause__)
    sel = DistributionalSelector().partial_fit(X[:100], forget_mask=mask[:100])
    with pytest.raises(ValueError, match="4 features"):
        sel.partial_fit(X[:100, :3], forget_mask=mask[:100])
    X_bad = X[:100].copy()
    X_bad[7, 1] = np.nan
    before = sel.statistics_
    with pytest.raises(ValueError, match="NaN or infinity"):
        sel.partial_fit(X_bad, forget_mask=mask[:100])
    assert sel.statistics_ is before  # a failed chunk changes nothing
    with pytest.raises(ValueError, match="forget_mask"):
        sel.partial_fit(X[:100], forget_mask=mask[:99])
    only_retained = DistributionalSelector().partial_fit(
        X[~mask][:50], forget_mask=np.zeros(50, dtype=bool)
    )
    with pytest.raises(ValueError, match="needs rows of both domains"):
        only_retained.score_samples(X)
    with pytest.raises(ValueError, match="NaN or infinity"):
        sel.score_samples(X_bad)
    unfitted = DistributionalSelector()
    with pytest.raises(Exception, match="not fitted"):
        unfitted.score_samples(X)
