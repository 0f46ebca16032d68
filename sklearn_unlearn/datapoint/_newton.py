"""Certified removal kernels for L2-regularised logistic models.

The retained objective of a linear classifier, in the mean scaling that
scikit-learn's solvers use, is

.. math::

    F(\\theta) = \\frac1n \\sum_{i \\le n} \\ell(y_i, \\tilde x_i^\\top \\theta)
    + \\frac\\lambda2 \\|W\\|_F^2 + \\frac1n b^\\top \\theta ,

over the ``n`` retained rows, with :math:`\\tilde x = (x, 1)` when there is an
intercept (never penalised), the weights :math:`W` (all of :math:`\\theta` but
the intercept row) and an optional random linear term :math:`b`. One Newton
step from the original weights moves them to (nearly) the minimiser of
:math:`F`; :func:`newton_removal` takes it and certifies how near.

*The bound.* If the Hessian of :math:`F` is at least :math:`\\mu` on the ball
of radius :math:`r` around :math:`\\theta` and :math:`\\|\\nabla F(\\theta)\\|
\\le \\mu r`, then along every ray from :math:`\\theta` the directional
derivative is positive beyond distance :math:`\\|\\nabla F(\\theta)\\| / \\mu`,
so the minimiser lies within that distance. Over the ball each logit moves by
at most :math:`r \\|\\tilde x_i\\|`, which bounds the curvature of each row from
below: :math:`\\sigma'(|z_i| + r \\|\\tilde x_i\\|)` for a sigmoid, and
:math:`e^{-2 r \\|\\tilde x_i\\|}` times its curvature at :math:`\\theta` for
a softmax (the curvature :math:`v^\\top (\\operatorname{diag}(p) - p
p^\\top) v = \\min_c \\sum_k p_k (v_k - c)^2` is a variance, and every
:math:`p_k` moves by at most that factor). The smallest eigenvalue of the
resulting matrix (data curvature plus :math:`\\lambda` on the weights) is
:math:`\\mu`; without intercept it is at least :math:`\\lambda`, the strong
convexity of the L2 term. A softmax with intercept is invariant to a common
shift of its intercepts: the minimiser is unique up to that shift, and the
distance is measured with the intercepts centred.

Arrays in, arrays or NamedTuple out; no validation, no scikit-learn objects.
"""

from collections.abc import Callable
from typing import NamedTuple

import numpy as np
from scipy.linalg import cho_factor, cho_solve
from scipy.optimize import brentq
from scipy.special import expit, softmax
from scipy.stats import norm

__all__ = ["Removal", "distance_bound", "gaussian_epsilon", "newton_removal"]

#: Ball radii tried before the bound is given up (inf).
MAX_RADIUS_TRIES = 40


class Removal(NamedTuple):
    """Weights after a removal step and their certificate."""

    coef: np.ndarray  # (n_features, n_outputs)
    intercept: np.ndarray  # (n_outputs,)
    gradient_norm: float  # ||grad F|| at the returned weights
    distance_bound: float  # bound on the distance to the minimiser of F


def weighted_gram(X: np.ndarray, w: np.ndarray, fit_intercept: bool) -> np.ndarray:
    """``X~^T diag(w) X~`` with ``X~ = [X, 1]`` when ``fit_intercept``."""
    Xw = X * w[:, None]
    top = Xw.T @ X
    if not fit_intercept:
        return top
    d = X.shape[1]
    gram = np.empty((d + 1, d + 1))
    gram[:d, :d] = top
    gram[:d, d] = gram[d, :d] = Xw.sum(axis=0)
    gram[d, d] = w.sum()
    return gram


def _penalised(d: int, fit_intercept: bool) -> np.ndarray:
    """1 for each row of theta the L2 term covers, 0 for the intercept row."""
    return np.r_[np.ones(d), np.zeros(int(fit_intercept))]


def _logits(X: np.ndarray, theta: np.ndarray, fit_intercept: bool) -> np.ndarray:
    d = X.shape[1]
    z = X @ theta[:d]
    return z + theta[d] if fit_intercept else z


def _gradient(X, residual, theta, l2, fit_intercept, b) -> np.ndarray:
    """``X~^T residual + l2 W (+ b / n)``; ``residual`` holds dloss/dz over n."""
    grad = X.T @ residual
    if fit_intercept:
        grad = np.vstack([grad, residual.sum(axis=0, keepdims=True)])
    grad += l2 * _penalised(X.shape[1], fit_intercept)[:, None] * theta
    if b is not None:
        grad += b / X.shape[0]
    return grad


def distance_bound(gradient_norm: float, floor: Callable[[float], float]) -> float:
    """Radius of a ball around the weights that holds the minimiser.

    ``floor(r)`` is a lower bound on the Hessian's smallest eigenvalue over
    the ball of radius ``r``, non-increasing in ``r``. A radius ``r`` with
    ``gradient_norm <= floor(r) r`` certifies ``gradient_norm / floor(r)``.
    The radii tried grow from ``gradient_norm / floor(0)`` by the fixed-point
    iteration ``r <- 1.01 gradient_norm / floor(r)``, which reaches such a
    radius (the smallest, up to 1%) when there is one; inf when none is found.
    """
    if gradient_norm == 0.0:
        return 0.0
    mu = floor(0.0)
    for _ in range(MAX_RADIUS_TRIES):
        if not mu > 0.0:
            return np.inf
        radius = 1.01 * gradient_norm / mu
        mu = floor(radius)
        if mu > 0.0 and gradient_norm <= mu * radius:
            return gradient_norm / mu
    return np.inf


def _certified(gradient_norm, step_norm, hessian_floor, rate, row_floor):
    """The bound, first from the Hessian of the step, then row by row.

    Over the ball of radius ``r`` around the result (inside the ball of radius
    ``r + step_norm`` around the start) each row's curvature is at least
    ``exp(-rate (r + step_norm))`` times its value at the start, hence the
    whole Hessian at least that times ``hessian_floor`` (its smallest
    eigenvalue at the start): no new pass over the data. When that bound
    fails, ``row_floor`` bounds each row's curvature at the result.
    """
    bound = distance_bound(
        gradient_norm, lambda r: np.exp(-rate * (r + step_norm)) * hessian_floor
    )
    return bound if np.isfinite(bound) else distance_bound(gradient_norm, row_floor)


def _row_norms(X: np.ndarray, fit_intercept: bool) -> np.ndarray:
    return np.sqrt(np.einsum("ij,ij->i", X, X) + float(fit_intercept))


def _smallest_eigenvalue(matrix: np.ndarray) -> float:
    return float(np.linalg.eigvalsh(matrix)[0])


def _binary(X, y, theta, l2, fit_intercept, b):
    """Newton step and certificate of one sigmoid output; ``y`` in {0, 1}."""
    n, d = X.shape
    penalty = np.diag(l2 * _penalised(d, fit_intercept))

    def gradient_and_logits(t):
        z = _logits(X, t, fit_intercept)
        return _gradient(X, (expit(z) - y[:, None]) / n, t, l2, fit_intercept, b), z

    grad, z = gradient_and_logits(theta)
    s = expit(z[:, 0])
    hessian = weighted_gram(X, s * (1.0 - s) / n, fit_intercept) + penalty
    step = cho_solve(cho_factor(hessian), grad)
    theta = theta - step
    grad, z = gradient_and_logits(theta)
    margin, norms = np.abs(z[:, 0]), _row_norms(X, fit_intercept)

    def floor(radius):
        s = expit(margin + radius * norms)
        gram = weighted_gram(X, s * (1.0 - s) / n, fit_intercept)
        return _smallest_eigenvalue(gram + penalty)

    norm_ = float(np.linalg.norm(grad))
    # a sigmoid's log-curvature moves at most as fast as its logit
    bound = _certified(
        norm_, float(np.linalg.norm(step)), _smallest_eigenvalue(hessian),
        float(norms.max()), floor,
    )  # fmt: skip
    return theta, norm_, bound


def _softmax_hessian(X, P, scale, l2, fit_intercept) -> np.ndarray:
    """Hessian of the objective with row ``i``'s loss curvature times ``scale[i]``.

    Flattened over theta of shape (p, K) in C order. With an intercept, the
    null direction of a common intercept shift gets eigenvalue ``trace(H)``:
    the matrix is then definite and its smallest eigenvalue is the smallest
    over the other directions.
    """
    n, d = X.shape
    K = P.shape[1]
    p = d + int(fit_intercept)
    hessian = np.zeros((p, K, p, K))
    for k in range(K):
        for j in range(k, K):
            w = scale * P[:, k] * ((j == k) - P[:, j]) / n
            block = weighted_gram(X, w, fit_intercept)
            hessian[:, k, :, j] = block
            hessian[:, j, :, k] = block
    hessian = hessian.reshape(p * K, p * K)
    hessian[np.diag_indices(p * K)] += l2 * np.repeat(_penalised(d, fit_intercept), K)
    # directions shared by all classes (theta[a] += c for all K): the loss
    # ignores them, so they are eigenvectors (of eigenvalue l2, or 0 for the
    # intercept); lifting them by trace(H) leaves the class-centred directions
    # the smallest eigenvalue, and keeps H definite for the step
    shared = np.kron(np.eye(p), np.full((K, K), 1.0 / K))
    return hessian + np.trace(hessian) * shared


def _multinomial(X, y, theta, l2, fit_intercept, b):
    """Newton step and certificate of a softmax over ``K`` outputs.

    The objective splits into a function of the class-centred weights and
    ``K l2 / 2 ||v||^2`` in the weights ``v`` shared by all classes (the loss
    ignores them), so the distance splits too: exactly ``||g_v|| / l2`` for
    the shared part (a quadratic), the ball argument for the centred part.
    Over the ball of radius ``r`` every log-probability moves by at most
    ``2 r ||x~_i||``, and the loss curvature of a row (a variance under
    ``p_i``) by at most that factor in the exponent.
    """
    n = X.shape[0]
    K = theta.shape[1]
    Y = np.zeros((n, K))
    Y[np.arange(n), y] = 1.0
    ones = np.ones(n)

    def gradient_and_probabilities(t):
        P = softmax(_logits(X, t, fit_intercept), axis=1)
        return _gradient(X, (P - Y) / n, t, l2, fit_intercept, b), P

    grad, P = gradient_and_probabilities(theta)
    hessian = _softmax_hessian(X, P, ones, l2, fit_intercept)
    step = cho_solve(cho_factor(hessian), grad.ravel())
    theta = theta - step.reshape(theta.shape)
    grad, P = gradient_and_probabilities(theta)
    norms = _row_norms(X, fit_intercept)

    def floor(radius):
        scale = np.exp(-2.0 * radius * norms)
        return _smallest_eigenvalue(_softmax_hessian(X, P, scale, l2, fit_intercept))

    shared = grad.mean(axis=1, keepdims=True)
    shared_norm = float(np.linalg.norm(shared[: X.shape[1]])) * np.sqrt(K)
    centred_norm = float(np.linalg.norm(grad - shared))
    centred = _certified(
        centred_norm, float(np.linalg.norm(step)),
        min(l2, _smallest_eigenvalue(hessian)), 2.0 * float(norms.max()), floor,
    )  # fmt: skip
    bound = np.hypot(shared_norm / l2, centred)
    return theta, float(np.linalg.norm(grad)), float(bound)


def newton_removal(
    X: np.ndarray,
    y: np.ndarray,
    coef: np.ndarray,
    intercept: np.ndarray,
    l2: float,
    link: str,
    fit_intercept: bool,
    noise: np.ndarray | None = None,
) -> Removal:
    """One Newton step on the retained objective, and its certificate.

    Parameters
    ----------
    X : ndarray of shape (n_samples, n_features)
        The retained rows, float64.
    y : ndarray of shape (n_samples,)
        Their class indices.
    coef : ndarray of shape (n_features, n_outputs)
        The weights to start from (the original model's).
    intercept : ndarray of shape (n_outputs,)
        Its intercepts (zeros, and kept so, without ``fit_intercept``).
    l2 : float
        The L2 coefficient :math:`\\lambda` of the mean objective, positive.
    link : {"logistic", "softmax", "ovr"}
        One sigmoid (binary), a softmax over the outputs (multinomial), or one
        independent binary problem per output (one-vs-rest).
    fit_intercept : bool
        Whether the intercepts are free (and unpenalised).
    noise : ndarray of shape (n_features + fit_intercept, n_outputs), default=None
        The random vector :math:`b` of the linear term, or None.

    Returns
    -------
    removal : Removal
        The weights, the norm of the gradient of the retained objective there
        (summed over the problems of ``"ovr"``) and the bound on the distance
        to its minimiser.
    """
    d = X.shape[1]
    theta = np.vstack([coef, intercept[None, :]]) if fit_intercept else coef.copy()
    if link == "softmax":
        theta, norm_, bound = _multinomial(X, y, theta, l2, fit_intercept, noise)
    else:
        columns, norms, bounds = [], [], []
        for k in range(theta.shape[1]):
            target = (y == k) if link == "ovr" else (y == 1)
            b = None if noise is None else noise[:, k : k + 1]
            t, g, r = _binary(
                X, target.astype(float), theta[:, k : k + 1], l2, fit_intercept, b
            )
            columns.append(t)
            norms.append(g)
            bounds.append(r)
        theta = np.hstack(columns)
        norm_ = float(np.hypot.reduce(norms))
        bound = float(np.sqrt(np.sum(np.square(bounds))))
    new_intercept = theta[d].copy() if fit_intercept else np.zeros_like(intercept)
    return Removal(theta[:d].copy(), new_intercept, norm_, bound)


def gaussian_epsilon(sensitivity: float, sigma: float, delta: float) -> float:
    """Smallest epsilon of the Gaussian mechanism at ``delta``.

    A vector moved by at most ``sensitivity`` and hidden by Gaussian noise of
    standard deviation ``sigma`` per coordinate is (epsilon, delta)
    indistinguishable for every epsilon with
    :math:`\\Phi(\\frac a2 - \\frac\\epsilon a) - e^\\epsilon
    \\Phi(-\\frac a2 - \\frac\\epsilon a) \\le \\delta`, :math:`a =` ``sensitivity
    / sigma`` (the exact condition of the Gaussian mechanism, Balle and Wang
    2018). 0 when nothing moved, inf without noise.
    """
    if sensitivity == 0.0:
        return 0.0
    if sigma == 0.0:
        return np.inf
    a = sensitivity / sigma

    def excess(eps):
        tail = np.exp(eps + norm.logcdf(-a / 2.0 - eps / a))
        return norm.cdf(a / 2.0 - eps / a) - tail - delta

    if excess(0.0) <= 0.0:
        return 0.0
    high = 1.0
    while excess(high) > 0.0:
        high *= 2.0
    return float(brentq(excess, 0.0, high, xtol=1e-12))
