"""Marginal data-point unlearning of fitted classifiers."""

from sklearn_unlearn.datapoint._marginal import MarginalUnlearner

__all__ = ["MarginalUnlearner"]
