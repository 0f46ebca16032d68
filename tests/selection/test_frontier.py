"""Edit KLs, running-sum curves and the paper's 1-D population model (spec §2-5)."""

import numpy as np
import pytest
from numpy.testing import assert_allclose
from scipy import integrate
from scipy.stats import norm

from sklearn_unlearn.metrics import distributional_unlearning_report
from sklearn_unlearn.selection._frontier import (
    edit_curve,
    edit_kl,
    folded_normal_cdf,
    folded_normal_quantile,
    population_curve_1d,
    smallest_budget,
)
from sklearn_unlearn.selection._stats import domain_stats

FAMILIES = ["gaussian_mean", "gaussian"]


def _domains(seed=0, n1=120, n2=200, d=3):
    rng = np.random.default_rng(seed)
    X1 = rng.normal(0.8, 1.0, (n1, d)) @ np.diag(np.arange(1.0, d + 1))
    X2 = rng.normal(0.0, 1.0, (n2, d)) @ rng.normal(size=(d, d))
    X = np.vstack([X1, X2])
    return X, np.arange(n1), np.arange(n1, n1 + n2)


@pytest.mark.parametrize("family", FAMILIES)
def test_curve_equals_report_at_every_prefix(family):
    X, forget, retain = _domains()
    stats = domain_stats(X, forget, X, retain)
    order = np.random.default_rng(1).permutation(forget)
    curve = edit_curve(X, order, stats, family, 1e-6)
    assert curve.alpha.shape == curve.epsilon.shape == (forget.size + 1,)
    for f in (0, 1, 2, 37, forget.size - 1, forget.size):
        keep = np.ones(forget.size, dtype=bool)
        keep[order[:f]] = False
        report = distributional_unlearning_report(
            X[forget], X[retain], keep, family=family
        )
        assert_allclose(curve.alpha[f], report.alpha, rtol=1e-9, atol=1e-12)
        assert_allclose(curve.epsilon[f], report.epsilon, rtol=1e-9, atol=1e-12)
        assert_allclose(curve.kappa, report.kappa, rtol=1e-12)
        one = edit_kl(X, order[:f], stats, family, 1e-6)
        assert_allclose(one.alpha[0], curve.alpha[f], rtol=1e-9, atol=1e-12)


@pytest.mark.parametrize("family", FAMILIES)
def test_curve_block_boundaries_do_not_matter(family, monkeypatch):
    # Blocks of a few rows exercise the running sums carried across blocks.
    import sklearn_unlearn.selection._frontier as frontier
    import sklearn_unlearn.selection._stats as stats_module

    X, forget, retain = _domains(seed=2)
    stats = domain_stats(X, forget, X, retain)
    reference = edit_curve(X, forget, stats, family, 1e-6)
    monkeypatch.setattr(stats_module, "row_chunks", lambda *a, **k: 7)
    monkeypatch.setattr(frontier, "OUTER_BLOCK_BYTES", 8 * 9 * 5)
    small = edit_curve(X, forget, stats, family, 1e-6)
    assert_allclose(small.alpha, reference.alpha, rtol=1e-10, atol=1e-12)
    assert_allclose(small.epsilon, reference.epsilon, rtol=1e-10, atol=1e-12)


@pytest.mark.parametrize("family", FAMILIES)
def test_deleting_nothing_or_everything(family):
    X, forget, retain = _domains(seed=3)
    stats = domain_stats(X, forget, X, retain)
    curve = edit_curve(X, forget, stats, family, 1e-6)
    # all forget rows deleted: p_hat is p2, so epsilon = 0 and alpha = kappa
    assert_allclose(curve.epsilon[-1], 0.0, atol=1e-10)
    assert_allclose(curve.alpha[-1], curve.kappa, rtol=1e-9)
    assert curve.alpha[0] < curve.kappa and curve.epsilon[0] > 0


def test_smallest_budget_is_the_first_step_meeting_both():
    from sklearn_unlearn.selection._frontier import EditCurve

    curve = EditCurve(
        alpha=np.array([0.1, 0.5, 0.3, 0.9, 1.0]),
        epsilon=np.array([0.5, 0.4, 0.1, 0.3, 0.05]),
        kappa=1.0,
    )
    assert smallest_budget(curve, 0.3, 0.2) == 2
    assert smallest_budget(curve, 0.8, 0.3) == 3
    assert smallest_budget(curve, 0.95, 0.1) == 4
    assert smallest_budget(curve, 0.0, 1.0) == 0
    assert smallest_budget(curve, 2.0, 1.0) == -1


# ------------------------------------------------ spec §5.6: g and its inverse
def test_folded_normal_cdf_closed_forms():
    u = np.linspace(0.0, 5.0, 11)
    assert_allclose(folded_normal_cdf(u, 0.0), 2 * norm.cdf(u) - 1)
    # against the density of |Z + s| integrated numerically
    kappa = 0.8
    s = np.sqrt(2 * kappa)
    for x in (0.3, 1.0, 2.5):
        value, _ = integrate.quad(lambda t: norm.pdf(t - s) + norm.pdf(t + s), 0, x)
        assert_allclose(folded_normal_cdf(x, kappa), value, rtol=1e-9)


def test_folded_normal_quantile_inverts_and_grows_with_kappa():
    r = np.array([0.01, 0.1, 0.5, 0.9, 0.999])
    for kappa in (0.0, 0.05, 0.5, 4.5):
        assert_allclose(folded_normal_cdf(folded_normal_quantile(r, kappa), kappa), r)
    kappas = np.array([0.0, 0.1, 1.0, 5.0])
    assert np.all(np.diff(folded_normal_quantile(0.5, kappas)) > 0)


# ------------------------------------------ spec §4 and §5.4: population model
def test_population_selective_curve_reference_values():
    deleted = np.array([0.1, 0.3, 0.5, 0.7, 0.9])
    alpha, eps = population_curve_1d(0.5, 1 - deleted, 20000, 40000, "euclidean")
    assert_allclose(alpha, [0.281, 0.372, 0.442, 0.485, 0.499], atol=0.01)
    assert_allclose(eps, [0.031, 0.0094, 0.0018, 0.0001, 0.0], atol=0.003)


def _halving_fraction(kappa, rule, n1=20000, n2=40000):
    deleted = np.linspace(0.0, 1.0, 20001)
    alpha, _ = population_curve_1d(kappa, 1 - deleted, n1, n2, rule)
    target = 0.5 * (alpha[0] + alpha[-1])
    return deleted[np.argmax(alpha >= target)]


@pytest.mark.parametrize(
    "kappa, expected", [(0.01, 0.161), (0.05, 0.172), (0.5, 0.274), (2, 0.417)]
)
def test_population_halving_budgets_of_the_headline_table(kappa, expected):
    assert_allclose(_halving_fraction(kappa, "euclidean"), expected, atol=0.002)
    assert_allclose(_halving_fraction(kappa, "random"), 0.647, atol=0.002)


def test_population_kappa_4_5():
    assert_allclose(_halving_fraction(4.5, "euclidean"), 0.490, atol=0.002)


def test_empirical_selection_matches_the_population_curve():
    # spec §5.4 by the selector's own path: euclidean rule, plug-in KLs
    from sklearn_unlearn import DistributionalSelector

    kappa, n1, n2 = 0.5, 20000, 40000
    rng = np.random.default_rng(0)
    X = np.concatenate(
        [rng.normal(np.sqrt(2 * kappa), 1, n1), rng.normal(0, 1, n2)]
    ).reshape(-1, 1)
    mask = np.arange(n1 + n2) < n1
    expected = [(0.281, 0.031), (0.372, 0.0094), (0.442, 0.0018), (0.485, 0.0001)]
    for fraction, (alpha, eps) in zip((0.1, 0.3, 0.5, 0.7), expected, strict=True):
        sel = DistributionalSelector("euclidean", budget=fraction).fit(
            X, forget_mask=mask
        )
        assert_allclose(sel.achieved_alpha_, alpha, atol=0.01)
        assert_allclose(sel.achieved_epsilon_, eps, atol=0.003)
