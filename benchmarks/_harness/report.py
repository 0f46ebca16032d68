"""Output: the log, number formats, tables (text and RST), header, raw JSON."""

import json
import os
import platform
from pathlib import Path

import numpy as np
import scipy
import sklearn
from threadpoolctl import threadpool_info

from _harness.timing import load_average


def log(msg=""):
    print(msg, flush=True)


# ------------------------------------------------------------------ numbers
def fmt_n(n):
    """``100000`` as ``1e5``; other integers as they are."""
    exp = int(np.log10(n)) if n > 0 else 0
    return f"1e{exp}" if 10**exp == n else str(n)


def fmt_time(t):
    """Seconds with three significant digits (``n/a`` when not measured)."""
    if t is None:
        return "n/a"
    return f"{t:.3g}" if t >= 1e-3 else f"{t:.2e}"


def fmt_ratio(num, den, digits=2):
    """``num / den`` (``n/a`` when either is missing)."""
    if num is None or den is None or den <= 0:
        return "n/a"
    return f"{num / den:.{digits}f}"


def f3(x):
    """Three decimals; ``-`` for a missing or non-finite value."""
    return "-" if x is None or not np.isfinite(x) else f"{x:.3f}"


# ------------------------------------------------------------------- tables
def _is_text(cell):
    return isinstance(cell, str) and not cell[:1].isdigit()


def markdown_table(header, rows):
    """An aligned markdown table: text cells left-aligned, numbers right."""
    widths = [max(len(str(c)) for c in col) for col in zip(header, *rows, strict=True)]
    head = " | ".join(str(h).ljust(w) for h, w in zip(header, widths, strict=True))
    lines = [f"| {head} |", "|" + "|".join("-" * (w + 2) for w in widths) + "|"]
    for row in rows:
        cells = [
            str(c).ljust(w) if _is_text(c) else str(c).rjust(w)
            for c, w in zip(row, widths, strict=True)
        ]
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)


def print_table(header, rows, title=None, note=None):
    """Log an aligned table, with a title line before and a note after."""
    if title:
        log(title)
        log()
    log(markdown_table(header, rows))
    if note:
        log()
        log(note)


def rst_list_table(header, rows):
    """The same table as an RST ``list-table`` (for the docs' include files)."""
    lines = [".. list-table::", "   :header-rows: 1", ""]
    for row in [header, *rows]:
        lines.append(f"   * - {row[0]}")
        lines += [f"     - {cell}" for cell in row[1:]]
    return "\n".join(lines)


# --------------------------------------------------------------- environment
def threadpools():
    """``threadpoolctl.threadpool_info()``, summarised: which BLAS/OpenMP
    libraries the timings use, with how many threads."""
    keys = ("user_api", "internal_api", "prefix", "version", "num_threads")
    return [{k: info.get(k) for k in keys} for info in threadpool_info()]


def environment():
    """Versions, machine and thread pools, as a dict (for the JSON)."""
    import sklearn_unlearn

    return {
        "python": platform.python_version(),
        "numpy": np.__version__,
        "scipy": scipy.__version__,
        "sklearn": sklearn.__version__,
        "sklearn_unlearn": getattr(sklearn_unlearn, "__version__", "?"),
        "machine": platform.machine(),
        "cpu_count": os.cpu_count(),
        "threadpools": threadpools(),
    }


def environment_line(pools=False):
    """One header line of versions and machine; ``pools`` adds the thread pools."""
    env = environment()
    line = (
        f"python {env['python']}, numpy {env['numpy']}, scipy {env['scipy']}, "
        f"scikit-learn {env['sklearn']}, sklearn_unlearn {env['sklearn_unlearn']}; "
        f"{env['machine']}, {env['cpu_count']} cpus"
    )
    if pools:
        line += "; " + "; ".join(
            f"{p['internal_api']} ({p['user_api']}): {p['num_threads']} threads"
            for p in env["threadpools"]
        )
    return line


def print_header(title, *lines):
    """The header every script starts with: title, versions and machine, load
    average, thread pools (with how many threads the timings run), then the
    script's own ``lines``."""

    log(f"# {title}")
    log()
    log(environment_line())
    log(f"load average at start = {load_average()}; thread pools:")
    for p in threadpools():
        log(
            f"  - {p['internal_api']} ({p['user_api']}, {p['prefix']}, "
            f"version {p['version']}): num_threads={p['num_threads']}"
        )
    for line in lines:
        log(line)
    log()


def loglog_plot(lines, path, xlabel, title, ylabel="seconds"):
    """A log-log PNG of ``lines`` = ``(label, x, y, {"fmt", "color", "marker"})``;
    returns its path, or None (with a note) when matplotlib is missing."""
    try:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        log("matplotlib missing: no plot")
        return None
    fig, ax = plt.subplots(figsize=(6.5, 4.5))
    for label, x, y, style in lines:
        style = dict(style)
        ax.loglog(x, y, style.pop("fmt", "-"), label=label, **style)
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    ax.set_title(title)
    ax.legend(fontsize=7)
    fig.tight_layout()
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return path


# ----------------------------------------------------------------------- JSON
def write_results(results, path):
    """Write ``results`` as indented JSON to ``path`` (folders created)."""
    out = Path(path)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(results, indent=2, default=float))
    log(f"\nraw numbers: {out}")
