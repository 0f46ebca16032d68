"""Domain statistics kernels against NumPy references."""

import numpy as np
from numpy.testing import assert_allclose, assert_array_equal

from sklearn_unlearn.selection._stats import _mean, blocks, domain_stats


def _two_domains(n1=300, n2=500, d=4, seed=0):
    rng = np.random.default_rng(seed)
    A = 0.3 * rng.normal(size=(d, d)) / np.sqrt(d) + np.eye(d)  # well conditioned
    X1 = rng.normal(size=(n1, d)) @ A + rng.normal(size=d)
    X2 = rng.normal(size=(n2, d)) @ A.T * 1.3
    X = np.vstack([X1, X2])
    rows = rng.permutation(n1 + n2)  # interleave the domains
    X = X[np.argsort(rows)]
    forget = np.sort(rows[:n1])
    retain = np.sort(rows[n1:])
    return X, forget, retain


def test_domain_stats_match_numpy():
    X, forget, retain = _two_domains()
    stats = domain_stats(X, forget, X, retain)
    for rows, mean, scatter in (
        (forget, stats.mean_forget, stats.scatter_forget),
        (retain, stats.mean_retain, stats.scatter_retain),
    ):
        assert_allclose(mean, X[rows].mean(axis=0), rtol=1e-12)
        centred = X[rows] - X[rows].mean(axis=0)
        assert_allclose(scatter, centred.T @ centred, rtol=1e-10)
    fourth = np.sum(np.sum((X[forget] - stats.mean_forget) ** 2, axis=1) ** 2)
    assert_allclose(stats.fourth_forget, fourth, rtol=1e-10)
    light = domain_stats(X, forget, X, retain, scatter=False)
    assert light.scatter_forget is None and light.scatter_retain is None


def test_blocks_of_consecutive_rows_are_views():

    X = np.arange(40.0).reshape(20, 2)
    run = np.arange(3, 17)
    parts = list(blocks(X, run, step=4))
    assert all(np.shares_memory(b, X) for _, b in parts)
    assert_array_equal(np.vstack([b for _, b in parts]), X[run])
    scattered = np.array([5, 1, 2, 19, 7])
    gathered = np.vstack([b for _, b in blocks(X, scattered, step=2)])
    assert_array_equal(gathered, X[scattered])


def test_float32_means_are_accurate_far_from_the_origin():
    # float32 block sums of a large offset lose the spread (numpy's float32
    # mean of these rows is off by units); the shifted sums must not

    rng = np.random.default_rng(0)
    X = (1e3 + rng.standard_normal((300_000, 4))).astype(np.float32)
    rows = np.arange(3, X.shape[0], 2)
    expected = X[rows].astype(np.float64).mean(axis=0)
    assert_allclose(_mean(X, rows), expected, rtol=0, atol=1e-5)
    assert_allclose(_mean(X, rows, step=7), expected, rtol=0, atol=1e-5)


def test_in_safe_range_divides_by_a_power_of_two_only_when_extreme():
    from sklearn_unlearn.selection._stats import in_safe_range

    X = np.random.default_rng(0).normal(size=(50, 3))
    assert in_safe_range(X) is X
    for exponent in (-400, 200):
        big = np.ldexp(X, exponent)
        out = in_safe_range(big)
        # exact: a power of two apart, and the largest magnitude back near 1
        ratio = out / big
        assert np.all(ratio == ratio[0, 0])
        assert np.log2(ratio[0, 0]).is_integer()
        assert 0.5 <= np.abs(out).max() <= 2.0
    with_nan = X.copy()
    with_nan[0, 0] = np.nan
    assert in_safe_range(with_nan) is with_nan


def test_all_finite_skips_none_and_sees_nan_and_inf():
    from sklearn_unlearn.selection._stats import all_finite

    assert all_finite(np.ones(3), None, 2.0)
    assert not all_finite(np.ones(3), np.array([1.0, np.nan]))
    assert not all_finite(np.inf)


def test_block_rows_follow_working_memory():
    import sklearn

    from sklearn_unlearn.selection._stats import block_rows

    X = np.zeros((10, 1000))
    default = block_rows(X)
    with sklearn.config_context(working_memory=1):  # 1 MiB / (24 * 1000 bytes)
        assert block_rows(X) == min(default, 2**20 // 24_000)
    assert block_rows(X) >= 1
