"""Forgetting phase of MarginalUnlearner: MI-penalised fine-tuning, audited.

A forgetting phase fine-tunes the network on pooled batches (rows of the whole
training set with membership label 0, retained rows with label 1) against the
cross-entropy of the retained rows plus ``gamma`` times the soft plug-in mutual
information of outputs and membership, and keeps the weights at which the
validation criterion (:func:`criterion`) is lowest. The functions update the
network's arrays in place and append to the fit's history.
"""

from collections.abc import Callable
from typing import NamedTuple

import numpy as np

from sklearn_unlearn.datapoint._adam import Adam
from sklearn_unlearn.datapoint._network import Network, forward, objective
from sklearn_unlearn.utils._information import soft_mutual_information

__all__ = [
    "HISTORY_KEYS",
    "FitState",
    "ForgetSettings",
    "criterion",
    "forget_phase",
    "snapshot",
]

HISTORY_KEYS = (
    "loss",
    "mi",
    "forget_accuracy",
    "retain_accuracy",
    "validation_mi",
    "phase",
)


class FitState(NamedTuple):
    """What the phases of one fit share."""

    X: np.ndarray
    y_idx: np.ndarray  # class index of each row
    mask: np.ndarray  # True for the rows to forget
    X_forget: np.ndarray  # X[mask], gathered once: the criterion reads it often
    retain_rows: np.ndarray
    l2: float
    gamma: float
    validation: tuple | None  # (X_val, class indices, weights) or None
    rng: np.random.RandomState
    history: dict
    # a regressor's objective and measures (None: the classifier's); its
    # y_idx holds the (n, k) targets
    objective: Callable | None = None
    measures: Callable | None = None


class ForgetSettings(NamedTuple):
    max_iter: int
    learning_rate: float
    batch_size: int
    n_iter_no_change: int
    max_steps: int | None = None  # stop after this many steps (None: no limit)


def measure(net: Network, state: FitState) -> dict:
    """Objective, marginal information and accuracies on the training set."""
    if state.measures is not None:
        return state.measures(net, state)
    X, y_idx, mask, l2 = state.X, state.y_idx, state.mask, state.l2
    P, _ = forward(net, X)
    retain = ~mask
    mi = soft_mutual_information(
        np.vstack([P, P[retain]]),
        np.r_[np.zeros(len(P), np.intp), np.ones(int(retain.sum()), np.intp)],
    )
    correct = P.argmax(axis=1) == y_idx
    rows = np.arange(len(y_idx))
    tiny = np.finfo(P.dtype).tiny
    ce = -float(np.mean(np.log(np.clip(P[rows, y_idx][retain], tiny, None))))
    penalty = 0.5 * l2 * sum(float(np.sum(W * W)) for W in net.weights)
    return {
        "loss": ce + state.gamma * mi + penalty,
        "mi": mi,
        "forget_accuracy": float(correct[mask].mean()),
        "retain_accuracy": float(correct[retain].mean()),
    }


def criterion(net: Network, state: FitState) -> float:
    """Marginal information of the forget rows against unseen rows.

    The soft plug-in MI between membership (forget row: 0, validation row:
    1) and the model's confidence in the true label, ``[p_y, 1 - p_y]``,
    with the validation rows weighted to the forget set's class
    proportions. It is 0 when the forgotten rows are, on average, no more
    and no less confidently classified than rows the model never saw.
    """
    X_val, y_all, weights = state.validation
    P_forget, _ = forward(net, state.X_forget)
    P_val, _ = forward(net, X_val)
    P = np.vstack([P_forget, P_val])
    confidence = P[np.arange(P.shape[0]), y_all]
    labels = np.r_[np.zeros(len(P_forget), np.intp), np.ones(len(P_val), np.intp)]
    return soft_mutual_information(
        np.column_stack([confidence, 1.0 - confidence]), labels, weights
    )


def snapshot(
    net: Network, state: FitState, phase: str, validation_mi: float | None = None
) -> None:
    """Append the current measures (and criterion) to the history.

    ``validation_mi`` is the criterion at the current weights when the caller
    has just computed it.
    """
    for key, value in measure(net, state).items():
        state.history[key].append(value)
    state.history["phase"].append(phase)
    if state.validation is not None:
        if validation_mi is None:
            validation_mi = criterion(net, state)
        state.history["validation_mi"].append(validation_mi)


def forget_phase(
    net: Network,
    state: FitState,
    settings: ForgetSettings,
    step0: int,
    log: Callable | None = None,
) -> tuple[int, int, int]:
    """One forgetting phase, in place on ``net``.

    With validation data and no step budget the weights kept are those of the
    step with the lowest :func:`criterion` (checked several times an epoch);
    the phase ends when it has not improved for ``n_iter_no_change`` epochs.
    A step budget (``max_steps``) runs to its end and keeps the last weights,
    with or without validation data. Without either, the phase ends when the
    training set's marginal information stops decreasing, and the last
    weights are kept. Returns (steps, epochs, best step), steps counted
    from ``step0``.
    """
    X, y_idx, mask, l2 = state.X, state.y_idx, state.mask, state.l2
    validation, rng, history = state.validation, state.rng, state.history
    retain_rows = state.retain_rows
    # a step budget runs to its end: validation data choose what follows it
    select = validation is not None and settings.max_steps is None
    params = [*net.weights, *net.biases]  # the arrays of net, updated in place
    optimizer = Adam(params, settings.learning_rate)
    batch = min(settings.batch_size, retain_rows.size)

    def current_value():
        return criterion(net, state) if select else history["mi"][-1]

    best = current_value()
    best_params = [p.copy() for p in params]
    best_step, stale, n_iter, step = step0, 0, 0, step0
    # with validation data the criterion is checked several times an epoch
    # (forward passes on the forget and validation rows: about half the
    # cost of a step), so the best state is not missed between epochs
    per_epoch = -(-retain_rows.size // batch)
    check_every = (
        max(1, (int(mask.sum()) + len(validation[0])) // (2 * batch))
        if select
        else per_epoch
    )
    n_epochs = settings.max_iter if settings.max_steps is None else settings.max_steps
    for epoch in range(1, n_epochs + 1):
        order = rng.permutation(retain_rows)
        improved = False
        for start in range(0, order.size, batch):
            rows1 = order[start : start + batch]
            rows0 = rng.randint(0, X.shape[0], size=rows1.size)
            pooled = np.concatenate([rows0, rows1])
            labels = np.r_[np.zeros(rows0.size, np.intp), np.ones(rows1.size, np.intp)]
            result = (state.objective or objective)(
                net,
                X[pooled],
                labels,
                np.arange(rows0.size, pooled.size),
                y_idx[rows1],
                state.gamma,
                l2,
            )
            optimizer.step([*result.grad_weights, *result.grad_biases])
            step += 1
            out_of_steps = (
                settings.max_steps is not None and step - step0 >= settings.max_steps
            )
            last = start + batch >= order.size or out_of_steps
            if select and (step % check_every == 0 or last):
                value = criterion(net, state)
                if value < best:
                    best, best_step = value, step
                    best_params = [p.copy() for p in params]
                    improved = True
            if out_of_steps:
                break
        n_iter = epoch
        # the last step of the epoch checked the criterion at these weights
        snapshot(net, state, "forget", value if select else None)
        if not select and history["mi"][-1] < best:
            best, best_step = history["mi"][-1], step
            improved = True
        if log is not None:
            log(history, epoch)
        stale = 0 if improved else stale + 1
        if out_of_steps or (
            settings.max_steps is None and stale >= settings.n_iter_no_change
        ):
            break
    if select:  # the state closest to unseen-data behaviour
        for p, b in zip(params, best_params, strict=True):
            p[...] = b
    else:
        best_step = step
    return step - step0, n_iter, best_step
