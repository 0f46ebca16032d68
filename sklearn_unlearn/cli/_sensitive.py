"""The sensitive columns of a table: their groups, checks, and their copies.

S is parsed by :func:`sklearn_unlearn.utils._sensitive.parse_sensitive`, as
everywhere in the library, from the text of its cells: one group per value, or
per combination of values when several columns are given, each labelled the
same way as in the estimators and metrics (the value itself, ``"a & b"`` for
an intersection). The command line adds its own input checks: an empty cell
names its line, a small group names the option and the way out.
"""

import numpy as np
import pandas as pd

from sklearn_unlearn.cli._columns import column_numbers
from sklearn_unlearn.cli._io import CLIError, examples, warn
from sklearn_unlearn.cli._table import Table
from sklearn_unlearn.utils._sensitive import (
    SensitiveRecord,
    parse_sensitive,
    row_labels,
)

__all__ = [
    "AUDIT_ROWS",
    "check_groups",
    "group_counts",
    "group_labels",
    "note_copies",
    "sensitive_copies",
    "sensitive_groups",
]

#: Rows of every group for the leakage audit's 5-fold cross-validation.
AUDIT_ROWS = 5
#: A sensitive column with more distinct numbers than this looks continuous.
CONTINUOUS = 20


def sensitive_groups(
    table: Table, columns: list, option: str = "--sensitive"
) -> SensitiveRecord:
    """S of every row, parsed from the text of the sensitive columns.

    Parameters
    ----------
    table : Table
        The table.
    columns : list of str
        The sensitive columns.
    option : str, default="--sensitive"
        The option, for the messages.

    Returns
    -------
    record : SensitiveRecord
        Each row's group code and the groups (labels and rows per group).
    """
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
    values = table.frame[list(columns)].astype(str).reset_index(drop=True)
    return parse_sensitive(values=values, param=option)


def group_labels(record: SensitiveRecord) -> np.ndarray:
    """The group label of each row, as text (``"a & b"`` for an intersection)."""
    return row_labels(record).astype(str)


def group_counts(record: SensitiveRecord) -> dict:
    """Rows per group, by label, in the order of the groups."""
    encoding = record.encoding
    return {
        str(label): int(n)
        for label, n in zip(encoding.labels, encoding.counts, strict=True)
    }


def check_groups(
    table: Table, columns: list, record: SensitiveRecord, min_rows: int, why: str
) -> dict:
    """Input errors for a single group, small groups or a continuous column.

    Parameters
    ----------
    table : Table
        The table.
    columns : list of str
        The sensitive columns.
    record : SensitiveRecord
        Their groups (:func:`sensitive_groups`).
    min_rows : int
        Fewest rows of a group.
    why : str
        Why a group needs them, and the way out, for the message.

    Returns
    -------
    counts : dict
        Rows per group, by label, in the order of the groups.
    """
    counts = group_counts(record)
    name = "/".join(columns)
    if len(counts) < 2:
        ((label, n),) = counts.items()
        raise CLIError(
            f"--sensitive: {name} has the single value {label!r} in all {n} rows; "
            "unlearning and the leakage audit need at least two groups: choose "
            "another column"
        )
    small = {label: n for label, n in counts.items() if n < min_rows}
    if not small:
        return counts
    if len(columns) == 1 and len(counts) > CONTINUOUS:
        numbers, _ = column_numbers(table.frame[columns[0]])
        if np.isfinite(numbers).all():
            first_seen = record.encoding.labels[pd.unique(record.codes)]
            raise CLIError(
                f"--sensitive: column {name!r} looks continuous ({len(counts)} "
                f"distinct values in {record.codes.size} rows, e.g. "
                f"{examples(first_seen)}); it must hold a few groups of at "
                f"least {min_rows} rows each. Bin it first into a new column "
                f"(e.g. pandas.qcut(frame[{name!r}], 4)) and pass that column to "
                "--sensitive"
            )
    shown = ", ".join(
        f"{label!r} ({n} row{'' if n == 1 else 's'})"
        for label, n in list(small.items())[:3]
    )
    more = f" and {len(small) - 3} more" if len(small) > 3 else ""
    raise CLIError(
        f"--sensitive: {len(small)} of the {len(counts)} groups of {name} have "
        f"fewer than {min_rows} rows: {shown}{more}; {why}"
    )


def sensitive_copies(table: Table, sensitive: list, record, skip) -> list:
    """Other columns whose values map one-to-one to the values of S.

    Parameters
    ----------
    table : Table
        The table.
    sensitive : list of str
        The sensitive columns.
    record : SensitiveRecord
        Their groups (:func:`sensitive_groups`).
    skip : list of str
        Columns not to check (the features, measured by the audit).

    Returns
    -------
    copies : list of dict
        For each such column: its name, the sensitive column(s) it reproduces,
        and a few of its values with the value of S each stands for.
    """
    targets = [("/".join(sensitive), pd.Series(group_labels(record)))]
    if len(sensitive) > 1:
        targets += [
            (c, pd.Series(group_labels(sensitive_groups(table, [c]))))
            for c in sensitive
        ]
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


def note_copies(copies: list, effect: str) -> None:
    """Warn about each copy of S; ``effect`` says what it means, with ``{S}``."""
    for copy in copies:
        pairs = ", ".join(f"{v!r} = {g!r}" for v, g in copy["values"].items())
        warn(
            f"column {copy['column']!r} reproduces {copy['reproduces']} "
            f"one-to-one ({pairs}) and is not a feature: "
            + effect.format(S=copy["reproduces"])
        )
