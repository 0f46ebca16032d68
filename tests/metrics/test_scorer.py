"""Leakage scorers and the leakage-bounded refit rule inside GridSearchCV."""

import numpy as np
import pytest
from numpy.testing import assert_allclose
from sklearn.compose import ColumnTransformer
from sklearn.ensemble import HistGradientBoostingClassifier
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import roc_auc_score
from sklearn.model_selection import GridSearchCV
from sklearn.pipeline import Pipeline, make_pipeline
from sklearn.preprocessing import OneHotEncoder, StandardScaler

from sklearn_unlearn import BarycenterFeatureUnlearner
from sklearn_unlearn.datasets import load_adult
from sklearn_unlearn.metrics import (
    leakage_auc,
    leakage_bounded_refit,
    make_leakage_scorer,
    make_tradeoff_scorer,
)


@pytest.fixture(scope="module")
def synthetic():
    rng = np.random.default_rng(0)
    s = rng.integers(0, 2, 600)
    X = np.column_stack([s, rng.normal(size=(600, 2)) + 1.5 * s[:, None]])
    y = (X[:, 1] + rng.normal(size=600) > 0.75).astype(int)
    model = make_pipeline(
        BarycenterFeatureUnlearner(sensitive_features=[0]), LogisticRegression()
    ).fit(X, y)
    return X, y, s, model


def test_leakage_scorer_reads_s_from_columns(synthetic):
    X, y, s, model = synthetic
    adversary = LogisticRegression()
    scorer = make_leakage_scorer(estimator=adversary, random_state=0)
    auc = make_leakage_scorer(
        estimator=adversary, random_state=0, greater_is_better=True
    )
    Z = model[0].transform(X)
    expected = leakage_auc(Z, s, estimator=adversary, cv=3, random_state=0)
    assert_allclose(auc(model, X, y), expected)
    assert_allclose(scorer(model, X, y), -expected)
    # Fully repaired Gaussian-like groups: a linear adversary is at chance.
    assert expected < 0.6


def test_tradeoff_scorer_combines_utility_and_leakage(synthetic):
    X, y, s, model = synthetic
    adversary = LogisticRegression()
    tradeoff = make_tradeoff_scorer(
        "roc_auc", leakage_weight=2.0, estimator=adversary, random_state=0
    )
    utility = roc_auc_score(y, model.predict_proba(X)[:, 1])
    leak = leakage_auc(
        model[0].transform(X), s, estimator=adversary, cv=3, random_state=0
    )
    assert_allclose(tradeoff(model, X, y), utility - 2.0 * (leak - 0.5))


def test_scorer_needs_an_unlearner(synthetic):
    X, y, _, _ = synthetic
    plain = make_pipeline(StandardScaler(), LogisticRegression()).fit(X, y)
    with pytest.raises(TypeError, match="BarycenterFeatureUnlearner among its steps"):
        make_leakage_scorer()(plain, X, y)


def test_refit_rule_picks_best_utility_under_bound():
    refit = leakage_bounded_refit(0.6)
    results = {
        "mean_test_utility": np.array([0.90, 0.88, 0.85, 0.80]),
        "mean_test_leakage": np.array([-0.95, -0.62, -0.59, -0.51]),
    }
    assert refit(results) == 2
    positive = {**results, "mean_test_leakage": -results["mean_test_leakage"]}
    assert refit(positive) == 2
    assert leakage_bounded_refit(0.4)(results) == 3  # none allowed: least leaking


@pytest.mark.slow
# the closed forms rightly warn on the one-hot columns: the search compares them
@pytest.mark.filterwarnings("ignore:method=.*discrete column:UserWarning")
def test_grid_search_on_adult_with_leakage_bound():
    X, y, _ = load_adult(return_X_y=True, dropna=True)
    rows = np.random.default_rng(0).choice(len(y), 2000, replace=False)
    X, y = X.iloc[rows], y.iloc[rows]
    encode = ColumnTransformer(
        [
            (
                "cat",
                OneHotEncoder(handle_unknown="ignore", sparse_output=False),
                [
                    "workclass",
                    "education",
                    "marital_status",
                    "occupation",
                    "relationship",
                ],
            ),
            ("num", StandardScaler(), ["age", "education_num", "hours_per_week"]),
            ("s", "passthrough", ["sex"]),
        ],
        verbose_feature_names_out=False,
    ).set_output(transform="pandas")
    pipe = Pipeline(
        [
            ("u", BarycenterFeatureUnlearner(sensitive_features="sex", random_state=0)),
            ("clf", LogisticRegression(max_iter=500)),
        ]
    )
    adversary = HistGradientBoostingClassifier(max_iter=30, random_state=0)
    search = GridSearchCV(
        pipe,
        {"u__repair_level": [0.0, 0.5, 1.0], "u__method": ["gaussian", "quantile"]},
        scoring={
            "utility": "roc_auc",
            "leakage": make_leakage_scorer(estimator=adversary, random_state=0),
        },
        refit=leakage_bounded_refit(0.95),
        cv=3,
    )
    search.fit(encode.fit_transform(X), y)
    results = search.cv_results_
    auc = -results["mean_test_leakage"]
    assert np.all((auc >= 0.0) & (auc <= 1.0))
    assert np.all(results["mean_test_utility"] > 0.8)
    chosen = search.best_index_
    allowed = np.flatnonzero(auc <= 0.95)
    if allowed.size:
        assert chosen in allowed
        assert (
            results["mean_test_utility"][chosen]
            == results["mean_test_utility"][allowed].max()
        )
    assert hasattr(search.best_estimator_, "predict_proba")
