"""The wrapped model's outputs: the repaired one, and its forms."""

import re
import warnings

import numpy as np
import pytest
from sklearn.base import BaseEstimator, ClassifierMixin, RegressorMixin
from sklearn.exceptions import ConvergenceWarning
from sklearn.linear_model import LogisticRegression, Ridge
from sklearn.model_selection import StratifiedKFold, cross_val_predict
from sklearn.svm import LinearSVC

from sklearn_unlearn import BarycenterOutcomeUnlearner
from sklearn_unlearn.outcome._outputs import (
    decision_scores,
    fit_model_outputs,
    output_columns,
    output_method,
    predictions,
    probabilities,
    repaired_form,
)
from tests.outcome.test_unlearner import _table


@pytest.mark.parametrize(
    "classifier, methods, expected",
    [
        (False, {"predict"}, "predict"),
        (False, {"predict", "predict_proba"}, "predict"),
        (True, {"predict", "predict_proba", "decision_function"}, "predict_proba"),
        (True, {"predict", "decision_function"}, "decision_function"),
    ],
)
def test_output_method(classifier, methods, expected):
    assert output_method(classifier, methods, "M") == expected


@pytest.mark.parametrize(
    "classifier, message",
    [(False, "estimator M has no predict"), (True, "CalibratedClassifierCV")],
)
def test_output_method_errors_say_the_fix(classifier, message):
    with pytest.raises(ValueError, match=re.escape(message)):
        output_method(classifier, {"fit"} if not classifier else {"predict"}, "M")


class _LabelsOnly(ClassifierMixin, BaseEstimator):
    """A classifier without scores."""

    def fit(self, X, y):
        self.classes_ = np.unique(y)
        return self

    def predict(self, X):
        return np.full(len(X), self.classes_[0])


class _NoPredict(RegressorMixin, BaseEstimator):
    def fit(self, X, y):
        return self


@pytest.mark.parametrize("model", [_LabelsOnly(), _NoPredict()])
def test_models_without_a_repairable_output_are_refused(model):
    X, y, s = _table(n=200)
    with pytest.raises(ValueError, match="has n"):
        BarycenterOutcomeUnlearner(model).fit(X, y, sensitive_features=s)


def test_fit_model_outputs_in_sample_and_cross_fitted():
    X, y, _ = _table(n=300)
    model = LogisticRegression()
    fitted, method, raw = fit_model_outputs(model, X, y, cv=None, params={})
    assert method == "predict_proba" and not hasattr(model, "coef_")
    np.testing.assert_array_equal(raw, LogisticRegression().fit(X, y).predict_proba(X))
    cv = StratifiedKFold(3)
    _, _, oof = fit_model_outputs(model, X, y, cv=cv, params={})
    expected = cross_val_predict(model, X, y, cv=cv, method="predict_proba")
    np.testing.assert_array_equal(oof, expected)
    svc, method, raw = fit_model_outputs(LinearSVC(), X, y, cv=None, params={})
    assert method == "decision_function" and raw.shape == (300,)


def test_output_columns():
    p = np.array([[0.2, 0.8], [0.6, 0.4]])
    np.testing.assert_array_equal(output_columns(p, "predict_proba"), p[:, 1:])
    three = np.array([[0.2, 0.3, 0.5]])
    np.testing.assert_array_equal(output_columns(three, "predict_proba"), three)
    np.testing.assert_array_equal(
        output_columns(np.array([1.0, -2.0]), "decision_function"), [[1.0], [-2.0]]
    )
    two_targets = np.ones((4, 2))
    assert output_columns(two_targets, "predict").shape == (4, 2)


def test_probabilities_and_scores_closed_forms():
    Z = np.array([[0.0], [0.25], [0.5], [1.0]])
    proba = probabilities(Z)
    np.testing.assert_array_equal(proba, np.column_stack([1 - Z[:, 0], Z[:, 0]]))
    scores = decision_scores(Z, "predict_proba")
    np.testing.assert_allclose(scores[1:3], [np.log(1 / 3), 0.0], rtol=1e-15)
    tiny = np.finfo(np.float64).tiny
    assert scores[0] == np.log(tiny) and scores[3] == -np.log(tiny)
    vectors = np.array([[0.5, 0.5, 0.0], [0.2, 0.3, 0.5]])
    np.testing.assert_array_equal(probabilities(vectors), vectors)
    logs = decision_scores(vectors, "predict_proba")
    np.testing.assert_allclose(logs[1], np.log(vectors[1]))
    assert logs[0, 2] == np.log(tiny)
    raw_scores = np.array([[1.5], [-0.5]])
    np.testing.assert_array_equal(
        decision_scores(raw_scores, "decision_function"), [1.5, -0.5]
    )


def test_predictions_and_forms_agree():
    classes = np.array(["no", "yes"])
    Z = np.array([[0.9], [0.1], [0.5]])
    raw = np.column_stack([1 - Z[:, 0], Z[:, 0]])
    labels = predictions(Z, raw, "predict_proba", classes)
    np.testing.assert_array_equal(labels, ["yes", "no", "no"])
    for form, expected in [
        ("predict", labels),
        ("predict_proba", probabilities(Z)),
        ("decision_function", decision_scores(Z, "predict_proba")),
    ]:
        np.testing.assert_array_equal(
            repaired_form(form, Z, raw, "predict_proba", classes), expected
        )
    # decision scores: the second class when positive, else the argmax
    scores = np.array([[0.3], [-0.2]])
    np.testing.assert_array_equal(
        predictions(scores, scores[:, 0], "decision_function", classes), ["yes", "no"]
    )
    multi = np.array([[0.1, 2.0, -1.0]])
    assert predictions(multi, multi, "decision_function", np.arange(3))[0] == 1
    # regression: the shape of the raw output, its floating dtype or float64
    values = np.array([[1.5], [2.5]])
    out = predictions(values, np.zeros(2, dtype=np.float32), "predict", None)
    assert out.shape == (2,) and out.dtype == np.float32
    ints = predictions(values, np.zeros(2, dtype=np.int64), "predict", None)
    assert ints.dtype == np.float64
    both = predictions(np.ones((2, 2)), np.zeros((2, 2)), "predict", None)
    assert both.shape == (2, 2)


def test_binary_outputs_agree():
    X, y, s = _table()
    model = BarycenterOutcomeUnlearner(LogisticRegression(), random_state=0)
    model.fit(X, y, sensitive_features=s)
    proba = model.predict_proba(X, sensitive_features=s)
    scores = model.decision_function(X, sensitive_features=s)
    pred = model.predict(X, sensitive_features=s)
    np.testing.assert_array_equal(pred, model.classes_[(scores > 0).astype(int)])
    np.testing.assert_array_equal(pred, model.classes_[proba.argmax(axis=1)])
    np.testing.assert_allclose(proba[:, 1], 1 / (1 + np.exp(-scores)), atol=1e-12)


def test_float32_outputs_stay_float32():
    X, y, s = _table(n_classes=0)
    model = BarycenterOutcomeUnlearner(Ridge(), random_state=0)
    X32 = X.astype(np.float32)
    model.fit(X32, y.astype(np.float32), sensitive_features=s)
    raw_dtype = model.estimator_.predict(X32).dtype
    assert model.predict(X32, sensitive_features=s).dtype == raw_dtype


def test_cross_fitted_group_laws():
    X, y, s = _table()
    cv = StratifiedKFold(3)
    model = BarycenterOutcomeUnlearner(LogisticRegression(), cv=cv, n_quantiles=15)
    model.fit(X, y, sensitive_features=s)
    oof = cross_val_predict(LogisticRegression(), X, y, cv=cv, method="predict_proba")
    levels = np.linspace(0, 1, 15)
    np.testing.assert_array_equal(model.references_, levels)
    for g in range(3):
        expected = np.quantile(oof[s == g, 1], levels)
        np.testing.assert_allclose(model.group_quantiles_[g, :, 0], expected)
    bary = model.group_weights_ @ model.group_quantiles_[:, :, 0]
    np.testing.assert_allclose(model.barycenter_quantiles_[:, 0], bary)


def test_saturated_probabilities_give_finite_decision_scores():
    # money in raw units: a plain logistic regression saturates (p = 0 or 1
    # in float64); the repaired log-odds must stay finite for ROC AUC & co.
    rng = np.random.default_rng(21)
    s = rng.integers(0, 2, 400)
    X = np.column_stack([rng.lognormal(10, 1, 400) * (1 + s), rng.normal(size=400)])
    y = (X[:, 0] > np.median(X[:, 0])).astype(int)
    model = BarycenterOutcomeUnlearner(
        LogisticRegression(C=1e6, max_iter=50), random_state=0
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)  # the point of the test
        model.fit(X, y, sensitive_features=s)
    proba = model.predict_proba(X, sensitive_features=s)[:, 1]
    assert np.any((proba == 0) | (proba == 1))  # saturated indeed
    scores = model.decision_function(X, sensitive_features=s)
    assert np.all(np.isfinite(scores))
    assert np.array_equal(scores > 0, proba > 0.5)
