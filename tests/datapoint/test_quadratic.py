"""Least-squares removal kernels against scikit-learn's Ridge on retained rows."""

import numpy as np
import pytest
from numpy.testing import assert_allclose
from sklearn.linear_model import Ridge

from sklearn_unlearn.datapoint._quadratic import (
    least_squares_newton,
    least_squares_solve,
)


def _data(seed, n=400, d=6):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, d)) + 2.0  # uncentred: the intercept matters
    y = X @ rng.normal(size=d) + 3.0 + rng.normal(size=n)
    return X, y, rng.random(n) < 0.2


@pytest.mark.parametrize("fit_intercept", [True, False])
@pytest.mark.parametrize("seed", range(3))
def test_solve_and_newton_match_ridge_on_the_retained_rows(seed, fit_intercept):
    X, y, forget = _data(seed)
    alpha = 3.0
    model = Ridge(alpha, fit_intercept=fit_intercept).fit(X, y)
    X_r, y_r = X[~forget], y[~forget]
    ref = Ridge(alpha, fit_intercept=fit_intercept, solver="svd").fit(X_r, y_r)
    l2 = alpha / X_r.shape[0]  # Ridge's sum objective over 2n
    solved = least_squares_solve(X_r, y_r, l2, fit_intercept)
    stepped = least_squares_newton(
        X_r, y_r, model.coef_, float(model.intercept_), l2, fit_intercept
    )
    for removal in (solved, stepped):
        assert_allclose(removal.coef[:, 0], ref.coef_, atol=1e-10)
        assert_allclose(removal.intercept[0], ref.intercept_, atol=1e-9)
        # exact up to rounding, and the bound says so
        assert removal.gradient_norm < 1e-12
        got = np.r_[removal.coef[:, 0], removal.intercept[0]]
        distance = np.linalg.norm(got - np.r_[ref.coef_, ref.intercept_])
        assert distance <= removal.distance_bound + 1e-10 < 1e-9


def test_newton_with_noise_lands_on_the_perturbed_optimum():
    X, y, _ = _data(0)
    n, d = X.shape
    l2 = 0.05
    b = np.random.default_rng(1).normal(size=d + 1)
    removal = least_squares_newton(X, y, np.zeros(d), 0.0, l2, True, noise=b)
    # the minimiser of (1/2n)||X1 t - y||^2 + l2/2 ||w||^2 + b.t/n, solved here
    X1 = np.c_[X, np.ones(n)]
    H = X1.T @ X1 / n + l2 * np.diag(np.r_[np.ones(d), 0.0])
    expected = np.linalg.solve(H, X1.T @ y / n - b / n)
    assert_allclose(np.r_[removal.coef[:, 0], removal.intercept], expected)
    assert removal.gradient_norm < 1e-10
