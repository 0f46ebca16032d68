"""Public Gaussian functions: the closed forms on moments and on samples."""

import numpy as np
import ot
import pytest
from numpy.testing import assert_allclose
from sklearn.exceptions import ConvergenceWarning

from sklearn_unlearn.feature import (
    AffineMap,
    GaussianBarycenter,
    empirical_gaussian_barycenter,
    empirical_gaussian_transport_map,
    gaussian_barycenter,
    gaussian_transport_map,
)
from sklearn_unlearn.utils._compat import InvalidParameterError

COVS = [[[2.0, 1.0], [1.0, 2.0]], [[1.0, 0.0], [0.0, 4.0]]]
MEANS = [[0.0, 0.0], [2.0, -1.0]]


def test_gaussian_barycenter_returns_named_tuple():
    result = gaussian_barycenter(MEANS, COVS, [1, 1])  # weights are normalised
    assert isinstance(result, GaussianBarycenter)
    mean, covariance, n_iter, converged = result
    assert_allclose(mean, [1.0, -0.5])
    assert_allclose(
        covariance,
        [[1.4140233318, 0.5538117602], [0.5538117602, 2.8931715563]],
        atol=1e-9,
    )
    assert 1 <= n_iter < 100 and converged


def test_gaussian_barycenter_convergence_warning():
    # Three groups iterate (two groups have a closed form and never warn).
    covs = [*COVS, [[3.0, -1.0], [-1.0, 1.0]]]
    with pytest.warns(ConvergenceWarning, match="max_iter=1"):
        gaussian_barycenter([*MEANS, [1.0, 1.0]], covs, [0.3, 0.3, 0.4], max_iter=1)


@pytest.mark.parametrize(
    "means, covs, weights, match",
    [
        (MEANS, COVS, [0.5], "one weight per group"),
        (MEANS, COVS, [-1, 2], "nonnegative"),
        (MEANS, [[[1.0, 2.0], [0.0, 1.0]]] * 2, [1, 1], "symmetric"),
        (MEANS, [[[1.0, 2.0], [2.0, 1.0]]] * 2, [1, 1], "positive semi-definite"),
        ([[0.0, np.nan], [1, 1]], COVS, [1, 1], "finite"),
        ([0.0, 0.0], COVS, [1, 1], "shape"),
        (MEANS, COVS[0], [1, 1], "shape"),
    ],
)
def test_gaussian_barycenter_bad_input(means, covs, weights, match):
    with pytest.raises(ValueError, match=match):
        gaussian_barycenter(means, covs, weights)


def test_gaussian_barycenter_validates_parameters():
    with pytest.raises(InvalidParameterError, match="max_iter"):
        gaussian_barycenter(MEANS, COVS, [1, 1], max_iter=0)


def test_transport_map_pushes_source_onto_target():
    rng = np.random.default_rng(0)
    B = rng.normal(size=(3, 3))
    Cs, Ct = B @ B.T + np.eye(3), np.diag([1.0, 2.0, 3.0])
    ms, mt = rng.normal(size=3), rng.normal(size=3)
    T = gaussian_transport_map(ms, Cs, mt, Ct)
    assert_allclose(ms @ T.linear + T.offset, mt, atol=1e-12)
    assert_allclose(T.linear @ Cs @ T.linear, Ct, atol=1e-10)
    # Stacked sources give one map per source.
    stacked = gaussian_transport_map(np.stack([ms, mt]), np.stack([Cs, Ct]), mt, Ct)
    assert_allclose(stacked.linear[0], T.linear)
    assert_allclose(stacked.linear[1], np.eye(3), atol=1e-10)
    assert_allclose(stacked.offset[1], 0.0, atol=1e-10)


def test_transport_map_dimension_mismatch():
    with pytest.raises(ValueError, match="dimensions differ"):
        gaussian_transport_map([0.0], [[1.0]], [0.0, 0.0], np.eye(2))


def _samples(rng, n, mean, cov):
    return rng.multivariate_normal(mean, cov, size=n)


def test_empirical_barycenter_is_the_closed_form_on_sample_moments():
    rng = np.random.default_rng(0)
    parts = [
        _samples(rng, n, m, c) for n, m, c in zip((300, 200), MEANS, COVS, strict=True)
    ]
    X = np.vstack(parts)
    groups = np.repeat(["b", "a"], [300, 200])  # sorted groups: "a" first
    result = empirical_gaussian_barycenter(X, groups)
    assert isinstance(result, GaussianBarycenter) and result.converged
    means = [parts[1].mean(axis=0), parts[0].mean(axis=0)]
    covs = [np.cov(parts[1].T, ddof=0), np.cov(parts[0].T, ddof=0)]
    expected = gaussian_barycenter(means, covs, [0.4, 0.6])  # proportional
    assert_allclose(result.mean, expected.mean, rtol=1e-12)
    assert_allclose(result.covariance, expected.covariance, rtol=1e-10)
    uniform = empirical_gaussian_barycenter(X, groups, weights="uniform")
    assert_allclose(uniform.mean, np.mean(means, axis=0), rtol=1e-12)


def test_empirical_barycenter_matches_pot():
    rng = np.random.default_rng(1)
    parts = [_samples(rng, 400, m, c) for m, c in zip(MEANS, COVS, strict=True)]
    result = empirical_gaussian_barycenter(
        np.vstack(parts), np.repeat([0, 1], 400), weights=[0.3, 0.7]
    )
    mb, Cb = ot.gaussian.empirical_bures_wasserstein_barycenter(
        parts,
        weights=np.array([0.3, 0.7]),
        reg=0.0,
        bias=True,
        num_iter=1000,
        eps=1e-12,
    )
    assert_allclose(result.mean, np.ravel(mb), atol=1e-10)
    assert_allclose(result.covariance, Cb, atol=1e-8)


def test_empirical_barycenter_needs_two_groups():
    X = np.random.default_rng(2).normal(size=(10, 2))
    with pytest.raises(ValueError, match="Only one group"):
        empirical_gaussian_barycenter(X, np.zeros(10))
    with pytest.raises(ValueError, match="groups has 9 samples"):
        empirical_gaussian_barycenter(X, np.arange(9) % 2)


def test_empirical_map_pushes_the_source_sample_onto_the_target_moments():
    rng = np.random.default_rng(3)
    source = _samples(rng, 500, MEANS[0], COVS[0])
    target = _samples(rng, 300, MEANS[1], COVS[1])
    T = empirical_gaussian_transport_map(source, target)
    assert isinstance(T, AffineMap)
    moved = source @ T.linear + T.offset
    assert_allclose(moved.mean(axis=0), target.mean(axis=0), atol=1e-12)
    assert_allclose(np.cov(moved.T, ddof=0), np.cov(target.T, ddof=0), atol=1e-10)
    ref = ot.gaussian.empirical_bures_wasserstein_mapping(
        source, target, reg=0.0, bias=True
    )
    assert_allclose(T.linear, ref[0], atol=1e-10)
    assert_allclose(T.offset, np.ravel(ref[1]), atol=1e-10)


def test_empirical_map_dimension_mismatch():
    rng = np.random.default_rng(4)
    with pytest.raises(ValueError, match="dimensions differ"):
        empirical_gaussian_transport_map(
            rng.normal(size=(5, 2)), rng.normal(size=(5, 3))
        )
