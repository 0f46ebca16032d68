"""One-pass gradient and Gram matrices against direct products."""

import numpy as np
import pytest
from numpy.testing import assert_allclose

from sklearn_unlearn.datapoint import _curvature
from sklearn_unlearn.datapoint._curvature import row_pass, weighted_gram


@pytest.fixture(params=[False, True], ids=["one chunk", "many chunks"])
def chunked(request, monkeypatch):
    if request.param:  # 64-row chunks, the last one short
        monkeypatch.setattr(_curvature, "CHUNK_ELEMENTS", 64)


@pytest.mark.parametrize("fit_intercept", [True, False])
def test_row_pass_is_the_augmented_products(chunked, fit_intercept):
    rng = np.random.default_rng(0)
    n, d, K = 203, 4, 3
    X, theta = rng.normal(size=(n, d)), rng.normal(size=(d + fit_intercept, K))
    X1 = np.c_[X, np.ones(n)] if fit_intercept else X
    R, W = rng.normal(size=(n, K)), rng.random((n, 2))
    seen = []

    def rows_fn(Xc, z, rows):
        seen.append(rows)
        assert_allclose(z, X1[rows] @ theta)
        return R[rows], W[rows]

    logits, gradient, grams = row_pass(X, theta, fit_intercept, rows_fn)
    assert sum(r.stop - r.start for r in seen) == n
    assert_allclose(logits, X1 @ theta)
    assert_allclose(gradient, X1.T @ R)
    for j, gram in enumerate(grams):
        assert_allclose(gram, X1.T @ (W[:, j : j + 1] * X1), atol=1e-12)
        assert_allclose(gram, gram.T)


def test_row_pass_without_weights_or_residuals(chunked):
    rng = np.random.default_rng(1)
    X, R = rng.normal(size=(150, 3)), rng.normal(size=(150, 1))
    logits, gradient, grams = row_pass(
        X, None, True, lambda Xc, z, rows: (R[rows], None)
    )
    assert logits is None and grams == []
    assert_allclose(gradient, np.c_[X, np.ones(150)].T @ R)


def test_weighted_gram_is_the_augmented_product(chunked):
    rng = np.random.default_rng(0)
    X, w = rng.normal(size=(130, 4)), rng.random(130)
    X1 = np.c_[X, np.ones(130)]
    assert_allclose(weighted_gram(X, w, True), X1.T @ (w[:, None] * X1))
    assert_allclose(weighted_gram(X, w, False), X.T @ (w[:, None] * X))
