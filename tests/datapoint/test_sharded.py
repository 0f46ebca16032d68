"""ShardedUnlearner: forgetting equals fitting without the rows, shard by shard."""

import numpy as np
import pandas as pd
import pytest
from numpy.testing import assert_allclose, assert_array_equal
from sklearn import config_context
from sklearn.base import clone
from sklearn.compose import make_column_transformer
from sklearn.dummy import DummyClassifier
from sklearn.linear_model import LassoLarsIC, LogisticRegression, Ridge, SGDClassifier
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import OneHotEncoder
from sklearn.svm import LinearSVC
from sklearn.tree import DecisionTreeClassifier

from sklearn_unlearn import ShardedUnlearner

RNG = np.random.default_rng(0)
X = RNG.normal(size=(240, 4))
Y = (X[:, 0] + X[:, 1] + 0.5 * RNG.normal(size=240) > 0).astype(int)


def fresh_shard(unlearner, shard, **params):
    """The shard's model fitted from scratch on its retained rows."""
    rows = np.flatnonzero((unlearner.shard_of_ == shard) & ~unlearner.forgotten_)
    model = clone(unlearner.estimator)
    names = [k for k in model.get_params() if k.endswith("random_state")]
    model.set_params(**dict.fromkeys(names, int(unlearner.shard_seeds_[shard])))
    fit_params = {k: v[rows] for k, v in params.items()}
    return model.fit(X[rows], Y[rows], **fit_params)


@pytest.mark.parametrize(
    "estimator",
    [LogisticRegression(), DecisionTreeClassifier(max_features=2)],
    ids=["logistic", "random-tree"],
)
def test_forget_refits_only_the_hit_shards_exactly_as_fresh_fits(estimator):
    unlearner = ShardedUnlearner(estimator, n_shards=4, random_state=0).fit(X, Y)
    before = list(unlearner.estimators_)
    rows = np.flatnonzero(unlearner.shard_of_ == 2)[[0, 5]]
    rows = np.r_[rows, np.flatnonzero(unlearner.shard_of_ == 0)[3]]
    unlearner.forget(rows)
    assert unlearner.deletions_[-1]["shards"].tolist() == [0, 2]
    assert unlearner.n_retrained_ == 2 and unlearner.forgotten_.sum() == 3
    for shard in range(4):
        model = unlearner.estimators_[shard]
        if shard in (1, 3):
            assert model is before[shard]  # untouched
            continue
        fresh = fresh_shard(unlearner, shard)
        # bit for bit: the same predictions and the same fitted parameters
        assert_array_equal(model.predict_proba(X), fresh.predict_proba(X))
        if hasattr(fresh, "coef_"):
            assert_array_equal(model.coef_, fresh.coef_)
        else:
            assert_array_equal(model.tree_.feature, fresh.tree_.feature)
            assert_array_equal(model.tree_.threshold, fresh.tree_.threshold)


def test_a_stream_of_requests_equals_one_batch_and_a_fit_without_the_rows():
    model = ShardedUnlearner(LogisticRegression(), n_shards=3, random_state=1)
    rows = [7, 100, 3, 55, 201]
    stream = clone(model).fit(X, Y)
    for row in rows:
        stream.forget([row])
    batch = clone(model).fit(X, Y).forget(rows)
    assert_array_equal(stream.predict_proba(X), batch.predict_proba(X))
    assert len(stream.deletions_) == 5 and stream.n_retrained_ == 5
    assert batch.n_retrained_ == np.unique(batch.shard_of_[rows]).size
    for shard in range(3):
        assert_array_equal(
            batch.estimators_[shard].coef_, fresh_shard(batch, shard).coef_
        )


def test_slices_restart_from_the_checkpoint_before_the_first_hit_slice():
    model = ShardedUnlearner(
        SGDClassifier(loss="log_loss"), n_shards=2, n_slices=4, random_state=0
    ).fit(X, Y)
    assert np.bincount(model.slice_of_).tolist() == [60, 60, 60, 60]
    shard0 = np.flatnonzero(model.shard_of_ == 0)
    row = shard0[model.slice_of_[shard0] == 2][0]
    model.forget([row])
    assert model.deletions_[-1]["n_stages"] == 2  # stages 2 and 3 only
    # the same stages from scratch, without the row
    fresh = clone(model.estimator).set_params(random_state=model.shard_seeds_[0])
    kept = shard0[shard0 != row]
    for stage in range(4):
        rows = kept[model.slice_of_[kept] <= stage]
        fresh.partial_fit(X[rows], Y[rows], classes=[0, 1])
    assert_array_equal(model.estimators_[0].coef_, fresh.coef_)
    assert_array_equal(model.estimators_[0].intercept_, fresh.intercept_)


def test_classes_missing_from_a_shard_and_single_class_shards():
    y = np.where(np.arange(240) < 2, 2, Y)  # class 2 has two rows only
    model = ShardedUnlearner(LogisticRegression(), n_shards=4, random_state=0)
    model.fit(X, y)
    assert model.classes_.tolist() == [0, 1, 2]
    proba = model.predict_proba(X)
    assert proba.shape == (240, 3)
    assert_allclose(proba.sum(axis=1), 1.0)
    # two shards never saw class 2: each gives it probability 0, so the mean
    # is at most a half
    assert proba[:, 2].max() <= 0.5
    # forget every row of class 1 in shard 0: its model is a constant of class 0
    shard0 = np.flatnonzero(model.shard_of_ == 0)
    model.forget(shard0[y[shard0] != 0])
    constant = model.estimators_[0]
    assert isinstance(constant, DummyClassifier)
    assert_array_equal(constant.predict_proba(X[:2]), [[1.0], [1.0]])


def test_an_emptied_shard_is_left_out_and_all_rows_cannot_go():
    model = ShardedUnlearner(LogisticRegression(), n_shards=3, random_state=0)
    model.fit(X, Y)
    model.forget(model.shard_of_ == 1)
    assert model.estimators_[1] is None
    p = np.mean([m.predict_proba(X) for m in model.estimators_[::2]], axis=0)
    assert_allclose(model.predict_proba(X), p)
    with pytest.raises(ValueError, match="every row is forgotten"):
        model.forget(~model.forgotten_)
    assert model.forgotten_.sum() == 80  # unchanged


def test_vote_is_the_majority_of_the_shards():
    model = ShardedUnlearner(
        DecisionTreeClassifier(max_depth=2),
        n_shards=5,
        aggregation="vote",
        random_state=0,
    ).fit(X, Y)
    votes = np.array([m.predict(X) for m in model.estimators_])
    assert_array_equal(model.predict(X), (votes.sum(axis=0) >= 3).astype(int))
    assert_allclose(model.predict_proba(X)[:, 1], votes.mean(axis=0))
    auto = ShardedUnlearner(LinearSVC(), n_shards=2, random_state=0).fit(X, Y)
    assert auto.aggregation_ == "vote"


def test_a_regressor_averages_its_shards():
    y = X @ np.array([1.0, -2.0, 0.5, 0.0])
    model = ShardedUnlearner(Ridge(), n_shards=3, random_state=0).fit(X, y)
    mean = np.mean([m.predict(X) for m in model.estimators_], axis=0)
    assert_allclose(model.predict(X), mean)
    assert not hasattr(model, "predict_proba") and not hasattr(model, "classes_")
    assert model.score(X, y) > 0.99
    assert model.forget([0, 1]).n_retrained_ <= 2


def test_sample_weight_goes_to_each_shard_with_and_without_routing():
    weight = RNG.uniform(0.5, 2.0, size=240)
    model = ShardedUnlearner(LogisticRegression(), n_shards=2, random_state=0)
    model.fit(X, Y, sample_weight=weight).forget([0])
    fresh = fresh_shard(model, model.shard_of_[0], sample_weight=weight)
    assert_array_equal(model.estimators_[model.shard_of_[0]].coef_, fresh.coef_)
    with config_context(enable_metadata_routing=True):
        inner = LogisticRegression().set_fit_request(sample_weight=True)
        routed = ShardedUnlearner(inner, n_shards=2, random_state=0)
        routed.fit(X, Y, sample_weight=weight).forget([0])
    assert_array_equal(routed.predict_proba(X), model.predict_proba(X))


def test_the_fit_data_are_copied_and_never_modified():
    X_user, y_user = X.copy(), Y.copy()
    model = ShardedUnlearner(LogisticRegression(), n_shards=2, random_state=0)
    model.fit(X_user, y_user)
    X_user[:] = 0.0  # the caller reuses its arrays: refits must not see it
    y_user[:] = 0
    model.forget([1])
    assert_array_equal(
        model.estimators_[model.shard_of_[1]].coef_,
        fresh_shard(model, model.shard_of_[1]).coef_,
    )


def test_a_failed_refit_forgets_nothing():
    # LassoLarsIC needs more rows than features + 1: 6 per shard, then 4
    model = ShardedUnlearner(LassoLarsIC(), n_shards=4, random_state=0)
    model.fit(X[:24], X[:24, 0])
    shard0 = np.flatnonzero(model.shard_of_ == 0)
    before = list(model.estimators_)
    with pytest.raises(ValueError, match=r"forget\(2 rows\): refitting shards \[0\]"):
        model.forget(shard0[:2])
    assert not model.forgotten_.any() and model.estimators_ == before
    assert model.deletions_ == [] and model.n_retrained_ == 0


def test_a_pipeline_on_a_data_frame():
    frame = pd.DataFrame({"x": X[:, 0], "colour": np.where(Y == 1, "red", "blue")})
    pipe = make_pipeline(
        make_column_transformer((OneHotEncoder(), ["colour"]), remainder="passthrough"),
        LogisticRegression(),
    )
    model = ShardedUnlearner(pipe, n_shards=3, random_state=0).fit(frame, Y)
    assert model.feature_names_in_.tolist() == ["x", "colour"]
    assert model.score(frame, Y) == 1.0
    model.forget([0, 1, 2])
    assert model.predict(frame.iloc[:4]).tolist() == Y[:4].tolist()


def test_parallel_shards_are_the_serial_ones():
    model = ShardedUnlearner(LogisticRegression(), n_shards=2, random_state=0)
    serial = clone(model).fit(X, Y).forget([3, 4])
    parallel = clone(model).set_params(n_jobs=2).fit(X, Y).forget([3, 4])
    assert_array_equal(serial.predict_proba(X), parallel.predict_proba(X))


def test_errors_before_any_work():
    with pytest.raises(ValueError, match="n_shards=300 needs at least one row"):
        ShardedUnlearner(LogisticRegression(), n_shards=300).fit(X, Y)
    with pytest.raises(ValueError, match="y should be a 1d array"):
        ShardedUnlearner(LogisticRegression()).fit(X, np.c_[Y, Y])
    frame = pd.DataFrame(X)
    with pytest.raises(ValueError, match="multi-output classification"):
        ShardedUnlearner(LogisticRegression()).fit(frame, np.c_[Y, Y])
    model = ShardedUnlearner(LogisticRegression(), n_shards=2)
    with pytest.raises(Exception, match="not fitted"):
        model.forget([0])
    model.fit(X, Y).forget([5])
    with pytest.raises(ValueError, match=r"rows \[5\] were already forgotten"):
        model.forget([5, 6])
    assert model.forgotten_.sum() == 1
