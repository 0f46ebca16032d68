"""Group kernels: codes and encoding of value columns, barycenter weights."""

import numpy as np
import pytest
from numpy.testing import assert_allclose, assert_array_equal

from sklearn_unlearn.utils._groups import (
    encode_groups,
    group_label,
    group_weights,
    lookup_groups,
)


def test_encode_then_lookup_is_the_identity_on_the_fitted_rows():
    rng = np.random.default_rng(0)
    a = rng.choice(["x", "y", "z"], size=500)
    b = rng.integers(0, 4, size=500)
    codes, encoding = encode_groups([a, b], ["'a'", "'b'"], None)
    assert_array_equal(lookup_groups([a, b], encoding), codes)
    # codes index the sorted groups, and counts are the rows of each group
    pairs = sorted(set(zip(a.tolist(), b.tolist(), strict=True)))
    assert encoding.groups.tolist() == pairs
    assert_array_equal(encoding.counts, np.bincount(codes))
    assert encoding.labels[0] == group_label(pairs[0])


def test_many_sparse_intersections_take_the_sorting_path():
    # 3 columns of 1000 categories: 1e9 possible keys, compacted by sorting
    rng = np.random.default_rng(1)
    cols = [rng.integers(0, 1000, size=300) for _ in range(3)]
    codes, encoding = encode_groups(cols, ["#0", "#1", "#2"], None)
    keys = list(zip(*[c.tolist() for c in cols], strict=True))
    assert encoding.groups.tolist() == sorted(set(keys))
    assert [encoding.groups[c] for c in codes] == keys


def test_messages_name_the_column_label():
    with pytest.raises(ValueError, match="Sensitive column 'age' is float"):
        encode_groups([np.linspace(0, 1, 30)], ["'age'"], None)


@pytest.mark.parametrize(
    "weights, counts, expected",
    [
        ("proportional", [1, 3], [0.25, 0.75]),
        ("uniform", [1, 3], [0.5, 0.5]),
        ([2.0, 6.0], [5, 5], [0.25, 0.75]),
    ],
)
def test_group_weights(weights, counts, expected):
    assert_allclose(group_weights(weights, np.asarray(counts)), expected)


@pytest.mark.parametrize(
    "weights, match",
    [([1.0], "one weight per group"), ([1.0, -1.0], "nonnegative"), ([0, 0], "zero")],
)
def test_group_weights_errors(weights, match):
    with pytest.raises(ValueError, match=match):
        group_weights(weights, np.array([3, 4]))
