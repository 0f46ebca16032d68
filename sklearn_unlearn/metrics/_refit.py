"""``refit=`` rules for scikit-learn searches: best utility under bounds.

:func:`bounded_refit` bounds any recorded scores (leakage, parity gaps, the
worst group's accuracy, forgetting); :func:`leakage_bounded_refit` is its
most common case, a bound on the leakage AUC.
"""

from numbers import Real

import numpy as np

from sklearn_unlearn.utils._compat import Interval, validate_params

__all__ = ["bounded_refit", "leakage_bounded_refit"]


def _mean_scores(cv_results, name: str, role: str, call: str) -> np.ndarray:
    """``cv_results["mean_test_<name>"]`` as floats, or a ValueError saying why."""
    key = f"mean_test_{name}"
    if key not in cv_results:
        present = sorted(k for k in cv_results if str(k).startswith("mean_test_"))
        fix = (
            "Give the search a scoring dict with that key, or bound the keys it has."
            if role == "bound"
            else "Give the search scoring={'utility': ..., 'leakage': "
            f"make_leakage_scorer()}}, or name your keys with {role}=<key>."
        )
        raise ValueError(
            f"{call} reads cv_results_[{key!r}] ({role}={name!r}), but the search "
            f"recorded {present[:10]}. {fix}"
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
    choose = _bounded_choice(utility, {leakage: max_leakage}, {}, call, "leakage")

    def refit(cv_results) -> int:
        _mean_scores(cv_results, utility, "utility", call)  # its errors first
        auc = np.abs(_mean_scores(cv_results, leakage, "leakage", call))
        if np.any(auc > 1):
            raise ValueError(
                f"cv_results_['mean_test_{leakage}'] holds values outside [-1, 1] "
                f"(up to {np.nanmax(auc):.3g}): they are not leakage AUCs. Map "
                f"{leakage!r} to make_leakage_scorer() in the search's scoring."
            )
        return choose(cv_results)

    return refit


def _bounded_choice(
    utility: str, at_most: dict, at_least: dict, call: str, role: str = "bound"
):
    """``refit(cv_results)``: the best utility within the bounds, else the
    candidate that exceeds them least (the sum of its excesses)."""

    def refit(cv_results) -> int:
        score = _mean_scores(cv_results, utility, "utility", call)
        valid = ~np.isnan(score)
        excess = np.zeros_like(score)
        for bounds, sign in ((at_most, 1.0), (at_least, -1.0)):
            for name, bound in bounds.items():
                value = np.abs(_mean_scores(cv_results, name, role, call))
                if value.shape != score.shape:
                    raise ValueError(
                        f"cv_results_['mean_test_{utility}'] and cv_results_["
                        f"'mean_test_{name}'] have {score.size} and {value.size} "
                        "entries: they must come from one search."
                    )
                valid &= ~np.isnan(value)
                excess += np.maximum(sign * (value - bound), 0.0)
        if not valid.any():
            names = [utility, *at_most, *at_least]
            raise ValueError(
                f"{call} cannot choose: no candidate has a score for each of "
                f"{names} (some mean_test_<key> is NaN for every candidate). Run "
                "the search with error_score='raise' to see why the scorers failed."
            )
        excess = np.where(valid, excess, np.inf)
        allowed = np.flatnonzero(valid & (excess == 0))
        if allowed.size == 0:
            return int(np.argmin(excess))
        return int(allowed[np.argmax(score[allowed])])

    return refit


def _check_bounds(bounds, name: str) -> dict:
    if bounds is None:
        return {}
    if not isinstance(bounds, dict) or not all(
        isinstance(key, str) and isinstance(value, Real) and np.isfinite(value)
        for key, value in bounds.items()
    ):
        raise ValueError(
            f"{name} must map scoring keys (str) to finite numbers, e.g. "
            f"{name}={{'dpd': 0.05}}; got {bounds!r}."
        )
    return {key: float(value) for key, value in bounds.items()}


@validate_params(
    {"utility": [str], "at_most": [dict, None], "at_least": [dict, None]},
    prefer_skip_nested_validation=True,
)
def bounded_refit(utility="utility", *, at_most=None, at_least=None):
    r"""A ``refit=`` rule: the best utility among candidates within bounds.

    Parameters
    ----------
    utility : str, default="utility"
        The key, in the search's ``scoring`` dict, of the score to maximise.
    at_most, at_least : dict or None, default=None
        Bounds on other keys of the ``scoring`` dict: ``{key: bound}``. A
        candidate is within them when the *absolute value* of its mean score
        is at most (at least) the bound. That value is the metric itself for
        this library's scorers, negated or not, and for scikit-learn's
        ``neg_*`` ones: the leakage AUC, a parity gap, the worst group's
        accuracy, the forget-domain accuracy or log-loss.

    Returns
    -------
    refit : callable
        ``refit(cv_results) -> int``, the index of the chosen candidate: the
        best mean utility within every bound; if none is, the candidate whose
        scores exceed the bounds least (summed over the bounds). Candidates
        with a NaN score (a failed fit or scorer) are never chosen.

    Raises
    ------
    ValueError
        From ``refit``, when ``cv_results`` lacks a key (the message lists the
        keys it has), or when no candidate has every score.

    See Also
    --------
    leakage_bounded_refit : A bound on the leakage AUC alone.
    make_fairness_scorer : Parity gaps and the worst group's accuracy.
    make_forgetting_scorer : Forgetting of a SelectiveRetrainer.

    Notes
    -----
    With :math:`u_c` the mean utility of candidate :math:`c` and :math:`m_{c,k}`
    the absolute mean score of key :math:`k`, the rule returns
    :math:`\arg\max_c u_c` subject to :math:`m_{c,k} \le b_k` (``at_most``)
    and :math:`m_{c,k} \ge b_k` (``at_least``); when no candidate is feasible,
    :math:`\arg\min_c \sum_k (m_{c,k} - b_k)_+ + \sum_k (b_k - m_{c,k})_+`.

    Examples
    --------
    >>> from sklearn_unlearn.metrics import bounded_refit
    >>> refit = bounded_refit(at_most={"dpd": 0.05}, at_least={"worst": 0.8})
    >>> refit({"mean_test_utility": [0.90, 0.88, 0.86],
    ...        "mean_test_dpd": [-0.12, -0.04, -0.01],
    ...        "mean_test_worst": [0.85, 0.82, 0.72]})
    1
    """
    at_most = _check_bounds(at_most, "at_most")
    at_least = _check_bounds(at_least, "at_least")
    call = f"bounded_refit({utility!r}, at_most={at_most}, at_least={at_least})"
    return _bounded_choice(utility, at_most, at_least, call)
