"""Read the sensitive attribute and the learned representation out of a pipeline.

Scorers and displays audit a fitted model whose first step is a
:class:`~sklearn_unlearn.BarycenterFeatureUnlearner`: they need S, read from ``X``
the way that step reads it, and the representation Z that reaches the final
estimator.
"""

from typing import NamedTuple

import numpy as np
from sklearn.pipeline import Pipeline

from sklearn_unlearn.feature import BarycenterFeatureUnlearner
from sklearn_unlearn.utils._validation import split_columns

__all__ = ["Representation", "find_unlearner", "sensitive_and_representation"]


class Representation(NamedTuple):
    """What an adversary sees (``Z``) and what it tries to recover (``sensitive``)."""

    sensitive: np.ndarray
    Z: np.ndarray


def find_unlearner(estimator) -> tuple[str | None, BarycenterFeatureUnlearner]:
    """The unlearner to audit: the estimator itself or a pipeline's first step.

    Returns the step name (None for a bare unlearner) and the step.
    """
    if isinstance(estimator, BarycenterFeatureUnlearner):
        return None, estimator
    if isinstance(estimator, Pipeline):
        name, first = estimator.steps[0]
        if isinstance(first, BarycenterFeatureUnlearner):
            return name, first
    raise TypeError(
        "Expected a BarycenterFeatureUnlearner or a Pipeline whose first step is "
        f"one; got {type(estimator).__name__}."
    )


def sensitive_and_representation(estimator, X, sensitive_features=None):
    """S and the features that reach the final estimator, for a fitted model.

    ``S`` comes from the sensitive columns of ``X`` (``sensitive_features=`` names
    them in the unlearner) or, when the unlearner takes S as metadata, from
    ``sensitive_features``. ``Z`` is the output of every step but the last one
    of a pipeline, or of the unlearner itself.
    """
    _, unlearner = find_unlearner(estimator)
    if unlearner.sensitive_features is not None:
        if sensitive_features is not None:
            raise ValueError(
                "The unlearner reads S from the columns of X; do not also pass "
                "sensitive_features."
            )
        _, columns = split_columns(X, unlearner.sensitive_columns_)
        kwargs = {}
    else:
        if sensitive_features is None:
            raise ValueError(
                "The unlearner takes S as metadata: pass sensitive_features= (S of "
                "the rows of X), or build it with sensitive_features=<columns of X>."
            )
        columns = [np.asarray(sensitive_features)]
        kwargs = {"sensitive_features": sensitive_features}
    if len(columns) == 1:
        sensitive = np.asarray(columns[0])
    else:  # intersectional groups: one label per combination
        sensitive = np.array(
            ["|".join(map(str, row)) for row in zip(*columns, strict=True)]
        )
    if isinstance(estimator, Pipeline):
        Z = estimator.steps[0][1].transform(X, **kwargs)
        for _, step in estimator.steps[1:-1]:
            if step is not None and step != "passthrough":
                Z = step.transform(Z)
    else:
        Z = estimator.transform(X, **kwargs)
    return Representation(sensitive=sensitive, Z=np.asarray(Z))
