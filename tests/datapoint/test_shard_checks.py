"""Checks of ShardedUnlearner's settings, rows to forget and data."""

import numpy as np
import pandas as pd
import pytest
from sklearn.linear_model import LinearRegression, LogisticRegression
from sklearn.svm import LinearSVC

from sklearn_unlearn.datapoint import ShardedUnlearner
from sklearn_unlearn.datapoint._shard_checks import (
    check_rows,
    check_settings,
    class_codes,
    validated,
)

FORGOTTEN = np.array([False, True, False, False, False])


def test_check_rows_accepts_indices_and_masks():
    assert check_rows([4, 0], FORGOTTEN).tolist() == [0, 4]
    assert check_rows(np.int64(2), FORGOTTEN).tolist() == [2]
    mask = np.array([True, False, False, True, False])
    assert check_rows(mask, FORGOTTEN).tolist() == [0, 3]


@pytest.mark.parametrize(
    "rows, error, match",
    [
        ([], ValueError, "rows is empty"),
        ([0, 5], ValueError, r"rows \[5\] are out of range: pass indices 0 .. 4"),
        ([-1], ValueError, "out of range"),
        ([2, 2, 3], ValueError, r"rows \[2\] are repeated"),
        ([0, 1], ValueError, r"rows \[1\] were already forgotten"),
        ([0.0, 2.0], TypeError, "integer indices"),
        (np.array([True, False]), ValueError, r"one entry per training row"),
        ([[0, 2]], TypeError, "shape"),
    ],
)
def test_check_rows_errors_say_what_to_pass(rows, error, match):
    with pytest.raises(error, match=match):
        check_rows(rows, FORGOTTEN)


def test_check_settings():
    lr, svc = LogisticRegression(), LinearSVC()
    assert check_settings(lr, 2, 1, "auto", 10) == "average"
    assert check_settings(svc, 2, 1, "auto", 10) == "vote"
    assert check_settings(lr, 2, 1, "vote", 10) == "vote"
    assert check_settings(LinearRegression(), 2, 1, "auto", 10) == "average"
    with pytest.raises(ValueError, match="n_shards=11 needs at least one row"):
        check_settings(lr, 11, 1, "auto", 10)
    with pytest.raises(ValueError, match="n_slices=2 trains each shard by partial"):
        check_settings(lr, 2, 2, "auto", 10)
    with pytest.raises(ValueError, match="aggregation='average' needs predict_proba"):
        check_settings(svc, 2, 1, "average", 10)
    with pytest.raises(ValueError, match="aggregation='vote' combines a classifier"):
        check_settings(LinearRegression(), 2, 1, "vote", 10)


def test_class_codes():
    classes, codes = class_codes(np.array(["b", "a", "b"]))
    assert classes.tolist() == ["a", "b"] and codes.tolist() == [1, 0, 1]
    with pytest.raises(ValueError, match="multi-output classification"):
        class_codes(np.array([[0, 1], [1, 0]]))
    with pytest.raises(ValueError, match="Unknown label type"):
        class_codes(np.array([0.5, 1.5]))


def test_validated_copies_arrays_and_frames_at_fit():
    X = np.arange(12.0).reshape(6, 2)
    y = np.array([0, 1] * 3)
    unlearner = ShardedUnlearner(LogisticRegression())
    X_fit, y_fit = validated(unlearner, X, y, reset=True)
    assert not np.shares_memory(X_fit, X) and not np.shares_memory(y_fit, y)
    frame = pd.DataFrame({"a": X[:, 0], "b": ["u", "v"] * 3})
    X_fit, _ = validated(unlearner, frame, y, reset=True)
    assert isinstance(X_fit, pd.DataFrame) and X_fit is not frame
    assert unlearner.feature_names_in_.tolist() == ["a", "b"]
