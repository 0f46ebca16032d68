"""Tests of the independence checks of the "stochastic" method."""

import numpy as np
import pytest
from scipy import stats
from sklearn.metrics import roc_auc_score

from sklearn_unlearn import BarycenterFeatureUnlearner
from sklearn_unlearn.feature._stochastic_independence import (
    _cells_homogeneous,
    _group_separability,
    _rank_auc,
)


def _table(n, shift, seed, n_groups=2):
    """A mixed table: two numeric columns, a one-hot block and a count; the
    groups move the first numeric column by ``shift`` and the one-hot rates."""
    rng = np.random.default_rng(seed)
    s = rng.integers(0, n_groups, n)
    numeric = rng.normal(size=(n, 2))
    numeric[:, 0] += shift * s
    level = rng.random(n) < 0.3 + 0.3 * (shift > 0) * (s > 0)
    onehot = np.column_stack([level, ~level]).astype(float)
    count = rng.poisson(2.0, n).astype(float)
    y = (numeric[:, 1] + rng.normal(size=n) > 0).astype(int)
    return np.column_stack([numeric, onehot, count]), s, y


def test_rank_auc_matches_scikit_learn():
    rng = np.random.default_rng(0)
    scores = rng.integers(0, 5, 300).astype(float)  # many ties
    labels = rng.random(300) < 0.4
    assert _rank_auc(scores, labels) == pytest.approx(roc_auc_score(labels, scores))


@pytest.mark.parametrize("n_groups, at_least", [(2, 12), (3, 6)])
def test_independent_groups_stay_below_the_bound(n_groups, at_least):
    # S drawn independently of the rows: over 20 seeds the AUC stays within
    # one standard error of 0.5 most of the time (about 84% of the time for
    # one normal statistic: at least 12 of 20 required). With three groups the
    # largest of three one-against-the-rest AUCs is compared, which leans
    # further towards repairing (about 0.84 ** 3, 60%, if they were
    # independent: at least 6 of 20 required).
    below = 0
    for seed in range(20):
        X, s, _ = _table(1500, 0.0, seed, n_groups)
        auc, bound = _group_separability(X, s, n_groups, seed)
        assert 0.4 < auc < 0.6
        below += auc < bound
    assert below >= at_least


def test_dependent_groups_are_separable():
    X, s, _ = _table(1500, 1.0, 0)
    auc, bound = _group_separability(X, s, 2, 0)
    assert auc > 0.7 > bound
    # a weak shift spread over many columns adds up under naive Bayes
    rng = np.random.default_rng(1)
    s = rng.integers(0, 2, 4000)
    X = rng.normal(size=(4000, 30)) + 0.06 * s[:, None]
    auc, bound = _group_separability(X, s, 2, 0)
    assert auc > bound


def test_separability_ignores_row_order():
    X, s, _ = _table(800, 0.5, 3)
    order = np.random.default_rng(0).permutation(800)
    a = _group_separability(X, s, 2, 0)
    b = _group_separability(X[order], s[order], 2, 0)
    # the halves are drawn from the rows' values: the same halves, the same AUC
    assert a == pytest.approx(b, rel=1e-12)


def test_tiny_groups_are_left_out():
    X, s, _ = _table(200, 0.0, 0)
    s = np.zeros(200, dtype=int)
    s[:3] = 1  # three rows: too few to score
    assert _group_separability(X, s, 2, 0) == (0.5, 1.0)


def test_cells_homogeneous_matches_scipy():
    rng = np.random.default_rng(0)
    for trial in range(30):
        k = rng.integers(3, 40)
        law = rng.dirichlet(np.ones(k))
        other = law if trial % 2 else rng.dirichlet(np.ones(k))
        counts = np.vstack(
            [rng.multinomial(400, law), rng.multinomial(300, other)]
        ).astype(float)
        used = counts[:, counts.sum(axis=0) > 0]
        p = stats.chi2_contingency(used, correction=False).pvalue
        assert _cells_homogeneous(counts) == (p >= 0.05)
    assert _cells_homogeneous(np.array([[5.0, 0.0], [0.0, 0.0]]))


def test_unlearner_returns_rows_of_indistinguishable_groups_unchanged():
    X, s, y = _table(2000, 0.0, 4)
    unlearner = BarycenterFeatureUnlearner(random_state=0)
    Z = unlearner.fit_transform(X, y, sensitive_features=s)
    assert unlearner.groups_indistinguishable_
    assert unlearner.group_separability_ < 0.55
    np.testing.assert_array_equal(Z, X)
    X_new, s_new, _ = _table(300, 0.0, 5)
    np.testing.assert_array_equal(
        unlearner.transform(X_new, sensitive_features=s_new), X_new
    )


def test_unlearner_repairs_separable_groups():
    X, s, y = _table(2000, 1.0, 4)
    unlearner = BarycenterFeatureUnlearner(random_state=0)
    Z = unlearner.fit_transform(X, y, sensitive_features=s)
    assert not unlearner.groups_indistinguishable_
    assert unlearner.group_separability_ > 0.7
    # the repaired first column no longer follows the groups
    gap = abs(Z[s == 1, 0].mean() - Z[s == 0, 0].mean())
    assert gap < 0.15 < abs(X[s == 1, 0].mean() - X[s == 0, 0].mean())


@pytest.mark.parametrize("seed", [6, 7])
def test_partial_fit_finds_the_same_verdict(seed):
    X, s, y = _table(3000, 0.0, seed)
    whole = BarycenterFeatureUnlearner(random_state=0).fit(X, y, sensitive_features=s)
    stream = BarycenterFeatureUnlearner(random_state=0)
    for rows in np.array_split(np.arange(3000), 3):
        stream.partial_fit(X[rows], y[rows], sensitive_features=s[rows])
    assert stream.group_separability_ == whole.group_separability_
    assert stream.groups_indistinguishable_ == whole.groups_indistinguishable_
    if not whole.groups_indistinguishable_:  # seed 6: 0.533, by chance
        return
    np.testing.assert_array_equal(stream.transform(X, sensitive_features=s), X)
