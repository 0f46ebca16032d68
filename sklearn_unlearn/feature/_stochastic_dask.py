"""Dask arrays and DataFrames for the ``"stochastic"`` method.

Functions of (lazy) arrays. S has been parsed like any other input (its values
computed), so each row's group code is known; the features and ``y`` stay
lazy. The fit makes two passes over the blocks (persist the array first to
read it once from its source):

1. each block keeps its rows with the smallest seeded hash of their position
   (at most ``SAMPLE_ROWS``), and a balanced tree of tasks merges them into a
   uniform sample of ``SAMPLE_ROWS`` rows (with their labels), independent of
   the chunking; the driver fits the embedding and the cells on it;
2. each block assigns its rows to the cells and returns its exact counts per
   group and cell and its candidate stored rows
   (:class:`~sklearn_unlearn.feature._stochastic_stream.CellSketch`), merged by
   a tree of tasks; the driver computes the barycenter and the plans.

No task holds more than two blocks' samples or sketches (each at most
``SAMPLE_ROWS`` rows, or ``MEMBERS_PER_CELL`` rows per cell). Transform is one
lazy ``map_blocks`` of the in-memory transport; the draws hash each row, so a
row's output does not depend on its block, except that identical rows are
told apart by their rank among their copies within a block.
"""

from functools import partial

import numpy as np
from threadpoolctl import threadpool_limits

from sklearn_unlearn.feature._dask import _code_blocks
from sklearn_unlearn.feature._stochastic import STOCHASTIC_BLOCK, transport
from sklearn_unlearn.feature._stochastic_stream import (
    SAMPLE_ROWS,
    cells_from_sample,
    merge_samples,
    merge_sketches,
    model_from_sketch,
    sample_block,
    sketch_block,
)
from sklearn_unlearn.utils._memory import working_rows
from sklearn_unlearn.utils._reduce import tree_reduce

__all__ = ["dask_cell_fit", "dask_cell_transport", "dask_label"]

NOT_FINITE = (
    "Input X contains NaN or infinity: the 'stochastic' method needs finite "
    "features. Impute or drop the missing values first (e.g. SimpleImputer)."
)


def dask_label(y, features):
    """``y`` as a 1-D dask array chunked like the features' rows, or None."""
    import dask.array as da

    if y is None:
        return None
    if hasattr(y, "to_dask_array"):  # a dask Series or DataFrame
        y = y.to_dask_array(lengths=True)
    elif not hasattr(y, "rechunk"):
        y = np.asarray(y)
    if y.ndim == 2 and y.shape[1] == 1:
        y = y[:, 0]
    if y.ndim != 1 or y.shape[0] != features.shape[0]:
        raise ValueError(
            f"y has shape {y.shape} but X has {features.shape[0]} rows: pass one "
            "label per row of X (or y=None)."
        )
    if isinstance(y, np.ndarray):
        return da.from_array(y, chunks=(features.chunks[0],))
    return y.rechunk((features.chunks[0],))


def _sample_block(X, codes, y, start, seed):
    X = np.asarray(X)
    if not np.isfinite(X).all():
        raise ValueError(NOT_FINITE)
    y = None if y is None else np.asarray(y)
    return sample_block(X, np.asarray(codes), y, start, seed, SAMPLE_ROWS)


def _sketch_block(X, codes, start, n_groups, embedding, centers, seed, chunk_rows):
    # distances of row chunks to the cells: small products, one BLAS thread
    # (as partial_fit and the in-memory fit); the workers run blocks in parallel
    with threadpool_limits(limits=1, user_api="blas"):
        return sketch_block(
            np.asarray(X),
            np.asarray(codes),
            n_groups,
            start,
            embedding,
            centers,
            seed=seed,
            chunk_rows=chunk_rows,
        )


def _tree(parts, combine):
    """A balanced tree of delayed ``combine`` tasks, computed."""
    import dask

    merge = dask.delayed(combine, pure=True)
    return tree_reduce(parts, merge).compute()


def dask_cell_fit(
    features,
    codes: np.ndarray,
    weights: np.ndarray,
    *,
    y=None,
    n_support: int | None,
    label_weight: float,
    tol: float,
    max_iter: int,
    seed: int,
):
    """The ``"stochastic"`` fit of a dask array, in two passes (see the module)."""
    import dask

    starts = np.concatenate([[0], np.cumsum(features.chunks[0])[:-1]]).tolist()
    X_blocks = features.to_delayed().ravel()
    code_blocks = _code_blocks(codes, features).to_delayed().ravel()
    label = None if label_weight == 0 else dask_label(y, features)
    y_blocks = [None] * len(starts) if label is None else label.to_delayed().ravel()
    sample = _tree(
        [
            dask.delayed(_sample_block)(xb, cb, yb, start, seed)
            for xb, cb, yb, start in zip(
                X_blocks, code_blocks, y_blocks, starts, strict=True
            )
        ],
        partial(merge_samples, size=SAMPLE_ROWS),
    )
    embedding, centers = cells_from_sample(
        sample.X,
        sample.y,
        features.shape[0],
        n_support=n_support,
        label_weight=label_weight,
        seed=seed,
        codes=sample.codes,
    )
    row_bytes = 8 * (centers.shape[0] + 2 * features.shape[1] + 2)
    chunk = working_rows(row_bytes, STOCHASTIC_BLOCK)
    sketch = _tree(
        [
            dask.delayed(_sketch_block)(
                xb, cb, start, weights.size, embedding, centers, seed, chunk
            )
            for xb, cb, start in zip(X_blocks, code_blocks, starts, strict=True)
        ],
        merge_sketches,
    )
    return model_from_sketch(
        sketch, embedding, centers, weights, tol=tol, max_iter=max_iter, seed=seed
    )


def _transport_block(X, codes, model, repair_level, seed, options):
    X = np.asarray(X)
    if not np.isfinite(X).all():
        raise ValueError(NOT_FINITE)
    codes = np.asarray(codes).ravel()
    return transport(X, codes, model, repair_level, seed, **options)


def dask_cell_transport(features, codes, model, repair_level, seed, **options):
    """Lazy repaired dask array: the in-memory transport of each row block."""
    import dask
    import dask.array as da

    return da.map_blocks(
        _transport_block,
        features,
        _code_blocks(codes, features)[:, None],
        dask.delayed(model, pure=True),
        repair_level,
        seed,
        options,
        dtype=features.dtype,
        chunks=features.chunks,
    )
