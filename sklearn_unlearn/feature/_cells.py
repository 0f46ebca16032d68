"""Pure kernels of the cell (stochastic) barycenter repair for mixed-type data.

Arrays in, arrays or NamedTuples out; no validation and no scikit-learn objects.

The feature space is cut into ``k`` cells shared by all groups (the Voronoi cells
of ``k`` centers). Each group's law becomes a distribution on the cells, their
Wasserstein-2 barycenter on the same cells is computed by entropic Bregman
projections, and exact optimal plans from each group's cell law to the
barycenter are computed with :func:`ot.emd`. A row of group ``s`` in cell ``c``
is sent to cell ``j`` with probability ``plan_s[c, j] / mass_s[c]``, so each
group's image law is the barycenter exactly (on the rows the plans were fitted
on). Inside cell ``j`` the row becomes the stored training row of cell ``j``
nearest to its displaced position ``x - center_c + center_j``: outputs are real
data rows, so one-hot blocks stay one-hot and integer columns stay integer, and
no group keeps a set of values of its own.
"""

from typing import NamedTuple

import numpy as np

__all__ = [
    "CellBarycenter",
    "_assign_cells",
    "_bregman_barycenter",
    "_cell_transport",
    "_fit_cell_barycenter",
    "_lloyd",
    "_sample_members",
]


class CellBarycenter(NamedTuple):
    """Cells, the groups' laws on them, the barycenter and the sparse plans.

    The plan row of group ``g`` and cell ``c`` is the block
    ``targets[offsets[g * k + c]:offsets[g * k + c + 1]]`` of target cells with
    running probabilities ``cumulative`` (the block's index ``g * k + c`` plus the
    cumulative share, so that one ``searchsorted`` samples every row at once).
    """

    centers: np.ndarray  # (k, d) float64
    masses: np.ndarray  # (n_groups, k) each group's law on the cells
    barycenter: np.ndarray  # (k,) barycenter law on the cells
    available: np.ndarray  # (n_groups, k) bool: cells where a group has mass
    targets: np.ndarray  # (nnz,) intp target cells of the plans' nonzeros
    cumulative: np.ndarray  # (nnz,) float64 block index + running share
    offsets: np.ndarray  # (n_groups * k + 1,) intp block bounds
    members: np.ndarray  # (k, m) intp rows of ``points`` in each cell, -1 pads
    points: np.ndarray  # (n_points, d) stored training rows (the outputs)
    n_iter: int
    converged: bool


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


def _bregman_barycenter(
    masses: np.ndarray,
    cost: np.ndarray,
    weights: np.ndarray,
    epsilon: float,
    max_iter: int,
    tol: float,
) -> tuple[np.ndarray, int, bool]:
    """Entropic W2 barycenter of distributions on one fixed support.

    Iterative Bregman projections: with ``K = exp(-cost / epsilon)``, repeat
    ``u_s = a_s / (K v_s)``, ``b = prod_s (K^T u_s) ** w_s`` and
    ``v_s = b / (K^T u_s)`` until ``b`` changes by less than ``tol`` (L1).
    ``cost`` must have a zero diagonal (the support is shared), which keeps
    ``K v_s`` positive wherever ``a_s`` is.
    """
    K = np.exp(-cost / epsilon)
    n_groups, k = masses.shape
    v = np.ones((n_groups, k))
    b = masses.T @ weights
    converged = False
    n_iter = 0
    while n_iter < max_iter:
        n_iter += 1
        Kv = v @ K.T  # (n_groups, k): row s is K v_s
        u = np.divide(masses, Kv, out=np.zeros_like(masses), where=Kv > 0)
        Ktu = u @ K  # row s is K^T u_s
        with np.errstate(divide="ignore"):
            log_b = weights @ np.log(Ktu)
        new_b = np.exp(log_b - log_b.max())
        new_b /= new_b.sum()
        v = np.divide(new_b, Ktu, out=np.zeros_like(Ktu), where=Ktu > 0)
        change = np.abs(new_b - b).sum()
        b = new_b
        if change < tol:
            converged = True
            break
    return b, n_iter, converged


def _plan_blocks(
    masses: np.ndarray, barycenter: np.ndarray, cost: np.ndarray, emd
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Exact plans from each group's cell law to the barycenter, as CSR blocks."""
    n_groups, k = masses.shape
    targets, cumulative, counts = [], [], []
    for g in range(n_groups):
        plan = emd(masses[g], barycenter, cost)
        rows, cols = np.nonzero(plan > 0)
        share = plan[rows, cols] / masses[g][rows]
        # running share inside each row block, the block ending exactly at 1
        running = np.cumsum(share)
        row_counts = np.bincount(rows, minlength=k)
        filled = row_counts[row_counts > 0]
        ends = np.cumsum(filled)
        starts = ends - filled
        within = running - np.repeat(running[starts] - share[starts], filled)
        within[ends - 1] = 1.0
        targets.append(cols)
        cumulative.append(rows + g * k + within)
        counts.append(row_counts)
    offsets = np.zeros(n_groups * k + 1, dtype=np.intp)
    np.cumsum(np.concatenate(counts), out=offsets[1:])
    return np.concatenate(targets), np.concatenate(cumulative), offsets


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


def _fit_cell_barycenter(
    X: np.ndarray,
    codes: np.ndarray,
    n_groups: int,
    weights: np.ndarray,
    centers: np.ndarray,
    *,
    members_per_cell: int,
    epsilon: float,
    max_iter: int,
    tol: float,
    seed: int,
    chunk_rows: int = 4096,
) -> CellBarycenter:
    """Cell laws of the groups, their barycenter, the plans and the stored rows.

    ``epsilon`` is relative to the median squared distance between centers.
    Cells that no row falls in are dropped.
    """
    import ot  # POT is only needed when this method is fitted

    cells = _assign_cells(X, centers, chunk_rows=chunk_rows)
    used = np.bincount(cells, minlength=centers.shape[0]) > 0
    if not used.all():
        renumber = np.cumsum(used) - 1
        centers, cells = centers[used], renumber[cells]
    k = centers.shape[0]
    counts = np.zeros((n_groups, k))
    np.add.at(counts, (codes, cells), 1.0)
    masses = counts / counts.sum(axis=1, keepdims=True)
    centers_sq = np.einsum("ij,ij->i", centers, centers)
    cost = np.maximum(
        centers_sq[:, None] + centers_sq[None, :] - 2.0 * centers @ centers.T, 0.0
    )
    np.fill_diagonal(cost, 0.0)
    scale = float(np.median(cost[cost > 0])) if np.any(cost > 0) else 1.0
    barycenter, n_iter, converged = _bregman_barycenter(
        masses, cost / scale, weights, epsilon, max_iter, tol
    )
    targets, cumulative, offsets = _plan_blocks(
        masses, barycenter, cost / scale, ot.emd
    )
    rng = np.random.default_rng(seed)
    members = _sample_members(cells, k, members_per_cell, rng)
    used_rows = members[members >= 0]
    remap = np.full(X.shape[0], -1, dtype=np.intp)
    remap[used_rows] = np.arange(used_rows.size)
    points = np.array(X[used_rows], dtype=np.float64)
    members = np.where(members >= 0, remap[np.maximum(members, 0)], -1)
    return CellBarycenter(
        centers=np.array(centers, dtype=np.float64),
        masses=masses,
        barycenter=barycenter,
        available=counts > 0,
        targets=targets,
        cumulative=cumulative,
        offsets=offsets,
        members=members,
        points=points,
        n_iter=n_iter,
        converged=converged,
    )


def _nearest_members(
    displaced: np.ndarray, target_cells: np.ndarray, model: CellBarycenter
) -> np.ndarray:
    """Row of ``model.points`` nearest to each displaced point, in its cell."""
    candidates = model.members[target_cells]  # (n, m)
    points = model.points[np.maximum(candidates, 0)]  # (n, m, d)
    diff = points - displaced[:, None, :]
    dist = np.einsum("nmd,nmd->nm", diff, diff)
    dist[candidates < 0] = np.inf
    return candidates[np.arange(candidates.shape[0]), np.argmin(dist, axis=1)]


def _cell_transport(
    X: np.ndarray,
    codes: np.ndarray,
    uniforms: np.ndarray,
    model: CellBarycenter,
    repair_level: float,
    *,
    residual: float = 1.0,
    chunk_rows: int = 1024,
    out: np.ndarray | None = None,
) -> np.ndarray:
    """Repair rows: sample a target cell from the plan, output a stored row.

    ``uniforms`` (n_samples,) in [0, 1) drive the sampling (one per row); rows
    with a negative code are returned unchanged. The output is
    ``(1 - t) x + t z`` with ``z`` the stored row, ``t = repair_level``,
    written into ``out`` when given (an array shaped like ``X``).
    """
    Z = np.empty_like(X) if out is None else out
    unseen = codes < 0
    if unseen.any():
        Z[unseen] = X[unseen]
    k = model.centers.shape[0]
    for start in range(0, X.shape[0], chunk_rows):
        stop = min(start + chunk_rows, X.shape[0])
        rows = start + np.flatnonzero(codes[start:stop] >= 0)
        if rows.size == 0:
            continue
        x = np.asarray(X[rows], dtype=np.float64)
        g = codes[rows]
        cells = _assign_cells(x, model.centers, allowed=model.available[g])
        block = g * k + cells
        position = np.searchsorted(
            model.cumulative, block + uniforms[rows], side="right"
        )
        # guard the rounding of a uniform next to a block end
        position = np.clip(position, model.offsets[block], model.offsets[block + 1] - 1)
        target = model.targets[position]
        displaced = model.centers[target] + residual * (x - model.centers[cells])
        chosen = model.points[_nearest_members(displaced, target, model)]
        # (1 - t) x + t z, not x + t (z - x): at t = 1 the output must be z to
        # the last bit, or rounding residues of x would tell its group apart
        Z[rows] = (1.0 - repair_level) * x + repair_level * chosen
    return Z
