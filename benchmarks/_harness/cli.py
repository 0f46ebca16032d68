"""Command-line options the scripts share, and their defaults.

Every script keeps its own options' names (``benchmarks/README.md`` lists
them); these helpers add the common ones the same way everywhere.
"""

import argparse
from pathlib import Path

#: Where the raw numbers go (the folder is git-ignored).
RESULTS = Path(__file__).resolve().parent.parent / "results"


def parse_int(text):
    """Command-line integers written as ``100000`` or ``1e5``."""
    return int(float(text))


def result_path(name):
    """``benchmarks/results/<name>``."""
    return RESULTS / name


def make_parser(doc):
    """A parser described by the first line of the script's docstring."""
    return argparse.ArgumentParser(description=doc.splitlines()[0])


def add_quick(parser, help="small, fast smoke run"):
    parser.add_argument("--quick", action="store_true", help=help)


def add_repeat(parser, default, help=None):
    """``--repeat``: each time is the best of this many runs."""
    parser.add_argument(
        "--repeat", type=int, default=default, help=help or f"best of ({default})"
    )


def add_seed(parser, default=0, flag="--seed", help="data seed"):
    parser.add_argument(flag, type=int, default=default, help=help)


def add_seeds(parser, default, flag="--seeds", help=None):
    """``--seeds N``: the seeds 0 .. N-1 (split, estimator, adversary)."""
    parser.add_argument(
        flag, type=int, default=default, help=help or f"seeds 0 .. n-1 ({default})"
    )


def add_output(parser, name, flag="--output", help=None):
    """``--output`` (or ``flag``): the JSON of raw numbers, default
    ``benchmarks/results/<name>.json``; None default when ``name`` is None."""
    default = None if name is None else str(result_path(f"{name}.json"))
    parser.add_argument(flag, default=default, help=help or "JSON of the raw numbers")


def add_sections(parser, names, default=None):
    """``--sections``: any subset of ``names``, run in the order given
    (default: all of ``names``, in that order)."""
    parser.add_argument(
        "--sections",
        nargs="+",
        choices=names,
        default=list(names) if default is None else default,
    )


def fill_defaults(args, normal, quick=None):
    """Set every option still None to its value in ``quick`` (with ``--quick``)
    or ``normal``."""
    table = quick if quick is not None and getattr(args, "quick", False) else normal
    for key, value in table.items():
        if getattr(args, key) is None:
            setattr(args, key, value)
    return args
