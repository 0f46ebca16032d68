"""The two repairs of BarycenterOutcomeUnlearner, behind one interface.

Each :class:`OutcomeMethod` of :data:`METHODS` holds functions on arrays,
looked up by name:

* ``fit(F, codes, weights, *, n_quantiles, output_levels, probabilities,
  seed) -> model`` learns the repair (a NamedTuple) from the outputs ``F``
  (n_samples, n_outputs) of the training rows;
* ``transport(F, H, codes, model, repair_level, seed, spread) -> Z`` repairs
  outputs ``F`` of rows whose features and outputs, as float64 columns, are
  ``H`` (see :func:`~sklearn_unlearn.outcome._row_hashes.hash_columns`: the
  tie-breaking and target draws hash them);
* ``describe(model) -> dict`` names the model's public fitted attributes,
  which are listed in ``attributes``.

``"quantile"`` repairs a single output column by its exact 1-D W2 barycenter;
``"cells"`` repairs a vector of outputs (multiclass probabilities, several
targets) jointly, on cells of the output space shared by all groups
(:func:`method_for` picks one). :func:`fit_repair` and :func:`repair_outputs`
apply them to a model's raw outputs, as the estimator does. Inputs are
validated by the estimator; ``weights`` sum to one and every group has two
rows or more.
"""

from collections.abc import Callable
from typing import NamedTuple

import numpy as np
from sklearn.exceptions import ConvergenceWarning
from threadpoolctl import threadpool_limits

from sklearn_unlearn.feature._stochastic import (
    CellBarycenter,
    Embedding,
    _cell_transport,
    _fit_cell_barycenter,
)
from sklearn_unlearn.outcome._kernels import (
    OutcomeBarycenter,
    _fit_outcome_barycenter,
    _outcome_transport,
)
from sklearn_unlearn.outcome._outputs import output_columns, repaired_form
from sklearn_unlearn.outcome._row_hashes import hash_columns, row_uniforms
from sklearn_unlearn.utils._random import _row_uniforms, draw_windows
from sklearn_unlearn.utils._warnings import warn_user

__all__ = [
    "METHODS",
    "FittedRepair",
    "OutcomeMethod",
    "fit_repair",
    "grid_levels",
    "method_for",
    "output_level_count",
    "repair_outputs",
    "repaired",
]

#: The grid of a group's quantile function has ``GRID_PER_SQRT * sqrt(n)``
#: levels for the smallest group's ``n`` rows: the scale of the sampling noise
#: of an empirical CDF is ``1 / sqrt(n)``. A finer grid follows that noise
#: (a held-out audit of new rows then reads group-specific fine structure:
#: 0.59 with one level per 5 rows on 500 rows per group); a coarser one
#: misplaces a small group's outputs between grid points (loanapp, a group of
#: 114 rows on 4 levels: 0.65). Repeated values are placed exactly whatever the
#: grid (up to ``n_quantiles`` of them).
GRID_PER_SQRT = 2.0
#: Training rows per value of the fully repaired output (``output_levels=
#: "auto"``). Shared values hide which group a row came from, even when the
#: row copies a training row. Held-out leakage, means over 3 seeds: titanic
#: 0.75 (continuous outputs) to 0.50; arrests (half the rows are copies) 0.66
#: to 0.64 with 20 rows per value and 0.53 with 50; test ROC AUC cost at most
#: 0.004 on the tables of ``benchmarks/bench_outcome.py``.
ROWS_PER_OUTPUT = 50

# The cell repair of output vectors uses the constants that the feature
# unlearner's ``method="stochastic"`` measured on the tables of
# benchmarks/bench_tables.py (see sklearn_unlearn/feature/_methods.py); they
# are repeated here so that the outcome package does not depend on the
# feature estimator's module.
#: Largest number of cells, and training rows per cell at least.
MAX_CELLS, ROWS_PER_CELL = 1000, 30
#: Rows of a group per cell at least, on average; a smaller group gets coarser
#: cells of its own.
GROUP_ROWS_PER_CELL = 15
#: Lloyd steps refining the initial centers, on at most this many rows per cell.
LLOYD_STEPS, LLOYD_ROWS_PER_CELL = 3, 50
#: Stored training output vectors per cell.
MEMBERS_PER_CELL = 32
#: Entropic blur (relative to the median squared distance between cells),
#: Bregman projections at most, and their tolerance (L1 change of the law).
CELL_EPSILON, CELL_MAX_ITER, CELL_TOL = 0.03, 1000, 1e-6


class OutcomeMethod(NamedTuple):
    """One repair: fit and transport on arrays, and its public attributes."""

    fit: Callable[..., NamedTuple]
    transport: Callable[..., np.ndarray]
    describe: Callable[[NamedTuple], dict]  # model -> {attribute_: value}
    attributes: tuple  # the names ``describe`` returns


def method_for(n_outputs: int) -> str:
    """The repair of ``n_outputs`` output columns: "quantile" for one, else "cells"."""
    return "quantile" if n_outputs == 1 else "cells"


def grid_levels(counts: np.ndarray, n_quantiles: int) -> int:
    """Levels of the quantile grid for groups of ``counts`` rows."""
    n = int(counts.min())
    return int(min(n_quantiles, max(2, GRID_PER_SQRT * np.sqrt(n))))


def output_level_count(output_levels, n_samples: int) -> int:
    """Values of the fully repaired output: ``"auto"``, an int, or 0 for None.

    ``"auto"`` is one value per ``ROWS_PER_OUTPUT`` training rows, at least 2;
    0 means continuous outputs.
    """
    if output_levels == "auto":
        return max(2, n_samples // ROWS_PER_OUTPUT)
    return 0 if output_levels is None else int(output_levels)


def _fit_quantiles(
    F: np.ndarray,
    codes: np.ndarray,
    weights: np.ndarray,
    *,
    n_quantiles: int,
    output_levels: int,
    probabilities: bool,
    seed: int,
) -> OutcomeBarycenter:
    """The groups' quantile functions of the one output column on a shared grid."""
    return _fit_outcome_barycenter(
        F,
        codes,
        weights.size,
        weights,
        grid_levels(np.bincount(codes, minlength=weights.size), n_quantiles),
        output_levels,
        max_atoms=n_quantiles,
    )


def _describe_quantiles(model: OutcomeBarycenter) -> dict:
    """Public attributes of the quantile repair (``output_levels_``: None if 0)."""
    return {
        "references_": model.references,
        "group_quantiles_": model.group_quantiles,
        "barycenter_quantiles_": model.barycenter_quantiles,
        "output_levels_": model.output_levels or None,
    }


def _transport_quantiles(
    F: np.ndarray,
    H: np.ndarray,
    codes: np.ndarray,
    model: OutcomeBarycenter,
    repair_level: float,
    seed: int,
    spread: bool = True,
) -> np.ndarray:
    """``(1 - t) f + t Q_bar(U)`` with ties of the group's law broken by ``H``."""
    U = row_uniforms(H, codes, seed, F.shape[1], spread)
    return _outcome_transport(F, codes, model, repair_level, U)


def _n_cells(n_samples: int) -> int:
    """One cell per ``ROWS_PER_CELL`` rows, ``MAX_CELLS`` at most."""
    return min(MAX_CELLS, max(2, n_samples // ROWS_PER_CELL))


def _output_embedding(F: np.ndarray, probabilities: bool) -> Embedding:
    """Probabilities as they are (one scale on the simplex); else standardised."""
    n_outputs = F.shape[1]
    if probabilities:
        shift, scale = np.zeros(n_outputs), np.ones(n_outputs)
    else:
        shift = F.mean(axis=0)
        scale = F.std(axis=0)
        scale[~(scale > 0)] = 1.0
    return Embedding(shift, scale, np.zeros((n_outputs, 0)), np.zeros(0))


def _fit_cells(
    F: np.ndarray,
    codes: np.ndarray,
    weights: np.ndarray,
    *,
    n_quantiles: int,
    output_levels: int,
    probabilities: bool,
    seed: int,
) -> CellBarycenter:
    """The groups' laws on shared cells of the output space, and their barycenter.

    ``n_quantiles`` and ``output_levels`` are not used (one interface for both
    repairs); warns when the Bregman projections did not converge.
    """
    F = np.asarray(F, dtype=np.float64)
    k = _n_cells(F.shape[0])
    with threadpool_limits(limits=1, user_api="blas"):
        model = _fit_cell_barycenter(
            F,
            codes,
            weights.size,
            weights,
            _output_embedding(F, probabilities),
            n_cells=k,
            min_rows_per_cell=GROUP_ROWS_PER_CELL,
            lloyd_steps=LLOYD_STEPS,
            lloyd_rows=LLOYD_ROWS_PER_CELL * k,
            members_per_cell=MEMBERS_PER_CELL,
            epsilon=CELL_EPSILON,
            max_iter=CELL_MAX_ITER,
            tol=CELL_TOL,
            seed=seed,
        )
    if not model.converged:
        warn_user(
            f"The barycenter of the groups' output laws on {k} cells did not "
            f"converge in {CELL_MAX_ITER} Bregman projections (tol={CELL_TOL}); "
            "the repaired outputs are only approximately independent of S.",
            ConvergenceWarning,
        )
    return model


def _describe_cells(model: CellBarycenter) -> dict:
    """Public attributes of the cell repair."""
    return {
        "cell_centers_": model.centers,
        "group_cell_masses_": model.masses,
        "cell_barycenter_": model.barycenter,
    }


def _transport_cells(
    F: np.ndarray,
    H: np.ndarray,
    codes: np.ndarray,
    model: CellBarycenter,
    repair_level: float,
    seed: int,
    spread: bool = True,
) -> np.ndarray:
    """A ``repair_level`` share of each group's rows sent to stored output vectors."""
    F = np.asarray(F, dtype=np.float64)
    Z = np.empty_like(F)
    with threadpool_limits(limits=1, user_api="blas"):
        for window in draw_windows(F.shape[0]):
            # the same draws for copies of a row whatever its group: column 0
            # picks the target cell, column 1 whether the row is moved at all
            U = _row_uniforms(
                H[window],
                codes[window],
                seed,
                2,
                spread_duplicates="sequence" if spread else False,
                hash_codes=False,
            )
            _cell_transport(
                F[window],
                codes[window],
                U,
                model,
                repair_level,
                within_cell=0.0,
                out=Z[window],
            )
    return Z


METHODS = {
    "quantile": OutcomeMethod(
        _fit_quantiles,
        _transport_quantiles,
        _describe_quantiles,
        ("references_", "group_quantiles_", "barycenter_quantiles_", "output_levels_"),
    ),
    "cells": OutcomeMethod(
        _fit_cells,
        _transport_cells,
        _describe_cells,
        ("cell_centers_", "group_cell_masses_", "cell_barycenter_"),
    ),
}


class FittedRepair(NamedTuple):
    """A fitted repair of a model's outputs: which one, its model, its seed."""

    method: str  # a key of METHODS
    model: NamedTuple  # what ``METHODS[method].fit`` returned
    seed: int  # of the tie-breaking and target draws


def fit_repair(
    raw: np.ndarray,
    output: str,
    codes: np.ndarray,
    weights: np.ndarray,
    n_quantiles: int,
    output_levels,
    seed: int,
) -> FittedRepair:
    """Fit the repair of a model's outputs ``raw`` (of its method ``output``).

    Parameters
    ----------
    raw : ndarray of shape (n_samples,) or (n_samples, n_outputs)
        The model's outputs on the training rows (or cross-fitted ones).
    output : {"predict", "predict_proba", "decision_function"}
        The model's method that gave them.
    codes : ndarray of shape (n_samples,), dtype intp
        Group of each row; every group has two rows or more.
    weights : ndarray of shape (n_groups,)
        Barycenter weights summing to one.
    n_quantiles : int
        Largest grid of the quantile repair (see :func:`grid_levels`).
    output_levels : "auto", int or None
        Values of the fully repaired output (see :func:`output_level_count`).
    seed : int
        Seed of the draws.

    Returns
    -------
    repair : FittedRepair
        ``"quantile"`` for one output column (see
        :func:`~sklearn_unlearn.outcome._outputs.output_columns`), else
        ``"cells"``, with its fitted model.
    """
    F = output_columns(raw, output)
    method = method_for(F.shape[1])
    model = METHODS[method].fit(
        F,
        codes,
        weights,
        n_quantiles=n_quantiles,
        output_levels=output_level_count(output_levels, F.shape[0]),
        probabilities=output == "predict_proba",
        seed=seed,
    )
    return FittedRepair(method, model, seed)


def repair_outputs(
    repair: FittedRepair,
    raw: np.ndarray,
    output: str,
    X,
    codes: np.ndarray,
    repair_level: float,
    spread: bool,
) -> np.ndarray:
    """The repaired columns of a model's outputs ``raw`` on the rows ``X``.

    ``X`` and the outputs are hashed into the rows' draws
    (:func:`~sklearn_unlearn.outcome._row_hashes.hash_columns`); ``codes`` are
    known groups; ``spread`` gives copies of a row in the batch distinct draws.
    Returns an array of shape (n_samples, n_columns), float64.
    """
    F = output_columns(raw, output)
    transport = METHODS[repair.method].transport
    H = hash_columns(X, F)
    return transport(F, H, codes, repair.model, repair_level, repair.seed, spread)


def repaired(X, codes, model, output, form, repair, repair_level, spread, classes):
    """What the prediction method ``form`` of the repaired ``model`` returns on X.

    ``output`` is the repaired output of ``model`` (see
    :func:`~sklearn_unlearn.outcome._outputs.model_output_method`), ``classes``
    its labels (None for a regressor); ``repair_level=0`` gives ``model``'s own.
    """
    if repair_level == 0:
        return getattr(model, form)(X)
    raw = getattr(model, output)(X)
    Z = repair_outputs(repair, raw, output, X, codes, repair_level, spread)
    return repaired_form(form, Z, raw, output, classes)
