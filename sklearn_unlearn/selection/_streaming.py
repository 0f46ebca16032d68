"""Exact merging of the selector's domain statistics, for ``partial_fit``.

Each domain is summarised by its count, mean and the centred power sums
``S = sum y y^T``, ``T = sum ||y||^2 y`` and ``F = sum ||y||^4`` with
``y = x - mean``. Moving the centre by ``delta`` (``y -> y - delta``) and using
``sum y = 0``:

.. math::

    S' &= S + n \\delta \\delta^T, \\\\
    T' &= T - 2 S \\delta - \\mathrm{tr}(S) \\delta - n \\|\\delta\\|^2 \\delta, \\\\
    F' &= F - 4 \\delta^T T + 4 \\delta^T S \\delta
          + 2 \\mathrm{tr}(S) \\|\\delta\\|^2 + n \\|\\delta\\|^4,

so two samples merge exactly by moving both to the pooled mean and adding.
Pure functions on :class:`~sklearn_unlearn.selection._scores.DomainStats`.
"""

from typing import NamedTuple

import numpy as np

from sklearn_unlearn.selection._scores import DomainStats, domain_stats

__all__ = ["chunk_stats", "merge_domain_stats"]


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
