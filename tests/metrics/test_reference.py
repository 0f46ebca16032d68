"""independence_reference: the spec's protocol on Adult, and its contract."""

import numpy as np
import pytest
from sklearn.compose import ColumnTransformer
from sklearn.ensemble import HistGradientBoostingClassifier
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import roc_auc_score
from sklearn.model_selection import train_test_split
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import OneHotEncoder, StandardScaler

from sklearn_unlearn.datasets import load_adult
from sklearn_unlearn.metrics import independence_reference


def _adult_split():
    data = load_adult()
    X = data.data.drop(columns=["sex", "fnlwgt"])
    y, s = data.target.to_numpy(), np.asarray(data.sensitive)
    numeric = X.select_dtypes("number").columns.tolist()
    categorical = [c for c in X.columns if c not in numeric]
    encode = ColumnTransformer(
        [
            ("num", StandardScaler(), numeric),
            (
                "cat",
                OneHotEncoder(min_frequency=50, handle_unknown="infrequent_if_exist"),
                categorical,
            ),
        ]
    )
    parts = train_test_split(X, y, s, test_size=0.4, random_state=0, stratify=y)
    return make_pipeline(encode, LogisticRegression(max_iter=1000)), parts


def _leakage(train_scores, s_train, test_scores, s_test):
    """The spec's output leakage: HGB fitted on train outputs, AUC on test."""
    adversary = HistGradientBoostingClassifier(random_state=0)
    adversary.fit(train_scores[:, None], s_train)
    return roc_auc_score(s_test, adversary.predict_proba(test_scores[:, None])[:, 1])


@pytest.mark.slow
def test_adult_reference_matches_the_spec():
    # spec (measuring_forgetting.md): raw utility 0.906, reference 0.872 on the
    # 60/40 split of Adult (S = sex). Measured here: 0.907 and 0.875 (cv=5).
    # Tolerance +-0.01: other seeds of the split move both by about 0.005.
    estimator, (X_tr, X_te, y_tr, y_te, s_tr, s_te) = _adult_split()
    ref = independence_reference(
        X_tr,
        y_tr,
        s_tr,
        X_test=X_te,
        y_test=y_te,
        sensitive_features_test=s_te,
        estimator=estimator,
        random_state=0,
    )
    assert ref.raw_utility == pytest.approx(0.906, abs=0.01)
    assert ref.utility == pytest.approx(0.872, abs=0.01)
    assert (ref.n_train, ref.n_test) == (len(y_tr), len(y_te))
    assert _leakage(ref.train_scores, s_tr, ref.test_scores, s_te) <= 0.55


def test_split_and_defaults():
    rng = np.random.default_rng(0)
    s = rng.integers(0, 3, 1000)
    X = rng.normal(size=(1000, 3)) + s[:, None]
    y = (X[:, 0] + rng.normal(size=1000) > 1).astype(int)
    ref = independence_reference(X, y, s, random_state=0, cv=3)
    assert (ref.n_train, ref.n_test) == (600, 400)
    assert 0.5 < ref.utility < ref.raw_utility
    again = independence_reference(X, y, s, random_state=0, cv=3)
    assert again.utility == ref.utility


def test_regression_and_multiclass_targets():
    rng = np.random.default_rng(1)
    s = rng.integers(0, 2, 800)
    X = rng.normal(size=(800, 3)) + s[:, None]
    target = X @ np.array([1.0, 0.5, 0.0]) + rng.normal(size=800)
    reg = independence_reference(X, target, s, random_state=0)
    assert -1.0 < reg.utility < reg.raw_utility <= 1.0
    labels = np.digitize(target, np.quantile(target, [1 / 3, 2 / 3]))
    multi = independence_reference(X, labels, s, random_state=0)
    assert multi.test_scores.shape == (multi.n_test, 3)
    assert 0.5 < multi.utility <= multi.raw_utility + 0.01


def test_test_rows_come_together():
    X = np.random.default_rng(0).normal(size=(100, 2))
    y = (X[:, 0] > 0).astype(int)
    s = np.arange(100) % 2
    with pytest.raises(ValueError, match="X_test, y_test and sensitive_features_test"):
        independence_reference(X, y, s, X_test=X)
    with pytest.raises(ValueError, match="test_size"):
        independence_reference(X, y, s, test_size=1.5)
