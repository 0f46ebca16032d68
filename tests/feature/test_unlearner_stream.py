"""partial_fit of the default ``"stochastic"`` method (the Gaussian one is in
test_streaming.py)."""

import numpy as np
import pytest

from sklearn_unlearn import BarycenterFeatureUnlearner
from sklearn_unlearn.feature import _streaming
from tests.feature.stream_cases import audit, mixed_split


@pytest.fixture(scope="module")
def split():
    return mixed_split()


def _stream(X, y, s, n_chunks, **params):
    unlearner = BarycenterFeatureUnlearner(random_state=0, **params)
    for rows in np.array_split(np.arange(len(s)), n_chunks):
        label = None if y is None else y[rows]
        unlearner.partial_fit(X[rows], label, sensitive_features=s[rows])
    return unlearner


def test_few_rows_give_the_fit_of_their_concatenation(split):
    (X, y, s), _ = split
    X, y, s = X[:3000], y[:3000], s[:3000]
    order = np.argsort(s, kind="stable")  # the second group comes later
    X, y, s = X[order], y[order], s[order]
    full = BarycenterFeatureUnlearner(random_state=0).fit(X, y, sensitive_features=s)
    stream = _stream(X, y, s, 3)
    np.testing.assert_array_equal(stream.groups_, full.groups_)
    np.testing.assert_array_equal(
        stream.transform(X, sensitive_features=s),
        full.transform(X, sensitive_features=s),
    )


def test_fixed_cells_leak_like_in_memory(split, monkeypatch):
    (X, y, s), test = split
    # cells fixed once 5,000 rows are seen: chunks 3 to 6 only add counts
    monkeypatch.setattr(_streaming, "SAMPLE_ROWS", 5000)
    stream = _stream(X, y, s, 6)
    assert stream._stream[1].kept is None and stream.label_used_
    np.testing.assert_array_equal(stream.group_counts_, np.bincount(s))
    full = BarycenterFeatureUnlearner(random_state=0).fit(X, y, sensitive_features=s)
    (leak, utility), (ref_leak, ref_utility) = (
        audit(u, (X, y, s), test) for u in (stream, full)
    )
    assert leak <= 0.55 and abs(leak - ref_leak) <= 0.03
    assert utility >= ref_utility - 0.03
    # after fit, partial_fit continues from the fitted cells and counts
    more = BarycenterFeatureUnlearner(random_state=0).fit(
        X[:8000], y[:8000], sensitive_features=s[:8000]
    )
    centers = more.cell_centers_
    more.partial_fit(X[8000:], sensitive_features=s[8000:])
    np.testing.assert_array_equal(more.cell_centers_, centers)
    np.testing.assert_array_equal(more.group_counts_, np.bincount(s))


def test_stream_errors(split, monkeypatch):
    (X, y, s), _ = split
    stream = BarycenterFeatureUnlearner().partial_fit(
        X[:100], y[:100], sensitive_features=s[:100]
    )
    with pytest.raises(ValueError, match="pass y with every chunk or with none"):
        stream.partial_fit(X[100:200], sensitive_features=s[100:200])
    with pytest.raises(ValueError, match="one label per row"):
        stream.partial_fit(X[100:200], y[:5], sensitive_features=s[100:200])
    with pytest.raises(AttributeError):
        BarycenterFeatureUnlearner([0], sensitive_bins=2).partial_fit(X)
