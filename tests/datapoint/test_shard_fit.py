"""Fitting one shard: seeded clones, per-sample parameters, slices."""

import numpy as np
from numpy.testing import assert_array_equal
from sklearn.dummy import DummyClassifier
from sklearn.linear_model import LogisticRegression, SGDClassifier, SGDRegressor

from sklearn_unlearn.datapoint._shard_fit import (
    fit_shard,
    fit_shards,
)
from sklearn_unlearn.datapoint._shards import stage_rows

RNG = np.random.default_rng(0)
X = RNG.normal(size=(60, 3))
Y = (X[:, 0] > 0).astype(int)
CLASSES = np.array([0, 1])


def test_a_shard_of_one_class_is_a_constant_model():
    rows = np.flatnonzero(Y == 1)[:5]
    fit = fit_shard(LogisticRegression(), 0, X, Y, {}, [rows], classes=CLASSES)
    assert isinstance(fit.model, DummyClassifier)
    assert_array_equal(fit.model.predict(X), 1)
    # a shard with no row left has no model
    empty = fit_shard(LogisticRegression(), 0, X, Y, {}, [np.array([], int)])
    assert empty.model is None and empty.checkpoints == []


def test_slices_keep_a_checkpoint_per_stage_but_the_last():
    stages = stage_rows(np.arange(60) % 3, np.arange(60), 3)
    fit = fit_shard(SGDClassifier(), 4, X, Y, {}, stages, classes=CLASSES)
    assert len(fit.checkpoints) == 2 and fit.n_stages == 3
    # the checkpoints are copies: the model went on training after them
    assert not np.array_equal(fit.checkpoints[0].coef_, fit.model.coef_)
    assert fit.checkpoints[1].t_ < fit.model.t_


def test_a_restart_from_a_checkpoint_equals_the_whole_run():
    slice_of = np.arange(60) % 3
    stages = stage_rows(slice_of, np.arange(60), 3)
    whole = fit_shard(SGDRegressor(), 2, X, X[:, 0], {}, stages)
    fewer = stage_rows(slice_of, np.delete(np.arange(60), [4, 7]), 3)
    fresh = fit_shard(SGDRegressor(), 2, X, X[:, 0], {}, fewer)
    # rows 4 and 7 are in slices 1: stage 0 is kept, stages 1 and 2 rerun
    resumed = fit_shard(
        SGDRegressor(), 2, X, X[:, 0], {}, fewer, start=1, checkpoints=whole.checkpoints
    )
    assert resumed.n_stages == 2
    assert_array_equal(resumed.model.coef_, fresh.model.coef_)
    assert resumed.checkpoints[0] is whole.checkpoints[0]
    assert not np.array_equal(resumed.model.coef_, whole.model.coef_)


def test_fit_shards_fits_each_shard_on_its_rows_not_forgotten():
    shard_of = np.arange(60) % 2
    forgotten = np.zeros(60, dtype=bool)
    forgotten[[0, 2]] = True
    layout = (shard_of, np.zeros(60, dtype=np.intp), 1, np.array([3, 5]), CLASSES)
    fits = fit_shards(
        LogisticRegression(),
        layout,
        (X, Y, {}),
        np.array([0, 1]),
        [0, 0],
        forgotten,
        None,
        None,
    )
    rows = np.flatnonzero((shard_of == 0) & ~forgotten)
    assert_array_equal(
        fits[0].model.coef_, LogisticRegression().fit(X[rows], Y[rows]).coef_
    )
