"""Pure kernels of outcome unlearning: 1-D W2 barycenters of a model's outputs.

Arrays in, arrays or NamedTuples out; no validation and no scikit-learn objects.
Each column of an output matrix ``F`` (a regressor's predictions, a class
probability, a decision score) is repaired on its own: the groups' laws of the
column are mapped onto their 1-D Wasserstein-2 barycenter, whose quantile
function is the weighted mean of the groups' quantile functions. Quantile
functions are stored on one grid of probability levels, so memory is
``O(n_groups * n_quantiles * n_outputs)`` whatever ``n_samples`` is.
"""

from typing import NamedTuple

import numpy as np

__all__ = [
    "OutcomeBarycenter",
    "_fit_outcome_barycenter",
    "_outcome_levels",
    "_outcome_transport",
]


class OutcomeBarycenter(NamedTuple):
    """Group and barycenter quantile functions of every output, on one grid."""

    references: np.ndarray  # (n_quantiles,) levels k / (n_quantiles - 1)
    group_quantiles: np.ndarray  # (n_groups, n_quantiles, n_outputs) float64
    barycenter_quantiles: np.ndarray  # (n_quantiles, n_outputs) float64
    atoms: np.ndarray  # (n_groups, n_atoms, n_outputs) repeated values, +inf pad
    atom_levels: np.ndarray  # (2, n_groups, n_atoms, n_outputs) F_s(f-), F_s(f)
    output_levels: int = 0  # m > 0: repaired outputs take m values; 0: continuous


def _atoms(block: np.ndarray, max_atoms: int):
    """Values repeated in ``block`` (the largest ``max_atoms``) and their CDF."""
    values, counts = np.unique(block, return_counts=True)
    right = np.cumsum(counts) / block.size
    left = right - counts / block.size
    keep = np.flatnonzero(counts >= 2)
    if keep.size > max_atoms:
        keep = np.sort(keep[np.argsort(-counts[keep], kind="stable")[:max_atoms]])
    return values[keep], left[keep], right[keep]


def _fit_outcome_barycenter(
    F: np.ndarray,
    codes: np.ndarray,
    n_groups: int,
    weights: np.ndarray,
    n_quantiles: int,
    output_levels: int = 0,
    max_atoms: int | None = None,
) -> OutcomeBarycenter:
    """Quantile functions of each group's outputs and of their W2 barycenter.

    Parameters
    ----------
    F : ndarray of shape (n_samples, n_outputs)
        Finite outputs of the fitted model.
    codes : ndarray of shape (n_samples,), dtype intp
        Group of each row in ``0..n_groups - 1``; every group has two rows or more.
    n_groups : int
        Number of groups.
    weights : ndarray of shape (n_groups,)
        Nonnegative barycenter weights ``p_s`` summing to one.
    n_quantiles : int
        Requested number of levels; the grid has
        ``max(2, min(n_quantiles, largest group size))`` of them.
    output_levels : int, default=0
        ``m >= 2``: the fully repaired outputs take the ``m`` values
        ``Q_bar((b + 1/2) / m)``, ``b = 0..m-1`` (see :func:`_outcome_transport`);
        0: they are ``Q_bar(U)`` itself.
    max_atoms : int or None, default=None
        Repeated values stored per group and output, the most frequent first;
        None: ``n_quantiles``.

    Returns
    -------
    model : OutcomeBarycenter
        The levels ``u_k = k / (q - 1)``, each group's quantiles ``Q_s(u_k)``
        and the barycenter's ``Q_bar(u_k)``, float64; and each group's atoms
        (values repeated in its outputs, the ``n_quantiles`` most frequent) with
        their exact CDF limits ``F_s(f-)`` and ``F_s(f)``, so that ties are found
        whatever the grid resolution.

    Notes
    -----
    ``Q_s`` is the "linear" (Hyndman-Fan type 7) empirical quantile function of
    group ``s``, made nondecreasing against rounding. In one dimension the W2
    barycenter of the laws ``mu_s`` with weights ``p_s`` has the quantile function

    .. math:: \\bar Q(u) = \\sum_s p_s Q_s(u)

    (Agueh and Carlier, 2011). Cost: one sort per group and output.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn_unlearn.outcome._kernels import _fit_outcome_barycenter
    >>> F = np.array([[0.0], [2.0], [1.0], [10.0], [14.0], [12.0]])
    >>> codes = np.array([0, 0, 0, 1, 1, 1])
    >>> model = _fit_outcome_barycenter(F, codes, 2, np.array([0.5, 0.5]), 3)
    >>> model.barycenter_quantiles.ravel()
    array([5. , 6.5, 8. ])
    """
    sizes = np.bincount(codes, minlength=n_groups)
    q = int(max(2, min(n_quantiles, sizes.max())))
    references = np.linspace(0.0, 1.0, q)
    group_quantiles = np.empty((n_groups, q, F.shape[1]), dtype=np.float64)
    for g in range(n_groups):
        block = np.asarray(F[codes == g], dtype=np.float64)
        quantiles = np.quantile(block, references, axis=0)
        group_quantiles[g] = np.maximum.accumulate(quantiles, axis=0)
    barycenter = np.zeros((q, F.shape[1]), dtype=np.float64)
    for g in range(n_groups):  # elementwise: every level is rounded alike
        barycenter += weights[g] * group_quantiles[g]
    found = [
        [
            _atoms(
                np.asarray(F[codes == g, j], dtype=np.float64),
                n_quantiles if max_atoms is None else max_atoms,
            )
            for j in range(F.shape[1])
        ]
        for g in range(n_groups)
    ]
    n_atoms = max(1, max(a[0].size for row in found for a in row))
    atoms = np.full((n_groups, n_atoms, F.shape[1]), np.inf)
    atom_levels = np.zeros((2, n_groups, n_atoms, F.shape[1]))
    for g, row in enumerate(found):
        for j, (values, left, right) in enumerate(row):
            atoms[g, : values.size, j] = values
            atom_levels[0, g, : values.size, j] = left
            atom_levels[1, g, : values.size, j] = right
    return OutcomeBarycenter(
        references, group_quantiles, barycenter, atoms, atom_levels, output_levels
    )


def _levels_column(x: np.ndarray, grid: np.ndarray, uniforms: np.ndarray):
    """Grid position ``(q - 1) F_s(x)`` of each ``x`` in one group's quantile grid."""
    q = grid.shape[0]
    right = np.searchsorted(grid, x, side="right")  # grid values <= x
    left = np.searchsorted(grid, x, side="left")  # grid values < x
    k = np.clip(right - 1, 0, q - 2)
    step = grid[k + 1] - grid[k]
    with np.errstate(over="ignore", invalid="ignore"):
        num = x - grid[k]
    frac = np.divide(num, step, out=(num >= 0).astype(np.float64), where=step > 0)
    position = k + np.clip(frac, 0.0, 1.0)
    tied = right - left >= 2  # x is an atom: a flat stretch of Q_s
    lo = left[tied]
    position[tied] = lo + uniforms[tied] * (right[tied] - 1 - lo)
    return position


def _outcome_levels(
    F: np.ndarray, codes: np.ndarray, model: OutcomeBarycenter, uniforms: np.ndarray
) -> np.ndarray:
    """Randomised CDF levels ``U = F_s(f)`` of each output in its group's law.

    Parameters
    ----------
    F : ndarray of shape (n_samples, n_outputs)
        Outputs to place.
    codes : ndarray of shape (n_samples,), dtype intp
        Group of each row (all known).
    model : OutcomeBarycenter
        Output of :func:`_fit_outcome_barycenter`.
    uniforms : ndarray of shape (n_samples, n_outputs)
        Uniforms in ``[0, 1)`` that break ties.

    Returns
    -------
    levels : ndarray of shape (n_samples, n_outputs)
        Levels in ``[0, 1]``: the inverse of the piecewise linear ``Q_s`` between
        atoms, and ``F_s(f-) + V (F_s(f) - F_s(f-))`` with ``V`` the row's
        uniform on an atom (a value repeated in the group's fitted outputs, or
        on its grid).
    """
    q = model.references.shape[0]
    return _positions(F, codes, model, uniforms) / (q - 1)


def _positions(F, codes, model, uniforms) -> np.ndarray:
    """``(q - 1) U``: the levels of :func:`_outcome_levels` in grid steps."""
    q = model.references.shape[0]
    levels = np.empty(F.shape, dtype=np.float64)
    for g in range(model.group_quantiles.shape[0]):
        rows = np.flatnonzero(codes == g)
        if rows.size == 0:
            continue
        for j in range(F.shape[1]):
            x = np.asarray(F[rows, j], dtype=np.float64)
            grid = model.group_quantiles[g, :, j]
            position = _levels_column(x, grid, uniforms[rows, j])
            # exact atoms of the fitted outputs: U uniform on [F_s(f-), F_s(f)]
            values = model.atoms[g, :, j]
            at = np.minimum(np.searchsorted(values, x), values.size - 1)
            hit = values[at] == x
            if np.any(hit):
                lo = model.atom_levels[0, g, at[hit], j]
                hi = model.atom_levels[1, g, at[hit], j]
                position[hit] = (lo + uniforms[rows[hit], j] * (hi - lo)) * (q - 1)
            levels[rows, j] = position
    return levels


def _outcome_transport(
    F: np.ndarray,
    codes: np.ndarray,
    model: OutcomeBarycenter,
    repair_level: float,
    uniforms: np.ndarray,
) -> np.ndarray:
    """Move each output along the W2 geodesic: ``(1 - t) f + t Q_bar(F_s(f))``.

    Parameters
    ----------
    F : ndarray of shape (n_samples, n_outputs)
        Outputs of the model. Not modified.
    codes : ndarray of shape (n_samples,), dtype intp
        Group of each row (all known).
    model : OutcomeBarycenter
        Output of :func:`_fit_outcome_barycenter`.
    repair_level : float
        ``t`` in ``[0, 1]``.
    uniforms : ndarray of shape (n_samples, n_outputs)
        Tie-breaking uniforms (see :func:`_outcome_levels`).

    Returns
    -------
    Z : ndarray of shape (n_samples, n_outputs), float64
        Repaired outputs; ``t = 0`` returns ``F`` (as float64) unchanged.

    Notes
    -----
    With ``U = F_s(f)`` randomised on atoms, ``U`` is uniform on ``[0, 1]`` in
    every group (on the fitted outputs, up to the grid resolution), so
    ``Q_bar(U)`` has the barycenter law whatever the group: the fully repaired
    output is independent of S. ``Q_bar`` is read by linear interpolation on the
    grid, and outputs beyond a group's fitted range are held at ``Q_bar(0)`` or
    ``Q_bar(1)``. With ``model.output_levels = m > 0`` the target is
    ``Q_bar((b + 1/2) / m)`` for the bin ``b = min(floor(m U), m - 1)``: the
    barycenter quantised to ``m`` equally likely values, shared by all groups.
    (A continuous target is a one-to-one function of the row's draw: a new row
    that copies a training row then gets that row's exact output, which an
    adversary fitted on the training outputs memorises.)

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn_unlearn.outcome._kernels import (
    ...     _fit_outcome_barycenter, _outcome_transport)
    >>> F = np.array([[0.0], [2.0], [1.0], [10.0], [14.0], [12.0]])
    >>> codes = np.array([0, 0, 0, 1, 1, 1])
    >>> model = _fit_outcome_barycenter(F, codes, 2, np.array([0.5, 0.5]), 3)
    >>> U = np.zeros_like(F)
    >>> _outcome_transport(F, codes, model, 1.0, U).ravel()
    array([5. , 8. , 6.5, 5. , 8. , 6.5])
    """
    F64 = np.asarray(F, dtype=np.float64)
    t = float(repair_level)
    if t == 0.0:
        return F64.copy()
    bary = model.barycenter_quantiles
    q = bary.shape[0]
    position = _positions(F64, codes, model, uniforms)
    m = model.output_levels
    if m > 0:
        bins = np.minimum(np.floor(position * (m / (q - 1))), m - 1)
        position = (bins + 0.5) * ((q - 1) / m)
    k = np.minimum(position.astype(np.intp), q - 2)
    frac = position - k
    columns = np.arange(F64.shape[1])
    lo = bary[k, columns]
    hi = bary[k + 1, columns]
    target = np.minimum(lo + frac * (hi - lo), hi)
    if t == 1.0:
        return target
    return (1.0 - t) * F64 + t * target
