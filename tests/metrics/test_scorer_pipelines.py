"""Scorers and refit rules with the unlearner anywhere in a pipeline, and routing."""

import warnings

import numpy as np
import pandas as pd
import pytest
import sklearn
from numpy.testing import assert_allclose
from sklearn.compose import ColumnTransformer
from sklearn.exceptions import UnsetMetadataPassedError
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import roc_auc_score
from sklearn.model_selection import GridSearchCV, cross_validate
from sklearn.pipeline import Pipeline, make_pipeline
from sklearn.preprocessing import StandardScaler

from sklearn_unlearn import BarycenterFeatureUnlearner
from sklearn_unlearn.metrics import (
    leakage_auc,
    leakage_bounded_refit,
    make_leakage_scorer,
    make_tradeoff_scorer,
)
from sklearn_unlearn.metrics._pipeline import find_unlearner

N = 300


@pytest.fixture(scope="module")
def data():
    """S (two groups) shifts both features; y depends on the first one."""
    rng = np.random.default_rng(0)
    s = rng.integers(0, 2, N)
    features = rng.normal(size=(N, 2)) + 1.5 * s[:, None]
    y = (features[:, 0] + rng.normal(size=N) > 0.75).astype(int)
    frame = pd.DataFrame(features, columns=["a", "b"])
    frame.insert(1, "sex", np.where(s == 1, "F", "M"))
    return frame, features, s, y


def _unlearner(sensitive_features=None, **params):
    return BarycenterFeatureUnlearner(
        sensitive_features, method="gaussian", random_state=0, **params
    )


def _column_transformer():
    return ColumnTransformer(
        [("scale", StandardScaler(), ["a", "b"])],
        remainder="passthrough",
        verbose_feature_names_out=False,
    ).set_output(transform="pandas")


def _scorer(**kwargs):
    return make_leakage_scorer(
        estimator=LogisticRegression(), random_state=0, greater_is_better=True, **kwargs
    )


def test_leakage_scorer_after_a_column_transformer(data):
    frame, _, s, y = data
    model = make_pipeline(
        _column_transformer(), _unlearner(["sex"]), LogisticRegression()
    ).fit(frame, y)
    Z = model[1].transform(model[0].transform(frame))
    expected = leakage_auc(Z, s, estimator=LogisticRegression(), cv=3, random_state=0)
    assert_allclose(_scorer()(model, frame, y), expected)
    assert expected < 0.6


def test_scorers_after_a_scaler_that_scales_the_sensitive_column_too(data):
    _, features, s, y = data
    X = np.column_stack([s, features])
    model = make_pipeline(StandardScaler(), _unlearner([0]), LogisticRegression()).fit(
        X, y
    )
    Z = model[1].transform(model[0].transform(X))
    leak = leakage_auc(Z, s, estimator=LogisticRegression(), cv=3, random_state=0)
    assert_allclose(_scorer()(model, X, y), leak)
    tradeoff = make_tradeoff_scorer(
        "roc_auc", leakage_weight=2.0, estimator=LogisticRegression(), random_state=0
    )
    utility = roc_auc_score(y, model.predict_proba(X)[:, 1])
    assert_allclose(tradeoff(model, X, y), utility - 2.0 * (leak - 0.5))


def test_nested_pipelines_give_the_flat_answer(data):
    _, features, s, y = data
    X = np.column_stack([s, features])
    flat = make_pipeline(StandardScaler(), _unlearner([0]), LogisticRegression())
    inner_first = Pipeline(
        [
            ("prep", Pipeline([("sc", StandardScaler()), ("u", _unlearner([0]))])),
            ("lr", LogisticRegression()),
        ]
    )
    inner_last = Pipeline(
        [
            ("sc", StandardScaler()),
            ("model", Pipeline([("u", _unlearner([0])), ("lr", LogisticRegression())])),
        ]
    )
    expected = _scorer()(flat.fit(X, y), X, y)
    for model, name in [(inner_first, "prep__u"), (inner_last, "model__u")]:
        model.fit(X, y)
        assert find_unlearner(model)[0] == name
        assert_allclose(_scorer()(model, X, y), expected)


def test_scorer_groups_s_as_the_unlearner_bins_it(data):
    _, features, _, y = data
    age = np.random.default_rng(1).uniform(20, 60, N)
    X = np.column_stack([age, features + (age > 40)[:, None]])
    model = make_pipeline(_unlearner([0], sensitive_bins=3), LogisticRegression()).fit(
        X, y
    )
    groups = np.searchsorted(model[0].sensitive_bin_edges_[0], age, side="right")
    expected = leakage_auc(
        model[0].transform(X),
        groups,
        estimator=LogisticRegression(),
        cv=3,
        random_state=0,
    )
    assert_allclose(_scorer()(model, X, y), expected)


def test_grid_search_with_a_column_transformer_picks_a_repairing_candidate(data):
    frame, _, _, y = data
    pipe = Pipeline(
        [
            ("encode", _column_transformer()),
            ("u", _unlearner(["sex"])),
            ("lr", LogisticRegression()),
        ]
    )
    search = GridSearchCV(
        pipe,
        {"u__repair_level": [0.0, 1.0]},
        scoring={"utility": "roc_auc", "leakage": _scorer()},
        refit=leakage_bounded_refit(0.6),
        cv=3,
    ).fit(frame, y)
    leakage = search.cv_results_["mean_test_leakage"]
    assert np.all(np.isfinite(leakage))
    assert leakage[0] > 0.7 and leakage[1] < 0.6  # unrepaired leaks, repaired not
    assert search.best_params_ == {"u__repair_level": 1.0}


def test_refit_rule_raises_when_every_leakage_score_failed(data):
    frame, _, _, y = data
    pipe = make_pipeline(
        _column_transformer(), _unlearner(["sex"]), LogisticRegression()
    )
    search = GridSearchCV(
        pipe,
        {"barycenterfeatureunlearner__repair_level": [0.0, 1.0]},
        # 200 adversary folds: more than the rows of either group in a test fold
        scoring={"utility": "roc_auc", "leakage": make_leakage_scorer(cv=200)},
        refit=leakage_bounded_refit(0.6),
        cv=3,
    )
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        with pytest.raises(ValueError, match=r"'mean_test_leakage'\] is NaN.*error_sc"):
            search.fit(frame, y)
    assert any("Scoring failed" in str(w.message) for w in caught)


def _routed_pipeline():
    unlearner = (
        _unlearner()
        .set_fit_request(sensitive_features=True)
        .set_transform_request(sensitive_features=True)
    )
    return Pipeline([("u", unlearner), ("lr", LogisticRegression())])


def test_metadata_routing_reaches_fit_and_both_scorers(data):
    _, features, s, y = data
    column_pipe = Pipeline([("u", _unlearner([0])), ("lr", LogisticRegression())])
    grid = {"u__repair_level": [0.0, 1.0]}
    with sklearn.config_context(enable_metadata_routing=True):
        leak = _scorer().set_score_request(sensitive_features=True)
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
        "leakage": _scorer(),
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
        make_pipeline(_unlearner([0]), LogisticRegression()),
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
