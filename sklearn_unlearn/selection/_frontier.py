"""Pure kernels of distributional unlearning: Gaussian KL and the Pareto frontier.

Shared by the audit metrics and the selector. Arrays in, arrays out; no
validation.
"""

import numpy as np
from scipy.linalg import cho_factor, cho_solve

__all__ = [
    "gaussian_kl_full",
    "gaussian_kl_shared",
    "pareto_alpha_max",
    "pareto_epsilon_min",
]


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
