"""Tests of the k-NN estimate of I(Z; S) (Ross, 2014)."""

import numpy as np
import pandas as pd
import pytest
from scipy import integrate
from scipy.special import digamma
from scipy.stats import norm

from sklearn_unlearn.metrics._mutual_info import (
    _knn_mutual_information,
    _standardize_with_jitter,
    _stratified_subsample,
    mutual_information,
)
from sklearn_unlearn.utils._compat import InvalidParameterError


# ----------------------------------------------------------------- references
def _closed_form_mi(mu, p):
    """I(Z; S) for P(S=1) = p and Z | S ~ N(+mu, 1) or N(-mu, 1), in nats.

    I = H(Z) - H(Z | S), with H(Z | S) = log(2 pi e) / 2 and H(Z) of the
    two-component mixture by numerical integration.
    """

    def integrand(z):
        log_f = np.logaddexp(
            np.log(p) + norm.logpdf(z, mu), np.log1p(-p) + norm.logpdf(z, -mu)
        )
        return -np.exp(log_f) * log_f

    h_z, _ = integrate.quad(integrand, -mu - 40, mu + 40, points=[-mu, mu], limit=200)
    return h_z - 0.5 * np.log(2 * np.pi * np.e)


def _naive_ross(Z, codes, k):
    """O(n^2) Ross estimate written from the paper, max-norm, no trees."""
    n = Z.shape[0]
    dist = np.abs(Z[:, None, :] - Z[None, :, :]).max(axis=2)
    np.fill_diagonal(dist, np.inf)  # i is never its own neighbour
    total = 0.0
    for i in range(n):
        same = codes == codes[i]
        d_k = np.sort(dist[i, same])[k - 1]  # k-th neighbour in its own group
        m_i = np.sum(dist[i] <= d_k)  # whole sample, the k-th neighbour included
        total += digamma(np.sum(same)) + digamma(m_i)
    return digamma(n) + digamma(k) - total / n


def _two_gaussians(mu, p, n, n_features, rng, *, spread=False):
    """Binary S and Z | S ~ N(+-mu e, I) with e = e_1, or (e_1 + e_2)/sqrt(2)."""
    s = (rng.random(n) < p).astype(int)
    direction = np.zeros(n_features)
    if spread:
        direction[:2] = 1 / np.sqrt(2)
    else:
        direction[0] = 1.0
    Z = rng.standard_normal((n, n_features)) + np.outer(mu * (2 * s - 1), direction)
    return Z, s


def _mean_estimate(mu, p, n, n_features, n_repeats, *, spread=False, seed=0):
    """Mean estimate over independent samples (the estimator's sd at n = 4000
    and mu = 0.5 is ~8% of I, so one sample cannot check a 10% tolerance)."""
    estimates = [
        mutual_information(
            *_two_gaussians(
                mu, p, n, n_features, np.random.default_rng([seed, r]), spread=spread
            ),
            random_state=r,
        )
        for r in range(n_repeats)
    ]
    return float(np.mean(estimates))


#: Repeats per mu: the relative sd of one estimate at n = 4000 is ~8% (mu=0.5),
#: ~3% (mu=1) and ~1% (mu=2); these keep the 10% tolerance >= 2.5 sd of the mean.
N_REPEATS = {0.5: 12, 1.0: 4, 2.0: 2}


def _three_groups(n=2000, n_features=3, seed=0, shift=0.7):
    rng = np.random.default_rng(seed)
    s = rng.choice(3, size=n, p=[0.5, 0.3, 0.2])
    Z = rng.standard_normal((n, n_features))
    Z[:, 0] += shift * s
    Z[:, 1] -= 0.5 * shift * (s == 2)
    return Z, s


# ------------------------------------------------------------- closed forms
@pytest.mark.parametrize("p", [0.5, 0.3])
@pytest.mark.parametrize("mu", [0.5, 1.0, 2.0])
def test_closed_form_one_feature(mu, p):
    expected = _closed_form_mi(mu, p)
    estimate = _mean_estimate(mu, p, 4000, 1, N_REPEATS[mu])
    assert estimate == pytest.approx(expected, rel=0.10)


@pytest.mark.parametrize("p", [0.5, 0.3])
@pytest.mark.parametrize("mu", [0.5, 1.0, 2.0])
def test_closed_form_signal_plus_noise_features(mu, p):
    # d = 3: the signal in feature 0, independent noise in features 1 and 2.
    # Two noise features add a finite-sample bias of about +0.008 nats at
    # n = 4000 (+7-9% of I at mu = 0.5, +1-4% at mu = 1); it is gone at 16000.
    n, n_repeats = (16000, 3) if mu == 0.5 else (4000, N_REPEATS[mu])
    expected = _closed_form_mi(mu, p)
    estimate = _mean_estimate(mu, p, n, 3, n_repeats, seed=1)
    assert estimate == pytest.approx(expected, rel=0.10)


@pytest.mark.parametrize("p", [0.5, 0.3])
@pytest.mark.parametrize("mu", [0.5, 1.0, 2.0])
def test_closed_form_signal_spread_over_two_features(mu, p):
    # Z | S ~ N(+-mu (1, 1) / sqrt(2), I): a rotation of the 1-D case plus an
    # independent feature, so the same I, although the max-norm is not
    # rotation invariant.
    expected = _closed_form_mi(mu, p)
    estimate = _mean_estimate(mu, p, 4000, 2, N_REPEATS[mu], spread=True, seed=2)
    assert estimate == pytest.approx(expected, rel=0.10)


def test_closed_form_reference_values():
    # independent checks of the integral: I = 0 at mu = 0, -> H(S) as mu grows
    assert _closed_form_mi(0.0, 0.3) == pytest.approx(0.0, abs=1e-10)
    h_s = -(0.3 * np.log(0.3) + 0.7 * np.log(0.7))
    assert _closed_form_mi(8.0, 0.3) == pytest.approx(h_s, abs=1e-6)


@pytest.mark.parametrize("n_neighbors", [1, 3, 5, 10])
def test_kernel_matches_naive_reference(n_neighbors):
    Z, s = _three_groups(n=300, n_features=3, seed=n_neighbors)
    expected = _naive_ross(Z, s, n_neighbors)
    got = _knn_mutual_information(Z, s, n_neighbors)
    assert got == pytest.approx(expected, rel=1e-12, abs=1e-12)


def test_kernel_counting_convention_is_the_consistent_one():
    # Counting i itself, or not counting the k-th neighbour, moves the estimate
    # by about psi(m + 1) - psi(m) ~ 1/m per row: 0.2-0.4 nats here, against
    # +-0.01 for Ross's convention. Pin it on a case with a known answer.
    mu, p = 1.0, 0.5
    expected = _closed_form_mi(mu, p)
    Z, s = _two_gaussians(mu, p, 8000, 1, np.random.default_rng(3))
    assert _knn_mutual_information(Z, s, 3) == pytest.approx(expected, abs=0.02)


@pytest.mark.parametrize("n_neighbors", [1, 5, 10])
def test_other_n_neighbors_are_accurate(n_neighbors):
    mu, p = 1.0, 0.3
    expected = _closed_form_mi(mu, p)
    estimates = [
        mutual_information(
            *_two_gaussians(mu, p, 4000, 1, np.random.default_rng([4, r])),
            n_neighbors=n_neighbors,
            random_state=r,
        )
        for r in range(4)
    ]
    assert np.mean(estimates) == pytest.approx(expected, rel=0.10)


# ---------------------------------------------------------------- properties
def test_independent_data_gives_about_zero():
    # sd of one estimate at n = 4000 is ~0.008 nats: check the unclipped kernel
    # on average, and every clipped public value.
    raw, public = [], []
    for r in range(8):
        rng = np.random.default_rng([5, r])
        Z = rng.standard_normal((4000, 5))
        s = rng.integers(0, 3, size=4000)
        raw.append(_knn_mutual_information(Z, s, 3))
        public.append(mutual_information(Z, s, random_state=r))
    assert abs(np.mean(raw)) < 0.01
    assert all(0.0 <= v < 0.03 for v in public)


def test_sensitive_as_a_column_gives_its_entropy():
    rng = np.random.default_rng(6)
    n = 3000
    s = rng.choice(3, size=n, p=[0.5, 0.3, 0.2])
    Z = np.column_stack([s, rng.standard_normal((n, 2))])
    _, counts = np.unique(s, return_counts=True)
    h_s = -np.sum(counts / n * np.log(counts / n))
    mi = mutual_information(Z, s, random_state=0)
    # every neighbour ball stays in its own group: I = psi(N) - <psi(N_s)>
    assert mi == pytest.approx(h_s, abs=0.01)
    assert mi == pytest.approx(digamma(n) - np.dot(counts, digamma(counts)) / n)


def test_discrete_features_with_ties():
    # integer features: the jitter breaks the ties, S is recoverable from Z
    rng = np.random.default_rng(7)
    s = rng.integers(0, 2, size=2000)
    Z = np.column_stack(
        [s + 2 * rng.integers(0, 3, size=2000), rng.integers(0, 4, 2000)]
    )
    mi = mutual_information(Z, s, random_state=0)
    assert mi == pytest.approx(np.log(2), abs=0.02)


def test_invariant_to_relabelling_groups():
    Z, s = _three_groups()
    labels = np.array(["c", "a", "b"])[s]
    expected = mutual_information(Z, s, random_state=0)
    assert mutual_information(Z, labels, random_state=0) == pytest.approx(
        expected, rel=1e-12
    )
    assert mutual_information(Z, 10 - 3 * s, random_state=0) == pytest.approx(
        expected, rel=1e-12
    )


def test_invariant_to_permuting_rows():
    Z, s = _three_groups()
    order = np.random.default_rng(8).permutation(s.size)
    expected = mutual_information(Z, s, random_state=0)
    # the jitter lands on other rows, far below any distance that matters
    got = mutual_information(Z[order], s[order], random_state=0)
    assert got == pytest.approx(expected, rel=1e-12)


def test_invariant_to_affine_maps_of_columns_and_constant_columns():
    Z, s = _three_groups()
    expected = mutual_information(Z, s, random_state=0)
    scaled = Z * np.array([1e6, 1e-3, 2.0]) + np.array([1e3, -5.0, 0.0])
    assert mutual_information(scaled, s, random_state=0) == pytest.approx(
        expected, rel=1e-9
    )
    with_constant = np.column_stack([np.full(s.size, 7.0), Z])
    assert mutual_information(with_constant, s, random_state=0) == pytest.approx(
        expected, rel=1e-9
    )


def test_all_constant_features_give_zero():
    s = np.repeat([0, 1], 50)
    assert mutual_information(np.ones((100, 3)), s) == 0.0


def test_joint_dependence_counts():
    # S = sign(x1 * x2): each feature alone is independent of S, the pair is not
    rng = np.random.default_rng(9)
    Z = rng.standard_normal((3000, 2))
    s = (Z[:, 0] * Z[:, 1] > 0).astype(int)
    singles = [mutual_information(Z[:, [j]], s, random_state=0) for j in range(2)]
    joint = mutual_information(Z, s, random_state=0)
    assert max(singles) < 0.02
    assert joint > 0.4  # H(S) = log 2 = 0.69


def test_reproducible_with_random_state():
    Z, s = _three_groups(n=3000)
    a = mutual_information(Z, s, max_samples=1000, random_state=0)
    b = mutual_information(Z, s, max_samples=1000, random_state=0)
    c = mutual_information(Z, s, max_samples=1000, random_state=1)
    assert a == b
    assert a != c


def test_max_samples_agrees_with_full_sample():
    mu, p = 1.0, 0.3
    Z, s = _two_gaussians(mu, p, 20000, 2, np.random.default_rng(10))
    full = mutual_information(Z, s, max_samples=None, random_state=0)
    sub = mutual_information(Z, s, max_samples=5000, random_state=0)
    # sd at 5000 rows is ~0.006 nats
    assert sub == pytest.approx(full, abs=0.025)
    assert full == pytest.approx(_closed_form_mi(mu, p), rel=0.05)
    # larger than n_samples: no subsampling
    assert mutual_information(Z, s, max_samples=50000, random_state=0) == full


def test_auto_max_samples_is_20000_rows():
    Z, s = _two_gaussians(1.0, 0.3, 20500, 2, np.random.default_rng(12))
    auto = mutual_information(Z, s, random_state=0)
    assert auto == mutual_information(Z, s, max_samples=20000, random_state=0)
    assert auto != mutual_information(Z, s, max_samples=None, random_state=0)


def test_stratified_subsample_keeps_shares_and_a_minimum_per_group():
    rng = np.random.default_rng(11)
    codes = np.repeat([0, 1, 2], [9000, 990, 10])
    rows = _stratified_subsample(codes, 1000, 4, rng)
    assert rows.size == 1000
    assert np.all(np.diff(rows) > 0)  # sorted, no repeat
    assert np.bincount(codes[rows]).tolist() == [897, 99, 4]
    # a tiny group keeps all its rows when it has fewer than the minimum
    codes = np.repeat([0, 1], [500, 3])
    assert np.bincount(codes[_stratified_subsample(codes, 50, 4, rng)]).tolist() == [
        47,
        3,
    ]


def test_n_jobs_does_not_change_the_result():
    Z, s = _three_groups(n=5000, n_features=4)
    one = mutual_information(Z, s, random_state=0, n_jobs=1)
    assert mutual_information(Z, s, random_state=0, n_jobs=2) == one
    assert mutual_information(Z, s, random_state=0, n_jobs=-1) == one


def test_float32_pandas_and_lists_match_float64_numpy():
    Z, s = _three_groups()
    expected = mutual_information(Z, s, random_state=0)
    frame = pd.DataFrame(Z, columns=["a", "b", "c"])
    assert mutual_information(frame, pd.Series(s), random_state=0) == pytest.approx(
        expected, rel=1e-12
    )
    assert mutual_information(Z.tolist(), s.tolist(), random_state=0) == (
        pytest.approx(expected, rel=1e-12)
    )
    got32 = mutual_information(Z.astype(np.float32), s, random_state=0)
    assert got32 == pytest.approx(expected, abs=0.02)


def test_standardize_with_jitter():
    rng = np.random.RandomState(0)
    Z = np.column_stack([np.arange(10.0) * 1e8, np.full(10, 3.0), np.ones(10) * 2])
    Z[0, 2] = 0.0
    out = _standardize_with_jitter(Z, rng)
    assert out.shape == (10, 2)  # the constant column is dropped
    np.testing.assert_allclose(out.mean(axis=0), 0, atol=1e-9)
    np.testing.assert_allclose(out.std(axis=0), 1, atol=1e-9)
    assert np.unique(out[:, 1]).size == 10  # the ties are broken


def test_value_is_bounded_by_entropy_of_s():
    Z, s = _two_gaussians(4.0, 0.5, 3000, 2, np.random.default_rng(12))
    mi = mutual_information(Z, s, random_state=0)
    assert 0.6 < mi < np.log(2) + 0.01


# ------------------------------------------------------------------ bad input


def test_single_group():
    Z = np.random.default_rng(0).standard_normal((50, 2))
    with pytest.raises(ValueError, match="single group"):
        mutual_information(Z, np.ones(50))


def test_nan_in_z():
    Z, s = _three_groups(n=100)
    Z[3, 1] = np.nan
    with pytest.raises(ValueError, match=r"Z contains NaN \(first at index \(3, 1\)\)"):
        mutual_information(Z, s)
    Z[3, 1] = np.inf
    with pytest.raises(ValueError, match="Z contains infinite values"):
        mutual_information(Z, s)


def test_group_smaller_than_n_neighbors_plus_one():
    Z = np.random.default_rng(0).standard_normal((23, 2))
    s = np.array(["a"] * 10 + ["b"] * 10 + ["tiny"] * 3)
    with pytest.raises(ValueError, match=r"\['tiny'\].*\[3\] samples.*= 4"):
        mutual_information(Z, s)
    assert mutual_information(Z, s, n_neighbors=2, random_state=0) >= 0.0


def test_one_dimensional_z():
    with pytest.raises(ValueError, match="Z must be 2-D"):
        mutual_information(np.zeros(10), np.repeat([0, 1], 5))


def test_max_samples_too_small():
    Z, s = _three_groups(n=300)
    with pytest.raises(ValueError, match="max_samples=10 is too small.*at least 12"):
        mutual_information(Z, s, max_samples=10)


@pytest.mark.parametrize(
    "kwargs",
    [
        {"n_neighbors": 0},
        {"n_neighbors": 2.5},
        {"max_samples": 1},
        {"max_samples": 0.5},
        {"random_state": "seed"},
        {"n_jobs": "all"},
    ],
)
def test_parameter_validation(kwargs):
    Z, s = _three_groups(n=100)
    with pytest.raises(InvalidParameterError):
        mutual_information(Z, s, **kwargs)
