"""Group fairness metrics: hand-computed values, fairlearn's, and the fallback."""

import numpy as np
import pytest
from numpy.testing import assert_allclose

from sklearn_unlearn.metrics import (
    _fairness,
    demographic_parity_difference,
    equalized_odds_difference,
    group_accuracy,
)

#: Agreement of the kernels with fairlearn: the same sums, in another order.
ATOL = 1e-12


def _random_case(seed, n_groups, weighted):
    rng = np.random.default_rng(seed)
    n = 400
    s = rng.integers(0, n_groups, n)
    y_true = (rng.random(n) < 0.3 + 0.1 * s).astype(int)
    y_pred = (rng.random(n) < 0.2 + 0.15 * s).astype(int)
    weight = rng.uniform(0.1, 3.0, n) if weighted else None
    return y_true, y_pred, s, weight


@pytest.fixture
def without_fairlearn(monkeypatch):
    monkeypatch.setattr(_fairness, "_fairlearn_metrics", lambda: None)


def test_hand_computed_values(without_fairlearn):
    y_true = np.array([1, 1, 0, 0, 1, 1, 0, 0])
    y_pred = np.array([1, 1, 1, 0, 1, 0, 0, 0])
    s = np.array(list("aaaabbbb"))
    # selection rates 3/4 and 1/4; TPR 1 and 1/2; FPR 1/2 and 0
    assert demographic_parity_difference(y_true, y_pred, sensitive_features=s) == 0.5
    assert equalized_odds_difference(y_true, y_pred, sensitive_features=s) == 0.5
    result = group_accuracy(y_true, y_pred, sensitive_features=s)
    assert result.by_group == {"a": 0.75, "b": 0.75}
    assert (result.worst, result.worst_group) == (0.75, "a")  # ties: first label
    # weight 3 on the selected row of group b: its rate is 3/6
    w = np.array([1, 1, 1, 1, 3, 1, 1, 1.0])
    dpd = demographic_parity_difference(
        y_true, y_pred, sensitive_features=s, sample_weight=w
    )
    assert dpd == pytest.approx(0.75 - 3 / 6)


@pytest.mark.parametrize("n_groups", [2, 5])
@pytest.mark.parametrize("weighted", [False, True])
@pytest.mark.parametrize("seed", range(3))
def test_kernels_equal_fairlearn(seed, n_groups, weighted):
    metrics = pytest.importorskip("fairlearn.metrics")
    from sklearn.metrics import accuracy_score

    y_true, y_pred, s, w = _random_case(seed, n_groups, weighted)
    codes = np.unique(s, return_inverse=True)[1]
    ours_dpd = _fairness._spread(_fairness._selection_rates(y_pred, codes, w, n_groups))
    theirs = metrics.demographic_parity_difference(
        y_true, y_pred, sensitive_features=s, sample_weight=w
    )
    assert_allclose(ours_dpd, theirs, atol=ATOL)
    labels = np.unique(s)
    tpr, fpr = _fairness._odds_rates(y_true, y_pred, codes, w, labels)
    theirs = metrics.equalized_odds_difference(
        y_true, y_pred, sensitive_features=s, sample_weight=w
    )
    assert_allclose(
        max(_fairness._spread(tpr), _fairness._spread(fpr)), theirs, atol=ATOL
    )
    hits = (y_true == y_pred).astype(float)
    accuracy = _fairness._group_means(hits, codes, w, n_groups)[0]
    frame = metrics.MetricFrame(
        metrics=accuracy_score,
        y_true=y_true,
        y_pred=y_pred,
        sensitive_features=s,
        sample_params={} if w is None else {"sample_weight": w},
    )
    assert_allclose(accuracy, frame.by_group.to_numpy(float), atol=ATOL)


@pytest.mark.parametrize("weighted", [False, True])
def test_public_functions_agree_with_and_without_fairlearn(weighted, monkeypatch):
    pytest.importorskip("fairlearn")
    y_true, y_pred, s, w = _random_case(7, 3, weighted)
    names = np.array(["x", "y", "z"])[s]
    kw = {"sensitive_features": names, "sample_weight": w}
    functions = (demographic_parity_difference, equalized_odds_difference)
    with_fairlearn = [f(y_true, y_pred, **kw) for f in functions]
    accuracy = group_accuracy(y_true, y_pred, **kw)
    monkeypatch.setattr(_fairness, "_fairlearn_metrics", lambda: None)
    assert_allclose(
        [f(y_true, y_pred, **kw) for f in functions], with_fairlearn, atol=ATOL
    )
    fallback = group_accuracy(y_true, y_pred, **kw)
    assert fallback.by_group.keys() == accuracy.by_group.keys() == {"x", "y", "z"}
    assert_allclose(list(fallback.by_group.values()), list(accuracy.by_group.values()))
    assert fallback.worst_group == accuracy.worst_group


def test_intersectional_groups_and_string_labels(without_fairlearn):
    rng = np.random.default_rng(3)
    n = 300
    S = np.column_stack([rng.choice(["F", "M"], n), rng.choice(["x", "y"], n)])
    y_true = rng.choice(["no", "yes"], n)
    y_pred = np.where(S[:, 0] == "F", "yes", "no")
    dpd = demographic_parity_difference(
        y_true, y_pred, sensitive_features=S, pos_label="yes"
    )
    assert dpd == 1.0  # every F selected, no M
    result = group_accuracy(y_true, y_pred, sensitive_features=S)
    assert set(result.by_group) == {"F & x", "F & y", "M & x", "M & y"}
    assert result.worst == min(result.by_group.values())


def test_single_group_of_the_predictions_is_parity(without_fairlearn):
    y = np.array([0, 1, 0, 1])
    s = np.array([0, 0, 1, 1])
    assert demographic_parity_difference(y, y, sensitive_features=s) == 0.0
    assert equalized_odds_difference(y, y, sensitive_features=s) == 0.0


@pytest.mark.parametrize(
    "call, match",
    [
        (
            lambda: equalized_odds_difference(
                [1, 1, 0, 1], [1, 0, 0, 1], sensitive_features=[0, 0, 1, 1]
            ),
            r"\['0'\] have no negative",
        ),
        (
            lambda: demographic_parity_difference(
                [0, 1], [0.2, 0.7], sensitive_features=[0, 1]
            ),
            "not scores",
        ),
        (
            lambda: demographic_parity_difference(
                [0, 2], [0, 2], sensitive_features=[0, 1]
            ),
            "pos_label=<the",
        ),
        (
            lambda: demographic_parity_difference(
                [0, 1, 1], [0, 1], sensitive_features=[0, 1]
            ),
            "y_pred has 2",
        ),
        (
            lambda: demographic_parity_difference(
                [0, 1], [0, 1], sensitive_features=[0, 1, 1]
            ),
            "sensitive_features has 3",
        ),
        (
            lambda: demographic_parity_difference(
                [0, 1], [0, 1], sensitive_features=[0, 0]
            ),
            "single group",
        ),
        (
            lambda: group_accuracy([[0, 1]], [0, 1], sensitive_features=[0, 1]),
            "y_true must be 1-D",
        ),
        (
            lambda: group_accuracy(
                [0, 1], [0, 1], sensitive_features=[0, 1], sample_weight=[1, 0]
            ),
            "total sample_weight of 0",
        ),
        (
            lambda: group_accuracy(
                [0, 1], [0, 1], sensitive_features=[0, 1], sample_weight=[1, -1]
            ),
            "(?i)negative",
        ),
    ],
)
def test_bad_inputs_name_the_parameter_and_the_fix(call, match):
    with pytest.raises(ValueError, match=match):
        call()
