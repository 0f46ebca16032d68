"""Row hashing: the bits of a row in any container, and its tie-breaking draws."""

import numpy as np
import pandas as pd
import pytest

from sklearn_unlearn.outcome._row_hashes import hash_columns, row_uniforms
from sklearn_unlearn.utils._random import DRAW_WINDOW, _row_uniforms


def test_numeric_rows_are_their_own_bits():
    X = np.array([[1, 2], [3, 4]], dtype=np.int32)
    F = np.array([[0.5], [0.25]])
    H = hash_columns(X, F)
    assert H.dtype == np.float64
    np.testing.assert_array_equal(H, [[1.0, 2.0, 0.5], [3.0, 4.0, 0.25]])
    frame = pd.DataFrame({"a": [1.0, 3.0], "b": [2, 4]})
    np.testing.assert_array_equal(hash_columns(frame, F), H)


def test_other_values_hash_alike_in_every_container():
    words = np.array(["red", "blue", "red", "green"], dtype=object)
    F = np.zeros((4, 1))
    H = hash_columns(words[:, None], F)
    assert H[0, 0] == H[2, 0]  # equal values, equal bits
    assert len({H[0, 0], H[1, 0], H[3, 0]}) == 3
    assert np.all(H[:, 0] == np.floor(H[:, 0])) and H[:, 0].max() < 2.0**53
    # a frame's columns are read one by one: numbers as numbers, words hashed
    frame = pd.DataFrame({"colour": words, "x": np.arange(4.0)})
    expected = np.column_stack([H[:, 0], np.arange(4.0), F])
    np.testing.assert_array_equal(hash_columns(frame, F), expected)
    pl = pytest.importorskip("polars")
    polars_frame = pl.DataFrame({"colour": list(words), "x": np.arange(4.0)})
    np.testing.assert_array_equal(hash_columns(polars_frame, F), expected)


def test_row_uniforms_are_the_windows_draws():
    rng = np.random.default_rng(0)
    n = DRAW_WINDOW + 1000
    H = np.round(rng.normal(size=(n, 2)), 1)  # many copies
    codes = rng.integers(0, 3, n)
    U = row_uniforms(H, codes, 7, 2)
    assert U.shape == (n, 2) and np.all((U >= 0) & (U < 1))
    for window in (slice(0, DRAW_WINDOW), slice(DRAW_WINDOW, n)):
        expected = _row_uniforms(H[window], codes[window], 7, 2, spread_duplicates=True)
        np.testing.assert_array_equal(U[window], expected)


def test_copies_share_a_draw_only_when_not_spread():
    H = np.repeat([[1.0, 2.0], [3.0, 4.0]], 4, axis=0)
    codes = np.zeros(8, dtype=np.intp)
    same = row_uniforms(H, codes, 0, 1, spread=False)
    assert np.unique(same[:4]).size == 1 and np.unique(same[4:]).size == 1
    spread = row_uniforms(H, codes, 0, 1, spread=True)
    assert np.unique(spread[:4]).size == 4
    assert spread[0, 0] == same[0, 0]  # the first copy takes the row's draw
    other_group = row_uniforms(H, np.ones(8, dtype=np.intp), 0, 1, spread=False)
    assert other_group[0, 0] != same[0, 0]
