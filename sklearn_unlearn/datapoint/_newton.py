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
:math:`F`; :func:`newton_removal` takes it (or a few) and certifies how near.
Each step is one pass over the rows for the gradient and the Hessian
(:func:`~sklearn_unlearn.datapoint._curvature.row_pass`), then a Cholesky
solve; the certificate takes one more pass, for the gradient at the result.

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

from sklearn_unlearn.datapoint._curvature import row_pass, weighted_gram

__all__ = [
    "Removal",
    "distance_bound",
    "gaussian_epsilon",
    "newton_removal",
    "weighted_gram",
]

#: Ball radii tried before the bound is given up (inf).
MAX_RADIUS_TRIES = 40


class Removal(NamedTuple):
    """Weights after a removal step and their certificate."""

    coef: np.ndarray  # (n_features, n_outputs)
    intercept: np.ndarray  # (n_outputs,)
    gradient_norm: float  # ||grad F|| at the returned weights
    distance_bound: float  # bound on the distance to the minimiser of F


def _penalised(d: int, fit_intercept: bool) -> np.ndarray:
    """1 for each row of theta the L2 term covers, 0 for the intercept row."""
    return np.r_[np.ones(d), np.zeros(int(fit_intercept))]


def _regularised(data, theta, l2, fit_intercept, b, n) -> np.ndarray:
    """The gradient of ``F`` from its data part ``data = X~^T residual``."""
    d = theta.shape[0] - int(fit_intercept)
    grad = data / n + l2 * _penalised(d, fit_intercept)[:, None] * theta
    return grad if b is None else grad + b / n


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


def _smallest_eigenvalue(matrix: np.ndarray) -> float:
    return float(np.linalg.eigvalsh(matrix)[0])


def _fill_norms(norms, Xc, rows):
    norms[rows] = np.einsum("ij,ij->i", Xc, Xc)


def _binary(X, y, theta, l2, fit_intercept, b, weight, steps):
    """Newton steps and certificate of one sigmoid output; ``y`` in {0, 1}."""
    n = X.shape[0] if weight is None else float(weight.sum())
    penalty = np.diag(l2 * _penalised(X.shape[1], fit_intercept))
    squares = np.empty(X.shape[0])

    def rows_fn(hessian):
        def fn(Xc, z, rows):
            s = expit(z[:, 0])
            residual, curvature = (s - y[rows])[:, None], (s * (1.0 - s))[:, None]
            if weight is not None:
                residual *= weight[rows, None]
                curvature *= weight[rows, None]
            if not hessian:
                _fill_norms(squares, Xc, rows)
            return residual, curvature if hessian else None

        return fn

    for _ in range(steps):
        _, data, (gram,) = row_pass(X, theta, fit_intercept, rows_fn(True))
        hessian = gram / n + penalty
        grad = _regularised(data, theta, l2, fit_intercept, b, n)
        step = cho_solve(cho_factor(hessian), grad)
        theta = theta - step
    z, data, _ = row_pass(X, theta, fit_intercept, rows_fn(False))
    grad = _regularised(data, theta, l2, fit_intercept, b, n)
    margin, norms = np.abs(z[:, 0]), np.sqrt(squares + float(fit_intercept))

    def floor(radius):
        s = expit(margin + radius * norms)
        w = s * (1.0 - s) / n
        w = w if weight is None else w * weight
        return _smallest_eigenvalue(weighted_gram(X, w, fit_intercept) + penalty)

    norm_ = float(np.linalg.norm(grad))
    # a sigmoid's log-curvature moves at most as fast as its logit
    bound = _certified(
        norm_, float(np.linalg.norm(step)), _smallest_eigenvalue(hessian),
        _largest(norms, weight), floor,
    )  # fmt: skip
    return theta, norm_, bound


def _largest(norms, weight) -> float:
    """The largest row norm among the rows in the objective."""
    return float(norms.max() if weight is None else norms[weight > 0].max())


def _pair_weights(P: np.ndarray) -> np.ndarray:
    """Curvature weights ``q (1 - q)`` of the softmax Hessian's blocks.

    ``q = p_a`` for each class ``a < K - 1`` (diagonal blocks), then ``q = p_a
    + p_b`` for each pair ``a < b < K - 1``: all nonnegative, so each block is
    a ``syrk`` (see :func:`_softmax_hessian`).
    """
    K = P.shape[1]
    q = [P[:, a] for a in range(K - 1)]
    q += [P[:, a] + P[:, c] for a in range(K - 1) for c in range(a + 1, K - 1)]
    Q = np.column_stack(q)
    return np.maximum(Q * (1.0 - Q), 0.0)  # q <= 1 up to rounding


def _softmax_hessian(grams, K, l2, fit_intercept) -> np.ndarray:
    """Hessian of the objective from the Gram matrices of :func:`_pair_weights`.

    Block ``(a, b)`` of the data term is ``X~^T diag(p_a (d_ab - p_b)) X~``.
    Since ``q (1 - q)`` for ``q = p_a + p_b`` is ``p_a (1 - p_a) + p_b (1 -
    p_b) - 2 p_a p_b``, the off-diagonal block is half the pair's Gram matrix
    less the two diagonal ones; since the curvature of each row sums to 0 over
    ``b``, the last class's blocks are minus the sums of the others. Flattened
    over theta of shape (p, K) in C order. With an intercept, the null
    direction of a common intercept shift gets eigenvalue ``trace(H)``: the
    matrix is then definite and its smallest eigenvalue is the smallest over
    the other directions.
    """
    p = grams[0].shape[0]
    d = p - int(fit_intercept)
    blocks = np.empty((K, K, p, p))
    pairs = iter(grams[K - 1 :])
    for a in range(K - 1):
        blocks[a, a] = grams[a]
        for c in range(a + 1, K - 1):
            blocks[a, c] = blocks[c, a] = 0.5 * (next(pairs) - grams[a] - grams[c])
    for a in range(K - 1):
        blocks[a, K - 1] = blocks[K - 1, a] = -blocks[a, : K - 1].sum(axis=0)
    blocks[K - 1, K - 1] = -blocks[K - 1, : K - 1].sum(axis=0)
    hessian = blocks.transpose(2, 0, 3, 1).reshape(p * K, p * K)
    hessian[np.diag_indices(p * K)] += l2 * np.repeat(_penalised(d, fit_intercept), K)
    # directions shared by all classes (theta[a] += c for all K): the loss
    # ignores them, so they are eigenvectors (of eigenvalue l2, or 0 for the
    # intercept); lifting them by trace(H) leaves the class-centred directions
    # the smallest eigenvalue, and keeps H definite for the step
    shared = np.kron(np.eye(p), np.full((K, K), 1.0 / K))
    return hessian + np.trace(hessian) * shared


def _multinomial(X, y, theta, l2, fit_intercept, b, weight, steps):
    """Newton steps and certificate of a softmax over ``K`` outputs.

    The objective splits into a function of the class-centred weights and
    ``K l2 / 2 ||v||^2`` in the weights ``v`` shared by all classes (the loss
    ignores them), so the distance splits too: exactly ``||g_v|| / l2`` for
    the shared part (a quadratic), the ball argument for the centred part.
    Over the ball of radius ``r`` every log-probability moves by at most
    ``2 r ||x~_i||``, and the loss curvature of a row (a variance under
    ``p_i``) by at most that factor in the exponent.
    """
    n = X.shape[0] if weight is None else float(weight.sum())
    K = theta.shape[1]
    squares = np.empty(X.shape[0])

    def rows_fn(hessian):
        def fn(Xc, z, rows):
            P = softmax(z, axis=1)
            residual = P.copy()
            residual[np.arange(len(P)), y[rows]] -= 1.0
            curvature = _pair_weights(P) if hessian else None
            if weight is not None:
                residual *= weight[rows, None]
                if hessian:
                    curvature *= weight[rows, None]
            if not hessian:
                _fill_norms(squares, Xc, rows)
            return residual, curvature

        return fn

    for _ in range(steps):
        _, data, grams = row_pass(X, theta, fit_intercept, rows_fn(True))
        hessian = _softmax_hessian([g / n for g in grams], K, l2, fit_intercept)
        grad = _regularised(data, theta, l2, fit_intercept, b, n)
        step = cho_solve(cho_factor(hessian), grad.ravel()).reshape(theta.shape)
        theta = theta - step
    z, data, _ = row_pass(X, theta, fit_intercept, rows_fn(False))
    grad = _regularised(data, theta, l2, fit_intercept, b, n)
    norms = np.sqrt(squares + float(fit_intercept))

    def floor(radius):
        P = softmax(z, axis=1)
        scale = np.exp(-2.0 * radius * norms) / n
        if weight is not None:
            scale *= weight
        W = _pair_weights(P) * scale[:, None]
        grams = row_pass(X, None, fit_intercept, lambda Xc, _, rows: (None, W[rows]))
        return _smallest_eigenvalue(_softmax_hessian(grams[2], K, l2, fit_intercept))

    shared = grad.mean(axis=1, keepdims=True)
    shared_norm = float(np.linalg.norm(shared[: X.shape[1]])) * np.sqrt(K)
    centred_norm = float(np.linalg.norm(grad - shared))
    centred = _certified(
        centred_norm, float(np.linalg.norm(step)),
        _smallest_eigenvalue(hessian), 2.0 * _largest(norms, weight), floor,
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
    steps: int = 1,
    retain: np.ndarray | None = None,
) -> Removal:
    """Newton steps on the retained objective, and their certificate.

    Parameters
    ----------
    X : ndarray of shape (n_samples, n_features)
        The rows, float64.
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
    steps : int, default=1
        Newton steps to take, each from the last (full steps, no line search);
        the certificate is the last one's. Each costs a pass over ``X``.
    retain : ndarray of bool, shape (n_samples,), default=None
        The rows of the objective (the retained rows); None for all. Saves
        gathering them into a copy: the others get weight 0.

    Returns
    -------
    removal : Removal
        The weights, the norm of the gradient of the retained objective there
        (summed over the problems of ``"ovr"``) and the bound on the distance
        to its minimiser.
    """
    d = X.shape[1]
    X = np.ascontiguousarray(X, dtype=np.float64)
    weight = None if retain is None else np.asarray(retain, dtype=np.float64)
    theta = np.vstack([coef, intercept[None, :]]) if fit_intercept else coef.copy()
    if link == "softmax":
        theta, norm_, bound = _multinomial(
            X, y, theta, l2, fit_intercept, noise, weight, steps
        )
    else:
        columns, norms, bounds = [], [], []
        for k in range(theta.shape[1]):
            target = (y == k) if link == "ovr" else (y == 1)
            b = None if noise is None else noise[:, k : k + 1]
            t, g, r = _binary(
                X, target.astype(float), theta[:, k : k + 1], l2, fit_intercept, b,
                weight, steps,
            )  # fmt: skip
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
