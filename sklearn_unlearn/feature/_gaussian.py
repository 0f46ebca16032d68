"""Gaussian (Bures-Wasserstein) barycenters and maps: on moments, or on samples.

Each closed form on moments (:func:`gaussian_barycenter`,
:func:`gaussian_transport_map`) has an ``empirical_*`` twin that takes samples
and applies it to their means and (biased, ``ddof=0``) covariances: the
moments :class:`BarycenterFeatureUnlearner` fits with ``method="gaussian"``.
Both return the same result types (:class:`GaussianBarycenter`,
:class:`AffineMap`).
"""

import warnings
from numbers import Integral, Real

import numpy as np
from sklearn.exceptions import ConvergenceWarning
from sklearn.utils.validation import check_array
from threadpoolctl import threadpool_limits

from sklearn_unlearn.feature._bures import (
    AffineMap,
    GaussianBarycenter,
    bures_barycenter,
    bures_maps,
)
from sklearn_unlearn.feature._moments import group_moments
from sklearn_unlearn.utils._compat import Interval, StrOptions, validate_params
from sklearn_unlearn.utils._docs import fill_docs
from sklearn_unlearn.utils._groups import group_weights
from sklearn_unlearn.utils._sensitive import check_group_counts, parse_sensitive

__all__ = [
    "AffineMap",
    "GaussianBarycenter",
    "empirical_gaussian_barycenter",
    "empirical_gaussian_transport_map",
    "gaussian_barycenter",
    "gaussian_transport_map",
]


def _check_moments(means, covariances, *, stacked: bool):
    means = np.asarray(means, dtype=np.float64)
    covariances = np.asarray(covariances, dtype=np.float64)
    want = 2 if stacked else 1
    if means.ndim != want or covariances.ndim != want + 1:
        shape = "(n_groups, n_features)" if stacked else "(n_features,)"
        raise ValueError(
            f"means must have shape {shape} and covariances one more axis of "
            f"n_features; got {means.shape} and {covariances.shape}."
        )
    if (
        covariances.shape[:-1] != means.shape
        or covariances.shape[-1] != means.shape[-1]
    ):
        raise ValueError(
            f"covariances has shape {covariances.shape}, which does not match means "
            f"{means.shape}: each covariance is (n_features, n_features)."
        )
    if not (np.all(np.isfinite(means)) and np.all(np.isfinite(covariances))):
        raise ValueError("means and covariances must be finite (no NaN or inf).")
    asym = np.abs(covariances - np.swapaxes(covariances, -1, -2)).max(initial=0.0)
    if asym > 1e-8 * max(np.abs(covariances).max(initial=0.0), 1.0):
        raise ValueError("covariances must be symmetric.")
    lowest = np.linalg.eigvalsh(covariances).min(initial=0.0)
    if lowest < -1e-8 * max(np.abs(covariances).max(initial=0.0), 1.0):
        raise ValueError(
            f"covariances must be positive semi-definite; found an eigenvalue "
            f"{lowest:.3g}."
        )
    return means, covariances


@validate_params(
    {
        "means": ["array-like"],
        "covariances": ["array-like"],
        "weights": ["array-like"],
        "tol": [Interval(Real, 0, None, closed="left")],
        "max_iter": [Interval(Integral, 1, None, closed="left")],
    },
    prefer_skip_nested_validation=True,
)
def gaussian_barycenter(means, covariances, weights, *, tol=1e-10, max_iter=100):
    r"""Wasserstein-2 barycenter of Gaussian distributions.

    Parameters
    ----------
    means : array-like of shape (n_groups, n_features)
        Means :math:`m_s` of the groups.
    covariances : array-like of shape (n_groups, n_features, n_features)
        Symmetric positive semi-definite covariances :math:`C_s`.
    weights : array-like of shape (n_groups,)
        Nonnegative barycenter weights :math:`p_s` (normalised to sum to one).
        There is no default on purpose: use the group proportions to follow the
        theory, not uniform weights by accident.
    tol : float, default=1e-10
        Stop when the relative Frobenius change of the covariance is below it.
    max_iter : int, default=100
        Maximum number of fixed-point iterations.

    Returns
    -------
    result : GaussianBarycenter
        Named tuple ``(mean, covariance, n_iter, converged)``.

    See Also
    --------
    gaussian_transport_map : The optimal affine map between two Gaussians.
    empirical_gaussian_barycenter : The same on the moments of samples.
    BarycenterFeatureUnlearner : The estimator that fits these on data.

    Notes
    -----
    The barycenter of :math:`N(m_s, C_s)` with weights :math:`p_s` is Gaussian with
    mean :math:`\bar m = \sum_s p_s m_s` and the covariance :math:`\bar C` solving
    :math:`\bar C = \sum_s p_s (\bar C^{1/2} C_s \bar C^{1/2})^{1/2}`, found by the
    fixed point :math:`C \leftarrow C^{-1/2} (\sum_s p_s (C^{1/2} C_s
    C^{1/2})^{1/2})^2 C^{-1/2}` started at :math:`\sum_s p_s C_s` [1]_. Square
    roots use symmetric eigendecompositions with clipped eigenvalues.

    References
    ----------
    .. [1] P. C. Alvarez-Esteban, E. del Barrio, J. A. Cuesta-Albertos and
       C. Matran, "A fixed-point approach to barycenters in Wasserstein space",
       J. Math. Anal. Appl. 441, 2016.

    Examples
    --------
    >>> from sklearn_unlearn.feature import gaussian_barycenter
    >>> bary = gaussian_barycenter([[0.0], [4.0]], [[[1.0]], [[9.0]]], [0.5, 0.5])
    >>> bary.mean, bary.covariance
    (array([2.]), array([[4.]]))
    """
    means, covariances = _check_moments(means, covariances, stacked=True)
    weights = np.asarray(weights, dtype=np.float64)
    if weights.shape != (means.shape[0],):
        raise ValueError(
            f"weights has shape {weights.shape}; expected ({means.shape[0]},), one "
            "weight per group."
        )
    if not np.all(np.isfinite(weights)) or np.any(weights < 0) or weights.sum() <= 0:
        raise ValueError("weights must be finite, nonnegative and not all zero.")
    return _barycenter(
        means,
        covariances,
        weights / weights.sum(),
        tol,
        max_iter,
        "gaussian_barycenter",
    )


@validate_params(
    {
        "mean_source": ["array-like"],
        "covariance_source": ["array-like"],
        "mean_target": ["array-like"],
        "covariance_target": ["array-like"],
    },
    prefer_skip_nested_validation=True,
)
def gaussian_transport_map(
    mean_source, covariance_source, mean_target, covariance_target
):
    r"""Optimal (Brenier) map from one Gaussian to another, or from a stack of them.

    Parameters
    ----------
    mean_source : array-like of shape (n_features,) or (n_groups, n_features)
        Source mean(s).
    covariance_source : array-like of shape (n_features, n_features)
        Source covariance(s), symmetric PSD; stacked as (n_groups, n_features,
        n_features) for stacked source means.
    mean_target : array-like of shape (n_features,)
        Target mean.
    covariance_target : array-like of shape (n_features, n_features)
        Target covariance, symmetric PSD.

    Returns
    -------
    map : AffineMap
        Named tuple ``(linear, offset)`` with ``T(x) = x @ linear + offset``; stacked
        along the first axis for stacked sources.

    Notes
    -----
    :math:`T(x) = m_t + A (x - m_s)` with :math:`A = C_s^{-1/2} (C_s^{1/2} C_t
    C_s^{1/2})^{1/2} C_s^{-1/2}`, symmetric positive semi-definite (a
    pseudo-inverse is used for singular :math:`C_s`). For the barycenter maps of
    :class:`BarycenterFeatureUnlearner`, pass the groups' moments as sources and
    the :func:`gaussian_barycenter` as target.

    See Also
    --------
    empirical_gaussian_transport_map : The same on the moments of samples.

    Examples
    --------
    >>> from sklearn_unlearn.feature import gaussian_transport_map
    >>> T = gaussian_transport_map([0.0], [[1.0]], [2.0], [[4.0]])
    >>> T.linear, T.offset
    (array([[2.]]), array([2.]))
    """
    stacked = np.ndim(mean_source) == 2
    ms, Cs = _check_moments(mean_source, covariance_source, stacked=stacked)
    mt, Ct = _check_moments(mean_target, covariance_target, stacked=False)
    if mt.shape[-1] != ms.shape[-1]:
        raise ValueError(
            f"Source and target dimensions differ: {ms.shape[-1]} != {mt.shape[-1]}."
        )
    return _transport_map(ms, Cs, mt, Ct)


def _barycenter(means, covariances, weights, tol, max_iter, name):
    with threadpool_limits(limits=1, user_api="blas"):
        result = bures_barycenter(means, covariances, weights, tol, max_iter)
    if not result.converged:
        warnings.warn(
            f"{name} did not converge in max_iter={max_iter} iterations (tol={tol}).",
            ConvergenceWarning,
            stacklevel=3,
        )
    return result


def _transport_map(ms, Cs, mt, Ct) -> AffineMap:
    if mt.shape[-1] != ms.shape[-1]:
        raise ValueError(
            f"Source and target dimensions differ: {ms.shape[-1]} != {mt.shape[-1]}."
        )
    with threadpool_limits(limits=1, user_api="blas"):
        linear = bures_maps(Cs, Ct)
    offset = mt - np.einsum("...j,...jk->...k", ms, linear)
    return AffineMap(linear=linear, offset=offset)


def _sample_moments(X, name: str) -> tuple[np.ndarray, np.ndarray]:
    """Mean and biased (``ddof=0``) covariance of the rows of ``X``."""
    X = check_array(X, dtype=np.float64, ensure_min_samples=2, input_name=name)
    moments = group_moments(X, np.zeros(X.shape[0], dtype=np.intp), 1)
    return moments.means[0], moments.covariances[0]


@validate_params(
    {
        "X": ["array-like"],
        "groups": ["array-like"],
        "weights": [StrOptions({"proportional", "uniform"}), "array-like"],
        "tol": [Interval(Real, 0, None, closed="left")],
        "max_iter": [Interval(Integral, 1, None, closed="left")],
    },
    prefer_skip_nested_validation=True,
)
@fill_docs
def empirical_gaussian_barycenter(
    X, groups, *, weights="proportional", tol=1e-10, max_iter=100
):
    r"""Wasserstein-2 barycenter of the Gaussians fitted to groups of samples.

    Parameters
    ----------
    X : array-like of shape (n_samples, n_features)
        Samples of all groups.
    groups : array-like of shape (n_samples,) or (n_samples, n_attributes)
        Group of each sample (several columns: intersectional groups).
    %(weights)s
    tol : float, default=1e-10
        Stop when the relative Frobenius change of the covariance is below it.
    max_iter : int, default=100
        Maximum number of fixed-point iterations.

    Returns
    -------
    result : GaussianBarycenter
        Named tuple ``(mean, covariance, n_iter, converged)``.

    See Also
    --------
    gaussian_barycenter : The same on given moments.

    Notes
    -----
    Group :math:`s` is summarised by the mean :math:`m_s` and the biased
    covariance :math:`C_s = \frac{1}{n_s} \sum_{i \in s} (x_i - m_s)
    (x_i - m_s)^\top` of its samples, and :func:`gaussian_barycenter` is
    applied to them: the barycenter that ``BarycenterFeatureUnlearner(
    method="gaussian", reg=0)`` fits.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn_unlearn.feature import empirical_gaussian_barycenter
    >>> X = np.array([[-1.0], [1.0], [2.0], [6.0]])
    >>> bary = empirical_gaussian_barycenter(X, [0, 0, 1, 1])
    >>> bary.mean, bary.covariance  # means 0 and 4, standard deviations 1 and 2
    (array([2.]), array([[2.25]]))
    """
    X = check_array(X, dtype=np.float64, input_name="X")
    record = parse_sensitive(X, groups, param="groups")
    check_group_counts(
        record.encoding, what="a barycenter", hint="Pass more samples of them."
    )
    moments = group_moments(X, record.codes, record.encoding.groups.size)
    p = group_weights(weights, moments.counts)
    return _barycenter(
        moments.means,
        moments.covariances,
        p,
        tol,
        max_iter,
        "empirical_gaussian_barycenter",
    )


@validate_params(
    {"X_source": ["array-like"], "X_target": ["array-like"]},
    prefer_skip_nested_validation=True,
)
def empirical_gaussian_transport_map(X_source, X_target):
    r"""Optimal map between the Gaussians fitted to two samples.

    Parameters
    ----------
    X_source : array-like of shape (n_source, n_features)
        Samples of the source law.
    X_target : array-like of shape (n_target, n_features)
        Samples of the target law.

    Returns
    -------
    map : AffineMap
        Named tuple ``(linear, offset)`` with ``T(x) = x @ linear + offset``.

    See Also
    --------
    gaussian_transport_map : The same on given moments.

    Notes
    -----
    :func:`gaussian_transport_map` applied to the means and biased
    (``ddof=0``) covariances of the two samples: the map sends the source
    sample onto a sample with the target's mean and covariance.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn_unlearn.feature import empirical_gaussian_transport_map
    >>> T = empirical_gaussian_transport_map([[-1.0], [1.0]], [[0.0], [4.0]])
    >>> T.linear, T.offset  # x -> 2 x + 2
    (array([[2.]]), array([2.]))
    """
    ms, Cs = _sample_moments(X_source, "X_source")
    mt, Ct = _sample_moments(X_target, "X_target")
    return _transport_map(ms, Cs, mt, Ct)
