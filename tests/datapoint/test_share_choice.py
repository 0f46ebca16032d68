"""The settling phase of an MLP and the choice of its reset share."""

import numpy as np
import pytest
from numpy.testing import assert_allclose, assert_array_equal

from sklearn_unlearn.datapoint._fine_tuning import (
    FineTuneSettings,
    class_matched_validation,
)
from sklearn_unlearn.datapoint._forget_phase import HISTORY_KEYS, FitState, criterion
from sklearn_unlearn.datapoint._network import Network, forward
from sklearn_unlearn.datapoint._share_choice import (
    MARGIN,
    bootstrap_criteria,
    cautious_choice,
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
    # without a noise margin the lowest criterion is kept
    net, state = _problem()
    X_r, y_r = state.X[state.retain_rows], state.y_idx[state.retain_rows]
    choice = choose_reset_share(
        net, state, X_r, y_r, SETTINGS, np.random.RandomState(0), margin=0.0
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


def test_choice_with_a_margin_keeps_the_default_unless_another_is_clearly_lower():
    net, state = _problem()
    X_r, y_r = state.X[state.retain_rows], state.y_idx[state.retain_rows]
    choice = choose_reset_share(
        net, state, X_r, y_r, SETTINGS, np.random.RandomState(0)
    )
    assert list(choice.errors) == [0.5, 0.25, 0.75] and choice.errors[0.5] == 0.0
    gaps = {s: choice.values[0.5] - v for s, v in choice.values.items()}
    clear = [s for s in gaps if s != 0.5 and gaps[s] > MARGIN * choice.errors[s]]
    expected = min(clear, key=choice.values.get) if clear else 0.5
    assert choice.share == expected
    assert criterion(net, state) == pytest.approx(
        choice.values[choice.share], abs=1e-12
    )


def test_bootstrap_criteria_resample_the_criterion():
    net, state = _problem()
    X_val, y_all, weights = state.validation
    n_forget = state.X_forget.shape[0]
    P = np.vstack([forward(net, state.X_forget)[0], forward(net, X_val)[0]])
    q = P[np.arange(y_all.size), y_all].astype(np.float64)
    strata = np.r_[np.zeros(n_forget, int), np.ones(y_all.size - n_forget, int)]
    out = bootstrap_criteria(np.array([q, q]), strata, n_forget, weights, 50)
    assert out.shape == (50, 2)
    assert_array_equal(out[:, 0], out[:, 1])  # paired: the same rows
    # the resampled values scatter around the criterion itself
    value = criterion(net, state)
    assert abs(np.mean(out[:, 0]) - value) < 3 * np.std(out[:, 0]) + 1e-9
    assert np.std(out[:, 0]) > 0


def _synthetic(gaps, noise, n_resamples=2000, seed=0):
    """Criterion values of a default and candidates, with paired noise."""
    rng = np.random.default_rng(seed)
    values = 0.01 - np.r_[0.0, gaps]
    common = rng.normal(scale=0.002, size=(n_resamples, 1))  # shared by all
    own = rng.normal(size=(n_resamples, len(values))) * np.r_[0.0, noise]
    return values, values + common + own


@pytest.mark.parametrize(
    "gaps, noise, kept",
    [
        ([0.001, 0.002], [0.001, 0.002], 0),  # within 2 SE: the default
        ([0.003, 0.001], [0.001, 0.001], 1),  # 3 SE lower: kept
        ([0.003, 0.006], [0.001, 0.001], 2),  # both clear: the lowest
        ([0.003, 0.006], [0.001, 0.004], 1),  # the lowest is noisy: the clear one
        ([-0.002, -0.001], [0.0001, 0.0001], 0),  # higher: never kept
    ],
)
def test_cautious_choice_needs_a_gap_beyond_the_noise(gaps, noise, kept):
    values, resampled = _synthetic(gaps, noise)
    index, errors = cautious_choice(values, resampled, margin=2.0)
    assert index == kept
    # the shared noise cancels in the paired gap: errors are the own noise
    assert errors[0] == 0.0
    assert_allclose(errors[1:], noise, rtol=0.1)
    # no margin: the lowest criterion, the default on ties
    assert cautious_choice(values, resampled, 0.0)[0] == int(np.argmin(values))
    assert cautious_choice([0.1, 0.1], resampled[:, :2], 0.0)[0] == 0
