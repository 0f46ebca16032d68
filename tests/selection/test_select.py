"""select and kept_rows: one fit on arrays, as the selector stores it."""

import numpy as np
import pandas as pd
import pytest
from numpy.testing import assert_array_equal

from sklearn_unlearn import DistributionalSelector
from sklearn_unlearn.selection._scores import SCORES
from sklearn_unlearn.selection._select import FitInput, kept_rows, select

#: Every criterion: the registry's, then those needing a seed or a model.
CRITERIA = [*sorted(SCORES), "classifier", "random"]


def _data(seed=0, n1=60, n2=90, d=3):
    rng = np.random.default_rng(seed)
    X = np.vstack([rng.normal(0.7, 1.0, (n1, d)), rng.normal(0.0, 1.0, (n2, d))])
    order = rng.permutation(n1 + n2)
    return X[order], (np.arange(n1 + n2) < n1)[order]


@pytest.mark.parametrize("criterion", CRITERIA)
@pytest.mark.parametrize("family", ["gaussian_mean", None])
def test_select_is_what_the_selector_stores(criterion, family):
    X, mask = _data()
    params = dict(family=family, random_state=3, cv=3)
    selection = select(
        FitInput(X, X, mask, 20, None), criterion=criterion, classifier=None, **params
    )
    sel = DistributionalSelector(criterion, budget=20, **params).fit(
        X, forget_mask=mask
    )
    for name, value in selection._asdict().items():
        if name == "statistics":
            for a, b in zip(value, sel.statistics_, strict=True):
                assert_array_equal(
                    np.asarray(a, dtype=float), np.asarray(b, dtype=float)
                )
        else:
            assert_array_equal(value, getattr(sel, f"{name}_"), strict=True)
    # the fields are consistent with each other
    assert_array_equal(np.sort(selection.ranking), selection.forget_indices)
    assert_array_equal(
        np.flatnonzero(selection.deletion_mask), np.sort(selection.ranking[:20])
    )


def test_select_with_a_target_deletes_the_fewest_rows_meeting_it():
    X, mask = _data(1)
    params = dict(criterion="likelihood_ratio", family="gaussian_mean", random_state=0)
    nothing = select(FitInput(X, X, mask, 0, None), **params)
    goal = 0.5 * (nothing.achieved_alpha + nothing.kappa)  # between none and all
    selection = select(FitInput(X, X, mask, None, (goal, 1.0)), **params)
    assert selection.achieved_alpha >= goal
    assert selection.n_deleted > 0
    fewer = select(FitInput(X, X, mask, selection.n_deleted - 1, None), **params)
    assert fewer.achieved_alpha < goal
    assert_array_equal(fewer.ranking, selection.ranking)


def test_kept_rows_keeps_the_container():
    X, _ = _data()
    kept = np.array([0, 2, 5])
    deleted = ~np.isin(np.arange(len(X)), kept)
    frame = pd.DataFrame(X, index=np.arange(len(X)) * 10, columns=list("abc"))
    X_kept, y_kept = kept_rows(frame, frame["a"], deleted, kept)
    assert isinstance(X_kept, pd.DataFrame)
    assert_array_equal(X_kept.index, [0, 20, 50])
    assert_array_equal(y_kept.to_numpy(), X[kept, 0])
    X_kept, y_kept = kept_rows(X.tolist(), None, deleted, kept)
    assert y_kept is None
    assert_array_equal(X_kept, X[kept])
