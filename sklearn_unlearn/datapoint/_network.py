"""Pure kernels of marginal unlearning: forward pass, gradients, MI penalty.

Every supported classifier is a small feed-forward network: a stack of affine
layers (hidden activation in between) and an output *link* that turns the last
layer's logits into class probabilities, exactly as the estimator's
``predict_proba`` does:

- ``"softmax"``: multinomial (LogisticRegression, MLPClassifier multiclass);
- ``"logistic"``: one logit, ``P = [1 - s, s]`` with ``s = sigmoid(z)``
  (binary LogisticRegression, SGDClassifier and MLPClassifier);
- ``"ovr"``: one sigmoid per class, normalised to sum to one (multiclass
  SGDClassifier with log-loss);
- ``"identity"``: the logits themselves, one column per target (MLPRegressor,
  whose loss is :func:`half_squared_error`).

Arrays in, arrays out; no validation, no scikit-learn objects.
"""

from typing import NamedTuple

import numpy as np
from scipy.special import expit, softmax

__all__ = [
    "Network",
    "backward",
    "forward",
    "half_squared_error",
    "link_gradient",
    "mean_cross_entropy",
    "mutual_information_gradient",
    "Objective",
    "objective",
]


class Network(NamedTuple):
    """Weights of a feed-forward network (see the module docstring)."""

    weights: list  # [(n_in, n_out) arrays], input layer first
    biases: list  # [(n_out,) arrays]
    hidden: str  # "relu", "tanh", "logistic" or "identity"
    link: str  # "softmax", "logistic", "ovr" or "identity" (a regressor)


def _activate(z: np.ndarray, name: str) -> np.ndarray:
    if name == "relu":
        return np.maximum(z, 0.0)
    if name == "tanh":
        return np.tanh(z)
    if name == "logistic":
        return expit(z)
    return z


def _activation_derivative(a: np.ndarray, name: str) -> np.ndarray:
    """Derivative of the activation, written with its output ``a``."""
    if name == "relu":
        return (a > 0).astype(a.dtype)
    if name == "tanh":
        return 1.0 - a * a
    if name == "logistic":
        return a * (1.0 - a)
    return np.ones_like(a)


def _probabilities(z: np.ndarray, link: str) -> np.ndarray:
    if link == "identity":  # a regressor's predictions
        return z
    if link == "softmax":
        return softmax(z, axis=1)
    s = expit(z)
    if link == "logistic":
        return np.column_stack([1.0 - s[:, 0], s[:, 0]])
    return s / s.sum(axis=1, keepdims=True)


def forward(net: Network, X: np.ndarray) -> tuple[np.ndarray, list]:
    """Class probabilities (a regressor: its predictions) and the layer
    outputs ``[X, a_1, ..., z_out]``."""
    outputs = [X]
    a = X
    last = len(net.weights) - 1
    for i, (W, b) in enumerate(zip(net.weights, net.biases, strict=True)):
        z = a @ W + b
        a = z if i == last else _activate(z, net.hidden)
        outputs.append(a)
    return _probabilities(a, net.link), outputs


def mean_cross_entropy(
    z: np.ndarray, P: np.ndarray, y: np.ndarray, link: str
) -> tuple[float, np.ndarray]:
    """Mean cross-entropy of class indices ``y`` and its gradient in the logits."""
    n = y.size
    rows = np.arange(n)
    loss = -float(np.mean(np.log(np.clip(P[rows, y], np.finfo(P.dtype).tiny, None))))
    if link == "softmax":
        dz = P.copy()
        dz[rows, y] -= 1.0
    elif link == "logistic":
        dz = P[:, 1:] - y[:, None]
    else:  # ovr: P_k = s_k / S
        s = expit(z)
        dz = s * (1.0 - s) / s.sum(axis=1, keepdims=True)
        dz[rows, y] -= 1.0 - s[rows, y]
    return loss, dz / n


def half_squared_error(z: np.ndarray, Y: np.ndarray) -> tuple[float, np.ndarray]:
    r"""Squared loss of predictions ``z`` for targets ``Y`` (both (n, k)), and
    its gradient in ``z``.

    :math:`\frac{1}{2n} \sum_i \|z_i - Y_i\|^2`: the objective whose gradient
    ``MLPRegressor`` follows (half the mean squared error for one target).
    """
    r = z - Y
    n = Y.shape[0]
    return 0.5 * float(np.sum(r * r)) / n, r / n


def link_gradient(z: np.ndarray, P: np.ndarray, G: np.ndarray, link: str):
    """Gradient in the logits of a loss whose gradient in ``P`` is ``G``."""
    if link == "softmax":
        return P * (G - np.sum(G * P, axis=1, keepdims=True))
    if link == "logistic":
        return ((G[:, 1] - G[:, 0]) * P[:, 1] * P[:, 0])[:, None]
    s = expit(z)
    scale = s * (1.0 - s) / s.sum(axis=1, keepdims=True)
    return scale * (G - np.sum(G * P, axis=1, keepdims=True))


def mutual_information_gradient(
    P: np.ndarray, labels: np.ndarray
) -> tuple[float, np.ndarray]:
    r"""Soft plug-in :math:`I(f(X); S')` and its gradient in ``P``.

    With :math:`J_{zc} = \frac1N \sum_i P_{ic} 1\{S'_i = z\}` and its class
    marginal :math:`p_c`, :math:`I = \sum_{z,c} J_{zc} \log \frac{J_{zc}}{p_c
    p_z}` and :math:`\partial I / \partial P_{ic} = \frac1N \log
    \frac{J_{S'_i c}}{p_c}` (the label marginal :math:`p_z` does not depend on
    P, since every row of P sums to one).
    """
    n = P.shape[0]
    onehot = np.zeros((n, int(labels.max()) + 1))
    onehot[np.arange(n), labels] = 1.0
    J = onehot.T @ P / n
    p_class = J.sum(axis=0)
    p_label = J.sum(axis=1)
    positive = J > 0
    log_ratio = np.zeros_like(J)
    log_ratio[positive] = np.log(
        J[positive] / np.broadcast_to(p_class, J.shape)[positive]
    )
    mi = float(np.sum(J * (log_ratio - np.log(p_label)[:, None])))
    return mi, (log_ratio[labels] / n).astype(P.dtype, copy=False)


def backward(net: Network, outputs: list, dz: np.ndarray) -> tuple[list, list]:
    """Gradients of the weights and biases given the gradient in the logits."""
    grads_w, grads_b = [None] * len(net.weights), [None] * len(net.weights)
    for i in range(len(net.weights) - 1, -1, -1):
        grads_w[i] = outputs[i].T @ dz
        grads_b[i] = dz.sum(axis=0)
        if i:
            dz = (dz @ net.weights[i].T) * _activation_derivative(
                outputs[i], net.hidden
            )
    return grads_w, grads_b


class Objective(NamedTuple):
    """Value of the unlearning objective on one pooled batch, and its gradient."""

    loss: float  # cross_entropy + gamma * mi + penalty
    cross_entropy: float
    mi: float
    grad_weights: list
    grad_biases: list


def objective(
    net: Network,
    X_pool: np.ndarray,
    labels: np.ndarray,
    retain_rows: np.ndarray,
    y_retain: np.ndarray,
    gamma: float,
    l2: float,
) -> Objective:
    r"""Cross-entropy on the retained rows + gamma * I(f(X); S') + L2 penalty.

    ``X_pool`` stacks a batch of all training rows (``labels`` 0) and a batch
    of retained rows (``labels`` 1); ``retain_rows`` index the rows of
    ``X_pool`` whose class indices ``y_retain`` enter the mean cross-entropy.
    The penalty is :math:`\frac{l_2}{2} \sum_l \|W_l\|_F^2` (weights only).
    """
    P, outputs = forward(net, X_pool)
    z = outputs[-1]
    ce, dz_ce = mean_cross_entropy(z[retain_rows], P[retain_rows], y_retain, net.link)
    mi, G = mutual_information_gradient(P, labels)
    dz = gamma * link_gradient(z, P, G, net.link)
    dz[retain_rows] += dz_ce
    grad_w, grad_b = backward(net, outputs, dz)
    penalty = 0.0
    if l2:
        penalty = 0.5 * l2 * sum(float(np.sum(W * W)) for W in net.weights)
        grad_w = [g + l2 * W for g, W in zip(grad_w, net.weights, strict=True)]
    return Objective(ce + gamma * mi + penalty, ce, mi, grad_w, grad_b)
