"""The criteria: registry kernels, random, the cross-fitted classifier, callables."""

import numpy as np
import pytest
from numpy.testing import assert_allclose, assert_array_equal
from sklearn.ensemble import RandomForestClassifier
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import StratifiedKFold, cross_val_predict

from sklearn_unlearn import DistributionalSelector
from sklearn_unlearn.selection._criteria import (
    check_dask_input,
    check_streamable,
    statistics_and_scores,
)
from sklearn_unlearn.selection._scores import SCORES as SCORES_REGISTRY
from sklearn_unlearn.selection._stats import domain_stats
from sklearn_unlearn.utils._compat import InvalidParameterError

#: Every criterion: the registry's, then those needing a seed or a model.
CRITERIA = [*sorted(SCORES_REGISTRY), "classifier", "random"]


def _data(seed=0, n1=150, n2=300, d=3, shift=1.0):
    """Forget and retained rows interleaved; three unequal-mean columns."""
    rng = np.random.default_rng(seed)
    X1 = rng.normal(size=(n1, d)) + shift * np.arange(1, d + 1) / d
    X2 = rng.normal(size=(n2, d)) @ np.diag([1.0, 0.5, 2.0][:d] + [1.0] * (d - 3))
    X = np.vstack([X1, X2])
    mask = np.arange(n1 + n2) < n1
    order = rng.permutation(n1 + n2)
    return X[order], mask[order]


def test_classifier_criterion_uses_the_given_estimator_cross_fitted():
    X, mask = _data(shift=2.0)
    forest = RandomForestClassifier(n_estimators=20, random_state=0)
    sel = DistributionalSelector(
        "classifier", estimator=forest, cv=3, budget=0.5, random_state=0
    ).fit(X, forget_mask=mask)
    again = DistributionalSelector(
        "classifier", estimator=forest, cv=3, budget=0.5, random_state=0
    ).fit(X, forget_mask=mask)
    assert_array_equal(sel.scores_, again.scores_)
    # the scores are logits of P(forget | x): clearly positive on average
    assert sel.scores_.mean() > 0
    default = DistributionalSelector("classifier", budget=0.5, random_state=0).fit(
        X, forget_mask=mask
    )
    lr = LogisticRegression(max_iter=1000)
    same = DistributionalSelector(
        "classifier", estimator=lr, budget=0.5, random_state=0
    ).fit(X, forget_mask=mask)
    assert_allclose(default.scores_, same.scores_)


def test_callable_criterion():
    X, mask = _data()

    def first_column(X_forget, X_retain):
        assert X_retain.shape[0] == (~mask).sum()
        return X_forget[:, 0]

    sel = DistributionalSelector(first_column, budget=10).fit(X, forget_mask=mask)
    top = np.sort(X[mask, 0])[-10:]
    assert_allclose(np.sort(X[sel.deletion_mask_, 0]), top)


@pytest.mark.parametrize("criterion", CRITERIA)
@pytest.mark.parametrize("domain", ["forget", "retained"])
@pytest.mark.parametrize("value", [np.nan, np.inf, -np.inf])
def test_non_finite_values_are_rejected_for_every_criterion(criterion, domain, value):
    # NaN and inf are caught by the passes over the data (no separate pass)
    X, mask = _data()
    row = np.flatnonzero(mask if domain == "forget" else ~mask)[7]
    X[row, 2] = value
    with pytest.raises(ValueError, match="Input X contains NaN or infinity"):
        DistributionalSelector(criterion, family=None, random_state=0).fit(
            X, forget_mask=mask
        )


def _stream_data(seed=0, n=1200, d=4):
    rng = np.random.default_rng(seed)
    mask = rng.random(n) < 0.3
    X = rng.standard_normal((n, d)) * [1.0, 2.0, 0.5, 1.0][:d] + 10.0  # far origin
    X[mask] += np.linspace(0.5, 1.5, d)
    X[mask, 0] = X[mask, 0] ** 2 / 10  # skewed: third power sums matter
    return X, mask


def test_streaming_errors():
    X, mask = _stream_data(7)
    for sel, message in [
        (DistributionalSelector("classifier"), "needs all rows at once"),
        (DistributionalSelector("random"), "needs all rows at once"),
        (DistributionalSelector(lambda a, b: a[:, 0]), "needs all rows at once"),
        (DistributionalSelector(target=(0.1, 0.1)), "target"),
    ]:
        assert not hasattr(sel, "partial_fit")
        with pytest.raises(AttributeError) as excinfo:
            sel.score_samples(X)
        assert message in str(excinfo.value.__cause__)
    sel = DistributionalSelector().partial_fit(X[:100], forget_mask=mask[:100])
    with pytest.raises(ValueError, match="4 features"):
        sel.partial_fit(X[:100, :3], forget_mask=mask[:100])
    X_bad = X[:100].copy()
    X_bad[7, 1] = np.nan
    before = sel.statistics_
    with pytest.raises(ValueError, match="NaN or infinity"):
        sel.partial_fit(X_bad, forget_mask=mask[:100])
    assert sel.statistics_ is before  # a failed chunk changes nothing
    with pytest.raises(ValueError, match="forget_mask"):
        sel.partial_fit(X[:100], forget_mask=mask[:99])
    only_retained = DistributionalSelector().partial_fit(
        X[~mask][:50], forget_mask=np.zeros(50, dtype=bool)
    )
    with pytest.raises(ValueError, match="needs rows of both domains"):
        only_retained.score_samples(X)
    with pytest.raises(ValueError, match="NaN or infinity"):
        sel.score_samples(X_bad)
    unfitted = DistributionalSelector()
    with pytest.raises(Exception, match="not fitted"):
        unfitted.score_samples(X)


# ---------------------------------------------------------------- functions


def test_the_criterion_parameter_accepts_exactly_the_criteria():
    constraint = DistributionalSelector._parameter_constraints["criterion"][0]
    assert constraint.options == set(CRITERIA)
    with pytest.raises(InvalidParameterError, match="criterion"):
        DistributionalSelector("magic").fit(*_data()[:1], forget_mask=_data()[1])


@pytest.mark.parametrize("criterion", CRITERIA)
def test_statistics_and_scores_of_every_criterion(criterion):
    X, mask = _data(n1=40, n2=60)
    forget, retain = np.flatnonzero(mask), np.flatnonzero(~mask)
    stats, scores = statistics_and_scores(
        X, mask, criterion=criterion, family=None, random_state=0, cv=3
    )
    assert (stats.n_forget, stats.n_retain) == (40, 60)
    assert_allclose(stats.mean_retain, X[retain].mean(axis=0), rtol=1e-12)
    if criterion in SCORES_REGISTRY:
        full = domain_stats(X, forget, X, retain)
        assert_allclose(scores, SCORES_REGISTRY[criterion].kernel(X, forget, full))
    elif criterion == "random":
        assert_array_equal(scores, np.random.RandomState(0).uniform(size=40))
    else:
        folds = StratifiedKFold(3, shuffle=True, random_state=0)
        proba = cross_val_predict(
            LogisticRegression(max_iter=1000), X, mask, cv=folds, method="predict_proba"
        )[forget, 1]
        assert_allclose(scores, np.log(proba / (1 - proba)), rtol=1e-9)


def test_check_streamable_and_dask_input():
    assert check_streamable("euclidean", None)
    for criterion, target, message in [
        ("classifier", None, "needs all rows at once"),
        ("euclidean", (0.1, 0.1), "cannot search for target"),
    ]:
        with pytest.raises(AttributeError, match=message):
            check_streamable(criterion, target)
    X = np.zeros((4, 2))
    mask = np.array([True, False, True, False])
    assert_array_equal(check_dask_input(X, mask, "euclidean", None, None, None), mask)
    for args, message in [
        (("classifier", None, None, None), "criterion='classifier'"),
        ((np.mean, None, None, None), "or a callable"),
        (("euclidean", "gaussian", None, None), "family=None"),
        (("euclidean", None, None, "src"), "forget_mask"),
    ]:
        with pytest.raises(ValueError, match=message):
            check_dask_input(X, mask, *args)
