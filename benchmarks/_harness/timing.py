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


def interleaved(calls, repeat):
    """``{name: smallest wall time}`` of ``calls = {name: (fn, threads)}``, the
    calls taking turns ``repeat`` times (one of each per round, the order
    rotated each round), so that a burst of load from other processes, or the
    kernel zeroing pages for a large output after the previous one was freed,
    hits every call alike; ``threads`` as in :func:`best_of`. Each result is
    freed before the next call."""
    best = dict.fromkeys(calls, float("inf"))
    names = list(calls)
    for round_ in range(repeat):
        shift = round_ % len(names)
        for name in names[shift:] + names[:shift]:
            fn, threads = calls[name]
            best[name] = min(best[name], best_of(fn, 1, threads=threads))
    return best


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


class RSSPeak:
    """Peak resident memory of the process while the ``with`` block runs.

    Sampled every ``interval`` seconds by a thread (psutil); without psutil,
    the process's lifetime peak (``ru_maxrss``). ``start_mib`` and
    ``peak_mib`` are set on exit.
    """

    def __init__(self, interval=0.02):
        self.interval, self.start_mib, self.peak_mib = interval, None, None

    def _sample(self):
        while not self._stop.wait(self.interval):
            self.peak_mib = max(self.peak_mib, self._rss())

    def __enter__(self):
        import threading

        try:
            import psutil
        except ImportError:
            self._rss, self._thread = None, None
            self.start_mib = peak_rss_mib()
            return self
        process = psutil.Process()
        self._rss = lambda: process.memory_info().rss / 2**20
        self.start_mib = self.peak_mib = self._rss()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._sample, daemon=True)
        self._thread.start()
        return self

    def __exit__(self, *exc):
        if self._thread is None:
            self.peak_mib = peak_rss_mib()
            return False
        self._stop.set()
        self._thread.join()
        self.peak_mib = max(self.peak_mib, self._rss(), 0.0)
        return False
