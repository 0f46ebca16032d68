"""Read and write the supported linear regressors; check every regressor.

The only place that knows the attributes and objectives of ``Ridge`` and
``SGDRegressor``; the numerics are in
:mod:`~sklearn_unlearn.datapoint._quadratic`. ``MLPRegressor`` is checked here
and read as a network by :mod:`~sklearn_unlearn.datapoint._adapters`.
"""

import copy

import numpy as np
from sklearn.base import clone, is_regressor
from sklearn.linear_model import Ridge, SGDRegressor
from sklearn.neural_network import MLPRegressor

__all__ = [
    "REGRESSORS",
    "check_regressor",
    "check_regressor_fitted_on",
    "fitted_regressor",
    "least_squares_l2",
    "regressor_weights",
    "with_regressor_weights",
    "wraps_regressor",
]

REGRESSORS = (
    "Ridge, SGDRegressor(loss='squared_error', penalty='l2') and "
    "MLPRegressor(loss='squared_error')"
)


def wraps_regressor(estimator) -> bool:
    """Whether ``estimator`` is a scikit-learn regressor (False for non-estimators)."""
    try:
        return is_regressor(estimator)
    except AttributeError:  # no scikit-learn tags: check_supported will say so
        return False


def check_regressor(estimator) -> None:
    """Raise, naming the fix, unless ``estimator`` is a supported regressor.

    The removal is exact for an objective that is a strictly convex quadratic:
    squared error plus a positive L2 penalty, nothing else. An MLPRegressor
    is fine-tuned: its gradients are written for the squared loss.
    """
    name = type(estimator).__name__
    if isinstance(estimator, MLPRegressor):
        if estimator.loss != "squared_error":
            raise TypeError(
                f"MarginalUnlearner cannot unlearn MLPRegressor(loss="
                f"{estimator.loss!r}): its gradients are written for "
                "loss='squared_error'. Use that loss, or retrain."
            )
        return
    if isinstance(estimator, Ridge):
        if estimator.positive:
            raise ValueError(
                "MarginalUnlearner cannot unlearn Ridge(positive=True): the "
                "constrained optimum has no closed form. Use positive=False."
            )
        alpha = np.asarray(estimator.alpha, dtype=float)
        if alpha.size != 1 or not alpha.item() > 0:
            raise ValueError(
                f"MarginalUnlearner needs Ridge with one positive alpha; got "
                f"alpha={estimator.alpha!r}. Pass a float alpha > 0."
            )
        return
    if isinstance(estimator, SGDRegressor):
        if estimator.loss != "squared_error":
            raise TypeError(
                f"MarginalUnlearner cannot unlearn SGDRegressor(loss="
                f"{estimator.loss!r}): only loss='squared_error' has the exact "
                "quadratic retained optimum."
            )
        l1 = estimator.penalty == "l1" or (
            estimator.penalty == "elasticnet" and estimator.l1_ratio > 0
        )
        if l1 or estimator.penalty is None or not estimator.alpha > 0:
            raise ValueError(
                f"MarginalUnlearner needs SGDRegressor with an L2 penalty only "
                f"(got penalty={estimator.penalty!r}, alpha={estimator.alpha}): "
                "pass penalty='l2' and alpha > 0."
            )
        return
    raise TypeError(
        f"MarginalUnlearner cannot unlearn the regressor {name}: it supports "
        f"{REGRESSORS}. Wrap one of those, or retrain on the retained rows."
    )


def least_squares_l2(estimator, n_samples: int) -> float:
    """``lam`` of ``0.5 * lam * ||w||^2`` in the mean objective
    ``(1 / 2n) ||X w + b - y||^2 + ...`` that the regressor minimises.

    ``Ridge`` minimises ``||X w + b - y||^2 + alpha ||w||^2``: ``alpha / n``;
    ``SGDRegressor`` the mean of ``(x w + b - y)^2 / 2`` plus ``alpha / 2
    ||w||^2``: ``alpha``.
    """
    alpha = float(np.asarray(estimator.alpha, dtype=float).item())
    return alpha / n_samples if isinstance(estimator, Ridge) else alpha


def regressor_weights(estimator) -> tuple[np.ndarray, float]:
    """``(coef, intercept)`` of a fitted regressor, in float64."""
    coef = np.asarray(estimator.coef_, dtype=np.float64).ravel()
    return coef, float(np.ravel(estimator.intercept_)[0])


def with_regressor_weights(estimator, coef: np.ndarray, intercept: float):
    """A deep copy of ``estimator`` with these weights, in its own layout."""
    out = copy.deepcopy(estimator)
    out.coef_ = coef.astype(np.asarray(estimator.coef_).dtype).reshape(
        np.shape(estimator.coef_)
    )
    if np.ndim(estimator.intercept_):
        out.intercept_ = np.full(np.shape(estimator.intercept_), intercept)
    else:
        out.intercept_ = type(estimator.intercept_)(intercept)
    return out


def check_regressor_fitted_on(estimator, X: np.ndarray, y=None) -> None:
    """Raise unless the prefit regressor saw rows like ``X`` and targets like
    ``y`` (a linear one: single-output)."""
    expected = getattr(estimator, "n_features_in_", X.shape[1])
    if X.shape[1] != expected:
        raise ValueError(
            f"X has {X.shape[1]} features but the estimator was fitted on "
            f"{expected}: pass the estimator's own training data."
        )
    if isinstance(estimator, MLPRegressor):
        k = 1 if y is None or np.ndim(y) == 1 else np.shape(y)[1]
        if k != estimator.n_outputs_:
            raise ValueError(
                f"y has {k} target column(s) but the estimator was fitted on "
                f"{estimator.n_outputs_}: pass its own training targets."
            )
        return
    if np.ndim(estimator.coef_) != 1:
        raise ValueError(
            "MarginalUnlearner unlearns single-output regressors; the "
            "estimator was fitted on several targets. Unlearn each separately."
        )


def fitted_regressor(estimator, prefit: bool, X_raw, X: np.ndarray, y):
    """The fitted regressor unlearning starts from (see ``starting_model``)."""
    if not prefit:
        return clone(estimator).fit(X_raw, y)
    check_regressor_fitted_on(estimator, X, y)
    return estimator
