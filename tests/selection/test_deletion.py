"""Ranking, budgets and the target search: kernels and the selector's use of them."""

import numpy as np
import pytest
from numpy.testing import assert_array_equal

from sklearn_unlearn import DistributionalSelector
from sklearn_unlearn.metrics import distributional_unlearning_report


def _data(seed=0, n1=150, n2=300, d=3, shift=1.0):
    """Forget and retained rows interleaved; three unequal-mean columns."""
    rng = np.random.default_rng(seed)
    X1 = rng.normal(size=(n1, d)) + shift * np.arange(1, d + 1) / d
    X2 = rng.normal(size=(n2, d)) @ np.diag([1.0, 0.5, 2.0][:d] + [1.0] * (d - 3))
    X = np.vstack([X1, X2])
    mask = np.arange(n1 + n2) < n1
    order = rng.permutation(n1 + n2)
    return X[order], mask[order]


def test_descending_order_breaks_ties_by_index():
    from sklearn_unlearn.selection._deletion import descending_order

    scores = np.array([1.0, 3.0, 1.0, 2.0, 3.0, -np.inf, 1.0])
    assert_array_equal(descending_order(scores), [1, 4, 3, 0, 2, 6, 5])
    rng = np.random.default_rng(0)
    many = rng.integers(0, 5, size=1000).astype(float)
    assert_array_equal(descending_order(many), np.argsort(-many, kind="stable"))
    distinct = rng.normal(size=1000)
    assert_array_equal(descending_order(distinct), np.argsort(-distinct))


# --------------------------------------------------------- target search
def _brute_force(X, mask, ranking, alpha, epsilon, family):
    forget_rows = np.flatnonzero(mask)
    position = {row: i for i, row in enumerate(forget_rows)}
    for f in range(ranking.size + 1):
        keep = np.ones(forget_rows.size, dtype=bool)
        keep[[position[r] for r in ranking[:f]]] = False
        report = distributional_unlearning_report(
            X[mask], X[~mask], keep, family=family
        )
        if report.alpha >= alpha and report.epsilon <= epsilon:
            return f
    return -1


@pytest.mark.parametrize("family", ["gaussian_mean", "gaussian"])
@pytest.mark.parametrize("seed", range(4))
def test_target_budget_equals_brute_force_scan(family, seed):
    rng = np.random.default_rng(100 + seed)
    X, mask = _data(seed=seed, n1=40, n2=70, d=2, shift=rng.uniform(0.2, 1.5))
    criterion = ["likelihood_ratio", "euclidean", "random", "mahalanobis"][seed]
    probe = DistributionalSelector(
        criterion, budget=1.0, family=family, random_state=seed
    ).fit(X, forget_mask=mask)
    # targets between the values of nothing and everything deleted
    alpha = rng.uniform(0.2, 0.9) * probe.kappa_
    epsilon = rng.uniform(0.005, 0.05) * probe.kappa_
    expected = _brute_force(X, mask, probe.ranking_, alpha, epsilon, family)
    sel = DistributionalSelector(
        criterion, target=(alpha, epsilon), family=family, random_state=seed
    )
    if expected < 0:
        with pytest.raises(ValueError, match="No budget meets target"):
            sel.fit(X, forget_mask=mask)
        return
    sel.fit(X, forget_mask=mask)
    assert sel.n_deleted_ == expected
    assert sel.achieved_alpha_ >= alpha and sel.achieved_epsilon_ <= epsilon


def test_unreachable_target_reports_best_values_and_frontier():
    X, mask = _data()
    sel = DistributionalSelector(target=(50.0, 0.01))
    with pytest.raises(ValueError, match=r"largest KL\(p1 \|\| p_hat\) is .*frontier"):
        sel.fit(X, forget_mask=mask)


# ----------------------------------------------------------------- kernels
def test_budget_count_closed_forms():
    from sklearn_unlearn.selection._deletion import budget_count

    assert budget_count(None, 9) == 5  # floor(0.5 * 9 + 1/2)
    assert budget_count(0.25, 10) == 3  # 2.5 rounds half up
    assert budget_count(0.24, 10) == 2
    assert budget_count(1.0, 7) == 7
    assert budget_count(0.0, 7) == 0
    assert budget_count(7, 7) == 7
    with pytest.raises(ValueError, match="budget=8 is larger than the forget set"):
        budget_count(8, 7)


@pytest.mark.parametrize(
    "target, budget, family, match",
    [
        ((1.0, 0.1), 3, "gaussian", "not both"),
        ((1.0, 0.1), None, None, "family=None"),
        ((1.0,), None, "gaussian", "pair"),
        ("ab", None, "gaussian", "pair"),
        ((np.inf, 0.1), None, "gaussian", "finite and >= 0"),
        ((1.0, -0.1), None, "gaussian", "finite and >= 0"),
    ],
)
def test_check_target_errors(target, budget, family, match):
    from sklearn_unlearn.selection._deletion import check_target

    with pytest.raises(ValueError, match=match):
        check_target(target, budget, family)


def test_check_target_values():
    from sklearn_unlearn.selection._deletion import check_target

    assert check_target(None, 0.3, None) is None
    assert check_target([1, np.float32(0.5)], None, "gaussian_mean") == (1.0, 0.5)


def test_edit_masks_delete_the_top_of_the_ranking():
    from sklearn_unlearn.selection._deletion import edit_masks

    edit = edit_masks(np.array([5, 2, 7]), 2, 8)
    assert_array_equal(np.flatnonzero(edit.deletion_mask), [2, 5])
    assert_array_equal(edit.sample_indices, [0, 1, 3, 4, 6, 7])
    assert edit_masks(np.array([5, 2]), 0, 6).deletion_mask.sum() == 0


@pytest.mark.parametrize("family", ["gaussian_mean", "gaussian"])
def test_search_target_equals_a_scan_of_single_edits(family):
    # an independent scan: the KLs of each prefix from edit_kl (block sums)
    from sklearn_unlearn.selection._deletion import KL_REG, search_target
    from sklearn_unlearn.selection._frontier import edit_kl
    from sklearn_unlearn.selection._stats import domain_stats

    X, mask = _data(seed=3, n1=30, n2=50, d=2)
    forget, retain = np.flatnonzero(mask), np.flatnonzero(~mask)
    stats = domain_stats(X, forget, X, retain)
    ranking = np.random.default_rng(0).permutation(forget)
    kls = [edit_kl(X, ranking[:f], stats, family, KL_REG) for f in range(31)]
    alpha = np.array([k.alpha[0] for k in kls])
    epsilon = np.array([k.epsilon[0] for k in kls])
    a, e = alpha[12], epsilon.max()
    search = search_target(X, ranking, stats, family, KL_REG, a, e)
    expected = int(np.flatnonzero((alpha >= a) & (epsilon <= e))[0])
    assert search.n_deleted == expected
    assert search.alpha == pytest.approx(alpha[expected], rel=1e-9)
    assert search.kappa == pytest.approx(kls[0].kappa, rel=1e-12)
    # unreachable: n_deleted is -1 and best is the largest allowed alpha
    none = search_target(X, ranking, stats, family, KL_REG, 1e9, epsilon[5])
    allowed = epsilon <= epsilon[5]
    assert none.n_deleted == -1
    assert none.best == int(np.argmax(np.where(allowed, alpha, -np.inf)))
    assert none.alpha == pytest.approx(alpha[none.best], rel=1e-9)


def test_decide_reports_nothing_without_a_family():
    from sklearn_unlearn.selection._deletion import decide
    from sklearn_unlearn.selection._stats import domain_stats

    X, mask = _data(n1=20, n2=30)
    stats = domain_stats(X, np.flatnonzero(mask), X, np.flatnonzero(~mask))
    ranking = np.flatnonzero(mask)
    decision = decide(
        X, ranking, stats, n_deleted=4, target=None, family=None, setting=""
    )
    assert decision.n_deleted == 4
    assert np.isnan([decision.alpha, decision.epsilon, decision.kappa]).all()
