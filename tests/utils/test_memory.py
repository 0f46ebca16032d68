"""Block sizes bounded by scikit-learn's working_memory."""

import sklearn

from sklearn_unlearn.utils._memory import working_rows


def test_rows_follow_the_working_memory_budget():
    with sklearn.config_context(working_memory=1):  # 1 MiB
        assert working_rows(1024, cap=10**9) == 1024
        assert working_rows(1024, cap=100) == 100  # the cap binds
        assert working_rows(2**30, cap=100) == 1  # at least one row
        assert working_rows(0, cap=7) == 7  # no temporaries: the cap
    with sklearn.config_context(working_memory=4):
        assert working_rows(1024, cap=10**9) == 4096
