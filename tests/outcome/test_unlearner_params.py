"""The outcome unlearner's parameters: every one constrained and documented."""

import inspect

from sklearn_unlearn import BarycenterOutcomeUnlearner
from sklearn_unlearn.outcome._unlearner_params import (
    DOCSTRING,
    PARAMETER_CONSTRAINTS,
)


def test_constraints_cover_every_parameter():
    init = inspect.signature(BarycenterOutcomeUnlearner.__init__).parameters
    assert set(PARAMETER_CONSTRAINTS) == set(init) - {"self"}
    assert BarycenterOutcomeUnlearner._parameter_constraints is PARAMETER_CONSTRAINTS


def test_every_parameter_is_documented():
    doc = BarycenterOutcomeUnlearner.__doc__
    for name in PARAMETER_CONSTRAINTS:
        assert f"\n    {name} : " in doc, name
    assert "%(" not in doc  # shared entries were filled in
    assert doc.startswith(DOCSTRING[:60])
