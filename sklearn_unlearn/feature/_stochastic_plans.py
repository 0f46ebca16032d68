"""The ``"stochastic"`` method's plans: the barycenter on the cells and the
exact transport plans of each group to it, stored for sampling (kernels).

Arrays in, arrays out; no validation and no scikit-learn objects. Used by
:mod:`sklearn_unlearn.feature._stochastic` (the fit and the transport).
"""

import warnings

import numpy as np

from sklearn_unlearn.feature._stochastic_cells import _lloyd, _median_cost
from sklearn_unlearn.feature._stochastic_independence import _cells_homogeneous

__all__ = [
    "COARSE_LLOYD_STEPS",
    "MAX_BLUR_DOUBLINGS",
    "_bregman_barycenter",
    "_cell_plans",
    "_group_conditionals",
    "_plan_blocks",
]

#: Times the entropic blur of the barycenter may be doubled when the plain
#: Bregman loop leaves the floating-point range.
MAX_BLUR_DOUBLINGS = 5
#: Lloyd steps merging cells into the coarse cells of a small group.
COARSE_LLOYD_STEPS = 5


def _nearest(points: np.ndarray, centers: np.ndarray) -> np.ndarray:
    """Index of the nearest center of each point (squared Euclidean)."""
    scores = points @ (-2.0 * centers.T) + np.einsum("ij,ij->i", centers, centers)
    return np.argmin(scores, axis=1)


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

    The loop is kept rather than ``ot.bregman.barycenter(method="sinkhorn")``,
    which iterates the same projections: measured on one thread to the same
    L1 accuracy (1e-3 of a tightly converged barycenter; 3 groups, 1,000
    cells, ``epsilon`` 0.03), this loop took 0.34 s and POT's 0.96 s (POT
    tests convergence every 10 iterations, on the spread of the groups'
    ``K^T u_s``, which needs more iterations); POT's loop goes on when its
    scalings overflow, where this one stops at the first non-finite step to
    restart blurrier; and ``tol`` keeps its documented meaning (the L1
    change of the barycenter). The log-domain ``method="sinkhorn_log"`` took
    100 s on the same problem (0.15 s here at ``tol`` 1e-4). The unblurred
    barycenter by linear programming (``ot.lp.barycenter``) grows as the
    square of the cells: 1.2 s at 200 cells, 4 ms here.
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
    share of all rows; scikit-learn's ``KMeans``), started at centers drawn with
    those weights. Returns the coarse cell of each cell.
    """
    k = centers.shape[0]
    if n_coarse >= k:
        return np.arange(k)
    start = rng.choice(k, n_coarse, replace=False, p=pooled)
    coarse = _lloyd(centers, centers[start], COARSE_LLOYD_STEPS, sample_weight=pooled)
    labels = _nearest(centers, coarse)
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


def _cell_plans(
    centers: np.ndarray,
    counts: np.ndarray,
    weights: np.ndarray,
    *,
    min_rows_per_cell: int,
    epsilon: float,
    max_iter: int,
    tol: float,
    rng: np.random.Generator,
    separable: bool = True,
) -> dict:
    """The groups' laws on the cells (from ``counts``), barycenter and plans.

    The model is ``independent`` when the groups were not ``separable`` and
    their counts over the cells are homogeneous. Returns the matching fields of
    :class:`~sklearn_unlearn.feature._stochastic.CellBarycenter` as a dict.
    """
    import ot  # POT is only needed when this method is fitted

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
    return dict(
        independent=not separable and _cells_homogeneous(counts),
        masses=masses,
        barycenter=barycenter,
        available=available,
        targets=targets,
        cumulative=cumulative,
        offsets=offsets,
        n_iter=n_iter,
        converged=converged,
    )
