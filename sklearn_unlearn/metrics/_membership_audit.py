"""A per-example membership audit: is each forgotten row still recognisable?

:func:`membership_audit` trains the reference models, computes every model's
outputs on the forgotten and held-out rows and runs the kernels of
``_membership_kernels`` on them.
"""

from numbers import Integral, Real
from typing import NamedTuple

import numpy as np
from joblib import Parallel, delayed
from sklearn.utils import _safe_indexing, check_random_state
from sklearn.utils.validation import check_is_fitted

from sklearn_unlearn.metrics._checks import shape_of
from sklearn_unlearn.metrics._membership_kernels import (
    calibrated_scores,
    rank_auc,
    stratified_subsets,
    tpr_at_fpr,
    true_class_logit,
)
from sklearn_unlearn.utils._compat import (
    HasMethods,
    Interval,
    StrOptions,
    validate_params,
)
from sklearn_unlearn.utils._random import seeded_clone
from sklearn_unlearn.utils._validation import check_forget_mask

__all__ = ["MembershipAudit", "membership_audit"]


class MembershipAudit(NamedTuple):
    """The result of :func:`membership_audit` (read its Notes for the design).

    Attributes
    ----------
    auc : float
        ROC AUC of the per-example scores separating the forgotten rows
        (positives) from the held-out rows (negatives); 0.5 = forgotten rows
        look like rows no model saw, higher = they are still recognisable.
    tpr_at_fpr : ndarray of shape (n_levels,)
        True-positive rate of the attack at each false-positive rate of ``fpr``.
    fpr : ndarray of shape (n_levels,)
        The false-positive rates.
    scores_forget : ndarray of shape (n_forget,)
        Score of each forgotten row, in the order of ``X[forget_mask]``
        (higher = more member-like).
    scores_holdout : ndarray of shape (n_holdout,)
        Score of each held-out row.
    references : list of estimators
        The fitted reference models; pass them as ``references=`` to audit
        another model against the same ones.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn.linear_model import LogisticRegression
    >>> from sklearn_unlearn.metrics import membership_audit
    >>> rng = np.random.default_rng(0)
    >>> X, y = rng.normal(size=(200, 30)), rng.integers(0, 2, 200)
    >>> forget = np.arange(150) < 30
    >>> model = LogisticRegression(C=100).fit(X[:150], y[:150])
    >>> audit = membership_audit(
    ...     model, X[:150], y[:150], forget_mask=forget, X_holdout=X[150:],
    ...     y_holdout=y[150:], estimator=LogisticRegression(C=100), random_state=0)
    >>> audit.scores_forget.shape, len(audit.references)
    ((30,), 8)
    """

    auc: float
    tpr_at_fpr: np.ndarray
    fpr: np.ndarray
    scores_forget: np.ndarray
    scores_holdout: np.ndarray
    references: list

    def __repr__(self) -> str:
        rates = ", ".join(
            f"{t:.3f} at {f:.2g}"
            for t, f in zip(self.tpr_at_fpr, self.fpr, strict=True)
        )
        return (
            f"MembershipAudit(auc={self.auc:.3f}, tpr_at_fpr=[{rates}], "
            f"n_forget={self.scores_forget.size}, "
            f"n_holdout={self.scores_holdout.size}, "
            f"n_references={len(self.references)})"
        )


def _n_rows(values, name: str) -> int:
    shape = shape_of(values, name)
    if len(shape) == 0:
        raise ValueError(f"{name} must be an array with one row per sample.")
    return int(shape[0])


def _check_levels(fpr) -> np.ndarray:
    levels = np.atleast_1d(np.asarray(fpr, dtype=np.float64))
    if levels.ndim != 1 or levels.size == 0 or not np.all((levels > 0) & (levels < 1)):
        raise ValueError(
            "fpr must be a false-positive rate in (0, 1) or a 1-D list of them, "
            "e.g. fpr=(0.01, 0.001)."
        )
    return levels


def _check_reference_list(references) -> list:
    if len(references) < 2:
        raise ValueError(
            f"references holds {len(references)} model(s): the per-example "
            "spread needs at least 2 (pass the references of an earlier audit)."
        )
    for i, ref in enumerate(references):
        if not hasattr(ref, "predict_proba") or not hasattr(ref, "classes_"):
            raise ValueError(
                f"references[{i}] ({type(ref).__name__}) is not a fitted "
                "classifier with predict_proba and classes_."
            )
    return list(references)


def _columns(classes, labels: np.ndarray) -> np.ndarray:
    """Column of each label in ``classes``, -1 for a class the model lacks."""
    classes = np.asarray(classes)
    order = np.argsort(classes)
    position = np.searchsorted(classes[order], labels)
    position = np.minimum(position, classes.size - 1)
    found = classes[order][position] == labels
    return np.where(found, order[position], -1)


def _logits(model, X_forget, X_holdout, labels: np.ndarray) -> np.ndarray:
    proba = np.vstack(
        [model.predict_proba(X_forget), model.predict_proba(X_holdout)]
    ).astype(np.float64)
    return true_class_logit(proba, _columns(model.classes_, labels))


def _fit_reference(estimator, X, y, seed):
    return seeded_clone(estimator, int(seed)).fit(X, y)


@validate_params(
    {
        "model": [HasMethods(["predict_proba"])],
        "X": ["array-like"],
        "y": ["array-like"],
        "forget_mask": ["array-like"],
        "X_holdout": ["array-like"],
        "y_holdout": ["array-like"],
        "estimator": [None, HasMethods(["fit", "predict_proba"])],
        "references": [None, list, tuple],
        "n_references": [Interval(Integral, 2, None, closed="left")],
        "train_size": [Interval(Real, 0, 1, closed="right")],
        "variance": [StrOptions({"per_example", "pooled"})],
        "fpr": [Interval(Real, 0, 1, closed="neither"), "array-like"],
        "n_jobs": [None, Integral],
        "random_state": ["random_state"],
    },
    prefer_skip_nested_validation=False,
)
def membership_audit(
    model,
    X,
    y,
    *,
    forget_mask,
    X_holdout,
    y_holdout,
    estimator=None,
    references=None,
    n_references=8,
    train_size=0.5,
    variance="per_example",
    fpr=(0.01, 0.001),
    n_jobs=None,
    random_state=None,
):
    r"""Per-example membership attack on the forgotten rows, against reference models.

    For each forgotten row, how far the audited model's confidence in its
    label stands out from the confidences of reference models that never saw
    it, compared with the same measure on held-out rows that no model saw.
    Unlike :func:`membership_advantage` (one threshold for all rows), each row
    is scored against its own difficulty, which exposes the few memorised rows
    a population-level attack averages away.

    Parameters
    ----------
    model : fitted classifier with predict_proba
        The model to audit (e.g. an unlearned model, or a retrained one).
    X : array-like of shape (n_samples, n_features)
        The training rows the model was fitted on (before unlearning), as
        ``model.predict_proba`` takes them.
    y : array-like of shape (n_samples,)
        Their labels.
    forget_mask : array-like of bool of shape (n_samples,)
        True for each forgotten row (the positives of the attack).
    X_holdout : array-like of shape (n_holdout, n_features)
        Rows that neither the model nor the references saw (the negatives),
        ideally from the same classes as the forgotten rows.
    y_holdout : array-like of shape (n_holdout,)
        Their labels.
    estimator : classifier with fit and predict_proba, default=None
        Unfitted estimator of the reference models (usually the one the
        audited model was trained as). Pass it or ``references``.
    references : list of fitted classifiers, default=None
        Reference models trained without the forgotten and the held-out rows,
        e.g. ``references=earlier.references`` of an earlier audit, so that
        several models are scored against the same references.
    n_references : int, default=8
        Number of reference models to train (ignored with ``references``).
    train_size : float in (0, 1], default=0.5
        Fraction of the retained rows (``~forget_mask``) each reference
        model is trained on, drawn at random per class (at least one row of
        each). 1 trains every reference on all retained rows.
    variance : {"per_example", "pooled"}, default="per_example"
        Spread of each row's reference confidences: its own (offline LiRA), or
        one spread pooled over all rows (difficulty calibration: the score is
        then the confidence minus the row's reference mean, rescaled).
    fpr : float or array-like of float in (0, 1), default=(0.01, 0.001)
        False-positive rates at which to report the true-positive rate.
    n_jobs : int, default=None
        Reference models trained in parallel (joblib); None means 1.
    random_state : int, RandomState instance or None, default=None
        Seeds the subsets and the reference models (every ``random_state``
        parameter of ``estimator``, nested ones included, is set per model).

    Returns
    -------
    result : MembershipAudit
        Named tuple ``(auc, tpr_at_fpr, fpr, scores_forget, scores_holdout,
        references)``.

    See Also
    --------
    membership_advantage : The population-level attack (no reference models).
    marginal_information : Information the outputs keep about membership.

    Notes
    -----
    Each model :math:`f` is read through the logit-scaled confidence of the
    true class :math:`\phi_f(x, y) = \log p_f(y \mid x) - \log \sum_{c \neq y}
    p_f(c \mid x)`, which is close to Gaussian over training randomness
    (probabilities are floored at :math:`10^{-30}`; a class a model lacks has
    probability 0). With :math:`K` references :math:`g_1, \dots, g_K`, none
    trained on row :math:`x`, the row's law without membership is fitted as
    :math:`\mathcal N(\mu_x, \sigma_x^2)`, the sample mean and variance of
    :math:`\phi_{g_k}(x, y)`, and the audited model is scored by the one-sided
    z-score :math:`s(x) = (\phi_f(x, y) - \mu_x) / \sigma_x`, a monotone map of
    the likelihood-ratio test of the offline LiRA attack (Carlini et al.,
    2022). With ``variance="pooled"``, :math:`\sigma_x` is replaced by the
    root mean of :math:`\sigma_x^2` over all scored rows (more stable with few
    references); otherwise :math:`\sigma_x` is floored at 5% of it.

    Forgotten rows are the positives, held-out rows the negatives, scored the
    same way. ``auc`` is the Mann-Whitney AUC of :math:`s`; ``tpr_at_fpr`` at a
    level :math:`\alpha` is the largest share of positives above a threshold
    that at most :math:`\lfloor \alpha n_{holdout} \rfloor` negatives exceed
    (so below :math:`1 / n_{holdout}` it is the rate at zero false
    positives). If the audited model never saw the forgotten rows (a model
    retrained without them) both groups are unseen rows and the AUC is 1/2
    up to sampling noise; a model that remembers them scores higher. This is
    the comparison of U-LiRA (Hayes et al., 2024): audit the retrained model
    with the same references, and compare.

    The references are trained on ``train_size`` of the retained rows and
    never on a forgotten or held-out row, so that both groups are unseen by
    every reference. Half (the default) makes the references differ in their
    rows as well as their initialisation, so that the spread reflects how a
    row's confidence varies across training sets; 1 suits estimators whose
    fits differ by their seed. References trained on fewer rows are less
    confident than the audited model on every unseen row; that shift applies
    to positives and negatives alike.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn.linear_model import LogisticRegression
    >>> from sklearn_unlearn.metrics import membership_audit
    >>> rng = np.random.default_rng(0)
    >>> X, y = rng.normal(size=(200, 100)), rng.integers(0, 2, 200)  # noise labels
    >>> X_train, y_train, X_out, y_out = X[:133], y[:133], X[133:], y[133:]
    >>> forget = np.arange(133) < 33
    >>> original = LogisticRegression().fit(X_train, y_train)  # memorises them
    >>> audit = membership_audit(
    ...     original, X_train, y_train, forget_mask=forget, X_holdout=X_out,
    ...     y_holdout=y_out, estimator=LogisticRegression(), random_state=0)
    >>> audit
    MembershipAudit(auc=0.787, tpr_at_fpr=[0.000 at 0.01, 0.000 at 0.001],
    n_forget=33, n_holdout=67, n_references=8)
    >>> retrained = LogisticRegression().fit(X_train[~forget], y_train[~forget])
    >>> result = membership_audit(
    ...     retrained, X_train, y_train, forget_mask=forget, X_holdout=X_out,
    ...     y_holdout=y_out, references=audit.references)
    >>> round(result.auc, 2)
    0.5
    """
    if (estimator is None) == (references is None):
        raise ValueError(
            "Pass exactly one of estimator (to train the reference models) and "
            "references (fitted ones, e.g. references=earlier.references); got "
            + ("neither." if estimator is None else "both.")
        )
    n_samples = _n_rows(X, "X")
    y = np.asarray(y)
    if y.ndim != 1 or y.shape[0] != n_samples:
        raise ValueError(
            f"y has shape {y.shape} but X has {n_samples} rows: pass one label "
            "per row of X."
        )
    mask = check_forget_mask(forget_mask, n_samples, missing="forget_mask is required.")
    if not mask.any():
        raise ValueError(
            "forget_mask selects no row: the audit scores the forgotten rows, so "
            "mark at least one (True = forgotten)."
        )
    n_holdout = _n_rows(X_holdout, "X_holdout")
    y_holdout = np.asarray(y_holdout)
    if n_holdout == 0:
        raise ValueError(
            "X_holdout is empty: the audit needs rows no model saw as negatives."
        )
    if y_holdout.ndim != 1 or y_holdout.shape[0] != n_holdout:
        raise ValueError(
            f"y_holdout has shape {y_holdout.shape} but X_holdout has {n_holdout} "
            "rows: pass one label per row of X_holdout."
        )
    levels = _check_levels(fpr)
    check_is_fitted(model)
    if not hasattr(model, "classes_"):
        raise ValueError(
            f"model ({type(model).__name__}) has no classes_: pass a fitted classifier."
        )
    labels = np.r_[y[mask], y_holdout]
    if not np.any(_columns(model.classes_, labels) >= 0):
        raise ValueError(
            "None of the labels of y and y_holdout is a class of model.classes_: "
            "pass the labels the model was trained with."
        )
    if references is not None:
        references = _check_reference_list(references)
    elif mask.all():
        raise ValueError(
            "forget_mask selects every row: the reference models train on the "
            "retained rows, so leave some (or pass fitted references)."
        )
    forget_rows = np.flatnonzero(mask)
    X_forget = _safe_indexing(X, forget_rows)
    if references is None:
        rng = check_random_state(random_state)
        seeds = rng.randint(np.iinfo(np.int32).max, size=n_references)
        kept = np.flatnonzero(~mask)
        X_kept, y_kept = _safe_indexing(X, kept), y[kept]
        references = Parallel(n_jobs=n_jobs)(
            delayed(_fit_reference)(
                estimator, _safe_indexing(X_kept, rows), y_kept[rows], seed
            )
            for rows, seed in zip(
                stratified_subsets(y_kept, train_size, seeds), seeds, strict=True
            )
        )
    target = _logits(model, X_forget, X_holdout, labels)
    reference = np.stack([_logits(g, X_forget, X_holdout, labels) for g in references])
    scores = calibrated_scores(target, reference, variance == "per_example")
    positive, negative = scores[: forget_rows.size], scores[forget_rows.size :]
    return MembershipAudit(
        auc=rank_auc(positive, negative),
        tpr_at_fpr=tpr_at_fpr(positive, negative, levels),
        fpr=levels,
        scores_forget=positive,
        scores_holdout=negative,
        references=references,
    )
