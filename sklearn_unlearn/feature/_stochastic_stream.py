"""The ``"stochastic"`` fit out of core: a bounded sample, then mergeable sketches.

Arrays in, arrays or NamedTuples out; no validation and no scikit-learn objects.
Used by ``partial_fit`` (:mod:`sklearn_unlearn.feature._streaming`) and
by the dask fit (:mod:`sklearn_unlearn.feature._stochastic_dask`).

The in-memory fit (:func:`~sklearn_unlearn.feature._stochastic.fit`) learns five
things; out of core they are gathered as follows.

* **Sampled**: the embedding (column standardisation and, with ``y``, the label
  score) and the cell centers are fitted on a uniform sample of at most
  ``SAMPLE_ROWS`` rows (the rows with the smallest seeded hash of their
  position, so the sample does not depend on how the rows are cut into blocks).
  ``SAMPLE_ROWS`` is 50,000: the in-memory fit already fits the label score on
  at most that many rows and runs its Lloyd steps on at most 50 rows per cell
  of at most 1,000 cells, so only the standardisation differs (a relative error
  of about ``1 / sqrt(SAMPLE_ROWS)``, 0.5 %, on each column's mean and scale).
* **Exact**: each group's count of rows in each cell, over all rows (each block
  assigns its rows to the cells; counts add).
* **Sampled, reproducibly**: the stored rows of each cell (the candidate
  outputs) are its ``MEMBERS_PER_CELL`` rows with the smallest seeded hash of
  their position: a uniform sample of the cell, mergeable across blocks in any
  order.
* **On the driver**: the barycenter and plans, from the counts (``k x k``).
"""

from typing import NamedTuple

import numpy as np
from sklearn.utils import gen_batches

from sklearn_unlearn.feature._stochastic import (
    BREGMAN_PER_ITER,
    CELL_EPSILON,
    GROUP_ROWS_PER_CELL,
    LLOYD_ROWS_PER_CELL,
    LLOYD_STEPS,
    MEMBERS_PER_CELL,
    CellBarycenter,
    _cell_plans,
    _initial_cells,
    _stored_rows,
    cell_count,
)
from sklearn_unlearn.feature._stochastic_cells import Embedding, _assign_cells, _embed
from sklearn_unlearn.feature._stochastic_embedding import _cell_embedding
from sklearn_unlearn.feature._stochastic_independence import with_separability
from sklearn_unlearn.utils._random import _mix64

__all__ = [
    "SAMPLE_ROWS",
    "CellSketch",
    "Sample",
    "cells_from_sample",
    "merge_samples",
    "merge_sketches",
    "model_from_sketch",
    "position_keys",
    "sample_block",
    "sketch_block",
    "sketch_from_model",
]

#: Rows the embedding and the cells are fitted on, at most (see the module).
SAMPLE_ROWS = 50_000
#: Salts of the two position hashes (sample rows, stored rows).
_SAMPLE_SALT, _MEMBER_SALT = 0x5A, 0xC3


class Sample(NamedTuple):
    """Rows with the smallest position keys: features, codes, labels, keys."""

    keys: np.ndarray  # (p,) uint64, ascending
    X: np.ndarray  # (p, d) float64
    codes: np.ndarray  # (p,) intp
    y: np.ndarray | None  # (p,) or None


class CellSketch(NamedTuple):
    """The mergeable statistics of rows on fixed cells.

    ``counts`` are exact; the candidates are each cell's rows with the smallest
    position keys (at most ``MEMBERS_PER_CELL`` per cell), in no fixed order.
    """

    counts: np.ndarray  # (n_groups, k) float64 rows per group and cell
    cells: np.ndarray  # (p,) intp cell of each candidate
    keys: np.ndarray  # (p,) uint64 position key of each candidate
    rows: np.ndarray  # (p, d) float64 the candidates, original units


def position_keys(start: int, n: int, seed: int, salt: int) -> np.ndarray:
    """A seeded 64-bit hash of the positions ``start, ..., start + n - 1``."""
    key = np.array([(int(seed) << 8 | salt) & (2**64 - 1)], dtype=np.uint64)
    h = np.arange(start, start + n, dtype=np.uint64)
    h ^= _mix64(key)
    return _mix64(_mix64(h))


def _smallest(keys: np.ndarray, size: int) -> np.ndarray:
    """Positions of the ``size`` smallest keys, in ascending key order."""
    if keys.size > size:
        part = np.argpartition(keys, size - 1)[:size]
        return part[np.argsort(keys[part], kind="stable")]
    return np.argsort(keys, kind="stable")


def sample_block(X, codes, y, start: int, seed: int, size: int) -> Sample:
    """The block's ``size`` rows with the smallest keys (rows ``start, ...``)."""
    keys = position_keys(start, X.shape[0], seed, _SAMPLE_SALT)
    keep = _smallest(keys, size)
    return Sample(
        keys[keep],
        np.asarray(X[keep], dtype=np.float64),
        np.asarray(codes[keep], dtype=np.intp),
        None if y is None else np.asarray(y)[keep],
    )


def merge_samples(a: Sample, b: Sample, size: int) -> Sample:
    """The ``size`` rows with the smallest keys of two samples."""
    keys = np.concatenate([a.keys, b.keys])
    keep = _smallest(keys, size)
    y = None if a.y is None else np.concatenate([a.y, b.y])[keep]
    return Sample(
        keys[keep],
        np.concatenate([a.X, b.X])[keep],
        np.concatenate([a.codes, b.codes])[keep],
        y,
    )


def cells_from_sample(
    X: np.ndarray,
    y: np.ndarray | None,
    n_rows: int,
    *,
    n_support: int | None,
    label_weight: float,
    seed: int,
    codes: np.ndarray | None = None,
) -> tuple[Embedding, np.ndarray]:
    """The embedding and the cell centers, fitted on sampled rows ``X``.

    ``n_rows`` is the number of rows the sample stands for: it sets the number
    of cells like in memory (:func:`~sklearn_unlearn.feature._stochastic.cell_count`),
    at most one per sampled row. With the sampled rows' group ``codes``, the
    embedding carries the groups' separability measured on them.
    """
    embedding = _cell_embedding(X, y, label_weight, seed)
    if codes is not None:
        embedding = with_separability(embedding, X, codes, seed)
    k = min(cell_count(n_support, n_rows), X.shape[0])
    rng = np.random.default_rng(seed)
    lloyd_rows = LLOYD_ROWS_PER_CELL * k
    return embedding, _initial_cells(X, embedding, k, lloyd_rows, LLOYD_STEPS, rng)


def _bottom_per_cell(cells, keys, rows, per_cell: int):
    """Each cell's ``per_cell`` candidates with the smallest keys."""
    order = np.lexsort((keys, cells))
    sorted_cells = cells[order]
    first = np.ones(order.size, dtype=bool)
    first[1:] = sorted_cells[1:] != sorted_cells[:-1]
    starts = np.maximum.accumulate(np.where(first, np.arange(order.size), 0))
    keep = order[np.arange(order.size) - starts < per_cell]
    return cells[keep], keys[keep], rows[keep]


def sketch_block(
    X: np.ndarray,
    codes: np.ndarray,
    n_groups: int,
    start: int,
    embedding: Embedding,
    centers: np.ndarray,
    *,
    seed: int,
    chunk_rows: int = 4096,
) -> CellSketch:
    """Counts and candidates of rows ``start, ..., start + n - 1`` (``X``)."""
    n, k = X.shape[0], centers.shape[0]
    cells = np.empty(n, dtype=np.intp)
    for rows in gen_batches(n, chunk_rows):
        cells[rows] = _assign_cells(
            _embed(X[rows], embedding), centers, chunk_rows=chunk_rows
        )
    counts = np.zeros((n_groups, k))
    np.add.at(counts, (np.asarray(codes, dtype=np.intp), cells), 1.0)
    keys = position_keys(start, n, seed, _MEMBER_SALT)
    index = np.arange(n)
    cells, keys, index = _bottom_per_cell(cells, keys, index, MEMBERS_PER_CELL)
    return CellSketch(counts, cells, keys, np.asarray(X[index], dtype=np.float64))


def merge_sketches(a: CellSketch, b: CellSketch) -> CellSketch:
    """Added counts, and each cell's candidates with the smallest keys."""
    cells, keys, rows = _bottom_per_cell(
        np.concatenate([a.cells, b.cells]),
        np.concatenate([a.keys, b.keys]),
        np.concatenate([a.rows, b.rows]),
        MEMBERS_PER_CELL,
    )
    return CellSketch(a.counts + b.counts, cells, keys, rows)


def model_from_sketch(
    sketch: CellSketch,
    embedding: Embedding,
    centers: np.ndarray,
    weights: np.ndarray,
    *,
    tol: float,
    max_iter: int,
    seed: int,
) -> CellBarycenter:
    """The fitted model: cells no row fell in dropped, then barycenter and plans.

    ``max_iter`` counts tens of Bregman projections, as in the in-memory fit.
    """
    used = sketch.counts.sum(axis=0) > 0
    new_cell = np.cumsum(used) - 1
    cells, keys, rows = _bottom_per_cell(
        new_cell[sketch.cells], sketch.keys, sketch.rows, MEMBERS_PER_CELL
    )
    centers, counts = centers[used], sketch.counts[:, used]
    k = centers.shape[0]
    # candidates sorted by (cell, key): each cell's are consecutive
    first = np.searchsorted(cells, np.arange(k))
    rank = np.arange(cells.size) - first[cells]
    members = np.full((k, MEMBERS_PER_CELL), -1, dtype=np.intp)
    members[cells, rank] = np.arange(cells.size)
    plans = _cell_plans(
        centers,
        counts,
        weights,
        min_rows_per_cell=GROUP_ROWS_PER_CELL,
        epsilon=CELL_EPSILON,
        max_iter=BREGMAN_PER_ITER * max_iter,
        tol=tol,
        rng=np.random.default_rng(seed),
        separable=embedding.separability >= embedding.separability_bound,
    )
    return CellBarycenter(
        embedding=embedding,
        centers=centers,
        **plans,
        **_stored_rows(centers, members, rows, embedding),
    )


def sketch_from_model(
    model: CellBarycenter, group_counts: np.ndarray, seed: int
) -> CellSketch:
    """A sketch holding a fitted model's counts and stored rows.

    The counts are the groups' laws on the cells times their row counts
    (rounded: exact up to rounding); the stored rows get keys of positions
    ``0, 1, ...`` (they were drawn uniformly in their cells).
    """
    counts = np.rint(model.masses * np.asarray(group_counts)[:, None])
    k, m = model.members.shape
    filled = model.members >= 0
    cells = np.repeat(np.arange(k), m).reshape(k, m)[filled]
    index = model.members[filled]
    keys = position_keys(0, index.size, seed, _MEMBER_SALT)
    return CellSketch(counts, cells, keys, model.points[index])
