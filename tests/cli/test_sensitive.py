"""The sensitive columns: groups labelled as in the library, and their checks."""

import json

import numpy as np
import pandas as pd
import pytest

from sklearn_unlearn import BarycenterFeatureUnlearner
from sklearn_unlearn.cli import main
from sklearn_unlearn.cli._sensitive import (
    bin_labels,
    group_counts,
    group_labels,
    sensitive_copies,
    sensitive_groups,
)
from sklearn_unlearn.cli._table import read_table
from sklearn_unlearn.utils._sensitive import parse_sensitive, row_labels
from tests.cli._inputs import listing, text_rows, write_csv


def test_continuous_sensitive_message_is_short_and_suggests_real_fixes(folder, capsys):
    assert main(["repair", "data.csv", "--sensitive", "a", "--quiet"]) == 2
    err = capsys.readouterr().err
    # a count and a few examples, not every value; only options that exist
    assert "60 distinct values" in err and len(err) < 500
    assert "bin it" in err.lower() and "sensitive_bins" not in err
    options = {word.strip(".,;:()'") for word in err.split() if word.startswith("--")}
    assert options == {"--sensitive", "--sensitive-bins"}
    # the fix it names works
    assert "--sensitive-bins 4" in err
    args = ["repair", "data.csv", "--sensitive", "a", "--sensitive-bins", "4"]
    assert main([*args, "--no-audit", "--quiet", "-o", "fixed.csv"]) == 0


def test_group_of_three_rows_repairs_without_the_audit(tmp_path):
    header, rows = text_rows()
    for i in (1, 3, 5):
        rows[i][1] = "X"
    write_csv(tmp_path / "in.csv", header, rows)
    args = ["repair", str(tmp_path / "in.csv"), "--sensitive", "sex", "--quiet"]
    assert main(args) == 2  # the audit would be skipped: an input error
    assert listing(tmp_path) == ["in.csv"]
    assert main([*args, "--no-audit"]) == 0  # explicitly without it: runs
    audit = json.loads((tmp_path / "in.repaired.audit.json").read_text())
    assert audit["audited"] is False and audit["groups"]["X"] == 3
    assert audit["leakage_auc_before"] is None


def test_groups_are_the_librarys_with_one_label_format(tmp_path):
    header, rows = text_rows()
    write_csv(tmp_path / "in.csv", header, rows)
    table = read_table(tmp_path / "in.csv")
    record = sensitive_groups(table, ["sex", "sexcopy"])
    # the labels and counts of parse_sensitive, "a & b" for an intersection
    frame = pd.DataFrame({"sex": table.frame["sex"], "copy": table.frame["sexcopy"]})
    expected = parse_sensitive(values=frame)
    np.testing.assert_array_equal(group_labels(record), row_labels(expected))
    assert group_counts(record) == {"F & woman": 20, "M & man": 20}
    assert group_labels(record)[:2].tolist() == ["F & woman", "M & man"]
    # the text copy reproduces S, each of its columns, as labelled there
    (copy,) = sensitive_copies(table, ["sex"], sensitive_groups(table, ["sex"]), [])
    assert copy["column"] == "sexcopy" and copy["values"] == {"woman": "F", "man": "M"}


def test_an_empty_sensitive_cell_names_its_line(tmp_path, capsys):
    header, rows = text_rows()
    rows[4][1] = " "
    write_csv(tmp_path / "in.csv", header, rows)
    assert main(["audit", str(tmp_path / "in.csv"), "--sensitive", "sex"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("error: --sensitive: column 'sex' is empty at line 6")


def test_binned_groups_are_the_unlearners_sensitive_bins(tmp_path, people):
    path = tmp_path / "people.csv"
    people.to_csv(path, index=False)
    table = read_table(path)
    for column in ("age", "hours_per_week"):  # many ties at the quantiles
        record = sensitive_groups(table, [column], bins=4)
        values = people[column].to_numpy(dtype=float)
        X = people[["education_num", "capital_gain"]].to_numpy(dtype=float)
        unlearner = BarycenterFeatureUnlearner(sensitive_bins=4, random_state=0)
        unlearner.fit(X, sensitive_features=values)
        (edges,) = unlearner.sensitive_bin_edges_
        np.testing.assert_array_equal(record.encoding.bin_edges[0], edges)
        # each row is in the unlearner's bin, and the bins count the same rows
        bins = np.searchsorted(edges, values, side="right")
        np.testing.assert_array_equal(record.encoding.groups[record.codes], bins)
        np.testing.assert_array_equal(record.encoding.groups, unlearner.groups_)
        assert list(group_counts(record).values()) == unlearner.group_counts_.tolist()
        # labelled by their intervals, from the lowest value to the highest
        labels = bin_labels(edges, values)
        assert list(group_counts(record)) == [labels[b] for b in unlearner.groups_]
        assert labels[0].startswith(f"[{values.min():g}, ")
        assert labels[-1].endswith(f", {values.max():g}]")
    assert list(group_counts(sensitive_groups(table, ["age"], bins=4))) == [
        "[17, 28)",
        "[28, 37)",
        "[37, 47)",
        "[47, 90]",
    ]


def test_bin_labels_are_intervals_and_a_value_on_an_edge_is_in_the_bin_above():
    values = np.array([1.0, 2.0, 2.5, 3.0, 10.0])
    assert bin_labels(np.array([2.5]), values) == ["[1, 2.5)", "[2.5, 10]"]
    record = parse_sensitive(values=values, n_bins=2)
    assert record.encoding.bin_edges[0].tolist() == [2.5]
    assert record.codes.tolist() == [0, 0, 1, 1, 1]


def test_binned_intersections_are_labelled_by_both_intervals(tmp_path):
    header, rows = text_rows()
    write_csv(tmp_path / "in.csv", header, rows)
    table = read_table(tmp_path / "in.csv")
    record = sensitive_groups(table, ["a", "b"], bins=2)
    labels = group_labels(record)
    assert all(label.count(" & ") == 1 for label in labels)
    (a_edge,), (b_edge,) = record.encoding.bin_edges
    a = table.frame["a"].astype(float).to_numpy()
    first = labels[0].split(" & ")[0]
    assert first == bin_labels(np.array([a_edge]), a)[int(a[0] >= a_edge)]


def test_binned_labels_agree_between_repair_and_audit(tmp_path, capsys):
    header, rows = text_rows()
    write_csv(tmp_path / "in.csv", header, rows)
    bins = ["--sensitive", "b", "--sensitive-bins", "2", "--features", "age", "a"]
    source = str(tmp_path / "in.csv")
    assert main(["repair", source, *bins, "--no-audit", "--quiet"]) == 0
    repaired = json.loads((tmp_path / "in.repaired.audit.json").read_text())
    report = tmp_path / "report.json"
    assert main(["audit", source, *bins, "--json", str(report), "--quiet"]) == 0
    audited = json.loads(report.read_text())
    assert repaired["groups"] == audited["groups"]
    assert list(audited["groups"].values()) == [20, 20]
    assert repaired["sensitive_bins"] == audited["sensitive_bins"] == 2
    (low, high) = audited["groups"]
    assert low.startswith("[") and low.endswith(")") and high.endswith("]")
    assert f"{low}: 20, {high}: 20" in capsys.readouterr().out


@pytest.mark.parametrize(
    "args, message",
    [
        (
            ["--sensitive", "sex", "--sensitive-bins", "2"],
            "--sensitive-bins: column 'sex' holds 'F' at line 2",
        ),
        (["--sensitive", "a", "--sensitive-bins", "30"], "or cut fewer bins"),
        (["--sensitive", "a", "--sensitive-bins", "2.5"], "an int in the range [2,"),
    ],
)
def test_bad_binning_is_a_one_line_error(folder, capsys, args, message):
    assert main(["audit", "data.csv", *args, "--quiet"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("error: ") and err.count("\n") == 1 and message in err


def test_tied_quantiles_give_fewer_bins_with_a_warning(tmp_path, capsys):
    header, rows = text_rows()
    write_csv(tmp_path / "in.csv", header, rows)
    args = ["--sensitive", "age", "--sensitive-bins", "12", "--no-audit", "--quiet"]
    assert main(["repair", str(tmp_path / "in.csv"), *args]) == 0
    err = capsys.readouterr().err
    assert "warning: --sensitive-bins 12: column 'age' is cut into" in err
    groups = json.loads((tmp_path / "in.repaired.audit.json").read_text())["groups"]
    assert 2 <= len(groups) < 12


def test_many_small_groups_are_listed_with_a_count_of_the_rest(tmp_path, capsys):
    header, rows = text_rows(n=500)
    for i, row in enumerate(rows):
        row[1] = f"group-{i:03d}"  # 500 groups of one row
    write_csv(tmp_path / "in.csv", header, rows)
    assert main(["audit", str(tmp_path / "in.csv"), "--sensitive", "sex"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and len(err) < 400
    assert "'group-000' (1 row), 'group-001' (1 row), 'group-002' (1 row), ... " in err
    assert "... and 497 more;" in err
