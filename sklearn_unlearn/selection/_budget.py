"""How many forget rows to delete: a budget (count or fraction) or a KL target."""

from numbers import Integral

import numpy as np

__all__ = ["_budget_count", "_check_target"]


def _budget_count(budget, n_forget: int) -> int:
    """Number of forget rows to delete for an int (count) or float (fraction)."""
    if budget is None:
        budget = 0.5
    if isinstance(budget, Integral) and not isinstance(budget, bool):
        if budget > n_forget:
            raise ValueError(
                f"budget={budget} is larger than the forget set ({n_forget} "
                f"samples): delete at most {n_forget}, or give a fraction in [0, 1]."
            )
        return int(budget)
    return int(np.floor(budget * n_forget + 0.5))


def _check_target(target):
    try:
        alpha, epsilon = (float(v) for v in target)
    except (TypeError, ValueError):
        raise ValueError(
            f"target must be a pair (alpha, epsilon) of numbers; got {target!r}."
        ) from None
    if not (np.isfinite(alpha) and np.isfinite(epsilon)) or min(alpha, epsilon) < 0:
        raise ValueError(
            f"target=(alpha, epsilon) must be finite and >= 0 (they are KLs); got "
            f"{target!r}."
        )
    return alpha, epsilon
