"""Criterion kernels of the registry against naive references."""

import numpy as np
import pytest
from numpy.testing import assert_allclose
from scipy.stats import spearmanr
from sklearn.covariance import ledoit_wolf

from sklearn_unlearn.selection._scores import (
    SCORES,
    ledoit_wolf_shrunk,
    likelihood_ratio_direction,
)
from sklearn_unlearn.selection._stats import domain_stats


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


@pytest.mark.parametrize("n, d", [(50, 3), (40, 30), (500, 10)])
def test_ledoit_wolf_matches_scikit_learn(n, d):
    X = np.random.default_rng(n + d).normal(size=(n, d)) * np.arange(1, d + 1)
    centred = X - X.mean(axis=0)
    fourth = np.sum(np.sum(centred**2, axis=1) ** 2)
    ours = ledoit_wolf_shrunk(centred.T @ centred, fourth, n)
    reference, _ = ledoit_wolf(X)
    assert_allclose(ours, reference, rtol=1e-8, atol=1e-12)


def _naive_scores(X, forget, retain):
    """The score definitions of the spec, written directly."""
    X1, X2 = X[forget], X[retain]
    m1, m2 = X1.mean(axis=0), X2.mean(axis=0)
    C2, _ = ledoit_wolf(X2)
    pooled, _ = ledoit_wolf(np.vstack([X1 - m1, X2 - m2]), assume_centered=True)
    diff = X1 - m2
    w = np.linalg.solve(pooled, m1 - m2)
    return {
        "euclidean": np.linalg.norm(diff, axis=1),
        "mahalanobis": np.sqrt(np.sum(diff * np.linalg.solve(C2, diff.T).T, axis=1)),
        "cosine": 1 - X1 @ m2 / (np.linalg.norm(X1, axis=1) * np.linalg.norm(m2)),
        "likelihood_ratio": X1 @ w - 0.5 * (m1 + m2) @ w,
        "coreset": -np.linalg.norm(X1 - m1, axis=1),
    }


@pytest.mark.parametrize("name", sorted(SCORES))
def test_scores_match_naive_definitions(name):
    X, forget, retain = _two_domains()
    stats = domain_stats(X, forget, X, retain, scatter=SCORES[name].needs_scatter)
    ours = SCORES[name].kernel(X, forget, stats)
    assert_allclose(ours, _naive_scores(X, forget, retain)[name], rtol=1e-7, atol=1e-9)


@pytest.mark.parametrize("name", sorted(SCORES))
def test_scores_in_float32_agree_with_float64(name):
    X, forget, retain = _two_domains()
    X32 = X.astype(np.float32)
    s64 = SCORES[name].kernel(X, forget, domain_stats(X, forget, X, retain))
    s32 = SCORES[name].kernel(X32, forget, domain_stats(X32, forget, X32, retain))
    assert s32.dtype == np.float64
    assert_allclose(s32, s64, rtol=1e-4, atol=1e-4)


def test_likelihood_ratio_is_the_gaussian_log_density_ratio():
    from scipy.stats import multivariate_normal

    X, forget, retain = _two_domains()
    stats = domain_stats(X, forget, X, retain)
    w, b = likelihood_ratio_direction(stats)
    C, _ = ledoit_wolf(
        np.vstack([X[forget] - stats.mean_forget, X[retain] - stats.mean_retain]),
        assume_centered=True,
    )
    x = X[:20]
    expected = multivariate_normal(stats.mean_forget, C).logpdf(
        x
    ) - multivariate_normal(stats.mean_retain, C).logpdf(x)
    assert_allclose(x @ w + b, expected, rtol=1e-8, atol=1e-8)


def test_cosine_of_zero_rows_and_zero_mean_is_one():
    X = np.array([[0.0, 0.0], [1.0, 0.0], [1.0, 1.0], [-1.0, -1.0]])
    forget, retain = np.array([0, 1]), np.array([2, 3])  # retained mean is 0
    stats = domain_stats(X, forget, X, retain, scatter=False)
    assert_allclose(SCORES["cosine"].kernel(X, forget, stats), [1.0, 1.0])
    retain = np.array([2])
    stats = domain_stats(X, forget, X, retain, scatter=False)
    assert_allclose(
        SCORES["cosine"].kernel(X, forget, stats), [1.0, 1 - 1 / np.sqrt(2)]
    )


def _ranking(name, X, forget, retain):
    stats = domain_stats(X, forget, X, retain)
    return np.argsort(-SCORES[name].kernel(X, forget, stats), kind="stable")


@pytest.mark.parametrize("name", sorted(set(SCORES) - {"cosine"}))
def test_rankings_invariant_to_translation_rotation_and_scale(name):
    # (cosine depends on the origin by definition)
    X, forget, retain = _two_domains(d=5)
    Q, _ = np.linalg.qr(np.random.default_rng(3).normal(size=(5, 5)))
    moved = 2.5 * X @ Q + np.arange(5.0)
    assert np.array_equal(
        _ranking(name, X, forget, retain), _ranking(name, moved, forget, retain)
    )


@pytest.mark.parametrize("name", ["mahalanobis", "likelihood_ratio"])
def test_whitened_scores_nearly_invariant_to_linear_maps(name):
    # Exact invariance holds for the unshrunk covariance; Ledoit-Wolf shrinks
    # towards a multiple of the identity, which a general linear map does not
    # preserve, so the rankings agree only up to the (small, n >> d) shrinkage.
    X, forget, retain = _two_domains(n1=3000, n2=5000, d=3)
    A = np.array([[3.0, 0.5, 0.0], [0.0, 0.4, 0.2], [1.0, 0.0, 1.5]])
    rho = spearmanr(
        _ranking(name, X, forget, retain).argsort(),
        _ranking(name, X @ A, forget, retain).argsort(),
    ).statistic
    assert rho > 0.999


@pytest.mark.parametrize("name", sorted(SCORES))
def test_every_kernel_reads_only_the_statistics_it_declares(name):
    # the selector skips the passes a kernel does not declare: None in their place
    X, forget, retain = _two_domains()
    full = domain_stats(X, forget, X, retain)
    entry = SCORES[name]
    light = full._replace(
        mean_forget=full.mean_forget if entry.needs_forget_mean else None,
        **(
            {}
            if entry.needs_scatter
            else {
                f"{kind}_{domain}": None
                for kind in ("scatter", "third")
                for domain in ("forget", "retain")
            }
        ),
    )
    assert_allclose(entry.kernel(X, forget, light), entry.kernel(X, forget, full))
