"""Timing: best of repeats, one timed call, BLAS threads, load and memory."""

import contextlib
import gc
import os
import resource
import time

import numpy as np
from threadpoolctl import threadpool_limits

from _harness.report import fmt_ratio, fmt_time, log, print_table


def best_of(fn, repeat, *, return_value=False, threads=None):
    """Smallest wall time of ``repeat`` calls of ``fn``.

    The result of each call is freed before the next one (large outputs must
    not pile up) unless ``return_value``, which returns ``(seconds, result of
    the last call)`` instead of the seconds alone. With ``threads``, every call
    runs under ``threadpool_limits(threads)`` (see :func:`blas_threads`).
    """
    best, out = float("inf"), None
    with blas_threads(threads):
        for _ in range(repeat):
            out = None
            gc.collect()
            start = time.perf_counter()
            out = fn()
            best = min(best, time.perf_counter() - start)
            if not return_value:
                out = None
    return (best, out) if return_value else best


def timed(fn):
    """``(fn(), seconds)`` of one call (for work measured once, e.g. per seed)."""
    start = time.perf_counter()
    out = fn()
    return out, time.perf_counter() - start


@contextlib.contextmanager
def blas_threads(limits=None, user_api=None):
    """``threadpool_limits(limits, user_api)``, or nothing when ``limits`` is None.

    The library runs its small ``d x d`` work on one BLAS thread, and the
    floors it is compared with must run with the same threads; scripts that
    train boosted trees run everything on one thread (on a busy 2-core machine
    their OpenMP threads spin-wait).
    """
    if limits is None:
        yield None
        return
    with threadpool_limits(limits=limits, user_api=user_api) as limiter:
        yield limiter


def limit_threads(limits):
    """Limit every thread pool (BLAS and OpenMP) for the rest of the process."""
    return threadpool_limits(limits=limits)


def load_average():
    """1, 5 and 15 minute load averages (other processes distort the timings)."""
    try:
        return ", ".join(f"{x:.2f}" for x in os.getloadavg())
    except (AttributeError, OSError):
        return "n/a"


def peak_rss_mib():
    """Peak resident memory of this process so far (Linux: ru_maxrss in KiB)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def peak_rss_gib():
    return peak_rss_mib() / 1024


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
