"""Feature unlearning: remove a sensitive attribute from features by W2 barycenters.

:class:`BarycenterFeatureUnlearner` is the estimator; :func:`gaussian_barycenter`
and :func:`gaussian_transport_map` expose the closed-form Gaussian math on moments.
"""

from sklearn_unlearn.feature._bures import (
    AffineMap,
    GaussianBarycenter,
    gaussian_barycenter,
    gaussian_transport_map,
)
from sklearn_unlearn.feature._unlearner import BarycenterFeatureUnlearner

__all__ = [
    "AffineMap",
    "BarycenterFeatureUnlearner",
    "GaussianBarycenter",
    "gaussian_barycenter",
    "gaussian_transport_map",
]
