"""Units do not matter: the metrics across the float range (hypothesis properties).

Multiplying by a power of two is exact in floating point, so the scale-free
metrics must give bit-identical answers (W2 exactly scaled) for every 2**k with
k in [-1000, 1000]; other factors agree up to rounding.
"""

import numpy as np
import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st
from numpy.testing import assert_allclose

from sklearn_unlearn.metrics import (
    distributional_unlearning_report,
    gaussian_kl,
    group_wasserstein_distance,
    mutual_information,
)


def _grouped(n, seed=0):
    """Two shifted groups; no entry is tiny, so 2**-1000 times it stays normal."""
    rng = np.random.default_rng(seed)
    s = np.arange(n) % 2
    Z = rng.normal(size=(n, 2)) + np.array([1.0, -0.5]) * s[:, None]
    Z[:, 1] *= 1 + s  # the groups' covariances differ too
    Z[np.abs(Z) < 1e-3] = 1e-3
    return Z, s


Z_W2, S_W2 = _grouped(160)
Z_MI, S_MI = _grouped(400, seed=1)
W2_KWARGS = {"random_state": 0, "max_samples": 60, "n_projections": 20}
METHODS = ["gaussian", "sliced", "exact"]
REFERENCE_W2 = {
    m: group_wasserstein_distance(Z_W2, S_W2, method=m, **W2_KWARGS) for m in METHODS
}
REFERENCE_MI = mutual_information(Z_MI, S_MI, random_state=0)
POWERS = st.integers(min_value=-1000, max_value=1000)


@settings(max_examples=30, deadline=None)
@given(k=POWERS, method=st.sampled_from(METHODS))
@example(k=-1000, method="gaussian")
@example(k=1000, method="sliced")
@example(k=-500, method="exact")
def test_w2_scales_exactly_with_powers_of_two(k, method):
    scaled = group_wasserstein_distance(Z_W2 * 2.0**k, S_W2, method=method, **W2_KWARGS)
    assert scaled == REFERENCE_W2[method] * 2.0**k


@settings(max_examples=20, deadline=None)
@given(k0=POWERS, k1=POWERS)
@example(k0=1000, k1=-1000)
@example(k0=520, k1=520)
def test_mutual_information_ignores_powers_of_two_per_column(k0, k1):
    scaled = Z_MI * np.array([2.0**k0, 2.0**k1])
    assert mutual_information(scaled, S_MI, random_state=0) == REFERENCE_MI


@settings(max_examples=20, deadline=None)
@given(k=st.integers(min_value=-500, max_value=500))
@example(k=-500)
@example(k=500)
def test_gaussian_kl_ignores_powers_of_two(k):
    mean_p, cov_p = np.array([1.0, 0.5]), np.array([[2.0, 0.3], [0.3, 1.0]])
    mean_q, cov_q = np.array([0.0, -0.5]), np.array([[1.0, -0.2], [-0.2, 0.5]])
    c = 2.0**k
    for q_cov, scaled_q_cov in [(cov_q, cov_q * c * c), (None, None)]:
        expected = gaussian_kl(mean_p, cov_p, mean_q, q_cov)
        got = gaussian_kl(mean_p * c, cov_p * c * c, mean_q * c, scaled_q_cov)
        assert got == expected


@settings(max_examples=15, deadline=None)
@given(k=POWERS, family=st.sampled_from(["gaussian_mean", "gaussian"]))
@example(k=-1000, family="gaussian_mean")
@example(k=1000, family="gaussian")
def test_report_ignores_powers_of_two(k, family):
    X_forget, X_retain = Z_W2[S_W2 == 1], Z_W2[S_W2 == 0]
    keep = np.arange(X_forget.shape[0]) % 3 == 0
    expected = distributional_unlearning_report(X_forget, X_retain, keep, family=family)
    c = 2.0**k
    got = distributional_unlearning_report(
        X_forget * c, X_retain * c, keep, family=family
    )
    assert got == expected


@pytest.mark.parametrize("c", [1e-300, 7.1e-150, 1.3e150, 1e300])
def test_other_factors_agree_up_to_rounding(c):
    for method in METHODS:
        scaled = group_wasserstein_distance(Z_W2 * c, S_W2, method=method, **W2_KWARGS)
        assert_allclose(scaled / c, REFERENCE_W2[method], rtol=1e-9)
    assert_allclose(
        mutual_information(Z_MI * c, S_MI, random_state=0), REFERENCE_MI, rtol=1e-9
    )
