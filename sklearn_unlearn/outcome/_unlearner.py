"""BarycenterOutcomeUnlearner: make a model's outputs independent of S.

Each public method validates its inputs once (:mod:`._validation`), then fits
or applies the repair (:mod:`._methods`) of the wrapped model's outputs
(:mod:`._outputs`); the class stores the fitted state and documents the API.
"""

import numpy as np
from sklearn.base import BaseEstimator, MetaEstimatorMixin, is_classifier
from sklearn.metrics import accuracy_score, r2_score
from sklearn.utils import Bunch, check_random_state, get_tags
from sklearn.utils._available_if import available_if
from sklearn.utils.metadata_routing import (
    MetadataRouter,
    MethodMapping,
    process_routing,
)
from sklearn.utils.validation import (
    check_consistent_length,
    check_is_fitted,
    validate_data,
)

from sklearn_unlearn.outcome import _outputs
from sklearn_unlearn.outcome._dask import dask_output_sketches, dask_repaired
from sklearn_unlearn.outcome._methods import METHODS, fit_repair, repaired
from sklearn_unlearn.outcome._sketches import (
    single_output,
    sketch_capacity,
    sketched_repair,
)
from sklearn_unlearn.outcome._unlearner_params import DOCSTRING, PARAMETER_CONSTRAINTS
from sklearn_unlearn.outcome._validation import (
    MISSING_S,
    NOT_PREFITTED,
    check_dask_fit,
    check_rows,
    is_prefitted,
    known_codes,
)
from sklearn_unlearn.utils._compat import _routing_enabled
from sklearn_unlearn.utils._docs import fill_docs
from sklearn_unlearn.utils._groups import group_weights
from sklearn_unlearn.utils._quantile_sketch import merge_chunk_sketches
from sklearn_unlearn.utils._sensitive import check_group_counts, parse_sensitive
from sklearn_unlearn.utils._state import fit_context
from sklearn_unlearn.utils._validation import delegate_tags, estimator_has, is_dask

__all__ = ["BarycenterOutcomeUnlearner"]

_S_REQUEST = {"sensitive_features": True}


@fill_docs
class BarycenterOutcomeUnlearner(MetaEstimatorMixin, BaseEstimator):
    __doc__ = DOCSTRING

    _parameter_constraints: dict = PARAMETER_CONSTRAINTS

    __metadata_request__fit = _S_REQUEST
    __metadata_request__partial_fit = _S_REQUEST
    __metadata_request__predict = _S_REQUEST
    __metadata_request__predict_proba = _S_REQUEST
    __metadata_request__decision_function = _S_REQUEST
    __metadata_request__score = _S_REQUEST

    def __init__(
        self,
        estimator,
        *,
        sensitive_feature_ids=None,
        repair_level=1.0,
        weights="proportional",
        cv=None,
        n_quantiles=1000,
        output_levels="auto",
        duplicates="spread",
        random_state=None,
    ):
        self.estimator = estimator
        self.sensitive_feature_ids = sensitive_feature_ids
        self.repair_level = repair_level
        self.weights = weights
        self.cv = cv
        self.n_quantiles = n_quantiles
        self.output_levels = output_levels
        self.duplicates = duplicates
        self.random_state = random_state

    @fit_context(prefer_skip_nested_validation=False)
    @fill_docs
    def fit(self, X, y, *, sensitive_features=None, **fit_params):
        """Fit the estimator and the groups' laws of its outputs.

        Parameters
        ----------
        X : {array-like, DataFrame} of shape (n_samples, n_features)
            Training rows, in any form ``estimator`` accepts. A dask array or
            DataFrame needs a fitted ``estimator`` with one output column,
            used as it is (as by ``partial_fit``): its outputs are read block
            by block and the groups' laws merged from the blocks' quantile
            sketches (exact counts; the rank error of ``partial_fit``).
        y : array-like of shape (n_samples,) or (n_samples, n_targets)
            Targets (ignored for dask ``X``: the model is already fitted).
        %(sensitive_values)s
        **fit_params : dict
            Passed (routed) to ``estimator.fit``, and to each fold's with ``cv``.

        Returns
        -------
        self : BarycenterOutcomeUnlearner
            The fitted meta-estimator.
        """
        self.__dict__.pop("_sketches", None)  # partial_fit starts anew
        dask = is_dask(X)
        if dask:
            check_dask_fit(self.estimator, self.cv, fit_params)
        record = self._validate_rows(
            X, sensitive_features, reset=True, fitting=True, fitted=None
        )
        if not dask:
            check_consistent_length(record.features, y, record.codes)
        check_group_counts(
            record.encoding, what="outcome unlearning", hint="Merge rare groups."
        )
        weights = group_weights(self.weights, record.encoding.counts)
        if dask:
            return self._fit_dask(record, weights)
        if _routing_enabled():
            params = process_routing(self, "fit", **fit_params).estimator.fit
        else:
            params = Bunch(**fit_params)
        return self._fit(record, y, weights, params)

    def _validate_rows(self, X, sensitive_features, *, reset, fitting, fitted):
        """Validate X; parse S (encode it, or look it up in ``fitted``)."""
        allow_nan = get_tags(self.estimator).input_tags.allow_nan
        X = check_rows(X, allow_nan=allow_nan, fitting=fitting)
        # a dask DataFrame's columns are those of its empty pandas ``_meta``
        checked = X._meta if is_dask(X) and hasattr(X, "columns") else X
        validate_data(self, checked, skip_check_array=True, reset=reset)
        return parse_sensitive(
            X,
            sensitive_features,
            spec=self.sensitive_feature_ids,
            feature_names=getattr(self, "feature_names_in_", None),
            fitted=fitted,
            missing=MISSING_S,
        )

    def _fit(self, record, y, weights: np.ndarray, params):
        """Fit a clone of ``estimator``, then the repair of its outputs."""
        estimator, method, raw = _outputs.fit_model_outputs(
            self.estimator, record.features, y, cv=self.cv, params=params
        )
        seed = int(check_random_state(self.random_state).randint(2**31 - 1))
        levels, codes = self.output_levels, record.codes
        repair = fit_repair(raw, method, codes, weights, self.n_quantiles, levels, seed)
        return self._set_fitted(estimator, method, record, weights, repair)

    def _fit_dask(self, record, weights: np.ndarray):
        """The repair of a fitted model's outputs on dask rows, from sketches."""
        model = self.estimator
        method = _outputs.model_output_method(model)
        sketches = dask_output_sketches(
            record.features,
            record.codes,
            model,
            method,
            n_groups=weights.size,
            capacity=sketch_capacity(self.n_quantiles),
            allow_nan=get_tags(model).input_tags.allow_nan,
        )
        seed = int(check_random_state(self.random_state).randint(2**31 - 1))
        levels, q = self.output_levels, self.n_quantiles
        repair = sketched_repair(record.encoding, sketches, weights, q, levels, seed)
        return self._set_fitted(model, method, record, weights, repair)

    def _has_fitted_estimator(self) -> bool:
        if not is_prefitted(self.estimator):
            raise AttributeError(NOT_PREFITTED.format(caller="partial_fit"))
        return True

    @available_if(_has_fitted_estimator)
    @fit_context(prefer_skip_nested_validation=True)
    @fill_docs
    def partial_fit(self, X, y=None, *, sensitive_features=None):
        """Update the groups' output laws with one more chunk of rows.

        For a fitted ``estimator`` (used as it is, not cloned or refitted, as
        ``estimator_``) with a single output column (a regressor, a binary
        classifier): its outputs on the chunk update each group's quantile
        sketch, and the repair is read from the merged sketches once two
        groups of two rows or more have been seen. A group may first appear in
        any chunk; ``fit`` discards the sketches, and the next ``partial_fit``
        starts anew. Typically the chunks are held-out rows, which the model
        did not see (the laws of new rows' outputs).

        Each group's sketch keeps at most ``8 n_quantiles`` values per level,
        and certifies its rank error ``e`` (rows): every fitted quantile
        ``Q_s(u)`` lies between the exact quantiles of the outputs at
        ``u -+ e / (n_s - 1)``, with ``e / n_s <= ceil(log2(n_s / k)) / k``
        for ``k = 8 n_quantiles`` (below the grid resolution up to
        ``2**11 n_quantiles`` rows per group). Without compaction (at most
        ``k`` rows per group) the repair is that of ``fit`` on the same
        outputs, bit for bit.

        Parameters
        ----------
        X : {array-like, DataFrame} of shape (n_samples, n_features)
            A chunk of rows, in any form ``estimator`` accepts.
        y : None
            Ignored: the model is already fitted.
        %(sensitive_values)s

        Returns
        -------
        self : BarycenterOutcomeUnlearner
            The updated meta-estimator.
        """
        first = getattr(self, "_sketches", None) is None
        if first:  # the repair of an earlier fit is replaced
            for name in ("_repair", "repair_method_"):
                self.__dict__.pop(name, None)
        record = self._validate_rows(
            X, sensitive_features, reset=first, fitting=False, fitted=None
        )
        check_consistent_length(record.features, record.codes)
        model = self.estimator
        method = _outputs.model_output_method(model)
        F = single_output(model, record.features, method, "partial_fit")
        if first:
            self._sketch_seed = int(
                check_random_state(self.random_state).randint(2**31 - 1)
            )
        encoding, sketches = merge_chunk_sketches(
            F,
            record.codes,
            record.encoding,
            None if first else self._sketches,
            sketch_capacity(self.n_quantiles),
        )
        self._sketches = (encoding, sketches)
        if encoding.groups.size < 2 or encoding.counts.min() < 2:
            return self  # not yet enough groups for a barycenter
        weights = group_weights(self.weights, encoding.counts)
        levels, q, seed = self.output_levels, self.n_quantiles, self._sketch_seed
        repair = sketched_repair(encoding, sketches, weights, q, levels, seed)
        record = record._replace(encoding=encoding)
        return self._set_fitted(model, method, record, weights, repair)

    def _set_fitted(self, estimator, method, record, weights, repair):
        """Store the fitted state; drop the attributes of the other repair."""
        for other, entry in METHODS.items():
            for name in entry.attributes if other != repair.method else ():
                self.__dict__.pop(name, None)
        self.estimator_ = estimator
        self.output_method_ = method
        if is_classifier(estimator):
            self.classes_ = estimator.classes_
        else:
            self.__dict__.pop("classes_", None)
        self.sensitive_columns_ = record.positions
        self.repair_method_ = repair.method
        self.groups_ = record.encoding.groups
        self.group_counts_ = record.encoding.counts
        self.group_weights_ = weights
        for name, value in METHODS[repair.method].describe(repair.model).items():
            setattr(self, name, value)
        self._encoding = record.encoding
        self._repair = repair
        return self

    def _repaired(self, X, sensitive_features, form: str):
        """Validate once, then the repaired output ``form`` (a method's name)."""
        check_is_fitted(self, "repair_method_")
        self._validate_params()
        record = self._validate_rows(
            X, sensitive_features, reset=False, fitting=False, fitted=self._encoding
        )
        X, codes = record.features, known_codes(record, self.groups_)
        classes = self.classes_ if is_classifier(self.estimator_) else None
        spread = self.duplicates == "spread"
        args = (self.output_method_, form, self._repair, self.repair_level, spread)
        if is_dask(X):  # lazy, block by block
            allow_nan = get_tags(self.estimator_).input_tags.allow_nan
            return dask_repaired(X, codes, self.estimator_, (*args, classes), allow_nan)
        return repaired(X, codes, self.estimator_, *args, classes)

    @fill_docs
    def predict(self, X, *, sensitive_features=None):
        """Repaired predictions: regression values or class labels.

        Parameters
        ----------
        X : {array-like, DataFrame} of shape (n_samples, n_features)
            Rows laid out as in fit.
        %(sensitive_values)s

        Returns
        -------
        y_pred : ndarray of shape (n_samples,) or (n_samples, n_targets)
            Predictions; those of ``estimator_`` when ``repair_level=0``. For
            dask ``X``, a lazy dask array (each block repaired on its own).
        """
        return self._repaired(X, sensitive_features, "predict")

    @available_if(estimator_has("predict_proba"))
    @fill_docs
    def predict_proba(self, X, *, sensitive_features=None):
        """Repaired class probabilities.

        Parameters
        ----------
        X : {array-like, DataFrame} of shape (n_samples, n_features)
            Rows laid out as in fit.
        %(sensitive_values)s

        Returns
        -------
        proba : ndarray of shape (n_samples, n_classes)
            Rows sum to one; those of ``estimator_`` when ``repair_level=0``
            (a lazy dask array for dask ``X``).
        """
        return self._repaired(X, sensitive_features, "predict_proba")

    @available_if(estimator_has("decision_function"))
    @fill_docs
    def decision_function(self, X, *, sensitive_features=None):
        """Repaired decision scores (log-odds of the repaired probabilities).

        Parameters
        ----------
        X : {array-like, DataFrame} of shape (n_samples, n_features)
            Rows laid out as in fit.
        %(sensitive_values)s

        Returns
        -------
        scores : ndarray of shape (n_samples,) or (n_samples, n_classes)
            Positive means the second class (binary); those of ``estimator_``
            when ``repair_level=0`` (a lazy dask array for dask ``X``).
        """
        return self._repaired(X, sensitive_features, "decision_function")

    @fill_docs
    def score(self, X, y, sample_weight=None, *, sensitive_features=None):
        """Accuracy (classifiers) or R^2 (regressors) of the repaired predictions.

        Parameters
        ----------
        X : {array-like, DataFrame} of shape (n_samples, n_features)
            Rows laid out as in fit.
        y : array-like of shape (n_samples,) or (n_samples, n_targets)
            True targets.
        sample_weight : array-like of shape (n_samples,), default=None
            Sample weights.
        %(sensitive_values)s

        Returns
        -------
        score : float
            The score of :meth:`predict`.
        """
        y_pred = self.predict(X, sensitive_features=sensitive_features)
        metric = accuracy_score if is_classifier(self) else r2_score
        return float(metric(y, y_pred, sample_weight=sample_weight))

    def get_metadata_routing(self):
        """Routing: ``sensitive_features`` to self, other fit params to estimator.

        Returns
        -------
        routing : MetadataRouter
            The routing information.
        """
        mapping = MethodMapping().add(caller="fit", callee="fit")
        return (
            MetadataRouter(owner=type(self).__name__)
            .add_self_request(self)
            .add(estimator=self.estimator, method_mapping=mapping)
        )

    def __sklearn_tags__(self):
        allow_nan = get_tags(self.estimator).input_tags.allow_nan
        return delegate_tags(
            super().__sklearn_tags__(), self.estimator, allow_nan=allow_nan
        )
