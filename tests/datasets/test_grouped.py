"""Group sizes and the conventions every grouped generator shares."""

import re

import numpy as np
import pytest

from sklearn_unlearn.datasets import make_grouped_gaussian, make_grouped_nongaussian
from sklearn_unlearn.datasets._grouped import group_sizes

GENERATORS = [make_grouped_gaussian, make_grouped_nongaussian]


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
    sizes = group_sizes(n_samples, np.asarray(weights))
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
