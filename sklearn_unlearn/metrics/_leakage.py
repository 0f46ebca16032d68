"""How much a representation Z still reveals about a sensitive attribute S."""

from numbers import Integral
from typing import NamedTuple

import numpy as np
from joblib import Parallel, delayed
from sklearn.base import clone
from sklearn.ensemble import HistGradientBoostingClassifier
from sklearn.metrics import roc_auc_score
from sklearn.model_selection import StratifiedKFold, check_cv
from sklearn.utils import check_random_state

from sklearn_unlearn.feature._bures import bures_wasserstein2
from sklearn_unlearn.metrics._checks import check_audit_input
from sklearn_unlearn.utils._compat import (
    HasMethods,
    Interval,
    StrOptions,
    validate_params,
)
from sklearn_unlearn.utils._scale import power_of_two_scale

__all__ = ["CrossFit", "cross_fit", "group_wasserstein_distance", "leakage_auc"]


class CrossFit(NamedTuple):
    """Out-of-split class probabilities of an adversary, and who scored them."""

    Z: np.ndarray  # (n_samples, n_features) the validated representation
    codes: np.ndarray  # (n_samples,) group code of each row
    proba: np.ndarray  # (n_samples, n_groups) probabilities; zeros if unscored
    fold: np.ndarray  # (n_samples,) split that scored each row, -1 if none
    crossed: bool  # whether a scored row trains the model of another split
    seed: int  # the seed drawn from random_state (folds, default adversary)


def _fit_predict(estimator, Z, codes, train, test, n_groups: int) -> np.ndarray:
    model = clone(estimator).fit(Z[train], codes[train])
    proba = np.zeros((test.size, n_groups))
    proba[:, np.asarray(model.classes_, dtype=np.intp)] = model.predict_proba(Z[test])
    return proba


def _splits(splitter, Z, codes, n_samples: int):
    """The splits as index arrays, checked to score each row at most once."""
    splits = [
        (np.asarray(train, dtype=np.intp), np.asarray(test, dtype=np.intp))
        for train, test in splitter.split(Z, codes)
    ]
    fold = np.full(n_samples, -1, dtype=np.intp)
    for k, (_, test) in enumerate(splits):
        if np.any(fold[test] >= 0) or np.unique(test).size != test.size:
            raise ValueError(
                "cv scores some rows more than once: pass folds whose test sets "
                "do not overlap (e.g. KFold, or a single train/test split)."
            )
        fold[test] = k
    crossed = any(np.any(fold[train] >= 0) for train, _ in splits)
    return splits, fold, crossed


def cross_fit(Z, sensitive, *, estimator, cv, random_state, n_jobs=None) -> CrossFit:
    """Validate, split and score every row by a model that did not see it.

    ``cv`` is an int (stratified shuffled folds) or any splitter or iterable of
    ``(train, test)`` index pairs whose test sets do not overlap; rows that no
    split tests are left unscored (``fold == -1``). The seed is drawn from
    ``random_state`` first, so that :func:`leakage_auc` and
    :func:`~sklearn_unlearn.metrics.leakage_test` score alike.
    """
    splitter = cv if isinstance(cv, Integral) else check_cv(cv, classifier=True)
    n_splits = cv if isinstance(cv, Integral) else splitter.get_n_splits()
    Z, codes, counts = check_audit_input(
        Z,
        sensitive,
        min_per_group=max(int(n_splits), 2),
        hint=f"cv={n_splits} stratified folds need {n_splits} rows per group.",
    )
    rng = check_random_state(random_state)
    seed = int(rng.randint(2**31 - 1))
    if isinstance(cv, Integral):
        splitter = StratifiedKFold(n_splits=cv, shuffle=True, random_state=seed)
    adversary = (
        HistGradientBoostingClassifier(random_state=seed)
        if estimator is None
        else estimator
    )
    splits, fold, crossed = _splits(splitter, Z, codes, Z.shape[0])
    parts = Parallel(n_jobs=n_jobs)(
        delayed(_fit_predict)(adversary, Z, codes, train, test, counts.size)
        for train, test in splits
    )
    proba = np.zeros((Z.shape[0], counts.size))
    for (_, test), part in zip(splits, parts, strict=True):
        proba[test] = part
    if np.unique(codes[fold >= 0]).size < counts.size:
        raise ValueError(
            "The rows that cv tests miss a group of the sensitive attribute: pass "
            "stratified folds (e.g. cv=5) so that every group is scored."
        )
    return CrossFit(Z, codes, proba, fold, crossed, seed)


def pooled_auc(codes: np.ndarray, proba: np.ndarray) -> float:
    """ROC AUC of pooled scores; macro one-vs-rest for more than two groups."""
    if proba.shape[1] == 2:
        return float(roc_auc_score(codes, proba[:, 1]))
    return float(roc_auc_score(codes, proba, multi_class="ovr", average="macro"))


@validate_params(
    {
        "Z": ["array-like"],
        "sensitive_features": ["array-like"],
        "estimator": [None, HasMethods(["fit", "predict_proba"])],
        "cv": [Interval(Integral, 2, None, closed="left"), "cv_object"],
        "random_state": ["random_state"],
    },
    prefer_skip_nested_validation=True,
)
def leakage_auc(Z, sensitive_features, *, estimator=None, cv=5, random_state=None):
    """Cross-validated ROC AUC of an adversary predicting S from Z.

    0.5 means nothing leaks (the adversary does no better than chance); 1.0
    means S is fully recoverable. Lower is better.

    Parameters
    ----------
    Z : array-like of shape (n_samples, n_features)
        The representation to audit (e.g. the output of an unlearner).
    sensitive_features : array-like of shape (n_samples,)
        The sensitive attribute of each row (any discrete labels).
    estimator : classifier with predict_proba, default=None
        The adversary. None uses a strong nonlinear one,
        ``HistGradientBoostingClassifier(random_state=random_state)``.
    cv : int, cross-validation splitter or iterable, default=5
        Folds; an int means ``StratifiedKFold(cv, shuffle=True)``. Every group
        needs at least ``cv`` samples. Test sets must not overlap; rows that
        no split tests (e.g. the training part of a single train/test split
        ``[(train, test)]``) are not scored.
    random_state : int, RandomState instance or None, default=None
        Seeds the fold shuffling and the default adversary.

    Returns
    -------
    auc : float
        Out-of-fold ROC AUC; macro one-vs-rest average for more than two groups.

    See Also
    --------
    leakage_test : The same AUC with a confidence interval and a p-value.
    leakage_certificate : A bound on any adversary, for finite-valued Z.
    mutual_information : An estimate of I(Z; S) in nats.
    make_leakage_scorer : This metric as a GridSearchCV scorer.

    Notes
    -----
    Every row is scored by an adversary that did not see it during training
    (cross-fitting), so the AUC estimates what a fresh attacker learns
    from Z. A representation can fool a linear adversary and not a nonlinear
    one: audit with a strong default.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn.linear_model import LogisticRegression
    >>> from sklearn_unlearn.metrics import leakage_auc
    >>> rng = np.random.default_rng(0)
    >>> s = rng.integers(0, 2, 400)
    >>> Z = np.column_stack([rng.normal(size=400) + 2 * s, rng.normal(size=400)])
    >>> auc = leakage_auc(Z, s, estimator=LogisticRegression(), random_state=0)
    >>> bool(auc > 0.8)
    True
    """
    fit = cross_fit(
        Z, sensitive_features, estimator=estimator, cv=cv, random_state=random_state
    )
    scored = fit.fold >= 0
    return pooled_auc(fit.codes[scored], fit.proba[scored])


def _subsample(rng, X: np.ndarray, max_samples: int) -> np.ndarray:
    if X.shape[0] <= max_samples:
        return X
    return X[np.sort(rng.choice(X.shape[0], max_samples, replace=False))]


def _gaussian_w2(groups: list, pooled: np.ndarray, rng) -> np.ndarray:
    mean = pooled.mean(axis=0)
    cov = np.atleast_2d(np.cov(pooled, rowvar=False, ddof=0))
    return np.array(
        [
            bures_wasserstein2(
                g.mean(axis=0),
                np.atleast_2d(np.cov(g, rowvar=False, ddof=0)),
                mean,
                cov,
            )
            for g in groups
        ]
    )


def _sliced_w2(groups, pooled, rng, *, n_projections, max_samples) -> np.ndarray:
    import ot

    reference = _subsample(rng, pooled, max_samples)
    seed = int(rng.randint(2**31 - 1))
    return np.array(
        [
            ot.sliced_wasserstein_distance(
                _subsample(rng, g, max_samples),
                reference,
                n_projections=n_projections,
                seed=seed,
            )
            ** 2
            for g in groups
        ]
    )


def _exact_w2(groups, pooled, rng, *, max_samples) -> np.ndarray:
    import ot

    reference = _subsample(rng, pooled, max_samples)
    values = []
    for g in groups:
        sample = _subsample(rng, g, max_samples)
        cost = ot.dist(sample, reference)
        a = np.full(sample.shape[0], 1.0 / sample.shape[0])
        b = np.full(reference.shape[0], 1.0 / reference.shape[0])
        values.append(ot.emd2(a, b, cost, numItermax=max(100_000, 10 * cost.size)))
    return np.array(values)


@validate_params(
    {
        "Z": ["array-like"],
        "sensitive_features": ["array-like"],
        "method": [StrOptions({"gaussian", "sliced", "exact"})],
        "n_projections": [Interval(Integral, 1, None, closed="left")],
        "max_samples": [Interval(Integral, 2, None, closed="left")],
        "random_state": ["random_state"],
    },
    prefer_skip_nested_validation=True,
)
def group_wasserstein_distance(
    Z,
    sensitive_features,
    *,
    method="gaussian",
    n_projections=200,
    max_samples=2000,
    random_state=None,
):
    r"""Weighted mean W2 distance from each group's law of Z to the pooled law.

    0 when every group has the law of the whole (full repair); lower is better.

    Parameters
    ----------
    Z : array-like of shape (n_samples, n_features)
        The representation to audit.
    sensitive_features : array-like of shape (n_samples,)
        Group label of each row.
    method : {"gaussian", "sliced", "exact"}, default="gaussian"
        ``"gaussian"``: Bures-Wasserstein closed form on the groups' means and
        covariances (exact for Gaussian laws; sees only two moments).
        ``"sliced"``: sliced W2 by POT on random 1-D projections.
        ``"exact"``: exact W2 by POT's network simplex between subsamples.
    n_projections : int, default=200
        Projections of the sliced distance.
    max_samples : int, default=2000
        ``"sliced"`` and ``"exact"`` use at most this many rows per group and of
        the pooled sample (the exact cost is cubic in it).
    random_state : int, RandomState instance or None, default=None
        Seeds the subsampling and the projections.

    Returns
    -------
    distance : float
        :math:`\sum_s p_s W_2(\mu_s, \mu)` with :math:`p_s` the group frequencies,
        :math:`\mu_s` the law of Z in group s and :math:`\mu` the pooled law.

    Notes
    -----
    Gaussian form: :math:`W_2^2 = \|m_s - m\|^2 + \mathrm{tr}(C_s + C - 2 (C_s^{1/2}
    C C_s^{1/2})^{1/2})` with biased (ddof=0) covariances.

    The distance is in the units of Z: rescaling Z by c > 0 multiplies it by c
    (exactly when c is a power of two), from 1e-300 to 1e300 alike. It is
    computed on Z divided by a power of two close to its largest absolute value,
    then scaled back, so that no square under- or overflows. For a unit-free
    comparison across data sets, standardise the columns of Z first (e.g. with
    a ``StandardScaler`` fitted before unlearning).

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn_unlearn.metrics import group_wasserstein_distance
    >>> Z = np.array([[0.0], [2.0], [1.0], [3.0]])
    >>> round(group_wasserstein_distance(Z, [0, 0, 1, 1]), 6)
    0.513743
    """
    Z, codes, counts = check_audit_input(Z, sensitive_features)
    # W2 is positively homogeneous: compute it at unit scale (dividing by a power
    # of two is exact) and scale back, so that no square under- or overflows.
    scale = power_of_two_scale(Z)
    Z = np.asarray(Z, dtype=np.float64) / scale
    rng = check_random_state(random_state)
    groups = [Z[codes == g] for g in range(counts.size)]
    compute = {
        "gaussian": lambda: _gaussian_w2(groups, Z, rng),
        "sliced": lambda: _sliced_w2(
            groups, Z, rng, n_projections=n_projections, max_samples=max_samples
        ),
        "exact": lambda: _exact_w2(groups, Z, rng, max_samples=max_samples),
    }[method]
    squared = np.clip(compute(), 0.0, None)
    distance = float(counts / counts.sum() @ np.sqrt(squared)) * scale
    if not np.isfinite(distance):
        raise ValueError(
            "The distance exceeds the float64 range (Z has values up to "
            f"{np.max(np.abs(Z)) * scale:.3g}): express Z in larger units."
        )
    return distance
