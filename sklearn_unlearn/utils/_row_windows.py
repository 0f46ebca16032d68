"""Row windows by group: one linear-time sort, then contiguous index runs.

Pure kernels shared by every method that processes rows group by group.

scikit-learn has no counterpart of the group windows (its
:func:`~sklearn.utils.gen_batches` cuts ``range(n)`` into slices, which the
kernels use for plain row blocks). :func:`row_chunks` sizes a block to stay in
cache (1 MiB, 64 rows at least), not to the ``working_memory`` budget of
:func:`~sklearn.utils.get_chunk_n_rows`, which is
:func:`sklearn_unlearn.utils._memory.working_rows`.
"""

import numpy as np

__all__ = ["group_order", "group_rows", "group_windows", "row_chunks"]

#: Up to this many groups, ``group_rows`` scans the codes once per group instead
#: of sorting them: no n-sized permutation array is ever held.
SCAN_GROUPS = 16

#: Bytes of one working block: small enough to stay in cache.
BLOCK_BYTES = 1 << 20


def group_order(codes: np.ndarray, n_groups: int) -> tuple[np.ndarray, np.ndarray]:
    """Stable order of the rows by code, and the bounds of groups 0..n_groups-1.

    Rows of group ``g`` are ``order[bounds[g]:bounds[g + 1]]`` (increasing row
    indices); rows with code -1 come first and belong to no group. Codes are
    narrowed to int16 when possible, where NumPy's stable sort is a linear-time
    radix sort.
    """
    small = n_groups < np.iinfo(np.int16).max
    keys = codes.astype(np.int16) if small else codes
    order = np.argsort(keys, kind="stable")
    bounds = np.searchsorted(keys[order], np.arange(n_groups + 1))
    return order, bounds


def group_rows(codes: np.ndarray, n_groups: int):
    """Yield ``(g, rows)`` for ``g = -1, 0, .., n_groups - 1`` (increasing rows).

    ``g = -1`` are the rows of no group. With few groups each group's rows are
    found by one scan of the codes, so the extra memory is one group's indices
    (not a permutation of all rows, plus the sort's buffers).
    """
    if n_groups > SCAN_GROUPS:
        order, bounds = group_order(codes, n_groups)
        yield -1, order[: bounds[0]]
        for g in range(n_groups):
            yield g, order[bounds[g] : bounds[g + 1]]
        return
    yield -1, np.flatnonzero(codes < 0)
    for g in range(n_groups):
        yield g, np.flatnonzero(codes == g)


def group_windows(codes: np.ndarray, n_groups: int, window: int):
    """Yield ``(g, rows)`` window by window: the rows of group ``g`` in each run
    of ``window`` consecutive rows, for ``g = -1, 0, .., n_groups - 1``.

    ``rows`` is a ``slice`` when the whole window belongs to ``g`` (callers can
    then read a view of ``X`` instead of gathering), else increasing indices;
    empty groups are skipped. The extra memory is ``O(window)`` indices whatever
    the number of rows, where :func:`group_rows` holds a whole group's indices.
    """
    n = codes.shape[0]
    window = max(1, int(window))
    for start in range(0, n, window):
        stop = min(n, start + window)
        local = codes[start:stop]
        first = int(local[0])
        if local[-1] == first and np.all(local == first):
            yield (-1 if first < 0 else first), slice(start, stop)
            continue
        for g, rows in group_rows(local, n_groups):
            if rows.size:
                yield g, rows + start


def row_chunks(n_features: int, itemsize: int, block_bytes: int = BLOCK_BYTES) -> int:
    """Rows per working block of ``n_features`` values of ``itemsize`` bytes."""
    return max(64, block_bytes // max(1, n_features * itemsize))
