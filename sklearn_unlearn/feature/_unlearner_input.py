"""Input handling of BarycenterFeatureUnlearner: one validation, group codes.

A mixin holding the private helpers of the estimator, so that the estimator's
module keeps its public methods and documentation.
"""

import numpy as np
from sklearn.utils import check_random_state
from sklearn.utils.validation import check_array, check_is_fitted, validate_data

from sklearn_unlearn.feature._methods import METHODS
from sklearn_unlearn.utils._groups import group_weights
from sklearn_unlearn.utils._sensitive import SensitiveRecord, parse_sensitive
from sklearn_unlearn.utils._validation import (
    check_no_sparse,
    is_dataframe,
    to_float_features,
)
from sklearn_unlearn.utils._warnings import warn_user

__all__ = [
    "UnlearnerInputMixin",
    "_can_stream",
    "_is_invertible",
    "check_label",
    "warn_discrete_columns",
]

#: A column with at most this many distinct values among (up to) the first
#: DISCRETE_SAMPLE rows is discrete (one-hot, flags, small counts); checked only
#: when at least DISCRETE_MIN_ROWS rows are there to tell.
DISCRETE_VALUES, DISCRETE_SAMPLE, DISCRETE_MIN_ROWS = 10, 2000, 50

#: Why each closed-form method leaks on discrete columns.
_DISCRETE_LEAK = {
    "gaussian": "its affine maps give each group its own values of a discrete column",
    "quantile": "it equalises each column alone, not their joint law",
    "empirical": "rows other than its fitted subsample move by their nearest "
    "fitted row's displacement, which keeps values of their group's own",
}


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


def _can_stream(estimator) -> bool:
    """``partial_fit`` exists for the Gaussian method without binning of S."""
    if estimator.method != "gaussian":
        raise AttributeError(
            f"partial_fit streams exact group moments, which only method='gaussian' "
            f"uses; method={estimator.method!r} needs every row at once: call fit."
        )
    if estimator.sensitive_bins is not None:
        raise AttributeError(
            "partial_fit cannot bin the sensitive attribute (the bin edges would "
            "depend on the first chunk): bin it beforehand and pass "
            "sensitive_bins=None."
        )
    return True


def _is_invertible(estimator) -> bool:
    return METHODS[estimator.method].inverse is not None


class UnlearnerInputMixin:
    """Validation of X and S, group codes and output assembly."""

    def _split(
        self, X, sensitive_features, *, reset: bool, finite: bool = True, fitted=None
    ) -> SensitiveRecord:
        """Validate X once; parse S (look it up in ``fitted``, else encode it).

        The record's ``features`` are float, without the sensitive columns.
        """
        check_no_sparse(X)
        if not is_dataframe(X):
            X = check_array(X, dtype=None, ensure_all_finite=False)
        validate_data(self, X, skip_check_array=True, reset=reset)
        record = parse_sensitive(
            X,
            sensitive_features,
            spec=self.sensitive_features,
            feature_names=getattr(self, "feature_names_in_", None),
            fitted=fitted,
            n_bins=self.sensitive_bins,
            missing=(
                "No sensitive attribute: name its columns of X with "
                "BarycenterFeatureUnlearner(sensitive_features=[...]), or pass its "
                "values as fit(X, sensitive_features=S) and transform(X, "
                "sensitive_features=S)."
            ),
        )
        if reset:
            self.sensitive_columns_ = record.positions
        features = to_float_features(
            record.features,
            ensure_min_samples=2 if reset else 1,
            ensure_all_finite=finite,
        )
        if not self.drop_sensitive:
            self._numeric_sensitive(record.columns)
        return record._replace(features=features)

    def _numeric_sensitive(self, columns):
        try:
            return [np.asarray(c, dtype=np.float64) for c in columns]
        except (TypeError, ValueError) as exc:
            raise ValueError(
                "drop_sensitive=False keeps the sensitive columns in the numeric "
                "output, but they are not numeric: encode them as numbers or use "
                "drop_sensitive=True."
            ) from exc

    def _check_known(self, record: SensitiveRecord) -> np.ndarray:
        """The record's codes, after the ``handle_unknown`` rule for unseen groups."""
        codes = record.codes
        if self.handle_unknown == "error" and np.any(codes < 0):
            first = np.flatnonzero(codes < 0)[0]
            value = tuple(c[first] for c in record.columns)
            value = value[0] if len(value) == 1 else value
            raise ValueError(
                f"{int(np.sum(codes < 0))} sample(s) belong to groups unseen during "
                f"fit, e.g. {value!r} (fitted groups: {self.groups_.tolist()}). Use "
                "handle_unknown='identity' to pass them through unchanged."
            )
        return codes

    def _assemble(self, Z, columns):
        if self.drop_sensitive or self.sensitive_columns_.size == 0:
            return Z
        out = np.empty((Z.shape[0], self.n_features_in_), dtype=Z.dtype)
        keep = np.setdiff1d(np.arange(self.n_features_in_), self.sensitive_columns_)
        out[:, keep] = Z
        for j, values in zip(
            self.sensitive_columns_, self._numeric_sensitive(columns), strict=True
        ):
            out[:, j] = values
        return out

    # --------------------------------------------------------------- fitting

    def _fit_dask(self, X, sensitive_features):
        from sklearn_unlearn.feature._dask import fit_dask
        from sklearn_unlearn.feature._methods import gaussian_from_moments

        for name, value in fit_dask(self, X, sensitive_features).items():
            setattr(self, name, value)
        self.group_weights_ = group_weights(self.weights, self.group_counts_)
        self._seed = int(check_random_state(self.random_state).randint(2**31 - 1))
        moments = self.__dict__.pop("_dask_moments")
        fitted = gaussian_from_moments(self, moments, self.group_weights_)
        for name, value in fitted.items():
            setattr(self, name, value)
        self._fitted_method = self.method
        return self

    def _check_method_unchanged(self):
        check_is_fitted(self)
        if self.method != self._fitted_method:
            raise ValueError(
                f"method was changed from {self._fitted_method!r} to "
                f"{self.method!r} after fit: call fit again."
            )
        self._validate_params()
