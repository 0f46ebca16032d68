"""ShardedUnlearner: exact data-point unlearning for any estimator, by shards."""

from numbers import Integral

import numpy as np
from sklearn.base import BaseEstimator, MetaEstimatorMixin, is_classifier
from sklearn.metrics import accuracy_score, r2_score
from sklearn.utils import Bunch, check_random_state, get_tags
from sklearn.utils._available_if import available_if
from sklearn.utils.metadata_routing import (
    MetadataRouter,
    MethodMapping,
    process_routing,
)
from sklearn.utils.validation import check_is_fitted

from sklearn_unlearn.datapoint._shard_checks import (
    check_rows,
    check_settings,
    class_codes,
    validated,
)
from sklearn_unlearn.datapoint._shard_fit import fit_shards
from sklearn_unlearn.datapoint._shards import (
    deal,
    mean_proba,
    restarts,
    vote_shares,
)
from sklearn_unlearn.utils._compat import (
    HasMethods,
    Interval,
    StrOptions,
    _routing_enabled,
)
from sklearn_unlearn.utils._state import fit_context
from sklearn_unlearn.utils._validation import delegate_tags

__all__ = ["ShardedUnlearner"]


class ShardedUnlearner(MetaEstimatorMixin, BaseEstimator):
    """Exact unlearning for any estimator: shards retrained without forgotten rows.

    ``fit`` deals the training rows at random into ``n_shards`` disjoint
    shards of (nearly) equal size and fits one clone of ``estimator`` on each;
    predictions aggregate the shards'. ``forget(rows)`` drops training rows
    and refits only the shards that held them, so the result is exactly the
    model that ``fit`` would have produced had those rows never been in their
    shards. A classifier or a regressor as ``estimator`` is (its tags).

    Read more in the :ref:`User Guide <sharded_unlearning>`.

    Parameters
    ----------
    estimator : estimator object
        Any scikit-learn classifier or regressor (a ``Pipeline`` too).
    n_shards : int, default=5
        Number of shards: more make a deletion cheaper and each model weaker.
    n_slices : int, default=1
        Slices per shard. With more than one, each shard is trained by
        ``partial_fit`` (the estimator must have it) in ``n_slices`` stages,
        stage ``j`` on the rows of slices ``0 .. j``, and a copy of the model
        after each stage is kept, so that a deletion restarts from the stage
        before the first slice it touches. Memory: ``n_slices - 1`` copies of
        a fitted model per shard.
    aggregation : {"auto", "vote", "average"}, default="auto"
        How a classifier's shards are combined: ``"vote"``, the majority of
        their predictions (ties go to the first class), or ``"average"``, the
        mean of their ``predict_proba``. ``"auto"``: ``"average"`` when the
        estimator has ``predict_proba``, else ``"vote"``. A regressor's shards
        are always averaged.
    stratify : bool, default=True
        For a classifier, deal the rows of each class evenly over the shards
        and slices. Ignored for a regressor.
    random_state : int, RandomState instance or None, default=None
        Seeds the assignment of rows, and one seed per shard (``shard_seeds_``)
        for every ``random_state`` parameter of the shard's clone.
    n_jobs : int or None, default=None
        Shards fitted in parallel (joblib); None means 1.

    Attributes
    ----------
    estimators_ : list of estimator objects
        The model of each shard: a clone of ``estimator`` fitted on its
        retained rows, a ``DummyClassifier`` if they hold one class (see
        Notes), None if none is left.
    shard_of_ : ndarray of shape (n_samples,)
        Shard of each training row.
    slice_of_ : ndarray of shape (n_samples,)
        Slice of each training row within its shard (all 0 with one slice).
    shard_seeds_ : ndarray of shape (n_shards,)
        Seed of each shard's estimator.
    forgotten_ : ndarray of bool, shape (n_samples,)
        True for the training rows forgotten so far.
    n_retrained_ : int
        Shards refitted by all calls to ``forget`` since ``fit``.
    deletions_ : list of dict
        One entry per call to ``forget``: ``"n_rows"`` (rows forgotten),
        ``"shards"`` (the shards refitted) and ``"n_stages"`` (slice stages
        run, at most ``n_slices`` per shard).
    aggregation_ : str
        The aggregation used, ``"vote"`` or ``"average"``.
    classes_ : ndarray of shape (n_classes,)
        Class labels seen by ``fit`` (classifiers); kept by ``forget``.
    n_features_in_ : int
        Number of features seen during fit.
    feature_names_in_ : ndarray of shape (`n_features_in_`,)
        Feature names, when ``X`` has string column names.

    See Also
    --------
    MarginalUnlearner : Approximate unlearning of one fitted model, by fine-tuning.

    Notes
    -----
    *Exactness.* Shard :math:`k` is a function of its rows only: a fresh
    clone with seed ``shard_seeds_[k]`` fitted on its retained rows
    :math:`D_k \\setminus F` (in increasing row order). ``forget`` recomputes
    that for each shard :math:`k` with :math:`D_k \\cap F \\neq \\emptyset`:
    a deterministic estimator gives the very model of a fresh fit (tested bit
    for bit). A copy of the training data and fit parameters is kept.

    *Cost.* A request to forget rows of one shard refits that shard:
    :math:`n / k` rows instead of :math:`n` for retraining one model, a
    speed-up of about :math:`k` (more for estimators superlinear in
    :math:`n`). A batch of :math:`r` random rows hits
    :math:`k (1 - (1 - 1/k)^r)` shards on average: 1% of the rows of a large
    set hits them all, and the batch costs a refit of every shard, about one
    full fit. With slices, a deletion in slice :math:`j` of a shard replays
    stages :math:`j .. s - 1` only.

    *Accuracy.* Each shard learns from :math:`n / k` rows: the aggregate is
    usually less accurate than one model fitted on all rows
    (``benchmarks/bench_sharded.py`` measures it).

    *Classes.* ``classes_`` are the classes of ``fit``. A shard missing a
    class gives it probability 0 (and no vote). A classifier's shard left
    with a single class is replaced by a ``DummyClassifier(strategy="prior")``
    fitted on its rows, which predicts that class with probability 1: most
    classifiers cannot be fitted on one class. With slices, every
    ``partial_fit`` call receives all ``classes_``, so no replacement is needed.

    *Weights.* Fit parameters (``sample_weight``...) go to each shard's fit,
    per-sample ones subset to its rows. A weight of 2 is not a duplicated row
    here: the duplicate could land in another shard.

    References
    ----------
    .. [1] L. Bourtoule et al., "Machine Unlearning", IEEE Symposium on
       Security and Privacy, 2021.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn.linear_model import LogisticRegression
    >>> from sklearn_unlearn.datapoint import ShardedUnlearner
    >>> rng = np.random.default_rng(0)
    >>> X = rng.normal(size=(600, 4))
    >>> y = (X[:, 0] + 0.5 * rng.normal(size=600) > 0).astype(int)
    >>> model = ShardedUnlearner(LogisticRegression(), n_shards=4, random_state=0)
    >>> model = model.fit(X, y)  # four logistic regressions, 150 rows each
    >>> model.forget([3, 10]).deletions_[-1]["n_rows"]
    2
    >>> int(model.forgotten_.sum()), model.n_retrained_ <= 2
    (2, True)
    >>> model.predict(X[:3]).shape
    (3,)
    """

    _parameter_constraints: dict = {
        "estimator": [HasMethods(["fit", "predict"])],
        "n_shards": [Interval(Integral, 1, None, closed="left")],
        "n_slices": [Interval(Integral, 1, None, closed="left")],
        "aggregation": [StrOptions({"auto", "vote", "average"})],
        "stratify": ["boolean"],
        "random_state": ["random_state"],
        "n_jobs": [Integral, None],
    }

    def __init__(
        self,
        estimator,
        *,
        n_shards=5,
        n_slices=1,
        aggregation="auto",
        stratify=True,
        random_state=None,
        n_jobs=None,
    ):
        self.estimator = estimator
        self.n_shards = n_shards
        self.n_slices = n_slices
        self.aggregation = aggregation
        self.stratify = stratify
        self.random_state = random_state
        self.n_jobs = n_jobs

    @fit_context(prefer_skip_nested_validation=False)
    def fit(self, X, y, **fit_params):
        """Deal the rows into shards and fit one clone of the estimator on each.

        Parameters
        ----------
        X : {array-like, DataFrame} of shape (n_samples, n_features)
            Training rows (a DataFrame is kept as one, for pipelines).
        y : array-like of shape (n_samples,) or (n_samples, n_outputs)
            Targets (several outputs for regressors that support them).
        **fit_params : dict
            Passed to each shard's ``fit`` (``partial_fit`` with slices),
            per-sample values subset to its rows; routed when metadata
            routing is enabled.

        Returns
        -------
        self : ShardedUnlearner
            The fitted meta-estimator.
        """
        if _routing_enabled():
            method = "partial_fit" if self.n_slices > 1 else "fit"
            params = process_routing(self, "fit", **fit_params).estimator[method]
        else:
            params = Bunch(**fit_params)
        X, y = validated(self, X, y, reset=True)
        n_samples = y.shape[0]
        self.aggregation_ = check_settings(
            self.estimator, self.n_shards, self.n_slices, self.aggregation, n_samples
        )
        codes = np.zeros(n_samples, dtype=np.intp)
        if is_classifier(self.estimator):
            self.classes_, y_codes = class_codes(y)
            codes = y_codes if self.stratify else codes
        rng = check_random_state(self.random_state)
        self.shard_of_ = deal(codes, self.n_shards, rng)
        self.slice_of_ = np.zeros(n_samples, dtype=np.intp)
        for shard in range(self.n_shards):
            rows = np.flatnonzero(self.shard_of_ == shard)
            self.slice_of_[rows] = deal(codes[rows], self.n_slices, rng)
        self.shard_seeds_ = rng.randint(np.iinfo(np.int32).max, size=self.n_shards)
        self._data = (X, y, dict(params))
        self.forgotten_ = np.zeros(n_samples, dtype=bool)
        shards = np.arange(self.n_shards)
        fits = self._fit_shards(shards, np.zeros_like(shards), self.forgotten_, None)
        self.estimators_ = [fit.model for fit in fits]
        self._checkpoints = [fit.checkpoints for fit in fits]
        self.n_retrained_ = 0
        self.deletions_ = []
        return self

    def _fit_shards(self, shards, starts, forgotten, context):
        layout = (self.shard_of_, self.slice_of_, self.n_slices, self.shard_seeds_)
        layout += (getattr(self, "classes_", None),)
        checkpoints = self._checkpoints if context else None
        args = (self._data, shards, starts, forgotten, checkpoints, self.n_jobs)
        try:
            return fit_shards(self.estimator, layout, *args)
        except Exception as exc:
            if context is None:
                raise
            raise ValueError(
                f"{context}: refitting shards {shards.tolist()} on their "
                f"remaining rows failed ({type(exc).__name__}: {exc}). Nothing "
                "was forgotten; use fewer shards (more rows each)."
            ) from exc

    def forget(self, rows):
        """Forget training rows: refit only the shards that held them.

        Parameters
        ----------
        rows : array-like of int or of bool
            The rows to forget: indices into the training rows of ``fit``
            (``0 .. n_samples - 1``, each at most once, none forgotten
            before), or a boolean mask with one entry per training row.

        Returns
        -------
        self : ShardedUnlearner
            The meta-estimator, as if fitted without these rows (see Notes).
        """
        check_is_fitted(self)
        rows = check_rows(rows, self.forgotten_)
        forgotten = self.forgotten_.copy()
        forgotten[rows] = True
        if forgotten.all():
            raise ValueError(
                "forget would leave no training row: every row is forgotten. "
                "Fit a new model instead."
            )
        shards, starts = restarts(self.shard_of_, self.slice_of_, rows)
        context = f"forget({rows.size} rows)"
        fits = self._fit_shards(shards, starts, forgotten, context)
        estimators = list(self.estimators_)
        for shard, fit in zip(shards, fits, strict=True):
            estimators[shard] = fit.model
            self._checkpoints[shard] = fit.checkpoints
        self.estimators_ = estimators
        self.forgotten_ = forgotten
        self.n_retrained_ += shards.size
        stages = int(sum(fit.n_stages for fit in fits))
        self.deletions_.append(
            dict(n_rows=int(rows.size), shards=shards, n_stages=stages)
        )
        return self

    def _models(self):
        return [model for model in self.estimators_ if model is not None]

    def _shares(self, X):
        """Per class, the vote share or the mean probability of the shards."""
        models, classes = self._models(), self.classes_
        if self.aggregation_ == "vote":
            votes = [np.searchsorted(classes, m.predict(X)) for m in models]
            return vote_shares(votes, classes.size)
        pairs = [
            (m.predict_proba(X), np.searchsorted(classes, m.classes_)) for m in models
        ]
        return mean_proba(*zip(*pairs, strict=True), classes.size)

    def predict(self, X):
        """Aggregate prediction of the shards.

        Parameters
        ----------
        X : {array-like, DataFrame} of shape (n_samples, n_features)
            Samples.

        Returns
        -------
        y_pred : ndarray of shape (n_samples,) or (n_samples, n_outputs)
            The class with the largest vote share or mean probability
            (classifiers), or the mean prediction (regressors).
        """
        check_is_fitted(self)
        X = validated(self, X)
        if is_classifier(self):
            return self.classes_[np.argmax(self._shares(X), axis=1)]
        return np.mean([m.predict(X) for m in self._models()], axis=0)

    @available_if(lambda self: is_classifier(self.estimator))
    def predict_proba(self, X):
        """Class probabilities: mean of the shards', or their vote shares.

        Parameters
        ----------
        X : {array-like, DataFrame} of shape (n_samples, n_features)
            Samples.

        Returns
        -------
        proba : ndarray of shape (n_samples, n_classes)
            With ``aggregation_="average"``, the mean of the shards'
            probabilities; with ``"vote"``, the share of shards predicting
            each class. Columns follow ``classes_``.
        """
        check_is_fitted(self)
        return self._shares(validated(self, X))

    def score(self, X, y, sample_weight=None):
        """Accuracy (classifiers) or R^2 (regressors) of ``predict(X)``.

        Parameters
        ----------
        X : {array-like, DataFrame} of shape (n_samples, n_features)
            Samples.
        y : array-like of shape (n_samples,) or (n_samples, n_outputs)
            True targets.
        sample_weight : array-like of shape (n_samples,), default=None
            Sample weights.

        Returns
        -------
        score : float
            The (weighted) accuracy or R^2.
        """
        metric = accuracy_score if is_classifier(self) else r2_score
        return float(metric(y, self.predict(X), sample_weight=sample_weight))

    def get_metadata_routing(self):
        """Routing of metadata: fit parameters to the shards' estimator.

        Returns
        -------
        routing : MetadataRouter
            The routing information.
        """
        mapping = MethodMapping().add(caller="fit", callee="fit")
        mapping.add(caller="fit", callee="partial_fit")
        return MetadataRouter(owner=type(self).__name__).add(
            estimator=self.estimator, method_mapping=mapping
        )

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        inner = get_tags(self.estimator)
        tags = delegate_tags(tags, self.estimator, allow_nan=inner.input_tags.allow_nan)
        if tags.classifier_tags is not None:
            tags.target_tags.multi_output = False
        return tags
