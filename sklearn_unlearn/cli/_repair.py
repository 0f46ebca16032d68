"""The ``repair`` subcommand: remove S from the features of a file, with an audit.

Every check on the paths and the input comes before the computation; outputs
are staged and moved into place together
(:class:`~sklearn_unlearn.cli._files.Outputs`).
"""

import argparse
import time
from pathlib import Path

import numpy as np
import pandas as pd

from sklearn_unlearn import BarycenterFeatureUnlearner, __version__
from sklearn_unlearn.cli._audit import leakage_text
from sklearn_unlearn.cli._columns import (
    feature_columns,
    feature_matrix,
    note_codes,
    standardised,
)
from sklearn_unlearn.cli._files import Outputs, check_paths, output_path, sibling
from sklearn_unlearn.cli._io import CLIError, Progress, json_text
from sklearn_unlearn.cli._label import label_audit, label_values
from sklearn_unlearn.cli._options import (
    DEFAULT_METHOD,
    METHODS,
    add_common,
    add_sensitive,
    fraction,
)
from sklearn_unlearn.cli._sensitive import (
    AUDIT_ROWS,
    check_groups,
    group_labels,
    note_copies,
    sensitive_copies,
    sensitive_groups,
)
from sklearn_unlearn.cli._table import check_columns, read_table, write_table
from sklearn_unlearn.metrics import leakage_test

__all__ = ["add_repair_parser", "run_repair"]

#: Rows of every group for the repair itself (a law per group).
REPAIR_ROWS = 2


def add_repair_parser(sub) -> None:
    """Add the ``repair`` subcommand and its options to ``sub``."""
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
            "work. A continuous S must be cut into a few groups: --sensitive-bins N "
            "cuts it into N quantile bins. A "
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
    add_sensitive(
        repair, help="the sensitive column(s); several define intersectional groups"
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
        help="output file, in the input's format (.parquet, or .csv compressed "
        "as its suffix says: .csv.gz, ...) (default: INPUT.repaired.<suffix>)",
    )
    repair.add_argument(
        "--no-audit",
        dest="audit",
        action="store_false",
        help="skip the leakage measurements (they cost two 5-fold adversaries)",
    )


def _leakage(Z, groups, seed):
    return leakage_test(Z, groups, cv=5, random_state=seed)


def _leakage_keys(result, when: str) -> dict:
    """The audit's AUC, interval and p-value of one table; None if not audited."""
    values = (None, None, None)
    if result is not None:
        values = (result.auc, [result.ci_low, result.ci_high], result.pvalue)
    keys = (f"leakage_{name}_{when}" for name in ("auc", "ci", "pvalue"))
    return dict(zip(keys, values, strict=True))


def _feature_output(table, name: str, values: np.ndarray):
    """Repaired values of one column, integers kept integers, CSV as text."""
    series = table.frame[name]
    rounded = np.round(values)
    whole = np.allclose(values, rounded, rtol=0, atol=1e-6)
    if table.text:
        integer = series.astype(str).str.fullmatch(r"\s*[+-]?\d+\s*").all()
        if integer and whole:
            return rounded.astype(np.int64).astype(str)
        return [repr(v) for v in values.tolist()]
    if pd.api.types.is_integer_dtype(series) and whole:
        return rounded.astype(series.dtype)
    return values


def run_repair(args, progress: Progress) -> str:
    """Repair the feature columns of a file; write it and a JSON audit."""
    source = Path(args.input)
    output = output_path(args.output, source, "repaired")
    audit_path = sibling(output, ".audit.json")
    check_paths(
        source, [("--output", output), ("--output (its audit file)", audit_path)]
    )
    progress("reading")
    table = read_table(source)
    sensitive = check_columns(table, args.sensitive, "--sensitive")
    keep = check_columns(table, args.keep, "--keep")
    label_column = check_columns(table, [args.label], "--label") if args.label else []
    features, codes = feature_columns(
        table, args.features, sensitive + keep + label_column
    )
    X = feature_matrix(table, features, "--features" if args.features else None)
    record = sensitive_groups(table, sensitive, bins=args.sensitive_bins)
    groups = group_labels(record)
    why = (
        f"the leakage audit's 5-fold cross-validation needs at least {AUDIT_ROWS} "
        "rows in every group: merge or drop those rows, or pass --no-audit to "
        "repair without the audit"
        if args.audit
        else "the repair needs at least 2 rows in every group: merge or drop those rows"
    )
    min_rows = AUDIT_ROWS if args.audit else REPAIR_ROWS
    counts = check_groups(
        table, sensitive, record, min_rows, why, bins=args.sensitive_bins
    )
    y = label_values(table, label_column[0], args.audit) if label_column else None
    note_codes(codes)
    copies = sensitive_copies(
        table, sensitive, record, features, bins=args.sensitive_bins
    )
    note_copies(
        copies,
        "it is copied unchanged, so the output still reveals {S}: drop it "
        "before sharing the file",
    )
    # standardise so that no column dominates the transport cost by its unit
    Z, mean, scale = standardised(X)
    unlearner = BarycenterFeatureUnlearner(
        method=args.method,
        repair_level=args.repair_level,
        random_state=args.random_state,
    )
    progress(f"fitting ({args.method})")
    start = time.perf_counter()
    try:
        repaired = unlearner.fit_transform(Z, y, sensitive_features=groups)
    except ValueError as exc:
        raise CLIError(f"repair failed: {exc}", code=1) from exc
    seconds = time.perf_counter() - start
    out = repaired * scale + mean
    before = after = utility = None
    if args.audit:
        progress("auditing before")
        before = _leakage(Z, groups, args.random_state)
        progress("auditing after")
        after = _leakage(repaired, groups, args.random_state)
    if args.audit and y is not None:
        progress("auditing the label: utility and its reference")
        utility = label_audit(Z, y, groups, args.method, args.random_state)
    progress("writing")
    replaced = {
        name: _feature_output(table, name, out[:, j]) for j, name in enumerate(features)
    }
    audit = {
        "command": "repair",
        "version": __version__,
        "input": str(source),
        "output": str(output),
        "n_rows": int(table.frame.shape[0]),
        "sensitive": sensitive,
        "sensitive_bins": args.sensitive_bins,
        "features": features,
        "features_given": bool(args.features),
        "kept_unchanged": [c for c in table.frame.columns if c not in features],
        "code_columns": codes,
        "copies_of_sensitive": copies,
        "groups": counts,
        "method": args.method,
        "repair_level": args.repair_level,
        "random_state": args.random_state,
        "standardised": True,
        "audited": bool(args.audit),
        **_leakage_keys(before, "before"),
        **_leakage_keys(after, "after"),
        "leakage_adversary": "HistGradientBoostingClassifier, 5-fold out-of-fold "
        "ROC AUC (0.5 = nothing leaks), 95% confidence interval, one-sided "
        "p-value against 'nothing leaks' (sklearn_unlearn.metrics.leakage_test)",
        "repair_seconds": seconds,
        "label": args.label,
        "label_utility": utility,
    }
    with Outputs() as outputs:
        outputs.add(output, lambda tmp: write_table(table, tmp, output, replaced))
        outputs.add(audit_path, lambda tmp: Path(tmp).write_text(json_text(audit)))
        outputs.commit()
    lines = [
        f"repaired {len(features)} feature column(s) of {table.frame.shape[0]} "
        f"rows ({args.method}, repair_level={args.repair_level}) -> {output}",
        f"audit -> {audit_path}",
    ]
    if before is not None and after is not None:
        lines.append(
            f"leakage of {'/'.join(sensitive)} (adversary ROC AUC [95% interval], "
            f"p-value against none; 0.5 = none): {leakage_text(before)} before, "
            f"{leakage_text(after)} after"
        )
    if utility is not None:
        lines.append(
            f"utility for {args.label} ({utility['metric']}, held-out 40%): "
            f"{utility['utility']:.3f} of a possible {utility['reference']:.3f} "
            f"(raw {utility['raw_utility']:.3f})"
        )
    return "\n".join(lines)
