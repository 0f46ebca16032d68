"""The four ways of computing the barycenter maps, behind one interface.

Each method is a :class:`Method` record of functions on arrays, which the
estimator looks up by name (a dict, not an if/elif ladder):

* ``fit(X, codes, weights, *, y=None, **fit_params) -> model`` returns the
  method's fitted model, a NamedTuple with ``n_iter`` and ``converged``;
* ``transport(X, codes, model, repair_level, seed, **transport_params) -> Z``
  applies the McCann interpolation (or, for ``"stochastic"``, the mixture) at
  ``repair_level``;
* ``inverse(Z, codes, model, repair_level) -> X`` undoes it, or is ``None``
  when the map is not invertible;
* ``attributes(model) -> dict`` the public fitted attributes of the estimator;
* ``dask_fit(features, codes, weights, *, y=None, **fit_params) -> model`` fits
  a lazy dask array of features (``codes`` computed, ``y`` a dask or numpy
  array or None), and ``dask_transport(features, codes, model, repair_level,
  seed, **transport_params)`` returns a lazy dask array; both are ``None``
  when the method needs every row in memory;
* ``fit_chunk(X, codes, y, chunk, previous, *, weights, fit_params, seed)``
  merges one more chunk of rows into the state of the earlier ones
  (:mod:`~sklearn_unlearn.feature._streaming`), or is ``None`` when the method
  does not stream (``partial_fit`` then does not exist).

``fit_params`` and ``transport_params`` name the estimator parameters each
method takes (the estimator builds them in one place); ``tol`` is the default
of ``tol=None`` and ``stalled`` the warning when the solver did not converge.
Inputs are validated by the estimator: ``X`` is a finite float array (the
Gaussian method checks finiteness itself), ``codes`` are group codes (``-1``
= leave the row unchanged), ``weights`` sum to one, one per group.
"""

from collections.abc import Callable
from typing import NamedTuple

from sklearn.exceptions import ConvergenceWarning

from sklearn_unlearn.feature import (
    _dask,
    _empirical,
    _empirical_transport,
    _gaussian_maps,
    _quantile,
    _quantile_dask,
    _stochastic,
    _stochastic_dask,
    _streaming,
)
from sklearn_unlearn.utils._warnings import warn_user

__all__ = ["METHODS", "Method", "warn_if_stalled"]


class Method(NamedTuple):
    fit: Callable
    transport: Callable
    inverse: Callable | None
    attributes: Callable
    fit_params: tuple[str, ...]
    transport_params: tuple[str, ...]
    tol: float
    stalled: str  # formatted with max_iter and tol
    dask_fit: Callable | None = None
    dask_transport: Callable | None = None
    fit_chunk: Callable | None = None


METHODS = {
    "gaussian": Method(
        _gaussian_maps.fit,
        _gaussian_maps.transport,
        _gaussian_maps.inverse,
        _gaussian_maps.attributes,
        fit_params=("reg", "tol", "max_iter"),
        transport_params=(),
        tol=1e-10,
        stalled="The Gaussian barycenter fixed point did not converge in max_iter="
        "{max_iter} iterations (tol={tol}); increase max_iter or reg.",
        dask_fit=_dask.dask_gaussian_fit,
        dask_transport=_dask.dask_gaussian_transport,
        fit_chunk=_streaming.gaussian_chunk,
    ),
    "quantile": Method(
        _quantile.fit,
        _quantile.transport,
        _quantile.inverse,
        _quantile.attributes,
        fit_params=("n_quantiles",),
        transport_params=("duplicates",),
        tol=0.0,
        stalled="",  # a closed form: always converged
        dask_fit=_quantile_dask.dask_fit,
        dask_transport=_quantile_dask.dask_transport,
        fit_chunk=_streaming.quantile_chunk,
    ),
    "empirical": Method(
        _empirical.fit,
        _empirical_transport.transport,
        None,
        _empirical.attributes,
        fit_params=(
            "max_samples_per_group",
            "n_support",
            "max_iter",
            "tol",
            "seed",
            "n_jobs",
        ),
        transport_params=("duplicates",),
        tol=1e-6,
        stalled="The free-support barycenter did not converge in max_iter="
        "{max_iter} iterations (tol={tol}); increase max_iter or tol.",
    ),
    "stochastic": Method(
        _stochastic.fit,
        _stochastic.transport,
        None,
        _stochastic.attributes,
        fit_params=("n_support", "label_weight", "tol", "max_iter", "seed"),
        transport_params=("duplicates", "within_cell"),
        # L1 change of the cell law: far below its sampling noise
        tol=1e-4,
        stalled=f"The cell barycenter did not converge in "
        f"{_stochastic.BREGMAN_PER_ITER} x max_iter={{max_iter}} Bregman "
        "projections (tol={tol}); increase max_iter or tol.",
        dask_fit=_stochastic_dask.dask_cell_fit,
        dask_transport=_stochastic_dask.dask_cell_transport,
        fit_chunk=_streaming.cell_chunk,
    ),
}


def warn_if_stalled(name: str, model, *, max_iter: int, tol: float | None) -> None:
    """Warn when method ``name``'s solver stopped at ``max_iter``.

    ``tol=None`` stands for the method's default tolerance.
    """
    if not model.converged:
        method = METHODS[name]
        tol = method.tol if tol is None else tol
        warn_user(method.stalled.format(max_iter=max_iter, tol=tol), ConvergenceWarning)
