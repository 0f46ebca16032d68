"""Data-point unlearning: marginal fine-tuning of fitted classifiers, and
exact unlearning of any estimator by shards."""

from sklearn_unlearn.datapoint._marginal import MarginalUnlearner
from sklearn_unlearn.datapoint._sharded import ShardedUnlearner

__all__ = ["MarginalUnlearner", "ShardedUnlearner"]
