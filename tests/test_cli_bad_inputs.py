"""Bad inputs of every subcommand: exit 2, one ``error:`` line, nothing touched.

Each case runs in a folder of small inputs (and of would-be outputs: folders,
links, a pipe, an existing output); the folder must be exactly as before: no
file created, removed or modified (bytes, mode, mtime), not even a temporary
one (the folder's own mtime is compared too).
"""

import os
import stat
import subprocess
import sys

import numpy as np
import pytest

from sklearn_unlearn._cli import main

HEADER = "id,src,sex,zip,a,b,y,note,const,rare"


def _rows(n=60, seed=0):
    rng = np.random.default_rng(seed)
    rows = []
    for i in range(n):
        s = i % 2
        rows.append(
            [
                str(i),
                "partnerB" if (s and i % 3) else "own",
                "M" if s else "F",
                f"0{3400 + i}",
                f"{rng.normal() + s:.6f}",
                f"{rng.normal() - s:.6f}",
                str(i % 3 % 2),
                "NA" if i % 3 == 0 else "x",
                "1",
                "a" if i == 0 else "b",
            ]
        )
    return rows


def _write(path, rows, header=HEADER):
    path.write_text("\n".join([header, *(",".join(r) for r in rows)]) + "\n")


def _column(rows, name, value, where):
    j = HEADER.split(",").index(name)
    return [
        r[:j] + [value] + r[j + 1 :] if i in where else r for i, r in enumerate(rows)
    ]


@pytest.fixture
def folder(tmp_path, monkeypatch):
    """A folder of inputs, and of paths an output must not be written to."""
    rows = _rows()
    _write(tmp_path / "data.csv", rows)
    (tmp_path / "data.txt").write_bytes((tmp_path / "data.csv").read_bytes())
    _write(tmp_path / "onegroup.csv", _column(rows, "sex", "F", range(60)))
    _write(tmp_path / "tiny.csv", _column(rows, "sex", "X", {1, 2, 3}))
    _write(tmp_path / "single.csv", _column(rows, "sex", "X", {1}))
    _write(tmp_path / "holes.csv", _column(rows, "a", "", {5}))
    _write(tmp_path / "stray.csv", _column(rows, "b", "n/a?", {7}))
    _write(tmp_path / "dup.csv", rows, header=HEADER.replace("b,y", "a,y"))
    _write(tmp_path / "ragged.csv", [*rows[:9], [*rows[9], "extra"], *rows[10:]])
    (tmp_path / "garbage.csv").write_bytes(b"\xff\xfe\x00garbage\x00\n")
    (tmp_path / "empty.csv").write_text("")
    (tmp_path / "header.csv").write_text(HEADER + "\n")
    _write(tmp_path / "text.csv", [r[1:3] for r in rows], header="src,sex")
    for name in ("adir.csv", "x.audit.json", "adir.png", "deldir.txt"):
        (tmp_path / name).mkdir()
    (tmp_path / "link.csv").symlink_to("data.csv")
    os.link(tmp_path / "data.csv", tmp_path / "hard.csv")
    os.mkfifo(tmp_path / "pipe.csv")
    (tmp_path / "kept.csv").write_text("an earlier output\n")
    monkeypatch.chdir(tmp_path)
    return tmp_path


def snapshot(folder):
    """Every entry of the folder: kind, mode, mtime and content."""
    state = {".": os.lstat(folder).st_mtime_ns}
    for path in sorted(folder.rglob("*")):
        info = os.lstat(path)
        content = None
        if stat.S_ISREG(info.st_mode):
            content = path.read_bytes()
        elif stat.S_ISLNK(info.st_mode):
            content = os.readlink(path)
        key = str(path.relative_to(folder))
        state[key] = (info.st_mode, info.st_mtime_ns, info.st_ino, content)
    return state


R = ["repair", "data.csv", "--sensitive", "sex"]
A = ["audit", "data.csv", "--sensitive", "sex"]
S = ["select", "data.csv", "--domain-column", "src", "--forget-value", "partnerB"]
K = [*S, "-o", "k.csv"]

CASES = {
    # repair: paths
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
    # repair: file contents
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
    # repair: columns and values
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
    # audit
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
    # select
    "select --deleted is the input": ([*K, "--deleted", "data.csv"], "--deleted"),
    "select --deleted is -o": ([*S, "-o", "k.csv", "--deleted", "k.csv"], "--deleted"),
    "select --deleted hard link": ([*K, "--deleted", "hard.csv"], "--deleted"),
    "select --deleted is a folder": ([*K, "--deleted", "deldir.txt"], "--deleted"),
    "select --deleted parquet": ([*K, "--deleted", "d.parquet"], "--deleted"),
    "select -o is the input": ([*S, "-o", "data.csv"], "--output"),
    "select -o symlink to input": ([*S, "-o", "link.csv"], "--output"),
    "select -o folder missing": ([*S, "-o", "nodir/k.csv"], "--output"),
    "select --budget and --target": (
        [*S, "--budget", "0.1", "--target", "0.3", "0.1"],
        "--budget",
    ),
    "select --budget above the domain": ([*S, "--budget", "1000"], "--budget"),
    "select --budget 2.5": ([*S, "--budget", "2.5"], "--budget"),
    "select --target -1": ([*S, "--target", "-1", "0.1"], "--target"),
    "select --domain-column missing": (
        ["select", "data.csv", "--domain-column", "zz", "--forget-value", "x"],
        "--domain-column",
    ),
    "select --forget-value absent": (
        ["select", "data.csv", "--domain-column", "src", "--forget-value", "nope"],
        "--forget-value",
    ),
    "select every row forgotten": (
        ["select", "onegroup.csv", "--domain-column", "sex", "--forget-value", "F"],
        "--forget-value",
    ),
    "select --score classifier, tiny domain": (
        ["select", "tiny.csv", "--domain-column", "sex", "--forget-value", "X"]
        + ["--score", "classifier"],
        "--score",
    ),
    "select --id-column missing": ([*S, "--id-column", "zz"], "--id-column"),
    "select empty feature cell": (
        ["select", "holes.csv", "--domain-column", "src", "--forget-value", "own"],
        "'a'",
    ),
    "select --random-state abc": ([*S, "--random-state", "abc"], "--random-state"),
    # demo
    "demo --n-train 5": (["demo", "--n-train", "5"], "--n-train"),
    "demo --n-train -5": (["demo", "--n-train", "-5"], "--n-train"),
    "demo --plot suffix": (["demo", "--plot", "x.jpg"], "--plot"),
    "demo --plot is a folder": (["demo", "--plot", "adir.png"], "--plot"),
    "demo --plot folder missing": (["demo", "--plot", "nodir/p.png"], "--plot"),
    "demo --repair-levels 3": (["demo", "--repair-levels", "3"], "--repair-levels"),
    "demo --methods magic": (["demo", "--methods", "magic"], "--methods"),
    "demo --random-state -1": (["demo", "--random-state", "-1"], "--random-state"),
}


@pytest.mark.parametrize("args, named", CASES.values(), ids=CASES.keys())
def test_bad_input_exits_2_names_it_and_touches_nothing(folder, capsys, args, named):
    before = snapshot(folder)
    assert main([*args, "--quiet"]) == 2
    out, err = capsys.readouterr()
    assert err.startswith("error: ") and err.count("\n") == 1, err
    assert named in err
    assert "Traceback" not in err and out == ""
    assert snapshot(folder) == before


def test_continuous_sensitive_message_is_short_and_suggests_real_fixes(folder, capsys):
    assert main(["repair", "data.csv", "--sensitive", "a", "--quiet"]) == 2
    err = capsys.readouterr().err
    # a count and a few examples, not every value; only options that exist
    assert "60 distinct values" in err and len(err) < 500
    assert "bin it" in err.lower() and "sensitive_bins" not in err
    options = {word.strip(".,;:()'") for word in err.split() if word.startswith("--")}
    assert options == {"--sensitive"}


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
        env=dict(os.environ, OMP_NUM_THREADS="1"),
    )
    assert result.returncode == 2
    assert result.stderr.startswith("error: ") and result.stderr.count("\n") == 1
    assert "Traceback" not in result.stderr
    assert snapshot(folder) == before


@pytest.mark.skipif(
    not hasattr(os, "geteuid") or os.geteuid() == 0,
    reason="permissions do not bind the superuser",
)
def test_output_in_a_read_only_folder_is_an_input_error(folder, capsys):
    (folder / "ro").mkdir()
    (folder / "ro").chmod(0o555)
    try:
        before = snapshot(folder)
        assert main([*R, "-o", "ro/out.csv", "--quiet"]) == 2
        err = capsys.readouterr().err
        assert err.startswith("error: --output: cannot write in folder ro")
        assert snapshot(folder) == before
    finally:
        (folder / "ro").chmod(0o755)
