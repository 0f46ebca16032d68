"""make_grouped_nongaussian: every kind, discrete values, shapes."""

import numpy as np
import pytest
from scipy import stats

from sklearn_unlearn.datasets import make_grouped_nongaussian

KINDS = ["mixture", "skewed", "discrete"]


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
