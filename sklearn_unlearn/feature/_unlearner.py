"""BarycenterFeatureUnlearner: each public method validates once, then calls the
method's kernels (``METHODS``) with keyword parameters built in one place
(``_method_params``); ``fit``, ``partial_fit`` and a dask fit differ only in how
they gather statistics, and end in one ``_set_fitted``.
"""

import numpy as np
from sklearn.base import BaseEstimator, TransformerMixin
from sklearn.utils._available_if import available_if
from sklearn.utils.validation import check_array, check_is_fitted, validate_data

from sklearn_unlearn.feature._input import (
    GROUPS_HINT,
    assemble,
    check_dask_supported,
    check_inverse_input,
    check_known,
    check_label,
    check_streaming,
    draw_seed,
    split_features,
    warn_discrete_columns,
)
from sklearn_unlearn.feature._methods import METHODS, warn_if_stalled
from sklearn_unlearn.feature._streaming import continues
from sklearn_unlearn.feature._unlearner_params import (
    DOCSTRING,
    PARAMETER_CONSTRAINTS,
    PARTIAL_FIT_DOCSTRING,
)
from sklearn_unlearn.utils._compat import _check_feature_names_in
from sklearn_unlearn.utils._docs import fill_docs, with_doc
from sklearn_unlearn.utils._groups import group_weights
from sklearn_unlearn.utils._sensitive import (
    GroupEncoding,
    SensitiveRecord,
    check_group_counts,
    parse_sensitive,
)
from sklearn_unlearn.utils._state import fit_context
from sklearn_unlearn.utils._validation import check_no_sparse, is_dask, is_dataframe

__all__ = ["BarycenterFeatureUnlearner"]


@fill_docs
class BarycenterFeatureUnlearner(TransformerMixin, BaseEstimator):
    __doc__ = DOCSTRING

    _parameter_constraints: dict = PARAMETER_CONSTRAINTS

    def __init__(
        self,
        sensitive_feature_ids=None,
        *,
        method="stochastic",
        repair_level=1.0,
        weights="proportional",
        handle_unknown="error",
        drop_sensitive=True,
        sensitive_bins=None,
        reg=1e-6,
        n_quantiles=1000,
        max_samples_per_group=1000,
        n_support=None,
        within_cell=0.0,
        label_weight=16.0,
        tol=None,
        max_iter=100,
        duplicates="spread",
        random_state=None,
        n_jobs=None,
    ):
        self.sensitive_feature_ids = sensitive_feature_ids
        self.method = method
        self.repair_level = repair_level
        self.weights = weights
        self.handle_unknown = handle_unknown
        self.drop_sensitive = drop_sensitive
        self.sensitive_bins = sensitive_bins
        self.reg = reg
        self.n_quantiles = n_quantiles
        self.max_samples_per_group = max_samples_per_group
        self.n_support = n_support
        self.within_cell = within_cell
        self.label_weight = label_weight
        self.tol = tol
        self.max_iter = max_iter
        self.duplicates = duplicates
        self.random_state = random_state
        self.n_jobs = n_jobs

    @fit_context(prefer_skip_nested_validation=True)
    @fill_docs
    def fit(self, X, y=None, *, sensitive_features=None):
        """Fit the barycenter and the per-group transport maps.

        Parameters
        ----------
        X : {array-like, DataFrame} of shape (n_samples, n_features)
            Training data; holds the sensitive columns when
            ``self.sensitive_feature_ids`` names them. Dask arrays and DataFrames
            are fitted by ``method="gaussian"`` (merged block moments),
            ``"quantile"`` (mergeable sketches of the blocks' columns: each
            group's quantile functions within the sketch's rank error of the
            in-memory ones, below the grid's ``1 / n_quantiles`` up to
            ``2**11 n_quantiles`` rows per group) and ``"stochastic"`` (cells
            fitted on a sample, exact merged counts); ``y`` may then be a dask
            or numpy array.
        y : array-like of shape (n_samples,) or (n_samples, n_targets), \
                default=None
            Labels or targets. ``"stochastic"`` uses them, when given, to shape
            its cells (see ``label_weight``); the other methods ignore them.
            ``transform`` never needs them.
        %(sensitive_values)s

        Returns
        -------
        self : BarycenterFeatureUnlearner
            The fitted transformer.
        """
        method, dask = METHODS[self.method], is_dask(X)
        if dask:
            check_dask_supported(self.method, self.drop_sensitive)
        # the Gaussian fit's moment pass detects NaN and inf itself (they reach
        # the means and scatter matrices), so it skips a separate finiteness pass
        record = self._split(
            X, sensitive_features, reset=True, finite=self.method != "gaussian"
        )
        check_group_counts(record.encoding, hint=GROUPS_HINT)
        label = None  # validated only when the method reads it (dask: blockwise)
        if y is not None and "label_weight" in method.fit_params and self.label_weight:
            label = y if dask else check_label(y, record.features.shape[0])
        if not dask:
            warn_discrete_columns(record.features, self.method)
        weights = group_weights(self.weights, record.encoding.counts)
        seed = draw_seed(self.random_state)
        fit_params, _ = self._method_params(seed)
        # dask: the method's statistics, merged from the blocks
        fit = method.dask_fit if dask else method.fit
        model = fit(record.features, record.codes, weights, y=label, **fit_params)
        return self._set_fitted(record.encoding, weights, seed, model)

    def _can_stream(self) -> bool:
        return check_streaming(self.method, self.sensitive_bins)

    @available_if(_can_stream)
    @fit_context(prefer_skip_nested_validation=True)
    @fill_docs
    @with_doc(PARTIAL_FIT_DOCSTRING)
    def partial_fit(self, X, y=None, *, sensitive_features=None):
        model, stream = getattr(self, "_model", None), getattr(self, "_stream", None)
        first = not continues(self.method, model, stream)
        record = self._split(X, sensitive_features, reset=first)
        label = None
        if y is not None and self.label_weight and self.method == "stochastic":
            label = check_label(y, record.features.shape[0])
        seed = draw_seed(self.random_state) if first else self._seed
        fit_params, _ = self._method_params(seed)
        previous = None if first else (self._encoding, model, stream or (None, None))
        step = METHODS[self.method].fit_chunk(
            record.features,
            record.codes,
            label,
            record.encoding,
            previous,
            weights=self.weights,
            fit_params=fit_params,
            seed=seed,
        )
        self._set_fitted(step.encoding, step.weights, seed, step.model)
        self._stream = (step.model, step.state)
        return self

    @fill_docs
    def transform(self, X, *, sensitive_features=None):
        """Move each sample along the W2 geodesic towards the barycenter.

        Parameters
        ----------
        X : {array-like, DataFrame} of shape (n_samples, n_features)
            Data to repair, with the same columns as in ``fit`` (a dask array
            or DataFrame gives a lazy dask array).
        %(sensitive_values)s

        Returns
        -------
        X_out : ndarray of shape (n_samples, n_features_out)
            Repaired features (float32 input stays float32).
        """
        self._check_method_unchanged()
        dask = is_dask(X)
        if dask:
            check_dask_supported(self.method, self.drop_sensitive)
        # the Gaussian transport checks finiteness block by block, in cache
        record = self._split(
            X,
            sensitive_features,
            reset=False,
            finite=self.method != "gaussian",
            fitted=self._encoding,
        )
        codes = check_known(
            record.codes, record.columns, self.groups_, self.handle_unknown
        )
        method, (_, options) = METHODS[self.method], self._method_params()
        # dask: lazy, a dask array of the repaired features
        transport = method.dask_transport if dask else method.transport
        Z = transport(
            record.features,
            codes,
            self._model,
            self.repair_level,
            self._seed,
            **options,
        )
        if dask or self.drop_sensitive or self.sensitive_columns_.size == 0:
            return Z
        return assemble(Z, record.columns, self.sensitive_columns_, self.n_features_in_)

    @fill_docs
    def fit_transform(self, X, y=None, *, sensitive_features=None):
        """Fit, then transform ``X`` (forwarding ``sensitive_features`` to both).

        Parameters
        ----------
        X : {array-like, DataFrame} of shape (n_samples, n_features)
            Training data.
        y : array-like of shape (n_samples,), default=None
            Labels or targets, passed to ``fit``.
        %(sensitive_values)s

        Returns
        -------
        X_out : ndarray of shape (n_samples, n_features_out)
            Repaired training features.
        """
        return self.fit(X, y, sensitive_features=sensitive_features).transform(
            X, sensitive_features=sensitive_features
        )

    def _is_invertible(self) -> bool:
        return METHODS[self.method].inverse is not None

    @available_if(_is_invertible)
    @fill_docs
    def inverse_transform(self, X, *, sensitive_features=None):
        """Recover the original features from repaired ones, given S.

        Available for ``"gaussian"`` (exact) and ``"quantile"`` (exact on
        continuous features, up to the grid and the tie randomisation on discrete
        ones). ``X`` has the layout of the ``transform`` output; when the sensitive
        columns were dropped, pass their values as ``sensitive_features``.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features_out)
            Repaired data.
        %(sensitive_values)s

        Returns
        -------
        X_original : ndarray of shape (n_samples, n_features_out)
            Data moved back from the barycenter to each group's law.
        """
        self._check_method_unchanged()
        kept = self.sensitive_columns_[: 0 if self.drop_sensitive else None]
        Z, keep, sensitive_features = check_inverse_input(
            X, self.get_feature_names_out().size, sensitive_features, kept
        )
        record = parse_sensitive(
            Z, sensitive_features, fitted=self._encoding, param="sensitive_features"
        )
        codes = check_known(
            record.codes, record.columns, self.groups_, self.handle_unknown
        )
        out = Z.copy()
        out[:, keep] = METHODS[self.method].inverse(
            np.ascontiguousarray(Z[:, keep]), codes, self._model, self.repair_level
        )
        return out

    def get_feature_names_out(self, input_features=None):
        """Names of the output features (the sensitive columns removed if dropped).

        Parameters
        ----------
        input_features : array-like of str, default=None
            Input feature names; defaults to ``feature_names_in_`` or
            ``x0, x1, ...``.

        Returns
        -------
        feature_names_out : ndarray of str
            Output feature names.
        """
        check_is_fitted(self, "n_features_in_")
        names = _check_feature_names_in(self, input_features)
        if not self.drop_sensitive:
            return names
        return np.delete(names, self.sensitive_columns_)

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.transformer_tags.preserves_dtype = ["float64", "float32"]
        tags.input_tags.sparse = False
        tags.input_tags.allow_nan = False
        return tags

    def _split(
        self, X, sensitive_features, *, reset: bool, finite: bool = True, fitted=None
    ) -> SensitiveRecord:
        """Validate X once; parse S (look it up in ``fitted``, else encode it)."""
        check_no_sparse(X)
        if not is_dask(X) and not is_dataframe(X):
            X = check_array(X, dtype=None, ensure_all_finite=False)
        # a dask DataFrame's columns are those of its empty pandas ``_meta``
        checked = X._meta if is_dask(X) and hasattr(X, "columns") else X
        validate_data(self, checked, skip_check_array=True, reset=reset)
        record = split_features(
            X,
            sensitive_features,
            spec=self.sensitive_feature_ids,
            feature_names=getattr(self, "feature_names_in_", None),
            fitted=fitted,
            n_bins=self.sensitive_bins,
            min_rows=2 if reset else 1,
            finite=finite,
            numeric_sensitive=not self.drop_sensitive,
        )
        if reset:
            self.sensitive_columns_ = record.positions
        return record

    def _method_params(self, seed: int | None = None) -> tuple[dict, dict]:
        """Keyword parameters of the method's ``fit`` and ``transport``."""
        method = METHODS[self.method]
        values = self.get_params(deep=False)
        values["tol"] = method.tol if self.tol is None else self.tol
        values["seed"] = seed
        return (
            {name: values[name] for name in method.fit_params},
            {name: values[name] for name in method.transport_params},
        )

    def _set_fitted(self, encoding: GroupEncoding, weights, seed: int, model):
        """Write the fitted state: the groups, the seed and the method's model."""
        method = METHODS[self.method]
        warn_if_stalled(self.method, model, max_iter=self.max_iter, tol=self.tol)
        self._encoding = encoding
        self.groups_ = encoding.groups
        self.group_counts_ = encoding.counts
        self.group_weights_ = weights
        if encoding.bin_edges is not None:
            self.sensitive_bin_edges_ = encoding.bin_edges
        self._seed = seed
        for name, value in method.attributes(model).items():
            setattr(self, name, value)
        self.n_iter_ = model.n_iter
        self._model = model
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
