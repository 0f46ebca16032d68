"""The three ways of computing the barycenter maps, behind one interface.

Each method is a :class:`Method` record of three functions that the estimator
looks up by name (a dict, not an if/elif ladder):

* ``fit(estimator, X, codes, n_groups, weights, y=None) -> dict`` returns the fitted
  attributes to set on the estimator (public ones end with ``_``; the kernel's
  model is stored under ``"_model"``);
* ``transport(estimator, X, codes) -> Z`` applies the McCann interpolation at the
  estimator's current ``repair_level``;
* ``inverse(estimator, Z, codes) -> X`` undoes it, or is ``None`` when the map is
  not invertible.

Inputs are already validated: ``X`` is a finite float array, ``codes`` are group
codes (``-1`` = leave the row unchanged), ``weights`` sum to one.
"""

from collections.abc import Callable
from typing import NamedTuple

import numpy as np
from sklearn.exceptions import ConvergenceWarning
from threadpoolctl import threadpool_limits

from sklearn_unlearn.feature._gaussian import (
    affine_inverse_transport,
    affine_transport,
    bures_maps,
    gaussian_barycenter_kernel,
    group_moments,
    mccann_affine,
)
from sklearn_unlearn.feature._quantile import (
    CHUNK_ROWS,
    _fit_quantile_barycenter,
    _quantile_inverse_transport,
    _quantile_transport,
)
from sklearn_unlearn.utils._groups import row_chunks
from sklearn_unlearn.utils._memory import working_rows
from sklearn_unlearn.utils._random import _row_uniforms, draw_windows
from sklearn_unlearn.utils._scale import range_exponent, unit_exponent
from sklearn_unlearn.utils._warnings import warn_user

__all__ = ["METHODS", "Method", "check_finite_moments", "gaussian_from_moments"]

#: Default solver tolerances when ``tol=None``.
DEFAULT_TOL = {
    "gaussian": 1e-10,
    "empirical": 1e-6,
    "quantile": 0.0,
    "stochastic": 1e-4,  # L1 change of the cell law: far below its sampling noise
}


class Method(NamedTuple):
    fit: Callable
    transport: Callable
    inverse: Callable | None


def _tol(estimator) -> float:
    return DEFAULT_TOL[estimator.method] if estimator.tol is None else estimator.tol


# --------------------------------------------------------------------- gaussian
def _fit_gaussian(estimator, X, codes, n_groups, weights, y=None) -> dict:
    # Block loops of small BLAS calls: one thread is as fast when idle and much
    # faster when the cores are shared (measured in benchmarks/bench_feature.py).
    with (
        threadpool_limits(limits=1, user_api="blas"),
        np.errstate(invalid="ignore", over="ignore"),
    ):
        moments = group_moments(X, codes, n_groups, _gaussian_block(X))
    check_finite_moments(moments)
    return gaussian_from_moments(estimator, moments, weights)


def check_finite_moments(moments) -> None:
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


#: Below this average variance the squares behind the moments are subnormal.
TINY_VARIANCE = 2.0**-900


def gaussian_from_moments(estimator, moments, weights) -> dict:
    """Barycenter and maps from the groups' raw moments (also for partial_fit)."""
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
    ridge = estimator.reg * np.where(variances > 0, variances, average)
    covariances = moments.covariances + ridge[:, None] * np.eye(d)
    # The kernels run in units of a power of two near the features' scale
    # (exact): their tolerances are relative, but their floors are not, and
    # X * 1e-100 or 1e100 would underflow or overflow in matrix products.
    k = unit_exponent(np.sqrt(average))
    means = np.ldexp(moments.means, k)
    scaled = np.ldexp(covariances, 2 * k)
    # Many small (d x d) eigendecompositions: one BLAS thread is much faster.
    with threadpool_limits(limits=1, user_api="blas"):
        result = gaussian_barycenter_kernel(
            means, scaled, weights, _tol(estimator), estimator.max_iter
        )
        maps = bures_maps(scaled, result.covariance)
    result = result._replace(
        mean=np.ldexp(result.mean, -k), covariance=np.ldexp(result.covariance, -2 * k)
    )
    if not result.converged:
        warn_user(
            f"The Gaussian barycenter fixed point did not converge in max_iter="
            f"{estimator.max_iter} iterations (tol={_tol(estimator)}); increase "
            "max_iter or reg.",
            ConvergenceWarning,
        )
    return {
        "group_means_": moments.means,
        "group_covariances_": covariances,
        "barycenter_mean_": result.mean,
        "barycenter_covariance_": result.covariance,
        "transport_maps_": maps,
        "n_iter_": result.n_iter,
        "_model": None,
        "_moments": moments,  # raw, unregularised: partial_fit merges into them
    }


def _gaussian_block(X) -> int:
    """Rows per block: about 1 MB, less if ``working_memory`` is smaller.

    A block takes two buffers of its rows (gathered and mapped, float64 in fit).
    """
    return working_rows(16 * X.shape[1], row_chunks(X.shape[1], X.itemsize))


def _gaussian_affine(estimator):
    return mccann_affine(
        estimator.transport_maps_,
        estimator.group_means_,
        estimator.barycenter_mean_,
        estimator.repair_level,
    )


def _transport_gaussian(estimator, X, codes):
    # the estimator skipped the finiteness pass: the kernel checks each block
    with (
        threadpool_limits(limits=1, user_api="blas"),
        np.errstate(invalid="ignore", over="ignore"),
    ):
        return affine_transport(
            X,
            codes,
            _gaussian_affine(estimator),
            _gaussian_block(X),
            check_finite=True,
        )


def _inverse_gaussian(estimator, Z, codes):
    with threadpool_limits(limits=1, user_api="blas"):
        return affine_inverse_transport(
            Z, codes, _gaussian_affine(estimator), _gaussian_block(Z)
        )


# --------------------------------------------------------------------- quantile
def _quantile_block(X) -> int:
    """Rows per block: a float64 copy, its output and a column's temporaries."""
    return working_rows(24 * X.shape[1] + 64, CHUNK_ROWS)


def _fit_quantile(estimator, X, codes, n_groups, weights, y=None) -> dict:
    model = _fit_quantile_barycenter(X, codes, n_groups, weights, estimator.n_quantiles)
    return {
        "references_": model.references,
        "group_quantiles_": model.group_quantiles,
        "barycenter_quantiles_": model.barycenter_quantiles,
        "n_iter_": 1,  # closed form: one pass, no iteration
        "_model": model,
    }


def _transport_quantile(estimator, X, codes):
    return _quantile_transport(
        X,
        codes,
        estimator._model,
        estimator.repair_level,
        estimator._seed,
        _quantile_block(X),
        spread_duplicates=estimator.duplicates == "spread",
    )


def _inverse_quantile(estimator, Z, codes):
    return _quantile_inverse_transport(
        Z, codes, estimator._model, estimator.repair_level, _quantile_block(Z)
    )


# -------------------------------------------------------------------- empirical
def _fit_empirical(estimator, X, codes, n_groups, weights, y=None) -> dict:
    # Imported here: POT is only loaded when the empirical method is used.
    from sklearn_unlearn.feature._empirical import _fit_empirical_barycenter

    k = range_exponent(X)  # solvers and tolerances assume features of order one
    model = _fit_empirical_barycenter(
        np.ldexp(X, k, dtype=np.float64),
        codes,
        n_groups,
        weights,
        max_samples_per_group=estimator.max_samples_per_group,
        n_support=estimator.n_support or estimator.max_samples_per_group,
        max_iter=estimator.max_iter,
        tol=_tol(estimator),
        seed=estimator._seed,
        n_jobs=1 if estimator.n_jobs is None else estimator.n_jobs,
    )
    if not model.converged:
        warn_user(
            f"The free-support barycenter did not converge in max_iter="
            f"{estimator.max_iter} iterations (tol={_tol(estimator)}); increase "
            "max_iter or tol.",
            ConvergenceWarning,
        )
    return {
        "barycenter_support_": np.ldexp(model.support, -k),
        "n_iter_": model.n_iter,
        "_model": model,
        "_unit_exponent": k,
    }


#: Most rows per block of the nearest-anchor search.
EMPIRICAL_BLOCK = 4096


def _transport_empirical(estimator, X, codes):
    from sklearn_unlearn.feature._empirical import _empirical_transport

    anchors = max(a.shape[0] for a in estimator._model.anchors)
    return _empirical_transport(
        X,
        codes,
        estimator._model,
        estimator.repair_level,
        seed=estimator._seed,
        chunk_size=working_rows(8 * (anchors + 3 * X.shape[1]), EMPIRICAL_BLOCK),
        exponent=estimator._unit_exponent,
        spread_duplicates=estimator.duplicates == "spread",
    )


# ------------------------------------------------------------------- stochastic
#: Largest default number of cells, and training rows per cell at least
#: (measured on the tables of benchmarks/bench_tables.py: fewer rows per cell
#: make each group's law on the cells and the label rate of each output too
#: noisy on 1,000-row tables; on Adult 600 cells keep the label utility within
#: 0.005 of the independence reference, so the cap costs little and keeps the
#: ``n x k`` distance passes of a million rows within seconds).
MAX_DEFAULT_CELLS, ROWS_PER_CELL = 1000, 30
#: Rows of a group per cell at least, on average, for its law on the cells to
#: be estimated; a smaller group gets coarser cells of its own.
GROUP_ROWS_PER_CELL = 15
#: Lloyd steps refining the random initial centers, on at most this many rows
#: per cell (measured on Adult: 3 steps match a full mini-batch k-means).
LLOYD_STEPS, LLOYD_ROWS_PER_CELL = 3, 50
#: Stored training rows per cell (the candidate outputs when ``detail > 0``).
MEMBERS_PER_CELL = 32
#: Entropic blur of the cell barycenter, relative to the median squared
#: distance between cells, and Bregman projections per unit of ``max_iter``.
CELL_EPSILON, BREGMAN_PER_ITER = 0.03, 10


def _n_cells(estimator, n_samples: int) -> int:
    if estimator.n_support is not None:
        return min(estimator.n_support, n_samples)
    return min(MAX_DEFAULT_CELLS, max(2, n_samples // ROWS_PER_CELL))


#: Most rows per block of the cell assignment (larger ones leave the cache).
STOCHASTIC_BLOCK = 2048


def _fit_stochastic(estimator, X, codes, n_groups, weights, y=None) -> dict:
    from sklearn_unlearn.feature._cells import _fit_cell_barycenter
    from sklearn_unlearn.feature._embedding import _cell_embedding

    embedding = _cell_embedding(X, y, estimator.label_weight, estimator._seed)
    k = _n_cells(estimator, X.shape[0])
    chunk = working_rows(8 * (k + 2 * X.shape[1] + 2), STOCHASTIC_BLOCK)
    with threadpool_limits(limits=1, user_api="blas"):
        model = _fit_cell_barycenter(
            X,
            codes,
            n_groups,
            weights,
            embedding,
            n_cells=k,
            min_rows_per_cell=GROUP_ROWS_PER_CELL,
            lloyd_steps=LLOYD_STEPS,
            lloyd_rows=LLOYD_ROWS_PER_CELL * k,
            members_per_cell=MEMBERS_PER_CELL,
            epsilon=CELL_EPSILON,
            max_iter=BREGMAN_PER_ITER * estimator.max_iter,
            tol=_tol(estimator),
            seed=estimator._seed,
            chunk_rows=chunk,
        )
    if not model.converged:
        warn_user(
            f"The cell barycenter did not converge in {BREGMAN_PER_ITER} x "
            f"max_iter={estimator.max_iter} Bregman projections (tol="
            f"{_tol(estimator)}); increase max_iter or tol.",
            ConvergenceWarning,
        )
    return {
        "cell_centers_": model.centers,
        "group_cell_masses_": model.masses,
        "cell_barycenter_": model.barycenter,
        "label_used_": model.embedding.coef.shape[1] > 0,
        "n_iter_": model.n_iter,
        "_model": model,
    }


def _transport_stochastic(estimator, X, codes):
    from sklearn_unlearn.feature._cells import _cell_transport

    model = estimator._model
    k, width = model.centers.shape
    row_bytes = 8 * (k + 3 * width)
    if estimator.detail > 0:
        row_bytes += 16 * model.members.shape[1] * width
    chunk = working_rows(row_bytes, STOCHASTIC_BLOCK)
    Z = np.empty_like(X)
    with threadpool_limits(limits=1, user_api="blas"):
        for window in draw_windows(X.shape[0]):
            X_w, codes_w = X[window], codes[window]
            # hashed in standard units: rescaling a column by a power of two
            # leaves every draw, hence every chosen row, unchanged
            uniforms = _row_uniforms(
                X_w,
                codes_w,
                estimator._seed,
                2,
                spread_duplicates="sequence"
                if estimator.duplicates == "spread"
                else False,
                hash_codes=False,
                shift=model.embedding.shift,
                scale=model.embedding.scale,
            )
            _cell_transport(
                X_w,
                codes_w,
                uniforms,
                model,
                estimator.repair_level,
                detail=estimator.detail,
                chunk_rows=chunk,
                out=Z[window],
            )
    return Z


METHODS = {
    "gaussian": Method(_fit_gaussian, _transport_gaussian, _inverse_gaussian),
    "quantile": Method(_fit_quantile, _transport_quantile, _inverse_quantile),
    "empirical": Method(_fit_empirical, _transport_empirical, None),
    "stochastic": Method(_fit_stochastic, _transport_stochastic, None),
}
