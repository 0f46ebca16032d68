"""Command line ``sklearn-unlearn`` (also ``python -m sklearn_unlearn``).

Subcommands: ``demo`` (the bundled Adult data end to end), ``repair`` (remove a
sensitive attribute from a file's features), ``select`` (choose the rows of a
forget domain to delete) and ``audit`` (how much a file's features reveal a
sensitive column), each a :class:`Command` of :data:`COMMANDS`. Exit codes: 0
success, 1 the computation failed, 2 bad usage or input (missing file or
column, unsupported format, bad value), 128 + N when stopped by signal N (143
for SIGTERM, 130 for SIGINT).
"""

import argparse
import os
import signal
import sys
from collections.abc import Callable
from typing import NamedTuple

from sklearn_unlearn import __version__
from sklearn_unlearn.cli._audit import add_audit_parser, run_audit
from sklearn_unlearn.cli._demo import add_demo_parser, run_demo_command
from sklearn_unlearn.cli._files import Terminated, on_signals
from sklearn_unlearn.cli._io import EXIT_FAILED, EXIT_OK, CLIError, Progress
from sklearn_unlearn.cli._options import Parser
from sklearn_unlearn.cli._repair import add_repair_parser, run_repair
from sklearn_unlearn.cli._select import add_select_parser, run_select

__all__ = ["COMMANDS", "Command", "build_parser", "main"]


class Command(NamedTuple):
    """A subcommand: how to parse it, how to run it, its progress steps."""

    add_parser: Callable  # adds the subcommand and its options to the subparsers
    run: Callable  # (args, progress) -> the text printed on success
    steps: int  # steps of its progress line


#: The subcommands, by name.
COMMANDS = {
    "demo": Command(add_demo_parser, run_demo_command, 2),
    "repair": Command(add_repair_parser, run_repair, 5),
    "select": Command(add_select_parser, run_select, 3),
    "audit": Command(add_audit_parser, run_audit, 4),
}

DESCRIPTION = """\
sklearn-unlearn: remove unwanted information from data, with an audit of what
still leaks.

examples:
  sklearn-unlearn demo                         # bundled UCI Adult, S = sex
  sklearn-unlearn audit people.csv --sensitive sex
  sklearn-unlearn repair people.csv --sensitive sex -o people.repaired.csv
  sklearn-unlearn audit people.csv.gz --sensitive age --sensitive-bins 4
  sklearn-unlearn select logs.parquet --domain-column source --forget-value partnerB

exit codes: 0 success; 1 the computation failed (the one-line message says
why; --debug or SKLEARN_UNLEARN_DEBUG=1 also prints the traceback); 2 bad usage
or input (file or column missing, unsupported format, bad value, too few rows in
a group, ...), reported before any work; 128 + N when stopped by signal N (143
SIGTERM, 130 SIGINT). Errors are one line on stderr, starting with "error:".

files: every output is checked before any work: not an input, not another
output (also through a symbolic or hard link), not a folder, in an existing
writable folder. Outputs are written to temporary files next to them, with the
permissions of the umask, and moved into place together once all are complete:
a failed or stopped run leaves no partial or temporary file.

tables: .csv, also compressed (.csv.gz, .csv.bz2, .csv.xz, .csv.zip: inferred
from the suffix), or .parquet. An output keeps the input's table format; a CSV
output is compressed as its own suffix says (by default as the input), with no
time stamp inside: the same run gives the same bytes.

sensitive column: one group per value (per combination for several columns); a
continuous one is cut into N quantile groups with --sensitive-bins N, labelled
by their intervals, as the unlearner's sensitive_bins=N cuts it.

CSV columns are read as text: the columns that are not features are written
back exactly as read (03427 stays 03427, NA stays NA). Without --features, a
column is a feature when more than half of its non-empty cells are numbers and
none is an integer with a leading zero (codes such as zip codes stay text). A
feature cell that is empty or not a number is an error naming the column, the
line and the cell; pass such a column with --keep to copy it unchanged.
"""


def build_parser() -> argparse.ArgumentParser:
    """The parser of ``sklearn-unlearn`` and of every subcommand."""
    parser = Parser(
        prog="sklearn-unlearn",
        description=DESCRIPTION,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument(
        "--version", action="version", version=f"sklearn-unlearn {__version__}"
    )
    sub = parser.add_subparsers(dest="command", required=True)
    for command in COMMANDS.values():
        command.add_parser(sub)
    return parser


def _traceback(exc: BaseException) -> None:
    import traceback

    traceback.print_exception(exc, file=sys.stderr)


def _unexpected(exc: Exception, debug: bool) -> int:
    if debug:
        _traceback(exc)
    first = str(exc).strip().splitlines()[0] if str(exc).strip() else ""
    hint = "" if debug else " (rerun with --debug for the traceback)"
    print(
        f"error: unexpected {type(exc).__name__}{': ' if first else ''}{first}{hint}",
        file=sys.stderr,
    )
    return EXIT_FAILED


def main(argv=None) -> int:
    """Entry point of the ``sklearn-unlearn`` console script; returns the status.

    Parameters
    ----------
    argv : list of str, default=None
        The arguments (default: the command line's).

    Returns
    -------
    status : int
        0 success, 1 the computation failed, 2 bad usage or input, 128 + N
        when stopped by signal N.
    """
    try:
        args = build_parser().parse_args(argv)
    except SystemExit as exc:  # --help (0) or a usage error (2)
        return int(exc.code or 0)
    debug = args.debug or os.environ.get("SKLEARN_UNLEARN_DEBUG", "") not in ("", "0")
    command = COMMANDS[args.command]
    progress = Progress(command.steps, enabled=False if args.quiet else None)
    with on_signals():
        try:
            text = command.run(args, progress)
        except CLIError as exc:
            progress.close()
            if debug and exc.__cause__ is not None:
                _traceback(exc.__cause__)
            print(f"error: {exc}", file=sys.stderr)
            return exc.code
        except (Terminated, KeyboardInterrupt) as exc:
            progress.close()
            signum = getattr(exc, "signum", signal.SIGINT)
            print(
                f"error: stopped by {signal.Signals(signum).name} (temporary files "
                "removed)",
                file=sys.stderr,
            )
            return 128 + int(signum)
        except Exception as exc:  # a bug or a failure the checks did not foresee
            progress.close()
            return _unexpected(exc, debug)
    progress.close()
    try:
        print(text, flush=True)
    except BrokenPipeError:  # e.g. piped into head: the outputs are written
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
    return EXIT_OK
