"""Speed and scale of BarycenterFeatureUnlearner: floors, peers, memory, Dask.

Four sections, every ratio measured in the same run on the same data:

- ``ratios``: n = 1e6, d = 100, float64, 2 groups. Gaussian fit against one
  pass of per-group scatter matrices (a ``X_g.T @ X_g`` per group on contiguous
  groups); Gaussian transform against the GEMM-plus-copy floor (``X @ A`` into a
  preallocated output, plus a copy of X); quantile fit and transform against
  one sort per column (``np.sort(X, axis=0)``); peers: fairlearn's
  CorrelationRemover and scikit-lego's InformationFilter (fit + transform, when
  installed), POT's LinearTransport (the Gaussian map of one group onto the
  other) and AIF360's DisparateImpactRemover (at 1e4 x 100 against our quantile
  method: it is pure Python per value).
- ``scaling``: fit and transform times for n = 1e5, 1e6, 1e7 (d = 50, float32
  and float64; the quantile method up to 1e6), plotted log-log as PNG.
- ``memory``: peak extra memory of ``transform`` on 1e7 x 50 float32 (traced
  with tracemalloc, which sees NumPy's allocations), beyond input and output.
- ``dask_select``: DistributionalSelector on the same kind of 1e7 x 50 dask
  array (30% forget rows): time and peak resident memory.
- ``dask``: a 1e7 x 50 float64 dask array (4 GB, generated chunk by chunk, never
  whole in memory) is fitted and repaired into a file on disk, block by block;
  throughput and the process's peak resident memory (run first, so that the
  other sections' arrays do not count).

Usage::

    python benchmarks/bench_scale.py                       # all (about 6 min)
    python benchmarks/bench_scale.py --sections ratios memory
"""

import os
import sys
import tempfile
import time
import tracemalloc
import warnings
from pathlib import Path

import numpy as np
from _harness import (
    add_output,
    add_repeat,
    add_sections,
    best_of,
    load_average,
    log,
    loglog_plot,
    make_parser,
    peak_rss_mib,
    peers,
    print_table,
    result_path,
    write_results,
)
from _harness import floors as fl

from sklearn_unlearn import BarycenterFeatureUnlearner


def grouped(n, d, dtype, seed=0):
    """Two groups with different means and covariances, rows interleaved."""
    rng = np.random.default_rng(seed)
    s = (rng.random(n) < 0.4).astype(np.int64)
    X = rng.standard_normal((n, d), dtype=np.float32).astype(dtype, copy=False)
    X[s == 1] *= 1.5
    X[s == 1] += 0.5
    return X, s


def gaussian_floors(X, s, repeat):
    """Scatter and GEMM + copy floors on one BLAS thread, as the library uses."""
    A = np.eye(X.shape[1], dtype=X.dtype) * 0.9
    out = np.empty_like(X)
    parts = fl.group_parts(X, s, (0, 1))
    return {
        "scatter_floor": best_of(lambda: fl.scatter(parts), repeat, threads=1),
        "gemm_copy_floor": best_of(lambda: fl.gemm_copy(X, A, out), repeat, threads=1),
    }


def timed_unlearner(method, X, s, repeat):
    unlearner = BarycenterFeatureUnlearner(method=method, random_state=0)
    fit = best_of(lambda: unlearner.fit(X, sensitive_features=s), repeat)
    transform = best_of(lambda: unlearner.transform(X, sensitive_features=s), repeat)
    return fit, transform


def section_ratios(repeat):
    X, s = grouped(1_000_000, 100, np.float64)
    out = gaussian_floors(X, s, repeat)
    out["gaussian_fit"], out["gaussian_transform"] = timed_unlearner(
        "gaussian", X, s, repeat
    )
    out["sort_floor"] = best_of(lambda: fl.sort_columns(X), repeat)
    out["quantile_fit"], out["quantile_transform"] = timed_unlearner(
        "quantile", X, s, repeat
    )
    # POT's closest tool: the Gaussian (linear) map from one group to the other
    out["pot_linear_transport"] = None
    if peers.require("ot", "LinearTransport comparison") is not None:
        out["pot_linear_transport"] = best_of(
            lambda: peers.linear_transport(X[s == 1], X[s == 0]), 1
        )
    out.update(column_peers(X, s))
    out.update(aif360_peer())
    rows = [
        (f"{method} {step}", f"{method}_{step}", label, floor)
        for method, step, label, floor in (
            ("gaussian", "fit", "per-group scatter", "scatter_floor"),
            ("gaussian", "transform", "GEMM + copy", "gemm_copy_floor"),
            ("quantile", "fit", "sort per column", "sort_floor"),
            ("quantile", "transform", "sort per column", "sort_floor"),
        )
    ]
    print_table(
        ["operation", "seconds", "floor", "floor s", "ratio"],
        [
            [op, f"{out[t]:.3f}", label, f"{out[f]:.3f}", f"{out[t] / out[f]:.2f}"]
            for op, t, label, f in rows
        ],
        title="\n## ratios: n = 1e6, d = 100, float64, 2 groups",
    )
    total = out["gaussian_fit"] + out["gaussian_transform"]
    if out["pot_linear_transport"] is not None:
        log(
            "\nPOT LinearTransport (one group mapped onto the other) fit + "
            f"transform: {out['pot_linear_transport']:.2f} s "
            f"({out['pot_linear_transport'] / total:.1f}x the gaussian fit + "
            "transform of all groups)"
        )
    if out["sklego_information_filter"] is not None:
        log(
            "scikit-lego InformationFilter fit + transform: "
            f"{out['sklego_information_filter']:.2f} s "
            f"({out['sklego_information_filter'] / total:.1f}x ours)"
        )
    if out["aif360_disparate_impact_remover"] is not None:
        speedup = out["aif360_disparate_impact_remover"] / out["aif360_ours_quantile"]
        log(
            f"AIF360 DisparateImpactRemover (repair_level=1) fit + transform at "
            f"n = 1e4, d = 100: {out['aif360_disparate_impact_remover']:.2f} s; our "
            f"quantile method (the same per-group quantile repair) "
            f"{out['aif360_ours_quantile']:.3f} s "
            f"({speedup:.0f}x faster)"
        )
    if out["fairlearn"] is not None:
        log(
            f"\nfairlearn CorrelationRemover fit + transform: "
            f"{out['fairlearn']:.2f} s; gaussian fit + transform: {total:.2f} s "
            f"({out['fairlearn'] / total:.1f}x faster)"
        )
    return out


def column_peers(X, s):
    """fairlearn's CorrelationRemover and scikit-lego's InformationFilter (fit +
    transform, when installed) on X with S as its first column, built once."""
    makers = {
        "fairlearn": lambda: peers.correlation_remover([0], "CorrelationRemover"),
        "sklego_information_filter": lambda: peers.information_filter(
            [0], "InformationFilter"
        ),
    }
    out = dict.fromkeys(makers)
    with_s = None
    for name, make in makers.items():
        if make() is None:
            continue
        if with_s is None:
            with_s = np.column_stack([s.astype(X.dtype), X])
        out[name] = best_of(lambda m=make, Z=with_s: m().fit_transform(Z), 1)
    return out


def aif360_peer(n=10_000, d=100):
    """AIF360's DisparateImpactRemover against our quantile method, at 1e4 x 100.

    Its per-feature median repair is a quantile repair group by group; it is
    pure Python per value, so it runs at a size where it ends in seconds.
    """
    import pandas as pd

    X, s = grouped(n, d, np.float64)
    frame = pd.DataFrame(X, columns=[f"x{j}" for j in range(d)])
    frame["s"] = s
    frame["label"] = (X[:, 0] > 0).astype(int)
    peer = peers.disparate_impact_remover(frame, "label", "s")
    if peer is None:
        return {"aif360_disparate_impact_remover": None, "aif360_ours_quantile": None}

    def ours():
        BarycenterFeatureUnlearner(method="quantile").fit(
            X, sensitive_features=s
        ).transform(X, sensitive_features=s)

    return {
        "aif360_disparate_impact_remover": best_of(peer, 1),
        "aif360_ours_quantile": best_of(ours, 3),
    }


def section_scaling(repeat, sizes):
    log("\n## scaling (d = 50)")
    records = []
    for dtype in (np.float32, np.float64):
        for n in sizes:
            X, s = grouped(n, 50, dtype)
            for method in ("gaussian", "quantile"):
                if method == "quantile" and n > 1_000_000:
                    continue
                fit, transform = timed_unlearner(
                    method, X, s, 1 if n >= 10**7 else repeat
                )
                records.append(
                    {
                        "dtype": np.dtype(dtype).name,
                        "n": n,
                        "method": method,
                        "fit": fit,
                        "transform": transform,
                    }
                )
                log(
                    f"  {np.dtype(dtype).name} n={n:.0e} {method}: fit {fit:.3f} s, "
                    f"transform {transform:.3f} s"
                )
            del X, s
    _plot_scaling(records)
    return records


def _plot_scaling(records):
    lines = []
    for dtype, style in (("float32", "--"), ("float64", "-")):
        for method, color in (("gaussian", "C0"), ("quantile", "C1")):
            for step, marker in (("fit", "o"), ("transform", "s")):
                mine = [
                    r for r in records if r["dtype"] == dtype and r["method"] == method
                ]
                if mine:
                    xy = ([r["n"] for r in mine], [r[step] for r in mine])
                    style_kw = {"fmt": style, "color": color, "marker": marker}
                    lines.append((f"{method} {step} ({dtype})", *xy, style_kw))
    path = loglog_plot(
        lines,
        result_path("bench_scale.png"),
        xlabel="rows n (d = 50)",
        title="BarycenterFeatureUnlearner: time against n",
    )
    if path:
        log(f"scaling plot: {path}")


def section_memory():
    X, s = grouped(10_000_000, 50, np.float32)
    unlearner = BarycenterFeatureUnlearner().fit(
        X[:1_000_000], sensitive_features=s[:1_000_000]
    )
    tracemalloc.start()
    start = time.perf_counter()
    Z = unlearner.transform(X, sensitive_features=s)
    seconds = time.perf_counter() - start
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    extra = (peak - Z.nbytes) / 2**20
    log(
        f"\n## memory: transform of 1e7 x 50 float32 (input {X.nbytes / 2**20:.0f} MB, "
        f"output {Z.nbytes / 2**20:.0f} MB): traced peak beyond the output "
        f"{extra:.0f} MB, {seconds:.2f} s"
    )
    return {
        "input_mb": X.nbytes / 2**20,
        "output_mb": Z.nbytes / 2**20,
        "extra_mb": extra,
        "seconds": seconds,
    }


class RawFile:
    """A ``da.store`` target writing row blocks to a file with ``os.pwrite``.

    No memory map: written pages are not counted in the process's resident
    memory, so the peak measures what the computation itself holds.
    """

    def __init__(self, path, n_columns, dtype):
        self.fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC)
        self.row_bytes = n_columns * np.dtype(dtype).itemsize
        self.dtype = dtype

    def __setitem__(self, key, value):
        rows = key[0] if isinstance(key, tuple) else key
        block = np.ascontiguousarray(value, dtype=self.dtype)
        os.pwrite(self.fd, block.tobytes(), rows.start * self.row_bytes)

    def close(self):
        os.close(self.fd)


def section_dask(n=10_000_000, d=50, chunk=250_000):
    dask = peers.require("dask", "dask section")
    if dask is None:
        return None
    import dask.array as da

    X = da.random.RandomState(0).standard_normal((n, d), chunks=(chunk, d))
    s = (da.random.RandomState(1).random_sample(n, chunks=chunk) < 0.4).astype(np.int64)
    X = X + s[:, None] * 0.5
    rss_before = peak_rss_mib()
    with dask.config.set(scheduler="threads", num_workers=2):
        start = time.perf_counter()
        unlearner = BarycenterFeatureUnlearner().fit(X, sensitive_features=s)
        fit = time.perf_counter() - start
        with tempfile.TemporaryDirectory() as folder:
            target = RawFile(Path(folder) / "repaired.bin", d, np.float64)
            start = time.perf_counter()
            da.store(unlearner.transform(X, sensitive_features=s), target, lock=False)
            transform = time.perf_counter() - start
            target.close()
            written = (Path(folder) / "repaired.bin").stat().st_size
    peak = peak_rss_mib()
    gb = n * d * 8 / 1e9
    log(
        f"\n## dask: {n:.0e} x {d} float64 ({gb:.1f} GB, chunks of {chunk} rows, "
        f"generated lazily), threaded scheduler, 2 workers\n"
        f"fit {fit:.1f} s ({gb / fit:.2f} GB/s), transform + store to disk "
        f"{transform:.1f} s ({gb / transform:.2f} GB/s), {written / 1e9:.1f} GB "
        f"written; peak resident memory of the process {peak:.0f} MB (before the "
        f"section {rss_before:.0f} MB)"
    )
    return {
        "fit": fit,
        "transform": transform,
        "gb": gb,
        "peak_rss_mb": peak,
        "rss_before_mb": rss_before,
    }


def section_dask_select(n=10_000_000, d=50, chunk=250_000):
    log("\n## dask selection: DistributionalSelector on a 4 GB dask array")
    dask = peers.require("dask", "dask_select section")
    if dask is None:
        return None
    import dask.array as da

    from sklearn_unlearn import DistributionalSelector

    mask = da.random.RandomState(1).random_sample(n, chunks=chunk) < 0.3
    X = da.random.RandomState(0).standard_normal((n, d), chunks=(chunk, d))
    X = X + mask[:, None] * 0.5
    out = {}
    with dask.config.set(scheduler="threads", num_workers=2):
        for score in ("euclidean", "likelihood_ratio"):
            start = time.perf_counter()
            selector = DistributionalSelector(score, budget=0.5, family=None).fit(
                X, forget_mask=mask
            )
            out[score] = time.perf_counter() - start
            log(
                f"  {score}: {out[score]:.1f} s for {n:.0e} x {d} "
                f"({selector.forget_indices_.size} forget rows, "
                f"{selector.n_deleted_} deleted)"
            )
    out["peak_rss_mb"] = peak_rss_mib()
    log(f"  peak resident memory {out['peak_rss_mb']:.0f} MB")
    return out


def main(argv=None):
    parser = make_parser(__doc__)
    # dask first: its peak resident memory must not include the other sections
    add_sections(parser, ["dask", "dask_select", "ratios", "scaling", "memory"])
    add_repeat(parser, 2)
    parser.add_argument("--sizes", nargs="+", type=float, default=[1e5, 1e6, 1e7])
    add_output(parser, "bench_scale")
    args = parser.parse_args(argv)
    warnings.filterwarnings("ignore", category=FutureWarning)
    log(f"load average: {load_average()}; python {sys.version.split()[0]}")
    runners = {
        "ratios": lambda: section_ratios(args.repeat),
        "scaling": lambda: section_scaling(args.repeat, [int(n) for n in args.sizes]),
        "memory": section_memory,
        "dask_select": section_dask_select,
        "dask": section_dask,
    }
    results = {name: runners[name]() for name in args.sections}
    write_results(results, args.output)


if __name__ == "__main__":
    main()
