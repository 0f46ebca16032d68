"""Input handling of DistributionalSelector: the domain column and the mask."""

import numpy as np
import pandas as pd
from sklearn.utils.validation import check_array, check_is_fitted, validate_data

from sklearn_unlearn.utils._groups import row_chunks
from sklearn_unlearn.utils._memory import working_rows
from sklearn_unlearn.utils._sensitive import parse_sensitive
from sklearn_unlearn.utils._validation import (
    check_forget_mask,
    check_no_sparse,
    is_dataframe,
    to_float_features,
)

__all__ = ["DOMAIN_HINT", "NOT_FINITE", "NO_FORGET_DOMAIN", "SelectorInputMixin"]

DOMAIN_HINT = ", or name it in domain_column if it holds the domain"
NO_FORGET_DOMAIN = (
    "No forget domain: pass fit(X, forget_mask=mask) with True for the rows to "
    "forget, or name a column of X with domain_column."
)

NOT_FINITE = (
    "Input X contains NaN or infinity (or values so large that their sums "
    "overflow): impute or drop those rows, or rescale X."
)


def _block_rows(F) -> int:
    """Rows per block of the passes: about 1 MB, less if ``working_memory`` is.

    A block takes a gathered copy, a centred float64 copy and a product.
    """
    d = F.shape[1]
    return working_rows(24 * d, row_chunks(d, F.itemsize))


class SelectorInputMixin:
    """Validation of X, the forget mask or domain column, and the features."""

    def _split(self, X, forget_mask, *, reset: bool):
        """Validate X; return (features container, forget mask or None)."""
        check_no_sparse(X)
        if self.domain_column is None:
            validate_data(self, X, skip_check_array=True, reset=reset)
            if reset:
                self.domain_column_index_ = None
            return X, None
        if forget_mask is not None and reset:
            raise ValueError(
                "Both domain_column and forget_mask are set: say which rows form "
                "the forget domain in one way only."
            )
        if not is_dataframe(X):
            X = check_array(X, dtype=None, ensure_all_finite=False)
        validate_data(self, X, skip_check_array=True, reset=reset)
        if not reset and X.shape[1] != self.n_features_in_:
            raise ValueError(
                f"X has {X.shape[1]} features, but {type(self).__name__} is "
                f"expecting {self.n_features_in_} features as input."
            )
        record = parse_sensitive(
            X,
            spec=self.domain_column,
            feature_names=getattr(self, "feature_names_in_", None),
            param="domain_column",
            encode=False,
        )
        if reset:
            self.domain_column_index_ = int(record.positions[0])
        features, (column,) = record.features, record.columns
        self._check_domain_column(column)
        return (X if not self.drop_domain_column else features), column

    @staticmethod
    def _check_domain_column(column: np.ndarray) -> None:
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

    def _domain_mask(self, column) -> np.ndarray:
        if callable(self.forget_value):
            mask = np.asarray(self.forget_value(column))
            if mask.dtype != bool or mask.shape != column.shape:
                raise ValueError(
                    "forget_value is a callable, so it must return a boolean mask "
                    f"of shape {column.shape}; got dtype {mask.dtype} and shape "
                    f"{mask.shape}."
                )
            return mask
        values = self.forget_value
        if isinstance(values, list | tuple | set | np.ndarray):
            return np.isin(column, list(values))
        return np.asarray(column == values, dtype=bool)

    def _drop_domain(self, X):
        """X without the domain column (as given), checked against fit."""
        check_is_fitted(self, "n_features_in_")
        features, _ = self._split(X, None, reset=False)
        return features

    def _features_and_mask(self, X, forget_mask, *, reset: bool):
        """Float features of X and the boolean forget mask of its rows."""
        features, column = self._split(X, forget_mask, reset=reset)
        F = to_float_features(features, hint=DOMAIN_HINT, ensure_all_finite=False)
        mask = (
            check_forget_mask(forget_mask, F.shape[0], missing=NO_FORGET_DOMAIN)
            if column is None
            else self._domain_mask(column)
        )
        return F, mask
