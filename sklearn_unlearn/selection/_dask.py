"""Dask input for DistributionalSelector: blockwise statistics and scores.

One reduction over the row blocks (each block's counts, means and, when the
score needs them, centred power sums, merged exactly as ``partial_fit`` merges
chunks) and one blockwise pass computing the forget rows' scores; only the
scores of the forget rows (one float each) come back to build the ranking. The
report of the edit (``family``) and ``target`` need the deleted rows themselves
and are not available for dask input.
"""

import numpy as np

from sklearn_unlearn.selection._scores import SCORES
from sklearn_unlearn.selection._streaming import chunk_stats, merge_domain_stats
from sklearn_unlearn.utils._reduce import tree_reduce
from sklearn_unlearn.utils._validation import is_dask

__all__ = ["fit_dask_selector"]


def _block_stats(F, mask, scatter: bool):
    F, mask = np.asarray(F), np.asarray(mask, dtype=bool)
    # NaN and inf reach the means; the caller checks the merged statistics
    with np.errstate(invalid="ignore", over="ignore"):
        return chunk_stats(F, mask, scatter)


def _block_scores(F, mask, kernel, stats):
    F, mask = np.asarray(F), np.asarray(mask, dtype=bool)
    rows = np.flatnonzero(mask)
    if rows.size == 0:
        return np.empty(0)
    return kernel(F, rows, stats)


def _check_score(selector):
    if callable(selector.score) or selector.score == "classifier":
        raise ValueError(
            "dask input supports the built-in scores but not score='classifier' "
            "or a callable: compute the array first."
        )
    if selector.family is not None or selector.target is not None:
        raise ValueError(
            "dask input needs family=None and budget (the report of the edit and "
            "target read the deleted rows back): set family=None."
        )
    if selector.domain_column is not None:
        raise ValueError("dask input reads the forget domain from forget_mask.")


def fit_dask_selector(selector, X, forget_mask, rng):
    """Fitted attributes of a selector, from a dask array and a forget mask."""
    import dask
    import dask.array as da

    _check_score(selector)
    if forget_mask is None:
        raise ValueError("Pass forget_mask=... (a boolean array, one per row).")
    if not is_dask(forget_mask):
        forget_mask = np.asarray(forget_mask)
        if forget_mask.dtype != bool or forget_mask.shape != (X.shape[0],):
            raise ValueError(
                f"forget_mask must be a boolean array of shape ({X.shape[0]},); "
                f"got dtype {forget_mask.dtype} and shape {forget_mask.shape}."
            )
        forget_mask = da.from_array(forget_mask, chunks=(X.chunks[0],))
    X = X.rechunk({1: -1})
    forget_mask = forget_mask.rechunk((X.chunks[0],))
    pairs = list(
        zip(X.to_delayed().ravel(), forget_mask.to_delayed().ravel(), strict=True)
    )
    kernel = SCORES.get(selector.score)
    scatter = kernel is not None and kernel.needs_scatter
    # one pass: each block's statistics, merged exactly (see _streaming)
    parts = [dask.delayed(_block_stats)(x, m, scatter) for x, m in pairs]
    stats = dask.delayed(tree_reduce)(parts, merge_domain_stats).compute()
    n1 = stats.n_forget
    if n1 == 0 or stats.n_retain == 0:
        raise ValueError("The selector needs rows of both domains.")
    checked = [stats.mean_forget, stats.mean_retain, stats.scatter_retain]
    if not all(np.isfinite(a).all() for a in checked if a is not None):
        raise ValueError("X contains NaN or infinite values.")
    if kernel is None:  # "random"
        scores = rng.uniform(size=n1)
    else:
        scores = np.concatenate(
            dask.compute(
                *[
                    dask.delayed(_block_scores)(x, m, kernel.kernel, stats)
                    for x, m in pairs
                ]
            )
        )
    if not np.all(np.isfinite(scores)):
        raise ValueError("X contains NaN or infinite values.")
    forget = np.flatnonzero(forget_mask.compute())
    return forget, scores, stats
