"""A ``refit=`` rule for scikit-learn searches: best utility under a leakage bound."""

from numbers import Real

import numpy as np

from sklearn_unlearn.utils._compat import Interval, validate_params

__all__ = ["leakage_bounded_refit"]


def _mean_scores(cv_results, name: str, role: str, call: str) -> np.ndarray:
    """``cv_results["mean_test_<name>"]`` as floats, or a ValueError saying why."""
    key = f"mean_test_{name}"
    if key not in cv_results:
        present = sorted(k for k in cv_results if str(k).startswith("mean_test_"))
        raise ValueError(
            f"{call} reads cv_results_[{key!r}] ({role}={name!r}), but the search "
            f"recorded {present[:10]}. Give the search scoring={{'utility': ..., "
            "'leakage': make_leakage_scorer()}, or name your keys with "
            f"{role}=<key>."
        )
    try:
        values = np.asarray(cv_results[key], dtype=np.float64)
    except (TypeError, ValueError):
        raise ValueError(f"cv_results_[{key!r}] must hold numbers.") from None
    if values.ndim != 1 or values.size == 0:
        raise ValueError(
            f"cv_results_[{key!r}] must hold one score per candidate; got shape "
            f"{values.shape}."
        )
    if np.all(np.isnan(values)):
        raise ValueError(
            f"{call} cannot choose: cv_results_[{key!r}] is NaN for every candidate, "
            f"so the {name!r} scorer failed on every split (a search turns errors "
            "into NaN with its default error_score=np.nan). Run the search with "
            "error_score='raise' to see why."
        )
    return values


@validate_params(
    {
        "max_leakage": [Interval(Real, 0, 1, closed="both")],
        "utility": [str],
        "leakage": [str],
    },
    prefer_skip_nested_validation=True,
)
def leakage_bounded_refit(max_leakage, *, utility="utility", leakage="leakage"):
    """A ``refit=`` rule: the best utility among candidates leaking at most a bound.

    Parameters
    ----------
    max_leakage : float in [0, 1]
        Largest acceptable mean leakage AUC.
    utility, leakage : str, default="utility", "leakage"
        The keys of the two metrics in the ``scoring`` dict of the search.

    Returns
    -------
    refit : callable
        ``refit(cv_results) -> int``, the index of the chosen candidate. The sign
        of the leakage scores does not matter (negated or not, the AUC is their
        absolute value). If no candidate meets the bound, the least leaking one is
        chosen. Candidates whose utility or leakage is NaN (a failed fit or
        scorer) are never chosen.

    Raises
    ------
    ValueError
        From ``refit``, when ``cv_results`` lacks ``mean_test_<utility>`` or
        ``mean_test_<leakage>`` (the message lists the keys it has), when every
        candidate's utility or leakage is NaN (run the search with
        ``error_score='raise'`` to see the error), or when the leakage scores are
        not AUCs (outside [-1, 1]).

    See Also
    --------
    make_leakage_scorer : The leakage scorer to put in the ``scoring`` dict.

    Examples
    --------
    >>> from sklearn_unlearn.metrics import leakage_bounded_refit
    >>> refit = leakage_bounded_refit(0.6)
    >>> refit({"mean_test_utility": [0.9, 0.85, 0.8],
    ...        "mean_test_leakage": [-0.9, -0.58, -0.5]})
    1
    """
    call = f"leakage_bounded_refit({max_leakage!r})"

    def refit(cv_results) -> int:
        score = _mean_scores(cv_results, utility, "utility", call)
        auc = np.abs(_mean_scores(cv_results, leakage, "leakage", call))
        if score.shape != auc.shape:
            raise ValueError(
                f"cv_results_['mean_test_{utility}'] and cv_results_['mean_test_"
                f"{leakage}'] have {score.size} and {auc.size} entries: they must "
                "come from one search."
            )
        if np.any(auc > 1):
            raise ValueError(
                f"cv_results_['mean_test_{leakage}'] holds values outside [-1, 1] "
                f"(up to {np.nanmax(auc):.3g}): they are not leakage AUCs. Map "
                f"{leakage!r} to make_leakage_scorer() in the search's scoring."
            )
        valid = ~np.isnan(score) & ~np.isnan(auc)
        if not valid.any():
            raise ValueError(
                f"{call} cannot choose: no candidate has both a utility and a "
                f"leakage score (cv_results_['mean_test_{utility}'] and "
                f"['mean_test_{leakage}'] are NaN in turn). Run the search with "
                "error_score='raise' to see why the scorers failed."
            )
        allowed = np.flatnonzero(valid & (auc <= max_leakage))
        if allowed.size == 0:
            candidates = np.flatnonzero(valid)
            return int(candidates[np.argmin(auc[candidates])])
        return int(allowed[np.argmax(score[allowed])])

    return refit
