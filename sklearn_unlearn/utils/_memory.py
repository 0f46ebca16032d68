"""Block sizes of the chunked passes, bounded by scikit-learn's ``working_memory``.

The estimators call :func:`working_rows` once and hand the row count to the
kernels, which never read any configuration themselves.

:func:`working_rows` is the arithmetic of scikit-learn's
:func:`~sklearn.utils.get_chunk_n_rows` (``working_memory`` MiB over the bytes
of a row, capped), kept here for two differences the estimators rely on: a
budget smaller than one row silently gives one-row blocks (``get_chunk_n_rows``
warns, on every ``transform`` call, although the output does not depend on the
block size: the repairs are tested equal at ``working_memory=0.01``), and a
pass with no per-row temporaries (``row_bytes=0``) gets the cap instead of a
division by zero.
"""

from sklearn import get_config

__all__ = ["working_rows"]


def working_rows(row_bytes: int, cap: int) -> int:
    """Rows per block whose temporaries take at most ``working_memory`` MiB.

    ``row_bytes`` is the temporary memory one row of a block needs and ``cap``
    the number of rows beyond which a larger block gains nothing (it leaves the
    cache, or the per-call overhead is already amortised). At least one row.
    """
    budget = get_config()["working_memory"] * 2**20
    return int(max(1, min(cap, budget // max(int(row_bytes), 1))))
