"""Input checks of BarycenterOutcomeUnlearner: the rows of X and their groups.

S itself is parsed by :func:`sklearn_unlearn.utils._sensitive.parse_sensitive`;
here are the checks around it: X before the wrapped model reads it, and the
groups of new rows against the fitted ones.
"""

import numpy as np
from sklearn.exceptions import NotFittedError
from sklearn.utils.validation import check_array, check_is_fitted

from sklearn_unlearn.utils._sensitive import SensitiveRecord
from sklearn_unlearn.utils._validation import check_no_sparse, is_dask, is_dataframe

__all__ = [
    "MISSING_S",
    "NOT_PREFITTED",
    "check_dask_fit",
    "check_rows",
    "is_prefitted",
    "known_codes",
]

#: The error when S is neither passed nor located in X.
MISSING_S = (
    "sensitive_features is required: pass the sensitive values as "
    "fit(X, y, sensitive_features=S) and predict(X, sensitive_features=S), or "
    "say where S is in X with BarycenterOutcomeUnlearner(estimator, "
    "sensitive_feature_ids=...)."
)


#: The error when a fit that reads a fitted model's outputs (``partial_fit``,
#: ``fit`` of dask arrays) gets an unfitted one; formatted with ``caller``.
NOT_PREFITTED = (
    "{caller} gathers the groups' output laws of a fitted model from chunks of "
    "rows: pass a fitted estimator (e.g. sklearn.frozen.FrozenEstimator(model)), "
    "or call fit on rows in memory."
)


def is_prefitted(model) -> bool:
    """Whether ``model`` is already fitted (scikit-learn's check)."""
    try:
        check_is_fitted(model)
    except NotFittedError:
        return False
    return True


def check_dask_fit(model, cv, fit_params: dict) -> None:
    """A dask fit reads a fitted model's outputs: no refit, no cross-fitting."""
    if not is_prefitted(model):
        raise ValueError(
            "dask input: a model is fitted on rows in memory, and fit of dask X "
            "reads a fitted model's outputs block by block. Fit the estimator on "
            "rows in memory (a sample) and pass it fitted (e.g. "
            "sklearn.frozen.FrozenEstimator(model)), or compute X first."
        )
    if cv is not None or fit_params:
        raise ValueError(
            "dask input: the fitted estimator is used as it is, so cv and fit "
            "parameters (which refit it) are not used: pass cv=None and no fit "
            "parameters, or compute X first."
        )


def check_rows(X, *, allow_nan: bool, fitting: bool):
    """X as the wrapped model will read it: dense, of any column types.

    Parameters
    ----------
    X : {array-like, DataFrame} of shape (n_samples, n_features)
        The rows. Data frames are passed on as they are (the model reads
        their column types).
    allow_nan : bool
        Whether the wrapped model accepts missing values.
    fitting : bool
        Fit needs two rows or more; a prediction one.

    Returns
    -------
    X : {ndarray, DataFrame} of shape (n_samples, n_features)
        The validated rows (a 2-D array of any dtype, or the frame).

    Raises
    ------
    TypeError
        For sparse input.
    ValueError
        For a non-2-D array, too few rows, or NaN or inf (unless ``allow_nan``).
    """
    check_no_sparse(X)
    if is_dataframe(X) or is_dask(X):  # dask: each block is checked
        return X
    return check_array(
        X,
        dtype=None,
        ensure_all_finite="allow-nan" if allow_nan else True,
        ensure_min_samples=2 if fitting else 1,
        input_name="X",
    )


def known_codes(record: SensitiveRecord, groups: np.ndarray) -> np.ndarray:
    """The record's group codes; groups unseen during fit are an error.

    Parameters
    ----------
    record : SensitiveRecord
        S of new rows, looked up in the fitted encoding (code -1: unseen).
    groups : ndarray of shape (n_groups,)
        The fitted groups, for the error message.

    Returns
    -------
    codes : ndarray of shape (n_samples,), dtype intp
        Every code in ``0 .. n_groups - 1``.
    """
    codes, columns = record.codes, record.columns
    if np.any(codes < 0):
        unseen = np.flatnonzero(codes < 0)
        values = {
            tuple(c[i] for c in columns) if len(columns) > 1 else columns[0][i]
            for i in unseen[:1000]
        }
        raise ValueError(
            f"sensitive_features has {unseen.size} sample(s) in groups unseen "
            f"during fit: {sorted(map(repr, values))[:10]} (fitted groups: "
            f"{groups.tolist()}). Refit with these groups, or merge them into a "
            "fitted group."
        )
    return codes
