"""Input checks of the audits: S is parsed once, and bad S is named clearly."""

import numpy as np
import pytest

from sklearn_unlearn.metrics import mutual_information
from sklearn_unlearn.metrics._checks import (
    check_audit_input,
    check_proba,
    check_sensitive,
)
from sklearn_unlearn.utils._sensitive import parse_sensitive


def test_mismatched_lengths():
    Z = np.zeros((100, 2))
    with pytest.raises(
        ValueError, match="Z has 100 samples but sensitive_features has 90"
    ):
        mutual_information(Z, np.zeros(90))


def test_nan_in_sensitive():
    Z = np.random.default_rng(0).standard_normal((50, 2))
    s = np.repeat([0.0, 1.0], 25)
    s[4] = np.nan
    with pytest.raises(ValueError, match="missing or infinite"):
        mutual_information(Z, s)


def test_two_dimensional_sensitive():
    Z = np.zeros((10, 2))
    with pytest.raises(ValueError, match="sensitive_features must be 1-D"):
        mutual_information(Z, np.zeros((10, 1)))


def test_continuous_sensitive_is_rejected():
    rng = np.random.default_rng(0)
    with pytest.raises(ValueError, match="looks continuous"):
        mutual_information(rng.standard_normal((100, 2)), rng.standard_normal(100))


def test_groups_are_those_of_parse_sensitive():
    s = np.array([10, 2, -1, 2, 10, 10])
    record = check_sensitive(s, 6)
    expected = parse_sensitive(values=s, param="sensitive")
    np.testing.assert_array_equal(record.codes, expected.codes)
    np.testing.assert_array_equal(record.encoding.groups, [-1, 2, 10])  # by value
    audit = check_audit_input(np.zeros((6, 1)), s, min_per_group=1)
    np.testing.assert_array_equal(audit.codes, [2, 1, 0, 1, 2, 2])
    np.testing.assert_array_equal(audit.counts, [1, 2, 3])
    assert audit.Z.dtype == np.float64


def test_group_sizes_name_the_small_groups_and_the_way_out():
    # the audit's group rule is the library's one (check_group_counts)
    s = np.array(["a"] * 5 + ["b"] * 2 + ["c"])
    Z = np.zeros((8, 1))
    check_audit_input(Z, s, min_per_group=1)
    with pytest.raises(ValueError, match=r"\['b', 'c'\] have \[2, 1\] samples"):
        check_audit_input(Z, s, min_per_group=3, hint="Merge rare groups.")
    with pytest.raises(ValueError, match="at least 3 per group. Merge rare groups.$"):
        check_audit_input(Z, s, min_per_group=3, hint="Merge rare groups.")
    with pytest.raises(ValueError, match="single group"):
        check_audit_input(np.zeros((4, 1)), np.ones(4), min_per_group=1, hint="")


def test_continuous_advice_fits_a_metric():
    with pytest.raises(
        ValueError, match="^sensitive_features is float with 30"
    ) as info:
        check_sensitive(np.linspace(0.0, 1.0, 30), 30)
    assert "sensitive_bins" not in str(info.value)  # a metric has no binning
    check_sensitive(np.repeat(np.linspace(0.0, 1.0, 20), 2), 40)  # 20 levels: groups


def test_check_proba():
    P = np.array([[0.25, 0.75], [1.0, 0.0]])
    np.testing.assert_array_equal(check_proba(P.astype(np.float32), "p"), P)
    with pytest.raises(ValueError, match="p must hold class probabilities"):
        check_proba(P * 2, "p")
    with pytest.raises(ValueError, match=r"p must be 2-D, of shape \(n_samples"):
        check_proba(P[0], "p")
