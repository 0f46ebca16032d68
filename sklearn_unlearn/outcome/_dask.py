"""Dask arrays and DataFrames for BarycenterOutcomeUnlearner: outputs blockwise.

S has been parsed by :func:`~sklearn_unlearn.utils._sensitive.parse_sensitive`
(its values computed: one per row), so each row's group code is known; the
rows stay lazy. A scikit-learn model is fitted on rows in memory, so the
wrapped model is already fitted (the rule of ``partial_fit``): ``fit`` reads
its single output column on each block, on the workers, sketches each group's
outputs there (:func:`~sklearn_unlearn.utils._quantile_sketch.group_sketches`,
bounded size), merges the sketches by a balanced tree of tasks and reads the
quantile repair from them
(:func:`~sklearn_unlearn.outcome._sketches.sketched_repair`); only the
sketches travel. Prediction is lazy: each block's rows are repaired as in
memory (:func:`~sklearn_unlearn.outcome._methods.repaired`), by one
``map_blocks`` for a dask array and one task per partition for a dask
DataFrame. Dask is imported only when dask data are passed.

BLAS: the model's own predictions of a block may use the worker's BLAS
threads (a product of the whole block); the repair's kernels run their small
linear algebra on one thread themselves.
"""

from functools import partial

import numpy as np

from sklearn_unlearn.outcome._methods import repaired
from sklearn_unlearn.outcome._sketches import single_output
from sklearn_unlearn.outcome._validation import check_rows
from sklearn_unlearn.utils._quantile_sketch import group_sketches, merge_group_sketches
from sklearn_unlearn.utils._reduce import tree_reduce

__all__ = ["dask_output_sketches", "dask_repaired", "row_blocks"]

#: How a dask fit names itself in the error about several output columns.
DASK_FIT = "fit of dask input"


def row_blocks(features):
    """The rows in blocks: the (rechunked) collection and each block's rows.

    A dask array gets all its columns in one chunk (and known chunk sizes);
    a dask DataFrame keeps its partitions, whose lengths are computed.
    """
    if hasattr(features, "columns"):  # a dask DataFrame
        lengths = features.map_partitions(len).compute()
        return features, [int(n) for n in lengths]
    features = features.rechunk({1: -1})
    if any(np.isnan(n) for n in features.chunks[0]):
        features = features.compute_chunk_sizes()
    return features, [int(n) for n in features.chunks[0]]


def _starts(lengths: list) -> np.ndarray:
    return np.concatenate([[0], np.cumsum(lengths)]).astype(np.intp)


def _head(features, lengths: list):
    """The first rows (two at most) of the first block with rows, and its start."""
    first = next(i for i, n in enumerate(lengths) if n)
    start = int(_starts(lengths)[first])
    if hasattr(features, "columns"):
        return features.get_partition(first).compute().iloc[:2], start
    return features[start : start + 2].compute(), start


def _block_sketches(X, codes, model, method, allow_nan, n_groups, capacity):
    if not len(codes):
        return (None,) * n_groups
    X = check_rows(X, allow_nan=allow_nan, fitting=False)
    F = single_output(model, X, method, DASK_FIT)
    return group_sketches(F, codes, n_groups, capacity)


def dask_output_sketches(
    features,
    codes: np.ndarray,
    model,
    method: str,
    *,
    n_groups: int,
    capacity: int,
    allow_nan: bool,
) -> tuple:
    """Each group's merged sketch of the fitted ``model``'s output ``method``.

    Parameters
    ----------
    features : dask array or DataFrame of shape (n_samples, n_features)
        The rows, as ``model`` reads them (S removed).
    codes : ndarray of shape (n_samples,)
        Group code of each row, every group with two rows or more.
    model : estimator object
        Fitted; its output ``method`` has a single column.
    method : str
        The output that is repaired.
    n_groups : int
        Number of groups.
    capacity : int
        Values per level of the sketches.
    allow_nan : bool
        Whether ``model`` accepts missing values (else each block is checked).

    Returns
    -------
    sketches : tuple of QuantileSketch
        One per group, the tree merge of the blocks' sketches: exact counts,
        and the certified rank error of
        :func:`~sklearn_unlearn.utils._quantile_sketch.sketch_columns`.
    """
    import dask

    features, lengths = row_blocks(features)
    head, _ = _head(features, lengths)
    # several output columns: raised before the pass over the blocks
    single_output(
        model, check_rows(head, allow_nan=allow_nan, fitting=False), method, DASK_FIT
    )
    starts = _starts(lengths)
    blocks = features.to_delayed()
    blocks = blocks.ravel() if hasattr(blocks, "ravel") else blocks
    shared = dask.delayed(model, pure=True)
    sketch = dask.delayed(_block_sketches, pure=True)
    parts = [
        sketch(block, codes[a:b], shared, method, allow_nan, n_groups, capacity)
        for block, a, b in zip(blocks, starts[:-1], starts[1:], strict=True)
    ]
    merge = partial(dask.delayed(merge_group_sketches, pure=True), capacity=capacity)
    (sketches,) = dask.compute(tree_reduce(parts, merge))
    return sketches


def _repaired_block(X, codes, fitted, allow_nan, empty):
    codes = np.ascontiguousarray(np.asarray(codes).ravel())
    if not codes.size:
        return empty
    model, args = fitted
    X = check_rows(X, allow_nan=allow_nan, fitting=False)
    # the model's own prediction may use BLAS threads (a GEMM of the block);
    # the repair's small linear algebra limits itself to one thread
    return repaired(X, codes, model, *args)


def dask_repaired(features, codes: np.ndarray, model, args: tuple, allow_nan: bool):
    """Lazy repaired outputs of the rows: a dask array, block by block.

    ``args`` are the arguments of
    :func:`~sklearn_unlearn.outcome._methods.repaired` after ``model``. A
    row's output is the in-memory one (a pure function of the row, its group
    and the seed), except that copies of a row are told apart within a block
    only. The dtype and trailing shape come from the first two rows, repaired
    in memory.
    """
    import dask
    import dask.array as da

    features, lengths = row_blocks(features)
    head, start = _head(features, lengths)
    fitted = (model, args)
    sample = _repaired_block(
        head, codes[start : start + len(head)], fitted, allow_nan, None
    )
    tail, dtype = sample.shape[1:], sample.dtype
    empty = np.empty((0, *tail), dtype=dtype)
    shared = dask.delayed(fitted, pure=True)
    if hasattr(features, "columns"):  # one task per partition
        starts = _starts(lengths)
        block = dask.delayed(_repaired_block, pure=True)
        parts = [
            da.from_delayed(
                block(part, codes[a:b], shared, allow_nan, empty),
                shape=(int(b - a), *tail),
                dtype=dtype,
            )
            for part, a, b in zip(
                features.to_delayed(), starts[:-1], starts[1:], strict=True
            )
        ]
        return da.concatenate(parts)
    code_blocks = da.from_array(codes, chunks=(features.chunks[0],))[:, None]
    layout = {"drop_axis": 1} if not tail else {"chunks": (features.chunks[0], tail)}
    return da.map_blocks(
        _repaired_block,
        features,
        code_blocks,
        shared,
        allow_nan,
        empty,
        dtype=dtype,
        **layout,
    )
