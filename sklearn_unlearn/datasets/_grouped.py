"""What the grouped generators share: group sizes, draws, shuffling, docs.

Every generator returns features ``X`` and group labels ``s`` with deterministic
group sizes (largest-remainder rounding of ``n_samples * group_weights``) and
shuffled rows. The helpers are pure functions of a ``RandomState``.
"""

from numbers import Integral, Real

import numpy as np

from sklearn_unlearn.utils._compat import Interval
from sklearn_unlearn.utils._linalg import psd_power

__all__ = [
    "SHARED_CONSTRAINTS",
    "check_group_sizes",
    "fill_shared_doc",
    "gaussian_rows",
    "group_sizes",
    "random_orthogonal",
    "random_spd",
    "shuffle_groups",
]

_MIN_GROUP_SIZE = 2

# Parameters shared by both generators, documented once and pasted into both
# docstrings by ``fill_shared_doc``.
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

SHARED_CONSTRAINTS = {
    "n_samples": [Interval(Integral, 1, None, closed="left")],
    "n_features": [Interval(Integral, 1, None, closed="left")],
    "n_groups": [Interval(Integral, 1, None, closed="left")],
    "group_weights": ["array-like", None],
    "separation": [Interval(Real, 0, None, closed="left")],
    "random_state": ["random_state"],
}


def fill_shared_doc(func):
    for marker, text in _SHARED_DOC.items():
        func.__doc__ = func.__doc__.replace(f"    {marker}", text)
    return func


def group_sizes(n_samples: int, weights: np.ndarray) -> np.ndarray:
    """Round ``n_samples * weights`` to integers summing to ``n_samples``.

    Largest remainder method; ties go to the lower group index.
    """
    quotas = n_samples * weights
    sizes = np.floor(quotas).astype(np.int64)
    short = n_samples - int(sizes.sum())
    order = np.argsort(-(quotas - sizes), kind="stable")
    sizes[order[:short]] += 1
    return sizes


def random_orthogonal(rng: np.random.RandomState, d: int) -> np.ndarray:
    """Haar-distributed orthogonal matrix: QR of a Gaussian matrix, signs fixed."""
    Q, R = np.linalg.qr(rng.standard_normal((d, d)))
    return Q * np.sign(np.diag(R))


def random_spd(
    rng: np.random.RandomState, d: int, low: float = 0.25, high: float = 4.0
) -> np.ndarray:
    """``Q diag(lam) Q^T`` with ``lam`` log-uniform in ``[low, high]``, Q random."""
    lam = np.exp(rng.uniform(np.log(low), np.log(high), size=d))
    Q = random_orthogonal(rng, d)
    C = (Q * lam) @ Q.T
    return 0.5 * (C + C.T)


def gaussian_rows(
    rng: np.random.RandomState, n: int, mean: np.ndarray, cov: np.ndarray
) -> np.ndarray:
    """``n`` draws of ``N(mean, cov)`` through the PSD square root of ``cov``."""
    return mean + rng.standard_normal((n, mean.shape[0])) @ psd_power(cov, 0.5)


def shuffle_groups(
    rng: np.random.RandomState, blocks: list[np.ndarray], sizes: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Stack the per-group blocks, label them and shuffle the rows."""
    X = np.concatenate(blocks, axis=0).astype(np.float64, copy=False)
    s = np.repeat(np.arange(sizes.shape[0], dtype=np.int64), sizes)
    order = rng.permutation(X.shape[0])
    return X[order], s[order]


def check_group_sizes(n_samples: int, n_groups: int, group_weights) -> np.ndarray:
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
    sizes = group_sizes(n_samples, weights)
    if np.any(sizes < _MIN_GROUP_SIZE):
        raise ValueError(
            f"Every group needs at least {_MIN_GROUP_SIZE} samples, but "
            f"n_samples={n_samples} with these group_weights gives group sizes "
            f"{sizes.tolist()}. Increase n_samples or the smallest group_weights."
        )
    return sizes
