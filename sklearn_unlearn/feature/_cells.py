"""Pure kernels of the cell barycenter repair (``method="stochastic"``).

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
"""

from typing import NamedTuple

import numpy as np

from sklearn_unlearn.feature._cell_plans import (
    _bregman_barycenter,
    _group_conditionals,
    _plan_blocks,
)

__all__ = [
    "CellBarycenter",
    "Embedding",
    "_assign_cells",
    "_cell_transport",
    "_embed",
    "_fit_cell_barycenter",
    "_lloyd",
    "_sample_members",
]


class Embedding(NamedTuple):
    """The space cells live in: ``[(x - shift) / scale, label score]``.

    The label score is ``((x - shift) / scale) @ coef + intercept``, already
    weighted; ``coef`` has shape ``(n_features, 0)`` when no label was given.
    """

    shift: np.ndarray  # (d,)
    scale: np.ndarray  # (d,) positive
    coef: np.ndarray  # (d, m) weighted label-score coefficients
    intercept: np.ndarray  # (m,)


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


def _embed(X: np.ndarray, embedding: Embedding) -> np.ndarray:
    """Standardised columns of ``X`` followed by the weighted label score.

    Float32: the embedding only decides which cell a row falls in, where single
    precision is ample (a tie between two centers is broken either way, the
    same way at fit and transform), and the ``n x k`` distance GEMM that
    dominates the cost runs twice as fast.
    """
    Xs = (np.asarray(X, dtype=np.float64) - embedding.shift) / embedding.scale
    E = np.empty((Xs.shape[0], Xs.shape[1] + embedding.coef.shape[1]), np.float32)
    E[:, : Xs.shape[1]] = Xs
    if embedding.coef.shape[1]:
        E[:, Xs.shape[1] :] = Xs @ embedding.coef + embedding.intercept
    return E


def _assign_cells(
    X: np.ndarray,
    centers: np.ndarray,
    *,
    allowed: np.ndarray | None = None,
    chunk_rows: int = 4096,
) -> np.ndarray:
    """Index of the nearest center of each row (squared Euclidean distance).

    ``allowed`` (n_samples, k) bool, when given, restricts each row to some cells
    (a row of a group is only sent to cells where its group has mass).
    """
    centers_sq = np.einsum("ij,ij->i", centers, centers)
    cells = np.empty(X.shape[0], dtype=np.intp)
    for start in range(0, X.shape[0], chunk_rows):
        stop = min(start + chunk_rows, X.shape[0])
        # ||x||^2 is constant per row, so it does not change the argmin
        scores = X[start:stop] @ (-2.0 * centers.T).astype(X.dtype, copy=False)
        scores += centers_sq
        if allowed is not None:
            scores[~allowed[start:stop]] = np.inf
        cells[start:stop] = np.argmin(scores, axis=1)
    return cells


def _lloyd(
    X: np.ndarray, centers: np.ndarray, n_iter: int, *, chunk_rows: int = 4096
) -> np.ndarray:
    """``n_iter`` Lloyd (k-means) steps from ``centers``; empty cells stay put."""
    centers = np.array(centers, dtype=np.float64)
    k = centers.shape[0]
    for _ in range(n_iter):
        cells = _assign_cells(X, centers, chunk_rows=chunk_rows)
        order = np.argsort(cells, kind="stable")
        counts = np.bincount(cells, minlength=k)
        filled = counts > 0
        starts = (np.cumsum(counts) - counts)[filled]
        sums = np.add.reduceat(np.asarray(X[order], dtype=np.float64), starts, axis=0)
        centers[filled] = sums / counts[filled, None]
    return centers


def _sample_members(
    cells: np.ndarray, k: int, per_cell: int, rng: np.random.Generator
) -> np.ndarray:
    """Up to ``per_cell`` random row indices of each cell, as a (k, m) table.

    Rows are shuffled, stably sorted by cell, and the first ``per_cell`` of each
    cell kept; missing entries are -1.
    """
    order = rng.permutation(cells.size)
    order = order[np.argsort(cells[order], kind="stable")]
    sorted_cells = cells[order]
    counts = np.bincount(cells, minlength=k)
    starts = np.cumsum(counts) - counts
    rank = np.arange(cells.size) - starts[sorted_cells]
    keep = rank < per_cell
    members = np.full((k, per_cell), -1, dtype=np.intp)
    members[sorted_cells[keep], rank[keep]] = order[keep]
    return members


def _nearest_members(
    displaced: np.ndarray,
    target_cells: np.ndarray,
    members: np.ndarray,
    embedded_points: np.ndarray,
) -> np.ndarray:
    """Stored row nearest to each displaced point, among its target cell's rows."""
    candidates = members[target_cells]  # (n, m)
    points = embedded_points[np.maximum(candidates, 0)]  # (n, m, d)
    diff = points - displaced[:, None, :]
    dist = np.einsum("nmd,nmd->nm", diff, diff)
    dist[candidates < 0] = np.inf
    return candidates[np.arange(candidates.shape[0]), np.argmin(dist, axis=1)]


def _median_cost(centers: np.ndarray) -> np.ndarray:
    centers_sq = np.einsum("ij,ij->i", centers, centers)
    cost = np.maximum(
        centers_sq[:, None] + centers_sq[None, :] - 2.0 * centers @ centers.T, 0.0
    )
    np.fill_diagonal(cost, 0.0)
    positive = cost[cost > 0]
    return cost / (float(np.median(positive)) if positive.size else 1.0)


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
    import ot  # POT is only needed when this method is fitted

    rng = np.random.default_rng(seed)
    n = X.shape[0]
    sample = np.sort(rng.choice(n, min(n, lloyd_rows), replace=False))
    E_sample = _embed(X[sample], embedding)
    initial = E_sample[rng.choice(sample.size, n_cells, replace=False)]
    centers = _lloyd(E_sample, initial, lloyd_steps, chunk_rows=chunk_rows)
    cells = np.empty(n, dtype=np.intp)
    for start in range(0, n, chunk_rows):
        stop = min(start + chunk_rows, n)
        cells[start:stop] = _assign_cells(
            _embed(X[start:stop], embedding), centers, chunk_rows=chunk_rows
        )
    used = np.bincount(cells, minlength=centers.shape[0]) > 0
    if not used.all():
        centers, cells = centers[used], (np.cumsum(used) - 1)[cells]
    k = centers.shape[0]
    counts = np.zeros((n_groups, k))
    np.add.at(counts, (codes, cells), 1.0)
    masses = counts / counts.sum(axis=1, keepdims=True)
    cost = _median_cost(centers)
    barycenter, n_iter, converged = _bregman_barycenter(
        masses, cost, weights, epsilon, max_iter, tol
    )
    emd = lambda a, b, M: ot.emd(a, b, M, numItermax=10_000_000)  # noqa: E731
    conditionals, available = _group_conditionals(
        counts, centers, barycenter, cost, min_rows_per_cell, emd, rng
    )
    targets, cumulative, offsets = _plan_blocks(conditionals)
    members = _sample_members(cells, k, members_per_cell, rng)
    used_rows = members[members >= 0]
    remap = np.full(n, -1, dtype=np.intp)
    remap[used_rows] = np.arange(used_rows.size)
    members = np.where(members >= 0, remap[np.maximum(members, 0)], -1)
    points = np.array(X[used_rows], dtype=np.float64)
    embedded_points = _embed(points, embedding)
    representatives = _nearest_members(centers, np.arange(k), members, embedded_points)
    return CellBarycenter(
        embedding=embedding,
        centers=centers,
        masses=masses,
        barycenter=barycenter,
        available=available,
        targets=targets,
        cumulative=cumulative,
        offsets=offsets,
        members=members,
        representatives=representatives,
        points=points,
        embedded_points=embedded_points,
        n_iter=n_iter,
        converged=converged,
    )


def _cell_transport(
    X: np.ndarray,
    codes: np.ndarray,
    uniforms: np.ndarray,
    model: CellBarycenter,
    repair_level: float,
    *,
    detail: float = 0.0,
    chunk_rows: int = 1024,
    out: np.ndarray | None = None,
) -> np.ndarray:
    """Repair rows: draw a target cell from the plan, output a stored row.

    ``uniforms`` (n_samples, 2) in [0, 1): column 0 draws the target cell,
    column 1 decides whether the row is repaired at all (``u < repair_level``:
    partial repair is a mixture, a fraction ``repair_level`` of every group's
    rows is transported). Rows with a negative code are returned unchanged. A
    repaired row becomes the representative stored row of its target cell when
    ``detail`` is 0, else the stored row of that cell nearest to
    ``center_j + detail * (e(x) - center_c)`` in the embedded space. The output
    is written into ``out`` when given (an array shaped like ``X``).
    """
    Z = np.empty_like(X) if out is None else out
    k = model.centers.shape[0]
    for start in range(0, X.shape[0], chunk_rows):
        stop = min(start + chunk_rows, X.shape[0])
        Z[start:stop] = X[start:stop]
        g = codes[start:stop]
        moved = (g >= 0) & (uniforms[start:stop, 1] < repair_level)
        rows = start + np.flatnonzero(moved)
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
        if detail == 0.0:
            chosen = model.representatives[target]
        else:
            displaced = model.centers[target] + detail * (E - model.centers[cells])
            chosen = _nearest_members(
                displaced, target, model.members, model.embedded_points
            )
        Z[rows] = model.points[chosen]
    return Z
