"""Closed-form references for the Bures-Wasserstein kernels on moments."""

import numpy as np
import ot
import pytest
from numpy.testing import assert_allclose

from sklearn_unlearn.feature._bures import (
    bures_barycenter,
    bures_maps,
    bures_wasserstein2,
    mccann_affine,
)
from sklearn_unlearn.utils._linalg import psd_power

C_NONCOMMUTING = np.array([[[2.0, 1.0], [1.0, 2.0]], [[1.0, 0.0], [0.0, 4.0]]])

M_NONCOMMUTING = np.array([[0.0, 0.0], [2.0, -1.0]])


def _random_spd(rng, d, low=0.3, high=3.0):
    Q, _ = np.linalg.qr(rng.normal(size=(d, d)))
    return (Q * rng.uniform(low, high, size=d)) @ Q.T


@pytest.mark.parametrize(
    "weights, mean, std",
    [((0.5, 0.5), 2.0, 2.0), ((0.25, 0.75), 3.0, 2.5), ((0.1, 0.9), 3.6, 2.8)],
)
def test_one_dimensional_barycenter(weights, mean, std):
    # N(0, 1) and N(4, 9): N(sum p m, (sum p sigma)^2).
    means = np.array([[0.0], [4.0]])
    covs = np.array([[[1.0]], [[9.0]]])
    result = bures_barycenter(means, covs, np.array(weights))
    assert result.converged
    assert_allclose(result.mean, [mean], atol=1e-12)
    assert_allclose(result.covariance, [[std**2]], atol=1e-10)


def test_commuting_covariances():
    covs = np.array([np.diag([1.0, 4.0]), np.diag([9.0, 16.0])])
    means = np.array([[0.0, 0.0], [2.0, 2.0]])
    result = bures_barycenter(means, covs, np.array([0.5, 0.5]))
    assert_allclose(result.covariance, np.diag([4.0, 9.0]), atol=1e-10)
    assert_allclose(result.mean, [1.0, 1.0], atol=1e-12)
    cost = bures_wasserstein2(means, covs, result.mean, result.covariance)
    assert_allclose(0.5 * cost.sum(), 4.0, atol=1e-9)


def test_commuting_root_is_weighted_average_of_roots():
    rng = np.random.default_rng(0)
    Q, _ = np.linalg.qr(rng.normal(size=(4, 4)))
    spectra = rng.uniform(0.5, 4.0, size=(3, 4))
    covs = np.stack([(Q * s) @ Q.T for s in spectra])
    w = np.array([0.2, 0.5, 0.3])
    result = bures_barycenter(np.zeros((3, 4)), covs, w)
    expected_root = (Q * (w @ np.sqrt(spectra))) @ Q.T
    assert_allclose(result.covariance, expected_root @ expected_root, atol=1e-10)


@pytest.mark.parametrize(
    "weights, expected",
    [
        ((0.5, 0.5), [[1.4140233318, 0.5538117602], [0.5538117602, 2.8931715563]]),
        ((0.3, 0.7), [[1.2277795987, 0.3452018786], [0.3452018786, 3.3102641073]]),
    ],
)
def test_noncommuting_barycenter(weights, expected):
    result = bures_barycenter(M_NONCOMMUTING, C_NONCOMMUTING, np.array(weights))
    assert_allclose(result.covariance, expected, atol=1e-9)


def test_noncommuting_maps_reference_values():
    result = bures_barycenter(M_NONCOMMUTING, C_NONCOMMUTING, np.array([0.5, 0.5]))
    A = bures_maps(C_NONCOMMUTING, result.covariance)
    assert_allclose(
        A[0], [[0.9021739865, -0.1403246412], [-0.1403246412, 1.2667480987]], atol=1e-9
    )
    assert_allclose(
        A[1], [[1.1640233318, 0.1215247041], [0.1215247041, 0.8482928891]], atol=1e-9
    )


def test_w2_between_groups_and_two_group_identity():
    w2 = bures_wasserstein2(
        M_NONCOMMUTING[0], C_NONCOMMUTING[0], M_NONCOMMUTING[1], C_NONCOMMUTING[1]
    )
    assert_allclose(w2, 5.7712204477, atol=1e-9)
    for p0, expected in [(0.5, 1.4428051119), (0.3, 1.2119562940)]:
        w = np.array([p0, 1 - p0])
        result = bures_barycenter(M_NONCOMMUTING, C_NONCOMMUTING, w)
        cost = bures_wasserstein2(
            M_NONCOMMUTING, C_NONCOMMUTING, result.mean, result.covariance
        )
        assert_allclose(w @ cost, expected, atol=1e-9)
        assert_allclose(w @ cost, p0 * (1 - p0) * w2, atol=1e-9)


def test_two_group_closed_form_equals_fixed_point():
    # A third group of weight zero forces the iterative path on the same problem.
    rng = np.random.default_rng(8)
    covs = np.stack([_random_spd(rng, 4) for _ in range(3)])
    means = rng.normal(size=(3, 4))
    closed = bures_barycenter(means[:2], covs[:2], np.array([0.35, 0.65]))
    iterated = bures_barycenter(means, covs, np.array([0.35, 0.65, 0.0]))
    assert iterated.n_iter > 1 and iterated.converged
    assert_allclose(closed.covariance, iterated.covariance, atol=1e-9)
    assert_allclose(closed.mean, iterated.mean, atol=1e-12)


def test_ill_conditioned_groups_converge_to_the_round_off_floor():
    # One-hot-like near-singular directions: tol=1e-10 is below the round-off
    # floor; the solver stops at it and the fixed-point residual is still tiny.
    rng = np.random.default_rng(9)
    covs = np.stack([_random_spd(rng, 6, 1e-7, 3.0) for _ in range(3)])
    w = np.array([0.5, 0.3, 0.2])
    result = bures_barycenter(np.zeros((3, 6)), covs, w, tol=1e-10)
    assert result.converged
    root = psd_power(result.covariance, 0.5)
    residual = result.covariance - np.einsum(
        "s,sij->ij", w, psd_power(root @ covs @ root, 0.5)
    )
    assert np.linalg.norm(residual) < 1e-5 * np.linalg.norm(result.covariance)


def test_w2_matches_pot():
    rng = np.random.default_rng(1)
    C0, C1 = _random_spd(rng, 5), _random_spd(rng, 5)
    m0, m1 = rng.normal(size=5), rng.normal(size=5)
    ref = ot.gaussian.bures_wasserstein_distance(m0, m1, C0, C1) ** 2
    assert_allclose(bures_wasserstein2(m0, C0, m1, C1), ref, rtol=1e-8)


def test_barycenter_matches_pot_with_explicit_weights():
    rng = np.random.default_rng(2)
    covs = np.stack([_random_spd(rng, 4) for _ in range(3)])
    means = rng.normal(size=(3, 4))
    w = np.array([0.6, 0.3, 0.1])
    result = bures_barycenter(means, covs, w)
    mb, Cb = ot.gaussian.bures_wasserstein_barycenter(
        means, covs, weights=w, num_iter=1000, eps=1e-12
    )
    assert_allclose(result.mean, mb, atol=1e-10)
    assert_allclose(result.covariance, Cb, atol=1e-8)


def test_fixed_point_identities():
    rng = np.random.default_rng(3)
    covs = np.stack([_random_spd(rng, 5) for _ in range(4)])
    w = rng.dirichlet(np.ones(4))
    result = bures_barycenter(np.zeros((4, 5)), covs, w)
    A = bures_maps(covs, result.covariance)
    # A_s C_s A_s = C_bar for every group.
    assert_allclose(
        A @ covs @ A, np.broadcast_to(result.covariance, covs.shape), atol=1e-9
    )
    # sum_s p_s A_s^{-1} = I at the fixed point (sum_s p_s A_s is not I).
    assert_allclose(np.einsum("s,sij->ij", w, np.linalg.inv(A)), np.eye(5), atol=1e-9)
    assert not np.allclose(np.einsum("s,sij->ij", w, A), np.eye(5), atol=1e-3)
    # Maps are symmetric positive definite.
    assert_allclose(A, np.swapaxes(A, 1, 2), atol=1e-12)
    assert np.linalg.eigvalsh(A).min() > 0


def test_two_group_map_is_mixture_of_identity_and_pairwise_map():
    p0 = 0.3
    result = bures_barycenter(M_NONCOMMUTING, C_NONCOMMUTING, np.array([p0, 1 - p0]))
    A0 = bures_maps(C_NONCOMMUTING[:1], result.covariance)[0]
    T01 = bures_maps(C_NONCOMMUTING[:1], C_NONCOMMUTING[1])[0]
    assert_allclose(A0, p0 * np.eye(2) + (1 - p0) * T01, atol=1e-9)


def test_identical_and_equal_covariance_groups():
    rng = np.random.default_rng(4)
    C = _random_spd(rng, 3)
    covs = np.stack([C, C, C])
    result = bures_barycenter(rng.normal(size=(3, 3)), covs, np.ones(3) / 3)
    assert_allclose(result.covariance, C, atol=1e-10)
    A = bures_maps(covs, result.covariance)
    assert_allclose(A, np.broadcast_to(np.eye(3), A.shape), atol=1e-9)


def test_mccann_is_geodesic():
    # W2(law of X_t | s, barycenter) = (1 - t) W2(mu_s, barycenter).
    covs = C_NONCOMMUTING
    w = np.array([0.4, 0.6])
    result = bures_barycenter(M_NONCOMMUTING, covs, w)
    A = bures_maps(covs, result.covariance)
    full = bures_wasserstein2(M_NONCOMMUTING, covs, result.mean, result.covariance)
    for t in (0.25, 0.5, 0.9):
        maps = mccann_affine(A, M_NONCOMMUTING, result.mean, t)
        mean_t = np.einsum("sj,sjk->sk", M_NONCOMMUTING, maps.linear) + maps.offset
        cov_t = maps.linear @ covs @ maps.linear
        dist = bures_wasserstein2(mean_t, cov_t, result.mean, result.covariance)
        assert_allclose(np.sqrt(dist), (1 - t) * np.sqrt(full), atol=1e-8)
