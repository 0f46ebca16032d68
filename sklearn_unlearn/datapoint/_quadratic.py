"""Exact removal kernels for L2-regularised least squares (Ridge, SGDRegressor).

The retained objective, in mean scaling over the ``n`` retained rows, is

.. math::

    F(\\theta) = \\frac1{2n} \\|\\tilde X \\theta - y\\|^2
    + \\frac\\lambda2 \\|w\\|^2 + \\frac1n b^\\top \\theta ,

with :math:`\\tilde X = [X, 1]` when there is an (unpenalised) intercept and an
optional random linear term :math:`b`. It is quadratic with the constant
Hessian :math:`H = \\tilde X^\\top \\tilde X / n + \\lambda P` (:math:`P` the
identity on the weights, 0 on the intercept), so one Newton step from any
weights lands on its minimiser, and :math:`\\theta - \\theta^* = H^{-1} \\nabla
F(\\theta)` gives the bound :math:`\\|\\theta - \\theta^*\\| \\le \\|\\nabla
F(\\theta)\\| / \\lambda_{\\min}(H)`, which only rounding keeps above 0.

Arrays in, :class:`~sklearn_unlearn.datapoint._newton.Removal` out; no
validation, no scikit-learn objects.
"""

import numpy as np
from scipy.linalg import cho_factor, cho_solve

from sklearn_unlearn.datapoint._newton import Removal, weighted_gram

__all__ = ["least_squares_newton", "least_squares_solve"]


def _stack(coef: np.ndarray, intercept: float, fit_intercept: bool) -> np.ndarray:
    return np.r_[coef, intercept] if fit_intercept else coef.copy()


def _gradient(X, y, theta, l2, fit_intercept, b) -> np.ndarray:
    """The gradient of ``F`` at ``theta``."""
    n, d = X.shape
    residual = X @ theta[:d] - y
    if fit_intercept:
        residual += theta[d]
    grad = X.T @ residual / n + l2 * theta[:d]
    if fit_intercept:
        grad = np.r_[grad, residual.sum() / n]
    return grad if b is None else grad + b / n


def _certificate(X, y, theta, hessian, l2, fit_intercept, b) -> tuple[float, float]:
    """Gradient norm of ``F`` at ``theta`` and the bound on the distance."""
    grad = _gradient(X, y, theta, l2, fit_intercept, b)
    norm = float(np.linalg.norm(grad))
    smallest = float(np.linalg.eigvalsh(hessian)[0])
    bound = norm / smallest if smallest > 0 else np.inf
    return norm, bound if norm else 0.0


def _removal(theta, d, fit_intercept, norm, bound) -> Removal:
    intercept = np.array([theta[d] if fit_intercept else 0.0])
    return Removal(theta[:d, None].copy(), intercept, norm, bound)


def least_squares_solve(
    X: np.ndarray, y: np.ndarray, l2: float, fit_intercept: bool
) -> Removal:
    """The minimiser of ``F`` (no linear term) on the rows, solved directly.

    Centres the rows (the intercept is then ``mean(y) - mean(X) @ w``) and
    solves the ``d x d`` normal equations; the Hessian of the certificate is
    rebuilt from the centred Gram matrix, without a second pass over ``X``.
    """
    n, d = X.shape
    x_mean = X.mean(axis=0) if fit_intercept else np.zeros(d)
    y_mean = float(y.mean()) if fit_intercept else 0.0
    Xc = X - x_mean if fit_intercept else X
    gram = Xc.T @ Xc / n
    gram[np.diag_indices(d)] += l2
    w = cho_solve(cho_factor(gram), Xc.T @ (y - y_mean) / n)
    theta = np.r_[w, y_mean - x_mean @ w] if fit_intercept else w
    hessian = gram
    if fit_intercept:
        hessian = np.empty((d + 1, d + 1))
        hessian[:d, :d] = gram + np.outer(x_mean, x_mean)
        hessian[:d, d] = hessian[d, :d] = x_mean
        hessian[d, d] = 1.0
    norm, bound = _certificate(X, y, theta, hessian, l2, fit_intercept, None)
    return _removal(theta, d, fit_intercept, norm, bound)


def least_squares_newton(
    X: np.ndarray,
    y: np.ndarray,
    coef: np.ndarray,
    intercept: float,
    l2: float,
    fit_intercept: bool,
    noise: np.ndarray | None = None,
) -> Removal:
    """One Newton step on ``F`` from ``(coef, intercept)``, and its certificate.

    ``noise`` is the vector :math:`b` (length ``n_features + fit_intercept``)
    or None. For this quadratic the step is exact up to rounding.
    """
    n, d = X.shape
    theta = _stack(coef, intercept, fit_intercept)
    hessian = weighted_gram(X, np.full(n, 1.0 / n), fit_intercept)
    hessian[np.diag_indices(d)] += l2
    grad = _gradient(X, y, theta, l2, fit_intercept, noise)
    theta = theta - cho_solve(cho_factor(hessian), grad)
    norm, bound = _certificate(X, y, theta, hessian, l2, fit_intercept, noise)
    return _removal(theta, d, fit_intercept, norm, bound)
