"""The delegated methods and tags: a classifier or a regressor, as wrapped."""

import numpy as np
import pytest
from sklearn.base import is_classifier, is_regressor
from sklearn.linear_model import LogisticRegression, Ridge
from sklearn.metrics import accuracy_score, r2_score
from sklearn.utils import get_tags

from sklearn_unlearn.datapoint import MarginalUnlearner


def _data():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(120, 3))
    return X, X[:, 0] + 0.3 * rng.normal(size=120), np.arange(120) < 12


def test_a_regressor_wrapped_is_a_regressor():
    X, y, forget = _data()
    model = Ridge().fit(X, y)
    unlearner = MarginalUnlearner(model).fit(X, y, forget_mask=forget)
    assert is_regressor(unlearner) and not is_classifier(unlearner)
    assert not hasattr(unlearner, "predict_proba")
    assert not hasattr(unlearner, "decision_function")
    assert unlearner.score(X, y) == pytest.approx(r2_score(y, unlearner.predict(X)))
    assert get_tags(unlearner).target_tags.multi_output is False


def test_a_classifier_wrapped_is_a_classifier():
    X, y, forget = _data()
    labels = (y > 0).astype(int)
    model = LogisticRegression().fit(X, labels)
    unlearner = MarginalUnlearner(model, linear_update="newton").fit(
        X, labels, forget_mask=forget
    )
    assert is_classifier(unlearner) and not is_regressor(unlearner)
    assert unlearner.predict_proba(X).shape == (120, 2)
    assert unlearner.decision_function(X).shape == (120,)
    expected = accuracy_score(labels, unlearner.predict(X))
    assert unlearner.score(X, labels) == pytest.approx(expected)
    assert get_tags(unlearner).classifier_tags.multi_label is False
