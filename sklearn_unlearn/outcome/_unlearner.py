"""BarycenterOutcomeUnlearner: make a model's outputs independent of S."""

from numbers import Integral, Real

import numpy as np
from sklearn.base import BaseEstimator, MetaEstimatorMixin, clone, is_classifier
from sklearn.metrics import accuracy_score, r2_score
from sklearn.model_selection import cross_val_predict
from sklearn.utils import Bunch, check_random_state, get_tags
from sklearn.utils._available_if import available_if
from sklearn.utils.metadata_routing import (
    MetadataRouter,
    MethodMapping,
    process_routing,
)
from sklearn.utils.validation import check_consistent_length, check_is_fitted

from sklearn_unlearn.outcome._input import (
    OutcomeInputMixin,
    hash_matrix,
)
from sklearn_unlearn.outcome._methods import (
    METHOD_ATTRIBUTES,
    METHODS,
    auto_output_levels,
)
from sklearn_unlearn.utils._compat import (
    HasMethods,
    Interval,
    StrOptions,
    _routing_enabled,
)
from sklearn_unlearn.utils._groups import group_weights
from sklearn_unlearn.utils._sensitive import check_group_counts
from sklearn_unlearn.utils._state import fit_context
from sklearn_unlearn.utils._validation import (
    delegate_tags,
    estimator_has,
)

__all__ = ["BarycenterOutcomeUnlearner"]

_S_REQUEST = {"sensitive_features": True}


def _as_matrix(raw: np.ndarray, method: str) -> np.ndarray:
    """The repaired columns: a binary classifier's positive class, else all."""
    raw = np.asarray(raw)
    if raw.ndim == 1:
        return raw[:, None]
    if method == "predict_proba" and raw.shape[1] == 2:
        return raw[:, 1:]
    return raw


class BarycenterOutcomeUnlearner(OutcomeInputMixin, MetaEstimatorMixin, BaseEstimator):
    r"""Make a model's outputs independent of S by 1-D Wasserstein-2 barycenters.

    A clone of ``estimator`` is fitted on ``(X, y)``. Each group's law of its
    outputs is then mapped onto the W2 barycenter of the groups' laws, fully
    (``repair_level=1``: the outputs carry no information about S) or part of
    the way along the W2 geodesic. Among the S-independent outputs this one is
    the closest to the model's in mean square (Chzhen et al.; Le Gouic et al.):
    with the Bayes predictor as ``estimator`` its utility is the *independence
    reference* (see :func:`~sklearn_unlearn.metrics.independence_reference`).

    Read more in the :ref:`User Guide <outcome_unlearning>`.

    Parameters
    ----------
    estimator : estimator object
        A regressor, or a classifier with ``predict_proba`` or
        ``decision_function``.
    sensitive_features : str, int, list or callable, default=None
        Where S is when it is not passed as values. Columns of ``X`` (names or
        positions; removed before ``estimator`` sees ``X``), or a function
        ``X -> values`` of each row alone (``X`` is passed to ``estimator``
        whole). None: S is passed as ``sensitive_features=`` values to ``fit``,
        ``predict``, ``predict_proba``, ``decision_function`` and ``score``
        (requested by default when metadata routing is enabled).
    repair_level : float in [0, 1], default=1.0
        Read at prediction time: 0 returns the model's outputs exactly, 1 the
        barycenter outputs. One output column: the position ``t`` on the W2
        geodesic. Several (multiclass, several targets): the fraction of each
        group's rows that is repaired.
    weights : {"proportional", "uniform"} or array-like, default="proportional"
        Barycenter weights ``p_s``: the group frequencies, equal weights, or one
        nonnegative weight per group in the order of ``groups_``.
    cv : int, cross-validation generator, iterable or None, default=None
        Which outputs the group laws are learned from. None: the in-sample
        outputs of ``estimator_`` (the maps then match the outputs they are
        applied to on the training rows, but a flexible model's in-sample
        outputs are more extreme than its outputs on new rows). Otherwise the
        cross-fitted outputs of ``cross_val_predict`` (what new rows look like,
        at the price of maps learned on other models' outputs than the ones
        they are applied to: near-ties of ``estimator_`` are not recognised).
    n_quantiles : int >= 2, default=1000
        Largest size of the probability grid storing each group's quantile
        functions (one output column), and of repeated output values placed
        exactly. The grid has at most :math:`2 \sqrt{n}` levels for the
        smallest group's ``n`` training rows: a finer grid follows the sampling
        noise of the fitted outputs, which new rows' repaired outputs would then
        reveal.
    output_levels : "auto", int >= 2 or None, default="auto"
        Number of values the fully repaired output takes (one output column):
        the barycenter quantised to ``m`` equally likely values shared by all
        groups. "auto": one value per 50 training rows (at least 2). None: the
        continuous barycenter output, which on tables of a few discrete
        features lets an adversary memorise the exact outputs of rows that
        copy training rows (see Notes).
    duplicates : {"spread", "identical"}, default="spread"
        Exact copies of a row within one prediction batch. "spread": the k-th
        copy takes the k-th draw of the row's sequence, so the copies split as
        the barycenter requires (the first copy gets the row's output alone).
        "identical": every copy gets the row's own draw, so each output is a
        pure function of the row, its group and ``random_state``, whatever the
        batch (a model serving one row at a time). Measured on the 14 tables of
        ``benchmarks/bench_outcome.py`` with a binary classifier, the shared
        output values keep its leakage within 0.02 of "spread".
    random_state : int, RandomState instance or None, default=None
        Seeds the tie randomisation. Pass an int for reproducible outputs.

    Attributes
    ----------
    estimator_ : estimator object
        The fitted clone of ``estimator``.
    output_method_ : str
        The repaired output: ``"predict"`` (regressors), ``"predict_proba"`` or
        ``"decision_function"`` (classifiers without ``predict_proba``).
    classes_ : ndarray of shape (n_classes,)
        Class labels (classifiers only).
    groups_ : ndarray of shape (n_groups,)
        Group labels, sorted (tuples for several sensitive attributes).
    group_counts_ : ndarray of shape (n_groups,)
        Training rows of each group.
    group_weights_ : ndarray of shape (n_groups,)
        Barycenter weights ``p_s`` (sum to one).
    repair_method_ : {"quantile", "cells"}
        ``"quantile"``: one output column, repaired by its 1-D barycenter;
        ``"cells"``: an output vector, repaired jointly on shared cells.
    references_ : ndarray of shape (n_quantiles,)
        Probability levels of the grid (``"quantile"`` only).
    group_quantiles_ : ndarray of shape (n_groups, n_quantiles, 1)
        Each group's quantile function of the output (``"quantile"`` only).
    barycenter_quantiles_ : ndarray of shape (n_quantiles, 1)
        The barycenter's quantile function :math:`\bar Q` (``"quantile"`` only).
    output_levels_ : int or None
        Number of values of the fully repaired output; None: continuous
        (``"quantile"`` only).
    cell_centers_ : ndarray of shape (n_cells, n_outputs)
        Centers of the cells of the output space, in the units of the
        embedding (``"cells"`` only).
    group_cell_masses_ : ndarray of shape (n_groups, n_cells)
        Each group's law on the cells (``"cells"`` only).
    cell_barycenter_ : ndarray of shape (n_cells,)
        Their W2 barycenter on the cells (``"cells"`` only).
    sensitive_columns_ : ndarray of int
        Positions of the sensitive columns in ``X`` (when named).
    n_features_in_ : int
        Number of columns of ``X`` during fit.
    feature_names_in_ : ndarray of shape (`n_features_in_`,)
        Column names of ``X``, when it has string column names.

    See Also
    --------
    sklearn_unlearn.BarycenterFeatureUnlearner : Repairs the features instead.
    sklearn_unlearn.metrics.independence_reference : The utility of this repair
        on held-out rows.

    Notes
    -----
    For a row of group ``s`` with one output ``f`` (a regression, the
    positive-class probability of a binary classifier, a binary decision score),

    .. math:: f_t = (1 - t) f + t \bar Q(U), \qquad
              \bar Q(u) = \sum_s p_s Q_s(u),

    where ``Q_s`` is the group's quantile function of the fitted outputs and
    ``U = F_s(f)`` its CDF, the inverse of the piecewise linear ``Q_s`` between
    atoms. On an atom (``f`` repeated: few distinct outputs) ``U`` is uniform
    on ``[F_s(f-), F_s(f)]``: without it all the group's rows of that value go
    to one output of their own, which gives S away. ``U`` is drawn from a hash
    of the row (features and outputs), its group and ``random_state``, so a
    row's output is reproducible and, for a row without an exact copy in the
    batch, does not depend on the rest of the batch (alone, in any order or
    split). Exact copies within one batch get distinct draws: the k-th copy
    takes the k-th draw of the row's sequence (the first copy's output is the
    row's output alone; the copies' outputs as a multiset do not depend on
    their order). At ``t = 1``,
    ``U`` is uniform in every group, so the outputs have the barycenter law
    whatever S. The price of reproducible draws: a new row that copies a
    training row gets that row's repaired output, which an adversary fitted on
    the training outputs can memorise (tables of a few discrete features; see
    ``benchmarks/bench_outcome.py``).

    Classifiers: binary, the positive-class probability ``p`` is repaired; the
    negative is ``1 - p``, ``predict`` takes the larger and
    ``decision_function`` is the log-odds ``log p - log(1 - p)`` of the repaired
    probability (so the three agree). Classifiers without ``predict_proba``
    repair the decision function the same way (its sign gives ``predict``).

    Several outputs (more than two classes, several regression targets): the
    *joint* law of the output vector is equalised, on cells shared by all
    groups (``repair_method_ = "cells"``). The output space (probabilities as
    they are, other outputs standardised) is cut into
    :math:`k = \min(1000, \max(2, \lfloor n / 30 \rfloor))` cells by a few
    Lloyd steps; each group's law on the cells is mapped onto their W2
    barycenter (entropic Bregman projections, then exact optimal plans from
    each group's law to it). A row of group ``s`` whose output falls in cell
    ``c`` is sent to cell ``j`` with probability ``plan_s[c, j] / mass_s[c]``
    and its output becomes a stored training output vector of cell ``j``: a
    valid probability vector, the same values whatever the group, and with
    the barycenter's law on the cells in every group. ``repair_level`` is then
    the fraction of each group's rows that is transported (a mixture; the
    other rows keep the model's output): 0 returns the model's outputs
    exactly, 1 repairs every row. ``predict_proba`` returns the repaired
    vectors, ``predict`` their argmax and ``decision_function`` their logarithm
    (floored at ``log`` of the smallest normal float, about -708, for a zero
    probability), so the three agree. The price: the
    output vector is quantised to about ``n / 30`` values, so it keeps less
    resolution than the exact 1-D repair, and ``n_quantiles`` is not used.
    (Repairing each class probability by its own 1-D barycenter and
    renormalising leaves the groups' joint laws different: a boosted-trees
    adversary reading the whole vector recovered S better after that repair
    than before it.) ``repair_level=0`` returns every output of
    ``estimator_`` unchanged.

    Sample weights in ``fit_params`` reach ``estimator`` only; the group laws
    are unweighted.

    References
    ----------
    .. [1] E. Chzhen, C. Denis, M. Hebiri, L. Oneto and M. Pontil, "Fair
       regression with Wasserstein barycenters", NeurIPS 2020.
    .. [2] T. Le Gouic, J.-M. Loubes and P. Rigollet, "Projection to
       fairness in statistical learning", arXiv:2005.11720, 2020.
    .. [3] S. Xu and T. Strohmer, "Fair Data Representation for Machine Learning
       at the Pareto Frontier", JMLR 24, 2023.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn.linear_model import LinearRegression
    >>> from sklearn_unlearn import BarycenterOutcomeUnlearner
    >>> rng = np.random.default_rng(0)
    >>> s = np.repeat([0, 1], 200)
    >>> X = rng.normal(size=(400, 2)) + 2.0 * s[:, None]
    >>> y = X.sum(axis=1) + rng.normal(size=400)
    >>> model = BarycenterOutcomeUnlearner(LinearRegression(), random_state=0)
    >>> model = model.fit(X, y, sensitive_features=s)
    >>> pred = model.predict(X, sensitive_features=s)
    >>> round(float(pred[s == 0].mean() - pred[s == 1].mean()), 2)
    0.0
    """

    _parameter_constraints: dict = {
        "estimator": [HasMethods(["fit"])],
        "sensitive_features": [None, str, Integral, "array-like", callable],
        "repair_level": [Interval(Real, 0, 1, closed="both")],
        "weights": [StrOptions({"proportional", "uniform"}), "array-like"],
        "cv": [None, "cv_object"],
        "n_quantiles": [Interval(Integral, 2, None, closed="left")],
        "output_levels": [
            StrOptions({"auto"}),
            Interval(Integral, 2, None, closed="left"),
            None,
        ],
        "duplicates": [StrOptions({"spread", "identical"})],
        "random_state": ["random_state"],
    }

    __metadata_request__fit = _S_REQUEST
    __metadata_request__predict = _S_REQUEST
    __metadata_request__predict_proba = _S_REQUEST
    __metadata_request__decision_function = _S_REQUEST
    __metadata_request__score = _S_REQUEST

    def __init__(
        self,
        estimator,
        *,
        sensitive_features=None,
        repair_level=1.0,
        weights="proportional",
        cv=None,
        n_quantiles=1000,
        output_levels="auto",
        duplicates="spread",
        random_state=None,
    ):
        self.estimator = estimator
        self.sensitive_features = sensitive_features
        self.repair_level = repair_level
        self.weights = weights
        self.cv = cv
        self.n_quantiles = n_quantiles
        self.output_levels = output_levels
        self.duplicates = duplicates
        self.random_state = random_state

    @fit_context(prefer_skip_nested_validation=False)
    def fit(self, X, y, *, sensitive_features=None, **fit_params):
        """Fit the estimator and the groups' laws of its outputs.

        Parameters
        ----------
        X : {array-like, DataFrame} of shape (n_samples, n_features)
            Training rows, in any form ``estimator`` accepts.
        y : array-like of shape (n_samples,) or (n_samples, n_targets)
            Targets.
        sensitive_features : array-like of shape (n_samples,) or \
                (n_samples, n_attributes), default=None
            Sensitive values (several columns: intersectional groups). Required
            unless the ``sensitive_features`` parameter says where S is in X.
        **fit_params : dict
            Passed to ``estimator.fit`` (routed when metadata routing is
            enabled), and to each fold's fit with ``cv``.

        Returns
        -------
        self : BarycenterOutcomeUnlearner
            The fitted meta-estimator.
        """
        record = self._split(X, sensitive_features, reset=True)
        X, encoding = record.features, record.encoding
        check_consistent_length(X, y, record.codes)
        check_group_counts(
            encoding, what="outcome unlearning", hint="Merge rare groups."
        )
        counts = encoding.counts
        weights = group_weights(self.weights, counts)
        if _routing_enabled():
            params = process_routing(self, "fit", **fit_params).estimator.fit
        else:
            params = Bunch(**fit_params)
        estimator = clone(self.estimator).fit(X, y, **params)
        method = self._output_method(estimator)
        if self.cv is None:
            raw = getattr(estimator, method)(X)
        else:
            raw = cross_val_predict(
                clone(self.estimator), X, y, cv=self.cv, method=method, params=params
            )
        seed = int(check_random_state(self.random_state).randint(2**31 - 1))
        F = _as_matrix(raw, method)
        repair = "quantile" if F.shape[1] == 1 else "cells"
        fitted = METHODS[repair].fit(
            F,
            record.codes,
            weights,
            n_quantiles=self.n_quantiles,
            output_levels=self._output_levels(F.shape[0]),
            probabilities=method == "predict_proba",
            seed=seed,
        )
        for other, names in METHOD_ATTRIBUTES.items():
            for name in names if other != repair else ():
                self.__dict__.pop(name, None)
        self.estimator_ = estimator
        self.output_method_ = method
        if is_classifier(estimator):
            self.classes_ = estimator.classes_
        self._encoding = encoding
        self._seed = seed
        self.repair_method_ = repair
        self.groups_ = encoding.groups
        self.group_counts_ = counts
        self.group_weights_ = weights
        for name, value in fitted.attributes.items():
            setattr(self, name, value)
        self._model = fitted.model
        return self

    def _output_levels(self, n_samples: int) -> int:
        """``output_levels`` as a count; 0 for continuous outputs."""
        if self.output_levels == "auto":
            return auto_output_levels(n_samples)
        return 0 if self.output_levels is None else int(self.output_levels)

    @staticmethod
    def _output_method(estimator) -> str:
        if not is_classifier(estimator):
            if not hasattr(estimator, "predict"):
                raise ValueError(
                    f"estimator {type(estimator).__name__} has no predict method: "
                    "pass a regressor or a classifier."
                )
            return "predict"
        for name in ("predict_proba", "decision_function"):
            if hasattr(estimator, name):
                return name
        raise ValueError(
            f"The classifier {type(estimator).__name__} has neither predict_proba "
            "nor decision_function: outcome unlearning maps scores, not labels. "
            "Use a classifier with scores (e.g. CalibratedClassifierCV around it)."
        )

    def _repaired(self, X, sensitive_features):
        """``(raw, Z)``: the estimator's raw output and its repair (None at t=0)."""
        check_is_fitted(self)
        self._validate_params()
        record = self._split(X, sensitive_features, reset=False, fitted=self._encoding)
        X, codes = record.features, self._check_known(record)
        raw = getattr(self.estimator_, self.output_method_)(X)
        if self.repair_level == 0:
            return X, raw, None
        F = _as_matrix(raw, self.output_method_)
        transport = METHODS[self.repair_method_].transport
        Z = transport(
            F,
            hash_matrix(X, F),
            codes,
            self._model,
            self.repair_level,
            self._seed,
            self.duplicates == "spread",
        )
        return X, raw, Z

    def _proba(self, Z: np.ndarray) -> np.ndarray:
        """Probabilities from repaired columns (binary: the positive class).

        Multiclass rows are the model's own vectors or stored ones (already
        probability vectors): returned as they are.
        """
        if Z.shape[1] > 1:
            return Z
        p = np.clip(Z[:, 0], 0.0, 1.0)
        return np.column_stack([1.0 - p, p])

    def _scores(self, Z: np.ndarray) -> np.ndarray:
        """Repaired decision scores: (n,) for binary, (n, n_classes) otherwise."""
        if self.output_method_ == "decision_function":
            return Z[:, 0] if Z.shape[1] == 1 else Z
        # floored at the smallest normal float: a saturated probability (0 or
        # 1, e.g. a model fitted on unscaled money columns) gives a large but
        # finite score, which metrics such as ROC AUC accept
        logs = np.log(np.maximum(self._proba(Z), np.finfo(np.float64).tiny))
        return logs[:, 1] - logs[:, 0] if logs.shape[1] == 2 else logs

    def predict(self, X, *, sensitive_features=None):
        """Repaired predictions: regression values or class labels.

        Parameters
        ----------
        X : {array-like, DataFrame} of shape (n_samples, n_features)
            Rows laid out as in fit.
        sensitive_features : array-like of shape (n_samples,) or \
                (n_samples, n_attributes), default=None
            Sensitive values of the rows, as in fit.

        Returns
        -------
        y_pred : ndarray of shape (n_samples,) or (n_samples, n_targets)
            Predictions; those of ``estimator_`` when ``repair_level=0``.
        """
        X, raw, Z = self._repaired(X, sensitive_features)
        if Z is None:
            return self.estimator_.predict(X)
        if not is_classifier(self.estimator_):
            out = Z[:, 0] if np.ndim(raw) == 1 else Z
            dtype = np.asarray(raw).dtype
            return out.astype(dtype if dtype.kind == "f" else np.float64, copy=False)
        if self.output_method_ == "predict_proba":
            return self.classes_[np.argmax(self._proba(Z), axis=1)]
        scores = self._scores(Z)
        if scores.ndim == 1:
            return self.classes_[(scores > 0).astype(np.intp)]
        return self.classes_[np.argmax(scores, axis=1)]

    @available_if(estimator_has("predict_proba"))
    def predict_proba(self, X, *, sensitive_features=None):
        """Repaired class probabilities.

        Parameters
        ----------
        X : {array-like, DataFrame} of shape (n_samples, n_features)
            Rows laid out as in fit.
        sensitive_features : array-like of shape (n_samples,) or \
                (n_samples, n_attributes), default=None
            Sensitive values of the rows, as in fit.

        Returns
        -------
        proba : ndarray of shape (n_samples, n_classes)
            Rows sum to one; those of ``estimator_`` when ``repair_level=0``.
        """
        _, raw, Z = self._repaired(X, sensitive_features)
        return raw if Z is None else self._proba(Z).astype(raw.dtype, copy=False)

    @available_if(estimator_has("decision_function"))
    def decision_function(self, X, *, sensitive_features=None):
        """Repaired decision scores (log-odds of the repaired probabilities).

        Parameters
        ----------
        X : {array-like, DataFrame} of shape (n_samples, n_features)
            Rows laid out as in fit.
        sensitive_features : array-like of shape (n_samples,) or \
                (n_samples, n_attributes), default=None
            Sensitive values of the rows, as in fit.

        Returns
        -------
        scores : ndarray of shape (n_samples,) or (n_samples, n_classes)
            Positive means the second class (binary); those of ``estimator_``
            when ``repair_level=0``.
        """
        X, raw, Z = self._repaired(X, sensitive_features)
        if Z is None:
            return self.estimator_.decision_function(X)
        return self._scores(Z)

    def score(self, X, y, sample_weight=None, *, sensitive_features=None):
        """Accuracy (classifiers) or R^2 (regressors) of the repaired predictions.

        Parameters
        ----------
        X : {array-like, DataFrame} of shape (n_samples, n_features)
            Rows laid out as in fit.
        y : array-like of shape (n_samples,) or (n_samples, n_targets)
            True targets.
        sample_weight : array-like of shape (n_samples,), default=None
            Sample weights.
        sensitive_features : array-like, default=None
            Sensitive values of the rows, as in fit.

        Returns
        -------
        score : float
            The score of :meth:`predict`.
        """
        y_pred = self.predict(X, sensitive_features=sensitive_features)
        metric = accuracy_score if is_classifier(self) else r2_score
        return float(metric(y, y_pred, sample_weight=sample_weight))

    def get_metadata_routing(self):
        """Routing: ``sensitive_features`` to self, other fit params to estimator.

        Returns
        -------
        routing : MetadataRouter
            The routing information.
        """
        mapping = MethodMapping().add(caller="fit", callee="fit")
        return (
            MetadataRouter(owner=type(self).__name__)
            .add_self_request(self)
            .add(estimator=self.estimator, method_mapping=mapping)
        )

    def __sklearn_tags__(self):
        allow_nan = get_tags(self.estimator).input_tags.allow_nan
        return delegate_tags(
            super().__sklearn_tags__(), self.estimator, allow_nan=allow_nan
        )
