"""Leakage as a model-selection criterion: scorers for GridSearchCV.

Both scorers accept the sensitive attribute as metadata: with scikit-learn's
metadata routing enabled, ``set_score_request(sensitive_features=True)`` makes a
search route ``sensitive_features`` to them, as it routes it to the unlearner's
``fit`` when that one requests it.
"""

from numbers import Integral, Real

from sklearn.metrics import check_scoring
from sklearn.utils.metadata_routing import UNCHANGED, MetadataRequest

from sklearn_unlearn.metrics._checks import check_scoring_name
from sklearn_unlearn.metrics._leakage import leakage_auc
from sklearn_unlearn.metrics._pipeline import unlearner_view
from sklearn_unlearn.utils._compat import (
    HasMethods,
    Interval,
    _routing_enabled,
    validate_params,
)

__all__ = ["make_leakage_scorer", "make_tradeoff_scorer"]


class _SensitiveFeaturesRequester:
    """Metadata routing of ``sensitive_features`` to a scorer's ``score``.

    Follows scikit-learn's scorers: the request is unset by default (passing S
    through a routed search then raises, asking for a request), and
    :meth:`set_score_request` sets it when routing is enabled. Subclasses
    scoring with other metadata list it in ``_score_params``.
    """

    _score_params = ("sensitive_features",)

    def set_score_request(self, *, sensitive_features=UNCHANGED):
        """Request ``sensitive_features`` as scoring metadata.

        Parameters
        ----------
        sensitive_features : bool, str or None, default=UNCHANGED
            True: route ``sensitive_features`` to this scorer; False: do not;
            None: raise if it is passed; a str: route the metadata of that name.

        Returns
        -------
        self : object
            The scorer, with the updated request.
        """
        return self._set_score_requests(sensitive_features=sensitive_features)

    def _set_score_requests(self, **requests):
        if not _routing_enabled():
            raise RuntimeError(
                "set_score_request is only available when metadata routing is "
                "enabled: call sklearn.set_config(enable_metadata_routing=True) "
                "first."
            )
        stored = dict(getattr(self, "_score_requests", {}))
        for param, alias in requests.items():
            if alias is UNCHANGED:
                continue
            # validates the alias (bool, None or an identifier) before storing it
            MetadataRequest(owner=self).score.add_request(param=param, alias=alias)
            stored[param] = alias
        self._score_requests = stored
        return self

    def get_metadata_routing(self):
        """The metadata this scorer requests for ``score``.

        Returns
        -------
        request : MetadataRequest
            Its requests (``sensitive_features``, and ``sample_weight`` or
            ``forget_mask`` for the scorers that take them), for the routing
            machinery.
        """
        request = MetadataRequest(owner=self)
        stored = getattr(self, "_score_requests", {})
        for param in self._score_params:
            request.score.add_request(param=param, alias=stored.get(param))
        return request

    def _routing_repr(self):
        return repr(self)

    def _accept_sample_weight(self):
        # read by scikit-learn's searches when fit gets sample_weight: the
        # leakage of a representation is not a weighted quantity
        return "sample_weight" in self._score_params


class _LeakageScorer(_SensitiveFeaturesRequester):
    """Callable ``scorer(estimator, X, y=None)``: leakage AUC of the fitted model."""

    def __init__(self, estimator, cv, random_state, sign):
        self.estimator = estimator
        self.cv = cv
        self.random_state = random_state
        self.sign = sign

    def leakage_of(self, view) -> float:
        return leakage_auc(
            view.Z,
            view.sensitive,
            estimator=self.estimator,
            cv=self.cv,
            random_state=self.random_state,
        )

    def __call__(self, estimator, X, y=None, sensitive_features=None):
        view = unlearner_view(estimator, X, sensitive_features)
        return self.sign * self.leakage_of(view)

    def __repr__(self):
        return f"make_leakage_scorer(cv={self.cv!r}, sign={self.sign})"


class _TradeoffScorer(_SensitiveFeaturesRequester):
    """Callable scorer: utility minus a penalty on leakage above chance."""

    def __init__(self, utility, leakage, weight):
        self.utility = utility
        self.leakage = leakage
        self.weight = weight

    def __call__(self, estimator, X, y=None, sensitive_features=None):
        view = unlearner_view(estimator, X, sensitive_features)
        final = view.location.final
        if final is None:
            raise TypeError(
                "make_tradeoff_scorer scores the utility of the final estimator after "
                "the unlearner, e.g. make_pipeline(BarycenterFeatureUnlearner(...), "
                f"LogisticRegression()); got a {type(estimator).__name__} without one."
            )
        # the final estimator on Z is what the pipeline predicts with; scoring it
        # there also works when S is metadata that predict cannot receive
        utility = check_scoring(final, scoring=self.utility)(final, view.Z, y)
        excess = self.leakage.leakage_of(view) - 0.5
        return utility - self.weight * excess

    def __repr__(self):
        return f"make_tradeoff_scorer({self.utility!r}, leakage_weight={self.weight!r})"


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

    For a :class:`~sklearn.pipeline.Pipeline` (nested ones included) with a
    :class:`~sklearn_unlearn.BarycenterFeatureUnlearner` at any step, or the
    unlearner itself: the evaluation rows go through the steps before the
    unlearner (e.g. a ``ColumnTransformer``), S is read from the unlearner's
    input the way it reads it (its ``sensitive_feature_ids`` columns, binned when
    it bins them) or given as metadata, Z is what reaches the final estimator,
    and the score is :func:`leakage_auc` of Z for S on those rows.

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
        ``scorer(estimator, X, y=None, sensitive_features=None)``; usable in
        ``GridSearchCV(scoring=...)``, alone or in a dict of several metrics.
        Pass ``sensitive_features`` only when the unlearner takes S as metadata;
        under metadata routing, ``scorer.set_score_request(
        sensitive_features=True)`` lets a search route it (see Notes).

    See Also
    --------
    leakage_bounded_refit : Best utility under a leakage bound, for ``refit=``.
    make_tradeoff_scorer : One number combining utility and leakage.

    Notes
    -----
    In a multi-metric search, ``scoring={"utility": "roc_auc", "leakage":
    make_leakage_scorer()}`` records both per candidate;
    ``refit=leakage_bounded_refit(0.6)`` then refits the candidate with the best
    mean utility among those whose mean leakage AUC is at most 0.6.

    S may be columns of X (the way that works everywhere) or metadata. With
    ``sklearn.set_config(enable_metadata_routing=True)``, an unlearner with
    ``set_fit_request(sensitive_features=True)`` and
    ``set_transform_request(sensitive_features=True)``, and this scorer with
    ``set_score_request(sensitive_features=True)``, ``search.fit(X, y,
    sensitive_features=S)`` routes S to the fits and to the scorer. Utility
    scorers of scikit-learn cannot pass S to ``predict``: pair the leakage with
    :func:`make_tradeoff_scorer`, which can, or keep S in the columns of X.

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
    >>> model = make_pipeline(BarycenterFeatureUnlearner([0], random_state=0),
    ...                       LogisticRegression()).fit(X, y)
    >>> scorer = make_leakage_scorer(estimator=LogisticRegression(), random_state=0)
    >>> bool(-scorer(model, X, y) < 0.6)
    True

    The unlearner may follow other steps; S is read at its input:

    >>> from sklearn.preprocessing import StandardScaler
    >>> scaled = make_pipeline(StandardScaler(),
    ...                        BarycenterFeatureUnlearner([0], random_state=0),
    ...                        LogisticRegression()).fit(X, y)
    >>> bool(-scorer(scaled, X, y) < 0.6)
    True

    Under metadata routing, request S as scoring metadata:

    >>> import sklearn
    >>> with sklearn.config_context(enable_metadata_routing=True):
    ...     routed = make_leakage_scorer().set_score_request(sensitive_features=True)
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
        The utility scoring (a scikit-learn scoring name, checked here, or a
        scorer callable); None uses the final estimator's ``score``. It scores
        the final estimator of the pipeline on the representation Z that reaches
        it, which is what the pipeline predicts with (and works when S is
        metadata, which ``predict`` could not receive).
    leakage_weight : float >= 0, default=1.0
        :math:`\lambda` in ``utility - lambda * (leakage_auc - 0.5)``.
    estimator, cv, random_state
        The adversary of the leakage part, as in :func:`make_leakage_scorer`.

    Returns
    -------
    scorer : callable
        ``scorer(estimator, X, y, sensitive_features=None)`` for a fitted
        pipeline ending with a predictor after its unlearner (see
        :func:`make_leakage_scorer` for where the unlearner may be, and for
        routing S with ``set_score_request(sensitive_features=True)``).

    See Also
    --------
    make_leakage_scorer : The leakage part alone.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn.linear_model import LogisticRegression
    >>> from sklearn.pipeline import make_pipeline
    >>> from sklearn_unlearn import BarycenterFeatureUnlearner
    >>> from sklearn_unlearn.metrics import make_tradeoff_scorer
    >>> rng = np.random.default_rng(0)
    >>> s = rng.integers(0, 2, 300)
    >>> X = np.column_stack([s, rng.normal(size=(300, 2)) + s[:, None]])
    >>> y = (X[:, 1] > 0.5).astype(int)
    >>> model = make_pipeline(BarycenterFeatureUnlearner([0], random_state=0),
    ...                       LogisticRegression()).fit(X, y)
    >>> scorer = make_tradeoff_scorer("roc_auc", leakage_weight=2.0,
    ...                               estimator=LogisticRegression(), random_state=0)
    >>> bool(0.5 < scorer(model, X, y) <= 1.0)
    True
    """
    check_scoring_name(utility, "utility", "make_tradeoff_scorer")
    return _TradeoffScorer(
        utility, _LeakageScorer(estimator, cv, random_state, 1.0), leakage_weight
    )
