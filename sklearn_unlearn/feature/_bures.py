r"""Closed forms of the Bures-Wasserstein geometry, on moments (pure kernels).

Arrays in, arrays or NamedTuples out; no validation and no scikit-learn objects.
A Gaussian law is its mean and covariance; between Gaussians the W2 distance,
the optimal maps and the barycenter have closed forms (or a fixed point) on
these moments. Row-vector convention throughout: an affine map acts as
``x @ linear + offset`` (every linear part here is symmetric, so this is also
``linear @ x + offset``). The result types are the public ones, returned
unchanged by :func:`~sklearn_unlearn.feature.gaussian_barycenter` and
:func:`~sklearn_unlearn.feature.gaussian_transport_map`.
"""

from typing import NamedTuple

import numpy as np

from sklearn_unlearn.utils._linalg import psd_power, psd_roots, symmetrize

__all__ = [
    "AffineMap",
    "GaussianBarycenter",
    "bures_barycenter",
    "bures_maps",
    "bures_wasserstein2",
    "mccann_affine",
]


class GaussianBarycenter(NamedTuple):
    """A Bures-Wasserstein barycenter of Gaussians, with solver diagnostics.

    Result of :func:`~sklearn_unlearn.feature.gaussian_barycenter` and
    :func:`~sklearn_unlearn.feature.empirical_gaussian_barycenter`.

    Attributes
    ----------
    mean : ndarray of shape (n_features,)
        Mean of the barycenter (the weighted mean of the group means).
    covariance : ndarray of shape (n_features, n_features)
        Covariance of the barycenter (the fixed point).
    n_iter : int
        Fixed-point iterations run (1 for the closed form of two groups).
    converged : bool
        Whether the fixed point met its tolerance within ``max_iter``.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn_unlearn.feature import gaussian_barycenter
    >>> result = gaussian_barycenter(
    ...     np.zeros((2, 1)), np.array([[[1.0]], [[4.0]]]), np.array([0.5, 0.5])
    ... )
    >>> float(result.covariance[0, 0])  # ((1 + 2) / 2) ** 2 for 1-D laws
    2.25
    """

    mean: np.ndarray
    covariance: np.ndarray
    n_iter: int
    converged: bool


class AffineMap(NamedTuple):
    """An affine map ``x -> x @ linear + offset``, or a stack of them.

    Result of :func:`~sklearn_unlearn.feature.gaussian_transport_map` and
    :func:`~sklearn_unlearn.feature.empirical_gaussian_transport_map`; a stack
    (one map per group, along the first axis) is what the Gaussian repair
    applies row by row.

    Attributes
    ----------
    linear : ndarray of shape (n_features, n_features) or \
            (n_groups, n_features, n_features)
        Symmetric positive semi-definite linear part(s).
    offset : ndarray of shape (n_features,) or (n_groups, n_features)
        Translation(s).

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn_unlearn.feature import gaussian_transport_map
    >>> T = gaussian_transport_map(
    ...     np.zeros(1), np.array([[1.0]]), np.ones(1), np.array([[4.0]])
    ... )
    >>> float(T.linear[0, 0]), float(T.offset[0])  # x -> 2 x + 1
    (2.0, 1.0)
    """

    linear: np.ndarray
    offset: np.ndarray


def _two_group_barycenter(
    means: np.ndarray, covariances: np.ndarray, weights: np.ndarray
) -> GaussianBarycenter:
    """Closed form for two groups: the barycenter lies on the W2 geodesic.

    The map from group 0 is ``p0 I + p1 T_{0->1}``, so the barycenter covariance
    is ``(p0 I + p1 T) C0 (p0 I + p1 T)``: exact, no iteration.
    """
    T = bures_maps(covariances[:1], covariances[1])[0]
    A0 = weights[0] * np.eye(T.shape[0]) + weights[1] * T
    covariance = symmetrize(A0 @ covariances[0] @ A0)
    return GaussianBarycenter(weights @ means, covariance, n_iter=1, converged=True)


def bures_barycenter(
    means: np.ndarray,
    covariances: np.ndarray,
    weights: np.ndarray,
    tol: float = 1e-10,
    max_iter: int = 100,
) -> GaussianBarycenter:
    r"""Bures-Wasserstein barycenter of Gaussians.

    Two groups use the exact geodesic closed form. Otherwise iterate the fixed
    point of Alvarez-Esteban et al., :math:`C \leftarrow C^{-1/2} (\sum_s w_s
    (C^{1/2} C_s C^{1/2})^{1/2})^2 C^{-1/2}` from :math:`C = \sum_s w_s C_s`,
    until the relative Frobenius change is below ``max(tol, 10 d eps cond(C))``:
    round-off in :math:`C^{-1/2}` sets a floor proportional to the condition
    number below which the change cannot fall. The mean is
    :math:`\sum_s w_s m_s`.
    """
    weights = np.asarray(weights, dtype=np.float64)
    if weights.size == 2:
        return _two_group_barycenter(means, covariances, weights)
    mean = weights @ means
    C = symmetrize(np.einsum("s,sij->ij", weights, covariances))
    eps_floor = 10.0 * C.shape[-1] * np.finfo(np.float64).eps
    converged = False
    n_iter = 0
    for n_iter in range(1, max_iter + 1):  # noqa: B007
        root, inv_root = psd_roots(C)
        inner = psd_power(root @ covariances @ root, 0.5)
        M = np.einsum("s,sij->ij", weights, inner)
        C_new = symmetrize(inv_root @ M @ M @ inv_root)
        change = np.linalg.norm(C_new - C) / max(np.linalg.norm(C), 1e-300)
        C = C_new
        eigenvalues = np.linalg.eigvalsh(C)
        condition = eigenvalues[-1] / max(eigenvalues[0], 1e-300 * eigenvalues[-1])
        if change <= max(tol, eps_floor * condition):
            converged = True
            break
    return GaussianBarycenter(mean, C, n_iter=n_iter, converged=converged)


def bures_maps(covariances: np.ndarray, target_covariance: np.ndarray) -> np.ndarray:
    r"""Linear parts of the optimal maps from each ``N(., C_s)`` to ``N(., C_t)``.

    :math:`A_s = C_s^{-1/2} (C_s^{1/2} C_t C_s^{1/2})^{1/2} C_s^{-1/2}`, symmetric
    positive semi-definite; computed for the whole stack with batched ``eigh``.
    """
    root, inv_root = psd_roots(covariances)
    middle = psd_power(root @ target_covariance @ root, 0.5)
    return symmetrize(inv_root @ middle @ inv_root)


def bures_wasserstein2(
    mean0: np.ndarray, cov0: np.ndarray, mean1: np.ndarray, cov1: np.ndarray
) -> np.ndarray:
    r"""Squared W2 distance between Gaussians (broadcasts over leading axes).

    :math:`\|m_0 - m_1\|^2 + \mathrm{tr}(C_0 + C_1 - 2 (C_0^{1/2} C_1
    C_0^{1/2})^{1/2})`, clipped at zero against round-off.
    """
    root0 = psd_power(cov0, 0.5)
    cross = psd_power(root0 @ cov1 @ root0, 0.5)
    trace = np.trace(cov0 + cov1 - 2.0 * cross, axis1=-2, axis2=-1)
    return np.clip(np.sum((mean0 - mean1) ** 2, axis=-1) + trace, 0.0, None)


def mccann_affine(
    linear: np.ndarray,
    means: np.ndarray,
    target_mean: np.ndarray,
    repair_level: float,
) -> AffineMap:
    r"""Affine maps of the McCann interpolation ``(1 - t) x + t T_s(x)``.

    With :math:`T_s(x) = \bar m + A_s (x - m_s)` the interpolation is affine with
    linear part :math:`(1 - t) I + t A_s` and offset :math:`t (\bar m - A_s m_s)`.
    """
    t = float(repair_level)
    eye = np.eye(linear.shape[-1])
    lin = (1.0 - t) * eye + t * linear
    off = t * (target_mean - np.einsum("sj,sjk->sk", means, linear))
    return AffineMap(linear=lin, offset=off)
