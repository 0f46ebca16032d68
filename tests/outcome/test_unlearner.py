"""BarycenterOutcomeUnlearner: exactness, independence, consistency, errors."""

import pickle
import re

import numpy as np
import pandas as pd
import pytest
import sklearn
from scipy import stats
from sklearn.linear_model import LinearRegression, LogisticRegression, Ridge
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler
from sklearn.tree import DecisionTreeClassifier

from sklearn_unlearn import BarycenterOutcomeUnlearner
from sklearn_unlearn.utils._docs import DOCS


def _table(n=1500, seed=0, n_classes=2):
    """Three groups with unequal means; S strongly informative about X and y."""
    rng = np.random.default_rng(seed)
    s = rng.integers(0, 3, n)
    X = rng.normal(size=(n, 3)) + np.array([1.5, -1.0, 0.5]) * s[:, None]
    latent = X[:, 0] + 0.5 * X[:, 1] + rng.normal(size=n)
    if n_classes == 0:
        return X, latent, s
    cuts = np.quantile(latent, np.linspace(0, 1, n_classes + 1)[1:-1])
    return X, np.searchsorted(cuts, latent), s


def test_repair_level_zero_is_the_base_model_bit_for_bit():
    X, y, s = _table()
    model = BarycenterOutcomeUnlearner(LogisticRegression(), repair_level=0.0)
    model.fit(X, y, sensitive_features=s)
    base = LogisticRegression().fit(X, y)
    for name in ("predict", "predict_proba", "decision_function"):
        ours = getattr(model, name)(X, sensitive_features=s)
        np.testing.assert_array_equal(ours, getattr(base, name)(X))
    Xr, yr, sr = _table(n_classes=0)
    reg = BarycenterOutcomeUnlearner(Ridge(), repair_level=0.0)
    reg.fit(Xr, yr, sensitive_features=sr)
    pred = reg.predict(Xr, sensitive_features=sr)
    np.testing.assert_array_equal(pred, Ridge().fit(Xr, yr).predict(Xr))


@pytest.mark.parametrize("t", [0.25, 0.5, 0.9])
def test_repair_level_follows_the_geodesic(t):
    X, y, s = _table(n_classes=0)
    model = BarycenterOutcomeUnlearner(Ridge(), random_state=0)
    model.fit(X, y, sensitive_features=s)
    full = model.predict(X, sensitive_features=s)
    raw = model.estimator_.predict(X)
    partial = model.set_params(repair_level=t).predict(X, sensitive_features=s)
    np.testing.assert_allclose(partial, (1 - t) * raw + t * full, atol=1e-12)


def test_full_repair_equalises_the_output_laws():
    X, y, s = _table(n_classes=0)
    model = BarycenterOutcomeUnlearner(Ridge(), random_state=0)
    pred = model.fit(X, y, sensitive_features=s).predict(X, sensitive_features=s)
    raw = model.estimator_.predict(X)
    for a, b in [(0, 1), (0, 2), (1, 2)]:
        assert stats.ks_2samp(raw[s == a], raw[s == b]).pvalue < 1e-10
        assert stats.ks_2samp(pred[s == a], pred[s == b]).pvalue > 0.5


def test_multiclass_reproducible_with_random_state():
    X, y, s = _table(n=2000, seed=4, n_classes=3)
    make = lambda seed: BarycenterOutcomeUnlearner(  # noqa: E731
        LogisticRegression(), random_state=seed
    ).fit(X, y, sensitive_features=s)
    full = make(0).predict_proba(X, sensitive_features=s)
    np.testing.assert_array_equal(full, make(0).predict_proba(X, sensitive_features=s))
    assert not np.array_equal(full, make(1).predict_proba(X, sensitive_features=s))
    model = make(0)
    perm = np.random.default_rng(0).permutation(len(X))
    shuffled = model.predict_proba(X[perm], sensitive_features=s[perm])
    np.testing.assert_array_equal(shuffled, full[perm])
    np.testing.assert_array_equal(
        model.predict_proba(X[5:6], sensitive_features=s[5:6]), full[5:6]
    )


def test_refit_switches_the_fitted_attributes():
    X, y, s = _table(n=1500, n_classes=3)
    model = BarycenterOutcomeUnlearner(LogisticRegression(), random_state=0)
    model.fit(X, y, sensitive_features=s)
    assert hasattr(model, "cell_centers_") and not hasattr(model, "references_")
    model.fit(X, (y > 0).astype(int), sensitive_features=s)
    assert model.repair_method_ == "quantile"
    assert hasattr(model, "references_") and not hasattr(model, "cell_centers_")


def test_reproducible_and_batch_independent():
    X, y, s = _table(seed=3)
    make = lambda seed: BarycenterOutcomeUnlearner(  # noqa: E731
        DecisionTreeClassifier(max_depth=3, random_state=0), random_state=seed
    ).fit(X, y, sensitive_features=s)
    model = make(0)
    full = model.predict_proba(X, sensitive_features=s)
    np.testing.assert_array_equal(full, make(0).predict_proba(X, sensitive_features=s))
    assert not np.array_equal(full, make(1).predict_proba(X, sensitive_features=s))
    one = model.predict_proba(X[7:8], sensitive_features=s[7:8])
    np.testing.assert_array_equal(one, full[7:8])
    half = len(X) // 2
    halves = np.vstack(
        [
            model.predict_proba(X[:half], sensitive_features=s[:half]),
            model.predict_proba(X[half:], sensitive_features=s[half:]),
        ]
    )
    np.testing.assert_array_equal(halves, full)
    perm = np.random.default_rng(0).permutation(len(X))
    shuffled = model.predict_proba(X[perm], sensitive_features=s[perm])
    np.testing.assert_array_equal(shuffled, full[perm])


def test_no_input_mutation_and_pickle():
    X, y, s = _table()
    copies = X.copy(), y.copy(), s.copy()
    model = BarycenterOutcomeUnlearner(LogisticRegression(), random_state=0)
    model.fit(X, y, sensitive_features=s)
    out = model.predict_proba(X, sensitive_features=s)
    for before, after in zip(copies, (X, y, s), strict=True):
        np.testing.assert_array_equal(before, after)
    again = pickle.loads(pickle.dumps(model))
    np.testing.assert_array_equal(again.predict_proba(X, sensitive_features=s), out)


def test_sensitive_attribute_as_columns_or_function():
    X, y, s = _table()
    frame = pd.DataFrame(X, columns=["a", "b", "c"]).assign(group=s)
    by_values = BarycenterOutcomeUnlearner(LogisticRegression(), random_state=0)
    expected = by_values.fit(X, y, sensitive_features=s).predict_proba(
        X, sensitive_features=s
    )
    by_name = BarycenterOutcomeUnlearner(
        LogisticRegression(), sensitive_feature_ids="group", random_state=0
    ).fit(frame, y)
    np.testing.assert_allclose(by_name.predict_proba(frame), expected)
    by_function = BarycenterOutcomeUnlearner(
        LogisticRegression(),
        sensitive_feature_ids=lambda Z: Z[:, 3],
        random_state=0,
    ).fit(np.column_stack([X, s]), y)
    assert by_function.groups_.tolist() == [0, 1, 2]


def test_metadata_routing_in_a_pipeline():
    X, y, s = _table()
    w = np.random.default_rng(0).uniform(0.5, 2.0, len(y))
    with sklearn.config_context(enable_metadata_routing=True):
        base = LogisticRegression().set_fit_request(sample_weight=True)
        pipe = make_pipeline(
            StandardScaler().set_fit_request(sample_weight=False),
            BarycenterOutcomeUnlearner(base, random_state=0),
        )
        pipe.fit(X, y, sensitive_features=s, sample_weight=w)
        routed = pipe.predict_proba(X, sensitive_features=s)
    Xs = StandardScaler().fit_transform(X)
    direct = BarycenterOutcomeUnlearner(LogisticRegression(), random_state=0)
    direct.fit(Xs, y, sensitive_features=s, sample_weight=w)
    np.testing.assert_allclose(routed, direct.predict_proba(Xs, sensitive_features=s))
    unweighted = BarycenterOutcomeUnlearner(LogisticRegression(), random_state=0)
    unweighted.fit(Xs, y, sensitive_features=s)
    assert not np.allclose(routed, unweighted.predict_proba(Xs, sensitive_features=s))


@pytest.mark.parametrize(
    "fit_s, predict_s, message",
    [
        (None, None, "sensitive_features is required"),
        ("ones", None, "attribute (a single group)"),
        ("short", None, "sensitive_features has 10 samples but X has"),
        ("ok", "missing", "sensitive_features is required"),
        ("ok", "unknown", "sensitive_features has 1 sample(s) in groups unseen"),
    ],
)
def test_clear_errors_name_the_parameter(fit_s, predict_s, message):
    X, y, s = _table(n=200)
    values = {"ones": np.ones(200), "short": s[:10], "ok": s, None: None}
    model = BarycenterOutcomeUnlearner(LogisticRegression())
    if predict_s is None:
        with pytest.raises(ValueError, match=re.escape(message)):
            model.fit(X, y, sensitive_features=values[fit_s])
        return
    model.fit(X, y, sensitive_features=s)
    new = {"missing": None, "unknown": np.where(np.arange(200) == 5, 9, s)}
    with pytest.raises(ValueError, match=re.escape(message)) as info:
        model.predict(X, sensitive_features=new[predict_s])
    if predict_s == "unknown":
        assert "9" in str(info.value)


def test_other_errors():
    X, y, s = _table(n=200)
    with pytest.raises(ValueError, match="weights has shape"):
        BarycenterOutcomeUnlearner(LogisticRegression(), weights=[1, 2]).fit(
            X, y, sensitive_features=s
        )
    twice = BarycenterOutcomeUnlearner(LogisticRegression(), sensitive_feature_ids=0)
    with pytest.raises(ValueError, match="given twice"):
        twice.fit(X, y, sensitive_features=s)
    with pytest.raises(ValueError, match="repair_level"):
        BarycenterOutcomeUnlearner(LogisticRegression(), repair_level=2).fit(
            X, y, sensitive_features=s
        )


def test_refit_as_a_regressor_drops_the_classes():
    X, y, s = _table(n=600)
    model = BarycenterOutcomeUnlearner(LogisticRegression(), random_state=0)
    model.fit(X, y, sensitive_features=s)
    assert model.classes_.tolist() == [0, 1]
    model.set_params(estimator=LinearRegression()).fit(X, X[:, 0], sensitive_features=s)
    assert not hasattr(model, "classes_")
    assert model.output_method_ == "predict"


def test_a_failed_fit_keeps_the_fitted_state():
    X, y, s = _table(n=600)
    model = BarycenterOutcomeUnlearner(LogisticRegression(), random_state=0)
    model.fit(X, y, sensitive_features=s)
    state = pickle.dumps(model.__dict__)
    with pytest.raises(ValueError, match="a single group"):
        model.fit(X, y, sensitive_features=np.zeros(600))
    assert pickle.dumps(model.__dict__) == state


@pytest.mark.parametrize(
    "method", ["fit", "predict", "predict_proba", "decision_function", "score"]
)
def test_shared_parameter_docs_are_filled(method):
    doc = getattr(BarycenterOutcomeUnlearner, method).__doc__
    assert "%(" not in doc
    first = DOCS["sensitive_values"].splitlines()[2].strip()
    assert first in doc  # the shared description of the metadata
    assert "%(" not in BarycenterOutcomeUnlearner.__doc__
    assert "(the theory's choice)" in BarycenterOutcomeUnlearner.__doc__
