"""The harness every benchmark script shares.

The scripts run as ``python benchmarks/<script>.py``, so the ``benchmarks``
folder is on ``sys.path`` and they import this package as ``_harness``:

- :mod:`_harness.timing`: best-of-repeats and single timings, BLAS threads,
  load average, peak memory (lifetime, or sampled during a block);
- :mod:`_harness.data`: the synthetic data of the scale and cost scripts
  (Gaussian groups, a mixed table, the table as lazy dask arrays);
- :mod:`_harness.sinks`: a dask fit, then its repair written to disk (raw
  file, Parquet or Zarr) with the peak resident memory;
- :mod:`_harness.floors`: the hardware floors (GEMM + copy, per-group scatter, BLAS
  threads on small eigendecompositions,
  sort per column, nearest anchor, ...) and ratios to them;
- :mod:`_harness.peers`: the other libraries (fairlearn, scikit-lego, POT,
  AIF360), imported lazily and skipped with a printed note when missing;
- :mod:`_harness.cli`: the command-line options the scripts share (``--quick``,
  ``--repeat``, ``--seed(s)``, ``--output``) and number parsing;
- :mod:`_harness.report`: logging, number formats, the aligned text table, the
  RST list-table, the environment header and the JSON of raw numbers.
"""

from _harness.cli import (
    add_output,
    add_quick,
    add_repeat,
    add_sections,
    add_seed,
    add_seeds,
    fill_defaults,
    make_parser,
    parse_int,
    result_path,
)
from _harness.report import (
    environment,
    environment_line,
    f3,
    fmt_n,
    fmt_ratio,
    fmt_time,
    log,
    loglog_plot,
    markdown_table,
    print_header,
    print_table,
    rst_list_table,
    threadpools,
    write_results,
)
from _harness.timing import (
    RSSPeak,
    best_of,
    blas_threads,
    interleaved,
    limit_threads,
    load_average,
    peak_rss_gib,
    peak_rss_mib,
    timed,
)

__all__ = [
    "RSSPeak",
    "add_output",
    "add_quick",
    "add_repeat",
    "add_sections",
    "add_seed",
    "add_seeds",
    "best_of",
    "blas_threads",
    "environment",
    "environment_line",
    "f3",
    "fill_defaults",
    "fmt_n",
    "fmt_ratio",
    "fmt_time",
    "interleaved",
    "limit_threads",
    "load_average",
    "log",
    "loglog_plot",
    "make_parser",
    "markdown_table",
    "parse_int",
    "peak_rss_gib",
    "peak_rss_mib",
    "print_header",
    "print_table",
    "result_path",
    "rst_list_table",
    "threadpools",
    "timed",
    "write_results",
]
