"""MarginalUnlearner on an MLPRegressor: effect, phases, budget, inputs."""

import numpy as np
import pytest
from numpy.testing import assert_allclose, assert_array_equal
from sklearn.neural_network import MLPRegressor

from sklearn_unlearn.datapoint import MarginalUnlearner
from sklearn_unlearn.datapoint._calibration import forget_step_budget
from sklearn_unlearn.datapoint._network_regression import REGRESSION_HISTORY_KEYS

pytestmark = pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")


def _f(X):
    return np.sin(2 * X[:, 0]) + 0.5 * X[:, 1] - 0.3 * X[:, 2] ** 2


def _cluster_data(seed=0, n=600, n_forget=40, shift=3.0):
    """Normal rows, plus an outlying cluster (the rows to forget) whose targets
    are shifted by ``shift``; held-out normal rows."""
    rng = np.random.default_rng(seed)
    X = np.vstack(
        [
            rng.normal(size=(n, 4)),
            0.3 * rng.normal(size=(n_forget, 4)) + [2.5, 2.5, 0, 0],
        ]
    )
    y = _f(X) + 0.1 * rng.normal(size=len(X))
    y[n:] += shift
    forget = np.arange(len(X)) >= n
    X_test = rng.normal(size=(400, 4))
    return X, y, forget, X_test, _f(X_test) + 0.1 * rng.normal(size=400)


def _mse(model, X, y):
    return float(np.mean((model.predict(X) - y) ** 2))


def test_forgetting_an_outlying_cluster_approaches_retraining():
    X, y, forget, X_test, y_test = _cluster_data()
    params = {"hidden_layer_sizes": (32,), "max_iter": 500, "random_state": 0}
    original = MLPRegressor(**params).fit(X, y)
    retrained = MLPRegressor(**params).fit(X[~forget], y[~forget])
    unlearned = MarginalUnlearner(original, random_state=0).fit(
        X, y, forget_mask=forget
    )
    before, after, target = (
        _mse(m, X[forget], y[forget]) for m in (original, unlearned, retrained)
    )
    # the original memorised the cluster (error 0.11); retraining extrapolates
    # the normal rows there (8.7, the shift squared); the unlearned model moves
    # at least half of the way (measured: 73%) and not past retraining
    assert before < 0.2 and target > 8
    assert 0.5 * (target - before) < after - before <= target - before
    # on held-out normal rows it stays within 25% of the retrained error
    # (measured: 0.038 against 0.044; the original's is 0.078)
    assert _mse(unlearned, X_test, y_test) < 1.25 * _mse(retrained, X_test, y_test)
    history = unlearned.history_
    assert set(history) == set(REGRESSION_HISTORY_KEYS)
    assert history["phase"][0] == "start" and history["phase"][-1] == "settle"
    assert history["mi"][-1] < 0.2 * history["mi"][0]  # the outputs forgot
    assert history["forget_mse"][0] == pytest.approx(before, rel=1e-4)


def _small_fit(**kwargs):
    X, y, forget, _, _ = _cluster_data(n=200, n_forget=20)
    model = MLPRegressor(hidden_layer_sizes=(8,), max_iter=50, random_state=0).fit(X, y)
    return model, X, y, forget, MarginalUnlearner(model, random_state=0, **kwargs)


def test_calibrated_budget_then_settling():
    model, X, y, forget, unlearner = _small_fit()
    unlearner.fit(X, y, forget_mask=forget)
    budget = forget_step_budget(model.n_iter_, len(y), 200)
    settle = 5 * -(-int((~forget).sum()) // 128)
    assert unlearner.n_steps_ == unlearner.best_step_ == budget + settle
    assert unlearner.history_["phase"].count("settle") == 1
    assert unlearner.unlearned_estimator_.coefs_[0].dtype == model.coefs_[0].dtype


def test_settle_epochs_zero_forgets_only_and_max_iter_runs_epochs():
    model, X, y, forget, unlearner = _small_fit(settle_epochs=0, max_iter=3)
    unlearner.fit(X, y, forget_mask=forget)
    phases = unlearner.history_["phase"]
    assert "settle" not in phases and 1 <= phases.count("forget") <= 3
    per_epoch = -(-int((~forget).sum()) // 128)
    assert unlearner.n_steps_ == phases.count("forget") * per_epoch
    # gamma=0 is fine-tuning on the retained rows: a different model
    plain = MarginalUnlearner(
        model, gamma=0.0, settle_epochs=0, max_iter=3, random_state=0
    ).fit(X, y, forget_mask=forget)
    assert not np.allclose(plain.predict(X), unlearner.predict(X))


def test_prefit_false_is_fitting_then_unlearning():
    _, X, y, forget, _ = _small_fit()
    base = MLPRegressor(hidden_layer_sizes=(8,), max_iter=50, random_state=0)
    own = MarginalUnlearner(base, prefit=False, random_state=1)
    own.fit(X, y, forget_mask=forget)
    reference = MarginalUnlearner(
        MLPRegressor(hidden_layer_sizes=(8,), max_iter=50, random_state=0).fit(X, y),
        random_state=1,
    ).fit(X, y, forget_mask=forget)
    assert_array_equal(own.predict(X), reference.predict(X))
    assert not hasattr(base, "coefs_")  # a clone was fitted
    assert own.score(X, y) == pytest.approx(reference.score(X, y))


def test_several_targets():
    _, X, y, forget, _ = _small_fit()
    Y = np.c_[y, -2.0 * y + 1.0]
    model = MLPRegressor(hidden_layer_sizes=(8,), max_iter=50, random_state=0).fit(X, Y)
    unlearner = MarginalUnlearner(model, random_state=0).fit(X, Y, forget_mask=forget)
    assert unlearner.predict(X).shape == (len(y), 2)
    assert unlearner.history_["forget_mse"][-1] > unlearner.history_["forget_mse"][0]
    with pytest.raises(ValueError, match="1 target column"):
        MarginalUnlearner(model).fit(X, y, forget_mask=forget)


def test_bad_input_raises_before_any_work():
    model, X, y, forget, _ = _small_fit()
    with pytest.raises(TypeError, match="loss='squared_error'"):
        MarginalUnlearner(MLPRegressor(loss="poisson")).fit(X, y, forget_mask=forget)
    with pytest.raises(ValueError, match="a regressor does not use them"):
        MarginalUnlearner(model).fit(X, y, forget_mask=forget, X_val=X, y_val=y)
    with pytest.raises(ValueError, match="not convex"):
        MarginalUnlearner(model, linear_update="newton").fit(X, y, forget_mask=forget)


def test_original_is_untouched_and_weights_round_trip():
    model, X, y, forget, unlearner = _small_fit(max_iter=1, settle_epochs=0)
    before = [W.copy() for W in model.coefs_]
    unlearner.fit(X, y, forget_mask=forget)
    for W, B in zip(model.coefs_, before, strict=True):
        assert_array_equal(W, B)
    copy = unlearner.unlearned_estimator_
    assert copy is not model and copy.n_outputs_ == 1
    # predict reads the written-back weights (float32 fine-tuning, float64 out)
    H = np.maximum(X @ copy.coefs_[0] + copy.intercepts_[0], 0)
    assert_allclose(
        unlearner.predict(X), (H @ copy.coefs_[1] + copy.intercepts_[1])[:, 0]
    )
