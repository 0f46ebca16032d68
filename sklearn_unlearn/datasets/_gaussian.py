"""Synthetic grouped data with Gaussian groups of known means and covariances."""

import numpy as np
from sklearn.utils import check_random_state

from sklearn_unlearn.datasets._grouped import (
    SHARED_CONSTRAINTS,
    check_group_sizes,
    fill_shared_doc,
    gaussian_rows,
    random_spd,
    shuffle_groups,
)
from sklearn_unlearn.utils._compat import validate_params

__all__ = ["make_grouped_gaussian"]


def _check_means(means, n_groups: int, n_features: int) -> np.ndarray:
    means = np.array(means, dtype=np.float64)
    if means.shape != (n_groups, n_features):
        raise ValueError(
            f"means must have shape (n_groups, n_features) = ({n_groups}, "
            f"{n_features}); got shape {means.shape}."
        )
    if not np.all(np.isfinite(means)):
        raise ValueError("means must be finite.")
    return means


def _check_covariances(covariances, n_groups: int, n_features: int) -> np.ndarray:
    covs = np.array(covariances, dtype=np.float64)
    expected = (n_groups, n_features, n_features)
    if covs.shape != expected:
        raise ValueError(
            "covariances must have shape (n_groups, n_features, n_features) = "
            f"{expected}; got shape {covs.shape}."
        )
    if not np.all(np.isfinite(covs)):
        raise ValueError("covariances must be finite.")
    if not np.allclose(covs, np.swapaxes(covs, 1, 2), rtol=1e-10, atol=1e-10):
        raise ValueError("covariances must be symmetric matrices.")
    smallest = np.linalg.eigvalsh(covs)[:, 0]
    if np.any(smallest < -1e-10):
        bad = int(np.argmin(smallest))
        raise ValueError(
            "covariances must be positive semi-definite; covariances"
            f"[{bad}] has eigenvalue {smallest[bad]:.3g}."
        )
    return covs


@fill_shared_doc
@validate_params(
    {
        **SHARED_CONSTRAINTS,
        "means": ["array-like", None],
        "covariances": ["array-like", None],
        "return_means_covariances": ["boolean"],
    },
    prefer_skip_nested_validation=True,
)
def make_grouped_gaussian(
    n_samples: int = 1000,
    n_features: int = 4,
    *,
    n_groups: int = 3,
    group_weights=None,
    means=None,
    covariances=None,
    separation: float = 2.0,
    random_state=None,
    return_means_covariances: bool = False,
) -> tuple[np.ndarray, ...]:
    """Generate groups of Gaussian samples with group-specific mean and covariance.

    Parameters
    ----------
    <head>

    means : array-like of shape (n_groups, n_features), default=None
        Group means. If None, drawn as ``separation * N(0, I)`` per group.

    covariances : array-like of shape (n_groups, n_features, n_features), \
            default=None
        Group covariances, symmetric positive semi-definite. If None, drawn as
        ``Q diag(lambda) Q^T`` with ``Q`` a random orthogonal matrix and the
        eigenvalues ``lambda`` log-uniform in ``[0.25, 4]``, independently per
        group, so the groups differ in scale and orientation.

    <tail>

    return_means_covariances : bool, default=False
        If True, also return the group means and covariances.

    Returns
    -------
    X : ndarray of shape (n_samples, n_features)
        The samples, float64, in shuffled order.

    s : ndarray of shape (n_samples,)
        Integer group label of each sample.

    means : ndarray of shape (n_groups, n_features)
        The true group means. Only returned if ``return_means_covariances``.

    covariances : ndarray of shape (n_groups, n_features, n_features)
        The true group covariances. Only returned if
        ``return_means_covariances``.

    See Also
    --------
    make_grouped_nongaussian : Groups with non-Gaussian distributions.

    Notes
    -----
    The model is

    .. math::

        P(S = k) = w_k, \\qquad X \\mid S = k \\sim \\mathcal{N}(m_k, C_k),

    except that the group sizes :math:`n_k` are fixed to the rounded
    :math:`n w_k` rather than drawn. The Wasserstein-2 barycenter of the groups
    is then the Gaussian with mean :math:`\\sum_k w_k m_k` and the Bures
    barycenter of the :math:`C_k` as covariance, a reference for the barycenter
    methods.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn_unlearn.datasets import make_grouped_gaussian
    >>> X, s = make_grouped_gaussian(100, 2, random_state=0)
    >>> X.shape, np.bincount(s)
    ((100, 2), array([34, 33, 33]))
    >>> X, s, means, covs = make_grouped_gaussian(
    ...     50, 3, n_groups=2, random_state=0, return_means_covariances=True
    ... )
    >>> means.shape, covs.shape
    ((2, 3), (2, 3, 3))
    """
    sizes = check_group_sizes(n_samples, n_groups, group_weights)
    if means is not None:
        means = _check_means(means, n_groups, n_features)
    if covariances is not None:
        covariances = _check_covariances(covariances, n_groups, n_features)

    rng = check_random_state(random_state)
    # draw the defaults unconditionally so that passing one of them does not
    # change the other or the samples for a fixed random_state
    default_means = separation * rng.standard_normal((n_groups, n_features))
    default_covs = np.stack([random_spd(rng, n_features) for _ in range(n_groups)])
    means = default_means if means is None else means
    covariances = default_covs if covariances is None else covariances

    blocks = [
        gaussian_rows(rng, n_k, means[k], covariances[k]) for k, n_k in enumerate(sizes)
    ]
    X, s = shuffle_groups(rng, blocks, sizes)
    if return_means_covariances:
        return X, s, means, covariances
    return X, s
