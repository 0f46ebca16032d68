"""The subcommands of the command line, on top of the estimators and metrics."""

import time
from pathlib import Path

import numpy as np
import pandas as pd

from sklearn_unlearn import __version__
from sklearn_unlearn._cli_io import (
    CLIError,
    Progress,
    atomic_write,
    check_columns,
    check_format,
    feature_columns,
    read_table,
    write_json,
    write_table,
    write_text,
)
from sklearn_unlearn._cli_label import label_audit, label_values

__all__ = ["run_audit", "run_demo_command", "run_repair", "run_select"]

#: Fewest rows of a demo subsample: every group and income class, in every fold.
MIN_ROWS = 200


def _matrix(frame: pd.DataFrame, columns: list) -> np.ndarray:
    X = frame[columns].to_numpy(dtype=np.float64)
    bad = ~np.isfinite(X)
    if bad.any():
        counts = bad.sum(axis=0)
        worst = [f"{c} ({n})" for c, n in zip(columns, counts, strict=True) if n]
        raise CLIError(
            f"missing or infinite values in feature column(s) {', '.join(worst)}; "
            "fill or drop those rows first"
        )
    return X


def _groups(frame: pd.DataFrame, columns: list) -> np.ndarray:
    values = frame[columns]
    if values.isna().to_numpy().any():
        raise CLIError(
            f"the sensitive column(s) {columns} have missing values; fill or drop "
            "those rows first"
        )
    if len(columns) == 1:
        return values.iloc[:, 0].astype(str).to_numpy()
    return values.astype(str).agg(" & ".join, axis=1).to_numpy()


def _leakage(Z, groups, seed) -> float | None:
    from sklearn_unlearn.metrics import leakage_auc

    counts = pd.Series(groups).value_counts()
    if counts.size < 2 or counts.min() < 5:
        return None  # 5-fold cross-validation needs 5 rows of every group
    return float(leakage_auc(Z, groups, cv=5, random_state=seed))


def _restore_integers(out: np.ndarray, frame: pd.DataFrame, columns: list):
    """Integer columns whose repaired values are all integers stay integers."""
    result = {}
    for j, name in enumerate(columns):
        values = out[:, j]
        if pd.api.types.is_integer_dtype(frame[name]):
            rounded = np.round(values)
            if np.allclose(values, rounded, rtol=0, atol=1e-6):
                result[name] = rounded.astype(frame[name].dtype)
                continue
        result[name] = values
    return result


def _output_path(given, source: Path, tag: str) -> Path:
    """``--output`` (default ``INPUT.<tag>.<suffix>``), checked before any work."""
    path = (
        Path(given)
        if given
        else source.with_name(f"{source.stem}.{tag}{source.suffix}")
    )
    check_format(path, "--output")
    if path.resolve() == source.resolve():
        raise CLIError(f"--output: {path} is the input file; choose another name")
    return path


def _standardised(X: np.ndarray):
    """``(X - mean) / std`` (constant columns keep scale 1), mean and scale."""
    mean, scale = X.mean(axis=0), X.std(axis=0)
    scale[scale == 0] = 1.0
    return (X - mean) / scale, mean, scale


def run_repair(args, progress: Progress) -> str:
    """Repair the feature columns of a file; write it and a JSON audit."""
    source = Path(args.input)
    output = _output_path(args.output, source, "repaired")
    audit_path = output.with_suffix(".audit.json")
    progress("reading")
    frame = read_table(source)
    sensitive = check_columns(frame, args.sensitive, "--sensitive")
    keep = check_columns(frame, args.keep, "--keep")
    label_column = check_columns(frame, [args.label], "--label") if args.label else []
    features = feature_columns(frame, args.features, sensitive + keep + label_column)
    X = _matrix(frame, features)
    groups = _groups(frame, sensitive)
    y = label_values(frame, label_column[0]) if label_column else None
    from sklearn_unlearn import BarycenterFeatureUnlearner

    # standardise so that no column dominates the transport cost by its unit
    Z, mean, scale = _standardised(X)
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
    before = after = None
    if args.audit:
        progress("auditing before")
        before = _leakage(Z, groups, args.random_state)
        progress("auditing after")
        after = _leakage(repaired, groups, args.random_state)
    utility = None
    if args.audit and y is not None:
        progress("auditing the label: utility and its reference")
        utility = label_audit(Z, y, groups, args.method, args.random_state)
    progress("writing")
    result = frame.copy()
    for name, values in _restore_integers(out, frame, features).items():
        result[name] = values
    write_table(result, output)
    counts = pd.Series(groups).value_counts().sort_index()
    audit = {
        "command": "repair",
        "version": __version__,
        "input": str(source),
        "output": str(output),
        "n_rows": int(frame.shape[0]),
        "sensitive": sensitive,
        "features": features,
        "kept_unchanged": [c for c in frame.columns if c not in features],
        "groups": {str(k): int(v) for k, v in counts.items()},
        "method": args.method,
        "repair_level": args.repair_level,
        "random_state": args.random_state,
        "standardised": True,
        "leakage_auc_before": before,
        "leakage_auc_after": after,
        "leakage_adversary": "HistGradientBoostingClassifier, 5-fold out-of-fold "
        "ROC AUC (0.5 = nothing leaks)",
        "repair_seconds": seconds,
        "label": args.label,
        "label_utility": utility,
    }
    write_json(audit, audit_path)
    lines = [
        f"repaired {len(features)} feature column(s) of {frame.shape[0]} rows "
        f"({args.method}, repair_level={args.repair_level}) -> {output}",
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
    if args.json:
        check_format(Path(args.json), "--json", allowed=(".json",))
    progress("reading")
    frame = read_table(args.input)
    sensitive = check_columns(frame, args.sensitive, "--sensitive")
    keep = check_columns(frame, args.keep, "--keep")
    features = feature_columns(frame, args.features, sensitive + keep)
    X = _matrix(frame, features)
    groups = _groups(frame, sensitive)
    from sklearn.linear_model import LogisticRegression

    from sklearn_unlearn.metrics import leakage_auc

    counts = pd.Series(groups).value_counts().sort_index()
    if counts.size < 2 or counts.min() < 5:
        raise CLIError(
            f"--sensitive: every group needs at least 5 rows for 5-fold "
            f"cross-validation; counts {counts.to_dict()}"
        )
    progress("gradient-boosting adversary")
    strong = float(leakage_auc(X, groups, random_state=args.random_state))
    progress("linear adversary")
    X_std, _, _ = _standardised(X)
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
        "n_rows": int(frame.shape[0]),
        "sensitive": sensitive,
        "features": features,
        "groups": {str(k): int(v) for k, v in counts.items()},
        "leakage_auc_gradient_boosting": strong,
        "leakage_auc_logistic_regression": linear,
        "meaning": "out-of-fold ROC AUC (5 folds) of an adversary predicting the "
        "sensitive column from the features; 0.5 = nothing leaks, 1.0 = fully "
        "recoverable",
    }
    if args.json:
        progress("writing")
        write_json(report, args.json)
    verdict = (
        "little leaks"
        if strong < 0.6
        else "S is partly recoverable"
        if strong < 0.8
        else "S is largely recoverable"
    )
    text = [
        f"audit of {args.input}: {frame.shape[0]} rows, {len(features)} feature "
        f"column(s), sensitive {'/'.join(sensitive)} "
        f"({', '.join(f'{k}: {v}' for k, v in report['groups'].items())})",
        f"  leakage AUC, gradient boosting adversary: {strong:.3f}",
        f"  leakage AUC, logistic regression adversary: {linear:.3f}",
        f"  (0.5 = nothing leaks; 1.0 = fully recoverable): {verdict}",
    ]
    if args.json:
        text.append(f"report -> {args.json}")
    return "\n".join(text)


def run_select(args, progress: Progress) -> str:
    """Choose the rows of a forget domain to delete; write kept rows and ids."""
    source = Path(args.input)
    output = _output_path(args.output, source, "kept")
    deleted_path = (
        Path(args.deleted)
        if args.deleted
        else output.with_name(f"{source.stem}.deleted.txt")
    )
    progress("reading")
    frame = read_table(source)
    (domain,) = check_columns(frame, [args.domain_column], "--domain-column")
    if args.id_column:
        check_columns(frame, [args.id_column], "--id-column")
    keep = check_columns(frame, args.keep, "--keep")
    exclude = [domain, *keep] + ([args.id_column] if args.id_column else [])
    features = feature_columns(frame, args.features, exclude)
    X = _matrix(frame, features)
    mask = frame[domain].astype(str).isin(args.forget_value).to_numpy()
    if not mask.any():
        seen = ", ".join(map(str, frame[domain].astype(str).unique()[:10]))
        raise CLIError(
            f"--forget-value: no row has {domain} in {args.forget_value} "
            f"(values seen: {seen})"
        )
    if mask.all():
        raise CLIError(
            "--forget-value: every row is in the forget domain; nothing would be "
            "retained to compare with"
        )
    from sklearn_unlearn import DistributionalSelector

    budget = args.budget
    if budget is not None and budget >= 1 and float(budget).is_integer():
        budget = int(budget)
    selector = DistributionalSelector(
        args.score,
        budget=None if args.target else budget,
        target=tuple(args.target) if args.target else None,
        random_state=args.random_state,
    )
    progress(f"ranking ({args.score})")
    try:
        selector.fit(X, forget_mask=mask)
    except ValueError as exc:
        raise CLIError(f"selection failed: {exc}", code=1) from exc
    deleted = selector.deletion_mask_
    ids = frame[args.id_column] if args.id_column else pd.Series(np.arange(len(frame)))
    progress("writing")
    write_table(frame.loc[~deleted], output)
    write_text("\n".join(map(str, ids[deleted].tolist())) + "\n", deleted_path)
    return "\n".join(
        [
            f"forget domain: {int(mask.sum())} of {len(frame)} rows ({domain} in "
            f"{args.forget_value}); deleted {selector.n_deleted_} "
            f"({selector.n_deleted_ / mask.sum():.0%} of the domain), score "
            f"{args.score}",
            f"  KL(forget || edited) = {selector.achieved_alpha_:.4f}, "
            f"KL(retained || edited) = {selector.achieved_epsilon_:.4f} "
            f"(Gaussian plug-in; KL(forget || retained) = {selector.kappa_:.4f})",
            f"kept rows -> {output}",
            f"deleted row ids -> {deleted_path}",
        ]
    )


def _save_plot(rows, path: str) -> str:
    try:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        return "(no plot: install matplotlib, e.g. pip install 'sklearn-unlearn[plot]')"
    from sklearn_unlearn.metrics import UnlearningTradeoffDisplay

    raw = rows[0]
    fig, ax = plt.subplots(figsize=(6.5, 4.5))
    for method in dict.fromkeys(r.method for r in rows[1:]):
        mine = [raw] + [r for r in rows[1:] if r.method == method]
        UnlearningTradeoffDisplay(
            repair_levels=[r.repair_level for r in mine],
            utility=[r.utility_auc for r in mine],
            leakage=[r.leakage_auc for r in mine],
            name=method,
            utility_name="income ROC AUC",
            leakage_name="leakage ROC AUC (adversary for S)",
        ).plot(ax=ax)
    ax.set_title("Adult: forgetting S against keeping income")
    fig.tight_layout()
    atomic_write(Path(path), lambda tmp: fig.savefig(tmp, dpi=110, format="png"))
    plt.close(fig)
    return f"trade-off plot -> {path}"


def run_demo_command(args, progress: Progress) -> str:
    """The bundled Adult data end to end: table, summary, trade-off plot."""
    from sklearn_unlearn._demo import format_table, run_demo

    small = [
        f"--{name} {value}"
        for name, value in (("n-train", args.n_train), ("n-test", args.n_test))
        if value < 0 or 0 < value < MIN_ROWS
    ]
    if small:
        raise CLIError(
            f"{', '.join(small)}: use 0 (all rows) or at least {MIN_ROWS} rows, "
            "enough for both groups, both income classes and the adversary's "
            "cross-validation"
        )
    if args.plot and Path(args.plot).suffix.lower() != ".png":
        raise CLIError(f"--plot: {args.plot} must end with .png")
    start = time.perf_counter()
    print(
        "Feature unlearning on UCI Adult (train -> test), sensitive attribute: "
        f"{args.sensitive}",
        flush=True,
    )
    progress("fitting and auditing")
    rows = run_demo(
        methods=tuple(args.methods),
        repair_levels=tuple(args.repair_levels),
        sensitive=args.sensitive,
        n_train=args.n_train or None,
        n_test=args.n_test or None,
        random_state=args.random_state,
    )
    lines = [format_table(rows), ""]
    raw, reference = rows[0], rows[1]
    best = min(rows[2:], key=lambda r: (r.leakage_auc, -r.utility_auc))
    lines.append(
        f"least leakage: {best.method} at repair_level={best.repair_level:g}: "
        f"leakage {best.leakage_auc:.3f} (raw {raw.leakage_auc:.3f}), income "
        f"AUC {best.utility_auc:.3f} of a possible {reference.utility_auc:.3f} "
        f"(raw {raw.utility_auc:.3f})"
    )
    lines.append(
        "leakage: ROC AUC of a gradient-boosting adversary predicting S from the "
        "repaired test features (0.5 = nothing leaks);\nutility: ROC AUC of a "
        "logistic regression predicting income >50K; reference: the best income "
        "AUC of scores independent of S (a logistic regression's scores mapped "
        "onto the W2 barycenter of the groups' score laws)."
    )
    if args.plot:
        progress("plotting")
        lines.append(_save_plot(rows, args.plot))
    lines.append(f"total time {time.perf_counter() - start:.1f} s")
    return "\n".join(lines)
