"""Inputs of the command-line tests: small files, and how to compare folders."""

import csv
import os
import stat
from pathlib import Path

import numpy as np
import pandas as pd

import sklearn_unlearn

#: The numeric columns of the Adult rows (:func:`tests.cli.conftest.people`).
NUMERIC = ["age", "education_num", "capital_gain", "capital_loss", "hours_per_week"]
#: The columns of the small bad-input files.
HEADER = "id,src,sex,zip,a,b,y,note,const,rare"
#: Environment of a child process: one thread, and the package under test.
ENV = dict(
    os.environ,
    OMP_NUM_THREADS="1",
    PYTHONPATH=os.pathsep.join(
        [str(Path(sklearn_unlearn.__file__).parents[1])]
        + [p for p in os.environ.get("PYTHONPATH", "").split(os.pathsep) if p]
    ),
)
#: NA-like, quoted and spaced cells of :func:`text_rows`.
NOTES = ["NA", "n/a", "", " spaced ", 'say "hi", ok', "x", "None", "1e3"]


def read(path):
    """A CSV or Parquet output as a frame."""
    return pd.read_csv(path) if path.suffix == ".csv" else pd.read_parquet(path)


def leftovers(folder):
    """Temporary files left in ``folder``."""
    return sorted(p.name for p in folder.iterdir() if p.name.endswith(".part"))


def listing(folder):
    """The names in ``folder``."""
    return sorted(p.name for p in folder.iterdir())


# ------------------------------------------------------- bad-input folders


def bad_input_rows(n=60, seed=0):
    """Rows of :data:`HEADER`: two sexes, codes, NA texts, a constant, a rarity."""
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


def write_rows(path, rows, header=HEADER):
    """Write rows of cells (no quoting) under ``header``."""
    path.write_text("\n".join([header, *(",".join(r) for r in rows)]) + "\n")


def with_column(rows, name, value, where):
    """``rows`` with column ``name`` set to ``value`` in the rows ``where``."""
    j = HEADER.split(",").index(name)
    return [
        r[:j] + [value] + r[j + 1 :] if i in where else r for i, r in enumerate(rows)
    ]


def bad_input_folder(tmp_path):
    """Fill ``tmp_path`` with inputs, and paths an output must not be written to."""
    rows = bad_input_rows()
    write_rows(tmp_path / "data.csv", rows)
    (tmp_path / "data.txt").write_bytes((tmp_path / "data.csv").read_bytes())
    write_rows(tmp_path / "onegroup.csv", with_column(rows, "sex", "F", range(60)))
    write_rows(tmp_path / "tiny.csv", with_column(rows, "sex", "X", {1, 2, 3}))
    write_rows(tmp_path / "single.csv", with_column(rows, "sex", "X", {1}))
    write_rows(tmp_path / "holes.csv", with_column(rows, "a", "", {5}))
    write_rows(tmp_path / "stray.csv", with_column(rows, "b", "n/a?", {7}))
    write_rows(tmp_path / "dup.csv", rows, header=HEADER.replace("b,y", "a,y"))
    write_rows(tmp_path / "ragged.csv", [*rows[:9], [*rows[9], "extra"], *rows[10:]])
    (tmp_path / "garbage.csv").write_bytes(b"\xff\xfe\x00garbage\x00\n")
    (tmp_path / "empty.csv").write_text("")
    (tmp_path / "header.csv").write_text(HEADER + "\n")
    write_rows(tmp_path / "text.csv", [r[1:3] for r in rows], header="src,sex")
    for name in ("adir.csv", "x.audit.json", "adir.png", "deldir.txt"):
        (tmp_path / name).mkdir()
    (tmp_path / "link.csv").symlink_to("data.csv")
    os.link(tmp_path / "data.csv", tmp_path / "hard.csv")
    os.mkfifo(tmp_path / "pipe.csv")
    (tmp_path / "kept.csv").write_text("an earlier output\n")
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


def check_bad_input(main, folder, capsys, args, named):
    """``args`` exit 2 with one ``error:`` line naming ``named``; nothing touched."""
    before = snapshot(folder)
    assert main([*args, "--quiet"]) == 2
    out, err = capsys.readouterr()
    assert err.startswith("error: ") and err.count("\n") == 1, err
    assert named in err
    assert "Traceback" not in err and out == ""
    assert snapshot(folder) == before


# ----------------------------------------------------------- text cells


def text_rows(n=40, seed=0):
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


def write_csv(path, header, rows):
    """Write a CSV file with the ``csv`` module (quoting as needed)."""
    with open(path, "w", newline="") as handle:
        csv.writer(handle, lineterminator="\n").writerows([header, *rows])


def cells(path):
    """The cells of a CSV file, by column, as text."""
    with open(path, newline="") as handle:
        header, *rows = list(csv.reader(handle))
    return {name: [r[j] for r in rows] for j, name in enumerate(header)}
