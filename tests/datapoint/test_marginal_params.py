"""The parameter constraints of MarginalUnlearner."""

import inspect

import numpy as np
import pytest
from sklearn.linear_model import LogisticRegression

from sklearn_unlearn.datapoint import MarginalUnlearner
from sklearn_unlearn.datapoint._marginal_params import PARAMETER_CONSTRAINTS


def test_every_parameter_is_constrained():
    params = set(inspect.signature(MarginalUnlearner).parameters)
    assert set(PARAMETER_CONSTRAINTS) == params


@pytest.mark.parametrize(
    "name, value",
    [("gamma", -1.0), ("learning_rate", 0.0), ("settle_epochs", -1)],
)
def test_bad_values_are_named(name, value):
    X = np.random.default_rng(0).normal(size=(40, 2))
    y = (X[:, 0] > 0).astype(int)
    model = LogisticRegression().fit(X, y)
    with pytest.raises(ValueError, match=name):
        MarginalUnlearner(model, **{name: value}).fit(
            X, y, forget_mask=np.arange(40) < 4
        )
