"""Fitting one shard of the sharded unlearner, whole or slice by slice.

Called by :class:`~sklearn_unlearn.datapoint.ShardedUnlearner` (in parallel
over shards) on validated data; nothing here checks its inputs. A shard's
model is a clone of the estimator whose ``random_state`` parameters (nested
ones included) are set to the shard's seed, so fitting it again on the same
rows gives the same model whenever the estimator is deterministic given its
seed.
"""

import copy
from typing import NamedTuple

import numpy as np
from joblib import Parallel, delayed
from sklearn.dummy import DummyClassifier
from sklearn.utils import _safe_indexing

from sklearn_unlearn.datapoint._shards import stage_rows
from sklearn_unlearn.utils._random import seeded_clone
from sklearn_unlearn.utils._validation import subset_params

__all__ = ["ShardFit", "fit_shard", "fit_shards"]


class ShardFit(NamedTuple):
    """A fitted shard: its model (None when it has no rows) and checkpoints.

    ``checkpoints[j]`` is a copy of the model after stage ``j`` (slices
    ``0 .. j``), for ``j < n_slices - 1``, None where no row had been seen;
    ``n_stages`` counts the stages this fit ran.
    """

    model: object
    checkpoints: list
    n_stages: int


def _fit_whole(estimator, seed, X, y, params, rows, classifier):
    if rows.size == 0:
        return None
    X_rows, y_rows = _safe_indexing(X, rows), y[rows]
    fit_params = subset_params(params, rows, y.shape[0])
    if classifier and np.unique(y_rows).size == 1:
        # one class left: a constant model of it (see ShardedUnlearner, Notes)
        model = DummyClassifier(strategy="prior")
        weight = fit_params.get("sample_weight")
        return model.fit(X_rows, y_rows, sample_weight=weight)
    return seeded_clone(estimator, seed).fit(X_rows, y_rows, **fit_params)


def fit_shard(
    estimator,
    seed: int,
    X,
    y: np.ndarray,
    params: dict,
    stages: list,
    *,
    classes=None,
    start: int = 0,
    checkpoints=None,
) -> ShardFit:
    """Fit one shard on the rows of its ``stages`` (see ``_shards.stage_rows``).

    With one stage, a seeded clone is fitted on its rows (a
    ``DummyClassifier`` when ``classes`` is given and the rows hold a single
    class). With several, the model is trained by ``partial_fit`` on the rows
    of each stage in turn, from stage ``start``: the model after stage
    ``start - 1`` is copied from ``checkpoints`` (the earlier checkpoints are
    kept), and ``classes`` (None for a regressor) is passed to every call.
    """
    classifier = classes is not None
    if len(stages) == 1:
        model = _fit_whole(estimator, seed, X, y, params, stages[0], classifier)
        return ShardFit(model, [], 1)
    kept = list(checkpoints[:start]) if start else []
    model = copy.deepcopy(kept[-1]) if kept else None
    extra = {"classes": classes} if classifier else {}
    last = len(stages) - 1
    for stage in range(start, last + 1):
        rows = stages[stage]
        if rows.size:
            if model is None:
                model = seeded_clone(estimator, seed)
            fit_params = subset_params(params, rows, y.shape[0])
            model.partial_fit(_safe_indexing(X, rows), y[rows], **extra, **fit_params)
        if stage < last:  # the last stage's state is the model itself
            kept.append(copy.deepcopy(model))
    return ShardFit(model, kept, last + 1 - start)


def fit_shards(
    estimator, layout, data, shards, starts, forgotten, checkpoints, n_jobs
) -> list:
    """:func:`fit_shard` of each of ``shards`` on its rows not ``forgotten``.

    ``layout`` is ``(shard_of, slice_of, n_slices, seeds, classes)`` and
    ``data`` is ``(X, y, params)``; shard ``shards[i]`` restarts at stage
    ``starts[i]`` from ``checkpoints[shards[i]]`` (``checkpoints`` is None
    for a fit from scratch). The shards are fitted in parallel by joblib.
    """
    shard_of, slice_of, n_slices, seeds, classes = layout
    X, y, params = data
    jobs = []
    for shard, start in zip(shards, starts, strict=True):
        active = np.flatnonzero((shard_of == shard) & ~forgotten)
        jobs.append(
            delayed(fit_shard)(
                estimator,
                seeds[shard],
                X,
                y,
                params,
                stage_rows(slice_of, active, n_slices),
                classes=classes,
                start=int(start),
                checkpoints=None if checkpoints is None else checkpoints[shard],
            )
        )
    return Parallel(n_jobs=n_jobs)(jobs)
