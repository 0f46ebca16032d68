"""Settling phases: the retained objective, its L-BFGS minimiser, Adam epochs."""

import numpy as np
import pytest
from numpy.testing import assert_allclose
from sklearn.linear_model import LogisticRegression

from sklearn_unlearn.datapoint._adapters import network_of
from sklearn_unlearn.datapoint._network import Network
from sklearn_unlearn.datapoint._retained_fit import (
    retained_objective,
    settle_adam,
    settle_lbfgs,
)


def _data(n=400, seed=6, n_classes=3):
    rng = np.random.default_rng(seed)
    centers = rng.normal(scale=2.0, size=(n_classes, 4))
    y = rng.integers(0, n_classes, size=n)
    return centers[y] + rng.normal(size=(n, 4)), y


def _mlp(rng, sizes=(4, 5, 3)):
    weights = [
        rng.normal(size=(a, b)) for a, b in zip(sizes[:-1], sizes[1:], strict=True)
    ]
    biases = [0.1 * rng.normal(size=b) for b in sizes[1:]]
    return Network(weights, biases, "tanh", "softmax")


def test_retained_objective_is_the_penalised_mean_cross_entropy():
    rng = np.random.default_rng(0)
    net = Network(
        [rng.normal(size=(4, 3))], [rng.normal(size=3)], "identity", "softmax"
    )
    X, y = rng.normal(size=(20, 4)), rng.integers(0, 3, size=20)
    loss, grad_w, grad_b = retained_objective(net, X, y, 0.3)
    z = X @ net.weights[0] + net.biases[0]
    log_p = z - np.log(np.exp(z).sum(axis=1, keepdims=True))
    expected = -log_p[np.arange(20), y].mean() + 0.15 * np.sum(net.weights[0] ** 2)
    assert loss == pytest.approx(expected, rel=1e-12)
    # closed-form softmax gradients: X^T (P - Y) / n + l2 W, and the bias part
    residual = np.exp(log_p) - np.eye(3)[y]
    assert_allclose(grad_w[0], X.T @ residual / 20 + 0.3 * net.weights[0])
    assert_allclose(grad_b[0], residual.mean(axis=0))


def test_settle_lbfgs_reaches_the_minimiser():
    X, y = _data()
    model = LogisticRegression(C=2.0).fit(X[:200], y[:200])
    net = network_of(model, X[:5])
    l2 = 1.0 / (2.0 * 400)
    n_iter = settle_lbfgs(net, X, y, l2, max_iter=5000, gtol=1e-9)
    assert n_iter > 0
    _, grad_w, grad_b = retained_objective(net, X, y, l2)
    assert max(np.abs(g).max() for g in [*grad_w, *grad_b]) < 1e-6
    reference = LogisticRegression(C=2.0, tol=1e-10, max_iter=10_000).fit(X, y)
    assert_allclose(net.weights[0].T, reference.coef_, rtol=0, atol=5e-4)


def test_settle_adam_runs_whole_epochs_and_lowers_the_objective():
    rng = np.random.default_rng(1)
    net = _mlp(rng)
    X, y = _data(n=150, seed=2)
    arrays = [*net.weights, *net.biases]
    before = retained_objective(net, X, y, 1e-3)[0]
    steps = settle_adam(
        net,
        X,
        y,
        1e-3,
        n_epochs=3,
        batch_size=64,
        learning_rate=1e-2,
        rng=np.random.RandomState(0),
    )
    assert steps == 3 * 3  # ceil(150 / 64) batches an epoch
    assert all(a is b for a, b in zip(arrays, [*net.weights, *net.biases], strict=True))
    assert retained_objective(net, X, y, 1e-3)[0] < before


def test_a_regression_network_settles_on_the_squared_loss():
    rng = np.random.default_rng(4)
    net = Network(
        [rng.normal(size=(4, 5)), rng.normal(size=(5, 1))],
        [np.zeros(5), np.zeros(1)],
        "relu",
        "identity",
    )
    X = rng.normal(size=(120, 4))
    Y = (X[:, :1] - X[:, 1:2]) ** 2
    loss, grad_w, _ = retained_objective(net, X, Y, 0.0)
    H = np.maximum(X @ net.weights[0], 0)
    assert loss == pytest.approx(0.5 * np.mean((H @ net.weights[1] - Y) ** 2))
    assert_allclose(grad_w[1], H.T @ (H @ net.weights[1] - Y) / 120)
    settle_adam(
        net, X, Y, 1e-3, n_epochs=20, batch_size=32, learning_rate=1e-2,
        rng=np.random.RandomState(0),
    )  # fmt: skip
    assert retained_objective(net, X, Y, 0.0)[0] < 0.5 * loss


def test_settle_adam_stops_at_max_steps_mid_epoch():
    X, y = _data(n=150, seed=2)
    nets = [_mlp(np.random.default_rng(1)) for _ in range(2)]
    kw = dict(n_epochs=3, batch_size=64, learning_rate=1e-2)
    capped = settle_adam(
        nets[0], X, y, 1e-3, rng=np.random.RandomState(0), max_steps=4, **kw
    )
    assert capped == 4  # one epoch (3 steps) and one step of the second
    # without a cap: the same first 4 steps, then 5 more
    full = settle_adam(nets[1], X, y, 1e-3, rng=np.random.RandomState(0), **kw)
    assert full == 9
    assert not np.array_equal(nets[0].weights[0], nets[1].weights[0])
