"""How much a representation Z still reveals about a sensitive attribute S."""

from numbers import Integral

import numpy as np
from sklearn.base import clone
from sklearn.ensemble import HistGradientBoostingClassifier
from sklearn.metrics import roc_auc_score
from sklearn.model_selection import StratifiedKFold, cross_val_predict
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

__all__ = ["group_wasserstein_distance", "leakage_auc"]


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
    cv : int or cross-validation splitter, default=5
        Folds; an int means ``StratifiedKFold(cv, shuffle=True)``. Every group
        needs at least ``cv`` samples.
    random_state : int, RandomState instance or None, default=None
        Seeds the fold shuffling and the default adversary.

    Returns
    -------
    auc : float
        Out-of-fold ROC AUC; macro one-vs-rest average for more than two groups.

    See Also
    --------
    mutual_information : An estimate of I(Z; S) in nats.
    make_leakage_scorer : This metric as a GridSearchCV scorer.

    Notes
    -----
    Every row is scored by an adversary that did not see it during training
    (``cross_val_predict``), so the AUC estimates what a fresh attacker learns
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
    n_splits = cv if isinstance(cv, Integral) else cv.get_n_splits()
    Z, codes, counts = check_audit_input(
        Z,
        sensitive_features,
        min_per_group=n_splits,
        hint=f"cv={n_splits} stratified folds need {n_splits} rows per group.",
    )
    rng = check_random_state(random_state)
    seed = int(rng.randint(2**31 - 1))
    splitter = (
        StratifiedKFold(n_splits=cv, shuffle=True, random_state=seed)
        if isinstance(cv, Integral)
        else cv
    )
    adversary = (
        HistGradientBoostingClassifier(random_state=seed)
        if estimator is None
        else clone(estimator)
    )
    proba = cross_val_predict(adversary, Z, codes, cv=splitter, method="predict_proba")
    if counts.size == 2:
        return float(roc_auc_score(codes, proba[:, 1]))
    return float(roc_auc_score(codes, proba, multi_class="ovr", average="macro"))


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
