"""Membership inference on the outputs of a model: has it forgotten some rows?"""

import numpy as np
from sklearn.metrics import roc_auc_score

from sklearn_unlearn.metrics._checks import check_proba, shape_of
from sklearn_unlearn.utils._compat import validate_params

__all__ = ["membership_advantage"]


def _check_outputs(proba, name) -> np.ndarray:
    """1-D finite membership scores or 2-D class probabilities, not empty."""
    shape = shape_of(proba, name)
    if len(shape) not in (1, 2):
        raise ValueError(
            f"{name} must be 1-D (membership scores) or 2-D (n_samples, n_classes) "
            f"(predict_proba); got an array of shape {shape}."
        )
    if shape[0] == 0:
        raise ValueError(f"{name} is empty: it needs at least one row.")
    if len(shape) == 2:
        return check_proba(proba, name)
    try:
        scores = np.asarray(proba, dtype=np.float64)
    except (TypeError, ValueError):
        raise ValueError(f"{name} must hold numbers.") from None
    if not np.all(np.isfinite(scores)):
        kind = "NaN" if np.any(np.isnan(scores)) else "infinite values"
        raise ValueError(
            f"{name} contains {kind} (first at index "
            f"{int(np.argmax(~np.isfinite(scores)))}): drop those rows first."
        )
    return scores


def _check_labels(y, name, proba, proba_name) -> np.ndarray:
    """Class indices, one per row of the 2-D ``proba``."""
    shape = shape_of(y, name)
    if len(shape) != 1 or shape[0] != proba.shape[0]:
        raise ValueError(
            f"{name} must be 1-D with one class index per row of {proba_name} "
            f"({proba.shape[0]} rows); got shape {shape}."
        )
    y = np.asarray(y)
    integral = y.dtype.kind in "iub" or (
        y.dtype.kind == "f" and np.all(np.isfinite(y)) and np.all(y == np.round(y))
    )
    if not integral:
        raise ValueError(
            f"{name} must hold integer class indices (the columns of {proba_name}); "
            f"got dtype {y.dtype}. Encode labels with "
            "np.searchsorted(model.classes_, labels)."
        )
    n_classes = proba.shape[1]
    if y.min() < 0 or y.max() >= n_classes:
        raise ValueError(
            f"{name} must hold class indices in 0..{n_classes - 1} (the columns of "
            f"{proba_name}); it holds values from {y.min()} to {y.max()}."
        )
    return y.astype(np.intp)


@validate_params(
    {
        "proba_forget": ["array-like"],
        "proba_holdout": ["array-like"],
        "y_forget": [None, "array-like"],
        "y_holdout": [None, "array-like"],
    },
    prefer_skip_nested_validation=True,
)
def membership_advantage(proba_forget, proba_holdout, *, y_forget=None, y_holdout=None):
    """ROC AUC of telling forget-set outputs from held-out outputs.

    A model that still remembers its forgotten rows is more confident on them
    than on rows it never saw. 0.5 means nothing is remembered; higher is worse.

    Parameters
    ----------
    proba_forget : array-like of shape (n_forget, n_classes) or (n_forget,)
        ``predict_proba`` on the forgotten rows, or 1-D membership scores
        (higher = more member-like).
    proba_holdout : array-like of shape (n_holdout, n_classes) or (n_holdout,)
        The same on rows never used for training, of the same kind as
        ``proba_forget`` (both 1-D, or both 2-D with the same classes).
    y_forget, y_holdout : array-like of int, default=None
        True class indices (columns of the probabilities), both or neither, only
        for 2-D probabilities: the attack then scores the probability of the
        true class; without them, the top probability.

    Returns
    -------
    auc : float
        AUC of the score separating forget rows (positives) from held-out ones.

    Examples
    --------
    >>> from sklearn_unlearn.metrics import membership_advantage
    >>> membership_advantage([0.9, 0.8, 0.95], [0.6, 0.7, 0.85])
    0.888...
    """
    if (y_forget is None) != (y_holdout is None):
        given, missing = (
            ("y_forget", "y_holdout")
            if y_holdout is None
            else ("y_holdout", "y_forget")
        )
        raise ValueError(
            f"{given} was given without {missing}: pass the true classes of both "
            "sets, or neither (the attack then scores the top probability)."
        )
    forget = _check_outputs(proba_forget, "proba_forget")
    holdout = _check_outputs(proba_holdout, "proba_holdout")
    if forget.ndim != holdout.ndim:
        raise ValueError(
            f"proba_forget is {forget.ndim}-D but proba_holdout is {holdout.ndim}-D: "
            "pass the same kind of output for both (predict_proba, or 1-D scores)."
        )
    if forget.ndim == 2 and forget.shape[1] != holdout.shape[1]:
        raise ValueError(
            f"proba_forget has {forget.shape[1]} classes but proba_holdout has "
            f"{holdout.shape[1]}: pass the outputs of one model on both sets."
        )
    if forget.ndim == 1 and y_forget is not None:
        raise ValueError(
            "y_forget and y_holdout pick the true class's probability, but "
            "proba_forget and proba_holdout are 1-D scores: drop y_forget and "
            "y_holdout, or pass predict_proba outputs."
        )
    if forget.ndim == 2:
        if y_forget is None:
            forget, holdout = forget.max(axis=1), holdout.max(axis=1)
        else:
            y_f = _check_labels(y_forget, "y_forget", forget, "proba_forget")
            y_h = _check_labels(y_holdout, "y_holdout", holdout, "proba_holdout")
            forget = forget[np.arange(forget.shape[0]), y_f]
            holdout = holdout[np.arange(holdout.shape[0]), y_h]
    labels = np.r_[np.ones(forget.size), np.zeros(holdout.size)]
    return float(roc_auc_score(labels, np.r_[forget, holdout]))
