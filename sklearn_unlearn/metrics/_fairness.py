"""Group fairness of a classifier's predictions: parity gaps and group accuracy.

The three audits of a fairness workflow next to the leakage of S: the
demographic-parity and equalised-odds differences (gaps between the groups of
S, 0 is parity) and each group's accuracy. S is parsed by
:func:`~sklearn_unlearn.utils._sensitive.parse_sensitive`, so several columns
make intersectional groups labelled as everywhere in the library. When
fairlearn is installed its metric functions compute the numbers (on the parsed
groups), so they equal a ``MetricFrame``'s; otherwise the kernels here do, by
the same definitions (the tests check that both agree).
"""

from numbers import Real
from typing import NamedTuple

import numpy as np
from sklearn.metrics import accuracy_score
from sklearn.utils.validation import _check_sample_weight, column_or_1d

from sklearn_unlearn.metrics._checks import shape_of
from sklearn_unlearn.utils._compat import validate_params
from sklearn_unlearn.utils._sensitive import check_group_counts, parse_sensitive

__all__ = [
    "GroupAccuracy",
    "demographic_parity_difference",
    "equalized_odds_difference",
    "group_accuracy",
]


class GroupAccuracy(NamedTuple):
    """Accuracy of each group of S, and the worst one.

    Result of :func:`group_accuracy` (higher is better).

    Attributes
    ----------
    by_group : dict
        Group label -> accuracy within the group.
    worst : float
        The lowest group accuracy.
    worst_group : str
        The label of that group.

    Examples
    --------
    >>> from sklearn_unlearn.metrics import group_accuracy
    >>> group_accuracy([1, 1, 0], [1, 0, 0], sensitive_features=[0, 0, 1]).worst
    0.5
    """

    by_group: dict
    worst: float
    worst_group: str


class _Checked(NamedTuple):
    y_true: np.ndarray
    y_pred: np.ndarray
    codes: np.ndarray  # group code of each row, 0 .. n_groups - 1
    labels: np.ndarray  # group labels, by code
    weight: np.ndarray | None  # None when not given


# ------------------------------------------------------------------ kernels
def _group_means(values, codes, weight, n_groups, rows=None) -> tuple:
    """Weighted mean of ``values`` in each group (among ``rows``), and its weight."""
    w = np.ones(codes.size) if weight is None else weight
    if rows is not None:
        w = w * rows
    total = np.bincount(codes, weights=w, minlength=n_groups)
    hits = np.bincount(codes, weights=w * values, minlength=n_groups)
    with np.errstate(invalid="ignore", divide="ignore"):
        return hits / total, total


def _spread(rates: np.ndarray) -> float:
    return float(rates.max() - rates.min())


def _selection_rates(y_pred, codes, weight, n_groups) -> np.ndarray:
    return _group_means(y_pred, codes, weight, n_groups)[0]


def _odds_rates(y_true, y_pred, codes, weight, labels) -> tuple:
    """True and false positive rates of each group, or a ValueError if undefined."""
    rates = []
    for value, name in ((1.0, "positive"), (0.0, "negative")):
        rate, total = _group_means(
            y_pred, codes, weight, labels.size, rows=y_true == value
        )
        if np.any(total <= 0):
            raise ValueError(
                f"Group(s) {labels[total <= 0].tolist()[:10]} have no {name} "
                f"sample in y_true (with positive weight): their "
                f"{'true' if value else 'false'} positive rate is undefined, so is "
                "the equalized-odds difference. Score on more rows or merge groups."
            )
        rates.append(rate)
    return tuple(rates)


def _fairlearn_metrics():
    """``fairlearn.metrics`` when fairlearn is installed, else None."""
    try:
        from fairlearn import metrics
    except ImportError:
        return None
    return metrics


# --------------------------------------------------------------- validation
def _check_inputs(y_true, y_pred, sensitive_features, sample_weight, pos_label):
    """Labels (as 0/1 of ``pos_label`` when given), groups and weights."""
    for name, values in (("y_true", y_true), ("y_pred", y_pred)):
        if len(shape_of(values, name)) != 1:
            raise ValueError(
                f"{name} must be 1-D (one label per row); got shape "
                f"{shape_of(values, name)}."
            )
    y_true = column_or_1d(y_true)
    y_pred = column_or_1d(y_pred)
    if y_true.shape != y_pred.shape:
        raise ValueError(
            f"y_true has {y_true.size} samples but y_pred has {y_pred.size}: pass "
            "the predictions of the same rows."
        )
    record = parse_sensitive(values=sensitive_features, param="sensitive_features")
    if record.codes.size != y_true.size:
        raise ValueError(
            f"sensitive_features has {record.codes.size} samples but y_true has "
            f"{y_true.size}: pass one sensitive value per row."
        )
    check_group_counts(
        record.encoding,
        min_rows=1,
        what="a fairness metric",
        hint="Pass the sensitive values of the scored rows.",
    )
    weight = None
    if sample_weight is not None:
        weight = _check_sample_weight(sample_weight, y_true, ensure_non_negative=True)
        totals = np.bincount(record.codes, weights=weight)
        if np.any(totals <= 0):
            raise ValueError(
                f"Group(s) {record.encoding.labels[totals <= 0].tolist()[:10]} have "
                "a total sample_weight of 0: their rates are undefined. Give "
                "their rows positive weights or leave those groups out."
            )
    if pos_label is not None:
        present = np.union1d(y_true, y_pred)
        if present.size > 2 or pos_label not in present.tolist():
            raise ValueError(
                f"The labels of y_true and y_pred are {present.tolist()[:5]}: a "
                f"parity metric needs binary predicted labels (not scores) with "
                f"pos_label={pos_label!r} among them; pass pos_label=<the "
                "favourable label>."
            )
        y_true, y_pred = (np.asarray(y == pos_label, float) for y in (y_true, y_pred))
    return _Checked(y_true, y_pred, record.codes, record.encoding.labels, weight)


_PARAMS = {
    "y_true": ["array-like"],
    "y_pred": ["array-like"],
    "sensitive_features": ["array-like"],
    "sample_weight": ["array-like", None],
}
_BINARY_PARAMS = {**_PARAMS, "pos_label": [Real, str, "boolean"]}


# ------------------------------------------------------------------- public
@validate_params(_BINARY_PARAMS, prefer_skip_nested_validation=True)
def demographic_parity_difference(
    y_true, y_pred, *, sensitive_features, pos_label=1, sample_weight=None
):
    r"""Largest gap in selection rate between two groups of S: 0 is parity.

    Parameters
    ----------
    y_true : array-like of shape (n_samples,)
        True labels (only their number is used; kept for the metric signature).
    y_pred : array-like of shape (n_samples,)
        Predicted labels, binary.
    sensitive_features : array-like of shape (n_samples,) or (n_samples, k)
        S of each row; several columns make intersectional groups.
    pos_label : int, float, bool or str, default=1
        The favourable (selected) label.
    sample_weight : array-like of shape (n_samples,), default=None
        Nonnegative row weights.

    Returns
    -------
    difference : float in [0, 1]
        Lower is better.

    See Also
    --------
    equalized_odds_difference : Parity of the error rates instead.

    Notes
    -----
    With :math:`\hat Y` the prediction and :math:`a` the groups of S,

    .. math:: \mathrm{DPD} = \max_a P(\hat Y = 1 \mid A = a)
              - \min_a P(\hat Y = 1 \mid A = a),

    probabilities weighted by ``sample_weight``: fairlearn's
    ``demographic_parity_difference`` (``method="between_groups"``).

    Examples
    --------
    >>> from sklearn_unlearn.metrics import demographic_parity_difference
    >>> y_pred = [1, 1, 0, 0, 1, 0, 0, 0]
    >>> s = ["a", "a", "a", "a", "b", "b", "b", "b"]
    >>> demographic_parity_difference(y_pred, y_pred, sensitive_features=s)
    0.25
    """
    data = _check_inputs(y_true, y_pred, sensitive_features, sample_weight, pos_label)
    fairlearn = _fairlearn_metrics()
    if fairlearn is not None:
        return float(
            fairlearn.demographic_parity_difference(
                data.y_true,
                data.y_pred,
                sensitive_features=data.codes,
                sample_weight=data.weight,
            )
        )
    rates = _selection_rates(data.y_pred, data.codes, data.weight, data.labels.size)
    return _spread(rates)


@validate_params(_BINARY_PARAMS, prefer_skip_nested_validation=True)
def equalized_odds_difference(
    y_true, y_pred, *, sensitive_features, pos_label=1, sample_weight=None
):
    r"""Largest gap in true or false positive rate between two groups: 0 is parity.

    Parameters
    ----------
    y_true : array-like of shape (n_samples,)
        True labels, binary.
    y_pred : array-like of shape (n_samples,)
        Predicted labels, binary.
    sensitive_features : array-like of shape (n_samples,) or (n_samples, k)
        S of each row; several columns make intersectional groups.
    pos_label : int, float, bool or str, default=1
        The positive label.
    sample_weight : array-like of shape (n_samples,), default=None
        Nonnegative row weights.

    Returns
    -------
    difference : float in [0, 1]
        Lower is better.

    Raises
    ------
    ValueError
        When a group has no positive or no negative true label: one of its
        rates is undefined.

    See Also
    --------
    demographic_parity_difference : Parity of the selection rates.

    Notes
    -----
    .. math:: \mathrm{EOD} = \max_{y \in \{0, 1\}} \Big[
              \max_a P(\hat Y = 1 \mid A = a, Y = y)
              - \min_a P(\hat Y = 1 \mid A = a, Y = y) \Big],

    the larger of the true-positive-rate and false-positive-rate differences:
    fairlearn's ``equalized_odds_difference`` (``agg="worst_case"``).

    Examples
    --------
    >>> from sklearn_unlearn.metrics import equalized_odds_difference
    >>> y_true = [1, 1, 0, 0, 1, 1, 0, 0]
    >>> y_pred = [1, 1, 0, 0, 1, 0, 1, 0]
    >>> s = ["a", "a", "a", "a", "b", "b", "b", "b"]
    >>> equalized_odds_difference(y_true, y_pred, sensitive_features=s)
    0.5
    """
    data = _check_inputs(y_true, y_pred, sensitive_features, sample_weight, pos_label)
    tpr, fpr = _odds_rates(
        data.y_true, data.y_pred, data.codes, data.weight, data.labels
    )
    fairlearn = _fairlearn_metrics()
    if fairlearn is not None:
        return float(
            fairlearn.equalized_odds_difference(
                data.y_true,
                data.y_pred,
                sensitive_features=data.codes,
                sample_weight=data.weight,
            )
        )
    return max(_spread(tpr), _spread(fpr))


@validate_params(_PARAMS, prefer_skip_nested_validation=True)
def group_accuracy(y_true, y_pred, *, sensitive_features, sample_weight=None):
    r"""Accuracy within each group of S, and the worst group's.

    Parameters
    ----------
    y_true : array-like of shape (n_samples,)
        True labels (any number of classes).
    y_pred : array-like of shape (n_samples,)
        Predicted labels.
    sensitive_features : array-like of shape (n_samples,) or (n_samples, k)
        S of each row; several columns make intersectional groups.
    sample_weight : array-like of shape (n_samples,), default=None
        Nonnegative row weights.

    Returns
    -------
    result : GroupAccuracy
        ``by_group`` (label -> accuracy), ``worst`` and ``worst_group`` (the
        first label in sorted order on ties). Higher is better.

    See Also
    --------
    demographic_parity_difference : Parity of the selection rates.

    Notes
    -----
    :math:`\mathrm{acc}_a = P(\hat Y = Y \mid A = a)` (weighted), and
    ``worst`` is :math:`\min_a \mathrm{acc}_a`: a fairlearn ``MetricFrame``'s
    ``by_group`` and ``group_min()`` of ``accuracy_score``. A repair that
    equalises selection rates can lower a minority group's accuracy; this is
    the number that shows it.

    Examples
    --------
    >>> from sklearn_unlearn.metrics import group_accuracy
    >>> result = group_accuracy([1, 0, 1, 0], [1, 0, 0, 0],
    ...                         sensitive_features=["a", "a", "b", "b"])
    >>> result.by_group, result.worst, result.worst_group
    ({'a': 1.0, 'b': 0.5}, 0.5, 'b')
    """
    data = _check_inputs(y_true, y_pred, sensitive_features, sample_weight, None)
    fairlearn = _fairlearn_metrics()
    if fairlearn is not None:
        params = {} if data.weight is None else {"sample_weight": data.weight}
        frame = fairlearn.MetricFrame(
            metrics=accuracy_score,
            y_true=data.y_true,
            y_pred=data.y_pred,
            sensitive_features=data.codes,
            sample_params=params,
        )
        accuracy = frame.by_group.reindex(range(data.labels.size)).to_numpy(float)
    else:
        hits = np.asarray(data.y_true == data.y_pred, dtype=float)
        accuracy = _group_means(hits, data.codes, data.weight, data.labels.size)[0]
    worst = int(np.argmin(accuracy))
    by_group = dict(zip(data.labels.tolist(), accuracy.tolist(), strict=True))
    return GroupAccuracy(by_group, float(accuracy[worst]), str(data.labels[worst]))
