"""The prediction methods and tags of MarginalUnlearner: those of its model.

:class:`DelegatingMixin` answers ``predict``, ``predict_proba``,
``decision_function`` and ``score`` with the unlearned model, and takes the
estimator type (classifier or regressor) from the wrapped estimator, as
scikit-learn's meta-estimators do.
"""

import numpy as np
import pandas as pd
from sklearn.base import ClassifierMixin, RegressorMixin
from sklearn.neural_network import MLPRegressor
from sklearn.utils._available_if import available_if
from sklearn.utils._tags import ClassifierTags, RegressorTags
from sklearn.utils.validation import check_is_fitted, validate_data

from sklearn_unlearn.datapoint._regression import wraps_regressor
from sklearn_unlearn.utils._validation import estimator_has

__all__ = ["DelegatingMixin"]


class DelegatingMixin:
    """Predictions, score and tags of the wrapped (unlearned) estimator."""

    def _delegate(self, name, X):
        check_is_fitted(self)
        X = validate_data(self, X, dtype=np.float64, reset=False)
        model = self.unlearned_estimator_
        if hasattr(model, "feature_names_in_"):  # names checked above, once
            X = pd.DataFrame(X, columns=model.feature_names_in_, copy=False)
        return getattr(model, name)(X)

    def predict(self, X):
        """Predict with the unlearned model.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Samples.

        Returns
        -------
        y_pred : ndarray of shape (n_samples,)
            Predicted classes (a classifier) or values (a regressor).
        """
        return self._delegate("predict", X)

    @available_if(estimator_has("predict_proba"))
    def predict_proba(self, X):
        """Class probabilities of the unlearned model (classifiers).

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Samples.

        Returns
        -------
        proba : ndarray of shape (n_samples, n_classes)
            Probabilities.
        """
        return self._delegate("predict_proba", X)

    @available_if(estimator_has("decision_function"))
    def decision_function(self, X):
        """Decision function of the unlearned model (linear classifiers).

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Samples.

        Returns
        -------
        scores : ndarray of shape (n_samples,) or (n_samples, n_classes)
            Decision values.
        """
        return self._delegate("decision_function", X)

    def score(self, X, y, sample_weight=None):
        """Accuracy (a classifier) or R² (a regressor) of the unlearned model.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Samples.
        y : array-like of shape (n_samples,)
            True labels or values.
        sample_weight : array-like of shape (n_samples,), default=None
            Sample weights.

        Returns
        -------
        score : float
            Mean (weighted) accuracy of ``predict(X)``, or its coefficient of
            determination for a regressor.
        """
        mixin = RegressorMixin if wraps_regressor(self.estimator) else ClassifierMixin
        return mixin.score(self, X, y, sample_weight=sample_weight)

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.target_tags.required = True
        if wraps_regressor(self.estimator):
            tags.estimator_type = "regressor"
            tags.regressor_tags = RegressorTags()
        else:  # a classifier, or an unsupported model fit will reject
            tags.estimator_type = "classifier"
            tags.classifier_tags = ClassifierTags(multi_label=False)
        # dense float rows of one label or value each: the gradients cover no more
        tags.input_tags.sparse = False
        tags.input_tags.allow_nan = False
        # an MLPRegressor predicts several targets: so does its unlearner
        tags.target_tags.multi_output = isinstance(self.estimator, MLPRegressor)
        tags.target_tags.single_output = True
        return tags
