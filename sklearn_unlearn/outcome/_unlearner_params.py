"""The parameters of BarycenterOutcomeUnlearner: constraints and documentation.

:data:`PARAMETER_CONSTRAINTS` says what each parameter accepts;
:data:`DOCSTRING`, the class docstring, what each parameter and fitted
attribute means, the math of the repair (Notes), references and examples. They
are kept beside the estimator's module, which holds its behaviour, so that both
stay within the size limit; the class sets ``__doc__`` to :data:`DOCSTRING`
(its examples run as doctests of :mod:`sklearn_unlearn.outcome._unlearner`).
"""

from numbers import Integral, Real

from sklearn_unlearn.utils._compat import HasMethods, Interval, StrOptions

__all__ = ["DOCSTRING", "PARAMETER_CONSTRAINTS"]

#: The valid parameters of BarycenterOutcomeUnlearner, checked by
#: scikit-learn's parameter validation at fit (and at prediction time, when
#: ``repair_level`` is read).
PARAMETER_CONSTRAINTS: dict = {
    "estimator": [HasMethods(["fit"])],
    "sensitive_feature_ids": [None, str, Integral, "array-like", callable],
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

DOCSTRING = r"""Make a model's outputs independent of S: 1-D Wasserstein-2 barycenters.

    A clone of ``estimator`` is fitted on ``(X, y)``; each group's law of its
    outputs is then mapped onto the W2 barycenter of the groups' laws, fully
    (``repair_level=1``: the outputs carry no information about S) or part of
    the way: among the S-independent outputs, the closest to the model's in
    mean square (Chzhen et al. [1]_, Le Gouic et al. [2]_).

    Read more in the :ref:`User Guide <outcome_unlearning>`.

    Parameters
    ----------
    estimator : estimator object
        A regressor, or a classifier with ``predict_proba`` or
        ``decision_function``.
    sensitive_feature_ids : str, int, list or callable, default=None
        Where S is when it is not passed as values: columns of ``X`` (names or
        positions; removed before ``estimator`` sees ``X``), or a function
        ``X -> values`` of each row alone. None: S is passed as
        ``sensitive_features=`` values to ``fit`` and the prediction methods
        (requested by default when metadata routing is enabled).
    repair_level : float in [0, 1], default=1.0
        Read at prediction time; 0 returns the model's outputs exactly. One
        output column: the position ``t`` on the W2 geodesic; several: the
        fraction of each group's rows that is repaired.
    %(weights)s
    cv : int, cross-validation generator, iterable or None, default=None
        None: the group laws are learned from the in-sample outputs of
        ``estimator_``; otherwise from cross-fitted outputs (closer to new
        rows' outputs; near-ties of ``estimator_`` are then missed).
    n_quantiles : int >= 2, default=1000
        Largest size of the grid of each group's quantile function (one output
        column; at most :math:`2 \sqrt{n}` levels for the smallest group's
        ``n`` rows), and of the repeated output values placed exactly.
    output_levels : "auto", int >= 2 or None, default="auto"
        Values of the fully repaired output (one output column): the barycenter
        quantised to ``m`` equally likely values shared by all groups. "auto":
        one per 50 training rows (at least 2); None: continuous.
    duplicates : {"spread", "identical"}, default="spread"
        Exact copies of a row in one batch. "spread": the k-th copy takes the
        k-th draw of the row's sequence; "identical": each output is a pure
        function of the row, its group and ``random_state``.
    random_state : int, RandomState instance or None, default=None
        Seeds the tie randomisation. Pass an int for reproducible outputs.

    Attributes
    ----------
    estimator_ : estimator object
        The fitted clone of ``estimator``.
    output_method_ : {"predict", "predict_proba", "decision_function"}
        The repaired output (classifiers: ``predict_proba`` if they have it).
    classes_ : ndarray of shape (n_classes,)
        Class labels (classifiers only).
    groups_ : ndarray of shape (n_groups,)
        Group labels, sorted (tuples for several sensitive attributes).
    group_counts_ : ndarray of shape (n_groups,)
        Training rows of each group.
    group_weights_ : ndarray of shape (n_groups,)
        Barycenter weights ``p_s`` (sum to one).
    repair_method_ : {"quantile", "cells"}
        One output column's 1-D repair, or an output vector's on shared cells.
    references_ : ndarray of shape (n_quantiles,)
        Probability levels of the grid ("quantile" only, as the next three).
    group_quantiles_ : ndarray of shape (n_groups, n_quantiles, 1)
        Each group's quantile function of the output.
    barycenter_quantiles_ : ndarray of shape (n_quantiles, 1)
        The barycenter's quantile function :math:`\bar Q`.
    output_levels_ : int or None
        Values of the fully repaired output; None: continuous.
    cell_centers_ : ndarray of shape (n_cells, n_outputs)
        Cell centers in the output space ("cells" only, as the next two).
    group_cell_masses_ : ndarray of shape (n_groups, n_cells)
        Each group's law on the cells.
    cell_barycenter_ : ndarray of shape (n_cells,)
        Their W2 barycenter.
    sensitive_columns_ : ndarray of int
        Positions of the sensitive columns in ``X`` (when named).
    n_features_in_ : int
        Number of columns of ``X`` during fit.
    feature_names_in_ : ndarray of shape (`n_features_in_`,)
        Column names of ``X``, when it has string column names.

    See Also
    --------
    sklearn_unlearn.BarycenterFeatureUnlearner : Repairs the features instead.
    sklearn_unlearn.metrics.independence_reference : The utility of this repair.

    Notes
    -----
    One output ``f`` of a row of group ``s`` (a regression, a binary
    classifier's positive-class probability or decision score) becomes

    .. math:: f_t = (1 - t) f + t \bar Q(U), \qquad
              \bar Q(u) = \sum_s p_s Q_s(u),

    with ``Q_s`` the group's quantile function of the fitted outputs and
    ``U = F_s(f)`` its CDF, uniform on ``[F_s(f-), F_s(f)]`` on an atom (a draw
    hashed from the row, its group and ``random_state``). At ``t = 1`` ``U`` is
    uniform in every group: the outputs have the barycenter law whatever S.
    Several outputs are repaired jointly [3]_, on cells of the output space
    shared by the groups.

    References
    ----------
    .. [1] E. Chzhen et al., "Fair regression with Wasserstein barycenters",
       NeurIPS 2020.
    .. [2] T. Le Gouic, J.-M. Loubes and P. Rigollet, "Projection to fairness in
       statistical learning", arXiv:2005.11720, 2020.
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
