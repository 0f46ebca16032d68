"""Row bookkeeping by group: one linear-time sort, then contiguous index runs.

Pure kernels shared by every method that processes rows group by group.
"""

import numpy as np

__all__ = ["group_order", "row_chunks"]

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


def row_chunks(n_features: int, itemsize: int, block_bytes: int = BLOCK_BYTES) -> int:
    """Rows per working block of ``n_features`` values of ``itemsize`` bytes."""
    return max(64, block_bytes // max(1, n_features * itemsize))
