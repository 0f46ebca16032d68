"""The regressor adapters: support checks, penalty scaling, weights round trip."""

import numpy as np
import pytest
from numpy.testing import assert_allclose
from sklearn.linear_model import LinearRegression, Ridge, SGDRegressor
from sklearn.neural_network import MLPRegressor

from sklearn_unlearn.datapoint._quadratic import least_squares_solve
from sklearn_unlearn.datapoint._regression import (
    check_regressor,
    check_regressor_fitted_on,
    least_squares_l2,
    regressor_weights,
    with_regressor_weights,
    wraps_regressor,
)


def _data():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(200, 3))
    return X, X @ [1.0, -2.0, 0.5] + 1.0 + 0.1 * rng.normal(size=200)


@pytest.mark.parametrize(
    "estimator, error, match",
    [
        (Ridge(positive=True), ValueError, "positive=False"),
        (Ridge(alpha=0.0), ValueError, "alpha > 0"),
        (SGDRegressor(loss="huber"), TypeError, "squared_error"),
        (SGDRegressor(penalty="l1"), ValueError, "penalty='l2'"),
        (SGDRegressor(penalty=None), ValueError, "penalty='l2'"),
        (LinearRegression(), TypeError, "Ridge, SGDRegressor.*and MLPRegressor"),
        (MLPRegressor(loss="poisson"), TypeError, "loss='squared_error'"),
    ],
)
def test_check_regressor_names_the_fix(estimator, error, match):
    with pytest.raises(error, match=match):
        check_regressor(estimator)


def test_supported_regressors_pass():
    check_regressor(Ridge())
    check_regressor(SGDRegressor(penalty="elasticnet", l1_ratio=0.0))
    check_regressor(MLPRegressor(activation="tanh"))
    assert wraps_regressor(Ridge()) and not wraps_regressor(object())


def test_l2_scaling_reproduces_ridge():
    X, y = _data()
    ridge = Ridge(alpha=5.0).fit(X, y)
    removal = least_squares_solve(X, y, least_squares_l2(ridge, len(y)), True)
    assert_allclose(removal.coef[:, 0], ridge.coef_)
    assert least_squares_l2(SGDRegressor(alpha=0.01), 1000) == 0.01


def test_sgd_regressor_scaling_is_its_objective():
    # SGD's optimum (long run, small steps) is the solve with lam = alpha
    X, y = _data()
    sgd = SGDRegressor(
        alpha=0.05, max_iter=2000, tol=None, eta0=1e-3, learning_rate="constant",
        random_state=0, average=True,
    ).fit(X, y)  # fmt: skip
    removal = least_squares_solve(X, y, least_squares_l2(sgd, len(y)), True)
    assert_allclose(removal.coef[:, 0], sgd.coef_, atol=5e-3)


@pytest.mark.parametrize("estimator", [Ridge(), SGDRegressor(random_state=0)])
def test_weights_round_trip_keeps_the_layout(estimator):
    X, y = _data()
    model = estimator.fit(X, y)
    coef, intercept = regressor_weights(model)
    copy = with_regressor_weights(model, coef * 2, intercept + 1)
    assert copy is not model
    assert np.shape(copy.intercept_) == np.shape(model.intercept_)
    assert_allclose(copy.predict(X), 2 * (model.predict(X) - intercept) + intercept + 1)


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
def test_fitted_on_checks():
    X, y = _data()
    model = Ridge().fit(X, y)
    with pytest.raises(ValueError, match="4 features"):
        check_regressor_fitted_on(model, np.c_[X, X[:, 0]])
    multi = Ridge().fit(X, np.c_[y, y])
    with pytest.raises(ValueError, match="single-output"):
        check_regressor_fitted_on(multi, X)
    mlp = MLPRegressor(hidden_layer_sizes=(3,), max_iter=5).fit(X, np.c_[y, y])
    check_regressor_fitted_on(mlp, X, np.c_[y, y])
    with pytest.raises(ValueError, match="1 target column.*fitted on 2"):
        check_regressor_fitted_on(mlp, X, y)
