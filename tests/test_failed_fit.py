"""A failed fit or partial_fit leaves a fitted estimator exactly as it was."""

import pickle

import numpy as np
import pytest
from sklearn.base import clone
from sklearn.linear_model import LogisticRegression
from sklearn.neural_network import MLPClassifier

from sklearn_unlearn import BarycenterFeatureUnlearner, MarginalUnlearner
from tests.test_common import _estimators


def _data(n_features, seed=0):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(120, n_features))
    y = (X[:, 1] + 0.5 * rng.normal(size=120) > 0).astype(int)
    return X, y


def _outputs(estimator, X):
    """Every output the fitted estimator gives on X."""
    names = ("transform", "predict", "predict_proba", "decision_function")
    out = [getattr(estimator, name)(X) for name in names if hasattr(estimator, name)]
    if hasattr(estimator, "sample_indices_"):
        out.append(estimator.sample_indices_)
    return out


def _bad_refits():
    """Refits that fail after validation has started: a NaN, one group, one class."""
    X4, y4 = _data(4, seed=1)
    with_nan = X4.copy()
    with_nan[5, 2] = np.nan
    yield "nan", with_nan, y4
    yield "one class", X4, np.zeros_like(y4)


@pytest.mark.parametrize("estimator", list(_estimators()), ids=lambda e: repr(e)[:60])
@pytest.mark.parametrize("case", list(_bad_refits()), ids=lambda c: c[0])
def test_failed_refit_leaves_the_fitted_estimator_unchanged(estimator, case):
    _, X_bad, y_bad = case
    X, y = _data(3)
    estimator = clone(estimator)
    if hasattr(estimator, "fit_resample"):
        estimator.fit_resample(X, y)
    else:
        estimator.fit(X, y)
    state = pickle.dumps(estimator.__dict__)
    before = _outputs(estimator, X)
    X_copy = X_bad.copy()
    try:
        estimator.fit(X_bad, y_bad)
    except ValueError:
        pass
    else:  # some estimators fit one-class labels: nothing to roll back
        assert case[0] == "one class"
        return
    np.testing.assert_array_equal(X_bad, X_copy, strict=True)
    assert pickle.dumps(estimator.__dict__) == state
    for a, b in zip(_outputs(estimator, X), before, strict=True):
        np.testing.assert_array_equal(a, b)


def test_failed_first_fit_leaves_no_fitted_attribute():
    X, y = _data(3)
    X[0, 1] = np.nan
    estimator = BarycenterFeatureUnlearner(sensitive_feature_ids=[0], sensitive_bins=2)
    with pytest.raises(ValueError, match="NaN"):
        estimator.fit(X, y)
    assert not [k for k in vars(estimator) if k.endswith("_") and not k.startswith("_")]


def test_failed_partial_fit_rolls_back_merged_moments():
    X, y = _data(3)
    s = (X[:, 0] > 0).astype(int)
    estimator = BarycenterFeatureUnlearner(method="gaussian")
    estimator.partial_fit(X[:60], sensitive_features=s[:60])
    estimator.partial_fit(X[60:], sensitive_features=s[60:])
    state = pickle.dumps(estimator.__dict__)
    before = estimator.transform(X, sensitive_features=s)
    bad = X[:10].copy()
    bad[3, 2] = np.inf
    with pytest.raises(ValueError):
        estimator.partial_fit(bad, sensitive_features=s[:10])
    assert pickle.dumps(estimator.__dict__) == state
    np.testing.assert_array_equal(estimator.transform(X, sensitive_features=s), before)


def test_failed_refit_of_the_data_point_unlearner():
    X, y = _data(3)
    forget = np.arange(120) < 20
    base = MLPClassifier(hidden_layer_sizes=(4,), max_iter=3000, random_state=0)
    model = MarginalUnlearner(base.fit(X, y), max_iter=5, random_state=0)
    model.fit(X, y, forget_mask=forget)
    state = pickle.dumps(model.__dict__)
    before = model.predict_proba(X)
    with pytest.raises(ValueError):
        model.fit(X, y, forget_mask=forget[:50])
    assert pickle.dumps(model.__dict__) == state
    np.testing.assert_array_equal(model.predict_proba(X), before)


def test_logistic_base_is_untouched_by_a_failed_refit():
    X, y = _data(3)
    base = LogisticRegression().fit(X, y)
    coef = base.coef_.copy()
    model = MarginalUnlearner(base, max_iter=5, random_state=0)
    with pytest.raises(ValueError):
        model.fit(X, y, forget_mask=np.ones(7, dtype=bool))
    np.testing.assert_array_equal(base.coef_, coef)
