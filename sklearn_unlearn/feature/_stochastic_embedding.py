"""The space the ``"stochastic"`` cells live in: standardised columns, label score.

Functions of arrays; the label score is fitted with a scikit-learn linear
model (on arrays, inside the method's fit). The cell kernels receive the
resulting :class:`~sklearn_unlearn.feature._stochastic_cells.Embedding` as
plain arrays.
"""

import warnings

import numpy as np
from sklearn.utils import gen_batches

from sklearn_unlearn.feature._stochastic_cells import Embedding
from sklearn_unlearn.utils._row_windows import row_chunks

__all__ = ["LABEL_SAMPLES", "_cell_embedding", "_column_scales", "_label_scores"]

#: Most rows the label score is fitted on (a linear model: more rows change
#: its coefficients by less than their own noise).
LABEL_SAMPLES = 50_000


def _column_scales(X) -> tuple[np.ndarray, np.ndarray]:
    """Column means and standard deviations, safe across the float range.

    Columns are divided by their largest magnitude before summing and by their
    largest deviation from the mean before squaring, so that data at 1e-300 or
    1e300 gives the same standardised values as at 1 (bit for bit, for a
    power-of-two rescaling); a constant column gets scale 1. Passes over X in
    row blocks, with no full-size temporary.
    """
    low = np.min(X, axis=0).astype(np.float64)
    high = np.max(X, axis=0).astype(np.float64)
    magnitude = np.maximum(np.abs(low), np.abs(high))
    magnitude[~(magnitude > 0)] = 1.0
    blocks = list(gen_batches(X.shape[0], row_chunks(X.shape[1], 8)))
    total = np.zeros(X.shape[1])
    for rows in blocks:
        total += np.sum(np.asarray(X[rows], dtype=np.float64) / magnitude, axis=0)
    shift = total / X.shape[0] * magnitude
    spread = np.maximum(high - shift, shift - low)
    spread[~(spread > 0)] = 1.0
    squares = np.zeros(X.shape[1])
    for rows in blocks:
        scaled = np.asarray(X[rows], dtype=np.float64) - shift
        scaled /= spread
        squares += np.einsum("ij,ij->j", scaled, scaled)
    scale = spread * np.sqrt(squares / X.shape[0])
    scale[~(scale > 0)] = 1.0
    return shift, scale


def _label_scores(Xs: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Coefficients (d, m) and intercepts (m,) of a linear label score.

    A logistic regression for class labels (its decision function), a ridge
    regression for numeric targets; no columns when y carries no information.
    """
    from sklearn.exceptions import ConvergenceWarning
    from sklearn.linear_model import LogisticRegression, Ridge
    from sklearn.utils.multiclass import type_of_target

    d = Xs.shape[1]
    kind = type_of_target(y)
    with warnings.catch_warnings():
        # the score only shapes the cells: a not fully converged fit serves
        warnings.simplefilter("ignore", ConvergenceWarning)
        if kind in ("binary", "multiclass"):
            if np.unique(y).size < 2:
                return np.zeros((d, 0)), np.zeros(0)
            model = LogisticRegression(max_iter=1000).fit(Xs, y)
        else:
            model = Ridge(alpha=1.0).fit(Xs, np.asarray(y, dtype=np.float64))
    coef = np.asarray(model.coef_, dtype=np.float64).reshape(-1, d).T
    intercept = np.asarray(model.intercept_, dtype=np.float64).reshape(-1)
    return coef, np.broadcast_to(intercept, (coef.shape[1],)).copy()


def _cell_embedding(X, y, label_weight: float, seed: int):
    """Standardisation and, with ``y``, the weighted label score of the cells.

    Each score column is centred and scaled so that its variance is
    ``label_weight * n_features / n_scores``: the cells then follow the score
    first and the other features within it.
    """
    shift, scale = _column_scales(X)
    d = X.shape[1]
    none = Embedding(shift, scale, np.zeros((d, 0)), np.zeros(0))
    if y is None or label_weight == 0:
        return none
    rng = np.random.default_rng(seed)
    rows = np.arange(X.shape[0])
    if rows.size > LABEL_SAMPLES:
        rows = np.sort(rng.choice(rows, LABEL_SAMPLES, replace=False))
    Xs = (np.asarray(X[rows], dtype=np.float64) - shift) / scale
    coef, intercept = _label_scores(Xs, y[rows])
    scores = Xs @ coef + intercept
    spread = scores.std(axis=0)
    informative = spread > 0
    if not informative.any():
        return none
    coef, intercept = coef[:, informative], intercept[informative]
    weight = np.sqrt(label_weight * d / informative.sum()) / spread[informative]
    return Embedding(
        shift,
        scale,
        coef * weight,
        (intercept - scores[:, informative].mean(axis=0)) * weight,
    )
