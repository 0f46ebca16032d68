"""Leakage as a model-selection criterion: scorers and a refit rule for GridSearchCV."""

from numbers import Integral, Real

import numpy as np
from sklearn.metrics import check_scoring

from sklearn_unlearn.metrics._leakage import leakage_auc
from sklearn_unlearn.metrics._pipeline import sensitive_and_representation
from sklearn_unlearn.utils._compat import HasMethods, Interval, validate_params

__all__ = ["leakage_bounded_refit", "make_leakage_scorer", "make_tradeoff_scorer"]


class _LeakageScorer:
    """Callable ``scorer(estimator, X, y=None)``: leakage AUC of the fitted model."""

    def __init__(self, estimator, cv, random_state, sign):
        self.estimator = estimator
        self.cv = cv
        self.random_state = random_state
        self.sign = sign

    def leakage(self, estimator, X, sensitive_features=None) -> float:
        rep = sensitive_and_representation(estimator, X, sensitive_features)
        return leakage_auc(
            rep.Z,
            rep.sensitive,
            estimator=self.estimator,
            cv=self.cv,
            random_state=self.random_state,
        )

    def __call__(self, estimator, X, y=None, sensitive_features=None):
        return self.sign * self.leakage(estimator, X, sensitive_features)

    def __repr__(self):
        return f"make_leakage_scorer(cv={self.cv!r}, sign={self.sign})"


class _TradeoffScorer:
    """Callable scorer: utility minus a penalty on leakage above chance."""

    def __init__(self, utility, leakage, weight):
        self.utility = utility
        self.leakage = leakage
        self.weight = weight

    def __call__(self, estimator, X, y=None, sensitive_features=None):
        utility = check_scoring(estimator, scoring=self.utility)(estimator, X, y)
        excess = self.leakage.leakage(estimator, X, sensitive_features) - 0.5
        return utility - self.weight * excess


_SCORER_PARAMS = {
    "estimator": [None, HasMethods(["fit", "predict_proba"])],
    "cv": [Interval(Integral, 2, None, closed="left"), "cv_object"],
    "random_state": ["random_state"],
}


@validate_params(
    {**_SCORER_PARAMS, "greater_is_better": ["boolean"]},
    prefer_skip_nested_validation=True,
)
def make_leakage_scorer(
    *, estimator=None, cv=3, random_state=None, greater_is_better=False
):
    """A scorer measuring how much a fitted pipeline's representation leaks S.

    For a :class:`~sklearn.pipeline.Pipeline` whose first step is a
    :class:`~sklearn_unlearn.BarycenterFeatureUnlearner` (or the unlearner
    itself): S is read from the evaluation rows the way that step reads it (its
    ``sensitive_features`` columns), Z is what reaches the final estimator, and
    the score is :func:`leakage_auc` of Z for S on those rows.

    Parameters
    ----------
    estimator : classifier, default=None
        The adversary of :func:`leakage_auc` (None: gradient boosting).
    cv : int or cross-validation splitter, default=3
        Folds of the adversary inside each evaluation split.
    random_state : int, RandomState instance or None, default=None
        Seeds the adversary and its folds.
    greater_is_better : bool, default=False
        Leakage is a loss: by default the scorer returns the *negated* AUC (like
        scikit-learn's ``neg_*`` scorers), so that a search maximising it picks
        the least leaking model. Pass True to get the AUC itself.

    Returns
    -------
    scorer : callable
        ``scorer(estimator, X, y=None)``; usable in ``GridSearchCV(scoring=...)``,
        alone or in a dict of several metrics.

    See Also
    --------
    leakage_bounded_refit : Best utility under a leakage bound, for ``refit=``.
    make_tradeoff_scorer : One number combining utility and leakage.

    Notes
    -----
    In a multi-metric search, ``scoring={"utility": "roc_auc", "leakage":
    make_leakage_scorer()}`` records both per candidate;
    ``refit=leakage_bounded_refit(0.6)`` then refits the candidate with the best
    mean utility among those whose mean leakage AUC is at most 0.6. S must be
    columns of X: scikit-learn does not route metadata to scorers'
    ``transform`` calls.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn.linear_model import LogisticRegression
    >>> from sklearn.pipeline import make_pipeline
    >>> from sklearn_unlearn import BarycenterFeatureUnlearner
    >>> from sklearn_unlearn.metrics import make_leakage_scorer
    >>> rng = np.random.default_rng(0)
    >>> s = rng.integers(0, 2, 300)
    >>> X = np.column_stack([s, rng.normal(size=(300, 2)) + s[:, None]])
    >>> y = (X[:, 1] > 0.5).astype(int)
    >>> model = make_pipeline(BarycenterFeatureUnlearner(sensitive_features=[0]),
    ...                       LogisticRegression()).fit(X, y)
    >>> scorer = make_leakage_scorer(estimator=LogisticRegression(), random_state=0)
    >>> bool(-scorer(model, X, y) < 0.6)
    True
    """
    return _LeakageScorer(
        estimator, cv, random_state, 1.0 if greater_is_better else -1.0
    )


@validate_params(
    {
        "utility": [None, str, callable],
        **_SCORER_PARAMS,
        "leakage_weight": [Interval(Real, 0, None, closed="left")],
    },
    prefer_skip_nested_validation=True,
)
def make_tradeoff_scorer(
    utility=None, *, leakage_weight=1.0, estimator=None, cv=3, random_state=None
):
    r"""A scorer of utility minus a penalty on leakage: higher is better.

    Parameters
    ----------
    utility : str, callable or None, default=None
        The utility scoring (a scikit-learn scoring name or scorer); None uses the
        final estimator's ``score``.
    leakage_weight : float >= 0, default=1.0
        :math:`\lambda` in ``utility - lambda * (leakage_auc - 0.5)``.
    estimator, cv, random_state
        The adversary of the leakage part, as in :func:`make_leakage_scorer`.

    Returns
    -------
    scorer : callable
        ``scorer(estimator, X, y)``.

    Examples
    --------
    >>> from sklearn_unlearn.metrics import make_tradeoff_scorer
    >>> scorer = make_tradeoff_scorer("roc_auc", leakage_weight=2.0)
    """
    return _TradeoffScorer(
        utility, _LeakageScorer(estimator, cv, random_state, 1.0), leakage_weight
    )


@validate_params(
    {
        "max_leakage": [Interval(Real, 0, 1, closed="both")],
        "utility": [str],
        "leakage": [str],
    },
    prefer_skip_nested_validation=True,
)
def leakage_bounded_refit(max_leakage, *, utility="utility", leakage="leakage"):
    """A ``refit=`` rule: the best utility among candidates leaking at most a bound.

    Parameters
    ----------
    max_leakage : float in [0, 1]
        Largest acceptable mean leakage AUC.
    utility, leakage : str, default="utility", "leakage"
        The keys of the two metrics in the ``scoring`` dict of the search.

    Returns
    -------
    refit : callable
        ``refit(cv_results) -> int``, the index of the chosen candidate. The sign
        of the leakage scores does not matter (negated or not, the AUC is their
        absolute value). If no candidate meets the bound, the least leaking one is
        chosen.

    Examples
    --------
    >>> from sklearn_unlearn.metrics import leakage_bounded_refit
    >>> refit = leakage_bounded_refit(0.6)
    >>> refit({"mean_test_utility": [0.9, 0.85, 0.8],
    ...        "mean_test_leakage": [-0.9, -0.58, -0.5]})
    1
    """

    def refit(cv_results) -> int:
        score = np.asarray(cv_results[f"mean_test_{utility}"], dtype=float)
        auc = np.abs(np.asarray(cv_results[f"mean_test_{leakage}"], dtype=float))
        allowed = np.flatnonzero(auc <= max_leakage)
        if allowed.size == 0:
            return int(np.argmin(auc))
        return int(allowed[np.argmax(score[allowed])])

    return refit
