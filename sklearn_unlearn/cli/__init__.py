"""The command line ``sklearn-unlearn``, on top of the public estimators.

It uses only the public estimators, metrics and datasets of
:mod:`sklearn_unlearn` (and the parsing of S in :mod:`sklearn_unlearn.utils`):
``python -m sklearn_unlearn --help`` lists the subcommands.
"""

from sklearn_unlearn.cli._main import main

__all__ = ["main"]
