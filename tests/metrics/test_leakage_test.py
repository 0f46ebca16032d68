"""leakage_test: exact rank statistics, calibration under the null, power."""

import numpy as np
import pytest
from scipy.stats import mannwhitneyu, norm, rankdata
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import roc_auc_score
from sklearn.model_selection import StratifiedKFold, cross_val_predict

from sklearn_unlearn.metrics import leakage_auc, leakage_test
from sklearn_unlearn.metrics._leakage_test import block_statistics, fold_test
from sklearn_unlearn.utils._compat import InvalidParameterError


def _null(seed, n=1000, d=3, groups=2):
    rng = np.random.default_rng(seed)
    return rng.normal(size=(n, d)), rng.integers(0, groups, n)


def _weak(seed, n=2000, shift=0.2):
    # AUC of the best (linear) score: Phi(0.2 sqrt(3) / sqrt(2)) = 0.597
    rng = np.random.default_rng(seed)
    s = rng.integers(0, 2, n)
    return rng.normal(size=(n, 3)) + shift * s[:, None], s


def _delong_by_pairs(x, positive):
    """DeLong's variance of the AUC from the pair matrix, by its definition."""
    pos, neg = x[positive], x[~positive]
    psi = (pos[:, None] > neg[None, :]) + 0.5 * (pos[:, None] == neg[None, :])
    v10, v01 = psi.mean(axis=1), psi.mean(axis=0)
    return psi.mean(), v10.var(ddof=1) / pos.size + v01.var(ddof=1) / neg.size


def test_block_statistics_binary_match_mann_whitney_and_delong():
    rng = np.random.default_rng(0)
    codes = rng.integers(0, 2, 300)
    score = np.round(rng.normal(size=300) + 0.4 * codes, 1)  # many ties
    proba = np.column_stack([1 - score, score])
    stats = block_statistics(proba, codes)
    positive = codes == 1
    auc, delong = _delong_by_pairs(score, positive)
    assert stats.auc == pytest.approx(auc, abs=1e-12)
    assert stats.delong_variance == pytest.approx(delong, rel=1e-10)
    # scipy's tie-corrected normal approximation of the Mann-Whitney test
    reference = mannwhitneyu(
        score[positive],
        score[~positive],
        alternative="greater",
        method="asymptotic",
        use_continuity=False,
    )
    z = (stats.auc - 0.5) / np.sqrt(stats.null_variance)
    assert norm.sf(z) == pytest.approx(reference.pvalue, rel=1e-8)


def test_block_statistics_multiclass_null_variance_is_the_permutation_variance():
    rng = np.random.default_rng(1)
    codes = rng.integers(0, 3, 60)
    proba = rng.dirichlet(np.ones(3), size=60)
    stats = block_statistics(proba, codes)
    macro = roc_auc_score(codes, proba, multi_class="ovr", average="macro")
    assert stats.auc == pytest.approx(macro, abs=1e-12)
    # brute force: the macro AUC over 20000 random relabellings (Mann-Whitney
    # rank sums); the Monte Carlo variance has a relative standard error of 1%
    labels = np.array([rng.permutation(codes) for _ in range(20000)])
    ranks = rankdata(proba, axis=0)
    draws = 0.0
    for c in range(3):
        members = labels == c
        m = members.sum(axis=1)
        u = members.astype(float) @ ranks[:, c] - m * (m + 1) / 2
        draws = draws + u / (m * (60 - m)) / 3
    first = roc_auc_score(labels[0], proba, multi_class="ovr")
    assert draws[0] == pytest.approx(first, abs=1e-12)
    assert np.mean(draws) == pytest.approx(0.5, abs=0.002)
    assert stats.null_variance == pytest.approx(np.var(draws), rel=0.05)


def test_auc_is_leakage_auc_and_the_pooled_cross_val_predict_auc():
    Z, s = _weak(0, n=600)
    result = leakage_test(Z, s, estimator=LogisticRegression(), random_state=3)
    assert result.auc == leakage_auc(
        Z, s, estimator=LogisticRegression(), random_state=3
    )
    seed = np.random.RandomState(3).randint(2**31 - 1)
    folds = StratifiedKFold(5, shuffle=True, random_state=seed)
    proba = cross_val_predict(
        LogisticRegression(), Z, s, cv=folds, method="predict_proba"
    )
    assert result.auc == roc_auc_score(s, proba[:, 1])
    # the default adversary (gradient boosting), three groups: same number too
    Z, s = _null(1, n=300, groups=3)
    assert leakage_test(Z, s, random_state=0).auc == leakage_auc(Z, s, random_state=0)


def test_calibrated_on_twenty_null_data_sets():
    # measured: p < 0.05 in 0 of 20, the 95% interval covers 0.5 in 18 of 20
    # (over 300 seeds: p < 0.05 in 2.7%, coverage 96%)
    results = [
        leakage_test(*_null(seed), estimator=LogisticRegression(), random_state=seed)
        for seed in range(20)
    ]
    pvalues = np.array([r.pvalue for r in results])
    covers = [r.ci_low <= 0.5 <= r.ci_high for r in results]
    assert np.sum(pvalues < 0.05) <= 3
    assert np.sum(covers) >= 16
    assert np.all((0 < pvalues) & (pvalues <= 1))


def test_detects_weak_leakage_and_covers_the_true_auc():
    # measured over 50 seeds: p <= 4e-5, ci_low >= 0.537, coverage 98%
    true_auc = norm.cdf(0.2 * np.sqrt(3) / np.sqrt(2))  # 0.597
    covered = 0
    for seed in range(10):
        result = leakage_test(
            *_weak(seed), estimator=LogisticRegression(), random_state=seed
        )
        assert result.pvalue < 0.01 and result.ci_low > 0.5
        assert result.ci_low <= result.fold_auc <= result.ci_high
        covered += result.ci_low <= true_auc <= result.ci_high
    assert covered >= 8


def test_held_out_split_is_the_exact_mann_whitney_test():
    Z, s = _weak(2, n=800, shift=0.1)
    train, test = np.arange(400), np.arange(400, 800)
    result = leakage_test(Z, s, estimator=LogisticRegression(), cv=[(train, test)])
    score = LogisticRegression().fit(Z[train], s[train]).predict_proba(Z[test])[:, 1]
    positive = s[test] == 1
    reference = mannwhitneyu(
        score[positive],
        score[~positive],
        alternative="greater",
        method="asymptotic",
        use_continuity=False,
    )
    # no scored row trains a model: the fold statistic needs no inflation
    assert result.pvalue == pytest.approx(reference.pvalue, rel=1e-8)
    assert result.auc == pytest.approx(roc_auc_score(s[test], score), abs=1e-12)


def test_cross_fitting_doubles_the_variance_of_independent_folds():
    rng = np.random.default_rng(3)
    codes = rng.integers(0, 2, 400)
    proba = np.column_stack([np.zeros(400), rng.random(400)])
    proba[:, 0] = 1 - proba[:, 1]
    fold = np.arange(400) % 4
    single, crossed = (fold_test(proba, codes, fold, f) for f in (1.0, 2.0))
    assert crossed.auc == single.auc
    assert crossed.z == pytest.approx(single.z / np.sqrt(2))
    assert crossed.std_err == pytest.approx(single.std_err * np.sqrt(2))


def test_permutation_pvalue_is_on_its_grid():
    Z, s = _null(4, n=300)
    lr = LogisticRegression()
    null = leakage_test(Z, s, estimator=lr, n_permutations=19, random_state=0)
    assert null.pvalue * 20 == pytest.approx(round(null.pvalue * 20))
    assert null.pvalue > 0.05
    Z, s = _weak(4, n=600, shift=0.5)
    leak = leakage_test(Z, s, estimator=lr, n_permutations=19, random_state=0)
    assert leak.pvalue == pytest.approx(1 / 20)


def test_repr_is_readable():
    result = leakage_test(*_weak(0, n=400), estimator=LogisticRegression())
    text = repr(result)
    assert text.startswith("LeakageTest(auc=0.") and "at 95%" in text


@pytest.mark.parametrize(
    "kwargs, error, match",
    [
        ({"confidence": 1.5}, InvalidParameterError, "confidence"),
        ({"n_permutations": -1}, InvalidParameterError, "n_permutations"),
        ({"cv": [(np.arange(25, 100), np.arange(25))]}, ValueError, "miss a group"),
        (
            {
                "cv": [
                    (np.arange(25, 100), np.arange(25)),
                    (np.r_[:50, 75:100], np.r_[50:75]),
                ]
            },
            ValueError,
            "fold 0 of cv lacks",
        ),
        (
            {"cv": [(np.arange(50, 100), np.arange(60))] * 2},
            ValueError,
            "more than once",
        ),
    ],
)
def test_bad_parameters_name_themselves(kwargs, error, match):
    Z = np.random.default_rng(0).normal(size=(100, 2))
    s = np.r_[np.zeros(50), np.ones(50)].astype(int)
    with pytest.raises(error, match=match):
        leakage_test(Z, s, estimator=LogisticRegression(), **kwargs)
