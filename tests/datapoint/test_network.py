"""Gradients of the unlearning objective against finite differences."""

import numpy as np
import pytest
from numpy.testing import assert_allclose
from scipy.special import softmax

from sklearn_unlearn.datapoint._network import (
    Network,
    forward,
    half_squared_error,
    mutual_information_gradient,
    objective,
)
from sklearn_unlearn.utils._information import soft_mutual_information
from tests.datapoint.finite_differences import assert_gradients


def _network(kind, rng, d=4, n_classes=3):
    if kind == "mlp":
        sizes = [d, 5, 3, n_classes]
        hidden = "tanh"
    elif kind.startswith("mlp-"):
        sizes, hidden = [d, 6, n_classes], kind.split("-")[1]
    else:
        sizes, hidden = [d, n_classes], "identity"
    link = {"binary": "logistic", "ovr": "ovr"}.get(kind, "softmax")
    if link == "logistic":
        sizes[-1] = 1
    weights = [
        rng.normal(size=(a, b)) for a, b in zip(sizes[:-1], sizes[1:], strict=True)
    ]
    biases = [rng.normal(size=b) * 0.1 for b in sizes[1:]]
    return Network(
        weights, biases, hidden, link
    ), 2 if link == "logistic" else n_classes


KINDS = ["softmax", "binary", "ovr", "mlp", "mlp-relu", "mlp-logistic", "mlp-identity"]


@pytest.mark.parametrize("kind", KINDS)
def test_objective_gradient_matches_finite_differences(kind):
    rng = np.random.default_rng(0)
    net, n_classes = _network(kind, rng)
    X = rng.normal(size=(30, 4))
    labels = np.r_[np.zeros(18, np.intp), np.ones(12, np.intp)]
    retain_rows = np.arange(18, 30)
    y = rng.integers(0, n_classes, size=12)

    def value(params):
        k = len(net.weights)
        trial = net._replace(weights=params[:k], biases=params[k:])
        return objective(trial, X, labels, retain_rows, y, 2.5, 0.1).loss

    result = objective(net, X, labels, retain_rows, y, 2.5, 0.1)
    params = [*net.weights, *net.biases]
    analytic = [*result.grad_weights, *result.grad_biases]
    assert_gradients(value, params, analytic)


def test_forward_matches_closed_forms():
    rng = np.random.default_rng(1)
    X = rng.normal(size=(5, 4))
    net, _ = _network("softmax", rng)
    P, _ = forward(net, X)
    assert_allclose(P, softmax(X @ net.weights[0] + net.biases[0], axis=1))
    net, _ = _network("ovr", rng)
    P, _ = forward(net, X)
    s = 1 / (1 + np.exp(-(X @ net.weights[0] + net.biases[0])))
    assert_allclose(P, s / s.sum(axis=1, keepdims=True))
    net, _ = _network("binary", rng)
    P, _ = forward(net, X)
    s = 1 / (1 + np.exp(-(X @ net.weights[0] + net.biases[0])[:, 0]))
    assert_allclose(P, np.column_stack([1 - s, s]))


def test_mutual_information_value_and_projected_gradient():
    rng = np.random.default_rng(2)
    P = softmax(rng.normal(size=(40, 3)), axis=1)
    labels = rng.integers(0, 2, size=40)
    mi, G = mutual_information_gradient(P, labels)
    assert_allclose(mi, soft_mutual_information(P, labels), rtol=1e-12)
    # along directions that keep every row summing to one (the only ones a
    # model can move in), G is the exact gradient
    direction = rng.normal(size=P.shape)
    direction -= direction.mean(axis=1, keepdims=True)
    h = 1e-6
    numeric = (
        soft_mutual_information(P + h * direction, labels)
        - soft_mutual_information(P - h * direction, labels)
    ) / (2 * h)
    assert_allclose(np.sum(G * direction), numeric, rtol=1e-6)


def test_identity_link_and_half_squared_error():
    rng = np.random.default_rng(3)
    X = rng.normal(size=(6, 4))
    net = Network(
        [rng.normal(size=(4, 2))], [rng.normal(size=2)], "identity", "identity"
    )
    Z, outputs = forward(net, X)
    assert Z is outputs[-1]
    assert_allclose(Z, X @ net.weights[0] + net.biases[0])
    Y = rng.normal(size=(6, 2))
    loss, dz = half_squared_error(Z, Y)
    # half the mean squared error per target, summed over the targets
    assert loss == pytest.approx(np.sum((Z - Y) ** 2) / 12)
    assert_allclose(dz, (Z - Y) / 6)
