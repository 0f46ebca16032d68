"""Gradient and Hessian of a linear model's loss in one pass over the rows.

For logits :math:`Z = \\tilde X \\Theta` (:math:`\\tilde x = (x, 1)` with an
intercept) a pass computes, chunk of rows by chunk of rows, the residual
:math:`R` (the loss gradient in the logits) and nonnegative curvature weights
:math:`w_j`, then accumulates :math:`\\tilde X^\\top R` and the Gram matrices
:math:`\\tilde X^\\top \\operatorname{diag}(w_j) \\tilde X`. Each Gram matrix is
a symmetric rank-k update (BLAS ``syrk``: half the products of a GEMM) of the
chunk's rows scaled by :math:`\\sqrt{w_j}`, written into a buffer small enough
to stay in cache; its intercept row is one GEMM of the chunk against all the
weights and residuals at once. The data is read once per pass.

Arrays in, arrays out; no validation, no scikit-learn objects.
"""

from collections.abc import Callable

import numpy as np
from scipy.linalg.blas import dsyrk

__all__ = ["CHUNK_ELEMENTS", "row_pass", "weighted_gram"]

#: Entries of ``X`` per chunk of rows (512 KiB in float64).
CHUNK_ELEMENTS = 1 << 16


def _chunks(n: int, d: int):
    step = max(64, CHUNK_ELEMENTS // max(d, 1))
    for start in range(0, n, step):
        yield slice(start, min(start + step, n))


def _symmetric(upper: np.ndarray) -> np.ndarray:
    """The symmetric matrix whose upper triangle ``syrk`` wrote."""
    return np.triu(upper) + np.triu(upper, 1).T


def row_pass(
    X: np.ndarray,
    theta: np.ndarray | None,
    fit_intercept: bool,
    rows_fn: Callable,
) -> tuple[np.ndarray | None, np.ndarray | None, list]:
    """One pass over the rows of ``X``: logits, gradient sum and Gram matrices.

    Parameters
    ----------
    X : ndarray of shape (n_samples, n_features)
        C-contiguous float64 rows.
    theta : ndarray of shape (n_features + fit_intercept, n_outputs) or None
        Weights (intercepts last) whose logits are computed; None for none.
    fit_intercept : bool
        Whether the rows carry a trailing 1.
    rows_fn : callable
        ``rows_fn(X_chunk, logits_chunk, rows)`` returns ``(residual,
        weights)``: arrays of shape (m, n_outputs) and (m, n_weights) for the
        ``m`` rows of the slice ``rows``, either None.

    Returns
    -------
    logits : ndarray of shape (n_samples, n_outputs) or None
    gradient : ndarray of shape (n_features + fit_intercept, n_outputs) or None
        :math:`\\tilde X^\\top R`.
    grams : list of ndarray of shape (p, p)
        :math:`\\tilde X^\\top \\operatorname{diag}(w_j) \\tilde X` for each
        column :math:`w_j` of the weights.
    """
    n, d = X.shape
    logits = None if theta is None else np.empty((n, theta.shape[1]))
    uppers, cross, buffer, n_residual = [], None, None, 0
    for rows in _chunks(n, d):
        Xc = X[rows]
        z = None
        if theta is not None:
            z = logits[rows]
            np.matmul(Xc, theta[:d], out=z)
            if fit_intercept:
                z += theta[d]
        residual, weights = rows_fn(Xc, z, rows)
        if weights is not None:
            if buffer is None:
                buffer = np.empty_like(Xc)
                uppers = [np.zeros((d, d), order="F") for _ in range(weights.shape[1])]
            scaled = buffer[: Xc.shape[0]]
            for j, upper in enumerate(uppers):
                np.multiply(Xc, np.sqrt(weights[:, j : j + 1]), out=scaled)
                dsyrk(1.0, scaled.T, beta=1.0, c=upper, overwrite_c=1)
        columns = [a for a in (residual, weights) if a is not None]
        if not columns:
            continue
        n_residual = 0 if residual is None else residual.shape[1]
        stacked = columns[0] if len(columns) == 1 else np.hstack(columns)
        if cross is None:
            cross = np.zeros((d + 1, stacked.shape[1]))
        cross[:d] += Xc.T @ stacked
        cross[d] += stacked.sum(axis=0)
    if not fit_intercept and cross is not None:
        cross = cross[:d]
    gradient = None if cross is None or not n_residual else cross[:, :n_residual]
    grams = []
    for j, upper in enumerate(uppers):
        gram = _symmetric(upper)
        if fit_intercept:
            edge = cross[:, n_residual + j]
            gram = np.block([[gram, edge[:d, None]], [edge[None, :]]])
        grams.append(gram)
    return logits, gradient, grams


def weighted_gram(X: np.ndarray, w: np.ndarray, fit_intercept: bool) -> np.ndarray:
    """``X~^T diag(w) X~`` with ``X~ = [X, 1]`` when ``fit_intercept``; ``w >= 0``."""
    X = np.ascontiguousarray(X, dtype=np.float64)
    column = np.asarray(w, dtype=np.float64)[:, None]
    return row_pass(X, None, fit_intercept, lambda Xc, z, rows: (None, column[rows]))[
        2
    ][0]
