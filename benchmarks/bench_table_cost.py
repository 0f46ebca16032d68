"""Cost of the default table method: fit + transform at 1e5..1e6 rows, one core.

Usage::

    python benchmarks/bench_table_cost.py            # n = 1e5, 3e5, 1e6; d = 50
    python benchmarks/bench_table_cost.py --n 1000000 --repeat 3

The data is a synthetic mixed table (one-hot blocks, binary flags, skewed
amounts, continuous columns; two groups; a binary label). The floor of the
method is its ``n x k`` distance pass: every row meets every cell center once,
one float32 GEMM of ``n x (d + 1)`` by ``(d + 1) x k``; fit makes one such pass
over all rows (plus Lloyd steps on a sample), transform another. The script
prints fit and transform times of ``BarycenterFeatureUnlearner()`` with and
without ``y``, the time per row (fit must be linear in n), the ratio of fit +
transform to two floor GEMMs, of the transform to one, and of the transform
to the Gaussian method's transform of the same rows (an affine map per row:
what a repair that draws nothing costs), all on one thread (BLAS and OpenMP).
"""

import time
import warnings
from functools import partial

import numpy as np
from _harness import (
    add_repeat,
    best_of,
    blas_threads,
    fmt_n,
    load_average,
    log,
    make_parser,
    parse_int,
    print_table,
)
from _harness import floors as fl
from _harness.data import mixed_table

from sklearn_unlearn import BarycenterFeatureUnlearner


def floor_seconds(n, d, k, repeat):
    """One float32 ``n x (d + 1)`` by ``(d + 1) x k`` GEMM, in blocks of 2048 rows."""
    rng = np.random.default_rng(0)
    E = rng.normal(size=(n, d + 1)).astype(np.float32)
    C = rng.normal(size=(d + 1, k)).astype(np.float32)
    out = np.empty((fl.GEMM_BLOCK, k), dtype=np.float32)
    return best_of(lambda: fl.blocked_gemm(E, C, out), repeat)


def measure(n, d, repeat):
    """``(rows, gaussian transform seconds)``; a row is (with y, fit, transform, k)."""
    X, y, s = mixed_table(n, d)
    rows = []
    for label in (y, None):
        est = BarycenterFeatureUnlearner(random_state=0)
        fit = best_of(partial(est.fit, X, label, sensitive_features=s), repeat)
        transform = best_of(partial(est.transform, X, sensitive_features=s), repeat)
        k = est.cell_centers_.shape[0]
        rows.append((label is not None, fit, transform, k))
    with warnings.catch_warnings():  # it warns on the table's discrete columns
        warnings.simplefilter("ignore", UserWarning)
        gaussian = BarycenterFeatureUnlearner(method="gaussian").fit(
            X, sensitive_features=s
        )
    affine = best_of(partial(gaussian.transform, X, sensitive_features=s), repeat)
    return rows, affine


def main(argv=None):
    parser = make_parser(__doc__)
    parser.add_argument(
        "--n", nargs="+", type=parse_int, default=[10**5, 3 * 10**5, 10**6]
    )
    parser.add_argument("--d", type=int, default=50)
    add_repeat(parser, 1)
    args = parser.parse_args(argv)
    warnings.filterwarnings("ignore", category=UserWarning)
    log(f"load average: {load_average()}")
    table = []
    with blas_threads(1):
        for n in args.n:
            rows, affine = measure(n, args.d, args.repeat)
            for with_y, fit, transform, k in rows:
                floor = floor_seconds(n, args.d, k, args.repeat)
                table.append(
                    [
                        fmt_n(n),
                        "yes" if with_y else "no",
                        str(k),
                        f"{fit:.2f}",
                        f"{transform:.2f}",
                        f"{fit + transform:.2f}",
                        f"{1e6 * fit / n:.2f}",
                        f"{floor:.2f}",
                        f"{(fit + transform) / (2 * floor):.1f}",
                        f"{transform / floor:.1f}",
                        f"{affine:.2f}",
                        f"{transform / affine:.1f}",
                    ]
                )
                log(" | ".join(table[-1]))
    header = [
        "n",
        "y",
        "cells",
        "fit s",
        "transform s",
        "total s",
        "fit us/row",
        "floor GEMM s",
        "total / 2 floors",
        "transform / floor",
        "gaussian transform s",
        "transform / gaussian",
    ]
    print_table(
        header,
        table,
        note=f"(d = {args.d}; {time.strftime('%Y-%m-%d')}; BLAS and OpenMP limited "
        f"to 1 thread; load average at the end: {load_average()})",
    )


if __name__ == "__main__":
    main()
