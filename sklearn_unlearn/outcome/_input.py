"""Input handling of BarycenterOutcomeUnlearner: S, group weights, row hashes.

A mixin with the private helpers of the estimator, so that the estimator's
module keeps its public methods and documentation. S is parsed by the shared
helpers of :mod:`sklearn_unlearn.utils._validation` only.
"""

import numpy as np
import pandas as pd
from sklearn.utils import get_tags
from sklearn.utils.validation import check_array, validate_data

from sklearn_unlearn.utils._random import _row_uniforms, draw_windows
from sklearn_unlearn.utils._validation import (
    check_no_sparse,
    is_dataframe,
    lookup_groups,
    resolve_sensitive_columns,
    sensitive_columns_from_metadata,
    split_columns,
)

__all__ = ["OutcomeInputMixin", "hash_matrix", "row_uniforms"]


def _hash_column(values) -> np.ndarray:
    """A float64 column whose bits identify the values (numbers or not)."""
    values = np.asarray(values)
    if values.dtype.kind in "biuf":
        return values.astype(np.float64)
    hashes = pd.util.hash_array(values.astype(object), categorize=False)
    return (hashes >> np.uint64(11)).astype(np.float64)  # exact in float64


def hash_matrix(X, F: np.ndarray) -> np.ndarray:
    """The row's features (any types) and outputs as float64 columns to hash."""
    if isinstance(X, pd.DataFrame):
        columns = [_hash_column(X.iloc[:, j]) for j in range(X.shape[1])]
    elif is_dataframe(X):  # polars
        columns = [_hash_column(s.to_numpy()) for s in X.iter_columns()]
    else:
        X = np.asarray(X)
        if X.dtype.kind in "biuf":
            return np.column_stack([X.astype(np.float64), F])
        columns = [_hash_column(X[:, j]) for j in range(X.shape[1])]
    return np.column_stack([*columns, F])


def row_uniforms(
    H: np.ndarray, codes: np.ndarray, seed: int, n_outputs: int, spread: bool = True
) -> np.ndarray:
    """Tie-breaking uniforms, one per output column, from the hash of each row.

    ``H`` holds the features then the ``n_outputs`` outputs; identical rows of
    one group get distinct draws by their rank among their copies within a
    window of rows (see :func:`~sklearn_unlearn.utils._random._row_uniforms`);
    with ``spread=False`` every copy gets the row's own draw.
    """
    U = np.empty((H.shape[0], n_outputs), dtype=np.float64)
    for window in draw_windows(H.shape[0]):
        U[window] = _row_uniforms(
            H[window], codes[window], seed, n_outputs, spread_duplicates=spread
        )
    return U


class OutcomeInputMixin:
    """Validation of X and S, and group codes."""

    def _split(self, X, sensitive_features, *, reset: bool):
        """Validate X once; return the estimator's input and the S columns."""
        check_no_sparse(X)
        if not is_dataframe(X):
            allow_nan = get_tags(self.estimator).input_tags.allow_nan
            X = check_array(
                X,
                dtype=None,
                ensure_all_finite="allow-nan" if allow_nan else True,
                ensure_min_samples=2 if reset else 1,
                input_name="X",
            )
        validate_data(self, X, skip_check_array=True, reset=reset)
        spec = self.sensitive_features
        if spec is not None and sensitive_features is not None:
            raise ValueError(
                "The sensitive attribute is given twice: the sensitive_features "
                f"parameter ({spec!r}) says where S is in X, and sensitive_features "
                "values were also passed. Use one of them."
            )
        if spec is None:
            if sensitive_features is None:
                raise ValueError(
                    "sensitive_features is required: pass the sensitive values as "
                    "fit(X, y, sensitive_features=S) and predict(X, "
                    "sensitive_features=S), or say where S is in X with "
                    "BarycenterOutcomeUnlearner(estimator, sensitive_features=...)."
                )
            columns = sensitive_columns_from_metadata(sensitive_features, len(X))
            return X, columns
        if callable(spec):
            values = spec(X)
            return X, sensitive_columns_from_metadata(values, len(X))
        if reset:
            self.sensitive_columns_ = resolve_sensitive_columns(
                spec, self.n_features_in_, getattr(self, "feature_names_in_", None)
            )
        return split_columns(X, self.sensitive_columns_)

    def _codes(self, columns) -> np.ndarray:
        codes = lookup_groups(columns, self._encoding)
        if np.any(codes < 0):
            unseen = np.flatnonzero(codes < 0)
            values = {
                tuple(c[i] for c in columns) if len(columns) > 1 else columns[0][i]
                for i in unseen[:1000]
            }
            raise ValueError(
                f"sensitive_features has {unseen.size} sample(s) in groups unseen "
                f"during fit: {sorted(map(repr, values))[:10]} (fitted groups: "
                f"{self.groups_.tolist()}). Refit with these groups, or merge them "
                "into a fitted group."
            )
        return codes
