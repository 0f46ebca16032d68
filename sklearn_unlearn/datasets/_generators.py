"""Synthetic grouped data: Gaussian and non-Gaussian groups with known structure.

Every generator returns features ``X`` and group labels ``s`` with deterministic
group sizes (largest-remainder rounding of ``n_samples * group_weights``) and
shuffled rows. The private helpers are pure functions of a ``RandomState``.
"""

from numbers import Integral, Real

import numpy as np
from sklearn.utils import check_random_state

from sklearn_unlearn.utils._compat import Interval, StrOptions, validate_params
from sklearn_unlearn.utils._linalg import psd_power

__all__ = ["make_grouped_gaussian", "make_grouped_nongaussian"]

_MIN_GROUP_SIZE = 2

# Parameters shared by both generators, documented once and pasted into both
# docstrings by ``_fill_shared_doc``.
_SHARED_DOC = {
    "<head>": """\
    n_samples : int, default=1000
        Total number of samples.

    n_features : int, default=4
        Number of features.

    n_groups : int, default=3
        Number of groups; labels are ``0, ..., n_groups - 1``.

    group_weights : array-like of shape (n_groups,), default=None
        Non-negative group proportions, normalised to sum to one; uniform if
        None. Group sizes are ``n_samples * group_weights`` rounded by the largest
        remainder method, so they are exact and sum to ``n_samples``. Every group
        needs at least 2 samples.""",
    "<tail>": """\
    separation : float, default=2.0
        Scale of the differences in location between groups: group locations
        are drawn as ``separation * N(0, I)``. With 0 the groups share their
        location and differ only in shape.

    random_state : int, RandomState instance or None, default=None
        Seed of all the random draws. Pass an int for reproducible output.""",
}

_SHARED_CONSTRAINTS = {
    "n_samples": [Interval(Integral, 1, None, closed="left")],
    "n_features": [Interval(Integral, 1, None, closed="left")],
    "n_groups": [Interval(Integral, 1, None, closed="left")],
    "group_weights": ["array-like", None],
    "separation": [Interval(Real, 0, None, closed="left")],
    "random_state": ["random_state"],
}


def _fill_shared_doc(func):
    for marker, text in _SHARED_DOC.items():
        func.__doc__ = func.__doc__.replace(f"    {marker}", text)
    return func


def _group_sizes(n_samples: int, weights: np.ndarray) -> np.ndarray:
    """Round ``n_samples * weights`` to integers summing to ``n_samples``.

    Largest remainder method; ties go to the lower group index.
    """
    quotas = n_samples * weights
    sizes = np.floor(quotas).astype(np.int64)
    short = n_samples - int(sizes.sum())
    order = np.argsort(-(quotas - sizes), kind="stable")
    sizes[order[:short]] += 1
    return sizes


def _random_orthogonal(rng: np.random.RandomState, d: int) -> np.ndarray:
    """Haar-distributed orthogonal matrix: QR of a Gaussian matrix, signs fixed."""
    Q, R = np.linalg.qr(rng.standard_normal((d, d)))
    return Q * np.sign(np.diag(R))


def _random_spd(
    rng: np.random.RandomState, d: int, low: float = 0.25, high: float = 4.0
) -> np.ndarray:
    """``Q diag(lam) Q^T`` with ``lam`` log-uniform in ``[low, high]``, Q random."""
    lam = np.exp(rng.uniform(np.log(low), np.log(high), size=d))
    Q = _random_orthogonal(rng, d)
    C = (Q * lam) @ Q.T
    return 0.5 * (C + C.T)


def _gaussian_rows(
    rng: np.random.RandomState, n: int, mean: np.ndarray, cov: np.ndarray
) -> np.ndarray:
    """``n`` draws of ``N(mean, cov)`` through the PSD square root of ``cov``."""
    return mean + rng.standard_normal((n, mean.shape[0])) @ psd_power(cov, 0.5)


def _shuffle(
    rng: np.random.RandomState, blocks: list[np.ndarray], sizes: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Stack the per-group blocks, label them and shuffle the rows."""
    X = np.concatenate(blocks, axis=0).astype(np.float64, copy=False)
    s = np.repeat(np.arange(sizes.shape[0], dtype=np.int64), sizes)
    order = rng.permutation(X.shape[0])
    return X[order], s[order]


def _check_group_sizes(n_samples: int, n_groups: int, group_weights) -> np.ndarray:
    if group_weights is None:
        weights = np.full(n_groups, 1.0 / n_groups)
    else:
        weights = np.asarray(group_weights, dtype=np.float64)
        if weights.shape != (n_groups,):
            raise ValueError(
                f"group_weights must have shape (n_groups,) = ({n_groups},); "
                f"got shape {weights.shape}."
            )
        if not np.all(np.isfinite(weights)) or np.any(weights < 0):
            raise ValueError("group_weights must be finite and non-negative.")
        if weights.sum() <= 0:
            raise ValueError("group_weights must have a positive sum.")
        weights = weights / weights.sum()
    sizes = _group_sizes(n_samples, weights)
    if np.any(sizes < _MIN_GROUP_SIZE):
        raise ValueError(
            f"Every group needs at least {_MIN_GROUP_SIZE} samples, but "
            f"n_samples={n_samples} with these group_weights gives group sizes "
            f"{sizes.tolist()}. Increase n_samples or the smallest group_weights."
        )
    return sizes


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


@_fill_shared_doc
@validate_params(
    {
        **_SHARED_CONSTRAINTS,
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
    sizes = _check_group_sizes(n_samples, n_groups, group_weights)
    if means is not None:
        means = _check_means(means, n_groups, n_features)
    if covariances is not None:
        covariances = _check_covariances(covariances, n_groups, n_features)

    rng = check_random_state(random_state)
    # draw the defaults unconditionally so that passing one of them does not
    # change the other or the samples for a fixed random_state
    default_means = separation * rng.standard_normal((n_groups, n_features))
    default_covs = np.stack([_random_spd(rng, n_features) for _ in range(n_groups)])
    means = default_means if means is None else means
    covariances = default_covs if covariances is None else covariances

    blocks = [
        _gaussian_rows(rng, n_k, means[k], covariances[k])
        for k, n_k in enumerate(sizes)
    ]
    X, s = _shuffle(rng, blocks, sizes)
    if return_means_covariances:
        return X, s, means, covariances
    return X, s


def _mixture_group(rng, n: int, d: int, separation: float) -> np.ndarray:
    """Two Gaussian components ``N(m +- delta, C_j)`` with a random weight."""
    center = separation * rng.standard_normal(d)
    direction = rng.standard_normal(d)
    delta = 1.5 * direction / np.linalg.norm(direction)
    weight = rng.uniform(0.3, 0.7)
    covs = [_random_spd(rng, d, 0.1, 1.0) for _ in range(2)]
    first = rng.uniform(size=n) < weight
    rows = [
        _gaussian_rows(rng, n, center + sign * delta, cov)
        for sign, cov in zip((-1.0, 1.0), covs, strict=True)
    ]
    return np.where(first[:, None], rows[0], rows[1])


def _skewed_group(rng, n: int, d: int, separation: float) -> np.ndarray:
    """Centred exponential / lognormal marginals, rotated, around a group mean."""
    center = separation * rng.standard_normal(d)
    scales = np.exp(rng.uniform(np.log(0.5), np.log(2.0), size=d))
    sigmas = rng.uniform(0.25, 0.75, size=d)
    rotation = _random_orthogonal(rng, d)
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
    cov = _random_spd(rng, n_continuous)
    return np.hstack([counts, _gaussian_rows(rng, n, center, cov)])


_NONGAUSSIAN_KINDS = {
    "mixture": _mixture_group,
    "skewed": _skewed_group,
    "discrete": _discrete_group,
}


@_fill_shared_doc
@validate_params(
    {**_SHARED_CONSTRAINTS, "kind": [StrOptions(set(_NONGAUSSIAN_KINDS))]},
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
    sizes = _check_group_sizes(n_samples, n_groups, group_weights)
    rng = check_random_state(random_state)
    sample_group = _NONGAUSSIAN_KINDS[kind]
    blocks = [sample_group(rng, int(n_k), n_features, separation) for n_k in sizes]
    return _shuffle(rng, blocks, sizes)
