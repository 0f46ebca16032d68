"""Dask arrays for the quantile method: blockwise sketches, tree merge, map_blocks.

S has been parsed by :func:`~sklearn_unlearn.utils._sensitive.parse_sensitive`
(one value per row, computed), so each row's group code is known; the features
stay lazy. Fit sketches each block's group columns on the workers
(:mod:`~sklearn_unlearn.utils._quantile_sketch`), merges the sketches by a
balanced tree of dask tasks, and reads the same quantile grid model as the
in-memory fit from the merged sketches (:func:`fit_from_sketches`); only
bounded sketches travel. Transform is lazy: one ``map_blocks`` applying the
in-memory transport to each block. Dask is imported only when dask data are
passed.
"""

from functools import partial

import numpy as np

from sklearn_unlearn.feature._dask import _code_blocks
from sklearn_unlearn.feature._quantile import QuantileBarycenter, transport
from sklearn_unlearn.utils._quantile_sketch import (
    group_sketches,
    merge_group_sketches,
    sketch_quantiles,
)
from sklearn_unlearn.utils._reduce import tree_reduce

__all__ = ["SKETCH_PER_QUANTILE", "dask_fit", "dask_transport", "fit_from_sketches"]

#: Values kept per level of a sketch, per requested quantile level: the
#: heaviest sketched value then weighs less than a grid step, and the rank
#: error bound ``ceil(log2(n / k)) / k`` is below the grid resolution
#: ``1 / n_quantiles`` up to ``n = 2**8 k`` rows per group (2 million rows
#: for the default ``n_quantiles=1000``).
SKETCH_PER_QUANTILE = 8


def sketch_capacity(n_quantiles: int) -> int:
    """Values per level of the sketches for a grid of ``n_quantiles`` levels."""
    return SKETCH_PER_QUANTILE * int(n_quantiles)


def fit_from_sketches(
    sketches: tuple, weights: np.ndarray, n_quantiles: int
) -> QuantileBarycenter:
    """The quantile barycenter model read from each group's merged sketch.

    Parameters
    ----------
    sketches : tuple of QuantileSketch
        One per group (every group has two rows or more), as
        :func:`~sklearn_unlearn.utils._quantile_sketch.group_sketches` and its
        merges return.
    weights : ndarray of shape (n_groups,)
        Barycenter weights summing to one.
    n_quantiles : int
        Requested grid size, as in
        :func:`~sklearn_unlearn.feature._quantile._fit_quantile_barycenter`.

    Returns
    -------
    model : QuantileBarycenter
        The grid of the in-memory fit (``max(2, min(n_quantiles, n_max))``
        levels); each ``Q_s(u_k)`` read from the sketch, so it lies between
        the exact ``Q_s(u_k - e_s / (n_s - 1))`` and ``Q_s(u_k + e_s / (n_s -
        1))`` with ``e_s`` the sketch's certified error (equal to the
        in-memory fit when no sketch compacted).
    """
    sizes = np.array([s.count for s in sketches])
    q = int(max(2, min(n_quantiles, sizes.max())))
    steps = np.arange(q, dtype=np.float64)
    references = steps / (q - 1)
    n_features = sketches[0].levels[0].shape[1]
    group_quantiles = np.empty((len(sketches), q, n_features), dtype=np.float64)
    for g, sketch in enumerate(sketches):
        group_quantiles[g] = sketch_quantiles(
            sketch, steps * (sketch.count - 1) / (q - 1)
        )
    barycenter_quantiles = np.zeros((q, n_features), dtype=np.float64)
    for g in range(len(sketches)):
        barycenter_quantiles += weights[g] * group_quantiles[g]
    flat = group_quantiles[:, 1:] == group_quantiles[:, :-1]
    return QuantileBarycenter(
        references, group_quantiles, barycenter_quantiles, flat.any(axis=(0, 1))
    )


def _check_finite(X: np.ndarray) -> None:
    if not np.isfinite(X).all():
        raise ValueError(
            "Input X contains NaN or infinity: the quantile method needs finite "
            "features (impute or drop them first)."
        )


def _block_sketches(X, codes, n_groups: int, capacity: int) -> tuple:
    X = np.asarray(X)
    _check_finite(X)
    return group_sketches(X, np.asarray(codes), n_groups, capacity)


def dask_fit(features, codes, weights, *, y=None, n_quantiles: int):
    """The ``"quantile"`` fit of a dask array: sketches merged by a dask tree.

    The groups' quantile functions are within the sketches' rank error of the
    in-memory fit's (see :func:`fit_from_sketches`).
    """
    import dask

    capacity, n_groups = sketch_capacity(n_quantiles), weights.size
    sketch = dask.delayed(_block_sketches, pure=True)
    merge = partial(dask.delayed(merge_group_sketches, pure=True), capacity=capacity)
    blocks = [
        sketch(xb, cb, n_groups, capacity)
        for xb, cb in zip(
            features.to_delayed().ravel(),
            _code_blocks(codes, features).to_delayed().ravel(),
            strict=True,
        )
    ]
    (sketches,) = dask.compute(tree_reduce(blocks, merge))
    return fit_from_sketches(sketches, weights, n_quantiles)


def _transport_block(X, codes, model, repair_level, seed, duplicates):
    X = np.asarray(X)
    _check_finite(X)
    codes = np.ascontiguousarray(np.asarray(codes).ravel())
    return transport(X, codes, model, repair_level, seed, duplicates=duplicates)


def dask_transport(
    features, codes, model, repair_level, seed, *, duplicates: str = "spread"
):
    """Lazy repaired dask array: the in-memory transport, block by block.

    A row's output is the in-memory one (a pure function of the row, its group
    and ``seed``), except that copies of a row are told apart within a block
    only.
    """
    import dask.array as da

    return da.map_blocks(
        _transport_block,
        features,
        _code_blocks(codes, features)[:, None],
        model=model,
        repair_level=repair_level,
        seed=seed,
        duplicates=duplicates,
        dtype=features.dtype,
        chunks=features.chunks,
    )
