"""Tests of the empirical (free-support) W2 barycenter kernels."""

import numpy as np
import ot
import pytest
from scipy.spatial.distance import cdist

import sklearn_unlearn.feature._empirical as emp
from sklearn_unlearn.feature._empirical import (
    EmpiricalBarycenter,
    _empirical_transport,
    _fit_empirical_barycenter,
)

# ---------------------------------------------------------------------------
# fixtures and independent helpers


def _banana(n, rng):
    u = rng.uniform(-2.0, 2.0, n)
    return np.column_stack([u, 0.5 * u**2 - 1.0]) + 0.15 * rng.standard_normal((n, 2))


def _ring(n, rng):
    angle = rng.uniform(0.0, 2.0 * np.pi, n)
    radius = 1.5 + 0.1 * rng.standard_normal(n)
    xy = radius[:, None] * np.column_stack([np.cos(angle), np.sin(angle)])
    return xy + np.array([4.0, 1.0])


def _mixture(n, rng):
    centers = np.array([[-1.0, -3.0], [1.5, -4.0]])
    which = rng.integers(0, 2, n)
    rot = np.array([[0.8, -0.6], [0.6, 0.8]])
    return (centers[which] + 0.4 * rng.standard_normal((n, 2))) @ rot


def _three_groups(sizes, seed=0):
    """Three non-Gaussian 2-D groups with unequal means, rows shuffled."""
    rng = np.random.default_rng(seed)
    parts = [
        make(n, rng) for make, n in zip((_banana, _ring, _mixture), sizes, strict=True)
    ]
    X = np.concatenate(parts)
    codes = np.repeat(np.arange(3), sizes).astype(np.intp)
    order = rng.permutation(X.shape[0])
    return X[order], codes[order]


def _fit(X, codes, weights=None, **kwargs):
    n_groups = int(codes.max()) + 1
    if weights is None:
        weights = np.bincount(codes[codes >= 0], minlength=n_groups) / np.sum(
            codes >= 0
        )
    params = dict(
        max_samples_per_group=10_000, n_support=50, max_iter=100, tol=1e-12, seed=0
    )
    params.update(kwargs)
    return _fit_empirical_barycenter(X, codes, n_groups, np.asarray(weights), **params)


def _objective(model, weights):
    """sum_s w_s W2^2(mu_s, nu) at the model's support, by POT's exact solver."""
    k = model.support.shape[0]
    total = 0.0
    for w, A in zip(weights, model.anchors, strict=True):
        a = np.full(A.shape[0], 1.0 / A.shape[0])
        total += w * ot.emd2(a, np.full(k, 1.0 / k), ot.dist(A, model.support))
    return total


def _relative_step(model, weights):
    """Relative squared displacement of one more fixed-point update."""
    k = model.support.shape[0]
    new = np.zeros_like(model.support)
    for w, A in zip(weights, model.anchors, strict=True):
        a = np.full(A.shape[0], 1.0 / A.shape[0])
        P = ot.emd(a, np.full(k, 1.0 / k), ot.dist(A, model.support))
        new += k * w * (P.T @ A)
    shift = np.mean(np.sum((new - model.support) ** 2, axis=1))
    spread = np.mean(np.sum((new - new.mean(axis=0)) ** 2, axis=1))
    return shift / spread


def _energy_distance(X, Y):
    """Naive (V-statistic) energy distance between two point clouds."""
    return 2.0 * cdist(X, Y).mean() - cdist(X, X).mean() - cdist(Y, Y).mean()


def _sorted_rows(A):
    return A[np.lexsort(A.T[::-1])]


@pytest.fixture(scope="module")
def unequal():
    """Three groups of unequal sizes, one of them subsampled, and its model."""
    X, codes = _three_groups((90, 70, 130), seed=1)
    model = _fit(X, codes, max_samples_per_group=110, n_support=60)
    return X, codes, model


# ---------------------------------------------------------------------------
# numerical references


@pytest.mark.parametrize("weights", [(0.5, 0.5), (0.3, 0.7)])
def test_1d_equal_sizes_is_weighted_average_of_sorted_samples(weights):
    rng = np.random.default_rng(0)
    m = 40
    groups = [rng.exponential(size=m), 3.0 + rng.standard_t(3, size=m)]
    X = np.concatenate(groups)[:, None]
    codes = np.repeat([0, 1], m).astype(np.intp)
    model = _fit(X, codes, weights, n_support=m)
    expected = sum(w * np.sort(g) for w, g in zip(weights, groups, strict=True))
    assert model.converged
    np.testing.assert_allclose(np.sort(model.support[:, 0]), expected, atol=1e-8)


def test_w2_objective_decreases_and_matches_pot_reference():
    rng = np.random.default_rng(3)
    m = 60
    A0 = _banana(m, rng)
    A1 = _ring(m, rng)
    X = np.concatenate([A0, A1])
    codes = np.repeat([0, 1], m).astype(np.intp)
    weights = np.array([0.4, 0.6])
    init = _fit(X, codes, weights, n_support=m, max_iter=0)
    model = _fit(X, codes, weights, n_support=m, tol=1e-10)
    assert init.n_iter == 0 and not init.converged
    assert model.converged and 1 <= model.n_iter < 100

    uniform = np.full(m, 1.0 / m)
    reference = ot.lp.free_support_barycenter(
        [A0, A1], [uniform, uniform], init.support, weights=weights, stopThr=1e-10
    )
    ours = _objective(model, weights)
    ref = EmpiricalBarycenter(reference, model.anchors, [], 0, True)
    # Both are local fixed points of the same iteration from the same start; allow
    # a relative 1e-6 in case ties in the plans send them to different ones.
    assert ours <= _objective(init, weights)
    assert ours <= _objective(ref, weights) * (1.0 + 1e-6)
    assert _relative_step(model, weights) < 1e-10


def test_full_repair_with_equal_sizes_is_a_permutation_of_the_support():
    X, codes = _three_groups((40, 40, 40), seed=2)
    model = _fit(X, codes, n_support=40)
    assert model.support.shape == (40, 2)
    for s, (A, images) in enumerate(zip(model.anchors, model.images, strict=True)):
        np.testing.assert_array_equal(_sorted_rows(images), _sorted_rows(model.support))
        # training anchors go exactly to their barycentric projection
        Z = _empirical_transport(A, np.full(40, s, dtype=np.intp), model, 1.0)
        np.testing.assert_array_equal(Z, images)


def test_barycentric_projection_preserves_the_support_mean(unequal):
    _, _, model = unequal
    assert [A.shape[0] for A in model.anchors] == [90, 70, 110]
    assert model.support.shape == (60, 2)
    for images in model.images:
        np.testing.assert_allclose(
            images.mean(axis=0), model.support.mean(axis=0), atol=1e-10
        )


def test_full_repair_equalises_non_gaussian_groups():
    sizes = (300, 250, 400)
    X, codes = _three_groups(sizes, seed=4)
    model = _fit(X, codes, max_samples_per_group=300, n_support=200, tol=1e-8)
    X_new, codes_new = _three_groups(sizes, seed=5)
    for data, c in ((X, codes), (X_new, codes_new)):
        Z = _empirical_transport(data, c, model, 1.0)
        for s, r in ((0, 1), (0, 2), (1, 2)):
            raw = _energy_distance(data[c == s], data[c == r])
            repaired = _energy_distance(Z[c == s], Z[c == r])
            assert repaired < 0.05 * raw  # measured: < 1e-3 train, 0.012 held out
            sliced = [
                ot.sliced_wasserstein_distance(
                    Y[c == s], Y[c == r], n_projections=200, seed=0
                )
                for Y in (data, Z)
            ]
            assert sliced[1] < 0.2 * sliced[0]  # measured: < 0.013, < 0.1


# ---------------------------------------------------------------------------
# properties of the transport


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


def test_model_does_not_alias_the_input():
    X, codes = _three_groups((30, 30, 30))
    model = _fit(X, codes, n_support=20)
    before = [A.copy() for A in model.anchors]
    X[:] = 0.0
    for A, B in zip(model.anchors, before, strict=True):
        np.testing.assert_array_equal(A, B)


# ---------------------------------------------------------------------------
# fitting: subsampling, initialisation, reproducibility, solver limits


def test_subsampling_is_uniform_without_replacement_and_seeded():
    X, codes = _three_groups((80, 30, 50))
    model = _fit(X, codes, max_samples_per_group=40, n_support=30, max_iter=0)
    assert [A.shape[0] for A in model.anchors] == [40, 30, 40]
    for s, A in enumerate(model.anchors):
        rows = X[codes == s]
        hits = (A[:, None, :] == rows[None, :, :]).all(axis=2)
        assert np.all(hits.sum(axis=1) == 1)  # each anchor is one distinct row
        assert np.unique(hits.argmax(axis=1)).size == A.shape[0]
    pooled = np.concatenate(model.anchors)
    support_hits = (model.support[:, None, :] == pooled[None, :, :]).all(axis=2)
    assert np.unique(support_hits.argmax(axis=1)).size == 30  # distinct anchors
    other = _fit(X, codes, max_samples_per_group=40, n_support=30, max_iter=0, seed=1)
    assert not np.array_equal(other.anchors[0], model.anchors[0])


def test_reproducible_and_n_jobs_invariant(unequal):
    X, codes, model = unequal
    for n_jobs in (1, 2):
        again = _fit(X, codes, max_samples_per_group=110, n_support=60, n_jobs=n_jobs)
        np.testing.assert_array_equal(again.support, model.support)
        for attr in ("anchors", "images"):
            for a, b in zip(getattr(again, attr), getattr(model, attr), strict=True):
                np.testing.assert_array_equal(a, b)
        assert (again.n_iter, again.converged) == (model.n_iter, model.converged)


def test_support_size_is_capped_and_zero_weight_groups_do_not_seed_it():
    X, codes = _three_groups((10, 12, 8))
    model = _fit(X, codes, n_support=100)
    assert model.support.shape == (30, 2)
    init = _fit(X, codes, [0.5, 0.5, 0.0], n_support=15, max_iter=0)
    in_group_2 = (init.support[:, None, :] == X[codes == 2][None]).all(axis=2)
    assert not in_group_2.any()
    fitted = _fit(X, codes, [0.5, 0.5, 0.0], n_support=15)
    assert fitted.images[2].shape == (8, 2)


def test_ties_and_tiny_groups_fit_without_warnings():
    rng = np.random.default_rng(7)
    X = rng.integers(0, 3, size=(200, 3)).astype(np.float64)  # many duplicate rows
    codes = rng.integers(0, 3, 200).astype(np.intp)
    codes[0] = 3  # a group with a single row
    model = _fit(X, codes, n_support=40)
    assert model.anchors[3].shape == (1, 3)
    np.testing.assert_allclose(model.images[3][0], model.support.mean(axis=0))
    for images in model.images:
        np.testing.assert_allclose(
            images.mean(axis=0), model.support.mean(axis=0), atol=1e-10
        )


def test_max_iter_reached_is_reported():
    X, codes = _three_groups((40, 40, 40))
    model = _fit(X, codes, n_support=40, max_iter=1, tol=0.0)
    assert model.n_iter == 1 and not model.converged


def test_exhausted_pivot_budget_is_reported_not_warned(monkeypatch):
    # pytest turns warnings into errors: POT's "numItermax reached" must not leak.
    monkeypatch.setattr(emp, "_emd_max_iter", lambda n_rows, n_cols: 5)
    X, codes = _three_groups((40, 40, 40))
    model = _fit(X, codes, n_support=40, max_iter=3, n_jobs=2)
    assert not model.converged


def test_pivot_budget_covers_large_problems():
    # about 2.6e5 pivots were needed at 3000 x 3000 (POT's default is 1e5)
    assert emp._emd_max_iter(3000, 3000) >= 100 * 260_000


def test_equivariant_to_rigid_motions_even_far_from_the_origin(unequal):
    X, codes, model = unequal
    angle = 0.7
    rot = np.array([[np.cos(angle), -np.sin(angle)], [np.sin(angle), np.cos(angle)]])
    shift = np.array([1e6, -3e5])
    moved = _fit(X @ rot + shift, codes, max_samples_per_group=110, n_support=60)
    # Coordinates near 1e6 carry rounding errors near 1e-10; without centring,
    # GEMM squared distances would be off by ~1e-4 and change the plans.
    atol = 1e-7
    np.testing.assert_allclose(moved.support, model.support @ rot + shift, atol=atol)
    for a, b in zip(moved.images, model.images, strict=True):
        np.testing.assert_allclose(a, b @ rot + shift, atol=atol)
    Z = _empirical_transport(X @ rot + shift, codes, moved, 0.5)
    expected = _empirical_transport(X, codes, model, 0.5) @ rot + shift
    np.testing.assert_allclose(Z, expected, atol=atol)
