"""PSD matrix functions against scipy and closed forms."""

import numpy as np
import scipy.linalg
from numpy.testing import assert_allclose

from sklearn_unlearn.utils._linalg import psd_power, psd_roots, symmetrize


def _spd(rng, d):
    B = rng.normal(size=(d, d))
    return B @ B.T + 0.1 * np.eye(d)


def test_roots_match_scipy_sqrtm_and_inverse():
    rng = np.random.default_rng(0)
    C = _spd(rng, 6)
    root, inv_root = psd_roots(C)
    assert_allclose(root, scipy.linalg.sqrtm(C).real, atol=1e-10)
    assert_allclose(root @ root, C, atol=1e-10)
    assert_allclose(inv_root @ C @ inv_root, np.eye(6), atol=1e-9)


def test_batched_equals_loop():
    rng = np.random.default_rng(1)
    stack = np.stack([_spd(rng, 4) for _ in range(5)])
    batched = psd_power(stack, 0.5)
    for k in range(5):
        assert_allclose(batched[k], psd_power(stack[k], 0.5), atol=1e-12)


def test_singular_matrix_pseudo_inverse_root():
    # Rank-1 PSD: the inverse root acts on the range only, and stays finite.
    v = np.array([1.0, 2.0, 2.0]) / 3.0
    C = 4.0 * np.outer(v, v)
    root, inv_root = psd_roots(C)
    assert np.all(np.isfinite(inv_root))
    assert_allclose(root, 2.0 * np.outer(v, v), atol=1e-12)
    assert_allclose(inv_root, 0.5 * np.outer(v, v), atol=1e-12)


def test_negative_round_off_eigenvalues_are_clipped():
    C = np.array([[1.0, 1.0], [1.0, 1.0 - 1e-17]])
    root = psd_power(C, 0.5)
    assert np.all(np.isfinite(root))
    assert_allclose(root @ root, C, atol=1e-12)


def test_symmetrize():
    A = np.arange(9.0).reshape(3, 3)
    assert_allclose(symmetrize(A), symmetrize(A).T)
    assert_allclose(symmetrize(symmetrize(A)), symmetrize(A))
