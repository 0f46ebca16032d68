"""A leakage audit with an error bar: the adversary's AUC, its interval, a p-value.

Kernels (private, pure numpy) compute the rank statistics of one block of rows
scored by one model; :func:`leakage_test` cross-fits the adversary (shared with
:func:`~sklearn_unlearn.metrics.leakage_auc`), runs the kernels on each fold
and combines them.
"""

from numbers import Integral, Real
from typing import NamedTuple

import numpy as np
from scipy.stats import norm, rankdata
from sklearn.utils import check_random_state

from sklearn_unlearn.metrics._leakage import cross_fit, pooled_auc
from sklearn_unlearn.utils._compat import HasMethods, Interval, validate_params

__all__ = ["LeakageTest", "leakage_test"]

#: Variance factor of cross-fitted fold statistics (see Notes of leakage_test).
CROSS_FIT_FACTOR = 2.0


class BlockStatistics(NamedTuple):
    """Rank statistics of the rows one model scored."""

    auc: float  # macro one-vs-rest AUC of the block (binary: of the last group)
    null_variance: float  # its exact variance under random labels (permutations)
    delong_variance: float  # its DeLong (placement value) variance


def _tasks(n_groups: int) -> np.ndarray:
    """The groups scored one-vs-rest: the last one for two groups, else all."""
    return np.array([1]) if n_groups == 2 else np.arange(n_groups)


def block_statistics(proba: np.ndarray, codes: np.ndarray) -> BlockStatistics:
    """AUC of one block and its two variances; every group must be present.

    ``proba`` (n, n_groups) holds one model's scores, ``codes`` (n,) the
    groups 0 .. n_groups - 1. The AUC is the linear rank statistic
    ``sum_i a[i, codes[i]]`` plus a constant, with ``a[i, t]`` the midrank of row
    i in task t over ``T m_t (n - m_t)``; its permutation variance is
    Hoeffding's ``sum_{i, c} m_c d[i, c]^2 / (n - 1)`` (``d`` the doubly centred
    ``a``). The DeLong variance sums the squared per-row influence (placement
    value minus AUC, over the size of the row's side), with the unbiased
    ``m / (m - 1)`` factor of each group.
    """
    n, n_groups = proba.shape
    counts = np.bincount(codes, minlength=n_groups).astype(np.float64)
    tasks = _tasks(n_groups)
    a = np.zeros((n, n_groups))
    influence = np.zeros(n)
    aucs = []
    for t in tasks:
        positive = codes == t
        n_pos, n_neg = counts[t], n - counts[t]
        ranks = rankdata(proba[:, t])
        a[:, t] = ranks / (tasks.size * n_pos * n_neg)
        # placement values: the share of the other side each row beats (ties 1/2)
        place = np.empty(n)
        place[positive] = (ranks[positive] - rankdata(ranks[positive])) / n_neg
        place[~positive] = 1.0 - (ranks[~positive] - rankdata(ranks[~positive])) / n_pos
        auc = float(place[positive].mean())
        aucs.append(auc)
        influence += (place - auc) / np.where(positive, n_pos, n_neg) / tasks.size
    share = counts / n
    centred = a - (a @ share)[:, None] - a.mean(axis=0) + a.mean(axis=0) @ share
    null_variance = float(((centred**2) @ counts).sum() / (n - 1))
    unbiased = counts / (counts - 1.0)
    delong_variance = float(np.sum(influence**2 * unbiased[codes]))
    return BlockStatistics(float(np.mean(aucs)), null_variance, delong_variance)


class FoldTest(NamedTuple):
    """Fold-averaged AUC, its z statistic under no leakage, its standard error."""

    auc: float
    z: float
    std_err: float


def fold_test(
    proba: np.ndarray, codes: np.ndarray, fold: np.ndarray, factor: float
) -> FoldTest:
    """Combine the blocks ``fold == k`` (k >= 0), weighted by their sizes.

    ``factor`` multiplies both variances: 1 when the blocks are independent
    (no scored row trains another block's model), 2 when cross-fitted.
    """
    blocks = [k for k in np.unique(fold) if k >= 0]
    sizes = np.array([np.sum(fold == k) for k in blocks], dtype=np.float64)
    weights = sizes / sizes.sum()
    stats = [block_statistics(proba[fold == k], codes[fold == k]) for k in blocks]
    auc = float(weights @ [s.auc for s in stats])
    null_var = factor * float(weights**2 @ [s.null_variance for s in stats])
    delong_var = factor * float(weights**2 @ [s.delong_variance for s in stats])
    z = (auc - 0.5) / np.sqrt(null_var) if null_var > 0 else 0.0
    return FoldTest(auc, float(z), float(np.sqrt(delong_var)))


class LeakageTest(NamedTuple):
    """The result of :func:`leakage_test` (read its Notes for the design).

    Attributes
    ----------
    auc : float
        Pooled out-of-fold AUC of the adversary, as :func:`leakage_auc` gives.
    ci_low, ci_high : float
        Confidence interval of the adversary's (fold-averaged) AUC.
    pvalue : float
        One-sided p-value against "nothing leaks" (S independent of Z).
    fold_auc : float
        The fold-averaged AUC that the interval and the test are about.
    std_err : float
        Standard error of ``fold_auc``.
    confidence : float
        Confidence level of the interval.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn.linear_model import LogisticRegression
    >>> from sklearn_unlearn.metrics import leakage_test
    >>> rng = np.random.default_rng(0)
    >>> s = rng.integers(0, 2, 600)
    >>> Z = rng.normal(size=(600, 2)) + 0.5 * s[:, None]
    >>> result = leakage_test(Z, s, estimator=LogisticRegression(), random_state=0)
    >>> bool(result.ci_low > 0.5 and result.pvalue < 0.01)
    True
    """

    auc: float
    ci_low: float
    ci_high: float
    pvalue: float
    fold_auc: float
    std_err: float
    confidence: float

    def __repr__(self) -> str:
        return (
            f"LeakageTest(auc={self.auc:.3f}, ci=[{self.ci_low:.3f}, "
            f"{self.ci_high:.3f}] at {self.confidence:.0%}, pvalue={self.pvalue:.3g})"
        )


def _check_blocks(codes: np.ndarray, fold: np.ndarray, n_groups: int) -> None:
    for k in np.unique(fold[fold >= 0]):
        if np.bincount(codes[fold == k], minlength=n_groups).min() == 0:
            raise ValueError(
                f"Test fold {k} of cv lacks a group of the sensitive attribute, so "
                "its AUC is undefined: pass stratified folds (e.g. cv=5)."
            )


@validate_params(
    {
        "Z": ["array-like"],
        "sensitive_features": ["array-like"],
        "estimator": [None, HasMethods(["fit", "predict_proba"])],
        "cv": [Interval(Integral, 2, None, closed="left"), "cv_object"],
        "confidence": [Interval(Real, 0, 1, closed="neither")],
        "n_permutations": [Interval(Integral, 0, None, closed="left")],
        "n_jobs": [None, Integral],
        "random_state": ["random_state"],
    },
    prefer_skip_nested_validation=True,
)
def leakage_test(
    Z,
    sensitive_features,
    *,
    estimator=None,
    cv=5,
    confidence=0.95,
    n_permutations=0,
    n_jobs=None,
    random_state=None,
):
    r"""Adversary AUC with a confidence interval and a p-value against no leakage.

    :func:`leakage_auc` says how well an adversary recovers S from Z; this
    says how sure that figure is: an interval for the adversary's AUC and a
    p-value for "nothing leaks" (S independent of Z). A small p-value is
    evidence of leakage; a large one with an interval hugging 0.5 is evidence
    that this adversary finds none, at this sample size.

    Parameters
    ----------
    Z : array-like of shape (n_samples, n_features)
        The representation to audit (e.g. the output of an unlearner).
    sensitive_features : array-like of shape (n_samples,)
        The sensitive attribute of each row (any discrete labels).
    estimator : classifier with predict_proba, default=None
        The adversary. None uses ``leakage_auc``'s default,
        ``HistGradientBoostingClassifier(random_state=random_state)``.
    cv : int, cross-validation splitter or iterable, default=5
        Folds, as in :func:`leakage_auc`; every test fold needs rows of every
        group. A single held-out split ``[(train, test)]`` is allowed.
    confidence : float in (0, 1), default=0.95
        Confidence level of the interval.
    n_permutations : int, default=0
        0 computes the p-value from the fold rank statistics (no refit). A
        positive number instead permutes S that many times and refits the whole
        cross-fitting each time: a p-value exact at any n for any adversary, at
        ``n_permutations + 1`` times the cost.
    n_jobs : int, default=None
        Folds fitted in parallel (joblib); None means 1.
    random_state : int, RandomState instance or None, default=None
        Seeds the folds, the default adversary and the permutations.

    Returns
    -------
    result : LeakageTest
        Named tuple ``(auc, ci_low, ci_high, pvalue, fold_auc, std_err,
        confidence)``. ``auc`` is the number :func:`leakage_auc` returns for
        the same arguments (out-of-fold scores pooled); ``fold_auc`` averages
        the folds' AUCs (weighted by fold size), and the interval and p-value
        are about it. Both estimate the AUC of an adversary trained on the
        training part of a fold and are usually within 0.01 of each other.

    See Also
    --------
    leakage_auc : The point estimate alone.
    leakage_certificate : A bound on every adversary, for finite-valued Z.

    Notes
    -----
    **Statistic.** Within fold :math:`k` the model :math:`f_k` never saw the
    fold's rows, so the fold's AUC :math:`A_k` is a two-sample rank statistic
    (Mann-Whitney; a classifier two-sample test in the sense of Lopez-Paz &
    Oquab, 2017). For G > 2 groups :math:`A_k` is the macro one-vs-rest
    average, as in ``leakage_auc``. The test uses
    :math:`\bar A = \sum_k w_k A_k` with :math:`w_k = n_k / n`. Pooling the
    out-of-fold scores of different models does not give a rank statistic
    with a known law, which is why the pooled ``auc`` is only reported.

    **Null law.** If S is independent of Z, the labels of a fold are a random
    permutation given its scores, so :math:`A_k` has mean 1/2 and an exact
    permutation variance :math:`V_k` (Hoeffding's formula for a linear rank
    statistic: tie-corrected Mann-Whitney for two groups, the macro average
    for more). The folds are not independent: :math:`f_j` is trained on fold
    :math:`k`'s labels and :math:`f_k` on fold :math:`j`'s. To first order in
    the labels, :math:`\sum_k A_k` is a sum over pairs of rows in different
    folds of :math:`s_i s_l (h(i, l) + h(l, i))`, :math:`h(i, l)` the influence
    of row :math:`l`'s label on the score of row :math:`i`; by Cauchy-Schwarz
    its variance is at most twice :math:`\sum_k \mathrm{Var}(A_k)`, with
    equality for learners whose influence is symmetric (linear models, kernel
    smoothers, nearest neighbours, trees to first order). The p-value is
    therefore :math:`1 - \Phi(z)`, :math:`z = (\bar A - 1/2) / \sqrt{2
    \sum_k w_k^2 V_k}`: one-sided (an out-of-fold AUC below 1/2 is the known
    downward bias of cross-validation under the null, not leakage). Measured
    null variance of the uninflated :math:`z`: 1.75 to 2.07 for logistic
    regression, k-nearest neighbours and gradient boosting. For a single
    held-out split (no scored row trains a model) the factor is 1 and the
    test is exact up to the normal approximation. With ``n_permutations =
    B > 0`` the p-value is :math:`(1 + \#\{b: \bar A_b \ge \bar A\}) / (B +
    1)` over refits on permuted S, exact by exchangeability (as
    ``sklearn.model_selection.permutation_test_score``).

    **Interval.** :math:`\bar A \pm z_{(1+c)/2} \sqrt{2 \sum_k w_k^2 D_k}`
    clipped to [0, 1], with :math:`D_k` DeLong's placement-value variance of
    :math:`A_k` (DeLong, DeLong & Clarke-Pearson, 1988), the influence-curve
    interval of a cross-validated AUC (LeDell, Petersen & van der Laan, 2015)
    with the same cross-fitting factor; under the null :math:`D_k \approx V_k`.
    Away from the null the factor makes the interval conservative.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn.linear_model import LogisticRegression
    >>> from sklearn_unlearn.metrics import leakage_test
    >>> rng = np.random.default_rng(0)
    >>> s = rng.integers(0, 2, 2000)
    >>> Z = rng.normal(size=(2000, 3)) + 0.2 * s[:, None]  # weak leakage
    >>> result = leakage_test(Z, s, estimator=LogisticRegression(), random_state=0)
    >>> result
    LeakageTest(auc=0.591, ci=[0.558, 0.628] at 95%, pvalue=2.1e-07)
    >>> bool(result.pvalue < 0.01 and result.ci_low > 0.5)
    True
    """
    fit = cross_fit(
        Z,
        sensitive_features,
        estimator=estimator,
        cv=cv,
        random_state=random_state,
        n_jobs=n_jobs,
    )
    n_groups = fit.proba.shape[1]
    _check_blocks(fit.codes, fit.fold, n_groups)
    scored = fit.fold >= 0
    factor = CROSS_FIT_FACTOR if fit.crossed else 1.0
    test = fold_test(fit.proba, fit.codes, fit.fold, factor)
    pvalue = float(norm.sf(test.z))
    if n_permutations:
        rng = check_random_state(random_state)
        rng.randint(2**31 - 1)  # the seed cross_fit drew
        exceed = 0
        for _ in range(n_permutations):
            permuted = fit.codes[rng.permutation(fit.codes.size)]
            refit = cross_fit(
                fit.Z,
                permuted,
                estimator=estimator,
                cv=cv,
                random_state=int(rng.randint(2**31 - 1)),
                n_jobs=n_jobs,
            )
            _check_blocks(refit.codes, refit.fold, n_groups)
            exceed += fold_test(refit.proba, refit.codes, refit.fold, 1.0).auc >= (
                test.auc
            )
        pvalue = (1.0 + exceed) / (n_permutations + 1.0)
    half_width = norm.ppf(0.5 + confidence / 2) * test.std_err
    return LeakageTest(
        auc=pooled_auc(fit.codes[scored], fit.proba[scored]),
        ci_low=float(max(test.auc - half_width, 0.0)),
        ci_high=float(min(test.auc + half_width, 1.0)),
        pvalue=pvalue,
        fold_auc=test.auc,
        std_err=test.std_err,
        confidence=float(confidence),
    )
