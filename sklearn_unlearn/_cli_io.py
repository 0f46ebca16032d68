"""Files and terminal of the command line: tables in, atomic writes, progress.

Nothing here computes: reading and writing tables (CSV or Parquet, chosen by
suffix), writing outputs atomically (a temporary file in the target folder,
renamed when complete, so a failed run never leaves a partial file), checking
column names, and a progress line that shows only on a terminal.
"""

import json
import os
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd

__all__ = [
    "EXIT_FAILED",
    "EXIT_OK",
    "EXIT_USAGE",
    "CLIError",
    "Progress",
    "atomic_write",
    "check_columns",
    "check_format",
    "feature_columns",
    "read_table",
    "write_json",
    "write_table",
    "write_text",
]

#: Exit codes: success, the computation failed, bad usage or input file.
EXIT_OK, EXIT_FAILED, EXIT_USAGE = 0, 1, 2
FORMATS = {".csv": "csv", ".parquet": "parquet", ".pq": "parquet"}


class CLIError(Exception):
    """A one-line error for the user; ``code`` is the exit status."""

    def __init__(self, message: str, code: int = EXIT_USAGE):
        super().__init__(message)
        self.code = code


def check_format(path: Path, option: str, allowed=None) -> str:
    """The format of ``path`` from its suffix; a usage error naming ``option``."""
    suffix = path.suffix.lower()
    if allowed is not None:
        if suffix not in allowed:
            raise CLIError(f"{option}: {path} must end with {' or '.join(allowed)}")
        return suffix.lstrip(".")
    fmt = FORMATS.get(suffix)
    if fmt is None:
        raise CLIError(
            f"{option}: unsupported format {path.suffix or '(no suffix)'!r} of "
            f"{path}; use .csv or .parquet"
        )
    return fmt


def _format(path: Path) -> str:
    return check_format(path, "file")


def read_table(path) -> pd.DataFrame:
    """Read a CSV or Parquet file, with one-line errors."""
    path = Path(path)
    fmt = _format(path)
    if not path.is_file():
        raise CLIError(f"{path}: no such file")
    try:
        if fmt == "csv":
            return pd.read_csv(path)
        return pd.read_parquet(path)
    except (ValueError, OSError, pd.errors.ParserError) as exc:
        first = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        raise CLIError(f"{path}: cannot read it as {fmt}: {first}") from exc


def atomic_write(path: Path, write) -> None:
    """Call ``write(tmp)`` on a temporary file next to ``path``, then rename it."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".part")
    os.close(fd)
    try:
        write(tmp)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def write_table(frame: pd.DataFrame, path) -> None:
    """Write a table atomically, in the format of the path's suffix."""
    path = Path(path)
    fmt = _format(path)
    if fmt == "csv":
        atomic_write(path, lambda tmp: frame.to_csv(tmp, index=False))
    else:
        atomic_write(path, lambda tmp: frame.to_parquet(tmp, index=False))


def write_text(text: str, path) -> None:
    """Write a text file atomically."""
    atomic_write(Path(path), lambda tmp: Path(tmp).write_text(text))


def _plain(value):
    if isinstance(value, np.generic):
        return value.item()
    if isinstance(value, np.ndarray):
        return value.tolist()
    return str(value)


def write_json(payload: dict, path) -> None:
    """Write a JSON document atomically."""
    write_text(json.dumps(payload, indent=2, default=_plain) + "\n", path)


def check_columns(frame: pd.DataFrame, columns, option: str) -> list:
    """The names in ``columns``, each checked to be a column of ``frame``."""
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        shown = ", ".join(map(str, list(frame.columns)[:12]))
        more = ", ..." if frame.shape[1] > 12 else ""
        raise CLIError(
            f"{option}: column(s) {', '.join(map(repr, missing))} not in the file "
            f"(its columns: {shown}{more})"
        )
    return list(columns)


def feature_columns(frame: pd.DataFrame, features, exclude) -> list:
    """Feature columns: those given (all numeric), or every numeric column."""
    if features:
        features = check_columns(frame, features, "--features")
        clash = sorted(set(features) & set(exclude))
        if clash:
            raise CLIError(f"--features: {clash} also given as sensitive/kept")
        text = [c for c in features if not pd.api.types.is_numeric_dtype(frame[c])]
        if text:
            raise CLIError(
                f"--features: column(s) {text} are not numeric; encode them as "
                "numbers (e.g. one-hot) or leave them out"
            )
        return features
    chosen = [
        c
        for c in frame.columns
        if c not in exclude and pd.api.types.is_numeric_dtype(frame[c])
    ]
    if not chosen:
        raise CLIError("the file has no numeric column to use as a feature")
    return chosen


class Progress:
    """``[step/total] what`` on one terminal line; silent when not a terminal."""

    def __init__(self, total: int, *, enabled: bool | None = None, stream=None):
        self.stream = sys.stderr if stream is None else stream
        if enabled is None:
            enabled = hasattr(self.stream, "isatty") and self.stream.isatty()
        self.total, self.enabled, self.step = total, enabled, 0
        self.start = time.perf_counter()

    def __call__(self, what: str) -> None:
        self.step += 1
        if self.enabled:
            width = 20
            done = int(width * (self.step - 1) / self.total)
            bar = "#" * done + "." * (width - done)
            elapsed = time.perf_counter() - self.start
            self.stream.write(
                f"\r[{bar}] {self.step}/{self.total} {what:<32} {elapsed:5.1f} s"
            )
            self.stream.flush()

    def close(self) -> None:
        if self.enabled:
            self.stream.write("\r" + " " * 72 + "\r")
            self.stream.flush()
