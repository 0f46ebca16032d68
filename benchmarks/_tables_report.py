"""Aggregation, criteria and markdown reports of ``bench_tables.py``.

Rows are dicts with ``method``, ``repair_level``, ``leak``, ``util``, ``dist``,
``fit_s`` and ``transform_s``; a table's result holds its mean rows over seeds.
"""

import numpy as np
from _harness import f3, log, markdown_table

DEFAULT, DEFAULT_Y = "default", "default, with y"
#: The criteria: leakage at most LEAK_MAX at full repair, utility at least the
#: reference minus UTIL_SLACK (with y), never more than RAW_SLACK above the raw
#: leakage (without y), and no level more than RISE above a lower level.
LEAK_MAX, UTIL_SLACK, RAW_SLACK, RISE = 0.55, 0.02, 0.02, 0.03


def aggregate(per_seed):
    """Mean over seeds of every (method, level), and the max of the leakage."""
    keyed = {}
    for rows in per_seed:
        for r in rows:
            keyed.setdefault((r["method"], r["repair_level"]), []).append(r)
    out = []
    for (method, level), group in keyed.items():
        mean = {
            k: float(np.mean([r[k] for r in group]))
            for k in group[0]
            if k not in ("method", "repair_level", "error")
        }
        leaks = [r["leak"] for r in group]
        mean["leak_max"] = float(np.max(leaks))
        errors = [r["error"] for r in group if "error" in r]
        out.append(
            {
                "method": method,
                "repair_level": level,
                **mean,
                **({"errors": errors} if errors else {}),
            }
        )
    return out


def pick(rows, method, level=None):
    found = [r for r in rows if r["method"] == method]
    if level is not None:
        found = [r for r in found if r["repair_level"] == level]
    return found


def verdict(rows, raw, reference):
    """PASS/FAIL of the three criteria, from the mean leakage over seeds."""
    with_y, without_y = pick(rows, DEFAULT_Y), pick(rows, DEFAULT)

    def full(path):
        return path[-1] if path and path[-1]["repair_level"] == 1.0 else None

    def monotone(path):
        leaks = [r["leak"] for r in path]
        return bool(leaks) and all(
            b <= min(leaks[: i + 1]) + RISE for i, b in enumerate(leaks[1:])
        )

    fy, fn = full(with_y), full(without_y)
    ok_y = bool(fy) and fy["leak"] <= LEAK_MAX and fy["util"] >= reference - UTIL_SLACK
    ok_n = (
        bool(fn)
        and fn["leak"] <= LEAK_MAX
        and all(r["leak"] <= raw["leak"] + RAW_SLACK for r in without_y)
    )
    ok_m = monotone(with_y) and monotone(without_y)
    return {"with_y": ok_y, "without_y": ok_n, "monotone": ok_m}


def print_table(name, result):
    info, rows = result["info"], result["rows"]
    reference = info["reference"]
    log(f"\n## {name}: {result['note']}")
    log(
        f"train {info['n_train']:.0f} (of {info['n_train_full']:.0f}) x "
        f"{info['n_features']:.0f}, test {info['n_test']:.0f}, groups "
        f"{result['groups']}; "
        f"reference R = {reference:.3f} (its model unrepaired "
        f"{info['reference_raw']:.3f})\n"
    )
    header = [
        "method",
        "repair",
        "leak",
        "leak max",
        "util U of a possible R",
        "dist",
        "fit s",
        "transform s",
    ]
    body = [
        [
            r["method"],
            f"{r['repair_level']:.2f}",
            f3(r["leak"]),
            f3(r["leak_max"]),
            f"{f3(r['util'])} of {reference:.3f}",
            f"{r['dist']:.3g}",
            f"{r['fit_s']:.2f}",
            f"{r['transform_s']:.2f}",
        ]
        for r in rows
    ]
    log(markdown_table(header, body))


def summary_row(name, res):
    rows, ok = res["rows"], res["verdict"]

    def leak_util(method, level=1.0):
        r = pick(rows, method, level)
        return f"{f3(r[0]['leak'])}/{f3(r[0]['util'])}" if r else "-"

    def path_max(method):
        leaks = [r["leak"] for r in pick(rows, method) if r["repair_level"] > 0]
        return f3(max(leaks, default=None))

    def dist(method):
        r = pick(rows, method, 1.0)
        return f"{r[0]['dist']:.3g}" if r else "-"

    verdicts = [
        "PASS" if ok[k] else "FAIL" for k in ("with_y", "without_y", "monotone")
    ]
    return [
        name,
        leak_util("none (raw)", 0.0),
        f3(res["info"]["reference"]),
        leak_util(DEFAULT_Y),
        leak_util(DEFAULT),
        f"{path_max(DEFAULT_Y)} / {path_max(DEFAULT)}",
        f"{dist(DEFAULT_Y)} / {dist('stochastic')} / {dist('gaussian')}",
        *verdicts,
    ]


def summary(results):
    header = [
        "table",
        "raw leak/util",
        "R",
        "with y leak/util",
        "no y leak/util",
        "max leak, levels > 0 (y / no y)",
        "dist y / stoch / gauss",
        "with y",
        "no y",
        "monotone",
    ]
    body = [summary_row(name, res) for name, res in results.items()]
    log("\n## Summary (means over seeds; leak max over seeds in the tables above)\n")
    log(markdown_table(header, body))
    log(
        f"\nwith y: leak <= {LEAK_MAX} and util >= R - {UTIL_SLACK} at full repair; "
        f"no y: leak <= {LEAK_MAX} at full repair and <= raw + {RAW_SLACK} at "
        f"every level; monotone: no level leaks more than {RISE} above a lower one."
    )
