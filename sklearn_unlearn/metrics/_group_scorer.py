"""Scorers of a model's predictions on groups of rows, for model selection.

:func:`make_fairness_scorer` scores across the groups of S (parity gaps, the
worst group's accuracy); :func:`make_forgetting_scorer` scores a
:class:`~sklearn_unlearn.SelectiveRetrainer` on the forget domain's rows (or
on the retained ones). Both follow scikit-learn's "greater is better" and
take their rows' metadata (S, the forget mask, weights) from the model or as
routed metadata, like :func:`~sklearn_unlearn.metrics.make_leakage_scorer`.
"""

from numbers import Real

import numpy as np
from sklearn.metrics import check_scoring
from sklearn.pipeline import Pipeline
from sklearn.utils import _safe_indexing
from sklearn.utils.metadata_routing import UNCHANGED

from sklearn_unlearn.metrics._checks import check_scoring_name
from sklearn_unlearn.metrics._fairness import (
    demographic_parity_difference,
    equalized_odds_difference,
    group_accuracy,
)
from sklearn_unlearn.metrics._pipeline import locate_unlearner, unlearner_view
from sklearn_unlearn.metrics._scorer import _SensitiveFeaturesRequester
from sklearn_unlearn.selection import SelectiveRetrainer
from sklearn_unlearn.utils._compat import StrOptions, validate_params
from sklearn_unlearn.utils._validation import check_forget_mask

__all__ = ["FAIRNESS_SCORERS", "make_fairness_scorer", "make_forgetting_scorer"]


def _worst_group_accuracy(y_true, y_pred, *, sensitive_features, sample_weight):
    return group_accuracy(
        y_true,
        y_pred,
        sensitive_features=sensitive_features,
        sample_weight=sample_weight,
    ).worst


#: name -> (metric, sign, whether the metric takes pos_label)
FAIRNESS_SCORERS = {
    "neg_demographic_parity_difference": (demographic_parity_difference, -1.0, True),
    "neg_equalized_odds_difference": (equalized_odds_difference, -1.0, True),
    "worst_group_accuracy": (_worst_group_accuracy, 1.0, False),
}


def _predictions_and_groups(estimator, X, sensitive_features):
    """What the model predicts for X, and S of its rows (columns or metadata)."""
    try:
        location = locate_unlearner(estimator)
    except TypeError:  # no feature unlearner: S must be metadata
        location = None
    if location is None:
        if sensitive_features is None:
            raise ValueError(
                f"{type(estimator).__name__} holds no BarycenterFeatureUnlearner to "
                "read S from: pass sensitive_features= (under metadata routing, "
                "call set_score_request(sensitive_features=True) on the scorer)."
            )
        return estimator.predict(X), sensitive_features
    if location.final is None:
        raise TypeError(
            "A fairness scorer scores predictions: give it a pipeline ending with "
            "a classifier after the unlearner, e.g. make_pipeline("
            "BarycenterFeatureUnlearner(...), LogisticRegression())."
        )
    view = unlearner_view(estimator, X, sensitive_features)
    if sensitive_features is None:  # S in the columns: predict as the model does
        return estimator.predict(X), view.sensitive
    return location.final.predict(view.Z), view.sensitive


class _FairnessScorer(_SensitiveFeaturesRequester):
    """Callable ``scorer(estimator, X, y)``: a group metric of the predictions."""

    _score_params = ("sensitive_features", "sample_weight")

    def __init__(self, metric, pos_label):
        self.metric = metric
        self.pos_label = pos_label

    def set_score_request(
        self, *, sensitive_features=UNCHANGED, sample_weight=UNCHANGED
    ):
        """Request ``sensitive_features`` and ``sample_weight`` as metadata.

        Parameters
        ----------
        sensitive_features, sample_weight : bool, str or None, default=UNCHANGED
            True: route the metadata to this scorer; False: do not; None: raise
            if it is passed; a str: route the metadata of that name.

        Returns
        -------
        self : object
            The scorer, with the updated requests.
        """
        return self._set_score_requests(
            sensitive_features=sensitive_features, sample_weight=sample_weight
        )

    def __call__(self, estimator, X, y, sensitive_features=None, sample_weight=None):
        function, sign, binary = FAIRNESS_SCORERS[self.metric]
        y_pred, groups = _predictions_and_groups(estimator, X, sensitive_features)
        params = {"pos_label": self.pos_label} if binary else {}
        value = function(
            y, y_pred, sensitive_features=groups, sample_weight=sample_weight, **params
        )
        return sign * value

    def __repr__(self):
        return f"make_fairness_scorer({self.metric!r})"


@validate_params(
    {
        "metric": [StrOptions(set(FAIRNESS_SCORERS))],
        "pos_label": [Real, str, "boolean"],
    },
    prefer_skip_nested_validation=True,
)
def make_fairness_scorer(metric, *, pos_label=1):
    """A scorer of group fairness of a fitted classifier's predictions.

    Parameters
    ----------
    metric : {"neg_demographic_parity_difference", \
            "neg_equalized_odds_difference", "worst_group_accuracy"}
        What to score, named as scikit-learn names its scorers: the ``neg_``
        gaps are :func:`demographic_parity_difference` and
        :func:`equalized_odds_difference` negated (0 is parity, the best);
        ``"worst_group_accuracy"`` is :func:`group_accuracy`'s ``worst``.
    pos_label : int, float, bool or str, default=1
        The favourable label of the parity gaps.

    Returns
    -------
    scorer : callable
        ``scorer(estimator, X, y, sensitive_features=None,
        sample_weight=None)``, greater is better; usable in
        ``GridSearchCV(scoring={...})`` next to
        :func:`make_leakage_scorer`, and in :func:`bounded_refit`.

    See Also
    --------
    bounded_refit : Best utility under bounds on these scores.

    Notes
    -----
    S comes from the model when it holds a
    :class:`~sklearn_unlearn.BarycenterFeatureUnlearner` reading S from its
    input's columns (any step of a pipeline, as for the leakage scorer; the
    predictions are then the pipeline's ``predict(X)``), else from
    ``sensitive_features``, which a search routes to the scorer under metadata
    routing after ``set_score_request(sensitive_features=True)``: that works
    for any classifier. The leakage of a representation and the parity of the
    predictions can move in opposite directions along the repair: an
    equalised selection rate can cost the equalised odds and a minority
    group's accuracy. Score them together.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn.linear_model import LogisticRegression
    >>> from sklearn.pipeline import make_pipeline
    >>> from sklearn_unlearn import BarycenterFeatureUnlearner
    >>> from sklearn_unlearn.metrics import make_fairness_scorer
    >>> rng = np.random.default_rng(0)
    >>> s = rng.integers(0, 2, 400)
    >>> X = np.column_stack([s, rng.normal(size=(400, 2)) + s[:, None]])
    >>> y = (X[:, 1] + rng.normal(size=400) > 0.5).astype(int)
    >>> model = make_pipeline(BarycenterFeatureUnlearner([0], random_state=0),
    ...                       LogisticRegression()).fit(X, y)
    >>> scorer = make_fairness_scorer("neg_demographic_parity_difference")
    >>> bool(-0.15 < scorer(model, X, y) <= 0)
    True
    """
    return _FairnessScorer(metric, pos_label)


def _find_retrainer(estimator):
    """The SelectiveRetrainer of a model, and the steps before it."""
    if isinstance(estimator, SelectiveRetrainer):
        return estimator, None
    if isinstance(estimator, Pipeline) and isinstance(
        estimator.steps[-1][1], SelectiveRetrainer
    ):
        return estimator.steps[-1][1], estimator[:-1]
    raise TypeError(
        "make_forgetting_scorer scores a fitted SelectiveRetrainer (alone or as "
        f"the last step of a Pipeline); got a {type(estimator).__name__}."
    )


class _ForgettingScorer(_SensitiveFeaturesRequester):
    """Callable scorer: a utility on the forget (or retained) rows of X."""

    _score_params = ("forget_mask", "sample_weight")

    def __init__(self, scoring, domain):
        self.scoring = scoring
        self.domain = domain

    def set_score_request(self, *, forget_mask=UNCHANGED, sample_weight=UNCHANGED):
        """Request ``forget_mask`` and ``sample_weight`` as scoring metadata.

        Parameters
        ----------
        forget_mask, sample_weight : bool, str or None, default=UNCHANGED
            True: route the metadata to this scorer; False: do not; None: raise
            if it is passed; a str: route the metadata of that name.

        Returns
        -------
        self : object
            The scorer, with the updated requests.
        """
        return self._set_score_requests(
            forget_mask=forget_mask, sample_weight=sample_weight
        )

    def __call__(self, estimator, X, y, forget_mask=None, sample_weight=None):
        retrainer, before = _find_retrainer(estimator)
        if forget_mask is None:
            X_in = X if before is None else before.transform(X)
            mask = retrainer.forget_domain_mask(X_in)
        elif retrainer.selector_.domain_column is not None:
            raise ValueError(
                "The retrainer's selector reads the forget domain from its "
                "domain_column: do not also pass forget_mask to the scorer."
            )
        else:
            mask = check_forget_mask(forget_mask, len(y), missing="")
        rows = np.flatnonzero(mask if self.domain == "forget" else ~mask)
        if rows.size == 0:
            raise ValueError(
                f"None of the {len(y)} scored rows is in the {self.domain} domain: "
                "the score is undefined. Use splits that hold rows of both domains "
                "(e.g. stratify the folds on the domain)."
            )
        params = {}
        if sample_weight is not None:
            params["sample_weight"] = _safe_indexing(sample_weight, rows)
        score = check_scoring(estimator, scoring=self.scoring)(
            estimator, _safe_indexing(X, rows), _safe_indexing(y, rows), **params
        )
        return -score if self.domain == "forget" else score

    def __repr__(self):
        return f"make_forgetting_scorer({self.scoring!r}, domain={self.domain!r})"


@validate_params(
    {
        "scoring": [None, str, callable],
        "domain": [StrOptions({"forget", "retained"})],
    },
    prefer_skip_nested_validation=True,
)
def make_forgetting_scorer(scoring="accuracy", *, domain="forget"):
    """A scorer of a fitted SelectiveRetrainer on the forget domain's rows.

    Parameters
    ----------
    scoring : str, callable or None, default="accuracy"
        The utility measured on those rows: a scikit-learn scoring name, a
        scorer callable, or None for the model's ``score``.
    domain : {"forget", "retained"}, default="forget"
        ``"forget"``: the utility on the forget domain's rows, *negated*, so
        that greater means more forgotten (``"accuracy"`` gives minus the
        forget-domain accuracy, ``"neg_log_loss"`` its log-loss).
        ``"retained"``: the utility on the other rows, as is (what is kept).

    Returns
    -------
    scorer : callable
        ``scorer(estimator, X, y, forget_mask=None, sample_weight=None)`` for
        a :class:`~sklearn_unlearn.SelectiveRetrainer` (alone or the last step
        of a ``Pipeline``); usable in ``GridSearchCV(scoring={...})``.

    See Also
    --------
    bounded_refit : Best retained utility under a bound on forgetting.

    Notes
    -----
    The forget rows of the scored ``X`` come from the selector's
    ``domain_column`` (read with
    :meth:`~sklearn_unlearn.SelectiveRetrainer.forget_domain_mask`), or from
    ``forget_mask``, which a search routes to the scorer under metadata
    routing after ``set_score_request(forget_mask=True)``. A search over
    ``selector__budget`` scored with the retainer's plain accuracy picks the
    smallest budget, which forgets least; ``scoring={"utility":
    make_forgetting_scorer(domain="retained"), "forget":
    make_forgetting_scorer()}`` with ``refit=bounded_refit(at_most={"forget":
    0.6})`` picks the best retained accuracy among budgets whose forget-domain
    accuracy is at most 0.6.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn.linear_model import LogisticRegression
    >>> from sklearn_unlearn import DistributionalSelector, SelectiveRetrainer
    >>> from sklearn_unlearn.metrics import make_forgetting_scorer
    >>> rng = np.random.default_rng(0)
    >>> domain = (rng.random(400) < 0.3).astype(int)
    >>> X = rng.normal(size=(400, 2))
    >>> y = np.where(domain == 1, X[:, 0] < 0, X[:, 0] > 0).astype(int)
    >>> Xd = np.column_stack([domain, X])
    >>> selector = DistributionalSelector(budget=1.0, domain_column=0, forget_value=1)
    >>> model = SelectiveRetrainer(LogisticRegression(), selector).fit(Xd, y)
    >>> forgetting = make_forgetting_scorer()
    >>> bool(-forgetting(model, Xd, y) < 0.1)  # the forget domain's rule is gone
    True
    """
    check_scoring_name(scoring, "scoring", "make_forgetting_scorer")
    return _ForgettingScorer(scoring, domain)
