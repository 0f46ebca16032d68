"""Columns of the command line: which are numbers, the groups of S, its copies.

Feature detection (when ``--features`` is not given): a text column is numeric
when more than half of its non-empty cells are numbers, unless one of them is
an integer written with a leading zero (``03427``: a code such as a zip code,
copied unchanged as text). Every cell of a feature column must then be a finite
number: an empty or non-numeric cell is an input error naming the column, the
line and the cell, never a column silently left out of the features.
"""

import numpy as np
import pandas as pd

from sklearn_unlearn._cli_io import CLIError, examples
from sklearn_unlearn._cli_table import Table, check_columns

__all__ = [
    "check_groups",
    "feature_columns",
    "feature_matrix",
    "group_labels",
    "number_values",
    "sensitive_copies",
]

#: Cells read as a missing number (compared without case or spaces).
MISSING = {"", "na", "nan", "n/a", "null", "none"}
#: A sensitive column with more distinct numbers than this looks continuous.
CONTINUOUS = 20


def _parse(series: pd.Series):
    """Numbers of a column (NaN where a cell is not one) and its text, if any."""
    if pd.api.types.is_numeric_dtype(series):
        return series.to_numpy(dtype=np.float64, na_value=np.nan), None
    text = series.astype(str).reset_index(drop=True)
    return pd.to_numeric(text, errors="coerce").to_numpy(dtype=np.float64), text


def _kind(series: pd.Series) -> str:
    """``"number"``, ``"code"`` (leading zeros) or ``"text"``."""
    values, text = _parse(series)
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
            raise CLIError(f"--features: {clash} also given as sensitive/kept")
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
    values, text = _parse(table.frame[column])
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


def group_labels(table: Table, columns: list, option: str = "--sensitive"):
    """One text label per row: the value of S (several columns joined by &).

    Parameters
    ----------
    table : Table
        The table.
    columns : list of str
        The sensitive columns.
    option : str, default="--sensitive"
        The option, for the message.

    Returns
    -------
    labels : ndarray of str
        The group of each row.
    """
    parts = []
    for column in columns:
        series = table.frame[column]
        text = series.astype(str)
        empty = series.isna().to_numpy() | (text.str.strip() == "").to_numpy()
        if empty.any():
            i = int(np.flatnonzero(empty)[0])
            raise CLIError(
                f"{option}: column {column!r} is empty at {table.row(i)} "
                f"({int(empty.sum())} empty cell(s)); fill or drop those rows first"
            )
        parts.append(text)
    if len(parts) == 1:
        return parts[0].to_numpy(dtype=str)
    return pd.concat(parts, axis=1).agg(" & ".join, axis=1).to_numpy(dtype=str)


def check_groups(table, columns, labels, min_rows: int, why: str) -> pd.Series:
    """Input errors for a single group, small groups or a continuous column.

    Parameters
    ----------
    table : Table
        The table.
    columns : list of str
        The sensitive columns.
    labels : ndarray of str
        The group of each row (:func:`group_labels`).
    min_rows : int
        Fewest rows of a group.
    why : str
        Why a group needs them, and the way out, for the message.

    Returns
    -------
    counts : pandas.Series
        Rows per group, sorted by group.
    """
    counts = pd.Series(labels).value_counts().sort_index()
    name = "/".join(columns)
    if counts.size < 2:
        raise CLIError(
            f"--sensitive: {name} has the single value {counts.index[0]!r} in all "
            f"{int(counts.iloc[0])} rows; unlearning and the leakage audit need at "
            "least two groups: choose another column"
        )
    small = counts[counts < min_rows]
    if small.empty:
        return counts
    if len(columns) == 1 and counts.size > CONTINUOUS:
        numbers, _ = _parse(table.frame[columns[0]])
        if np.isfinite(numbers).all():
            raise CLIError(
                f"--sensitive: column {name!r} looks continuous ({counts.size} "
                f"distinct values in {len(labels)} rows, e.g. "
                f"{examples(pd.unique(labels))}); it must hold a few groups of at "
                f"least {min_rows} rows each. Bin it first into a new column "
                f"(e.g. pandas.qcut(frame[{name!r}], 4)) and pass that column to "
                "--sensitive"
            )
    shown = ", ".join(
        f"{k!r} ({int(v)} row{'' if v == 1 else 's'})"
        for k, v in small.iloc[:3].items()
    )
    more = f" and {small.size - 3} more" if small.size > 3 else ""
    raise CLIError(
        f"--sensitive: {small.size} of the {counts.size} groups of {name} have "
        f"fewer than {min_rows} rows: {shown}{more}; {why}"
    )


def sensitive_copies(table: Table, sensitive, labels, skip) -> list:
    """Other columns whose values map one-to-one to the values of S.

    Parameters
    ----------
    table : Table
        The table.
    sensitive : list of str
        The sensitive columns.
    labels : ndarray of str
        The group of each row.
    skip : list of str
        Columns not to check (the features, measured by the audit).

    Returns
    -------
    copies : list of dict
        For each such column: its name, the sensitive column(s) it reproduces,
        and a few of its values with the value of S each stands for.
    """
    targets = [("/".join(sensitive), pd.Series(labels))]
    if len(sensitive) > 1:
        targets += [(c, pd.Series(group_labels(table, [c]))) for c in sensitive]
    found = []
    for column in table.frame.columns:
        if column in sensitive or column in skip:
            continue
        values = table.frame[column].astype(str).reset_index(drop=True)
        n_values = values.nunique()
        for name, groups in targets:
            if n_values != groups.nunique():
                continue
            pairs = pd.DataFrame({"value": values, "group": groups}).drop_duplicates()
            if len(pairs) == n_values:
                shown = pairs.iloc[:5]
                mapping = dict(zip(shown["value"], shown["group"], strict=True))
                found.append({"column": column, "reproduces": name, "values": mapping})
                break
    return found
