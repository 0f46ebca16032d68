"""Pure kernels of the selector: domain moments and per-sample deletion scores.

Every kernel reads the rows it needs from the full ``X`` through an index array,
one cache-sized block at a time, so no full copy of either domain is made.
Scores follow one convention: the higher the score, the earlier the sample is
deleted. Arrays in, arrays out; no validation.
"""

from collections.abc import Callable
from typing import NamedTuple

import numpy as np
from scipy.linalg import cho_factor, cho_solve, solve_triangular

from sklearn_unlearn.utils._groups import row_chunks

__all__ = [
    "SCORES",
    "DomainStats",
    "blocks",
    "descending_order",
    "domain_stats",
    "ledoit_wolf_shrunk",
    "with_scatter",
]


class DomainStats(NamedTuple):
    """Sizes, means and centred scatter matrices of the two domains."""

    n_forget: int
    n_retain: int
    mean_forget: np.ndarray  # (d,) float64
    mean_retain: np.ndarray  # (d,) float64
    scatter_forget: np.ndarray  # (d, d): sum of (x - mean)(x - mean)^T
    scatter_retain: np.ndarray  # (d, d)
    fourth_forget: float  # sum of ||x - mean||^4 (Ledoit-Wolf shrinkage)
    fourth_retain: float
    third_forget: np.ndarray | None = None  # (d,): sum of ||x - mean||^2 (x - mean)
    third_retain: np.ndarray | None = None  # (needed to merge the fourth sums)


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


def descending_order(scores: np.ndarray) -> np.ndarray:
    """Indices sorting ``scores`` from high to low, ties by increasing index.

    An unstable sort (faster than a stable one on floats), then any run of
    equal scores is put back in index order.
    """
    order = np.argsort(-scores)
    ranked = scores[order]
    tied = ranked[1:] == ranked[:-1]
    if tied.any():
        # the positions inside runs of equal scores: sort each run's indices.
        # Runs stay in place (distinct runs have distinct scores), so only the
        # tied positions are sorted, by (score, index).
        member = np.zeros(ranked.size, dtype=bool)
        member[1:] = tied
        member[:-1] |= tied
        at = np.flatnonzero(member)
        order[at] = order[at][np.lexsort((order[at], -ranked[at]))]
    return order


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
    """``stats`` (with both means) completed by the centred scatter matrices."""
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


def ledoit_wolf_shrunk(scatter: np.ndarray, fourth: float, n: int) -> np.ndarray:
    r"""Ledoit-Wolf shrinkage of ``scatter / n`` towards a scaled identity.

    With :math:`S` the empirical covariance, :math:`\mu = \mathrm{tr} S / d`,
    :math:`\delta^2 = \|S - \mu I\|_F^2` and :math:`\beta^2 = \min(\delta^2,
    n^{-2} \sum_i \|x_i x_i^T - S\|_F^2)` (the sum is :math:`\sum_i \|x_i\|^4 -
    n \|S\|_F^2` for centred rows), the estimate is :math:`(\beta^2/\delta^2) \mu
    I + (1 - \beta^2/\delta^2) S`. A zero matrix stays zero.
    """
    d = scatter.shape[0]
    S = scatter / n
    mu = np.trace(S) / d
    delta2 = float(np.sum((S - mu * np.eye(d)) ** 2))
    if delta2 <= 0.0:
        return S.copy()
    beta2 = min(delta2, max(0.0, fourth - n * float(np.sum(S * S))) / n**2)
    shrinkage = beta2 / delta2
    out = (1.0 - shrinkage) * S
    out.flat[:: d + 1] += shrinkage * mu
    return out


def _positive_definite(C: np.ndarray) -> np.ndarray:
    """``C`` plus a ridge of 1e-10 times its mean variance (1 if it is zero)."""
    d = C.shape[0]
    scale = np.trace(C) / d
    return C + 1e-10 * (scale if scale > 0 else 1.0) * np.eye(d)


# ------------------------------------------------------------------ scores
# Each score kernel has the signature (X, forget, stats, step=None) -> (n_forget,)
# float64: the scores of the rows ``forget`` of ``X``, in that order, computed by
# blocks of ``step`` rows (default: about 1 MB).


def _rowwise(X: np.ndarray, rows: np.ndarray, fn, step: int | None) -> np.ndarray:
    out = np.empty(rows.size)
    for start, block in blocks(X, rows, step):
        out[start : start + block.shape[0]] = fn(block)
    return out


def _distances(
    X: np.ndarray, rows: np.ndarray, centre: np.ndarray, step: int | None
) -> np.ndarray:
    # in the dtype of X: a float32 difference and sum of d squares err by about
    # 1e-7 relative, the precision of float32 X itself, at half the cost
    centre = centre.astype(X.dtype, copy=False)

    def distance(B):
        D = B - centre
        return np.sqrt(np.einsum("ij,ij->i", D, D))

    return _rowwise(X, rows, distance, step)


def euclidean_scores(
    X: np.ndarray, forget: np.ndarray, stats: DomainStats, step: int | None = None
):
    """``||x - mean_retain||``: far from the retained domain goes first."""
    return _distances(X, forget, stats.mean_retain, step)


def coreset_scores(
    X: np.ndarray, forget: np.ndarray, stats: DomainStats, step: int | None = None
):
    """``-||x - mean_forget||``: the most typical forget samples go first."""
    return -_distances(X, forget, stats.mean_forget, step)


def cosine_scores(
    X: np.ndarray, forget: np.ndarray, stats: DomainStats, step: int | None = None
):
    """``1 - cos(x, mean_retain)``; 1 for a zero row or a zero retained mean."""
    norm2 = np.linalg.norm(stats.mean_retain)
    if norm2 == 0.0:
        return np.ones(forget.size)
    direction = (stats.mean_retain / norm2).astype(X.dtype, copy=False)

    def score(B):
        dot = B @ direction
        norms = np.sqrt(np.einsum("ij,ij->i", B, B, dtype=np.float64))
        # NaN norms (NaN rows) must give NaN scores, so test != 0, not > 0
        cos = np.divide(dot, norms, out=np.zeros_like(dot), where=norms != 0)
        return 1.0 - cos

    return _rowwise(X, forget, score, step)


def mahalanobis_scores(
    X: np.ndarray, forget: np.ndarray, stats: DomainStats, step: int | None = None
):
    """``sqrt((x - m2)^T C^{-1} (x - m2))``, C the shrunk retained covariance."""
    C = ledoit_wolf_shrunk(stats.scatter_retain, stats.fourth_retain, stats.n_retain)
    L = np.linalg.cholesky(_positive_definite(C))
    whiten = solve_triangular(L, np.eye(C.shape[0]), lower=True).T  # y = (x-m) W
    m2 = stats.mean_retain

    def score(B):
        Y = (B - m2) @ whiten
        return np.sqrt(np.einsum("ij,ij->i", Y, Y))

    return _rowwise(X, forget, score, step)


def likelihood_ratio_direction(stats: DomainStats) -> tuple[np.ndarray, float]:
    r"""``(w, b)`` with :math:`\log p_1(x) - \log p_2(x) = x^T w + b`.

    Gaussians sharing the shrunk pooled within-domain covariance :math:`C`:
    :math:`w = C^{-1}(m_1 - m_2)`, :math:`b = -\frac12 (m_1 + m_2)^T w`.
    """
    C = ledoit_wolf_shrunk(
        stats.scatter_forget + stats.scatter_retain,
        stats.fourth_forget + stats.fourth_retain,
        stats.n_forget + stats.n_retain,
    )
    delta = stats.mean_forget - stats.mean_retain
    w = cho_solve(cho_factor(_positive_definite(C)), delta)
    return w, float(-0.5 * (stats.mean_forget + stats.mean_retain) @ w)


def likelihood_ratio_scores(
    X: np.ndarray, forget: np.ndarray, stats: DomainStats, step: int | None = None
):
    """Gaussian log-density ratio ``log p1(x) - log p2(x)``, shared covariance."""
    w, b = likelihood_ratio_direction(stats)
    return _rowwise(X, forget, lambda B: B @ w + b, step)


class Score(NamedTuple):
    kernel: Callable[[np.ndarray, np.ndarray, DomainStats], np.ndarray]
    needs_scatter: bool  # the kernel reads the scatter matrices of DomainStats
    needs_forget_mean: bool  # the kernel reads mean_forget


#: Deterministic score kernels by name; "random", "classifier" and callables
#: need an estimator's state (a seed, a model) and live in the selector. Every
#: kernel reads all features of every forget row, so a NaN or inf in them
#: makes its score non-finite: the selector relies on that to detect them.
SCORES: dict[str, Score] = {
    "coreset": Score(coreset_scores, False, True),
    "cosine": Score(cosine_scores, False, False),
    "euclidean": Score(euclidean_scores, False, False),
    "likelihood_ratio": Score(likelihood_ratio_scores, True, True),
    "mahalanobis": Score(mahalanobis_scores, True, False),
}
