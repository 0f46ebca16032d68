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
from sklearn_unlearn.outcome._methods import METHODS, fit_repair, repair_outputs
from sklearn_unlearn.outcome._sketches import OutputStreamingMixin
from sklearn_unlearn.outcome._validation import (
    MISSING_S,
    PARAMETER_CONSTRAINTS,
    check_rows,
    known_codes,
)
from sklearn_unlearn.utils._compat import _routing_enabled
from sklearn_unlearn.utils._docs import fill_docs
from sklearn_unlearn.utils._groups import group_weights
from sklearn_unlearn.utils._sensitive import check_group_counts, parse_sensitive
from sklearn_unlearn.utils._state import fit_context
from sklearn_unlearn.utils._validation import delegate_tags, estimator_has

__all__ = ["BarycenterOutcomeUnlearner"]

_S_REQUEST = {"sensitive_features": True}


@fill_docs
class BarycenterOutcomeUnlearner(
    OutputStreamingMixin, MetaEstimatorMixin, BaseEstimator
):
    r"""Make a model's outputs independent of S by 1-D Wasserstein-2 barycenters.

    A clone of ``estimator`` is fitted on ``(X, y)``; each group's law of its
    outputs is then mapped onto the W2 barycenter of the groups' laws, fully
    (``repair_level=1``: the outputs carry no information about S) or part of
    the way: among the S-independent outputs, the closest to the model's in
    mean square (Chzhen et al. [1]_, Le Gouic et al. [2]_).

    Read more in the :ref:`User Guide <outcome_unlearning>`.

    Parameters
    ----------
    estimator : estimator object
        A regressor, or a classifier with ``predict_proba`` or
        ``decision_function``.
    sensitive_feature_ids : str, int, list or callable, default=None
        Where S is when it is not passed as values: columns of ``X`` (names or
        positions; removed before ``estimator`` sees ``X``), or a function
        ``X -> values`` of each row alone. None: S is passed as
        ``sensitive_features=`` values to ``fit`` and the prediction methods
        (requested by default when metadata routing is enabled).
    repair_level : float in [0, 1], default=1.0
        Read at prediction time; 0 returns the model's outputs exactly. One
        output column: the position ``t`` on the W2 geodesic; several: the
        fraction of each group's rows that is repaired.
    %(weights)s
    cv : int, cross-validation generator, iterable or None, default=None
        None: the group laws are learned from the in-sample outputs of
        ``estimator_``; otherwise from cross-fitted outputs (closer to new
        rows' outputs; near-ties of ``estimator_`` are then missed).
    n_quantiles : int >= 2, default=1000
        Largest size of the grid of each group's quantile function (one output
        column; at most :math:`2 \sqrt{n}` levels for the smallest group's
        ``n`` rows), and of the repeated output values placed exactly.
    output_levels : "auto", int >= 2 or None, default="auto"
        Values of the fully repaired output (one output column): the barycenter
        quantised to ``m`` equally likely values shared by all groups. "auto":
        one per 50 training rows (at least 2); None: continuous.
    duplicates : {"spread", "identical"}, default="spread"
        Exact copies of a row in one batch. "spread": the k-th copy takes the
        k-th draw of the row's sequence; "identical": each output is a pure
        function of the row, its group and ``random_state``.
    random_state : int, RandomState instance or None, default=None
        Seeds the tie randomisation. Pass an int for reproducible outputs.

    Attributes
    ----------
    estimator_ : estimator object
        The fitted clone of ``estimator``.
    output_method_ : {"predict", "predict_proba", "decision_function"}
        The repaired output (classifiers: ``predict_proba`` if they have it).
    classes_ : ndarray of shape (n_classes,)
        Class labels (classifiers only).
    groups_ : ndarray of shape (n_groups,)
        Group labels, sorted (tuples for several sensitive attributes).
    group_counts_ : ndarray of shape (n_groups,)
        Training rows of each group.
    group_weights_ : ndarray of shape (n_groups,)
        Barycenter weights ``p_s`` (sum to one).
    repair_method_ : {"quantile", "cells"}
        One output column's 1-D repair, or an output vector's on shared cells.
    references_ : ndarray of shape (n_quantiles,)
        Probability levels of the grid ("quantile" only, as the next three).
    group_quantiles_ : ndarray of shape (n_groups, n_quantiles, 1)
        Each group's quantile function of the output.
    barycenter_quantiles_ : ndarray of shape (n_quantiles, 1)
        The barycenter's quantile function :math:`\bar Q`.
    output_levels_ : int or None
        Values of the fully repaired output; None: continuous.
    cell_centers_ : ndarray of shape (n_cells, n_outputs)
        Cell centers in the output space ("cells" only, as the next two).
    group_cell_masses_ : ndarray of shape (n_groups, n_cells)
        Each group's law on the cells.
    cell_barycenter_ : ndarray of shape (n_cells,)
        Their W2 barycenter.
    sensitive_columns_ : ndarray of int
        Positions of the sensitive columns in ``X`` (when named).
    n_features_in_ : int
        Number of columns of ``X`` during fit.
    feature_names_in_ : ndarray of shape (`n_features_in_`,)
        Column names of ``X``, when it has string column names.

    See Also
    --------
    sklearn_unlearn.BarycenterFeatureUnlearner : Repairs the features instead.
    sklearn_unlearn.metrics.independence_reference : The utility of this repair.

    Notes
    -----
    One output ``f`` of a row of group ``s`` (a regression, a binary
    classifier's positive-class probability or decision score) becomes

    .. math:: f_t = (1 - t) f + t \bar Q(U), \qquad
              \bar Q(u) = \sum_s p_s Q_s(u),

    with ``Q_s`` the group's quantile function of the fitted outputs and
    ``U = F_s(f)`` its CDF, uniform on ``[F_s(f-), F_s(f)]`` on an atom (a draw
    hashed from the row, its group and ``random_state``). At ``t = 1`` ``U`` is
    uniform in every group: the outputs have the barycenter law whatever S.
    Several outputs are repaired jointly [3]_, on cells of the output space
    shared by the groups.

    References
    ----------
    .. [1] E. Chzhen et al., "Fair regression with Wasserstein barycenters",
       NeurIPS 2020.
    .. [2] T. Le Gouic, J.-M. Loubes and P. Rigollet, "Projection to fairness in
       statistical learning", arXiv:2005.11720, 2020.
    .. [3] S. Xu and T. Strohmer, "Fair Data Representation for Machine Learning
       at the Pareto Frontier", JMLR 24, 2023.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn.linear_model import LinearRegression
    >>> from sklearn_unlearn import BarycenterOutcomeUnlearner
    >>> rng = np.random.default_rng(0)
    >>> s = np.repeat([0, 1], 200)
    >>> X = rng.normal(size=(400, 2)) + 2.0 * s[:, None]
    >>> y = X.sum(axis=1) + rng.normal(size=400)
    >>> model = BarycenterOutcomeUnlearner(LinearRegression(), random_state=0)
    >>> model = model.fit(X, y, sensitive_features=s)
    >>> pred = model.predict(X, sensitive_features=s)
    >>> round(float(pred[s == 0].mean() - pred[s == 1].mean()), 2)
    0.0
    """

    _parameter_constraints: dict = PARAMETER_CONSTRAINTS

    __metadata_request__fit = _S_REQUEST
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
            Training rows, in any form ``estimator`` accepts.
        y : array-like of shape (n_samples,) or (n_samples, n_targets)
            Targets.
        %(sensitive_values)s
        **fit_params : dict
            Passed (routed) to ``estimator.fit``, and to each fold's with ``cv``.

        Returns
        -------
        self : BarycenterOutcomeUnlearner
            The fitted meta-estimator.
        """
        self.__dict__.pop("_sketches", None)  # partial_fit starts anew
        record = self._validate_rows(X, sensitive_features, reset=True)
        check_consistent_length(record.features, y, record.codes)
        check_group_counts(
            record.encoding, what="outcome unlearning", hint="Merge rare groups."
        )
        weights = group_weights(self.weights, record.encoding.counts)
        if _routing_enabled():
            params = process_routing(self, "fit", **fit_params).estimator.fit
        else:
            params = Bunch(**fit_params)
        return self._fit(record, y, weights, params)

    def _validate_rows(self, X, sensitive_features, *, reset: bool):
        """Validate X; parse S (encode it at fit, else look it up): a record."""
        allow_nan = get_tags(self.estimator).input_tags.allow_nan
        X = check_rows(X, allow_nan=allow_nan, fitting=reset)
        validate_data(self, X, skip_check_array=True, reset=reset)
        return parse_sensitive(
            X,
            sensitive_features,
            spec=self.sensitive_feature_ids,
            feature_names=getattr(self, "feature_names_in_", None),
            fitted=None if reset else self._encoding,
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
        record = self._validate_rows(X, sensitive_features, reset=False)
        X, codes = record.features, known_codes(record, self.groups_)
        if self.repair_level == 0:
            return getattr(self.estimator_, form)(X)
        method, spread = self.output_method_, self.duplicates == "spread"
        raw = getattr(self.estimator_, method)(X)
        Z = repair_outputs(
            self._repair, raw, method, X, codes, self.repair_level, spread
        )
        classes = self.classes_ if is_classifier(self.estimator_) else None
        return _outputs.repaired_form(form, Z, raw, method, classes)

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
            Predictions; those of ``estimator_`` when ``repair_level=0``.
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
            Rows sum to one; those of ``estimator_`` when ``repair_level=0``.
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
            when ``repair_level=0``.
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
