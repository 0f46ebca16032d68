"""The independence reference: the best label utility of an S-independent output."""

from numbers import Integral, Real
from typing import NamedTuple

import numpy as np
from sklearn.base import clone
from sklearn.linear_model import LogisticRegression, RidgeCV
from sklearn.metrics import r2_score, roc_auc_score
from sklearn.model_selection import train_test_split
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler
from sklearn.utils import check_random_state
from sklearn.utils.multiclass import type_of_target

from sklearn_unlearn.metrics._checks import shape_of
from sklearn_unlearn.outcome import BarycenterOutcomeUnlearner
from sklearn_unlearn.utils._compat import HasMethods, Interval, validate_params

__all__ = ["IndependenceReference", "independence_reference"]


class IndependenceReference(NamedTuple):
    """The independence reference of a model on held-out rows.

    Result of :func:`independence_reference` (greater utility is better).

    Attributes
    ----------
    utility : float
        Test utility (ROC AUC or R^2) of the barycenter-mapped outputs.
    raw_utility : float
        Test utility of the same model's unrepaired outputs.
    n_train : int
        Number of training rows.
    n_test : int
        Number of test rows.
    train_scores : ndarray of shape (n_train,) or (n_train, n_classes)
        Repaired outputs of the training rows (to train a leakage adversary).
    test_scores : ndarray of shape (n_test,) or (n_test, n_classes)
        Repaired outputs of the test rows.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn_unlearn.metrics import independence_reference
    >>> rng = np.random.default_rng(0)
    >>> s = rng.integers(0, 2, 500)
    >>> X = rng.normal(size=(500, 2)) + s[:, None]
    >>> y = X[:, 0] + rng.normal(size=500)
    >>> ref = independence_reference(X, y, s, random_state=0)
    >>> ref.test_scores.shape
    (200,)
    """

    utility: float
    raw_utility: float
    n_train: int
    n_test: int
    train_scores: np.ndarray
    test_scores: np.ndarray


def _scores(model, X, S, classification: bool, n_classes: int) -> np.ndarray:
    """The scored output: decision scores (binary), probabilities, or values."""
    if not classification:
        return model.predict(X, sensitive_features=S)
    if n_classes == 2 and hasattr(model, "decision_function"):
        return model.decision_function(X, sensitive_features=S)
    proba = model.predict_proba(X, sensitive_features=S)
    return proba[:, 1] if n_classes == 2 else proba


def _utility(y, scores, classification: bool, n_classes: int) -> float:
    if not classification:
        return float(r2_score(y, scores))
    if n_classes == 2:
        return float(roc_auc_score(y, scores))
    return float(roc_auc_score(y, scores, multi_class="ovr", average="macro"))


def _check_same_rows(**arrays) -> None:
    """One row per sample in every array, or a ValueError naming them."""
    rows = {}
    for name, values in arrays.items():
        shape = shape_of(values, name)
        if len(shape) == 0:
            raise ValueError(f"{name} must be an array with one row per sample.")
        rows[name] = shape[0]
    if len(set(rows.values())) > 1:
        names = ", ".join(rows)
        raise ValueError(
            f"{names} must have one row per sample, but their lengths differ: {rows}."
        )


@validate_params(
    {
        "X": ["array-like"],
        "y": ["array-like"],
        "sensitive_features": ["array-like"],
        "X_test": [None, "array-like"],
        "y_test": [None, "array-like"],
        "sensitive_features_test": [None, "array-like"],
        "estimator": [None, HasMethods(["fit"])],
        "cv": [None, Interval(Integral, 2, None, closed="left"), "cv_object"],
        "test_size": [Interval(Real, 0, 1, closed="neither")],
        "random_state": ["random_state"],
    },
    prefer_skip_nested_validation=False,
)
def independence_reference(
    X,
    y,
    sensitive_features,
    *,
    X_test=None,
    y_test=None,
    sensitive_features_test=None,
    estimator=None,
    cv=5,
    test_size=0.4,
    random_state=None,
):
    r"""Label utility of the best S-independent outputs of a model, on held-out rows.

    A :class:`~sklearn_unlearn.BarycenterOutcomeUnlearner` around ``estimator``
    is fitted on the training rows: each group's law of the model's
    cross-fitted outputs is mapped onto their 1-D Wasserstein-2 barycenter,
    ties randomised. The test utility of the mapped outputs is what any
    representation independent of S, followed by that kind of model, can hope
    for: compare a feature unlearner's downstream utility with it ("utility U
    of a possible R").

    Parameters
    ----------
    X : array-like of shape (n_samples, n_features)
        Features (S excluded), encoded for ``estimator``.
    y : array-like of shape (n_samples,)
        Labels (binary or multiclass) or a continuous target.
    sensitive_features : array-like of shape (n_samples,) or (n_samples, n_attrs)
        Sensitive values of the rows.
    X_test, y_test, sensitive_features_test : array-like, default=None
        Held-out rows. When None, ``X``, ``y`` and ``sensitive_features`` are
        split (stratified on ``y`` for classification).
    estimator : estimator object, default=None
        The model. None: a ``StandardScaler`` followed by
        ``LogisticRegression(max_iter=1000)`` for labels, or by ``RidgeCV()``
        for a continuous target.
    cv : int, cross-validation generator, iterable or None, default=5
        Folds of the cross-fitted outputs whose group laws define the maps;
        None uses the in-sample outputs.
    test_size : float in (0, 1), default=0.4
        Fraction of the rows held out when no test rows are given.
    random_state : int, RandomState instance or None, default=None
        Seeds the split and the tie randomisation.

    Returns
    -------
    result : IndependenceReference
        ``utility`` (test ROC AUC of the mapped scores, macro one-vs-rest for
        more than two classes, or R^2 for a continuous target), ``raw_utility``
        (the same model unrepaired), ``n_train``, ``n_test``, and the repaired
        outputs ``train_scores`` and ``test_scores`` (to audit their leakage).

    See Also
    --------
    sklearn_unlearn.BarycenterOutcomeUnlearner : The repair itself.
    leakage_auc : How much an output reveals about S.

    Notes
    -----
    Under squared loss the S-independent predictor closest to
    :math:`f^*(x, s) = E[Y \mid X = x, S = s]` maps the output of group
    :math:`s` by :math:`\bar Q \circ F_s` with :math:`\bar Q = \sum_s p_s Q_s`
    (Chzhen et al. 2020; Le Gouic et al. 2020). Binary labels are scored with
    the decision function of the repaired model, whose ranking is that of the
    mapped outputs.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn_unlearn.metrics import independence_reference
    >>> rng = np.random.default_rng(0)
    >>> s = rng.integers(0, 2, 1000)
    >>> X = rng.normal(size=(1000, 3)) + s[:, None]
    >>> y = (X[:, 0] + X[:, 1] + rng.normal(size=1000) > 1).astype(int)
    >>> ref = independence_reference(X, y, s, random_state=0)
    >>> bool(ref.utility < ref.raw_utility), ref.n_train, ref.n_test
    (True, 600, 400)
    """
    given = [v is not None for v in (X_test, y_test, sensitive_features_test)]
    if any(given) and not all(given):
        raise ValueError(
            "Pass X_test, y_test and sensitive_features_test together (or none of "
            "them, to split X with test_size)."
        )
    _check_same_rows(X=X, y=y, sensitive_features=sensitive_features)
    if all(given):
        _check_same_rows(
            X_test=X_test,
            y_test=y_test,
            sensitive_features_test=sensitive_features_test,
        )
    rng = check_random_state(random_state)
    split_seed, repair_seed = (int(v) for v in rng.randint(2**31 - 1, size=2))
    target = type_of_target(y if all(given) else np.asarray(y))
    classification = target in ("binary", "multiclass")
    if not all(given):
        X, X_test, y, y_test, sensitive_features, sensitive_features_test = (
            train_test_split(
                X,
                y,
                sensitive_features,
                test_size=test_size,
                random_state=split_seed,
                stratify=y if classification else None,
            )
        )
    if estimator is None:
        last = LogisticRegression(max_iter=1000) if classification else RidgeCV()
        estimator = make_pipeline(StandardScaler(), last)
    model = BarycenterOutcomeUnlearner(
        clone(estimator), cv=cv, random_state=repair_seed
    ).fit(X, y, sensitive_features=sensitive_features)
    n_classes = len(model.classes_) if classification else 0
    train_scores = _scores(model, X, sensitive_features, classification, n_classes)
    test_scores = _scores(
        model, X_test, sensitive_features_test, classification, n_classes
    )
    raw = model.set_params(repair_level=0.0)
    raw_scores = _scores(
        raw, X_test, sensitive_features_test, classification, n_classes
    )
    return IndependenceReference(
        utility=_utility(y_test, test_scores, classification, n_classes),
        raw_utility=_utility(y_test, raw_scores, classification, n_classes),
        n_train=int(len(train_scores)),
        n_test=int(len(test_scores)),
        train_scores=train_scores,
        test_scores=test_scores,
    )
