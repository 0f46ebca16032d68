"""Balanced pairwise reduction."""

import math

import pytest

from sklearn_unlearn.utils._reduce import tree_reduce


@pytest.mark.parametrize("n", [1, 2, 3, 7, 8, 9])
def test_tree_reduce_combines_every_part_once_in_order(n):
    # each part is a list of (value, depth): depth counts the combines it went
    # through, which bounds how its rounding can grow
    parts = [[(i, 0)] for i in range(n)]
    calls = []

    def combine(a, b):
        calls.append(1)
        return [(v, depth + 1) for v, depth in a + b]

    result = tree_reduce(parts, combine)
    assert [v for v, _ in result] == list(range(n))
    assert len(calls) == n - 1
    assert max(depth for _, depth in result) <= math.ceil(math.log2(n))
