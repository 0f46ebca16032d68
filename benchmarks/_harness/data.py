"""Synthetic data the scale and cost scripts share, in memory and as dask arrays.

- :func:`grouped`: Gaussian features of two groups with different means and
  covariances, rows interleaved (the Gaussian method's case);
- :func:`mixed_table`: a mixed table (one-hot blocks, binary flags, skewed
  amounts, continuous columns; two groups; a binary label), the default
  method's case;
- :func:`dask_mixed_table`: the same table as lazy dask arrays, each chunk
  generated from its own seed when computed, so a table larger than memory is
  never whole in it.
"""

import numpy as np


def grouped(n, d, dtype, seed=0):
    """Two groups with different means and covariances, rows interleaved."""
    rng = np.random.default_rng(seed)
    s = (rng.random(n) < 0.4).astype(np.int64)
    X = rng.standard_normal((n, d), dtype=np.float32).astype(dtype, copy=False)
    X[s == 1] *= 1.5
    X[s == 1] += 0.5
    return X, s


def mixed_table(n, d, seed=0):
    """n x d: 10 one-hot columns (2 blocks), 10 flags, 10 amounts, the rest normal."""
    rng = np.random.default_rng(seed)
    s = (rng.random(n) < 0.4).astype(np.int64)
    X = rng.normal(size=(n, d))
    X[:, :10] += 0.5 * s[:, None]
    for block in (slice(0, 5), slice(5, 10)):
        level = np.argmax(X[:, block] + rng.gumbel(size=(n, 5)), axis=1)
        X[:, block] = np.eye(5)[level]
    X[:, 10:20] = X[:, 10:20] > 0.3
    X[:, 20:30] = np.exp(X[:, 20:30] + 0.3 * s[:, None]) * 1000.0
    logit = X[:, 30] + X[:, 0] - X[:, 10] + np.log(X[:, 20]) - 7.0
    y = (logit + rng.logistic(size=n) > 0).astype(np.int64)
    return X, y, s


def dask_mixed_table(n, d, chunk, seed=0):
    """``(X, y, s)``: :func:`mixed_table` as dask arrays of ``chunk`` rows.

    Chunk ``i`` is ``mixed_table(rows, d, seed=(seed, i))``: the same values
    whichever of X, y and s is computed, and never more than a few chunks in
    memory at once.
    """
    import dask
    import dask.array as da

    parts = {"X": [], "y": [], "s": []}
    for i, start in enumerate(range(0, n, chunk)):
        rows = min(chunk, n - start)
        table = dask.delayed(mixed_table, nout=3, pure=True)(rows, d, (seed, i))
        parts["X"].append(da.from_delayed(table[0], (rows, d), np.float64))
        parts["y"].append(da.from_delayed(table[1], (rows,), np.int64))
        parts["s"].append(da.from_delayed(table[2], (rows,), np.int64))
    return tuple(da.concatenate(parts[key]) for key in ("X", "y", "s"))
