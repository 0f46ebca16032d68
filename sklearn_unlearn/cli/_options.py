"""Options of the command line: checked values, choices, the options of every run.

Each value is checked when the arguments are parsed, so that a bad one is a
usage error (exit 2, one ``error:`` line) before any work. The choices of an
option that sets an estimator's parameter (``--method``, the selector's
ranking) are the values that estimator accepts, read from its parameter
constraints, with its own default first: one list and one default for Python
and the command line.
"""

import argparse
import inspect
import math

from sklearn.utils._param_validation import StrOptions

from sklearn_unlearn import BarycenterFeatureUnlearner, DistributionalSelector
from sklearn_unlearn.cli._io import EXIT_USAGE

__all__ = [
    "CRITERIA",
    "CRITERION_FLAG",
    "DEFAULT_CRITERION",
    "DEFAULT_METHOD",
    "METHODS",
    "SELECTOR_CRITERION",
    "Parser",
    "SENSITIVE_BINS",
    "add_common",
    "add_run_options",
    "add_sensitive",
    "budget",
    "choices",
    "count",
    "fraction",
    "kl",
    "sensitive_bins",
]

#: The parameter of :class:`DistributionalSelector` that says how the forget
#: rows are ranked; the ``select`` option that sets it is named after it.
SELECTOR_CRITERION = "criterion"
#: That option of ``select``.
CRITERION_FLAG = f"--{SELECTOR_CRITERION}"


def choices(estimator, param: str) -> list:
    """The named values ``estimator`` accepts for ``param``, its default first.

    Parameters
    ----------
    estimator : type
        An estimator class with ``_parameter_constraints``.
    param : str
        One of its parameters, constrained by string options.

    Returns
    -------
    values : list of str
        The default, then the other accepted names in sorted order.
    """
    names = set()
    for constraint in estimator._parameter_constraints[param]:
        if isinstance(constraint, StrOptions):
            names |= constraint.options - constraint.deprecated
    default = inspect.signature(estimator).parameters[param].default
    return [default, *sorted(names - {default})]


#: ``--method`` of ``repair`` and ``demo``: the unlearner's methods.
METHODS = choices(BarycenterFeatureUnlearner, "method")
DEFAULT_METHOD = METHODS[0]
#: The selector's rankings of the forget rows.
CRITERIA = choices(DistributionalSelector, SELECTOR_CRITERION)
DEFAULT_CRITERION = CRITERIA[0]


#: The constraints of the unlearner's ``sensitive_bins`` (``--sensitive-bins``).
SENSITIVE_BINS = [
    c
    for c in BarycenterFeatureUnlearner._parameter_constraints["sensitive_bins"]
    if c is not None
]


class Parser(argparse.ArgumentParser):
    """Usage errors as one ``error:`` line (exit 2), pointing to ``--help``."""

    def error(self, message):
        self.exit(EXIT_USAGE, f"error: {message} (see {self.prog} --help)\n")


def _number(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a number: {text!r}") from None
    if not math.isfinite(value):
        raise argparse.ArgumentTypeError(f"must be finite, got {text}")
    return value


def fraction(text: str) -> float:
    """A number in [0, 1] (``--repair-level``, ``--repair-levels``)."""
    value = _number(text)
    if not 0.0 <= value <= 1.0:
        raise argparse.ArgumentTypeError(f"must be in [0, 1], got {text}")
    return value


def budget(text: str) -> float:
    """A fraction in [0, 1] or a whole count (``--budget``)."""
    value = _number(text)
    if value < 0 or (value > 1 and not value.is_integer()):
        raise argparse.ArgumentTypeError(
            f"a fraction in [0, 1] or a whole count, got {text}"
        )
    return value


def kl(text: str) -> float:
    """A finite KL divergence, >= 0 (``--target``)."""
    value = _number(text)
    if value < 0:
        raise argparse.ArgumentTypeError(f"a KL divergence is >= 0, got {text}")
    return value


def count(text: str) -> int:
    """A whole number >= 0 (``--n-train``, ``--n-test``)."""
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a whole number: {text!r}") from None
    if value < 0:
        raise argparse.ArgumentTypeError(f"must be >= 0, got {text}")
    return value


def sensitive_bins(text: str) -> int:
    """A number of quantile bins the unlearner's ``sensitive_bins`` accepts."""
    try:
        value = int(text)
    except ValueError:
        value = None
    if value is None or not any(c.is_satisfied_by(value) for c in SENSITIVE_BINS):
        accepted = " or ".join(str(c) for c in SENSITIVE_BINS)
        raise argparse.ArgumentTypeError(f"must be {accepted}, got {text!r}")
    return value


def _seed(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        value = -1
    if not 0 <= value < 2**32:
        raise argparse.ArgumentTypeError(
            f"a whole number in [0, 4294967295], got {text!r}"
        )
    return value


def add_run_options(sub) -> None:
    """``--random-state``, ``--quiet`` and ``--debug``, of every subcommand."""
    sub.add_argument(
        "--random-state", type=_seed, default=0, help="seed (default: %(default)s)"
    )
    sub.add_argument(
        "--quiet", action="store_true", help="no progress line, even on a terminal"
    )
    sub.add_argument(
        "--debug",
        action="store_true",
        help="on an unexpected error, also print the traceback",
    )


def add_sensitive(sub, *, help: str) -> None:
    """``--sensitive`` and ``--sensitive-bins`` of a subcommand.

    Parameters
    ----------
    sub : argparse.ArgumentParser
        The subcommand's parser.
    help : str
        Help of its ``--sensitive``.
    """
    sub.add_argument("--sensitive", nargs="+", required=True, metavar="COL", help=help)
    sub.add_argument(
        "--sensitive-bins",
        type=sensitive_bins,
        metavar="N",
        help="cut each sensitive column (numbers) into N quantile bins, the "
        "groups of the unlearner's sensitive_bins=N; each group is labelled by "
        "its interval, e.g. '[28, 37)' (ties at a quantile give fewer bins)",
    )


def add_common(sub, *, features_help: str) -> None:
    """The input, ``--features``, ``--keep`` and the run options of a file command.

    Parameters
    ----------
    sub : argparse.ArgumentParser
        The subcommand's parser.
    features_help : str
        Help of its ``--features``.
    """
    sub.add_argument(
        "input",
        help="input table: a .csv file (also compressed: .csv.gz, .csv.bz2, "
        ".csv.xz, .csv.zip) or a .parquet file",
    )
    sub.add_argument(
        "--features",
        nargs="+",
        metavar="COL",
        help=features_help + "; a CSV column is numeric when more than half of "
        "its non-empty cells are numbers and none is an integer with a leading "
        "zero (03427: a code, copied as text). An empty or non-numeric cell of a "
        "feature is an error naming the column and the line",
    )
    sub.add_argument(
        "--keep",
        nargs="+",
        default=[],
        metavar="COL",
        help="columns that are not features (ids, labels, codes): never used, "
        "copied unchanged",
    )
    add_run_options(sub)
