"""Dask input for DistributionalSelector: blockwise statistics and scores.

Two reductions over the row blocks (sums for the means, then centred scatter
matrices and fourth moments about the global means, when the score needs them)
and one blockwise pass computing the forget rows' scores; only the scores of the
forget rows (one float each) come back to build the ranking. The report of the
edit (``family``) and ``target`` need the deleted rows themselves and are not
available for dask input.
"""

import numpy as np

from sklearn_unlearn.selection._scores import SCORES, DomainStats, _scatter
from sklearn_unlearn.utils._validation import is_dask

__all__ = ["fit_dask_selector"]


def _block_sums(F, mask):
    F = np.asarray(F, dtype=np.float64)
    mask = np.asarray(mask, dtype=bool)
    return (
        int(mask.sum()),
        F[mask].sum(axis=0),
        int((~mask).sum()),
        F[~mask].sum(axis=0),
    )


def _block_scatter(F, mask, m1, m2):
    F, mask = np.asarray(F), np.asarray(mask, dtype=bool)
    s1, _, q1 = _scatter(F, np.flatnonzero(mask), m1)
    s2, _, q2 = _scatter(F, np.flatnonzero(~mask), m2)
    return s1, q1, s2, q2


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
    sums = dask.compute(*[dask.delayed(_block_sums)(x, m) for x, m in pairs])
    n1 = sum(s[0] for s in sums)
    n2 = sum(s[2] for s in sums)
    if n1 == 0 or n2 == 0:
        raise ValueError("The selector needs rows of both domains.")
    m1 = sum(s[1] for s in sums) / n1
    m2 = sum(s[3] for s in sums) / n2
    if not (np.isfinite(m1).all() and np.isfinite(m2).all()):
        raise ValueError("X contains NaN or infinite values.")
    kernel = SCORES.get(selector.score)
    d = X.shape[1]
    stats = DomainStats(n1, n2, m1, m2, None, None, 0.0, 0.0)
    if kernel is not None and kernel.needs_scatter:
        parts = dask.compute(
            *[dask.delayed(_block_scatter)(x, m, m1, m2) for x, m in pairs]
        )
        stats = stats._replace(
            scatter_forget=sum((p[0] for p in parts), np.zeros((d, d))),
            fourth_forget=float(sum(p[1] for p in parts)),
            scatter_retain=sum((p[2] for p in parts), np.zeros((d, d))),
            fourth_retain=float(sum(p[3] for p in parts)),
        )
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
