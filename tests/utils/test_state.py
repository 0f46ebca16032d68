"""fit_context: parameter validation, and a failed fit leaves the state as it was."""

from numbers import Real

import numpy as np
import pytest
from sklearn.base import BaseEstimator

from sklearn_unlearn.utils._compat import Interval, InvalidParameterError
from sklearn_unlearn.utils._state import fit_context


class _Toy(BaseEstimator):
    _parameter_constraints: dict = {"scale": [Interval(Real, 0, None, closed="left")]}

    def __init__(self, scale=1.0):
        self.scale = scale

    @fit_context(prefer_skip_nested_validation=True)
    def fit(self, X):
        X = np.asarray(X, dtype=float)
        self.mean_ = X.mean(axis=0) * self.scale
        if not np.isfinite(X).all():
            raise ValueError("X holds NaN")  # after mean_ was replaced
        self.n_features_in_ = X.shape[1]
        return self


def test_a_failed_refit_restores_the_fitted_state_exactly():
    toy = _Toy().fit(np.ones((3, 2)))
    mean, state = toy.mean_, dict(toy.__dict__)
    with pytest.raises(ValueError, match="NaN"):
        toy.fit(np.array([[np.nan, 1.0, 2.0]]))
    assert toy.mean_ is mean
    assert toy.__dict__.keys() == state.keys()


def test_a_failed_first_fit_leaves_no_attribute():
    toy = _Toy()
    with pytest.raises(ValueError):
        toy.fit(np.array([[np.nan]]))
    assert not hasattr(toy, "mean_")


def test_parameters_are_validated_before_fit_runs():
    toy = _Toy(scale=-1.0)
    with pytest.raises(InvalidParameterError, match="scale"):
        toy.fit(np.ones((2, 2)))
    assert not hasattr(toy, "mean_")
