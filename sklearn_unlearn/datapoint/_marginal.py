"""MarginalUnlearner: forget training rows of a fitted model, without retraining."""

import numpy as np
import pandas as pd
from sklearn.base import (
    BaseEstimator,
    ClassifierMixin,
    MetaEstimatorMixin,
    RegressorMixin,
)
from sklearn.neural_network import MLPRegressor
from sklearn.utils import check_random_state
from sklearn.utils._available_if import available_if
from sklearn.utils._tags import ClassifierTags, RegressorTags
from sklearn.utils.validation import check_is_fitted, validate_data
from threadpoolctl import threadpool_limits

from sklearn_unlearn.datapoint._adapters import l2_penalty, network_of, with_network
from sklearn_unlearn.datapoint._calibration import calibrated_settings
from sklearn_unlearn.datapoint._fine_tuning import (
    FineTuneSettings,
    fine_tune,
    log_epoch,
)
from sklearn_unlearn.datapoint._fit_inputs import (
    check_classifier_data,
    check_validation,
    forget_mask_of,
    starting_model,
)
from sklearn_unlearn.datapoint._linear_update import (
    Update,
    check_linear_update,
    check_regressor_data,
    newton_update,
    regressor_update,
)
from sklearn_unlearn.datapoint._marginal_params import DOCSTRING, PARAMETER_CONSTRAINTS
from sklearn_unlearn.datapoint._network_regression import fine_tune_regressor
from sklearn_unlearn.datapoint._regression import fitted_regressor, wraps_regressor
from sklearn_unlearn.utils._state import fit_context
from sklearn_unlearn.utils._validation import estimator_has

__all__ = ["MarginalUnlearner"]


class MarginalUnlearner(MetaEstimatorMixin, BaseEstimator):
    __doc__ = DOCSTRING

    _parameter_constraints: dict = PARAMETER_CONSTRAINTS

    def __init__(
        self,
        estimator,
        *,
        prefit=True,
        forget_rows=None,
        gamma=4.0,
        max_iter=None,
        learning_rate=None,
        batch_size=128,
        n_iter_no_change=2,
        n_rounds=3,
        settle_epochs=5,
        linear_update="settle",
        newton_steps=1,
        loss_noise=0.0,
        removal_delta=1e-5,
        random_state=None,
        verbose=0,
    ):
        self.estimator = estimator
        self.prefit = prefit
        self.forget_rows = forget_rows
        self.gamma = gamma
        self.max_iter = max_iter
        self.learning_rate = learning_rate
        self.batch_size = batch_size
        self.n_iter_no_change = n_iter_no_change
        self.n_rounds = n_rounds
        self.settle_epochs = settle_epochs
        self.linear_update = linear_update
        self.newton_steps = newton_steps
        self.loss_noise = loss_noise
        self.removal_delta = removal_delta
        self.random_state = random_state
        self.verbose = verbose

    @fit_context(prefer_skip_nested_validation=False)
    def fit(self, X, y, *, forget_mask=None, X_val=None, y_val=None):
        """Fine-tune a copy of the estimator to forget the rows of ``forget_mask``.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            The estimator's training data.
        y : array-like of shape (n_samples,)
            Its labels.
        forget_mask : array-like of bool, shape (n_samples,), default=None
            True for the rows to forget. Required unless ``forget_rows`` is set.
        X_val, y_val : array-like, default=None
            Rows the estimator never saw, with labels. An MLP on its
            calibrated budget uses them to choose its reset share; other
            models, for early stopping (see Notes).

        Returns
        -------
        self : MarginalUnlearner
            The fitted meta-estimator.
        """
        check_linear_update(
            self.estimator, self.linear_update, self.loss_noise, self.newton_steps
        )
        if wraps_regressor(self.estimator):
            return self._fit_regressor(X, y, forget_mask, X_val, y_val)
        X_raw = X
        X, y = check_classifier_data(self, X, y)
        mask = forget_mask_of(self.forget_rows, forget_mask, X, y)
        model = starting_model(self.estimator, self.prefit, X_raw, X, y)
        y_idx = np.searchsorted(model.classes_, y)
        validation = check_validation(self, X_val, y_val, model.classes_, y_idx[mask])
        # small GEMMs on mini-batches: one BLAS thread is faster
        with threadpool_limits(limits=1, user_api="blas"):
            if self.linear_update == "newton":
                update = newton_update(
                    model, X, y_idx, mask, steps=self.newton_steps, **self._removal()
                )
            else:
                update = self._fine_tuned(
                    model,
                    fine_tune(
                        network_of(model, X[:20]),
                        X,
                        y_idx,
                        mask,
                        l2_penalty(model, int(np.count_nonzero(~mask))),
                        validation,
                        self._settings(model, len(X), validation),
                        check_random_state(self.random_state),
                        log_epoch if self.verbose else None,
                    ),
                )
        self.classes_ = model.classes_
        return self._set_fitted(model, update)

    def _fit_regressor(self, X, y, forget_mask, X_val, y_val):
        """Unlearn from a regressor: exact for linear ones, fine-tuned for MLPs."""
        X_raw = X
        X, y = check_regressor_data(self, X, y, X_val, y_val)
        mask = forget_mask_of(self.forget_rows, forget_mask, X, y, classes=False)
        model = fitted_regressor(self.estimator, self.prefit, X_raw, X, y)
        with threadpool_limits(limits=1, user_api="blas"):
            if not isinstance(model, MLPRegressor):
                update = regressor_update(
                    model, X, y, mask, linear_update=self.linear_update,
                    **self._removal(),
                )  # fmt: skip
                return self._set_fitted(model, update)
            tuned = fine_tune_regressor(
                network_of(model, X[:20]),
                X,
                np.asarray(y, dtype=np.float64).reshape(len(X), -1),
                mask,
                l2_penalty(model, int(np.count_nonzero(~mask))),
                self._settings(model, len(X), None),
                check_random_state(self.random_state),
                log_epoch if self.verbose else None,
            )
        return self._set_fitted(model, self._fine_tuned(model, tuned))

    def _settings(self, model, n_samples, validation):
        """The fine-tuning settings: the parameters, calibrated on ``model``."""
        fields = FineTuneSettings._fields[:7]  # the parameters of the same names
        settings = FineTuneSettings(*(getattr(self, n) for n in fields))
        return calibrated_settings(model, settings, n_samples, validation)

    def _removal(self):
        """Keyword arguments of the linear models' updates."""
        return dict(loss_noise=self.loss_noise, removal_delta=self.removal_delta,
                    random_state=self.random_state)  # fmt: skip

    @staticmethod
    def _fine_tuned(model, tuned):
        """The :class:`Update` of a fine-tuning outcome."""
        return Update(
            with_network(model, tuned.net), tuned.history, tuned.best_step,
            tuned.n_steps, tuned.n_epochs, {"reset_share_": tuned.reset_share},
        )  # fmt: skip

    def _set_fitted(self, model, update):
        """Set the fitted attributes from an :class:`Update`."""
        self.estimator_ = model
        self.unlearned_estimator_ = update.unlearned
        self.history_ = update.history
        self.best_step_ = update.best_step
        self.n_steps_ = update.n_steps
        self.n_iter_ = update.n_epochs
        for name, value in update.attributes.items():
            setattr(self, name, value)
        return self

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
