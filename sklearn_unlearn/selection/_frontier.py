r"""Pure kernels of distributional unlearning: Gaussian KL, edits, the frontier.

Shared by the audit metrics and the selector. Arrays in, arrays out; no
validation.

An *edit* deletes some forget rows; :math:`\hat p` is the Gaussian fitted to the
kept forget rows and all retained rows, and the edit is judged by
:math:`\alpha = KL(p_1 \| \hat p)` (removal) and :math:`\epsilon = KL(p_2 \|
\hat p)` (preservation), :math:`p_i` the Gaussians fitted to the two domains.
Two families: ``"gaussian_mean"`` (all three share the pooled within-domain
covariance, only the means move: the paper's model) and ``"gaussian"`` (each
has its own covariance). :func:`edit_kl` judges one edit; :func:`edit_curve`
judges every prefix of a deletion order with running sums (rank-one updates),
which is what the budget search needs.
"""

from typing import NamedTuple

import numpy as np
from scipy.linalg import cho_factor, cho_solve, solve_triangular
from scipy.stats import norm

from sklearn_unlearn.selection._stats import DomainStats, blocks

__all__ = [
    "EditCurve",
    "edit_curve",
    "edit_kl",
    "folded_normal_cdf",
    "folded_normal_quantile",
    "gaussian_kl_full",
    "gaussian_kl_shared",
    "pareto_alpha_max",
    "pareto_epsilon_min",
    "population_curve_1d",
    "ridge",
    "smallest_budget",
]

#: Bytes of the (rows, d, d) stack of outer products of one block ("gaussian").
OUTER_BLOCK_BYTES = 4 << 20


def gaussian_kl_shared(
    mean_p: np.ndarray, mean_q: np.ndarray, cov: np.ndarray
) -> float:
    r""":math:`KL(N(m_p, \Sigma) \| N(m_q, \Sigma)) = \frac12 (m_p - m_q)^T \Sigma^{-1}
    (m_p - m_q)` for a shared positive definite :math:`\Sigma`."""
    delta = np.asarray(mean_p, dtype=np.float64) - mean_q
    factor = cho_factor(cov)
    return float(0.5 * delta @ cho_solve(factor, delta))


def gaussian_kl_full(
    mean_p: np.ndarray, cov_p: np.ndarray, mean_q: np.ndarray, cov_q: np.ndarray
) -> float:
    r""":math:`KL(N(m_p, C_p) \| N(m_q, C_q))` for positive definite covariances.

    :math:`\frac12 [\mathrm{tr}(C_q^{-1} C_p) + (m_q - m_p)^T C_q^{-1} (m_q - m_p)
    - d + \log\det C_q - \log\det C_p]`, with Cholesky factors for the solves and
    the log-determinants.
    """
    d = len(mean_p)
    factor_q = cho_factor(cov_q)
    factor_p = cho_factor(cov_p)
    delta = np.asarray(mean_q, dtype=np.float64) - mean_p
    trace = np.trace(cho_solve(factor_q, cov_p))
    mahalanobis = delta @ cho_solve(factor_q, delta)
    logdet_q = 2.0 * np.sum(np.log(np.diag(factor_q[0])))
    logdet_p = 2.0 * np.sum(np.log(np.diag(factor_p[0])))
    return float(0.5 * (trace + mahalanobis - d + logdet_q - logdet_p))


def pareto_alpha_max(kappa, epsilon):
    r"""Best achievable removal :math:`(\sqrt\kappa + \sqrt\epsilon)^2`."""
    return (np.sqrt(kappa) + np.sqrt(epsilon)) ** 2


def pareto_epsilon_min(alpha, kappa):
    r"""Least preservation cost :math:`\max(0, \sqrt\alpha - \sqrt\kappa)^2`."""
    return np.maximum(0.0, np.sqrt(alpha) - np.sqrt(kappa)) ** 2


# --------------------------------------------------------------- edits
class EditCurve(NamedTuple):
    """KLs after deleting the first f rows of a deletion order, f = 0, 1, ..."""

    alpha: np.ndarray  # (n_steps,) KL(p1 || p_hat): removal
    epsilon: np.ndarray  # (n_steps,) KL(p2 || p_hat): preservation cost
    kappa: float  # KL(p1 || p2)


def ridge(cov: np.ndarray, reg: float) -> np.ndarray:
    """``cov`` plus ``reg`` times its mean variance (or 1) on the diagonal.

    ``cov`` may be a stack (..., d, d); each matrix gets its own scale.
    """
    d = cov.shape[-1]
    scale = np.trace(cov, axis1=-2, axis2=-1) / d
    scale = np.where(scale > 0, scale, 1.0)
    out = cov + (reg * scale)[..., None, None] * np.eye(d)
    return out


def _whitener(stats: DomainStats, reg: float) -> np.ndarray:
    """W with ``(x - y) W`` whitened under the ridged pooled covariance."""
    n = stats.n_forget + stats.n_retain
    shared = ridge((stats.scatter_forget + stats.scatter_retain) / n, reg)
    L = np.linalg.cholesky(shared)
    return solve_triangular(L, np.eye(L.shape[0]), lower=True).T


def _mean_family(delta_w: np.ndarray, n1: int, n2: int, sums_w, n_deleted):
    """alpha, epsilon for deleted-row sums ``sums_w`` (whitened, centred at m2)."""
    N = n1 + n2 - n_deleted
    u = (n1 * delta_w - sums_w) / N[:, None]  # whitened edited mean minus m2
    alpha = 0.5 * np.einsum("ij,ij->i", u - delta_w, u - delta_w)
    epsilon = 0.5 * np.einsum("ij,ij->i", u, u)
    return alpha, epsilon


def _logdet(C: np.ndarray) -> np.ndarray:
    L = np.linalg.cholesky(C)
    return 2.0 * np.sum(np.log(np.diagonal(L, axis1=-2, axis2=-1)), axis=-1)


def _full_family(stats: DomainStats, reg: float, sums, outers, n_deleted):
    """alpha, epsilon for deleted-row sums and outer products (centred at m2)."""
    n1, n2 = stats.n_forget, stats.n_retain
    d = stats.mean_forget.size
    delta = stats.mean_forget - stats.mean_retain
    C1 = ridge(stats.scatter_forget / n1, reg)
    C2 = ridge(stats.scatter_retain / n2, reg)
    total = stats.scatter_forget + stats.scatter_retain + n1 * np.outer(delta, delta)
    N = (n1 + n2 - n_deleted).astype(np.float64)
    u = (n1 * delta - sums) / N[:, None]  # edited mean minus m2
    C = (total - outers) / N[:, None, None] - u[:, :, None] * u[:, None, :]
    C = ridge(C, reg)
    rhs = np.empty((u.shape[0], d, 2 * d + 2))
    rhs[:, :, :d], rhs[:, :, d : 2 * d] = C1, C2
    rhs[:, :, 2 * d], rhs[:, :, 2 * d + 1] = u - delta, u
    sol = np.linalg.solve(C, rhs)
    logdet = _logdet(C)
    trace1 = np.trace(sol[:, :, :d], axis1=1, axis2=2)
    trace2 = np.trace(sol[:, :, d : 2 * d], axis1=1, axis2=2)
    quad1 = np.einsum("ij,ij->i", u - delta, sol[:, :, 2 * d])
    quad2 = np.einsum("ij,ij->i", u, sol[:, :, 2 * d + 1])
    alpha = 0.5 * (trace1 + quad1 - d + logdet - _logdet(C1))
    epsilon = 0.5 * (trace2 + quad2 - d + logdet - _logdet(C2))
    return alpha, epsilon


def _kappa(stats: DomainStats, family: str, reg: float) -> float:
    delta = stats.mean_forget - stats.mean_retain
    if family == "gaussian_mean":
        delta_w = delta @ _whitener(stats, reg)
        return float(0.5 * delta_w @ delta_w)
    C1 = ridge(stats.scatter_forget / stats.n_forget, reg)
    C2 = ridge(stats.scatter_retain / stats.n_retain, reg)
    return gaussian_kl_full(stats.mean_forget, C1, stats.mean_retain, C2)


def edit_kl(
    X: np.ndarray, deleted: np.ndarray, stats: DomainStats, family: str, reg: float
) -> EditCurve:
    """KLs of one edit: delete the rows ``deleted`` of ``X`` (forget rows).

    ``stats`` are the statistics of the unedited domains (with scatters). The
    result is an :class:`EditCurve` of one step.
    """
    m2 = stats.mean_retain
    d = m2.size
    n_deleted = np.array([deleted.size])
    if family == "gaussian_mean":
        W = _whitener(stats, reg)
        total = np.zeros(d)
        for _, B in blocks(X, deleted):
            total += (B - m2).sum(axis=0)
        delta_w = (stats.mean_forget - m2) @ W
        alpha, epsilon = _mean_family(
            delta_w, stats.n_forget, stats.n_retain, (total @ W)[None], n_deleted
        )
    else:
        total, outer = np.zeros(d), np.zeros((d, d))
        for _, B in blocks(X, deleted):
            Z = B - m2
            total += Z.sum(axis=0)
            outer += Z.T @ Z
        alpha, epsilon = _full_family(stats, reg, total[None], outer[None], n_deleted)
    return EditCurve(alpha, epsilon, _kappa(stats, family, reg))


def edit_curve(
    X: np.ndarray,
    order: np.ndarray,
    stats: DomainStats,
    family: str,
    reg: float,
) -> EditCurve:
    r"""KLs after deleting ``order[:f]`` for every f = 0 .. len(order).

    Running sums of the deleted rows (and, for ``"gaussian"``, of their outer
    products) update :math:`\hat p` one row at a time, evaluated by blocks:
    ``"gaussian_mean"`` costs one GEMM of the rows with a d x d whitening
    matrix plus O(n d); ``"gaussian"`` a d x d solve per step, O(n d^3).
    """
    m2 = stats.mean_retain
    d = m2.size
    n1, n2 = stats.n_forget, stats.n_retain
    alpha = np.empty(order.size + 1)
    epsilon = np.empty(order.size + 1)
    if family == "gaussian_mean":
        W = _whitener(stats, reg)
        delta_w = (stats.mean_forget - m2) @ W
        carry = np.zeros(d)
        alpha[:1], epsilon[:1] = _mean_family(delta_w, n1, n2, carry[None], np.zeros(1))
        for start, B in blocks(X, order):
            sums = np.cumsum((B - m2) @ W, axis=0)
            sums += carry
            steps = np.arange(start + 1, start + 1 + B.shape[0])
            stop = start + 1 + B.shape[0]
            alpha[start + 1 : stop], epsilon[start + 1 : stop] = _mean_family(
                delta_w, n1, n2, sums, steps
            )
            carry = sums[-1]
    else:
        carry, carry_outer = np.zeros(d), np.zeros((d, d))
        alpha[:1], epsilon[:1] = _full_family(
            stats, reg, carry[None], carry_outer[None], np.zeros(1)
        )
        step = max(1, OUTER_BLOCK_BYTES // (8 * d * d))
        for start, B in blocks(X, order, step):
            Z = B - m2
            sums = np.cumsum(Z, axis=0) + carry
            outers = np.cumsum(Z[:, :, None] * Z[:, None, :], axis=0) + carry_outer
            steps = np.arange(start + 1, start + 1 + B.shape[0])
            stop = start + 1 + B.shape[0]
            alpha[start + 1 : stop], epsilon[start + 1 : stop] = _full_family(
                stats, reg, sums, outers, steps
            )
            carry, carry_outer = sums[-1], outers[-1]
    return EditCurve(alpha, epsilon, _kappa(stats, family, reg))


def smallest_budget(curve: EditCurve, alpha: float, epsilon: float) -> int:
    """Smallest f with ``curve.alpha[f] >= alpha`` and ``curve.epsilon[f] <=
    epsilon``, or -1 when no step meets both."""
    ok = (curve.alpha >= alpha) & (curve.epsilon <= epsilon)
    return int(np.argmax(ok)) if ok.any() else -1


# ------------------------------------------- 1-D population model (paper §4)
def folded_normal_cdf(u, kappa):
    r""":math:`g(u; \kappa) = \Phi(u - \sqrt{2\kappa}) + \Phi(u + \sqrt{2\kappa})
    - 1`, the CDF of :math:`|Z + \sqrt{2\kappa}|`, :math:`Z \sim N(0, 1)`."""
    shift = np.sqrt(2.0 * np.asarray(kappa, dtype=np.float64))
    u = np.asarray(u, dtype=np.float64)
    return norm.cdf(u - shift) + norm.cdf(u + shift) - 1.0


def folded_normal_quantile(r, kappa, *, n_iter: int = 64):
    """The u >= 0 with ``folded_normal_cdf(u, kappa) = r`` (vectorised bisection)."""
    r, kappa = np.broadcast_arrays(
        np.asarray(r, dtype=np.float64), np.asarray(kappa, dtype=np.float64)
    )
    lo = np.zeros(r.shape)
    hi = np.sqrt(2.0 * kappa) + 40.0
    for _ in range(n_iter):
        mid = 0.5 * (lo + hi)
        below = folded_normal_cdf(mid, kappa) < r
        lo = np.where(below, mid, lo)
        hi = np.where(below, hi, mid)
    return 0.5 * (lo + hi)


def population_curve_1d(
    kappa: float, kept_fraction, n_forget: int, n_retain: int, rule: str
) -> tuple[np.ndarray, np.ndarray]:
    r"""Population (alpha, epsilon) of the paper's 1-D model after deleting.

    :math:`p_2 = N(0, 1)`, :math:`p_1 = N(\sqrt{2\kappa}, 1)`, mean-only refit
    with unit variance; ``kept_fraction`` r of the forget set is kept, chosen
    at random (``rule="random"``: the edited mean is :math:`w \mu_1`, :math:`w
    = n_1 r / (n_1 r + n_2)`) or by the distance to the retained mean
    (``"euclidean"``: the kept forget samples are :math:`|x| \le t`,
    :math:`t = g^{-1}(r; \kappa)`, of mean :math:`m_r = E[X \mid |X| \le t]`).
    """
    mu1 = np.sqrt(2.0 * kappa)
    r = np.asarray(kept_fraction, dtype=np.float64)
    if rule == "random":
        kept_mean = np.full(r.shape, mu1)
    else:
        t = folded_normal_quantile(r, kappa)
        a, b = -t - mu1, t - mu1  # the window |x| <= t, standardised
        mass = norm.cdf(b) - norm.cdf(a)
        safe = np.where(mass > 0, mass, 1.0)
        kept_mean = np.where(mass > 0, mu1 + (norm.pdf(a) - norm.pdf(b)) / safe, 0.0)
    mean_hat = n_forget * r * kept_mean / (n_forget * r + n_retain)
    return 0.5 * (mu1 - mean_hat) ** 2, 0.5 * mean_hat**2
