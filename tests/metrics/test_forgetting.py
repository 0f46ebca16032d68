"""Domain forgetting metrics (KLs, frontier, marginal information) vs closed forms."""

import numpy as np
import pytest
from numpy.testing import assert_allclose
from scipy.stats import entropy, multivariate_normal

from sklearn_unlearn.metrics import (
    distributional_unlearning_report,
    gaussian_kl,
    gaussian_pareto_frontier,
    marginal_information,
)
from sklearn_unlearn.selection._frontier import pareto_epsilon_min


def test_gaussian_kl_closed_forms():
    assert_allclose(gaussian_kl([0.0], [[1.0]], [2.0]), 2.0)
    # 1-D with different variances: log(s_q/s_p) + (s_p^2 + dm^2)/(2 s_q^2) - 1/2.
    expected = np.log(3.0) + (1.0 + 4.0) / 18.0 - 0.5
    assert_allclose(gaussian_kl([0.0], [[1.0]], [2.0], [[9.0]]), expected, rtol=1e-12)


def test_gaussian_kl_matches_monte_carlo():
    rng = np.random.default_rng(0)
    mp, mq = np.array([0.0, 1.0]), np.array([1.0, -1.0])
    Cp, Cq = np.array([[2.0, 0.5], [0.5, 1.0]]), np.array([[1.0, -0.3], [-0.3, 2.0]])
    x = rng.multivariate_normal(mp, Cp, size=400_000)
    mc = np.mean(
        multivariate_normal(mp, Cp).logpdf(x) - multivariate_normal(mq, Cq).logpdf(x)
    )
    assert_allclose(gaussian_kl(mp, Cp, mq, Cq), mc, rtol=0.01)


def test_gaussian_kl_bad_input():
    with pytest.raises(ValueError, match="positive definite"):
        gaussian_kl([0.0, 0.0], [[1.0, 2.0], [2.0, 1.0]], [1.0, 1.0])
    with pytest.raises(ValueError, match="dimensions differ"):
        gaussian_kl([0.0], [[1.0]], [0.0, 0.0], np.eye(2))


def test_pareto_frontier_reference_values():
    assert_allclose(gaussian_pareto_frontier(2.0, 0.1), 2.99443, atol=1e-4)
    assert_allclose(pareto_epsilon_min(3.0, 2.0), 0.10102, atol=1e-5)
    kappa = np.array([0.01, 0.5, 2.0])
    assert_allclose(gaussian_pareto_frontier(kappa, 0.0), kappa)
    assert_allclose(pareto_epsilon_min(kappa / 2, kappa), 0.0)
    eps = np.linspace(0.0, 1.0, 11)
    assert_allclose(pareto_epsilon_min(gaussian_pareto_frontier(2.0, eps), 2.0), eps)
    assert np.all(np.diff(gaussian_pareto_frontier(2.0, eps)) > 0)
    with pytest.raises(ValueError, match="nonnegative"):
        gaussian_pareto_frontier([-1.0], 0.1)


def test_frontier_maximiser_reaches_it():
    # mu* = mu2 + sqrt(eps / kappa) (mu2 - mu1): KL(p2||.) = eps, KL(p1||.) = alpha_max.
    mu1, mu2, cov = np.array([2.0, 0.0]), np.zeros(2), np.eye(2)
    kappa, eps = gaussian_kl(mu1, cov, mu2), 0.1
    mu_star = mu2 + np.sqrt(eps / kappa) * (mu2 - mu1)
    assert_allclose(gaussian_kl(mu2, cov, mu_star), eps)
    assert_allclose(
        gaussian_kl(mu1, cov, mu_star), gaussian_pareto_frontier(kappa, eps)
    )


def test_report_extremes_and_random_deletion():
    rng = np.random.default_rng(1)
    X1 = rng.normal(1.0, 1.0, size=(2000, 2))
    X2 = rng.normal(0.0, 1.0, size=(4000, 2))
    nothing = distributional_unlearning_report(X1, X2, np.ones(2000, bool))
    everything = distributional_unlearning_report(X1, X2, np.zeros(2000, bool))
    assert everything.n_deleted == 2000 and nothing.n_deleted == 0
    assert_allclose(everything.epsilon, 0.0, atol=1e-12)
    assert_allclose(everything.alpha, everything.kappa, rtol=1e-12)
    # Plug-in mean model: with w = n1 / N the kept share, alpha = (1 - w)^2 kappa.
    w = 2000 / 6000
    assert_allclose(nothing.alpha, (1 - w) ** 2 * nothing.kappa, rtol=1e-9)
    assert_allclose(nothing.epsilon, w**2 * nothing.kappa, rtol=1e-9)
    full = distributional_unlearning_report(
        X1, X2, np.ones(2000, bool), family="gaussian"
    )
    assert full.alpha > 0 and full.epsilon > 0


def test_report_bad_input():
    X = np.zeros((5, 2))
    with pytest.raises(ValueError, match="boolean array of shape"):
        distributional_unlearning_report(X, X, np.ones(4, bool))
    with pytest.raises(ValueError, match="boolean array"):
        distributional_unlearning_report(X, X, np.ones(5))
    with pytest.raises(ValueError, match="features"):
        distributional_unlearning_report(X, np.zeros((5, 3)), np.ones(5, bool))


def test_marginal_information_known_answers():
    rng = np.random.default_rng(2)
    P = rng.dirichlet(np.ones(3), size=100)
    assert_allclose(marginal_information(P, P), 0.0, atol=1e-15)
    # One-hot outputs that reveal the copy: the whole training set predicts class 0,
    # the retained rows class 1 -> I = H(S').
    full, retain = np.eye(2)[np.zeros(60, int)], np.eye(2)[np.ones(40, int)]
    assert_allclose(marginal_information(full, retain), entropy([60, 40]), rtol=1e-12)
    with pytest.raises(ValueError, match="class probabilities"):
        marginal_information(P * 2, P)
    with pytest.raises(ValueError, match="classes"):
        marginal_information(P, P[:, :2] / P[:, :2].sum(1, keepdims=True))
