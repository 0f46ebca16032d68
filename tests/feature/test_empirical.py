"""Tests of the empirical (free-support) W2 barycenter: model and fit."""

import numpy as np
import ot
import pytest

from sklearn_unlearn.feature._empirical import EmpiricalBarycenter, attributes, fit
from sklearn_unlearn.feature._empirical_transport import _empirical_transport
from tests.feature.empirical_cases import (
    _adversary_auc,
    _banana,
    _binary_groups,
    _energy_distance,
    _fit,
    _image_law,
    _law,
    _objective,
    _one_hot_groups,
    _relative_step,
    _ring,
    _three_groups,
    _total_variation,
)


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


def test_model_does_not_alias_the_input():
    X, codes = _three_groups((30, 30, 30))
    model = _fit(X, codes, n_support=20)
    before = [A.copy() for A in model.anchors]
    X[:] = 0.0
    for A, B in zip(model.anchors, before, strict=True):
        np.testing.assert_array_equal(A, B)


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


def test_fit_runs_in_unit_scale_and_keeps_the_exponent():
    # the registry's fit scales X by a power of two (exact): a rescaled X gives
    # the same model up to the exponent, and the same support in its units
    X, codes = _three_groups((40, 40, 40))
    params = dict(max_samples_per_group=40, max_iter=20, tol=1e-9, seed=0, n_jobs=None)
    w = np.full(3, 1 / 3)
    small = fit(X, codes, w, n_support=None, **params)
    big = fit(np.ldexp(X, 60), codes, w, n_support=None, **params)
    assert big.exponent == small.exponent - 60
    assert small.support.shape[0] == 40  # n_support=None: max_samples_per_group
    np.testing.assert_array_equal(big.support, small.support)
    np.testing.assert_array_equal(
        attributes(big)["barycenter_support_"],
        np.ldexp(attributes(small)["barycenter_support_"], 60),
    )
