"""The ``select`` and ``demo`` subcommands of the command line."""

import time
from pathlib import Path

import numpy as np

from sklearn_unlearn._cli_columns import feature_columns, feature_matrix
from sklearn_unlearn._cli_commands import check_paths, note_codes, output_path
from sklearn_unlearn._cli_files import Outputs, check_outputs
from sklearn_unlearn._cli_io import CLIError, Progress, check_format, examples
from sklearn_unlearn._cli_table import check_columns, read_table, write_table

__all__ = ["run_demo_command", "run_select"]

#: Fewest rows of a demo subsample: every group and income class, in every fold.
MIN_ROWS = 200
#: Folds of ``--score classifier`` (the selector's default ``cv``).
CLASSIFIER_FOLDS = 5


def _deleted_path(args, source: Path, output: Path) -> Path:
    path = (
        Path(args.deleted)
        if args.deleted
        else output.with_name(f"{source.stem}.deleted.txt")
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
            f"--forget-value: no row has {domain} in {args.forget_value} "
            f"(values seen: {seen})"
        )
    if mask.all():
        raise CLIError(
            "--forget-value: every row is in the forget domain; nothing would be "
            "retained to compare with"
        )
    n_forget = int(mask.sum())
    if args.score == "classifier":
        smallest = min(n_forget, mask.size - n_forget)
        if smallest < CLASSIFIER_FOLDS:
            raise CLIError(
                f"--score classifier: its {CLASSIFIER_FOLDS}-fold cross-validation "
                f"needs at least {CLASSIFIER_FOLDS} rows in each domain, one has "
                f"{smallest}; use another --score"
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
    from sklearn_unlearn import DistributionalSelector

    selector = DistributionalSelector(
        args.score,
        budget=budget,
        target=tuple(args.target) if args.target else None,
        random_state=args.random_state,
    )
    progress(f"ranking ({args.score})")
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
        outputs.add(output, lambda tmp: write_table(table, tmp, rows=~deleted))
        outputs.add(
            deleted_path,
            lambda tmp: Path(tmp).write_text("".join(f"{i}\n" for i in ids[deleted])),
        )
        outputs.commit()
    return "\n".join(
        [
            f"forget domain: {int(mask.sum())} of {len(mask)} rows ({domain} in "
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


def _save_plot(rows, path: Path, outputs: Outputs) -> str:
    try:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        return "(no plot: install matplotlib, e.g. pip install 'sklearn-unlearn[plot]')"
    from sklearn_unlearn.metrics import UnlearningTradeoffDisplay

    raw = rows[0]
    fig, ax = plt.subplots(figsize=(6.5, 4.5))
    try:
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
        outputs.add(path, lambda tmp: fig.savefig(tmp, dpi=110, format="png"))
    finally:
        plt.close(fig)
    return f"trade-off plot -> {path}"


def run_demo_command(args, progress: Progress) -> str:
    """The bundled Adult data end to end: table, summary, trade-off plot."""
    from sklearn_unlearn._demo import format_table, run_demo

    small = [
        f"--{name} {value}"
        for name, value in (("n-train", args.n_train), ("n-test", args.n_test))
        if 0 < value < MIN_ROWS
    ]
    if small:
        raise CLIError(
            f"{', '.join(small)}: use 0 (all rows) or at least {MIN_ROWS} rows, "
            "enough for both groups, both income classes and the adversary's "
            "cross-validation"
        )
    plot = Path(args.plot) if args.plot else None
    if plot is not None:
        check_format(plot, "--plot", allowed=(".png",))
        check_outputs([("--plot", plot)], [])
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
    if plot is not None:
        progress("plotting")
        with Outputs() as outputs:
            lines.append(_save_plot(rows, plot, outputs))
            outputs.commit()
    lines.append(f"total time {time.perf_counter() - start:.1f} s")
    return "\n".join(lines)
