"""Read a fitted scikit-learn classifier (or MLPRegressor) as a Network, and
write one back.

The only place that knows the attribute layout of the supported estimators.
"""

import copy

import numpy as np
import pandas as pd
from sklearn.linear_model import LogisticRegression, SGDClassifier
from sklearn.neural_network import MLPClassifier, MLPRegressor

from sklearn_unlearn.datapoint._network import Network, forward

__all__ = ["SUPPORTED", "check_supported", "l2_penalty", "network_of", "with_network"]

SUPPORTED = (
    "LogisticRegression (binary or multiclass), SGDClassifier(loss='log_loss') "
    "and MLPClassifier (binary or multiclass, not multilabel)"
)


def _unsupported(estimator) -> TypeError:
    return TypeError(
        f"MarginalUnlearner cannot unlearn {type(estimator).__name__}: its "
        f"gradients are written for {SUPPORTED}. Wrap one of those, or retrain "
        "from scratch on the retained rows."
    )


def _linear_link(estimator, X_probe: np.ndarray) -> str:
    """The link whose probabilities match the estimator's ``predict_proba``."""
    if estimator.coef_.shape[0] == 1:
        return "logistic"
    net = Network(
        [estimator.coef_.T], [np.ravel(estimator.intercept_)], "identity", "softmax"
    )
    rows = X_probe
    if hasattr(estimator, "feature_names_in_"):  # fitted on a data frame
        rows = pd.DataFrame(X_probe, columns=estimator.feature_names_in_)
    expected = estimator.predict_proba(rows)
    for link in ("softmax", "ovr"):
        proba, _ = forward(net._replace(link=link), X_probe)
        if np.allclose(proba, expected, rtol=1e-6, atol=1e-9):
            return link
    raise _unsupported(estimator)


def check_supported(estimator) -> None:
    """Raise the TypeError listing the supported models for any other one."""
    if isinstance(estimator, MLPClassifier | LogisticRegression):
        return
    if isinstance(estimator, SGDClassifier) and estimator.loss == "log_loss":
        return
    raise _unsupported(estimator)


def network_of(estimator, X_probe: np.ndarray) -> Network:
    """A float64 copy of the fitted ``estimator``'s weights as a Network.

    ``X_probe`` (a few rows) decides between the softmax and the normalised
    one-vs-rest link of multiclass linear models. An ``MLPRegressor`` (identity
    output: :func:`~sklearn_unlearn.datapoint._regression.check_regressor`
    checked it) gets the ``"identity"`` link.
    """
    if isinstance(estimator, MLPRegressor):
        return Network(
            [np.array(W, dtype=np.float64) for W in estimator.coefs_],
            [np.array(b, dtype=np.float64) for b in estimator.intercepts_],
            estimator.activation,
            "identity",
        )
    if isinstance(estimator, MLPClassifier):
        if estimator.out_activation_ not in ("softmax", "logistic") or (
            estimator.out_activation_ == "logistic" and len(estimator.classes_) != 2
        ):
            raise _unsupported(estimator)
        link = "softmax" if estimator.out_activation_ == "softmax" else "logistic"
        return Network(
            [np.array(W, dtype=np.float64) for W in estimator.coefs_],
            [np.array(b, dtype=np.float64) for b in estimator.intercepts_],
            estimator.activation,
            link,
        )
    linear = isinstance(estimator, LogisticRegression) or (
        isinstance(estimator, SGDClassifier) and estimator.loss == "log_loss"
    )
    if not linear:
        raise _unsupported(estimator)
    return Network(
        [np.array(estimator.coef_.T, dtype=np.float64)],
        [np.array(np.ravel(estimator.intercept_), dtype=np.float64)],
        "identity",
        _linear_link(estimator, X_probe),
    )


def with_network(estimator, net: Network):
    """A deep copy of ``estimator`` carrying the weights of ``net``."""
    out = copy.deepcopy(estimator)
    if isinstance(estimator, MLPClassifier | MLPRegressor):
        out.coefs_ = [W.astype(estimator.coefs_[0].dtype) for W in net.weights]
        out.intercepts_ = [b.astype(estimator.coefs_[0].dtype) for b in net.biases]
    else:
        out.coef_ = net.weights[0].T.astype(estimator.coef_.dtype)
        out.intercept_ = net.biases[0].astype(np.asarray(estimator.intercept_).dtype)
    return out


def l2_penalty(estimator, n_samples: int) -> float:
    """Coefficient ``lam`` of ``0.5 * lam * ||W||^2`` in the estimator's mean loss.

    The L1 part of an elastic net is not differentiable and is left out; the
    fine-tuning keeps the L2 part so it optimises the estimator's own objective.
    """
    if isinstance(estimator, MLPClassifier | MLPRegressor):
        return float(estimator.alpha) / n_samples
    if isinstance(estimator, SGDClassifier):
        if estimator.penalty == "l2":
            return float(estimator.alpha)
        if estimator.penalty == "elasticnet":
            return float(estimator.alpha) * (1.0 - float(estimator.l1_ratio))
        return 0.0
    penalty = getattr(estimator, "penalty", "deprecated")
    C = float(estimator.C)
    if penalty in (None, "none", "l1") or not np.isfinite(C):
        return 0.0
    l1_ratio = float(getattr(estimator, "l1_ratio", None) or 0.0)
    if penalty == "l2":
        l1_ratio = 0.0
    return (1.0 - l1_ratio) / (C * n_samples)
