"""Forgetting phase of MarginalUnlearner: the validation criterion, the phase."""

import numpy as np
import pytest
from sklearn.linear_model import LogisticRegression

from sklearn_unlearn.datapoint._adapters import network_of
from sklearn_unlearn.datapoint._forget_phase import (
    HISTORY_KEYS,
    FitState,
    ForgetSettings,
    criterion,
    forget_phase,
    snapshot,
)


def _state(X, y, mask, X_val, y_val, weights):
    return FitState(
        X=X,
        y_idx=y,
        mask=mask,
        X_forget=X[mask],
        retain_rows=np.flatnonzero(~mask),
        l2=0.0,
        gamma=1.0,
        validation=(X_val, np.r_[y[mask], y_val], weights),
        rng=np.random.RandomState(0),
        history={k: [] for k in HISTORY_KEYS},
    )


def test_criterion_is_zero_for_rows_like_the_forget_rows_and_grows_with_the_gap():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(400, 3))
    y = (X[:, 0] > 0).astype(int)
    net = network_of(LogisticRegression().fit(X, y), X[:5])
    mask = np.arange(400) < 50
    ones = np.ones(100)
    # the validation rows are copies of the forget rows: no information
    same = _state(X, y, mask, X[:50], y[:50], np.ones(100))
    assert criterion(net, same) == pytest.approx(0.0, abs=1e-12)
    # validation rows pushed towards the boundary are less confidently classified
    near = X[:50].copy()
    near[:, 0] *= 0.1
    small = criterion(net, _state(X, y, mask, near, y[:50], ones))
    near[:, 0] *= 0.0
    large = criterion(net, _state(X, y, mask, near, y[:50], ones))
    assert 0.0 < small < large


def test_without_validation_a_phase_runs_whole_epochs_and_keeps_the_last_step():
    rng = np.random.default_rng(1)
    X = rng.normal(size=(200, 3))
    y = (X[:, 0] > 0).astype(int)
    net = network_of(LogisticRegression().fit(X, y), X[:5])
    mask = np.arange(200) < 50
    state = _state(X, y, mask, X[:5], y[:5], None)._replace(validation=None)
    snapshot(net, state, "start")
    settings = ForgetSettings(
        max_iter=4, learning_rate=1e-2, batch_size=64, n_iter_no_change=10
    )
    start = net.weights[0].copy()
    steps, epochs, best_step = forget_phase(net, state, settings, step0=7)
    # 150 retained rows in batches of 64: 3 steps an epoch, no early stop
    assert (steps, epochs, best_step) == (12, 4, 7 + 12)
    assert state.history["phase"] == ["start"] + ["forget"] * 4
    assert "validation_mi" not in state.history or not state.history["validation_mi"]
    assert not np.allclose(net.weights[0], start)
    # the marginal information of the training set falls as the phase forgets
    assert state.history["mi"][-1] < state.history["mi"][0]
