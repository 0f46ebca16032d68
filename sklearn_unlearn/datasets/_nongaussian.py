"""Synthetic grouped data with non-Gaussian groups: mixtures, skewed, discrete."""

import numpy as np
from sklearn.utils import check_random_state

from sklearn_unlearn.datasets._grouped import (
    SHARED_CONSTRAINTS,
    check_group_sizes,
    fill_shared_doc,
    gaussian_rows,
    random_orthogonal,
    random_spd,
    shuffle_groups,
)
from sklearn_unlearn.utils._compat import StrOptions, validate_params

__all__ = ["make_grouped_nongaussian"]


def _mixture_group(rng, n: int, d: int, separation: float) -> np.ndarray:
    """Two Gaussian components ``N(m +- delta, C_j)`` with a random weight."""
    center = separation * rng.standard_normal(d)
    direction = rng.standard_normal(d)
    delta = 1.5 * direction / np.linalg.norm(direction)
    weight = rng.uniform(0.3, 0.7)
    covs = [random_spd(rng, d, 0.1, 1.0) for _ in range(2)]
    first = rng.uniform(size=n) < weight
    rows = [
        gaussian_rows(rng, n, center + sign * delta, cov)
        for sign, cov in zip((-1.0, 1.0), covs, strict=True)
    ]
    return np.where(first[:, None], rows[0], rows[1])


def _skewed_group(rng, n: int, d: int, separation: float) -> np.ndarray:
    """Centred exponential / lognormal marginals, rotated, around a group mean."""
    center = separation * rng.standard_normal(d)
    scales = np.exp(rng.uniform(np.log(0.5), np.log(2.0), size=d))
    sigmas = rng.uniform(0.25, 0.75, size=d)
    rotation = random_orthogonal(rng, d)
    exponential = rng.exponential(scales, size=(n, d)) - scales
    lognormal = rng.lognormal(0.0, sigmas, size=(n, d)) - np.exp(sigmas**2 / 2)
    Z = np.where(np.arange(d) % 2 == 0, exponential, lognormal)
    return center + Z @ rotation.T


def _discrete_group(rng, n: int, d: int, separation: float) -> np.ndarray:
    """Poisson counts in the first ``ceil(d / 2)`` columns, Gaussian in the rest."""
    n_discrete = (d + 1) // 2
    rates = 3.0 * np.exp(0.5 * separation * rng.standard_normal(n_discrete))
    counts = rng.poisson(rates, size=(n, n_discrete)).astype(np.float64)
    n_continuous = d - n_discrete
    if n_continuous == 0:
        return counts
    center = separation * rng.standard_normal(n_continuous)
    cov = random_spd(rng, n_continuous)
    return np.hstack([counts, gaussian_rows(rng, n, center, cov)])


_NONGAUSSIAN_KINDS = {
    "mixture": _mixture_group,
    "skewed": _skewed_group,
    "discrete": _discrete_group,
}


@fill_shared_doc
@validate_params(
    {**SHARED_CONSTRAINTS, "kind": [StrOptions(set(_NONGAUSSIAN_KINDS))]},
    prefer_skip_nested_validation=True,
)
def make_grouped_nongaussian(
    n_samples: int = 1000,
    n_features: int = 4,
    *,
    n_groups: int = 3,
    group_weights=None,
    kind: str = "mixture",
    separation: float = 2.0,
    random_state=None,
) -> tuple[np.ndarray, np.ndarray]:
    """Generate groups of non-Gaussian samples with group-specific distributions.

    Meant for the barycenter methods that do not assume Gaussian groups, and
    for checking that the Gaussian ones degrade gracefully.

    Parameters
    ----------
    <head>

    kind : {"mixture", "skewed", "discrete"}, default="mixture"
        Family of the group distributions, see Notes.

    <tail>

    Returns
    -------
    X : ndarray of shape (n_samples, n_features)
        The samples, float64, in shuffled order. With ``kind="discrete"`` the
        first ``ceil(n_features / 2)`` columns hold integer values.

    s : ndarray of shape (n_samples,)
        Integer group label of each sample.

    See Also
    --------
    make_grouped_gaussian : Gaussian groups with known means and covariances.

    Notes
    -----
    Group sizes are fixed as in :func:`make_grouped_gaussian`; every parameter
    below is drawn independently for each group :math:`k`, with
    :math:`c_k = \\text{separation} \\cdot z_k` and :math:`z_k \\sim N(0, I)`.

    ``"mixture"``
        A two-component Gaussian mixture
        :math:`\\pi_k N(c_k - \\delta_k, A_k) + (1 - \\pi_k) N(c_k + \\delta_k,
        B_k)` with :math:`\\delta_k` of norm 1.5 in a random direction,
        :math:`\\pi_k \\sim U(0.3, 0.7)` and random covariances of eigenvalues in
        ``[0.1, 1]``: bimodal whatever the separation.

    ``"skewed"``
        :math:`X = c_k + Q_k Z` with :math:`Q_k` a random rotation and
        independent centred coordinates :math:`Z_j`: exponential (scale
        log-uniform in ``[0.5, 2]``) for even :math:`j`, lognormal
        (:math:`\\sigma \\sim U(0.25, 0.75)`) for odd :math:`j`. The group mean
        is exactly :math:`c_k`.

    ``"discrete"``
        The first ``ceil(n_features / 2)`` features are independent Poisson
        counts with rates :math:`3 \\exp(\\text{separation} \\cdot z / 2)`; the
        others are Gaussian :math:`N(c_k, C_k)` as in
        :func:`make_grouped_gaussian`. Such atoms break methods that assume
        continuous distributions.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn_unlearn.datasets import make_grouped_nongaussian
    >>> X, s = make_grouped_nongaussian(
    ...     90, 4, kind="discrete", group_weights=[0.5, 0.3, 0.2], random_state=0
    ... )
    >>> X.shape, np.bincount(s)
    ((90, 4), array([45, 27, 18]))
    >>> bool(np.all(X[:, :2] == np.round(X[:, :2])))
    True
    """
    sizes = check_group_sizes(n_samples, n_groups, group_weights)
    rng = check_random_state(random_state)
    sample_group = _NONGAUSSIAN_KINDS[kind]
    blocks = [sample_group(rng, int(n_k), n_features, separation) for n_k in sizes]
    return shuffle_groups(rng, blocks, sizes)
