"""Synthetic mixed-type tables: categories, money amounts, counts, a label and S.

Every column is a function of a shared latent factor and of the group, so the
groups differ in all column types at once, the way real tables do; the label
depends on the features and, directly, on the group. The private helpers are
pure functions of a ``RandomState``.
"""

from numbers import Integral, Real

import numpy as np
from sklearn.utils import check_random_state

from sklearn_unlearn.datasets._grouped import check_group_sizes
from sklearn_unlearn.utils._compat import Interval, validate_params

__all__ = ["make_grouped_mixed"]

_N_LATENT = 2
_MONEY_RANGE = (1e3, 1e6)


def _softmax_draw(rng: np.random.RandomState, logits: np.ndarray) -> np.ndarray:
    """One category per row, drawn from ``softmax(logits)`` (Gumbel-max trick)."""
    gumbel = -np.log(-np.log(rng.uniform(size=logits.shape)))
    return np.argmax(logits + gumbel, axis=1)


def _mixed_columns(
    rng: np.random.RandomState,
    s: np.ndarray,
    n_groups: int,
    n_categorical: int,
    n_categories: int,
    n_money: int,
    n_counts: int,
    n_continuous: int,
    separation: float,
) -> tuple[list[np.ndarray], list[np.ndarray]]:
    """Category codes and numeric columns, all shifted by the group of the row."""
    n = s.shape[0]
    center = separation * rng.standard_normal((n_groups, _N_LATENT))
    latent = center[s] + rng.standard_normal((n, _N_LATENT))
    codes = []
    for _ in range(n_categorical):
        loadings = rng.standard_normal((_N_LATENT, n_categories))
        shift = separation * rng.standard_normal((n_groups, n_categories))
        codes.append(_softmax_draw(rng, latent @ loadings + shift[s]))
    numeric = []
    low, high = np.log(_MONEY_RANGE[0]), np.log(_MONEY_RANGE[1])
    for _ in range(n_money):
        median = rng.uniform(low + 2.0, high - 4.0)
        log_amount = (
            median
            + 0.5 * latent @ rng.standard_normal(_N_LATENT)
            + 0.5 * separation * rng.standard_normal(n_groups)[s]
            + 0.7 * rng.standard_normal(n)
        )
        numeric.append(np.round(np.exp(np.clip(log_amount, low, high)), 2))
    for _ in range(n_counts):
        rate = np.exp(
            0.8
            + 0.4 * latent @ rng.standard_normal(_N_LATENT)
            + 0.4 * separation * rng.standard_normal(n_groups)[s]
        )
        numeric.append(rng.poisson(np.minimum(rate, 1e3)).astype(np.float64))
    for _ in range(n_continuous):
        numeric.append(latent @ rng.standard_normal(_N_LATENT) + rng.standard_normal(n))
    return codes, numeric


def _standardised(column: np.ndarray) -> np.ndarray:
    return (column - column.mean()) / (column.std() + 1e-12)


@validate_params(
    {
        "n_samples": [Interval(Integral, 1, None, closed="left")],
        "n_groups": [Interval(Integral, 1, None, closed="left")],
        "group_weights": ["array-like", None],
        "n_categorical": [Interval(Integral, 0, None, closed="left")],
        "n_categories": [Interval(Integral, 2, None, closed="left")],
        "n_money": [Interval(Integral, 0, None, closed="left")],
        "n_counts": [Interval(Integral, 0, None, closed="left")],
        "n_continuous": [Interval(Integral, 0, None, closed="left")],
        "separation": [Interval(Real, 0, None, closed="left")],
        "label_dependence": [Interval(Real, 0, None, closed="left")],
        "as_frame": ["boolean"],
        "random_state": ["random_state"],
    },
    prefer_skip_nested_validation=True,
)
def make_grouped_mixed(
    n_samples: int = 1000,
    *,
    n_groups: int = 2,
    group_weights=None,
    n_categorical: int = 2,
    n_categories: int = 4,
    n_money: int = 2,
    n_counts: int = 2,
    n_continuous: int = 1,
    separation: float = 1.0,
    label_dependence: float = 1.0,
    as_frame: bool = False,
    random_state=None,
):
    """Generate a mixed-type table whose columns and label depend on a group.

    The columns are, in this order: ``n_categorical`` categorical columns with
    ``n_categories`` levels each, ``n_money`` skewed (log-normal) money amounts
    in raw units between 1e3 and 1e6, ``n_counts`` integer counts (Poisson) and
    ``n_continuous`` Gaussian columns. All of them depend on a shared latent
    factor whose location depends on the group, and each also has its own group
    shift; the binary label depends on the latent factor, the first money
    amount, the first categorical column and on the group itself.

    Parameters
    ----------
    n_samples : int, default=1000
        Total number of rows.

    n_groups : int, default=2
        Number of groups; labels are ``0, ..., n_groups - 1``.

    group_weights : array-like of shape (n_groups,), default=None
        Non-negative group proportions, normalised to sum to one; uniform if
        None. Group sizes are exact (largest-remainder rounding) and every group
        needs at least 2 rows.

    n_categorical : int, default=2
        Number of categorical columns.

    n_categories : int, default=4
        Number of levels of each categorical column (some may not occur).

    n_money : int, default=2
        Number of money columns (rounded to cents, clipped to [1e3, 1e6]).

    n_counts : int, default=2
        Number of count columns (non-negative integers, stored as floats).

    n_continuous : int, default=1
        Number of continuous Gaussian columns.

    separation : float, default=1.0
        Scale of the differences between groups, in all columns. With 0 the
        features do not depend on the group.

    label_dependence : float, default=1.0
        Scale of the direct effect of the group on the label's log-odds.

    as_frame : bool, default=False
        If True, ``X`` is a DataFrame with string categories (dtype
        ``category``, levels ``"c<j>_<k>"``) and float columns named
        ``money<j>``, ``count<j>`` and ``cont<j>``, and ``y`` and ``s`` are
        Series. If False, ``X`` is a float ndarray in which each categorical
        column is one-hot encoded into ``n_categories`` columns (placed first).

    random_state : int, RandomState instance or None, default=None
        Seed of all the random draws. Pass an int for reproducible output.

    Returns
    -------
    X : ndarray of shape (n_samples, n_features) or DataFrame
        The features: ``n_features = n_categorical * n_categories + n_money +
        n_counts + n_continuous`` for an array, one column per variable for a
        DataFrame.

    y : ndarray or Series of shape (n_samples,)
        Binary label (int64).

    s : ndarray or Series of shape (n_samples,)
        Group of each row (int64).

    See Also
    --------
    make_grouped_gaussian : Gaussian groups with known moments.
    make_grouped_nongaussian : Skewed, multimodal or discrete numeric groups.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn_unlearn.datasets import make_grouped_mixed
    >>> X, y, s = make_grouped_mixed(
    ...     500, n_groups=3, group_weights=[0.5, 0.3, 0.2], random_state=0
    ... )
    >>> X.shape, np.bincount(s).tolist()
    ((500, 13), [250, 150, 100])
    >>> bool(np.all(X[:, :8].sum(axis=1) == 2)), bool(X[:, 8].min() >= 1e3)
    (True, True)
    >>> frame, y, s = make_grouped_mixed(500, as_frame=True, random_state=0)
    >>> list(frame.columns)
    ['c0', 'c1', 'money0', 'money1', 'count0', 'count1', 'cont0']
    """
    rng = check_random_state(random_state)
    sizes = check_group_sizes(n_samples, n_groups, group_weights)
    s = rng.permutation(np.repeat(np.arange(n_groups, dtype=np.int64), sizes))
    codes, numeric = _mixed_columns(
        rng,
        s,
        n_groups,
        n_categorical,
        n_categories,
        n_money,
        n_counts,
        n_continuous,
        separation,
    )
    logit = label_dependence * rng.standard_normal(n_groups)[s]
    for column in numeric[: min(n_money, 1)]:
        logit += _standardised(np.log(column))
    for column in numeric[n_money:]:
        logit += 0.5 * _standardised(column)
    if codes:
        logit += rng.standard_normal(n_categories)[codes[0]]
    y = (rng.uniform(size=n_samples) < 1.0 / (1.0 + np.exp(-logit))).astype(np.int64)
    names = (
        [f"money{j}" for j in range(n_money)]
        + [f"count{j}" for j in range(n_counts)]
        + [f"cont{j}" for j in range(n_continuous)]
    )
    if as_frame:
        import pandas as pd

        columns = {
            f"c{j}": pd.Categorical.from_codes(
                code, categories=[f"c{j}_{k}" for k in range(n_categories)]
            )
            for j, code in enumerate(codes)
        }
        columns.update(zip(names, numeric, strict=True))
        return (
            pd.DataFrame(columns),
            pd.Series(y, name="y"),
            pd.Series(s, name="s"),
        )
    blocks = [np.eye(n_categories)[code] for code in codes]
    blocks += [column[:, None] for column in numeric]
    X = np.hstack([np.empty((n_samples, 0)), *blocks])
    return X, y, s
