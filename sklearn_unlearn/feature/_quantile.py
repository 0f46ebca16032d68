"""Pure kernels of the per-feature quantile (1-D Wasserstein-2) barycenter repair.

Arrays in, arrays or NamedTuples out; no validation and no scikit-learn objects.
Every feature is repaired on its own: the group laws of each column are mapped
onto their 1-D W2 barycenter, whose quantile function is the weighted mean of the
group quantile functions. All quantile functions are stored on one shared grid of
probability levels, so memory is ``O(n_groups * n_quantiles * n_features)``
whatever ``n_samples`` is, and new points are placed by interpolation.
"""

from typing import NamedTuple

import numpy as np

from sklearn_unlearn.feature._quantile_columns import (
    bracket,
    grid_index,
    lerp,
    map_columns,
    transport_column,
)
from sklearn_unlearn.utils._memory import working_rows
from sklearn_unlearn.utils._random import _row_uniforms, draw_windows
from sklearn_unlearn.utils._row_windows import group_order

__all__ = [
    "QuantileBarycenter",
    "_fit_quantile_barycenter",
    "_quantile_inverse_transport",
    "_quantile_transport",
    "attributes",
    "fit",
    "inverse",
    "transport",
]

#: Rows per window of the transforms (fewer when ``working_memory`` is small):
#: enough to amortise the per-column calls, small enough for the cache.
CHUNK_ROWS = 1 << 15


class QuantileBarycenter(NamedTuple):
    """Group and barycenter quantile functions of every feature, on a shared grid."""

    references: np.ndarray  # (n_quantiles,) levels k / (n_quantiles - 1), 0 to 1
    group_quantiles: np.ndarray  # (n_groups, n_quantiles, n_features) float64
    barycenter_quantiles: np.ndarray  # (n_quantiles, n_features) float64
    has_ties: np.ndarray  # (n_features,) bool: a flat stretch in some group

    @property
    def n_iter(self) -> int:
        return 1  # a closed form: one pass, no iteration

    @property
    def converged(self) -> bool:
        return True


def _fit_quantile_barycenter(
    X: np.ndarray,
    codes: np.ndarray,
    n_groups: int,
    weights: np.ndarray,
    n_quantiles: int,
) -> QuantileBarycenter:
    """Quantile functions of each group and of their 1-D W2 barycenter, per feature.

    Parameters
    ----------
    X : ndarray of shape (n_samples, n_features)
        Finite float64 or float32 data, any memory order.
    codes : ndarray of shape (n_samples,), dtype intp
        Group code of each row in ``0..n_groups - 1``; every group has at least
        two rows.
    n_groups : int
        Number of groups.
    weights : ndarray of shape (n_groups,)
        Nonnegative barycenter weights ``p_s`` summing to one.
    n_quantiles : int
        Requested number of probability levels. The grid has
        ``max(2, min(n_quantiles, largest group size))`` levels: a finer grid
        than the largest group adds no information.

    Returns
    -------
    model : QuantileBarycenter
        ``references`` (levels ``u_k = k / (q - 1)``), ``group_quantiles``
        ``Q_s(u_k)``, ``barycenter_quantiles`` ``Q_bar(u_k)``, all float64, and
        ``has_ties``: whether some group's quantile function of the feature has a
        flat stretch on the grid (a value of positive mass, e.g. a discrete
        feature).

    Notes
    -----
    For a group of ``n_s`` sorted values ``x_(0) <= ... <= x_(n_s - 1)``, the
    quantile at level ``u`` is the "linear" one (NumPy's default,
    Hyndman-Fan type 7): with ``h = u (n_s - 1)``,

    .. math:: Q_s(u) = x_{(\\lfloor h \\rfloor)} + (h - \\lfloor h \\rfloor)
              (x_{(\\lfloor h \\rfloor + 1)} - x_{(\\lfloor h \\rfloor)}).

    In one dimension the W2 barycenter of the laws ``mu_s`` with weights ``p_s``
    is the law with quantile function

    .. math:: Q_{bar}(u) = \\sum_s p_s Q_s(u),

    computed pointwise on the grid (Agueh and Carlier, 2011). Each group is
    sorted once per column (``O(n log n)``); everything else is ``O(n_groups q d)``.
    All statistics are float64 whatever the dtype of ``X``. If ``q = n_s`` the
    grid reads the order statistics exactly (positions ``k (n_s - 1) / (q - 1)``
    are computed in exact integer-valued arithmetic).

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn_unlearn.feature._quantile import _fit_quantile_barycenter
    >>> X = np.array([[0.0], [2.0], [1.0], [10.0], [14.0], [12.0]])
    >>> codes = np.array([0, 0, 0, 1, 1, 1])
    >>> model = _fit_quantile_barycenter(X, codes, 2, np.array([0.5, 0.5]), 3)
    >>> model.barycenter_quantiles.ravel()
    array([5. , 6.5, 8. ])
    """
    n_features = X.shape[1]
    order, bounds = group_order(codes, n_groups)
    sizes = np.diff(bounds)
    q = int(max(2, min(n_quantiles, sizes.max())))
    steps = np.arange(q, dtype=np.float64)
    references = steps / (q - 1)
    group_quantiles = np.empty((n_groups, q, n_features), dtype=np.float64)
    for g in range(n_groups):
        block = X[order[bounds[g] : bounds[g + 1]]]  # a copy: sort it in place
        block.sort(axis=0)
        n_s = block.shape[0]
        if n_s == 1:
            group_quantiles[g] = block.astype(np.float64)
            continue
        position = steps * (n_s - 1) / (q - 1)
        k = np.minimum(position.astype(np.intp), n_s - 2)
        frac = (position - k)[:, None]
        group_quantiles[g] = lerp(block, k, frac)
    barycenter_quantiles = np.zeros((q, n_features), dtype=np.float64)
    for g in range(n_groups):
        # elementwise, so every grid point is rounded alike and Q_bar stays monotone
        barycenter_quantiles += weights[g] * group_quantiles[g]
    flat = group_quantiles[:, 1:] == group_quantiles[:, :-1]
    has_ties = flat.any(axis=(0, 1))
    return QuantileBarycenter(
        references, group_quantiles, barycenter_quantiles, has_ties
    )


def _quantile_transport(
    X: np.ndarray,
    codes: np.ndarray,
    model: QuantileBarycenter,
    repair_level: float,
    seed: int,
    chunk_rows: int = CHUNK_ROWS,
    spread_duplicates: bool = True,
) -> np.ndarray:
    """Move each row part of the way to the barycenter: ``(1 - t) x + t T_s(x)``.

    Parameters
    ----------
    X : ndarray of shape (n_samples, n_features)
        Finite float64 or float32 data, any memory order. Not modified.
    codes : ndarray of shape (n_samples,), dtype intp
        Group code of each row, or -1 to leave the row unchanged.
    model : QuantileBarycenter
        Output of :func:`_fit_quantile_barycenter`.
    repair_level : float
        ``t`` in ``[0, 1]``: 0 is the identity, 1 the full repair.
    seed : int
        Seed of the tie-breaking uniforms (see Notes).
    chunk_rows : int, default=CHUNK_ROWS
        Rows per window (see
        :func:`~sklearn_unlearn.utils._groups.group_windows`): the extra memory
        is a few float64 copies of one window whatever ``n_samples`` is.
    spread_duplicates : bool, default=True
        Identical rows of a window get distinct tie-breaking draws (by their
        rank among their copies); False: every copy gets the row's own draw.

    Returns
    -------
    Z : ndarray of shape (n_samples, n_features)
        Same dtype as ``X``. Computed in float64, cast on writing.

    Notes
    -----
    For a row of group ``s`` and each feature,

    .. math:: z = (1 - t) x + t T_s(x), \\qquad T_s(x) = Q_{bar}(F_s(x)),

    where ``F_s`` inverts the piecewise linear ``Q_s`` on the grid. Outside the
    fitted range ``[Q_s(0), Q_s(1)]``, ``T_s`` is held at its end value
    ``Q_bar(0)`` or ``Q_bar(1)``, while the interpolation formula is kept.

    Ties: a value ``x`` of positive mass in group ``s`` is a flat stretch
    ``Q_s = x`` on ``[F_s(x-), F_s(x)]``. Sending all those rows to one level
    would give each group its own output value for ``x`` and leak ``s``. They
    are sent instead to ``Q_bar(U)`` with ``U`` uniform on
    ``[F_s(x-), F_s(x)]``, so that the repaired values follow the barycenter law
    (up to the grid resolution ``1 / (q - 1)``). ``U`` comes from
    :func:`~sklearn_unlearn.utils._random._row_uniforms`: it is reproducible
    given ``seed`` and a pure function of the row (its values and group), so a
    subset of rows without duplicates is transformed as within the whole.
    Identical rows of one group (e.g. a binary feature alone) get independent
    draws: their rank among their copies within a window of rows
    (:data:`~sklearn_unlearn.utils._random.DRAW_WINDOW`) is mixed into
    the hash, so copies spread over ``[F_s(x-), F_s(x)]`` instead of collapsing
    onto one output. Only features with ``has_ties`` pay for it.

    Cost: ``O(n)`` per feature, vectorised over blocks of rows. Points are
    located on the grid by a bucket table (arithmetic, then a few branchless
    halving steps), falling back to ``np.searchsorted`` (``O(n log q)``) on
    very uneven grids.
    """
    t = float(repair_level)
    if t == 0.0:
        return np.array(X, copy=True, order="K")
    _, group_quantiles, barycenter_quantiles, has_ties = model
    n_groups, _, n_features = group_quantiles.shape
    tie_column = np.cumsum(has_ties) - 1  # column of the uniforms of tied feature j
    n_tied = int(has_ties.sum())
    bary_q = np.ascontiguousarray(barycenter_quantiles.T)
    group_q = [np.ascontiguousarray(group_quantiles[g].T) for g in range(n_groups)]
    indexes = [[grid_index(xp) for xp in grids] for grids in group_q]
    # draws hash each row in the barycenter's units (median, interdecile
    # range), so that rescaling a column by any factor keeps every draw
    q = bary_q.shape[1]
    shift = bary_q[:, q // 2]
    scale = bary_q[:, (9 * (q - 1)) // 10] - bary_q[:, (q - 1) // 10]
    scale = np.where(scale > 0, scale, np.abs(shift) + (shift == 0))
    Z = np.empty_like(X)
    for window in draw_windows(X.shape[0]):
        X_w, codes_w, Z_w = X[window], codes[window], Z[window]
        uniforms = None
        if n_tied:
            uniforms = _row_uniforms(
                X_w,
                codes_w,
                seed,
                n_tied,
                spread_duplicates=spread_duplicates,
                shift=shift,
                scale=scale,
            )

        def column(g, rows, j, x, uniforms=uniforms):
            u_j = uniforms[rows, tie_column[j]] if has_ties[j] else None
            return transport_column(x, group_q[g][j], indexes[g][j], bary_q[j], t, u_j)

        map_columns(X_w, Z_w, codes_w, n_groups, chunk_rows, column)
    return Z


def _quantile_inverse_transport(
    Z: np.ndarray,
    codes: np.ndarray,
    model: QuantileBarycenter,
    repair_level: float,
    chunk_rows: int = CHUNK_ROWS,
) -> np.ndarray:
    """Invert :func:`_quantile_transport` at the same ``repair_level``.

    Parameters
    ----------
    Z : ndarray of shape (n_samples, n_features)
        Finite float64 or float32 repaired data. Not modified.
    codes : ndarray of shape (n_samples,), dtype intp
        Group code of each row, or -1 to leave the row unchanged.
    model : QuantileBarycenter
        Output of :func:`_fit_quantile_barycenter`.
    repair_level : float
        The ``t`` used in the forward transport.
    chunk_rows : int, default=CHUNK_ROWS
        Rows per window, as in :func:`_quantile_transport`.

    Returns
    -------
    X : ndarray of shape (n_samples, n_features)
        Same dtype as ``Z``. Computed in float64, cast on writing.

    Notes
    -----
    On the grid points ``x_k = Q_s(u_k)`` the forward map is
    ``z_k = (1 - t) x_k + t Q_bar(u_k)``, nondecreasing in ``k``, and it is
    linear in between; the inverse interpolates ``z_k -> x_k``. Beyond the
    ends it undoes the forward extrapolation, ``x = x_0 + (z - z_0) / (1 - t)``
    (and likewise at the top), so for ``t < 1`` it is an exact inverse up to
    rounding, on continuous and discrete features alike (tied values are
    recovered exactly). For ``t = 1`` the map is only invertible where
    ``Q_bar`` increases: where ``Q_bar`` is flat (all groups of positive weight
    share a mass point) the right end of the stretch of ``x_k`` is returned,
    and points outside the fitted range come back at the range ends. The inverse
    is then approximate for discrete features.
    """
    t = float(repair_level)
    if t == 0.0:
        return np.array(Z, copy=True, order="K")
    _, group_quantiles, barycenter_quantiles, _ = model
    n_groups, _, n_features = group_quantiles.shape
    x_grids = [np.ascontiguousarray(group_quantiles[g].T) for g in range(n_groups)]
    z_grids = [(1.0 - t) * xg + t * barycenter_quantiles.T for xg in x_grids]
    indexes = [[grid_index(zp) for zp in grids] for grids in z_grids]
    X = np.empty_like(Z)

    def column(g, rows, j, z):
        x_grid, z_grid = x_grids[g][j], z_grids[g][j]
        _, k, frac = bracket(z, z_grid, indexes[g][j])
        x = lerp(x_grid, k, frac)
        if t < 1.0:
            below = z < z_grid[0]
            x[below] = x_grid[0] + (z[below] - z_grid[0]) / (1.0 - t)
            above = z > z_grid[-1]
            x[above] = x_grid[-1] + (z[above] - z_grid[-1]) / (1.0 - t)
        return x

    map_columns(Z, X, codes, n_groups, chunk_rows, column)
    return X


# ------------------------------------------------- the method's registry entries
def _block(X: np.ndarray) -> int:
    """Rows per block: a float64 copy, its output and a column's temporaries."""
    return working_rows(24 * X.shape[1] + 64, CHUNK_ROWS)


def fit(
    X: np.ndarray, codes: np.ndarray, weights: np.ndarray, *, y=None, n_quantiles: int
) -> QuantileBarycenter:
    """The ``"quantile"`` fit: :func:`_fit_quantile_barycenter` (``y`` unused)."""
    return _fit_quantile_barycenter(X, codes, weights.size, weights, n_quantiles)


def transport(
    X: np.ndarray,
    codes: np.ndarray,
    model: QuantileBarycenter,
    repair_level: float,
    seed: int,
    *,
    duplicates: str = "spread",
) -> np.ndarray:
    """The ``"quantile"`` transport, in blocks sized by ``working_memory``."""
    return _quantile_transport(
        X,
        codes,
        model,
        repair_level,
        seed,
        _block(X),
        spread_duplicates=duplicates == "spread",
    )


def inverse(
    Z: np.ndarray, codes: np.ndarray, model: QuantileBarycenter, repair_level: float
) -> np.ndarray:
    """The ``"quantile"`` inverse, in blocks sized by ``working_memory``."""
    return _quantile_inverse_transport(Z, codes, model, repair_level, _block(Z))


def attributes(model: QuantileBarycenter) -> dict:
    """The public fitted attributes of the estimator."""
    return {
        "references_": model.references,
        "group_quantiles_": model.group_quantiles,
        "barycenter_quantiles_": model.barycenter_quantiles,
    }
