"""Feature unlearning: remove a sensitive attribute from features by W2 barycenters.

:class:`BarycenterFeatureUnlearner` is the estimator; :func:`gaussian_barycenter`
and :func:`gaussian_transport_map` expose the closed-form Gaussian math on
moments, and their ``empirical_*`` twins the same on samples.
"""

from sklearn_unlearn.feature._bures import AffineMap, GaussianBarycenter
from sklearn_unlearn.feature._gaussian import (
    empirical_gaussian_barycenter,
    empirical_gaussian_transport_map,
    gaussian_barycenter,
    gaussian_transport_map,
)
from sklearn_unlearn.feature._unlearner import BarycenterFeatureUnlearner

__all__ = [
    "AffineMap",
    "BarycenterFeatureUnlearner",
    "GaussianBarycenter",
    "empirical_gaussian_barycenter",
    "empirical_gaussian_transport_map",
    "gaussian_barycenter",
    "gaussian_transport_map",
]
