"""Paths and writes of the command line: checked first, written all or nothing.

Before any work, every input is checked to be a readable file and every output
to be a writable file name that is neither an input nor another output (same
path, a symbolic link or a hard link to it). Outputs are then written to
temporary ``.part`` files next to their targets, with the permissions of the
umask, and moved into place together once all of them are complete; a failure,
SIGTERM or SIGINT removes the temporary files, so a failed run changes nothing.
"""

import contextlib
import os
import signal
import tempfile
from pathlib import Path

from sklearn_unlearn.cli._io import (
    CSV_SUFFIXES,
    TABLE_SUFFIXES,
    CLIError,
    check_format,
    table_stem,
    table_suffix,
)

__all__ = [
    "Outputs",
    "Terminated",
    "check_input",
    "check_outputs",
    "check_paths",
    "on_signals",
    "output_path",
    "sibling",
]

#: Signals that stop a run cleanly (temporary files removed, 128 + signum).
SIGNALS = (signal.SIGTERM, signal.SIGINT)


class Terminated(BaseException):
    """Raised by the handler of SIGTERM or SIGINT, so that cleanups run.

    Parameters
    ----------
    signum : int
        The signal received.
    """

    def __init__(self, signum: int):
        super().__init__(signum)
        self.signum = signum


def _raise_terminated(signum, frame):
    raise Terminated(signum)


@contextlib.contextmanager
def on_signals():
    """Within the block, SIGTERM and SIGINT raise :class:`Terminated`."""
    previous = {}
    try:
        for signum in SIGNALS:
            previous[signum] = signal.signal(signum, _raise_terminated)
    except ValueError:  # not the main thread: keep the default handlers
        pass
    try:
        yield
    finally:
        for signum, handler in previous.items():
            signal.signal(signum, handler)


def check_input(path: Path, option: str = "input") -> None:
    """A usage error unless ``path`` is an existing, readable regular file."""
    if not path.exists():
        raise CLIError(f"{option}: {path}: no such file")
    if path.is_dir():
        raise CLIError(
            f"{option}: {path} is a folder; give a table file ({TABLE_SUFFIXES})"
        )
    if not path.is_file():
        raise CLIError(f"{option}: {path} is not a regular file")
    if not os.access(path, os.R_OK):
        raise CLIError(f"{option}: cannot read {path} (permission denied)")


def _check_target(label: str, path: Path) -> None:
    if path.is_dir():
        raise CLIError(f"{label}: {path} is an existing folder; give a file name")
    if path.exists() and not path.is_file():
        raise CLIError(
            f"{label}: {path} exists and is not a regular file (a device, pipe "
            "or socket); give a file name"
        )
    folder = path.parent
    if not folder.exists():
        raise CLIError(f"{label}: folder {folder} does not exist; create it first")
    if not folder.is_dir():
        raise CLIError(f"{label}: {folder} is not a folder")
    if not os.access(folder, os.W_OK | os.X_OK):
        raise CLIError(f"{label}: cannot write in folder {folder} (permission denied)")


def _same_file(a: Path, b: Path) -> bool:
    if os.path.realpath(a) == os.path.realpath(b):
        return True  # the same name, or a symbolic link to it
    try:
        return os.path.samefile(a, b)  # hard links: one inode
    except OSError:  # one of them does not exist yet
        return False


def check_outputs(outputs, inputs) -> None:
    """Usage errors, before any work, for outputs that cannot be written safely.

    Parameters
    ----------
    outputs : list of (str, pathlib.Path)
        Each output with the option (or description) it comes from.
    inputs : list of (str, pathlib.Path)
        Each input file with its description (e.g. ``"input"``).
    """
    for k, (label, path) in enumerate(outputs):
        _check_target(label, path)
        for name, source in inputs:
            if _same_file(path, source):
                link = "" if str(path) == str(source) else f" ({source}, by a link)"
                raise CLIError(
                    f"{label}: {path} is the {name} file{link}; writing it would "
                    "destroy the input: choose another name"
                )
        for other, earlier in outputs[:k]:
            if _same_file(path, earlier):
                raise CLIError(
                    f"{label}: {path} is also the {other} file; give each output "
                    "its own name"
                )


def check_paths(source: Path, outputs: list) -> None:
    """The input exists; the outputs are writable and alias nothing."""
    check_input(source)
    check_outputs(outputs, [("input", source)])


def output_path(given, source: Path, tag: str) -> Path:
    """``--output`` (default ``INPUT.<tag>.<suffix>``), its format checked.

    An output has the table format of the input (CSV or Parquet); a CSV
    output is compressed as its own suffix says (``.csv``, ``.csv.gz``, ...),
    by default as the input is.

    Parameters
    ----------
    given : str or None
        The ``--output`` option.
    source : pathlib.Path
        The input file.
    tag : str
        The default output's tag.

    Returns
    -------
    path : pathlib.Path
        The output file.
    """
    fmt = check_format(source, "input")
    path = (
        Path(given)
        if given
        else source.with_name(f"{table_stem(source)}.{tag}{table_suffix(source)}")
    )
    if check_format(path, "--output") != fmt:
        kind, want = (
            ("CSV", ", ".join(CSV_SUFFIXES))
            if fmt == "csv"
            else (
                "Parquet",
                ".parquet",
            )
        )
        raise CLIError(
            f"--output: {path} is not a {kind} file like the input; an output "
            f"keeps the input's table format (a CSV output may change its "
            f"compression): end it with {want}"
        )
    return path


def sibling(path: Path, suffix: str) -> Path:
    """The file next to the table ``path`` with ``suffix`` for its table suffix.

    Examples
    --------
    >>> str(sibling(Path("out/people.repaired.csv.gz"), ".audit.json"))
    'out/people.repaired.audit.json'
    """
    return path.with_name(table_stem(path) + suffix)


def _umask() -> int:
    mask = os.umask(0o077)
    os.umask(mask)
    return mask


@contextlib.contextmanager
def _signals_held():
    """Hold SIGTERM and SIGINT until the block ends (the final renames)."""
    if not hasattr(signal, "pthread_sigmask"):  # pragma: no cover - Windows
        yield
        return
    held = signal.pthread_sigmask(signal.SIG_BLOCK, SIGNALS)
    try:
        yield
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, held)


class Outputs:
    """Outputs staged as temporary files and moved into place together.

    Use as a context manager: :meth:`add` writes each output to a ``.part``
    file next to its target, :meth:`commit` renames them all; leaving the block
    without a commit (an error, a signal) removes every temporary file.
    """

    def __init__(self):
        self._staged = []

    def __enter__(self):
        return self

    def add(self, path: Path, write) -> None:
        """Call ``write(tmp)`` on a new temporary file next to ``path``.

        Parameters
        ----------
        path : pathlib.Path
            Where the output goes once every output is complete.
        write : callable
            Writes the output to the path (a str) it is given.
        """
        path = Path(path)
        # a signal between creating the file and recording it would leave it
        # behind: both happen with the signals held
        with _signals_held():
            fd, tmp = tempfile.mkstemp(
                dir=path.parent, prefix=f".{path.name}.", suffix=".part"
            )
            self._staged.append((Path(tmp), path))
        try:
            # mkstemp creates the file 0600; an output has the umask's mode
            os.fchmod(fd, 0o666 & ~_umask())
        finally:
            os.close(fd)
        write(tmp)

    def commit(self) -> None:
        """Move every staged output into place."""
        with _signals_held():
            while self._staged:
                tmp, path = self._staged[0]
                os.replace(tmp, path)
                self._staged.pop(0)

    def __exit__(self, kind, error, trace):
        for tmp, _ in self._staged:
            tmp.unlink(missing_ok=True)
        self._staged = []
        return False
