"""The fine-tuning of MarginalUnlearner: rounds of forgetting, then settling.

A fit is one or more rounds; each round is a forgetting phase
(:func:`~sklearn_unlearn.datapoint._forget_phase.forget_phase`) followed by a
settling phase on the retained rows
(:mod:`~sklearn_unlearn.datapoint._retained_fit`), for an MLP optionally
after a partial re-initialisation
(:func:`~sklearn_unlearn.datapoint._reset.partial_reset`). An MLP on its
calibrated budget runs one round; with validation data the reset share is
chosen on them (:mod:`~sklearn_unlearn.datapoint._share_choice`). Otherwise
rounds repeat, for an MLP with validation data, while a forgetting phase
improves on the weights the previous settling phase left. Pure functions on arrays and
:class:`~sklearn_unlearn.datapoint._network.Network`: no validation, no
scikit-learn objects.
"""

import logging
from collections.abc import Callable
from typing import NamedTuple

import numpy as np

from sklearn_unlearn.datapoint._forget_phase import (
    HISTORY_KEYS,
    FitState,
    ForgetSettings,
    forget_phase,
    snapshot,
)
from sklearn_unlearn.datapoint._network import Network
from sklearn_unlearn.datapoint._retained_fit import settle_lbfgs
from sklearn_unlearn.datapoint._share_choice import choose_reset_share, settle_network

__all__ = [
    "SETTLE_LBFGS_ITER",
    "FineTuned",
    "FineTuneSettings",
    "class_matched_validation",
    "fine_tune",
    "log_epoch",
]

#: The package's logger: one line per epoch when ``verbose`` is positive.
logger = logging.getLogger("sklearn_unlearn.datapoint")

#: Most L-BFGS iterations of the settling phase of convex models.
SETTLE_LBFGS_ITER = 500


class FineTuneSettings(NamedTuple):
    """The hyper-parameters of one fine-tuning (the estimator's parameters)."""

    gamma: float
    max_iter: int
    learning_rate: float
    batch_size: int
    n_iter_no_change: int
    n_rounds: int
    settle_epochs: int
    forget_steps: int | None = None  # a step budget for forgetting (see below)
    settle_steps: int | None = None  # a step budget for settling (an MLP)
    reset_share: float = 0.0  # partial re-initialisation before settling
    reset_shares: tuple = ()  # with validation data, the shares to choose from


class FineTuned(NamedTuple):
    """Outcome of :func:`fine_tune`."""

    net: Network  # the weights kept
    history: dict  # the non-empty entries of HISTORY_KEYS, one item a snapshot
    best_step: int  # optimiser step whose weights were kept
    n_steps: int  # optimiser steps run (L-BFGS iterations included)
    n_epochs: int  # epochs run (forgetting and settling)
    reset_share: float = 0.0  # share of a fresh draw mixed in before settling


def class_matched_validation(
    y_forget: np.ndarray, y_val: np.ndarray, n_classes: int
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Weights that give the validation rows the forget rows' class proportions.

    ``y_forget`` and ``y_val`` are class indices. Returns ``used`` (the
    validation rows of a class that has forget rows: the others would weigh
    nothing), the class indices of the forget rows then the used validation
    rows, and their weights: 1 for a forget row of a class that has validation
    rows (0 otherwise), ``n_forget(c) / n_val(c)`` for a validation row of
    class ``c``. Each shared class then weighs as many forget rows on both
    sides. No shared class gives an empty ``used``.
    """
    forget_counts = np.bincount(y_forget, minlength=n_classes).astype(float)
    val_counts = np.bincount(y_val, minlength=n_classes).astype(float)
    shared = (forget_counts > 0) & (val_counts > 0)
    ratio = np.divide(forget_counts, val_counts, out=np.zeros(n_classes), where=shared)
    used = ratio[y_val] > 0
    weights = np.r_[shared[y_forget].astype(float), ratio[y_val[used]]]
    return used, np.r_[y_forget, y_val[used]], weights


def _float32(net: Network) -> Network:
    return Network(
        [W.astype(np.float32) for W in net.weights],
        [b.astype(np.float32) for b in net.biases],
        net.hidden,
        net.link,
    )


def fine_tune(
    net: Network,
    X: np.ndarray,
    y_idx: np.ndarray,
    mask: np.ndarray,
    l2: float,
    validation: tuple | None,
    settings: FineTuneSettings,
    rng: np.random.RandomState,
    log: Callable | None = None,
) -> FineTuned:
    """Fine-tune ``net`` to forget the rows of ``mask``, in rounds.

    Parameters
    ----------
    net : Network
        The float64 weights of the fitted classifier; its arrays are updated.
    X : ndarray of shape (n_samples, n_features)
        The training rows, float64.
    y_idx : ndarray of shape (n_samples,)
        Class index of each row.
    mask : ndarray of bool, shape (n_samples,)
        True for the rows to forget.
    l2 : float
        Coefficient of the L2 penalty ``0.5 * l2 * sum ||W||^2``.
    validation : tuple or None
        ``(X_val, class indices, weights)`` as :func:`class_matched_validation`
        lays them out (forget rows first), or None.
    settings : FineTuneSettings
        The hyper-parameters.
    rng : RandomState
        Draws the batches.
    log : callable, default=None
        Called as ``log(history, epoch)`` after each forgetting epoch.

    Returns
    -------
    result : FineTuned
        The weights kept and the record of the fit.
    """
    convex = len(net.weights) == 1
    if not convex:
        # an MLP is fine-tuned in float32: twice the GEMM speed, and its noisy
        # mini-batch steps need no more precision. Linear models stay in
        # float64 for the L-BFGS settling phase.
        X, net = X.astype(np.float32), _float32(net)
        if validation is not None:
            validation = (validation[0].astype(np.float32), *validation[1:])
    retain_rows = np.flatnonzero(~mask)
    state = FitState(
        X=X,
        y_idx=y_idx,
        mask=mask,
        X_forget=X[mask],
        retain_rows=retain_rows,
        l2=l2,
        gamma=settings.gamma,
        validation=validation,
        rng=rng,
        history={k: [] for k in HISTORY_KEYS},
    )
    forget_settings = ForgetSettings(
        settings.max_iter,
        settings.learning_rate,
        settings.batch_size,
        settings.n_iter_no_change,
        settings.forget_steps,
    )
    snapshot(net, state, "start")
    # rounds need the validation criterion to decide when to stop; a convex
    # model is at (a tolerance of) the retained optimum after one settling
    # phase; a budget runs one round (validation data choose its reset share)
    rounds = validation is not None and not convex and settings.forget_steps is None
    n_rounds = settings.n_rounds if rounds else 1
    n_steps = n_epochs = best_step = 0
    share = 0.0
    X_retain, y_retain = X[retain_rows], y_idx[retain_rows]
    for round_ in range(n_rounds):
        steps, epochs, best_step = forget_phase(
            net, state, forget_settings, n_steps, log
        )
        n_steps, n_epochs = n_steps + steps, n_epochs + epochs
        if round_ and best_step == n_steps - steps:
            break  # the settled weights were the closest: nothing left
        if convex:
            n_steps += settle_lbfgs(
                net, X_retain, y_retain, l2, max_iter=SETTLE_LBFGS_ITER
            )
        elif (
            settings.settle_epochs
            and validation is not None
            and (settings.reset_shares)
        ):
            choice = choose_reset_share(net, state, X_retain, y_retain, settings, rng)
            share, steps, epochs = choice.share, choice.steps, choice.epochs
            n_steps, n_epochs = n_steps + steps, n_epochs + epochs
        elif settings.settle_epochs:
            share = settings.reset_share
            steps, epochs = settle_network(
                net, X_retain, y_retain, l2, settings, share, rng
            )
            n_steps, n_epochs = n_steps + steps, n_epochs + epochs
        else:
            continue
        best_step = n_steps
        snapshot(net, state, "settle")
    history = {k: v for k, v in state.history.items() if v}
    return FineTuned(net, history, best_step, n_steps, n_epochs, share)


def log_epoch(history: dict, epoch: int) -> None:
    """Log the last value of each history entry (but the phase) at INFO level."""
    line = ", ".join(
        f"{k} {v[-1]:.5f}" for k, v in history.items() if v and k != "phase"
    )
    logger.info("epoch %d: %s", epoch, line)
