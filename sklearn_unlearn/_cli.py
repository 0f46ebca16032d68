"""Command line: ``sklearn-unlearn demo``, also ``python -m sklearn_unlearn``."""

import argparse
import sys
import time

__all__ = ["main"]

DESCRIPTION = """\
sklearn-unlearn: remove a sensitive attribute from features by Wasserstein-2
barycenters, with an audit of what still leaks.

example:
  sklearn-unlearn demo                 # bundled UCI Adult, S = sex
  sklearn-unlearn demo --sensitive race --methods gaussian quantile
"""


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="sklearn-unlearn",
        description=DESCRIPTION,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    sub = parser.add_subparsers(dest="command", required=True)
    demo = sub.add_parser(
        "demo",
        help="feature unlearning on the bundled Adult data, before/after table",
        description=(
            "Fit BarycenterFeatureUnlearner on the Adult training part and print, on "
            "the test part, the leakage of S (ROC AUC of a gradient-boosting "
            "adversary; 0.5 = nothing leaks) and the utility for income (ROC AUC of "
            "a logistic regression), for each method and repair level."
        ),
    )
    demo.add_argument(
        "--methods",
        nargs="+",
        default=["gaussian", "quantile", "stochastic"],
        choices=["gaussian", "quantile", "empirical", "stochastic"],
        help="methods to compare (default: gaussian quantile stochastic; "
        "stochastic is the one that forgets on this mixed-type data)",
    )
    demo.add_argument(
        "--repair-levels",
        nargs="+",
        type=float,
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
    demo.add_argument("--random-state", type=int, default=0, help="seed (default: 0)")
    return parser


#: Fewest rows of a demo subsample: every group and income class, in every fold.
MIN_ROWS = 200


def _run_demo(args) -> int:
    from sklearn_unlearn._demo import format_table, run_demo

    bad = [t for t in args.repair_levels if not 0.0 <= t <= 1.0]
    if bad:
        print(f"error: --repair-levels must be in [0, 1]; got {bad}", file=sys.stderr)
        return 2
    small = [
        f"--{name} {value}"
        for name, value in (("n-train", args.n_train), ("n-test", args.n_test))
        if value < 0 or 0 < value < MIN_ROWS
    ]
    if small:
        print(
            f"error: {', '.join(small)}: use 0 (all rows) or at least {MIN_ROWS} "
            "rows, enough for both groups, both income classes and the "
            "adversary's cross-validation",
            file=sys.stderr,
        )
        return 2
    start = time.perf_counter()
    print(
        "Feature unlearning on UCI Adult (train -> test), sensitive attribute: "
        f"{args.sensitive}"
    )
    rows = run_demo(
        methods=tuple(args.methods),
        repair_levels=tuple(args.repair_levels),
        sensitive=args.sensitive,
        n_train=args.n_train or None,
        n_test=args.n_test or None,
        random_state=args.random_state,
    )
    print(format_table(rows))
    print(
        "\nleakage: ROC AUC of a gradient-boosting adversary predicting S from the "
        "repaired test features (0.5 = nothing leaks);\nutility: ROC AUC of a "
        "logistic regression predicting income >50K."
        f"\ntotal time {time.perf_counter() - start:.1f} s"
    )
    return 0


def main(argv=None) -> int:
    """Entry point of the ``sklearn-unlearn`` console script."""
    args = _parser().parse_args(argv)
    commands = {"demo": _run_demo}
    return commands[args.command](args)


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
