"""Partial re-initialisation of a network: shrink its weights, add fresh ones.

Between the forgetting and the settling phase of a fit without validation
data, MarginalUnlearner moves an MLP part of the way back to a random
initialisation, ``theta <- (1 - share) * theta + share * theta_0`` with
``theta_0`` drawn as scikit-learn's ``MLPClassifier`` draws its initial
weights. Row-specific memory, a small part of the weights, is scaled down and
buried under the fresh draw; the structure that many retained rows share is
re-grown by the settling steps. Pure numpy on a
:class:`~sklearn_unlearn.datapoint._network.Network`.
"""

import numpy as np

from sklearn_unlearn.datapoint._network import Network

__all__ = ["init_bound", "partial_reset"]


def init_bound(fan_in: int, fan_out: int, hidden: str) -> float:
    """Half-width of the uniform law of ``MLPClassifier``'s initial weights.

    Glorot's ``sqrt(6 / (fan_in + fan_out))``, or ``sqrt(2 / (fan_in +
    fan_out))`` for logistic hidden units, as scikit-learn draws them (for the
    weights and the biases of each layer).
    """
    factor = 2.0 if hidden == "logistic" else 6.0
    return float(np.sqrt(factor / (fan_in + fan_out)))


def partial_reset(net: Network, share: float, rng: np.random.RandomState) -> None:
    """Move ``net`` by ``share`` towards a fresh random initialisation, in place.

    Each weight matrix and bias vector ``a`` becomes ``(1 - share) * a + share
    * a_0``, ``a_0`` uniform on ``[-u, u]`` with ``u`` :func:`init_bound` of
    its layer. ``share=0`` leaves ``net`` as it is; ``share=1`` is a fresh
    initialisation. The arrays keep their dtype.
    """
    if not 0.0 <= share <= 1.0:
        raise ValueError(f"share must be in [0, 1], got {share!r}.")
    if share == 0.0:
        return
    for W, b in zip(net.weights, net.biases, strict=True):
        bound = init_bound(W.shape[0], W.shape[1], net.hidden)
        for a in (W, b):
            fresh = rng.uniform(-bound, bound, a.shape)
            a *= 1.0 - share
            a += (share * fresh).astype(a.dtype, copy=False)
