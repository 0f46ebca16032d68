"""Speed and scale of BarycenterFeatureUnlearner: floors, peers, memory, Dask.

Six sections, every ratio measured in the same run on the same data:

- ``ratios``: n = 1e6, d = 100, float64, 2 groups. Gaussian fit against one
  pass of per-group scatter matrices (a ``X_g.T @ X_g`` per group on contiguous
  groups, one BLAS thread as the fit uses); Gaussian transform against the
  GEMM-plus-copy floor (``X @ A`` into a preallocated output, plus a copy of X)
  with the default BLAS threads, as the transform uses them (one thread in
  brackets); quantile fit and transform against
  one sort per column (``np.sort(X, axis=0)``); peers: fairlearn's
  CorrelationRemover and scikit-lego's InformationFilter (fit + transform, when
  installed), POT's LinearTransport (the Gaussian map of one group onto the
  other) and AIF360's DisparateImpactRemover (at 1e4 x 100 against our quantile
  method: it is pure Python per value).
- ``transform_threads`` (not in the default run): the Gaussian transform and
  its floor of ``ratios`` alone, on the default BLAS threads and on one.
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
- ``dask_table``: the default method (``--dask-method``) on a 1e7 x 50 mixed
  table as dask arrays (X, y and S; 4 GB, generated chunk by chunk), fitted with
  ``y`` and repaired to disk (``--sink`` raw, parquet or zarr); times and the
  peak resident memory sampled during the section (goal: below 1 GB). A method
  that refuses dask input is reported as such, not as a failure. Smoke test:
  ``--sections dask_table --dask-n 1e5 --dask-method gaussian``.

Usage::

    python benchmarks/bench_scale.py                       # all (about 6 min)
    python benchmarks/bench_scale.py --sections ratios memory
    python benchmarks/bench_scale.py --sections dask_table --sink parquet
"""

import sys
import tempfile
import time
import tracemalloc
import warnings

import numpy as np
from _harness import (
    add_output,
    add_repeat,
    add_sections,
    best_of,
    interleaved,
    load_average,
    log,
    loglog_plot,
    make_parser,
    parse_int,
    peak_rss_mib,
    peers,
    print_table,
    result_path,
    sinks,
    write_results,
)
from _harness import floors as fl
from _harness.data import dask_mixed_table, grouped

from sklearn_unlearn import BarycenterFeatureUnlearner


def gaussian_ratios(X, s, repeat):
    """Gaussian fit and its scatter floor on one BLAS thread (as the fit runs);
    the transform and its GEMM + copy floor on the default BLAS threads (as the
    transform runs) and on one, taking turns (:func:`interleaved`)."""
    A = np.eye(X.shape[1], dtype=X.dtype) * 0.9
    buffer = np.empty_like(X)
    parts = fl.group_parts(X, s, (0, 1))
    unlearner = BarycenterFeatureUnlearner(method="gaussian", random_state=0)
    out = {
        "scatter_floor": best_of(lambda: fl.scatter(parts), repeat, threads=1),
        "gaussian_fit": best_of(lambda: unlearner.fit(X, sensitive_features=s), repeat),
    }
    floor = lambda: fl.gemm_copy(X, A, buffer)  # noqa: E731
    transform = lambda: unlearner.transform(X, sensitive_features=s)  # noqa: E731
    calls = {
        "gemm_copy_floor": (floor, None),
        "gaussian_transform": (transform, None),
        "gemm_copy_floor_1_thread": (floor, 1),
        "gaussian_transform_1_thread": (transform, 1),
    }
    out.update(interleaved(calls, repeat))
    return out


def section_transform_threads(repeat):
    """The Gaussian part of ``ratios`` alone: threads against one thread."""
    out = gaussian_ratios(*grouped(1_000_000, 100, np.float64), repeat)
    floor = out["gemm_copy_floor"]
    print_table(
        ["call", "threads", "seconds", "over the default-threads floor"],
        [
            [call, threads, f"{out[key]:.3f}", f"{out[key] / floor:.2f}"]
            for call, threads, key in (
                ("GEMM + copy", "default", "gemm_copy_floor"),
                ("GEMM + copy", "1", "gemm_copy_floor_1_thread"),
                ("gaussian transform", "default (pool)", "gaussian_transform"),
                ("gaussian transform", "1 (one loop)", "gaussian_transform_1_thread"),
            )
        ],
        title=f"\n## transform threads: n = 1e6, d = 100, float64 (min of {repeat})",
    )
    return out


def timed_unlearner(method, X, s, repeat):
    unlearner = BarycenterFeatureUnlearner(method=method, random_state=0)
    fit = best_of(lambda: unlearner.fit(X, sensitive_features=s), repeat)
    transform = best_of(lambda: unlearner.transform(X, sensitive_features=s), repeat)
    return fit, transform


def section_ratios(repeat):
    X, s = grouped(1_000_000, 100, np.float64)
    out = gaussian_ratios(X, s, repeat)
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
    out.update(peers.column_peers(X, s))
    out.update(peers.aif360_peer())
    rows = [
        (f"{method} {step}", f"{method}_{step}", label, floor)
        for method, step, label, floor in (
            ("gaussian", "fit", "per-group scatter", "scatter_floor"),
            ("gaussian", "transform", "GEMM + copy, threads", "gemm_copy_floor"),
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
    one = out["gaussian_transform_1_thread"]
    log(
        f"\nOn one BLAS thread (the transform then runs its blocks in one loop, "
        f"as before it used threads): gaussian transform {one:.3f} s, GEMM + "
        f"copy {out['gemm_copy_floor_1_thread']:.3f} s; over the default-threads "
        f"floor {one / out['gemm_copy_floor']:.2f} (threaded transform: "
        f"{out['gaussian_transform'] / out['gemm_copy_floor']:.2f})"
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


def section_dask(n=10_000_000, d=50, chunk=250_000, sink="raw"):
    dask = peers.require("dask", "dask section")
    if dask is None:
        return None
    import dask.array as da

    X = da.random.RandomState(0).standard_normal((n, d), chunks=(chunk, d))
    s = (da.random.RandomState(1).random_sample(n, chunks=chunk) < 0.4).astype(np.int64)
    X = X + s[:, None] * 0.5
    with tempfile.TemporaryDirectory() as folder:
        out = sinks.fit_and_store(
            BarycenterFeatureUnlearner(), X, None, s, sink, folder
        )
    out["gb"] = gb = n * d * 8 / 1e9
    log(
        f"\n## dask: {n:.0e} x {d} float64 ({gb:.1f} GB, chunks of {chunk} rows, "
        f"generated lazily), threaded scheduler, 2 workers\n"
        f"fit {out['fit']:.1f} s ({gb / out['fit']:.2f} GB/s), transform + store "
        f"to disk ({sink}) {out['transform']:.1f} s "
        f"({gb / out['transform']:.2f} GB/s), {out['written'] / 1e9:.1f} GB "
        f"written; peak resident memory {out['peak_rss_mb']:.0f} MB (at the "
        f"start of the section {out['rss_before_mb']:.0f} MB)"
    )
    return out


def section_dask_table(n, d, chunk, method, sink):
    """``method`` on the mixed table as dask arrays, fitted with y, to disk."""
    log(
        f"\n## dask table: method={method!r} on {n:.0e} x {d} mixed rows "
        f"({n * d * 8 / 1e9:.2f} GB float64, chunks of {chunk} rows, generated "
        f"lazily), fitted with y, repaired to disk ({sink}), threaded scheduler, "
        "2 workers"
    )
    if peers.require("dask", "dask_table section") is None:
        return None
    if (need := sinks.missing(sink)) is not None:
        log(f"{need} is not installed: no {sink} sink (try --sink raw)")
        return None
    X, y, s = dask_mixed_table(n, d, chunk)
    estimator = BarycenterFeatureUnlearner(method=method, random_state=0)
    with tempfile.TemporaryDirectory() as folder, warnings.catch_warnings():
        # the closed-form methods warn on the table's discrete columns
        warnings.simplefilter("ignore", UserWarning)
        out = sinks.fit_and_store(estimator, X, y, s, sink, folder)
    if "refused" in out:
        log(
            f"method={method!r} does not take dask input yet, so nothing was "
            f"measured ({out['refused']})"
        )
        return out
    out["gb"] = gb = n * d * 8 / 1e9
    log(
        f"fit {out['fit']:.1f} s ({gb / out['fit']:.2f} GB/s), transform + store "
        f"{out['transform']:.1f} s ({gb / out['transform']:.2f} GB/s), "
        f"{out['written'] / 1e9:.2f} GB written; peak resident memory during the "
        f"section {out['peak_rss_mb']:.0f} MB (at its start "
        f"{out['rss_before_mb']:.0f} MB; goal below 1024 MB)"
    )
    return out


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
    names = ["dask", "dask_table", "dask_select", "ratios", "scaling", "memory"]
    add_sections(parser, [*names, "transform_threads"], default=names)
    add_repeat(parser, 2)
    parser.add_argument("--sizes", nargs="+", type=float, default=[1e5, 1e6, 1e7])
    parser.add_argument("--dask-n", type=parse_int, default=10**7)
    parser.add_argument("--dask-chunk", type=parse_int, default=100_000)
    parser.add_argument("--dask-method", default="stochastic")
    parser.add_argument("--sink", choices=sinks.SINKS, default="parquet")
    add_output(parser, "bench_scale")
    args = parser.parse_args(argv)
    warnings.filterwarnings("ignore", category=FutureWarning)
    log(f"load average: {load_average()}; python {sys.version.split()[0]}")
    runners = {
        "ratios": lambda: section_ratios(args.repeat),
        "transform_threads": lambda: section_transform_threads(args.repeat),
        "scaling": lambda: section_scaling(args.repeat, [int(n) for n in args.sizes]),
        "memory": section_memory,
        "dask_select": section_dask_select,
        "dask": section_dask,
        "dask_table": lambda: section_dask_table(
            args.dask_n, 50, args.dask_chunk, args.dask_method, args.sink
        ),
    }
    results = {name: runners[name]() for name in args.sections}
    write_results(results, args.output)


if __name__ == "__main__":
    main()
