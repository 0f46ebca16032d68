"""The private scikit-learn helpers this package relies on still exist and work."""

from numbers import Integral

import numpy as np
import pytest
from sklearn.base import BaseEstimator

from sklearn_unlearn.utils import _compat


def test_every_name_resolves():
    for name in _compat.__all__:
        assert getattr(_compat, name) is not None


def test_validate_params_rejects_a_bad_value():
    @_compat.validate_params(
        {"k": [_compat.Interval(Integral, 1, None, closed="left")]},
        prefer_skip_nested_validation=True,
    )
    def f(k):
        return k

    assert f(3) == 3
    with pytest.raises(_compat.InvalidParameterError, match="'k'"):
        f(0)


def test_feature_names_in_default_names():
    est = BaseEstimator()
    est.n_features_in_ = 2
    names = _compat._check_feature_names_in(est, None)
    np.testing.assert_array_equal(names, ["x0", "x1"])
