"""The groups' output laws from chunks or blocks: mergeable quantile sketches.

``BarycenterOutcomeUnlearner.partial_fit`` reads a fitted model's single output
column on successive chunks of rows, and its ``fit`` of a dask array on each
block (:mod:`~sklearn_unlearn.outcome._dask`); each group's outputs are
summarised by a :class:`~sklearn_unlearn.utils._quantile_sketch.QuantileSketch`
of bounded size (:func:`sketch_capacity` values per level), merged chunk after
chunk (:func:`~sklearn_unlearn.utils._quantile_sketch.merge_chunk_sketches`: a
group may first appear in any chunk) or by a tree of tasks, and the quantile
repair is read from the merged sketches (:func:`sketched_repair`), within their
certified rank error of the repair that ``fit`` learns from the same outputs in
memory. Functions of arrays and fitted models.
"""

import numpy as np

from sklearn_unlearn.outcome._kernels import OutcomeBarycenter, _atoms
from sklearn_unlearn.outcome._methods import (
    FittedRepair,
    grid_levels,
    output_level_count,
)
from sklearn_unlearn.outcome._outputs import output_columns
from sklearn_unlearn.utils._quantile_sketch import sketch_masses, sketch_quantiles
from sklearn_unlearn.utils._sensitive import GroupEncoding

__all__ = [
    "SKETCH_PER_QUANTILE",
    "fit_from_sketches",
    "single_output",
    "sketch_capacity",
    "sketched_repair",
]

#: Values per level of a group's sketch, per level of ``n_quantiles``: the rank
#: error bound ``ceil(log2(n / k)) / k`` stays below ``1 / n_quantiles`` up to
#: ``n = 2**8 k`` rows per group.
SKETCH_PER_QUANTILE = 8


def sketch_capacity(n_quantiles: int) -> int:
    """Values per level of the groups' sketches for ``n_quantiles``."""
    return SKETCH_PER_QUANTILE * int(n_quantiles)


def single_output(model, X, method: str, caller: str) -> np.ndarray:
    """A fitted model's output ``method`` on the rows ``X``, as one finite column.

    ``caller`` names the fit that sketches it, in the error: multiclass and
    multi-target outputs are repaired jointly on cells, from all rows at once.
    """
    F = output_columns(getattr(model, method)(X), method)
    if F.shape[1] != 1 or not np.isfinite(F).all():
        raise ValueError(
            f"{caller} sketches one finite output column; "
            f"{type(model).__name__}.{method} gives {F.shape[1]} column(s) "
            "(multiclass or multi-target outputs are repaired jointly on cells: "
            "call fit on all rows in memory)."
        )
    return np.asarray(F, dtype=np.float64)


def _sketch_atoms(sketch, column: int, max_atoms: int):
    """Values certainly repeated in the rows, and their CDF limits from the sketch."""
    values, weights = sketch_masses(sketch, column)
    n = sketch.count
    right = np.cumsum(weights) / n
    left = right - weights / n
    keep = np.flatnonzero(weights - 2 * sketch.error >= 2)
    if keep.size > max_atoms:
        keep = np.sort(keep[np.argsort(-weights[keep], kind="stable")[:max_atoms]])
    return values[keep], left[keep], right[keep]


def fit_from_sketches(
    sketches: tuple, weights: np.ndarray, n_quantiles: int, output_levels: int
) -> OutcomeBarycenter:
    """The quantile repair's model read from the groups' merged output sketches.

    Parameters
    ----------
    sketches : tuple of QuantileSketch
        One per group (two rows or more each), of the single output column.
    weights : ndarray of shape (n_groups,)
        Barycenter weights summing to one.
    n_quantiles : int
        As for ``fit``: the grid has
        :func:`~sklearn_unlearn.outcome._methods.grid_levels` levels, and at
        most ``n_quantiles`` atoms are kept per group.
    output_levels : int
        Values of the fully repaired output (0: continuous).

    Returns
    -------
    model : OutcomeBarycenter
        As :func:`~sklearn_unlearn.outcome._kernels._fit_outcome_barycenter`
        returns on the same outputs, exactly when no sketch compacted.

    Notes
    -----
    With ``e_s`` the certified error of group ``s``'s sketch (in rows) and
    ``n_s`` its rows, each ``Q_s(u_k)`` lies between the exact quantiles at
    ``u_k - e_s / (n_s - 1)`` and ``u_k + e_s / (n_s - 1)``, so ``Q_bar(u_k)``
    lies between the exact barycenter's at ``u_k -+ max_s e_s / (n_s - 1)``. An
    atom (a repeated output value) is kept when its sketch weight ``w`` is at
    least ``2 e_s + 2`` (it then holds two rows or more); its CDF limits
    ``F_s(f-)`` and ``F_s(f)`` are within ``e_s / n_s`` of the exact ones.
    """
    counts = np.array([s.count for s in sketches])
    q = int(max(2, min(grid_levels(counts, n_quantiles), counts.max())))
    references = np.linspace(0.0, 1.0, q)
    group_quantiles = np.empty((len(sketches), q, 1), dtype=np.float64)
    found = []
    for g, sketch in enumerate(sketches):
        if sketch.error == 0 and len(sketch.levels) == 1:  # every output kept
            block = sketch.levels[0]
            quantiles = np.quantile(block, references, axis=0)
            found.append(_atoms(block[:, 0], n_quantiles))
        else:
            quantiles = sketch_quantiles(sketch, references * (sketch.count - 1))
            found.append(_sketch_atoms(sketch, 0, n_quantiles))
        group_quantiles[g] = np.maximum.accumulate(quantiles, axis=0)
    barycenter = np.zeros((q, 1), dtype=np.float64)
    for g in range(len(sketches)):  # elementwise: every level is rounded alike
        barycenter += weights[g] * group_quantiles[g]
    n_atoms = max(1, max(values.size for values, _, _ in found))
    atoms = np.full((len(sketches), n_atoms, 1), np.inf)
    atom_levels = np.zeros((2, len(sketches), n_atoms, 1))
    for g, (values, left, right) in enumerate(found):
        atoms[g, : values.size, 0] = values
        atom_levels[0, g, : values.size, 0] = left
        atom_levels[1, g, : values.size, 0] = right
    return OutcomeBarycenter(
        references, group_quantiles, barycenter, atoms, atom_levels, output_levels
    )


def sketched_repair(
    encoding: GroupEncoding,
    sketches: tuple,
    weights: np.ndarray,
    n_quantiles: int,
    output_levels,
    seed: int,
) -> FittedRepair:
    """The quantile repair of the groups' merged output sketches.

    ``encoding`` holds the groups' exact row counts (``output_levels="auto"``
    counts all of them); see :func:`fit_from_sketches` for the error.
    """
    levels = output_level_count(output_levels, int(encoding.counts.sum()))
    model = fit_from_sketches(sketches, weights, n_quantiles, levels)
    return FittedRepair("quantile", model, seed)
