"""The groups of S: codes of rows, the encoding of fit, barycenter weights.

Kernels on 1-D value columns: :func:`encode_groups` finds the groups
(intersections of several columns, optionally quantile-binned) and codes each
row; :func:`lookup_groups` codes new rows in a fitted :class:`GroupEncoding`
(``-1`` for a group unseen at fit). :mod:`sklearn_unlearn.utils._sensitive`
calls them once S is split out of its input.
"""

from numbers import Integral
from typing import NamedTuple

import numpy as np
import pandas as pd

from sklearn_unlearn.utils._validation import MAX_FLOAT_LEVELS, has_missing

__all__ = [
    "GroupEncoding",
    "encode_groups",
    "group_label",
    "group_weights",
    "lookup_groups",
]

#: Joins the values of an intersectional group in its label.
LABEL_SEPARATOR = " & "


class GroupEncoding(NamedTuple):
    """How raw sensitive values map to group codes ``0 .. n_groups - 1``."""

    groups: np.ndarray  # (n_groups,) group values (tuples for several columns)
    counts: np.ndarray  # (n_groups,) rows per group among the encoded rows
    labels: np.ndarray  # (n_groups,) one text label per group
    categories: list  # per column: sorted distinct values (or bin indices)
    combined: np.ndarray  # (n_groups,) sorted mixed-radix keys of the groups
    bin_edges: list | None  # per column: inner quantile edges when binning


def group_label(group) -> str:
    """Text label of one group: its value, or ``"a & b"`` for an intersection."""
    if isinstance(group, tuple):
        return LABEL_SEPARATOR.join(map(str, group))
    return str(group)


def _check_no_missing(values: np.ndarray, label: str) -> None:
    if has_missing(values):
        raise ValueError(
            f"Sensitive column {label} contains missing or infinite values: fill or "
            "drop them, or encode missingness as a category of its own."
        )


def _column_codes(values, label: str, n_bins) -> tuple[np.ndarray, np.ndarray, object]:
    """Codes of one column's values, its categories, and its bin edges.

    ``n_bins`` is a number of quantile bins, or the inner edges themselves.
    """
    if n_bins is not None:
        values = np.asarray(values, dtype=np.float64)
        _check_no_missing(values, label)
        if isinstance(n_bins, Integral):  # inner quantiles, ties merged
            levels = np.linspace(0.0, 1.0, n_bins + 1)[1:-1]
            edges = np.unique(np.quantile(values, levels))
        else:
            edges = np.asarray(n_bins, dtype=np.float64)
        codes = np.searchsorted(edges, values, "right")
        return codes, np.arange(edges.size + 1), edges
    values = np.asarray(values)
    _check_no_missing(values, label)
    try:  # hash the distinct values (O(n)), sort only those
        categories = np.sort(pd.unique(values))
    except TypeError as exc:
        raise ValueError(
            f"Sensitive column {label} mixes value types that cannot be ordered "
            "(e.g. strings and numbers): cast it to one type."
        ) from exc
    if values.dtype.kind == "f" and categories.size > MAX_FLOAT_LEVELS:
        raise ValueError(
            f"Sensitive column {label} is float with {categories.size} distinct "
            "values: it looks continuous. Bin it into groups first, e.g. "
            "sensitive_bins=4 (quantile bins) or a KBinsDiscretizer, or cast it to "
            "int/str if its values are categories."
        )
    return _category_codes(values, categories), categories, None


def encode_groups(
    columns: list, labels: list, binning
) -> tuple[np.ndarray, GroupEncoding]:
    """Group codes of the rows and the encoding (intersections of columns).

    ``labels`` name the columns in messages; ``binning`` is None, a number of
    quantile bins, or each column's inner edges.
    """
    categories, per_column, bin_edges = [], [], [] if binning is not None else None
    for j, (values, label) in enumerate(zip(columns, labels, strict=True)):
        n_bins = (
            binning
            if binning is None or isinstance(binning, Integral)
            else (binning[j])
        )
        codes, cats, edges = _column_codes(values, label, n_bins)
        if bin_edges is not None:
            bin_edges.append(edges)
        categories.append(cats)
        per_column.append(np.asarray(codes, dtype=np.intp).ravel())
    dims = [c.size for c in categories]
    keys = np.ravel_multi_index(per_column, dims) if len(dims) > 1 else per_column[0]
    n_keys = int(np.prod(dims))
    if n_keys <= 4 * keys.size + 1024:  # compact the present keys in O(n)
        present = np.bincount(keys, minlength=n_keys) > 0
        combined = np.flatnonzero(present)
        codes = (np.cumsum(present) - 1)[keys]
    else:
        combined, codes = np.unique(keys, return_inverse=True)
    if len(dims) == 1:
        groups = categories[0][combined]
    else:
        parts = np.unravel_index(combined, dims)
        groups = np.empty(combined.size, dtype=object)
        groups[:] = [
            tuple(cat[p[g]] for cat, p in zip(categories, parts, strict=True))
            for g in range(combined.size)
        ]
    codes = codes.astype(np.intp).ravel()
    encoding = GroupEncoding(
        groups=groups,
        counts=np.bincount(codes, minlength=groups.size),
        labels=np.array([group_label(g) for g in groups], dtype=object),
        categories=categories,
        combined=combined,
        bin_edges=bin_edges,
    )
    return codes, encoding


def _category_codes(values: np.ndarray, categories: np.ndarray) -> np.ndarray:
    """Position of each value in the sorted ``categories``, -1 when absent."""
    numeric = values.dtype.kind in "biuf" and categories.dtype.kind in "biuf"
    if not numeric:  # hashing copes with mixed and mismatched types
        return pd.Index(categories).get_indexer(values)
    position = np.searchsorted(categories, values)
    np.minimum(position, categories.size - 1, out=position)
    return np.where(categories[position] == values, position, -1)


def lookup_groups(columns: list, encoding: GroupEncoding) -> np.ndarray:
    """Group codes of new sensitive values; ``-1`` marks groups unseen at fit."""
    dims = [c.size for c in encoding.categories]
    per_column = []
    for j, values in enumerate(columns):
        if encoding.bin_edges is not None:
            values = np.asarray(values, dtype=np.float64)
            _check_no_missing(values, f"#{j}")
            codes = np.searchsorted(encoding.bin_edges[j], values, side="right")
        else:
            values = np.asarray(values)
            _check_no_missing(values, f"#{j}")
            codes = _category_codes(values, encoding.categories[j])
        per_column.append(np.asarray(codes, dtype=np.intp))
    if len(dims) == 1 and encoding.combined.size == dims[0]:
        # one column whose every category is a group: the category position is
        # the group code, -1 when unseen
        return per_column[0]
    unseen = np.zeros(per_column[0].shape, dtype=bool)
    for codes in per_column:
        unseen |= codes < 0
    safe = [np.where(unseen, 0, c) for c in per_column]
    keys = np.ravel_multi_index(safe, dims) if len(dims) > 1 else safe[0]
    position = np.searchsorted(encoding.combined, keys)
    position = np.minimum(position, encoding.combined.size - 1)
    found = (encoding.combined[position] == keys) & ~unseen
    return np.where(found, position, -1).astype(np.intp)


def group_weights(weights, counts: np.ndarray) -> np.ndarray:
    """Barycenter weights from ``"proportional"``, ``"uniform"`` or an array."""
    if isinstance(weights, str):
        raw = counts if weights == "proportional" else np.ones(counts.size)
        raw = np.asarray(raw, dtype=np.float64)
    else:
        raw = np.asarray(weights, dtype=np.float64)
        if raw.ndim != 1 or raw.size != counts.size:
            raise ValueError(
                f"weights has shape {raw.shape} but there are {counts.size} groups: "
                "pass one weight per group, in the order of groups_."
            )
        if not np.all(np.isfinite(raw)) or np.any(raw < 0) or raw.sum() <= 0:
            raise ValueError(
                "weights must be finite, nonnegative and not all zero; got "
                f"{raw.tolist()}."
            )
    return raw / raw.sum()
