"""The sensitive columns: groups labelled as in the library, and their checks."""

import json

import numpy as np
import pandas as pd

from sklearn_unlearn.cli import main
from sklearn_unlearn.cli._sensitive import (
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
    assert options == {"--sensitive"}


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
