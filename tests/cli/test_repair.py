"""The ``repair`` subcommand: its outputs, and its bad inputs."""

import json

import numpy as np
import pandas as pd
import pytest

from sklearn_unlearn.cli import main
from tests.cli._inputs import NUMERIC, check_bad_input, leftovers, read


def test_repair_writes_table_and_audit(table, people, capsys):
    out = table.with_name(f"fair{table.suffix}")
    code = main(
        [
            "repair",
            str(table),
            "--sensitive",
            "sex",
            "--keep",
            "person_id",
            "income",
            "-o",
            str(out),
        ]
    )
    assert code == 0
    repaired = read(out)
    # row order, columns and non-feature columns are kept
    assert list(repaired.columns) == list(people.columns)
    for column in ("person_id", "sex", "occupation", "income"):
        np.testing.assert_array_equal(repaired[column], people[column])
    assert not np.allclose(repaired["hours_per_week"], people["hours_per_week"])
    # stochastic outputs are real rows: integer columns stay integer
    assert pd.api.types.is_integer_dtype(repaired["age"])
    audit = json.loads(out.with_suffix(".audit.json").read_text())
    assert audit["method"] == "stochastic" and audit["n_rows"] == len(people)
    assert audit["kept_unchanged"] == ["person_id", "sex", "occupation", "income"]
    assert audit["features"] == [*NUMERIC, "married"]
    assert audit["groups"] == people["sex"].value_counts().sort_index().to_dict()
    assert audit["leakage_auc_after"] < audit["leakage_auc_before"]
    # the raw features leak beyond doubt; the interval brackets each AUC
    assert audit["leakage_pvalue_before"] < 1e-6
    assert audit["leakage_ci_before"][0] > 0.5
    for when in ("before", "after"):
        low, high = audit[f"leakage_ci_{when}"]
        assert low - 0.02 < audit[f"leakage_auc_{when}"] < high + 0.02
        assert 0 < audit[f"leakage_pvalue_{when}"] <= 1
    text = capsys.readouterr().out
    assert "before" in text and str(out) in text
    assert leftovers(table.parent) == []


def test_repair_default_output_name_and_options(tmp_path, people):
    path = tmp_path / "data.csv"
    people.to_csv(path, index=False)
    code = main(
        [
            "repair",
            str(path),
            "--sensitive",
            "sex",
            "--features",
            "age",
            "hours_per_week",
            "--method",
            "gaussian",
            "--repair-level",
            "0.5",
            "--no-audit",
            "--quiet",
        ]
    )
    assert code == 0
    repaired = pd.read_csv(tmp_path / "data.repaired.csv")
    np.testing.assert_array_equal(repaired["capital_gain"], people["capital_gain"])
    audit = json.loads((tmp_path / "data.repaired.audit.json").read_text())
    assert audit["features"] == ["age", "hours_per_week"]
    assert audit["repair_level"] == 0.5 and audit["leakage_auc_after"] is None
    assert audit["leakage_ci_after"] is None and audit["leakage_pvalue_before"] is None


R = ["repair", "data.csv", "--sensitive", "sex"]

CASES = {
    # paths
    "repair missing input": (["repair", "nofile.csv", "--sensitive", "sex"], "input"),
    "repair input is a folder": (["repair", "adir.csv", "--sensitive", "sex"], "input"),
    "repair input suffix": (["repair", "data.txt", "--sensitive", "sex"], "input"),
    "repair -o is the input": ([*R, "-o", "data.csv"], "--output"),
    "repair -o symlink to input": ([*R, "-o", "link.csv"], "--output"),
    "repair -o hard link to input": ([*R, "-o", "hard.csv"], "--output"),
    "repair -o is a folder": ([*R, "-o", "adir.csv"], "--output"),
    "repair -o folder missing": ([*R, "-o", "nodir/out.csv"], "--output"),
    "repair -o is a pipe": ([*R, "-o", "pipe.csv"], "--output"),
    "repair -o suffix": ([*R, "-o", "out.txt"], "--output"),
    "repair audit file is a folder": ([*R, "-o", "x.csv"], "audit"),
    # file contents
    "repair garbage bytes": (["repair", "garbage.csv", "--sensitive", "sex"], "input"),
    "repair empty file": (["repair", "empty.csv", "--sensitive", "sex"], "input"),
    "repair header only": (["repair", "header.csv", "--sensitive", "sex"], "input"),
    "repair duplicated header": (["repair", "dup.csv", "--sensitive", "sex"], "'a'"),
    "repair ragged row": (["repair", "ragged.csv", "--sensitive", "sex"], "line 11"),
    "repair empty feature cell": (["repair", "holes.csv", "--sensitive", "sex"], "'a'"),
    "repair stray text cell": (["repair", "stray.csv", "--sensitive", "sex"], "'b'"),
    "repair --features stray text": (
        ["repair", "stray.csv", "--sensitive", "sex", "--features", "a", "b"],
        "--features",
    ),
    "repair no numeric column": (["repair", "text.csv", "--sensitive", "sex"], "input"),
    # columns and values
    "repair --sensitive missing": (["repair", "data.csv", "--sensitive", "zz"], "'zz'"),
    "repair --keep missing": ([*R, "--keep", "zz"], "--keep"),
    "repair --features missing": ([*R, "--features", "zz"], "--features"),
    "repair --label missing": ([*R, "--label", "zz"], "--label"),
    "repair --label constant": ([*R, "--label", "const"], "--label"),
    "repair --label one-row class": ([*R, "--label", "rare"], "--label"),
    "repair one group": (["repair", "onegroup.csv", "--sensitive", "sex"], "sex"),
    "repair group of 3 rows": (
        ["repair", "tiny.csv", "--sensitive", "sex"],
        "--no-audit",
    ),
    "repair group of 1 row, --no-audit": (
        ["repair", "single.csv", "--sensitive", "sex", "--no-audit"],
        "--sensitive",
    ),
    "repair continuous --sensitive": ([*R[:2], "--sensitive", "a"], "'a'"),
    "repair --random-state -1": ([*R, "--random-state", "-1"], "--random-state"),
    "repair --random-state abc": ([*R, "--random-state", "abc"], "--random-state"),
    "repair --repair-level 2": ([*R, "--repair-level", "2"], "--repair-level"),
    "repair --method nope": ([*R, "--method", "nope"], "--method"),
}


@pytest.mark.parametrize("args, named", CASES.values(), ids=CASES.keys())
def test_bad_input_exits_2_names_it_and_touches_nothing(folder, capsys, args, named):
    check_bad_input(main, folder, capsys, args, named)
