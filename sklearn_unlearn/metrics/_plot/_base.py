"""Helpers shared by the Display objects: optional matplotlib and value checks.

Nothing here imports matplotlib at module level: the package must import
without it, and only drawing needs it.
"""

import numpy as np

__all__ = ["check_matplotlib_support", "check_values", "new_or_given_ax"]


def check_matplotlib_support(caller_name: str) -> None:
    """Raise an ImportError naming ``caller_name`` when matplotlib is missing."""
    try:
        import matplotlib  # noqa: F401
    except ImportError as exc:
        raise ImportError(
            f"{caller_name} requires matplotlib. Install it with `pip install "
            "matplotlib` or `pip install 'sklearn-unlearn[plot]'`."
        ) from exc


def check_values(owner: str, **values) -> list[np.ndarray]:
    """The stored values as 1-D float arrays of one common length.

    Raises a ValueError naming ``owner`` and the offending attribute otherwise.
    """
    arrays = []
    for name, value in values.items():
        array = np.asarray(value, dtype=np.float64)
        if array.ndim != 1:
            raise ValueError(
                f"{owner}: {name} must be 1-D (one value per point); got shape "
                f"{array.shape}."
            )
        arrays.append(array)
    lengths = {name: a.size for name, a in zip(values, arrays, strict=True)}
    if len(set(lengths.values())) > 1:
        raise ValueError(
            f"{owner}: the stored values must have one entry per point, but their "
            f"lengths differ: {lengths}."
        )
    return arrays


def new_or_given_ax(ax, **subplots_kwargs):
    """``ax``, or the axes of a new figure when ``ax`` is None."""
    if ax is None:
        import matplotlib.pyplot as plt

        _, ax = plt.subplots(**subplots_kwargs)
    return ax
