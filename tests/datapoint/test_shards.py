"""The numpy kernels of the sharded unlearner: dealing, stages, aggregation."""

import numpy as np
import pytest
from numpy.testing import assert_allclose, assert_array_equal

from sklearn_unlearn.datapoint._shards import (
    deal,
    mean_proba,
    restarts,
    stage_rows,
    vote_shares,
)


@pytest.mark.parametrize("n_bins", [1, 3, 7])
def test_deal_balances_bins_overall_and_per_code(n_bins):
    rng = np.random.RandomState(0)
    codes = np.repeat([0, 1, 2], [50, 31, 9])
    bins = deal(codes, n_bins, rng)
    sizes = np.bincount(bins, minlength=n_bins)
    assert sizes.max() - sizes.min() <= 1
    for code in range(3):
        per_bin = np.bincount(bins[codes == code], minlength=n_bins)
        assert per_bin.max() - per_bin.min() <= 1


def test_deal_is_random_but_seeded():
    codes = np.zeros(40, dtype=np.intp)
    first = deal(codes, 4, np.random.RandomState(1))
    assert_array_equal(first, deal(codes, 4, np.random.RandomState(1)))
    assert not np.array_equal(first, deal(codes, 4, np.random.RandomState(2)))
    # not simply row i in bin i % 4
    assert not np.array_equal(first, np.arange(40) % 4)


def test_stage_rows_are_cumulative_slices():
    slice_of = np.array([1, 0, 2, 0, 1, 2])
    active = np.array([0, 1, 2, 4, 5])  # row 3 is forgotten
    stages = stage_rows(slice_of, active, 3)
    assert [s.tolist() for s in stages] == [[1], [0, 1, 4], [0, 1, 2, 4, 5]]


def test_restarts_give_each_shard_its_earliest_slice():
    shard_of = np.array([0, 1, 0, 1, 2, 0])
    slice_of = np.array([2, 1, 0, 3, 1, 1])
    shards, starts = restarts(shard_of, slice_of, np.array([0, 1, 3, 5]))
    assert shards.tolist() == [0, 1]
    assert starts.tolist() == [1, 1]


def test_vote_shares_count_each_shard_once():
    shares = vote_shares([np.array([0, 2]), np.array([0, 1]), np.array([1, 1])], 3)
    assert_allclose(shares, [[2 / 3, 1 / 3, 0], [0, 2 / 3, 1 / 3]])


def test_mean_proba_puts_zero_for_a_class_a_shard_never_saw():
    first = np.array([[0.2, 0.8]])  # knows classes 0 and 2
    second = np.array([[0.5, 0.25, 0.25]])  # knows all three
    mean = mean_proba([first, second], [np.array([0, 2]), np.arange(3)], 3)
    assert_allclose(mean, [[0.35, 0.125, 0.525]])
    assert_allclose(mean.sum(axis=1), 1.0)
