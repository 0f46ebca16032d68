"""One fit of the selector on validated arrays: scores, ranking, budget, edit.

:func:`select` runs the whole selection on a :class:`FitInput` (the validated
rows) with the selector's parameters and returns the fitted state as a
:class:`Selection`, whose fields the estimator stores with a trailing
underscore; :func:`kept_rows` takes the kept rows out of the input's container.
"""

from typing import NamedTuple

import numpy as np
from sklearn.utils import _safe_indexing
from threadpoolctl import threadpool_limits

from sklearn_unlearn.selection._criteria import (
    dask_statistics_and_scores,
    statistics_and_scores,
)
from sklearn_unlearn.selection._deletion import decide, descending_order, edit_masks
from sklearn_unlearn.selection._stats import DomainStats, in_safe_range
from sklearn_unlearn.utils._validation import is_dask

__all__ = ["FitInput", "Selection", "kept_rows", "select"]


class FitInput(NamedTuple):
    """The validated input of one fit (passive data)."""

    features: object  # the rows' container, without the domain column if dropped
    X: object  # float features (ndarray), or the dask array as given
    mask: np.ndarray  # (n_samples,) bool: the forget domain
    n_deleted: int | None  # None when a target sets it
    target: tuple[float, float] | None  # (alpha, epsilon)


class Selection(NamedTuple):
    """The fitted state of a selection (passive data)."""

    forget_indices: np.ndarray  # (n_forget,) forget rows, ascending
    scores: np.ndarray  # (n_forget,) score of each forget row
    ranking: np.ndarray  # (n_forget,) forget rows in deletion order
    n_deleted: int
    deletion_mask: np.ndarray  # (n_samples,) bool: the deleted rows
    sample_indices: np.ndarray  # (n_kept,) the kept rows, ascending
    achieved_alpha: float  # KL(p1 || p_hat) of the edit (NaN without family)
    achieved_epsilon: float  # KL(p2 || p_hat)
    kappa: float  # KL(p1 || p2)
    statistics: DomainStats


def select(
    data: FitInput,
    *,
    criterion,
    family: str | None,
    random_state,
    classifier=None,
    cv=5,
    n_jobs=None,
) -> Selection:
    """Score and rank the forget rows of ``data``; delete the top.

    ``data.X`` holds float features (or is a dask array, scored blockwise with
    ``family=None`` and no target). The top ``data.n_deleted`` rows are
    deleted, or the fewest meeting ``data.target=(alpha, epsilon)``. Extreme
    magnitudes are first divided by a power of two (exact; the ranking and the
    KLs do not depend on it). The other parameters are the selector's.
    """
    X, mask = data.X, data.mask
    if is_dask(X):
        stats, scores = dask_statistics_and_scores(
            X, mask, criterion=criterion, random_state=random_state
        )
    else:
        X = in_safe_range(X)
        stats, scores = statistics_and_scores(
            X,
            mask,
            criterion=criterion,
            family=family,
            random_state=random_state,
            classifier=classifier,
            cv=cv,
            n_jobs=n_jobs,
        )
    forget = np.flatnonzero(mask)
    ranking = forget[descending_order(scores)]
    with threadpool_limits(limits=1, user_api="blas"):
        decision = decide(
            X,
            ranking,
            stats,
            n_deleted=data.n_deleted,
            target=data.target,
            family=family,
            setting=f"criterion={criterion!r} and family={family!r}",
        )
    edit = edit_masks(ranking, decision.n_deleted, mask.size)
    return Selection(
        forget,
        scores,
        ranking,
        decision.n_deleted,
        edit.deletion_mask,
        edit.sample_indices,
        decision.alpha,
        decision.epsilon,
        decision.kappa,
        stats,
    )


def kept_rows(features, y, deletion_mask: np.ndarray, sample_indices: np.ndarray):
    """The kept rows of ``features`` and ``y`` (None stays None), same container.

    A dask array stays lazy (indexed by the boolean mask of kept rows).
    """
    if is_dask(features):
        kept = ~deletion_mask
        return features[kept], None if y is None else y[kept]
    if not hasattr(features, "shape"):
        features = np.asarray(features)
    X_kept = _safe_indexing(features, sample_indices)
    return X_kept, None if y is None else _safe_indexing(y, sample_indices)
