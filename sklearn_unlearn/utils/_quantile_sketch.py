"""A mergeable quantile sketch of the columns of a matrix (pure kernels).

Arrays in, NamedTuples or arrays out. A :class:`QuantileSketch` summarises the
``n`` rows of a matrix with ``d`` columns in bounded memory: a hierarchy of
levels, level ``h`` holding values of weight ``2**h`` (each column on its own,
all columns sharing one schedule, since they have the same rows). A level that
grows beyond ``capacity`` values is *compacted*: sorted, its values paired in
order and one value of each pair promoted to the next level with twice the
weight. Sketches of disjoint rows merge by concatenating their levels and
compacting again, in any order and any tree, so chunks of a stream or blocks
of a dask array are summarised independently and merged.

Every compaction is counted in the sketch's ``error`` (in rows), a certified
bound on the rank error that merges add up; a sketch that never compacted is
exact. See :func:`sketch_columns` for the bounds.
"""

from typing import NamedTuple

import numpy as np

from sklearn_unlearn.utils._sensitive import GroupEncoding, merge_encodings

__all__ = [
    "QuantileSketch",
    "a_priori_error",
    "group_sketches",
    "merge_chunk_sketches",
    "merge_group_sketches",
    "merge_sketches",
    "sketch_columns",
    "sketch_masses",
    "sketch_order_statistics",
    "sketch_quantiles",
    "sketch_ranks",
]


class QuantileSketch(NamedTuple):
    """Weighted values summarising the columns of ``count`` rows."""

    levels: tuple  # levels[h]: (m_h, n_columns) float64 values of weight 2**h
    compactions: tuple  # compactions done at each level (alternates the offset)
    count: int  # rows summarised
    error: int  # certified bound on the rank error of every column, in rows


def _compact(
    levels: list, compactions: list, error: int, capacity: int
) -> tuple[list, list, int]:
    """Compact every level holding more than ``capacity`` values, bottom up."""
    h = 0
    while h < len(levels):
        level = levels[h]
        if level.shape[0] > capacity:
            level = np.sort(level, axis=0)
            pairs = level.shape[0] // 2
            offset = compactions[h] % 2  # lower, then upper value of each pair
            promoted = level[offset : 2 * pairs : 2]
            levels[h] = level[2 * pairs :]  # the odd value out stays
            compactions[h] += 1
            error += 1 << h
            if h + 1 == len(levels):
                levels.append(promoted)
                compactions.append(0)
            else:
                levels[h + 1] = np.concatenate([levels[h + 1], promoted])
        h += 1
    return levels, compactions, error


def sketch_columns(X: np.ndarray, capacity: int) -> QuantileSketch:
    """The sketch of the rows of ``X``, each column on its own.

    Parameters
    ----------
    X : ndarray of shape (n_samples, n_columns)
        Values (finite, any float dtype; stored as float64).
    capacity : int >= 2
        Values per level kept after compaction.

    Returns
    -------
    sketch : QuantileSketch
        Exact (``error == 0``, all values kept) when ``n_samples <= capacity``.

    Notes
    -----
    Let ``R(x)`` be the number of rows with a value ``<= x`` in a column and
    ``R'(x)`` the total weight of the sketch's values ``<= x``. Compacting
    ``2m`` sorted values of weight ``2**h`` keeps every other one with weight
    ``2**(h+1)``: of the ``c`` values ``<= x``, ``ceil(c/2)`` or
    ``floor(c/2)`` remain, so ``R'(x)`` moves by at most ``2**h``. Merging
    loses nothing. Hence, for every ``x`` and every column,

    .. math:: |R'(x) - R(x)| \\le e = \\sum_{\\text{compactions}} 2^{h},

    stored as ``error``, whatever the order and tree of the merges. A priori
    (:func:`a_priori_error`): a compaction at level ``h`` promotes at least
    ``capacity / 2`` values and at most ``n / 2**(h+1)`` values ever reach level
    ``h + 1``, so there are at most ``n / (capacity 2**h)`` of them, costing at
    most ``n / capacity`` per level; and only levels with
    ``capacity 2**h < n`` compact. Thus

    .. math:: \\frac{e}{n} \\le \\varepsilon = \\frac{\\lceil \\log_2(n /
              \\text{capacity}) \\rceil}{\\text{capacity}}

    (0 when ``n <= capacity``): the sketch's CDF is within ``epsilon`` of the
    rows' empirical CDF (a Kolmogorov-Smirnov distance). Memory: at most
    ``capacity`` values per level and ``1 + log2(n / capacity)`` levels.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn_unlearn.utils._quantile_sketch import sketch_columns
    >>> sketch = sketch_columns(np.arange(1000.0)[:, None], capacity=100)
    >>> sketch.count, sketch.error <= 1000 * 4 / 100
    (1000, True)
    """
    level = np.array(X, dtype=np.float64, order="C", copy=True)
    levels, compactions, error = _compact([level], [0], 0, capacity)
    return QuantileSketch(tuple(levels), tuple(compactions), X.shape[0], error)


def merge_sketches(
    a: QuantileSketch | None, b: QuantileSketch | None, capacity: int
) -> QuantileSketch | None:
    """The sketch of the rows of ``a`` and ``b`` together (None: no rows)."""
    if a is None or b is None:
        return b if a is None else a
    height = max(len(a.levels), len(b.levels))
    empty = np.empty((0, a.levels[0].shape[1]))
    levels, compactions = [], []
    for h in range(height):
        la = a.levels[h] if h < len(a.levels) else empty
        lb = b.levels[h] if h < len(b.levels) else empty
        levels.append(np.concatenate([la, lb]))
        ca = a.compactions[h] if h < len(a.compactions) else 0
        cb = b.compactions[h] if h < len(b.compactions) else 0
        compactions.append(ca + cb)
    levels, compactions, error = _compact(
        levels, compactions, a.error + b.error, capacity
    )
    return QuantileSketch(tuple(levels), tuple(compactions), a.count + b.count, error)


def a_priori_error(n: int, capacity: int) -> float:
    """Bound on ``error / n`` of a sketch of ``n`` rows (:func:`sketch_columns`)."""
    if n <= capacity:
        return 0.0
    return float(np.ceil(np.log2(n / capacity))) / capacity


def _weighted(sketch: QuantileSketch) -> tuple[np.ndarray, np.ndarray]:
    """Each column's values sorted, and their cumulative weights (both (m, d))."""
    values = np.concatenate(sketch.levels)
    weights = np.concatenate(
        [
            np.full(level.shape[0], 1 << h, dtype=np.int64)
            for h, level in enumerate(sketch.levels)
        ]
    )
    order = np.argsort(values, axis=0, kind="stable")
    values = np.take_along_axis(values, order, axis=0)
    return values, np.cumsum(weights[order], axis=0)


def sketch_ranks(sketch: QuantileSketch, x: np.ndarray) -> np.ndarray:
    """``R'(x)``: the sketch's weight of values ``<= x[i, j]`` in column ``j``.

    ``x`` has shape (n_points, n_columns); within ``sketch.error`` of the exact
    counts.
    """
    values, cumulative = _weighted(sketch)
    out = np.empty(x.shape, dtype=np.int64)
    padded = np.vstack([np.zeros((1, values.shape[1]), np.int64), cumulative])
    for j in range(values.shape[1]):
        out[:, j] = padded[np.searchsorted(values[:, j], x[:, j], side="right"), j]
    return out


def sketch_order_statistics(sketch: QuantileSketch, ranks: np.ndarray) -> np.ndarray:
    """The sketch's order statistics ``x'_(r)`` (0-based ranks), per column.

    ``x'_(r)`` is the value whose cumulative weight first exceeds ``r``. With
    ``e = sketch.error`` it lies between the exact order statistics
    ``x_(r - e)`` and ``x_(r + e)`` (ranks clipped to ``0..n - 1``): at least
    ``r + 1 - e`` rows are ``<= x'_(r)`` and at most ``r + e`` are below it.
    Returns shape (len(ranks), n_columns).
    """
    values, cumulative = _weighted(sketch)
    out = np.empty((ranks.shape[0], values.shape[1]), dtype=np.float64)
    last = values.shape[0] - 1
    for j in range(values.shape[1]):
        at = np.searchsorted(cumulative[:, j], ranks, side="right")
        out[:, j] = values[np.minimum(at, last), j]
    return out


def sketch_quantiles(sketch: QuantileSketch, positions: np.ndarray) -> np.ndarray:
    """Linear (type 7) quantiles at fractional 0-based ranks ``positions``.

    ``x'_(k) + f (x'_(k+1) - x'_(k))`` with ``k = floor(p)`` (at most
    ``n - 2``) and ``f = p - k``, from :func:`sketch_order_statistics`: equal
    to NumPy's ``"linear"`` quantile at level ``u = p / (n - 1)`` when the
    sketch is exact, and otherwise between the exact ones at ``u - e / (n - 1)``
    and ``u + e / (n - 1)`` (levels clipped to ``[0, 1]``), because the two
    order statistics are sandwiched alike and the interpolation is monotone.
    Returns shape (len(positions), n_columns), float64, nondecreasing.
    """
    n = sketch.count
    if n == 1:
        return np.repeat(sketch.levels[0][:1], positions.shape[0], axis=0)
    k = np.minimum(positions.astype(np.intp), n - 2)
    frac = (positions - k)[:, None]
    lo = sketch_order_statistics(sketch, k)
    hi = sketch_order_statistics(sketch, k + 1)
    out = hi - lo
    out *= frac
    out += lo
    return np.minimum(out, hi, out=out)


def group_sketches(
    X: np.ndarray, codes: np.ndarray, n_groups: int, capacity: int
) -> tuple:
    """One sketch of ``X``'s columns per group (None for a group without rows).

    ``codes`` are in ``-1..n_groups - 1``; rows of code -1 are left out.
    """
    out = []
    for g in range(n_groups):
        rows = np.flatnonzero(codes == g)
        out.append(sketch_columns(X[rows], capacity) if rows.size else None)
    return tuple(out)


def merge_group_sketches(a: tuple, b: tuple, capacity: int) -> tuple:
    """Merge two tuples of per-group sketches, group by group."""
    return tuple(merge_sketches(sa, sb, capacity) for sa, sb in zip(a, b, strict=True))


def merge_chunk_sketches(
    X: np.ndarray,
    codes: np.ndarray,
    chunk: GroupEncoding,
    previous: tuple[GroupEncoding, tuple] | None,
    capacity: int,
) -> tuple[GroupEncoding, tuple]:
    """Merge a chunk's rows into the groups' running sketches.

    Parameters
    ----------
    X : ndarray of shape (n_samples, n_columns)
        The chunk's values (finite).
    codes : ndarray of shape (n_samples,)
        Group codes of the rows in ``chunk``.
    chunk : GroupEncoding
        The encoding of the chunk's own groups.
    previous : tuple (encoding, sketches) or None
        The state after the earlier chunks.
    capacity : int
        Values per level of the sketches.

    Returns
    -------
    encoding : GroupEncoding
        Every group seen so far, sorted, with its rows over all chunks.
    sketches : tuple of QuantileSketch
        One per group of ``encoding``, in its order (a group may first appear
        in any chunk).
    """
    X = np.asarray(X, dtype=np.float64)
    sketches = group_sketches(X, codes, chunk.groups.size, capacity)
    if previous is None:
        return chunk, sketches
    old_encoding, old_sketches = previous
    encoding, old_index, new_index = merge_encodings(old_encoding, chunk)
    placed = [None] * encoding.groups.size
    for i, sketch in zip(old_index, old_sketches, strict=True):
        placed[i] = sketch
    for i, sketch in zip(new_index, sketches, strict=True):
        placed[i] = merge_sketches(placed[i], sketch, capacity)
    merged = tuple(placed)
    counts = np.array([s.count for s in merged], dtype=encoding.counts.dtype)
    return encoding._replace(counts=counts), merged


def sketch_masses(sketch: QuantileSketch, column: int) -> tuple[np.ndarray, np.ndarray]:
    """The distinct values of one column in the sketch and their total weights.

    A value of weight ``w`` holds between ``w - 2 e`` and ``w + 2 e`` rows
    (``e = sketch.error``): its count is the difference of two ranks, each
    within ``e``.
    """
    values = np.concatenate([level[:, column] for level in sketch.levels])
    weights = np.concatenate(
        [np.full(level.shape[0], 1 << h) for h, level in enumerate(sketch.levels)]
    )
    order = np.argsort(values, kind="stable")
    values, weights = values[order], weights[order]
    starts = np.flatnonzero(np.r_[True, values[1:] != values[:-1]])
    return values[starts], np.add.reduceat(weights, starts)
