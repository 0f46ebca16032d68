"""Exact plans of the empirical method's fixed point (pure kernels).

Arrays in, arrays or NamedTuples out; no validation and no scikit-learn objects.
One step of the Cuturi-Doucet fixed point solves, for every group, the exact
optimal plan between its anchors and the barycenter support with
:func:`ot.emd`; the final plans also give each anchor its images (one
barycentric projection, or the support points a duplicated anchor's mass is
split over). POT is imported on first use.
"""

import inspect
from functools import cache

import numpy as np
from joblib import delayed

__all__ = [
    "_all_steps",
    "_collapse_duplicates",
    "_emd_max_iter",
    "_group_step",
    "_split_images",
]

# Smallest share of a duplicated anchor's mass kept as one of its images.
_MIN_SHARE = 1e-12


@cache
def _emd_warm_start() -> bool:
    """``ot.emd`` accepts dual potentials to warm-start the network simplex.

    From POT 0.9.7 on; across fixed-point iterations this makes each plan
    several times faster.
    """
    import ot

    return "potentials_init" in inspect.signature(ot.emd).parameters


def _emd_max_iter(n_rows: int, n_cols: int) -> int:
    """Pivot budget for the network simplex on an ``n_rows x n_cols`` problem.

    Measured on Gaussian and heavy-tailed clouds (d = 1 to 100), optimality takes
    about ``0.02-0.04 * n_rows * n_cols`` pivots (2.6e5 at 3000 x 3000, more than
    POT's default of 1e5), so ``10 * n_rows * n_cols`` leaves a wide margin.
    """
    return max(100_000, 10 * n_rows * n_cols)


def _sq_distances(
    points: np.ndarray, centers: np.ndarray, centers_sq: np.ndarray
) -> np.ndarray:
    """Squared Euclidean distances by one GEMM, clipped at 0 (float64, C order)."""
    cost = points @ (-2.0 * centers.T)
    cost += np.einsum("ij,ij->i", points, points)[:, None]
    cost += centers_sq[None, :]
    return np.maximum(cost, 0.0, out=cost)


def _group_step(
    anchors: np.ndarray,
    masses: np.ndarray,
    support: np.ndarray,
    support_sq: np.ndarray,
    scale: float,
    potentials: tuple[np.ndarray, np.ndarray] | None,
    project_onto: np.ndarray | None,
    split_rows: np.ndarray | None = None,
) -> tuple:
    """Exact plan ``P`` between a group (anchor masses ``masses``) and the support.

    The support has uniform mass. Returns ``scale * P.T @ anchors`` (the group's
    term of the support update) or, given ``project_onto`` (the support, possibly
    translated), the barycentric projection of the anchors onto these points;
    then the dual potentials (to warm-start the next call), whether the solver
    reached optimality within its pivot budget and the rows ``split_rows`` of the
    row-normalised plan (None when not asked for). Only one plan per thread is in
    memory.
    """
    import ot

    m, k = anchors.shape[0], support.shape[0]
    cost = _sq_distances(anchors, support, support_sq)
    kwargs = {}
    if _emd_warm_start() and potentials is not None:
        kwargs["potentials_init"] = potentials
    plan, log = ot.emd(
        masses,
        np.full(k, 1.0 / k),
        cost,
        numItermax=_emd_max_iter(m, k),
        log=True,
        **kwargs,
    )
    del cost
    rows = None
    if project_onto is not None:
        # Normalise rows first: a row with one nonzero entry gets weight exactly
        # 1.0, so permutation plans give images that are exactly support points.
        plan /= plan.sum(axis=1, keepdims=True)
        out = plan @ project_onto
        if split_rows is not None:
            rows = plan[split_rows]
    else:
        out = plan.T @ (scale * anchors)
    return out, (log["u"], log["v"]), log["warning"] is None, rows


def _all_steps(
    parallel,
    anchors,
    masses,
    support,
    scales,
    potentials,
    project_onto=None,
    split_rows=None,
):
    """:func:`_group_step` for every group; the groups are independent."""
    support_sq = np.einsum("ij,ij->i", support, support)
    if split_rows is None:
        split_rows = [None] * len(anchors)
    tasks = [
        (A, a, support, support_sq, c, pot, project_onto, rows)
        for A, a, c, pot, rows in zip(
            anchors, masses, scales, potentials, split_rows, strict=True
        )
    ]
    if parallel is None:
        results = [_group_step(*task) for task in tasks]
    else:
        results = parallel(delayed(_group_step)(*task) for task in tasks)
    outs, new_potentials, optimal, rows = zip(*results, strict=True)
    return list(outs), list(new_potentials), all(optimal), list(rows)


def _collapse_duplicates(A: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Distinct rows of ``A`` in order of first occurrence, and their counts.

    Rows are compared as numbers (``-0.0 == 0.0``). Without duplicates this
    returns ``A`` itself (not a copy) and ones.
    """
    m = A.shape[0]
    order = np.lexsort(A.T[::-1])  # stable: copies stay in row order
    ordered = A[order]
    new_run = np.ones(m, dtype=bool)
    new_run[1:] = np.any(ordered[1:] != ordered[:-1], axis=1)
    if new_run.all():
        return A, np.ones(m, dtype=np.intp)
    starts = np.flatnonzero(new_run)
    counts = np.diff(np.append(starts, m))
    first = order[starts]  # index of each run's first copy in ``A``
    by_first = np.argsort(first)
    return A[first[by_first]], counts[by_first].astype(np.intp)


def _split_images(
    projections: np.ndarray,
    counts: np.ndarray,
    split_plan: np.ndarray,
    support: np.ndarray,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Image blocks of one group: projections for single anchors, else the split.

    ``split_plan`` holds the row-normalised plan rows of the anchors with more
    than one copy, in order. Returns ``images``, ``image_offsets`` and
    ``image_weights`` as described in
    :class:`~sklearn_unlearn.feature._empirical.EmpiricalBarycenter`.
    """
    split = counts > 1
    sizes = np.ones(counts.shape[0], dtype=np.intp)
    # Shares of at most 1e-12 are round-off of the network simplex (true ones are
    # multiples of 1 / (m_s * k) over the anchor's mass); row-major nonzero groups
    # the entries by anchor.
    owner, target = np.nonzero(split_plan > _MIN_SHARE)
    sizes[split] = np.bincount(owner, minlength=split_plan.shape[0])
    offsets = np.zeros(counts.shape[0] + 1, dtype=np.intp)
    np.cumsum(sizes, out=offsets[1:])
    images = np.empty((offsets[-1], support.shape[1]), dtype=np.float64)
    weights = np.ones(offsets[-1], dtype=np.float64)
    single = offsets[:-1][~split]
    images[single] = projections[~split]
    # entry e of split anchor a (e-th nonzero of the plan, rank r in row a) goes to
    # position offsets[a] + r of the images
    block_start = offsets[:-1][split]
    entry_start = np.cumsum(sizes[split]) - sizes[split]
    position = block_start[owner] + (np.arange(owner.size) - entry_start[owner])
    shares = split_plan[owner, target]
    images[position] = support[target]
    weights[position] = shares / np.bincount(owner, weights=shares)[owner]
    return images, offsets, weights
