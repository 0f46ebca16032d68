"""Balanced pairwise reduction."""

import pytest

from sklearn_unlearn.utils._reduce import tree_reduce


@pytest.mark.parametrize("n", [1, 2, 3, 7, 8, 9])
def test_tree_reduce_combines_every_part_once_in_order(n):
    parts = [[i] for i in range(n)]
    calls = []

    def combine(a, b):
        calls.append((len(a), len(b)))
        return a + b

    assert tree_reduce(parts, combine) == list(range(n))
    assert len(calls) == n - 1
    # balanced: no operand is larger than half the total, rounded up
    assert all(max(pair) <= -(-n // 2) for pair in calls)
