"""Timing: best of repeats, one timed call, BLAS threads, load and memory."""

import contextlib
import gc
import os
import resource
import time

from threadpoolctl import threadpool_limits


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
