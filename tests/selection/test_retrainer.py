"""SelectiveRetrainer: select, then fit; in searches, pipelines and with routing."""

import numpy as np
import pandas as pd
import pytest
import sklearn
from numpy.testing import assert_allclose, assert_array_equal
from sklearn.linear_model import LogisticRegression, Ridge
from sklearn.model_selection import GridSearchCV
from sklearn.neighbors import KNeighborsClassifier
from sklearn.svm import LinearSVC

from sklearn_unlearn import DistributionalSelector, SelectiveRetrainer


def _data(seed=0, n=400):
    rng = np.random.default_rng(seed)
    domain = rng.random(n) < 0.3
    X = rng.normal(size=(n, 3)) + 1.5 * domain[:, None] * [1.0, 0.0, 0.5]
    y = (X[:, 0] + X[:, 1] + 0.5 * rng.normal(size=n) > 0.5).astype(int)
    return X, y, domain


def test_fits_the_estimator_on_the_kept_rows():
    X, y, domain = _data()
    model = SelectiveRetrainer(
        LogisticRegression(), DistributionalSelector(budget=0.6)
    ).fit(X, y, forget_mask=domain)
    kept = model.selector_.sample_indices_
    reference = LogisticRegression().fit(X[kept], y[kept])
    assert_allclose(model.estimator_.coef_, reference.coef_)
    assert_array_equal(model.predict(X), reference.predict(X))
    assert_allclose(model.predict_proba(X), reference.predict_proba(X))
    assert_array_equal(model.classes_, [0, 1])
    assert model.score(X, y) == reference.score(X, y)
    assert model.n_features_in_ == 3


def test_default_selector_and_domain_column():
    X, y, domain = _data()
    Xd = np.column_stack([X[:, :1], domain.astype(float), X[:, 1:]])
    model = SelectiveRetrainer(
        LogisticRegression(), DistributionalSelector(domain_column=1, forget_value=1.0)
    ).fit(Xd, y)
    same = SelectiveRetrainer(LogisticRegression()).fit(X, y, forget_mask=domain)
    assert_allclose(model.estimator_.coef_, same.estimator_.coef_)
    assert model.estimator_.n_features_in_ == 3
    assert_allclose(model.decision_function(Xd), same.decision_function(X))
    with pytest.raises(ValueError, match="X has 3 features, but"):
        model.predict(X)


def test_sample_weight_form_equals_dropping_rows():
    X, _, domain = _data()
    target = X @ [1.0, -2.0, 0.5] + 0.1
    selector = DistributionalSelector(budget=0.5)
    dropped = SelectiveRetrainer(Ridge(), selector).fit(X, target, forget_mask=domain)
    weighted = SelectiveRetrainer(Ridge(), selector, deletion="sample_weight").fit(
        X, target, forget_mask=domain
    )
    assert_allclose(weighted.estimator_.coef_, dropped.estimator_.coef_, rtol=1e-10)
    # user weights are multiplied in (drop: subset; weight: zeroed)
    w = np.random.default_rng(1).uniform(0.5, 2.0, X.shape[0])
    dropped = SelectiveRetrainer(Ridge(), selector).fit(
        X, target, forget_mask=domain, sample_weight=w
    )
    weighted = SelectiveRetrainer(Ridge(), selector, deletion="sample_weight").fit(
        X, target, forget_mask=domain, sample_weight=w
    )
    assert_allclose(weighted.estimator_.coef_, dropped.estimator_.coef_, rtol=1e-10)
    kept = dropped.selector_.sample_indices_
    reference = Ridge().fit(X[kept], target[kept], sample_weight=w[kept])
    assert_allclose(dropped.estimator_.coef_, reference.coef_)


def test_sample_weight_form_needs_an_estimator_that_takes_it():
    X, y, domain = _data()
    model = SelectiveRetrainer(KNeighborsClassifier(), deletion="sample_weight")
    with pytest.raises(ValueError, match="KNeighborsClassifier does not"):
        model.fit(X, y, forget_mask=domain)


def test_grid_search_over_budget_and_criterion():
    X, y, domain = _data()
    Xd = np.column_stack([domain, X]).astype(float)
    search = GridSearchCV(
        SelectiveRetrainer(
            LogisticRegression(),
            DistributionalSelector(domain_column=0, forget_value=1.0),
        ),
        {
            "selector__budget": [0.0, 0.5, 1.0],
            "selector__criterion": ["euclidean", "likelihood_ratio", "random"],
        },
        cv=3,
    ).fit(Xd, y)
    assert search.cv_results_["mean_test_score"].shape == (9,)
    assert np.all(search.cv_results_["mean_test_score"] > 0.7)
    assert search.best_estimator_.selector_.budget in (0.0, 0.5, 1.0)


def test_grid_search_passes_the_forget_mask_per_fold():
    X, y, domain = _data()
    search = GridSearchCV(
        SelectiveRetrainer(LogisticRegression()),
        {"selector": [DistributionalSelector(budget=b) for b in (0.2, 0.9)]},
        cv=4,
    ).fit(X, y, forget_mask=domain)
    model = search.best_estimator_
    assert model.selector_.deletion_mask_.shape == (X.shape[0],)
    expected = int(np.floor(model.selector.budget * domain.sum() + 0.5))
    assert model.selector_.n_deleted_ == expected


def test_metadata_routing_of_sample_weight():
    X, y, domain = _data()
    w = np.random.default_rng(2).uniform(0.5, 2.0, X.shape[0])
    with sklearn.config_context(enable_metadata_routing=True):
        inner = LogisticRegression().set_fit_request(sample_weight=True)
        model = SelectiveRetrainer(inner).set_fit_request(forget_mask=True)
        model.fit(X, y, forget_mask=domain, sample_weight=w)
        kept = model.selector_.sample_indices_
        reference = LogisticRegression().fit(X[kept], y[kept], sample_weight=w[kept])
        assert_allclose(model.estimator_.coef_, reference.coef_)
        unrequested = SelectiveRetrainer(LogisticRegression())
        with pytest.raises(Exception, match="sample_weight"):
            unrequested.fit(X, y, forget_mask=domain, sample_weight=w)


def test_delegation_follows_the_estimator():
    model = SelectiveRetrainer(LinearSVC())
    assert not hasattr(model, "predict_proba")
    assert hasattr(model, "decision_function")
    assert hasattr(SelectiveRetrainer(LogisticRegression()), "predict_proba")


def test_pandas_input_keeps_feature_names():
    X, y, domain = _data()
    df = pd.DataFrame(X, columns=["a", "b", "c"])
    df["domain"] = np.where(domain, "old", "new")
    model = SelectiveRetrainer(
        LogisticRegression(),
        DistributionalSelector(domain_column="domain", forget_value="old"),
    ).fit(df, y)
    assert_array_equal(model.feature_names_in_, ["a", "b", "c", "domain"])
    assert_array_equal(model.estimator_.feature_names_in_, ["a", "b", "c"])
    assert model.predict(df).shape == y.shape


def test_mismatched_lengths():
    X, y, domain = _data()
    with pytest.raises(ValueError, match="inconsistent numbers of samples"):
        SelectiveRetrainer(LogisticRegression()).fit(X, y[:-1], forget_mask=domain)


def test_forget_domain_mask_reads_the_domain_column_of_new_rows():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(200, 2))
    domain = np.where(rng.random(200) < 0.3, "old", "new")
    frame = pd.DataFrame({"a": X[:, 0], "domain": domain, "b": X[:, 1]})
    y = (X[:, 0] > 0).astype(int)
    model = SelectiveRetrainer(
        LogisticRegression(),
        DistributionalSelector(domain_column="domain", forget_value="old"),
    ).fit(frame, y)
    assert_array_equal(
        model.forget_domain_mask(frame.iloc[::-1]), domain[::-1] == "old"
    )
    by_mask = SelectiveRetrainer(LogisticRegression()).fit(
        X, y, forget_mask=domain == "old"
    )
    with pytest.raises(ValueError, match="fitted with forget_mask"):
        by_mask.forget_domain_mask(X)
