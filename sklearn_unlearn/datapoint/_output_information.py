r"""The forgetting term of a regressor: what its outputs tell about membership.

A classifier's outputs are distributions over classes, and the marginal
unlearning penalty is the plug-in mutual information between them and the
membership label. A regressor's outputs are numbers; each output column is
*soft-binned* first: a Gaussian kernel of width :math:`h` around :math:`B`
evenly spaced centres :math:`\mu_c`, normalised over the centres,

.. math::

    P_{ic} = \operatorname{softmax}_c \Big( -\frac{(f(x_i) - \mu_c)^2}{2 h^2}
    \Big),

which turns a value into a distribution over bins (a smoothed histogram).
The plug-in information of
:func:`~sklearn_unlearn.datapoint._network.mutual_information_gradient` on
those distributions is then differentiable in the outputs. Pure numpy: arrays
and :class:`~sklearn_unlearn.datapoint._network.Network` in, arrays out.
"""

from typing import NamedTuple

import numpy as np
from scipy.special import softmax

from sklearn_unlearn.datapoint._network import (
    Network,
    backward,
    forward,
    half_squared_error,
    mutual_information_gradient,
)

__all__ = [
    "N_OUTPUT_BINS",
    "OutputBins",
    "RegressionObjective",
    "output_bins",
    "output_information",
    "regression_objective",
]

#: Soft bins per output column.
N_OUTPUT_BINS = 20


class OutputBins(NamedTuple):
    """The soft bins of each output column, and each column's weight."""

    centers: np.ndarray  # (k, n_bins), evenly spaced
    width: np.ndarray  # (k,), the spacing of the centres
    weight: np.ndarray  # (k,), the variance of the retained targets


def output_bins(Z: np.ndarray, Y_retain: np.ndarray, n_bins=N_OUTPUT_BINS):
    """Bins spanning the range of the outputs ``Z`` (n, k) of the starting model.

    The centres are fixed for the whole fit (the penalty is then one function
    of the weights); an output that moves beyond the range falls in an end
    bin. Each column is weighted by the variance of its retained targets
    (1 for a constant column), the units of the squared loss.
    """
    lo, hi = Z.min(axis=0), Z.max(axis=0)
    span = np.where(hi > lo, hi - lo, 1.0)
    centers = lo[:, None] + span[:, None] * np.linspace(0.0, 1.0, n_bins)
    variance = Y_retain.var(axis=0)
    weight = np.where(variance > 0, variance, 1.0)
    return OutputBins(centers, span / (n_bins - 1), weight)


def output_information(
    Z: np.ndarray, labels: np.ndarray, bins: OutputBins
) -> tuple[np.ndarray, np.ndarray]:
    r"""Plug-in information of each soft-binned output column and membership.

    Returns the information :math:`I_j` of each column (shape (k,)) and the
    gradient of :math:`\sum_j w_j I_j` (``bins.weight``) in ``Z``. Through the
    softmax of the bins, :math:`\partial I / \partial f_i = \sum_c
    \frac{\partial I}{\partial s_{ic}} \cdot \big(-(f_i - \mu_c) / h^2\big)`
    with :math:`s_{ic}` the kernel's exponent.
    """
    dtype = Z.dtype
    info = np.empty(Z.shape[1])
    dZ = np.empty_like(Z)
    for j in range(Z.shape[1]):
        h = dtype.type(bins.width[j])
        d = (Z[:, j, None] - bins.centers[j].astype(dtype)) / h
        P = softmax(-0.5 * d * d, axis=1)
        info[j], G = mutual_information_gradient(P, labels)
        dS = P * (G - np.sum(G * P, axis=1, keepdims=True))  # through the softmax
        dZ[:, j] = dtype.type(bins.weight[j]) * np.sum(dS * d, axis=1) / -h
    return info, dZ


class RegressionObjective(NamedTuple):
    """Value of a regressor's unlearning objective on a pooled batch, gradient."""

    loss: float  # squared_error + gamma * sum_j w_j I_j + penalty
    squared_error: float
    mi: float  # sum_j I_j, unweighted
    grad_weights: list
    grad_biases: list


def regression_objective(
    net: Network,
    X_pool: np.ndarray,
    labels: np.ndarray,
    retain_rows: np.ndarray,
    Y_retain: np.ndarray,
    gamma: float,
    l2: float,
    *,
    bins: OutputBins,
) -> RegressionObjective:
    r"""Squared loss on the retained rows + gamma * weighted information + L2.

    The arguments are those of
    :func:`~sklearn_unlearn.datapoint._network.objective` (``Y_retain`` the
    (m, k) targets of the retained rows of the pool) plus the ``bins``:

    .. math::

        \frac{1}{2 |B_r|} \sum_{i \in B_r} \|f(x_i) - y_i\|^2
        + \gamma \sum_j w_j \hat I(\tilde f_j(X); S')
        + \frac{l_2}{2} \sum_l \|W_l\|_F^2 .
    """
    Z, outputs = forward(net, X_pool)
    se, dz_se = half_squared_error(Z[retain_rows], Y_retain)
    info, dZ = output_information(Z, labels, bins)
    dz = gamma * dZ
    dz[retain_rows] += dz_se
    grad_w, grad_b = backward(net, outputs, dz)
    penalty = 0.0
    if l2:
        penalty = 0.5 * l2 * sum(float(np.sum(W * W)) for W in net.weights)
        grad_w = [g + l2 * W for g, W in zip(grad_w, net.weights, strict=True)]
    weighted = float(bins.weight @ info)
    return RegressionObjective(
        se + gamma * weighted + penalty, se, float(info.sum()), grad_w, grad_b
    )
