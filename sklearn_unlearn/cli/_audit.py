"""The ``audit`` subcommand: how much the features of a file reveal S.

Two adversaries, gradient boosting and a logistic regression, predict the
sensitive column from the features; their out-of-fold ROC AUC is the leakage.
"""

import argparse
from pathlib import Path

from sklearn.linear_model import LogisticRegression

from sklearn_unlearn import __version__
from sklearn_unlearn.cli._columns import (
    feature_columns,
    feature_matrix,
    note_codes,
    standardised,
)
from sklearn_unlearn.cli._files import Outputs, check_paths
from sklearn_unlearn.cli._io import Progress, check_format, json_text
from sklearn_unlearn.cli._options import add_common, add_sensitive
from sklearn_unlearn.cli._sensitive import (
    AUDIT_ROWS,
    check_groups,
    group_labels,
    note_copies,
    sensitive_copies,
    sensitive_groups,
)
from sklearn_unlearn.cli._table import check_columns, read_table
from sklearn_unlearn.metrics import leakage_auc

__all__ = ["add_audit_parser", "run_audit"]


def add_audit_parser(sub) -> None:
    """Add the ``audit`` subcommand and its options to ``sub``."""
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
    add_sensitive(audit, help="the column(s)")
    audit.add_argument("--json", metavar="PATH", help="also write the report here")


def run_audit(args, progress: Progress) -> str:
    """Leakage of a sensitive column from the other columns of a file."""
    source = Path(args.input)
    check_format(source, "input")
    report_path = Path(args.json) if args.json else None
    if report_path is not None:
        check_format(report_path, "--json", allowed=(".json",))
    check_paths(source, [("--json", report_path)] if report_path else [])
    progress("reading")
    table = read_table(source)
    sensitive = check_columns(table, args.sensitive, "--sensitive")
    keep = check_columns(table, args.keep, "--keep")
    features, codes = feature_columns(table, args.features, sensitive + keep)
    X = feature_matrix(table, features, "--features" if args.features else None)
    record = sensitive_groups(table, sensitive, bins=args.sensitive_bins)
    groups = group_labels(record)
    why = (
        f"the audit's 5-fold cross-validation needs at least {AUDIT_ROWS} rows in "
        "every group: merge or drop those rows"
    )
    counts = check_groups(
        table, sensitive, record, AUDIT_ROWS, why, bins=args.sensitive_bins
    )
    note_codes(codes)
    copies = sensitive_copies(
        table, sensitive, record, features, bins=args.sensitive_bins
    )
    note_copies(
        copies,
        "the adversaries see only the features, so the AUC misses this leak of {S}",
    )
    progress("gradient-boosting adversary")
    strong = float(leakage_auc(X, groups, random_state=args.random_state))
    progress("linear adversary")
    X_std, _, _ = standardised(X)
    linear = float(
        leakage_auc(
            X_std,
            groups,
            estimator=LogisticRegression(max_iter=1000),
            random_state=args.random_state,
        )
    )
    report = {
        "command": "audit",
        "version": __version__,
        "input": str(args.input),
        "n_rows": int(table.frame.shape[0]),
        "sensitive": sensitive,
        "sensitive_bins": args.sensitive_bins,
        "features": features,
        "code_columns": codes,
        "copies_of_sensitive": copies,
        "groups": counts,
        "leakage_auc_gradient_boosting": strong,
        "leakage_auc_logistic_regression": linear,
        "meaning": "out-of-fold ROC AUC (5 folds) of an adversary predicting the "
        "sensitive column from the features; 0.5 = nothing leaks, 1.0 = fully "
        "recoverable",
    }
    if report_path is not None:
        progress("writing")
        with Outputs() as outputs:
            outputs.add(
                report_path, lambda tmp: Path(tmp).write_text(json_text(report))
            )
            outputs.commit()
    verdict = (
        "little leaks"
        if strong < 0.6
        else "S is partly recoverable"
        if strong < 0.8
        else "S is largely recoverable"
    )
    text = [
        f"audit of {args.input}: {table.frame.shape[0]} rows, {len(features)} "
        f"feature column(s), sensitive {'/'.join(sensitive)} "
        f"({', '.join(f'{k}: {v}' for k, v in report['groups'].items())})",
        f"  leakage AUC, gradient boosting adversary: {strong:.3f}",
        f"  leakage AUC, logistic regression adversary: {linear:.3f}",
        f"  (0.5 = nothing leaks; 1.0 = fully recoverable): {verdict}",
    ]
    if copies:
        names = ", ".join(repr(c["column"]) for c in copies)
        text.append(f"  not measured: column(s) {names} reproduce S one-to-one")
    if report_path is not None:
        text.append(f"report -> {report_path}")
    return "\n".join(text)
