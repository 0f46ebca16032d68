"""The command line: ``sklearn-unlearn demo`` and its errors."""

import subprocess
import sys

import pytest

from sklearn_unlearn._cli import main


def test_demo_prints_table(capsys):
    code = main(
        [
            "demo",
            "--methods",
            "gaussian",
            "quantile",
            "--repair-levels",
            "1.0",
            "--n-train",
            "2000",
            "--n-test",
            "2000",
        ]
    )
    out = capsys.readouterr().out
    assert code == 0
    lines = [line.split() for line in out.splitlines()]
    rows = {
        (r[0], r[1]): r
        for r in lines
        if len(r) == 4 and r[0] in ("none", "gaussian", "quantile")
    }
    assert set(rows) == {("none", "0.00"), ("gaussian", "1.00"), ("quantile", "1.00")}
    for row in rows.values():
        assert 0.0 <= float(row[2]) <= 1.0 and 0.5 < float(row[3]) <= 1.0


def test_bad_repair_level_exit_code(capsys):
    assert main(["demo", "--repair-levels", "1.5"]) == 2
    assert "--repair-levels must be in [0, 1]" in capsys.readouterr().err


@pytest.mark.parametrize(
    "args, shown",
    [(["--n-train", "5"], "--n-train 5"), (["--n-test", "-1"], "--n-test -1")],
)
def test_too_few_rows_exit_code(capsys, args, shown):
    assert main(["demo", *args]) == 2
    err = capsys.readouterr().err
    assert shown in err and "at least 200" in err


def test_unknown_method_is_rejected_by_argparse(capsys):
    with pytest.raises(SystemExit) as exc:
        main(["demo", "--methods", "magic"])
    assert exc.value.code == 2
    assert "invalid choice: 'magic'" in capsys.readouterr().err


def test_module_entry_point_help():
    result = subprocess.run(
        [sys.executable, "-m", "sklearn_unlearn", "demo", "--help"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0
    assert "--repair-levels" in result.stdout and "leakage" in result.stdout
