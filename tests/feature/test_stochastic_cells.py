"""The cells of the ``"stochastic"`` method: assignment, Lloyd steps, rows."""

import numpy as np

from sklearn_unlearn.feature._stochastic_cells import (
    _assign_cells,
    _lloyd,
    _sample_members,
)


def test_assign_cells_matches_brute_force():
    rng = np.random.default_rng(0)
    X, centers = rng.normal(size=(300, 5)), rng.normal(size=(17, 5))
    expected = np.argmin(((X[:, None] - centers[None]) ** 2).sum(-1), axis=1)
    np.testing.assert_array_equal(_assign_cells(X, centers, chunk_rows=64), expected)
    allowed = rng.random((300, 17)) < 0.5
    allowed[:, 0] = True
    d = ((X[:, None] - centers[None]) ** 2).sum(-1)
    d[~allowed] = np.inf
    np.testing.assert_array_equal(
        _assign_cells(X, centers, allowed=allowed, chunk_rows=50), d.argmin(1)
    )


def test_lloyd_steps_decrease_the_inertia_and_match_means():
    rng = np.random.default_rng(1)
    X = rng.normal(size=(500, 3))
    start = X[:8].copy()
    one = _lloyd(X, start, 1)
    cells = _assign_cells(X, start)
    for c in range(8):  # one step: each center is the mean of its cell
        np.testing.assert_allclose(one[c], X[cells == c].mean(axis=0))

    def inertia(C):
        return ((X - C[_assign_cells(X, C)]) ** 2).sum()

    assert inertia(_lloyd(X, start, 3)) <= inertia(one) <= inertia(start)


def test_lloyd_steps_follow_sample_weights_and_move_empty_cells():
    rng = np.random.default_rng(2)
    X = rng.normal(size=(200, 2))
    weight = rng.random(200)
    start = X[:5].copy()
    one = _lloyd(X, start, 1, sample_weight=weight)
    cells = _assign_cells(X, start)
    for c in range(5):  # one step: each center is the weighted mean of its cell
        np.testing.assert_allclose(
            one[c], np.average(X[cells == c], axis=0, weights=weight[cells == c])
        )
    # two equal starts: the second cell is empty and moves to the farthest row
    # (11) instead of staying a copy of the first; the steps then split the data
    line = np.array([[0.0], [1.0], [10.0], [11.0]])
    np.testing.assert_allclose(_lloyd(line, np.zeros((2, 1)), 3), [[0.5], [10.5]])


def test_lloyd_steps_in_float32_are_float64_and_reproducible():
    rng = np.random.default_rng(3)
    X = rng.normal(size=(400, 4))
    start = X[:6].copy()
    single = _lloyd(X.astype(np.float32), start, 3)
    assert single.dtype == np.float64
    np.testing.assert_allclose(single, _lloyd(X, start, 3), atol=1e-5)
    np.testing.assert_array_equal(single, _lloyd(X.astype(np.float32), start, 3))
    np.testing.assert_array_equal(_lloyd(X, start, 0), start)


def test_sample_members_takes_rows_of_each_cell():
    rng = np.random.default_rng(5)
    cells = rng.integers(0, 6, 100)
    cells[cells == 5] = 4  # cell 5 empty
    members = _sample_members(cells, 6, 3, rng)
    for c in range(6):
        rows = members[c][members[c] >= 0]
        assert rows.size == min(3, np.sum(cells == c))
        assert np.all(cells[rows] == c) and np.unique(rows).size == rows.size
