"""Tables: CSV cells read as text and written back cell for cell."""

import json

from sklearn_unlearn.cli import main
from tests.cli._inputs import cells, text_rows, write_csv


def test_repair_copies_pass_through_columns_byte_for_byte(tmp_path, capsys):
    header, rows = text_rows()
    write_csv(tmp_path / "in.csv", header, rows)
    out = tmp_path / "out.csv"
    code = main(["repair", str(tmp_path / "in.csv"), "--sensitive", "sex"] + [
        "--no-audit", "-o", str(out), "--quiet"
    ])  # fmt: skip
    assert code == 0
    before, after = cells(tmp_path / "in.csv"), cells(out)
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
    header, rows = text_rows(n=60)
    src = tmp_path / "in.csv"
    write_csv(src, header, rows)
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


def test_many_missing_columns_are_listed_with_a_count_of_the_rest(tmp_path, capsys):
    header, rows = text_rows()
    write_csv(tmp_path / "in.csv", header, rows)
    wanted = [f"column_{i}" for i in range(40)]
    args = ["audit", str(tmp_path / "in.csv"), "--sensitive", "sex", "--keep"]
    assert main([*args, *wanted, "--quiet"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and len(err) < 300
    assert "'column_0', 'column_1', 'column_2', 'column_3', 'column_4', ... " in err
    assert "and 35 more not in the file" in err
    assert "'column_39'" not in err
