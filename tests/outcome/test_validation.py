"""Input checks of the outcome unlearner: rows, unseen groups, parameters."""

import re

import numpy as np
import pandas as pd
import pytest
from scipy import sparse
from sklearn.linear_model import LinearRegression

from sklearn_unlearn.outcome._validation import (
    MISSING_S,
    check_rows,
    is_prefitted,
    known_codes,
)
from sklearn_unlearn.utils._sensitive import parse_sensitive


def test_check_rows():
    X = np.arange(6.0).reshape(3, 2)
    np.testing.assert_array_equal(check_rows(X, allow_nan=False, fitting=True), X)
    frame = pd.DataFrame(X, columns=["a", "b"])
    assert check_rows(frame, allow_nan=False, fitting=True) is frame
    with pytest.raises(TypeError, match="Sparse input is not supported for X"):
        check_rows(sparse.csr_matrix(X), allow_nan=False, fitting=True)
    X[1, 0] = np.nan
    with pytest.raises(ValueError, match="Input X contains NaN"):
        check_rows(X, allow_nan=False, fitting=False)
    assert np.isnan(check_rows(X, allow_nan=True, fitting=False)[1, 0])
    with pytest.raises(ValueError, match="minimum of 2 is required"):
        check_rows(X[:1], allow_nan=True, fitting=True)
    assert check_rows(X[:1], allow_nan=True, fitting=False).shape == (1, 2)


def test_known_codes_name_the_unseen_groups():
    fitted = parse_sensitive(None, np.array(["a", "b", "a"]), missing=MISSING_S)
    groups = fitted.encoding.groups
    new = parse_sensitive(
        None, np.array(["b", "c", "c", "d"]), fitted=fitted.encoding, missing=MISSING_S
    )
    message = re.escape("sensitive_features has 3 sample(s) in groups unseen")
    with pytest.raises(ValueError, match=message) as info:
        known_codes(new, groups)
    text = str(info.value)
    assert "'c'" in text and "'d'" in text and "(fitted groups: ['a', 'b'])" in text
    seen = parse_sensitive(None, np.array(["b", "a"]), fitted=fitted.encoding)
    np.testing.assert_array_equal(known_codes(seen, groups), [1, 0])


def test_known_codes_of_intersections_are_tuples():
    values = np.array([[0, "x"], [1, "y"], [0, "y"]], dtype=object)
    fitted = parse_sensitive(None, values)
    new = parse_sensitive(
        None, np.array([[1, "x"]], dtype=object), fitted=fitted.encoding
    )
    with pytest.raises(ValueError, match=re.escape("(1, 'x')")):
        known_codes(new, fitted.encoding.groups)


def test_is_prefitted():
    X = np.arange(6.0).reshape(3, 2)
    model = LinearRegression()
    assert not is_prefitted(model)
    assert is_prefitted(model.fit(X, [0.0, 1.0, 3.0]))
