"""Which rows form the forget domain: a domain column of X or a forget mask.

The domain column is split out of ``X`` by
:func:`~sklearn_unlearn.utils._sensitive.parse_sensitive` (the one parser of
such columns); its values say which rows are in the forget domain through
``forget_value``. Functions of arrays and explicit parameters: the selector
validates ``X`` and passes its own parameters.
"""

from typing import NamedTuple

import numpy as np
import pandas as pd
from sklearn.utils.validation import check_array

from sklearn_unlearn.utils._sensitive import parse_sensitive
from sklearn_unlearn.utils._validation import (
    check_forget_mask,
    check_no_sparse,
    is_dask,
    is_dataframe,
    to_float_features,
)

__all__ = [
    "DOMAIN_HINT",
    "KEEP_IN_OUTPUT",
    "NOT_FINITE",
    "NO_FORGET_DOMAIN",
    "DomainSplit",
    "check_both_domains",
    "check_domain_input",
    "check_in_memory",
    "check_domain_column",
    "check_lazy_forget_mask",
    "float_features",
    "forget_mask_of",
    "forget_rows",
    "split_domain",
]

DOMAIN_HINT = ", or name it in domain_column if it holds the domain"
NO_FORGET_DOMAIN = (
    "No forget domain: pass fit(X, forget_mask=mask) with True for the rows to "
    "forget, or name a column of X with domain_column."
)
NOT_FINITE = (
    "Input X contains NaN or infinity (or values so large that their sums "
    "overflow): impute or drop those rows, or rescale X."
)


#: ``drop_domain_column`` value: scored without the column, resampled with it.
KEEP_IN_OUTPUT = "keep_in_output"


class DomainSplit(NamedTuple):
    """X split into its features and its domain column (passive data)."""

    features: object  # X without the domain column (X itself if it is kept)
    column: np.ndarray | None  # the domain column's values, None without one
    position: int | None  # the domain column's position in X
    output: object  # the columns ``fit_resample`` returns


def check_domain_column(column: np.ndarray) -> None:
    """Raise unless every value of ``column`` labels a domain (no NaN, no mix)."""
    kind = pd.api.types.infer_dtype(column, skipna=False)
    if kind in ("complex", "mixed", "unknown-array", "empty"):
        raise TypeError(
            f"domain_column holds {kind} values: each argument must be a string "
            "or a number (or a bool) that labels the row's domain."
        )
    if bool(pd.isna(column).any()) or (
        column.dtype.kind == "f" and not np.isfinite(column).all()
    ):
        raise ValueError(
            "domain_column contains NaN, None or infinite values: every row "
            "needs a domain label. Fill or drop those rows."
        )


def check_in_memory(X) -> None:
    """Raise for a dask array: chunks of ``partial_fit`` are in memory."""
    if is_dask(X):
        raise TypeError(
            "partial_fit takes in-memory chunks (NumPy arrays or DataFrames); "
            "pass a dask array to fit instead, which reduces it blockwise."
        )


def check_domain_input(X, forget_mask, domain_column):
    """``X`` ready for ``validate_data`` and for the split of its domain column.

    Dense only; with a domain column, no ``forget_mask`` and a 2-D array (of
    any dtype) unless ``X`` is a frame.
    """
    check_no_sparse(X)
    if domain_column is None:
        return X
    if forget_mask is not None:
        raise ValueError(
            "Both domain_column and forget_mask are set: say which rows form "
            "the forget domain in one way only."
        )
    return X if is_dataframe(X) else check_array(X, dtype=None, ensure_all_finite=False)


def split_domain(
    X, domain_column, drop_domain_column, feature_names=None
) -> DomainSplit:
    """Split the (validated) ``X`` into features and the domain column.

    Without ``domain_column`` the features are ``X``. ``drop_domain_column``
    is True (the column is neither scored nor returned), False (it is a
    feature) or ``"keep_in_output"`` (not scored, but ``fit_resample`` returns
    every column of ``X``, as a sampler in an imbalanced-learn ``Pipeline``
    must: its ``predict`` receives ``X`` whole). The column's values are
    checked by :func:`check_domain_column`.
    """
    if domain_column is None:
        return DomainSplit(X, None, None, X)
    record = parse_sensitive(
        X,
        spec=domain_column,
        feature_names=feature_names,
        spec_param="domain_column",
        encode=False,
    )
    (column,) = record.columns
    check_domain_column(column)
    features = record.features if drop_domain_column else X
    output = X if drop_domain_column == KEEP_IN_OUTPUT else features
    return DomainSplit(features, column, int(record.positions[0]), output)


def forget_rows(column: np.ndarray, forget_value) -> np.ndarray:
    """Boolean mask of the rows whose domain value is ``forget_value``.

    A list (tuple, set or array) means any of its values; a callable receives
    the column and returns the mask.
    """
    if callable(forget_value):
        mask = np.asarray(forget_value(column))
        if mask.dtype != bool or mask.shape != column.shape:
            raise ValueError(
                "forget_value is a callable, so it must return a boolean mask "
                f"of shape {column.shape}; got dtype {mask.dtype} and shape "
                f"{mask.shape}."
            )
        return mask
    if isinstance(forget_value, list | tuple | set | np.ndarray):
        return np.isin(column, list(forget_value))
    return np.asarray(column == forget_value, dtype=bool)


def float_features(features) -> np.ndarray:
    """The features as a float array (NaN and inf are left for the passes)."""
    return to_float_features(features, hint=DOMAIN_HINT, ensure_all_finite=False)


def forget_mask_of(split: DomainSplit, forget_mask, forget_value, n_samples: int):
    """The forget domain of the rows: from the domain column, else the mask."""
    if split.column is not None:
        return forget_rows(split.column, forget_value)
    return check_forget_mask(forget_mask, n_samples, missing=NO_FORGET_DOMAIN)


def check_lazy_forget_mask(forget_mask, n_samples: int) -> np.ndarray:
    """The forget mask of a dask array's rows (NumPy or dask) as a NumPy array."""
    if forget_mask is None:
        raise ValueError("Pass forget_mask=... (a boolean array, one per row).")
    if is_dask(forget_mask):
        forget_mask = forget_mask.compute()
    return check_forget_mask(forget_mask, n_samples, missing=NO_FORGET_DOMAIN)


def check_both_domains(mask: np.ndarray) -> int:
    """The number of forget rows; raise unless both domains have rows."""
    n_forget = int(mask.sum())
    for name, n_rows in (("forget", n_forget), ("retained", mask.size - n_forget)):
        if n_rows == 0:
            raise ValueError(
                f"The {name} set is empty: all {mask.size} sample(s) are in "
                f"{'the retained' if name == 'forget' else 'the forget'} "
                "domain. The selector needs rows of both domains."
            )
    return n_forget
