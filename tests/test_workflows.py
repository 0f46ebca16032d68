"""End-to-end fairness workflow: a mixed table, a search, fairlearn's audit.

A loan-style table with categories, skewed amounts and counts goes through a
``ColumnTransformer`` inside the pipeline, then the unlearner, then a
classifier; ``GridSearchCV`` scores leakage, parity and accuracy on every
repair level and refits under bounds; fairlearn's ``MetricFrame`` audits the
chosen model on held-out rows, against the unrepaired one.
"""

import numpy as np
import pytest
from sklearn.base import clone
from sklearn.compose import ColumnTransformer
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import accuracy_score, get_scorer
from sklearn.model_selection import GridSearchCV, StratifiedKFold, train_test_split
from sklearn.pipeline import Pipeline, make_pipeline
from sklearn.preprocessing import FunctionTransformer, OneHotEncoder, StandardScaler

from sklearn_unlearn import BarycenterFeatureUnlearner
from sklearn_unlearn.datasets import make_grouped_mixed
from sklearn_unlearn.metrics import (
    bounded_refit,
    make_fairness_scorer,
    make_leakage_scorer,
)

fairlearn_metrics = pytest.importorskip(
    "fairlearn.metrics",
    reason="the workflow audits with fairlearn's MetricFrame (pip install "
    "'sklearn-unlearn[test]')",
)

LEVELS = [0.0, 0.5, 1.0]
#: The refit bounds: leakage AUC, demographic-parity gap, worst group accuracy.
MAX_LEAKAGE, MAX_DPD, MIN_WORST = 0.75, 0.1, 0.6


def _loan_table():
    X, y, s = make_grouped_mixed(
        2000, group_weights=[0.7, 0.3], as_frame=True, random_state=0
    )
    X["sex"] = np.where(s == 1, "F", "M")  # the minority group is F
    return train_test_split(X, y, test_size=0.4, random_state=0, stratify=s)


def _pipeline():
    log_scaled = make_pipeline(
        FunctionTransformer(np.log1p, feature_names_out="one-to-one"), StandardScaler()
    )
    prep = ColumnTransformer(
        [
            ("categories", OneHotEncoder(sparse_output=False), ["c0", "c1"]),
            ("amounts", log_scaled, ["money0", "money1", "count0", "count1"]),
            ("scaled", StandardScaler(), ["cont0"]),
            ("sensitive", "passthrough", ["sex"]),
        ],
        verbose_feature_names_out=False,
    ).set_output(transform="pandas")
    return Pipeline(
        [
            ("prep", prep),
            ("unlearn", BarycenterFeatureUnlearner(["sex"], random_state=0)),
            ("clf", LogisticRegression()),
        ]
    )


SCORING = {
    "utility": "accuracy",
    "leakage": make_leakage_scorer(estimator=LogisticRegression(), random_state=0),
    "dpd": make_fairness_scorer("neg_demographic_parity_difference"),
    "eod": make_fairness_scorer("neg_equalized_odds_difference"),
    "worst": make_fairness_scorer("worst_group_accuracy"),
}


@pytest.fixture(scope="module")
def searched():
    X_train, X_test, y_train, y_test = _loan_table()
    search = GridSearchCV(
        _pipeline(),
        {"unlearn__repair_level": LEVELS},
        scoring=SCORING,
        refit=bounded_refit(
            at_most={"leakage": MAX_LEAKAGE, "dpd": MAX_DPD},
            at_least={"worst": MIN_WORST},
        ),
        cv=StratifiedKFold(3, shuffle=True, random_state=0),
        error_score="raise",
    ).fit(X_train, y_train)
    return search, X_train, X_test, y_train, y_test


def test_the_refit_rule_respects_its_bounds(searched):
    search = searched[0]
    results = {key: search.cv_results_[f"mean_test_{key}"] for key in SCORING}
    leakage, dpd = -results["leakage"], -results["dpd"]
    feasible = (leakage <= MAX_LEAKAGE) & (dpd <= MAX_DPD)
    feasible &= results["worst"] >= MIN_WORST
    assert feasible.any() and not feasible.all()  # the bounds bind
    chosen = search.best_index_
    assert feasible[chosen]
    assert results["utility"][chosen] == results["utility"][feasible].max()
    assert leakage[0] > 0.9 > 0.6 > leakage[-1]  # full repair hides S


def _audit(model, X, y):
    """fairlearn's MetricFrame of a model's held-out predictions, by sex."""
    return fairlearn_metrics.MetricFrame(
        metrics={
            "selection_rate": fairlearn_metrics.selection_rate,
            "accuracy": accuracy_score,
            "tpr": fairlearn_metrics.true_positive_rate,
            "fpr": fairlearn_metrics.false_positive_rate,
        },
        y_true=y,
        y_pred=model.predict(X),
        sensitive_features=X["sex"],
    )


def test_reported_fairness_equals_metricframe_before_and_after(searched):
    search, X_train, X_test, y_train, y_test = searched
    before = clone(search.estimator).set_params(unlearn__repair_level=0.0)
    before.fit(X_train, y_train)
    after = search.best_estimator_
    gaps = {}
    for name, model in (("before", before), ("after", after)):
        frame = _audit(model, X_test, y_test)
        difference = frame.difference()
        reported = {
            key: get_scorer(scorer)(model, X_test, y_test)
            for key, scorer in SCORING.items()
        }
        dpd = difference["selection_rate"]
        assert reported["dpd"] == pytest.approx(-dpd, abs=1e-12)
        eod = max(difference["tpr"], difference["fpr"])
        assert reported["eod"] == pytest.approx(-eod, abs=1e-12)
        assert reported["worst"] == pytest.approx(frame.group_min()["accuracy"])
        assert reported["utility"] == pytest.approx(frame.overall["accuracy"])
        gaps[name] = dpd, eod
    # the chosen repair narrows both gaps on rows no model saw
    assert gaps["after"][0] < gaps["before"][0]
    assert gaps["after"][1] < gaps["before"][1]
