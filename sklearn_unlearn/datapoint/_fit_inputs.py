"""Checks of MarginalUnlearner's fit inputs: rows to forget, model, validation.

Module-level functions on validated arrays (``X`` float64, ``y`` labels), called
once by :meth:`MarginalUnlearner.fit` before any fine-tuning; each raises with
a message that says what to pass instead.
"""

import numpy as np
from scipy import sparse
from sklearn.base import clone
from sklearn.exceptions import NotFittedError
from sklearn.utils.multiclass import check_classification_targets
from sklearn.utils.validation import check_is_fitted, validate_data

from sklearn_unlearn.datapoint._adapters import check_supported
from sklearn_unlearn.datapoint._fine_tuning import class_matched_validation
from sklearn_unlearn.utils._validation import check_forget_mask, check_same_rows

__all__ = [
    "check_classifier_data",
    "check_validation",
    "check_dense",
    "check_fitted",
    "forget_mask_of",
    "starting_model",
    "validation_set",
]


def check_classifier_data(unlearner, X, y):
    """``X`` as float64 and ``y``, checked for ``unlearner``'s classifier."""
    check_supported(unlearner.estimator)
    if unlearner.prefit:
        check_fitted(unlearner.estimator)
    check_dense(X)
    check_same_rows(X, y, "y", "one label per row of X")
    X, y = validate_data(
        unlearner, X, y, dtype=np.float64, ensure_min_samples=2, reset=True
    )
    check_classification_targets(y)
    return X, y


def forget_mask_of(
    forget_rows, forget_mask, X: np.ndarray, y: np.ndarray, *, classes: bool = True
):
    """The mask of the rows to forget: ``forget_mask`` or ``forget_rows(X, y)``.

    Raises unless it selects some rows, leaves some, and (with ``classes``, for
    a classifier) leaves at least one row of each class of ``y``.
    """
    if forget_mask is not None and forget_rows is not None:
        raise ValueError(
            "Pass forget_mask or set forget_rows, not both: which rows to "
            "forget would be ambiguous."
        )
    if forget_rows is not None:
        mask = np.asarray(forget_rows(X, y))
        if mask.dtype != bool or mask.shape != (X.shape[0],):
            raise ValueError(
                f"forget_rows must return one boolean per row of X (shape "
                f"({X.shape[0]},)); it returned dtype {mask.dtype} and "
                f"shape {mask.shape}."
            )
    else:
        mask = check_forget_mask(
            forget_mask,
            X.shape[0],
            missing="Pass the rows to forget: fit(X, y, forget_mask=mask), "
            "True for each row to forget, or set forget_rows.",
        )
    if not mask.any() or mask.all():
        raise ValueError(
            "forget_mask must select some rows to forget and leave some to "
            f"retain; it selects {int(mask.sum())} of {mask.size}."
        )
    if not classes:
        return mask
    missing = np.setdiff1d(np.unique(y), np.unique(y[~mask]))
    if missing.size:
        raise ValueError(
            f"Every row of class(es) {missing.tolist()} is to be forgotten: the "
            "retained rows must keep at least one example of each class the "
            "model predicts (to forget a whole class, retrain without it)."
        )
    return mask


def check_dense(X) -> None:
    """Raise a TypeError for scipy sparse ``X`` (before any conversion)."""
    if sparse.issparse(X):
        raise TypeError(
            "MarginalUnlearner does not support sparse input: its gradients are "
            "dense products. Convert X with X.toarray() first."
        )


def check_fitted(estimator) -> None:
    """Raise a NotFittedError that says what to do for an unfitted estimator."""
    try:
        check_is_fitted(estimator)
    except NotFittedError as exc:
        raise NotFittedError(
            f"MarginalUnlearner needs a fitted estimator: call "
            f"{type(estimator).__name__}.fit first (unlearning starts from its "
            "weights), or pass prefit=False."
        ) from exc


def starting_model(estimator, prefit: bool, X_raw, X: np.ndarray, y: np.ndarray):
    """The fitted classifier unlearning starts from.

    With ``prefit``, ``estimator`` itself (fitted: see :func:`check_fitted`),
    checked to have seen rows like ``X`` and labels like ``y``; otherwise a
    clone of it fitted on ``X_raw`` (``X`` as the caller passed it, so that
    column names reach the clone) and ``y``.
    """
    if not prefit:
        if np.unique(y).size < 2:
            raise ValueError(
                "y has one class: a classifier needs at least two to learn "
                "(and to unlearn)."
            )
        return clone(estimator).fit(X_raw, y)
    expected = getattr(estimator, "n_features_in_", X.shape[1])
    if X.shape[1] != expected:
        raise ValueError(
            f"X has {X.shape[1]} features but the estimator was fitted on "
            f"{expected}: pass the estimator's own training data."
        )
    classes = estimator.classes_
    unknown = np.setdiff1d(np.unique(y), classes)
    if unknown.size:
        raise ValueError(
            f"y has labels {unknown.tolist()} unknown to the estimator "
            f"(classes {classes.tolist()})."
        )
    return estimator


def validation_set(X_val: np.ndarray, y_val: np.ndarray, classes, y_forget):
    """``(X_val, class indices, weights)`` of the class-matched criterion.

    ``y_val`` holds labels of ``classes``, ``y_forget`` the class indices of
    the rows to forget; see
    :func:`~sklearn_unlearn.datapoint._fine_tuning.class_matched_validation`.
    """
    if np.setdiff1d(np.unique(y_val), classes).size:
        raise ValueError("y_val has labels the estimator does not know.")
    used, y_all, weights = class_matched_validation(
        y_forget, np.searchsorted(classes, y_val), classes.size
    )
    if not used.any():
        raise ValueError(
            "X_val has no row of the classes of the forgotten rows: the "
            "early-stopping criterion compares them class by class."
        )
    return X_val[used], y_all, weights


def check_validation(unlearner, X_val, y_val, classes, y_forget):
    """Validation rows and the weights of the class-matched criterion, or None."""
    if X_val is None and y_val is None:
        return None
    if X_val is None or y_val is None:
        raise ValueError("Pass both X_val and y_val, or neither.")
    X_val, y_val = validate_data(unlearner, X_val, y_val, dtype=np.float64, reset=False)
    return validation_set(X_val, y_val, classes, y_forget)
