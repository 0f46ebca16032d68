"""How much a domain or a set of rows has been forgotten."""

from numbers import Real
from typing import NamedTuple

import numpy as np

from sklearn_unlearn.metrics._checks import (
    check_float_matrix,
    check_proba,
    shape_of,
)
from sklearn_unlearn.selection._frontier import (
    edit_kl,
    gaussian_kl_full,
    gaussian_kl_shared,
    pareto_alpha_max,
)
from sklearn_unlearn.selection._stats import domain_stats
from sklearn_unlearn.utils._compat import Interval, StrOptions, validate_params
from sklearn_unlearn.utils._information import soft_mutual_information
from sklearn_unlearn.utils._scale import power_of_two_scale

__all__ = [
    "DistributionalReport",
    "distributional_unlearning_report",
    "gaussian_kl",
    "gaussian_pareto_frontier",
    "marginal_information",
]


def _moments(mean, cov, mean_name, cov_name):
    mean = _as_float(mean, mean_name)
    cov = _as_float(cov, cov_name)
    if mean.ndim != 1 or cov.shape != (mean.size, mean.size):
        raise ValueError(
            f"{mean_name} must be 1-D, of shape (d,), and {cov_name} 2-D, of shape "
            f"(d, d), with the same d; got shapes {mean.shape} and {cov.shape}."
        )
    for values, name in ((mean, mean_name), (cov, cov_name)):
        if not np.all(np.isfinite(values)):
            raise ValueError(f"{name} must be finite; it holds NaN or infinity.")
    return mean, cov


def _check_spd(cov, name):
    if not np.allclose(cov, cov.T) or np.linalg.eigvalsh(cov).min() <= 0:
        raise ValueError(f"{name}: the covariance must be symmetric positive definite.")


def _as_float(values, name):
    try:
        return np.asarray(values, dtype=np.float64)
    except (TypeError, ValueError):
        raise ValueError(f"{name} must hold numbers.") from None


@validate_params(
    {
        "mean_p": ["array-like"],
        "cov_p": ["array-like"],
        "mean_q": ["array-like"],
        "cov_q": [None, "array-like"],
    },
    prefer_skip_nested_validation=True,
)
def gaussian_kl(mean_p, cov_p, mean_q, cov_q=None):
    r"""Kullback-Leibler divergence between two Gaussians, in nats.

    Parameters
    ----------
    mean_p, cov_p : array-like of shape (d,) and (d, d)
        The reference distribution :math:`p = N(m_p, C_p)` (first argument).
    mean_q : array-like of shape (d,)
        Mean of :math:`q`.
    cov_q : array-like of shape (d, d), default=None
        Covariance of :math:`q`; None means the shared-covariance form
        :math:`C_q = C_p`.

    Returns
    -------
    kl : float
        :math:`KL(p \| q)`.

    Notes
    -----
    :math:`KL = \frac12 [\mathrm{tr}(C_q^{-1} C_p) + (m_q - m_p)^T C_q^{-1} (m_q -
    m_p) - d + \log\det C_q - \log\det C_p]`, which is
    :math:`\frac12 \Delta^T C^{-1} \Delta` for a shared covariance.
    It does not depend on units: it is computed after dividing the means by a
    power of two close to the largest standard deviation (and the covariances by
    its square), so it is the same for data in any unit, from 1e-150 to 1e150.

    Examples
    --------
    >>> from sklearn_unlearn.metrics import gaussian_kl
    >>> gaussian_kl([0.0], [[1.0]], [2.0])
    2.0
    """
    mean_p, cov_p = _moments(mean_p, cov_p, "mean_p", "cov_p")
    shared = cov_q is None
    mean_q, cov_q = _moments(
        mean_q, cov_p if shared else cov_q, "mean_q", "cov_p" if shared else "cov_q"
    )
    if mean_q.size != mean_p.size:
        raise ValueError(
            f"p and q dimensions differ: mean_p has {mean_p.size} entries but mean_q "
            f"has {mean_q.size}."
        )
    # KL is invariant to a common change of units: work at unit scale (exact
    # divisions by powers of two), so that no product under- or overflows
    scale = power_of_two_scale(np.sqrt(np.r_[np.diag(cov_p), np.diag(cov_q)]))
    mean_p, mean_q = mean_p / scale, mean_q / scale
    cov_p, cov_q = cov_p / scale / scale, cov_q / scale / scale
    _check_spd(cov_p, "cov_p")
    if shared:
        return gaussian_kl_shared(mean_p, mean_q, cov_p)
    _check_spd(cov_q, "cov_q")
    return gaussian_kl_full(mean_p, cov_p, mean_q, cov_q)


@validate_params(
    {
        "kappa": ["array-like", Interval(Real, 0, None, closed="left")],
        "epsilon": ["array-like", Interval(Real, 0, None, closed="left")],
    },
    prefer_skip_nested_validation=True,
)
def gaussian_pareto_frontier(kappa, epsilon):
    r"""Best achievable removal at a given preservation cost (Gaussian frontier).

    Parameters
    ----------
    kappa : float or array-like
        Separability :math:`\kappa = KL(p_1 \| p_2)` of the two domains (>= 0).
    epsilon : float or array-like
        Preservation budget :math:`KL(p_2 \| \hat p) \le \epsilon` (>= 0).

    Returns
    -------
    alpha_max : float or ndarray
        :math:`(\sqrt\kappa + \sqrt\epsilon)^2`, the largest :math:`KL(p_1 \|
        \hat p)` any edit can reach (broadcast over the inputs).

    Notes
    -----
    For Gaussians with a shared covariance and a mean-only refit (Allouah,
    Guerraoui and Koyejo), the frontier is reached by the edited mean
    :math:`\mu^* = \mu_2 + \sqrt{\epsilon/\kappa}(\mu_2 - \mu_1)`. Deleting the whole
    forget set gives :math:`\epsilon = 0`, :math:`\alpha = \kappa`: not Pareto
    optimal, since the slope :math:`1 + \sqrt{\kappa/\epsilon}` is unbounded at 0.
    Conversely the least cost of a removal :math:`\alpha` is
    :math:`\max(0, \sqrt\alpha - \sqrt\kappa)^2`.

    Examples
    --------
    >>> from sklearn_unlearn.metrics import gaussian_pareto_frontier
    >>> round(float(gaussian_pareto_frontier(2.0, 0.1)), 5)
    2.99443
    """
    kappa, epsilon = _as_float(kappa, "kappa"), _as_float(epsilon, "epsilon")
    try:
        np.broadcast_shapes(kappa.shape, epsilon.shape)
    except ValueError:
        raise ValueError(
            f"kappa (shape {kappa.shape}) and epsilon (shape {epsilon.shape}) must "
            "broadcast together: pass arrays of the same shape, or a scalar for one "
            "of them."
        ) from None
    for values, name in ((kappa, "kappa"), (epsilon, "epsilon")):
        if np.any(np.isnan(values)) or np.any(values < 0):
            raise ValueError(
                f"{name} must be nonnegative (it is a KL divergence); it holds "
                f"{'NaN' if np.any(np.isnan(values)) else 'negative values'}."
            )
    result = pareto_alpha_max(kappa, epsilon)
    return float(result) if result.ndim == 0 else result


class DistributionalReport(NamedTuple):
    """Plug-in KLs of an edited data set.

    Result of :func:`distributional_unlearning_report`.

    Attributes
    ----------
    alpha : float
        :math:`KL(p_1 \\| \\hat p)`: removal of the forget domain (higher is
        better).
    epsilon : float
        :math:`KL(p_2 \\| \\hat p)`: damage to the retained domain (lower is
        better).
    kappa : float
        :math:`KL(p_1 \\| p_2)`: separability of the two domains.
    n_deleted : int
        Number of forget rows deleted.
    n_forget : int
        Size of the forget set.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn_unlearn.metrics import distributional_unlearning_report
    >>> rng = np.random.default_rng(0)
    >>> X_forget = rng.normal(2.0, 1.0, size=(100, 2))
    >>> X_retain = rng.normal(0.0, 1.0, size=(300, 2))
    >>> report = distributional_unlearning_report(
    ...     X_forget, X_retain, keep_mask=np.zeros(100, dtype=bool)
    ... )
    >>> report.n_deleted, bool(report.epsilon < 1e-12)  # all deleted: p_hat = p_2
    (100, True)
    """

    alpha: float  # KL(p1 || p_hat): removal, higher is better
    epsilon: float  # KL(p2 || p_hat): preservation, lower is better
    kappa: float  # KL(p1 || p2): separability of the domains
    n_deleted: int
    n_forget: int


@validate_params(
    {
        "X_forget": ["array-like"],
        "X_retain": ["array-like"],
        "keep_mask": ["array-like"],
        "family": [StrOptions({"gaussian_mean", "gaussian"})],
        "reg": [Interval(Real, 0, None, closed="left")],
    },
    prefer_skip_nested_validation=True,
)
def distributional_unlearning_report(
    X_forget, X_retain, keep_mask, *, family="gaussian_mean", reg=1e-6
):
    r"""Removal and preservation of an edit of the data, by plug-in Gaussians.

    Parameters
    ----------
    X_forget : array-like of shape (n_forget, n_features)
        Samples of the unwanted domain :math:`p_1`.
    X_retain : array-like of shape (n_retain, n_features)
        Samples of the retained domain :math:`p_2` (never edited).
    keep_mask : array-like of bool, shape (n_forget,)
        False for the forget samples that are deleted.
    family : {"gaussian_mean", "gaussian"}, default="gaussian_mean"
        ``"gaussian_mean"``: Gaussians sharing the pooled within-domain
        covariance, only the means differ (the paper's model). ``"gaussian"``:
        each distribution with its own mean and covariance.
    reg : float, default=1e-6
        Ridge added to every covariance, relative to its mean variance.

    Returns
    -------
    report : DistributionalReport
        ``alpha`` = :math:`KL(p_1 \| \hat p)` (removal, higher is better),
        ``epsilon`` = :math:`KL(p_2 \| \hat p)` (preservation, lower is better),
        ``kappa`` = :math:`KL(p_1 \| p_2)`, ``n_deleted`` and ``n_forget``.

    Notes
    -----
    :math:`\hat p` is fitted on the edited data: the kept forget samples and all
    retained ones. An edit is :math:`(\alpha, \epsilon)`-distributionally
    unlearned when :math:`KL(p_1 \| \hat p) \ge \alpha` and :math:`KL(p_2 \| \hat
    p) \le \epsilon`; compare with :func:`gaussian_pareto_frontier`.
    The KLs do not depend on units: they are computed on the data divided by a
    power of two close to its largest absolute value, so rescaling both data
    sets by a common factor (1e-300 or 1e300 alike) leaves them unchanged.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn_unlearn.metrics import distributional_unlearning_report
    >>> rng = np.random.default_rng(0)
    >>> X1, X2 = rng.normal(2.0, 1.0, (500, 1)), rng.normal(0.0, 1.0, (1000, 1))
    >>> everything = distributional_unlearning_report(X1, X2, np.zeros(500, bool))
    >>> bool(abs(everything.alpha - everything.kappa) < 1e-9), everything.epsilon
    (True, 0.0)
    """
    X1 = check_float_matrix(X_forget, "X_forget").astype(np.float64)
    X2 = check_float_matrix(X_retain, "X_retain").astype(np.float64)
    if X1.shape[1] != X2.shape[1]:
        raise ValueError(
            f"X_forget has {X1.shape[1]} features but X_retain has {X2.shape[1]}."
        )
    shape = shape_of(keep_mask, "keep_mask")
    keep = np.asarray(keep_mask)
    if keep.dtype != bool or shape != (X1.shape[0],):
        raise ValueError(
            f"keep_mask must be a boolean array of shape ({X1.shape[0]},), one entry "
            f"per forget sample; got dtype {keep.dtype} and shape {shape}."
        )
    if X2.shape[0] < 2:
        raise ValueError("X_retain needs at least 2 samples to estimate p2.")
    # the KLs do not depend on units: work at unit scale (an exact division by a
    # power of two), so that no covariance under- or overflows
    scale = power_of_two_scale(np.r_[np.abs(X1).max(axis=0), np.abs(X2).max(axis=0)])
    X1, X2 = X1 / scale, X2 / scale
    stats = domain_stats(X1, np.arange(X1.shape[0]), X2, np.arange(X2.shape[0]))
    edit = edit_kl(X1, np.flatnonzero(~keep), stats, family, reg)
    return DistributionalReport(
        alpha=float(edit.alpha[0]),
        epsilon=float(edit.epsilon[0]),
        kappa=edit.kappa,
        n_deleted=int(np.sum(~keep)),
        n_forget=int(X1.shape[0]),
    )


@validate_params(
    {"proba_full": ["array-like"], "proba_retain": ["array-like"]},
    prefer_skip_nested_validation=True,
)
def marginal_information(proba_full, proba_retain):
    r"""Marginal information of the forgotten rows in a model's outputs, in nats.

    The marginal unlearning criterion: pool the model's outputs on the whole
    training set (label :math:`S' = 0`) and on the retained rows (:math:`S' = 1`);
    the forget set has left no trace when :math:`I(f(X); S') = 0`. Lower is better.

    Parameters
    ----------
    proba_full : array-like of shape (n_train, n_classes)
        ``predict_proba`` on all training rows (retained and forgotten).
    proba_retain : array-like of shape (n_retain, n_classes)
        ``predict_proba`` on the retained rows.

    Returns
    -------
    mi : float
        The soft plug-in estimate :math:`\sum_{c,z} p(c,z) \log\frac{p(c,z)}{p(c)
        p(z)}` with :math:`p(c, z) = \frac1N \sum_i P_{ic} 1\{S'_i = z\}`.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn_unlearn.metrics import marginal_information
    >>> P = np.array([[0.9, 0.1], [0.2, 0.8]])
    >>> marginal_information(P, P)
    0.0
    """
    full = check_proba(proba_full, "proba_full")
    retain = check_proba(proba_retain, "proba_retain")
    if full.shape[1] != retain.shape[1]:
        raise ValueError(
            f"proba_full has {full.shape[1]} classes but proba_retain has "
            f"{retain.shape[1]}."
        )
    labels = np.r_[np.zeros(full.shape[0], np.intp), np.ones(retain.shape[0], np.intp)]
    return soft_mutual_information(np.vstack([full, retain]), labels)
