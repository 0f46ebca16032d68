"""Errors, exit codes and the terminal of the command line."""

from pathlib import Path

import pytest

import sklearn_unlearn.cli._io as cli_io
from sklearn_unlearn.cli._io import Progress


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


def test_examples_cut_long_lists_and_count_the_rest():
    assert cli_io.examples(range(500), limit=3) == "'0', '1', '2', ... and 497 more"
    assert cli_io.examples(["a", "b"], limit=2) == "'a', 'b'"  # nothing cut
    assert cli_io.examples(["x" * 50], width=10) == "'xxxxxxx...'"
    assert cli_io.examples(["done (2 rows)"] * 4, limit=1, quote=False) == (
        "done (2 rows), ... and 3 more"
    )


@pytest.mark.parametrize(
    "name, suffix, stem, fmt, compression",
    [
        ("people.csv", ".csv", "people", "csv", None),
        ("people.v2.CSV.GZ", ".CSV.GZ", "people.v2", "csv", "gzip"),
        ("people.csv.bz2", ".csv.bz2", "people", "csv", "bz2"),
        ("people.csv.xz", ".csv.xz", "people", "csv", "xz"),
        ("people.csv.zip", ".csv.zip", "people", "csv", "zip"),
        ("people.pq", ".pq", "people", "parquet", None),
    ],
)
def test_the_table_suffix_says_format_and_compression(
    name, suffix, stem, fmt, compression
):
    path = Path("data") / name
    assert cli_io.table_suffix(path) == suffix
    assert cli_io.table_stem(path) == stem
    assert cli_io.check_format(path, "input") == fmt
    assert cli_io.compression(path) == compression


@pytest.mark.parametrize("name", ["people.gz", "people.parquet.gz", "people.tsv.xz"])
def test_a_compressed_non_csv_is_an_unsupported_format(name):
    with pytest.raises(cli_io.CLIError, match=r"unsupported format.*\.csv\.gz"):
        cli_io.check_format(Path(name), "input")
