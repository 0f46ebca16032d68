"""Input checks of the audit metrics: short messages that name the parameter.

Every public metric validates its arguments here before any work, so that a
bad input fails with a message saying which parameter is wrong and how to fix
it (never a numpy broadcast error or a dump of the array). The helpers never
modify their inputs. The groups of S are read by
:func:`~sklearn_unlearn.utils._sensitive.parse_sensitive`, like everywhere in
the library; the checks here only say, in a metric's words, why an S cannot be
audited (a metric has no binning option, so its advice differs).
"""

import difflib
from typing import NamedTuple

import numpy as np
import pandas as pd
from scipy import sparse
from sklearn.metrics import get_scorer_names
from sklearn.utils import check_array

from sklearn_unlearn.utils._compat import InvalidParameterError
from sklearn_unlearn.utils._sensitive import (
    check_group_counts,
    parse_sensitive,
)
from sklearn_unlearn.utils._validation import MAX_FLOAT_LEVELS, has_missing

__all__ = [
    "AuditInput",
    "check_audit_input",
    "check_float_matrix",
    "check_proba",
    "check_scoring_name",
    "check_sensitive",
    "shape_of",
]


class AuditInput(NamedTuple):
    """A validated representation and its groups, ready for an audit."""

    Z: np.ndarray  # (n_samples, n_features) finite floats
    codes: np.ndarray  # (n_samples,) group code of each row, 0 .. n_groups - 1
    counts: np.ndarray  # (n_groups,) rows per group


def shape_of(values, name: str) -> tuple:
    """The shape of an array-like, or a ValueError naming ``name``."""
    if sparse.issparse(values):
        raise TypeError(
            f"{name} is a sparse matrix; the audit metrics need a dense array: "
            f"pass {name}.toarray()."
        )
    shape = getattr(values, "shape", None)
    if shape is not None and not callable(shape):
        return tuple(shape)
    try:
        return np.shape(values)
    except ValueError:  # ragged nested sequences
        raise ValueError(
            f"{name} must be a rectangular array; its rows have different lengths."
        ) from None


def _first_bad(values: np.ndarray) -> str:
    """Where the first non-finite value sits, and what it is."""
    bad = ~np.isfinite(values)
    position = np.unravel_index(int(np.argmax(bad)), values.shape)
    kind = "NaN" if np.isnan(values[position]) else "infinite values"
    where = ", ".join(map(str, position))
    return f"{kind} (first at index ({where}))"


def check_float_matrix(values, name: str, *, min_samples: int = 1) -> np.ndarray:
    """``values`` as a finite 2-D float array of at least ``min_samples`` rows."""
    shape = shape_of(values, name)
    if len(shape) != 2:
        hint = (
            f" For a single feature, pass {name}.reshape(-1, 1)."
            if len(shape) == 1
            else ""
        )
        raise ValueError(
            f"{name} must be 2-D, of shape (n_samples, n_features); got an array "
            f"of shape {shape}.{hint}"
        )
    if shape[0] < min_samples or shape[1] < 1:
        raise ValueError(
            f"{name} has shape {shape}: it needs at least {min_samples} row(s) and "
            "one column."
        )
    try:
        array = check_array(
            values,
            dtype=[np.float64, np.float32],
            ensure_all_finite=False,
            input_name=name,
        )
    except (TypeError, ValueError) as exc:
        reason = (str(exc).splitlines() or [""])[0][:80]
        raise ValueError(
            f"{name} must hold numbers ({reason}): encode non-numeric columns first."
        ) from None
    if not np.isfinite(array).all():
        raise ValueError(
            f"{name} contains {_first_bad(array)}: drop or impute those rows first."
        )
    return array


def check_sensitive(sensitive, n_samples: int, *, name: str = "sensitive_features"):
    """The groups of a 1-D discrete S of ``n_samples`` labels, or a ValueError.

    Rejects missing values and float columns that look continuous (with advice
    that fits a metric, which has no binning option of its own), then parses
    the groups.

    Returns
    -------
    record : SensitiveRecord
        The parsed S: each row's group code and the groups' encoding.
    """
    shape = shape_of(sensitive, name)
    if len(shape) != 1:
        raise ValueError(
            f"{name} must be 1-D (one label per row); got shape {shape}. For "
            "several attributes, combine them into one label per row first."
        )
    values = np.asarray(sensitive)
    if values.shape[0] != n_samples:
        raise ValueError(
            f"Z has {n_samples} samples but {name} has {values.shape[0]}: pass one "
            f"{name} value per row of Z."
        )
    if has_missing(values):
        raise ValueError(
            f"{name} contains missing or infinite values: fill or drop those rows, "
            "or encode missingness as a group of its own."
        )
    if values.dtype.kind == "f":
        n_levels = pd.unique(values).size
        if n_levels > MAX_FLOAT_LEVELS:
            raise ValueError(
                f"{name} is float with {n_levels} distinct values: it looks "
                "continuous. Bin it into groups first (e.g. with numpy.digitize, "
                "pandas.qcut or a KBinsDiscretizer), or cast it to int/str if its "
                "values are categories."
            )
    return parse_sensitive(values=values, param=name)


def check_audit_input(
    Z, sensitive, *, min_per_group: int = 2, hint: str = "Merge rare groups."
) -> AuditInput:
    """Validate ``Z`` (2-D, finite) and ``sensitive`` (groups of ``min_per_group``).

    ``hint`` ends the message when a group is too small: what to change.
    """
    Z = check_float_matrix(Z, "Z")
    record = check_sensitive(sensitive, Z.shape[0])
    check_group_counts(
        record.encoding, min_rows=min_per_group, what="an audit", hint=hint
    )
    return AuditInput(Z, record.codes, record.encoding.counts)


def check_proba(proba, name: str) -> np.ndarray:
    """Class probabilities: a finite 2-D array of nonnegative rows summing to 1."""
    shape = shape_of(proba, name)
    if len(shape) != 2:
        raise ValueError(
            f"{name} must be 2-D, of shape (n_samples, n_classes) like the output of "
            f"predict_proba; got an array of shape {shape}."
        )
    proba = check_float_matrix(proba, name).astype(np.float64)
    if np.any(proba < 0) or not np.allclose(proba.sum(axis=1), 1.0, atol=1e-6):
        raise ValueError(
            f"{name} must hold class probabilities: nonnegative rows summing to 1 "
            "(the output of predict_proba)."
        )
    return proba


def check_scoring_name(scoring, name: str, owner: str) -> None:
    """Reject an unknown scoring name with a few close valid ones, not all 50."""
    if not isinstance(scoring, str) or scoring in get_scorer_names():
        return
    close = difflib.get_close_matches(scoring, get_scorer_names(), n=3, cutoff=0.6)
    raise InvalidParameterError(
        f"The {name!r} parameter of {owner} must be None, a scorer callable or a "
        f"scikit-learn scoring name such as {close or ['accuracy', 'roc_auc', 'r2']}"
        f"; got {scoring!r}. sklearn.metrics.get_scorer_names() lists the names."
    )
