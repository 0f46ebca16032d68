"""Streaming fit of the Gaussian method: merge the moments of successive chunks.

Group moments (counts, means, scatter matrices) are mergeable exactly, so
``partial_fit`` over chunks gives the same barycenter and maps as ``fit`` on
their concatenation (up to rounding). Groups may first appear in any chunk.
"""

import numpy as np
import pandas as pd

from sklearn_unlearn.feature._moments import GroupMoments, group_moments, merge_moments
from sklearn_unlearn.utils._sensitive import GroupEncoding, parse_sensitive

__all__ = ["merge_chunk"]


def _label_columns(labels: list, n_columns: int) -> list:
    """Per-column arrays of group labels (labels are tuples for several columns)."""
    if n_columns == 1:
        return [
            np.asarray([lab[0] if isinstance(lab, tuple) else lab for lab in labels])
        ]
    return [np.asarray([lab[j] for lab in labels]) for j in range(n_columns)]


def _aligned(moments: GroupMoments, labels: list, union: list) -> GroupMoments:
    """``moments`` of groups ``labels`` laid out in the order of ``union``."""
    position = {label: i for i, label in enumerate(union)}
    index = np.array([position[label] for label in labels], dtype=np.intp)
    k, d = len(union), moments.means.shape[1]
    counts = np.zeros(k, dtype=np.int64)
    means, covariances = np.zeros((k, d)), np.zeros((k, d, d))
    counts[index], means[index], covariances[index] = (
        moments.counts,
        moments.means,
        moments.covariances,
    )
    return GroupMoments(counts, means, covariances)


def merge_chunk(
    X: np.ndarray,
    codes: np.ndarray,
    chunk: GroupEncoding,
    previous: tuple[GroupEncoding, GroupMoments] | None,
) -> tuple[GroupEncoding, GroupMoments]:
    """Merge a chunk into running moments.

    Parameters
    ----------
    X : ndarray of shape (n_samples, n_features)
        Finite features of the chunk.
    codes : ndarray of shape (n_samples,)
        The chunk's group codes in ``chunk``.
    chunk : GroupEncoding
        The encoding of the chunk's own groups.
    previous : tuple (encoding, moments) or None
        The state after the earlier chunks.

    Returns
    -------
    encoding : GroupEncoding
        Encoding of every group seen so far, its counts those of all chunks.
    moments : GroupMoments
        Raw moments of every group seen so far, in the order of
        ``encoding.groups``.
    """
    moments = group_moments(X, codes, chunk.groups.size)
    labels = [_key(g) for g in chunk.groups]
    if previous is None:
        return chunk, moments
    old_encoding, old_moments = previous
    old_labels = [_key(g) for g in old_encoding.groups]
    n_columns = len(chunk.categories)
    union_columns = [
        np.concatenate([a, b])
        for a, b in zip(
            _label_columns(old_labels, n_columns),
            _label_columns(labels, n_columns),
            strict=True,
        )
    ]
    # a frame keeps each column's own dtype
    frame = pd.DataFrame(dict(enumerate(union_columns)))
    encoding = parse_sensitive(values=frame).encoding
    union = [_key(g) for g in encoding.groups]
    merged = merge_moments(
        _aligned(old_moments, old_labels, union), _aligned(moments, labels, union)
    )
    return encoding._replace(counts=merged.counts), merged


def _key(label):
    """A hashable group label (tuples for several columns, scalars otherwise)."""
    if isinstance(label, np.ndarray):
        return tuple(label.tolist())
    if isinstance(label, np.generic):
        return label.item()
    return label
