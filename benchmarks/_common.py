"""Helpers shared by the benchmark scripts: timing, load, formatting.

The scripts run as ``python benchmarks/<script>.py``, so this folder is on
``sys.path`` and they import this module as ``_common``.
"""

import gc
import json
import os
import time
from pathlib import Path

import numpy as np


def log(msg=""):
    print(msg, flush=True)


def best_of(fn, repeat, *, return_value=False):
    """Smallest wall time of ``repeat`` calls of ``fn``.

    The result of each call is freed before the next one (large outputs must
    not pile up) unless ``return_value``, which returns ``(seconds, result of
    the last call)`` instead of the seconds alone.
    """
    best, out = float("inf"), None
    for _ in range(repeat):
        out = None
        gc.collect()
        start = time.perf_counter()
        out = fn()
        best = min(best, time.perf_counter() - start)
        if not return_value:
            out = None
    return (best, out) if return_value else best


def load_average():
    """1, 5 and 15 minute load averages (other processes distort the timings)."""
    try:
        return ", ".join(f"{x:.2f}" for x in os.getloadavg())
    except (AttributeError, OSError):
        return "n/a"


def fmt_n(n):
    exp = int(np.log10(n)) if n > 0 else 0
    return f"1e{exp}" if 10**exp == n else str(n)


def parse_int(text):
    """Command-line integers written as ``100000`` or ``1e5``."""
    return int(float(text))


def markdown_table(header, rows):
    widths = [max(len(str(c)) for c in col) for col in zip(header, *rows, strict=True)]
    lines = [
        "| "
        + " | ".join(str(h).ljust(w) for h, w in zip(header, widths, strict=True))
        + " |",
        "|" + "|".join("-" * (w + 2) for w in widths) + "|",
    ]
    for row in rows:
        lines.append(
            "| "
            + " | ".join(
                str(c).ljust(w)
                if isinstance(c, str) and not c[:1].isdigit()
                else str(c).rjust(w)
                for c, w in zip(row, widths, strict=True)
            )
            + " |"
        )
    return "\n".join(lines)


def write_results(results, path):
    """Write ``results`` as indented JSON to ``path`` (folders created)."""
    out = Path(path)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(results, indent=2, default=float))
    log(f"\nraw numbers: {out}")
