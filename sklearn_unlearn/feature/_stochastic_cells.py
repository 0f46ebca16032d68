"""The cells of the ``"stochastic"`` method: their space, centers and rows.

Arrays in, arrays or NamedTuples out; no validation, and no scikit-learn
objects in or out. Rows are embedded (standardised columns, then a weighted
label score), cut into the Voronoi cells of ``k`` centers refined by Lloyd
steps, and each cell keeps a few of its training rows as the candidate outputs.

The Lloyd steps are scikit-learn's :class:`~sklearn.cluster.KMeans` started at
the given centers (as fast as the former hand-written steps: 0.96 s against
1.08 s for 3 steps of 1,000 centers on 50,000 rows of 51 float32 columns, one
thread; it also moves an empty cell to the farthest row instead of leaving it
unused); row blocks are :func:`~sklearn.utils.gen_batches`. Two things stay
written here, measured with one thread:

* :func:`_assign_cells` rather than
  :func:`~sklearn.metrics.pairwise_distances_argmin`: it restricts rows to
  allowed cells (which the latter cannot), and its float32 GEMM is 2.5 times
  faster (0.36 s against 0.90 s for 200,000 rows and 1,000 centers; the latter
  upcasts float32 blocks to float64) with the same nearest center;
* random initial centers rather than k-means++
  (:func:`~sklearn.cluster.kmeans_plusplus`): its seeding took 16 s on those
  50,000 rows, 15 times the Lloyd steps, for the cells of one fit.
"""

import warnings
from typing import NamedTuple

import numpy as np
from sklearn.utils import gen_batches

__all__ = [
    "Embedding",
    "_assign_cells",
    "_embed",
    "_lloyd",
    "_median_cost",
    "_nearest_members",
    "_sample_members",
]


class Embedding(NamedTuple):
    """The space cells live in: ``[(x - shift) / scale, label score]``.

    The label score is ``((x - shift) / scale) @ coef + intercept``, already
    weighted; ``coef`` has shape ``(n_features, 0)`` when no label was given.
    ``separability`` is how well a naive-Bayes adversary told the groups apart
    on the rows the embedding was fitted on (a cross-fitted ROC AUC) and
    ``separability_bound`` the most it reaches when they cannot be told apart
    (:mod:`~sklearn_unlearn.feature._stochastic_independence`); the defaults
    mean "not measured: separable".
    """

    shift: np.ndarray  # (d,)
    scale: np.ndarray  # (d,) positive
    coef: np.ndarray  # (d, m) weighted label-score coefficients
    intercept: np.ndarray  # (m,)
    separability: float = 1.0
    separability_bound: float = 0.5


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
    for rows in gen_batches(X.shape[0], chunk_rows):
        # ||x||^2 is constant per row, so it does not change the argmin
        scores = X[rows] @ (-2.0 * centers.T).astype(X.dtype, copy=False)
        scores += centers_sq
        if allowed is not None:
            scores[~allowed[rows]] = np.inf
        cells[rows] = np.argmin(scores, axis=1)
    return cells


def _lloyd(
    X: np.ndarray,
    centers: np.ndarray,
    n_iter: int,
    *,
    sample_weight: np.ndarray | None = None,
) -> np.ndarray:
    """``n_iter`` Lloyd (k-means) steps from ``centers``, as float64 centers.

    scikit-learn's :class:`~sklearn.cluster.KMeans` (``algorithm="lloyd"``, one
    start at ``centers``, ``tol=0``: it stops earlier only when no row changes
    cell), weighted by ``sample_weight`` when given; it runs in the dtype of
    ``X``. A cell left empty by a step is moved to the row farthest from its
    center. Its OpenMP threads are limited to one: their partial sums are added
    in no fixed order, which would make the centers, hence the cells, vary from
    run to run.
    """
    from sklearn.cluster import KMeans
    from sklearn.exceptions import ConvergenceWarning
    from threadpoolctl import threadpool_limits

    centers = np.asarray(centers, dtype=np.float64)
    if n_iter < 1:
        return centers.copy()
    model = KMeans(
        centers.shape[0],
        init=centers.astype(X.dtype, copy=False),
        n_init=1,
        max_iter=n_iter,
        tol=0.0,
        algorithm="lloyd",
    )
    with threadpool_limits(limits=1, user_api="openmp"), warnings.catch_warnings():
        # fewer distinct rows than centers (repeated table rows): such centers
        # coincide, and the cells no row falls in are dropped by the caller
        warnings.simplefilter("ignore", ConvergenceWarning)
        model.fit(X, sample_weight=sample_weight)
    return np.asarray(model.cluster_centers_, dtype=np.float64)


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
