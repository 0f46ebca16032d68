"""make_grouped_gaussian: moments, separation, validation."""

import re

import numpy as np
import pytest

from sklearn_unlearn.datasets import make_grouped_gaussian


def _spd(d, eigenvalues, seed):
    Q, _ = np.linalg.qr(np.random.default_rng(seed).standard_normal((d, d)))
    return (Q * np.asarray(eigenvalues)) @ Q.T


def test_gaussian_empirical_moments_match_requested():
    # Large n and a fixed seed: the standard error of a mean coordinate is at
    # most sqrt(4 / 20000) ~ 0.014 and of a covariance entry about 0.04, so the
    # tolerances below are about four standard errors.
    means = np.array([[0.0, 0.0, 0.0], [3.0, -1.0, 0.5], [-2.0, 4.0, 1.0]])
    covs = np.stack(
        [
            _spd(3, lam, seed)
            for seed, lam in enumerate(
                [[0.5, 1.0, 2.0], [0.25, 1.0, 4.0], [1.0, 1.0, 3.0]]
            )
        ]
    )
    X, s, m_out, c_out = make_grouped_gaussian(
        60000,
        3,
        means=means,
        covariances=covs,
        random_state=0,
        return_means_covariances=True,
    )
    np.testing.assert_array_equal(m_out, means)
    np.testing.assert_array_equal(c_out, covs)
    for k in range(3):
        Xk = X[s == k]
        np.testing.assert_allclose(Xk.mean(axis=0), means[k], atol=0.06)
        np.testing.assert_allclose(np.cov(Xk, rowvar=False), covs[k], atol=0.16)


def test_gaussian_default_moments_are_returned_and_respected():
    X, s, means, covs = make_grouped_gaussian(
        45000,
        4,
        n_groups=3,
        separation=3.0,
        random_state=1,
        return_means_covariances=True,
    )
    assert means.shape == (3, 4)
    assert covs.shape == (3, 4, 4)
    np.testing.assert_allclose(covs, np.swapaxes(covs, 1, 2))
    eigenvalues = np.linalg.eigvalsh(covs)
    assert np.all(eigenvalues >= 0.25 - 1e-12)
    assert np.all(eigenvalues <= 4.0 + 1e-12)
    # unequal spectra between groups
    assert not np.allclose(eigenvalues[0], eigenvalues[1])
    for k in range(3):
        Xk = X[s == k]
        np.testing.assert_allclose(Xk.mean(axis=0), means[k], atol=0.07)
        np.testing.assert_allclose(np.cov(Xk, rowvar=False), covs[k], atol=0.16)


def test_gaussian_separation_scales_default_means():
    _, _, means0, _ = make_grouped_gaussian(
        60, 3, separation=0.0, random_state=0, return_means_covariances=True
    )
    np.testing.assert_array_equal(means0, 0.0)
    _, _, means1, covs1 = make_grouped_gaussian(
        60, 3, separation=1.0, random_state=0, return_means_covariances=True
    )
    _, _, means2, covs2 = make_grouped_gaussian(
        60, 3, separation=2.0, random_state=0, return_means_covariances=True
    )
    np.testing.assert_allclose(means2, 2.0 * means1)
    np.testing.assert_array_equal(covs1, covs2)


def test_gaussian_singular_covariance_is_accepted():
    covs = np.stack([np.diag([1.0, 0.0]), np.eye(2), 2.0 * np.eye(2)])
    X, s = make_grouped_gaussian(90, 2, covariances=covs, random_state=0)
    np.testing.assert_allclose(X[s == 0, 1], X[s == 0, 1].mean())


@pytest.mark.parametrize(
    "means, match",
    [
        (np.zeros((2, 3)), re.escape("(n_groups, n_features) = (3, 3)")),
        (np.zeros((3, 2)), "got shape \\(3, 2\\)"),
        (np.full((3, 3), np.inf), "means must be finite"),
    ],
)
def test_gaussian_bad_means(means, match):
    with pytest.raises(ValueError, match=match):
        make_grouped_gaussian(90, 3, means=means)


def test_gaussian_bad_covariances():
    with pytest.raises(ValueError, match=re.escape("covariances must have shape")):
        make_grouped_gaussian(90, 2, covariances=np.stack([np.eye(2)] * 2))
    with pytest.raises(ValueError, match=re.escape("covariances must have shape")):
        make_grouped_gaussian(90, 2, covariances=np.eye(2))
    asymmetric = np.stack([np.eye(2), [[1.0, 0.5], [0.0, 1.0]], np.eye(2)])
    with pytest.raises(ValueError, match="covariances must be symmetric"):
        make_grouped_gaussian(90, 2, covariances=asymmetric)
    indefinite = np.stack([np.eye(2), np.eye(2), [[1.0, 2.0], [2.0, 1.0]]])
    with pytest.raises(
        ValueError, match=re.escape("positive semi-definite; covariances[2]")
    ):
        make_grouped_gaussian(90, 2, covariances=indefinite)
    with pytest.raises(ValueError, match="covariances must be finite"):
        make_grouped_gaussian(90, 2, covariances=np.full((3, 2, 2), np.nan))


def test_gaussian_return_means_covariances_arity():
    assert len(make_grouped_gaussian(30, 2, random_state=0)) == 2
    out = make_grouped_gaussian(30, 2, random_state=0, return_means_covariances=True)
    assert len(out) == 4


def test_gaussian_given_means_do_not_change_default_covariances():
    kwargs = {"random_state": 3, "return_means_covariances": True}
    _, _, _, covs_default = make_grouped_gaussian(60, 2, **kwargs)
    _, _, _, covs = make_grouped_gaussian(60, 2, means=np.ones((3, 2)), **kwargs)
    np.testing.assert_array_equal(covs, covs_default)
