"""Rounds of forgetting and settling, and the class-matched validation weights."""

import numpy as np
import pytest
from numpy.testing import assert_allclose, assert_array_equal
from sklearn.linear_model import LogisticRegression

from sklearn_unlearn.datapoint._adapters import network_of
from sklearn_unlearn.datapoint._fine_tuning import (
    FineTuneSettings,
    class_matched_validation,
    fine_tune,
)
from sklearn_unlearn.datapoint._network import Network
from sklearn_unlearn.datapoint._retained_fit import retained_objective

SETTINGS = FineTuneSettings(
    gamma=4.0,
    max_iter=3,
    learning_rate=3e-3,
    batch_size=32,
    n_iter_no_change=2,
    n_rounds=3,
    settle_epochs=2,
)


def _data(n=300, seed=0):
    rng = np.random.default_rng(seed)
    centers = rng.normal(scale=2.0, size=(3, 4))
    y = rng.integers(0, 3, size=n)
    return centers[y] + rng.normal(size=(n, 4)), y


def test_class_matched_validation_by_hand():
    # forget rows: classes 0, 0, 2, 1; validation rows: classes 0 (x4), 2, 3
    # class 1 has no validation row, class 3 no forget row
    y_forget = np.array([0, 0, 2, 1])
    y_val = np.array([0, 3, 0, 0, 2, 0])
    used, y_all, weights = class_matched_validation(y_forget, y_val, 4)
    assert_array_equal(used, [True, False, True, True, True, True])
    assert_array_equal(y_all, [0, 0, 2, 1, 0, 0, 0, 2, 0])
    # forget rows of a shared class weigh 1; the 4 validation rows of class 0
    # share its 2 forget rows, the one of class 2 carries its one
    assert_allclose(weights, [1, 1, 1, 0, 0.5, 0.5, 0.5, 1, 0.5])
    for c in (0, 2):  # each shared class weighs the same on both sides
        n_forget = np.count_nonzero(y_forget == c)
        assert weights[4:][y_all[4:] == c].sum() == pytest.approx(n_forget)


def test_class_matched_validation_without_a_shared_class_uses_nothing():
    used, _, _ = class_matched_validation(np.array([1, 1]), np.array([0, 2]), 3)
    assert not used.any()


def test_a_convex_model_ends_at_the_retained_optimum():
    X, y = _data()
    mask = (y == 2) & (np.arange(y.size) % 3 > 0)
    net = network_of(LogisticRegression().fit(X, y), X[:20])
    l2 = 1.0 / np.count_nonzero(~mask)
    result = fine_tune(net, X, y, mask, l2, None, SETTINGS, np.random.RandomState(0))
    _, grad_w, grad_b = retained_objective(result.net, X[~mask], y[~mask], l2)
    assert max(np.abs(g).max() for g in [*grad_w, *grad_b]) < 1e-4
    phases = result.history["phase"]
    assert phases[0] == "start" and phases[-1] == "settle"
    assert phases.count("settle") == 1  # one round for a convex model
    assert result.best_step == result.n_steps
    assert result.n_epochs == phases.count("forget") <= SETTINGS.max_iter
    assert set(result.history) == {
        "loss",
        "mi",
        "forget_accuracy",
        "retain_accuracy",
        "phase",
    }
    assert result.net.weights[0].dtype == np.float64


def test_an_mlp_is_fine_tuned_in_float32_in_rounds():
    rng = np.random.default_rng(1)
    X, y = _data(seed=1)
    sizes = (4, 6, 3)
    net = Network(
        [rng.normal(size=(a, b)) for a, b in zip(sizes[:-1], sizes[1:], strict=True)],
        [np.zeros(b) for b in sizes[1:]],
        "relu",
        "softmax",
    )
    mask = np.arange(y.size) < 40
    used, y_all, weights = class_matched_validation(y[mask], y[:100], 3)
    validation = (X[:100][used], y_all, weights)
    result = fine_tune(
        net, X, y, mask, 1e-4, validation, SETTINGS, np.random.RandomState(0)
    )
    assert all(W.dtype == np.float32 for W in result.net.weights)
    phases = result.history["phase"]
    assert 1 <= phases.count("settle") <= SETTINGS.n_rounds
    assert len(result.history["validation_mi"]) == len(phases)
    # each settling phase adds its epochs to the forgetting ones
    assert result.n_epochs == phases.count("forget") + 2 * phases.count("settle")
    assert result.best_step <= result.n_steps
