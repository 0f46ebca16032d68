"""The two repairs of BarycenterOutcomeUnlearner, behind one interface.

Each :class:`OutcomeMethod` is a pair of functions on arrays, looked up by name:

* ``fit(F, codes, weights, *, n_quantiles, probabilities, seed,
  output_levels) -> Fitted``
  learns the repair from the outputs ``F`` (n_samples, n_outputs) of the
  training rows;
* ``transport(F, H, codes, model, repair_level, seed, spread) -> Z`` repairs outputs
  ``F`` of rows whose features and outputs, as float64 columns, are ``H`` (the
  tie-breaking and target draws hash them).

``"quantile"`` repairs a single output column by its exact 1-D W2 barycenter;
``"cells"`` repairs a vector of outputs (multiclass probabilities, several
targets) jointly, on cells of the output space shared by all groups.
Inputs are validated by the estimator; ``weights`` sum to one and every group
has two rows or more.
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
from sklearn_unlearn.outcome._input import row_uniforms
from sklearn_unlearn.outcome._kernels import (
    _fit_outcome_barycenter,
    _outcome_transport,
)
from sklearn_unlearn.utils._random import _row_uniforms, draw_windows
from sklearn_unlearn.utils._warnings import warn_user

__all__ = ["METHODS", "Fitted", "OutcomeMethod"]

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


class Fitted(NamedTuple):
    """A fitted repair: the kernel's model and the public fitted attributes."""

    model: object  # OutcomeBarycenter or CellBarycenter
    attributes: dict  # name_ -> value


class OutcomeMethod(NamedTuple):
    fit: Callable[..., Fitted]
    transport: Callable[..., np.ndarray]


def grid_levels(counts: np.ndarray, n_quantiles: int) -> int:
    """Levels of the quantile grid for groups of ``counts`` rows."""
    n = int(counts.min())
    return int(min(n_quantiles, max(2, GRID_PER_SQRT * np.sqrt(n))))


def auto_output_levels(n_samples: int) -> int:
    """Values of the repaired output for ``output_levels="auto"``."""
    return max(2, n_samples // ROWS_PER_OUTPUT)


def _fit_quantiles(
    F, codes, weights, *, n_quantiles, probabilities, seed, output_levels
):
    model = _fit_outcome_barycenter(
        F,
        codes,
        weights.size,
        weights,
        grid_levels(np.bincount(codes, minlength=weights.size), n_quantiles),
        output_levels,
        max_atoms=n_quantiles,
    )
    attributes = {
        "references_": model.references,
        "group_quantiles_": model.group_quantiles,
        "barycenter_quantiles_": model.barycenter_quantiles,
        "output_levels_": output_levels or None,
    }
    return Fitted(model, attributes)


def _transport_quantiles(F, H, codes, model, repair_level, seed, spread=True):
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


def _fit_cells(F, codes, weights, *, n_quantiles, probabilities, seed, output_levels):
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
    attributes = {
        "cell_centers_": model.centers,
        "group_cell_masses_": model.masses,
        "cell_barycenter_": model.barycenter,
    }
    return Fitted(model, attributes)


def _transport_cells(
    F, H, codes, model: CellBarycenter, repair_level, seed, spread=True
):
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
    "quantile": OutcomeMethod(_fit_quantiles, _transport_quantiles),
    "cells": OutcomeMethod(_fit_cells, _transport_cells),
}

#: Fitted attributes of each method (removed when a refit uses the other one).
METHOD_ATTRIBUTES = {
    "quantile": (
        "references_",
        "group_quantiles_",
        "barycenter_quantiles_",
        "output_levels_",
    ),
    "cells": ("cell_centers_", "group_cell_masses_", "cell_barycenter_"),
}
