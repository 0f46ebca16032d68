"""Display objects that draw what the audit metrics compute (needs matplotlib).

Each display stores values at construction, draws them in ``plot`` and offers
a class method that computes them with the public metric functions first.
matplotlib is imported only when drawing.
"""

from sklearn_unlearn.metrics._plot.deletion_curve import DeletionCurveDisplay
from sklearn_unlearn.metrics._plot.group_distribution import GroupDistributionDisplay
from sklearn_unlearn.metrics._plot.tradeoff import UnlearningTradeoffDisplay

__all__ = [
    "DeletionCurveDisplay",
    "GroupDistributionDisplay",
    "UnlearningTradeoffDisplay",
]
