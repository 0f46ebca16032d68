"""MarginalUnlearner: forget training rows of a fitted classifier by fine-tuning."""

import logging
from numbers import Integral, Real

import numpy as np
from sklearn.base import BaseEstimator, ClassifierMixin, MetaEstimatorMixin
from sklearn.exceptions import NotFittedError
from sklearn.utils import check_random_state
from sklearn.utils._available_if import available_if
from sklearn.utils.validation import check_is_fitted, validate_data
from threadpoolctl import threadpool_limits

from sklearn_unlearn.datapoint._adapters import (
    check_supported,
    l2_penalty,
    network_of,
    with_network,
)
from sklearn_unlearn.datapoint._network import Network
from sklearn_unlearn.datapoint._phases import (
    HISTORY_KEYS,
    FitState,
    ForgetSettings,
    forget_phase,
    snapshot,
)
from sklearn_unlearn.datapoint._settle import settle_adam, settle_lbfgs
from sklearn_unlearn.utils._compat import Interval
from sklearn_unlearn.utils._state import fit_context
from sklearn_unlearn.utils._validation import (
    check_forget_mask,
    check_same_rows,
    estimator_has,
)

__all__ = ["MarginalUnlearner"]

logger = logging.getLogger(__name__)

#: Most L-BFGS iterations of the settling phase of convex models.
SETTLE_LBFGS_ITER = 500


class MarginalUnlearner(MetaEstimatorMixin, ClassifierMixin, BaseEstimator):
    """Make a fitted classifier forget training rows, without retraining.

    Fine-tunes a copy of ``estimator`` so that its outputs on the forgotten
    rows look like its outputs on the retained ones (the *marginal unlearning
    principle* of Xu and Strohmer): it minimises the cross-entropy on the
    retained rows plus ``gamma`` times the mutual information between the
    model's outputs and a membership label, on pooled batches of all training
    rows (label 0) and of retained rows (label 1). The original estimator is
    never modified.

    Read more in the :ref:`User Guide <datapoint_unlearning>`.

    Parameters
    ----------
    estimator : classifier
        A fitted ``LogisticRegression``, ``SGDClassifier(loss="log_loss")`` or
        ``MLPClassifier`` (binary or multiclass).
    gamma : float, default=4.0
        Weight of the mutual-information penalty (the paper used 4).
    max_iter : int, default=5
        Maximum number of epochs over the retained rows (the paper used 5).
    learning_rate : float, default=3e-3
        Step size of the Adam optimiser.
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
        and L2 penalty) on the retained rows. 0 skips it. Linear models settle
        by L-BFGS to convergence instead.
    random_state : int, RandomState instance or None, default=None
        Seeds the batches.
    verbose : int, default=0
        When positive, log one line per epoch (loss, marginal information,
        accuracies) at INFO level on the ``sklearn_unlearn.datapoint._marginal``
        logger; configure :mod:`logging` to see it.

    Attributes
    ----------
    unlearned_estimator_ : classifier
        A copy of ``estimator`` with the fine-tuned weights.
    history_ : dict of lists
        One entry before any step, one per epoch of forgetting and one after
        each settling phase: ``"loss"`` (the objective on the whole pooled
        data), ``"mi"`` (marginal information of the training set),
        ``"forget_accuracy"``, ``"retain_accuracy"``, ``"phase"`` (``"start"``,
        ``"forget"`` or ``"settle"``) and, with validation data,
        ``"validation_mi"`` (the stopping criterion).
    best_step_ : int
        Optimiser step whose weights were kept (the end of the last settling
        phase; without one, with validation data, the step with the lowest
        criterion, otherwise the last step).
    n_steps_ : int
        Number of optimiser steps run (L-BFGS iterations included).
    n_iter_ : int
        Number of epochs run (forgetting and settling).
    classes_ : ndarray of shape (n_classes,)
        Class labels.
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

    *How much to forget.* Minimising :math:`\\hat I` to zero over-unlearns: it
    makes the model misclassify the forgotten rows more than a model retrained
    without them would. A retrained model treats the forgotten rows like rows
    it never saw, so with validation data (``X_val``, ``y_val``: rows never
    used for training) the weights kept are those at which the forgotten rows
    are, on average, as confidently classified as the validation rows of the
    same classes: the step minimising the marginal information between
    membership and the confidence :math:`f_y(x)`. Without validation data the
    fine-tuning runs ``max_iter`` epochs (stopping earlier only if the training
    set's marginal information stops decreasing): choose ``gamma`` and
    ``max_iter`` with care and audit the result.

    *Settling.* The criterion sees how much the model remembers the forgotten
    rows, not how much a model trained without them would have lost by having
    fewer examples of their kind; and the weights it picks are caught in the
    middle of a fast move. So each forgetting phase is followed by a settling
    phase on the retained rows alone, with the estimator's own objective. For
    linear models (convex) it is L-BFGS to convergence: the result is the
    minimiser that retraining on the retained rows computes (to the same
    tolerance as ``LogisticRegression``), reached from weights that already
    forgot. For an MLP it is ``settle_epochs`` epochs of Adam, after which a
    new forgetting phase starts from the settled weights; rounds repeat while
    the forgetting phase improves on them, up to ``n_rounds``. On digits
    (``benchmarks/bench_datapoint.py``) settling removed most of the
    seed-to-seed spread of the forget-set accuracy and brought the test
    accuracy back to the retrained model's.

    An MLP is fine-tuned in float32 (its weights are written back in the
    estimator's dtype): the GEMMs run twice as fast, and mini-batch steps need
    no more precision. Linear models are fine-tuned in float64.

    References
    ----------
    .. [1] M. Xu and T. Strohmer, "Machine Unlearning via Information
       Theoretic Regularization".

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

    _parameter_constraints: dict = {
        "estimator": [object],
        "gamma": [Interval(Real, 0, None, closed="left")],
        "max_iter": [Interval(Integral, 1, None, closed="left")],
        "learning_rate": [Interval(Real, 0, None, closed="neither")],
        "batch_size": [Interval(Integral, 1, None, closed="left")],
        "n_iter_no_change": [Interval(Integral, 1, None, closed="left")],
        "n_rounds": [Interval(Integral, 1, None, closed="left")],
        "settle_epochs": [Interval(Integral, 0, None, closed="left")],
        "random_state": ["random_state"],
        "verbose": ["verbose"],
    }

    def __init__(
        self,
        estimator,
        *,
        gamma=4.0,
        max_iter=5,
        learning_rate=3e-3,
        batch_size=128,
        n_iter_no_change=2,
        n_rounds=3,
        settle_epochs=5,
        random_state=None,
        verbose=0,
    ):
        self.estimator = estimator
        self.gamma = gamma
        self.max_iter = max_iter
        self.learning_rate = learning_rate
        self.batch_size = batch_size
        self.n_iter_no_change = n_iter_no_change
        self.n_rounds = n_rounds
        self.settle_epochs = settle_epochs
        self.random_state = random_state
        self.verbose = verbose

    # ------------------------------------------------------------ checks
    def _check_inputs(self, X, y, forget_mask):
        check_supported(self.estimator)
        try:
            check_is_fitted(self.estimator)
        except NotFittedError as exc:
            raise NotFittedError(
                f"MarginalUnlearner needs a fitted estimator: call "
                f"{type(self.estimator).__name__}.fit first (unlearning starts "
                "from its weights)."
            ) from exc
        check_same_rows(X, y, "y", "one label per row of X")
        X, y = validate_data(self, X, y, dtype=np.float64, reset=True)
        expected = getattr(self.estimator, "n_features_in_", X.shape[1])
        if X.shape[1] != expected:
            raise ValueError(
                f"X has {X.shape[1]} features but the estimator was fitted on "
                f"{expected}: pass the estimator's own training data."
            )
        classes = self.estimator.classes_
        unknown = np.setdiff1d(np.unique(y), classes)
        if unknown.size:
            raise ValueError(
                f"y has labels {unknown.tolist()} unknown to the estimator "
                f"(classes {classes.tolist()})."
            )
        mask = check_forget_mask(
            forget_mask,
            X.shape[0],
            missing="Pass the rows to forget: fit(X, y, forget_mask=mask), True "
            "for each row to forget.",
        )
        if not mask.any() or mask.all():
            raise ValueError(
                "forget_mask must select some rows to forget and leave some to "
                f"retain; it selects {int(mask.sum())} of {mask.size}."
            )
        missing = np.setdiff1d(np.unique(y), np.unique(y[~mask]))
        if missing.size:
            raise ValueError(
                f"Every row of class(es) {missing.tolist()} is to be forgotten: the "
                "retained rows must keep at least one example of each class the "
                "model predicts (to forget a whole class, retrain without it)."
            )
        return X, np.searchsorted(classes, y), mask

    # ---------------------------------------------------------------- fit
    def _validation(self, X_val, y_val, y_forget):
        """Validation rows and the weights of the class-matched criterion."""
        if X_val is None and y_val is None:
            return None
        if X_val is None or y_val is None:
            raise ValueError("Pass both X_val and y_val, or neither.")
        X_val, y_val = validate_data(self, X_val, y_val, dtype=np.float64, reset=False)
        classes = self.estimator.classes_
        if np.setdiff1d(np.unique(y_val), classes).size:
            raise ValueError("y_val has labels the estimator does not know.")
        v_idx = np.searchsorted(classes, y_val)
        n_classes = classes.size
        forget_counts = np.bincount(y_forget, minlength=n_classes).astype(float)
        val_counts = np.bincount(v_idx, minlength=n_classes).astype(float)
        shared = (forget_counts > 0) & (val_counts > 0)
        if not shared.any():
            raise ValueError(
                "X_val has no row of the classes of the forgotten rows: the "
                "early-stopping criterion compares them class by class."
            )
        w_forget = shared[y_forget].astype(float)
        ratio = np.divide(
            forget_counts, val_counts, out=np.zeros(n_classes), where=shared
        )
        used = ratio[v_idx] > 0  # rows of other classes weigh nothing: drop them
        return (
            X_val[used],
            np.r_[y_forget, v_idx[used]],
            np.r_[w_forget, ratio[v_idx[used]]],
        )

    @fit_context(prefer_skip_nested_validation=True)
    def fit(self, X, y, *, forget_mask=None, X_val=None, y_val=None):
        """Fine-tune a copy of the estimator to forget the rows of ``forget_mask``.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            The estimator's training data.
        y : array-like of shape (n_samples,)
            Its labels.
        forget_mask : array-like of bool, shape (n_samples,)
            True for the rows to forget.
        X_val, y_val : array-like, default=None
            Rows the estimator never saw, with labels, for early stopping (see
            Notes). Strongly recommended: without them, nothing tells how much
            a model retrained without the forgotten rows would have forgotten.

        Returns
        -------
        self : MarginalUnlearner
            The fitted meta-estimator.
        """
        X, y_idx, mask = self._check_inputs(X, y, forget_mask)
        validation = self._validation(X_val, y_val, y_idx[mask])
        # small GEMMs on mini-batches: one BLAS thread is faster, and much
        # faster on shared cores
        with threadpool_limits(limits=1, user_api="blas"):
            return self._fit(X, y_idx, mask, validation)

    def _fit(self, X, y_idx, mask, validation):
        net = network_of(self.estimator, X[:20])
        convex = len(net.weights) == 1
        if not convex:
            # an MLP is fine-tuned in float32: twice the GEMM speed, and its
            # noisy mini-batch steps need no more precision. Linear models stay
            # in float64 for the L-BFGS settling phase.
            X = X.astype(np.float32)
            net = Network(
                [W.astype(np.float32) for W in net.weights],
                [b.astype(np.float32) for b in net.biases],
                net.hidden,
                net.link,
            )
            if validation is not None:
                validation = (validation[0].astype(np.float32), *validation[1:])
        rng = check_random_state(self.random_state)
        retain_rows = np.flatnonzero(~mask)
        l2 = l2_penalty(self.estimator, retain_rows.size)
        state = FitState(
            X=X,
            y_idx=y_idx,
            mask=mask,
            X_forget=X[mask],
            retain_rows=retain_rows,
            l2=l2,
            gamma=self.gamma,
            validation=validation,
            rng=rng,
            history={k: [] for k in HISTORY_KEYS},
        )
        settings = ForgetSettings(
            self.max_iter, self.learning_rate, self.batch_size, self.n_iter_no_change
        )
        log = self._log_epoch if self.verbose else None
        snapshot(net, state, "start")
        # rounds need the validation criterion to decide when to stop; a
        # convex model is at the retained optimum after one settling phase
        n_rounds = 1 if validation is None or convex else self.n_rounds
        n_steps = n_epochs = best_step = 0
        X_retain, y_retain = X[retain_rows], y_idx[retain_rows]
        for round_ in range(n_rounds):
            steps, epochs, best_step = forget_phase(net, state, settings, n_steps, log)
            n_steps, n_epochs = n_steps + steps, n_epochs + epochs
            if round_ and best_step == n_steps - steps:
                break  # the settled weights were the closest: nothing left
            if convex:
                n_steps += settle_lbfgs(
                    net, X_retain, y_retain, l2, max_iter=SETTLE_LBFGS_ITER
                )
            elif self.settle_epochs:
                n_steps += settle_adam(
                    net,
                    X_retain,
                    y_retain,
                    l2,
                    n_epochs=self.settle_epochs,
                    batch_size=min(self.batch_size, retain_rows.size),
                    learning_rate=self.learning_rate,
                    rng=rng,
                )
                n_epochs += self.settle_epochs
            else:
                continue
            best_step = n_steps
            snapshot(net, state, "settle")
        self.best_step_ = best_step
        self.unlearned_estimator_ = with_network(self.estimator, net)
        self.n_steps_ = n_steps
        self.n_iter_ = n_epochs
        self.history_ = {k: v for k, v in state.history.items() if v}
        self.classes_ = self.estimator.classes_
        return self

    @staticmethod
    def _log_epoch(history, epoch):
        line = ", ".join(
            f"{k} {v[-1]:.5f}" for k, v in history.items() if v and k != "phase"
        )
        logger.info("epoch %d: %s", epoch, line)

    # ----------------------------------------------------------- predict
    def _delegate(self, name, X):
        check_is_fitted(self)
        return getattr(self.unlearned_estimator_, name)(X)

    def predict(self, X):
        """Predict with the unlearned model.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Samples.

        Returns
        -------
        y_pred : ndarray of shape (n_samples,)
            Predicted classes.
        """
        return self._delegate("predict", X)

    def predict_proba(self, X):
        """Class probabilities of the unlearned model.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Samples.

        Returns
        -------
        proba : ndarray of shape (n_samples, n_classes)
            Probabilities.
        """
        return self._delegate("predict_proba", X)

    def score(self, X, y, sample_weight=None):
        """Mean accuracy of the unlearned model on ``X`` and ``y``.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Samples.
        y : array-like of shape (n_samples,)
            True labels.
        sample_weight : array-like of shape (n_samples,), default=None
            Sample weights.

        Returns
        -------
        score : float
            Accuracy of ``unlearned_estimator_``.
        """
        check_is_fitted(self)
        return self.unlearned_estimator_.score(X, y, sample_weight=sample_weight)

    @available_if(estimator_has("decision_function"))
    def decision_function(self, X):
        """Decision function of the unlearned model (linear models).

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Samples.

        Returns
        -------
        scores : ndarray of shape (n_samples,) or (n_samples, n_classes)
            Decision values.
        """
        return self._delegate("decision_function", X)
