"""Input validation shared by the estimators: the ONE place groups are parsed.

A sensitive attribute S arrives either as columns of ``X`` (named by the
``sensitive_features`` constructor parameter) or as a separate array passed as
metadata. Either way it ends up as a list of 1-D columns, which
:func:`encode_groups` turns into integer group codes at fit time and
:func:`lookup_groups` maps again at transform time (``-1`` for unseen groups).
"""

from numbers import Integral
from typing import NamedTuple

import numpy as np
import pandas as pd
from scipy import sparse
from sklearn.utils.validation import check_array

__all__ = [
    "has_missing",
    "GroupEncoding",
    "MAX_FLOAT_LEVELS",
    "check_no_sparse",
    "delegate_tags",
    "is_dask",
    "encode_groups",
    "is_dataframe",
    "lookup_groups",
    "resolve_sensitive_columns",
    "sensitive_columns_from_metadata",
    "split_columns",
    "to_float_features",
]

#: A float sensitive column with more distinct values than this looks continuous.
MAX_FLOAT_LEVELS = 20


class GroupEncoding(NamedTuple):
    """How raw sensitive values map to group codes ``0 .. n_groups - 1``."""

    groups: np.ndarray  # (n_groups,) group labels (tuples for several columns)
    codes: np.ndarray  # (n_samples,) intp codes of the fitted samples
    categories: list  # per column: sorted distinct values (or bin indices)
    combined: np.ndarray  # (n_groups,) sorted mixed-radix keys of the groups
    bin_edges: list | None  # per column: inner quantile edges when binning


def is_dask(X) -> bool:
    """True for dask arrays and DataFrames (without importing dask)."""
    module = type(X).__module__.split(".")[0]
    return module in ("dask", "dask_expr") and hasattr(X, "dask")


def is_dataframe(X) -> bool:
    """True for pandas and polars data frames (without importing polars)."""
    if isinstance(X, pd.DataFrame):
        return True
    return type(X).__module__.split(".")[0] == "polars" and hasattr(X, "columns")


def check_same_rows(X, values, name: str, what: str) -> None:
    """Raise if ``values`` (named ``name``) has not one entry per row of ``X``."""
    if values is None or not hasattr(values, "__len__") or not hasattr(X, "__len__"):
        return
    n_values, n_samples = len(values), len(X)
    if n_values != n_samples:
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


def resolve_sensitive_columns(
    sensitive_features,
    n_features: int,
    feature_names,
    *,
    param: str = "sensitive_features",
) -> np.ndarray:
    """Positions in ``X`` of the columns named by ``sensitive_features``.

    ``param`` is the name of the parameter that named them, for the messages.
    """
    items = (
        [sensitive_features]
        if isinstance(sensitive_features, str | Integral)
        else list(sensitive_features)
    )
    if not items:
        raise ValueError(
            f"{param} is empty: name at least one column of X, or pass "
            f"None and give the values as {param}= to fit."
        )
    names = None if feature_names is None else list(feature_names)
    positions = []
    for item in items:
        if isinstance(item, str):
            if names is None:
                raise ValueError(
                    f"{param} names the column {item!r} but X has no "
                    "column names: pass a DataFrame, or integer column indices."
                )
            if item not in names:
                raise ValueError(
                    f"{param}: column {item!r} is not in X. Columns of "
                    f"X: {names[:20]}{' ...' if len(names) > 20 else ''}."
                )
            positions.append(names.index(item))
        elif isinstance(item, Integral) and not isinstance(item, bool):
            if not -n_features <= item < n_features:
                raise ValueError(
                    f"{param}: column index {item} is out of range for X "
                    f"with {n_features} feature(s)."
                )
            positions.append(int(item) % n_features)
        else:
            raise TypeError(
                f"{param} must hold column names (str) or integer "
                f"indices; got {item!r} of type {type(item).__name__}."
            )
    positions = np.asarray(positions, dtype=np.intp)
    if np.unique(positions).size != positions.size:
        raise ValueError(f"{param} names the same column twice.")
    if positions.size >= n_features:
        raise ValueError(
            f"X has {n_features} feature(s) and {param} names all of them: no "
            "feature would be left. Add the features to work on."
        )
    return positions


def split_columns(X, sensitive_idx: np.ndarray) -> tuple[object, list]:
    """Split ``X`` into its non-sensitive part and a list of sensitive columns."""
    n_features = X.shape[1]
    keep = np.setdiff1d(np.arange(n_features), sensitive_idx)
    if isinstance(X, pd.DataFrame):
        columns = [np.asarray(X.iloc[:, i]) for i in sensitive_idx]
        return X.iloc[:, keep], columns
    if is_dataframe(X):  # polars
        names = list(X.columns)
        columns = [X.get_column(names[i]).to_numpy() for i in sensitive_idx]
        return X.select([names[i] for i in keep]), columns
    X = np.asarray(X)
    return np.take(X, keep, axis=1), [X[:, i] for i in sensitive_idx]


def sensitive_columns_from_metadata(values, n_samples: int) -> list:
    """Turn metadata ``sensitive_features`` (1-D, 2-D or a frame) into columns."""
    check_no_sparse(values, "sensitive_features")
    if is_dataframe(values):
        columns = (
            [np.asarray(values.iloc[:, j]) for j in range(values.shape[1])]
            if isinstance(values, pd.DataFrame)
            else [s.to_numpy() for s in values.iter_columns()]
        )
    else:
        arr = np.asarray(values)
        if arr.ndim == 1:
            columns = [arr]
        elif arr.ndim == 2:
            columns = [arr[:, j] for j in range(arr.shape[1])]
        else:
            raise ValueError(
                "sensitive_features must be 1-D (one attribute) or 2-D (several "
                f"attributes, intersectional groups); got {arr.ndim} dimensions."
            )
    if not columns:
        raise ValueError("sensitive_features has no column.")
    if len(columns[0]) != n_samples:
        raise ValueError(
            f"sensitive_features has {len(columns[0])} samples but X has "
            f"{n_samples}: pass one sensitive value per row of X."
        )
    return columns


#: How to fix non-numeric features, for the unlearner (overridable per caller).
SENSITIVE_HINT = (
    ", or list them in sensitive_features if they hold the sensitive attribute"
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


def _column_name(position, feature_names) -> str:
    if feature_names is not None and position is not None:
        return repr(str(feature_names[position]))
    return f"#{position}" if position is not None else "(metadata)"


def has_missing(values: np.ndarray) -> bool:
    """True if ``values`` holds a NaN, an infinity or (objects) a missing value."""
    if values.dtype.kind in "fc":
        return not np.isfinite(values).all()
    return values.dtype.kind == "O" and bool(pd.isna(values).any())


def _check_no_missing(values: np.ndarray, label: str) -> None:
    if has_missing(values):
        raise ValueError(
            f"Sensitive column {label} contains missing or infinite values: fill or "
            "drop them, or encode missingness as a category of its own."
        )


def _bin_column(values: np.ndarray, n_bins: int, label: str) -> np.ndarray:
    values = np.asarray(values, dtype=np.float64)
    _check_no_missing(values, label)
    quantiles = np.quantile(values, np.linspace(0.0, 1.0, n_bins + 1)[1:-1])
    return np.unique(quantiles)


def encode_groups(
    columns: list, *, positions=None, feature_names=None, n_bins: int | None = None
) -> GroupEncoding:
    """Encode sensitive columns into groups (intersections for several columns).

    Float columns with more than :data:`MAX_FLOAT_LEVELS` distinct values are
    rejected as continuous unless ``n_bins`` asks for quantile binning.
    """
    positions = [None] * len(columns) if positions is None else list(positions)
    categories, inverses, bin_edges = [], [], [] if n_bins is not None else None
    for values, pos in zip(columns, positions, strict=True):
        label = _column_name(pos, feature_names)
        if n_bins is not None:
            edges = _bin_column(values, n_bins, label)
            bin_edges.append(edges)
            codes = np.searchsorted(
                edges, np.asarray(values, dtype=np.float64), "right"
            )
            cats = np.arange(edges.size + 1)
        else:
            values = np.asarray(values)
            _check_no_missing(values, label)
            try:  # hash the distinct values (O(n)), sort only those
                cats = np.sort(pd.unique(values))
            except TypeError as exc:
                raise ValueError(
                    f"Sensitive column {label} mixes value types that cannot be "
                    "ordered (e.g. strings and numbers): cast it to one type."
                ) from exc
            codes = _category_codes(values, cats)
            if values.dtype.kind == "f" and cats.size > MAX_FLOAT_LEVELS:
                raise ValueError(
                    f"Sensitive column {label} is float with {cats.size} distinct "
                    "values: it looks continuous. Bin it into groups first, e.g. "
                    "sensitive_bins=4 (quantile bins) or a KBinsDiscretizer, or cast "
                    "it to int/str if its values are categories."
                )
        categories.append(cats)
        inverses.append(np.asarray(codes, dtype=np.intp).ravel())
    dims = [c.size for c in categories]
    keys = np.ravel_multi_index(inverses, dims) if len(dims) > 1 else inverses[0]
    n_keys = int(np.prod(dims))
    if n_keys <= 4 * keys.size + 1024:  # compact the present keys in O(n)
        present = np.bincount(keys, minlength=n_keys) > 0
        combined = np.flatnonzero(present)
        codes = (np.cumsum(present) - 1)[keys]
    else:
        combined, codes = np.unique(keys, return_inverse=True)
    if len(dims) == 1:
        groups = categories[0][combined]
    else:
        parts = np.unravel_index(combined, dims)
        groups = np.empty(combined.size, dtype=object)
        groups[:] = [
            tuple(cat[p[g]] for cat, p in zip(categories, parts, strict=True))
            for g in range(combined.size)
        ]
    return GroupEncoding(
        groups=groups,
        codes=codes.astype(np.intp).ravel(),
        categories=categories,
        combined=combined,
        bin_edges=bin_edges,
    )


def _category_codes(values: np.ndarray, categories: np.ndarray) -> np.ndarray:
    """Position of each value in the sorted ``categories``, -1 when absent."""
    numeric = values.dtype.kind in "biuf" and categories.dtype.kind in "biuf"
    if not numeric:  # hashing copes with mixed and mismatched types
        return pd.Index(categories).get_indexer(values)
    position = np.searchsorted(categories, values)
    np.minimum(position, categories.size - 1, out=position)
    return np.where(categories[position] == values, position, -1)


def lookup_groups(columns: list, encoding: GroupEncoding) -> np.ndarray:
    """Group codes of new sensitive values; ``-1`` marks groups unseen at fit."""
    dims = [c.size for c in encoding.categories]
    per_column = []
    for j, values in enumerate(columns):
        if encoding.bin_edges is not None:
            values = np.asarray(values, dtype=np.float64)
            _check_no_missing(values, f"#{j}")
            codes = np.searchsorted(encoding.bin_edges[j], values, side="right")
        else:
            values = np.asarray(values)
            _check_no_missing(values, f"#{j}")
            codes = _category_codes(values, encoding.categories[j])
        per_column.append(np.asarray(codes, dtype=np.intp))
    if len(dims) == 1 and encoding.combined.size == dims[0]:
        # one column whose every category is a group (always, without binning
        # gaps): the category position is the group code, -1 when unseen
        return per_column[0]
    unseen = np.zeros(per_column[0].shape, dtype=bool)
    for codes in per_column:
        unseen |= codes < 0
    safe = [np.where(unseen, 0, c) for c in per_column]
    keys = np.ravel_multi_index(safe, dims) if len(dims) > 1 else safe[0]
    position = np.searchsorted(encoding.combined, keys)
    position = np.minimum(position, encoding.combined.size - 1)
    found = (encoding.combined[position] == keys) & ~unseen
    return np.where(found, position, -1).astype(np.intp)


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
