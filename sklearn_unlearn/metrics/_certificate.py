"""A certificate of forgetting for representations with finitely many values.

When the rows of Z take few distinct values (the stochastic unlearner's
output, or any discretised Z), the groups' laws of Z can be compared directly,
and a high-confidence upper bound on their total variation bounds what ANY
adversary or downstream classifier can do, not only the one an audit trained.
"""

import warnings
from numbers import Real
from typing import NamedTuple

import numpy as np

from sklearn_unlearn.metrics._checks import check_audit_input
from sklearn_unlearn.utils._compat import Interval, validate_params

__all__ = ["LeakageCertificate", "leakage_certificate"]

#: Fewest rows of the smallest group per distinct value of Z below which the
#: bound is mostly sampling noise (a warning says so).
ROWS_PER_VALUE = 10


def pairwise_total_variation(
    values: np.ndarray, codes: np.ndarray, n_values: int, n_groups: int
) -> np.ndarray:
    """(n_groups, n_groups) total variation between the groups' empirical laws.

    ``values`` (n,) is the index of each row's distinct value, ``codes`` (n,)
    its group.
    """
    table = np.zeros((n_groups, n_values))
    np.add.at(table, (codes, values), 1.0)
    laws = table / table.sum(axis=1, keepdims=True)
    tv = np.zeros((n_groups, n_groups))
    for g in range(n_groups):
        tv[g] = 0.5 * np.abs(laws - laws[g]).sum(axis=1)
    return tv


def deviation(counts: np.ndarray, delta: float) -> np.ndarray:
    """One-sided McDiarmid deviation of each pair's empirical TV at level delta.

    Changing one row of group g moves its empirical law by 1/n_g in TV, so
    ``P(TV_hat < E TV_hat - t) <= exp(-2 t^2 / (1/n_g + 1/n_h))``.
    """
    inverse = 1.0 / counts
    return np.sqrt(np.log(1.0 / delta) * (inverse[:, None] + inverse[None, :]) / 2)


class LeakageCertificate(NamedTuple):
    """The result of :func:`leakage_certificate` (the bounds hold jointly).

    Attributes
    ----------
    tv_bound : float
        Upper bound on every pairwise total variation between groups' laws of Z.
    balanced_accuracy_bound : float
        Bound on any adversary's balanced accuracy for S.
    auc_bound : float
        Bound on any score's ROC AUC, one group against another or the rest.
    parity_gap_bound : float
        Bound on any classifier's demographic-parity gap (equals ``tv_bound``).
    tv : float
        Largest pairwise total variation between the empirical laws.
    n_values : int
        Distinct rows of Z.
    confidence : float
        Probability that the bounds hold.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn_unlearn.metrics import leakage_certificate
    >>> rng = np.random.default_rng(0)
    >>> s = rng.integers(0, 2, 4000)
    >>> Z = rng.integers(0, 4, size=(4000, 1))  # 4 values, independent of s
    >>> bool(leakage_certificate(Z, s).auc_bound < 0.6)
    True
    """

    tv_bound: float
    balanced_accuracy_bound: float
    auc_bound: float
    parity_gap_bound: float
    tv: float
    n_values: int
    confidence: float

    def __repr__(self) -> str:
        return (
            f"LeakageCertificate(tv_bound={self.tv_bound:.3f}, "
            f"balanced_accuracy_bound={self.balanced_accuracy_bound:.3f}, "
            f"auc_bound={self.auc_bound:.3f}, confidence={self.confidence:.0%}, "
            f"n_values={self.n_values})"
        )


@validate_params(
    {
        "Z": ["array-like"],
        "sensitive_features": ["array-like"],
        "confidence": [Interval(Real, 0, 1, closed="neither")],
    },
    prefer_skip_nested_validation=True,
)
def leakage_certificate(Z, sensitive_features, *, confidence=0.95):
    r"""Bound what any adversary can learn about S from a finite-valued Z.

    For a representation whose rows take finitely many distinct values (the
    output of ``BarycenterFeatureUnlearner(method="stochastic")``, or any
    discretised Z), returns an upper bound, holding with probability at least
    ``confidence``, on the total variation (TV) between the groups' laws of Z,
    and what it implies for EVERY adversary and every downstream classifier,
    however strong: no need to trust the audit's choice of adversary.

    Parameters
    ----------
    Z : array-like of shape (n_samples, n_features)
        The representation; rows are compared exactly.
    sensitive_features : array-like of shape (n_samples,)
        The sensitive attribute of each row (any discrete labels).
    confidence : float in (0, 1), default=0.95
        Probability with which all the bounds hold at once.

    Returns
    -------
    certificate : LeakageCertificate
        Named tuple ``(tv_bound, balanced_accuracy_bound, auc_bound,
        parity_gap_bound, tv, n_values, confidence)``.

    Raises
    ------
    ValueError
        When Z has more distinct rows than the smallest group has rows (e.g. a
        continuous Z): the empirical laws then barely overlap and no useful
        bound follows. A warning says when the smallest group has fewer than
        10 rows per distinct value (a loose bound).

    See Also
    --------
    leakage_test : The AUC of one trained adversary, with an interval.

    Notes
    -----
    **Bound.** Let :math:`\hat P_g` be the empirical law of Z over the
    :math:`n_g` rows of group g and :math:`T_{gh} = \tfrac12 \sum_z |\hat
    P_g(z) - \hat P_h(z)|`. Rows are assumed independent given their groups.
    :math:`\mathbb E\, T_{gh} \ge \mathrm{TV}(P_g, P_h)` (Jensen: TV is a
    supremum of linear functions), and changing one row of group g changes
    :math:`T_{gh}` by at most :math:`1/n_g`, so McDiarmid's inequality gives,
    with a union over the :math:`K = G(G-1)/2` pairs and :math:`\delta = 1 -`
    ``confidence``,

    .. math::

        \mathrm{TV}(P_g, P_h) \le T_{gh} + \sqrt{\tfrac12 \log(K/\delta)
        \, (1/n_g + 1/n_h)} \quad \text{for all pairs at once.}

    ``tv_bound`` :math:`\tau` is the largest right-hand side (at most 1). No
    knowledge of the support is needed, unlike an L1 deviation inequality
    for multinomials (Weissman et al., 2003), whose deviation grows like
    :math:`\sqrt{m \log 2 / n_g}` with the support size m. The support enters
    instead through the upward bias of :math:`T_{gh}`, about
    :math:`\sqrt{m / n}`: hence the refusal when m exceeds the smallest group.

    **Consequences** (for any functions of Z, randomised or not, however
    they were trained, provided they do not see S):

    * demographic parity: :math:`|P(h(Z) = 1 \mid g) - P(h(Z) = 1 \mid h')|
      \le \tau` (``parity_gap_bound``);
    * balanced accuracy of an adversary guessing S among G groups:
      :math:`\tfrac1G \sum_g P(\hat S = g \mid g) \le \tfrac1G \int \max_g p_g
      \le (1 + (G - 1) \tau) / G`, which is :math:`(1 + \tau)/2` for two groups
      and chance (1/G) when :math:`\tau = 0`;
    * ROC AUC of any score, one group against another or against the rest
      (the rest's law is a mixture, within :math:`\tau` of each group):
      :math:`|2\,\mathrm{AUC} - 1| \le \tau` by a maximal coupling, so
      ``auc_bound`` :math:`= (1 + \tau)/2`; it bounds the population AUC of
      :func:`leakage_auc`'s adversary too.

    Audit rows that were not used to fit the unlearner: the bound is about the
    law of its output for fresh rows, which rows it was fitted on do not
    follow independently.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn_unlearn.metrics import leakage_certificate
    >>> rng = np.random.default_rng(0)
    >>> s = rng.integers(0, 2, 4000)
    >>> Z = rng.integers(0, 8, size=(4000, 1))  # 8 values, independent of S
    >>> leakage_certificate(Z, s)
    LeakageCertificate(tv_bound=0.081, balanced_accuracy_bound=0.541,
    auc_bound=0.541, confidence=95%, n_values=8)
    """
    Z, codes, counts = check_audit_input(Z, sensitive_features)
    rows, values = np.unique(Z, axis=0, return_inverse=True)
    n_values, n_groups = rows.shape[0], counts.size
    smallest = int(counts.min())
    if n_values > smallest:
        raise ValueError(
            f"Z has {n_values} distinct rows but the smallest group of "
            f"sensitive_features has {smallest} rows: the empirical laws barely "
            "overlap and no useful bound follows. The certificate is for Z with "
            "few distinct rows (the stochastic method's output on enough rows); "
            "discretise Z first (e.g. KBinsDiscretizer) or use leakage_test."
        )
    if n_values * ROWS_PER_VALUE > smallest:
        warnings.warn(
            f"Z has {n_values} distinct rows for {smallest} rows in the smallest "
            f"group (fewer than {ROWS_PER_VALUE} per value): the bound is loose, "
            "mostly sampling noise. More rows or a coarser Z tighten it.",
            UserWarning,
            stacklevel=2,
        )
    tv = pairwise_total_variation(values.ravel(), codes, n_values, n_groups)
    pairs = n_groups * (n_groups - 1) / 2
    bound = tv + deviation(counts.astype(np.float64), (1 - confidence) / pairs)
    upper = np.triu_indices(n_groups, k=1)
    tau = float(min(bound[upper].max(), 1.0))
    return LeakageCertificate(
        tv_bound=tau,
        balanced_accuracy_bound=(1 + (n_groups - 1) * tau) / n_groups,
        auc_bound=(1 + tau) / 2,
        parity_gap_bound=tau,
        tv=float(tv[upper].max()),
        n_values=int(n_values),
        confidence=float(confidence),
    )
