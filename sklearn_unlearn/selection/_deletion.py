"""Which forget rows are deleted, and how many.

The ranking (scores from high to low, ties to the lower row index), the
number of rows a budget means (a count or a fraction of the forget set), the
smallest budget whose edit meets a KL target, and the masks of an edit.
"""

from numbers import Integral
from typing import NamedTuple

import numpy as np

from sklearn_unlearn.selection._frontier import (
    edit_curve,
    edit_kl,
    pareto_alpha_max,
    smallest_budget,
)
from sklearn_unlearn.selection._stats import DomainStats

#: Ridge added to every covariance of the plug-in Gaussians, relative to its
#: mean variance (as in distributional_unlearning_report).
KL_REG = 1e-6

__all__ = [
    "KL_REG",
    "Decision",
    "Edit",
    "TargetSearch",
    "budget_count",
    "check_target",
    "decide",
    "descending_order",
    "edit_masks",
    "search_target",
    "unreachable_target",
]


def descending_order(scores: np.ndarray) -> np.ndarray:
    """Indices sorting ``scores`` from high to low, ties by increasing index.

    An unstable sort (faster than a stable one on floats), then any run of
    equal scores is put back in index order.
    """
    order = np.argsort(-scores)
    ranked = scores[order]
    tied = ranked[1:] == ranked[:-1]
    if tied.any():
        # the positions inside runs of equal scores: sort each run's indices.
        # Runs stay in place (distinct runs have distinct scores), so only the
        # tied positions are sorted, by (score, index).
        member = np.zeros(ranked.size, dtype=bool)
        member[1:] = tied
        member[:-1] |= tied
        at = np.flatnonzero(member)
        order[at] = order[at][np.lexsort((order[at], -ranked[at]))]
    return order


def budget_count(budget, n_forget: int) -> int:
    """Number of forget rows to delete for an int (count) or float (fraction).

    None means 0.5; a fraction ``b`` of ``n`` rows is ``floor(b n + 1/2)``.
    """
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


def check_target(target, budget, family) -> tuple[float, float] | None:
    """``target`` as a pair of finite, non-negative floats (alpha, epsilon).

    None without a target; a target excludes ``budget`` and needs a ``family``.
    """
    if target is None:
        return None
    if budget is not None:
        raise ValueError(
            "Set budget or target, not both: budget fixes how many rows are "
            "deleted, target=(alpha, epsilon) searches for the smallest number."
        )
    if family is None:
        raise ValueError("target needs a plug-in family; family=None has none.")
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


class Edit(NamedTuple):
    """The rows an edit deletes and keeps."""

    deletion_mask: np.ndarray  # (n_samples,) bool: True for the deleted rows
    sample_indices: np.ndarray  # (n_kept,) the kept rows, ascending


def edit_masks(ranking: np.ndarray, n_deleted: int, n_samples: int) -> Edit:
    """Delete the first ``n_deleted`` rows of ``ranking`` out of ``n_samples``."""
    deletion_mask = np.zeros(n_samples, dtype=bool)
    deletion_mask[ranking[:n_deleted]] = True
    return Edit(deletion_mask, np.flatnonzero(~deletion_mask))


class TargetSearch(NamedTuple):
    """The smallest budget meeting a target, and the KLs of the edit."""

    n_deleted: int  # -1 when no budget meets the target
    alpha: float  # KL(p1 || p_hat) of the edit (the best reachable if none)
    epsilon: float  # KL(p2 || p_hat) of the edit
    kappa: float  # KL(p1 || p2)
    best: int  # the budget of the largest alpha with epsilon allowed


def search_target(
    X: np.ndarray,
    ranking: np.ndarray,
    stats: DomainStats,
    family: str,
    reg: float,
    alpha: float,
    epsilon: float,
) -> TargetSearch:
    r"""Smallest f with :math:`KL(p_1 \| \hat p) \ge \alpha` and
    :math:`KL(p_2 \| \hat p) \le \epsilon` after deleting ``ranking[:f]``.

    Every budget is evaluated exactly by :func:`edit_curve`. When none meets
    the target, ``n_deleted`` is -1 and ``best`` is the budget reaching the
    largest :math:`\alpha` among those with :math:`\epsilon` allowed.
    """
    curve = edit_curve(X, ranking, stats, family, reg)
    n_deleted = smallest_budget(curve, alpha, epsilon)
    allowed = curve.epsilon <= epsilon
    best = int(np.argmax(np.where(allowed, curve.alpha, -np.inf)))
    at = n_deleted if n_deleted >= 0 else best
    return TargetSearch(
        n_deleted, float(curve.alpha[at]), float(curve.epsilon[at]), curve.kappa, best
    )


def unreachable_target(
    search: TargetSearch, alpha: float, epsilon: float, n_forget: int, setting: str
) -> str:
    """The message of a target no budget meets: best values and the frontier."""
    frontier = float(pareto_alpha_max(search.kappa, epsilon))
    return (
        f"No budget meets target=(alpha={alpha:g}, epsilon={epsilon:g}) "
        f"with {setting}: with KL(p2 || p_hat) <= {epsilon:g} the largest "
        f"KL(p1 || p_hat) is {search.alpha:.4g} (deleting {search.best} of "
        f"{n_forget} forget rows). The domains are {search.kappa:.4g} nats apart, "
        f"and the shared-covariance Pareto frontier allows at most {frontier:.4g} "
        "at this epsilon. Lower alpha, raise epsilon or try "
        "criterion='likelihood_ratio'."
    )


class Decision(NamedTuple):
    """How many top-ranked rows are deleted, and the KLs of that edit."""

    n_deleted: int
    alpha: float  # KL(p1 || p_hat) under the plug-in family (NaN without one)
    epsilon: float  # KL(p2 || p_hat)
    kappa: float  # KL(p1 || p2)


def decide(
    X: np.ndarray,
    ranking: np.ndarray,
    stats: DomainStats,
    *,
    n_deleted: int | None,
    target: tuple[float, float] | None,
    family: str | None,
    setting: str,
) -> Decision:
    """The budget (``n_deleted``, or the smallest meeting ``target``) and its KLs.

    The KLs are those of the plug-in ``family`` (NaN when it is None; then
    ``target`` must be None). ``setting`` names the selector's parameters in
    the error raised when no budget meets ``target``.
    """
    if target is not None:
        search = search_target(X, ranking, stats, family, KL_REG, *target)
        if search.n_deleted < 0:
            raise ValueError(unreachable_target(search, *target, ranking.size, setting))
        return Decision(*search[:4])
    if family is None:
        return Decision(n_deleted, np.nan, np.nan, np.nan)
    edit = edit_kl(X, ranking[:n_deleted], stats, family, KL_REG)
    return Decision(n_deleted, float(edit.alpha[0]), float(edit.epsilon[0]), edit.kappa)
