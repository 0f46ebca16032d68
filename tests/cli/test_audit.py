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
    # the interval holds the AUC's neighbourhood and excludes 0.5; p is tiny
    for adversary in ("gradient_boosting", "logistic_regression"):
        low, high = payload[f"leakage_ci_{adversary}"]
        assert 0.5 < low < payload[f"leakage_auc_{adversary}"] + 0.02 < high + 0.04
        assert payload[f"leakage_pvalue_{adversary}"] < 1e-6
    assert payload["confidence"] == 0.95
    # continuous features: no certificate
    assert payload["certificate"] is None
    assert "p = " in text and "certificate" not in text


def test_audit_certifies_features_with_few_distinct_rows(tmp_path, people, capsys):
    # married and a coarse age band: 2 x 4 distinct rows for 800 people
    frame = people[["sex", "married"]].assign(band=people["age"] // 20)
    path = tmp_path / "coarse.csv"
    frame.to_csv(path, index=False)
    report = tmp_path / "coarse.json"
    assert main(["audit", str(path), "--sensitive", "sex", "--json", str(report)]) == 0
    certificate = json.loads(report.read_text())["certificate"]
    assert certificate["n_distinct_rows"] <= 8
    # married reveals sex on Adult: the bound is informative, above the AUCs
    payload = json.loads(report.read_text())
    assert 0.5 < payload["leakage_auc_gradient_boosting"] <= certificate["auc_bound"]
    assert certificate["auc_bound"] < 1.0
    assert "ANY adversary's AUC <=" in capsys.readouterr().out


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
