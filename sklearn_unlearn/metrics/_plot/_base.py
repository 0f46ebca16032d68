"""Helpers shared by the Display objects: optional matplotlib and value checks.

Nothing here imports matplotlib at module level: the package must import
without it, and only drawing needs it.
"""

import numpy as np

__all__ = [
    "check_matplotlib_support",
    "check_values",
    "label_places",
    "new_or_given_ax",
]


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


# gap (points) between a point and its repair-level label
_LABEL_GAP = 6.0


def label_places(x, y, xlim, ylim, side: int) -> list:
    """Offset and alignment of each point's label, across the curve.

    Labels sit on the normal of the curve (in axes-fraction units), on ``side``
    (+1 or -1) of the direction of travel, so they do not cross their own line;
    overlaid curves use alternate sides, keeping apart the labels of the point
    they share (repair level 0 is the same model for every method).
    """
    u = np.asarray(x) / max(xlim[1] - xlim[0], 1e-12)
    v = np.asarray(y) / max(ylim[1] - ylim[0], 1e-12)
    if u.size > 1:
        du, dv = np.gradient(u), np.gradient(v)
    else:
        du, dv = np.ones(1), np.zeros(1)
    places = []
    for tu, tv in zip(du, dv, strict=True):
        norm = np.hypot(tu, tv)
        tu, tv = (tu / norm, tv / norm) if norm > 0 else (1.0, 0.0)
        nu, nv = -side * tv, side * tu
        ha = "left" if nu > 0.38 else "right" if nu < -0.38 else "center"
        va = "bottom" if nv > 0.38 else "top" if nv < -0.38 else "center"
        places.append(((_LABEL_GAP * nu, _LABEL_GAP * nv), ha, va))
    return places
