"""Pure kernels of the domain statistics: counts, means and centred power sums.

Every kernel reads the rows it needs from the full ``X`` through an index array,
one cache-sized block at a time, so no full copy of either domain is made.
Arrays in, arrays or a :class:`DomainStats` out; no validation.
"""

from typing import NamedTuple

import numpy as np

from sklearn_unlearn.utils._memory import working_rows
from sklearn_unlearn.utils._row_windows import row_chunks
from sklearn_unlearn.utils._scale import finite_peak, unit_exponent

__all__ = [
    "SAFE_EXPONENTS",
    "DomainStats",
    "all_finite",
    "block_rows",
    "blocks",
    "domain_stats",
    "in_safe_range",
    "with_scatter",
]

#: Exponents of the largest magnitude of X that the selector uses as it is.
SAFE_EXPONENTS = (-100, 60)


class DomainStats(NamedTuple):
    """Sizes, means and centred power sums of the two domains.

    The entries a computation did not need are None (the fourth sums 0).
    """

    n_forget: int
    n_retain: int
    mean_forget: np.ndarray | None  # (d,) float64
    mean_retain: np.ndarray  # (d,) float64
    scatter_forget: np.ndarray | None  # (d, d): sum of (x - mean)(x - mean)^T
    scatter_retain: np.ndarray | None  # (d, d)
    fourth_forget: float  # sum of ||x - mean||^4 (Ledoit-Wolf shrinkage)
    fourth_retain: float
    third_forget: np.ndarray | None = None  # (d,): sum of ||x - mean||^2 (x - mean)
    third_retain: np.ndarray | None = None  # (needed to merge the fourth sums)


def block_rows(X: np.ndarray) -> int:
    """Rows per block of the passes: about 1 MB, less if ``working_memory`` is.

    A block takes a gathered copy, a centred float64 copy and a product.
    """
    d = X.shape[1]
    return working_rows(24 * d, row_chunks(d, X.itemsize))


def in_safe_range(X: np.ndarray) -> np.ndarray:
    r"""``X``, divided by a power of two if its largest magnitude is extreme.

    Outside :math:`[2^{-100}, 2^{60}]` the fourth power sums overflow or lose
    precision; dividing by :math:`2^k` (:math:`k` the exponent of the largest
    magnitude) is exact. NaN and inf are left for the passes to report, and so
    are outliers beyond the float range of the typical values (rescaling would
    flush the typical rows to zero).
    """
    largest = finite_peak(X)
    if not (np.isfinite(largest) and largest > 0):
        return X
    k = unit_exponent(largest)
    if SAFE_EXPONENTS[0] <= -k <= SAFE_EXPONENTS[1]:
        return X
    if unit_exponent(np.median(np.abs(X[X != 0]))) - k > 900:
        return X
    return np.ldexp(X, k)


def blocks(X: np.ndarray, rows: np.ndarray, step: int | None = None):
    """Yield ``(start, X[rows[start:start + step]])`` by blocks of rows.

    ``step`` rows per block, by default a cache-sized block. When ``rows`` is a
    run of consecutive indices the blocks are views of ``X`` (no copy), so
    callers must not write to them.
    """
    step = row_chunks(X.shape[1], X.itemsize) if step is None else step
    if (
        rows.size
        and rows[-1] - rows[0] + 1 == rows.size
        and (rows.size == 1 or np.all(np.diff(rows) == 1))
    ):
        first = int(rows[0])
        for start in range(0, rows.size, step):
            yield start, X[first + start : first + min(start + step, rows.size)]
        return
    for start in range(0, rows.size, step):
        # np.take without ``out`` is the fastest row gather numpy offers
        yield start, np.take(X, rows[start : start + step], axis=0)


def _mean(X: np.ndarray, rows: np.ndarray, step: int | None = None) -> np.ndarray:
    """Mean of the rows ``rows`` of ``X``, in float64.

    Each block's column sums are one GEMV in the dtype of ``X`` (faster than a
    reduction), accumulated across blocks in float64. For float32 the block is
    first shifted by one of the rows, so the float32 sums are of deviations
    (their rounding is relative to the spread of X, not to its offset). Zeros
    when ``rows`` is empty (a chunk without rows of a domain).
    """
    d = X.shape[1]
    total = np.zeros(d)
    if rows.size == 0:
        return total
    shift = np.asarray(X[rows[0]]) if X.dtype == np.float32 else None
    ones = None
    for _, block in blocks(X, rows, step):
        if ones is None or ones.size < block.shape[0]:
            ones = np.ones(block.shape[0], dtype=X.dtype)
        if shift is not None:
            block = block - shift
        total += ones[: block.shape[0]] @ block
    mean = total / rows.size
    return mean + shift if shift is not None else mean


def _scatter(
    X: np.ndarray, rows: np.ndarray, mean: np.ndarray, step: int | None = None
) -> tuple[np.ndarray, np.ndarray, float]:
    """Centred power sums about ``mean``: ``sum (x - m)(x - m)^T``,
    ``sum ||x - m||^2 (x - m)`` and ``sum ||x - m||^4``."""
    d = X.shape[1]
    scatter, third, fourth = np.zeros((d, d)), np.zeros(d), 0.0
    # cache-sized blocks: measured faster than larger ones, whose GEMMs are more
    # efficient but whose centred copies fall out of cache
    for _, block in blocks(X, rows, step):
        centred = block - mean  # float64: the sums of squares need the precision
        scatter += centred.T @ centred
        norms = np.einsum("ij,ij->i", centred, centred)
        third += norms @ centred
        fourth += float(norms @ norms)
    return scatter, third, fourth


def domain_stats(
    X_forget: np.ndarray,
    forget: np.ndarray,
    X_retain: np.ndarray,
    retain: np.ndarray,
    *,
    scatter: bool = True,
    forget_mean: bool = True,
    step: int | None = None,
) -> DomainStats:
    """Statistics of the rows ``forget`` of ``X_forget`` and ``retain`` of ``X_retain``.

    Means (one pass over each domain) and, if ``scatter``, the centred scatter
    matrices (a second pass); without it they are None and the fourth moments 0.
    ``forget_mean=False`` (only without ``scatter``) skips the forget pass and
    leaves ``mean_forget`` None. The two arrays may be the same. Rows are read
    in blocks of ``step`` rows (default: about 1 MB).
    """
    m2 = _mean(X_retain, retain, step)
    m1 = _mean(X_forget, forget, step) if forget_mean or scatter else None
    stats = DomainStats(forget.size, retain.size, m1, m2, None, None, 0.0, 0.0)
    if not scatter:
        return stats
    return with_scatter(stats, X_forget, forget, X_retain, retain, step)


def with_scatter(
    stats: DomainStats,
    X_forget: np.ndarray,
    forget: np.ndarray,
    X_retain: np.ndarray,
    retain: np.ndarray,
    step: int | None = None,
) -> DomainStats:
    """``stats`` (with both means) completed by the centred power sums."""
    s1, t1, q1 = _scatter(X_forget, forget, stats.mean_forget, step)
    s2, t2, q2 = _scatter(X_retain, retain, stats.mean_retain, step)
    return stats._replace(
        scatter_forget=s1,
        scatter_retain=s2,
        fourth_forget=q1,
        fourth_retain=q2,
        third_forget=t1,
        third_retain=t2,
    )


def all_finite(*values) -> bool:
    """True when every given array (None skipped) holds only finite values.

    A NaN or inf in the rows propagates into their means, power sums and
    scores, so checking these detects them (and sums that overflow) without a
    separate pass over X.
    """
    return all(np.isfinite(np.asarray(v)).all() for v in values if v is not None)
