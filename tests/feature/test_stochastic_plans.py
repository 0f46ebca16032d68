"""Tests of the cell method's plans: the barycenter on the cells and the plans."""

import numpy as np
import ot
import pytest

from sklearn_unlearn.feature._stochastic_plans import (
    _bregman_barycenter,
    _bregman_loop,
    _group_conditionals,
    _plan_blocks,
)


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_bregman_barycenter_matches_pot(seed):
    rng = np.random.default_rng(seed)
    support = rng.normal(size=(30, 2))
    cost = ot.dist(support, support)
    cost /= np.median(cost)
    masses = rng.dirichlet(np.ones(30), size=3)
    weights = np.array([0.5, 0.3, 0.2])
    ours, n_iter, converged = _bregman_barycenter(
        masses, cost, weights, 0.1, 5000, 1e-12
    )
    # POT's log-domain solver of the same problem (its default "sinkhorn"
    # variant iterates a different scaling and lands a few percent away)
    reference = ot.bregman.barycenter(
        masses.T,
        cost,
        0.1,
        weights=weights,
        method="sinkhorn_log",
        numItermax=20000,
        stopThr=1e-15,
    )
    assert converged and n_iter < 5000
    np.testing.assert_allclose(ours, reference, atol=1e-8)


def test_bregman_barycenter_of_identical_laws_is_that_law_blurred():
    # the entropic barycenter of identical laws is the law blurred by the
    # kernel; the blur vanishes as epsilon -> 0
    rng = np.random.default_rng(3)
    support = rng.normal(size=(40, 2))
    cost = ot.dist(support, support)
    cost /= np.median(cost)
    law = rng.dirichlet(np.ones(40))
    blur = []
    for epsilon in (0.05, 0.005, 0.001):
        b, _, converged = _bregman_barycenter(
            np.vstack([law, law]), cost, np.array([0.5, 0.5]), epsilon, 5000, 1e-12
        )
        assert converged
        K = np.exp(-cost / epsilon)
        np.testing.assert_allclose(b, K.T @ (law / K.sum(axis=1)), atol=1e-12)
        blur.append(np.abs(b - law).sum())
    assert blur[0] > blur[1] > blur[2] and blur[2] < 0.01


def test_plan_blocks_sample_the_conditional_laws():
    rng = np.random.default_rng(4)
    k = 12
    conditionals = [rng.dirichlet(np.ones(k), size=k) for _ in range(2)]
    conditionals[1][:3] = 0.0  # cells group 1 never starts from
    conditionals[1][5, 7:] = 0.0
    conditionals[1][5] /= conditionals[1][5].sum()
    targets, cumulative, offsets = _plan_blocks(conditionals)
    for g in range(2):
        for c in range(k):
            lo, hi = offsets[g * k + c], offsets[g * k + c + 1]
            if not conditionals[g][c].any():
                assert lo == hi  # no block: the cell is never sampled
                continue
            shares = np.diff(np.r_[0.0, cumulative[lo:hi] - (g * k + c)])
            row = np.zeros(k)
            row[targets[lo:hi]] = shares
            np.testing.assert_allclose(row, conditionals[g][c], atol=1e-12)
            assert cumulative[hi - 1] == g * k + c + 1.0


def test_group_conditionals_are_the_exact_plans_for_large_groups():
    rng = np.random.default_rng(14)
    k = 15
    centers = rng.normal(size=(k, 2))
    cost = ot.dist(centers, centers)
    counts = rng.integers(20, 40, size=(2, k)).astype(float)
    b = rng.dirichlet(np.ones(k))
    conditionals, available = _group_conditionals(
        counts, centers, b, cost, 15, ot.emd, rng
    )
    for g in range(2):
        mass = counts[g] / counts[g].sum()
        plan = ot.emd(mass, b, cost)
        np.testing.assert_allclose(conditionals[g], plan / mass[:, None], atol=1e-12)
        assert available[g].all()


def test_small_group_shares_plan_rows_on_coarse_cells_and_reaches_the_barycenter():
    rng = np.random.default_rng(15)
    k = 40
    centers = rng.normal(size=(k, 3))
    cost = ot.dist(centers, centers)
    counts = np.vstack([rng.integers(20, 40, k), np.zeros(k)]).astype(float)
    counts[1, rng.choice(k, 25, replace=False)] = rng.integers(1, 6, 25)
    n_small = counts[1].sum()
    b = rng.dirichlet(np.ones(k))
    conditionals, available = _group_conditionals(
        counts, centers, b, cost, 15, ot.emd, rng
    )
    small = conditionals[1]
    distinct = np.unique(np.round(small[available[1]], 12), axis=0)
    # about n_small / 15 coarse cells, each with one plan row
    assert 1 <= distinct.shape[0] <= max(1, int(n_small // 15))
    # more cells are open to the small group's new rows than it occupied
    assert available[1].sum() > np.count_nonzero(counts[1])
    # its training rows, following their cells' rows, reach the barycenter
    mass = counts[1] / n_small
    np.testing.assert_allclose(mass @ small, b, atol=1e-12)


def test_bregman_barycenter_restarts_blurrier_when_the_plain_loop_overflows():
    # 30 cells near the origin and 2 cells about 46 median costs away, where
    # only group 1 has mass: exp(-cost / epsilon) is subnormal between them, so
    # the plain loop's scalings overflow (checked: it gives up); the kernel
    # doubles the blur and returns a finite law that exact plans reach
    rng = np.random.default_rng(16)
    support = np.r_[rng.normal(0, 1, (30, 2)), rng.normal(5.5, 1, (2, 2))]
    cost = ot.dist(support, support)
    cost /= np.median(cost[cost > 0])
    masses = np.zeros((2, 32))
    masses[0, :30] = rng.dirichlet(np.ones(30))
    masses[1, :30] = 0.7 * rng.dirichlet(np.ones(30))
    masses[1, 30:] = 0.15
    weights = np.array([0.5, 0.5])
    with np.errstate(all="ignore"):
        plain = _bregman_loop(masses, np.exp(-cost / 0.03), weights, 2000, 1e-6)
    assert plain[0] is None  # the plain loop at this blur overflows
    b, n_iter, converged = _bregman_barycenter(masses, cost, weights, 0.03, 2000, 1e-6)
    assert np.all(np.isfinite(b)) and b.sum() == pytest.approx(1.0)
    assert converged and n_iter < 2000
    assert b[30:].sum() > 0.01  # the far group's mass is not dropped
    for g in range(2):
        plan = ot.emd(masses[g], b, cost)
        np.testing.assert_allclose(plan.sum(axis=0), b, atol=1e-9)
