"""Hardware floors: the least work an operation cannot avoid, timed alone.

Each function here *is* the floor's work; the scripts time it with
:func:`_harness.timing.best_of` on the same data and with the same BLAS threads
as the operation it bounds, and print the operation's time over it
(:func:`ratio`). ``benchmarks/README.md`` says why each one is a floor.
"""

import time

import numpy as np
from scipy.spatial.distance import cdist

from _harness.report import fmt_ratio, fmt_time, log, print_table
from _harness.timing import best_of, blas_threads

#: Rows per block of the nearest-anchor floor.
NN_CHUNK = 8192
#: Rows per block of the blocked GEMM floor.
GEMM_BLOCK = 2048
#: Rows of the block that the all-pairs floor is timed on.
BRUTE_BLOCK = 500


def ratio(seconds, floor):
    """``seconds / floor``, or None when either is missing (peer not installed,
    floor not measured)."""
    if seconds is None or floor is None or floor <= 0:
        return None
    return seconds / floor


def gemm_copy(X, A, out=None):
    """One ``X @ A`` GEMM plus one copy of ``X``: what an affine map of every row
    must at least compute and write. Without ``out``, both results are new
    arrays; with it, the GEMM writes into ``out`` and ``X`` is then copied
    into it (no allocation in the timed region)."""
    if out is None:
        return X @ A, X.copy()
    np.matmul(X, A, out=out)
    out[:] = X
    return out


def group_parts(X, codes, groups):
    """Contiguous copies of each group's rows (made outside a timed region)."""
    return [np.ascontiguousarray(X[codes == g]) for g in groups]


def scatter(parts):
    """``X_g.T @ X_g`` of each (already contiguous) group."""
    return [part.T @ part for part in parts]


def gathered_scatter(X, codes, n_groups):
    """Gather each group's rows, then ``X_g.T @ X_g``: one pass of second moments
    with the gather included."""
    out = []
    for g in range(n_groups):
        Xg = X[codes == g]
        out.append(Xg.T @ Xg)
    return out


def sort_columns(X):
    """One sort per column (``np.sort(X, axis=0)``)."""
    return np.sort(X, axis=0)


def nearest_anchor(X, B, chunk=NN_CHUNK):
    """Nearest of ``B.shape[1]`` anchors for every row: one score GEMM and an
    argmin, by blocks of rows."""
    out = np.empty(X.shape[0], dtype=np.intp)
    for start in range(0, X.shape[0], chunk):
        out[start : start + chunk] = np.argmin(X[start : start + chunk] @ B, axis=1)
    return out


def blocked_gemm(E, C, out, block=GEMM_BLOCK):
    """``E @ C`` by blocks of rows into a reused ``out`` of ``block`` rows (a
    distance pass of every row to ``C.shape[1]`` centers)."""
    for start in range(0, E.shape[0], block):
        rows = E[start : start + block]
        np.matmul(rows, C, out=out[: rows.shape[0]])
    return out


def mean_and_gemv(X_mean, X_gemv, v):
    """The mean of the rows of ``X_mean`` and one GEMV ``X_gemv @ v`` (contiguous
    views, no copy): reading every row once."""
    return X_mean.mean(axis=0), X_gemv @ v


def all_pairs(Z, metric="chebyshev", block=BRUTE_BLOCK):
    """Seconds of ``cdist`` over all n^2 pairs, extrapolated from one block of
    rows (timed once: at 1e5 rows the full product takes minutes)."""
    rows = Z[: min(block, Z.shape[0])]
    start = time.perf_counter()
    cdist(rows, Z, metric)
    return (time.perf_counter() - start) * Z.shape[0] / rows.shape[0]


def eigh_threads(repeat, size=100, calls=200):
    """Do BLAS threads help small ``d x d`` work? ``calls`` eigendecompositions
    of ``size x size`` symmetric matrices (a loop of calls and one batched
    call), with the default threads and on one thread; prints the table and
    returns the seconds."""
    log(f"## np.linalg.eigh on {size} x {size} matrices, {calls} calls: BLAS threads")
    rng = np.random.default_rng(2)
    stack = rng.standard_normal((calls, size, size))
    stack = (stack + np.swapaxes(stack, 1, 2)) / 2

    def loop():
        for M in stack:
            np.linalg.eigh(M)

    out = {
        "size": size,
        "calls": calls,
        "loop_default": best_of(loop, repeat),
        "stack_default": best_of(lambda: np.linalg.eigh(stack), repeat),
    }
    with blas_threads(1, user_api="blas"):
        out["loop_1_thread"] = best_of(loop, repeat)
        out["stack_1_thread"] = best_of(lambda: np.linalg.eigh(stack), repeat)
    rows = [
        [label]
        + [fmt_time(out[f"{key}_{t}"]) for t in ("default", "1_thread")]
        + [fmt_ratio(out[f"{key}_default"], out[f"{key}_1_thread"])]
        for label, key in (
            (f"loop of {calls} eigh calls", "loop"),
            (f"one batched eigh ({calls},{size},{size})", "stack"),
        )
    ]
    print_table(
        ["variant", "default threads s", "1 thread s", "default / 1 thread"],
        rows,
        note="(ratio > 1: the default BLAS threads are slower than one thread on "
        "small d x d work. One thread is never much slower here, while extra "
        "threads lose badly as soon as other processes compete for the cores: "
        "this is why the library runs its eigh-heavy barycenter code under "
        "threadpool_limits(1).)",
    )
    log()
    return out
