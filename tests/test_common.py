"""scikit-learn's common estimator checks, for every estimator and method."""

from sklearn.utils.estimator_checks import parametrize_with_checks

from sklearn_unlearn import BarycenterFeatureUnlearner


def _estimators():
    # The common checks feed random float columns: column 0 plays the sensitive
    # attribute, cut into two quantile bins so that both groups exist.
    for method in ("gaussian", "quantile", "empirical"):
        yield BarycenterFeatureUnlearner(
            sensitive_features=[0],
            sensitive_bins=2,
            method=method,
            max_samples_per_group=50,
            random_state=0,
        )


@parametrize_with_checks(list(_estimators()))
def test_sklearn_compatible_estimator(estimator, check):
    check(estimator)


def test_every_method_is_checked():
    # The common checks above raise on failure; this guards their coverage.
    from sklearn_unlearn.feature._methods import METHODS

    assert {est.method for est in _estimators()} == set(METHODS)
