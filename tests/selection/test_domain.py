"""The forget domain: a domain column of X (split by parse_sensitive) or a mask."""

import numpy as np
import pandas as pd
import pytest
from numpy.testing import assert_allclose, assert_array_equal

from sklearn_unlearn import DistributionalSelector


def _data(seed=0, n1=150, n2=300, d=3, shift=1.0):
    """Forget and retained rows interleaved; three unequal-mean columns."""
    rng = np.random.default_rng(seed)
    X1 = rng.normal(size=(n1, d)) + shift * np.arange(1, d + 1) / d
    X2 = rng.normal(size=(n2, d)) @ np.diag([1.0, 0.5, 2.0][:d] + [1.0] * (d - 3))
    X = np.vstack([X1, X2])
    mask = np.arange(n1 + n2) < n1
    order = rng.permutation(n1 + n2)
    return X[order], mask[order]


# ------------------------------------------------------------- inputs
def test_domain_column_by_name_is_dropped_from_the_output():
    X, mask = _data()
    df = pd.DataFrame(X, columns=["a", "b", "c"], index=np.arange(X.shape[0]) * 3)
    df.insert(1, "source", np.where(mask, "toxic", "clean"))
    sel = DistributionalSelector(
        budget=0.3, domain_column="source", forget_value="toxic"
    )
    X_kept, y_kept = sel.fit_resample(df, pd.Series(np.arange(len(df)), index=df.index))
    reference = DistributionalSelector(budget=0.3).fit(X, forget_mask=mask)
    assert_array_equal(sel.deletion_mask_, reference.deletion_mask_)
    assert isinstance(X_kept, pd.DataFrame)
    assert list(X_kept.columns) == ["a", "b", "c"]
    assert_array_equal(X_kept.index, df.index[sel.sample_indices_])
    assert_array_equal(y_kept.to_numpy(), sel.sample_indices_)
    assert sel.domain_column_index_ == 1


def test_forget_value_list_and_callable():
    X, mask = _data()
    codes = np.where(mask, 2, np.arange(X.shape[0]) % 2)
    Xd = np.column_stack([X, codes])
    by_list = DistributionalSelector(domain_column=-1, forget_value=[2, 7]).fit(Xd)
    by_call = DistributionalSelector(
        domain_column=3, forget_value=lambda c: c == 2
    ).fit(Xd)
    reference = DistributionalSelector().fit(X, forget_mask=mask)
    assert_array_equal(by_list.deletion_mask_, reference.deletion_mask_)
    assert_array_equal(by_call.deletion_mask_, reference.deletion_mask_)
    kept = DistributionalSelector(
        domain_column=3, forget_value=2, drop_domain_column=False
    )
    X_kept, _ = kept.fit_resample(Xd)
    assert X_kept.shape[1] == 4


def test_polars_in_polars_out():
    pl = pytest.importorskip("polars")
    X, mask = _data()
    frame = pl.DataFrame({"a": X[:, 0], "b": X[:, 1], "c": X[:, 2], "forget": mask})
    sel = DistributionalSelector(domain_column="forget", budget=0.2)
    X_kept, _ = sel.fit_resample(frame)
    assert isinstance(X_kept, pl.DataFrame)
    assert X_kept.columns == ["a", "b", "c"]
    assert_allclose(X_kept.to_numpy(), X[sel.sample_indices_])


def test_nan_and_bad_domain_values():
    X, mask = _data()
    X_nan = X.copy()
    X_nan[3, 1] = np.nan
    with pytest.raises(ValueError, match="NaN"):
        DistributionalSelector().fit(X_nan, forget_mask=mask)
    Xd = np.column_stack([np.where(mask, 1.0, 0.0), X])
    Xd[5, 0] = np.nan
    with pytest.raises(ValueError, match="domain_column contains NaN"):
        DistributionalSelector(domain_column=0, forget_value=1.0).fit(Xd)
    df = pd.DataFrame(X, columns=list("abc"))
    df["text"] = "x"
    with pytest.raises(ValueError, match=r"Non-numeric feature column\(s\) \['text'\]"):
        DistributionalSelector().fit(df, forget_mask=mask)
    with pytest.raises(ValueError, match="classifier.*domain has only 2 samples"):
        few = mask & (np.cumsum(mask) <= 2)
        DistributionalSelector("classifier").fit(X, forget_mask=few)


# ---------------------------------------------------------------- functions
def test_split_domain_by_position_and_name():
    from sklearn_unlearn.selection._domain import split_domain

    X = np.arange(12.0).reshape(4, 3)
    split = split_domain(X, None, True)
    assert split.features is X and split.column is None and split.position is None
    split = split_domain(X, -1, True)
    assert_array_equal(split.features, X[:, :2])
    assert_array_equal(split.column, X[:, 2])
    assert split.position == 2
    assert split_domain(X, 1, False).features is X
    frame = pd.DataFrame(X, columns=["a", "src", "c"])
    split = split_domain(frame, "src", True, np.array(["a", "src", "c"]))
    assert list(split.features.columns) == ["a", "c"] and split.position == 1


def test_forget_rows_of_a_value_a_list_or_a_callable():
    from sklearn_unlearn.selection._domain import forget_rows

    column = np.array(["a", "b", "c", "a"], dtype=object)
    assert_array_equal(forget_rows(column, "a"), [True, False, False, True])
    assert_array_equal(forget_rows(column, ["b", "c"]), [False, True, True, False])
    assert_array_equal(forget_rows(column, {"c"}), [False, False, True, False])
    assert_array_equal(forget_rows(column, lambda c: c != "a"), [0, 1, 1, 0])
    with pytest.raises(ValueError, match="must return a boolean mask of shape"):
        forget_rows(column, lambda c: (c == "a").astype(int))


def test_domain_checks():
    from sklearn_unlearn.selection._domain import (
        check_both_domains,
        check_domain_column,
        check_domain_input,
        check_in_memory,
    )

    with pytest.raises(TypeError, match="domain_column holds complex values"):
        check_domain_column(np.array([1 + 2j, 3j]))
    with pytest.raises(ValueError, match="domain_column contains NaN"):
        check_domain_column(np.array([1.0, np.nan]))
    check_domain_column(np.array([0.0, 1.0]))
    assert check_both_domains(np.array([True, False, True])) == 2
    with pytest.raises(ValueError, match="The forget set is empty: all 2"):
        check_both_domains(np.zeros(2, dtype=bool))
    with pytest.raises(ValueError, match="The retained set is empty"):
        check_both_domains(np.ones(2, dtype=bool))
    with pytest.raises(ValueError, match="one way only"):
        check_domain_input(np.zeros((2, 2)), np.ones(2, dtype=bool), 0)
    assert isinstance(check_domain_input([[1, "a"]], None, 1), np.ndarray)
    check_in_memory(np.zeros(2))


def test_forget_mask_of_a_dask_array():
    da = pytest.importorskip("dask.array")
    from sklearn_unlearn.selection._domain import check_lazy_forget_mask

    mask = np.arange(10) % 3 == 0
    assert_array_equal(check_lazy_forget_mask(mask, 10), mask)
    assert_array_equal(check_lazy_forget_mask(da.from_array(mask, chunks=4), 10), mask)
    with pytest.raises(ValueError, match="Pass forget_mask"):
        check_lazy_forget_mask(None, 10)
    with pytest.raises(ValueError, match="forget_mask must be boolean"):
        check_lazy_forget_mask(mask.astype(int), 10)
    with pytest.raises(ValueError, match="forget_mask has shape"):
        check_lazy_forget_mask(mask[:9], 10)
    with pytest.raises(TypeError, match="in-memory chunks"):
        DistributionalSelector().partial_fit(da.zeros((4, 2)))
