"""Tests of the empirical method's transport: nearest anchor, drawn image."""

import numpy as np

from sklearn_unlearn.feature._empirical_transport import _empirical_transport
from tests.feature.empirical_cases import (
    _binary_groups,
    _fit,
    _image_law,
    _law,
    _one_hot_groups,
    _sorted_rows,
    _three_groups,
    _total_variation,
)


def test_full_repair_with_equal_sizes_is_a_permutation_of_the_support():
    X, codes = _three_groups((40, 40, 40), seed=2)
    model = _fit(X, codes, n_support=40)
    assert model.support.shape == (40, 2)
    for s, (A, images) in enumerate(zip(model.anchors, model.images, strict=True)):
        np.testing.assert_array_equal(_sorted_rows(images), _sorted_rows(model.support))
        # training anchors go exactly to their barycentric projection
        Z = _empirical_transport(A, np.full(40, s, dtype=np.intp), model, 1.0)
        np.testing.assert_array_equal(Z, images)


def test_repair_level_zero_is_identity_and_output_is_affine_in_t(unequal):
    X, codes, model = unequal
    np.testing.assert_array_equal(_empirical_transport(X, codes, model, 0.0), X)
    full = _empirical_transport(X, codes, model, 1.0)
    assert not np.allclose(full, X)
    for t in (0.25, 0.5, 0.8):
        Z = _empirical_transport(X, codes, model, t)
        np.testing.assert_allclose(Z, X + t * (full - X), rtol=0, atol=1e-12)


def test_points_equal_to_anchors_move_like_anchors(unequal):
    _, _, model = unequal
    points = np.concatenate(model.anchors)
    codes = np.repeat(np.arange(3), [A.shape[0] for A in model.anchors])
    t = 0.6
    Z = _empirical_transport(points, codes, model, t)
    expected = np.concatenate(
        [(1 - t) * A + t * T for A, T in zip(model.anchors, model.images, strict=True)]
    )
    np.testing.assert_allclose(Z, expected, rtol=0, atol=1e-14)
    np.testing.assert_array_equal(
        _empirical_transport(points, codes, model, 1.0), np.concatenate(model.images)
    )


def test_rowwise_subset_chunking_and_unchanged_rows(unequal):
    X, codes, model = unequal
    codes = codes.copy()
    codes[::7] = -1
    Z = _empirical_transport(X, codes, model, 0.9)
    np.testing.assert_array_equal(Z[codes == -1], X[codes == -1])
    subset = np.random.default_rng(0).choice(X.shape[0], 50, replace=False)
    np.testing.assert_array_equal(
        _empirical_transport(X[subset], codes[subset], model, 0.9), Z[subset]
    )
    for chunk_size in (1, 13, 10_000):
        np.testing.assert_array_equal(
            _empirical_transport(X, codes, model, 0.9, chunk_size=chunk_size), Z
        )


def test_float32_in_float32_out_and_inputs_untouched(unequal):
    X, codes, model = unequal
    X32 = X.astype(np.float32)
    X32_copy, codes_copy = X32.copy(), codes.copy()
    model32 = _fit(X32, codes, max_samples_per_group=110, n_support=60)
    assert model32.support.dtype == np.float64
    Z32 = _empirical_transport(X32, codes, model32, 0.7)
    assert Z32.dtype == np.float32
    np.testing.assert_array_equal(X32, X32_copy)
    np.testing.assert_array_equal(codes, codes_copy)
    np.testing.assert_array_equal(_empirical_transport(X32, codes, model32, 0.0), X32)
    Z64 = _empirical_transport(X32.astype(np.float64), codes, model32, 0.7)
    np.testing.assert_allclose(Z32, Z64, rtol=1e-6, atol=1e-6)


def test_draws_follow_the_image_weights_and_depend_on_the_seed():
    X, codes = _binary_groups(4000)
    model = _fit(X, codes, n_support=400)  # anchors: all rows, collapsed to 2 + 2
    assert [A.shape[0] for A in model.anchors] == [2, 2]
    Z = _empirical_transport(X, codes, model, 1.0, seed=0)
    for s in (0, 1):
        images, probabilities = _image_law(model, s)
        # on the training values, z is an image exactly: x - a = 0
        expected = _law(np.round(images, 12), probabilities)
        drawn = _law(np.round(Z[codes == s], 12))
        assert _total_variation(expected, drawn) < 0.04  # seeds 0-5: 0.001-0.017
    again = _empirical_transport(X, codes, model, 1.0, seed=0)
    other = _empirical_transport(X, codes, model, 1.0, seed=1)
    np.testing.assert_array_equal(again, Z)
    assert not np.array_equal(other, Z)
    # only the draws change: the same laws, up to sampling
    for s in (0, 1):
        assert _total_variation(_law(Z[codes == s]), _law(other[codes == s])) < 0.05


def test_draws_are_chunk_invariant_and_rows_without_copies_are_subset_invariant():
    X, codes = _one_hot_groups(300, seed=1)
    model = _fit(X, codes, n_support=200)
    assert all(np.diff(o).max() > 1 for o in model.image_offsets)  # random draws
    codes = codes.copy()
    codes[::11] = -1
    Z = _empirical_transport(X, codes, model, 0.8, seed=3)
    np.testing.assert_array_equal(Z[codes == -1], X[codes == -1])
    for chunk_size in (1, 7, 10_000):
        np.testing.assert_array_equal(
            _empirical_transport(X, codes, model, 0.8, seed=3, chunk_size=chunk_size),
            Z,
        )
    # identical rows of one call get independent draws ...
    assert len(_law(np.round(Z[codes == 0], 12))) > 3
    # ... while a row without a copy moves as a pure function of itself and the
    # seed: jittered rows keep the anchors' images and are subset invariant
    jittered = X + 1e-3 * np.random.default_rng(0).standard_normal(X.shape)
    Zj = _empirical_transport(jittered, codes, model, 1.0, seed=3)
    subset = np.random.default_rng(1).permutation(X.shape[0])[:100]
    np.testing.assert_array_equal(
        _empirical_transport(jittered[subset], codes[subset], model, 1.0, seed=3),
        Zj[subset],
    )
    assert len(_law(np.round(Zj - jittered, 9)[codes == 0])) > 3


def test_duplicated_anchors_float32_and_inputs_untouched():
    X, codes = _binary_groups(400)
    X32 = X.astype(np.float32)
    copies = X32.copy(), codes.copy()
    model = _fit(X32, codes, n_support=300)
    Z32 = _empirical_transport(X32, codes, model, 0.7, seed=5)
    assert Z32.dtype == np.float32
    np.testing.assert_array_equal(X32, copies[0])
    np.testing.assert_array_equal(codes, copies[1])
    Z64 = _empirical_transport(X, codes, model, 0.7, seed=5)  # the same draws
    np.testing.assert_allclose(Z32, Z64, rtol=1e-6, atol=1e-6)
    full = _empirical_transport(X, codes, model, 1.0, seed=5)
    np.testing.assert_allclose(Z64, X + 0.7 * (full - X), rtol=0, atol=1e-12)
