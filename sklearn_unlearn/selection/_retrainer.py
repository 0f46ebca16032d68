"""SelectiveRetrainer: select the rows to keep, then fit an estimator on them."""

import numpy as np
from sklearn.base import BaseEstimator, MetaEstimatorMixin, clone
from sklearn.utils import Bunch, _safe_indexing
from sklearn.utils._available_if import available_if
from sklearn.utils.metadata_routing import (
    MetadataRouter,
    MethodMapping,
    process_routing,
)
from sklearn.utils.validation import (
    _num_samples,
    check_consistent_length,
    check_is_fitted,
    has_fit_parameter,
)

from sklearn_unlearn.selection import _domain
from sklearn_unlearn.selection._selector import DistributionalSelector
from sklearn_unlearn.utils._compat import (
    HasMethods,
    StrOptions,
    _routing_enabled,
)
from sklearn_unlearn.utils._state import fit_context
from sklearn_unlearn.utils._validation import (
    delegate_tags,
    estimator_has,
    subset_params,
)

__all__ = ["SelectiveRetrainer"]

DELEGATED = ("predict", "predict_proba", "predict_log_proba", "decision_function")


class SelectiveRetrainer(MetaEstimatorMixin, BaseEstimator):
    """Delete part of an unwanted domain, then fit an estimator on the rest.

    ``fit`` fits a clone of ``selector`` (a :class:`DistributionalSelector`) to
    choose the forget-domain rows to delete, then a clone of ``estimator`` on
    the kept rows (or on all rows with zero weight for the deleted ones). It is
    an ordinary estimator, so it works in a plain scikit-learn ``Pipeline`` and
    in ``GridSearchCV`` (e.g. a grid over ``selector__budget`` and
    ``selector__criterion``), where samplers cannot drop rows.

    Read more in the :ref:`User Guide <distributional_unlearning>`.

    Parameters
    ----------
    estimator : estimator object
        The model retrained on the edited data.
    selector : DistributionalSelector or None, default=None
        Chooses the rows to delete; None means ``DistributionalSelector()``.
        With ``selector.domain_column`` set, ``X`` carries the domain column
        at fit and predict time; it is dropped before ``estimator`` sees ``X``.
    deletion : {"drop", "sample_weight"}, default="drop"
        ``"drop"`` fits ``estimator`` on the kept rows only (per-sample fit
        parameters are subset alike); ``"sample_weight"`` fits it on all rows
        with ``sample_weight`` 0 for the deleted ones (times any given weights),
        for estimators whose ``fit`` takes ``sample_weight``.

    Attributes
    ----------
    selector_ : DistributionalSelector
        The fitted selector (``selector_.sample_indices_`` are the kept rows).
    estimator_ : estimator object
        The estimator fitted on the edited data.
    classes_ : ndarray of shape (n_classes,)
        Class labels, when ``estimator`` is a classifier.
    n_features_in_ : int
        Number of columns of ``X`` during fit (domain column included).
    feature_names_in_ : ndarray of shape (`n_features_in_`,)
        Column names of ``X``, when it has string column names.

    See Also
    --------
    DistributionalSelector : The selection step on its own (``fit_resample``).

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn.linear_model import LogisticRegression
    >>> from sklearn_unlearn import DistributionalSelector, SelectiveRetrainer
    >>> rng = np.random.default_rng(0)
    >>> X = rng.normal(size=(300, 3))
    >>> y = (X[:, 0] + X[:, 1] > 0).astype(int)
    >>> domain = (rng.random(300) < 0.3).astype(int)  # 1 = the domain to forget
    >>> Xd = np.column_stack([domain, X])
    >>> model = SelectiveRetrainer(
    ...     LogisticRegression(),
    ...     DistributionalSelector(budget=0.5, domain_column=0, forget_value=1),
    ... ).fit(Xd, y)
    >>> int(domain.sum()), model.selector_.n_deleted_  # half of the domain
    (93, 47)
    >>> model.predict(Xd[:3]).shape
    (3,)
    """

    _parameter_constraints: dict = {
        "estimator": [HasMethods(["fit"])],
        "selector": [DistributionalSelector, None],
        "deletion": [StrOptions({"drop", "sample_weight"})],
    }

    def __init__(self, estimator, selector=None, *, deletion="drop"):
        self.estimator = estimator
        self.selector = selector
        self.deletion = deletion

    @fit_context(prefer_skip_nested_validation=False)
    def fit(self, X, y=None, *, forget_mask=None, **fit_params):
        """Select the rows to delete, then fit the estimator on the edited data.

        Parameters
        ----------
        X : {array-like, DataFrame} of shape (n_samples, n_features)
            Training rows of both domains.
        y : array-like of shape (n_samples,), default=None
            Targets.
        forget_mask : array-like of bool, shape (n_samples,), default=None
            True for the forget-domain rows (unless the selector has a
            ``domain_column``). Request it with ``set_fit_request`` when
            metadata routing is enabled.
        **fit_params : dict
            Passed to ``estimator.fit`` (routed when metadata routing is
            enabled); per-sample values are subset to the kept rows.

        Returns
        -------
        self : SelectiveRetrainer
            The fitted meta-estimator.
        """
        if _routing_enabled():
            routed = process_routing(self, "fit", **fit_params)
        else:
            routed = Bunch(estimator=Bunch(fit=fit_params))
        if y is not None:
            check_consistent_length(X, y)
            if not hasattr(y, "shape"):
                y = np.asarray(y)
        params = dict(routed.estimator.fit)
        selector = DistributionalSelector() if self.selector is None else self.selector
        self.selector_ = clone(selector).fit(X, y, forget_mask=forget_mask)
        features = self.selector_._drop_domain(X)
        n_samples = _num_samples(features)
        self.estimator_ = clone(self.estimator)
        if self.deletion == "sample_weight":
            if not has_fit_parameter(self.estimator_, "sample_weight"):
                raise ValueError(
                    f"deletion='sample_weight' needs an estimator whose fit takes "
                    f"sample_weight; {type(self.estimator).__name__} does not. "
                    "Use deletion='drop'."
                )
            weight = (~self.selector_.deletion_mask_).astype(np.float64)
            if params.get("sample_weight") is not None:
                weight = weight * np.asarray(params["sample_weight"], dtype=float)
            params["sample_weight"] = weight
            self.estimator_.fit(features, y, **params)
        else:
            kept = self.selector_.sample_indices_
            X_kept = _safe_indexing(features, kept)
            y_kept = None if y is None else _safe_indexing(y, kept)
            self.estimator_.fit(
                X_kept, y_kept, **subset_params(params, kept, n_samples)
            )
        self.n_features_in_ = self.selector_.n_features_in_
        if hasattr(self.selector_, "feature_names_in_"):
            self.feature_names_in_ = self.selector_.feature_names_in_
        return self

    @property
    def classes_(self):
        """Class labels of the fitted estimator."""
        check_is_fitted(self)
        return self.estimator_.classes_

    def forget_domain_mask(self, X):
        """Which rows of ``X`` are in the forget domain, by the domain column.

        Reads the selector's ``domain_column`` and ``forget_value``, as ``fit``
        did, so that a score on the forget rows of new data (e.g.
        :func:`~sklearn_unlearn.metrics.make_forgetting_scorer`) needs no mask.

        Parameters
        ----------
        X : {array-like, DataFrame} of shape (n_samples, n_features)
            Rows laid out as in fit, domain column included.

        Returns
        -------
        mask : ndarray of bool, shape (n_samples,)
            True for the rows of the forget domain.
        """
        check_is_fitted(self)
        selector = self.selector_
        if selector.domain_column is None:
            raise ValueError(
                "The selector was fitted with forget_mask, not a domain_column: "
                "the rows of X carry no domain. Pass the forget mask of these "
                "rows instead (forget_mask= of the scorer, or routed metadata)."
            )
        column = selector._check_X(X, None, reset=False).column
        return _domain.forget_rows(column, selector.forget_value)

    def _delegate(self, name, X):
        check_is_fitted(self)
        return getattr(self.estimator_, name)(self.selector_._drop_domain(X))

    @available_if(estimator_has("predict"))
    def predict(self, X):
        """Predict with the estimator fitted on the edited data.

        Parameters
        ----------
        X : {array-like, DataFrame} of shape (n_samples, n_features)
            Rows laid out as in fit (with the domain column, if any).

        Returns
        -------
        y_pred : ndarray of shape (n_samples,)
            Predictions.
        """
        return self._delegate("predict", X)

    @available_if(estimator_has("predict_proba"))
    def predict_proba(self, X):
        """Class probabilities of the estimator fitted on the edited data.

        Parameters
        ----------
        X : {array-like, DataFrame} of shape (n_samples, n_features)
            Rows laid out as in fit.

        Returns
        -------
        proba : ndarray of shape (n_samples, n_classes)
            Probabilities.
        """
        return self._delegate("predict_proba", X)

    @available_if(estimator_has("predict_log_proba"))
    def predict_log_proba(self, X):
        """Log class probabilities of the estimator fitted on the edited data.

        Parameters
        ----------
        X : {array-like, DataFrame} of shape (n_samples, n_features)
            Rows laid out as in fit.

        Returns
        -------
        log_proba : ndarray of shape (n_samples, n_classes)
            Log-probabilities.
        """
        return self._delegate("predict_log_proba", X)

    @available_if(estimator_has("decision_function"))
    def decision_function(self, X):
        """Decision function of the estimator fitted on the edited data.

        Parameters
        ----------
        X : {array-like, DataFrame} of shape (n_samples, n_features)
            Rows laid out as in fit.

        Returns
        -------
        scores : ndarray of shape (n_samples,) or (n_samples, n_classes)
            Decision values.
        """
        return self._delegate("decision_function", X)

    @available_if(estimator_has("score"))
    def score(self, X, y, sample_weight=None):
        """The estimator's own score on ``X`` (laid out as in fit).

        Parameters
        ----------
        X : {array-like, DataFrame} of shape (n_samples, n_features)
            Rows laid out as in fit.
        y : array-like of shape (n_samples,)
            True targets.
        sample_weight : array-like of shape (n_samples,), default=None
            Sample weights.

        Returns
        -------
        score : float
            ``estimator_.score`` of the rows.
        """
        check_is_fitted(self)
        params = {} if sample_weight is None else {"sample_weight": sample_weight}
        return self.estimator_.score(self.selector_._drop_domain(X), y, **params)

    def get_metadata_routing(self):
        """Routing of metadata: ``forget_mask`` to self, the rest to ``estimator``.

        Returns
        -------
        routing : MetadataRouter
            The routing information.
        """
        mapping = MethodMapping().add(caller="fit", callee="fit")
        for name in (*DELEGATED, "score"):
            mapping.add(caller=name, callee=name)
        return (
            MetadataRouter(owner=type(self).__name__)
            .add_self_request(self)
            .add(estimator=self.estimator, method_mapping=mapping)
        )

    def __sklearn_tags__(self):
        return delegate_tags(
            super().__sklearn_tags__(), self.estimator, allow_nan=False
        )
