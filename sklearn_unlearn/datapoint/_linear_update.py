"""MarginalUnlearner's exact and certified paths for convex linear models.

Two fits that bypass the forgetting phase: the Newton removal of a linear
classifier (``linear_update="newton"``) and the unlearning of a linear
regressor (either update). Both end at (a certified neighbourhood of) the
minimiser of the estimator's own objective on the retained rows, which is the
model retraining computes; each returns an :class:`Update` from which
MarginalUnlearner sets its fitted attributes.
"""

from typing import NamedTuple

import numpy as np
from sklearn.linear_model import LogisticRegression, SGDClassifier
from sklearn.neural_network import MLPClassifier, MLPRegressor
from sklearn.utils import check_random_state
from sklearn.utils.validation import validate_data

from sklearn_unlearn.datapoint._adapters import l2_penalty, network_of, with_network
from sklearn_unlearn.datapoint._fit_inputs import check_dense
from sklearn_unlearn.datapoint._forget_phase import HISTORY_KEYS, FitState, snapshot
from sklearn_unlearn.datapoint._network import Network
from sklearn_unlearn.datapoint._newton import gaussian_epsilon, newton_removal
from sklearn_unlearn.datapoint._quadratic import (
    least_squares_newton,
    least_squares_solve,
)
from sklearn_unlearn.datapoint._regression import (
    check_regressor,
    least_squares_l2,
    regressor_weights,
    with_regressor_weights,
    wraps_regressor,
)
from sklearn_unlearn.utils._validation import check_same_rows

__all__ = [
    "Update",
    "check_linear_update",
    "check_regressor_data",
    "newton_update",
    "regressor_update",
]


def _l1_part(estimator) -> bool:
    """Whether the classifier's penalty has an L1 part (not differentiable)."""
    penalty = getattr(estimator, "penalty", None)
    l1_ratio = getattr(estimator, "l1_ratio", None) or 0.0
    if penalty in ("elasticnet", "deprecated"):  # "deprecated": l1_ratio rules
        return l1_ratio > 0
    return penalty == "l1"


def check_linear_update(
    estimator, linear_update: str, loss_noise: float, newton_steps: int = 1
) -> None:
    """Raise, before any work, for a ``linear_update`` the estimator cannot take."""
    if loss_noise > 0 and linear_update != "newton":
        raise ValueError(
            f"loss_noise={loss_noise} perturbs the objective of the Newton "
            "removal: set linear_update='newton', or loss_noise=0."
        )
    if newton_steps != 1 and linear_update != "newton":
        raise ValueError(
            f"newton_steps={newton_steps} counts the steps of the Newton "
            "removal: set linear_update='newton', or newton_steps=1."
        )
    if linear_update != "newton":
        return
    if isinstance(estimator, MLPClassifier | MLPRegressor):
        raise ValueError(
            "linear_update='newton' certifies convex linear models; "
            f"{type(estimator).__name__} is not convex. Use "
            "linear_update='settle' (the default)."
        )
    if wraps_regressor(estimator):
        return  # check_regressor covers the regressors
    if not isinstance(estimator, LogisticRegression | SGDClassifier):
        return  # fit rejects the unsupported models
    if getattr(estimator, "solver", None) == "liblinear":
        raise ValueError(
            "linear_update='newton' needs the objective with an unpenalised "
            "intercept; solver='liblinear' penalises it. Use solver='lbfgs'."
        )
    if getattr(estimator, "class_weight", None) is not None:
        raise ValueError(
            "linear_update='newton' does not support class_weight: the "
            "certified objective weighs every row alike. Pass class_weight=None."
        )
    if _l1_part(estimator) or not l2_penalty(estimator, 1) > 0:
        raise ValueError(
            "linear_update='newton' needs an L2 penalty only (its strong "
            f"convexity gives the bound); {type(estimator).__name__} has "
            "none, or an L1 part. Use an L2 penalty with C < inf (alpha > 0)."
        )


class Update(NamedTuple):
    """Outcome of an update: the unlearned model and what the fit reports."""

    unlearned: object  # a copy of the estimator with the new weights
    history: dict  # the non-empty history entries, one item per snapshot
    best_step: int  # step whose weights were kept
    n_steps: int  # optimiser steps run
    n_epochs: int  # epochs (or Newton steps, or solves) run
    attributes: dict  # further fitted attributes (the certificate), by name


def _noise(shape, loss_noise: float, random_state, n_outputs_shared: bool):
    """The random linear term ``b`` of the objective (None without noise)."""
    if not loss_noise:
        return None
    b = check_random_state(random_state).normal(scale=loss_noise, size=shape)
    if n_outputs_shared:  # softmax intercepts: a common shift is free
        b[-1] -= b[-1].mean()
    return b


def _certificate(removal, n_retained: int, loss_noise: float, delta: float) -> dict:
    """The certificate's fitted attributes of a Newton or least-squares removal."""
    attributes = {
        "gradient_norm_": removal.gradient_norm,
        "distance_bound_": removal.distance_bound,
    }
    if loss_noise:
        attributes["removal_epsilon_"] = gaussian_epsilon(
            n_retained * removal.gradient_norm, loss_noise, delta
        )
    return attributes


def newton_update(
    model, X, y_idx, mask, *, steps, loss_noise, removal_delta, random_state
) -> Update:
    """Certified Newton steps of a fitted linear classifier; no forgetting phase."""
    retain = ~mask
    n_retained = int(np.count_nonzero(retain))
    net = network_of(model, X[:20])
    l2 = l2_penalty(model, n_retained)
    fit_intercept = bool(model.fit_intercept)
    coef, intercept = net.weights[0], net.biases[0]
    shape = (coef.shape[0] + int(fit_intercept), coef.shape[1])
    shared = net.link == "softmax" and fit_intercept
    noise = _noise(shape, loss_noise, random_state, shared)
    # the forgotten rows get weight 0 rather than a copy of the others
    removal = newton_removal(
        X, y_idx, coef, intercept, l2, net.link, fit_intercept, noise,
        steps=steps, retain=retain,
    )  # fmt: skip
    state = FitState(
        X, y_idx, mask, X[mask], np.flatnonzero(retain), l2, 0.0, None, None,
        {k: [] for k in HISTORY_KEYS},
    )  # fmt: skip
    snapshot(net, state, "start")
    new = Network([removal.coef], [removal.intercept], net.hidden, net.link)
    snapshot(new, state, "newton")
    return Update(
        with_network(model, new),
        {k: v for k, v in state.history.items() if v},
        steps,
        steps,
        steps,
        _certificate(removal, n_retained, loss_noise, removal_delta),
    )


def check_regressor_data(unlearner, X, y, X_val, y_val):
    """``X`` as float64 and ``y`` for ``unlearner``'s regressor (one or several
    targets for an MLPRegressor); no validation rows."""
    check_regressor(unlearner.estimator)
    if X_val is not None or y_val is not None:
        raise ValueError(
            "X_val and y_val set the stopping point of a classifier's "
            "forgetting (class-matched confidence); a regressor does not "
            "use them. Drop them (an MLPRegressor forgets for the budget "
            "calibrated on its fit, or max_iter epochs)."
        )
    check_dense(X)
    check_same_rows(X, y, "y", "one target per row of X")
    return validate_data(
        unlearner, X, y, dtype=np.float64, y_numeric=True, ensure_min_samples=2,
        multi_output=isinstance(unlearner.estimator, MLPRegressor),
    )  # fmt: skip


def regressor_update(
    model, X, y, mask, *, linear_update, loss_noise, removal_delta, random_state
) -> Update:
    """The exact retained optimum of a fitted linear regressor.

    A linear regressor's objective is a strictly convex quadratic whose
    retained minimiser is computed exactly (the model retraining returns), so
    a forgetting phase would only move the start of an exact solve:
    ``"settle"`` solves the normal equations on the retained rows,
    ``"newton"`` takes the one exact Newton step from the fitted weights (and
    can perturb the objective by ``loss_noise``).
    """
    retain = ~mask
    n_retained = int(np.count_nonzero(retain))
    l2 = least_squares_l2(model, n_retained)
    fit_intercept = bool(model.fit_intercept)
    coef, intercept = regressor_weights(model)
    if linear_update == "newton":
        size = coef.size + int(fit_intercept)
        noise = _noise(size, loss_noise, random_state, False)
        removal = least_squares_newton(
            X[retain], y[retain], coef, intercept, l2, fit_intercept, noise
        )
    else:
        removal = least_squares_solve(X[retain], y[retain], l2, fit_intercept)
    new_coef, new_intercept = removal.coef[:, 0], float(removal.intercept[0])
    history = {"loss": [], "forget_mse": [], "retain_mse": [], "phase": []}
    for phase, (w, b) in (
        ("start", (coef, intercept)),
        (linear_update, (new_coef, new_intercept)),
    ):
        squared = (X @ w + b - y) ** 2
        penalty = 0.5 * l2 * float(w @ w)
        history["loss"].append(0.5 * float(squared[retain].mean()) + penalty)
        history["forget_mse"].append(float(squared[mask].mean()))
        history["retain_mse"].append(float(squared[retain].mean()))
        history["phase"].append(phase)
    unlearned = with_regressor_weights(model, new_coef, new_intercept)
    # one step: the Newton step or the solve
    certificate = _certificate(removal, n_retained, loss_noise, removal_delta)
    return Update(unlearned, history, 1, 1, 1, certificate)
