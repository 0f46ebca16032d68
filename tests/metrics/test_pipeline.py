"""Reading S, the unlearner's input and Z out of a fitted model."""

import numpy as np
import pytest
from numpy.testing import assert_allclose
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import roc_auc_score
from sklearn.pipeline import Pipeline, make_pipeline
from sklearn.preprocessing import StandardScaler

from sklearn_unlearn.metrics import (
    leakage_auc,
    make_leakage_scorer,
    make_tradeoff_scorer,
)
from sklearn_unlearn.metrics._pipeline import find_unlearner, unlearner_view
from tests.metrics.pipelines import (
    N,
    gaussian_unlearner,
    lr_leakage_scorer,
    scale_features,
)


def test_scorer_needs_an_unlearner(synthetic):
    X, y, _, _ = synthetic
    plain = make_pipeline(StandardScaler(), LogisticRegression()).fit(X, y)
    with pytest.raises(TypeError, match="BarycenterFeatureUnlearner among its steps"):
        make_leakage_scorer()(plain, X, y)


def test_leakage_scorer_after_a_column_transformer(data):
    frame, _, s, y = data
    model = make_pipeline(
        scale_features(), gaussian_unlearner(["sex"]), LogisticRegression()
    ).fit(frame, y)
    Z = model[1].transform(model[0].transform(frame))
    expected = leakage_auc(Z, s, estimator=LogisticRegression(), cv=3, random_state=0)
    assert_allclose(lr_leakage_scorer()(model, frame, y), expected)
    assert expected < 0.6


def test_scorers_after_a_scaler_that_scales_the_sensitive_column_too(data):
    _, features, s, y = data
    X = np.column_stack([s, features])
    model = make_pipeline(
        StandardScaler(), gaussian_unlearner([0]), LogisticRegression()
    ).fit(X, y)
    Z = model[1].transform(model[0].transform(X))
    leak = leakage_auc(Z, s, estimator=LogisticRegression(), cv=3, random_state=0)
    assert_allclose(lr_leakage_scorer()(model, X, y), leak)
    tradeoff = make_tradeoff_scorer(
        "roc_auc", leakage_weight=2.0, estimator=LogisticRegression(), random_state=0
    )
    utility = roc_auc_score(y, model.predict_proba(X)[:, 1])
    assert_allclose(tradeoff(model, X, y), utility - 2.0 * (leak - 0.5))


def test_nested_pipelines_give_the_flat_answer(data):
    _, features, s, y = data
    X = np.column_stack([s, features])
    flat = make_pipeline(
        StandardScaler(), gaussian_unlearner([0]), LogisticRegression()
    )
    inner_first = Pipeline(
        [
            (
                "prep",
                Pipeline([("sc", StandardScaler()), ("u", gaussian_unlearner([0]))]),
            ),
            ("lr", LogisticRegression()),
        ]
    )
    inner_last = Pipeline(
        [
            ("sc", StandardScaler()),
            (
                "model",
                Pipeline(
                    [("u", gaussian_unlearner([0])), ("lr", LogisticRegression())]
                ),
            ),
        ]
    )
    expected = lr_leakage_scorer()(flat.fit(X, y), X, y)
    for model, name in [(inner_first, "prep__u"), (inner_last, "model__u")]:
        model.fit(X, y)
        assert find_unlearner(model)[0] == name
        assert_allclose(lr_leakage_scorer()(model, X, y), expected)


def test_scorer_groups_s_as_the_unlearner_bins_it(data):
    _, features, _, y = data
    age = np.random.default_rng(1).uniform(20, 60, N)
    X = np.column_stack([age, features + (age > 40)[:, None]])
    model = make_pipeline(
        gaussian_unlearner([0], sensitive_bins=3), LogisticRegression()
    ).fit(X, y)
    groups = np.searchsorted(model[0].sensitive_bin_edges_[0], age, side="right")
    expected = leakage_auc(
        model[0].transform(X),
        groups,
        estimator=LogisticRegression(),
        cv=3,
        random_state=0,
    )
    assert_allclose(lr_leakage_scorer()(model, X, y), expected)


def test_view_labels_intersections_like_the_library(data):
    frame, _, s, y = data
    frame = frame.assign(band=np.where(np.arange(N) % 3 == 0, "p", "q"))
    model = make_pipeline(
        gaussian_unlearner(["sex", "band"]), LogisticRegression()
    ).fit(frame, y)
    view = unlearner_view(model, frame)
    expected = np.char.add(
        np.where(s == 1, "F & ", "M & "), frame["band"].to_numpy(str)
    )
    np.testing.assert_array_equal(view.sensitive.astype(str), expected)
    assert list(view.sensitive_record.encoding.groups) == list(model[0].groups_)
    np.testing.assert_array_equal(view.Z, model[0].transform(frame))
    assert_allclose(
        lr_leakage_scorer()(model, frame, y),
        leakage_auc(
            view.Z, expected, estimator=LogisticRegression(), cv=3, random_state=0
        ),
    )


def test_view_bins_new_rows_with_the_fitted_edges(data):
    _, features, _, y = data
    age = np.random.default_rng(1).uniform(20, 60, N)
    X = np.column_stack([age, features])
    model = make_pipeline(
        gaussian_unlearner([0], sensitive_bins=3), LogisticRegression()
    ).fit(X, y)
    edges = model[0].sensitive_bin_edges_[0]
    older = X[age > 35]  # binned anew, these rows would get other edges
    view = unlearner_view(model, older)
    expected = np.searchsorted(edges, older[:, 0], side="right").astype(str)
    np.testing.assert_array_equal(view.sensitive.astype(str), expected)


def test_view_reads_s_given_as_metadata(data):
    _, features, s, y = data
    unlearner = gaussian_unlearner().fit(features, sensitive_features=s)
    view = unlearner_view(unlearner, features, s)
    np.testing.assert_array_equal(view.sensitive.astype(str), s.astype(str))
    assert view.sensitive_record.features is features  # no column of X is S
    with pytest.raises(ValueError, match="pass sensitive_features="):
        unlearner_view(unlearner, features)
