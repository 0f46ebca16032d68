"""Errors, exit codes, formats and the terminal of the command line.

Nothing here computes or touches a file: the one-line error of the user
(:class:`CLIError`, with its exit status), the formats chosen by suffix, the
``warning:`` lines on stderr and a progress line that shows only on a terminal.
"""

import json
import sys
import time

import numpy as np

__all__ = [
    "CSV_SUFFIXES",
    "EXIT_FAILED",
    "EXIT_OK",
    "EXIT_USAGE",
    "CLIError",
    "Progress",
    "TABLE_SUFFIXES",
    "check_format",
    "compression",
    "examples",
    "shorten",
    "table_stem",
    "table_suffix",
    "json_text",
    "warn",
]

#: Exit codes: success, the computation failed, bad usage or input.
EXIT_OK, EXIT_FAILED, EXIT_USAGE = 0, 1, 2
FORMATS = {".csv": "csv", ".parquet": "parquet", ".pq": "parquet"}
#: Compressions of a CSV file, by the suffix after ``.csv`` (as pandas infers).
COMPRESSIONS = {".gz": "gzip", ".bz2": "bz2", ".xz": "xz", ".zip": "zip"}
#: The suffixes of a CSV file, compressed or not.
CSV_SUFFIXES = (".csv", *(f".csv{suffix}" for suffix in COMPRESSIONS))
#: The table suffixes, for the messages.
TABLE_SUFFIXES = ", ".join(CSV_SUFFIXES) + " or .parquet"


class CLIError(Exception):
    """A one-line error for the user; ``code`` is the exit status.

    Parameters
    ----------
    message : str
        What is wrong and how to fix it; it names the option or the column.
    code : int, default=2
        The exit status: 2 for bad usage or input, 1 for a failed computation.
    """

    def __init__(self, message: str, code: int = EXIT_USAGE):
        super().__init__(message)
        self.code = code


def table_suffix(path) -> str:
    """The suffix that says a table's format, compression included.

    Parameters
    ----------
    path : pathlib.Path
        The file.

    Returns
    -------
    suffix : str
        For example ``".csv.gz"`` or ``".parquet"``, as written; the last
        suffix when it names no table format.

    Examples
    --------
    >>> from pathlib import Path
    >>> table_suffix(Path("people.v2.csv.gz")), table_suffix(Path("a.parquet"))
    ('.csv.gz', '.parquet')
    """
    suffixes = path.suffixes
    if len(suffixes) >= 2 and suffixes[-1].lower() in COMPRESSIONS:
        if suffixes[-2].lower() == ".csv":
            return "".join(suffixes[-2:])
    return path.suffix


def table_stem(path) -> str:
    """The name of ``path`` without its :func:`table_suffix` (``people``)."""
    suffix = table_suffix(path)
    return path.name[: len(path.name) - len(suffix)] if suffix else path.name


def compression(path) -> str | None:
    """``"gzip"``, ``"bz2"``, ``"xz"`` or ``"zip"`` for a compressed CSV, else None."""
    suffix = table_suffix(path).lower()
    return COMPRESSIONS[suffix[4:]] if suffix.startswith(".csv.") else None


def check_format(path, option: str, allowed=None) -> str:
    """The format of ``path`` from its suffix; a usage error naming ``option``.

    Parameters
    ----------
    path : pathlib.Path
        The file.
    option : str
        The option (or ``"input"``) the path was given with, for the message.
    allowed : tuple of str, default=None
        Accepted suffixes; default: the table formats (:data:`TABLE_SUFFIXES`).

    Returns
    -------
    fmt : str
        ``"csv"`` (compressed or not) or ``"parquet"`` for a table, else the
        suffix without its dot.
    """
    suffix = path.suffix.lower()
    if allowed is not None:
        if suffix not in allowed:
            raise CLIError(f"{option}: {path} must end with {' or '.join(allowed)}")
        return suffix.lstrip(".")
    fmt = "csv" if compression(path) else FORMATS.get(suffix)
    if fmt is None:
        raise CLIError(
            f"{option}: unsupported format {path.suffix or '(no suffix)'!r} of "
            f"{path}; use {TABLE_SUFFIXES}"
        )
    return fmt


def shorten(text: str, width: int) -> str:
    """``text`` cut to ``width`` characters, ``...`` marking the cut."""
    return text if len(text) <= width else text[: width - 3] + "..."


def examples(values, limit: int = 3, width: int | None = 16, quote: bool = True):
    """At most ``limit`` values, each cut to ``width`` characters, and the rest
    counted: every message that lists values lists them with this.

    Parameters
    ----------
    values : iterable
        The values to show.
    limit : int, default=3
        How many to show; ``"... and N more"`` counts the others.
    width : int or None, default=16
        Longest shown text of one value (None: no cut).
    quote : bool, default=True
        Show each value quoted (its ``repr`` as text); False for items already
        formatted.

    Returns
    -------
    text : str
        For example ``'0.891', '0.196', ... and 480 more``.

    Examples
    --------
    >>> examples(range(500), limit=2)
    "'0', '1', ... and 498 more"
    >>> examples(["a-very-long-column-name"], width=10)
    "'a-very-...'"
    """
    values = list(values)
    shown = []
    for value in values[:limit]:
        text = str(value) if width is None else shorten(str(value), width)
        shown.append(repr(text) if quote else text)
    rest = len(values) - len(shown)
    return ", ".join(shown) + (f", ... and {rest} more" if rest > 0 else "")


def warn(message: str) -> None:
    """Print ``warning: message`` on stderr (the run goes on)."""
    print(f"warning: {message}", file=sys.stderr, flush=True)


def _plain(value):
    if isinstance(value, np.generic):
        return value.item()
    if isinstance(value, np.ndarray):
        return value.tolist()
    return str(value)


def json_text(payload: dict) -> str:
    """``payload`` as an indented JSON document (NumPy values made plain)."""
    return json.dumps(payload, indent=2, default=_plain) + "\n"


class Progress:
    """``[step/total] what`` on one terminal line; silent when not a terminal.

    Written here rather than with tqdm or rich: a command has 3 to 6 named
    steps and no per-row updates, which does not justify a new dependency.

    Parameters
    ----------
    total : int
        Number of steps.
    enabled : bool or None, default=None
        Show it; None: only when ``stream`` is a terminal.
    stream : file-like, default=None
        Where to write; default: stderr.
    """

    def __init__(self, total: int, *, enabled: bool | None = None, stream=None):
        self.stream = sys.stderr if stream is None else stream
        if enabled is None:
            enabled = hasattr(self.stream, "isatty") and self.stream.isatty()
        self.total, self.enabled, self.step = total, enabled, 0
        self.start = time.perf_counter()

    def __call__(self, what: str) -> None:
        """Start step ``what``."""
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
        """Erase the line."""
        if self.enabled:
            self.stream.write("\r" + " " * 72 + "\r")
            self.stream.flush()
