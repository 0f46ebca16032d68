"""Streaming fits: merge the statistics of successive chunks.

Gaussian method: group moments (counts, means, scatter matrices) are mergeable
exactly, so ``partial_fit`` over chunks gives the same barycenter and maps as
``fit`` on their concatenation (up to rounding).

``"stochastic"`` method (:func:`stream_cells`): the chunks' rows are kept until
``SAMPLE_ROWS`` rows have been seen, and the model is refitted on all of them
at each call (the same as ``fit`` on their concatenation). The call that
reaches ``SAMPLE_ROWS`` rows fixes the embedding and the cells on a uniform
sample of ``SAMPLE_ROWS`` of the kept rows (the number of cells set by the rows
seen so far), turns the kept rows into a
:class:`~sklearn_unlearn.feature._stochastic_stream.CellSketch` and drops them;
later chunks add their exact counts per group and cell and their candidate
stored rows. Groups may first appear in any chunk.
"""

from typing import NamedTuple

import numpy as np

from sklearn_unlearn.feature._moments import GroupMoments, group_moments, merge_moments
from sklearn_unlearn.feature._stochastic_cells import Embedding
from sklearn_unlearn.feature._stochastic_stream import (
    SAMPLE_ROWS,
    CellSketch,
    cells_from_sample,
    merge_sketches,
    sample_block,
    sketch_block,
)
from sklearn_unlearn.utils._sensitive import GroupEncoding, merge_encodings

__all__ = ["CellStream", "merge_chunk", "stream_cells"]


def _placed(moments: GroupMoments, index: np.ndarray, k: int) -> GroupMoments:
    """``moments`` laid out at rows ``index`` of ``k`` groups (zero elsewhere)."""
    d = moments.means.shape[1]
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
    if previous is None:
        return chunk, moments
    old_encoding, old_moments = previous
    encoding, old_index, new_index = merge_encodings(old_encoding, chunk)
    k = encoding.groups.size
    merged = merge_moments(
        _placed(old_moments, old_index, k), _placed(moments, new_index, k)
    )
    return encoding._replace(counts=merged.counts), merged


class CellStream(NamedTuple):
    """The state of a ``"stochastic"`` ``partial_fit``.

    While ``kept`` is not None, it holds every row seen (features, codes,
    labels or None); afterwards the cells are fixed and ``sketch`` holds the
    statistics of all rows seen.
    """

    n_seen: int
    kept: tuple | None
    embedding: Embedding | None = None
    centers: np.ndarray | None = None
    sketch: CellSketch | None = None


def _regrouped(sketch: CellSketch, old_index: np.ndarray, n_groups: int):
    counts = np.zeros((n_groups, sketch.counts.shape[1]))
    counts[old_index] = sketch.counts
    return sketch._replace(counts=counts)


def stream_cells(
    state: CellStream | None,
    X: np.ndarray,
    codes: np.ndarray,
    y: np.ndarray | None,
    old_index: np.ndarray,
    n_groups: int,
    *,
    n_support: int | None,
    label_weight: float,
    seed: int,
    chunk_rows: int = 4096,
) -> CellStream:
    """Add a chunk (``codes`` in the union encoding) to the stream's state.

    ``old_index`` maps the state's group codes to the union's (``n_groups``).
    """
    if state is None:
        state = CellStream(0, (X[:0], codes[:0], None if y is None else y[:0]))
    if state.kept is not None:
        X_kept, codes_kept, y_kept = state.kept
        if (y is None) != (y_kept is None) and state.n_seen:
            raise ValueError(
                "partial_fit with method='stochastic' fits its cells on the "
                "first rows with their labels: pass y with every chunk or with "
                "none (y is ignored once the cells are fixed)."
            )
        X_all = np.concatenate([X_kept, X])
        codes_all = np.concatenate([old_index[codes_kept], codes])
        y_all = None if y is None else np.concatenate([y_kept, y])
        n_seen = state.n_seen + X.shape[0]
        if n_seen < SAMPLE_ROWS:
            return CellStream(n_seen, (X_all, codes_all, y_all))
        sample = sample_block(X_all, codes_all, y_all, 0, seed, SAMPLE_ROWS)
        embedding, centers = cells_from_sample(
            sample.X,
            sample.y,
            n_seen,
            n_support=n_support,
            label_weight=label_weight,
            seed=seed,
            codes=sample.codes,
        )
        sketch = sketch_block(
            X_all,
            codes_all,
            n_groups,
            0,
            embedding,
            centers,
            seed=seed,
            chunk_rows=chunk_rows,
        )
        return CellStream(n_seen, None, embedding, centers, sketch)
    part = sketch_block(
        X,
        codes,
        n_groups,
        state.n_seen,
        state.embedding,
        state.centers,
        seed=seed,
        chunk_rows=chunk_rows,
    )
    sketch = merge_sketches(_regrouped(state.sketch, old_index, n_groups), part)
    return state._replace(n_seen=state.n_seen + X.shape[0], sketch=sketch)
