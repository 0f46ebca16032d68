"""Row bookkeeping by group and the working-memory block sizes."""

import numpy as np
import pytest
from sklearn import config_context

from sklearn_unlearn.utils._memory import working_rows
from sklearn_unlearn.utils._row_windows import group_rows, group_windows


@pytest.mark.parametrize("n_groups", [1, 3, 40])
@pytest.mark.parametrize("window", [1, 7, 64, 10_000])
def test_group_windows_partition_rows_like_group_rows(n_groups, window):
    rng = np.random.default_rng(n_groups + window)
    codes = rng.integers(-1, n_groups, 1000)
    codes[200:400] = 0  # long runs of one group: windows held by one group
    codes[500:600] = -1
    seen = {g: [] for g in range(-1, n_groups)}
    for g, rows in group_windows(codes, n_groups, window):
        if isinstance(rows, slice):
            rows = np.arange(rows.start, rows.stop)
            assert rows.size <= window
        assert rows.size > 0
        assert rows.max() - rows.min() < window  # within one window
        assert np.all(codes[rows] == g)
        seen[g].append(rows)
    for g, rows in group_rows(codes, n_groups):
        got = np.concatenate(seen[g]) if seen[g] else np.empty(0, dtype=int)
        np.testing.assert_array_equal(np.sort(got), rows)


def test_group_windows_yield_views_for_windows_of_one_group():
    codes = np.repeat([0, 1, -1], 100)
    parts = list(group_windows(codes, 2, 50))
    assert [g for g, _ in parts] == [0, 0, 1, 1, -1, -1]
    assert all(isinstance(rows, slice) for _, rows in parts)


def test_working_rows_follow_working_memory():
    assert working_rows(1000, cap=10**9) == 1024 * 2**20 // 1000  # default 1 GiB
    assert working_rows(1000, cap=50) == 50
    with config_context(working_memory=1):
        assert working_rows(1000, cap=10**9) == 2**20 // 1000
    with config_context(working_memory=1e-6):
        assert working_rows(1000, cap=10**9) == 1  # never zero rows
