"""Per-group moments of rows, streamed by blocks and merged exactly (pure kernels).

Arrays in, arrays or NamedTuples out; no validation and no scikit-learn objects.
The counts, means and scatter matrices of the groups are what the Gaussian
method fits on: ``fit`` gathers them from rows in memory, ``partial_fit`` merges
those of successive chunks and a dask fit those of the blocks, exactly (the
pairwise update of Chan, Golub and LeVeque).
"""

from typing import NamedTuple

import numpy as np

from sklearn_unlearn.utils._linalg import symmetrize
from sklearn_unlearn.utils._row_windows import group_windows, row_chunks

__all__ = [
    "GroupMoments",
    "block_windows",
    "group_blocks",
    "group_moments",
    "merge_moments",
]


class GroupMoments(NamedTuple):
    """Per-group sample counts, means and (ddof=0) covariances, in float64."""

    counts: np.ndarray  # (n_groups,)
    means: np.ndarray  # (n_groups, n_features)
    covariances: np.ndarray  # (n_groups, n_features, n_features)


def block_windows(codes: np.ndarray, n_groups: int, rows_per_block: int):
    """Windows of up to 8 blocks (several groups share a window), by group."""
    return group_windows(codes, n_groups, rows_per_block * min(max(n_groups, 1), 8))


def group_blocks(rows, rows_per_block: int):
    """Split one group's rows of a window (a slice or indices) into blocks."""
    if isinstance(rows, slice):
        for start in range(rows.start, rows.stop, rows_per_block):
            yield slice(start, min(start + rows_per_block, rows.stop))
        return
    for start in range(0, rows.size, rows_per_block):
        yield rows[start : start + rows_per_block]


def group_moments(
    X: np.ndarray, codes: np.ndarray, n_groups: int, chunk_rows: int | None = None
) -> GroupMoments:
    """Counts, means and biased covariances of each group, streamed by blocks.

    Rows are visited in windows of consecutive rows (see
    :func:`~sklearn_unlearn.utils._groups.group_windows`), each group's rows of a
    window in blocks of at most ``chunk_rows`` rows (default: about 1 MB). Block
    statistics are merged with the pairwise update of Chan, Golub and LeVeque, so
    the result is numerically stable and accumulated in float64 whatever the
    dtype of ``X``, and the extra memory is a few blocks whatever ``n_samples``.
    """
    d = X.shape[1]
    rows_per_block = chunk_rows or row_chunks(d, 8)
    counts = np.zeros(n_groups, dtype=np.int64)
    means = np.zeros((n_groups, d))
    scatter = np.zeros((n_groups, d, d))
    # one reused float64 block; np.take into it is the fastest gather for C-ordered
    # float64 input, and the block mean is a GEMV (faster than a reduction)
    buffer = np.empty((min(rows_per_block, X.shape[0]), d))
    ones = np.ones(buffer.shape[0])
    direct = X.dtype == np.float64 and X.flags.c_contiguous
    for g, window_rows in block_windows(codes, n_groups, rows_per_block):
        if g < 0:
            continue
        for index in group_blocks(window_rows, rows_per_block):
            if isinstance(index, slice):
                n_new = index.stop - index.start
                block = buffer[:n_new]
                block[:] = X[index]
            else:
                n_new = index.size
                block = buffer[:n_new]
                if direct:
                    np.take(X, index, axis=0, out=block, mode="clip")
                else:
                    block[:] = X[index]
            mean_new = (ones[:n_new] @ block) / n_new
            block -= mean_new
            n_old = counts[g]
            n_tot = n_old + n_new
            delta = mean_new - means[g]
            means[g] += delta * (n_new / n_tot)
            scatter[g] += block.T @ block  # one SYRK
            scatter[g] += np.outer(delta, delta) * (n_old * n_new / n_tot)
            counts[g] = n_tot
    covariances = symmetrize(scatter / np.maximum(counts, 1)[:, None, None])
    return GroupMoments(counts=counts, means=means, covariances=covariances)


def merge_moments(a: GroupMoments, b: GroupMoments) -> GroupMoments:
    """Moments of the union of two samples, group by group (exact).

    Both arguments list the same groups in the same order; a group may have a
    zero count in either. Uses the pairwise update of Chan, Golub and LeVeque on
    the scatter matrices ``count * covariance``.
    """
    counts = a.counts + b.counts
    total = np.maximum(counts, 1).astype(np.float64)
    delta = b.means - a.means
    means = a.means + delta * (b.counts / total)[:, None]
    weight = (a.counts * b.counts / total)[:, None, None]
    scatter = (
        a.covariances * a.counts[:, None, None]
        + b.covariances * b.counts[:, None, None]
        + weight * (delta[:, :, None] * delta[:, None, :])
    )
    covariances = symmetrize(scatter / total[:, None, None])
    return GroupMoments(counts=counts, means=means, covariances=covariances)
