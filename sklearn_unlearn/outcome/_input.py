"""Input handling of BarycenterOutcomeUnlearner: S, group weights, row hashes.

A mixin with the private helpers of the estimator, so that the estimator's
module keeps its public methods and documentation. S is parsed by the shared
parser, :func:`sklearn_unlearn.utils._sensitive.parse_sensitive`.
"""

import numpy as np
import pandas as pd
from sklearn.utils import get_tags
from sklearn.utils.validation import check_array, validate_data

from sklearn_unlearn.utils._random import _row_uniforms, draw_windows
from sklearn_unlearn.utils._sensitive import SensitiveRecord, parse_sensitive
from sklearn_unlearn.utils._validation import check_no_sparse, is_dataframe

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

    def _split(
        self, X, sensitive_features, *, reset: bool, fitted=None
    ) -> SensitiveRecord:
        """Validate X once; parse S (look it up in ``fitted``, else encode it).

        The record's ``features`` are the estimator's input: X without the
        sensitive columns it names (all of X when S is given otherwise).
        """
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
        record = parse_sensitive(
            X,
            sensitive_features,
            spec=self.sensitive_features,
            feature_names=getattr(self, "feature_names_in_", None),
            fitted=fitted,
            missing=(
                "sensitive_features is required: pass the sensitive values as "
                "fit(X, y, sensitive_features=S) and predict(X, "
                "sensitive_features=S), or say where S is in X with "
                "BarycenterOutcomeUnlearner(estimator, sensitive_features=...)."
            ),
        )
        if reset:
            self.sensitive_columns_ = record.positions
        return record

    def _check_known(self, record: SensitiveRecord) -> np.ndarray:
        """The record's codes; unseen groups are an error."""
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
                f"{self.groups_.tolist()}). Refit with these groups, or merge them "
                "into a fitted group."
            )
        return codes
