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
    "EXIT_FAILED",
    "EXIT_OK",
    "EXIT_USAGE",
    "CLIError",
    "Progress",
    "check_format",
    "examples",
    "json_text",
    "warn",
]

#: Exit codes: success, the computation failed, bad usage or input.
EXIT_OK, EXIT_FAILED, EXIT_USAGE = 0, 1, 2
FORMATS = {".csv": "csv", ".parquet": "parquet", ".pq": "parquet"}


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


def check_format(path, option: str, allowed=None) -> str:
    """The format of ``path`` from its suffix; a usage error naming ``option``.

    Parameters
    ----------
    path : pathlib.Path
        The file.
    option : str
        The option (or ``"input"``) the path was given with, for the message.
    allowed : tuple of str, default=None
        Accepted suffixes; default: the table formats (.csv, .parquet, .pq).

    Returns
    -------
    fmt : str
        ``"csv"`` or ``"parquet"`` for a table, else the suffix without its dot.
    """
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


def examples(values, limit: int = 3, width: int = 16) -> str:
    """At most ``limit`` values, each quoted and cut to ``width`` characters.

    Parameters
    ----------
    values : iterable
        The values to show.
    limit : int, default=3
        How many to show; ``", ..."`` marks the rest.
    width : int, default=16
        Longest shown text of one value.

    Returns
    -------
    text : str
        For example ``'0.891', '0.196', ...``.
    """
    values = list(values)
    shown = []
    for value in values[:limit]:
        text = str(value)
        shown.append(repr(text if len(text) <= width else text[: width - 3] + "..."))
    return ", ".join(shown) + (", ..." if len(values) > limit else "")


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
