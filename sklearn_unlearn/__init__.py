"""Machine unlearning for scikit-learn.

``sklearn_unlearn`` removes unwanted information from data and models with
guarantees a user can audit. :class:`BarycenterFeatureUnlearner` removes what
features reveal about a sensitive or unwanted attribute by moving every group's
distribution onto the Wasserstein-2 barycenter of all groups, fully or part of
the way; :class:`BarycenterOutcomeUnlearner` does the same to a fitted model's
outputs (its predictions, probabilities or scores).

Submodules: :mod:`sklearn_unlearn.feature` (feature unlearning),
:mod:`sklearn_unlearn.outcome` (outcome unlearning),
:mod:`sklearn_unlearn.selection` (distributional unlearning),
:mod:`sklearn_unlearn.datapoint` (data-point unlearning of fitted models),
:mod:`sklearn_unlearn.metrics` (audits) and :mod:`sklearn_unlearn.datasets`
(bundled data and synthetic generators).
"""

from sklearn_unlearn.datapoint import MarginalUnlearner, ShardedUnlearner
from sklearn_unlearn.feature import BarycenterFeatureUnlearner
from sklearn_unlearn.outcome import BarycenterOutcomeUnlearner
from sklearn_unlearn.selection import DistributionalSelector, SelectiveRetrainer

__version__ = "0.1.0"

__all__ = [
    "BarycenterFeatureUnlearner",
    "BarycenterOutcomeUnlearner",
    "DistributionalSelector",
    "MarginalUnlearner",
    "SelectiveRetrainer",
    "ShardedUnlearner",
    "__version__",
]
