"""The quantile method one column at a time (pure kernels).

Arrays in, arrays or NamedTuples out; no validation and no scikit-learn objects.
The quantile method places each value on a nondecreasing grid (a group's
quantile function at fixed levels) and interpolates on another: the search
(branchless bucket tables), the right-continuous brackets, a monotone linear
interpolation, the map of one group's column, and the loop that applies a
column map to every group's rows, window by window.
"""

from typing import NamedTuple

import numpy as np

from sklearn_unlearn.utils._row_windows import group_windows

__all__ = [
    "GridIndex",
    "bracket",
    "grid_index",
    "lerp",
    "map_columns",
    "search",
    "transport_column",
]

BUCKETS_PER_POINT = 4  # buckets of the search tables, per grid value
MAX_BUCKET_LOAD = 63  # more grid values in one bucket: use np.searchsorted


class GridIndex(NamedTuple):
    """Search table over the distinct values of a nondecreasing grid."""

    values: np.ndarray  # distinct grid values, padded with +inf
    runs: np.ndarray | None  # runs[i] = grid values <= values[i - 1]; None: no ties
    offset: float  # values[0]
    scale: float  # buckets per unit of x; 0 means: use np.searchsorted
    starts: np.ndarray  # starts[b] = number of distinct values in buckets < b
    n_steps: int  # binary search steps within one bucket
    top: int  # last bucket


def grid_index(xp: np.ndarray) -> GridIndex:
    """Hash the distinct values of ``xp`` into equal-width buckets.

    ``np.searchsorted`` is a branchy binary search over the whole grid. Here a
    point finds its bucket by arithmetic, then searches only the few values in
    it, with branchless halving steps (the bucket map is monotone, so values in
    lower/higher buckets are below/above the point). Repeated grid values (atoms)
    are searched once and expanded with ``runs``. A grid with too many values in
    one bucket (heavy tails) falls back to ``np.searchsorted``.
    """
    m = xp.shape[0]
    first = np.ones(m, dtype=bool)
    np.not_equal(xp[1:], xp[:-1], out=first[1:])
    values = np.ascontiguousarray(xp[first])
    runs = None
    if values.shape[0] < m:
        runs = np.concatenate([[0], np.flatnonzero(first)[1:], [m]])
    n_buckets = BUCKETS_PER_POINT * values.shape[0]
    with np.errstate(over="ignore", divide="ignore"):
        span = values[-1] - values[0]
        scale = n_buckets / span  # 0 or inf for a huge or tiny span: no table
    no_table = np.empty(0, dtype=np.intp)
    index = GridIndex(values, runs, float(values[0]), 0.0, no_table, 0, n_buckets - 1)
    if not 0.0 < scale < np.inf:
        return index
    index = index._replace(scale=float(scale))
    starts = np.searchsorted(buckets(index, values), np.arange(n_buckets))
    load = int(np.diff(starts, append=values.shape[0]).max())
    if load > MAX_BUCKET_LOAD:
        return index._replace(scale=0.0)
    n_steps = load.bit_length()
    padded = np.concatenate([values, np.full(1 << n_steps, np.inf)])
    return index._replace(values=padded, starts=starts, n_steps=n_steps)


def buckets(index: GridIndex, x: np.ndarray) -> np.ndarray:
    """Bucket of each ``x``: a nondecreasing function of ``x``."""
    with np.errstate(over="ignore"):  # far outliers overflow to inf, then clip
        b = x - index.offset
        b *= index.scale
    np.clip(b, 0, index.top, out=b)
    return b.astype(np.intp)


def search(index: GridIndex, x: np.ndarray, side: str) -> np.ndarray:
    """``np.searchsorted(xp, x, side)`` for the grid ``xp`` of ``index``."""
    if index.scale == 0.0:
        pos = np.searchsorted(index.values, x, side=side)
    else:
        before = np.less_equal if side == "right" else np.less
        pos = index.starts[buckets(index, x)]
        for step in (1 << np.arange(index.n_steps - 1, -1, -1)).tolist():
            probe = pos + (step - 1)
            np.add(pos, step, out=pos, where=before(index.values[probe], x))
    return pos if index.runs is None else index.runs[pos]


def bracket(
    x: np.ndarray, xp: np.ndarray, index: GridIndex
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Locate ``x`` in the nondecreasing grid ``xp`` (right-continuous convention).

    Returns ``right`` (the number of grid values ``<= x``), the segment index ``k``
    in ``0..len(xp) - 2`` and the fraction ``frac`` in ``[0, 1]`` of ``x`` along
    ``[xp[k], xp[k + 1]]``. Points below (above) the grid get ``frac = 0`` (1) of
    the first (last) segment; on a flat stretch the right end is chosen.
    """
    q = xp.shape[0]
    right = search(index, x, "right")
    k = np.clip(right - 1, 0, q - 2)
    lo = xp[k]
    step = xp[k + 1] - lo
    with np.errstate(over="ignore"):  # far outliers overflow to inf, then clip
        num = x - lo
    # step == 0 only for clipped points next to a flat end: below (0) or not (1).
    frac = np.divide(num, step, out=(num >= 0).astype(np.float64), where=step > 0)
    np.clip(frac, 0.0, 1.0, out=frac)
    return right, k, frac


def lerp(fp: np.ndarray, k: np.ndarray, frac: np.ndarray) -> np.ndarray:
    """Float64 ``fp[k] + frac * (fp[k + 1] - fp[k])``, within ``[fp[k], fp[k + 1]]``.

    The clamp makes the result monotone in ``(k, frac)`` despite rounding, and the
    form returns ``fp[k]`` exactly when ``frac == 0`` or the segment is flat.
    """
    lo = fp[k].astype(np.float64, copy=False)
    hi = fp[k + 1].astype(np.float64, copy=False)
    out = hi - lo
    out *= frac
    out += lo
    return np.minimum(out, hi, out=out)


def transport_column(
    x: np.ndarray,
    group_q: np.ndarray,
    index: GridIndex,
    bary_q: np.ndarray,
    repair_level: float,
    uniforms: np.ndarray | None,
) -> np.ndarray:
    """McCann-interpolated map of one group and one feature (float64 in and out)."""
    right, k, frac = bracket(x, group_q, index)
    target = lerp(bary_q, k, frac)
    if uniforms is not None:
        left = search(index, x, "left")
        tied = np.flatnonzero(right - left >= 2)  # x sits on a flat stretch of Q_s
        if tied.size:
            # level (q - 1) U, U uniform on [F_s(x-), F_s(x)] = [u_left, u_right - 1]
            lo = left[tied]
            pos = lo + uniforms[tied] * (right[tied] - 1 - lo)
            k_tied = np.minimum(pos.astype(np.intp), bary_q.shape[0] - 2)
            target[tied] = lerp(bary_q, k_tied, pos - k_tied)
    if repair_level == 1.0:
        return target
    target *= repair_level
    target += (1.0 - repair_level) * x
    return target


def map_columns(source, target, codes, n_groups, chunk_rows, column) -> None:
    """``target[rows, j] = column(g, rows, j, source[rows, j])`` window by window.

    ``rows`` are the rows of group ``g`` in a window of ``chunk_rows``
    consecutive rows (see :func:`group_windows`); the column is passed as a
    contiguous float64 copy. Rows of code -1 are copied unchanged.
    """
    for g, rows in group_windows(codes, n_groups, chunk_rows):
        if g < 0:
            target[rows] = source[rows]
            continue
        block = np.asarray(source[rows], dtype=np.float64)
        out = np.empty(block.shape, dtype=np.float64, order="F")
        for j in range(block.shape[1]):
            out[:, j] = column(g, rows, j, np.ascontiguousarray(block[:, j]))
        target[rows] = out
