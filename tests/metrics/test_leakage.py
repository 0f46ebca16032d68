"""leakage_auc and group_wasserstein_distance: known answers and bad input."""

import numpy as np
import ot
import pytest
from numpy.testing import assert_allclose
from sklearn.linear_model import LogisticRegression

from sklearn_unlearn.feature._bures import bures_wasserstein2
from sklearn_unlearn.metrics import group_wasserstein_distance, leakage_auc


@pytest.fixture(scope="module")
def independent():
    rng = np.random.default_rng(0)
    return rng.normal(size=(2000, 4)), rng.integers(0, 3, size=2000)


def test_leakage_is_chance_when_z_is_independent_of_s(independent):
    Z, s = independent
    assert abs(leakage_auc(Z, s, random_state=0) - 0.5) < 0.03
    assert abs(leakage_auc(Z, s == 1, random_state=0) - 0.5) < 0.03


def test_leakage_is_one_when_s_is_a_column_of_z(independent):
    Z, s = independent
    assert leakage_auc(np.column_stack([Z, s]), s, random_state=0) > 0.99
    names = np.array(["a", "b", "c"])[s]
    assert leakage_auc(np.column_stack([Z, s]), names, random_state=0) > 0.99


def test_leakage_custom_adversary_and_reproducibility(independent):
    Z, s = independent
    Z = Z + 0.5 * s[:, None]
    lr = leakage_auc(Z, s, estimator=LogisticRegression(), cv=3, random_state=1)
    assert 0.6 < lr < 0.9
    assert lr == leakage_auc(Z, s, estimator=LogisticRegression(), cv=3, random_state=1)


@pytest.mark.parametrize(
    "Z, s, match",
    [
        (
            np.zeros((10, 2)),
            np.zeros(9),
            "Z has 10 samples but sensitive_features has 9",
        ),
        (np.zeros((10, 2)), np.zeros(10), "single group"),
        (np.full((10, 2), np.nan), np.arange(10) % 2, "NaN"),
        (np.zeros((10, 2)), np.r_[np.zeros(7), np.ones(3)], "cv=5 stratified folds"),
        (np.zeros(10), np.arange(10) % 2, r"Z must be 2-D.*reshape\(-1, 1\)"),
    ],
)
def test_leakage_bad_input(Z, s, match):
    with pytest.raises(ValueError, match=match):
        leakage_auc(Z, s)


def test_gaussian_distance_equals_bures_closed_form():
    rng = np.random.default_rng(1)
    s = rng.integers(0, 3, 600)
    Z = rng.normal(size=(600, 3)) * (1 + s[:, None]) + s[:, None]
    pooled_mean, pooled_cov = Z.mean(0), np.cov(Z.T, ddof=0)
    expected = 0.0
    for g in range(3):
        Zg = Z[s == g]
        w2 = bures_wasserstein2(
            Zg.mean(0), np.cov(Zg.T, ddof=0), pooled_mean, pooled_cov
        )
        ref = ot.gaussian.bures_wasserstein_distance(
            Zg.mean(0), pooled_mean, np.cov(Zg.T, ddof=0), pooled_cov
        )
        assert_allclose(np.sqrt(w2), ref, rtol=1e-8)
        expected += np.mean(s == g) * ref
    assert_allclose(group_wasserstein_distance(Z, s), expected, rtol=1e-8)


def test_exact_distance_agrees_with_pot_on_small_samples():
    rng = np.random.default_rng(2)
    s = np.repeat([0, 1], 60)
    Z = rng.normal(size=(120, 2)) + 2 * s[:, None]
    expected = 0.0
    for g in (0, 1):
        M = ot.dist(Z[s == g], Z)
        expected += 0.5 * np.sqrt(
            ot.emd2(np.full(60, 1 / 60), np.full(120, 1 / 120), M)
        )
    assert_allclose(
        group_wasserstein_distance(Z, s, method="exact"), expected, rtol=1e-9
    )


def test_distances_vanish_for_equal_laws_and_grow_with_shift():
    # Equal laws: the Gaussian form sees nearly equal moments; the sample-based
    # forms keep the finite-sample bias of empirical W2 (about n^(-1/2) in 2-D,
    # ~0.1 at 1000 points). A shift of 2 between the groups gives W2 ~ 1 each.
    rng = np.random.default_rng(3)
    s = rng.integers(0, 2, 2000)
    Z = rng.normal(size=(2000, 2))
    bounds = {"gaussian": 0.05, "sliced": 0.1, "exact": 0.2}
    for method, bound in bounds.items():
        kwargs = {"method": method, "max_samples": 1000, "random_state": 0}
        same = group_wasserstein_distance(Z, s, **kwargs)
        shifted = group_wasserstein_distance(Z + 2 * s[:, None], s, **kwargs)
        assert same < bound
        assert shifted > 0.5 and shifted > 5 * same
