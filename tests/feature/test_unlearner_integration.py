"""BarycenterFeatureUnlearner inside scikit-learn model selection, and efficacy."""

import numpy as np
import pandas as pd
import pytest
import sklearn
from sklearn.compose import ColumnTransformer
from sklearn.ensemble import HistGradientBoostingClassifier
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import roc_auc_score
from sklearn.model_selection import GridSearchCV, cross_validate, train_test_split
from sklearn.pipeline import Pipeline, make_pipeline
from sklearn.preprocessing import OneHotEncoder, StandardScaler

from sklearn_unlearn import BarycenterFeatureUnlearner
from sklearn_unlearn.datasets import load_adult, make_grouped_gaussian

METHODS = ["gaussian", "quantile", "empirical"]


@pytest.fixture(scope="module")
def frame_with_target():
    X, s = make_grouped_gaussian(1200, 4, n_groups=3, random_state=0)
    rng = np.random.default_rng(0)
    y = (X @ [1.0, -1.0, 0.5, 0.0] + rng.normal(size=1200) > 0).astype(int)
    df = pd.DataFrame(X, columns=["a", "b", "c", "d"])
    df.insert(0, "group", np.array(["u", "v", "w"])[s])
    return df, y, s


def test_grid_search_with_sensitive_column(frame_with_target):
    df, y, _ = frame_with_target
    pipe = Pipeline(
        [
            (
                "u",
                BarycenterFeatureUnlearner(
                    sensitive_feature_ids="group",
                    random_state=0,
                    max_samples_per_group=200,
                ),
            ),
            ("clf", LogisticRegression()),
        ]
    )
    search = GridSearchCV(
        pipe,
        param_grid={"u__repair_level": [0.0, 0.5, 1.0], "u__method": METHODS},
        scoring="roc_auc",
        cv=3,
    ).fit(df, y)
    scores = search.cv_results_["mean_test_score"]
    assert scores.shape == (9,)
    assert np.all((scores > 0.5) & (scores <= 1.0))
    assert search.best_estimator_.predict_proba(df).shape == (len(y), 2)


def test_cross_validate_with_metadata_routing(frame_with_target):
    df, y, s = frame_with_target
    X = df.drop(columns="group").to_numpy()
    with sklearn.config_context(enable_metadata_routing=True):
        unlearner = (
            BarycenterFeatureUnlearner(method="gaussian")
            .set_fit_request(sensitive_features=True)
            .set_transform_request(sensitive_features=True)
        )
        pipe = make_pipeline(unlearner, LogisticRegression())
        result = cross_validate(
            pipe, X, y, cv=3, params={"sensitive_features": s}, return_estimator=True
        )
        assert np.all(result["test_score"] > 0.6)
        # The routed S reached fit: the repair equalised the training groups.
        fitted = result["estimator"][0][0]
        assert fitted.groups_.tolist() == [0, 1, 2]
        # fit_transform forwards S to transform as well (not only to fit).
        Z = unlearner.fit_transform(X, sensitive_features=s)
        np.testing.assert_allclose(
            Z[s == 0].mean(axis=0), Z[s == 1].mean(axis=0), atol=1e-9
        )


def test_default_gets_y_and_routed_s_through_a_pipeline(frame_with_target):
    df, y, s = frame_with_target
    X = df.drop(columns="group").to_numpy()
    with sklearn.config_context(enable_metadata_routing=True):
        unlearner = (
            BarycenterFeatureUnlearner(random_state=0)
            .set_fit_request(sensitive_features=True)
            .set_transform_request(sensitive_features=True)
        )
        pipe = make_pipeline(unlearner, LogisticRegression()).fit(
            X, y, sensitive_features=s
        )
        fitted = pipe[0]
        assert fitted.method == "stochastic" and fitted.label_used_
        assert fitted.groups_.tolist() == [0, 1, 2]
        # transform needs no y: predict works on new rows with S alone
        assert pipe.predict_proba(X[:5], sensitive_features=s[:5]).shape == (5, 2)
    alone = BarycenterFeatureUnlearner(random_state=0).fit(X, sensitive_features=s)
    assert not alone.label_used_


def test_pipeline_with_column_transformer_on_adult():
    X, y, _ = load_adult(return_X_y=True, subset="test")
    X, y = X.iloc[:3000], y.iloc[:3000]
    categorical = ["workclass", "education", "marital_status", "occupation"]
    numeric = ["age", "education_num", "hours_per_week"]
    encode = ColumnTransformer(
        [
            (
                "cat",
                OneHotEncoder(handle_unknown="ignore", sparse_output=False),
                categorical,
            ),
            ("num", StandardScaler(), numeric),
            ("s", "passthrough", ["sex"]),
        ],
        verbose_feature_names_out=False,
    ).set_output(transform="pandas")
    pipe = make_pipeline(
        encode,
        BarycenterFeatureUnlearner(sensitive_feature_ids="sex", random_state=0),
        LogisticRegression(max_iter=500),
    )
    pipe.fit(X, y)  # the default method gets y from the pipeline
    assert pipe[1].label_used_
    assert roc_auc_score(y, pipe.predict_proba(X)[:, 1]) > 0.8


def _ovr_auc(Z_train, s_train, Z_test, s_test):
    adversary = HistGradientBoostingClassifier(random_state=0).fit(Z_train, s_train)
    return roc_auc_score(s_test, adversary.predict_proba(Z_test), multi_class="ovr")


@pytest.mark.slow
def test_effectiveness_gaussian_groups_hide_s_from_strong_adversary():
    # Three Gaussian groups with different means and covariances in d = 5.
    X, s = make_grouped_gaussian(
        6000,
        5,
        n_groups=3,
        group_weights=[0.5, 0.3, 0.2],
        separation=1.5,
        random_state=0,
    )
    Xs = np.column_stack([s, X])
    tr, te = train_test_split(
        np.arange(len(s)), test_size=0.5, random_state=0, stratify=s
    )
    raw_auc = _ovr_auc(X[tr], s[tr], X[te], s[te])
    unlearner = BarycenterFeatureUnlearner(sensitive_feature_ids=[0]).fit(Xs[tr])
    repaired_auc = _ovr_auc(
        unlearner.transform(Xs[tr]), s[tr], unlearner.transform(Xs[te]), s[te]
    )
    assert raw_auc > 0.9
    assert repaired_auc <= 0.55


ALL_METHODS = ["gaussian", "quantile", "empirical", "stochastic"]


def _mixed_data(n, seed=0):
    """Two continuous and two discrete features (ties: draws), 3 groups."""
    rng = np.random.default_rng(seed)
    s = rng.integers(0, 3, n)
    X = np.column_stack(
        [
            rng.normal(s, 1.0 + 0.3 * s),
            rng.normal(0.0, 1.0, n),
            rng.integers(0, 2, n) + (s == 2),
            rng.integers(0, 3, n).astype(float),
        ]
    )
    return X, s


# the discrete columns rightly make the closed-form methods warn
@pytest.mark.filterwarnings("ignore:method=.*discrete column:UserWarning")
@pytest.mark.parametrize("method", ALL_METHODS)
def test_output_does_not_depend_on_working_memory(method):
    # blocks shrink with working_memory; the repaired values (including the
    # random draws given to identical rows) must not change
    X, s = _mixed_data(40_000)
    est = BarycenterFeatureUnlearner(
        method=method, repair_level=0.8, n_support=60, random_state=0
    ).fit(X[:3000], sensitive_features=s[:3000])
    Z = est.transform(X, sensitive_features=s)
    with sklearn.config_context(working_memory=0.01):
        Z_small = est.transform(X, sensitive_features=s)
    np.testing.assert_allclose(Z_small, Z, rtol=0, atol=1e-12)
    if method in ("gaussian", "quantile"):  # the invertible methods
        with sklearn.config_context(working_memory=0.01):
            X_back = est.inverse_transform(Z, sensitive_features=s)
        np.testing.assert_allclose(
            X_back, est.inverse_transform(Z, sensitive_features=s), atol=1e-12
        )


@pytest.mark.filterwarnings("ignore:method=.*discrete column:UserWarning")
@pytest.mark.parametrize("method", ALL_METHODS)
def test_transform_memory_is_output_plus_group_codes(method):
    # traced peak of transform beyond its output: the group codes (8 bytes per
    # row) plus blocks bounded by working_memory, whatever n is; a full-size
    # temporary (a per-group index array, a float64 copy) would exceed it
    import tracemalloc

    n = 1_000_000
    X, s = _mixed_data(n, seed=1)
    est = BarycenterFeatureUnlearner(method=method, n_support=40, random_state=0).fit(
        X[:3000], sensitive_features=s[:3000]
    )
    with sklearn.config_context(working_memory=1):
        tracemalloc.start()
        Z = est.transform(X, sensitive_features=s)
        _, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
    assert peak - Z.nbytes <= 8 * n + 3 * 2**20
