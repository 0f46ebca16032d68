"""Settling phases of MarginalUnlearner: warm-started fitting on the retained rows.

After each forgetting phase the network is trained on the retained rows only,
starting from the weights the forgetting phase left, with the estimator's own
objective (mean cross-entropy plus its L2 penalty). For a network without
hidden layer (logistic regression, SGD with log-loss) that objective is convex
and L-BFGS minimises it until every gradient entry is below ``gtol`` (1e-4,
the tolerance of scikit-learn's own L-BFGS): near the minimiser that retraining
approximates, not at it (the certified Newton removal of
:mod:`~sklearn_unlearn.datapoint._newton` says how near it gets). For an MLP
a few epochs (or a budget of steps) of Adam let the retained rows pull the
weights back to a settled
state. Pure functions on :class:`Network`.
"""

import numpy as np
from scipy.optimize import minimize

from sklearn_unlearn.datapoint._adam import Adam
from sklearn_unlearn.datapoint._network import (
    Network,
    backward,
    forward,
    half_squared_error,
    mean_cross_entropy,
)

__all__ = ["retained_objective", "settle_adam", "settle_lbfgs"]


def retained_objective(
    net: Network, X: np.ndarray, y: np.ndarray, l2: float
) -> tuple[float, list, list]:
    """Mean cross-entropy (a regressor: half the mean squared error) of ``net``
    on ``(X, y)`` plus ``l2 / 2 * sum ||W||^2``, and its gradients in the
    weights and the biases."""
    P, outputs = forward(net, X)
    if net.link == "identity":  # a regressor: y holds the (n, k) targets
        loss, dz = half_squared_error(P, y)
    else:
        loss, dz = mean_cross_entropy(outputs[-1], P, y, net.link)
    grad_w, grad_b = backward(net, outputs, dz)
    if l2:
        loss += 0.5 * l2 * sum(float(np.sum(W * W)) for W in net.weights)
        grad_w = [g + l2 * W for g, W in zip(grad_w, net.weights, strict=True)]
    return loss, grad_w, grad_b


def settle_adam(
    net: Network,
    X: np.ndarray,
    y: np.ndarray,
    l2: float,
    *,
    n_epochs: int,
    batch_size: int,
    learning_rate: float,
    rng: np.random.RandomState,
    max_steps: int | None = None,
) -> int:
    """``n_epochs`` of mini-batch Adam on the retained objective, in place.

    Stops after ``max_steps`` steps when it is set (mid-epoch if need be).
    Updates the arrays of ``net`` and returns the number of steps.
    """
    optimizer = Adam([*net.weights, *net.biases], learning_rate)
    steps = 0
    for _ in range(n_epochs):
        order = rng.permutation(X.shape[0])
        for start in range(0, order.size, batch_size):
            if max_steps is not None and steps >= max_steps:
                return steps
            rows = order[start : start + batch_size]
            _, grad_w, grad_b = retained_objective(net, X[rows], y[rows], l2)
            optimizer.step([*grad_w, *grad_b])
            steps += 1
    return steps


def settle_lbfgs(
    net: Network,
    X: np.ndarray,
    y: np.ndarray,
    l2: float,
    *,
    max_iter: int,
    gtol: float = 1e-4,
) -> int:
    """Minimise the retained objective by full-batch L-BFGS, in place.

    Stops when every gradient entry is below ``gtol`` (scikit-learn's
    ``LogisticRegression`` stops its L-BFGS at ``tol=1e-4`` on the same mean
    objective). Updates the arrays of ``net``; returns the number of iterations.
    """
    arrays = [*net.weights, *net.biases]
    shapes = [a.shape for a in arrays]
    bounds = np.cumsum([0] + [a.size for a in arrays])

    def unpack(theta):
        for a, lo, hi, shape in zip(
            arrays, bounds[:-1], bounds[1:], shapes, strict=True
        ):
            a[...] = theta[lo:hi].reshape(shape)

    def fun(theta):
        unpack(theta)
        loss, grad_w, grad_b = retained_objective(net, X, y, l2)
        return loss, np.concatenate([g.ravel() for g in [*grad_w, *grad_b]])

    theta0 = np.concatenate([a.ravel() for a in arrays])
    result = minimize(
        fun,
        theta0,
        jac=True,
        method="L-BFGS-B",
        options={"maxiter": max_iter, "gtol": gtol, "ftol": 1e-12},
    )
    unpack(result.x)
    return int(result.nit)
