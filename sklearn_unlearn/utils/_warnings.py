"""Warnings that point at the user's line, however deep they are raised."""

import os
import sys
import warnings

import sklearn

__all__ = ["warn_user"]

#: Directories of this package and of scikit-learn, with a trailing separator.
_INTERNAL = tuple(
    os.path.dirname(os.path.abspath(path)) + os.sep
    for path in (sys.modules[__name__.split(".")[0]].__file__, sklearn.__file__)
)


def _is_internal(filename: str) -> bool:
    return filename.startswith(_INTERNAL)


def warn_user(message: str, category: type[Warning]) -> None:
    """``warnings.warn`` with the stack level of the first frame outside.

    The frames of this package and of scikit-learn (its fit wrappers,
    pipelines and searches) are skipped, so the warning names the line of
    the user's code that called ``fit`` or ``transform``, whatever the depth
    of the call.
    """
    frame, level = sys._getframe(1), 1
    while frame is not None and _is_internal(frame.f_code.co_filename):
        frame, level = frame.f_back, level + 1
    warnings.warn(message, category, stacklevel=level + 1)
