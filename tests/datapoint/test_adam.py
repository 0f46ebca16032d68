"""Adam on a list of arrays: closed-form first step, convergence, in place."""

import numpy as np
from numpy.testing import assert_allclose

from sklearn_unlearn.datapoint._adam import ADAM_EPS, BETA2, Adam


def test_first_step_moves_each_entry_by_the_learning_rate_against_its_sign():
    # after one step the bias-corrected moments are g and g**2, so the step is
    # lr * g / (|g| + eps * sqrt(1 - beta2)): lr times the sign of g
    rng = np.random.default_rng(0)
    p0 = [rng.normal(size=(3, 2)), rng.normal(size=4)]
    grads = [rng.normal(size=(3, 2)), np.array([2.0, -0.5, 0.0, 1e-3])]
    params = [p.copy() for p in p0]
    Adam(params, learning_rate=0.01).step(grads)
    for p, start, g in zip(params, p0, grads, strict=True):
        scale = np.sqrt(1 - BETA2)
        expected = start - 0.01 * scale * g / (scale * np.abs(g) + ADAM_EPS)
        assert_allclose(p, expected, rtol=1e-12, atol=1e-15)
    assert params[1][2] == p0[1][2]  # no gradient, no move
    assert_allclose(params[1][:2], p0[1][:2] - 0.01 * np.array([1.0, -1.0]))


def test_updates_the_arrays_in_place_and_minimises_a_quadratic():
    target = np.array([1.0, -2.0, 3.0])
    w = np.zeros(3)
    optimizer = Adam([w], learning_rate=0.05)
    for _ in range(2000):
        optimizer.step([2.0 * (w - target)])
    assert optimizer.params[0] is w
    assert optimizer.t == 2000
    assert_allclose(w, target, atol=1e-3)
