"""Paths and writes: modes, staged outputs, signals, failed writes, permissions.

Outputs honour the umask; a signal or a failure leaves no temporary or partial
file; an output that cannot be written is an input error before any work.
"""

import io
import os
import signal
import subprocess
import sys
import time

import numpy as np
import pytest

import sklearn_unlearn.cli._repair as cli_repair
import sklearn_unlearn.cli._table as cli_table
from sklearn_unlearn.cli import main
from sklearn_unlearn.cli._options import CRITERION_FLAG
from tests.cli._inputs import ENV, listing, snapshot, text_rows, write_csv


@pytest.mark.parametrize("umask, mode", [(0o022, 0o644), (0o027, 0o640)])
def test_outputs_honour_the_umask(tmp_path, umask, mode):
    header, rows = text_rows()
    src = tmp_path / "in.csv"
    write_csv(src, header, rows)
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


def test_no_output_is_written_when_a_later_one_fails(tmp_path, monkeypatch, capsys):
    header, rows = text_rows()
    write_csv(tmp_path / "in.csv", header, rows)
    (tmp_path / "out.csv").write_text("an earlier output\n")

    def full(payload):
        raise OSError("No space left on device")

    monkeypatch.setattr(cli_repair, "json_text", full)
    args = ["repair", str(tmp_path / "in.csv"), "--sensitive", "sex", "--no-audit"]
    assert main([*args, "-o", str(tmp_path / "out.csv"), "--quiet"]) == 1
    # the table was complete, but is not moved into place without its audit
    assert listing(tmp_path) == ["in.csv", "out.csv"]
    assert (tmp_path / "out.csv").read_text() == "an earlier output\n"
    *warnings, error = capsys.readouterr().err.splitlines()
    assert error.startswith("error: unexpected OSError: No space left on device")
    assert all(line.startswith("warning: ") for line in warnings)


def test_a_failed_write_leaves_no_partial_file(tmp_path, people, monkeypatch, capsys):
    path = tmp_path / "p.csv"
    people.to_csv(path, index=False)

    def broken(table, target, *rest):
        with open(target, "w") as handle:
            handle.write("half a row,")
        raise OSError("disk full")

    monkeypatch.setattr(cli_table, "_write_csv", broken)
    assert main(["repair", str(path), "--sensitive", "sex", "--no-audit"]) == 1
    err = capsys.readouterr().err
    assert err.startswith("error: unexpected OSError: disk full")
    assert err.count("\n") == 1 and "Traceback" not in err
    assert sorted(p.name for p in tmp_path.iterdir()) == ["p.csv"]


@pytest.mark.skipif(
    not hasattr(os, "geteuid") or os.geteuid() == 0,
    reason="permissions do not bind the superuser",
)
def test_output_in_a_read_only_folder_is_an_input_error(folder, capsys):
    (folder / "ro").mkdir()
    (folder / "ro").chmod(0o555)
    try:
        before = snapshot(folder)
        repair = ["repair", "data.csv", "--sensitive", "sex"]
        assert main([*repair, "-o", "ro/out.csv", "--quiet"]) == 2
        err = capsys.readouterr().err
        assert err.startswith("error: --output: cannot write in folder ro")
        assert snapshot(folder) == before
    finally:
        (folder / "ro").chmod(0o755)


# a child process whose outputs stay half-written until it is stopped
SLOW = """
import sys, time
from sklearn_unlearn.cli import _files
add = _files.Outputs.add
def slow(self, path, write):
    add(self, path, write)
    time.sleep(120)
_files.Outputs.add = slow
from sklearn_unlearn.cli import main
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
    header, rows = text_rows()
    write_csv(tmp_path / "in.csv", header, rows)
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
    assert listing(tmp_path) == ["in.csv"]


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
        + ["--domain-column", "src", "--forget-value", "B", CRITERION_FLAG, "random"]
        + ["-o", "kept.csv", "--deleted", "del.txt", "--quiet"],
        cwd=tmp_path,
        env=ENV,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    err = _stop_when_part_exists(process, tmp_path, signal.SIGTERM)
    assert process.returncode == 143, f"not stopped while writing: {err}"
    assert listing(tmp_path) == ["big.csv"]
