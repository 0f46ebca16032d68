"""The command line's label: its values, and the audit of its utility.

``repair --label COL`` fits the unlearner with the label and reports the
utility U the repaired features keep of a possible R, the independence
reference (:func:`sklearn_unlearn.metrics.independence_reference`).
"""

import numpy as np
import pandas as pd
from sklearn.linear_model import LogisticRegression, RidgeCV
from sklearn.metrics import r2_score, roc_auc_score
from sklearn.model_selection import train_test_split
from sklearn.utils.multiclass import type_of_target

from sklearn_unlearn import BarycenterFeatureUnlearner
from sklearn_unlearn.cli._io import CLIError, examples
from sklearn_unlearn.metrics import independence_reference

__all__ = ["label_audit", "label_values"]


def label_values(table, column: str, audit: bool) -> np.ndarray:
    """The ``--label`` column's values, checked before any work.

    Parameters
    ----------
    table : sklearn_unlearn.cli._table.Table
        The table.
    column : str
        The label column.
    audit : bool
        Whether the utility audit (a stratified 60/40 split) will run.

    Returns
    -------
    y : ndarray
        Numbers when every cell is one (integers when all are whole), else
        the cells' text.
    """
    series = table.frame[column].reset_index(drop=True)
    text = series.astype(str)
    missing = series.isna().to_numpy() | (text.str.strip() == "").to_numpy()
    if missing.any():
        raise CLIError(
            f"--label: column {column!r} has {int(missing.sum())} missing "
            f"value(s) (first at {table.row(int(np.flatnonzero(missing)[0]))}); "
            "fill or drop those rows first"
        )
    values = series.to_numpy()
    if series.dtype == object:
        numbers = pd.to_numeric(text, errors="coerce").to_numpy(dtype=np.float64)
        if np.isfinite(numbers).all():
            whole = np.array_equal(numbers, np.round(numbers))
            values = numbers.astype(np.int64) if whole else numbers
    counts = pd.Series(values).value_counts()
    if counts.size < 2:
        raise CLIError(
            f"--label: column {column!r} has the single value {counts.index[0]!r}; "
            "a label needs at least two values: choose another column or leave "
            "out --label"
        )
    if audit and type_of_target(values) in ("binary", "multiclass"):
        if counts.min() < 2:
            rare = examples(counts[counts < 2].index, width=40)
            raise CLIError(
                f"--label: class(es) {rare} of {column!r} have a single row; the "
                "utility audit splits the rows 60/40 by class and needs at least "
                "2 rows of each: merge or drop those rows, or pass --no-audit"
            )
    return values


def label_audit(X, y, groups, method: str, seed: int) -> dict:
    """Utility U of the repaired features for the label, and its reference R.

    Fit on 60% of the rows (stratified), measure on the other 40%: U is the
    test utility of a logistic regression (ridge for a numeric label) on the
    repaired features, R the independence reference of the same model
    (:func:`sklearn_unlearn.metrics.independence_reference`).
    """
    kind = type_of_target(y)
    classify = kind in ("binary", "multiclass")
    model = LogisticRegression(max_iter=1000) if classify else RidgeCV()
    parts = train_test_split(
        X,
        y,
        groups,
        test_size=0.4,
        random_state=seed,
        stratify=y if classify else None,
    )
    X_tr, X_te, y_tr, y_te, g_tr, g_te = parts
    unlearner = BarycenterFeatureUnlearner(method=method, random_state=seed)
    unlearner.fit(X_tr, y_tr, sensitive_features=g_tr)
    Z_tr = unlearner.transform(X_tr, sensitive_features=g_tr)
    Z_te = unlearner.transform(X_te, sensitive_features=g_te)
    fitted = model.fit(Z_tr, y_tr)
    if not classify:
        utility, metric = r2_score(y_te, fitted.predict(Z_te)), "R^2"
    elif kind == "binary":
        utility = roc_auc_score(y_te, fitted.decision_function(Z_te))
        metric = "ROC AUC"
    else:
        proba = fitted.predict_proba(Z_te)
        utility = roc_auc_score(y_te, proba, multi_class="ovr", labels=fitted.classes_)
        metric = "macro ROC AUC"
    reference = independence_reference(
        X_tr,
        y_tr,
        g_tr,
        X_test=X_te,
        y_test=y_te,
        sensitive_features_test=g_te,
        estimator=model,
        random_state=seed,
    )
    return {
        "metric": metric,
        "utility": float(utility),
        "reference": float(reference.utility),
        "raw_utility": float(reference.raw_utility),
        "protocol": "60/40 split; the unlearner fitted on the 60% with the label; "
        "a logistic regression (ridge) on the repaired features; the reference "
        "is that model's outputs mapped onto the W2 barycenter of the groups' "
        "output laws",
    }
