"""Write the summary of ``bench_tables.py`` results as the docs' RST table.

Usage::

    python benchmarks/tables_rst.py results/bench_tables.json [more.json ...] \
        > docs/bench_tables.inc
"""

import json
import sys

from _harness import f3, rst_list_table
from _tables_report import DEFAULT, DEFAULT_Y, pick


def main(paths):
    tables = {}
    for path in paths:
        with open(path) as handle:
            tables.update(json.load(handle)["tables"])
    header = [
        "table (S)",
        "n train",
        "raw leak / util",
        "reference R",
        "default, with y: leak / util",
        "without y: leak / util",
        "max leak, levels > 0",
        "dist. with y / without / gaussian",
        "criteria: with y / no y / path",
    ]
    body = []
    for name, result in tables.items():
        rows, info = result["rows"], result["info"]
        raw = pick(rows, "none (raw)")[0]
        with_y, without_y = pick(rows, DEFAULT_Y, 1.0), pick(rows, DEFAULT, 1.0)
        gaussian = pick(rows, "gaussian", 1.0)
        path = [
            r for r in pick(rows, DEFAULT_Y) + pick(rows, DEFAULT) if r["repair_level"]
        ]
        fy = with_y[0] if with_y else {}
        fn = without_y[0] if without_y else {}
        body.append(
            [
                f"{name} ({', '.join(result['groups'])[:40]})",
                str(int(info["n_train"])),
                f"{f3(raw['leak'])} / {f3(raw['util'])}",
                f3(info["reference"]),
                f"{f3(fy.get('leak'))} / {f3(fy.get('util'))}",
                f"{f3(fn.get('leak'))} / {f3(fn.get('util'))}",
                f3(max(r["leak"] for r in path)) if path else "-",
                " / ".join(
                    f"{r[0]['dist']:.3g}" if r else "-"
                    for r in (with_y, without_y, gaussian)
                ),
                " / ".join(
                    "pass" if result["verdict"][key] else "FAIL"
                    for key in ("with_y", "without_y", "monotone")
                ),
            ]
        )
    print(rst_list_table(header, body))


if __name__ == "__main__":
    main(sys.argv[1:])
