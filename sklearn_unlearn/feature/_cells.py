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

import warnings
from typing import NamedTuple

import numpy as np

__all__ = [
    "CellBarycenter",
    "Embedding",
    "_assign_cells",
    "_bregman_barycenter",
    "_cell_transport",
    "_embed",
    "_fit_cell_barycenter",
    "_lloyd",
    "_sample_members",
]


#: Times the entropic blur of the barycenter may be doubled when the plain
#: Bregman loop leaves the floating-point range.
MAX_BLUR_DOUBLINGS = 5
#: Lloyd steps merging cells into the coarse cells of a small group.
COARSE_LLOYD_STEPS = 5


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


def _bregman_loop(masses, K, weights, max_iter, tol):
    n_groups, k = masses.shape
    v = np.ones((n_groups, k))
    b = masses.T @ weights
    for n_iter in range(1, max_iter + 1):
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
        if not np.isfinite(change):
            return None, n_iter, False
        if change < tol:
            return b, n_iter, True
    return b, max_iter, False


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
    ``cost`` must have a zero diagonal (the support is shared). The plain loop
    is two small GEMMs per iteration. When its scalings leave the
    floating-point range (a group's mass far, in units of ``epsilon``, from
    every cell the others use), ``epsilon`` is doubled and the loop restarted,
    up to ``MAX_BLUR_DOUBLINGS`` times (a slightly blurrier barycenter, which
    the exact plans then reach exactly); only then does POT's log-stabilised
    solver take over (measured about 100x slower at 2000 cells).
    """
    for attempt in range(MAX_BLUR_DOUBLINGS + 1):
        with np.errstate(
            over="ignore", invalid="ignore", divide="ignore", under="ignore"
        ):
            K = np.exp(-cost / (epsilon * 2.0**attempt))
            b, n_iter, converged = _bregman_loop(masses, K, weights, max_iter, tol)
        if b is not None:
            return b, n_iter, converged
    import ot

    with warnings.catch_warnings():
        # POT warns when it stops at numItermax; convergence is reported instead
        warnings.simplefilter("ignore")
        b, log = ot.bregman.barycenter(
            masses.T,
            cost,
            epsilon,
            weights,
            method="sinkhorn_stabilized",
            numItermax=max_iter,
            stopThr=tol,
            log=True,
        )
    n_iter = int(log.get("niter", max_iter))
    b = np.maximum(np.asarray(b, dtype=np.float64), 0.0)
    return b / b.sum(), n_iter, n_iter < max_iter


def _plan_blocks(
    conditionals: list[np.ndarray],
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Each group's rows of target probabilities, as CSR blocks.

    ``conditionals[g][c]`` is the law of the target cell of a row of group
    ``g`` in cell ``c`` (a row summing to one, or zeros where the group has no
    mass).
    """
    n_groups = len(conditionals)
    k = conditionals[0].shape[0]
    targets, cumulative, counts = [], [], []
    for g, conditional in enumerate(conditionals):
        rows, cols = np.nonzero(conditional > 0)
        share = conditional[rows, cols]
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


def _coarse_cells(
    centers: np.ndarray, pooled: np.ndarray, n_coarse: int, rng: np.random.Generator
) -> np.ndarray:
    """Merge the ``k`` cells into ``n_coarse`` groups of nearby cells.

    A few weighted Lloyd steps on the centers (weights ``pooled``, the cells'
    share of all rows), started at centers drawn with those weights. Returns
    the coarse cell of each cell.
    """
    k = centers.shape[0]
    if n_coarse >= k:
        return np.arange(k)
    start = rng.choice(k, n_coarse, replace=False, p=pooled)
    coarse = centers[start]
    for _ in range(COARSE_LLOYD_STEPS):
        labels = _assign_cells(centers, coarse)
        mass = np.bincount(labels, weights=pooled, minlength=n_coarse)
        filled = mass > 0
        sums = np.zeros_like(coarse)
        np.add.at(sums, labels, pooled[:, None] * centers)
        coarse[filled] = sums[filled] / mass[filled, None]
    labels = _assign_cells(centers, coarse)
    return np.unique(labels, return_inverse=True)[1]


def _group_conditionals(
    counts: np.ndarray,
    centers: np.ndarray,
    barycenter: np.ndarray,
    cost: np.ndarray,
    min_rows_per_cell: int,
    emd,
    rng: np.random.Generator,
) -> tuple[list[np.ndarray], np.ndarray]:
    """Target laws of each group's rows, cell by cell, from exact plans.

    A group with fewer than ``min_rows_per_cell`` rows per cell has its law
    estimated on coarser cells (groups of nearby cells, at least that many of
    its rows each on average): its rows in one coarse cell share one plan row.
    This keeps the law a small group's new rows follow close to the one its
    training rows followed, at the price of less detail for that group.
    Returns the conditionals and the cells where each group may be sent from.
    """
    n_groups, k = counts.shape
    pooled = counts.sum(axis=0) / counts.sum()
    conditionals, available = [], np.zeros((n_groups, k), dtype=bool)
    for g in range(n_groups):
        n_coarse = max(1, min(k, int(counts[g].sum()) // min_rows_per_cell))
        labels = _coarse_cells(centers, pooled, n_coarse, rng)
        m = labels.max() + 1
        coarse_counts = np.bincount(labels, weights=counts[g], minlength=m)
        mass = coarse_counts / coarse_counts.sum()
        # cost from a coarse cell: the group's mean squared cost over its cells
        weight = np.zeros((m, k))
        weight[labels, np.arange(k)] = counts[g] + 1e-12 * pooled
        weight /= weight.sum(axis=1, keepdims=True)
        plan = emd(mass, barycenter, weight @ cost)
        conditional = np.zeros((k, k))
        has_mass = mass > 0
        rows = plan[has_mass] / mass[has_mass, None]
        coarse_rows = np.zeros((m, k))
        coarse_rows[has_mass] = rows
        conditional[:] = coarse_rows[labels]
        conditionals.append(conditional)
        available[g] = has_mass[labels]
    return conditionals, available


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
