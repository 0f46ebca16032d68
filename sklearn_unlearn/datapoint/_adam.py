"""Adam, the optimiser of both fine-tuning phases, on a list of arrays.

Pure numpy: the arrays of a :class:`~sklearn_unlearn.datapoint._network.Network`
are updated in place, step by step, from their gradients.
"""

import numpy as np

__all__ = ["ADAM_EPS", "BETA1", "BETA2", "Adam"]

#: Adam's moment decay rates and denominator guard.
BETA1, BETA2, ADAM_EPS = 0.9, 0.999, 1e-8


class Adam:
    """Adam on a list of arrays, updated in place.

    Parameters
    ----------
    params : list of ndarray
        The arrays to optimise; every step writes into them.
    learning_rate : float
        Step size.
    """

    def __init__(self, params: list, learning_rate: float):
        self.params, self.lr, self.t = params, learning_rate, 0
        self.m = [np.zeros_like(p) for p in params]
        self.v = [np.zeros_like(p) for p in params]

    def step(self, grads: list) -> None:
        """One bias-corrected step along ``grads`` (one array per parameter)."""
        self.t += 1
        correction = np.sqrt(1 - BETA2**self.t) / (1 - BETA1**self.t)
        for p, g, m, v in zip(self.params, grads, self.m, self.v, strict=True):
            m *= BETA1
            m += (1 - BETA1) * g
            v *= BETA2
            v += (1 - BETA2) * g * g
            p -= self.lr * correction * m / (np.sqrt(v) + ADAM_EPS)
