"""The "gaussian" method on arrays: fit on moments, affine transport and inverse."""

import numpy as np
import pytest
import sklearn
from numpy.testing import assert_allclose
from threadpoolctl import threadpool_limits

from sklearn_unlearn.feature._bures import (
    AffineMap,
    bures_barycenter,
    bures_maps,
    mccann_affine,
)
from sklearn_unlearn.feature._gaussian_maps import (
    affine,
    affine_inverse_transport,
    affine_transport,
    check_finite_moments,
    fit,
    fit_moments,
    inverse,
    inverse_affine,
    threaded_affine_transport,
    transport,
)
from sklearn_unlearn.feature._moments import group_moments
from sklearn_unlearn.utils._memory import working_rows
from sklearn_unlearn.utils._row_windows import row_chunks


def _random_spd(rng, d, low=0.3, high=3.0):
    Q, _ = np.linalg.qr(rng.normal(size=(d, d)))
    return (Q * rng.uniform(low, high, size=d)) @ Q.T


def test_one_dimensional_maps():
    covs = np.array([[[1.0]], [[9.0]]])
    A = bures_maps(covs, np.array([[4.0]]))
    assert_allclose(A[:, 0, 0], [2.0, 2.0 / 3.0], atol=1e-12)
    maps = mccann_affine(A, np.array([[0.0], [4.0]]), np.array([2.0]), 1.0)
    x = np.array([[-1.0], [0.5], [3.0]])
    assert_allclose(affine_transport(x, np.zeros(3, np.intp), maps), 2 + 2 * x)
    assert_allclose(
        affine_transport(x, np.ones(3, np.intp), maps), 2 + (2 / 3) * (x - 4)
    )


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_affine_transport_chunking_dtype_and_unknown_rows(dtype):
    rng = np.random.default_rng(6)
    X = rng.normal(size=(1000, 3)).astype(dtype)
    codes = rng.integers(-1, 3, size=1000)
    maps = AffineMap(rng.normal(size=(3, 3, 3)), rng.normal(size=(3, 3)))
    X_before = X.copy()
    Z = affine_transport(X, codes, maps, chunk_rows=64)
    assert Z.dtype == dtype
    assert_allclose(Z, affine_transport(X, codes, maps, chunk_rows=5000), rtol=1e-6)
    np.testing.assert_array_equal(X, X_before)
    np.testing.assert_array_equal(Z[codes == -1], X[codes == -1])
    for g in range(3):
        ref = X[codes == g].astype(np.float64) @ maps.linear[g] + maps.offset[g]
        # float32: absolute error relative to the O(1) scale of the summands.
        tol = {"rtol": 1e-5, "atol": 1e-5} if dtype == np.float32 else {"rtol": 1e-12}
        assert_allclose(Z[codes == g], ref, **tol)


def test_affine_inverse_round_trip():
    rng = np.random.default_rng(7)
    covs = np.stack([_random_spd(rng, 3) for _ in range(3)])
    means = rng.normal(size=(3, 3))
    result = bures_barycenter(means, covs, np.ones(3) / 3)
    A = bures_maps(covs, result.covariance)
    X = rng.normal(size=(200, 3))
    codes = rng.integers(0, 3, size=200)
    for t in (0.0, 0.4, 1.0):
        maps = mccann_affine(A, means, result.mean, t)
        Z = affine_transport(X, codes, maps)
        assert_allclose(affine_inverse_transport(Z, codes, maps), X, atol=1e-10)


def _grouped(rng, n=600, d=3):
    codes = rng.integers(0, 3, size=n)
    X = rng.normal(size=(n, d)) * (1.0 + codes[:, None]) + 2.0 * codes[:, None]
    return X, codes


def test_fit_is_the_closed_form_on_ridged_group_moments():
    rng = np.random.default_rng(10)
    X, codes = _grouped(rng)
    weights = np.array([0.2, 0.3, 0.5])
    model = fit(X, codes, weights, reg=1e-3, tol=1e-12, max_iter=200)
    # ridge: reg times each column's total variance (numpy's, over all rows)
    raw = np.stack([np.cov(X[codes == g].T, ddof=0) for g in range(3)])
    ridged = raw + 1e-3 * np.var(X, axis=0)[:, None] * np.eye(3)
    assert_allclose(model.covariances, ridged, rtol=1e-10)
    assert_allclose(model.moments.covariances, raw, rtol=1e-10)
    means = np.stack([X[codes == g].mean(axis=0) for g in range(3)])
    expected = bures_barycenter(means, ridged, weights, 1e-12, 200)
    assert model.converged and model.n_iter == expected.n_iter
    assert_allclose(model.barycenter.mean, expected.mean, rtol=1e-12)
    assert_allclose(model.barycenter.covariance, expected.covariance, rtol=1e-8)
    assert_allclose(model.maps, bures_maps(ridged, expected.covariance), rtol=1e-7)


def test_fit_from_moments_equals_fit_on_rows():
    rng = np.random.default_rng(11)
    X, codes = _grouped(rng)
    weights = np.full(3, 1 / 3)
    params = {"reg": 1e-6, "tol": 1e-10, "max_iter": 100}
    on_rows = fit(X, codes, weights, **params)
    on_moments = fit_moments(group_moments(X, codes, 3), weights, **params)
    assert_allclose(on_rows.maps, on_moments.maps, rtol=1e-10)


def test_transport_is_the_mccann_map_and_inverse_undoes_it():
    rng = np.random.default_rng(12)
    X, codes = _grouped(rng)
    model = fit(X, codes, np.full(3, 1 / 3), reg=1e-6, tol=1e-10, max_iter=100)
    for t in (0.0, 0.3, 1.0):
        Z = transport(X, codes, model, t, seed=0)
        maps = mccann_affine(model.maps, model.moments.means, model.barycenter.mean, t)
        for g in range(3):
            rows = codes == g
            ref = X[rows] @ maps.linear[g] + maps.offset[g]
            assert_allclose(Z[rows], ref, rtol=1e-12, atol=1e-12)
        assert_allclose(inverse(Z, codes, model, t), X, atol=1e-9)
    full = transport(X, codes, model, 1.0, seed=0)
    for g in range(3):  # full repair: every group has the barycenter's mean
        assert_allclose(full[codes == g].mean(axis=0), model.barycenter.mean)
    assert isinstance(affine(model, 0.5), AffineMap)


@pytest.mark.parametrize("bad", [np.nan, np.inf])
def test_nan_and_inf_are_detected_in_fit_and_transport(bad):
    rng = np.random.default_rng(13)
    X, codes = _grouped(rng)
    model = fit(X, codes, np.full(3, 1 / 3), reg=1e-6, tol=1e-10, max_iter=100)
    X[17, 1] = bad
    with pytest.raises(ValueError, match="NaN or infinity"):
        fit(X, codes, np.full(3, 1 / 3), reg=1e-6, tol=1e-10, max_iter=100)
    with pytest.raises(ValueError, match="NaN or infinity"):
        transport(X, codes, model, 1.0, seed=0)
    with np.errstate(invalid="ignore", over="ignore"):
        moments = group_moments(X, codes, 3)
    with pytest.raises(ValueError, match="NaN or infinity"):
        check_finite_moments(moments)


def test_subnormal_scale_is_rejected_with_advice():
    rng = np.random.default_rng(14)
    X, codes = _grouped(rng)
    with pytest.raises(ValueError, match="Rescale X"):
        fit(np.ldexp(X, -460), codes, np.full(3, 1 / 3), reg=0, tol=0, max_iter=1)


def _threaded_case(rng, n=60_000):
    X = rng.normal(size=(n, 3))
    codes = rng.integers(-1, 3, size=n)
    maps = AffineMap(rng.normal(size=(3, 3, 3)), rng.normal(size=(3, 3)))
    return X, codes, maps


@pytest.mark.parametrize("threads", [1, 2, 3])
def test_threaded_transport_is_the_sequential_loop_bit_for_bit(threads):
    # small blocks (working_memory) give several tasks of row windows; each
    # block is mapped as the sequential loop maps it, whatever the threads
    X, codes, maps = _threaded_case(np.random.default_rng(15))
    with (
        sklearn.config_context(working_memory=0.05),
        threadpool_limits(limits=threads, user_api="blas"),
    ):
        Z = threaded_affine_transport(X, codes, maps, check_finite=True)
        chunk = working_rows(16 * 3 * threads, row_chunks(3, 8))
    with threadpool_limits(limits=1, user_api="blas"):
        expected = affine_transport(X, codes, maps, chunk)
    np.testing.assert_array_equal(Z, expected)
    assert Z.flags.c_contiguous and Z.dtype == X.dtype


def test_threaded_transport_raises_on_nan_in_any_task():
    # NumPy's error state is per thread: a worker meeting NaN must raise the
    # ValueError, not a RuntimeWarning (warnings are errors in the tests)
    X, codes, maps = _threaded_case(np.random.default_rng(16))
    X[-5, 0] = np.nan
    codes[-5] = 0
    with (
        sklearn.config_context(working_memory=0.05),
        threadpool_limits(limits=2, user_api="blas"),
        pytest.raises(ValueError, match="NaN or infinity"),
    ):
        threaded_affine_transport(X, codes, maps, check_finite=True)


def test_threaded_inverse_undoes_the_threaded_transport():
    rng = np.random.default_rng(17)
    X, codes = _grouped(rng, n=50_000)
    model = fit(X, codes, np.full(3, 1 / 3), reg=1e-6, tol=1e-10, max_iter=100)
    with (
        sklearn.config_context(working_memory=0.05),
        threadpool_limits(limits=2, user_api="blas"),
    ):
        Z = transport(X, codes, model, 0.7, seed=0)
        assert_allclose(inverse(Z, codes, model, 0.7), X, atol=1e-9)
    maps = inverse_affine(affine(model, 0.7))
    assert_allclose(affine_transport(Z, codes, maps), X, atol=1e-9)
