"""Kernels of the per-example membership audit (private, pure numpy).

Logit-scaled confidences of the true class, their calibration per row against
reference models, the attack's AUC and its true-positive rates at low
false-positive rates, and the stratified subsets the references train on.
:func:`~sklearn_unlearn.metrics.membership_audit` validates its inputs and
calls them.
"""

import numpy as np
from scipy.stats import rankdata

__all__ = [
    "calibrated_scores",
    "rank_auc",
    "stratified_subsets",
    "tpr_at_fpr",
    "true_class_logit",
]

#: Probabilities are floored here before the logit (bounds it by about +-69).
TINY_PROBA = 1e-30
#: A row's reference spread is at least this share of the pooled spread.
STD_FLOOR_SHARE = 0.05


def true_class_logit(proba: np.ndarray, columns: np.ndarray) -> np.ndarray:
    """``log(p_y) - log(sum of the other classes)`` of each row.

    ``columns[i]`` is the column of row i's true class, or -1 when the model
    does not know that class (then ``p_y = 0``). The other classes are summed,
    not taken as ``1 - p_y``, which rounds to 0 for confident rows.
    """
    rows = np.arange(proba.shape[0])
    known = columns >= 0
    safe = np.where(known, columns, 0)
    p_true = np.where(known, proba[rows, safe], 0.0)
    rest = proba.copy()
    rest[rows[known], safe[known]] = 0.0
    p_rest = rest.sum(axis=1)
    return np.log(np.maximum(p_true, TINY_PROBA)) - np.log(
        np.maximum(p_rest, TINY_PROBA)
    )


def calibrated_scores(
    target: np.ndarray, reference: np.ndarray, per_example: bool
) -> np.ndarray:
    """z-scores of ``target`` (n,) against the references' values (K, n).

    Each row is centred on its reference mean and divided by its reference
    standard deviation (``per_example``; floored at ``STD_FLOOR_SHARE`` of the
    pooled one) or by the standard deviation pooled over all rows.
    """
    n_refs = reference.shape[0]
    centred = reference - reference.mean(axis=0)
    row_var = np.sum(centred**2, axis=0) / (n_refs - 1)
    pooled = float(np.sqrt(row_var.mean()))
    if per_example:
        floor = STD_FLOOR_SHARE * pooled if pooled > 0 else 1.0
        std = np.maximum(np.sqrt(row_var), floor)
    else:
        std = pooled if pooled > 0 else 1.0
    return (target - reference.mean(axis=0)) / std


def rank_auc(positive: np.ndarray, negative: np.ndarray) -> float:
    """Mann-Whitney AUC: P(positive > negative) + P(tie) / 2."""
    ranks = rankdata(np.r_[positive, negative])
    n_pos, n_neg = positive.size, negative.size
    return float((ranks[:n_pos].sum() - n_pos * (n_pos + 1) / 2) / (n_pos * n_neg))


def tpr_at_fpr(
    positive: np.ndarray, negative: np.ndarray, levels: np.ndarray
) -> np.ndarray:
    """Largest share of positives above a threshold passing <= level negatives.

    A threshold may let through at most ``k = floor(level * n_negative)``
    negatives, so it must lie above the (k + 1)-th largest negative score; the
    best such threshold flags every positive strictly above that score.
    """
    descending = np.sort(negative)[::-1]
    allowed = np.floor(levels * negative.size + 1e-9).astype(np.intp)
    out = np.ones(levels.size)
    inside = allowed < negative.size
    bars = descending[allowed[inside]]
    out[inside] = np.mean(positive[:, None] > bars[None, :], axis=0)
    return out


def stratified_subsets(y: np.ndarray, train_size: float, seeds: np.ndarray) -> list:
    """One stratified draw of ``train_size`` of the rows (>= 1 per class) per seed."""
    classes = np.unique(y)
    draws = []
    for seed in seeds:
        rng = np.random.RandomState(seed)
        rows = []
        for c in classes:
            members = np.flatnonzero(y == c)
            size = max(1, int(round(train_size * members.size)))
            rows.append(rng.choice(members, size, replace=False))
        draws.append(np.sort(np.concatenate(rows)))
    return draws
