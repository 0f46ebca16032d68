r"""Domain statistics gathered chunk by chunk or block by block, merged exactly.

``partial_fit`` adds one in-memory chunk at a time; a dask array is reduced
over its row blocks (each block's statistics, merged in a tree) and scored by a
blockwise pass that brings back only the forget rows' scores. Both rely on one
exact merge of two samples' statistics.

Each domain is summarised by its count, mean and the centred power sums
``S = sum y y^T``, ``T = sum ||y||^2 y`` and ``F = sum ||y||^4`` with
``y = x - mean``. Moving the centre by ``delta`` (``y -> y - delta``) and using
``sum y = 0``:

.. math::

    S' &= S + n \delta \delta^T, \\
    T' &= T - 2 S \delta - \mathrm{tr}(S) \delta - n \|\delta\|^2 \delta, \\
    F' &= F - 4 \delta^T T + 4 \delta^T S \delta
          + 2 \mathrm{tr}(S) \|\delta\|^2 + n \|\delta\|^4,

so two samples merge exactly by moving both to the pooled mean and adding.
Pure functions on :class:`~sklearn_unlearn.selection._stats.DomainStats`; the
dask kernels take a dask array and a NumPy mask of its rows.
"""

from collections.abc import Callable
from typing import NamedTuple

import numpy as np

from sklearn_unlearn.selection._stats import DomainStats, domain_stats
from sklearn_unlearn.utils._reduce import tree_reduce

__all__ = [
    "chunk_stats",
    "dask_domain_stats",
    "dask_forget_scores",
    "merge_domain_stats",
]


class _Sums(NamedTuple):
    n: int
    mean: np.ndarray
    scatter: np.ndarray | None
    third: np.ndarray | None
    fourth: float


def _recentre(part: _Sums, mean: np.ndarray) -> _Sums:
    """The power sums of ``part`` about ``mean`` instead of its own mean."""
    if part.scatter is None:
        return part._replace(mean=mean)
    delta = mean - part.mean
    dd = float(delta @ delta)
    S_delta = part.scatter @ delta
    trace = float(np.trace(part.scatter))
    scatter = part.scatter + part.n * np.outer(delta, delta)
    third = part.third - 2.0 * S_delta - (trace + part.n * dd) * delta
    fourth = (
        part.fourth
        - 4.0 * float(delta @ part.third)
        + 4.0 * float(delta @ S_delta)
        + 2.0 * trace * dd
        + part.n * dd * dd
    )
    return _Sums(part.n, mean, scatter, third, fourth)


def _merge(a: _Sums, b: _Sums) -> _Sums:
    if a.n == 0:
        return b
    if b.n == 0:
        return a
    n = a.n + b.n
    mean = a.mean + (b.mean - a.mean) * (b.n / n)
    a, b = _recentre(a, mean), _recentre(b, mean)
    if a.scatter is None or b.scatter is None:
        return _Sums(n, mean, None, None, 0.0)
    return _Sums(n, mean, a.scatter + b.scatter, a.third + b.third, a.fourth + b.fourth)


def _parts(stats: DomainStats) -> tuple[_Sums, _Sums]:
    return (
        _Sums(
            stats.n_forget,
            stats.mean_forget,
            stats.scatter_forget,
            stats.third_forget,
            stats.fourth_forget,
        ),
        _Sums(
            stats.n_retain,
            stats.mean_retain,
            stats.scatter_retain,
            stats.third_retain,
            stats.fourth_retain,
        ),
    )


def _stats(f: _Sums, r: _Sums) -> DomainStats:
    return DomainStats(
        n_forget=f.n,
        n_retain=r.n,
        mean_forget=f.mean,
        mean_retain=r.mean,
        scatter_forget=f.scatter,
        scatter_retain=r.scatter,
        fourth_forget=f.fourth,
        fourth_retain=r.fourth,
        third_forget=f.third,
        third_retain=r.third,
    )


def merge_domain_stats(a: DomainStats, b: DomainStats) -> DomainStats:
    """Statistics of the union of two samples of both domains (exact).

    Both must carry both means (a domain without rows may have any mean). The
    scatter matrices and power sums are merged when both carry them, else the
    result has none.
    """
    (f1, r1), (f2, r2) = _parts(a), _parts(b)
    f, r = _merge(f1, f2), _merge(r1, r2)
    return _stats(f, r)


def chunk_stats(
    X: np.ndarray, mask: np.ndarray, scatter: bool, step: int | None = None
) -> DomainStats:
    """Statistics of one chunk: forget rows ``mask``, retained rows ``~mask``.

    Both means always (zeros for a domain without rows in the chunk); the
    centred power sums if ``scatter``.
    """
    forget, retain = np.flatnonzero(mask), np.flatnonzero(~mask)
    return domain_stats(X, forget, X, retain, scatter=scatter, step=step)


# ------------------------------------------------------------- dask blocks
def _row_blocks(X, mask: np.ndarray) -> list:
    """Pairs (delayed row block of ``X`` with all its columns, its mask rows)."""
    X = X.rechunk({1: -1})
    bounds = np.cumsum((0, *X.chunks[0]))
    return [
        (block, mask[start:stop])
        for block, start, stop in zip(
            X.to_delayed().ravel(), bounds[:-1], bounds[1:], strict=True
        )
    ]


def _block_stats(X, mask: np.ndarray, scatter: bool) -> DomainStats:
    # NaN and inf reach the means; the caller checks the merged statistics
    with np.errstate(invalid="ignore", over="ignore"):
        return chunk_stats(np.asarray(X), mask, scatter)


def _block_scores(X, mask: np.ndarray, kernel: Callable, stats) -> np.ndarray:
    rows = np.flatnonzero(mask)
    if rows.size == 0:
        return np.empty(0)
    return kernel(np.asarray(X), rows, stats)


def dask_domain_stats(X, mask: np.ndarray, scatter: bool) -> DomainStats:
    """Statistics of a dask array ``X`` (forget rows ``mask``), in one pass.

    Each row block's counts, means and, if ``scatter``, centred power sums,
    merged exactly in a tree (as ``partial_fit`` merges chunks).
    """
    import dask

    parts = [dask.delayed(_block_stats)(x, m, scatter) for x, m in _row_blocks(X, mask)]
    return dask.delayed(tree_reduce)(parts, merge_domain_stats).compute()


def dask_forget_scores(
    X, mask: np.ndarray, kernel: Callable, stats: DomainStats
) -> np.ndarray:
    """Scores ``kernel(block, rows, stats)`` of the forget rows of a dask array.

    One blockwise pass; only the forget rows' scores (one float each) come
    back, in row order.
    """
    import dask

    delayed = [
        dask.delayed(_block_scores)(x, m, kernel, stats)
        for x, m in _row_blocks(X, mask)
    ]
    return np.concatenate(dask.compute(*delayed))
