"""MarginalUnlearner's fit of an ``MLPRegressor``: forgetting, then settling.

The classifiers' machinery with a regressor's objective: a forgetting phase
(:func:`~sklearn_unlearn.datapoint._forget_phase.forget_phase`) on the squared
loss of the retained rows plus ``gamma`` times the membership information of
the soft-binned outputs
(:func:`~sklearn_unlearn.datapoint._output_information.regression_objective`),
for the step budget calibrated on the original fit, then ``settle_epochs``
epochs of Adam on the squared loss of the retained rows.
"""

from collections.abc import Callable
from functools import partial

import numpy as np

from sklearn_unlearn.datapoint._fine_tuning import (
    FineTuned,
    FineTuneSettings,
    _float32,
)
from sklearn_unlearn.datapoint._forget_phase import (
    FitState,
    ForgetSettings,
    forget_phase,
    snapshot,
)
from sklearn_unlearn.datapoint._network import Network, forward
from sklearn_unlearn.datapoint._output_information import (
    OutputBins,
    output_bins,
    output_information,
    regression_objective,
)
from sklearn_unlearn.datapoint._retained_fit import settle_adam

__all__ = [
    "REGRESSION_HISTORY_KEYS",
    "fine_tune_regressor",
    "regression_measures",
]

REGRESSION_HISTORY_KEYS = ("loss", "mi", "forget_mse", "retain_mse", "phase")


def regression_measures(net: Network, state: FitState, *, bins: OutputBins) -> dict:
    """Objective, membership information and mean squared errors.

    ``mi`` is the information of the soft-binned outputs of all training rows
    (label 0) and of the retained rows (label 1), summed over the outputs; the
    errors are means over the rows and outputs, in float64.
    """
    Z, _ = forward(net, state.X)
    retain = ~state.mask
    labels = np.r_[np.zeros(len(Z), np.intp), np.ones(int(retain.sum()), np.intp)]
    info, _ = output_information(np.vstack([Z, Z[retain]]), labels, bins)
    squared = np.sum((Z.astype(np.float64) - state.y_idx) ** 2, axis=1)
    penalty = 0.5 * state.l2 * sum(float(np.sum(W * W)) for W in net.weights)
    k = Z.shape[1]
    return {
        "loss": 0.5 * float(squared[retain].mean())
        + state.gamma * float(bins.weight @ info)
        + penalty,
        "mi": float(info.sum()),
        "forget_mse": float(squared[state.mask].mean()) / k,
        "retain_mse": float(squared[retain].mean()) / k,
    }


def fine_tune_regressor(
    net: Network,
    X: np.ndarray,
    Y: np.ndarray,
    mask: np.ndarray,
    l2: float,
    settings: FineTuneSettings,
    rng: np.random.RandomState,
    log: Callable | None = None,
) -> FineTuned:
    """Forget the rows of ``mask`` from the regression network ``net``.

    One forgetting phase (``settings.forget_steps`` steps, or up to
    ``settings.max_iter`` epochs while the training set's information
    decreases), then ``settings.settle_epochs`` epochs of Adam on the retained
    rows. ``Y`` holds the (n, k) targets. In float32, as for an MLPClassifier;
    the bins are those of the starting outputs.
    """
    X, net = X.astype(np.float32), _float32(net)
    retain_rows = np.flatnonzero(~mask)
    start, _ = forward(net, X)
    bins = output_bins(start.astype(np.float64), Y[retain_rows])
    state = FitState(
        X=X,
        y_idx=Y.astype(np.float32),  # the measures compute in float64
        mask=mask,
        X_forget=X[mask],
        retain_rows=retain_rows,
        l2=l2,
        gamma=settings.gamma,
        validation=None,
        rng=rng,
        history={k: [] for k in REGRESSION_HISTORY_KEYS},
        objective=partial(regression_objective, bins=bins),
        measures=partial(regression_measures, bins=bins),
    )
    snapshot(net, state, "start")
    forget_settings = ForgetSettings(
        settings.max_iter,
        settings.learning_rate,
        settings.batch_size,
        settings.n_iter_no_change,
        settings.forget_steps,
    )
    n_steps, n_epochs, _ = forget_phase(net, state, forget_settings, 0, log)
    if settings.settle_epochs:
        n_steps += settle_adam(
            net,
            X[retain_rows],
            state.y_idx[retain_rows],
            l2,
            n_epochs=settings.settle_epochs,
            batch_size=min(settings.batch_size, retain_rows.size),
            learning_rate=settings.learning_rate,
            rng=rng,
        )
        n_epochs += settings.settle_epochs
        snapshot(net, state, "settle")
    history = {k: v for k, v in state.history.items() if v}
    return FineTuned(net, history, n_steps, n_steps, n_epochs)
