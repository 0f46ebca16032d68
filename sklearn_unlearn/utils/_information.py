"""Plug-in information estimates on model outputs (pure kernels).

Shared by the audit metrics and by marginal data-point unlearning, which both need
the soft plug-in mutual information between a model's predicted class
probabilities and a discrete label of the rows.
"""

import numpy as np

__all__ = ["soft_mutual_information"]


def soft_mutual_information(
    proba: np.ndarray, labels: np.ndarray, weights: np.ndarray | None = None
) -> float:
    r"""Soft plug-in mutual information ``I(f(X); S')`` in nats.

    Parameters
    ----------
    proba : ndarray of shape (n_samples, n_classes)
        Predicted class probabilities (rows sum to one).
    labels : ndarray of shape (n_samples,)
        Integer label :math:`S'_i` of each row, in ``0 .. n_labels - 1``.
    weights : ndarray of shape (n_samples,), default=None
        Nonnegative row weights (the sums become weighted means).

    Returns
    -------
    mi : float
        :math:`\sum_{c, z} p(c, z) \log \frac{p(c, z)}{p(c) p(z)}`, with
        :math:`p(c, z) = \frac1N \sum_i P_{ic} 1\{S'_i = z\}`, its marginals
        :math:`p(c)` and :math:`p(z)`, and :math:`0 \log 0 = 0`.

    Notes
    -----
    The joint table is one GEMM, ``onehot(labels).T @ proba / N``, so the cost is
    ``O(n_samples n_classes)``. The estimate is 0 when the outputs have the same
    distribution across labels, and :math:`H(S')` when one-hot outputs reveal the
    label; it does not depend on the order of the classes.
    """
    n = proba.shape[0]
    n_labels = int(labels.max()) + 1
    onehot = np.zeros((n, n_labels))
    onehot[np.arange(n), labels] = 1.0 if weights is None else weights
    total = n if weights is None else float(np.sum(weights))
    joint = onehot.T @ proba.astype(np.float64, copy=False) / total  # (n_labels, C)
    p_label = joint.sum(axis=1, keepdims=True)
    p_class = joint.sum(axis=0, keepdims=True)
    denominator = p_label @ p_class
    positive = joint > 0
    ratio = np.divide(joint, denominator, out=np.ones_like(joint), where=positive)
    return float(np.sum(joint[positive] * np.log(ratio[positive])))
