import re

import numpy as np
import pytest
from scipy import stats

from sklearn_unlearn.datasets import make_grouped_gaussian, make_grouped_nongaussian
from sklearn_unlearn.datasets._generators import _group_sizes

KINDS = ["mixture", "skewed", "discrete"]
GENERATORS = [make_grouped_gaussian, make_grouped_nongaussian]


def _spd(d, eigenvalues, seed):
    Q, _ = np.linalg.qr(np.random.default_rng(seed).standard_normal((d, d)))
    return (Q * np.asarray(eigenvalues)) @ Q.T


# ---------------------------------------------------------------------------
# group sizes and common conventions


@pytest.mark.parametrize(
    "n_samples, weights, expected",
    [
        (100, [1 / 3, 1 / 3, 1 / 3], [34, 33, 33]),
        (10, [0.25, 0.25, 0.5], [3, 2, 5]),
        (7, [0.5, 0.5], [4, 3]),
        (101, [0.2, 0.3, 0.5], [20, 30, 51]),
        (1000, [0.123, 0.456, 0.421], [123, 456, 421]),
    ],
)
def test_group_sizes_largest_remainder(n_samples, weights, expected):
    sizes = _group_sizes(n_samples, np.asarray(weights))
    np.testing.assert_array_equal(sizes, expected)
    assert sizes.sum() == n_samples


@pytest.mark.parametrize("make", GENERATORS)
def test_exact_group_sizes_dtypes_and_shuffle(make):
    X, s = make(1000, 3, n_groups=3, group_weights=[2, 3, 5], random_state=0)
    assert X.shape == (1000, 3)
    assert X.dtype == np.float64
    assert s.shape == (1000,)
    assert np.issubdtype(s.dtype, np.integer)
    np.testing.assert_array_equal(np.bincount(s), [200, 300, 500])
    # rows are shuffled: labels are not sorted
    assert np.any(np.diff(s) < 0)


@pytest.mark.parametrize("make", GENERATORS)
def test_reproducible_with_random_state(make):
    X1, s1 = make(200, 3, random_state=42)
    X2, s2 = make(200, 3, random_state=np.random.RandomState(42))
    np.testing.assert_array_equal(X1, X2)
    np.testing.assert_array_equal(s1, s2)
    X3, _ = make(200, 3, random_state=43)
    assert not np.allclose(X1, X3)


@pytest.mark.parametrize("make", GENERATORS)
def test_too_few_samples_per_group(make):
    with pytest.raises(ValueError, match="at least 2 samples.*group sizes"):
        make(5, 2, n_groups=3)
    with pytest.raises(ValueError, match="at least 2 samples"):
        make(100, 2, n_groups=3, group_weights=[0.5, 0.49, 0.01])
    # exactly two samples per group is enough
    _, s = make(6, 2, n_groups=3, random_state=0)
    np.testing.assert_array_equal(np.bincount(s), [2, 2, 2])


@pytest.mark.parametrize("make", GENERATORS)
@pytest.mark.parametrize(
    "weights, match",
    [
        ([0.5, 0.5], re.escape("shape (n_groups,) = (3,)")),
        ([0.5, -0.1, 0.6], "non-negative"),
        ([0.5, np.nan, 0.5], "finite"),
        ([0.0, 0.0, 0.0], "positive sum"),
    ],
)
def test_bad_group_weights(make, weights, match):
    with pytest.raises(ValueError, match="group_weights.*" + match + "|" + match):
        make(100, 2, n_groups=3, group_weights=weights)


@pytest.mark.parametrize("make", GENERATORS)
@pytest.mark.parametrize(
    "params, name",
    [
        ({"n_samples": 0}, "n_samples"),
        ({"n_features": 0}, "n_features"),
        ({"n_groups": 0}, "n_groups"),
        ({"separation": -1.0}, "separation"),
        ({"random_state": "seed"}, "random_state"),
    ],
)
def test_parameter_validation(make, params, name):
    with pytest.raises(ValueError, match=f"'{name}' parameter"):
        make(**params)


def test_group_weights_are_normalised():
    _, s = make_grouped_gaussian(100, 2, group_weights=[1, 1, 2], random_state=0)
    np.testing.assert_array_equal(np.bincount(s), [25, 25, 50])


# ---------------------------------------------------------------------------
# make_grouped_gaussian


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


# ---------------------------------------------------------------------------
# make_grouped_nongaussian


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("n_features", [1, 2, 5])
def test_nongaussian_every_kind(kind, n_features):
    X, s = make_grouped_nongaussian(
        300, n_features, n_groups=3, kind=kind, random_state=0
    )
    assert X.shape == (300, n_features)
    assert X.dtype == np.float64
    assert np.all(np.isfinite(X))
    np.testing.assert_array_equal(np.bincount(s), [100, 100, 100])


@pytest.mark.parametrize("n_features, n_discrete", [(1, 1), (2, 1), (4, 2), (5, 3)])
def test_nongaussian_discrete_features_are_integers(n_features, n_discrete):
    X, _ = make_grouped_nongaussian(600, n_features, kind="discrete", random_state=0)
    discrete, continuous = X[:, :n_discrete], X[:, n_discrete:]
    np.testing.assert_array_equal(discrete, np.round(discrete))
    assert np.all(discrete >= 0)
    assert np.all(continuous != np.round(continuous))


def test_nongaussian_groups_differ():
    for kind in KINDS:
        X, s = make_grouped_nongaussian(3000, 2, kind=kind, random_state=0)
        means = np.stack([X[s == k].mean(axis=0) for k in range(3)])
        assert np.ptp(means, axis=0).max() > 0.5, kind


def test_nongaussian_skewed_is_skewed():
    X, s = make_grouped_nongaussian(
        30000, 2, n_groups=2, kind="skewed", separation=0.0, random_state=0
    )
    # exponential and lognormal coordinates: clearly non-zero skewness in some
    # direction of every group, unlike a Gaussian (skewness ~ 0 +- 0.03 here)
    for k in range(2):
        assert np.abs(stats.skew(X[s == k], axis=0)).max() > 0.5


def test_nongaussian_mixture_is_not_gaussian():
    X, s = make_grouped_nongaussian(
        30000, 1, n_groups=2, kind="mixture", random_state=0
    )
    # two components 3 apart with standard deviations <= 1 give a negative
    # excess kurtosis (at most -0.17 over seeds 0-99); a Gaussian has 0 +- 0.04
    for k in range(2):
        assert stats.kurtosis(X[s == k, 0]) < -0.15


def test_nongaussian_bad_kind():
    with pytest.raises(ValueError, match="'kind' parameter"):
        make_grouped_nongaussian(kind="uniform")
