"""The sensitive columns of a table: their groups, checks, and their copies.

S is parsed by :func:`sklearn_unlearn.utils._sensitive.parse_sensitive`, as
everywhere in the library, from the text of its cells: one group per value, or
per combination of values when several columns are given, each labelled the
same way as in the estimators and metrics (the value itself, ``"a & b"`` for
an intersection). With ``--sensitive-bins N`` each column is read as numbers
and cut into N quantile bins, as the unlearner's ``sensitive_bins=N`` cuts it,
each bin labelled by its interval (``[28, 37.5)``): the same labels in the
repair's audit and in the ``audit`` command. The command line adds its own
input checks: an empty cell names its line, a small group names the option and
the way out.
"""

import numpy as np
import pandas as pd

from sklearn_unlearn.cli._columns import column_numbers
from sklearn_unlearn.cli._io import CLIError, examples, shorten, warn
from sklearn_unlearn.cli._table import Table
from sklearn_unlearn.utils._sensitive import (
    SensitiveRecord,
    group_label,
    parse_sensitive,
    row_labels,
)

__all__ = [
    "AUDIT_ROWS",
    "bin_labels",
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


def _number(value: float) -> str:
    """The shortest text of a number that reads back as it (``28``, ``37.5``)."""
    return np.format_float_positional(value, trim="-")


def bin_labels(edges: np.ndarray, values: np.ndarray) -> list:
    """The interval of each quantile bin, as text, from the lowest value to the
    highest: ``[lo, e1)``, ``[e1, e2)``, ..., ``[ek, hi]``.

    Parameters
    ----------
    edges : ndarray of float
        The inner edges of the bins (a value equal to an edge is in the bin
        above it, as the unlearner bins).
    values : ndarray of float
        The binned values.

    Returns
    -------
    labels : list of str
        One label per bin, in the order of the bins.

    Examples
    --------
    >>> bin_labels(np.array([28.0, 37.5]), np.array([17.0, 30, 40, 90]))
    ['[17, 28)', '[28, 37.5)', '[37.5, 90]']
    """
    bounds = [_number(v) for v in (values.min(), *edges, values.max())]
    last = len(edges)
    return [
        f"[{bounds[k]}, {bounds[k + 1]}{']' if k == last else ')'}"
        for k in range(last + 1)
    ]


def _check_filled(table: Table, column: str, option: str) -> None:
    series = table.frame[column]
    text = series.astype(str)
    empty = series.isna().to_numpy() | (text.str.strip() == "").to_numpy()
    if empty.any():
        i = int(np.flatnonzero(empty)[0])
        raise CLIError(
            f"{option}: column {column!r} is empty at {table.row(i)} "
            f"({int(empty.sum())} empty cell(s)); fill or drop those rows first"
        )


def _numbers(table: Table, column: str) -> np.ndarray:
    values, text = column_numbers(table.frame[column])
    bad = ~np.isfinite(values)
    if bad.any():
        i = int(np.flatnonzero(bad)[0])
        cell = "a missing value" if text is None else repr(text.iloc[i])
        raise CLIError(
            f"--sensitive-bins: column {column!r} holds {cell} at {table.row(i)} "
            f"({int(bad.sum())} cell(s) not a finite number); only numbers can "
            "be cut into bins: leave out --sensitive-bins for a column of "
            "categories, or fix those cells"
        )
    return values


def sensitive_groups(
    table: Table, columns: list, option: str = "--sensitive", bins: int | None = None
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
    bins : int, default=None
        ``--sensitive-bins``: cut each column, read as numbers, into this many
        quantile bins (the unlearner's ``sensitive_bins``); each bin is
        labelled by its interval (:func:`bin_labels`).

    Returns
    -------
    record : SensitiveRecord
        Each row's group code and the groups (labels and rows per group).
    """
    for column in columns:
        _check_filled(table, column, option)
    if bins is None:
        values = table.frame[list(columns)].astype(str).reset_index(drop=True)
        return parse_sensitive(values=values, param=option)
    numbers = [_numbers(table, column) for column in columns]
    record = parse_sensitive(values=np.column_stack(numbers), n_bins=bins, param=option)
    encoding = record.encoding
    per_column = [
        bin_labels(edges, values)
        for edges, values in zip(encoding.bin_edges, numbers, strict=True)
    ]
    keys = [g if isinstance(g, tuple) else (g,) for g in encoding.groups]
    labels = np.array(
        [
            group_label(tuple(per_column[j][k] for j, k in enumerate(key)))
            if len(key) > 1
            else per_column[0][key[0]]
            for key in keys
        ],
        dtype=object,
    )
    return record._replace(encoding=encoding._replace(labels=labels))


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
    table: Table,
    columns: list,
    record: SensitiveRecord,
    min_rows: int,
    why: str,
    bins: int | None = None,
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
    bins : int, default=None
        ``--sensitive-bins``, when the columns were cut into bins.

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
    if bins is not None:
        _note_tied_bins(columns, record, bins)
    small = {label: n for label, n in counts.items() if n < min_rows}
    if not small:
        return counts
    if bins is None and len(columns) == 1 and len(counts) > CONTINUOUS:
        numbers, _ = column_numbers(table.frame[columns[0]])
        if np.isfinite(numbers).all():
            first_seen = record.encoding.labels[pd.unique(record.codes)]
            raise CLIError(
                f"--sensitive: column {name!r} looks continuous ({len(counts)} "
                f"distinct values in {record.codes.size} rows, e.g. "
                f"{examples(first_seen)}); it must hold a few groups of at "
                f"least {min_rows} rows each: bin it into quantile groups, e.g. "
                "with --sensitive-bins 4"
            )
    shown = examples(
        [
            f"{shorten(label, 40)!r} ({n} row{'' if n == 1 else 's'})"
            for label, n in small.items()
        ],
        width=None,
        quote=False,
    )
    if bins is not None:
        why += f", or cut fewer bins (--sensitive-bins {bins})"
    raise CLIError(
        f"--sensitive: {len(small)} of the {len(counts)} groups of {name} have "
        f"fewer than {min_rows} rows: {shown}; {why}"
    )


def _note_tied_bins(columns: list, record: SensitiveRecord, bins: int) -> None:
    """Warn when a column has fewer bins than asked (its quantiles tie)."""
    groups = record.encoding.groups
    for j, column in enumerate(columns):
        present = {g[j] if isinstance(g, tuple) else g for g in groups}
        if len(present) < bins:
            warn(
                f"--sensitive-bins {bins}: column {column!r} is cut into "
                f"{len(present)} bins only, its quantiles tie (repeated values)"
            )


def sensitive_copies(
    table: Table, sensitive: list, record, skip, bins: int | None = None
) -> list:
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
    bins : int, default=None
        ``--sensitive-bins``, as S was parsed with.

    Returns
    -------
    copies : list of dict
        For each such column: its name, the sensitive column(s) it reproduces,
        and a few of its values with the value of S each stands for.
    """
    targets = [("/".join(sensitive), pd.Series(group_labels(record)))]
    if len(sensitive) > 1:
        targets += [
            (c, pd.Series(group_labels(sensitive_groups(table, [c], bins=bins))))
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
