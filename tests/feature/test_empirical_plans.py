"""Tests of the empirical method's exact plans, anchors and image blocks."""

import numpy as np

import sklearn_unlearn.feature._empirical_plans as plans
from tests.feature.empirical_cases import (
    _fit,
    _sorted_rows,
    _three_groups,
)


def test_exhausted_pivot_budget_is_reported_not_warned(monkeypatch):
    # pytest turns warnings into errors: POT's "numItermax reached" must not leak.
    monkeypatch.setattr(plans, "_emd_max_iter", lambda n_rows, n_cols: 5)
    X, codes = _three_groups((40, 40, 40))
    model = _fit(X, codes, n_support=40, max_iter=3, n_jobs=2)
    assert not model.converged


def test_pivot_budget_covers_large_problems():
    # about 2.6e5 pivots were needed at 3000 x 3000 (POT's default is 1e5)
    assert plans._emd_max_iter(3000, 3000) >= 100 * 260_000


def test_duplicated_anchors_are_collapsed_and_keep_their_images():
    rng = np.random.default_rng(0)
    m = 60
    X = np.r_[rng.integers(0, 4, m), rng.integers(2, 7, m)][:, None].astype(float)
    X[3] = -0.0  # equal to 0.0 as a number: the same anchor
    codes = np.repeat([0, 1], m).astype(np.intp)
    model = _fit(X, codes, n_support=m)
    for s in (0, 1):
        rows = X[codes == s]
        A, counts = model.anchors[s], model.anchor_counts[s]
        offsets, weights = model.image_offsets[s], model.image_weights[s]
        # distinct rows, in order of first occurrence, with their multiplicities
        _, first, expected_counts = np.unique(
            rows + 0.0, return_index=True, return_counts=True
        )
        order = np.argsort(first)
        np.testing.assert_array_equal(A[:, 0], rows[np.sort(first), 0] + 0.0)
        np.testing.assert_array_equal(counts, expected_counts[order])
        # m_s = k: the plan sends each copy to one support point, so each anchor
        # keeps exactly as many images as it has copies, of equal weight
        np.testing.assert_array_equal(np.diff(offsets), counts)
        np.testing.assert_allclose(weights, np.repeat(1.0 / counts, counts))
        images = model.images[s]
        assert np.all((images[:, None, :] == model.support[None]).all(axis=2).any(1))
        np.testing.assert_array_equal(_sorted_rows(images), _sorted_rows(model.support))


def test_one_image_per_anchor_without_duplicates(unequal):
    _, _, model = unequal
    for A, counts, offsets, weights in zip(
        model.anchors,
        model.anchor_counts,
        model.image_offsets,
        model.image_weights,
        strict=True,
    ):
        np.testing.assert_array_equal(counts, 1)
        np.testing.assert_array_equal(offsets, np.arange(A.shape[0] + 1))
        np.testing.assert_array_equal(weights, 1.0)
