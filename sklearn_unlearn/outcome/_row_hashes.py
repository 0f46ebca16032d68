"""Row hashing of the outcome repairs: a row's bits, then its tie-breaking draws.

The repairs randomise (ties of the 1-D quantile repair, target cells of the
multi-output one) with draws that are a pure function of the row: its features
in any types and its model outputs, read as float64 columns by
:func:`hash_columns`, its group code and a seed. A row's repaired output is
then reproducible and does not depend on the rest of its batch.
"""

import numpy as np
import pandas as pd

from sklearn_unlearn.utils._random import _row_uniforms, draw_windows
from sklearn_unlearn.utils._validation import is_dataframe

__all__ = ["hash_columns", "row_uniforms"]


def _hash_column(values) -> np.ndarray:
    """A float64 column whose bits identify the values (numbers or not)."""
    values = np.asarray(values)
    if values.dtype.kind in "biuf":
        return values.astype(np.float64)
    hashes = pd.util.hash_array(values.astype(object), categorize=False)
    return (hashes >> np.uint64(11)).astype(np.float64)  # exact in float64


def hash_columns(X, F: np.ndarray) -> np.ndarray:
    """The rows' features (any types) and outputs as float64 columns to hash.

    Parameters
    ----------
    X : {ndarray, pandas or polars DataFrame} of shape (n_samples, n_features)
        The rows as the model reads them.
    F : ndarray of shape (n_samples, n_outputs)
        The model's outputs of the rows.

    Returns
    -------
    H : ndarray of shape (n_samples, n_features + n_outputs), float64
        Numeric columns as float64; other columns by a 53-bit hash of each
        value, so that equal values give equal bits whatever the container.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn_unlearn.outcome._row_hashes import hash_columns
    >>> hash_columns(np.array([[1, 2], [3, 4]]), np.array([[0.5], [0.25]]))
    array([[1.  , 2.  , 0.5 ],
           [3.  , 4.  , 0.25]])
    """
    if isinstance(X, pd.DataFrame):
        columns = [_hash_column(X.iloc[:, j]) for j in range(X.shape[1])]
    elif is_dataframe(X):  # polars
        columns = [_hash_column(s.to_numpy()) for s in X.iter_columns()]
    else:
        X = np.asarray(X)
        if X.dtype.kind in "biuf":
            return np.column_stack([X.astype(np.float64), F])
        columns = [_hash_column(X[:, j]) for j in range(X.shape[1])]
    return np.column_stack([*columns, F])


def row_uniforms(
    H: np.ndarray, codes: np.ndarray, seed: int, n_outputs: int, spread: bool = True
) -> np.ndarray:
    """Tie-breaking uniforms, one per output column, from the hash of each row.

    Parameters
    ----------
    H : ndarray of shape (n_samples, n_columns), float64
        The rows' features then outputs (see :func:`hash_columns`).
    codes : ndarray of shape (n_samples,), dtype intp
        Group of each row (part of the hash).
    seed : int
        Seed of the draws.
    n_outputs : int
        Draws per row.
    spread : bool, default=True
        Identical rows of one group get distinct draws by their rank among
        their copies within a window of rows (see
        :func:`~sklearn_unlearn.utils._random._row_uniforms`); False: every
        copy gets the row's own draw.

    Returns
    -------
    U : ndarray of shape (n_samples, n_outputs)
        Uniforms in ``[0, 1)``.
    """
    U = np.empty((H.shape[0], n_outputs), dtype=np.float64)
    for window in draw_windows(H.shape[0]):
        U[window] = _row_uniforms(
            H[window], codes[window], seed, n_outputs, spread_duplicates=spread
        )
    return U
