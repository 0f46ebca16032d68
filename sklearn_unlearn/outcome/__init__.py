"""Outcome unlearning: make a model's outputs independent of a sensitive attribute.

:class:`BarycenterOutcomeUnlearner` wraps a regressor or classifier and maps each
group's law of its outputs onto their 1-D Wasserstein-2 barycenter.
"""

from sklearn_unlearn.outcome._unlearner import BarycenterOutcomeUnlearner

__all__ = ["BarycenterOutcomeUnlearner"]
