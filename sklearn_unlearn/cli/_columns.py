"""Feature columns of the command line: which are numbers, and their values.

Feature detection (when ``--features`` is not given): a text column is numeric
when more than half of its non-empty cells are numbers, unless one of them is
an integer written with a leading zero (``03427``: a code such as a zip code,
copied unchanged as text). Every cell of a feature column must then be a finite
number: an empty or non-numeric cell is an input error naming the column, the
line and the cell, never a column silently left out of the features. The
sensitive columns are read by :mod:`sklearn_unlearn.cli._sensitive`.
"""

import numpy as np
import pandas as pd

from sklearn_unlearn.cli._io import CLIError, examples, warn
from sklearn_unlearn.cli._table import Table, check_columns

__all__ = [
    "column_numbers",
    "feature_columns",
    "feature_matrix",
    "note_codes",
    "number_values",
    "standardised",
]

#: Cells read as a missing number (compared without case or spaces).
MISSING = {"", "na", "nan", "n/a", "null", "none"}


def column_numbers(series: pd.Series):
    """Numbers of a column (NaN where a cell is not one) and its text, if any.

    Parameters
    ----------
    series : pandas.Series
        A column of the table.

    Returns
    -------
    values : ndarray of float64
        One number per cell, NaN where a cell is not a number.
    text : pandas.Series or None
        The cells as text (None for a numeric column).
    """
    if pd.api.types.is_numeric_dtype(series):
        return series.to_numpy(dtype=np.float64, na_value=np.nan), None
    text = series.astype(str).reset_index(drop=True)
    return pd.to_numeric(text, errors="coerce").to_numpy(dtype=np.float64), text


def _kind(series: pd.Series) -> str:
    """``"number"``, ``"code"`` (leading zeros) or ``"text"``."""
    values, text = column_numbers(series)
    if text is None:
        return "number"
    number = ~np.isnan(values)
    n_numbers = int(number.sum())
    if n_numbers == 0:
        return "text"
    if n_numbers < number.size:
        filled = ~text.str.strip().str.lower().isin(MISSING).to_numpy()
        if 2 * n_numbers <= filled.sum():
            return "text"
    if text[number].str.match(r"\s*[+-]?0\d+\s*$").any():
        return "code"
    return "number"


def feature_columns(table: Table, features, exclude) -> tuple:
    """Feature columns: those given, or every numeric column not excluded.

    Parameters
    ----------
    table : Table
        The table.
    features : list of str or None
        The ``--features`` option.
    exclude : list of str
        Columns that are never features (sensitive, kept, label, ...).

    Returns
    -------
    features : list of str
        The feature columns.
    codes : list of str
        Numeric-looking columns left out for their leading zeros.
    """
    if features:
        features = check_columns(table, features, "--features")
        clash = sorted(set(features) & set(exclude))
        if clash:
            raise CLIError(
                f"--features: column(s) {examples(clash, limit=5, width=40)} also "
                "given as sensitive/kept/label; a column is one of them only"
            )
        return features, []
    kinds = {c: _kind(table.frame[c]) for c in table.frame.columns if c not in exclude}
    chosen = [c for c, kind in kinds.items() if kind == "number"]
    if not chosen:
        raise CLIError(
            "input: no numeric column to use as a feature; name the feature "
            "columns with --features"
        )
    return chosen, [c for c, kind in kinds.items() if kind == "code"]


def number_values(table: Table, column: str, option) -> np.ndarray:
    """The cells of ``column`` as finite numbers, or an input error.

    Parameters
    ----------
    table : Table
        The table.
    column : str
        The column.
    option : str or None
        ``"--features"`` when the user named the column, None when it was
        detected as numeric; for the message.

    Returns
    -------
    values : ndarray of float64
        One number per row.
    """
    values, text = column_numbers(table.frame[column])
    bad = ~np.isfinite(values)
    if not bad.any():
        return values
    i = int(np.flatnonzero(bad)[0])
    if option == "--features":
        where = f"--features: column {column!r}, {table.row(i)}"
        fix = f"or leave {column!r} out of --features"
    else:
        where = f"column {column!r} (read as a numeric feature), {table.row(i)}"
        fix = f"or pass --keep {column} to copy the column unchanged"
    count = f"{int(bad.sum())} such cell(s) in the column"
    cell = None if text is None else text.iloc[i]
    if cell is None or cell.strip().lower() in MISSING:
        raise CLIError(
            f"{where}: missing value {cell or ''!r} ({count}); fill or drop those "
            f"rows first, {fix}"
        )
    if np.isnan(values[i]):
        raise CLIError(
            f"{where}: {cell!r} is not a number; the column is not numeric "
            f"there ({count}): fix the cell(s), {fix}"
        )
    raise CLIError(f"{where}: {cell!r} is not a finite number ({count}); {fix}")


def feature_matrix(table: Table, columns: list, option) -> np.ndarray:
    """The feature columns as a float matrix, every cell checked to be a number.

    Parameters
    ----------
    table : Table
        The table.
    columns : list of str
        The feature columns.
    option : str or None
        ``"--features"`` when the user named them, None when detected.

    Returns
    -------
    X : ndarray of shape (n_rows, n_columns)
        The numbers.
    """
    return np.column_stack([number_values(table, c, option) for c in columns])


def standardised(X: np.ndarray):
    """``(X - mean) / std`` (constant columns keep scale 1), mean and scale."""
    mean, scale = X.mean(axis=0), X.std(axis=0)
    scale[scale == 0] = 1.0
    return (X - mean) / scale, mean, scale


def note_codes(codes: list) -> None:
    """Say which numeric-looking columns are copied as text (leading zeros)."""
    if codes:
        warn(
            f"column(s) {examples(codes, limit=5, width=40)} look numeric but "
            "hold integers with leading zeros (codes such as zip codes): copied "
            "unchanged as text, not used as features; name them in --features to "
            "use them as numbers"
        )
