"""The command line, on real CSV and Parquet files: outputs, exit codes, errors."""

import json
import subprocess
import sys

import numpy as np
import pandas as pd
import pytest

import sklearn_unlearn._cli_io as cli_io
import sklearn_unlearn._cli_table as cli_table
from sklearn_unlearn import BarycenterFeatureUnlearner
from sklearn_unlearn._cli import main
from sklearn_unlearn._cli_io import Progress
from sklearn_unlearn.datasets import load_adult

NUMERIC = ["age", "education_num", "capital_gain", "capital_loss", "hours_per_week"]


@pytest.fixture(scope="module")
def people():
    """800 Adult rows: numeric features, sex, a text column and an id."""
    X, y, _ = load_adult(return_X_y=True, dropna=True)
    rows = np.random.default_rng(0).choice(len(X), 800, replace=False)
    frame = X.iloc[np.sort(rows)][NUMERIC + ["sex", "occupation"]].copy()
    frame["married"] = (
        X.iloc[np.sort(rows)]["relationship"].isin(["Husband", "Wife"])
    ).astype(int)
    frame["income"] = y.iloc[np.sort(rows)].to_numpy()
    frame.insert(0, "person_id", np.arange(1000, 1800))
    for column in ("sex", "occupation"):
        frame[column] = frame[column].astype(str)
    return frame.reset_index(drop=True)


@pytest.fixture(params=[".csv", ".parquet"])
def table(request, tmp_path, people):
    path = tmp_path / f"people{request.param}"
    if request.param == ".csv":
        people.to_csv(path, index=False)
    else:
        people.to_parquet(path, index=False)
    return path


def read(path):
    return pd.read_csv(path) if path.suffix == ".csv" else pd.read_parquet(path)


def leftovers(folder):
    return sorted(p.name for p in folder.iterdir() if p.name.endswith(".part"))


# ----------------------------------------------------------------- repair


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


def test_repair_with_a_label_reports_utility_of_a_possible_reference(
    tmp_path, people, capsys
):
    path = tmp_path / "data.csv"
    people.to_csv(path, index=False)
    code = main(
        [
            "repair",
            str(path),
            "--sensitive",
            "sex",
            "--keep",
            "person_id",
            "--label",
            "income",
            "--quiet",
        ]
    )
    assert code == 0
    repaired = pd.read_csv(tmp_path / "data.repaired.csv")
    # the label is used, never repaired
    np.testing.assert_array_equal(repaired["income"], people["income"])
    audit = json.loads((tmp_path / "data.repaired.audit.json").read_text())
    assert audit["method"] == BarycenterFeatureUnlearner().method  # one default
    assert "income" not in audit["features"] and audit["label"] == "income"
    label = audit["label_utility"]
    assert label["metric"] == "ROC AUC"
    # 800 rows of Adult: measured utility 0.890 of a possible 0.912 (raw 0.915)
    assert label["utility"] > label["reference"] - 0.05
    assert label["raw_utility"] > 0.75
    assert "of a possible" in capsys.readouterr().out


def test_repair_label_errors_are_usage_errors(tmp_path, people, capsys):
    path = tmp_path / "data.csv"
    people.assign(
        income=people["income"].astype(float).where(people.index != 3)
    ).to_csv(path, index=False)
    for label, message in (("salary", "salary"), ("income", "missing value")):
        code = main(["repair", str(path), "--sensitive", "sex", "--label", label])
        assert code == 2
        assert message in capsys.readouterr().err
    assert sorted(p.name for p in tmp_path.iterdir()) == ["data.csv"]


# ----------------------------------------------------------------- select


def test_select_writes_kept_rows_and_deleted_ids(table, people, capsys):
    kept_path = table.with_name(f"kept{table.suffix}")
    deleted_path = table.with_name("gone.txt")
    code = main(
        [
            "select",
            str(table),
            "--domain-column",
            "occupation",
            "--forget-value",
            "Sales",
            "Tech-support",
            "--budget",
            "0.4",
            "--id-column",
            "person_id",
            "--features",
            *NUMERIC,
            "-o",
            str(kept_path),
            "--deleted",
            str(deleted_path),
        ]
    )
    assert code == 0
    domain = people["occupation"].isin(["Sales", "Tech-support"])
    deleted = [int(v) for v in deleted_path.read_text().split()]
    assert len(deleted) == round(0.4 * domain.sum())
    assert set(deleted) <= set(people.loc[domain, "person_id"])
    kept = read(kept_path)
    assert len(kept) == len(people) - len(deleted)
    np.testing.assert_array_equal(
        kept["person_id"], people.loc[~people["person_id"].isin(deleted), "person_id"]
    )
    assert "deleted" in capsys.readouterr().out


def test_select_target_and_count_budget(tmp_path, people):
    path = tmp_path / "p.csv"
    people.to_csv(path, index=False)
    args = ["select", str(path), "--domain-column", "sex", "--forget-value", "Female"]
    assert main([*args, "--budget", "25", "--features", *NUMERIC]) == 0
    assert len((tmp_path / "p.deleted.txt").read_text().split()) == 25
    # an impossible target: the computation fails (exit 1), nothing written
    (tmp_path / "p.kept.csv").unlink()
    assert main([*args, "--target", "50", "0.0", "--features", *NUMERIC]) == 1
    assert not (tmp_path / "p.kept.csv").exists()


# ------------------------------------------------------------------ audit


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


# ---------------------------------------------------------------- errors


@pytest.mark.parametrize(
    "args, message",
    [
        (["audit", "{missing}", "--sensitive", "sex"], "no such file"),
        (["audit", "{csv}", "--sensitive", "gender"], "'gender' not in the file"),
        (["audit", "{xlsx}", "--sensitive", "sex"], "unsupported format '.xlsx'"),
        (["repair", "{csv}", "--sensitive", "sex", "-o", "{out}.txt"], ".txt"),
        (["repair", "{csv}", "--sensitive", "sex", "-o", "{csv}"], "input file"),
        (
            ["repair", "{csv}", "--sensitive", "sex", "--features", "occupation"],
            "not numeric",
        ),
        (
            ["select", "{csv}", "--domain-column", "sex", "--forget-value", "Robot"],
            "no row has sex in ['Robot']",
        ),
        (["demo", "--n-train", "5"], "at least 200"),
        (["demo", "--plot", "{out}.jpg"], "must end with .png"),
    ],
)
def test_one_line_errors_and_exit_code_2(tmp_path, people, capsys, args, message):
    csv = tmp_path / "people.csv"
    people.to_csv(csv, index=False)
    (tmp_path / "sheet.xlsx").write_text("not a table")
    names = {
        "missing": tmp_path / "nope.csv",
        "csv": csv,
        "xlsx": tmp_path / "sheet.xlsx",
        "out": tmp_path / "result",
    }
    args = [a.format(**names) for a in args]
    before = sorted(p.name for p in tmp_path.iterdir())
    assert main(args) == 2
    err = capsys.readouterr().err
    assert message in err and err.startswith("error: ") and err.count("\n") == 1
    assert sorted(p.name for p in tmp_path.iterdir()) == before  # nothing written


@pytest.mark.parametrize(
    "args, message",
    [
        (["demo", "--repair-levels", "1.5"], "must be in [0, 1]"),
        (["demo", "--methods", "magic"], "invalid choice: 'magic'"),
        (["select", "x.csv", "--domain-column", "d"], "--forget-value"),
        (["repair", "x.csv", "--sensitive", "s", "--repair-level", "-1"], "[0, 1]"),
    ],
)
def test_bad_values_are_usage_errors(capsys, args, message):
    assert main(args) == 2
    assert message in capsys.readouterr().err


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


def test_a_failed_write_leaves_no_partial_file(tmp_path, people, monkeypatch, capsys):
    path = tmp_path / "p.csv"
    people.to_csv(path, index=False)

    def broken(table, target, replaced, rows):
        with open(target, "w") as handle:
            handle.write("half a row,")
        raise OSError("disk full")

    monkeypatch.setattr(cli_table, "_write_csv", broken)
    assert main(["repair", str(path), "--sensitive", "sex", "--no-audit"]) == 1
    err = capsys.readouterr().err
    assert err.startswith("error: unexpected OSError: disk full")
    assert err.count("\n") == 1 and "Traceback" not in err
    assert sorted(p.name for p in tmp_path.iterdir()) == ["p.csv"]


# ------------------------------------------------------------ demo, help


def test_demo_prints_table_and_saves_plot(tmp_path, capsys):
    png = tmp_path / "tradeoff.png"
    code = main(
        [
            "demo",
            "--methods",
            "gaussian",
            "stochastic",
            "--repair-levels",
            "1.0",
            "--n-train",
            "2000",
            "--n-test",
            "2000",
            "--plot",
            str(png),
        ]
    )
    out = capsys.readouterr().out
    assert code == 0
    rows = {
        (r[0], r[1]): r
        for r in (line.split() for line in out.splitlines())
        if len(r) == 4 and r[0] in ("none", "gaussian", "stochastic")
    }
    assert set(rows) == {("none", "0.00"), ("gaussian", "1.00"), ("stochastic", "1.00")}
    assert float(rows["stochastic", "1.00"][2]) < float(rows["none", "0.00"][2])
    assert "least leakage: stochastic" in out
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


@pytest.mark.parametrize("command", ["demo", "repair", "select", "audit"])
def test_every_subcommand_has_help_with_an_example(command):
    result = subprocess.run(
        [sys.executable, "-m", "sklearn_unlearn", command, "--help"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0
    assert "example:" in result.stdout and "sklearn-unlearn " + command in (
        result.stdout
    )


def test_top_level_help_lists_exit_codes(capsys):
    assert main(["--help"]) == 0
    out = capsys.readouterr().out
    assert "exit codes" in out and all(c in out for c in ("repair", "select", "audit"))


def test_progress_shows_on_a_terminal_only():
    class Terminal:
        def __init__(self, tty):
            self.tty, self.text = tty, ""

        def isatty(self):
            return self.tty

        def write(self, text):
            self.text += text

        def flush(self):
            pass

    for tty in (True, False):
        stream = Terminal(tty)
        progress = Progress(2, stream=stream)
        progress("reading")
        progress("fitting")
        progress.close()
        assert ("2/2 fitting" in stream.text) is tty
    assert cli_io.EXIT_USAGE == 2
