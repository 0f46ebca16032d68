"""The ``audit`` subcommand: how much the features of a file reveal S.

Two adversaries, gradient boosting and a logistic regression, predict the
sensitive column from the features; their out-of-fold ROC AUC is the leakage,
with a 95% confidence interval and a p-value against "nothing leaks". When the
features take few distinct rows, a certificate bounds every adversary.
"""

import argparse
from pathlib import Path

import numpy as np
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
from sklearn_unlearn.metrics import leakage_certificate, leakage_test

__all__ = ["add_audit_parser", "leakage_text", "run_audit"]

#: The distinct rows of the features may number at most this share of the
#: smallest group for the audit to add a certificate (10 rows per value).
CERTIFICATE_SHARE = 0.1


def leakage_text(result) -> str:
    """``0.546 [0.528, 0.566], p = 6e-07``: an AUC, its interval, its p-value."""
    return (
        f"{result.auc:.3f} [{result.ci_low:.3f}, {result.ci_high:.3f}], "
        f"p = {result.pvalue:.2g}"
    )


def _certificate(X, groups, counts: dict):
    if np.unique(X, axis=0).shape[0] > CERTIFICATE_SHARE * min(counts.values()):
        return None
    bound = leakage_certificate(X, groups)
    return {
        "tv_bound": bound.tv_bound,
        "auc_bound": bound.auc_bound,
        "balanced_accuracy_bound": bound.balanced_accuracy_bound,
        "parity_gap_bound": bound.parity_gap_bound,
        "n_distinct_rows": bound.n_values,
        "confidence": bound.confidence,
    }


def add_audit_parser(sub) -> None:
    """Add the ``audit`` subcommand and its options to ``sub``."""
    audit = sub.add_parser(
        "audit",
        help="how much the features of a file reveal a sensitive column",
        description=(
            "Out-of-fold ROC AUC of two adversaries (gradient boosting and "
            "logistic regression) predicting the sensitive column from the "
            "features: 0.5 = nothing leaks, 1.0 = fully recoverable; with a 95% "
            "confidence interval and a p-value against 'nothing leaks'. Features "
            "with few distinct rows also get a certificate: a 95% upper bound on "
            "the AUC of ANY adversary.\n\n"
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
    strong = leakage_test(X, groups, random_state=args.random_state)
    progress("linear adversary")
    X_std, _, _ = standardised(X)
    linear = leakage_test(
        X_std,
        groups,
        estimator=LogisticRegression(max_iter=1000),
        random_state=args.random_state,
    )
    certificate = _certificate(X, groups, counts)
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
        "leakage_auc_gradient_boosting": strong.auc,
        "leakage_auc_logistic_regression": linear.auc,
        "leakage_ci_gradient_boosting": [strong.ci_low, strong.ci_high],
        "leakage_ci_logistic_regression": [linear.ci_low, linear.ci_high],
        "leakage_pvalue_gradient_boosting": strong.pvalue,
        "leakage_pvalue_logistic_regression": linear.pvalue,
        "confidence": strong.confidence,
        "certificate": certificate,
        "meaning": "out-of-fold ROC AUC (5 folds) of an adversary predicting the "
        "sensitive column from the features; 0.5 = nothing leaks, 1.0 = fully "
        "recoverable; ci: 95% confidence interval of the adversary's AUC; "
        "pvalue: one-sided, against 'S independent of the features' "
        "(sklearn_unlearn.metrics.leakage_test); certificate (features with "
        "few distinct rows, else null): 95% upper bounds for ANY adversary "
        "(sklearn_unlearn.metrics.leakage_certificate)",
    }
    if report_path is not None:
        progress("writing")
        with Outputs() as outputs:
            outputs.add(
                report_path, lambda tmp: Path(tmp).write_text(json_text(report))
            )
            outputs.commit()
    verdict = (
        "no evidence of leakage"
        if strong.pvalue >= 0.05 and linear.pvalue >= 0.05
        else "little leaks"
        if strong.auc < 0.6
        else "S is partly recoverable"
        if strong.auc < 0.8
        else "S is largely recoverable"
    )
    text = [
        f"audit of {args.input}: {table.frame.shape[0]} rows, {len(features)} "
        f"feature column(s), sensitive {'/'.join(sensitive)} "
        f"({', '.join(f'{k}: {v}' for k, v in report['groups'].items())})",
        "  leakage AUC [95% interval], p-value against 'nothing leaks':",
        f"    gradient boosting adversary: {leakage_text(strong)}",
        f"    logistic regression adversary: {leakage_text(linear)}",
        f"  (0.5 = nothing leaks; 1.0 = fully recoverable): {verdict}",
    ]
    if certificate is not None:
        text.append(
            f"  certificate ({certificate['n_distinct_rows']} distinct rows): ANY "
            f"adversary's AUC <= {certificate['auc_bound']:.3f}, any classifier's "
            f"parity gap <= {certificate['parity_gap_bound']:.3f} (95%)"
        )
    if copies:
        names = ", ".join(repr(c["column"]) for c in copies)
        text.append(f"  not measured: column(s) {names} reproduce S one-to-one")
    if report_path is not None:
        text.append(f"report -> {report_path}")
    return "\n".join(text)
