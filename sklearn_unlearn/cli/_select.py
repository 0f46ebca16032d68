"""The ``select`` subcommand: choose which rows of a forget domain to delete."""

import argparse
from pathlib import Path

import numpy as np

from sklearn_unlearn import DistributionalSelector
from sklearn_unlearn.cli._columns import feature_columns, feature_matrix, note_codes
from sklearn_unlearn.cli._files import Outputs, check_paths, output_path
from sklearn_unlearn.cli._io import CLIError, Progress, examples, table_stem
from sklearn_unlearn.cli._options import (
    CRITERIA,
    CRITERION_FLAG,
    DEFAULT_CRITERION,
    SELECTOR_CRITERION,
    add_common,
    budget,
    kl,
)
from sklearn_unlearn.cli._table import check_columns, read_table, write_table

__all__ = ["add_select_parser", "run_select"]

#: Folds of the ``classifier`` ranking (the selector's default ``cv``).
CLASSIFIER_FOLDS = 5


def add_select_parser(sub) -> None:
    """Add the ``select`` subcommand and its options to ``sub``."""
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
        CRITERION_FLAG,
        dest="criterion",
        choices=CRITERIA,
        default=DEFAULT_CRITERION,
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
        "-o",
        "--output",
        help="kept rows, in the input's format; a CSV output is compressed as "
        "its suffix says (default: INPUT.kept.<suffix>)",
    )
    select.add_argument(
        "--deleted",
        help="deleted ids, text, one per line (default: INPUT.deleted.txt next "
        "to the output)",
    )


def _deleted_path(args, source: Path, output: Path) -> Path:
    path = (
        Path(args.deleted)
        if args.deleted
        else output.with_name(f"{table_stem(source)}.deleted.txt")
    )
    if path.suffix.lower() in (".parquet", ".pq"):
        raise CLIError(
            f"--deleted: {path} would be a text file (one id per line), not "
            "Parquet; use a .txt name"
        )
    return path


def _check_domain(args, mask: np.ndarray, domain: str, table) -> int | float:
    """Input errors on the forget domain and the budget; the budget to use."""
    if not mask.any():
        seen = examples(table.frame[domain].astype(str).unique(), limit=10)
        raise CLIError(
            f"--forget-value: no row has {domain} in "
            f"[{examples(args.forget_value, limit=10, width=40)}] (values seen: "
            f"{seen})"
        )
    if mask.all():
        raise CLIError(
            "--forget-value: every row is in the forget domain; nothing would be "
            "retained to compare with"
        )
    n_forget = int(mask.sum())
    if args.criterion == "classifier":
        smallest = min(n_forget, mask.size - n_forget)
        if smallest < CLASSIFIER_FOLDS:
            raise CLIError(
                f"{CRITERION_FLAG} classifier: its {CLASSIFIER_FOLDS}-fold "
                f"cross-validation needs at least {CLASSIFIER_FOLDS} rows in each "
                f"domain, one has {smallest}; use another {CRITERION_FLAG}"
            )
    budget = args.budget
    if budget is not None and budget >= 1 and float(budget).is_integer():
        budget = int(budget)
        if budget > n_forget:
            raise CLIError(
                f"--budget: {budget} rows to delete, but the forget domain has "
                f"only {n_forget}; give at most {n_forget}, or a fraction in [0, 1]"
            )
    return budget


def run_select(args, progress: Progress) -> str:
    """Choose the rows of a forget domain to delete; write kept rows and ids."""
    source = Path(args.input)
    output = output_path(args.output, source, "kept")
    deleted_path = _deleted_path(args, source, output)
    check_paths(source, [("--output", output), ("--deleted", deleted_path)])
    progress("reading")
    table = read_table(source)
    (domain,) = check_columns(table, [args.domain_column], "--domain-column")
    if args.id_column:
        check_columns(table, [args.id_column], "--id-column")
    keep = check_columns(table, args.keep, "--keep")
    exclude = [domain, *keep] + ([args.id_column] if args.id_column else [])
    features, codes = feature_columns(table, args.features, exclude)
    X = feature_matrix(table, features, "--features" if args.features else None)
    mask = table.frame[domain].astype(str).isin(args.forget_value).to_numpy()
    budget = _check_domain(args, mask, domain, table)
    note_codes(codes)
    selector = DistributionalSelector(
        **{SELECTOR_CRITERION: args.criterion},
        budget=budget,
        target=tuple(args.target) if args.target else None,
        random_state=args.random_state,
    )
    progress(f"ranking ({args.criterion})")
    try:
        selector.fit(X, forget_mask=mask)
    except ValueError as exc:
        raise CLIError(f"selection failed: {exc}", code=1) from exc
    deleted = selector.deletion_mask_
    if args.id_column:
        ids = table.frame[args.id_column].astype(str).to_numpy()
    else:
        ids = np.arange(len(mask)).astype(str)
    progress("writing")
    with Outputs() as outputs:
        outputs.add(output, lambda tmp: write_table(table, tmp, output, rows=~deleted))
        outputs.add(
            deleted_path,
            lambda tmp: Path(tmp).write_text("".join(f"{i}\n" for i in ids[deleted])),
        )
        outputs.commit()
    return "\n".join(
        [
            f"forget domain: {int(mask.sum())} of {len(mask)} rows ({domain} in "
            f"{args.forget_value}); deleted {selector.n_deleted_} "
            f"({selector.n_deleted_ / mask.sum():.0%} of the domain), "
            f"{SELECTOR_CRITERION} {args.criterion}",
            f"  KL(forget || edited) = {selector.achieved_alpha_:.4f}, "
            f"KL(retained || edited) = {selector.achieved_epsilon_:.4f} "
            f"(Gaussian plug-in; KL(forget || retained) = {selector.kappa_:.4f})",
            f"kept rows -> {output}",
            f"deleted row ids -> {deleted_path}",
        ]
    )
