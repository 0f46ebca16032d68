"""Distributional unlearning: forget a domain by deleting a well-chosen subset.

:class:`DistributionalSelector` ranks the rows of an unwanted domain and deletes
the top of the ranking (a fixed budget, or the smallest one that meets a KL
target); :class:`SelectiveRetrainer` selects, then fits an estimator on the
kept rows, inside a plain scikit-learn Pipeline or search.
"""

from sklearn_unlearn.selection._retrainer import SelectiveRetrainer
from sklearn_unlearn.selection._selector import DistributionalSelector

__all__ = ["DistributionalSelector", "SelectiveRetrainer"]
