"""scikit-learn's common estimator checks, for every estimator and method."""

import warnings

import numpy as np
from sklearn.exceptions import ConvergenceWarning
from sklearn.linear_model import LogisticRegression, Ridge
from sklearn.neural_network import MLPRegressor
from sklearn.utils.estimator_checks import parametrize_with_checks

from sklearn_unlearn import (
    BarycenterFeatureUnlearner,
    BarycenterOutcomeUnlearner,
    DistributionalSelector,
    MarginalUnlearner,
    SelectiveRetrainer,
    ShardedUnlearner,
)


def above_median(values):
    """Forget-domain rule of the checks: column 0 above its median."""
    return values > np.median(values)


def every_fourth_rank(values):
    """A forget domain spread over the range of column 0: every fourth rank."""
    return np.argsort(np.argsort(values, kind="stable"), kind="stable") % 4 == 0


def row_parity(X):
    """Sensitive groups of the checks: a parity of each row, unrelated to y.

    A fine-grained parity of a fixed projection of the row: it depends on the
    row alone (so subsets and permutations keep every row's group), splits
    float and integer data alike into two groups, and is nearly independent of
    the labels. NaN rows give NaN (S is then rejected as missing).
    """
    values = np.asarray(X, dtype=np.float64)
    projection = values @ np.sqrt(np.arange(2.0, values.shape[1] + 2.0))
    return np.floor(projection * 7.0) % 2.0


def every_fourth_of_each_class(X, y):
    """Rows the data-point unlearner forgets in the checks: every fourth row of
    each class from the second on (the first row of each class is retained)."""
    forget = np.zeros(len(y), dtype=bool)
    for label in np.unique(y):
        forget[np.flatnonzero(y == label)[1::4]] = True
    return forget


def every_fourth_row(X, y):
    """Rows the regression unlearner forgets in the checks: every fourth from
    the second on (continuous targets have no classes to spread them over)."""
    forget = np.zeros(len(y), dtype=bool)
    forget[1::4] = True
    return forget


def _estimators():
    # The common checks feed random float columns: column 0 plays the sensitive
    # attribute, cut into two quantile bins so that both groups exist.
    for method in ("gaussian", "quantile", "empirical", "stochastic"):
        yield BarycenterFeatureUnlearner(
            sensitive_feature_ids=[0],
            sensitive_bins=2,
            method=method,
            max_samples_per_group=50,
            random_state=0,
        )
    # The selectors read the forget domain from column 0 the same way.
    for criterion in ("likelihood_ratio", "euclidean", "classifier"):
        yield DistributionalSelector(
            criterion, domain_column=0, forget_value=above_median, cv=2, random_state=0
        )
    # The retrainers keep column 0 as a feature: the checks' classification
    # data needs all its columns to be learnable.
    selector = DistributionalSelector(
        domain_column=0, forget_value=every_fourth_rank, drop_domain_column=False
    )
    yield SelectiveRetrainer(LogisticRegression(), selector)
    yield SelectiveRetrainer(Ridge(), selector, deletion="sample_weight")
    # The outcome unlearner takes S as values (sensitive_features=, as fairlearn's
    # ThresholdOptimizer does), which the common checks never pass. fairlearn
    # leaves ThresholdOptimizer out of the checks; a silent "no S = one group"
    # would pass them while hiding user mistakes, and expected failures would
    # leave most of the estimator unchecked. So the constructor can also say
    # where S is: columns of X (removed before the estimator, as in
    # BarycenterFeatureUnlearner) or a row-wise function of X. The checks use
    # the function: groups from a binned column of X would be strongly related
    # to the checks' labels, and full repair then legitimately costs accuracy
    # below the checks' thresholds (measured: 0.52-0.82 accuracy). A parity
    # unrelated to y keeps the checks' accuracy tests meaningful while every
    # code path (two groups, tie-breaking hashes, full repair) runs.
    for base in (LogisticRegression(), Ridge()):
        yield BarycenterOutcomeUnlearner(
            base, sensitive_feature_ids=row_parity, random_state=0
        )
    # The data-point unlearner fits a clone of its model first (prefit=False)
    # because the checks clone it, and derives the rows to forget from (X, y).
    yield MarginalUnlearner(
        LogisticRegression(max_iter=1000),
        prefit=False,
        forget_rows=every_fourth_of_each_class,
        random_state=0,
    )
    # Wrapping a regressor makes it a regressor (its exact retained optimum).
    yield MarginalUnlearner(Ridge(), prefit=False, forget_rows=every_fourth_row)
    # An MLPRegressor is fine-tuned (several targets too); kept small and fast.
    yield MarginalUnlearner(
        MLPRegressor(
            hidden_layer_sizes=(8,),
            learning_rate_init=1e-2,
            max_iter=300,
            random_state=0,
        ),
        prefit=False,
        forget_rows=every_fourth_row,
        random_state=0,
    )
    # The sharded unlearner takes its type from the estimator: one of each.
    yield ShardedUnlearner(LogisticRegression(), n_shards=3, random_state=0)
    yield ShardedUnlearner(Ridge(), n_shards=3, random_state=0)


@parametrize_with_checks(list(_estimators()))
def test_sklearn_compatible_estimator(estimator, check):
    with warnings.catch_warnings():
        if isinstance(getattr(estimator, "estimator", None), MLPRegressor):
            # the wrapped network's own fit (prefit=False) on the checks'
            # unscaled targets (values in the hundreds) may stop at max_iter
            # with its ConvergenceWarning; what the checks test is unaffected
            warnings.simplefilter("ignore", ConvergenceWarning)
        check(estimator)


def test_every_method_is_checked():
    # The common checks above raise on failure; this guards their coverage.
    from sklearn_unlearn.feature._methods import METHODS

    methods = {est.method for est in _estimators() if hasattr(est, "method")}
    assert methods == set(METHODS)
