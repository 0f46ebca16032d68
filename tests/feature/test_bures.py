"""Public moment-level functions: gaussian_barycenter, gaussian_transport_map."""

import numpy as np
import pytest
from numpy.testing import assert_allclose
from sklearn.exceptions import ConvergenceWarning

from sklearn_unlearn.feature import (
    GaussianBarycenter,
    gaussian_barycenter,
    gaussian_transport_map,
)
from sklearn_unlearn.utils._compat import InvalidParameterError

COVS = [[[2.0, 1.0], [1.0, 2.0]], [[1.0, 0.0], [0.0, 4.0]]]
MEANS = [[0.0, 0.0], [2.0, -1.0]]


def test_gaussian_barycenter_returns_named_tuple():
    result = gaussian_barycenter(MEANS, COVS, [1, 1])  # weights are normalised
    assert isinstance(result, GaussianBarycenter)
    mean, covariance, n_iter = result
    assert_allclose(mean, [1.0, -0.5])
    assert_allclose(
        covariance,
        [[1.4140233318, 0.5538117602], [0.5538117602, 2.8931715563]],
        atol=1e-9,
    )
    assert 1 <= n_iter < 100


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
