"""Loader for the UCI Adult (Census Income) data set, vendored with the package.

The two gzip files under ``data/`` are unmodified copies of the UCI files
(CC BY 4.0, see ``data/LICENSE_ADULT.txt``). Nothing is downloaded.
"""

from functools import lru_cache
from importlib import resources

import pandas as pd
from sklearn.utils import Bunch

from sklearn_unlearn.utils._compat import StrOptions, validate_params

__all__ = ["load_adult"]

_COLUMNS = [
    "age",
    "workclass",
    "fnlwgt",
    "education",
    "education_num",
    "marital_status",
    "occupation",
    "relationship",
    "race",
    "sex",
    "capital_gain",
    "capital_loss",
    "hours_per_week",
    "native_country",
    "income",
]
_NUMERIC = [
    "age",
    "fnlwgt",
    "education_num",
    "capital_gain",
    "capital_loss",
    "hours_per_week",
]
_TARGET = "income"
_FEATURES = [name for name in _COLUMNS if name != _TARGET]
_CATEGORICAL = [name for name in _FEATURES if name not in _NUMERIC]
_LABELS = ["<=50K", ">50K"]

# file name and number of leading lines to skip, per part of the original split
_PARTS = {"train": ("adult.data.gz", 0), "test": ("adult.test.gz", 1)}

_DESCR = """\
UCI Adult (Census Income) data set
----------------------------------

Records extracted by Barry Becker from the 1994 US Census database. The task is
to predict whether a person earns more than 50,000 USD a year (``income``).

=================  ==============================================
Rows               32,561 (train) + 16,281 (test) = 48,842 (all)
Columns            14 features (6 integer, 8 categorical) + target
Missing values     ``workclass``, ``occupation``, ``native_country``
Positive class     ``income == ">50K"`` (about 24 %)
Common sensitive   ``sex``, ``race``, ``age``
=================  ==============================================

The train / test split is the original random 2/3 - 1/3 split. Categorical
columns share the same categories in every subset (the union over both files),
so a model fitted on ``train`` accepts ``test`` without unknown levels. The
files contain a few exact duplicate rows (24 in train, 5 in test); they are kept.

Licence: CC BY 4.0. Cite: Becker, B. & Kohavi, R. (1996). Adult. UCI Machine
Learning Repository. doi:10.24432/C5XW20
"""


@lru_cache(maxsize=2)
def _read_part(part: str) -> pd.DataFrame:
    """Parse one vendored file into int64 and string columns (cached: do not mutate)."""
    filename, skiprows = _PARTS[part]
    ref = resources.files("sklearn_unlearn.datasets") / "data" / filename
    with ref.open("rb") as handle:
        frame = pd.read_csv(
            handle,
            compression="gzip",
            header=None,
            names=_COLUMNS,
            skiprows=skiprows,
            skipinitialspace=True,
            na_values="?",
            keep_default_na=False,
            dtype={name: "int64" for name in _NUMERIC},
        )
    # the test file writes its labels as "<=50K." and ">50K."
    frame[_TARGET] = frame[_TARGET].str.rstrip(".")
    return frame


@lru_cache(maxsize=3)
def _load_frame(subset: str) -> pd.DataFrame:
    """Return the parsed frame of ``subset``; cached, so never hand it out as is."""
    parts = {part: _read_part(part) for part in _PARTS}
    both = pd.concat(list(parts.values()), ignore_index=True)
    frame = both if subset == "all" else parts[subset]
    frame = frame.copy()
    for name in _CATEGORICAL:
        levels = sorted(both[name].dropna().unique())
        frame[name] = frame[name].astype(pd.CategoricalDtype(levels))
    labels = set(frame[_TARGET].unique())
    if not labels <= set(_LABELS):  # pragma: no cover - guards the vendored files
        raise RuntimeError(f"Unexpected income labels in the Adult files: {labels}")
    frame[_TARGET] = frame[_TARGET].astype(pd.CategoricalDtype(_LABELS))
    return frame


def _check_sensitive(sensitive: str | list[str]) -> None:
    names = [sensitive] if isinstance(sensitive, str) else list(sensitive)
    valid = bool(names) and all(name in _FEATURES for name in names)
    if not valid or len(set(names)) != len(names):
        raise ValueError(
            "The 'sensitive' parameter must be a feature column name or a non-empty "
            f"list of distinct feature column names; got {sensitive!r}. "
            f"Valid columns are: {_FEATURES}."
        )


@validate_params(
    {
        "subset": [StrOptions({"train", "test", "all"})],
        "return_X_y": ["boolean"],
        "sensitive": [str, list],
        "dropna": ["boolean"],
    },
    prefer_skip_nested_validation=True,
)
def load_adult(
    *,
    subset: str = "train",
    return_X_y: bool = False,
    sensitive: str | list[str] = "sex",
    dropna: bool = False,
) -> Bunch | tuple[pd.DataFrame, pd.Series, pd.Series | pd.DataFrame]:
    """Load the UCI Adult (Census Income) data set from the package.

    ===============  ==========================================
    Samples          32,561 (train), 16,281 (test), 48,842 (all)
    Features         14 (6 integer, 8 categorical)
    Target           ``income``: 1 if ``">50K"`` else 0
    Missing values   ``workclass``, ``occupation``, ``native_country``
    ===============  ==========================================

    The files are vendored with the package (CC BY 4.0), so this function never
    touches the network.

    Parameters
    ----------
    subset : {"train", "test", "all"}, default="train"
        Part of the original split to load: ``"train"`` (``adult.data``),
        ``"test"`` (``adult.test``) or ``"all"`` (train followed by test).

    return_X_y : bool, default=False
        If True, return ``(X, y, sensitive)`` instead of a Bunch.

    sensitive : str or list of str, default="sex"
        Feature column(s) returned as the sensitive attribute. A str gives a
        Series, a list gives a DataFrame. The columns also stay in ``X``, so they
        can be named as ``sensitive_features`` of a transformer.

    dropna : bool, default=False
        If True, drop the rows with a missing value (3,620 rows of the 48,842).

    Returns
    -------
    data : :class:`~sklearn.utils.Bunch`
        Dictionary-like object with the attributes:

        frame : DataFrame of shape (n_samples, 15)
            All columns; ``income`` is categorical with the levels
            ``"<=50K"`` and ``">50K"``.
        data : DataFrame of shape (n_samples, 14)
            The features: int64 and categorical columns, missing values as NaN.
        target : Series of shape (n_samples,)
            ``income`` as int64, 1 for ``">50K"``.
        sensitive : Series or DataFrame
            The column(s) of ``data`` named by ``sensitive``.
        feature_names : list of str
            Names of the columns of ``data``.
        target_name : str
            ``"income"``.
        DESCR : str
            Description of the data set, with its citation.

    (X, y, sensitive) : tuple
        Returned instead when ``return_X_y`` is True: ``data``, ``target`` and
        ``sensitive`` of the Bunch above.

    Notes
    -----
    Each call returns fresh objects, so mutating them does not affect later
    calls. Categorical columns have the same categories in every subset (the union
    over both files); for example ``native_country="Holand-Netherlands"`` occurs
    once in train and never in test. The index is a RangeIndex, also after
    ``dropna``.

    References
    ----------
    .. [1] Becker, B. & Kohavi, R. (1996). Adult. UCI Machine Learning
       Repository. doi:10.24432/C5XW20

    Examples
    --------
    >>> from sklearn_unlearn.datasets import load_adult
    >>> X, y, s = load_adult(return_X_y=True)
    >>> X.shape
    (32561, 14)
    >>> s.value_counts().to_dict()
    {'Male': 21790, 'Female': 10771}
    >>> round(float(y.mean()), 4)
    0.2408
    >>> load_adult(subset="test", dropna=True).frame.shape
    (15060, 15)
    """
    _check_sensitive(sensitive)
    frame = _load_frame(subset).copy()
    if dropna:
        frame = frame.dropna().reset_index(drop=True)

    X = frame[_FEATURES].copy()
    y = (frame[_TARGET] == _LABELS[1]).astype("int64").rename(_TARGET)
    s = X[sensitive].copy()
    if return_X_y:
        return X, y, s
    return Bunch(
        frame=frame,
        data=X,
        target=y,
        sensitive=s,
        feature_names=list(_FEATURES),
        target_name=_TARGET,
        DESCR=_DESCR,
    )
