"""Compressed CSV: read as text like plain CSV, written as the output suffix says."""

import bz2
import gzip
import json
import lzma
import zipfile

import pytest

from sklearn_unlearn.cli import main
from sklearn_unlearn.cli._compressed import open_read
from tests.cli._inputs import cells, listing, snapshot, text_rows, write_csv

#: Each compression, and how to decompress its bytes.
UNPACK = {
    ".csv.gz": gzip.decompress,
    ".csv.bz2": bz2.decompress,
    ".csv.xz": lzma.decompress,
}
SUFFIXES = [*UNPACK, ".csv.zip"]


def _compress(data: bytes, suffix: str) -> bytes:
    if suffix == ".csv.gz":
        return gzip.compress(data)
    if suffix == ".csv.bz2":
        return bz2.compress(data)
    if suffix == ".csv.xz":
        return lzma.compress(data)
    raise AssertionError(suffix)


def _write(path, data: bytes, suffix: str) -> None:
    if suffix == ".csv.zip":
        with zipfile.ZipFile(path, "w") as archive:
            archive.writestr("in.csv", data)
    else:
        path.write_bytes(_compress(data, suffix))


def _content(path) -> bytes:
    """The decompressed bytes of a CSV file, compressed or not."""
    with open_read(path) as stream:
        return stream.read()


@pytest.fixture
def plain(tmp_path):
    """Text cells (codes, NA, quotes) with CRLF line ends, as a plain CSV."""
    header, rows = text_rows()
    write_csv(tmp_path / "in.csv", header, rows)
    data = (tmp_path / "in.csv").read_bytes().replace(b"\n", b"\r\n")
    (tmp_path / "in.csv").write_bytes(data)
    return tmp_path / "in.csv"


REPAIR = ["--sensitive", "sex", "--no-audit", "--quiet"]


@pytest.mark.parametrize("suffix", SUFFIXES)
def test_repair_round_trip_matches_the_plain_csv_byte_for_byte(plain, suffix):
    folder = plain.parent
    assert main(["repair", str(plain), "-o", str(folder / "ref.csv"), *REPAIR]) == 0
    expected = (folder / "ref.csv").read_bytes()
    source = folder / f"in{suffix}"
    _write(source, plain.read_bytes(), suffix)
    # the default output keeps the input's compression, the audit its stem
    assert main(["repair", str(source), *REPAIR]) == 0
    output = folder / f"in.repaired{suffix}"
    assert (folder / "in.repaired.audit.json").exists()
    assert _content(output) == expected  # CRLF, quotes and codes as read
    before, after = cells(plain), cells(folder / "ref.csv")
    for name in ("zip", "sex", "note", "who", "sexcopy"):
        assert after[name] == before[name], name
    if suffix == ".csv.zip":
        with zipfile.ZipFile(output) as archive:
            assert archive.namelist() == ["in.repaired.csv"]
    else:
        assert UNPACK[suffix](output.read_bytes()) == expected
    # the same input gives the same bytes: no time stamp inside
    first = output.read_bytes()
    output.unlink()
    assert main(["repair", str(source), *REPAIR]) == 0
    assert output.read_bytes() == first


@pytest.mark.parametrize("suffix", SUFFIXES)
def test_the_output_format_follows_the_outputs_own_suffix(plain, suffix):
    folder = plain.parent
    assert main(["repair", str(plain), "-o", str(folder / "ref.csv"), *REPAIR]) == 0
    expected = (folder / "ref.csv").read_bytes()
    # plain in, compressed out
    out = folder / f"out{suffix}"
    assert main(["repair", str(plain), "-o", str(out), *REPAIR]) == 0
    assert _content(out) == expected and out.read_bytes() != expected
    # compressed in, plain out
    assert main(["repair", str(out), "-o", str(folder / "back.csv"), *REPAIR]) == 0
    back, before = cells(folder / "back.csv"), cells(plain)
    assert back["note"] == before["note"] and back["zip"] == before["zip"]


@pytest.mark.parametrize("suffix", SUFFIXES)
def test_select_and_audit_read_compressed_files(plain, suffix):
    folder = plain.parent
    source = folder / f"in{suffix}"
    _write(source, plain.read_bytes(), suffix)
    select = ["--domain-column", "sex", "--forget-value", "M", "--quiet"]
    plain_run = ["-o", str(folder / "k.csv"), "--deleted", str(folder / "d.txt")]
    assert main(["select", str(plain), *plain_run, *select]) == 0
    assert main(["select", str(source), *select]) == 0
    kept = folder / f"in.kept{suffix}"
    assert _content(kept) == (folder / "k.csv").read_bytes()
    deleted = (folder / "in.deleted.txt").read_text()
    assert deleted and deleted == (folder / "d.txt").read_text()
    report = folder / "r.json"
    assert (
        main(["audit", str(source), "--sensitive", "sex", "--json", str(report)]) == 0
    )
    assert json.loads(report.read_text())["groups"] == {"F": 20, "M": 20}


def _truncated(data: bytes, suffix: str) -> bytes:
    return data[: len(data) // 2]


def _corrupt(data: bytes, suffix: str) -> bytes:
    middle = len(data) // 2
    return (
        data[:middle]
        + bytes(b ^ 0xFF for b in data[middle : middle + 8])
        + (data[middle + 8 :])
    )


@pytest.mark.parametrize("damage", [_truncated, _corrupt, lambda d, s: b"not " * 40])
@pytest.mark.parametrize("suffix", SUFFIXES)
def test_a_damaged_compressed_file_is_a_one_line_input_error(
    plain, suffix, damage, capsys
):
    folder = plain.parent
    # enough rows that the damage falls inside the compressed data
    header, rows = text_rows(n=2000)
    write_csv(plain, header, rows)
    source = folder / f"in{suffix}"
    _write(source, plain.read_bytes(), suffix)
    source.write_bytes(damage(source.read_bytes(), suffix))
    before = snapshot(folder)
    for command in (["audit", str(source)], ["repair", str(source)]):
        assert main([*command, "--sensitive", "sex", "--quiet"]) == 2
        out, err = capsys.readouterr()
        assert err.startswith(f"error: input: {source}") and err.count("\n") == 1, err
        # the damage is named, not the garbage it may decompress to
        assert "compressed CSV (" in err and "corrupt or truncated" in err, err
        assert "Traceback" not in err and out == ""
    assert snapshot(folder) == before


def test_a_zip_archive_must_hold_one_file(plain, capsys):
    folder = plain.parent
    with zipfile.ZipFile(folder / "two.csv.zip", "w") as archive:
        for name in ("a.csv", "b.csv", "c.csv", "d.csv"):
            archive.writestr(name, plain.read_bytes())
    assert main(["audit", str(folder / "two.csv.zip"), "--sensitive", "sex"]) == 2
    err = capsys.readouterr().err
    assert "ZIP archive of 4 files ('a.csv', 'b.csv', 'c.csv', ... and 1 more)" in err
    assert "exactly one CSV file" in err


@pytest.mark.parametrize(
    "source, output, named",
    [
        ("in.csv.gz", "out.parquet", "not a CSV file like the input"),
        ("in.parquet", "out.csv.gz", "not a Parquet file like the input"),
        ("in.parquet.gz", None, "unsupported format '.gz'"),
    ],
)
def test_an_output_keeps_the_inputs_table_format(
    plain, people, source, output, named, capsys
):
    folder = plain.parent
    _write(folder / "in.csv.gz", plain.read_bytes(), ".csv.gz")
    people.to_parquet(folder / "in.parquet", index=False)
    (folder / "in.parquet.gz").write_bytes(b"x")
    extra = ["-o", str(folder / output)] if output else []
    before = listing(folder)
    assert main(["repair", str(folder / source), *REPAIR, *extra]) == 2
    assert named in capsys.readouterr().err
    assert listing(folder) == before
