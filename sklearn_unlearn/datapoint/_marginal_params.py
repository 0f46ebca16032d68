"""The parameters of MarginalUnlearner: what each one accepts, and its docstring.

Kept beside the estimator's module so that both stay within the size limit.
"""

from numbers import Integral, Real

from sklearn.utils._param_validation import StrOptions

from sklearn_unlearn.utils._compat import Interval

__all__ = ["DOCSTRING", "PARAMETER_CONSTRAINTS"]

PARAMETER_CONSTRAINTS: dict = {
    "estimator": [object],
    "prefit": ["boolean"],
    "forget_rows": [callable, None],
    "gamma": [Interval(Real, 0, None, closed="left")],
    "max_iter": [Interval(Integral, 1, None, closed="left"), None],
    "learning_rate": [Interval(Real, 0, None, closed="neither"), None],
    "batch_size": [Interval(Integral, 1, None, closed="left")],
    "n_iter_no_change": [Interval(Integral, 1, None, closed="left")],
    "n_rounds": [Interval(Integral, 1, None, closed="left")],
    "settle_epochs": [Interval(Integral, 0, None, closed="left")],
    "linear_update": [StrOptions({"settle", "newton"})],
    "newton_steps": [Interval(Integral, 1, None, closed="left")],
    "loss_noise": [Interval(Real, 0, None, closed="left")],
    "removal_delta": [Interval(Real, 0, 1, closed="neither")],
    "random_state": ["random_state"],
    "verbose": ["verbose"],
}

DOCSTRING = """Make a fitted classifier or regressor forget training rows.

    Fine-tunes a copy of ``estimator`` so that its outputs on the forgotten
    rows look like its outputs on the retained ones (the *marginal unlearning
    principle* of Xu and Strohmer): it minimises the cross-entropy on the
    retained rows plus ``gamma`` times the mutual information between the
    model's outputs and a membership label, on pooled batches of all training
    rows (label 0) and of retained rows (label 1). ``estimator`` is not modified.

    Read more in the :ref:`User Guide <datapoint_unlearning>`.

    Parameters
    ----------
    estimator : classifier or regressor
        A ``LogisticRegression``, ``SGDClassifier(loss="log_loss")`` or
        ``MLPClassifier`` (binary or multiclass), a ``Ridge`` or
        ``SGDRegressor`` (squared error, L2 penalty), or an ``MLPRegressor``
        (squared error, one or several targets), fitted on the rows passed
        to ``fit`` unless ``prefit=False``. The meta-estimator is a classifier
        or a regressor as it is.
    prefit : bool, default=True
        Whether ``estimator`` is already fitted (the model an erasure request
        is made against). False fits a clone of it on all rows of ``X`` and
        ``y`` first and unlearns from there: to measure unlearning against
        retraining, or inside a pipeline or a search (they clone their steps,
        and a clone of a fitted estimator has lost its weights).
    forget_rows : callable or None, default=None
        Which rows to forget when ``fit`` receives no ``forget_mask``:
        ``forget_rows(X, y)``, called with the validated ``X`` (a float64
        array) and ``y``, returns one boolean per row, True for a row to
        forget. None means ``fit`` needs ``forget_mask``.
    gamma : float, default=4.0
        Weight of the mutual-information penalty (the paper used 4).
    max_iter : int or None, default=None
        Maximum number of epochs over the retained rows. None: 5 (the paper's),
        or for an MLP trained by Adam or SGD a calibrated budget (see Notes).
    learning_rate : float or None, default=None
        Step size of Adam. None: 3e-3, or the MLP's ``learning_rate_init``
        when it runs the calibrated budget.
    batch_size : int, default=128
        Retained rows per step; each step pairs them with as many rows drawn
        from the whole training set.
    n_iter_no_change : int, default=2
        Early stopping: with validation data and no calibrated budget, stop
        when the validation criterion (see Notes) has not improved for this
        many epochs and keep the best epoch's weights; without, stop when the
        marginal information of the training set has not decreased for this
        many epochs.
    n_rounds : int, default=3
        With validation data and no calibrated budget (``max_iter`` set, or an
        L-BFGS MLP), at most this many rounds of a forgetting phase followed
        by a settling phase (see Notes); rounds stop early when a round's
        forgetting phase finds nothing better than the settled weights it
        started from. Otherwise, and for linear models, one round.
    settle_epochs : int, default=5
        Epochs of the settling phase of an MLP: plain training (cross-entropy
        and L2 penalty) on the retained rows (a calibrated budget when the
        forgetting phase has one, see Notes). 0 skips it. Linear models settle by
        L-BFGS instead (see Notes).
    linear_update : {"settle", "newton"}, default="settle"
        How a linear model approaches the optimum of its objective on the
        retained rows. ``"settle"``: a classifier forgets, then settles by
        L-BFGS (to a tolerance, see Notes); a regressor solves its normal
        equations. ``"newton"``: no
        forgetting phase, one Newton step from the original weights, with a
        certificate (``gradient_norm_``, ``distance_bound_``; see Notes and
        :ref:`certified removal <certified_removal>`). MLPs take "settle".
    newton_steps : int, default=1
        Newton steps of ``linear_update="newton"`` for a classifier, each from
        the last (one pass over the data each): more when the start is far
        from the retained optimum and ``distance_bound_`` comes back inf.
        Undamped: quadratic convergence near the optimum, none promised far.
    loss_noise : float, default=0.0
        Standard deviation of the random linear term added to the objective of
        the Newton removal (see Notes); 0 adds none. Needs
        ``linear_update="newton"``.
    removal_delta : float, default=1e-5
        The delta at which ``removal_epsilon_`` is given.
    random_state : int, RandomState instance or None, default=None
        Seeds the batches.
    verbose : int, default=0
        When positive, log one line per epoch (loss, marginal information,
        accuracies) at INFO level on the ``sklearn_unlearn.datapoint`` logger;
        configure :mod:`logging` to see it.

    Attributes
    ----------
    estimator_ : classifier
        The model unlearning started from: ``estimator`` itself when
        ``prefit=True`` (never modified), else its clone fitted on ``X``.
    unlearned_estimator_ : classifier
        A copy of ``estimator`` with the fine-tuned weights.
    history_ : dict of lists
        One entry before any step, one per epoch of forgetting and one after
        each settling phase: ``"loss"`` (the objective on the whole pooled
        data), ``"mi"`` (marginal information of the training set),
        ``"forget_accuracy"``, ``"retain_accuracy"``, ``"phase"`` (``"start"``,
        ``"forget"``, ``"settle"`` or ``"newton"``) and, with validation data,
        ``"validation_mi"`` (the stopping criterion). A regressor records
        ``"loss"``, ``"forget_mse"``, ``"retain_mse"``, ``"phase"`` and (an
        MLP) ``"mi"``.
    best_step_ : int
        Optimiser step whose weights were kept (the end of the last settling
        phase; without one, with validation data, the step with the lowest
        criterion, otherwise the last step).
    n_steps_ : int
        Number of optimiser steps run (L-BFGS iterations included; with
        validation data, the settling steps of every candidate reset share).
    reset_share_ : float
        Fine-tuned models: the share :math:`s` of a fresh initialisation mixed
        into the weights before the settling phase kept (with validation
        rows, 1/2 unless another share was clearly better on them; 0 when
        there was no reset).
    n_iter_ : int
        Number of epochs run (forgetting and settling); ``newton_steps`` for
        the Newton removal of a classifier, 1 for a regressor's solve.
    gradient_norm_ : float
        Linear models with ``linear_update="newton"``, and regressors: norm of
        the gradient of the retained objective (Notes) at the weights kept.
    distance_bound_ : float
        Same models: a bound on the distance of the weights kept to the
        objective's minimiser (inf when the certificate fails).
    removal_epsilon_ : float
        With ``loss_noise > 0``: the epsilon at ``removal_delta`` of the
        Gaussian mechanism for the observed residual (see Notes).
    classes_ : ndarray of shape (n_classes,)
        Class labels (classifiers).
    n_features_in_ : int
        Number of features seen during fit.
    feature_names_in_ : ndarray of shape (`n_features_in_`,)
        Feature names, when ``X`` has string column names.

    See Also
    --------
    sklearn_unlearn.metrics.marginal_information : The criterion, on outputs.
    sklearn_unlearn.metrics.membership_advantage : Audit against unseen rows.

    Notes
    -----
    The objective on a pooled batch of rows :math:`x_i` with membership labels
    :math:`S'_i` (0: any training row, 1: a retained row) is

    .. math::

        \\frac{1}{|B_r|} \\sum_{i \\in B_r} -\\log f_{y_i}(x_i)
        + \\gamma \\hat I(f(X); S') + \\frac{\\lambda}{2} \\|W\\|^2 ,

    with the soft plug-in estimate :math:`\\hat I` of
    :func:`~sklearn_unlearn.metrics.marginal_information` and the estimator's
    own L2 penalty :math:`\\lambda`; gradients are exact (written in numpy).

    *How much to forget.* Driving :math:`\\hat I` to zero over-unlearns: the
    forgotten rows end up misclassified more than by a model retrained without
    them, which treats them like rows it never saw. Validation data
    (``X_val``, ``y_val``: rows never used for training) tell how far to go:
    the criterion is the marginal information between membership (forgotten
    or validation row, of the same classes) and the confidence :math:`f_y(x)`,
    0 when the forgotten rows are as confidently classified as unseen ones.
    An MLP trained by Adam or SGD runs budgets calibrated on its own fit, at
    its ``learning_rate_init`` (``max_iter`` set: epochs instead, below).
    :math:`T_0 = n_{iter} \\lceil n / b \\rceil` counts the steps (of
    :math:`b` rows) that built the model and its memory of each row; an Adam
    step's size is set by the step size, not the gradient, so how far the
    weights move is tied to :math:`T_0`. It forgets for :math:`\\lceil 0.15
    T_0 \\rceil` steps, is partly re-initialised, :math:`\\theta \\leftarrow
    (1 - s) \\theta + s \\theta_0` with :math:`s = 1/2` and :math:`\\theta_0` a
    fresh draw of scikit-learn's initial law (shrink and perturb [3]_), and
    settles for :math:`\\lceil 0.3 T_0 \\rceil` steps. The penalty cannot see
    the memory of random rows (the retained rows are memorised too, so their
    outputs look alike); the reset halves a row's own imprint on the weights
    and buries it under the fresh draw, the settling steps re-grow what many
    retained rows share, and a forgotten row, in no batch, keeps only what the
    model generalises to it. The constants were set on digits and MNIST
    (``benchmarks/bench_datapoint.py``, ``bench_membership.py``). With
    validation data the budgets stay and the rows the model never saw choose
    the one constant that sets how much is erased, the share :math:`s`: from
    the same post-forgetting weights :math:`\\theta_F`, each :math:`s \\in
    \\{1/4, 1/2, 3/4\\}` gives :math:`\\theta_s` = settle(:math:`(1 - s)
    \\theta_F + s \\theta_0`), ranked by the criterion,
    :math:`\\hat I(c_{\\theta_s}; M)`, the information between membership
    :math:`M` (forgotten or validation row, the validation rows weighted to
    the forgotten rows' class counts) and the confidence
    :math:`c_\\theta(x) = [f_y(x), 1 - f_y(x)]`: the forgotten rows then look
    most like rows never seen. The estimate is noisy (a digit of a small data
    set has a few dozen validation rows), so the choice is cautious:
    :math:`s = 1/2` is kept unless another share is lower by more than the
    standard error of the gap, :math:`\\hat I_{1/2} - \\hat I_s >
    \\widehat{\\mathrm{se}}(\\hat I_s - \\hat I_{1/2})`, and of the shares
    that are, the lowest is kept. The standard error is the standard
    deviation of the gap over :math:`B = 200` paired bootstrap resamples:
    each draws, with replacement, as many rows as each stratum (forgotten or
    validation row, and class) holds, so the class weights stay valid, and
    every share is scored on the same rows, so what the candidates share (the
    rows drawn) cancels in the gap. With the validation rows weighted to the
    forgotten rows' class counts, :math:`\\hat I = H(\\bar q) - \\frac12
    H(q_0) - \\frac12 H(q_1)`, with :math:`q_m` the weighted mean confidence
    of group :math:`m`, :math:`\\bar q = (q_0 + q_1) / 2` and :math:`H` the
    binary entropy; a resample only reweights the rows, so its value costs
    one matrix product. The resamples use a generator of their own, and
    :math:`s = 1/2` is tried first with the random draws of the fit without
    validation data, so when it is kept the weights are that fit's. That
    costs two more settling budgets,
    :math:`\\lceil 0.15 T_0 \\rceil + 3 \\lceil 0.3 T_0 \\rceil` steps
    in all. Other models (and ``max_iter`` set) run ``max_iter`` epochs
    (fewer if the criterion, or without validation data the marginal
    information, stops falling).

    *Settling.* The criterion sees how much the model remembers the forgotten
    rows, not what a model trained without them would have lost, and it picks
    weights in the middle of a fast move. So each forgetting phase is followed
    by a settling phase on the retained rows with the estimator's own
    objective: for linear models L-BFGS until every gradient entry is below
    1e-4 (the tolerance at which ``LogisticRegression`` stops its own L-BFGS,
    so near the minimiser retraining approximates, not at it: about 1e-3 away
    on 1e5 rows in ``benchmarks/bench_certified.py``), or
    ``settle_epochs`` epochs of Adam for an MLP without a calibrated budget,
    after which a new forgetting phase starts; rounds repeat while
    forgetting improves on the settled weights, up to ``n_rounds``.

    *Linear models: exact and certified removal.* A linear model's objective
    on the :math:`n` retained rows, in scikit-learn's mean scaling, is
    :math:`F(\\theta) = \\frac1n \\sum_i \\ell_i(\\theta) + \\frac\\lambda2
    \\|W\\|^2` (intercept unpenalised): :math:`\\lambda = 1 / (C n)` for
    ``LogisticRegression`` (its :math:`C \\sum_i \\ell_i + \\frac12
    \\|W\\|^2` divided by :math:`C n`), ``alpha`` for ``SGDClassifier`` and
    ``SGDRegressor``, ``alpha / n`` for ``Ridge`` (with :math:`\\ell_i` half
    the squared error). ``linear_update="newton"`` takes ``newton_steps``
    Newton steps :math:`\\theta - H^{-1} \\nabla F(\\theta)` from the original
    weights (certified removal, Guo et al. [2]_; each step one pass over the
    rows: the gradient and the Hessian, the latter as symmetric rank-k updates,
    :math:`K (K - 1) / 2` of them for a softmax over :math:`K` classes, then a
    Cholesky solve) and reports
    :math:`\\|\\nabla F\\|` at the result. If the Hessian is at least
    :math:`\\mu` on a ball of radius :math:`r \\ge \\|\\nabla F\\| / \\mu`
    around the result, :math:`F` increases along every ray beyond
    :math:`\\|\\nabla F\\| / \\mu`, so the distance to the minimiser
    :math:`\\theta^*` is at most that: ``distance_bound_``. Without
    intercept :math:`\\mu \\ge \\lambda` (the strong convexity of the L2
    term) gives :math:`\\|\\theta - \\theta^*\\| \\le \\|\\nabla F\\| /
    \\lambda`; the unpenalised intercept needs the data's curvature, bounded
    over the ball from the logits (a multinomial model's intercepts are
    compared centred). :math:`\\mu` is the smallest eigenvalue of the
    Hessian of the last step times the factor by which the ball can shrink
    the rows' curvatures; only if that fails are they bounded row by row (a
    pass per radius tried). With ``loss_noise`` :math:`\\sigma`, :math:`F` gets
    :math:`b^\\top \\theta / n`, :math:`b \\sim N(0, \\sigma^2 I)`: the
    result is the exact minimiser for the term :math:`b - n \\nabla F`, and
    ``removal_epsilon_`` is the Gaussian mechanism's epsilon for the shift
    :math:`n \\|\\nabla F\\|`. That accounting uses the observed residual; a
    formal (epsilon, delta) guarantee needs a residual budget fixed in
    advance (retrain when it is exceeded), as in [2]_. A regressor skips the
    forgetting phase: its exact retained optimum is the model retraining
    computes, from which a forgetting phase would change nothing.

    *MLPRegressor.* The outputs are numbers, so each output column :math:`j`
    is soft-binned before the information is taken: :math:`\\tilde f_j(x)_c
    = \\operatorname{softmax}_c(-(f_j(x) - \\mu_c)^2 / 2h^2)` over 20 evenly
    spaced centres :math:`\\mu_c` spanning the starting model's outputs
    (spacing :math:`h`). The objective is scikit-learn's squared loss plus

    .. math::

        \\gamma \\sum_j s_j^2 \\hat I(\\tilde f_j(X); S') + \\frac{\\lambda}{2}
        \\|W\\|^2 , \\qquad \\lambda = \\alpha / n ,

    with :math:`s_j^2` the variance of target :math:`j` on the retained rows:
    the information is unitless and the loss in squared target units, so
    rescaling a target rescales both terms alike. The outputs, not the
    residuals, carry the information (the principle's choice): a model that
    memorised its rows has small residuals on forgotten and retained rows
    alike, while the outputs on forgotten rows unlike the others (say, a
    cluster with its own target shift) sit in bins no retained row fills, and
    the penalty moves them out. It forgets for the calibrated budget above
    (the argument is Adam's, not the loss's), then settles for
    ``settle_epochs`` epochs; ``X_val`` is refused (its criterion compares
    class confidences). Forgetting a random sample, the outputs' law barely
    depends on membership and little is forgotten
    (``benchmarks/bench_regression_unlearning.py``).

    An MLP is fine-tuned in float32 (weights written back in the estimator's
    dtype; the GEMMs run twice as fast), linear models in float64.

    References
    ----------
    .. [1] M. Xu and T. Strohmer, "Machine Unlearning via Information
       Theoretic Regularization".
    .. [2] C. Guo, T. Goldstein, A. Hannun and L. van der Maaten, "Certified
       Data Removal from Machine Learning Models", ICML 2020.
    .. [3] J. Ash and R. Adams, "On Warm-Starting Neural Network Training",
       NeurIPS 2020.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn.linear_model import LogisticRegression
    >>> from sklearn_unlearn.datapoint import MarginalUnlearner
    >>> rng = np.random.default_rng(0)
    >>> X = rng.normal(size=(400, 4))
    >>> y = (X[:, 0] + 0.5 * rng.normal(size=400) > 0).astype(int)
    >>> model = LogisticRegression().fit(X[:300], y[:300])
    >>> before = model.coef_.copy()
    >>> forget = np.arange(300) < 30
    >>> unlearner = MarginalUnlearner(model, random_state=0).fit(
    ...     X[:300], y[:300], forget_mask=forget, X_val=X[300:], y_val=y[300:]
    ... )
    >>> unlearner.predict(X[:3]).shape
    (3,)
    >>> bool(np.array_equal(model.coef_, before))  # the original is untouched
    True
    """
