"""MarginalUnlearner: forget training rows of a fitted model, without retraining."""

import numpy as np
from sklearn.base import BaseEstimator, MetaEstimatorMixin
from sklearn.utils import check_random_state
from threadpoolctl import threadpool_limits

from sklearn_unlearn.datapoint._adapters import l2_penalty, network_of, with_network
from sklearn_unlearn.datapoint._calibration import calibrated_settings
from sklearn_unlearn.datapoint._delegation import DelegatingMixin
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
    LinearUpdateMixin,
    check_linear_update,
)
from sklearn_unlearn.datapoint._marginal_params import DOCSTRING, PARAMETER_CONSTRAINTS
from sklearn_unlearn.datapoint._network_regression import NetworkRegressionMixin
from sklearn_unlearn.datapoint._regression import wraps_regressor
from sklearn_unlearn.utils._state import fit_context

__all__ = ["MarginalUnlearner"]


class MarginalUnlearner(
    DelegatingMixin,
    LinearUpdateMixin,
    NetworkRegressionMixin,
    MetaEstimatorMixin,
    BaseEstimator,
):
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
            Rows the estimator never saw, with labels, for early stopping (see
            Notes). Strongly recommended: without them, nothing tells how much
            a model retrained without the forgotten rows would have forgotten.

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
                return self._fit_newton(model, X, y_idx, mask)
            return self._fit(model, X, y_idx, mask, validation)

    def _fit(self, model, X, y_idx, mask, validation):
        """Fine-tune ``model`` on the checked arrays; set the fitted attributes."""
        fields = FineTuneSettings._fields[:7]  # the parameters of the same names
        settings = calibrated_settings(
            model,
            FineTuneSettings(*(getattr(self, n) for n in fields)),
            len(X),
            validation,
        )
        result = fine_tune(
            network_of(model, X[:20]),
            X,
            y_idx,
            mask,
            l2_penalty(model, int(np.count_nonzero(~mask))),
            validation,
            settings,
            check_random_state(self.random_state),
            log_epoch if self.verbose else None,
        )
        self.estimator_ = model
        self.unlearned_estimator_ = with_network(model, result.net)
        self.best_step_ = result.best_step
        self.n_steps_ = result.n_steps
        self.n_iter_ = result.n_epochs
        self.history_ = result.history
        self.classes_ = model.classes_
        return self
