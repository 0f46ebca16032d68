"""Kernels of the per-example membership audit: closed forms and properties."""

import numpy as np
import pytest
from scipy.stats import norm
from sklearn.metrics import roc_auc_score, roc_curve

from sklearn_unlearn.metrics._membership_kernels import (
    STD_FLOOR_SHARE,
    calibrated_scores,
    rank_auc,
    stratified_subsets,
    tpr_at_fpr,
    true_class_logit,
)


def test_true_class_logit_closed_form():
    proba = np.array([[0.8, 0.2, 0.0], [1.0, 1e-20, 0.0], [0.2, 0.3, 0.5], [0, 1, 0]])
    columns = np.array([0, 0, -1, 0])
    got = true_class_logit(proba, columns)
    # the confident row keeps its precision: log(1 / 1e-20), not log(1 / 0)
    expected = [np.log(4.0), 20 * np.log(10.0), np.log(1e-30), np.log(1e-30)]
    np.testing.assert_allclose(got, expected, rtol=1e-12)
    assert np.all(np.isfinite(got))


def _null_world(rng, n, k):
    """Rows of varied difficulty: references and target from one law per row."""
    centre = rng.normal(0.0, 3.0, n)
    spread = rng.uniform(0.5, 2.0, n)
    reference = centre + spread * rng.normal(size=(k, n))
    return centre, spread, reference


@pytest.mark.parametrize("per_example", [True, False])
def test_same_law_as_the_references_gives_auc_one_half(per_example):
    # the audited values come from each row's reference law: the forgotten
    # half and the held-out half are exchangeable, so the AUC is 1/2 up to
    # sampling noise (sd about 0.0065 for 2000 + 2000 rows; tolerance 0.03)
    rng = np.random.default_rng(0)
    centre, spread, reference = _null_world(rng, 4000, 8)
    target = centre + spread * rng.normal(size=4000)
    scores = calibrated_scores(target, reference, per_example)
    assert abs(rank_auc(scores[:2000], scores[2000:]) - 0.5) < 0.03


def test_a_known_shift_gives_the_gaussian_auc():
    # unit spreads, many references: z is close to N(delta, 1 + 1/K) on the
    # positives and N(0, 1 + 1/K) on the negatives, so AUC = Phi(delta / sqrt(2))
    rng = np.random.default_rng(1)
    n, k, delta = 4000, 200, 1.0
    reference = rng.normal(size=(k, n))
    target = rng.normal(size=n)
    target[: n // 2] += delta
    for per_example in (True, False):
        scores = calibrated_scores(target, reference, per_example)
        auc = rank_auc(scores[: n // 2], scores[n // 2 :])
        expected = norm.cdf(delta / np.sqrt(2 * (1 + 1 / k)))
        assert abs(auc - expected) < 0.02, (auc, expected)


def test_calibration_finds_what_one_threshold_misses():
    # members sit one of their own spreads above their row's reference mean;
    # rows differ much more in difficulty than that, so raw confidences
    # barely separate members while the calibrated scores do
    rng = np.random.default_rng(2)
    centre, spread, reference = _null_world(rng, 4000, 16)
    target = centre + spread * rng.normal(size=4000)
    target[:2000] += 1.5 * spread[:2000]
    raw = rank_auc(target[:2000], target[2000:])
    calibrated = calibrated_scores(target, reference, True)
    assert raw < 0.7  # about 0.63
    assert rank_auc(calibrated[:2000], calibrated[2000:]) > 0.8  # about 0.84


def test_calibrated_scores_closed_form_and_floor():
    reference = np.array([[0.0, 1.0, 2.0], [2.0, 1.0, 4.0]])
    target = np.array([3.0, 1.5, 3.0])
    std = np.sqrt([2.0, 0.0, 2.0])
    pooled = np.sqrt(4.0 / 3)
    got = calibrated_scores(target, reference, True)
    floored = np.maximum(std, STD_FLOOR_SHARE * pooled)
    np.testing.assert_allclose(got, (target - [1.0, 1.0, 3.0]) / floored)
    pooled_scores = calibrated_scores(target, reference, False)
    np.testing.assert_allclose(pooled_scores, (target - [1.0, 1.0, 3.0]) / pooled)
    # identical references (a deterministic estimator): unit scale, no division
    same = calibrated_scores(target, np.ones((3, 3)), True)
    np.testing.assert_allclose(same, target - 1.0)


def test_rank_auc_matches_scikit_learn_with_ties():
    rng = np.random.default_rng(3)
    pos, neg = rng.integers(0, 5, 60).astype(float), rng.integers(0, 4, 90) * 1.0
    labels = np.r_[np.ones(60), np.zeros(90)]
    expected = roc_auc_score(labels, np.r_[pos, neg])
    assert rank_auc(pos, neg) == pytest.approx(expected, abs=1e-12)


def test_tpr_at_fpr_is_the_best_rate_under_each_level_and_monotone():
    rng = np.random.default_rng(4)
    pos, neg = rng.normal(1.0, 1.0, 300), rng.normal(0.0, 1.0, 500)
    pos[:20] = neg[:20]  # ties between the groups
    levels = np.array([0.001, 0.002, 0.01, 0.05, 0.2, 0.5, 0.999])
    got = tpr_at_fpr(pos, neg, levels)
    fpr, tpr, _ = roc_curve(
        np.r_[np.ones(300), np.zeros(500)], np.r_[pos, neg], drop_intermediate=False
    )
    expected = [tpr[fpr <= level + 1e-12].max() for level in levels]
    np.testing.assert_allclose(got, expected)
    assert np.all(np.diff(got) >= 0)
    # below 1 / n_negative the rate is the one at zero false positives
    assert got[0] == np.mean(pos > neg.max())


def test_stratified_subsets_keep_every_class_and_follow_their_seed():
    y = np.r_[np.zeros(40, int), np.ones(9, int), [2]]
    draws = stratified_subsets(y, 0.5, np.array([0, 1, 0]))
    for rows in draws:
        assert np.unique(rows).size == rows.size
        np.testing.assert_array_equal(np.bincount(y[rows]), [20, 4, 1])
    np.testing.assert_array_equal(draws[0], draws[2])
    assert not np.array_equal(draws[0], draws[1])
    everything = stratified_subsets(y, 1.0, np.array([5]))[0]
    np.testing.assert_array_equal(everything, np.arange(y.size))
