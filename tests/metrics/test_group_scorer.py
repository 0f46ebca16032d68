"""Fairness and forgetting scorers: their values, and inside searches."""

import numpy as np
import pytest
import sklearn
from numpy.testing import assert_allclose
from sklearn.compose import ColumnTransformer
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import GridSearchCV, KFold, StratifiedKFold
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler
from sklearn.tree import DecisionTreeClassifier

from sklearn_unlearn import (
    BarycenterFeatureUnlearner,
    DistributionalSelector,
    SelectiveRetrainer,
)
from sklearn_unlearn.metrics import (
    bounded_refit,
    demographic_parity_difference,
    equalized_odds_difference,
    group_accuracy,
    make_fairness_scorer,
    make_forgetting_scorer,
)

FAIRNESS = {
    "neg_demographic_parity_difference": lambda *a, **k: (
        -demographic_parity_difference(*a, **k)
    ),
    "neg_equalized_odds_difference": lambda *a, **k: (
        -equalized_odds_difference(*a, **k)
    ),
    "worst_group_accuracy": lambda *a, **k: group_accuracy(*a, **k).worst,
}


def _grouped(seed=0, n=600):
    rng = np.random.default_rng(seed)
    s = rng.integers(0, 2, n)
    X = np.column_stack([s, rng.normal(size=(n, 2)) + 1.2 * s[:, None]])
    y = (X[:, 1] + rng.normal(size=n) > 0.6).astype(int)
    return X, y, s


@pytest.mark.parametrize("metric", sorted(FAIRNESS))
def test_fairness_scorer_equals_the_metric_of_the_pipeline_predictions(metric):
    X, y, s = _grouped()
    model = make_pipeline(
        StandardScaler(),
        BarycenterFeatureUnlearner([0], repair_level=0.5, random_state=0),
        LogisticRegression(),
    ).fit(X, y)
    # S is read from the unlearner's input: the scaled column 0, two values
    expected = FAIRNESS[metric](y, model.predict(X), sensitive_features=s)
    assert make_fairness_scorer(metric)(model, X, y) == pytest.approx(expected)
    weight = np.random.default_rng(1).uniform(0.5, 2.0, y.size)
    weighted = FAIRNESS[metric](
        y, model.predict(X), sensitive_features=s, sample_weight=weight
    )
    scorer = make_fairness_scorer(metric)
    assert scorer(model, X, y, sample_weight=weight) == pytest.approx(weighted)
    assert weighted != pytest.approx(expected)  # the weights count


def test_fairness_scorer_with_routed_s_for_any_classifier():
    X, y, s = _grouped(seed=2)
    X = X[:, 1:]  # S is not a column: the classifier never sees it
    scorer = make_fairness_scorer("neg_equalized_odds_difference")
    with sklearn.config_context(enable_metadata_routing=True):
        scorer.set_score_request(sensitive_features=True)
        search = GridSearchCV(
            LogisticRegression(),
            {"C": [0.01, 1.0]},
            scoring={"accuracy": "accuracy", "eod": scorer},
            refit="accuracy",
            cv=KFold(3),
        ).fit(X, y, sensitive_features=s)
    # the recorded fold scores are those of models refitted by hand
    for i, C in enumerate([0.01, 1.0]):
        folds = []
        for train, test in KFold(3).split(X):
            model = LogisticRegression(C=C).fit(X[train], y[train])
            folds.append(
                -equalized_odds_difference(
                    y[test], model.predict(X[test]), sensitive_features=s[test]
                )
            )
        assert search.cv_results_["mean_test_eod"][i] == pytest.approx(np.mean(folds))


def test_fairness_scorer_errors():
    X, y, s = _grouped()
    plain = LogisticRegression().fit(X, y)
    scorer = make_fairness_scorer("worst_group_accuracy")
    with pytest.raises(ValueError, match="pass sensitive_features="):
        scorer(plain, X, y)
    bare = BarycenterFeatureUnlearner([0], random_state=0).fit(X, y)
    with pytest.raises(TypeError, match="ending with a classifier"):
        scorer(bare, X, y)
    with pytest.raises(ValueError, match="'metric' parameter"):
        make_fairness_scorer("demographic_parity")
    assert repr(scorer) == "make_fairness_scorer('worst_group_accuracy')"
    with pytest.raises(RuntimeError, match="enable_metadata_routing=True"):
        scorer.set_score_request(sensitive_features=True)


# ------------------------------------------------------------- forgetting
def _domains(seed=0, n=900):
    """The forget domain (shifted along x2) labels by x1, the retained by x0."""
    rng = np.random.default_rng(seed)
    domain = (rng.random(n) < 0.3).astype(int)
    X = rng.normal(size=(n, 3))
    X[:, 2] += 3 * domain
    y = np.where(domain == 1, X[:, 1] > 0, X[:, 0] > 0).astype(int)
    return np.column_stack([domain, X]), y, domain == 1


#: A model that can learn both domains' rules: keeping them all is most accurate.
TREE = DecisionTreeClassifier(max_depth=3, random_state=0)
BUDGETS = [0.0, 0.5, 0.8, 1.0]
#: Largest acceptable mean accuracy on the forget domain's held-out rows.
BOUND = 0.85


def _budget_search(scoring, refit, selector):
    return GridSearchCV(
        SelectiveRetrainer(TREE, selector),
        {"selector__budget": BUDGETS},
        scoring=scoring,
        refit=refit,
        cv=StratifiedKFold(3, shuffle=True, random_state=0),
    )


def test_forgetting_scorer_bounds_a_budget_search():
    X, y, mask = _domains()
    selector = DistributionalSelector(domain_column=0, forget_value=1)
    plain = _budget_search("accuracy", True, selector).fit(X, y)
    assert plain.best_params_["selector__budget"] == 0.0  # forgets least
    scoring = {
        "utility": make_forgetting_scorer(domain="retained"),
        "forget": make_forgetting_scorer(),
    }
    refit = bounded_refit(at_most={"forget": BOUND})
    search = _budget_search(scoring, refit, selector).fit(X, y)
    forget_accuracy = -search.cv_results_["mean_test_forget"]
    utility = search.cv_results_["mean_test_utility"]
    assert forget_accuracy[0] > 0.9  # nothing deleted: the domain is learnt
    assert np.all(np.diff(forget_accuracy) < 0)  # more deleted, more forgotten
    chosen = search.best_index_
    assert forget_accuracy[chosen] <= BOUND
    within = forget_accuracy <= BOUND
    assert utility[chosen] == utility[within].max()
    # the scorers' values are accuracies on each domain's rows
    model = search.best_estimator_
    assert -scoring["forget"](model, X, y) == pytest.approx(
        np.mean(model.predict(X[mask]) == y[mask])
    )
    assert scoring["utility"](model, X, y) == pytest.approx(
        np.mean(model.predict(X[~mask]) == y[~mask])
    )


def test_forget_mask_routed_to_the_scorer_gives_the_same_search():
    X, y, mask = _domains()
    by_column = _budget_search(
        {"forget": make_forgetting_scorer()},
        "forget",
        DistributionalSelector(domain_column=0, forget_value=1),
    ).fit(X, y)
    with sklearn.config_context(enable_metadata_routing=True):
        retrainer = SelectiveRetrainer(TREE, DistributionalSelector())
        retrainer.set_fit_request(forget_mask=True)
        scorer = make_forgetting_scorer().set_score_request(forget_mask=True)
        routed = GridSearchCV(
            retrainer,
            {"selector__budget": BUDGETS},
            scoring={"forget": scorer},
            refit="forget",
            cv=StratifiedKFold(3, shuffle=True, random_state=0),
        ).fit(X[:, 1:], y, forget_mask=mask)
    assert_allclose(
        routed.cv_results_["mean_test_forget"],
        by_column.cv_results_["mean_test_forget"],
    )


def test_forgetting_scorer_errors():
    X, y, mask = _domains()
    model = SelectiveRetrainer(
        LogisticRegression(), DistributionalSelector(domain_column=0, forget_value=1)
    ).fit(X, y)
    scorer = make_forgetting_scorer("neg_log_loss")
    assert scorer(model, X, y) > 0  # the forget rows' log-loss, greater = forgotten
    with pytest.raises(ValueError, match="do not also pass forget_mask"):
        scorer(model, X, y, forget_mask=mask)
    with pytest.raises(ValueError, match="None of the .* forget domain"):
        scorer(model, X[~mask], y[~mask])
    with pytest.raises(TypeError, match="scores a fitted SelectiveRetrainer"):
        scorer(LogisticRegression().fit(X, y), X, y)
    with pytest.raises(ValueError, match="'scoring' parameter"):
        make_forgetting_scorer("acuracy")
    assert repr(scorer) == "make_forgetting_scorer('neg_log_loss', domain='forget')"
    # in a pipeline, the mask is read at the retrainer's input
    scale = ColumnTransformer(
        [("scale", StandardScaler(), [1, 2, 3])], remainder="passthrough"
    )  # the domain column passes through, last
    piped = make_pipeline(
        scale,
        SelectiveRetrainer(
            LogisticRegression(),
            DistributionalSelector(budget=1.0, domain_column=3, forget_value=1.0),
        ),
    ).fit(X, y)
    expected = np.mean(piped.predict(X[mask]) == y[mask])
    assert make_forgetting_scorer()(piped, X, y) == pytest.approx(-expected)
