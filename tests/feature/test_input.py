"""Input checks and output assembly of BarycenterFeatureUnlearner (pure)."""

import numpy as np
import pytest
from numpy.testing import assert_array_equal

from sklearn_unlearn.feature._input import (
    assemble,
    check_dask_supported,
    check_inverse_input,
    check_known,
    check_label,
    check_streaming,
    draw_seed,
    split_features,
    warn_discrete_columns,
)


def test_check_label_flattens_one_column_and_checks_length():
    assert check_label(np.ones((5, 1)), 5).shape == (5,)
    with pytest.raises(ValueError, match="y has 4 rows but X has 5"):
        check_label(np.ones(4), 5)


def test_discrete_columns_warn_for_closed_forms_only():
    X = np.column_stack([np.arange(100) % 3, np.linspace(0, 1, 100)])
    with pytest.warns(UserWarning, match=r"1 discrete column\(s\) \(positions \[0\]\)"):
        warn_discrete_columns(X, "gaussian")
    warn_discrete_columns(X, "stochastic")  # no warning: it treats tables
    warn_discrete_columns(X[:10], "quantile")  # too few rows to tell


def test_check_known_raises_or_passes_unseen_groups():
    codes = np.array([0, -1, 1])
    with pytest.raises(ValueError, match=r"1 sample\(s\) belong to groups unseen"):
        check_known(codes, [np.array(["a", "z", "b"])], np.array(["a", "b"]), "error")
    assert_array_equal(check_known(codes, [], np.array([]), "identity"), codes)


def test_assemble_puts_the_sensitive_columns_back_in_place():
    Z = np.array([[1.0, 2.0], [3.0, 4.0]])
    out = assemble(Z, [np.array([7, 8])], np.array([1]), 3)
    assert_array_equal(out, [[1.0, 7.0, 2.0], [3.0, 8.0, 4.0]])
    with pytest.raises(ValueError, match="drop_sensitive=True"):
        assemble(Z, [np.array(["a", "b"])], np.array([1]), 3)


def test_check_inverse_input_reads_s_from_kept_columns():
    Z = np.array([[1.0, 0.0, 2.0], [3.0, 1.0, 4.0]])
    _, keep, s = check_inverse_input(Z, 3, None, np.array([1]))
    assert_array_equal(keep, [0, 2])
    assert_array_equal(s, [[0.0], [1.0]])
    with pytest.raises(ValueError, match="expects the 2 columns"):
        check_inverse_input(Z, 2, None, np.array([1]))
    with pytest.raises(ValueError, match="sensitive_features=S"):
        check_inverse_input(Z, 3, None, np.empty(0, dtype=np.intp))


def test_streaming_and_dask_are_for_the_gaussian_method():
    assert check_streaming("gaussian", None)
    assert check_streaming("quantile", None)
    with pytest.raises(AttributeError, match="method='empirical' needs every row"):
        check_streaming("empirical", None)
    with pytest.raises(AttributeError, match="sensitive_bins=None"):
        check_streaming("gaussian", 3)
    check_dask_supported("gaussian", True)
    with pytest.raises(ValueError, match="method='gaussian'"):
        check_dask_supported("empirical", True)
    with pytest.raises(ValueError, match="drop_sensitive=False"):
        check_dask_supported("gaussian", False)


def test_draw_seed_follows_random_state():
    assert draw_seed(0) == draw_seed(0) != draw_seed(1)
    rng = np.random.RandomState(5)
    assert draw_seed(rng) != draw_seed(rng)  # a RandomState advances


def test_split_features_parses_s_and_converts_the_rest():
    X = np.array([[0, 1.5, 2.0], [1, 2.5, 3.0], [0, 0.5, 1.0]], dtype=object)
    record = split_features(
        X,
        None,
        spec=[0],
        feature_names=None,
        fitted=None,
        n_bins=None,
        min_rows=2,
        finite=True,
        numeric_sensitive=False,
    )
    assert record.features.dtype == np.float64 and record.features.shape == (3, 2)
    assert_array_equal(record.codes, [0, 1, 0])
    assert_array_equal(record.positions, [0])
    with pytest.raises(ValueError, match="No sensitive attribute"):
        split_features(
            X,
            None,
            spec=None,
            feature_names=None,
            fitted=None,
            n_bins=None,
            min_rows=2,
            finite=True,
            numeric_sensitive=False,
        )
