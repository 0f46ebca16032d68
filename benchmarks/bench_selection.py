"""Selective deletion: budgets that halve the unlearning metric, and fit speed.

Four sections, all through the public API (``DistributionalSelector``,
``SelectiveRetrainer``, ``distributional_unlearning_report``,
``gaussian_pareto_frontier``); see ``benchmarks/README.md`` for how to read
the tables.

- ``paper``: the Gaussian rows of the paper's headline table. 1-D, sigma = 1,
  p2 = N(0, 1), p1 = N(sqrt(2 kappa), 1), n2 = 2 n1, mean-only refit; for every
  score, the smallest deletion fraction f / n1 at which KL(p1 || p_hat) reaches
  the midpoint of its values at f = 0 and f = n1 ("halving").
- ``dims``: the same criterion in d = 10 and 50 (isotropic, mean shift along a
  random unit direction, ||mu1 - mu2||^2 = 2 kappa); which score wins where.
- ``real``: digits (forget digit 3) and Adult (forget native_country !=
  United-States): retrain a LogisticRegression on the kept rows for a grid of
  budgets, smallest budget that halves the forget-domain recall (digits) or
  reaches half of the full-deletion log-loss increase (Adult).
- ``speed``: fit time of the selector on n forget + n retained rows, d = 100,
  float64 and float32, next to the floor (retained mean + one GEMV).

This file parses the options, runs the sections and prints the summary; the
sections live in ``_selection_paper.py`` (paper, dims), ``_selection_real.py``
and ``_selection_speed.py``, on the machinery of ``_selection.py``.

Usage::

    python benchmarks/bench_selection.py            # everything (~5 min, 2 cores)
    python benchmarks/bench_selection.py --quick    # smoke run (~1 min)
    python benchmarks/bench_selection.py --sections paper dims --seeds 10
"""

import time

import numpy as np
from _harness import (
    add_output,
    add_quick,
    add_repeat,
    add_sections,
    add_seed,
    environment_line,
    fill_defaults,
    load_average,
    log,
    make_parser,
    markdown_table,
    parse_int,
    write_results,
)
from _selection import SCORES, TIE, rank, summarise
from _selection_paper import section_dims, section_paper
from _selection_real import section_real
from _selection_speed import section_speed

SECTIONS = ("paper", "dims", "real", "speed")


# ----------------------------------------------------------------- summary
def winners_by_case(records, keys, key="oracle"):
    """{case: (winners, near, means)} over groups of records (see ``rank``)."""
    cases = {}
    for rec in records:
        cases.setdefault(tuple(rec[k] for k in keys), []).append(rec)
    out = {}
    for case, recs in sorted(cases.items()):
        means = {s: m for s, (m, _) in summarise(recs, key).items()}
        out[case] = (*rank(means), means)
    return out


def print_summary(results):
    """Which score needs the smallest halving budget, per (d, kappa)."""
    lines = []
    if "paper" in results:
        for (kappa,), (w, tied, means) in winners_by_case(
            results["paper"]["records"], ("kappa",)
        ).items():
            lines.append((1, kappa, w, tied, means))
    if "dims" in results:
        for (d, kappa), (w, tied, means) in winners_by_case(
            results["dims"]["records"], ("d", "kappa")
        ).items():
            lines.append((d, kappa, w, tied, means))
    if "real" in results:
        log("## summary: real data, budget meeting the criterion (lower is better)")
        log()
        for name in ("digits", "adult"):
            runs = results["real"][name]["runs"]
            budgets = {
                s: float(np.mean([r["budget"] for r in runs if r["score"] == s]))
                for s in SCORES
            }
            order = sorted(SCORES, key=lambda s: budgets[s])
            log(
                f"- {name}: "
                + ", ".join(f"{s} {budgets[s]:.2f}" for s in order)
                + " (random: mean over seeds)"
            )
        log()
    if not lines:
        return
    log("## summary: which score halves KL(p1 || p_hat) with the fewest deletions")
    log()
    rows = []
    for d, kappa, w, tied, means in lines:
        lr = means["likelihood_ratio"]
        rows.append(
            [
                d,
                kappa,
                " = ".join(w),
                f"{means[w[0]]:.3f}",
                ", ".join(tied) or "-",
                f"{lr:.3f}",
                f"{means['euclidean']:.3f}",
                f"{means['random']:.3f}",
            ]
        )
    log(
        markdown_table(
            [
                "d",
                "kappa",
                "winner (oracle)",
                "its fraction",
                f"within {TIE}",
                "likelihood_ratio",
                "euclidean",
                "random",
            ],
            rows,
        )
    )
    winners = sorted({s for _, _, w, _, _ in lines for s in w})
    lr_best = sum(1 for _, _, w, _, _ in lines if "likelihood_ratio" in w)
    lr_near = sum(1 for _, _, _, near, _ in lines if "likelihood_ratio" in near)
    log()
    log(
        f"likelihood_ratio has the lowest halving budget (alone or with scores "
        f"making the same deletions) in {lr_best} of {len(lines)} cases and is "
        f"within {TIE} of it in {lr_near} more; scores with a lowest budget "
        "somewhere: " + ", ".join(winners)
    )
    log()


# ------------------------------------------------------------------- main
def parse_args(argv):
    parser = make_parser(__doc__)
    add_sections(parser, SECTIONS)
    add_quick(parser)
    parser.add_argument("--seeds", type=int, default=None, help="paper seeds (5)")
    parser.add_argument("--dims-seeds", type=int, default=None, help="dims seeds (3)")
    parser.add_argument("--real-seeds", type=int, default=None, help="random seeds (5)")
    parser.add_argument(
        "--n-forget", type=parse_int, default=None, help="n1 of paper/dims (20000)"
    )
    parser.add_argument("--grid-step", type=float, default=0.01)
    parser.add_argument("--real-grid", type=float, default=0.1)
    parser.add_argument("--real-fine", type=float, default=0.02)
    parser.add_argument(
        "--speed-n", type=parse_int, default=None, help="rows per domain (1e6)"
    )
    parser.add_argument("--speed-d", type=int, default=100)
    add_repeat(parser, None, "speed repeats (2)")
    add_seed(parser, help="speed data seed")
    add_output(parser, "bench_selection")
    args = parser.parse_args(argv)
    fill_defaults(
        args,
        normal={
            "seeds": 5,
            "dims_seeds": 3,
            "real_seeds": 5,
            "n_forget": 20000,
            "speed_n": 1_000_000,
            "repeat": 2,
        },
        quick={
            "seeds": 2,
            "dims_seeds": 2,
            "real_seeds": 2,
            "n_forget": 2000,
            "speed_n": 100_000,
            "repeat": 3,
        },
    )
    if args.quick and args.real_grid == 0.1:
        args.real_grid = 0.25
        args.real_fine = 0.0
    return args


def main(argv=None):
    args = parse_args(argv)
    log("# DistributionalSelector benchmark")
    log()
    log(f"{environment_line(pools=True)}; load {load_average()}")
    log(f"sections {list(args.sections)}{' (quick)' if args.quick else ''}")
    log()
    started = time.perf_counter()
    results = {"args": {k: str(v) for k, v in vars(args).items()}}
    runners = {
        "paper": section_paper,
        "dims": section_dims,
        "real": section_real,
        "speed": section_speed,
    }
    for name in SECTIONS:
        if name in args.sections:
            t0 = time.perf_counter()
            results[name] = runners[name](args)
            results[name]["seconds"] = time.perf_counter() - t0
            log(f"({name}: {time.perf_counter() - t0:.0f} s)")
            log()
    print_summary(results)
    total = time.perf_counter() - started
    results["total_seconds"] = total
    log(f"total wall time {total:.0f} s")
    write_results(results, args.output)


if __name__ == "__main__":
    main()
