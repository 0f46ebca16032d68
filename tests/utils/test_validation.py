"""Group parsing: encoding, lookup of new values, sensitive column resolution."""

import numpy as np
import pandas as pd
import pytest
from numpy.testing import assert_array_equal

from sklearn_unlearn.utils._validation import (
    encode_groups,
    lookup_groups,
    resolve_sensitive_columns,
    sensitive_columns_from_metadata,
)


def test_single_column_groups_sorted_and_codes():
    enc = encode_groups([np.array(["b", "a", "c", "a"])])
    assert_array_equal(enc.groups, ["a", "b", "c"])
    assert_array_equal(enc.codes, [1, 0, 2, 0])


def test_intersections_only_of_present_combinations():
    sex = np.array(["F", "M", "F", "M", "F"])
    race = np.array([1, 1, 2, 1, 2])
    enc = encode_groups([sex, race])
    assert enc.groups.tolist() == [("F", 1), ("F", 2), ("M", 1)]
    assert_array_equal(enc.codes, [0, 2, 1, 2, 1])
    codes = lookup_groups([np.array(["M", "M", "X"]), np.array([2, 1, 1])], enc)
    assert_array_equal(codes, [-1, 2, -1])  # (M, 2) never seen; X unseen


def test_lookup_round_trip_and_type_mismatch_is_unseen():
    values = np.array([3, 1, 2, 3])
    enc = encode_groups([values])
    assert_array_equal(lookup_groups([values], enc), enc.codes)
    assert_array_equal(lookup_groups([np.array(["3", "1"])], enc), [-1, -1])


def test_binning_codes_and_out_of_range_values():
    x = np.arange(100.0)
    enc = encode_groups([x], n_bins=4)
    assert_array_equal(np.bincount(enc.codes), [25, 25, 25, 25])
    assert_array_equal(lookup_groups([np.array([-1e9, 1e9])], enc), [0, 3])


def test_float_integral_codes_accepted_but_continuous_rejected():
    enc = encode_groups([np.array([0.0, 1.0, 1.0, 0.0])])
    assert_array_equal(enc.groups, [0.0, 1.0])
    with pytest.raises(ValueError, match="looks continuous"):
        encode_groups([np.linspace(0, 1, 50)])


def test_mixed_types_in_one_column():
    with pytest.raises(ValueError, match="mixes value types"):
        encode_groups([np.array(["a", 1, "b", 2], dtype=object)])


def test_missing_values_rejected():
    with pytest.raises(ValueError, match="missing"):
        encode_groups([np.array(["a", None, "b"], dtype=object)])
    with pytest.raises(ValueError, match="missing"):
        encode_groups([np.array([0.0, np.nan, 1.0])])


@pytest.mark.parametrize(
    "spec, expected", [("b", [1]), (["c", "a"], [2, 0]), (-1, [2]), ([0, 2], [0, 2])]
)
def test_resolve_columns(spec, expected):
    assert_array_equal(resolve_sensitive_columns(spec, 3, ["a", "b", "c"]), expected)


@pytest.mark.parametrize(
    "spec, match",
    [
        ([], "empty"),
        (5, "out of range"),
        (["a", "a"], "same column twice"),
        ([1.5], "column names .str. or integer"),
        (["a", "b", "c"], "sensitive_features names all of them"),
    ],
)
def test_resolve_columns_errors(spec, match):
    with pytest.raises((ValueError, TypeError), match=match):
        resolve_sensitive_columns(spec, 3, ["a", "b", "c"])


def test_metadata_shapes():
    assert len(sensitive_columns_from_metadata(np.arange(4), 4)) == 1
    assert len(sensitive_columns_from_metadata(np.zeros((4, 2)), 4)) == 2
    df = pd.DataFrame({"a": [1, 2], "b": ["x", "y"]})
    cols = sensitive_columns_from_metadata(df, 2)
    assert [c.tolist() for c in cols] == [[1, 2], ["x", "y"]]
    with pytest.raises(ValueError, match="3 dimensions"):
        sensitive_columns_from_metadata(np.zeros((2, 2, 2)), 2)


def test_polars_float32_features_stay_float32():
    pl = pytest.importorskip("polars")
    from sklearn_unlearn.utils._validation import to_float_features

    frame = pl.DataFrame(
        {"a": np.arange(4, dtype=np.float32), "b": np.ones(4, np.float32)}
    )
    out = to_float_features(frame)
    assert out.dtype == np.float32 and out.flags.c_contiguous
    mixed = pl.DataFrame({"a": np.arange(4, dtype=np.float32), "b": np.arange(4)})
    assert to_float_features(mixed).dtype == np.float64
