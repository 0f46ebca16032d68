"""Streaming fits: merge the statistics of successive chunks.

``partial_fit`` of BarycenterFeatureUnlearner validates a chunk, then calls
the method's chunk function (``METHODS[name].fit_chunk``: :func:`gaussian_chunk`,
:func:`cell_chunk`, :func:`quantile_chunk`), which merges the chunk into the
state of the earlier ones and returns the updated model (a :class:`ChunkFit`);
:func:`continues` says whether there is such a state.

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

``"quantile"`` method (:func:`quantile_chunk`): each group's columns are
summarised by a mergeable quantile sketch
(:mod:`~sklearn_unlearn.utils._quantile_sketch`), merged chunk after chunk, and
the quantile maps are read from the merged sketches, as the dask fit does.
"""

from typing import NamedTuple

import numpy as np
from threadpoolctl import threadpool_limits

from sklearn_unlearn.feature import _stochastic
from sklearn_unlearn.feature._gaussian_maps import (
    GaussianModel,
    check_finite_moments,
    fit_moments,
)
from sklearn_unlearn.feature._moments import GroupMoments, group_moments, merge_moments
from sklearn_unlearn.feature._quantile import QuantileBarycenter
from sklearn_unlearn.feature._quantile_dask import fit_from_sketches, sketch_capacity
from sklearn_unlearn.feature._stochastic_cells import Embedding
from sklearn_unlearn.feature._stochastic_stream import (
    SAMPLE_ROWS,
    CellSketch,
    cells_from_sample,
    merge_sketches,
    model_from_sketch,
    sample_block,
    sketch_block,
    sketch_from_model,
)
from sklearn_unlearn.utils._groups import group_weights
from sklearn_unlearn.utils._quantile_sketch import merge_chunk_sketches
from sklearn_unlearn.utils._sensitive import GroupEncoding, merge_encodings

__all__ = [
    "CellStream",
    "ChunkFit",
    "cell_chunk",
    "continues",
    "gaussian_chunk",
    "merge_chunk",
    "quantile_chunk",
    "stream_cells",
]


class ChunkFit(NamedTuple):
    """The fit after one more chunk: the groups so far, their weights, the
    method's model, and the state the next chunk continues from."""

    encoding: GroupEncoding
    weights: np.ndarray
    model: NamedTuple
    state: object


#: The model of each streaming method; ``fit``'s models of the first two hold
#: what a chunk merges into (moments; cells and counts), so ``partial_fit``
#: continues from them, while the quantile grid of ``fit`` does not (the next
#: chunk starts anew).
_MODELS = {
    "gaussian": GaussianModel,
    "stochastic": _stochastic.CellBarycenter,
    "quantile": QuantileBarycenter,
}
_AFTER_FIT = ("gaussian", "stochastic")


def continues(method: str, model, stream: tuple | None) -> bool:
    """Whether a chunk continues from ``model`` (else the stream starts anew).

    ``stream`` is the ``(model, state)`` pair of the last chunk, or None.
    """
    if not isinstance(model, _MODELS[method]):
        return False
    return method in _AFTER_FIT or (stream is not None and stream[0] is model)


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


def gaussian_chunk(X, codes, y, chunk, previous, *, weights, fit_params, seed):
    """``partial_fit`` of ``"gaussian"``: merged moments, then the maps.

    ``previous`` is None or ``(encoding, model, stream)`` (see
    :func:`continues`); ``weights`` is the estimator's parameter. ``y`` and
    ``seed`` are not used (one interface for every method).
    """
    with threadpool_limits(limits=1, user_api="blas"):
        old = None if previous is None else (previous[0], previous[1].moments)
        encoding, moments = merge_chunk(X, codes, chunk, old)
    check_finite_moments(moments)
    w = group_weights(weights, encoding.counts)
    return ChunkFit(encoding, w, fit_moments(moments, w, **fit_params), None)


def cell_chunk(X, codes, y, chunk, previous, *, weights, fit_params, seed):
    """``partial_fit`` of ``"stochastic"`` (see :func:`stream_cells`).

    After ``fit``, the stream continues from the fitted cells, counts and
    stored rows.
    """
    state, encoding, old_index = None, chunk, np.empty(0, dtype=np.intp)
    if previous is not None:
        old, model, (kept_model, state) = previous
        if kept_model is not model:  # fitted by fit: continue from its model
            counts = sketch_from_model(model, old.counts, seed)
            state = CellStream(
                int(old.counts.sum()), None, model.embedding, model.centers, counts
            )
        encoding, old_index, new_index = merge_encodings(old, chunk)
        codes = new_index[codes]
    with threadpool_limits(limits=1, user_api="blas"):
        state = stream_cells(
            state,
            X,
            codes,
            y,
            old_index,
            encoding.groups.size,
            n_support=fit_params["n_support"],
            label_weight=fit_params["label_weight"],
            seed=seed,
        )
        w = group_weights(weights, encoding.counts)
        if state.kept is not None:
            X_kept, codes_kept, y_kept = state.kept
            model = _stochastic.fit(X_kept, codes_kept, w, y=y_kept, **fit_params)
        else:
            model = model_from_sketch(
                state.sketch,
                state.embedding,
                state.centers,
                w,
                tol=fit_params["tol"],
                max_iter=fit_params["max_iter"],
                seed=seed,
            )
    return ChunkFit(encoding, w, model, state)


def quantile_chunk(X, codes, y, chunk, previous, *, weights, fit_params, seed):
    """``partial_fit`` of ``"quantile"``: each group's merged column sketches.

    The quantile maps are those of the dask fit
    (:func:`~sklearn_unlearn.feature._quantile_dask.fit_from_sketches`): equal
    to ``fit``'s on the same rows while no sketch compacted, else within the
    sketches' certified rank error.
    """
    n_quantiles = fit_params["n_quantiles"]
    sketched = None if previous is None else (previous[0], previous[2][1])
    encoding, sketches = merge_chunk_sketches(
        X, codes, chunk, sketched, sketch_capacity(n_quantiles)
    )
    w = group_weights(weights, encoding.counts)
    return ChunkFit(encoding, w, fit_from_sketches(sketches, w, n_quantiles), sketches)
