"""The sensitive attribute S, parsed once.

S comes as columns of ``X`` (by name or position; several columns make
intersectional groups), a callable of ``X``, values beside ``X`` (1-D, 2-D, a
Series or a frame) or float values cut into quantile bins.
:func:`parse_sensitive` turns each form into one passive
:class:`SensitiveRecord`: the features without S, the raw S columns, their
positions, each row's group code and the :class:`GroupEncoding` (sorted groups,
rows per group, one text label per group: the value, or ``"a & b"`` for an
intersection). Fit encodes; transform looks codes up (``-1``: unseen group).
"""

from numbers import Integral
from typing import NamedTuple

import numpy as np
import pandas as pd

from sklearn_unlearn.utils._groups import (
    GroupEncoding,
    encode_groups,
    group_label,
    lookup_groups,
)
from sklearn_unlearn.utils._validation import check_no_sparse, is_dask, is_dataframe

__all__ = [
    "GroupEncoding",
    "SensitiveRecord",
    "check_group_counts",
    "group_label",
    "merge_encodings",
    "parse_sensitive",
    "row_labels",
]


class SensitiveRecord(NamedTuple):
    """S of some rows, parsed: passive data, no behaviour."""

    features: object  # X without the sensitive columns (None without X)
    columns: list  # the raw sensitive columns, 1-D each
    positions: np.ndarray  # positions of the sensitive columns in X (or empty)
    codes: np.ndarray  # (n_samples,) intp group codes, -1 for unseen groups
    encoding: GroupEncoding  # the groups (fitted ones when looked up)


def parse_sensitive(
    X=None,
    values=None,
    *,
    spec=None,
    feature_names=None,
    fitted: GroupEncoding | None = None,
    n_bins: int | None = None,
    bin_edges: list | None = None,
    param: str = "sensitive_features",
    spec_param: str = "sensitive_feature_ids",
    missing: str | None = None,
    encode: bool = True,
) -> SensitiveRecord:
    """Parse S, wherever it comes from, into a :class:`SensitiveRecord`.

    Parameters
    ----------
    X : array-like or DataFrame, default=None
        The rows (already validated); S is split out of it when ``spec`` names
        columns. ``None`` when only ``values`` are given (audits).
    values : array-like or DataFrame, default=None
        S passed beside ``X``: 1-D, 2-D (intersections) or a frame.
    spec : str, int, list of them, or callable, default=None
        Where S is in ``X``: column names or positions, or a callable that
        returns S from ``X`` (``X`` is then passed on whole).
    feature_names : array-like of str, default=None
        Names of ``X``'s columns, to resolve names in ``spec``.
    fitted : GroupEncoding, default=None
        The encoding of fit: codes are looked up in it (``-1`` when unseen).
        ``None`` encodes the groups of these rows.
    n_bins : int, default=None
        Quantile bins per sensitive column (only when encoding).
    bin_edges : list of ndarray, default=None
        Inner bin edges of each column, fitted before (e.g. a fitted
        estimator's ``sensitive_bin_edges_``): bins with them, not anew.
    param : str, default="sensitive_features"
        The parameter that passes S's values, for the messages.
    spec_param : str, default="sensitive_feature_ids"
        The parameter that says where S is in ``X``, for the messages.
    missing : str, default=None
        The message when S is given neither way.
    encode : bool, default=True
        ``False`` only splits (``codes`` empty, ``encoding`` None).

    Returns
    -------
    record : SensitiveRecord
    """
    n_rows = None if X is None else len(X)
    positions = np.empty(0, dtype=np.intp)
    features = X
    if spec is not None and values is not None:
        raise ValueError(
            f"The sensitive attribute is given twice: {spec_param}={spec!r} says "
            f"where S is in X, and {param} values were also passed. Use one of them."
        )
    if callable(spec):
        columns = _metadata_columns(spec(X), n_rows, param)
    elif spec is not None:
        names = None if feature_names is None else list(feature_names)
        positions = _resolve_positions(spec, X.shape[1], names, spec_param)
        features, columns = _split_columns(X, positions)
    elif values is not None:
        columns = _metadata_columns(values, n_rows, param)
    else:
        raise ValueError(missing or f"No sensitive attribute: pass {param}.")
    if not encode:
        return SensitiveRecord(features, columns, positions, np.empty(0, np.intp), None)
    if fitted is None:
        binning = bin_edges if bin_edges is not None else n_bins
        codes, encoding = encode_groups(
            columns, _column_labels(columns, positions, feature_names), binning
        )
    else:
        codes, encoding = lookup_groups(columns, fitted), fitted
    return SensitiveRecord(features, columns, positions, codes, encoding)


def check_group_counts(
    encoding: GroupEncoding, *, min_rows: int = 2, what: str = "unlearning", hint: str
) -> None:
    """At least two groups, each of ``min_rows`` rows; ``hint`` says the way out."""
    if encoding.groups.size < 2:
        raise ValueError(
            f"Only one group ({encoding.labels.tolist()}) in the sensitive "
            f"attribute (a single group): {what} needs at least two groups."
        )
    small = encoding.counts < min_rows
    if small.any():
        raise ValueError(
            f"Group(s) {encoding.labels[small].tolist()[:10]} have "
            f"{encoding.counts[small].tolist()[:10]} samples, fewer than "
            f"{min_rows}: {what} needs at least {min_rows} per group. {hint}"
        )


# ------------------------------------------------------------------ splitting
def _resolve_positions(spec, n_features: int, names, param: str) -> np.ndarray:
    """Positions in ``X`` of the columns that ``spec`` names."""
    items = [spec] if isinstance(spec, str | Integral) else list(spec)
    if len(items) > n_features:  # one value per row, not column names
        raise ValueError(
            f"{param} names columns of X, but it holds {len(items)} items for "
            f"{n_features} column(s): it looks like the sensitive values. Pass "
            "values as fit(X, sensitive_features=S) (and to transform/predict), "
            f"or name the columns of X that hold S in {param}."
        )
    if not items:
        raise ValueError(
            f"{param} is empty: name at least one column of X, or pass None and "
            f"give the values as {param}= to fit."
        )
    positions = []
    for item in items:
        if isinstance(item, str):
            if names is None:
                raise ValueError(
                    f"{param} names the column {item!r} but X has no column names: "
                    "pass a DataFrame, or integer column indices."
                )
            if item not in names:
                raise ValueError(
                    f"{param}: column {item!r} is not in X. Columns of X: "
                    f"{names[:20]}{' ...' if len(names) > 20 else ''}."
                )
            positions.append(names.index(item))
        elif isinstance(item, Integral) and not isinstance(item, bool):
            if not -n_features <= item < n_features:
                raise ValueError(
                    f"{param}: column index {item} is out of range for X with "
                    f"{n_features} feature(s)."
                )
            positions.append(int(item) % n_features)
        else:
            raise TypeError(
                f"{param} must hold column names (str) or integer indices; got "
                f"{item!r} of type {type(item).__name__}."
            )
    positions = np.asarray(positions, dtype=np.intp)
    if np.unique(positions).size != positions.size:
        raise ValueError(f"{param} names the same column twice.")
    if positions.size >= n_features:
        raise ValueError(
            f"X has {n_features} feature(s) and {param} names all of them: no "
            "feature would be left. Add the features to work on."
        )
    return positions


def _split_columns(X, positions: np.ndarray) -> tuple[object, list]:
    """``X`` without the columns at ``positions``, and those columns.

    Dask features stay lazy; the sensitive columns are computed (small).
    """
    keep = np.setdiff1d(np.arange(X.shape[1]), positions)
    if is_dask(X):
        import dask

        if hasattr(X, "columns"):  # a dask DataFrame
            names = [X.columns[i] for i in positions]
            columns = dask.compute(*[X[name] for name in names])
            return X.drop(columns=names), [np.asarray(c) for c in columns]
        columns = dask.compute(*[X[:, i] for i in positions])
        return X[:, keep.tolist()], [np.asarray(c) for c in columns]
    if isinstance(X, pd.DataFrame):
        columns = [np.asarray(X.iloc[:, i]) for i in positions]
        return X.iloc[:, keep], columns
    if is_dataframe(X):  # polars
        names = list(X.columns)
        columns = [X.get_column(names[i]).to_numpy() for i in positions]
        return X.select([names[i] for i in keep]), columns
    X = np.asarray(X)
    return np.take(X, keep, axis=1), [X[:, i] for i in positions]


def _metadata_columns(values, n_rows: int | None, param: str) -> list:
    """S given as values (1-D, 2-D or a frame) as a list of 1-D columns."""
    if is_dask(values):  # one value per row: small
        values = values.compute()
    check_no_sparse(values, param)
    if is_dataframe(values):
        columns = (
            [np.asarray(values.iloc[:, j]) for j in range(values.shape[1])]
            if isinstance(values, pd.DataFrame)
            else [s.to_numpy() for s in values.iter_columns()]
        )
    else:
        arr = np.asarray(values)
        if arr.ndim == 1:
            columns = [arr]
        elif arr.ndim == 2:
            columns = [arr[:, j] for j in range(arr.shape[1])]
        else:
            raise ValueError(
                f"{param} must be 1-D (one attribute) or 2-D (several attributes, "
                f"intersectional groups); got {arr.ndim} dimensions."
            )
    if not columns:
        raise ValueError(f"{param} has no column.")
    if n_rows is not None and len(columns[0]) != n_rows:
        raise ValueError(
            f"{param} has {len(columns[0])} samples but X has {n_rows}: pass one "
            "sensitive value per row of X."
        )
    return columns


# ------------------------------------------------------------------- encoding
def _column_labels(columns: list, positions, feature_names) -> list:
    """How messages name each sensitive column: its name, position or origin."""
    if not len(positions):
        return ["(metadata)"] * len(columns)
    if feature_names is None:
        return [f"#{p}" for p in positions]
    return [repr(str(feature_names[p])) for p in positions]


def row_labels(record: SensitiveRecord) -> np.ndarray:
    """The group label of each row (rows of unseen groups from their values)."""
    labels = record.encoding.labels[np.maximum(record.codes, 0)]
    unseen = np.flatnonzero(record.codes < 0)
    if unseen.size:
        labels = labels.copy()
        labels[unseen] = [
            group_label(tuple(c[i] for c in record.columns))
            if len(record.columns) > 1
            else group_label(record.columns[0][i])
            for i in unseen
        ]
    return labels


def merge_encodings(
    old: GroupEncoding, chunk: GroupEncoding
) -> tuple[GroupEncoding, np.ndarray, np.ndarray]:
    """The encoding of the groups of both, and where each one's codes go.

    Returns the union encoding (its counts the sums of both) and the new code
    of each of ``old``'s and of ``chunk``'s groups.
    """
    old_labels = [_key(g) for g in old.groups]
    labels = [_key(g) for g in chunk.groups]
    n_columns = len(chunk.categories)
    union_columns = [
        np.concatenate([a, b])
        for a, b in zip(
            _label_columns(old_labels, n_columns),
            _label_columns(labels, n_columns),
            strict=True,
        )
    ]
    # a frame keeps each column's own dtype
    frame = pd.DataFrame(dict(enumerate(union_columns)))
    encoding = parse_sensitive(values=frame).encoding
    position = {_key(g): i for i, g in enumerate(encoding.groups)}
    old_index = np.array([position[g] for g in old_labels], dtype=np.intp)
    new_index = np.array([position[g] for g in labels], dtype=np.intp)
    counts = np.zeros(encoding.groups.size, dtype=np.int64)
    np.add.at(counts, old_index, old.counts)
    np.add.at(counts, new_index, chunk.counts)
    return encoding._replace(counts=counts), old_index, new_index


def _label_columns(labels: list, n_columns: int) -> list:
    """Per-column arrays of group labels (labels are tuples for several columns)."""
    if n_columns == 1:
        return [
            np.asarray([lab[0] if isinstance(lab, tuple) else lab for lab in labels])
        ]
    return [np.asarray([lab[j] for lab in labels]) for j in range(n_columns)]


def _key(label):
    """A hashable group label (tuples for several columns, scalars otherwise)."""
    if isinstance(label, np.ndarray):
        return tuple(label.tolist())
    if isinstance(label, np.generic):
        return label.item()
    return label
