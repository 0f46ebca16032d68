"""Pure kernels of the selector's criteria: per-sample deletion scores.

Each kernel scores the forget rows of the full ``X`` (read through an index
array, one cache-sized block at a time) from the two domains'
:class:`~sklearn_unlearn.selection._stats.DomainStats`. One convention: the
higher the score, the earlier the sample is deleted. Arrays in, arrays out; no
validation. :data:`SCORES` is the registry of these criteria.
"""

from collections.abc import Callable
from typing import NamedTuple

import numpy as np
from scipy.linalg import cho_factor, cho_solve, solve_triangular

from sklearn_unlearn.selection._stats import DomainStats, blocks

__all__ = [
    "SCORES",
    "Score",
    "coreset_scores",
    "cosine_scores",
    "euclidean_scores",
    "ledoit_wolf_shrunk",
    "likelihood_ratio_direction",
    "likelihood_ratio_scores",
    "mahalanobis_scores",
]


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
    """A criterion of the registry: its kernel and the statistics it reads."""

    kernel: Callable[[np.ndarray, np.ndarray, DomainStats], np.ndarray]
    needs_scatter: bool  # the kernel reads the scatter matrices of DomainStats
    needs_forget_mean: bool  # the kernel reads mean_forget


#: Deterministic criteria by name; "random", "classifier" and callables need a
#: seed or a model and are scored in ``_criteria``. Every
#: kernel reads all features of every forget row, so a NaN or inf in them
#: makes its score non-finite: the selector relies on that to detect them.
SCORES: dict[str, Score] = {
    "coreset": Score(coreset_scores, False, True),
    "cosine": Score(cosine_scores, False, False),
    "euclidean": Score(euclidean_scores, False, False),
    "likelihood_ratio": Score(likelihood_ratio_scores, True, True),
    "mahalanobis": Score(mahalanobis_scores, True, False),
}
