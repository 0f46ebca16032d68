"""MarginalUnlearner: forget training rows of a fitted model, without retraining."""

import numpy as np
from sklearn.base import BaseEstimator, MetaEstimatorMixin
from sklearn.utils import check_random_state
from sklearn.utils.multiclass import check_classification_targets
from sklearn.utils.validation import validate_data
from threadpoolctl import threadpool_limits

from sklearn_unlearn.datapoint._adapters import (
    check_supported,
    l2_penalty,
    network_of,
    with_network,
)
from sklearn_unlearn.datapoint._calibration import calibrated_settings
from sklearn_unlearn.datapoint._delegation import DelegatingMixin
from sklearn_unlearn.datapoint._fine_tuning import (
    FineTuneSettings,
    fine_tune,
    log_epoch,
)
from sklearn_unlearn.datapoint._fit_inputs import (
    check_dense,
    check_fitted,
    forget_mask_of,
    starting_model,
    validation_set,
)
from sklearn_unlearn.datapoint._linear_update import (
    LinearUpdateMixin,
    check_linear_update,
)
from sklearn_unlearn.datapoint._marginal_params import PARAMETER_CONSTRAINTS
from sklearn_unlearn.datapoint._regression import wraps_regressor
from sklearn_unlearn.utils._state import fit_context
from sklearn_unlearn.utils._validation import check_same_rows

__all__ = ["MarginalUnlearner"]


class MarginalUnlearner(
    DelegatingMixin, LinearUpdateMixin, MetaEstimatorMixin, BaseEstimator
):
    """Make a fitted classifier or linear regressor forget training rows.

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
        ``MLPClassifier`` (binary or multiclass), or a ``Ridge`` or
        ``SGDRegressor`` (squared error, L2 penalty), fitted on the rows passed
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
        or for an MLP without validation data a calibrated budget (see Notes).
    learning_rate : float or None, default=None
        Step size of Adam. None: 3e-3, or the MLP's ``learning_rate_init``
        when it runs the calibrated budget.
    batch_size : int, default=128
        Retained rows per step; each step pairs them with as many rows drawn
        from the whole training set.
    n_iter_no_change : int, default=2
        Early stopping: with validation data, stop when the validation
        criterion (see Notes) has not improved for this many epochs and keep
        the best epoch's weights; without, stop when the marginal information
        of the training set has not decreased for this many epochs.
    n_rounds : int, default=3
        With validation data, at most this many rounds of a forgetting phase
        followed by a settling phase (see Notes); rounds stop early when a
        round's forgetting phase finds nothing better than the settled weights
        it started from. Without validation data, and for linear models,
        one round.
    settle_epochs : int, default=5
        Epochs of the settling phase of an MLP: plain training (cross-entropy
        and L2 penalty) on the retained rows (a calibrated budget without
        validation data, see Notes). 0 skips it. Linear models settle by
        L-BFGS to convergence instead.
    linear_update : {"settle", "newton"}, default="settle"
        How a linear model reaches the optimum of its objective on the
        retained rows. ``"settle"``: a classifier forgets, then settles by
        L-BFGS; a regressor solves its normal equations. ``"newton"``: no
        forgetting phase, one Newton step from the original weights, with a
        certificate (``gradient_norm_``, ``distance_bound_``; see Notes and
        :ref:`certified removal <certified_removal>`). MLPs take "settle".
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
        ``"loss"``, ``"forget_mse"``, ``"retain_mse"`` and ``"phase"``.
    best_step_ : int
        Optimiser step whose weights were kept (the end of the last settling
        phase; without one, with validation data, the step with the lowest
        criterion, otherwise the last step).
    n_steps_ : int
        Number of optimiser steps run (L-BFGS iterations included).
    n_iter_ : int
        Number of epochs run (forgetting and settling); 1 for a one-step
        linear update (a Newton step, or a regressor's solve).
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
    them, which treats them like rows it never saw. So with validation data
    (``X_val``, ``y_val``: rows never used for training) the weights kept are
    those at which the forgotten rows are as confidently classified as the
    validation rows of the same classes (the step minimising the marginal
    information between membership and the confidence :math:`f_y(x)`).
    Without validation data, an MLP trained by Adam or SGD runs budgets
    calibrated on its own fit, at its ``learning_rate_init`` (``max_iter`` set:
    epochs instead). :math:`T_0 = n_{iter} \\lceil n / b \\rceil` counts the
    steps (of :math:`b` rows) that built the model and its memory of each row;
    an Adam step's size is set by the step size, not the gradient, so how far
    the weights move is tied to :math:`T_0`. It forgets for :math:`\\lceil 0.15
    T_0 \\rceil` steps, is partly re-initialised, :math:`\\theta \\leftarrow
    (1 - s) \\theta + s \\theta_0` with :math:`s = 1/2` and :math:`\\theta_0` a
    fresh draw of scikit-learn's initial law (shrink and perturb [3]_), and
    settles for :math:`\\lceil 0.3 T_0 \\rceil` steps. The penalty cannot see
    the memory of random rows (the retained rows are memorised too, so their
    outputs look alike); the reset halves a row's own imprint on the weights
    and buries it under the fresh draw, the settling steps re-grow what many
    retained rows share, and a forgotten row, in no batch, keeps only what the
    model generalises to it. The constants were set on digits and MNIST
    (``benchmarks/bench_datapoint.py``, ``bench_membership.py``). Other models
    run ``max_iter`` epochs (fewer if the marginal information stops falling).

    *Settling.* The criterion sees how much the model remembers the forgotten
    rows, not what a model trained without them would have lost, and it picks
    weights in the middle of a fast move. So each forgetting phase is followed
    by a settling phase on the retained rows with the estimator's own
    objective: L-BFGS to convergence for linear models (the minimiser that
    retraining computes, reached from weights that already forgot), or
    ``settle_epochs`` epochs of Adam for an MLP, after which a new forgetting
    phase starts; rounds repeat while forgetting improves on the settled
    weights, up to ``n_rounds``.

    *Linear models: exact and certified removal.* A linear model's objective
    on the :math:`n` retained rows, in scikit-learn's mean scaling, is
    :math:`F(\\theta) = \\frac1n \\sum_i \\ell_i(\\theta) + \\frac\\lambda2
    \\|W\\|^2` (intercept unpenalised): :math:`\\lambda = 1 / (C n)` for
    ``LogisticRegression`` (its :math:`C \\sum_i \\ell_i + \\frac12
    \\|W\\|^2` divided by :math:`C n`), ``alpha`` for ``SGDClassifier`` and
    ``SGDRegressor``, ``alpha / n`` for ``Ridge`` (with :math:`\\ell_i` half
    the squared error). ``linear_update="newton"`` takes one Newton step
    :math:`\\theta - H^{-1} \\nabla F(\\theta)` from the original weights
    (certified removal, Guo et al. [2]_) and reports
    :math:`\\|\\nabla F\\|` at the result. If the Hessian is at least
    :math:`\\mu` on a ball of radius :math:`r \\ge \\|\\nabla F\\| / \\mu`
    around the result, :math:`F` increases along every ray beyond
    :math:`\\|\\nabla F\\| / \\mu`, so the distance to the minimiser
    :math:`\\theta^*` is at most that: ``distance_bound_``. Without
    intercept :math:`\\mu \\ge \\lambda` (the strong convexity of the L2
    term) gives :math:`\\|\\theta - \\theta^*\\| \\le \\|\\nabla F\\| /
    \\lambda`; the unpenalised intercept needs the data's curvature, bounded
    over the ball from the logits (a multinomial model's intercepts are
    compared centred). With ``loss_noise`` :math:`\\sigma`, :math:`F` gets
    :math:`b^\\top \\theta / n`, :math:`b \\sim N(0, \\sigma^2 I)`: the
    result is the exact minimiser for the term :math:`b - n \\nabla F`, and
    ``removal_epsilon_`` is the Gaussian mechanism's epsilon for the shift
    :math:`n \\|\\nabla F\\|`. That accounting uses the observed residual; a
    formal (epsilon, delta) guarantee needs a residual budget fixed in
    advance (retrain when it is exceeded), as in [2]_. A regressor skips the
    forgetting phase: its exact retained optimum is the model retraining
    computes, from which a forgetting phase would change nothing.

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

    _parameter_constraints: dict = PARAMETER_CONSTRAINTS

    def __init__(
        self,
        estimator,
        *,
        prefit=True,
        forget_rows=None,
        gamma=4.0,
        max_iter=None,
        learning_rate=None,
        batch_size=128,
        n_iter_no_change=2,
        n_rounds=3,
        settle_epochs=5,
        linear_update="settle",
        loss_noise=0.0,
        removal_delta=1e-5,
        random_state=None,
        verbose=0,
    ):
        self.estimator = estimator
        self.prefit = prefit
        self.forget_rows = forget_rows
        self.gamma = gamma
        self.max_iter = max_iter
        self.learning_rate = learning_rate
        self.batch_size = batch_size
        self.n_iter_no_change = n_iter_no_change
        self.n_rounds = n_rounds
        self.settle_epochs = settle_epochs
        self.linear_update = linear_update
        self.loss_noise = loss_noise
        self.removal_delta = removal_delta
        self.random_state = random_state
        self.verbose = verbose

    def _check_data(self, X, y):
        """``X`` as float64 and ``y``, checked for a classifier."""
        check_supported(self.estimator)
        if self.prefit:
            check_fitted(self.estimator)
        check_dense(X)
        check_same_rows(X, y, "y", "one label per row of X")
        X, y = validate_data(
            self, X, y, dtype=np.float64, ensure_min_samples=2, reset=True
        )
        check_classification_targets(y)
        return X, y

    def _validation(self, X_val, y_val, classes, y_forget):
        """Validation rows and the weights of the class-matched criterion."""
        if X_val is None and y_val is None:
            return None
        if X_val is None or y_val is None:
            raise ValueError("Pass both X_val and y_val, or neither.")
        X_val, y_val = validate_data(self, X_val, y_val, dtype=np.float64, reset=False)
        return validation_set(X_val, y_val, classes, y_forget)

    @fit_context(prefer_skip_nested_validation=False)
    def fit(self, X, y, *, forget_mask=None, X_val=None, y_val=None):
        """Fine-tune a copy of the estimator to forget the rows of ``forget_mask``.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            The estimator's training data.
        y : array-like of shape (n_samples,)
            Its labels.
        forget_mask : array-like of bool, shape (n_samples,), default=None
            True for the rows to forget. Required unless ``forget_rows`` is set.
        X_val, y_val : array-like, default=None
            Rows the estimator never saw, with labels, for early stopping (see
            Notes). Strongly recommended: without them, nothing tells how much
            a model retrained without the forgotten rows would have forgotten.

        Returns
        -------
        self : MarginalUnlearner
            The fitted meta-estimator.
        """
        check_linear_update(self.estimator, self.linear_update, self.loss_noise)
        if wraps_regressor(self.estimator):
            return self._fit_regressor(X, y, forget_mask)
        X_raw = X
        X, y = self._check_data(X, y)
        mask = forget_mask_of(self.forget_rows, forget_mask, X, y)
        model = starting_model(self.estimator, self.prefit, X_raw, X, y)
        y_idx = np.searchsorted(model.classes_, y)
        validation = self._validation(X_val, y_val, model.classes_, y_idx[mask])
        # small GEMMs on mini-batches: one BLAS thread is faster
        with threadpool_limits(limits=1, user_api="blas"):
            if self.linear_update == "newton":
                return self._fit_newton(model, X, y_idx, mask)
            return self._fit(model, X, y_idx, mask, validation)

    def _fit(self, model, X, y_idx, mask, validation):
        """Fine-tune ``model`` on the checked arrays; set the fitted attributes."""
        fields = FineTuneSettings._fields[:7]  # the parameters of the same names
        settings = calibrated_settings(
            model,
            FineTuneSettings(*(getattr(self, n) for n in fields)),
            len(X),
            validation,
        )
        result = fine_tune(
            network_of(model, X[:20]),
            X,
            y_idx,
            mask,
            l2_penalty(model, int(np.count_nonzero(~mask))),
            validation,
            settings,
            check_random_state(self.random_state),
            log_epoch if self.verbose else None,
        )
        self.estimator_ = model
        self.unlearned_estimator_ = with_network(model, result.net)
        self.best_step_ = result.best_step
        self.n_steps_ = result.n_steps
        self.n_iter_ = result.n_epochs
        self.history_ = result.history
        self.classes_ = model.classes_
        return self
