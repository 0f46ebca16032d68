"""Command line ``sklearn-unlearn`` (also ``python -m sklearn_unlearn``).

Subcommands: ``demo`` (the bundled Adult data end to end), ``repair`` (remove a
sensitive attribute from a file's features), ``select`` (choose the rows of a
forget domain to delete) and ``audit`` (how much a file's features reveal a
sensitive column). Exit codes: 0 success, 1 the computation failed, 2 bad usage
or input (missing file or column, unsupported format, bad value), 128 + N when
stopped by signal N (143 for SIGTERM, 130 for SIGINT).
"""

import argparse
import inspect
import os
import signal
import sys

from sklearn_unlearn._cli_args import (
    Parser,
    add_common,
    add_run_options,
    budget,
    count,
    fraction,
    kl,
)
from sklearn_unlearn._cli_files import Terminated, on_signals
from sklearn_unlearn._cli_io import (
    EXIT_FAILED,
    EXIT_OK,
    CLIError,
    Progress,
)
from sklearn_unlearn.feature import BarycenterFeatureUnlearner
from sklearn_unlearn.selection._scores import SCORES as KERNEL_SCORES

__all__ = ["main"]

METHODS = ["stochastic", "gaussian", "quantile", "empirical"]
#: One default for Python and the command line: the estimator's own.
DEFAULT_METHOD = (
    inspect.signature(BarycenterFeatureUnlearner).parameters["method"].default
)
#: The selector's scores, the default first.
SCORES = [
    "likelihood_ratio",
    *sorted({*KERNEL_SCORES, "classifier", "random"} - {"likelihood_ratio"}),
]

DESCRIPTION = """\
sklearn-unlearn: remove unwanted information from data, with an audit of what
still leaks.

examples:
  sklearn-unlearn demo                         # bundled UCI Adult, S = sex
  sklearn-unlearn audit people.csv --sensitive sex
  sklearn-unlearn repair people.csv --sensitive sex -o people.repaired.csv
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

CSV columns are read as text: the columns that are not features are written
back exactly as read (03427 stays 03427, NA stays NA). Without --features, a
column is a feature when more than half of its non-empty cells are numbers and
none is an integer with a leading zero (codes such as zip codes stay text). A
feature cell that is empty or not a number is an error naming the column, the
line and the cell; pass such a column with --keep to copy it unchanged.
"""


def _demo_parser(sub) -> None:
    demo = sub.add_parser(
        "demo",
        help="feature unlearning on the bundled Adult data: before/after table "
        "and trade-off plot",
        description=(
            "Fit BarycenterFeatureUnlearner on the Adult training part and print, "
            "on the test part, the leakage of S (ROC AUC of a gradient-boosting "
            "adversary; 0.5 = nothing leaks) and the utility for income (ROC AUC "
            "of a logistic regression), for each method and repair level; save "
            "the trade-off plot as PNG.\n\nexample:\n  sklearn-unlearn demo "
            "--sensitive race --methods gaussian stochastic --plot race.png"
        ),
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    demo.add_argument(
        "--methods",
        nargs="+",
        default=[DEFAULT_METHOD, "gaussian", "quantile"],
        choices=METHODS,
        help=f"methods to compare, each fitted with the income label as in a "
        f"Pipeline (default: {DEFAULT_METHOD} gaussian quantile; {DEFAULT_METHOD} "
        "is the default, the one that forgets on this mixed-type data)",
    )
    demo.add_argument(
        "--repair-levels",
        nargs="+",
        type=fraction,
        default=[0.5, 1.0],
        help="repair levels in [0, 1] (default: 0.5 1.0)",
    )
    demo.add_argument(
        "--sensitive",
        default="sex",
        choices=["sex", "race"],
        help="the sensitive column of Adult (default: sex); the adversary "
        "predicts Male, resp. White, against the rest",
    )
    demo.add_argument(
        "--n-train",
        type=count,
        default=10000,
        help="subsample the training part to this many rows; 0 = all 30,162 "
        "(default: 10000, so the demo runs in well under a minute)",
    )
    demo.add_argument(
        "--n-test",
        type=count,
        default=10000,
        help="subsample the test part to this many rows; 0 = all 15,060 "
        "(default: 10000)",
    )
    demo.add_argument(
        "--plot",
        default="sklearn_unlearn_demo.png",
        metavar="PNG",
        help="where to save the trade-off plot (default: %(default)s; needs "
        "matplotlib, the [plot] extra); '' skips it",
    )
    add_run_options(demo)


def _repair_parser(sub) -> None:
    repair = sub.add_parser(
        "repair",
        help="remove a sensitive attribute from the features of a CSV/Parquet file",
        description=(
            "Repair the numeric feature columns of a table so that they no longer "
            "reveal the sensitive column(s). Row order and every other column are "
            "kept; features are standardised for the repair and written back in "
            "their units. A JSON audit (leakage before/after, parameters) is "
            "written next to the output (OUTPUT.audit.json).\n\nEvery group of S "
            "needs at least 5 rows for the leakage audit (5-fold cross-"
            "validation; 2 rows with --no-audit), else the run stops before any "
            "work. A continuous S must be binned into a few groups first. A "
            "column that is not a feature but reproduces S one-to-one (e.g. a "
            "text copy of it) is reported on stderr and in the audit.\n\n"
            "example:\n  sklearn-unlearn repair "
            "people.csv --sensitive sex --keep person_id income -o people.fair.csv"
        ),
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    add_common(
        repair,
        features_help="numeric columns to repair (default: every numeric column "
        "but the sensitive ones)",
    )
    repair.add_argument(
        "--sensitive",
        nargs="+",
        required=True,
        metavar="COL",
        help="the sensitive column(s); several define intersectional groups",
    )
    repair.add_argument(
        "--method",
        choices=METHODS,
        default=DEFAULT_METHOD,
        help=f"barycenter method (default: {DEFAULT_METHOD}, the library's "
        "default, the one that forgets on tables; the closed forms gaussian and "
        "quantile leak on discrete columns)",
    )
    repair.add_argument(
        "--label",
        metavar="COL",
        help="a label column (kept unchanged): the repair keeps what predicts it, "
        "and the audit reports its utility U of a possible R (the independence "
        "reference), on a 60/40 split",
    )
    repair.add_argument(
        "--repair-level",
        type=fraction,
        default=1.0,
        help="0 = unchanged, 1 = full repair (default: 1.0)",
    )
    repair.add_argument(
        "-o",
        "--output",
        help="output file, .csv or .parquet (default: INPUT.repaired.<suffix>)",
    )
    repair.add_argument(
        "--no-audit",
        dest="audit",
        action="store_false",
        help="skip the leakage measurements (they cost two 5-fold adversaries)",
    )


def _select_parser(sub) -> None:
    select = sub.add_parser(
        "select",
        help="choose which rows of a forget domain to delete",
        description=(
            "Rank the rows of a forget domain and delete the top ones, so that a "
            "model refitted on the kept rows moves away from the domain "
            "(distributional unlearning). Writes the kept rows (all columns, in "
            "order) and the ids of the deleted rows, one per line.\n\nexample:\n  "
            "sklearn-unlearn select logs.csv --domain-column source "
            "--forget-value partnerB --budget 0.3 --id-column event_id"
        ),
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    add_common(
        select,
        features_help="numeric columns describing a row (default: every numeric "
        "column but the domain and id columns)",
    )
    select.add_argument(
        "--domain-column", required=True, metavar="COL", help="says the domain"
    )
    select.add_argument(
        "--forget-value",
        nargs="+",
        required=True,
        metavar="VALUE",
        help="values of the domain column that form the forget domain (compared "
        "as text)",
    )
    select.add_argument(
        "--score",
        choices=SCORES,
        default="likelihood_ratio",
        help="ranking of the forget rows (default: %(default)s)",
    )
    how_many = select.add_mutually_exclusive_group()
    how_many.add_argument(
        "--budget",
        type=budget,
        help="rows to delete: a fraction of the domain in [0, 1] or a count "
        "(default: 0.5)",
    )
    how_many.add_argument(
        "--target",
        nargs=2,
        type=kl,
        metavar=("ALPHA", "EPSILON"),
        help="instead of --budget (not with it): the fewest deletions with "
        "KL(forget||edited) >= ALPHA and KL(retained||edited) <= EPSILON; exit "
        "1 when no number of deletions meets it",
    )
    select.add_argument(
        "--id-column",
        metavar="COL",
        help="row ids to list, as written in the file (default: 0-based row numbers)",
    )
    select.add_argument(
        "-o", "--output", help="kept rows (default: INPUT.kept.<suffix>)"
    )
    select.add_argument(
        "--deleted",
        help="deleted ids, text, one per line (default: INPUT.deleted.txt next "
        "to the output)",
    )


def _audit_parser(sub) -> None:
    audit = sub.add_parser(
        "audit",
        help="how much the features of a file reveal a sensitive column",
        description=(
            "Out-of-fold ROC AUC of two adversaries (gradient boosting and "
            "logistic regression) predicting the sensitive column from the "
            "features: 0.5 = nothing leaks, 1.0 = fully recoverable.\n\n"
            "example:\n  sklearn-unlearn audit people.repaired.csv --sensitive sex "
            "--json audit.json"
        ),
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    add_common(
        audit,
        features_help="numeric columns the adversaries see (default: every "
        "numeric column but the sensitive ones)",
    )
    audit.add_argument(
        "--sensitive", nargs="+", required=True, metavar="COL", help="the column(s)"
    )
    audit.add_argument("--json", metavar="PATH", help="also write the report here")


def _parser() -> argparse.ArgumentParser:
    parser = Parser(
        prog="sklearn-unlearn",
        description=DESCRIPTION,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    sub = parser.add_subparsers(dest="command", required=True)
    for build in (_demo_parser, _repair_parser, _select_parser, _audit_parser):
        build(sub)
    return parser


COMMANDS = {
    "demo": ("sklearn_unlearn._cli_select", "run_demo_command", 2),
    "repair": ("sklearn_unlearn._cli_commands", "run_repair", 5),
    "select": ("sklearn_unlearn._cli_select", "run_select", 3),
    "audit": ("sklearn_unlearn._cli_commands", "run_audit", 4),
}


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
        args = _parser().parse_args(argv)
    except SystemExit as exc:  # --help (0) or a usage error (2)
        return int(exc.code or 0)
    debug = args.debug or os.environ.get("SKLEARN_UNLEARN_DEBUG", "") not in ("", "0")
    module, name, steps = COMMANDS[args.command]
    progress = Progress(steps, enabled=False if args.quiet else None)
    with on_signals():
        try:
            import importlib

            command = getattr(importlib.import_module(module), name)
            text = command(args, progress)
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


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
