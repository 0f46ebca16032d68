"""Kernels of the out-of-core ``"stochastic"`` fit: samples and sketches merge
to the same result however the rows are cut into blocks."""

import numpy as np
import pytest

from sklearn_unlearn.feature import _stochastic
from sklearn_unlearn.feature._stochastic_stream import (
    CellSketch,
    cells_from_sample,
    merge_samples,
    merge_sketches,
    model_from_sketch,
    position_keys,
    sample_block,
    sketch_block,
    sketch_from_model,
)
from sklearn_unlearn.utils._reduce import tree_reduce


@pytest.fixture(scope="module")
def rows():
    rng = np.random.default_rng(0)
    codes = (rng.random(3000) < 0.4).astype(np.intp)
    X = rng.normal(size=(3000, 4)) + codes[:, None]
    X[:, 0] = np.round(X[:, 0])  # a discrete column
    y = (X[:, 1] + rng.logistic(size=3000) > 0.5).astype(np.int64)
    return X, codes, y


def _blocks(n, bounds):
    edges = [0, *bounds, n]
    return [slice(a, b) for a, b in zip(edges[:-1], edges[1:], strict=True)]


def _sorted(sketch: CellSketch):
    order = np.lexsort((sketch.keys, sketch.cells))
    return sketch.cells[order], sketch.keys[order], sketch.rows[order]


def test_position_keys_are_seeded_and_distinct():
    keys = position_keys(0, 10_000, 3, 1)
    assert np.unique(keys).size == keys.size
    np.testing.assert_array_equal(keys[500:], position_keys(500, 9_500, 3, 1))
    assert not np.array_equal(keys, position_keys(0, 10_000, 4, 1))
    assert not np.array_equal(keys, position_keys(0, 10_000, 3, 2))


def test_sample_is_uniform_and_independent_of_blocks(rows):
    X, codes, y = rows
    whole = sample_block(X, codes, y, 0, 7, 500)
    parts = [
        sample_block(X[b], codes[b], y[b], b.start, 7, 500)
        for b in _blocks(3000, [100, 1700, 2000])
    ]
    merged = tree_reduce(parts, lambda a, b: merge_samples(a, b, 500))
    for name in ("keys", "X", "codes", "y"):
        np.testing.assert_array_equal(getattr(merged, name), getattr(whole, name))
    assert np.unique(whole.keys).size == 500
    # a uniform sample: its group shares are those of all rows (to noise)
    assert abs(whole.codes.mean() - codes.mean()) < 0.07


def test_sketch_counts_are_exact_and_merge_in_any_order(rows):
    X, codes, y = rows
    embedding, centers = cells_from_sample(
        X[:1000], y[:1000], 3000, n_support=40, label_weight=4.0, seed=0
    )
    assert centers.shape == (40, 5)  # 4 features and the label score
    whole = sketch_block(X, codes, 2, 0, embedding, centers, seed=1)
    parts = [
        sketch_block(X[b], codes[b], 2, b.start, embedding, centers, seed=1)
        for b in _blocks(3000, [1, 999, 2500])
    ]
    merged = tree_reduce(parts[::-1], merge_sketches)
    np.testing.assert_array_equal(merged.counts, whole.counts)
    np.testing.assert_array_equal(whole.counts.sum(axis=1), np.bincount(codes))
    for a, b in zip(_sorted(merged), _sorted(whole), strict=True):
        np.testing.assert_array_equal(a, b)
    assert np.bincount(whole.cells).max() <= _stochastic.MEMBERS_PER_CELL


def test_model_from_sketch_and_back(rows):
    X, codes, y = rows
    embedding, centers = cells_from_sample(
        X, None, 3000, n_support=60, label_weight=0.0, seed=0
    )
    sketch = sketch_block(X, codes, 2, 0, embedding, centers, seed=0)
    weights = np.bincount(codes) / codes.size
    model = model_from_sketch(
        sketch, embedding, centers, weights, tol=1e-4, max_iter=100, seed=0
    )
    used = sketch.counts.sum(axis=0) > 0
    assert model.centers.shape[0] == used.sum()
    np.testing.assert_allclose(model.masses.sum(axis=1), 1.0)
    np.testing.assert_allclose(model.barycenter.sum(), 1.0)
    # every stored row lies in its cell, and is a training row
    filled = model.members >= 0
    assert filled[:, 0].all()
    assert np.isin(model.points.view("V32"), X.view("V32")).all()
    back = sketch_from_model(model, np.bincount(codes), seed=0)
    np.testing.assert_array_equal(back.counts, sketch.counts[:, used])
    assert back.rows.shape[0] == filled.sum()
    Z = _stochastic.transport(X, codes, model, 1.0, 0)
    assert np.isin(Z.view("V32"), X.view("V32")).all()  # outputs are stored rows
