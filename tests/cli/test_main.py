"""The entry point: its commands, help, exit codes and one-line errors."""

import subprocess
import sys

import pytest

import sklearn_unlearn
from sklearn_unlearn import BarycenterFeatureUnlearner
from sklearn_unlearn.cli import main
from sklearn_unlearn.cli._main import COMMANDS, build_parser
from tests.cli._inputs import ENV, listing, snapshot, text_rows, write_csv


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


# a successful run of every command, on small inputs
RUNS = {
    "demo": ["demo", "--methods", "gaussian", "--repair-levels", "1", "--plot", ""]
    + ["--n-train", "500", "--n-test", "500"],
    "repair": ["repair", "in.csv", "--sensitive", "sex", "--no-audit"],
    "select": ["select", "in.csv", "--domain-column", "sex", "--forget-value", "M"],
    "audit": ["audit", "in.csv", "--sensitive", "sex"],
}


def test_the_commands_are_the_subcommands():
    (subparsers,) = [a for a in build_parser()._actions if a.dest == "command"]
    assert list(subparsers.choices) == list(COMMANDS) == list(RUNS)


@pytest.mark.parametrize("name", COMMANDS)
def test_every_command_runs(name, tmp_path, monkeypatch, capsys):
    header, rows = text_rows()
    write_csv(tmp_path / "in.csv", header, rows)
    monkeypatch.chdir(tmp_path)
    assert main([*RUNS[name], "--quiet"]) == 0
    out, err = capsys.readouterr()
    assert out.strip() and "error" not in err


@pytest.mark.parametrize("command", ["demo", "repair", "select", "audit"])
def test_every_subcommand_has_help_with_an_example(command):
    result = subprocess.run(
        [sys.executable, "-m", "sklearn_unlearn", command, "--help"],
        capture_output=True,
        text=True,
        check=False,
        env=ENV,
    )
    assert result.returncode == 0
    assert "example:" in result.stdout and "sklearn-unlearn " + command in (
        result.stdout
    )


def test_version_prints_the_package_version(capsys):
    assert main(["--version"]) == 0
    out, err = capsys.readouterr()
    assert out == f"sklearn-unlearn {sklearn_unlearn.__version__}\n" and err == ""
    result = subprocess.run(
        [sys.executable, "-m", "sklearn_unlearn", "--version"],
        capture_output=True,
        text=True,
        check=False,
        env=ENV,
    )
    assert result.returncode == 0 and result.stdout == out


def test_top_level_help_lists_exit_codes(capsys):
    assert main(["--help"]) == 0
    out = capsys.readouterr().out
    assert "exit codes" in out and all(c in out for c in ("repair", "select", "audit"))


S = ["select", "data.csv", "--domain-column", "src", "--forget-value", "partnerB"]


@pytest.mark.parametrize(
    "args",
    [
        ["repair", "tiny.csv", "--sensitive", "sex"],
        ["audit", "data.csv", "--sensitive", "sex", "--random-state", "-1"],
        [*S, "--budget", "1000"],
        ["demo", "--n-train", "-5"],
    ],
    ids=["repair", "audit", "select", "demo"],
)
def test_console_script_prints_no_traceback(folder, args):
    before = snapshot(folder)
    result = subprocess.run(
        [sys.executable, "-m", "sklearn_unlearn", *args],
        capture_output=True,
        text=True,
        check=False,
        env=ENV,
    )
    assert result.returncode == 2
    assert result.stderr.startswith("error: ") and result.stderr.count("\n") == 1
    assert "Traceback" not in result.stderr
    assert snapshot(folder) == before


def _fail(exc):
    def raise_it(*args, **kwargs):
        raise exc

    return raise_it


FAILURES = {
    "repair": (
        ["repair", "in.csv", "--sensitive", "sex", "--no-audit"],
        (BarycenterFeatureUnlearner, "fit_transform", ValueError("diverged")),
        "error: repair failed: diverged",
    ),
    "audit": (
        ["audit", "in.csv", "--sensitive", "sex", "--json", "r.json"],
        ("sklearn_unlearn.cli._audit.leakage_test", RuntimeError("boom")),
        "error: unexpected RuntimeError: boom",
    ),
    "select": (
        ["select", "in.csv", "--domain-column", "sex", "--forget-value", "M"]
        + ["--target", "99", "0"],
        None,
        "error: selection failed: No budget meets",
    ),
    "demo": (
        ["demo", "--plot", "p.png"],
        ("sklearn_unlearn.cli._demo.run_demo", MemoryError("too big")),
        "error: unexpected MemoryError: too big",
    ),
}


@pytest.mark.parametrize("args, patch, message", FAILURES.values(), ids=FAILURES)
def test_a_failed_computation_exits_1_with_one_line(
    tmp_path, monkeypatch, capsys, args, patch, message
):
    header, rows = text_rows()
    write_csv(tmp_path / "in.csv", header, rows)
    monkeypatch.chdir(tmp_path)
    if patch is not None:
        *target, exc = patch
        monkeypatch.setattr(*target, _fail(exc))
    assert main([*args, "--quiet"]) == 1
    *warnings, error = capsys.readouterr().err.splitlines()
    assert error.startswith(message)
    assert all(line.startswith("warning: ") for line in warnings)
    assert listing(tmp_path) == ["in.csv"]
    # --debug adds the traceback
    assert main([*args, "--quiet", "--debug"]) == 1
    assert "Traceback" in capsys.readouterr().err
