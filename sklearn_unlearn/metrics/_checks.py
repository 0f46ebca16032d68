"""Input checks of the audit metrics: short messages that name the parameter.

Every public metric validates its arguments here before any work, so that a
bad input fails with a message saying which parameter is wrong and how to fix
it (never a numpy broadcast error or a dump of the array). The helpers never
modify their inputs.
"""

import difflib

import numpy as np
from scipy import sparse
from sklearn.metrics import get_scorer_names
from sklearn.utils import check_array

from sklearn_unlearn.utils._compat import InvalidParameterError
from sklearn_unlearn.utils._validation import MAX_FLOAT_LEVELS, has_missing

__all__ = [
    "check_float_matrix",
    "check_scoring_name",
    "check_sensitive",
    "shape_of",
]


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


def check_sensitive(sensitive, n_samples: int, *, name: str = "sensitive"):
    """A 1-D discrete sensitive attribute of ``n_samples`` labels, or a ValueError.

    Rejects missing values and float columns that look continuous (with advice
    that fits a metric, which has no binning option of its own).
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
        n_levels = np.unique(values).size
        if n_levels > MAX_FLOAT_LEVELS:
            raise ValueError(
                f"{name} is float with {n_levels} distinct values: it looks "
                "continuous. Bin it into groups first (e.g. with numpy.digitize, "
                "pandas.qcut or a KBinsDiscretizer), or cast it to int/str if its "
                "values are categories."
            )
    return values


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
