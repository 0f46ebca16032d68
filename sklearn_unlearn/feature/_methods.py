"""The three ways of computing the barycenter maps, behind one interface.

Each method is a :class:`Method` record of three functions that the estimator
looks up by name (a dict, not an if/elif ladder):

* ``fit(estimator, X, codes, n_groups, weights) -> dict`` returns the fitted
  attributes to set on the estimator (public ones end with ``_``; the kernel's
  model is stored under ``"_model"``);
* ``transport(estimator, X, codes) -> Z`` applies the McCann interpolation at the
  estimator's current ``repair_level``;
* ``inverse(estimator, Z, codes) -> X`` undoes it, or is ``None`` when the map is
  not invertible.

Inputs are already validated: ``X`` is a finite float array, ``codes`` are group
codes (``-1`` = leave the row unchanged), ``weights`` sum to one.
"""

import warnings
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
    _fit_quantile_barycenter,
    _quantile_inverse_transport,
    _quantile_transport,
)

__all__ = ["METHODS", "Method"]

#: Default solver tolerances when ``tol=None``.
DEFAULT_TOL = {"gaussian": 1e-10, "empirical": 1e-6, "quantile": 0.0}


class Method(NamedTuple):
    fit: Callable
    transport: Callable
    inverse: Callable | None


def _tol(estimator) -> float:
    return DEFAULT_TOL[estimator.method] if estimator.tol is None else estimator.tol


# --------------------------------------------------------------------- gaussian
def _fit_gaussian(estimator, X, codes, n_groups, weights) -> dict:
    # Block loops of small BLAS calls: one thread is as fast when idle and much
    # faster when the cores are shared (measured in benchmarks/bench_feature.py).
    with threadpool_limits(limits=1, user_api="blas"):
        moments = group_moments(X, codes, n_groups)
    d = X.shape[1]
    fractions = moments.counts / moments.counts.sum()
    pooled_mean = fractions @ moments.means
    total_variance = fractions @ (
        np.trace(moments.covariances, axis1=1, axis2=2)
        + np.sum((moments.means - pooled_mean) ** 2, axis=1)
    )
    scale = total_variance / d if total_variance > 0 else 1.0
    covariances = moments.covariances + (estimator.reg * scale) * np.eye(d)
    # Many small (d x d) eigendecompositions: one BLAS thread is much faster.
    with threadpool_limits(limits=1, user_api="blas"):
        result = gaussian_barycenter_kernel(
            moments.means, covariances, weights, _tol(estimator), estimator.max_iter
        )
        maps = bures_maps(covariances, result.covariance)
    if not result.converged:
        warnings.warn(
            f"The Gaussian barycenter fixed point did not converge in max_iter="
            f"{estimator.max_iter} iterations (tol={_tol(estimator)}); increase "
            "max_iter or reg.",
            ConvergenceWarning,
            stacklevel=3,
        )
    return {
        "group_means_": moments.means,
        "group_covariances_": covariances,
        "barycenter_mean_": result.mean,
        "barycenter_covariance_": result.covariance,
        "transport_maps_": maps,
        "n_iter_": result.n_iter,
        "_model": None,
    }


def _gaussian_affine(estimator):
    return mccann_affine(
        estimator.transport_maps_,
        estimator.group_means_,
        estimator.barycenter_mean_,
        estimator.repair_level,
    )


def _transport_gaussian(estimator, X, codes):
    with threadpool_limits(limits=1, user_api="blas"):
        return affine_transport(X, codes, _gaussian_affine(estimator))


def _inverse_gaussian(estimator, Z, codes):
    with threadpool_limits(limits=1, user_api="blas"):
        return affine_inverse_transport(Z, codes, _gaussian_affine(estimator))


# --------------------------------------------------------------------- quantile
def _fit_quantile(estimator, X, codes, n_groups, weights) -> dict:
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
        X, codes, estimator._model, estimator.repair_level, estimator._seed
    )


def _inverse_quantile(estimator, Z, codes):
    return _quantile_inverse_transport(
        Z, codes, estimator._model, estimator.repair_level
    )


# -------------------------------------------------------------------- empirical
def _fit_empirical(estimator, X, codes, n_groups, weights) -> dict:
    # Imported here: POT is only loaded when the empirical method is used.
    from sklearn_unlearn.feature._empirical import _fit_empirical_barycenter

    model = _fit_empirical_barycenter(
        X,
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
        warnings.warn(
            f"The free-support barycenter did not converge in max_iter="
            f"{estimator.max_iter} iterations (tol={_tol(estimator)}); increase "
            "max_iter or tol.",
            ConvergenceWarning,
            stacklevel=3,
        )
    return {
        "barycenter_support_": model.support,
        "n_iter_": model.n_iter,
        "_model": model,
    }


def _transport_empirical(estimator, X, codes):
    from sklearn_unlearn.feature._empirical import _empirical_transport

    return _empirical_transport(
        X, codes, estimator._model, estimator.repair_level, seed=estimator._seed
    )


METHODS = {
    "gaussian": Method(_fit_gaussian, _transport_gaussian, _inverse_gaussian),
    "quantile": Method(_fit_quantile, _transport_quantile, _inverse_quantile),
    "empirical": Method(_fit_empirical, _transport_empirical, None),
}
