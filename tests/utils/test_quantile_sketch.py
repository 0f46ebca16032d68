"""The mergeable quantile sketch: its certified rank error, against exact counts."""

import numpy as np
import pytest

from sklearn_unlearn.utils._quantile_sketch import (
    a_priori_error,
    group_sketches,
    merge_chunk_sketches,
    merge_group_sketches,
    merge_sketches,
    sketch_columns,
    sketch_order_statistics,
    sketch_quantiles,
    sketch_ranks,
)
from sklearn_unlearn.utils._reduce import tree_reduce
from sklearn_unlearn.utils._sensitive import parse_sensitive

CAPACITY = 64


def _data(kind: str, n: int, seed: int = 0) -> np.ndarray:
    rng = np.random.default_rng(seed)
    if kind == "normal":
        return rng.normal(size=(n, 2))
    if kind == "ties":  # heavily tied: a few values, one of them half the mass
        X = rng.integers(0, 5, size=(n, 2)).astype(np.float64)
        X[rng.random(n) < 0.5, 0] = 2.0
        return X
    return np.sort(rng.exponential(size=(n, 2)), axis=0)  # sorted input


def _check_ranks(sketch, X):
    """|R'(x) - R(x)| <= error at every data value (and between them)."""
    probes = np.vstack([X, X + 1e-9, X - 1e-9])
    exact = np.stack(
        [np.searchsorted(np.sort(X[:, j]), probes[:, j], "right") for j in (0, 1)], 1
    )
    gap = np.abs(sketch_ranks(sketch, probes) - exact).max()
    assert gap <= sketch.error
    assert sketch.error <= a_priori_error(X.shape[0], CAPACITY) * X.shape[0]
    return gap


def _check_quantiles(sketch, X):
    """Q(u - e / (n - 1)) <= Q'(u) <= Q(u + e / (n - 1)), Q NumPy's linear one."""
    n, e = X.shape[0], sketch.error
    u = np.linspace(0, 1, 101)
    got = sketch_quantiles(sketch, u * (n - 1))
    shift = e / (n - 1)
    lower = np.quantile(X, np.clip(u - shift, 0, 1), axis=0)
    upper = np.quantile(X, np.clip(u + shift, 0, 1), axis=0)
    assert np.all(got >= lower - 1e-12) and np.all(got <= upper + 1e-12)
    assert np.all(np.diff(got, axis=0) >= 0)


@pytest.mark.parametrize("kind", ["normal", "ties", "sorted"])
def test_single_sketch_error_bound(kind):
    X = _data(kind, 20000)
    sketch = sketch_columns(X, CAPACITY)
    assert sketch.error > 0 and sum(level.shape[0] for level in sketch.levels) < 800
    _check_ranks(sketch, X)
    _check_quantiles(sketch, X)


@pytest.mark.parametrize("kind", ["normal", "ties"])
def test_merged_chunks_keep_the_bound_and_match_one_sketch(kind):
    X = _data(kind, 20000, seed=1)
    bounds = np.sort(np.random.default_rng(2).choice(20000, 30, replace=False))
    chunks = [sketch_columns(part, CAPACITY) for part in np.split(X, bounds)]
    merged = tree_reduce(chunks, lambda a, b: merge_sketches(a, b, CAPACITY))
    folded = chunks[0]
    for chunk in chunks[1:]:  # a left fold: another tree, the same guarantee
        folded = merge_sketches(folded, chunk, CAPACITY)
    single = sketch_columns(X, CAPACITY)
    for sketch in (merged, folded):
        assert sketch.count == X.shape[0]
        assert all(level.shape[0] <= CAPACITY for level in sketch.levels)
        _check_ranks(sketch, X)
        _check_quantiles(sketch, X)
        # two summaries of the same rows: within the sum of their errors
        gap = np.abs(sketch_ranks(sketch, X) - sketch_ranks(single, X)).max()
        assert gap <= sketch.error + single.error


def test_small_input_is_exact():
    X = _data("normal", 50)
    sketch = merge_sketches(
        sketch_columns(X[:20], CAPACITY), sketch_columns(X[20:], CAPACITY), CAPACITY
    )
    assert sketch.error == 0 and a_priori_error(50, CAPACITY) == 0.0
    u = np.linspace(0, 1, 7)
    np.testing.assert_allclose(
        sketch_quantiles(sketch, u * 49), np.quantile(X, u, axis=0), rtol=0, atol=0
    )
    np.testing.assert_array_equal(
        sketch_order_statistics(sketch, np.arange(50)), np.sort(X, axis=0)
    )


def test_group_sketches_and_their_merge():
    X = _data("normal", 3000)
    codes = np.random.default_rng(3).integers(-1, 3, size=3000)
    codes[codes == 2] = 1  # group 2 has no rows
    a = group_sketches(X[:1000], codes[:1000], 3, CAPACITY)
    b = group_sketches(X[1000:], codes[1000:], 3, CAPACITY)
    merged = merge_group_sketches(a, b, CAPACITY)
    assert merged[2] is None
    for g in (0, 1):
        assert merged[g].count == np.sum(codes == g)
        _check_ranks(merged[g], X[codes == g])


def test_merge_chunk_sketches_places_groups_seen_later():
    rng = np.random.default_rng(5)
    X = rng.normal(size=(900, 2))
    s = np.array(["b"] * 300 + ["a", "c"] * 300)  # "a" and "c" come later
    state = None
    for rows in (slice(0, 300), slice(300, 600), slice(600, 900)):
        record = parse_sensitive(values=s[rows])
        state = merge_chunk_sketches(
            X[rows], record.codes, record.encoding, state, CAPACITY
        )
    encoding, sketches = state
    assert list(encoding.groups) == ["a", "b", "c"]
    np.testing.assert_array_equal(encoding.counts, [300, 300, 300])
    for g, sketch in zip("abc", sketches, strict=True):
        assert sketch.count == 300
        ranks = sketch_ranks(sketch, np.zeros((1, 2)))[0]
        exact = np.sum(X[s == g] <= 0.0, axis=0)
        assert np.all(np.abs(ranks - exact) <= sketch.error)
