"""Dask arrays and DataFrames for the Gaussian method: block moments, map_blocks.

Functions of (lazy) arrays. S has been parsed by
:func:`~sklearn_unlearn.utils._sensitive.parse_sensitive` like any other input
(its values computed: one per row), so each row's group code is known; the
features stay lazy. Fit computes each block's group moments on the workers and
merges them exactly (a tree of :func:`merge_moments`), so the barycenter and
maps equal those of an in-memory fit on the same rows (to rounding); only
``n_groups`` moment matrices travel. Transform is lazy: one ``map_blocks``
applying the affine map of each row's group. Dask is imported only when dask
data are passed.

Inside a block task BLAS runs on one thread (as the in-memory fit and
transform do within each of their threads): a block's products are small
(``d x d`` scatter matrices, and products with ``d x d`` maps of about a
megabyte of rows each), and the workers already run blocks in parallel.
"""

import numpy as np
from threadpoolctl import threadpool_limits

from sklearn_unlearn.feature._bures import AffineMap
from sklearn_unlearn.feature._gaussian_maps import (
    GaussianModel,
    affine,
    affine_transport,
    check_finite_moments,
    fit_moments,
)
from sklearn_unlearn.feature._moments import (
    GroupMoments,
    group_moments,
    merge_moments,
)
from sklearn_unlearn.utils._reduce import tree_reduce

__all__ = [
    "dask_affine_transport",
    "dask_float_features",
    "dask_gaussian_fit",
    "dask_gaussian_transport",
    "dask_group_moments",
]


def dask_float_features(features):
    """A float dask array of the features, all columns in one chunk.

    ``features`` is a dask array or DataFrame (the sensitive columns removed).
    """
    if hasattr(features, "columns"):  # a dask DataFrame
        features = features.astype("float64").to_dask_array(lengths=True)
    features = features.rechunk({1: -1})
    if not np.issubdtype(features.dtype, np.floating):
        features = features.astype(np.float64)
    return features


def _code_blocks(codes: np.ndarray, features):
    """The group codes as a dask array, chunked like the features' rows."""
    import dask.array as da

    return da.from_array(codes, chunks=(features.chunks[0],))


def _block_moments(X, codes, n_groups: int) -> GroupMoments:
    # NaN and inf reach the moments; the caller checks the merged ones
    with (
        np.errstate(invalid="ignore", over="ignore"),
        threadpool_limits(limits=1, user_api="blas"),
    ):
        return group_moments(np.asarray(X), np.asarray(codes), n_groups)


def dask_group_moments(features, codes: np.ndarray, n_groups: int) -> GroupMoments:
    """The groups' moments, from the blocks' moments merged by a tree."""
    import dask

    blocks = [
        dask.delayed(_block_moments)(xb, cb, n_groups)
        for xb, cb in zip(
            features.to_delayed().ravel(),
            _code_blocks(codes, features).to_delayed().ravel(),
            strict=True,
        )
    ]
    return dask.delayed(tree_reduce)(blocks, merge_moments).compute()


def _transform_block(X, codes, maps: AffineMap) -> np.ndarray:
    with (
        np.errstate(invalid="ignore", over="ignore"),
        threadpool_limits(limits=1, user_api="blas"),
    ):
        return affine_transport(
            np.asarray(X), np.asarray(codes).ravel(), maps, check_finite=True
        )


def dask_affine_transport(features, codes: np.ndarray, maps: AffineMap):
    """Lazy repaired dask array, one ``map_blocks`` over the row chunks."""
    import dask.array as da

    return da.map_blocks(
        _transform_block,
        features,
        _code_blocks(codes, features)[:, None],
        maps=maps,
        dtype=features.dtype,
        chunks=features.chunks,
    )


def dask_gaussian_fit(
    features, codes, weights, *, y=None, reg: float, tol: float, max_iter: int
) -> GaussianModel:
    """The Gaussian method's dask fit: merged block moments, then the maps."""
    moments = dask_group_moments(features, codes, weights.size)
    check_finite_moments(moments)
    return fit_moments(moments, weights, reg=reg, tol=tol, max_iter=max_iter)


def dask_gaussian_transport(features, codes, model, repair_level, seed):
    """The Gaussian method's lazy transport of a dask array."""
    return dask_affine_transport(features, codes, affine(model, repair_level))
