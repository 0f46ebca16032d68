"""Data and independent references shared by the tests of the empirical method."""

import numpy as np
import ot
from scipy.spatial.distance import cdist

from sklearn_unlearn.feature._empirical import _fit_empirical_barycenter


def _banana(n, rng):
    u = rng.uniform(-2.0, 2.0, n)
    return np.column_stack([u, 0.5 * u**2 - 1.0]) + 0.15 * rng.standard_normal((n, 2))


def _ring(n, rng):
    angle = rng.uniform(0.0, 2.0 * np.pi, n)
    radius = 1.5 + 0.1 * rng.standard_normal(n)
    xy = radius[:, None] * np.column_stack([np.cos(angle), np.sin(angle)])
    return xy + np.array([4.0, 1.0])


def _mixture(n, rng):
    centers = np.array([[-1.0, -3.0], [1.5, -4.0]])
    which = rng.integers(0, 2, n)
    rot = np.array([[0.8, -0.6], [0.6, 0.8]])
    return (centers[which] + 0.4 * rng.standard_normal((n, 2))) @ rot


def _three_groups(sizes, seed=0):
    """Three non-Gaussian 2-D groups with unequal means, rows shuffled."""
    rng = np.random.default_rng(seed)
    parts = [
        make(n, rng) for make, n in zip((_banana, _ring, _mixture), sizes, strict=True)
    ]
    X = np.concatenate(parts)
    codes = np.repeat(np.arange(3), sizes).astype(np.intp)
    order = rng.permutation(X.shape[0])
    return X[order], codes[order]


def _fit(X, codes, weights=None, **kwargs):
    n_groups = int(codes.max()) + 1
    if weights is None:
        weights = np.bincount(codes[codes >= 0], minlength=n_groups) / np.sum(
            codes >= 0
        )
    params = dict(
        max_samples_per_group=10_000, n_support=50, max_iter=100, tol=1e-12, seed=0
    )
    params.update(kwargs)
    return _fit_empirical_barycenter(X, codes, n_groups, np.asarray(weights), **params)


def _objective(model, weights):
    """sum_s w_s W2^2(mu_s, nu) at the model's support, by POT's exact solver."""
    k = model.support.shape[0]
    total = 0.0
    for w, A, c in zip(weights, model.anchors, model.anchor_counts, strict=True):
        total += w * ot.emd2(
            c / c.sum(), np.full(k, 1.0 / k), ot.dist(A, model.support)
        )
    return total


def _relative_step(model, weights):
    """Relative squared displacement of one more fixed-point update."""
    k = model.support.shape[0]
    new = np.zeros_like(model.support)
    for w, A, c in zip(weights, model.anchors, model.anchor_counts, strict=True):
        P = ot.emd(c / c.sum(), np.full(k, 1.0 / k), ot.dist(A, model.support))
        new += k * w * (P.T @ A)
    shift = np.mean(np.sum((new - model.support) ** 2, axis=1))
    spread = np.mean(np.sum((new - new.mean(axis=0)) ** 2, axis=1))
    return shift / spread


def _energy_distance(X, Y):
    """Naive (V-statistic) energy distance between two point clouds."""
    return 2.0 * cdist(X, Y).mean() - cdist(X, X).mean() - cdist(Y, Y).mean()


def _sorted_rows(A):
    return A[np.lexsort(A.T[::-1])]


def _image_law(model, s):
    """Images of group ``s`` and their probabilities under the group's measure."""
    counts, offsets = model.anchor_counts[s], model.image_offsets[s]
    mass = np.repeat(counts / counts.sum(), np.diff(offsets))
    return model.images[s], mass * model.image_weights[s]


def _binary_groups(n):
    """The review's reproducer: P(x = 1) is 1/4 in group 0 and 3/4 in group 1."""
    x = np.r_[
        np.repeat([0, 1], [3 * n // 4, n // 4]), np.repeat([0, 1], [n // 4, 3 * n // 4])
    ]
    return x[:, None].astype(np.float64), np.repeat([0, 1], n).astype(np.intp)


def _one_hot_groups(n, seed=0):
    """Three one-hot categories, frequencies (.6, .3, .1) and (.1, .3, .6)."""
    rng = np.random.default_rng(seed)
    categories = np.r_[
        rng.choice(3, n, p=[0.6, 0.3, 0.1]), rng.choice(3, n, p=[0.1, 0.3, 0.6])
    ]
    return np.eye(3)[categories], np.repeat([0, 1], n).astype(np.intp)


def _law(points, probabilities=None):
    """{row as a tuple: total probability} of a discrete law (uniform by default)."""
    if probabilities is None:
        probabilities = np.full(points.shape[0], 1.0 / points.shape[0])
    values, inverse = np.unique(points + 0.0, axis=0, return_inverse=True)
    totals = np.bincount(inverse.ravel(), weights=probabilities)
    return {tuple(v): p for v, p in zip(values, totals, strict=True)}


def _total_variation(P, Q):
    keys = set(P) | set(Q)
    return 0.5 * sum(abs(P.get(key, 0.0) - Q.get(key, 0.0)) for key in keys)


def _adversary_auc(Z, codes):
    from sklearn.ensemble import HistGradientBoostingClassifier
    from sklearn.metrics import roc_auc_score
    from sklearn.model_selection import train_test_split

    Z_train, Z_test, s_train, s_test = train_test_split(
        Z, codes, test_size=0.5, random_state=0, stratify=codes
    )
    adversary = HistGradientBoostingClassifier(max_iter=50, random_state=0)
    adversary.fit(Z_train, s_train)
    return roc_auc_score(s_test, adversary.predict_proba(Z_test)[:, 1])
