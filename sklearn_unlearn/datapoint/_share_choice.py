"""The settling phase of an MLP, and the choice of its reset share on held-out rows.

After the forgetting budget, MarginalUnlearner moves an MLP by a share ``s``
towards a fresh initialisation (:func:`~sklearn_unlearn.datapoint._reset.
partial_reset`) and settles it on the retained rows
(:func:`~sklearn_unlearn.datapoint._retained_fit.settle_adam`). Without rows
the model never saw, ``s`` is a constant. With them, each candidate share
restarts from the same post-forgetting weights, and the settled network whose
forgotten rows are classified most like the held-out rows of the same classes
(the lowest :func:`~sklearn_unlearn.datapoint._forget_phase.criterion`) is
kept. Pure functions on :class:`~sklearn_unlearn.datapoint._network.Network`.
"""

from typing import NamedTuple

import numpy as np

from sklearn_unlearn.datapoint._forget_phase import FitState, criterion
from sklearn_unlearn.datapoint._network import Network
from sklearn_unlearn.datapoint._reset import partial_reset
from sklearn_unlearn.datapoint._retained_fit import settle_adam

__all__ = ["ShareChoice", "choose_reset_share", "copy_network", "settle_network"]


class ShareChoice(NamedTuple):
    """Outcome of :func:`choose_reset_share`."""

    share: float  # the share kept
    values: dict  # each share tried: its criterion
    steps: int  # settling steps of all candidates
    epochs: int  # settling epochs of all candidates


def copy_network(net: Network) -> Network:
    """A copy of ``net`` with its own arrays."""
    return Network(
        [W.copy() for W in net.weights],
        [b.copy() for b in net.biases],
        net.hidden,
        net.link,
    )


def settle_network(
    net: Network,
    X_retain: np.ndarray,
    y_retain: np.ndarray,
    l2: float,
    settings,
    share: float,
    rng: np.random.RandomState,
) -> tuple[int, int]:
    """Reset ``net`` by ``share``, then settle it on the retained rows, in place.

    ``settings`` is a ``FineTuneSettings``: ``settle_steps`` (a step budget,
    or None) or else ``settle_epochs`` epochs of ``batch_size`` rows at
    ``learning_rate``. Returns (steps, epochs).
    """
    batch = min(settings.batch_size, X_retain.shape[0])
    n_epochs = settings.settle_epochs
    if settings.settle_steps:  # a step budget: the epochs that hold it
        per_epoch = -(-X_retain.shape[0] // batch)
        n_epochs = -(-settings.settle_steps // per_epoch)
    partial_reset(net, share, rng)
    steps = settle_adam(
        net,
        X_retain,
        y_retain,
        l2,
        n_epochs=n_epochs,
        batch_size=batch,
        learning_rate=settings.learning_rate,
        rng=rng,
        max_steps=settings.settle_steps,
    )
    return steps, n_epochs


def choose_reset_share(
    net: Network,
    state: FitState,
    X_retain: np.ndarray,
    y_retain: np.ndarray,
    settings,
    rng: np.random.RandomState,
) -> ShareChoice:
    """Settle ``net`` from each share of ``settings.reset_shares``; keep the best.

    Every candidate starts from the weights ``net`` holds now; ``net``'s arrays
    end up holding the settled weights of the share with the lowest
    :func:`criterion` on ``state.validation``. ``settings.reset_share`` (the
    share without validation data) is tried first, with the random stream the
    fit without validation data would use, and wins ties: when it is kept the
    result is the weights that fit gives. Returns a :class:`ShareChoice`.
    """
    default = settings.reset_share
    shares = [default, *(s for s in settings.reset_shares if s != default)]
    start = copy_network(net)
    values, best, best_value = {}, None, np.inf
    steps = epochs = 0
    for share in shares:
        candidate = copy_network(start)
        n_steps, n_epochs = settle_network(
            candidate, X_retain, y_retain, state.l2, settings, share, rng
        )
        steps, epochs = steps + n_steps, epochs + n_epochs
        values[share] = criterion(candidate, state)
        if values[share] < best_value:
            best, best_value = (share, candidate), values[share]
    share, kept = best if best is not None else (default, candidate)
    for a, b in zip([*net.weights, *net.biases], [*kept.weights, *kept.biases],
                    strict=True):  # fmt: skip
        a[...] = b
    return ShareChoice(share, values, steps, epochs)
