"""What the ``bench_selection.py`` sections share: the scores, the Gaussian
domains, the halving budget of a deletion order (oracle and plug-in), and the
population halving fractions of the 1-D model.
"""

import numpy as np
from scipy.stats import norm

from sklearn_unlearn import DistributionalSelector
from sklearn_unlearn.metrics import distributional_unlearning_report

SCORES = (
    "random",
    "euclidean",
    "likelihood_ratio",
    "mahalanobis",
    "cosine",
    "coreset",
    "classifier",
)
#: Scores within this many budget points of the best of a row count as tied.
TIE = 0.01
#: An epsilon no edit exceeds: the target search then only constrains alpha.
NO_EPSILON_LIMIT = 1e12


# ------------------------------------------------------------------ helpers
def keep_mask(ranking, n_deleted, n_forget):
    """Keep mask over the forget rows when the first ``n_deleted`` of the ranking
    go (the forget rows are rows 0..n_forget-1 of X in this script)."""
    keep = np.ones(n_forget, dtype=bool)
    keep[ranking[:n_deleted]] = False
    return keep


def first_crossing(curve, level):
    """Smallest f with ``curve[f] >= level`` and the f after the last point
    below it: equal when the curve crosses the level exactly once."""
    above = curve >= level
    first = int(np.argmax(above))
    below = np.flatnonzero(~above)
    last = int(below[-1]) + 1 if below.size else 0
    return first, last


# ------------------------------------------------------------ Gaussian data
def gaussian_domains(n_forget, n_retain, d, kappa, seed):
    """Rows 0..n_forget-1 from p1 = N(mu1, I), the rest from p2 = N(0, I).

    ``||mu1||^2 = 2 kappa`` so that KL(p1 || p2) = kappa; in 1-D mu1 > 0, else
    along a random unit direction.
    """
    rng = np.random.default_rng(seed)
    direction = np.ones(1) if d == 1 else rng.standard_normal(d)
    mu1 = np.sqrt(2.0 * kappa) * direction / np.linalg.norm(direction)
    X = rng.standard_normal((n_forget + n_retain, d))
    X[:n_forget] += mu1
    return X, np.arange(n_forget + n_retain) < n_forget, mu1


def oracle_curve(X, ranking, n_forget, mu1):
    """KL(p1 || p_hat) and KL(p2 || p_hat) with the true p1 = N(mu1, I), p2 =
    N(0, I) and p_hat = N(edited sample mean, I), after deleting ranking[:f],
    for every f = 0..n_forget (exact)."""
    n, d = X.shape
    sums = np.zeros((n_forget + 1, d))
    np.cumsum(X[ranking], axis=0, out=sums[1:])
    mean_hat = (X.sum(axis=0) - sums) / (n - np.arange(n_forget + 1))[:, None]
    alpha = 0.5 * np.sum((mean_hat - mu1) ** 2, axis=1)
    return alpha, 0.5 * np.sum(mean_hat**2, axis=1)


def selector(score, seed, **params):
    return DistributionalSelector(criterion=score, random_state=seed, **params)


def halving_case(X, mask, mu1, score, seed, *, grid_step=None):
    """Halving budget of one score on one data set, oracle and plug-in.

    The oracle curve is exact for every f. The plug-in criterion uses the
    report's KLs: its end points come from ``distributional_unlearning_report``
    and the smallest f is the selector's own target search
    (``target=(midpoint, no epsilon limit)``), checked against the report at f
    and f - 1. With ``grid_step`` the report is also evaluated on that grid of
    fractions, to check that the plug-in curve rises up to the crossing.
    """
    n_forget = int(mask.sum())
    X1, X2 = X[:n_forget], X[n_forget:]
    ends = [
        distributional_unlearning_report(X1, X2, np.full(n_forget, keep)).alpha
        for keep in (True, False)
    ]
    mid = 0.5 * (ends[0] + ends[1])
    fitted = selector(score, seed, target=(mid, NO_EPSILON_LIMIT)).fit(
        X, forget_mask=mask
    )
    ranking, f_plug = fitted.ranking_, fitted.n_deleted_

    def report_alpha(f):
        return distributional_unlearning_report(
            X1, X2, keep_mask(ranking, f, n_forget)
        ).alpha

    tol = 1e-9 * max(1.0, abs(mid))
    verified = report_alpha(f_plug) >= mid - tol and (
        f_plug == 0 or report_alpha(f_plug - 1) < mid + tol
    )
    oracle, oracle_eps = oracle_curve(X, ranking, n_forget, mu1)
    o_mid = 0.5 * (oracle[0] + oracle[-1])
    o_first, o_last = first_crossing(oracle, o_mid)
    record = {
        "score": score,
        "seed": seed,
        "oracle": o_first / n_forget,
        "oracle_last_crossing": o_last / n_forget,
        "oracle_ends": [float(oracle[0]), float(oracle[-1])],
        "oracle_peak": float(oracle.max()),
        "oracle_epsilon": float(oracle_eps[o_first]),
        "plugin_epsilon": fitted.achieved_epsilon_,
        "plugin": f_plug / n_forget,
        "plugin_ends": [float(ends[0]), float(ends[1])],
        "plugin_verified": bool(verified),
        "achieved_alpha": fitted.achieved_alpha_,
        "kappa_hat": fitted.kappa_,
    }
    if grid_step:
        counts = np.unique(
            np.floor(np.arange(0.0, 1.0 + grid_step / 2, grid_step) * n_forget + 0.5)
        ).astype(int)
        grid = np.array([report_alpha(f) for f in counts])
        up_to = counts <= f_plug
        rising = bool(np.all(np.diff(grid[up_to]) >= 0)) if up_to.sum() > 1 else True
        first_grid = counts[int(np.argmax(grid >= mid))]
        record["plugin_grid"] = first_grid / n_forget
        record["plugin_grid_rising"] = rising
    return record


def summarise(records, key):
    """Mean and standard deviation of ``key`` over seeds, by score."""
    out = {}
    for score in {r["score"] for r in records}:
        vals = np.array([r[key] for r in records if r["score"] == score])
        out[score] = (
            float(vals.mean()),
            float(vals.std(ddof=1)) if vals.size > 1 else 0.0,
        )
    return out


def rank(means):
    """(winners, near): the scores with the lowest mean (several when they are
    equal, i.e. the same deletions), and the others within TIE of it."""
    best = min(means.values())
    winners = [s for s in SCORES if means[s] <= best + 1e-9]
    near = [s for s in SCORES if s not in winners and means[s] <= best + TIE]
    return winners, near


# -------------------------------------------------- population (spec §4)
def population_halving(kappa, rule, retain_ratio=2.0, step=1e-4):
    """Halving fraction of the infinite-sample 1-D model (own implementation of
    the spec's formulas; ``likelihood_ratio`` keeps the lowest values of x)."""
    mu1 = np.sqrt(2.0 * kappa)
    deleted = np.arange(0.0, 1.0 + step / 2, step)
    r = 1.0 - deleted  # kept fraction of S1
    if rule == "random":
        kept_sum = r * mu1
    elif rule == "euclidean":  # keep |x| <= t with P(|X| <= t) = r
        lo, hi = np.zeros_like(r), np.full_like(r, mu1 + 40.0)
        for _ in range(80):
            t = 0.5 * (lo + hi)
            below = norm.cdf(t - mu1) - norm.cdf(-t - mu1) < r
            lo, hi = np.where(below, t, lo), np.where(below, hi, t)
        t = 0.5 * (lo + hi)
        kept_sum = r * mu1 + norm.pdf(-t - mu1) - norm.pdf(t - mu1)
    else:  # likelihood ratio: keep x <= mu1 + z_r
        kept_sum = r * mu1 - norm.pdf(norm.ppf(r))
    mean_hat = kept_sum / (r + retain_ratio)
    kl = 0.5 * (mu1 - mean_hat) ** 2
    level = 0.5 * (kl[0] + kl[-1])
    return float(deleted[int(np.argmax(kl >= level))])


POPULATION_RULE = {
    "random": "random",
    "coreset": "random",  # symmetric deletion around mu1 keeps the mean
    "euclidean": "euclidean",
    "mahalanobis": "euclidean",  # 1-D: a rescaled |x - mu2|
    "likelihood_ratio": "likelihood_ratio",
    "classifier": "likelihood_ratio",  # a logistic logit is monotone in x
}
