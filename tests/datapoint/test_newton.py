"""Newton removal kernels: the certified bound against the exact retained optimum."""

import numpy as np
import pytest
from numpy.testing import assert_allclose
from scipy.optimize import minimize
from scipy.special import expit, log_expit, softmax
from sklearn.linear_model import LogisticRegression

from sklearn_unlearn.datapoint._newton import (
    _pair_weights,
    _softmax_hessian,
    distance_bound,
    gaussian_epsilon,
    newton_removal,
    weighted_gram,
)


def _problem(seed, n_classes, n=600, d=5):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, d)) + 0.5
    W = rng.normal(size=(d, n_classes))
    y = (X @ W + rng.gumbel(size=(n, n_classes))).argmax(axis=1)
    forget = rng.random(n) < 0.15  # a large removal: a visible residual
    return X, y, forget


def _stacked(coef, intercept, fit_intercept, centre):
    theta = np.vstack([coef, intercept[None, :]]) if fit_intercept else coef
    if centre and fit_intercept:  # a softmax's intercepts up to a shift
        theta = theta.copy()
        theta[-1] -= theta[-1].mean()
    return theta


def _exact(X, y, C, fit_intercept):
    # Newton-Cholesky converges quadratically: at tol=1e-12 its distance to the
    # optimum is far below the bounds checked (>= 1e-6 here)
    model = LogisticRegression(
        C=C, solver="newton-cholesky", tol=1e-12, max_iter=200,
        fit_intercept=fit_intercept,
    ).fit(X, y)  # fmt: skip
    coef = model.coef_.T
    if coef.shape[1] == 1:
        return coef, np.atleast_1d(model.intercept_)
    return coef, model.intercept_


@pytest.mark.parametrize("fit_intercept", [True, False])
@pytest.mark.parametrize("n_classes", [2, 3])
@pytest.mark.parametrize("seed", range(4))
def test_bound_holds_against_the_exact_retained_optimum(seed, n_classes, fit_intercept):
    X, y, forget = _problem(seed, n_classes)
    C = 0.5
    coef, intercept = _exact(X, y, C, fit_intercept)
    X_r, y_r = X[~forget], y[~forget]
    link = "logistic" if n_classes == 2 else "softmax"
    l2 = 1.0 / (C * X_r.shape[0])  # scikit-learn's mean scaling
    removal = newton_removal(X_r, y_r, coef, intercept, l2, link, fit_intercept)
    centre = n_classes > 2
    exact = _stacked(*_exact(X_r, y_r, C, fit_intercept), fit_intercept, centre)
    got = _stacked(removal.coef, removal.intercept, fit_intercept, centre)
    start = _stacked(coef, intercept, fit_intercept, centre)
    distance = np.linalg.norm(got - exact)
    assert distance <= removal.distance_bound
    # informative: far below the distance the step covered, and not vacuous
    assert removal.distance_bound < 0.5 * np.linalg.norm(start - exact)
    assert removal.distance_bound < 10 * distance
    if not fit_intercept:  # then strong convexity alone: ||g|| / lambda
        assert removal.distance_bound <= removal.gradient_norm / l2 * (1 + 1e-12)


def _objective(theta, X, y, l2):
    """Binary mean log-loss plus l2 / 2 ||w||^2, intercept last (independent)."""
    z = X @ theta[:-1] + theta[-1]
    loss = -np.mean(y * log_expit(z) + (1 - y) * log_expit(-z))
    return loss + 0.5 * l2 * theta[:-1] @ theta[:-1]


def test_gradient_norm_and_noise_term_match_an_independent_objective():
    X, y, forget = _problem(0, 2)
    rng = np.random.default_rng(1)
    b = rng.normal(size=(X.shape[1] + 1, 1))
    l2 = 0.01
    start = rng.normal(size=(X.shape[1], 1)), np.array([0.3])
    removal = newton_removal(X, y, *start, l2, "logistic", True, noise=b)
    theta = np.r_[removal.coef[:, 0], removal.intercept]

    def perturbed(t):
        return _objective(t, X, y.astype(float), l2) + b[:, 0] @ t / X.shape[0]

    eps = 1e-6
    grad = [
        (perturbed(theta + eps * e) - perturbed(theta - eps * e)) / (2 * eps)
        for e in np.eye(theta.size)
    ]
    assert_allclose(np.linalg.norm(grad), removal.gradient_norm, atol=1e-8)
    optimum = minimize(perturbed, theta, method="BFGS", options={"gtol": 1e-11}).x
    assert np.linalg.norm(theta - optimum) <= removal.distance_bound + 1e-8


def test_one_vs_rest_is_one_binary_problem_per_class():
    X, y, _ = _problem(2, 3)
    rng = np.random.default_rng(0)
    coef, intercept = rng.normal(size=(5, 3)), rng.normal(size=3)
    joint = newton_removal(X, y, coef, intercept, 0.01, "ovr", True)
    for k in range(3):
        one = newton_removal(
            X, (y == k).astype(int), coef[:, k : k + 1], intercept[k : k + 1],
            0.01, "logistic", True,
        )  # fmt: skip
        assert_allclose(joint.coef[:, k], one.coef[:, 0])
        assert_allclose(joint.intercept[k], one.intercept[0])


def test_weighted_gram_is_the_augmented_product():
    rng = np.random.default_rng(0)
    X, w = rng.normal(size=(30, 4)), rng.random(30)
    X1 = np.c_[X, np.ones(30)]
    assert_allclose(weighted_gram(X, w, True), X1.T @ (w[:, None] * X1))
    assert_allclose(weighted_gram(X, w, False), X.T @ (w[:, None] * X))


def test_distance_bound_on_a_function_of_known_minimiser():
    # f(t) = t^2 / 2 + t^4 (curvature 1 + 12 t^2 >= 1): from t, |t - 0| = t
    # and the bound is f'(t) / min curvature over the ball, at least t
    t = 0.3
    grad = t + 4 * t**3
    bound = distance_bound(grad, lambda r: 1.0 + 12.0 * max(t - r, 0.0) ** 2)
    assert t <= bound <= grad
    assert distance_bound(0.0, lambda r: 1.0) == 0.0
    assert distance_bound(1.0, lambda r: 0.0) == np.inf
    # curvature vanishing away from the point: no ball closes, no bound
    assert distance_bound(1.0, lambda r: expit(-50 * r)) == np.inf


def test_gaussian_epsilon():
    # the classic calibration sigma = sens * sqrt(2 log(1.25 / delta)) / eps is
    # sufficient for eps < 1: the exact epsilon is at most eps
    delta, eps = 1e-5, 0.5
    sigma = np.sqrt(2 * np.log(1.25 / delta)) / eps
    got = gaussian_epsilon(1.0, sigma, delta)
    assert 0.3 * eps < got <= eps
    assert gaussian_epsilon(2.0, 2 * sigma, delta) == pytest.approx(got)
    assert gaussian_epsilon(0.0, 1.0, delta) == 0.0
    assert gaussian_epsilon(1.0, 0.0, delta) == np.inf
    assert gaussian_epsilon(1.0, 1e-3, delta) > gaussian_epsilon(1.0, 1e-2, delta)


@pytest.mark.parametrize("fit_intercept", [True, False])
@pytest.mark.parametrize("K", [3, 4])
def test_softmax_hessian_is_the_sum_of_row_kronecker_products(K, fit_intercept):
    # independent reference: sum_i (diag(p_i) - p_i p_i^T) (x) x~_i x~_i^T
    rng = np.random.default_rng(K)
    n, d, l2 = 50, 3, 0.1
    X = rng.normal(size=(n, d))
    X1 = np.c_[X, np.ones(n)] if fit_intercept else X
    P = softmax(rng.normal(size=(n, K)), axis=1)
    reference = (
        sum(
            np.kron(np.outer(x, x), np.diag(p) - np.outer(p, p))
            for x, p in zip(X1, P, strict=True)
        )
        / n
    )
    W = _pair_weights(P) / n
    grams = [X1.T @ (W[:, j : j + 1] * X1) for j in range(W.shape[1])]
    got = _softmax_hessian(grams, K, l2, fit_intercept)
    p = X1.shape[1]
    penalty = np.kron(np.diag(np.r_[np.ones(d), np.zeros(p - d)]), np.eye(K))
    lifted = np.kron(np.eye(p), np.full((K, K), 1.0 / K))
    expected = reference + l2 * penalty
    assert_allclose(got, expected + np.trace(expected) * lifted, atol=1e-12)


@pytest.mark.parametrize("n_classes", [2, 3])
def test_retain_weighs_the_rows_out_like_a_gather(n_classes):
    X, y, forget = _problem(3, n_classes)
    coef, intercept = _exact(X, y, 0.5, True)
    link = "logistic" if n_classes == 2 else "softmax"
    l2 = 1.0 / (0.5 * np.count_nonzero(~forget))
    gathered = newton_removal(X[~forget], y[~forget], coef, intercept, l2, link, True)
    weighted = newton_removal(X, y, coef, intercept, l2, link, True, retain=~forget)
    assert_allclose(weighted.coef, gathered.coef, atol=1e-12)
    assert_allclose(weighted.intercept, gathered.intercept, atol=1e-12)
    assert weighted.gradient_norm == pytest.approx(gathered.gradient_norm, rel=1e-9)
    assert weighted.distance_bound == pytest.approx(gathered.distance_bound, rel=1e-6)


def test_more_steps_certify_a_start_one_step_cannot():
    # a start far from the optimum: one step leaves the certificate inf,
    # Newton's quadratic convergence gives a finite bound after a few, and
    # that bound holds against the exact optimum
    X, y, _ = _problem(0, 2)
    C, l2 = 0.5, 1.0 / (0.5 * X.shape[0])
    start = np.random.default_rng(0).normal(size=(X.shape[1], 1)), np.zeros(1)
    one = newton_removal(X, y, *start, l2, "logistic", True)
    assert one.distance_bound == np.inf
    four = newton_removal(X, y, *start, l2, "logistic", True, steps=4)
    assert four.gradient_norm < 1e-2 * one.gradient_norm
    exact = _stacked(*_exact(X, y, C, True), True, False)
    got = _stacked(four.coef, four.intercept, True, False)
    assert np.linalg.norm(got - exact) <= four.distance_bound < np.inf
