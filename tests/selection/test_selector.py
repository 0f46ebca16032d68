"""DistributionalSelector: mechanics (spec §5.7), the report, streaming, API."""

import numpy as np
import pandas as pd
import pytest
from numpy.testing import assert_allclose, assert_array_equal
from sklearn.linear_model import LogisticRegression

from sklearn_unlearn import DistributionalSelector
from sklearn_unlearn.metrics import (
    distributional_unlearning_report,
    gaussian_pareto_frontier,
)
from sklearn_unlearn.selection._scores import SCORES

#: Every criterion: the registry's, then those needing a seed or a model.
CRITERIA = [*sorted(SCORES), "classifier", "random"]


def _data(seed=0, n1=150, n2=300, d=3, shift=1.0):
    """Forget and retained rows interleaved; three unequal-mean columns."""
    rng = np.random.default_rng(seed)
    X1 = rng.normal(size=(n1, d)) + shift * np.arange(1, d + 1) / d
    X2 = rng.normal(size=(n2, d)) @ np.diag([1.0, 0.5, 2.0][:d] + [1.0] * (d - 3))
    X = np.vstack([X1, X2])
    mask = np.arange(n1 + n2) < n1
    order = rng.permutation(n1 + n2)
    return X[order], mask[order]


# ------------------------------------------------------ mechanics (§5.7)
@pytest.mark.parametrize("criterion", CRITERIA)
def test_deletes_exactly_the_budget_and_only_forget_rows(criterion):
    X, mask = _data()
    sel = DistributionalSelector(criterion, budget=40, random_state=0).fit(
        X, forget_mask=mask
    )
    assert sel.n_deleted_ == 40
    assert sel.deletion_mask_.sum() == 40
    assert np.all(mask[sel.deletion_mask_])
    assert_array_equal(np.sort(sel.ranking_), np.flatnonzero(mask))
    assert_array_equal(np.flatnonzero(sel.deletion_mask_), np.sort(sel.ranking_[:40]))
    assert_array_equal(sel.sample_indices_, np.flatnonzero(~sel.deletion_mask_))
    assert_array_equal(sel.forget_indices_, np.flatnonzero(mask))
    assert sel.scores_.shape == (mask.sum(),)
    # the ranking sorts the scores, highest first
    by_row = dict(zip(sel.forget_indices_, sel.scores_, strict=True))
    ranked = np.array([by_row[i] for i in sel.ranking_])
    assert np.all(np.diff(ranked) <= 0)


@pytest.mark.parametrize("criterion", CRITERIA)
def test_nothing_or_everything_is_the_same_for_every_rule(criterion):
    X, mask = _data(seed=1)
    kwargs = {"random_state": 0}
    none = DistributionalSelector(criterion, budget=0, **kwargs).fit(
        X, forget_mask=mask
    )
    assert none.n_deleted_ == 0 and not none.deletion_mask_.any()
    everything = DistributionalSelector(criterion, budget=1.0, **kwargs).fit(
        X, forget_mask=mask
    )
    assert_array_equal(everything.deletion_mask_, mask)
    assert_allclose(everything.achieved_epsilon_, 0.0, atol=1e-10)
    assert_allclose(everything.achieved_alpha_, everything.kappa_, rtol=1e-9)
    reference = DistributionalSelector("euclidean", budget=0).fit(X, forget_mask=mask)
    assert_allclose(none.achieved_alpha_, reference.achieved_alpha_)


def test_budget_as_count_or_fraction_agree():
    X, mask = _data()
    n1 = mask.sum()
    for fraction in (0.1, 0.25, 0.5, 0.9):
        a = DistributionalSelector(budget=fraction).fit(X, forget_mask=mask)
        b = DistributionalSelector(budget=int(np.floor(fraction * n1 + 0.5))).fit(
            X, forget_mask=mask
        )
        assert_array_equal(a.deletion_mask_, b.deletion_mask_)
    default = DistributionalSelector().fit(X, forget_mask=mask)
    assert default.n_deleted_ == n1 // 2


def test_ties_go_to_the_lower_row_index():
    # duplicated forget rows have equal scores: the earlier row is deleted first
    X = np.array([[3.0], [5.0], [3.0], [5.0], [0.0], [0.1], [-0.1], [0.2]])
    mask = np.array([True, True, True, True, False, False, False, False])
    sel = DistributionalSelector("euclidean", budget=3).fit(X, forget_mask=mask)
    assert_array_equal(sel.ranking_, [1, 3, 0, 2])
    assert_array_equal(np.flatnonzero(sel.deletion_mask_), [0, 1, 3])


@pytest.mark.parametrize("criterion", ["likelihood_ratio", "euclidean", "mahalanobis"])
def test_invariant_to_permuting_retained_rows_and_translation(criterion):
    X, mask = _data(seed=4)
    base = DistributionalSelector(criterion, budget=0.3).fit(X, forget_mask=mask)
    retained = np.flatnonzero(~mask)
    perm = np.arange(X.shape[0])
    perm[retained] = np.random.default_rng(0).permutation(retained)
    shuffled = DistributionalSelector(criterion, budget=0.3).fit(
        X[perm], forget_mask=mask
    )
    assert_array_equal(shuffled.deletion_mask_, base.deletion_mask_)
    moved = DistributionalSelector(criterion, budget=0.3).fit(
        X + [10.0, -3.0, 7.0], forget_mask=mask
    )
    assert_array_equal(moved.deletion_mask_, base.deletion_mask_)
    assert_allclose(moved.achieved_alpha_, base.achieved_alpha_, rtol=1e-6)


def test_random_score_is_reproducible_and_uniform():
    X, mask = _data()
    a = DistributionalSelector("random", budget=30, random_state=7).fit(
        X, forget_mask=mask
    )
    b = DistributionalSelector("random", budget=30, random_state=7).fit(
        X, forget_mask=mask
    )
    c = DistributionalSelector("random", budget=30, random_state=8).fit(
        X, forget_mask=mask
    )
    assert_array_equal(a.ranking_, b.ranking_)
    assert not np.array_equal(a.ranking_, c.ranking_)
    # each forget row is deleted with probability 30 / n1 (binomial, 400 draws)
    counts = np.zeros(X.shape[0])
    for seed in range(400):
        sel = DistributionalSelector("random", budget=30, random_state=seed)
        counts += sel.fit(X, forget_mask=mask).deletion_mask_
    p = 30 / mask.sum()
    z = (counts[mask] - 400 * p) / np.sqrt(400 * p * (1 - p))
    assert np.abs(z).max() < 5.0  # 150 rows: max |z| of 5 has p < 1e-4


def test_random_removal_expected_kls_spec_5_3():
    # mean-only refit with known Sigma = I: E[KL(p2||p_hat)] = w^2 kappa + d/(2N),
    # E[KL(p1||p_hat)] = (1 - w)^2 kappa + d/(2N), w = (n1 - f) / N.
    d, n1, n2, f = 2, 200, 400, 80
    mu1 = np.array([1.0, 0.0])
    kappa = 0.5 * mu1 @ mu1
    rng = np.random.default_rng(0)
    kl1, kl2 = [], []
    for rep in range(600):
        X = np.vstack([rng.normal(size=(n1, d)) + mu1, rng.normal(size=(n2, d))])
        mask = np.arange(n1 + n2) < n1
        sel = DistributionalSelector(
            "random", budget=f, family=None, random_state=rep
        ).fit(X, forget_mask=mask)
        mean_hat = X[sel.sample_indices_].mean(axis=0)
        kl1.append(0.5 * np.sum((mu1 - mean_hat) ** 2))
        kl2.append(0.5 * np.sum(mean_hat**2))
    N = n1 - f + n2
    w = (n1 - f) / N
    # standard errors of the means over 600 repetitions are about 0.002
    assert_allclose(np.mean(kl2), w**2 * kappa + d / (2 * N), atol=0.006)
    assert_allclose(np.mean(kl1), (1 - w) ** 2 * kappa + d / (2 * N), atol=0.006)


@pytest.mark.parametrize("criterion", CRITERIA)
@pytest.mark.parametrize("seed", range(3))
def test_no_selection_beats_the_frontier_spec_5_5(criterion, seed):
    X, mask = _data(seed=seed, shift=0.3 + seed)
    for budget in (0.1, 0.4, 0.8):
        sel = DistributionalSelector(criterion, budget=budget, random_state=0).fit(
            X, forget_mask=mask
        )
        bound = gaussian_pareto_frontier(sel.kappa_, sel.achieved_epsilon_)
        assert sel.achieved_alpha_ <= bound + 1e-9


def test_reported_kls_equal_the_report_function():
    X, mask = _data()
    for family in ("gaussian_mean", "gaussian"):
        sel = DistributionalSelector(budget=0.4, family=family).fit(X, forget_mask=mask)
        keep = ~sel.deletion_mask_[mask]
        report = distributional_unlearning_report(
            X[mask], X[~mask], keep, family=family
        )
        assert_allclose(sel.achieved_alpha_, report.alpha, rtol=1e-9)
        assert_allclose(sel.achieved_epsilon_, report.epsilon, rtol=1e-9, atol=1e-12)
        assert_allclose(sel.kappa_, report.kappa, rtol=1e-9)
    light = DistributionalSelector(budget=0.4, family=None).fit(X, forget_mask=mask)
    assert np.isnan(light.achieved_alpha_) and np.isnan(light.kappa_)


def test_likelihood_ratio_beats_random_and_can_exceed_kappa():
    X, mask = _data(seed=5, n1=400, n2=800, d=5, shift=0.5)
    lr = DistributionalSelector("likelihood_ratio", budget=0.5).fit(X, forget_mask=mask)
    rnd = DistributionalSelector("random", budget=0.5, random_state=0).fit(
        X, forget_mask=mask
    )
    assert lr.achieved_alpha_ > rnd.achieved_alpha_
    full = DistributionalSelector("likelihood_ratio", budget=0.8).fit(
        X, forget_mask=mask
    )
    assert full.achieved_alpha_ > full.kappa_  # beyond mu2, away from mu1


def test_float32_input_gives_the_same_selection():
    X, mask = _data()
    a = DistributionalSelector(budget=0.4).fit(X, forget_mask=mask)
    b = DistributionalSelector(budget=0.4).fit(X.astype(np.float32), forget_mask=mask)
    assert_array_equal(a.deletion_mask_, b.deletion_mask_)
    X_kept, _ = b.fit_resample(X.astype(np.float32), forget_mask=mask)
    assert X_kept.dtype == np.float32


def test_forget_mask_as_routed_metadata():
    import sklearn
    from sklearn.model_selection import cross_validate

    from sklearn_unlearn import SelectiveRetrainer

    X, mask = _data()
    y = (X[:, 0] > 0).astype(int)
    with sklearn.config_context(enable_metadata_routing=True):
        model = SelectiveRetrainer(LogisticRegression(), DistributionalSelector())
        model.set_fit_request(forget_mask=True)
        result = cross_validate(model, X, y, cv=3, params={"forget_mask": mask})
    assert result["test_score"].min() > 0.8


def test_imbalanced_learn_pipeline_step():
    imblearn_pipeline = pytest.importorskip("imblearn.pipeline")
    import sklearn

    X, mask = _data()
    y = (X[:, 0] > 0).astype(int)
    Xd = np.column_stack([mask, X])
    pipe = imblearn_pipeline.Pipeline(
        [
            ("select", DistributionalSelector(budget=0.5, domain_column=0)),
            ("model", LogisticRegression()),
        ]
    )
    pipe.fit(Xd, y)
    assert pipe.named_steps["select"].n_deleted_ == mask.sum() // 2
    assert pipe.predict(Xd[:, 1:]).shape == y.shape  # samplers only act in fit
    # with routing, forget_mask reaches fit_resample
    with sklearn.config_context(enable_metadata_routing=True):
        selector = DistributionalSelector(budget=0.5)
        selector.set_fit_request(forget_mask=True)
        selector.set_fit_resample_request(forget_mask=True)
        pipe = imblearn_pipeline.Pipeline(
            [("select", selector), ("model", LogisticRegression())]
        )
        pipe.fit(X, y, forget_mask=mask)
    assert pipe.named_steps["select"].n_deleted_ == mask.sum() // 2


def test_imbalanced_learn_cross_validation_keeps_the_columns_consistent():
    # a sampler is skipped at predict: with the domain column kept in its
    # output, fit and predict see the same columns and a later step drops it
    imblearn_pipeline = pytest.importorskip("imblearn.pipeline")
    from sklearn.compose import ColumnTransformer
    from sklearn.model_selection import cross_val_score

    X, mask = _data()
    y = (X[:, 0] > 0).astype(int)
    frame = pd.DataFrame(X, columns=["a", "b", "c"])
    frame.insert(1, "source", np.where(mask, "partner", "own"))
    selector = DistributionalSelector(
        budget=0.5,
        domain_column="source",
        forget_value="partner",
        drop_domain_column="keep_in_output",
    )
    X_kept, _ = selector.fit_resample(frame)
    assert list(X_kept.columns) == list(frame.columns)
    assert len(X_kept) == len(frame) - mask.sum() // 2
    # scored without the column: the same deletions as when it is dropped
    dropped = DistributionalSelector(
        budget=0.5, domain_column="source", forget_value="partner"
    ).fit(frame)
    assert_array_equal(selector.deletion_mask_, dropped.deletion_mask_)
    pipe = imblearn_pipeline.Pipeline(
        [
            ("select", selector),
            (
                "drop_domain",
                ColumnTransformer(
                    [("domain", "drop", ["source"])], remainder="passthrough"
                ),
            ),
            ("model", LogisticRegression()),
        ]
    )
    scores = cross_val_score(pipe, frame, y, cv=3, error_score="raise")
    assert np.all(np.isfinite(scores)) and scores.min() > 0.8
    assert pipe.fit(frame, y)["model"].n_features_in_ == 3


# ------------------------------------------------------------ bad input
@pytest.mark.parametrize(
    "params, forget_mask, match",
    [
        ({}, np.zeros(450, bool), "forget set is empty"),
        ({}, np.ones(450, bool), "retained set is empty"),
        ({}, np.zeros(449, bool), "forget_mask has shape"),
        ({}, np.zeros(450, int), "forget_mask must be boolean"),
        ({}, None, "No forget domain"),
        ({"budget": 151}, "mask", "larger than the forget set"),
        ({"budget": 10, "target": (1.0, 0.1)}, "mask", "not both"),
        ({"target": (1.0, 0.1), "family": None}, "mask", "family=None"),
        ({"target": (1.0,)}, "mask", "pair"),
        ({"target": (-1.0, 0.1)}, "mask", "must be finite and >= 0"),
        ({"domain_column": 0}, "mask", "one way only"),
        ({"domain_column": "src"}, None, "no column names"),
        ({"criterion": lambda a, b: a[:3, 0]}, "mask", "returned 3 values"),
        ({"criterion": lambda a, b: np.full(len(a), np.nan)}, "mask", "non-finite"),
    ],
)
def test_bad_input(params, forget_mask, match):
    X, mask = _data()
    forget_mask = mask if isinstance(forget_mask, str) else forget_mask
    with pytest.raises(ValueError, match=match):
        DistributionalSelector(**params).fit(X, forget_mask=forget_mask)


def test_input_is_not_modified():
    X, mask = _data()
    X_copy, mask_copy = X.copy(), mask.copy()
    DistributionalSelector("mahalanobis", budget=0.5).fit_resample(X, forget_mask=mask)
    assert_array_equal(X, X_copy)
    assert_array_equal(mask, mask_copy)


def test_values_whose_sums_overflow_are_rejected():
    X, mask = _data()
    X[np.flatnonzero(~mask)[:3], 0] = 1e308
    with pytest.raises(ValueError, match="overflow"):
        DistributionalSelector("euclidean", family=None).fit(X, forget_mask=mask)
