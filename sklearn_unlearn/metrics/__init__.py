"""Audits of unlearning: leakage, forgetting, scorers and displays.

Plain functions take arrays and return a float or a small named tuple, each
saying which direction is better (group fairness of predictions included);
scorers and ``refit=`` rules plug them into model selection; the
Display objects draw what the functions compute (matplotlib is optional).
"""

from sklearn_unlearn.metrics._certificate import (
    LeakageCertificate,
    leakage_certificate,
)
from sklearn_unlearn.metrics._fairness import (
    GroupAccuracy,
    demographic_parity_difference,
    equalized_odds_difference,
    group_accuracy,
)
from sklearn_unlearn.metrics._forgetting import (
    DistributionalReport,
    distributional_unlearning_report,
    gaussian_kl,
    gaussian_pareto_frontier,
    marginal_information,
)
from sklearn_unlearn.metrics._group_scorer import (
    make_fairness_scorer,
    make_forgetting_scorer,
)
from sklearn_unlearn.metrics._leakage import group_wasserstein_distance, leakage_auc
from sklearn_unlearn.metrics._leakage_test import LeakageTest, leakage_test
from sklearn_unlearn.metrics._membership import membership_advantage
from sklearn_unlearn.metrics._membership_audit import (
    MembershipAudit,
    membership_audit,
)
from sklearn_unlearn.metrics._mutual_info import mutual_information
from sklearn_unlearn.metrics._plot import (
    DeletionCurveDisplay,
    GroupDistributionDisplay,
    UnlearningTradeoffDisplay,
)
from sklearn_unlearn.metrics._reference import (
    IndependenceReference,
    independence_reference,
)
from sklearn_unlearn.metrics._refit import bounded_refit, leakage_bounded_refit
from sklearn_unlearn.metrics._scorer import make_leakage_scorer, make_tradeoff_scorer

__all__ = [
    "DeletionCurveDisplay",
    "DistributionalReport",
    "GroupAccuracy",
    "GroupDistributionDisplay",
    "IndependenceReference",
    "LeakageCertificate",
    "LeakageTest",
    "MembershipAudit",
    "UnlearningTradeoffDisplay",
    "bounded_refit",
    "demographic_parity_difference",
    "distributional_unlearning_report",
    "equalized_odds_difference",
    "gaussian_kl",
    "gaussian_pareto_frontier",
    "group_accuracy",
    "group_wasserstein_distance",
    "independence_reference",
    "leakage_auc",
    "leakage_bounded_refit",
    "leakage_certificate",
    "leakage_test",
    "make_fairness_scorer",
    "make_forgetting_scorer",
    "make_leakage_scorer",
    "make_tradeoff_scorer",
    "marginal_information",
    "membership_advantage",
    "membership_audit",
    "mutual_information",
]
