"""Command line ``sklearn-unlearn`` (also ``python -m sklearn_unlearn``).

Subcommands: ``demo`` (the bundled Adult data end to end), ``repair`` (remove a
sensitive attribute from a file's features), ``select`` (choose the rows of a
forget domain to delete) and ``audit`` (how much a file's features reveal a
sensitive column). Exit codes: 0 success, 1 the computation failed, 2 bad usage
or input (missing file or column, unsupported format, bad value).
"""

import argparse
import inspect
import sys

# argparse exits with 2 on a usage error, the same status as EXIT_USAGE
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

exit codes: 0 success; 1 the computation failed; 2 bad usage or input (file or
column missing, unsupported format, bad value). Errors are one line on stderr;
outputs are written to a temporary file and renamed when complete, so a failed
run leaves no partial file.
"""


def _fraction(text: str) -> float:
    value = float(text)
    if not 0.0 <= value <= 1.0:
        raise argparse.ArgumentTypeError(f"must be in [0, 1], got {text}")
    return value


def _budget(text: str) -> float:
    value = float(text)
    if value < 0 or (value > 1 and not value.is_integer()):
        raise argparse.ArgumentTypeError(
            f"a fraction in [0, 1] or a whole count, got {text}"
        )
    return value


def _add_common(sub, *, features_help: str) -> None:
    sub.add_argument("input", help="input table: a .csv or .parquet file")
    sub.add_argument(
        "--features",
        nargs="+",
        metavar="COL",
        help=features_help,
    )
    sub.add_argument(
        "--keep",
        nargs="+",
        default=[],
        metavar="COL",
        help="numeric columns that are not features (ids, labels): never used, "
        "copied unchanged",
    )
    sub.add_argument(
        "--random-state", type=int, default=0, help="seed (default: %(default)s)"
    )
    sub.add_argument(
        "--quiet", action="store_true", help="no progress line, even on a terminal"
    )


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
        type=_fraction,
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
        type=int,
        default=10000,
        help="subsample the training part to this many rows; 0 = all 30,162 "
        "(default: 10000, so the demo runs in well under a minute)",
    )
    demo.add_argument(
        "--n-test",
        type=int,
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
    demo.add_argument("--random-state", type=int, default=0, help="seed (default: 0)")


def _repair_parser(sub) -> None:
    repair = sub.add_parser(
        "repair",
        help="remove a sensitive attribute from the features of a CSV/Parquet file",
        description=(
            "Repair the numeric feature columns of a table so that they no longer "
            "reveal the sensitive column(s). Row order and every other column are "
            "kept; features are standardised for the repair and written back in "
            "their units. A JSON audit (leakage before/after, parameters) is "
            "written next to the output.\n\nexample:\n  sklearn-unlearn repair "
            "people.csv --sensitive sex --keep person_id income -o people.fair.csv"
        ),
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    _add_common(
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
        type=_fraction,
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
    _add_common(
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
    select.add_argument(
        "--budget",
        type=_budget,
        help="rows to delete: a fraction of the domain in [0, 1] or a count "
        "(default: 0.5)",
    )
    select.add_argument(
        "--target",
        nargs=2,
        type=float,
        metavar=("ALPHA", "EPSILON"),
        help="instead of --budget: the fewest deletions with KL(forget||edited) "
        ">= ALPHA and KL(retained||edited) <= EPSILON",
    )
    select.add_argument(
        "--id-column", metavar="COL", help="row ids to list (default: row numbers)"
    )
    select.add_argument(
        "-o", "--output", help="kept rows (default: INPUT.kept.<suffix>)"
    )
    select.add_argument(
        "--deleted", help="deleted ids, text (default: INPUT.deleted.txt)"
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
    _add_common(
        audit,
        features_help="numeric columns the adversaries see (default: every "
        "numeric column but the sensitive ones)",
    )
    audit.add_argument(
        "--sensitive", nargs="+", required=True, metavar="COL", help="the column(s)"
    )
    audit.add_argument("--json", metavar="PATH", help="also write the report here")


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="sklearn-unlearn",
        description=DESCRIPTION,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    sub = parser.add_subparsers(dest="command", required=True)
    for build in (_demo_parser, _repair_parser, _select_parser, _audit_parser):
        build(sub)
    return parser


COMMANDS = {
    "demo": ("sklearn_unlearn._cli_commands", "run_demo_command", 2),
    "repair": ("sklearn_unlearn._cli_commands", "run_repair", 5),
    "select": ("sklearn_unlearn._cli_commands", "run_select", 3),
    "audit": ("sklearn_unlearn._cli_commands", "run_audit", 4),
}


def main(argv=None) -> int:
    """Entry point of the ``sklearn-unlearn`` console script; returns the status."""
    try:
        args = _parser().parse_args(argv)
    except SystemExit as exc:  # argparse: --help (0) or a usage error (2)
        return int(exc.code or 0)
    module, name, steps = COMMANDS[args.command]
    import importlib

    command = getattr(importlib.import_module(module), name)
    progress = Progress(steps, enabled=False if getattr(args, "quiet", False) else None)
    try:
        text = command(args, progress)
    except CLIError as exc:
        progress.close()
        print(f"error: {exc}", file=sys.stderr)
        return exc.code
    except KeyboardInterrupt:
        progress.close()
        print("error: interrupted", file=sys.stderr)
        return EXIT_FAILED
    progress.close()
    print(text)
    return EXIT_OK


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
