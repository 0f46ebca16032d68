"""Kernels of outcome unlearning against closed forms and independent references."""

import numpy as np
import pytest
from scipy import stats

from sklearn_unlearn.outcome._kernels import (
    _fit_outcome_barycenter,
    _outcome_levels,
    _outcome_transport,
)


def _gaussian_groups(means, sds, n=4000):
    """Exact-quantile samples of N(m, sd^2) (stratified levels, no noise)."""
    u = (np.arange(n) + 0.5) / n
    F = np.concatenate(
        [stats.norm.ppf(u, m, sd) for m, sd in zip(means, sds, strict=True)]
    )
    codes = np.repeat(np.arange(len(means)), n)
    return F[:, None], codes


@pytest.mark.parametrize(
    "weights, mean, sd", [((0.5, 0.5), 2.0, 2.0), ((0.25, 0.75), 3.0, 2.5)]
)
def test_gaussian_barycenter_closed_form(weights, mean, sd):
    # N(0, 1) and N(4, 9): the barycenter is N(sum p m, (sum p sigma)^2)
    F, codes = _gaussian_groups([0.0, 4.0], [1.0, 3.0])
    model = _fit_outcome_barycenter(F, codes, 2, np.array(weights), 1000)
    u = model.references
    inner = (u > 0.01) & (u < 0.99)
    # the type-7 quantile at level u reads the sample point of level
    # (u (n - 1) + 0.5) / n; the closed form is evaluated there
    n = 4000
    expected = stats.norm.ppf((u[inner] * (n - 1) + 0.5) / n, mean, sd)
    # left: linear interpolation between neighbouring points, below 1e-3
    np.testing.assert_allclose(
        model.barycenter_quantiles[inner, 0], expected, atol=1e-3
    )


def test_gaussian_maps_closed_form():
    # p = (1/2, 1/2): maps x -> 2 + 2x and x -> 2 + (2/3)(x - 4)
    F, codes = _gaussian_groups([0.0, 4.0], [1.0, 3.0])
    model = _fit_outcome_barycenter(F, codes, 2, np.array([0.5, 0.5]), 1000)
    x0 = np.linspace(-2.0, 2.0, 41)
    x1 = np.linspace(-2.0, 10.0, 41)
    X = np.concatenate([x0, x1])[:, None]
    c = np.repeat([0, 1], 41)
    Z = _outcome_transport(X, c, model, 1.0, np.zeros_like(X))[:, 0]
    np.testing.assert_allclose(Z[:41], 2.0 + 2.0 * x0, atol=5e-3)
    np.testing.assert_allclose(Z[41:], 2.0 + (2.0 / 3.0) * (x1 - 4.0), atol=5e-3)


def test_barycenter_is_the_w2_minimiser_pot():
    # independent reference: the barycenter minimises sum_s p_s W2^2(mu_s, nu);
    # POT's exact 1-D W2 of the barycenter to each group equals the closed form
    ot = pytest.importorskip("ot")
    F, codes = _gaussian_groups([0.0, 4.0], [1.0, 3.0], n=2000)
    model = _fit_outcome_barycenter(F, codes, 2, np.array([0.5, 0.5]), 2000)
    bary = model.barycenter_quantiles[:, 0]
    for g, (m, sd) in enumerate([(0.0, 1.0), (4.0, 3.0)]):
        w2 = ot.emd2_1d(F[codes == g, 0], bary)
        expected = (m - 2.0) ** 2 + (sd - 2.0) ** 2  # Gaussian W2^2
        assert w2 == pytest.approx(expected, rel=0.01)


def test_repair_level_follows_the_geodesic():
    rng = np.random.default_rng(0)
    codes = np.repeat([0, 1, 2], 300)
    F = rng.normal(size=(900, 2)) * (1 + codes[:, None]) + codes[:, None]
    model = _fit_outcome_barycenter(F, codes, 3, np.full(3, 1 / 3), 200)
    U = rng.random(F.shape)
    full = _outcome_transport(F, codes, model, 1.0, U)
    for t in (0.25, 0.5, 0.75):
        Z = _outcome_transport(F, codes, model, t, U)
        np.testing.assert_allclose(Z, (1 - t) * F + t * full, rtol=0, atol=1e-12)
    np.testing.assert_array_equal(_outcome_transport(F, codes, model, 0.0, U), F)


def test_full_repair_equalises_the_groups():
    rng = np.random.default_rng(1)
    codes = np.repeat([0, 1, 2], [400, 500, 600])
    F = rng.gamma(2.0, 1.0 + codes, size=1500)[:, None]
    model = _fit_outcome_barycenter(F, codes, 3, np.array([0.2, 0.3, 0.5]), 1000)
    Z = _outcome_transport(F, codes, model, 1.0, rng.random(F.shape))[:, 0]
    for a, b in [(0, 1), (0, 2), (1, 2)]:
        assert stats.ks_2samp(Z[codes == a], Z[codes == b]).pvalue > 0.5


def test_ties_are_spread_uniformly_within_the_atom():
    # group 0 is 0 or 1 (70% / 30%); its levels must be uniform on [0, 0.7]
    # and [0.7, 1], not two point masses
    rng = np.random.default_rng(2)
    F0 = (rng.random(1000) < 0.3).astype(float)
    F1 = rng.normal(size=1000)
    F = np.concatenate([F0, F1])[:, None]
    codes = np.repeat([0, 1], 1000)
    model = _fit_outcome_barycenter(F, codes, 2, np.array([0.5, 0.5]), 1000)
    U = rng.random(F.shape)
    levels = _outcome_levels(F, codes, model, U)[:, 0]
    zeros = levels[:1000][F0 == 0]
    share = np.mean(F0 == 0)
    assert stats.kstest(zeros, "uniform", args=(0, share)).pvalue > 0.01
    ones = levels[:1000][F0 == 1]
    assert stats.kstest(ones, "uniform", args=(share, 1 - share)).pvalue > 0.01
    # a deterministic level (uniform 0) collapses each atom onto one output
    Z = _outcome_transport(F, codes, model, 1.0, np.zeros_like(F))[:1000, 0]
    assert np.unique(Z).size == 2
