"""Whether the groups' laws can be told apart at all (kernels of ``"stochastic"``).

Arrays in, floats out; no validation and no scikit-learn objects. When the
rows of the groups cannot be told apart, the groups share one law, its
Wasserstein-2 barycenter is that law and the optimal map of every group is
the identity: the method then returns the rows unchanged instead of moving
them between cells to chase sampling noise (which costs label utility and
removes nothing). Two checks must both find nothing:

* **Per column**, a cross-fitted naive-Bayes adversary: each column cut into
  at most ``SEPARABILITY_BINS`` quantile bins (a column with fewer distinct
  values keeps them), smoothed per-group bin frequencies fitted on one half of
  the rows and scored on the other, and the other way round (on a seeded
  sample of at most ``SEPARABILITY_ROWS`` rows; the halves are drawn from a
  hash of each row, so they do not depend on the order of the rows, and
  copies of a row stay in one half); its ROC AUC of
  each group against the rest must stay below ``0.5`` plus one standard error
  of the AUC of a score independent of the group (Hanley and McNeil's
  ``sqrt((n_1 + n_0 + 1) / (12 n_1 n_0))``). Naive Bayes sums the evidence of
  every column, so weak differences spread over many columns add up.
* **Jointly**, on the cells: the chi-square test of homogeneity of the groups'
  counts over the cells must not reject at level ``CELL_LEVEL``.

Both thresholds lean towards repairing: one standard error lets about one
independent table in six be repaired all the same (at a cost in utility,
never in leakage).
"""

import numpy as np
from scipy import stats

from sklearn_unlearn.feature._stochastic_cells import Embedding
from sklearn_unlearn.utils._random import _row_uniforms

__all__ = [
    "CELL_LEVEL",
    "SEPARABILITY_BINS",
    "SEPARABILITY_ROWS",
    "_cells_homogeneous",
    "_group_separability",
    "with_separability",
]

#: Quantile bins per column of the naive-Bayes adversary.
SEPARABILITY_BINS = 10
#: Rows it is fitted on, at most (a seeded uniform sample).
SEPARABILITY_ROWS = 50_000
#: Level of the chi-square test of the groups' counts over the cells.
CELL_LEVEL = 0.05


def _binned(X: np.ndarray, bins: int) -> tuple[np.ndarray, np.ndarray]:
    """Bin index of every value (per column) and each column's number of bins.

    One sort per column: a column with at most ``bins`` distinct values keeps
    them, another is cut at its order statistics of ranks ``k n / bins``.
    """
    n, d = X.shape
    B = np.empty((n, d), dtype=np.intp)
    levels = np.empty(d, dtype=np.intp)
    ranks = (np.arange(1, bins) * n) // bins
    for j in range(d):
        column = X[:, j]
        ordered = np.sort(column)
        new = np.r_[True, ordered[1:] != ordered[:-1]]
        if np.count_nonzero(new) <= bins:
            values = ordered[new]
            B[:, j] = np.searchsorted(values, column)
            levels[j] = values.size
        else:
            edges = np.unique(ordered[ranks])
            B[:, j] = np.searchsorted(edges, column, side="right")
            levels[j] = edges.size + 1
    return B, levels


def _rank_auc(scores: np.ndarray, positive: np.ndarray) -> float:
    """ROC AUC of ``scores`` for the boolean labels ``positive`` (ties halved)."""
    ranks = stats.rankdata(scores)
    n_pos = np.count_nonzero(positive)
    n_neg = positive.size - n_pos
    return float((ranks[positive].sum() - n_pos * (n_pos + 1) / 2) / (n_pos * n_neg))


def _group_separability(
    X: np.ndarray, codes: np.ndarray, n_groups: int, seed: int
) -> tuple[float, float]:
    """Cross-fitted naive-Bayes AUC of the groups, and its bound under independence.

    Returns the largest one-group-against-the-rest AUC and ``0.5`` plus one
    standard error of that group's AUC under independence (see the module).
    Groups with fewer than four rows, or all but fewer than four, are left
    out; with no group left the AUC is 0.5 and the bound 1.
    """
    rows = np.arange(X.shape[0])
    if rows.size > SEPARABILITY_ROWS:  # a seeded sample: no pass over all rows
        rng = np.random.default_rng(seed)
        rows = np.sort(rng.choice(rows.size, SEPARABILITY_ROWS, replace=False))
    # the halves are a function of the rows' values (not of their order), and
    # equal rows of a group fall in the same half
    half = (_row_uniforms(X[rows], codes[rows], seed, 1)[:, 0] < 0.5).astype(np.intp)
    B, levels = _binned(np.asarray(X[rows], dtype=np.float64), SEPARABILITY_BINS)
    g = np.asarray(codes[rows], dtype=np.intp)
    flat = B + np.concatenate([[0], np.cumsum(levels)[:-1]])
    width = np.repeat(levels, levels).astype(np.float64)  # bins of each bin's column
    log_odds = np.zeros((rows.size, n_groups))
    for fold in (0, 1):
        train, test = half != fold, half == fold
        n_bins = int(levels.sum())
        cells = g[train][:, None] * n_bins + flat[train]
        counts = np.bincount(cells.ravel(), minlength=n_groups * n_bins)
        counts = counts.reshape(n_groups, n_bins).astype(np.float64)
        sizes = np.bincount(g[train], minlength=n_groups).astype(np.float64)
        log_freq = np.log(counts + 1.0) - np.log(sizes[:, None] + width)
        prior = np.log(np.maximum(sizes, 1.0) / sizes.sum())
        log_odds[test] = log_freq[:, flat[test]].sum(axis=2).T + prior
    worst_auc, worst_bound, worst_excess = 0.5, 1.0, -np.inf
    for group in range(n_groups if n_groups > 2 else 1):
        positive = g == group
        n_pos = np.count_nonzero(positive)
        n_neg = positive.size - n_pos
        if n_pos < 4 or n_neg < 4:
            continue
        rest = np.delete(log_odds, group, axis=1)
        top = rest.max(axis=1)
        margin = log_odds[:, group] - top
        margin -= np.log(np.exp(rest - top[:, None]).sum(axis=1))
        auc = _rank_auc(margin, positive)
        bound = 0.5 + np.sqrt((n_pos + n_neg + 1) / (12.0 * n_pos * n_neg))
        if auc - bound > worst_excess:
            worst_auc, worst_bound, worst_excess = auc, bound, auc - bound
    return worst_auc, worst_bound


def _cells_homogeneous(counts: np.ndarray) -> bool:
    """Whether the chi-square test of the (groups x cells) counts keeps homogeneity."""
    counts = counts[:, counts.sum(axis=0) > 0]
    counts = counts[counts.sum(axis=1) > 0]
    if counts.shape[0] < 2 or counts.shape[1] < 2:
        return True
    expected = np.outer(counts.sum(axis=1), counts.sum(axis=0)) / counts.sum()
    statistic = np.sum((counts - expected) ** 2 / expected)
    dof = (counts.shape[0] - 1) * (counts.shape[1] - 1)
    return bool(stats.chi2.sf(statistic, dof) >= CELL_LEVEL)


def with_separability(
    embedding: Embedding, X: np.ndarray, codes: np.ndarray, seed: int
) -> Embedding:
    """``embedding`` with the groups' separability measured on rows ``X``."""
    valid = codes >= 0
    auc, bound = _group_separability(
        X[valid], codes[valid], int(codes.max(initial=0)) + 1, seed
    )
    return embedding._replace(separability=auc, separability_bound=bound)
