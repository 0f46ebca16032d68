"""Working at unit scale: exact rescaling by powers of two.

Multiplying by a power of two is exact in floating point (away from the
subnormal range), so a computation run on ``X * 2**k`` and scaled back gives
bit-identical results for ``X`` and ``2**j * X``. The estimators and metrics
use these helpers so that their tolerances, floors and squares see values of
order one whatever the units of their input.
"""

import numpy as np

__all__ = ["finite_peak", "power_of_two_scale", "range_exponent", "unit_exponent"]


def unit_exponent(magnitude: float) -> int:
    """``k`` with ``magnitude * 2**k`` in ``[0.5, 1)``; 0 if not finite and > 0."""
    magnitude = float(magnitude)
    if not (np.isfinite(magnitude) and magnitude > 0):
        return 0
    return -int(np.frexp(magnitude)[1])


def range_exponent(X: np.ndarray) -> int:
    """``k`` such that ``X * 2**k`` has a root mean square column range near 1."""
    spread = np.ptp(X, axis=0).astype(np.float64)
    spread = spread[np.isfinite(spread) & (spread > 0)]
    if spread.size == 0:
        return 0
    peak = spread.max()  # the root mean square without overflow
    return unit_exponent(peak * np.sqrt(np.mean(np.square(spread / peak))))


def finite_peak(values: np.ndarray) -> float:
    """``max |values|`` without a temporary copy (NaN if any value is NaN)."""
    if np.size(values) == 0:
        return 0.0
    return float(max(np.max(values), -np.min(values)))


def power_of_two_scale(values: np.ndarray, axis=None):
    """A power of two close to ``max |values|`` (1 where all are 0 or non-finite).

    Returns a float, or an array along ``axis``; ``values / scale`` has its
    largest magnitude in ``[1, 2)``.
    """
    peak = np.max(np.abs(values), axis=axis) if np.size(values) else np.float64(0)
    peak = np.asarray(peak, dtype=np.float64)
    usable = np.isfinite(peak) & (peak > 0)
    _, exponent = np.frexp(np.where(usable, peak, 1.0))
    # peak lies in [2**(e - 1), 2**e): the scale 2**(e - 1) is always finite
    scale = np.where(usable, np.ldexp(1.0, exponent - 1), 1.0)
    return float(scale) if scale.ndim == 0 else scale
