"""The ``"stochastic"`` method: the cell barycenter repair (kernels).

Arrays in, arrays or NamedTuples out; no validation and no scikit-learn objects.

Rows are first embedded: every column is standardised with training statistics
(so results do not depend on the units of a column), and, when the estimator
was fitted with a label, a label score (a linear function of the standardised
row, fitted by the estimator) is appended with a large weight, so that cells
group rows that are alike *and* predict the label alike. The embedded space is
cut into ``k`` cells shared by all groups (the Voronoi cells of ``k`` centers).
Each group's law becomes a distribution on the cells, their Wasserstein-2
barycenter on the same cells is computed by entropic Bregman projections, and
exact optimal plans from each group's cell law to the barycenter with
:func:`ot.emd`. A row of group ``s`` in cell ``c`` is sent to cell ``j`` with
probability ``plan_s[c, j] / mass_s[c]``, so each group's image law on the cells
is the barycenter (exactly, on the rows the plans were fitted on). The output is
a stored training row of cell ``j``, in the original units: one-hot blocks stay
one-hot, integer columns stay integer, and no group keeps values of its own.

When the groups cannot be told apart (neither per column nor over the cells,
:mod:`~sklearn_unlearn.feature._stochastic_independence`), they share one law,
which is its own barycenter: the optimal maps are the identity and the rows are
returned unchanged.
"""

from typing import NamedTuple

import numpy as np
from sklearn.utils import gen_batches
from threadpoolctl import threadpool_limits

from sklearn_unlearn.feature._stochastic_cells import (
    Embedding,
    _assign_cells,
    _embed,
    _lloyd,
    _nearest_members,
    _sample_members,
)
from sklearn_unlearn.feature._stochastic_embedding import _cell_embedding
from sklearn_unlearn.feature._stochastic_independence import with_separability
from sklearn_unlearn.feature._stochastic_plans import _cell_plans
from sklearn_unlearn.utils._memory import working_rows
from sklearn_unlearn.utils._random import _row_uniforms, draw_windows

__all__ = [
    "CellBarycenter",
    "Embedding",
    "_cell_plans",
    "_cell_transport",
    "_fit_cell_barycenter",
    "attributes",
    "fit",
    "cell_count",
    "transport",
]

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
#: Stored training rows per cell (the candidate outputs when ``within_cell > 0``).
MEMBERS_PER_CELL = 32
#: Entropic blur of the cell barycenter, relative to the median squared
#: distance between cells, and Bregman projections per unit of ``max_iter``.
CELL_EPSILON, BREGMAN_PER_ITER = 0.03, 10
#: Most rows per block of the cell assignment (larger ones leave the cache).
STOCHASTIC_BLOCK = 2048


class CellBarycenter(NamedTuple):
    """Cells, the groups' laws on them, the barycenter and the sparse plans.

    The plan row of group ``g`` and cell ``c`` is the block
    ``targets[offsets[g * k + c]:offsets[g * k + c + 1]]`` of target cells with
    running probabilities ``cumulative`` (the block's index ``g * k + c`` plus the
    cumulative share, so that one ``searchsorted`` samples every row at once).
    """

    embedding: Embedding
    centers: np.ndarray  # (k, d + m) float64, in the embedded space
    masses: np.ndarray  # (n_groups, k) each group's law on the cells
    barycenter: np.ndarray  # (k,) barycenter law on the cells
    available: np.ndarray  # (n_groups, k) bool: cells where a group has mass
    targets: np.ndarray  # (nnz,) intp target cells of the plans' nonzeros
    cumulative: np.ndarray  # (nnz,) float64 block index + running share
    offsets: np.ndarray  # (n_groups * k + 1,) intp block bounds
    members: np.ndarray  # (k, m) intp rows of ``points`` in each cell, -1 pads
    representatives: np.ndarray  # (k,) intp row of ``points`` nearest the center
    points: np.ndarray  # (n_points, d) stored training rows, original units
    embedded_points: np.ndarray  # (n_points, d + m) the same rows embedded
    n_iter: int
    converged: bool
    independent: bool = False  # the groups' laws could not be told apart


def _initial_cells(
    X: np.ndarray,
    embedding: Embedding,
    n_cells: int,
    lloyd_rows: int,
    lloyd_steps: int,
    rng: np.random.Generator,
) -> np.ndarray:
    """Centers: ``n_cells`` random rows of a ``lloyd_rows`` sample, Lloyd-refined."""
    n = X.shape[0]
    sample = np.sort(rng.choice(n, min(n, lloyd_rows), replace=False))
    E_sample = _embed(X[sample], embedding)
    initial = E_sample[rng.choice(sample.size, n_cells, replace=False)]
    return _lloyd(E_sample, initial, lloyd_steps)


def _stored_rows(
    centers: np.ndarray, members: np.ndarray, points: np.ndarray, embedding
) -> dict:
    """The stored rows' fields of :class:`CellBarycenter` (``members`` index
    ``points``)."""
    embedded_points = _embed(points, embedding)
    k = centers.shape[0]
    representatives = _nearest_members(centers, np.arange(k), members, embedded_points)
    return dict(
        members=members,
        representatives=representatives,
        points=points,
        embedded_points=embedded_points,
    )


def _fit_cell_barycenter(
    X: np.ndarray,
    codes: np.ndarray,
    n_groups: int,
    weights: np.ndarray,
    embedding: Embedding,
    *,
    n_cells: int,
    min_rows_per_cell: int,
    lloyd_steps: int,
    lloyd_rows: int,
    members_per_cell: int,
    epsilon: float,
    max_iter: int,
    tol: float,
    seed: int,
    chunk_rows: int = 4096,
) -> CellBarycenter:
    """Cells, the groups' laws on them, their barycenter, plans and stored rows.

    Centers start at ``n_cells`` random rows of a sample of ``lloyd_rows`` rows,
    refined by ``lloyd_steps`` Lloyd steps on it; cells no row falls in are
    dropped. ``epsilon`` is relative to the median squared distance between
    centers.
    """
    rng = np.random.default_rng(seed)
    n = X.shape[0]
    centers = _initial_cells(X, embedding, n_cells, lloyd_rows, lloyd_steps, rng)
    cells = np.empty(n, dtype=np.intp)
    for rows in gen_batches(n, chunk_rows):
        cells[rows] = _assign_cells(
            _embed(X[rows], embedding), centers, chunk_rows=chunk_rows
        )
    used = np.bincount(cells, minlength=centers.shape[0]) > 0
    if not used.all():
        centers, cells = centers[used], (np.cumsum(used) - 1)[cells]
    k = centers.shape[0]
    counts = np.zeros((n_groups, k))
    np.add.at(counts, (codes, cells), 1.0)
    plans = _cell_plans(
        centers,
        counts,
        weights,
        min_rows_per_cell=min_rows_per_cell,
        epsilon=epsilon,
        max_iter=max_iter,
        tol=tol,
        rng=rng,
        separable=embedding.separability >= embedding.separability_bound,
    )
    members = _sample_members(cells, k, members_per_cell, rng)
    used_rows = members[members >= 0]
    remap = np.full(n, -1, dtype=np.intp)
    remap[used_rows] = np.arange(used_rows.size)
    members = np.where(members >= 0, remap[np.maximum(members, 0)], -1)
    points = np.array(X[used_rows], dtype=np.float64)
    return CellBarycenter(
        embedding=embedding,
        centers=centers,
        **plans,
        **_stored_rows(centers, members, points, embedding),
    )


def _cell_transport(
    X: np.ndarray,
    codes: np.ndarray,
    uniforms: np.ndarray,
    model: CellBarycenter,
    repair_level: float,
    *,
    within_cell: float = 0.0,
    chunk_rows: int = 1024,
    out: np.ndarray | None = None,
) -> np.ndarray:
    """Repair rows: draw a target cell from the plan, output a stored row.

    ``uniforms`` (n_samples, 2) in [0, 1): column 0 draws the target cell,
    column 1 decides whether the row is repaired at all (``u < repair_level``:
    partial repair is a mixture, a fraction ``repair_level`` of every group's
    rows is transported). Rows with a negative code are returned unchanged. A
    repaired row becomes the representative stored row of its target cell when
    ``within_cell`` is 0, else the stored row of that cell nearest to
    ``center_j + within_cell * (e(x) - center_c)`` in the embedded space. The output
    is written into ``out`` when given (an array shaped like ``X``).
    """
    Z = np.empty_like(X) if out is None else out
    if model.independent:  # one law: the optimal maps are the identity
        Z[...] = X
        return Z
    k = model.centers.shape[0]
    for block in gen_batches(X.shape[0], chunk_rows):
        Z[block] = X[block]
        g = codes[block]
        moved = (g >= 0) & (uniforms[block, 1] < repair_level)
        rows = block.start + np.flatnonzero(moved)
        if rows.size == 0:
            continue
        g = codes[rows]
        E = _embed(X[rows], model.embedding)
        cells = _assign_cells(E, model.centers, allowed=model.available[g])
        block = g * k + cells
        position = np.searchsorted(
            model.cumulative, block + uniforms[rows, 0], side="right"
        )
        # guard the rounding of a uniform next to a block end
        position = np.clip(position, model.offsets[block], model.offsets[block + 1] - 1)
        target = model.targets[position]
        if within_cell == 0.0:
            chosen = model.representatives[target]
        else:
            displaced = model.centers[target] + within_cell * (E - model.centers[cells])
            chosen = _nearest_members(
                displaced, target, model.members, model.embedded_points
            )
        Z[rows] = model.points[chosen]
    return Z


# ------------------------------------------------ the method's registry entries
def cell_count(n_support: int | None, n_samples: int) -> int:
    """Number of cells: ``n_support``, else one per ``ROWS_PER_CELL`` rows."""
    if n_support is not None:
        return min(n_support, n_samples)
    return min(MAX_DEFAULT_CELLS, max(2, n_samples // ROWS_PER_CELL))


def fit(
    X: np.ndarray,
    codes: np.ndarray,
    weights: np.ndarray,
    *,
    y: np.ndarray | None = None,
    n_support: int | None,
    label_weight: float,
    tol: float,
    max_iter: int,
    seed: int,
) -> CellBarycenter:
    """The ``"stochastic"`` fit: the embedding (with ``y``), then the cells.

    ``max_iter`` counts tens of Bregman projections.
    """
    embedding = _cell_embedding(X, y, label_weight, seed)
    embedding = with_separability(embedding, X, codes, seed)
    k = cell_count(n_support, X.shape[0])
    chunk = working_rows(8 * (k + 2 * X.shape[1] + 2), STOCHASTIC_BLOCK)
    with threadpool_limits(limits=1, user_api="blas"):
        return _fit_cell_barycenter(
            X,
            codes,
            weights.size,
            weights,
            embedding,
            n_cells=k,
            min_rows_per_cell=GROUP_ROWS_PER_CELL,
            lloyd_steps=LLOYD_STEPS,
            lloyd_rows=LLOYD_ROWS_PER_CELL * k,
            members_per_cell=MEMBERS_PER_CELL,
            epsilon=CELL_EPSILON,
            max_iter=BREGMAN_PER_ITER * max_iter,
            tol=tol,
            seed=seed,
            chunk_rows=chunk,
        )


def transport(
    X: np.ndarray,
    codes: np.ndarray,
    model: CellBarycenter,
    repair_level: float,
    seed: int,
    *,
    duplicates: str = "spread",
    within_cell: float = 0.0,
) -> np.ndarray:
    """The ``"stochastic"`` transport: hashed draws, then :func:`_cell_transport`."""
    k, width = model.centers.shape
    row_bytes = 8 * (k + 3 * width)
    if within_cell > 0:
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
                seed,
                2,
                spread_duplicates="sequence" if duplicates == "spread" else False,
                hash_codes=False,
                shift=model.embedding.shift,
                scale=model.embedding.scale,
            )
            _cell_transport(
                X_w,
                codes_w,
                uniforms,
                model,
                repair_level,
                within_cell=within_cell,
                chunk_rows=chunk,
                out=Z[window],
            )
    return Z


def attributes(model: CellBarycenter) -> dict:
    """The public fitted attributes of the estimator."""
    return {
        "cell_centers_": model.centers,
        "group_cell_masses_": model.masses,
        "cell_barycenter_": model.barycenter,
        "label_used_": model.embedding.coef.shape[1] > 0,
        "group_separability_": float(model.embedding.separability),
        "groups_indistinguishable_": bool(model.independent),
    }
