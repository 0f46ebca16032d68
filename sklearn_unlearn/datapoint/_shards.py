"""Kernels of the sharded unlearner: assignment of rows and aggregation.

Pure numpy on validated arrays (no checks, no estimators):
:func:`deal` spreads rows over bins at random, balanced overall and per
stratum; :func:`stage_rows` lists the rows of a shard that each slice stage
trains on; :func:`restarts` finds where a deletion's refits start;
:func:`vote_shares` and :func:`mean_proba` aggregate the shards' outputs over
the union of the classes.
"""

import numpy as np

__all__ = ["deal", "mean_proba", "restarts", "stage_rows", "vote_shares"]


def deal(codes: np.ndarray, n_bins: int, rng: np.random.RandomState) -> np.ndarray:
    """A bin in ``0 .. n_bins - 1`` for each entry of ``codes``.

    The entries are shuffled, ordered by code (a stable sort, so the order
    within a code stays random) and dealt out in turn, from a random first
    bin. Every bin then holds ``floor`` or ``ceil(n / n_bins)`` entries, and
    as many of each code up to one.
    """
    n = codes.shape[0]
    order = rng.permutation(n)
    order = order[np.argsort(codes[order], kind="stable")]
    bins = np.empty(n, dtype=np.intp)
    bins[order] = (np.arange(n) + rng.randint(n_bins)) % n_bins
    return bins


def stage_rows(slice_of: np.ndarray, active: np.ndarray, n_slices: int) -> list:
    """The rows each stage of one shard trains on, in increasing order.

    ``slice_of`` holds the slice of each of the shard's rows (given as their
    positions ``active``, increasing). Stage ``j`` trains on the rows of
    slices ``0 .. j``: the list has ``n_slices`` arrays of row positions.
    """
    return [active[slice_of[active] <= j] for j in range(n_slices)]


def restarts(shard_of: np.ndarray, slice_of: np.ndarray, rows: np.ndarray):
    """``(shards, starts)``: the shards holding ``rows``, increasing, and the
    first slice of each that loses a row (its refit replays stages from there).
    """
    shards, inverse = np.unique(shard_of[rows], return_inverse=True)
    starts = np.full(shards.size, np.iinfo(np.intp).max, dtype=np.intp)
    np.minimum.at(starts, inverse, slice_of[rows])
    return shards, starts


def vote_shares(predictions: list, n_classes: int) -> np.ndarray:
    """Share of the shards predicting each class, shape (n_samples, n_classes).

    ``predictions[i]`` holds shard ``i``'s predicted labels as indices into
    the union of the classes.
    """
    n_samples = predictions[0].shape[0]
    counts = np.zeros((n_samples, n_classes))
    rows = np.arange(n_samples)
    for predicted in predictions:
        counts[rows, predicted] += 1.0
    return counts / len(predictions)


def mean_proba(probas: list, columns: list, n_classes: int) -> np.ndarray:
    """Mean of the shards' probabilities over the union of the classes.

    ``probas[i]`` has one column per class the shard ``i`` knows, which are
    the classes ``columns[i]`` (indices into the union); a class a shard never
    saw gets probability 0 from it.
    """
    total = np.zeros((probas[0].shape[0], n_classes))
    for proba, cols in zip(probas, columns, strict=True):
        total[:, cols] += proba
    return total / len(probas)
