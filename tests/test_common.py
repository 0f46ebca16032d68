"""scikit-learn's common estimator checks, for every estimator and method."""

import numpy as np
from sklearn.linear_model import LogisticRegression, Ridge
from sklearn.utils.estimator_checks import parametrize_with_checks

from sklearn_unlearn import (
    BarycenterFeatureUnlearner,
    DistributionalSelector,
    SelectiveRetrainer,
)


def above_median(values):
    """Forget-domain rule of the checks: column 0 above its median."""
    return values > np.median(values)


def every_fourth_rank(values):
    """A forget domain spread over the range of column 0: every fourth rank."""
    return np.argsort(np.argsort(values, kind="stable"), kind="stable") % 4 == 0


def _estimators():
    # The common checks feed random float columns: column 0 plays the sensitive
    # attribute, cut into two quantile bins so that both groups exist.
    for method in ("gaussian", "quantile", "empirical", "stochastic"):
        yield BarycenterFeatureUnlearner(
            sensitive_features=[0],
            sensitive_bins=2,
            method=method,
            max_samples_per_group=50,
            random_state=0,
        )
    # The selectors read the forget domain from column 0 the same way.
    for score in ("likelihood_ratio", "euclidean", "classifier"):
        yield DistributionalSelector(
            score, domain_column=0, forget_value=above_median, cv=2, random_state=0
        )
    # The retrainers keep column 0 as a feature: the checks' classification
    # data needs all its columns to be learnable.
    selector = DistributionalSelector(
        domain_column=0, forget_value=every_fourth_rank, drop_domain_column=False
    )
    yield SelectiveRetrainer(LogisticRegression(), selector)
    yield SelectiveRetrainer(Ridge(), selector, deletion="sample_weight")


#: The selector's ``score`` parameter is named by the specification of the
#: distributional unlearning issue (as in the paper: "the score of a sample"),
#: but scikit-learn reserves the attribute ``score`` for a scoring method. These
#: three checks call ``estimator.score(X, y)`` unconditionally and fail on the
#: string. The selector is a sampler, never the final step whose score a search
#: would read; SelectiveRetrainer (the estimator users put in searches) passes
#: every check.
SCORE_ATTRIBUTE_CHECKS = {
    name: "the score parameter shadows the score method these checks call"
    for name in (
        "check_fit_score_takes_y",
        "check_n_features_in_after_fitting",
        "check_pipeline_consistency",
    )
}


def _expected_failed_checks(estimator):
    if isinstance(estimator, DistributionalSelector):
        return SCORE_ATTRIBUTE_CHECKS
    return {}


@parametrize_with_checks(
    list(_estimators()), expected_failed_checks=_expected_failed_checks
)
def test_sklearn_compatible_estimator(estimator, check):
    check(estimator)


def test_every_method_is_checked():
    # The common checks above raise on failure; this guards their coverage.
    from sklearn_unlearn.feature._methods import METHODS

    methods = {est.method for est in _estimators() if hasattr(est, "method")}
    assert methods == set(METHODS)
