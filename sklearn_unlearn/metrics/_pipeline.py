"""Read the sensitive attribute and the learned representation out of a model.

Scorers and displays audit a fitted model holding a
:class:`~sklearn_unlearn.BarycenterFeatureUnlearner`: the unlearner itself, or a
:class:`~sklearn.pipeline.Pipeline` (possibly nested) with the unlearner at any
step. ``X`` goes through the steps before the unlearner; S is read from the
unlearner's input the way the unlearner reads it (its ``sensitive_feature_ids``
columns, binned with its fitted ``sensitive_bin_edges_`` when it bins them) or
taken from the metadata; the representation Z is what reaches the final
estimator. Only the unlearner's public parameters and fitted attributes are
read: S is parsed by :func:`~sklearn_unlearn.utils._sensitive.parse_sensitive`,
so its groups carry the library's one label format (``"a & b"`` for an
intersection).
"""

from typing import NamedTuple

import numpy as np
from sklearn.pipeline import Pipeline

from sklearn_unlearn.feature import BarycenterFeatureUnlearner
from sklearn_unlearn.utils._sensitive import (
    SensitiveRecord,
    parse_sensitive,
    row_labels,
)

__all__ = [
    "Location",
    "Representation",
    "UnlearnerView",
    "find_unlearner",
    "locate_unlearner",
    "sensitive_and_representation",
    "unlearner_view",
]


class Representation(NamedTuple):
    """What an adversary sees (``Z``) and what it tries to recover (``sensitive``)."""

    sensitive: np.ndarray
    Z: np.ndarray


class Location(NamedTuple):
    """Where the unlearner sits in a model, and the steps around it."""

    name: str | None  # its ``set_params`` prefix ("outer__inner__u"); None if bare
    unlearner: BarycenterFeatureUnlearner
    before: list  # transformers applied to X before the unlearner
    after: list  # transformers between the unlearner and the final estimator
    final: object  # the final estimator fed with Z; None when there is none


class UnlearnerView(NamedTuple):
    """The unlearner's input, its groups and output, and the representation Z."""

    X_in: object  # what reaches the unlearner
    sensitive: np.ndarray  # the group label of each row
    sensitive_record: SensitiveRecord  # S of X_in parsed: groups, row codes
    X_out: np.ndarray  # the unlearner's output
    Z: np.ndarray  # what reaches the final estimator
    location: Location


def _leaves(pipeline: Pipeline, prefix: str = "") -> list:
    """``(name, step)`` of the steps of a pipeline, nested pipelines flattened.

    Skipped steps (None or "passthrough") stay in the list, as ``(name, None)``,
    so that a skipped final step is seen as such.
    """
    leaves = []
    for name, step in pipeline.steps:
        if isinstance(step, Pipeline):
            leaves += _leaves(step, f"{prefix}{name}__")
        else:
            skipped = step is None or (isinstance(step, str) and step == "passthrough")
            leaves.append((f"{prefix}{name}", None if skipped else step))
    return leaves


def locate_unlearner(estimator) -> Location:
    """The unlearner of ``estimator`` and the steps around it, or a TypeError."""
    if isinstance(estimator, BarycenterFeatureUnlearner):
        return Location(None, estimator, [], [], None)
    if not isinstance(estimator, Pipeline):
        raise TypeError(
            "Expected a BarycenterFeatureUnlearner or a Pipeline with one among its "
            f"steps; got {type(estimator).__name__}."
        )
    leaves = _leaves(estimator)
    found = [
        i
        for i, (_, step) in enumerate(leaves)
        if isinstance(step, BarycenterFeatureUnlearner)
    ]
    if not found:
        raise TypeError(
            "Expected a Pipeline with a BarycenterFeatureUnlearner among its steps; "
            f"its steps are {[name for name, _ in leaves][:10]}."
        )
    if len(found) > 1:
        raise ValueError(
            f"The Pipeline has {len(found)} BarycenterFeatureUnlearner steps "
            f"({[leaves[i][0] for i in found][:10]}): the audit needs exactly one, "
            "to know which sensitive attribute to read."
        )
    index = found[0]
    name, unlearner = leaves[index]
    rest = leaves[index + 1 :]
    final = rest[-1][1] if rest else None
    between = rest[:-1] if final is not None else rest
    return Location(
        name,
        unlearner,
        [step for _, step in leaves[:index] if step is not None],
        [step for _, step in between if step is not None],
        final,
    )


def find_unlearner(estimator) -> tuple[str | None, BarycenterFeatureUnlearner]:
    """The unlearner to audit: the estimator itself or a step of a pipeline.

    Returns its ``set_params`` prefix (None for a bare unlearner; nested
    pipelines give ``"outer__inner"``) and the step.
    """
    location = locate_unlearner(estimator)
    return location.name, location.unlearner


def _transform(steps: list, X):
    for step in steps:
        X = step.transform(X)
    return X


def unlearner_view(estimator, X, sensitive_features=None) -> UnlearnerView:
    """S, the unlearner's input and output, and Z, for a fitted model.

    ``S`` comes from the sensitive columns of the unlearner's input (when its
    ``sensitive_feature_ids=`` names them) or, when it takes S as metadata, from
    ``sensitive_features`` (one entry per row of ``X``).
    """
    location = locate_unlearner(estimator)
    unlearner = location.unlearner
    reads_columns = unlearner.sensitive_feature_ids is not None
    if reads_columns and sensitive_features is not None:
        raise ValueError(
            "The unlearner reads S from the columns "
            f"{unlearner.sensitive_feature_ids!r} of its input; do not also pass "
            "sensitive_features."
        )
    if not reads_columns and sensitive_features is None:
        raise ValueError(
            "The unlearner takes S as metadata: pass sensitive_features= (S of the "
            "rows of X; under metadata routing, call set_score_request("
            "sensitive_features=True) on the scorer), or build it with "
            "sensitive_feature_ids=<columns of X>."
        )
    X_in = _transform(location.before, X)
    # transform validates X_in (and S) before S is read from it
    X_out = unlearner.transform(X_in, sensitive_features=sensitive_features)
    binned = unlearner.sensitive_bins is not None
    record = parse_sensitive(
        X_in,
        sensitive_features,
        spec=unlearner.sensitive_feature_ids,
        feature_names=getattr(unlearner, "feature_names_in_", None),
        bin_edges=getattr(unlearner, "sensitive_bin_edges_", None) if binned else None,
    )
    Z = _transform(location.after, X_out)
    return UnlearnerView(
        X_in=X_in,
        sensitive=row_labels(record),
        sensitive_record=record,
        X_out=np.asarray(X_out),
        Z=np.asarray(Z),
        location=location,
    )


def sensitive_and_representation(estimator, X, sensitive_features=None):
    """S and the features that reach the final estimator, for a fitted model.

    ``Z`` is the output of every step of a pipeline but the last one (the
    unlearner's own output when it is the last step), or of a bare unlearner.
    """
    view = unlearner_view(estimator, X, sensitive_features)
    return Representation(sensitive=view.sensitive, Z=view.Z)
