"""The quantile method one column at a time: grid search and interpolation."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays
from numpy.testing import assert_allclose, assert_array_equal

from sklearn_unlearn.feature._quantile_columns import (
    bracket,
    grid_index,
    lerp,
    map_columns,
    search,
)


@pytest.mark.parametrize(
    "grid",
    [
        np.quantile(np.random.default_rng(10).normal(size=999), np.linspace(0, 1, 50)),
        np.sort(np.random.default_rng(11).standard_cauchy(300)),  # uneven: fallback
        np.repeat([0.0, 0.5, 1.0, 3.0], [40, 1, 30, 29]),  # atoms
        np.full(20, 2.0),  # constant
        np.array([-1.0, 1.0]),
        np.array([-1e308, 0.0, 1e308]),  # span overflows: fallback
        np.array([0.0, 5e-324, 1e-323]),  # subnormal span: fallback
    ],
)
def test_search_matches_searchsorted(grid):
    rng = np.random.default_rng(12)
    span = min(np.max(np.abs(grid)) + 1.0, 1e307)
    x = np.concatenate(
        [
            grid,
            np.nextafter(grid, -np.inf),
            np.nextafter(grid, np.inf),
            rng.uniform(-2.0, 2.0, 1000) * span,
            [-1e308, 1e308],
        ]
    )
    index = grid_index(grid)
    for side in ("left", "right"):
        assert_array_equal(search(index, x, side), np.searchsorted(grid, x, side))


_finite = st.floats(-1e6, 1e6, allow_nan=False, allow_subnormal=True)


@settings(max_examples=200, deadline=None)
@given(
    grid=arrays(np.float64, st.integers(2, 40), elements=_finite),
    x=arrays(np.float64, st.integers(1, 40), elements=_finite),
    atoms=st.integers(0, 3),
)
def test_search_matches_searchsorted_property(grid, x, atoms):
    grid = np.sort(np.round(grid, atoms) if atoms else grid)
    x = np.concatenate([x, grid])
    index = grid_index(grid)
    for side in ("left", "right"):
        assert_array_equal(search(index, x, side), np.searchsorted(grid, x, side))


def test_bracket_locates_points_and_clips_outside_the_grid():
    grid = np.array([0.0, 1.0, 1.0, 3.0])
    x = np.array([-1.0, 0.0, 0.5, 1.0, 2.0, 3.0, 9.0])
    right, k, frac = bracket(x, grid, grid_index(grid))
    assert_array_equal(right, np.searchsorted(grid, x, "right"))
    assert_array_equal(k, [0, 0, 0, 2, 2, 2, 2])
    assert_allclose(frac, [0.0, 0.0, 0.5, 0.0, 0.5, 1.0, 1.0])
    # interpolating the grid itself at the brackets gives x back inside the range
    inside = (x >= 0) & (x <= 3)
    assert_allclose(lerp(grid, k, frac)[inside], x[inside])


def test_lerp_is_exact_at_the_ends_and_monotone():
    fp = np.array([0.1, 0.2, 0.2, 7.0])
    k = np.repeat(np.arange(3), 101)
    frac = np.tile(np.linspace(0.0, 1.0, 101), 3)
    values = lerp(fp, k, frac)
    assert np.all(np.diff(values) >= 0)
    assert_array_equal(values[frac == 0.0], fp[:3])
    assert np.all(values <= fp[k + 1])


def test_map_columns_maps_each_group_and_copies_rows_of_no_group():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(50, 3)).astype(np.float32)
    codes = rng.integers(-1, 2, size=50)
    out = np.empty_like(X)

    def column(g, rows, j, x):
        assert x.dtype == np.float64 and x.flags.c_contiguous
        return x * (g + 2) + j

    map_columns(X, out, codes, 2, 7, column)
    for g in (0, 1):
        rows = codes == g
        assert_allclose(out[rows], X[rows] * (g + 2) + np.arange(3), rtol=1e-6)
    assert_array_equal(out[codes < 0], X[codes < 0])
