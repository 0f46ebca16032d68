"""``speed`` section of ``bench_selection.py``: fit time of the selector on n
forget + n retained rows, float64 and float32, against the one-pass floor.
"""

import gc

import numpy as np
from _harness import (
    best_of,
    fmt_n,
    fmt_time,
    load_average,
    log,
    markdown_table,
    peak_rss_gib,
)
from _harness import floors as fl
from _selection import selector

from sklearn_unlearn.metrics import gaussian_pareto_frontier

SPEED_SCORES = (
    "euclidean",
    "likelihood_ratio",
    "mahalanobis",
    "cosine",
    "random",
    "coreset",
)
SPEED_KAPPA = 0.5


def speed_data(n, d, dtype, seed):
    """(2n, d) array: n forget rows (p1 = N(mu1, I), KL = SPEED_KAPPA), then n
    retained rows (N(0, I)); generated in place by blocks."""
    rng = np.random.default_rng(seed)
    direction = rng.standard_normal(d)
    mu1 = (np.sqrt(2 * SPEED_KAPPA) * direction / np.linalg.norm(direction)).astype(
        dtype
    )
    X = np.empty((2 * n, d), dtype=dtype)
    block = 1 << 16
    for start in range(0, 2 * n, block):
        stop = min(start + block, 2 * n)
        rng.standard_normal(out=X[start:stop], dtype=dtype)
    for start in range(0, n, block):
        X[start : min(start + block, n)] += mu1
    return X


def fit_time(X, mask, repeat, score, **params):
    """Best wall time of ``DistributionalSelector(...).fit`` and the last fit."""
    return best_of(
        lambda: selector(score, 0, **params).fit(X, forget_mask=mask),
        repeat,
        return_value=True,
    )


def speed_case(n, d, dtype, repeat, seed):
    X = speed_data(n, d, dtype, seed)
    mask = np.arange(2 * n) < n
    X1, X2 = X[:n], X[n:]  # views: forget rows come first, no copies
    v = np.random.default_rng(1).standard_normal(d).astype(dtype)
    dname = np.dtype(dtype).name
    log(f"   {dname}: X is {X.nbytes / 2**30:.2f} GiB, load {load_average()}")
    rec = {"dtype": dname, "n_forget": n, "n_retain": n, "d": d, "fits": {}}
    rec["floor"] = best_of(lambda: fl.mean_and_gemv(X2, X1, v), repeat)
    rec["scatter_gemm"] = best_of(lambda: fl.scatter([X]), repeat)
    # the ranking: one argsort of the n forget rows' float64 scores
    scores = np.random.default_rng(2).standard_normal(n)
    rec["argsort"] = best_of(lambda: np.argsort(-scores), repeat)
    rec["ranked_floor"] = rec["floor"] + rec["argsort"]
    log(
        f"   floor {fmt_time(rec['floor'])} s, X^T X GEMM "
        f"{fmt_time(rec['scatter_gemm'])} s"
    )
    for score in SPEED_SCORES:
        rec["fits"][score], _ = fit_time(
            X, mask, repeat, score, budget=0.5, family=None
        )
        log(f"   {score} (family=None): {fmt_time(rec['fits'][score])} s")
    rec["family"] = {}
    for score in ("euclidean", "likelihood_ratio"):
        t_fixed, fixed = fit_time(X, mask, repeat, score, budget=0.5)
        # (0.999 alpha, 1.001 epsilon) of the fixed fit: reachable by construction.
        target = (0.999 * fixed.achieved_alpha_, 1.001 * fixed.achieved_epsilon_)
        t_target, searched = fit_time(X, mask, repeat, score, target=target)
        rec["family"][score] = {
            "fixed": t_fixed,
            "target": t_target,
            "target_value": list(target),
            "n_deleted_fixed": int(fixed.n_deleted_),
            "n_deleted_target": int(searched.n_deleted_),
            "kappa_hat": fixed.kappa_,
            "frontier_alpha_at_epsilon": gaussian_pareto_frontier(
                fixed.kappa_, fixed.achieved_epsilon_
            ),
        }
        log(
            f"   {score} family=gaussian_mean: budget=0.5 {fmt_time(t_fixed)} s, "
            f"target {fmt_time(t_target)} s (deletes {searched.n_deleted_} of {n})"
        )
    return rec  # X is freed here: nothing returned refers to it


def section_speed(args):
    n, d = args.speed_n, args.speed_d
    repeat = args.repeat
    log(
        f"## speed: fit on {fmt_n(n)} forget + {fmt_n(n)} retained rows, d = {d}, "
        f"best of {repeat} (load {load_average()})"
    )
    # warm-up: imports, BLAS threads
    Xw = speed_data(2000, 5, np.float64, 99)
    mw = np.arange(4000) < 2000
    for score in SPEED_SCORES:
        selector(score, 0, budget=0.5).fit(Xw, forget_mask=mw)
    selector("likelihood_ratio", 0, target=(0.1, 1.0)).fit(Xw, forget_mask=mw)
    del Xw
    gc.collect()
    rss_before = peak_rss_gib()
    records = []
    for dtype in (np.float64, np.float32):  # one X alive at a time
        records.append(speed_case(n, d, dtype, repeat, args.seed))
        gc.collect()
        records[-1]["peak_rss_gib"] = peak_rss_gib()
    log()
    log(
        "Fit times (family=None, budget=0.5) and their ratio to the floor = mean of "
        "the contiguous retained rows + one GEMV over the contiguous forget rows, "
        "and to that floor plus one argsort of the n forget scores (a selector "
        "must rank them: ranking_):"
    )
    log()
    rows = []
    for score in SPEED_SCORES:
        row = [score]
        for rec in records:
            t = rec["fits"][score]
            row += [fmt_time(t), f"{t / rec['floor']:.1f}"]
            row += [f"{t / rec['ranked_floor']:.2f}"]
        rows.append(row)
    for label, key in (
        ("floor", "floor"),
        ("floor + argsort", "ranked_floor"),
        ("(X^T X GEMM)", "scatter_gemm"),
    ):
        row = [label]
        for rec in records:
            row += [fmt_time(rec[key]), f"{rec[key] / rec['floor']:.1f}"]
            row += [f"{rec[key] / rec['ranked_floor']:.2f}"]
        rows.append(row)
    header = ["score"]
    for rec in records:
        header += [f"{rec['dtype']} s", "/floor", "/(floor+argsort)"]
    log(markdown_table(header, rows))
    log()
    rows = []
    for rec in records:
        for score, fam in rec["family"].items():
            plain = rec["fits"][score]
            rows.append(
                [
                    rec["dtype"],
                    score,
                    fmt_time(plain),
                    fmt_time(fam["fixed"]),
                    f"{fam['fixed'] / plain:.2f}",
                    fmt_time(fam["target"]),
                    f"{fam['target'] / fam['fixed']:.2f}",
                    f"{fam['target'] / rec['floor']:.1f}",
                    f"{fam['n_deleted_target']} / {fam['n_deleted_fixed']}",
                ]
            )
    log(
        "family=None vs the default family='gaussian_mean' (budget=0.5; adds the "
        "d x d scatter pass if the score lacks it, and the KL report), and the "
        "target=(alpha, epsilon) search vs that fixed-budget fit; the target is "
        "(0.999 alpha, 1.001 epsilon) of the fixed fit, so it is reachable:"
    )
    log()
    log(
        markdown_table(
            [
                "dtype",
                "score",
                "family=None s",
                "gaussian_mean s",
                "ratio",
                "target s",
                "target/fixed",
                "target/floor",
                "deleted target/fixed",
            ],
            rows,
        )
    )
    log()
    log(
        f"Peak RSS (GiB): {rss_before:.2f} before the data, "
        + ", ".join(f"{r['peak_rss_gib']:.2f} after {r['dtype']}" for r in records)
        + f"; X is {2 * n * d * 8 / 2**30:.2f} GiB in float64 (a copy of X inside "
        "fit would show as about twice that above the starting peak)."
    )
    log()
    return {"records": records, "peak_rss_before_gib": rss_before}
