"""Partial re-initialisation: the mixture with a fresh draw, in place."""

import numpy as np
import pytest
from numpy.testing import assert_allclose

from sklearn_unlearn.datapoint._network import Network
from sklearn_unlearn.datapoint._reset import init_bound, partial_reset


def _net(hidden="relu", dtype=np.float64, scale=5.0):
    rng = np.random.default_rng(0)
    sizes = (4, 6, 3)
    return Network(
        [
            (scale * rng.normal(size=(a, b))).astype(dtype)
            for a, b in zip(sizes[:-1], sizes[1:], strict=True)
        ],
        [(scale * rng.normal(size=b)).astype(dtype) for b in sizes[1:]],
        hidden,
        "softmax",
    )


def test_init_bound_is_scikit_learns_glorot_bound():
    # MLPClassifier draws U(-u, u), u = sqrt(6 / (fan_in + fan_out)), with 2
    # in place of 6 for logistic hidden units
    assert init_bound(6, 4, "relu") == pytest.approx(np.sqrt(0.6))
    assert init_bound(6, 4, "tanh") == pytest.approx(np.sqrt(0.6))
    assert init_bound(6, 4, "logistic") == pytest.approx(np.sqrt(0.2))


@pytest.mark.parametrize("hidden", ["relu", "logistic"])
def test_partial_reset_mixes_in_a_fresh_draw_in_place(hidden):
    net = _net(hidden)
    before = [a.copy() for a in [*net.weights, *net.biases]]
    arrays = [*net.weights, *net.biases]
    partial_reset(net, 0.3, np.random.RandomState(7))
    # the same draws, in the same order: each layer's weights, then its biases
    rng = np.random.RandomState(7)
    for layer, (W, b) in enumerate(zip(net.weights, net.biases, strict=True)):
        u = init_bound(W.shape[0], W.shape[1], hidden)
        for a, old in ((W, before[layer]), (b, before[2 + layer])):
            fresh = rng.uniform(-u, u, a.shape)
            assert_allclose(a, 0.7 * old + 0.3 * fresh, rtol=1e-12)
    # the network's own arrays were updated
    after = [*net.weights, *net.biases]
    assert all(a is b for a, b in zip(arrays, after, strict=True))


def test_share_zero_keeps_and_share_one_replaces():
    net = _net()
    before = [a.copy() for a in [*net.weights, *net.biases]]
    partial_reset(net, 0.0, np.random.RandomState(0))
    for a, old in zip([*net.weights, *net.biases], before, strict=True):
        assert np.array_equal(a, old)
    partial_reset(net, 1.0, np.random.RandomState(0))
    # nothing of the (large) old weights is left: all within the fresh bound
    for W, b in zip(net.weights, net.biases, strict=True):
        u = init_bound(W.shape[0], W.shape[1], "relu")
        assert np.abs(W).max() <= u and np.abs(b).max() <= u


def test_float32_stays_float32():
    net = _net(dtype=np.float32)
    partial_reset(net, 0.5, np.random.RandomState(0))
    assert all(a.dtype == np.float32 for a in [*net.weights, *net.biases])


@pytest.mark.parametrize("share", [-0.1, 1.5])
def test_share_out_of_range_is_refused(share):
    with pytest.raises(ValueError, match="share must be in"):
        partial_reset(_net(), share, np.random.RandomState(0))
