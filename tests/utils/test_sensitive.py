"""S parsed once: splitting, encoding, lookup, labels and group counts."""

import numpy as np
import pandas as pd
import pytest
from numpy.testing import assert_array_equal

from sklearn_unlearn.utils._sensitive import (
    check_group_counts,
    group_label,
    parse_sensitive,
    row_labels,
)


def _encode(*columns, **kwargs):
    frame = pd.DataFrame({j: c for j, c in enumerate(columns)})
    values = frame if len(columns) > 1 else columns[0]
    return parse_sensitive(values=values, **kwargs)


def test_single_column_groups_sorted_and_codes():
    record = _encode(np.array(["b", "a", "c", "a"]))
    assert_array_equal(record.encoding.groups, ["a", "b", "c"])
    assert_array_equal(record.codes, [1, 0, 2, 0])
    assert_array_equal(record.encoding.counts, [2, 1, 1])
    assert record.encoding.labels.tolist() == ["a", "b", "c"]


def test_intersections_only_of_present_combinations_and_one_label_format():
    sex = np.array(["F", "M", "F", "M", "F"])
    race = np.array([1, 1, 2, 1, 2])
    record = _encode(sex, race)
    enc = record.encoding
    assert enc.groups.tolist() == [("F", 1), ("F", 2), ("M", 1)]
    assert enc.labels.tolist() == ["F & 1", "F & 2", "M & 1"]
    assert_array_equal(record.codes, [0, 2, 1, 2, 1])
    new = pd.DataFrame({0: ["M", "M", "X"], 1: [2, 1, 1]})
    looked_up = parse_sensitive(values=new, fitted=enc)
    assert_array_equal(looked_up.codes, [-1, 2, -1])  # (M, 2) never seen; X unseen
    # unseen rows are labelled from their own values, in the same format
    assert row_labels(looked_up).tolist() == ["M & 2", "M & 1", "X & 1"]


def test_lookup_round_trip_and_type_mismatch_is_unseen():
    values = np.array([3, 1, 2, 3])
    record = _encode(values)
    again = parse_sensitive(values=values, fitted=record.encoding)
    assert_array_equal(again.codes, record.codes)
    other = parse_sensitive(values=np.array(["3", "1"]), fitted=record.encoding)
    assert_array_equal(other.codes, [-1, -1])


def test_binning_codes_out_of_range_values_and_given_edges():
    x = np.arange(100.0)
    record = _encode(x, n_bins=4)
    assert_array_equal(record.encoding.counts, [25, 25, 25, 25])
    far = parse_sensitive(values=np.array([-1e9, 1e9]), fitted=record.encoding)
    assert_array_equal(far.codes, [0, 3])
    # binning with the fitted edges reproduces the fitted codes on new data
    rng = np.random.default_rng(0)
    new = rng.uniform(-10, 110, 200)
    with_edges = parse_sensitive(values=new, bin_edges=record.encoding.bin_edges)
    looked_up = parse_sensitive(values=new, fitted=record.encoding)
    assert_array_equal(
        with_edges.encoding.groups[with_edges.codes],
        record.encoding.groups[looked_up.codes],
    )


def test_float_integral_codes_accepted_but_continuous_rejected():
    record = _encode(np.array([0.0, 1.0, 1.0, 0.0]))
    assert_array_equal(record.encoding.groups, [0.0, 1.0])
    with pytest.raises(ValueError, match="looks continuous"):
        _encode(np.linspace(0, 1, 50))


def test_mixed_types_and_missing_values_rejected():
    with pytest.raises(ValueError, match="mixes value types"):
        _encode(np.array(["a", 1, "b", 2], dtype=object))
    with pytest.raises(ValueError, match="missing"):
        _encode(np.array(["a", None, "b"], dtype=object))
    with pytest.raises(ValueError, match="missing"):
        _encode(np.array([0.0, np.nan, 1.0]))


X3 = pd.DataFrame({"a": [1.0, 2.0, 3.0], "b": [0, 1, 0], "c": ["x", "y", "x"]})


@pytest.mark.parametrize(
    "spec, expected", [("b", [1]), (["c", "a"], [2, 0]), (-1, [2]), ([0, 2], [0, 2])]
)
def test_columns_of_X_by_name_or_position(spec, expected):
    record = parse_sensitive(X3, spec=spec, feature_names=X3.columns)
    assert_array_equal(record.positions, expected)
    kept = [c for j, c in enumerate(X3.columns) if j not in set(expected)]
    assert list(record.features.columns) == kept
    assert [c.tolist() for c in record.columns] == [
        X3.iloc[:, j].tolist() for j in expected
    ]


@pytest.mark.parametrize(
    "spec, match",
    [
        ([], "empty"),
        (5, "out of range"),
        (["a", "a"], "same column twice"),
        ([1.5], "column names .str. or integer"),
        (["a", "b", "c"], "sensitive_feature_ids names all of them"),
        ("z", "column 'z' is not in X"),
    ],
)
def test_column_errors_name_the_parameter(spec, match):
    with pytest.raises((ValueError, TypeError), match=match):
        parse_sensitive(X3, spec=spec, feature_names=X3.columns)


def test_position_names_need_a_frame():
    with pytest.raises(ValueError, match="X has no column names"):
        parse_sensitive(np.zeros((3, 2)), spec="a")


def test_given_twice_missing_and_callable():
    with pytest.raises(ValueError, match="given twice"):
        parse_sensitive(X3, [0, 1, 0], spec="b", feature_names=X3.columns)
    with pytest.raises(ValueError, match="pass S please"):
        parse_sensitive(X3, missing="pass S please")
    record = parse_sensitive(X3, spec=lambda X: X["c"])
    assert record.features is X3 and record.positions.size == 0
    assert_array_equal(record.encoding.groups, ["x", "y"])


def test_metadata_shapes():
    assert len(parse_sensitive(values=np.arange(4), encode=False).columns) == 1
    assert len(parse_sensitive(values=np.zeros((4, 2)), encode=False).columns) == 2
    df = pd.DataFrame({"a": [1, 2], "b": ["x", "y"]})
    cols = parse_sensitive(values=df, encode=False).columns
    assert [c.tolist() for c in cols] == [[1, 2], ["x", "y"]]
    with pytest.raises(ValueError, match="3 dimensions"):
        parse_sensitive(values=np.zeros((2, 2, 2)))
    with pytest.raises(ValueError, match="has 3 samples but X has 2"):
        parse_sensitive(np.zeros((2, 1)), np.arange(3))


def test_polars_columns():
    pl = pytest.importorskip("polars")
    frame = pl.DataFrame({"a": [1.0, 2.0, 3.0], "s": ["p", "q", "p"]})
    record = parse_sensitive(frame, spec="s", feature_names=frame.columns)
    assert record.features.columns == ["a"]
    assert_array_equal(record.codes, [0, 1, 0])


def test_group_counts_rules():
    one = _encode(np.array(["a", "a"])).encoding
    with pytest.raises(ValueError, match="a single group"):
        check_group_counts(one, hint="")
    rare = _encode(np.array(["a", "a", "b"])).encoding
    with pytest.raises(ValueError, match=r"\['b'\] have \[1\] samples, fewer than 2"):
        check_group_counts(rare, hint="Merge rare groups.")
    check_group_counts(rare, min_rows=1, hint="")


def test_group_label():
    assert group_label(("F", 1)) == "F & 1"
    assert group_label(3) == "3"


def test_values_given_where_columns_are_named_get_a_clear_error():
    # fairlearn habit: sensitive_features= means values; here the column
    # parameter received one value per row
    X = pd.DataFrame({"a": np.arange(6.0), "b": np.ones(6)})
    values = pd.Series(["F", "M", "F", "M", "F", "M"])
    with pytest.raises(ValueError, match="looks like the sensitive values"):
        parse_sensitive(X, spec=values, feature_names=X.columns)


def test_merge_encodings_places_both_sides_groups_in_the_union():
    from sklearn_unlearn.utils._sensitive import merge_encodings

    old = _encode(np.array(["b", "d", "b"])).encoding
    new = _encode(np.array(["a", "b", "a", "a"])).encoding
    union, old_index, new_index = merge_encodings(old, new)
    assert union.groups.tolist() == ["a", "b", "d"]
    assert_array_equal(union.groups[old_index], old.groups)
    assert_array_equal(union.groups[new_index], new.groups)
    assert_array_equal(union.counts, [3, 3, 1])
