"""Checks of MarginalUnlearner's fit inputs, on arrays."""

import numpy as np
import pytest
from numpy.testing import assert_array_equal
from scipy import sparse
from sklearn.exceptions import NotFittedError
from sklearn.linear_model import LogisticRegression

from sklearn_unlearn.datapoint._fit_inputs import (
    check_dense,
    check_fitted,
    forget_mask_of,
    starting_model,
    validation_set,
)

X = np.arange(24.0).reshape(12, 2)
Y = np.array([0, 1, 2] * 4)


def _first_of_each_class(X, y):
    return np.r_[np.ones(3, bool), np.zeros(len(y) - 3, bool)]


def test_forget_rows_is_called_on_the_data():
    calls = []

    def rule(X_, y_):
        calls.append((X_, y_))
        return _first_of_each_class(X_, y_)

    mask = forget_mask_of(rule, None, X, Y)
    assert_array_equal(mask, _first_of_each_class(X, Y))
    assert calls[0][0] is X and calls[0][1] is Y
    given = (Y == 1) & (np.arange(12) < 6)
    assert_array_equal(forget_mask_of(None, given, X, Y), given)


@pytest.mark.parametrize(
    "rule, mask, match",
    [
        (_first_of_each_class, Y == 0, "not both"),
        (None, None, "Pass the rows to forget.*forget_rows"),
        (lambda X, y: (y == 0).astype(int), None, "forget_rows must return"),
        (lambda X, y: np.ones(3, bool), None, r"forget_rows must return.*\(12,\)"),
        (lambda X, y: y >= 0, None, "selects 12 of 12"),
        (None, Y == 1, r"class\(es\) \[1\]"),
    ],
)
def test_bad_rows_to_forget(rule, mask, match):
    with pytest.raises(ValueError, match=match):
        forget_mask_of(rule, mask, X, Y)


def test_starting_model_fits_a_clone_unless_prefit():
    base = LogisticRegression()
    model = starting_model(base, False, X, X, Y)
    assert model is not base and not hasattr(base, "coef_")
    assert_array_equal(model.classes_, [0, 1, 2])
    assert starting_model(model, True, X, X, Y) is model
    with pytest.raises(ValueError, match="one class"):
        starting_model(base, False, X, X, np.zeros(12))
    with pytest.raises(ValueError, match="3 features but the estimator"):
        starting_model(model, True, None, np.c_[X, X[:, :1]], Y)
    with pytest.raises(ValueError, match=r"labels \[7\] unknown"):
        starting_model(model, True, X, X, np.r_[Y[:-1], 7])


def test_sparse_input_is_refused_by_name():
    with pytest.raises(TypeError, match="does not support sparse input"):
        check_dense(sparse.csr_matrix(X))
    check_dense(X)


def test_check_fitted_says_what_to_do():
    with pytest.raises(NotFittedError, match="call LogisticRegression.fit.*prefit"):
        check_fitted(LogisticRegression())
    check_fitted(LogisticRegression().fit(X, Y))


def test_validation_set_keeps_the_rows_of_shared_classes():
    classes = np.array(["a", "b", "c"])
    X_val = np.arange(8.0).reshape(4, 2)
    rows, y_all, weights = validation_set(
        X_val, np.array(["a", "c", "a", "b"]), classes, np.array([0, 2])
    )
    assert_array_equal(rows, X_val[:3])  # the "b" row has no forget row
    assert_array_equal(y_all, [0, 2, 0, 2, 0])
    assert_array_equal(weights, [1, 1, 0.5, 1, 0.5])
    with pytest.raises(ValueError, match="labels the estimator does not know"):
        validation_set(X_val, np.array(["a", "z", "a", "b"]), classes, [0])
    with pytest.raises(ValueError, match="no row of the classes"):
        validation_set(X_val, np.array(["a"] * 4), classes, np.array([1]))
