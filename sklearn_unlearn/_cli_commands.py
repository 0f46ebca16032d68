"""The ``repair`` and ``audit`` subcommands, on top of the estimators and metrics.

Every check on the paths and the input comes before the computation; outputs
are staged and moved into place together (:class:`~._cli_files.Outputs`).
"""

import time
from pathlib import Path

import numpy as np
import pandas as pd

from sklearn_unlearn import __version__
from sklearn_unlearn._cli_columns import (
    check_groups,
    feature_columns,
    feature_matrix,
    group_labels,
    sensitive_copies,
)
from sklearn_unlearn._cli_files import Outputs, check_input, check_outputs
from sklearn_unlearn._cli_io import (
    CLIError,
    Progress,
    check_format,
    examples,
    json_text,
    warn,
)
from sklearn_unlearn._cli_label import label_audit, label_values
from sklearn_unlearn._cli_table import check_columns, read_table, write_table

__all__ = [
    "check_paths",
    "note_codes",
    "output_path",
    "run_audit",
    "run_repair",
    "standardised",
]

#: Rows of every group for the audit's 5-fold cross-validation.
AUDIT_ROWS = 5
#: Rows of every group for the repair itself (a law per group).
REPAIR_ROWS = 2


def output_path(given, source: Path, tag: str) -> Path:
    """``--output`` (default ``INPUT.<tag>.<suffix>``), its format checked.

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
    check_format(source, "input")
    path = (
        Path(given)
        if given
        else source.with_name(f"{source.stem}.{tag}{source.suffix}")
    )
    check_format(path, "--output")
    return path


def standardised(X: np.ndarray):
    """``(X - mean) / std`` (constant columns keep scale 1), mean and scale."""
    mean, scale = X.mean(axis=0), X.std(axis=0)
    scale[scale == 0] = 1.0
    return (X - mean) / scale, mean, scale


def note_codes(codes: list) -> None:
    """Say which numeric-looking columns are copied as text (leading zeros)."""
    if codes:
        warn(
            f"column(s) {examples(codes, limit=5, width=40)} look numeric but "
            "hold integers with leading zeros (codes such as zip codes): copied "
            "unchanged as text, not used as features; name them in --features to "
            "use them as numbers"
        )


def _note_copies(copies: list, effect: str) -> None:
    for copy in copies:
        pairs = ", ".join(f"{v!r} = {g!r}" for v, g in copy["values"].items())
        warn(
            f"column {copy['column']!r} reproduces {copy['reproduces']} "
            f"one-to-one ({pairs}) and is not a feature: "
            + effect.format(S=copy["reproduces"])
        )


def _leakage(Z, groups, seed) -> float:
    from sklearn_unlearn.metrics import leakage_auc

    return float(leakage_auc(Z, groups, cv=5, random_state=seed))


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


def check_paths(source: Path, outputs: list) -> None:
    """The input exists; the outputs are writable and alias nothing."""
    check_input(source)
    check_outputs(outputs, [("input", source)])


def run_repair(args, progress: Progress) -> str:
    """Repair the feature columns of a file; write it and a JSON audit."""
    source = Path(args.input)
    output = output_path(args.output, source, "repaired")
    audit_path = output.with_suffix(".audit.json")
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
    groups = group_labels(table, sensitive)
    why = (
        f"the leakage audit's 5-fold cross-validation needs at least {AUDIT_ROWS} "
        "rows in every group: merge or drop those rows, or pass --no-audit to "
        "repair without the audit"
        if args.audit
        else "the repair needs at least 2 rows in every group: merge or drop those rows"
    )
    min_rows = AUDIT_ROWS if args.audit else REPAIR_ROWS
    counts = check_groups(table, sensitive, groups, min_rows, why)
    y = label_values(table, label_column[0], args.audit) if label_column else None
    note_codes(codes)
    copies = sensitive_copies(table, sensitive, groups, features)
    _note_copies(
        copies,
        "it is copied unchanged, so the output still reveals {S}: drop it "
        "before sharing the file",
    )
    from sklearn_unlearn import BarycenterFeatureUnlearner

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
        "features": features,
        "features_given": bool(args.features),
        "kept_unchanged": [c for c in table.frame.columns if c not in features],
        "code_columns": codes,
        "copies_of_sensitive": copies,
        "groups": {str(k): int(v) for k, v in counts.items()},
        "method": args.method,
        "repair_level": args.repair_level,
        "random_state": args.random_state,
        "standardised": True,
        "audited": bool(args.audit),
        "leakage_auc_before": before,
        "leakage_auc_after": after,
        "leakage_adversary": "HistGradientBoostingClassifier, 5-fold out-of-fold "
        "ROC AUC (0.5 = nothing leaks)",
        "repair_seconds": seconds,
        "label": args.label,
        "label_utility": utility,
    }
    with Outputs() as outputs:
        outputs.add(output, lambda tmp: write_table(table, tmp, replaced))
        outputs.add(audit_path, lambda tmp: Path(tmp).write_text(json_text(audit)))
        outputs.commit()
    lines = [
        f"repaired {len(features)} feature column(s) of {table.frame.shape[0]} "
        f"rows ({args.method}, repair_level={args.repair_level}) -> {output}",
        f"audit -> {audit_path}",
    ]
    if before is not None and after is not None:
        lines.append(
            f"leakage of {'/'.join(sensitive)} (adversary ROC AUC, 0.5 = none): "
            f"{before:.3f} before, {after:.3f} after"
        )
    if utility is not None:
        lines.append(
            f"utility for {args.label} ({utility['metric']}, held-out 40%): "
            f"{utility['utility']:.3f} of a possible {utility['reference']:.3f} "
            f"(raw {utility['raw_utility']:.3f})"
        )
    return "\n".join(lines)


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
    groups = group_labels(table, sensitive)
    why = (
        f"the audit's 5-fold cross-validation needs at least {AUDIT_ROWS} rows in "
        "every group: merge or drop those rows"
    )
    counts = check_groups(table, sensitive, groups, AUDIT_ROWS, why)
    note_codes(codes)
    copies = sensitive_copies(table, sensitive, groups, features)
    _note_copies(
        copies,
        "the adversaries see only the features, so the AUC misses this leak of {S}",
    )
    from sklearn.linear_model import LogisticRegression

    from sklearn_unlearn.metrics import leakage_auc

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
        "features": features,
        "code_columns": codes,
        "copies_of_sensitive": copies,
        "groups": {str(k): int(v) for k, v in counts.items()},
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
