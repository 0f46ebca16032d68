"""Checks of BarycenterFeatureUnlearner's inputs, and its output assembly.

Pure functions of arrays and parameter values, called by the estimator's
public methods before any work (the estimator validates once, then calls the
method kernels).
"""

import numpy as np
from sklearn.utils import check_random_state
from sklearn.utils.validation import check_array

from sklearn_unlearn.feature._dask import dask_float_features
from sklearn_unlearn.feature._methods import METHODS
from sklearn_unlearn.utils._sensitive import SensitiveRecord, parse_sensitive
from sklearn_unlearn.utils._validation import (
    check_no_sparse,
    is_dask,
    to_float_features,
)
from sklearn_unlearn.utils._warnings import warn_user

__all__ = [
    "GROUPS_HINT",
    "assemble",
    "check_dask_supported",
    "check_inverse_input",
    "check_known",
    "check_streaming",
    "draw_seed",
    "check_label",
    "numeric_columns",
    "split_features",
    "warn_discrete_columns",
]

#: A column with at most this many distinct values among (up to) the first
#: DISCRETE_SAMPLE rows is discrete (one-hot, flags, small counts); checked only
#: when at least DISCRETE_MIN_ROWS rows are there to tell.
DISCRETE_VALUES, DISCRETE_SAMPLE, DISCRETE_MIN_ROWS = 10, 2000, 50

#: The message when S is given neither way.
NO_SENSITIVE = (
    "No sensitive attribute: name its columns of X with "
    "BarycenterFeatureUnlearner(sensitive_feature_ids=[...]), or pass its values "
    "as fit(X, sensitive_features=S) and transform(X, sensitive_features=S)."
)

#: The way out when a group is too small.
GROUPS_HINT = "Merge rare groups, or bin the attribute (sensitive_bins)."

#: Why each closed-form method leaks on discrete columns.
_DISCRETE_LEAK = {
    "gaussian": "its affine maps give each group its own values of a discrete column",
    "quantile": "it equalises each column alone, not their joint law",
    "empirical": "rows other than its fitted subsample move by their nearest "
    "fitted row's displacement, which keeps values of their group's own",
}


def split_features(
    X,
    sensitive_features,
    *,
    spec,
    feature_names,
    fitted,
    n_bins,
    min_rows: int,
    finite: bool,
    numeric_sensitive: bool,
) -> SensitiveRecord:
    """Parse S out of validated ``X``; the features as floats, without S.

    The features are a lazy float dask array for dask input. With
    ``numeric_sensitive`` the sensitive columns must be numbers (they are kept
    in the output).
    """
    record = parse_sensitive(
        X,
        sensitive_features,
        spec=spec,
        feature_names=feature_names,
        fitted=fitted,
        n_bins=n_bins,
        missing=NO_SENSITIVE,
    )
    if is_dask(X):
        features = dask_float_features(record.features)
    else:
        features = to_float_features(
            record.features, ensure_min_samples=min_rows, ensure_all_finite=finite
        )
    if numeric_sensitive:
        numeric_columns(record.columns)
    return record._replace(features=features)


def check_label(y, n_samples: int) -> np.ndarray:
    """``y`` as an array of ``n_samples`` finite labels or targets."""
    y = check_array(
        y, ensure_2d=False, dtype=None, ensure_min_samples=0, input_name="y"
    )
    if y.shape[0] != n_samples:
        raise ValueError(
            f"y has {y.shape[0]} rows but X has {n_samples}: pass one label per "
            "row of X (or y=None)."
        )
    if y.ndim == 2 and y.shape[1] == 1:
        y = y[:, 0]
    return y


def warn_discrete_columns(features: np.ndarray, method: str) -> None:
    """Warn that a closed-form method leaks S on discrete columns."""
    if method not in _DISCRETE_LEAK:
        return
    n = min(features.shape[0], DISCRETE_SAMPLE)
    if n < DISCRETE_MIN_ROWS or features.shape[1] == 0:
        return
    head = np.sort(np.asarray(features[:n]), axis=0)
    distinct = 1 + np.count_nonzero(np.diff(head, axis=0) != 0, axis=0)
    discrete = np.flatnonzero(distinct <= DISCRETE_VALUES)
    if discrete.size:
        shown = discrete[:5].tolist() + (["..."] if discrete.size > 5 else [])
        warn_user(
            f"method={method!r} on data with {discrete.size} discrete column(s) "
            f"(positions {shown}): {_DISCRETE_LEAK[method]}, so a non-linear "
            "adversary can recover S, sometimes better than from the raw data. "
            "Use method='stochastic' (the default) on tables, and audit the "
            "output (sklearn_unlearn.metrics.leakage_auc).",
            UserWarning,
        )


def check_known(
    codes: np.ndarray, columns: list, groups: np.ndarray, handle_unknown: str
) -> np.ndarray:
    """The group codes, after the ``handle_unknown`` rule for unseen groups."""
    if handle_unknown == "error" and np.any(codes < 0):
        first = np.flatnonzero(codes < 0)[0]
        value = tuple(c[first] for c in columns)
        value = value[0] if len(value) == 1 else value
        raise ValueError(
            f"{int(np.sum(codes < 0))} sample(s) belong to groups unseen during "
            f"fit, e.g. {value!r} (fitted groups: {groups.tolist()}). Use "
            "handle_unknown='identity' to pass them through unchanged."
        )
    return codes


def numeric_columns(columns: list) -> list:
    """The sensitive columns as floats, for ``drop_sensitive=False``."""
    try:
        return [np.asarray(c, dtype=np.float64) for c in columns]
    except (TypeError, ValueError) as exc:
        raise ValueError(
            "drop_sensitive=False keeps the sensitive columns in the numeric "
            "output, but they are not numeric: encode them as numbers or use "
            "drop_sensitive=True."
        ) from exc


def assemble(
    Z: np.ndarray, columns: list, positions: np.ndarray, n_features: int
) -> np.ndarray:
    """The repaired features with the sensitive ``columns`` put back in place."""
    out = np.empty((Z.shape[0], n_features), dtype=Z.dtype)
    keep = np.setdiff1d(np.arange(n_features), positions)
    out[:, keep] = Z
    for j, values in zip(positions, numeric_columns(columns), strict=True):
        out[:, j] = values
    return out


def _methods_with(field: str) -> str:
    """``method='a' or method='b'``: the methods whose registry entry has it."""
    names = [name for name, method in METHODS.items() if getattr(method, field)]
    return " or ".join(f"method={name!r}" for name in names)


def check_dask_supported(method: str, drop_sensitive: bool) -> None:
    """Dask input: the methods with a dask fit (block statistics merged)."""
    if METHODS[method].dask_fit is None:
        raise ValueError(
            f"dask input is supported by {_methods_with('dask_fit')} (statistics "
            f"merged from the blocks, blockwise transform); method={method!r} "
            "needs all rows in memory: compute the array first."
        )
    if not drop_sensitive:
        raise ValueError(
            "dask input does not support drop_sensitive=False: the output is a "
            "lazy array of the repaired features only."
        )


def check_streaming(method: str, sensitive_bins) -> bool:
    """``partial_fit`` exists for the streaming methods without binning of S."""
    if METHODS[method].fit_chunk is None:
        raise AttributeError(
            "partial_fit merges the statistics of chunks, which only "
            f"{_methods_with('fit_chunk')} can; method={method!r} needs every row "
            "at once: call fit."
        )
    if sensitive_bins is not None:
        raise AttributeError(
            "partial_fit cannot bin the sensitive attribute (the bin edges would "
            "depend on the first chunk): bin it beforehand and pass "
            "sensitive_bins=None."
        )
    return True


def check_inverse_input(
    X, n_out: int, sensitive_features, in_output: np.ndarray
) -> tuple[np.ndarray, np.ndarray, object]:
    """Repaired rows ``Z``, the positions of their features, and S.

    ``in_output`` are the positions of the sensitive columns kept in the
    transform output (empty when they were dropped): S is read from them when
    not given.
    """
    check_no_sparse(X)
    Z = check_array(X, dtype=[np.float64, np.float32])
    if Z.shape[1] != n_out:
        raise ValueError(
            f"X has {Z.shape[1]} features, but inverse_transform expects the "
            f"{n_out} columns of the transform output."
        )
    if sensitive_features is None and in_output.size == 0:
        raise ValueError(
            "The sensitive columns are not in X: pass their values as "
            "inverse_transform(X, sensitive_features=S)."
        )
    keep = np.setdiff1d(np.arange(Z.shape[1]), in_output)
    if in_output.size and sensitive_features is None:
        sensitive_features = Z[:, in_output]
    return Z, keep, sensitive_features


def draw_seed(random_state) -> int:
    """The integer seed of a fit's draws, from ``random_state``."""
    return int(check_random_state(random_state).randint(2**31 - 1))
