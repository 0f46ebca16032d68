"""Feature columns: which are numbers, and every cell checked to be one."""

import json

import numpy as np

from sklearn_unlearn.cli import main
from tests.cli._inputs import text_rows, write_csv


def test_zip_codes_given_as_features_are_numbers(tmp_path):
    header, rows = text_rows()
    write_csv(tmp_path / "in.csv", header, rows)
    code = main(
        ["repair", str(tmp_path / "in.csv"), "--sensitive", "sex", "--features"]
        + ["zip", "a", "--no-audit", "-o", str(tmp_path / "o.csv"), "--quiet"]
    )
    assert code == 0
    audit = json.loads((tmp_path / "o.audit.json").read_text())
    assert audit["features"] == ["zip", "a"] and audit["code_columns"] == []


def test_missing_values_are_reported_before_any_work(tmp_path, people, capsys):
    frame = people.copy()
    frame.loc[3, "age"] = np.nan
    path = tmp_path / "holes.csv"
    frame.to_csv(path, index=False)
    assert main(["repair", str(path), "--sensitive", "sex"]) == 2
    err = capsys.readouterr().err
    # the column, the line of the file (header = line 1) and the count
    assert "column 'age'" in err and "line 5 (data row 4)" in err
    assert "1 such cell" in err
    assert not (tmp_path / "holes.repaired.csv").exists()
