"""Leakage and trade-off scorers: their values, and metadata routing of S."""

import warnings

import numpy as np
import pytest
import sklearn
from numpy.testing import assert_allclose
from sklearn.exceptions import UnsetMetadataPassedError
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import roc_auc_score
from sklearn.model_selection import GridSearchCV, cross_validate
from sklearn.pipeline import Pipeline, make_pipeline

from sklearn_unlearn.metrics import (
    leakage_auc,
    leakage_bounded_refit,
    make_leakage_scorer,
    make_tradeoff_scorer,
)
from tests.metrics.pipelines import (
    N,
    gaussian_unlearner,
    lr_leakage_scorer,
)


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


def _routed_pipeline():
    unlearner = (
        gaussian_unlearner()
        .set_fit_request(sensitive_features=True)
        .set_transform_request(sensitive_features=True)
    )
    return Pipeline([("u", unlearner), ("lr", LogisticRegression())])


def test_metadata_routing_reaches_fit_and_both_scorers(data):
    _, features, s, y = data
    column_pipe = Pipeline(
        [("u", gaussian_unlearner([0])), ("lr", LogisticRegression())]
    )
    grid = {"u__repair_level": [0.0, 1.0]}
    with sklearn.config_context(enable_metadata_routing=True):
        leak = lr_leakage_scorer().set_score_request(sensitive_features=True)
        tradeoff = make_tradeoff_scorer(
            "roc_auc", estimator=LogisticRegression(), random_state=0
        ).set_score_request(sensitive_features=True)
        routed = GridSearchCV(
            _routed_pipeline(),
            grid,
            scoring={"leakage": leak, "tradeoff": tradeoff},
            refit=leakage_bounded_refit(0.6, utility="tradeoff"),
            cv=3,
        ).fit(features, y, sensitive_features=s)
    # the same search with S as a column of X
    scoring = {
        "leakage": lr_leakage_scorer(),
        "tradeoff": make_tradeoff_scorer(
            "roc_auc", estimator=LogisticRegression(), random_state=0
        ),
    }
    columns = GridSearchCV(column_pipe, grid, scoring=scoring, cv=3, refit=False)
    columns.fit(np.column_stack([s, features]), y)
    for key in ["mean_test_leakage", "mean_test_tradeoff"]:
        assert np.all(np.isfinite(routed.cv_results_[key]))
        assert_allclose(routed.cv_results_[key], columns.cv_results_[key])
    assert routed.best_params_ == {"u__repair_level": 1.0}


def test_routing_without_a_score_request_says_how_to_request(data):
    _, features, s, y = data
    with sklearn.config_context(enable_metadata_routing=True):
        scorer = make_leakage_scorer()
        assert scorer.get_metadata_routing().score.requests == {
            "sensitive_features": None
        }
        with pytest.raises(UnsetMetadataPassedError, match="set_score_request"):
            cross_validate(
                _routed_pipeline(),
                features,
                y,
                scoring={"leakage": scorer},
                params={"sensitive_features": s},
                cv=3,
            )


def test_set_score_request_returns_the_scorer_and_keeps_aliases():
    with sklearn.config_context(enable_metadata_routing=True):
        scorer = make_tradeoff_scorer()
        assert scorer.set_score_request(sensitive_features="group") is scorer
        assert scorer.get_metadata_routing().score.requests == {
            "sensitive_features": "group"
        }
        scorer.set_score_request()  # unchanged
        assert scorer.get_metadata_routing().score.requests == {
            "sensitive_features": "group"
        }


def test_search_with_sample_weight_reaches_the_pipeline_error(data):
    _, features, s, y = data
    search = GridSearchCV(
        make_pipeline(gaussian_unlearner([0]), LogisticRegression()),
        {"barycenterfeatureunlearner__repair_level": [1.0]},
        scoring={"leakage": make_leakage_scorer(), "utility": "roc_auc"},
        refit=False,
        cv=3,
    )
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", "The scoring leakage=", UserWarning)
        # scikit-learn's own message for a pipeline given a bare sample_weight,
        # not an AttributeError from the leakage scorer
        with pytest.raises(ValueError, match="stepname__parameter"):
            search.fit(np.column_stack([s, features]), y, sample_weight=np.ones(N))
