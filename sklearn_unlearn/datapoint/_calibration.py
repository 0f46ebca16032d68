"""How long MarginalUnlearner forgets and settles without validation data.

Without rows the model never saw, nothing measures how much a model retrained
without the forgotten rows would have lost. The forgetting phase then runs a
budget of optimiser steps calibrated on the original fit: a fixed fraction of
the Adam steps that built the model (and so its memory of each row), at the
step size it was trained with. The network is then moved part of the way back
to a random initialisation (erasing what the forgetting phase cannot see: the
memory of single rows), and settles on the retained rows for another fraction
of those steps. Validation data, when given, choose the reset share among a
few. Explicit ``max_iter`` and ``learning_rate`` override it.
"""

import math

from sklearn.neural_network import MLPClassifier, MLPRegressor

__all__ = [
    "DEFAULT_LEARNING_RATE",
    "DEFAULT_MAX_ITER",
    "FORGET_FRACTION",
    "RESET_SHARE",
    "RESET_SHARES",
    "SETTLE_FRACTION",
    "calibrated_settings",
    "forget_step_budget",
]

#: Fraction of the original fit's optimiser steps the forgetting phase runs.
FORGET_FRACTION = 0.15

#: Fraction of the original fit's optimiser steps the settling phase runs.
SETTLE_FRACTION = 0.3

#: Share of a fresh initialisation mixed into the weights before settling.
RESET_SHARE = 0.5

#: With validation data, the reset shares tried (each from the same weights).
RESET_SHARES = (0.25, 0.5, 0.75)

#: ``max_iter`` and ``learning_rate`` when left to None and no budget applies.
DEFAULT_MAX_ITER, DEFAULT_LEARNING_RATE = 5, 3e-3


def forget_step_budget(
    n_epochs: int, n_samples: int, batch_size: int, fraction: float = FORGET_FRACTION
) -> int:
    """``fraction`` of ``n_epochs`` epochs of ``batch_size``-row steps (at least 1)."""
    per_epoch = math.ceil(n_samples / max(1, min(batch_size, n_samples)))
    return max(1, round(fraction * n_epochs * per_epoch))


def calibrated_settings(model, settings, n_samples: int, validation):
    """``settings`` with its defaults (``None``) resolved for ``model``.

    An MLP trained by Adam or SGD, with ``max_iter=None``, forgets for
    :func:`forget_step_budget` steps, at its own ``learning_rate_init`` unless
    ``learning_rate`` is set, then is reset by :data:`RESET_SHARE` and settles
    for the budget of :data:`SETTLE_FRACTION`; with validation data
    (``validation`` not None) the reset share is chosen among
    :data:`RESET_SHARES` instead.
    Otherwise ``max_iter=None`` means :data:`DEFAULT_MAX_ITER` epochs and
    ``learning_rate=None`` :data:`DEFAULT_LEARNING_RATE`.
    """
    budget = (
        settings.max_iter is None
        and isinstance(model, MLPClassifier | MLPRegressor)
        and model.solver != "lbfgs"
    )
    if not budget:
        return settings._replace(
            max_iter=settings.max_iter or DEFAULT_MAX_ITER,
            learning_rate=settings.learning_rate or DEFAULT_LEARNING_RATE,
        )
    batch = 200 if model.batch_size == "auto" else int(model.batch_size)
    n_iter = int(model.n_iter_)
    return settings._replace(
        max_iter=DEFAULT_MAX_ITER,
        forget_steps=forget_step_budget(n_iter, n_samples, batch),
        settle_steps=forget_step_budget(n_iter, n_samples, batch, SETTLE_FRACTION),
        reset_share=RESET_SHARE,
        reset_shares=() if validation is None else RESET_SHARES,
        learning_rate=settings.learning_rate or float(model.learning_rate_init),
    )
