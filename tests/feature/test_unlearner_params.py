"""The estimator's parameters: every one constrained and documented."""

import inspect

from sklearn_unlearn import BarycenterFeatureUnlearner
from sklearn_unlearn.feature._methods import METHODS
from sklearn_unlearn.feature._unlearner_params import (
    DOCSTRING,
    PARAMETER_CONSTRAINTS,
)


def test_every_parameter_is_constrained_and_documented():
    names = list(inspect.signature(BarycenterFeatureUnlearner).parameters)
    assert sorted(PARAMETER_CONSTRAINTS) == sorted(names)
    doc = BarycenterFeatureUnlearner.__doc__
    for name in names:
        assert f"\n    {name} : " in doc, name
    assert "%(" not in doc  # shared entries were filled in
    assert doc.startswith(DOCSTRING[:60])


def test_method_options_are_the_registry():
    (options,) = PARAMETER_CONSTRAINTS["method"]
    assert options.options == set(METHODS)
