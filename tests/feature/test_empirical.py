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
    for w, A, c in zip(weights, model.anchors, model.anchor_counts, strict=True):
        total += w * ot.emd2(
            c / c.sum(), np.full(k, 1.0 / k), ot.dist(A, model.support)
        )
    return total


def _relative_step(model, weights):
    """Relative squared displacement of one more fixed-point update."""
    k = model.support.shape[0]
    new = np.zeros_like(model.support)
    for w, A, c in zip(weights, model.anchors, model.anchor_counts, strict=True):
        P = ot.emd(c / c.sum(), np.full(k, 1.0 / k), ot.dist(A, model.support))
        new += k * w * (P.T @ A)
    shift = np.mean(np.sum((new - model.support) ** 2, axis=1))
    spread = np.mean(np.sum((new - new.mean(axis=0)) ** 2, axis=1))
    return shift / spread


def _energy_distance(X, Y):
    """Naive (V-statistic) energy distance between two point clouds."""
    return 2.0 * cdist(X, Y).mean() - cdist(X, X).mean() - cdist(Y, Y).mean()


def _sorted_rows(A):
    return A[np.lexsort(A.T[::-1])]


def _image_law(model, s):
    """Images of group ``s`` and their probabilities under the group's measure."""
    counts, offsets = model.anchor_counts[s], model.image_offsets[s]
    mass = np.repeat(counts / counts.sum(), np.diff(offsets))
    return model.images[s], mass * model.image_weights[s]


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
    ref = model._replace(support=reference)
    assert isinstance(ref, EmpiricalBarycenter)
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
    for s in range(4):
        images, probabilities = _image_law(model, s)
        np.testing.assert_allclose(
            probabilities @ images, model.support.mean(axis=0), atol=1e-10
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


# ---------------------------------------------------------------------------
# duplicated anchors (discrete or one-hot features)


def _binary_groups(n):
    """The review's reproducer: P(x = 1) is 1/4 in group 0 and 3/4 in group 1."""
    x = np.r_[
        np.repeat([0, 1], [3 * n // 4, n // 4]), np.repeat([0, 1], [n // 4, 3 * n // 4])
    ]
    return x[:, None].astype(np.float64), np.repeat([0, 1], n).astype(np.intp)


def _one_hot_groups(n, seed=0):
    """Three one-hot categories, frequencies (.6, .3, .1) and (.1, .3, .6)."""
    rng = np.random.default_rng(seed)
    categories = np.r_[
        rng.choice(3, n, p=[0.6, 0.3, 0.1]), rng.choice(3, n, p=[0.1, 0.3, 0.6])
    ]
    return np.eye(3)[categories], np.repeat([0, 1], n).astype(np.intp)


def _law(points, probabilities=None):
    """{row as a tuple: total probability} of a discrete law (uniform by default)."""
    if probabilities is None:
        probabilities = np.full(points.shape[0], 1.0 / points.shape[0])
    values, inverse = np.unique(points + 0.0, axis=0, return_inverse=True)
    totals = np.bincount(inverse.ravel(), weights=probabilities)
    return {tuple(v): p for v, p in zip(values, totals, strict=True)}


def _total_variation(P, Q):
    keys = set(P) | set(Q)
    return 0.5 * sum(abs(P.get(key, 0.0) - Q.get(key, 0.0)) for key in keys)


def _adversary_auc(Z, codes):
    from sklearn.ensemble import HistGradientBoostingClassifier
    from sklearn.metrics import roc_auc_score
    from sklearn.model_selection import train_test_split

    Z_train, Z_test, s_train, s_test = train_test_split(
        Z, codes, test_size=0.5, random_state=0, stratify=codes
    )
    adversary = HistGradientBoostingClassifier(max_iter=50, random_state=0)
    adversary.fit(Z_train, s_train)
    return roc_auc_score(s_test, adversary.predict_proba(Z_test)[:, 1])


@pytest.mark.parametrize(
    "make", [_binary_groups, _one_hot_groups], ids=["binary", "one-hot"]
)
def test_full_repair_of_discrete_features_makes_groups_indistinguishable(make):
    from sklearn_unlearn import BarycenterFeatureUnlearner

    X, codes = make(2000)
    with pytest.warns(UserWarning, match="discrete column"):
        Z = BarycenterFeatureUnlearner(
            method="empirical", random_state=0
        ).fit_transform(X, sensitive_features=codes)
    laws = [_law(np.round(Y[codes == s], 9)) for Y in (X, Z) for s in (0, 1)]
    # Measured: raw 0.5, repaired 0.026 (binary), 0.025 (one-hot). Sending every
    # copy of a value to its first copy's image left them 0.5 apart.
    assert _total_variation(*laws[:2]) > 0.4
    assert _total_variation(*laws[2:]) < 0.1
    # Measured: raw 0.74 (binary), 0.83 (one-hot); repaired 0.50, 0.51.
    assert _adversary_auc(X, codes) > 0.7
    assert _adversary_auc(Z, codes) < 0.6


@pytest.mark.parametrize(
    "make", [_binary_groups, _one_hot_groups], ids=["binary", "one-hot"]
)
@pytest.mark.parametrize("n_support", [100, 400, 1000])
def test_images_of_duplicated_anchors_follow_the_barycenter(make, n_support):
    # With every anchor duplicated, the law of the images under a group's measure
    # is the barycenter's, whether the plans split values over k > m_s or
    # k < m_s points (averaging them would give points outside the support).
    X, codes = make(400)
    model = _fit(X, codes, n_support=n_support)
    assert model.support.shape[0] == min(n_support, 800)
    target = _law(model.support)
    for s in (0, 1):
        counts = model.anchor_counts[s]
        assert counts.sum() == 400 and np.all(counts > 1)
        images, probabilities = _image_law(model, s)
        law = _law(images, probabilities)
        assert law.keys() == target.keys()
        np.testing.assert_allclose(
            [law[key] for key in target], list(target.values()), atol=1e-12
        )


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
