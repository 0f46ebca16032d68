"""Wall time of ``mutual_information`` (k-NN estimate of I(Z; S)) on n x d data.

Every case times the public function (validation, standardisation, jitter and
the kernel) as the best of ``--repeat`` runs, and splits one run of the kernel
into its two phases: the k-th neighbour of each row in its own group
(``cKDTree.query``) and the counts in the other groups
(``KDTree.query_radius``). The "brute floor" is what comparing every pair of
rows once costs with ``scipy.spatial.distance.cdist(..., "chebyshev")`` on one
thread, extrapolated from a block of rows: a k-d tree that prunes well is far
below it, one that does not (high d) is near it. "exact I" is the true I(Z; S)
of the data (a 1-D integral, see ``exact_mi``), to read the estimate's bias.

Usage::

    python benchmarks/bench_metrics_mi.py                 # n in {1e4,1e5}, d in {5,20}
    python benchmarks/bench_metrics_mi.py --n 1e5 --d 20 --max-samples 10000 20000
    python benchmarks/bench_metrics_mi.py --quick         # n = 1e4 only

Data: 3 groups with shares 0.5 / 0.3 / 0.2; Z | S = g ~ N(0.3 g 1, I_d), float64.
"""

import time

import numpy as np
from _harness import (
    add_output,
    add_quick,
    add_repeat,
    add_seed,
    best_of,
    fmt_n,
    load_average,
    log,
    make_parser,
    parse_int,
    print_header,
    print_table,
    write_results,
)
from _harness import floors as fl
from joblib import effective_n_jobs
from scipy import integrate
from scipy.spatial import cKDTree
from scipy.special import logsumexp
from scipy.stats import norm
from sklearn.neighbors import KDTree

from sklearn_unlearn.metrics._mutual_info import (
    _count_within,
    _standardize_with_jitter,
    mutual_information,
)

N_NEIGHBORS = 3
SHARES = np.array([0.5, 0.3, 0.2])


def make_data(n, d, seed):
    rng = np.random.default_rng(seed)
    s = rng.choice(3, size=n, p=SHARES)
    Z = rng.standard_normal((n, d)) + 0.3 * s[:, None]
    return Z, s


def exact_mi(d):
    """I(Z; S) of ``make_data`` in nats: only the projection on the unit vector
    1 / sqrt(d) depends on S, a 1-D mixture of N(0.3 g sqrt(d), 1)."""
    means = 0.3 * np.sqrt(d) * np.arange(3)
    log_w = np.log(SHARES)

    def integrand(z):
        log_f = logsumexp(log_w + norm.logpdf(z, means))
        return -np.exp(log_f) * log_f

    h_z, _ = integrate.quad(integrand, -40, means[-1] + 40, points=means, limit=200)
    return h_z - 0.5 * np.log(2 * np.pi * np.e)


def kernel_phases(Z, s, workers):
    """Seconds of the two phases of the kernel (same code path, timed apart)."""
    Z = _standardize_with_jitter(Z, np.random.RandomState(0))
    groups = [np.flatnonzero(s == g) for g in np.unique(s)]
    radius = np.empty(Z.shape[0])
    start = time.perf_counter()
    for rows in groups:
        dist, _ = cKDTree(Z[rows]).query(
            Z[rows], k=[N_NEIGHBORS + 1], p=np.inf, workers=workers
        )
        radius[rows] = dist[:, 0]
    t_knn = time.perf_counter() - start
    start = time.perf_counter()
    for rows in groups:
        tree = KDTree(Z[rows], metric="chebyshev")
        others = np.setdiff1d(np.arange(Z.shape[0]), rows)
        _count_within(tree, Z[others], radius[others], workers)
    t_count = time.perf_counter() - start
    return t_knn, t_count


def main(argv=None):
    parser = make_parser(__doc__)
    parser.add_argument("--n", type=parse_int, nargs="+", default=[10**4, 10**5])
    parser.add_argument("--d", type=int, nargs="+", default=[5, 20])
    parser.add_argument(
        "--max-samples",
        type=parse_int,
        nargs="*",
        default=[10_000, 20_000],
        help="extra rows: max_samples on the largest n and d",
    )
    parser.add_argument("--n-jobs", type=int, default=-1)
    add_repeat(parser, 2)
    add_quick(parser, "n = 1e4 only")
    add_seed(parser)
    add_output(parser, "bench_metrics_mi")
    args = parser.parse_args(argv)
    if args.quick:
        args.n, args.max_samples = [10**4], []
    workers = effective_n_jobs(args.n_jobs)

    print_header(
        "mutual_information benchmark", f"n_jobs={args.n_jobs} -> {workers} workers"
    )
    records = []
    cases = [(n, d, None) for n in args.n for d in args.d]
    cases += [(max(args.n), max(args.d), m) for m in args.max_samples]
    for n, d, max_samples in cases:
        Z, s = make_data(n, d, args.seed)
        # n * d >= 2e6 (1e5 x 20) runs for minutes: time it once
        repeat = 1 if n * d >= 2_000_000 and max_samples is None else args.repeat
        seconds, mi = best_of(
            lambda Z=Z, s=s, m=max_samples: mutual_information(
                Z, s, max_samples=m, random_state=0, n_jobs=args.n_jobs
            ),
            repeat,
            return_value=True,
        )
        rows = n if max_samples is None else min(n, max_samples)
        sub = (Z, s) if rows == n else make_data(rows, d, args.seed)
        t_knn, t_count = kernel_phases(*sub, workers) if rows == n else (None, None)
        floor = fl.all_pairs(sub[0])
        record = {
            "n": n,
            "d": d,
            "max_samples": max_samples,
            "seconds": seconds,
            "repeat": repeat,
            "mi": mi,
            "exact_mi": exact_mi(d),
            "knn_seconds": t_knn,
            "count_seconds": t_count,
            "brute_floor_seconds": floor,
            "load": load_average(),
        }
        records.append(record)
        log(
            f"   n={fmt_n(n)} d={d} max_samples={max_samples}: {seconds:.3g} s "
            f"(best of {repeat}), I={mi:.4f}, load {record['load']}"
        )

    def fmt(t):
        return "n/a" if t is None else f"{t:.3g}"

    table = [
        [
            fmt_n(r["n"]),
            r["d"],
            "-" if r["max_samples"] is None else fmt_n(r["max_samples"]),
            fmt(r["seconds"]),
            fmt(r["knn_seconds"]),
            fmt(r["count_seconds"]),
            fmt(r["brute_floor_seconds"]),
            f"{r['seconds'] / r['brute_floor_seconds']:.2f}",
            f"{r['mi']:.4f}",
            f"{r['exact_mi']:.4f}",
            f"{r['mi'] / r['exact_mi'] - 1:+.1%}",
        ]
        for r in records
    ]
    header = [
        "n",
        "d",
        "max_samples",
        "seconds",
        "own-group k-NN s",
        "other-group counts s",
        "brute floor s (1 thread)",
        "seconds / brute floor",
        "I (nats)",
        "exact I",
        "rel. error",
    ]
    log()
    print_table(header, table)
    write_results({"workers": workers, "records": records}, args.output)


if __name__ == "__main__":
    main()
