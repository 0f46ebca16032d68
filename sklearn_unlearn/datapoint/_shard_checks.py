"""Checks of ShardedUnlearner's settings and of the rows a request forgets.

Module-level functions called by ``fit``, ``forget`` and the predictions
before any fitting; each raises with a message naming the parameter and the fix.
"""

import numpy as np
import pandas as pd
from sklearn.base import is_classifier
from sklearn.utils import get_tags
from sklearn.utils.multiclass import check_classification_targets
from sklearn.utils.validation import (
    check_array,
    check_consistent_length,
    validate_data,
)

from sklearn_unlearn.utils._validation import check_same_rows

__all__ = ["check_rows", "check_settings", "class_codes", "validated"]


def check_settings(
    estimator, n_shards: int, n_slices: int, aggregation: str, n_samples: int
) -> str:
    """The aggregation to use (``"vote"`` or ``"average"``).

    Raises for settings that ``estimator`` or ``n_samples`` rows cannot meet.
    """
    classifier = is_classifier(estimator)
    if n_samples < n_shards:
        raise ValueError(
            f"n_shards={n_shards} needs at least one row per shard, but "
            f"X has n_samples={n_samples}: lower n_shards."
        )
    if n_slices > 1 and not hasattr(estimator, "partial_fit"):
        raise ValueError(
            f"n_slices={n_slices} trains each shard by partial_fit, "
            f"which {type(estimator).__name__} lacks: use n_slices=1."
        )
    if not classifier:
        if aggregation == "vote":
            raise ValueError(
                "aggregation='vote' combines a classifier's predictions; "
                "a regressor's are averaged: use aggregation='auto'."
            )
        return "average"
    has_proba = hasattr(estimator, "predict_proba")
    if aggregation == "auto":
        return "average" if has_proba else "vote"
    if aggregation == "average" and not has_proba:
        raise ValueError(
            f"aggregation='average' needs predict_proba, which "
            f"{type(estimator).__name__} lacks: use aggregation='vote'."
        )
    return aggregation


def check_rows(rows, forgotten: np.ndarray) -> np.ndarray:
    """The training rows ``rows`` names, as increasing indices.

    ``forgotten`` marks the rows forgotten before. Raises, saying what to pass,
    for a mask of the wrong shape, non-integer indices, no row, rows out of
    range, repeated or already forgotten.
    """
    n_samples = forgotten.shape[0]
    rows = np.asarray(rows)
    if rows.size == 0 or (rows.dtype == bool and not rows.any()):
        raise ValueError("rows is empty: pass at least one row to forget.")
    if rows.dtype == bool:
        if rows.shape != (n_samples,):
            raise ValueError(
                f"A boolean mask of rows must have one entry per training "
                f"row, shape ({n_samples},); got shape {rows.shape}."
            )
        rows = np.flatnonzero(rows)
    elif rows.dtype.kind not in "iu" or rows.ndim > 1:
        raise TypeError(
            "rows must be integer indices into the training rows of fit "
            f"(0 .. {n_samples - 1}) or a boolean mask of them; got an "
            f"array of dtype {rows.dtype} and shape {rows.shape}."
        )
    rows = rows.reshape(-1).astype(np.intp)
    outside = rows[(rows < 0) | (rows >= n_samples)]
    if outside.size:
        raise ValueError(
            f"rows {outside[:5].tolist()} are out of range: pass indices "
            f"0 .. {n_samples - 1} of the training rows of fit."
        )
    unique = np.unique(rows)
    if unique.size != rows.size:
        values, counts = np.unique(rows, return_counts=True)
        raise ValueError(
            f"rows {values[counts > 1][:5].tolist()} are repeated: pass each row once."
        )
    again = unique[forgotten[unique]]
    if again.size:
        raise ValueError(
            f"rows {again[:5].tolist()} were already forgotten: pass only "
            "rows still learnt from (see forgotten_)."
        )
    return unique


def class_codes(y: np.ndarray):
    """``(classes, codes)`` of classification targets ``y`` (one column)."""
    check_classification_targets(y)
    if y.ndim > 1:
        raise ValueError(
            "y has several columns: multi-output classification is not "
            "supported; fit one ShardedUnlearner per output."
        )
    return np.unique(y, return_inverse=True)


def validated(unlearner, X, y=None, reset=False):
    """Validated ``X`` (with a copy of ``y`` when ``reset``, at fit).

    A pandas DataFrame stays one (a copy at fit), for pipelines that encode
    its columns; other input is validated as numbers (NaN only if the
    estimator accepts it) and copied at fit, so that refits see the rows of
    ``fit`` whatever the caller does to its arrays later.
    """
    inner = get_tags(unlearner.estimator)
    if reset:
        check_same_rows(X, y, "y", "one label or target per row of X")
    if isinstance(X, pd.DataFrame):  # for pipelines that encode columns
        if not reset:
            return validate_data(unlearner, X, skip_check_array=True, reset=False)
        X, y = validate_data(unlearner, X, y, skip_check_array=True, reset=True)
        y = check_array(y, ensure_2d=False, dtype=None, input_name="y", copy=True)
        check_consistent_length(X, y)
        return X.copy(), y
    finite = "allow-nan" if inner.input_tags.allow_nan else True
    kwargs = {"dtype": "numeric", "ensure_all_finite": finite, "reset": reset}
    if not reset:
        return validate_data(unlearner, X, **kwargs)
    multi = not is_classifier(unlearner.estimator) and inner.target_tags.multi_output
    X, y = validate_data(unlearner, X, y, multi_output=multi, copy=True, **kwargs)
    return X, y.copy()
