"""Files of the command line: cells copied as read, modes, signals, failures.

Pass-through columns are copied byte for byte; outputs honour the umask; a
signal or a failure leaves no temporary or partial file; every subcommand exits
1 with one line when its computation fails.
"""

import csv
import io
import json
import os
import signal
import subprocess
import sys
import time

import numpy as np
import pytest

import sklearn_unlearn._cli_commands as cli_commands
from sklearn_unlearn import BarycenterFeatureUnlearner
from sklearn_unlearn._cli import main

ENV = dict(os.environ, OMP_NUM_THREADS="1")
NOTES = ["NA", "n/a", "", " spaced ", 'say "hi", ok', "x", "None", "1e3"]


def _people(n=40, seed=0):
    """Rows with codes, NA-like texts, quoting and a text copy of sex."""
    rng = np.random.default_rng(seed)
    header = ["zip", "sex", "age", "a", "b", "note", "who", "sexcopy"]
    rows = []
    for i in range(n):
        s = i % 2
        rows.append(
            [
                f"0{3427 + i}",
                "M" if s else "F",
                str(30 + i % 7 + 3 * s),
                f"{rng.normal() + s:.3f}",
                f"{rng.normal() - s:.6f}",
                NOTES[i % len(NOTES)],
                f"p-{i:03d}",
                "man" if s else "woman",
            ]
        )
    return header, rows


def _write(path, header, rows):
    with open(path, "w", newline="") as handle:
        csv.writer(handle, lineterminator="\n").writerows([header, *rows])


def _cells(path):
    with open(path, newline="") as handle:
        header, *rows = list(csv.reader(handle))
    return {name: [r[j] for r in rows] for j, name in enumerate(header)}


def _listing(folder):
    return sorted(p.name for p in folder.iterdir())


def test_repair_copies_pass_through_columns_byte_for_byte(tmp_path, capsys):
    header, rows = _people()
    _write(tmp_path / "in.csv", header, rows)
    out = tmp_path / "out.csv"
    code = main(["repair", str(tmp_path / "in.csv"), "--sensitive", "sex"] + [
        "--no-audit", "-o", str(out), "--quiet"
    ])  # fmt: skip
    assert code == 0
    before, after = _cells(tmp_path / "in.csv"), _cells(out)
    assert list(after) == header  # the header as written
    for name in ("zip", "sex", "note", "who", "sexcopy"):
        assert after[name] == before[name], name  # 03427 stays 03427, NA stays NA
    assert after["a"] != before["a"]  # the features are repaired
    assert all(v.lstrip("-").isdigit() for v in after["age"])  # integers stay so
    # the quoted cell is written back as it was read
    text = out.read_text()
    assert '"say ""hi"", ok"' in text and ",NA," in text
    audit = json.loads(out.with_suffix(".audit.json").read_text())
    assert audit["features"] == ["age", "a", "b"]
    assert audit["code_columns"] == ["zip"]
    # the text copy of S is reported, not passed silently
    assert audit["copies_of_sensitive"][0]["column"] == "sexcopy"
    err = capsys.readouterr().err
    assert "warning: column 'sexcopy' reproduces sex" in err
    assert "'zip'" in err


def test_select_kept_rows_are_the_input_lines(tmp_path):
    header, rows = _people(n=60)
    src = tmp_path / "in.csv"
    _write(src, header, rows)
    kept = tmp_path / "kept.csv"
    code = main(
        ["select", str(src), "--domain-column", "sex", "--forget-value", "M"]
        + ["--id-column", "who", "-o", str(kept), "--deleted", str(tmp_path / "d")]
        + ["--quiet"]
    )
    assert code == 0
    lines = src.read_text().splitlines(keepends=True)
    deleted = set((tmp_path / "d").read_text().split())
    expected = [lines[0]] + [
        line for line, row in zip(lines[1:], rows, strict=True) if row[6] not in deleted
    ]
    assert kept.read_text().splitlines(keepends=True) == expected
    assert deleted and deleted <= {r[6] for r in rows if r[1] == "M"}


def test_zip_codes_given_as_features_are_numbers(tmp_path):
    header, rows = _people()
    _write(tmp_path / "in.csv", header, rows)
    code = main(
        ["repair", str(tmp_path / "in.csv"), "--sensitive", "sex", "--features"]
        + ["zip", "a", "--no-audit", "-o", str(tmp_path / "o.csv"), "--quiet"]
    )
    assert code == 0
    audit = json.loads((tmp_path / "o.audit.json").read_text())
    assert audit["features"] == ["zip", "a"] and audit["code_columns"] == []


@pytest.mark.parametrize("umask, mode", [(0o022, 0o644), (0o027, 0o640)])
def test_outputs_honour_the_umask(tmp_path, umask, mode):
    header, rows = _people()
    src = tmp_path / "in.csv"
    _write(src, header, rows)
    previous = os.umask(umask)
    try:
        repair = ["repair", str(src), "--sensitive", "sex", "--no-audit", "--quiet"]
        assert main([*repair, "-o", str(tmp_path / "r.csv")]) == 0
        select = ["select", str(src), "--domain-column", "sex", "--forget-value"]
        assert main([*select, "M", "-o", str(tmp_path / "k.csv"), "--quiet"]) == 0
    finally:
        os.umask(previous)
    for name in ("r.csv", "r.audit.json", "k.csv", "in.deleted.txt"):
        assert (tmp_path / name).stat().st_mode & 0o777 == mode, name


def test_group_of_three_rows_repairs_without_the_audit(tmp_path):
    header, rows = _people()
    for i in (1, 3, 5):
        rows[i][1] = "X"
    _write(tmp_path / "in.csv", header, rows)
    args = ["repair", str(tmp_path / "in.csv"), "--sensitive", "sex", "--quiet"]
    assert main(args) == 2  # the audit would be skipped: an input error
    assert _listing(tmp_path) == ["in.csv"]
    assert main([*args, "--no-audit"]) == 0  # explicitly without it: runs
    audit = json.loads((tmp_path / "in.repaired.audit.json").read_text())
    assert audit["audited"] is False and audit["groups"]["X"] == 3
    assert audit["leakage_auc_before"] is None


def test_no_output_is_written_when_a_later_one_fails(tmp_path, monkeypatch, capsys):
    header, rows = _people()
    _write(tmp_path / "in.csv", header, rows)
    (tmp_path / "out.csv").write_text("an earlier output\n")

    def full(payload):
        raise OSError("No space left on device")

    monkeypatch.setattr(cli_commands, "json_text", full)
    args = ["repair", str(tmp_path / "in.csv"), "--sensitive", "sex", "--no-audit"]
    assert main([*args, "-o", str(tmp_path / "out.csv"), "--quiet"]) == 1
    # the table was complete, but is not moved into place without its audit
    assert _listing(tmp_path) == ["in.csv", "out.csv"]
    assert (tmp_path / "out.csv").read_text() == "an earlier output\n"
    *warnings, error = capsys.readouterr().err.splitlines()
    assert error.startswith("error: unexpected OSError: No space left on device")
    assert all(line.startswith("warning: ") for line in warnings)


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
        ("sklearn_unlearn.metrics.leakage_auc", RuntimeError("boom")),
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
        ("sklearn_unlearn._demo.run_demo", MemoryError("too big")),
        "error: unexpected MemoryError: too big",
    ),
}


@pytest.mark.parametrize("args, patch, message", FAILURES.values(), ids=FAILURES)
def test_a_failed_computation_exits_1_with_one_line(
    tmp_path, monkeypatch, capsys, args, patch, message
):
    header, rows = _people()
    _write(tmp_path / "in.csv", header, rows)
    monkeypatch.chdir(tmp_path)
    if patch is not None:
        *target, exc = patch
        monkeypatch.setattr(*target, _fail(exc))
    assert main([*args, "--quiet"]) == 1
    *warnings, error = capsys.readouterr().err.splitlines()
    assert error.startswith(message)
    assert all(line.startswith("warning: ") for line in warnings)
    assert _listing(tmp_path) == ["in.csv"]
    # --debug adds the traceback
    assert main([*args, "--quiet", "--debug"]) == 1
    assert "Traceback" in capsys.readouterr().err


# a child process whose outputs stay half-written until it is stopped
SLOW = """
import sys, time
from sklearn_unlearn import _cli_files
add = _cli_files.Outputs.add
def slow(self, path, write):
    add(self, path, write)
    time.sleep(120)
_cli_files.Outputs.add = slow
from sklearn_unlearn._cli import main
sys.exit(main(sys.argv[1:]))
"""


def _stop_when_part_exists(process, folder, signum, timeout=120):
    start = time.monotonic()
    while process.poll() is None and time.monotonic() - start < timeout:
        if any(p.name.endswith(".part") for p in folder.iterdir()):
            process.send_signal(signum)
            break
        time.sleep(0.002)
    _, err = process.communicate(timeout=timeout)
    return err


@pytest.mark.parametrize(
    "args, signum",
    [
        (["repair", "in.csv", "--sensitive", "sex", "--no-audit"], signal.SIGTERM),
        (["select", "in.csv", "--domain-column", "sex", "--forget-value", "M"], 2),
        (["audit", "in.csv", "--sensitive", "sex", "--json", "r.json"], 15),
    ],
    ids=["repair-SIGTERM", "select-SIGINT", "audit-SIGTERM"],
)
def test_a_signal_removes_temporary_files(tmp_path, args, signum):
    header, rows = _people()
    _write(tmp_path / "in.csv", header, rows)
    process = subprocess.Popen(
        [sys.executable, "-c", SLOW, *args, "--quiet"],
        cwd=tmp_path,
        env=ENV,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    err = _stop_when_part_exists(process, tmp_path, signum)
    assert process.returncode == 128 + signum, err
    *warnings, error = err.splitlines()
    assert error.startswith("error: stopped by SIG")
    assert all(line.startswith("warning: ") for line in warnings)
    assert _listing(tmp_path) == ["in.csv"]


def test_sigterm_on_a_large_input_leaves_nothing(tmp_path):
    rng = np.random.default_rng(0)
    n = 200_000
    s = rng.integers(0, 2, n)
    a, b = rng.normal(size=n) + s, rng.normal(size=n) - s
    lines = (f"{i},{'BM'[k]},{x:.6f},{y:.6f}\n" for i, k, x, y in zip(
        range(n), s, a, b, strict=True
    ))  # fmt: skip
    buffer = io.StringIO()
    buffer.write("id,src,a,b\n")
    buffer.writelines(lines)
    (tmp_path / "big.csv").write_text(buffer.getvalue())
    process = subprocess.Popen(
        [sys.executable, "-m", "sklearn_unlearn", "select", "big.csv"]
        + ["--domain-column", "src", "--forget-value", "B", "--score", "random"]
        + ["-o", "kept.csv", "--deleted", "del.txt", "--quiet"],
        cwd=tmp_path,
        env=ENV,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    err = _stop_when_part_exists(process, tmp_path, signal.SIGTERM)
    assert process.returncode == 143, f"not stopped while writing: {err}"
    assert _listing(tmp_path) == ["big.csv"]
