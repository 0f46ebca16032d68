r"""The ``"gaussian"`` method on arrays: fit on group moments, affine transport.

Arrays in, arrays or NamedTuples out; no validation and no scikit-learn objects.
:func:`fit_moments` turns the groups' raw moments into the barycenter and the
maps (``fit``, ``partial_fit`` and a dask fit differ only in how they gather
the moments); :func:`transport` and :func:`inverse` apply the McCann
interpolation :math:`x \mapsto x ((1 - t) I + t A_s) + t (\bar m - A_s m_s)`
row by row, one GEMM per block of a group's rows.

Threads: the fit's small ``d x d`` LAPACK and BLAS calls (eigendecompositions,
block moments) run on one BLAS thread, where extra threads only synchronise.
The transform's blockwise GEMMs are many mid-sized calls, which a threaded
BLAS splits badly (measured 6-14 times slower than one thread on a shared
2-core machine): instead, consecutive runs of row windows are mapped by a pool
of as many Python threads as BLAS may use, each block on one BLAS thread.
Every block is the one the sequential loop would map, so the output is the
same bit for bit whatever the number of threads (unless ``working_memory`` is
small enough to shrink the blocks, which the threads share: then it changes
by rounding, as a smaller ``working_memory`` does on one thread).
"""

from concurrent.futures import ThreadPoolExecutor
from typing import NamedTuple

import numpy as np
from threadpoolctl import threadpool_limits

from sklearn_unlearn.feature._bures import (
    AffineMap,
    GaussianBarycenter,
    bures_barycenter,
    bures_maps,
    mccann_affine,
)
from sklearn_unlearn.feature._moments import (
    GroupMoments,
    block_windows,
    group_blocks,
    group_moments,
)
from sklearn_unlearn.utils._memory import working_rows
from sklearn_unlearn.utils._row_windows import row_chunks
from sklearn_unlearn.utils._scale import unit_exponent

__all__ = [
    "GaussianModel",
    "affine",
    "affine_inverse_transport",
    "affine_transport",
    "attributes",
    "check_finite_moments",
    "fit",
    "fit_moments",
    "inverse",
    "inverse_affine",
    "threaded_affine_transport",
    "transport",
]

NOT_FINITE = (
    "Input X contains NaN or infinity: the repair needs finite features. Impute "
    "or drop the missing values first (e.g. SimpleImputer)."
)
#: Below this average variance the squares behind the moments are subnormal.
TINY_VARIANCE = 2.0**-900
#: Row windows per task of the threaded transform, at least (a task is then
#: many blocks long: the pool's overhead is negligible).
WINDOWS_PER_TASK = 16


class GaussianModel(NamedTuple):
    """The fitted Gaussian repair: raw moments, barycenter and map linear parts."""

    moments: GroupMoments  # raw, unregularised: partial_fit merges into them
    covariances: np.ndarray  # (n_groups, d, d) regularised by the ridge
    barycenter: GaussianBarycenter
    maps: np.ndarray  # (n_groups, d, d) symmetric linear parts A_s

    @property
    def n_iter(self) -> int:
        return self.barycenter.n_iter

    @property
    def converged(self) -> bool:
        return self.barycenter.converged


def check_finite_moments(moments: GroupMoments) -> None:
    """Raise if NaN or inf reached the moments: the fits' finiteness check.

    NaN and inf in X propagate into the group means and scatter matrices, so
    the Gaussian fits (in memory and on dask blocks) skip a separate pass over X.
    """
    if not (
        np.isfinite(moments.means).all() and np.isfinite(moments.covariances).all()
    ):
        raise ValueError(
            "Input X contains NaN or infinity (or values too large to square): "
            "the Gaussian barycenter needs finite features. Impute or drop the "
            "missing values first (e.g. SimpleImputer), and rescale huge values."
        )


def fit_moments(
    moments: GroupMoments,
    weights: np.ndarray,
    *,
    reg: float,
    tol: float,
    max_iter: int,
) -> GaussianModel:
    """Barycenter and maps from the groups' raw moments.

    A ridge of ``reg`` times each column's total variance (the average variance
    for a constant column) is added to every group covariance.
    """
    d = moments.means.shape[1]
    fractions = moments.counts / moments.counts.sum()
    pooled_mean = fractions @ moments.means
    # each column's total variance (within and between groups)
    variances = fractions @ (
        np.diagonal(moments.covariances, axis1=1, axis2=2)
        + (moments.means - pooled_mean) ** 2
    )
    average = variances.mean()
    if 0 < average < TINY_VARIANCE:
        raise ValueError(
            f"The features' average variance is {average:.3g}: squares of values "
            "this small lose their precision in floating point, so the Gaussian "
            "moments would be wrong. Rescale X (e.g. StandardScaler) or use "
            "method='quantile' or 'stochastic', which standardise internally."
        )
    if not average > 0:
        average = 1.0
    ridge = reg * np.where(variances > 0, variances, average)
    covariances = moments.covariances + ridge[:, None] * np.eye(d)
    # The kernels run in units of a power of two near the features' scale
    # (exact): their tolerances are relative, but their floors are not, and
    # X * 1e-100 or 1e100 would underflow or overflow in matrix products.
    k = unit_exponent(np.sqrt(average))
    means = np.ldexp(moments.means, k)
    scaled = np.ldexp(covariances, 2 * k)
    # Many small (d x d) eigendecompositions: one BLAS thread is much faster.
    with threadpool_limits(limits=1, user_api="blas"):
        result = bures_barycenter(means, scaled, weights, tol, max_iter)
        maps = bures_maps(scaled, result.covariance)
    result = result._replace(
        mean=np.ldexp(result.mean, -k), covariance=np.ldexp(result.covariance, -2 * k)
    )
    return GaussianModel(moments, covariances, result, maps)


def _block(X: np.ndarray) -> int:
    """Rows per block: about 1 MB, less if ``working_memory`` is smaller.

    A block takes two buffers of its rows (gathered and mapped, float64 in fit).
    """
    return working_rows(16 * X.shape[1], row_chunks(X.shape[1], X.itemsize))


def fit(
    X: np.ndarray,
    codes: np.ndarray,
    weights: np.ndarray,
    *,
    y=None,
    reg: float,
    tol: float,
    max_iter: int,
) -> GaussianModel:
    """Fit on rows in memory: their group moments, then :func:`fit_moments`."""
    # Block loops of small BLAS calls: one thread is as fast when idle and much
    # faster when the cores are shared (measured in benchmarks/bench_feature.py).
    with (
        threadpool_limits(limits=1, user_api="blas"),
        np.errstate(invalid="ignore", over="ignore"),
    ):
        moments = group_moments(X, codes, weights.size, _block(X))
    check_finite_moments(moments)
    return fit_moments(moments, weights, reg=reg, tol=tol, max_iter=max_iter)


def affine(model: GaussianModel, repair_level: float) -> AffineMap:
    """The stack of McCann-interpolated maps at ``repair_level``, one per group."""
    return mccann_affine(
        model.maps, model.moments.means, model.barycenter.mean, repair_level
    )


def transport(
    X: np.ndarray, codes: np.ndarray, model: GaussianModel, repair_level: float, seed
) -> np.ndarray:
    """Map each row by its group's affine map (``seed`` is not used: no draws).

    NaN and inf are detected block by block, while each block is in cache.
    """
    with threadpool_limits(limits=1, user_api="blas"):  # d x d work
        maps = affine(model, repair_level)
    return threaded_affine_transport(X, codes, maps, check_finite=True)


def inverse(
    Z: np.ndarray, codes: np.ndarray, model: GaussianModel, repair_level: float
) -> np.ndarray:
    """Undo :func:`transport` (pseudo-inverse of singular linear parts)."""
    with threadpool_limits(limits=1, user_api="blas"):  # d x d work
        maps = inverse_affine(affine(model, repair_level))
    return threaded_affine_transport(Z, codes, maps)


def threaded_affine_transport(
    X: np.ndarray, codes: np.ndarray, maps: AffineMap, *, check_finite: bool = False
) -> np.ndarray:
    """:func:`affine_transport` by a pool of threads, each on one BLAS thread.

    As many threads as BLAS may use (so ``threadpool_limits`` and the thread
    settings of joblib workers bound them); each takes runs of
    ``WINDOWS_PER_TASK`` or more row windows, aligned on the windows of the
    sequential loop, and the blocks share ``working_memory`` between them.
    """
    n, d = X.shape
    out = np.empty((n, d), dtype=X.dtype)

    def run(rows, chunk):
        # NumPy's error state is per thread: set in each worker
        with np.errstate(invalid="ignore", over="ignore"):
            affine_transport(
                X[rows],
                codes[rows],
                maps,
                chunk,
                check_finite=check_finite,
                out=out[rows],
            )

    with threadpool_limits(limits=1, user_api="blas") as limiter:
        threads = max(1, limiter.get_original_num_threads().get("blas") or 1)
        chunk = working_rows(16 * d * threads, row_chunks(d, X.itemsize))
        window = chunk * min(max(maps.linear.shape[0], 1), 8)
        task = window * max(WINDOWS_PER_TASK, -(-n // (window * 4 * threads)))
        starts = range(0, n, task)
        if threads == 1 or len(starts) < 2:
            run(slice(0, n), chunk)
            return out
        with ThreadPoolExecutor(min(threads, len(starts))) as pool:
            futures = [
                pool.submit(run, slice(start, min(n, start + task)), chunk)
                for start in starts
            ]
            try:
                for future in futures:
                    future.result()
            except BaseException:
                for future in futures:
                    future.cancel()
                raise
    return out


def attributes(model: GaussianModel) -> dict:
    """The public fitted attributes of the estimator."""
    return {
        "group_means_": model.moments.means,
        "group_covariances_": model.covariances,
        "barycenter_mean_": model.barycenter.mean,
        "barycenter_covariance_": model.barycenter.covariance,
        "transport_maps_": model.maps,
    }


def affine_transport(
    X: np.ndarray,
    codes: np.ndarray,
    maps: AffineMap,
    chunk_rows: int | None = None,
    *,
    check_finite: bool = False,
    out: np.ndarray | None = None,
) -> np.ndarray:
    """Apply ``x @ linear[s] + offset[s]`` row-wise by group; ``-1`` rows unchanged.

    Rows are visited in windows of consecutive rows (see
    :func:`~sklearn_unlearn.utils._groups.group_windows`). A window held by one
    group is mapped in place into the output by one GEMM; otherwise each group's
    rows of the window are gathered into a reused buffer of ``chunk_rows`` rows
    (default: about 1 MB), multiplied into a second buffer and scattered into
    the output. The cost is one GEMM plus one read of ``X`` and one write of
    the output, and the extra memory is two blocks and one window of indices
    whatever ``n_samples`` is. The output has the dtype of ``X``. With
    ``check_finite`` a ValueError is raised when X holds NaN or inf, tested on
    each block while it is in cache (NaN and inf reach the mapped block)
    instead of by a separate pass over X. The output is written into ``out``
    when given (an array shaped like ``X``, of its dtype).
    """
    n, d = X.shape
    if out is None:
        out = np.empty((n, d), dtype=X.dtype)
    linear = maps.linear.astype(X.dtype, copy=False)
    offset = maps.offset.astype(X.dtype, copy=False)
    n_groups = linear.shape[0]
    rows_per_block = chunk_rows or row_chunks(d, X.itemsize)
    gathered = np.empty((min(rows_per_block, n), d), dtype=X.dtype)
    mapped = np.empty_like(gathered)
    contiguous = X.flags.c_contiguous
    for g, window_rows in block_windows(codes, n_groups, rows_per_block):
        for rows in group_blocks(window_rows, rows_per_block):
            if isinstance(rows, slice):  # consecutive rows: no gather or scatter
                target = out[rows]
                if g < 0:
                    target[:] = X[rows]
                else:
                    np.matmul(X[rows], linear[g], out=target)
                    target += offset[g]
                if check_finite and not np.isfinite(target).all():
                    raise ValueError(NOT_FINITE)
                continue
            m = rows.size
            if g < 0:
                out[rows] = X[rows]
                if check_finite and not np.isfinite(out[rows]).all():
                    raise ValueError(NOT_FINITE)
                continue
            if contiguous:
                np.take(X, rows, axis=0, out=gathered[:m], mode="clip")
            else:  # np.take into a buffer is very slow on strided input
                gathered[:m] = X[rows]
            np.matmul(gathered[:m], linear[g], out=mapped[:m])
            mapped[:m] += offset[g]
            if check_finite and not np.isfinite(mapped[:m]).all():
                raise ValueError(NOT_FINITE)
            out[rows] = mapped[:m]
    return out


def affine_inverse_transport(
    Z: np.ndarray, codes: np.ndarray, maps: AffineMap, chunk_rows: int | None = None
) -> np.ndarray:
    """Invert :func:`affine_transport` (pseudo-inverse of singular linear parts)."""
    return affine_transport(Z, codes, inverse_affine(maps), chunk_rows)


def inverse_affine(maps: AffineMap) -> AffineMap:
    """The inverse maps (pseudo-inverse of singular linear parts)."""
    inverse_linear = np.linalg.pinv(maps.linear, hermitian=True)
    inverse_offset = -np.einsum("sj,sjk->sk", maps.offset, inverse_linear)
    return AffineMap(inverse_linear, inverse_offset)
