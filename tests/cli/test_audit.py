"""The ``audit`` subcommand: its report, and its bad inputs."""

import json

import pytest

from sklearn_unlearn.cli import main
from tests.cli._inputs import NUMERIC, check_bad_input


def test_audit_prints_and_writes_json(table, capsys):
    report = table.with_name("audit.json")
    code = main(
        [
            "audit",
            str(table),
            "--sensitive",
            "sex",
            "--keep",
            "person_id",
            "--json",
            str(report),
        ]
    )
    assert code == 0
    text = capsys.readouterr().out
    assert "gradient boosting" in text and "logistic regression" in text
    payload = json.loads(report.read_text())
    # the married flag and hours reveal sex on Adult
    assert 0.6 < payload["leakage_auc_gradient_boosting"] <= 1.0
    assert payload["features"] == [*NUMERIC, "married", "income"]


A = ["audit", "data.csv", "--sensitive", "sex"]

CASES = {
    "audit missing input": (["audit", "nofile.csv", "--sensitive", "sex"], "input"),
    "audit --json is a folder": ([*A, "--json", "x.audit.json"], "--json"),
    "audit --json suffix": ([*A, "--json", "report.txt"], "--json"),
    "audit --json folder missing": ([*A, "--json", "nodir/r.json"], "--json"),
    "audit group of 3 rows": (["audit", "tiny.csv", "--sensitive", "sex"], "sex"),
    "audit one group": (["audit", "onegroup.csv", "--sensitive", "sex"], "sex"),
    "audit continuous --sensitive": (["audit", "data.csv", "--sensitive", "a"], "'a'"),
    "audit stray text cell": (["audit", "stray.csv", "--sensitive", "sex"], "'b'"),
    "audit --features missing": ([*A, "--features", "zz"], "--features"),
    "audit --random-state -1": ([*A, "--random-state", "-1"], "--random-state"),
}


@pytest.mark.parametrize("args, named", CASES.values(), ids=CASES.keys())
def test_bad_input_exits_2_names_it_and_touches_nothing(folder, capsys, args, named):
    check_bad_input(main, folder, capsys, args, named)
