"""Forgetting-phase helpers of MarginalUnlearner: the validation criterion."""

import numpy as np
import pytest
from sklearn.linear_model import LogisticRegression

from sklearn_unlearn.datapoint._adapters import network_of
from sklearn_unlearn.datapoint._phases import HISTORY_KEYS, FitState, criterion


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
