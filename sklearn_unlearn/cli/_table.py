"""Tables of the command line: CSV read as text, written back cell for cell.

A CSV file is read with the ``csv`` module, every cell as the text it holds
(``03427`` stays ``03427``, ``NA`` stays ``NA``), so that the columns a command
does not compute on are written back exactly as they were read. Only the
feature columns are parsed as numbers (:mod:`sklearn_unlearn.cli._columns`).
A compressed CSV file (``.csv.gz``, ``.csv.bz2``, ``.csv.xz``, ``.csv.zip``) is
read the same way from its decompressed text
(:mod:`sklearn_unlearn.cli._compressed`); a CSV output is compressed as its own
name says. Parquet files keep their own column types.
"""

import csv
import io
from pathlib import Path

import numpy as np
import pandas as pd

from sklearn_unlearn.cli._compressed import (
    READ_ERRORS,
    open_read,
    open_write,
    read_error,
)
from sklearn_unlearn.cli._files import check_input
from sklearn_unlearn.cli._io import CLIError, check_format, compression, examples

__all__ = ["Table", "read_table", "write_table"]

#: Rows written per call of the CSV writer (a signal is handled between calls).
CHUNK = 20_000


class Table:
    """A table read from a file, and where each of its rows comes from.

    Parameters
    ----------
    frame : pandas.DataFrame
        The columns: text (object) columns for a CSV file, the file's own
        types for Parquet.
    path : pathlib.Path
        The file.
    fmt : {"csv", "parquet"}
        Its format.
    lines : ndarray of int, default=None
        For a CSV file, the line of the file each row ends on.
    newline : str, default="\\n"
        The line ending to write a CSV output with.
    """

    def __init__(self, frame, path, fmt, lines=None, newline="\n"):
        self.frame, self.path, self.fmt = frame, path, fmt
        self.lines, self.newline = lines, newline

    @property
    def text(self) -> bool:
        """True for a CSV file: every cell is the text of the file."""
        return self.fmt == "csv"

    def row(self, i: int) -> str:
        """Where the ``i``-th row (0-based) is, e.g. ``line 9 (data row 8)``."""
        if self.lines is None:
            return f"data row {i + 1}"
        return f"line {int(self.lines[i])} (data row {i + 1})"


def _check_header(names, path) -> None:
    seen = {}
    for position, name in enumerate(names, start=1):
        if name in seen:
            raise CLIError(
                f"input: {path}: the header has the column name {name!r} twice "
                f"(columns {seen[name]} and {position}); rename one"
            )
        seen[name] = position


class _Lines:
    """The lines of a text stream, noting a carriage return (CRLF line ends,
    or a quoted field holding one) on the way: one pass over the file."""

    def __init__(self, handle):
        self.handle, self.carriage_return = handle, False

    def __iter__(self):
        for line in self.handle:
            if not self.carriage_return and "\r" in line:
                self.carriage_return = True
            yield line


def _parse_csv(stream, path: Path) -> tuple:
    """Header, rows, their lines and the line ending of a (decompressed) stream."""
    rows, lines, reader = [], [], None
    handle = io.TextIOWrapper(stream, encoding="utf-8-sig", newline="")
    try:
        text = _Lines(handle)
        reader = csv.reader(text, strict=True)
        header = next(reader, None)
        if header is None:
            raise CLIError(f"input: {path} is empty; it needs a header line")
        _check_header(header, path)
        for row in reader:
            if not row:
                continue  # a blank line
            if len(row) != len(header):
                raise CLIError(
                    f"input: {path}, line {reader.line_num}: {len(row)} "
                    f"field(s) where the header has {len(header)}; every row "
                    "needs one field per column"
                )
            rows.append(row)
            lines.append(reader.line_num)
    except csv.Error as exc:
        raise CLIError(
            f"input: {path}, line {reader.line_num}: not valid CSV ({exc})"
        ) from exc
    except UnicodeDecodeError as exc:
        raise CLIError(
            f"input: {path} is not UTF-8 text ({exc.reason} at byte {exc.start}); "
            "save it as UTF-8 CSV"
        ) from exc
    finally:
        handle.detach()  # the stream stays open for its owner
    return header, rows, lines, "\r\n" if text.carriage_return else "\n"


def _read_csv(path: Path) -> Table:
    try:
        with open_read(path) as stream:
            try:
                header, rows, lines, newline = _parse_csv(stream, path)
            except CLIError:
                # a corrupt compressed file may decompress to garbage before its
                # checksum is read: its end says whether the text is the file's
                if compression(path) is not None:
                    while stream.read(1 << 20):
                        pass
                raise
    except READ_ERRORS as exc:
        raise read_error(path, exc) from exc
    columns = zip(*rows, strict=True) if rows else ((),) * len(header)
    frame = pd.DataFrame(
        {
            name: np.array(cells, dtype=object)
            for name, cells in zip(header, columns, strict=True)
        },
        columns=pd.Index(header, dtype=object),
    )
    return Table(frame, path, "csv", np.asarray(lines, dtype=np.int64), newline)


def read_table(path) -> Table:
    """Read a CSV (as text, compressed or not) or Parquet file, with one-line errors.

    Parameters
    ----------
    path : str or pathlib.Path
        The input file.

    Returns
    -------
    table : Table
        Its columns and where its rows come from.
    """
    path = Path(path)
    fmt = check_format(path, "input")
    check_input(path)
    if fmt == "csv":
        table = _read_csv(path)
    else:
        try:
            frame = pd.read_parquet(path)
        except (ValueError, OSError) as exc:
            first = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
            raise CLIError(
                f"input: {path}: cannot read it as parquet: {first}"
            ) from exc
        _check_header(list(frame.columns), path)
        table = Table(frame.reset_index(drop=True), path, "parquet")
    if table.frame.shape[0] == 0:
        raise CLIError(f"input: {path} has no data rows")
    return table


def _write_csv(table: Table, tmp: str, target: Path, replaced: dict, rows) -> None:
    names = list(table.frame.columns)
    cells = [
        np.asarray(replaced[name], dtype=object)
        if name in replaced
        else table.frame[name].to_numpy()
        for name in names
    ]
    if rows is not None:
        cells = [values[rows] for values in cells]
    with (
        open_write(tmp, Path(target)) as stream,
        io.TextIOWrapper(stream, encoding="utf-8", newline="") as handle,
    ):
        writer = csv.writer(handle, lineterminator=table.newline)
        writer.writerow(names)
        n = cells[0].shape[0] if cells else 0
        for start in range(0, n, CHUNK):
            chunk = [values[start : start + CHUNK] for values in cells]
            writer.writerows(zip(*chunk, strict=True))


def write_table(table: Table, tmp: str, target, replaced=None, rows=None) -> None:
    """Write ``table`` to ``tmp`` in its own format, some columns replaced.

    A CSV table (read from a compressed file or not) is written compressed as
    the name ``target`` says: ``.csv`` plain, ``.csv.gz`` gzip, and so on.

    Parameters
    ----------
    table : Table
        The table read; its other columns are written exactly as read.
    tmp : str
        The file to write.
    target : str or pathlib.Path
        Where the output goes once complete; its suffix says the compression.
    replaced : dict, default=None
        Column name to its new values: texts for a CSV file, values for
        Parquet.
    rows : ndarray of bool, default=None
        The rows to write (default: all).
    """
    replaced = replaced or {}
    if table.text:
        _write_csv(table, tmp, target, replaced, rows)
        return
    frame = table.frame.copy()
    for name, values in replaced.items():
        frame[name] = values
    if rows is not None:
        frame = frame.loc[rows]
    frame.to_parquet(tmp, index=False)


def check_columns(table: Table, columns, option: str) -> list:
    """The names in ``columns``, each checked to be a column of the table.

    Parameters
    ----------
    table : Table
        The table.
    columns : list of str
        Names given with ``option``.
    option : str
        The option, for the message.

    Returns
    -------
    columns : list of str
        The same names.
    """
    names = list(table.frame.columns)
    missing = [c for c in columns if c not in names]
    if missing:
        raise CLIError(
            f"{option}: column(s) {examples(missing, limit=5, width=40)} not in the "
            f"file (its columns: {examples(names, limit=12, width=40)})"
        )
    return list(columns)
