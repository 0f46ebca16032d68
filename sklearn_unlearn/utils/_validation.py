"""Input validation shared by the estimators: arrays, frames, masks, tags.

The sensitive attribute is parsed in :mod:`sklearn_unlearn.utils._sensitive`.
"""

import numpy as np
import pandas as pd
from scipy import sparse
from sklearn.utils import _safe_indexing
from sklearn.utils.validation import _num_samples, check_array

__all__ = [
    "subset_params",
    "MAX_FLOAT_LEVELS",
    "check_forget_mask",
    "check_no_sparse",
    "check_same_rows",
    "delegate_tags",
    "estimator_has",
    "has_missing",
    "is_dask",
    "is_dataframe",
    "to_float_features",
]

#: A float sensitive column with more distinct values than this looks continuous.
MAX_FLOAT_LEVELS = 20


def is_dask(X) -> bool:
    """True for dask arrays and DataFrames (without importing dask)."""
    module = type(X).__module__.split(".")[0]
    return module in ("dask", "dask_expr") and hasattr(X, "dask")


def is_dataframe(X) -> bool:
    """True for pandas and polars data frames (without importing polars)."""
    if isinstance(X, pd.DataFrame):
        return True
    return type(X).__module__.split(".")[0] == "polars" and hasattr(X, "columns")


def _rows(values) -> int | None:
    """Number of rows (the first dimension), None when it is not known."""
    shape = getattr(values, "shape", None)
    if shape is not None and len(shape) > 0:
        return shape[0] if isinstance(shape[0], int | np.integer) else None
    return len(values)


def check_same_rows(X, values, name: str, what: str) -> None:
    """Raise if ``values`` (named ``name``) has not one entry per row of ``X``."""
    if values is None or not hasattr(values, "__len__") or not hasattr(X, "__len__"):
        return
    n_values, n_samples = _rows(values), _rows(X)
    if None not in (n_values, n_samples) and n_values != n_samples:
        raise ValueError(
            f"{name} has {n_values} rows but X has {n_samples}: pass {what}."
        )


def check_no_sparse(X, name: str = "X") -> None:
    """Raise a clear TypeError for scipy sparse input."""
    if sparse.issparse(X):
        raise TypeError(
            f"Sparse input is not supported for {name}: the barycenter maps produce "
            "dense output. Convert it with X.toarray() first."
        )


#: How to fix non-numeric features, for the unlearner (overridable per caller).
SENSITIVE_HINT = (
    ", or list them in sensitive_feature_ids if they hold the sensitive attribute"
)


def to_float_features(
    X_features,
    *,
    ensure_min_samples: int = 1,
    hint: str = SENSITIVE_HINT,
    ensure_all_finite: bool = True,
) -> np.ndarray:
    """Validate the features as a finite, C-ordered float64/float32 array.

    ``hint`` ends the message about non-numeric columns (after the advice to
    encode them). ``ensure_all_finite=False`` skips the finiteness pass, for
    callers whose first pass over the data detects NaN and inf anyway.
    """
    if isinstance(X_features, pd.DataFrame):
        bad = [
            str(c)
            for c, dt in X_features.dtypes.items()
            if not (pd.api.types.is_numeric_dtype(dt) or pd.api.types.is_bool_dtype(dt))
        ]
        if bad:
            raise ValueError(
                f"Non-numeric feature column(s) {bad}: encode them first, e.g. "
                "with a ColumnTransformer (OneHotEncoder for categories) before "
                f"this step{hint}."
            )
    if is_dataframe(X_features) and not isinstance(X_features, pd.DataFrame):
        # polars: to_numpy keeps float32 columns float32 (check_array would not)
        X_features = X_features.to_numpy()
    try:
        return check_array(
            X_features,
            dtype=[np.float64, np.float32],
            order="C",  # the kernels gather rows: C order keeps that cheap
            ensure_min_samples=ensure_min_samples,
            ensure_min_features=1,
            ensure_all_finite=ensure_all_finite,
            input_name="X",
        )
    except ValueError as exc:
        if "could not convert" in str(exc):
            raise ValueError(
                f"Non-numeric features in X ({exc}): encode them first, e.g. with "
                f"a ColumnTransformer (OneHotEncoder for categories){hint}."
            ) from exc
        raise


def has_missing(values: np.ndarray) -> bool:
    """True if ``values`` holds a NaN, an infinity or (objects) a missing value."""
    if values.dtype.kind in "fc":
        return not np.isfinite(values).all()
    return values.dtype.kind == "O" and bool(pd.isna(values).any())


def check_forget_mask(forget_mask, n_samples: int, *, missing: str) -> np.ndarray:
    """Validate a boolean mask of the rows to forget, one entry per row of X.

    ``missing`` is the message when no mask was given (it says where it should
    come from for the caller).
    """
    if forget_mask is None:
        raise ValueError(missing)
    check_no_sparse(forget_mask, "forget_mask")
    mask = np.asarray(forget_mask)
    if mask.dtype != bool:
        raise ValueError(
            f"forget_mask must be boolean (True = a row to forget); got dtype "
            f"{mask.dtype}. Convert it, e.g. forget_mask=(labels == 'spam')."
        )
    if mask.ndim != 1 or mask.shape[0] != n_samples:
        raise ValueError(
            f"forget_mask has shape {mask.shape} but X has {n_samples} "
            "samples: pass one boolean per row of X."
        )
    return mask


def estimator_has(name: str, attribute: str = "estimator"):
    """``available_if`` check: the wrapped ``self.<attribute>`` has ``name``."""

    def check(self) -> bool:
        return hasattr(getattr(self, attribute), name)

    return check


def delegate_tags(tags, estimator, *, allow_nan: bool):
    """Tags of a meta-estimator that acts as its wrapped ``estimator``.

    The estimator type and the classifier, regressor and target tags are the
    wrapped estimator's; dense input only; ``allow_nan`` as given.
    """
    from sklearn.utils import get_tags

    inner = get_tags(estimator)
    tags.estimator_type = inner.estimator_type
    tags.classifier_tags = inner.classifier_tags
    tags.regressor_tags = inner.regressor_tags
    tags.target_tags = inner.target_tags
    tags.input_tags.sparse = False
    tags.input_tags.allow_nan = allow_nan
    return tags


def subset_params(params: dict, rows: np.ndarray, n_samples: int) -> dict:
    """``params``, each per-sample value (one per training row) taken at ``rows``."""
    out = {}
    for key, value in params.items():
        per_sample = hasattr(value, "__len__") and not isinstance(value, str | dict)
        if per_sample and _num_samples(value) == n_samples:
            value = _safe_indexing(value, rows)
        out[key] = value
    return out
