"""The settling phase of an MLP and the choice of its reset share."""

import numpy as np
import pytest
from numpy.testing import assert_array_equal

from sklearn_unlearn.datapoint._fine_tuning import (
    FineTuneSettings,
    class_matched_validation,
)
from sklearn_unlearn.datapoint._forget_phase import HISTORY_KEYS, FitState, criterion
from sklearn_unlearn.datapoint._network import Network
from sklearn_unlearn.datapoint._share_choice import (
    choose_reset_share,
    copy_network,
    settle_network,
)

SETTINGS = FineTuneSettings(
    gamma=4.0,
    max_iter=5,
    learning_rate=3e-3,
    batch_size=32,
    n_iter_no_change=2,
    n_rounds=1,
    settle_epochs=5,
    settle_steps=20,
    reset_share=0.5,
    reset_shares=(0.25, 0.5, 0.75),
)


def _problem(seed=0):
    rng = np.random.default_rng(seed)
    centers = rng.normal(scale=2.0, size=(3, 4))
    y = rng.integers(0, 3, size=400)
    X = centers[y] + rng.normal(size=(400, 4))
    sizes = (4, 8, 3)
    net = Network(
        [rng.normal(size=(a, b)) for a, b in zip(sizes[:-1], sizes[1:], strict=True)],
        [np.zeros(b) for b in sizes[1:]],
        "relu",
        "softmax",
    )
    mask = (y == 0) & (np.arange(400) < 250)
    train, val = slice(0, 300), slice(300, 400)
    used, y_all, weights = class_matched_validation(y[train][mask[train]], y[val], 3)
    state = FitState(
        X=X[train],
        y_idx=y[train],
        mask=mask[train],
        X_forget=X[train][mask[train]],
        retain_rows=np.flatnonzero(~mask[train]),
        l2=1e-4,
        gamma=4.0,
        validation=(X[val][used], y_all, weights),
        rng=np.random.RandomState(0),
        history={k: [] for k in HISTORY_KEYS},
    )
    return net, state


def test_copy_network_owns_its_arrays():
    net, _ = _problem()
    copy = copy_network(net)
    copy.weights[0][0, 0] += 1.0
    assert copy.weights[0][0, 0] != net.weights[0][0, 0]
    assert (copy.hidden, copy.link) == (net.hidden, net.link)


def test_settle_network_runs_the_step_budget():
    net, state = _problem()
    X_r, y_r = state.X[state.retain_rows], state.y_idx[state.retain_rows]
    # ceil(300 - n_forget rows / 32) steps an epoch: 20 steps fit in 3 epochs
    steps, epochs = settle_network(
        net, X_r, y_r, 1e-4, SETTINGS, 0.5, np.random.RandomState(0)
    )
    assert steps == 20
    assert epochs == -(-20 // -(-X_r.shape[0] // 32))
    # without a step budget: settle_epochs whole epochs
    steps, epochs = settle_network(
        net, X_r, y_r, 1e-4, SETTINGS._replace(settle_steps=None), 0.0,
        np.random.RandomState(0),
    )  # fmt: skip
    assert epochs == 5 and steps == 5 * -(-X_r.shape[0] // 32)


def test_choice_keeps_the_candidate_with_the_lowest_criterion():
    net, state = _problem()
    X_r, y_r = state.X[state.retain_rows], state.y_idx[state.retain_rows]
    choice = choose_reset_share(
        net, state, X_r, y_r, SETTINGS, np.random.RandomState(0)
    )
    # the share without validation data first, then the others in order
    assert list(choice.values) == [0.5, 0.25, 0.75]
    assert choice.share == min(choice.values, key=choice.values.get)
    assert choice.steps == 3 * 20 and choice.epochs > 0
    # net holds the kept candidate's weights (same criterion, to float rounding)
    assert criterion(net, state) == pytest.approx(
        choice.values[choice.share], abs=1e-12
    )


def test_the_default_share_alone_is_the_fit_without_validation_data():
    net, state = _problem(seed=3)
    reference = copy_network(net)
    X_r, y_r = state.X[state.retain_rows], state.y_idx[state.retain_rows]
    choose_reset_share(
        net, state, X_r, y_r, SETTINGS._replace(reset_shares=(0.5,)),
        np.random.RandomState(7),
    )  # fmt: skip
    settle_network(reference, X_r, y_r, 1e-4, SETTINGS, 0.5, np.random.RandomState(7))
    for a, b in zip(net.weights, reference.weights, strict=True):
        assert_array_equal(a, b)
