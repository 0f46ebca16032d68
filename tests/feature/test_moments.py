"""Per-group moments: streamed by blocks, merged exactly."""

import numpy as np
from numpy.testing import assert_allclose

from sklearn_unlearn.feature._moments import group_moments, merge_moments


def test_group_moments_match_numpy_with_streaming_chunks():
    rng = np.random.default_rng(5)
    X = rng.normal(size=(1003, 4)) * [1, 10, 0.1, 3] + [5, -2, 0, 1e3]
    codes = rng.integers(0, 3, size=1003)
    moments = group_moments(X, codes, 3, chunk_rows=97)
    for g in range(3):
        rows = X[codes == g]
        assert moments.counts[g] == rows.shape[0]
        assert_allclose(moments.means[g], rows.mean(axis=0), rtol=1e-12)
        assert_allclose(
            moments.covariances[g], np.cov(rows.T, ddof=0), rtol=1e-10, atol=1e-12
        )


def test_merge_moments_is_exact():
    rng = np.random.default_rng(0)
    X = rng.normal(3.0, 2.0, size=(500, 4))
    codes = rng.integers(0, 3, 500)
    codes[:200][codes[:200] == 2] = 0  # group 2 absent from the first part
    whole = group_moments(X, codes, 3)
    merged = merge_moments(
        group_moments(X[:200], codes[:200], 3), group_moments(X[200:], codes[200:], 3)
    )
    np.testing.assert_array_equal(merged.counts, whole.counts)
    np.testing.assert_allclose(merged.means, whole.means, rtol=1e-13, atol=1e-13)
    np.testing.assert_allclose(merged.covariances, whole.covariances, atol=1e-12)


def test_rows_of_no_group_are_left_out_and_dtype_is_float64():
    rng = np.random.default_rng(1)
    X = rng.normal(size=(300, 3)).astype(np.float32)
    codes = rng.integers(-1, 2, size=300)
    moments = group_moments(X, codes, 2, chunk_rows=16)
    assert moments.means.dtype == np.float64
    for g in range(2):
        rows = X[codes == g].astype(np.float64)
        assert moments.counts[g] == rows.shape[0]
        assert_allclose(moments.means[g], rows.mean(axis=0), rtol=1e-12)
