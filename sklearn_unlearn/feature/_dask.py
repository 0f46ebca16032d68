"""Dask arrays and DataFrames for the Gaussian method: reductions and map_blocks.

Fit computes each block's group moments on the workers and merges them exactly
(a tree of :func:`merge_moments`), so the barycenter and maps equal those of an
in-memory fit on the same rows (to rounding); only ``n_groups`` moment
matrices travel. Transform is lazy: one ``map_blocks`` applying the affine maps
of each row's group. Dask is imported only when dask data are passed.
"""

import numpy as np

from sklearn_unlearn.feature._gaussian import (
    affine_transport,
    group_moments,
    merge_moments,
)
from sklearn_unlearn.feature._methods import check_finite_moments
from sklearn_unlearn.utils._reduce import tree_reduce
from sklearn_unlearn.utils._sensitive import parse_sensitive
from sklearn_unlearn.utils._validation import is_dask

__all__ = [
    "dask_split",
    "fit_dask",
    "fit_dask_moments",
    "is_dask",
    "transform_dask",
    "transform_unlearner_dask",
]


def dask_split(X, sensitive_columns, sensitive_features):
    """Features (a dask array, one column chunk) and S (a 1-D dask array).

    ``sensitive_columns`` are names (DataFrame) or positions (array) of S in X;
    otherwise ``sensitive_features`` holds S (dask or numpy, one value per row).
    """
    import dask.array as da
    import dask.dataframe as dd

    if isinstance(X, dd.DataFrame):
        names = list(X.columns)
        if sensitive_columns:
            if len(sensitive_columns) != 1:
                raise ValueError("dask input supports one sensitive column.")
            s = X[sensitive_columns[0]].to_dask_array(lengths=True)
            X = X.drop(columns=sensitive_columns)
        else:
            s = sensitive_features
        features = X.astype("float64").to_dask_array(lengths=True)
        names = [n for n in names if n not in (sensitive_columns or [])]
    else:
        names = None
        features = X
        if sensitive_columns:
            if len(sensitive_columns) != 1:
                raise ValueError("dask input supports one sensitive column.")
            (j,) = sensitive_columns
            keep = [c for c in range(X.shape[1]) if c != j]
            s, features = X[:, j], X[:, keep]
        else:
            s = sensitive_features
    if s is None:
        raise ValueError(
            "No sensitive attribute: name its column (sensitive_features=[...]) or "
            "pass its values as sensitive_features=S (a dask or numpy array)."
        )
    if not is_dask(s):
        s = np.asarray(s)
    s = s.reshape(-1) if s.ndim > 1 else s
    if s.shape[0] != features.shape[0]:
        raise ValueError(
            f"sensitive_features has {s.shape[0]} values but X has "
            f"{features.shape[0]} rows."
        )
    features = features.rechunk({1: -1})
    if is_dask(s):
        s = s.rechunk((features.chunks[0],))
    else:
        s = da.from_array(s, chunks=(features.chunks[0],))
    if not np.issubdtype(features.dtype, np.floating):
        features = features.astype(np.float64)
    return features, s, names


def _block_moments(X, s, encoding, n_groups):
    codes = parse_sensitive(values=np.asarray(s), fitted=encoding).codes
    if np.any(codes < 0):  # cannot happen: the groups are read from S first
        raise ValueError("a block holds a group missing from the encoding")
    # NaN and inf reach the moments; the caller checks the merged ones
    with np.errstate(invalid="ignore", over="ignore"):
        return group_moments(X, codes, n_groups)


def fit_dask_moments(features, s):
    """Group encoding (from the distinct values of S) and merged moments."""
    import dask
    import dask.array as da

    labels = da.unique(s).compute()
    encoding = parse_sensitive(values=np.asarray(labels)).encoding
    n_groups = encoding.groups.size
    blocks = [
        dask.delayed(_block_moments)(xb, sb, encoding, n_groups)
        for xb, sb in zip(
            features.to_delayed().ravel(), s.to_delayed().ravel(), strict=True
        )
    ]
    merged = dask.delayed(tree_reduce)(blocks, merge_moments)
    return encoding, merged.compute()


def _transform_block(X, s, encoding, maps, handle_unknown):
    codes = parse_sensitive(values=np.asarray(s).ravel(), fitted=encoding).codes
    if handle_unknown == "error" and np.any(codes < 0):
        raise ValueError(
            "a block holds samples of groups unseen during fit; use "
            "handle_unknown='identity' to pass them through unchanged."
        )
    with np.errstate(invalid="ignore", over="ignore"):
        return affine_transport(np.asarray(X), codes, maps, check_finite=True)


def transform_dask(features, s, encoding, maps, handle_unknown):
    """Lazy repaired dask array, one ``map_blocks`` over the row chunks."""
    import dask.array as da

    return da.map_blocks(
        _transform_block,
        features,
        s[:, None],
        encoding=encoding,
        maps=maps,
        handle_unknown=handle_unknown,
        dtype=features.dtype,
        chunks=features.chunks,
    )


def _sensitive_columns(estimator, X):
    """Names (DataFrame) or positions (array) of the sensitive columns, or []."""
    spec = estimator.sensitive_features
    if spec is None:
        return []
    spec = [spec] if isinstance(spec, (str, int, np.integer)) else list(spec)
    if hasattr(X, "columns"):
        missing = [c for c in spec if c not in X.columns]
        if missing:
            raise ValueError(f"sensitive_features {missing} are not columns of X.")
    return spec


def _check_supported(estimator):
    if estimator.method != "gaussian":
        raise ValueError(
            f"dask input is supported by method='gaussian' (mergeable moments, "
            f"blockwise maps); method={estimator.method!r} needs all rows in "
            "memory: compute the array first."
        )
    if estimator.sensitive_bins is not None or not estimator.drop_sensitive:
        raise ValueError(
            "dask input supports neither sensitive_bins nor drop_sensitive=False."
        )


def fit_dask(estimator, X, sensitive_features) -> dict:
    """Fitted attributes of a Gaussian unlearner, from dask data."""
    _check_supported(estimator)
    columns = _sensitive_columns(estimator, X)
    if columns and sensitive_features is not None:
        raise ValueError(
            "The sensitive attribute is given twice: as columns of X and as "
            "sensitive_features values. Use one of them."
        )
    features, s, names = dask_split(X, columns, sensitive_features)
    encoding, moments = fit_dask_moments(features, s)
    check_finite_moments(moments)
    if encoding.groups.size < 2:
        raise ValueError("Only one group in the sensitive attribute.")
    state = {
        "_encoding": encoding._replace(counts=moments.counts),
        "groups_": encoding.groups,
        "group_counts_": moments.counts,
        "n_features_in_": X.shape[1] if names is None else len(X.columns),
        "_dask_moments": moments,
    }
    if hasattr(X, "columns"):
        state["feature_names_in_"] = np.asarray(list(X.columns), dtype=object)
        positions = [list(X.columns).index(c) for c in columns]
    else:
        positions = columns
    state["sensitive_columns_"] = np.asarray(positions, dtype=np.intp)
    return state


def transform_unlearner_dask(estimator, X, sensitive_features, maps):
    """Lazy transform of dask data by a fitted Gaussian unlearner."""
    _check_supported(estimator)
    columns = _sensitive_columns(estimator, X)
    features, s, _ = dask_split(X, columns, sensitive_features)
    expected = estimator.n_features_in_ - len(columns)
    if features.shape[1] != expected:
        raise ValueError(
            f"X has {features.shape[1]} feature columns, but the unlearner was "
            f"fitted with {expected}."
        )
    return transform_dask(
        features, s, estimator._encoding, maps, estimator.handle_unknown
    )
