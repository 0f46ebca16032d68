"""MarginalUnlearner's Newton and regression fits: checks, effect, attributes."""

import numpy as np
import pytest
from numpy.testing import assert_allclose
from sklearn.linear_model import LogisticRegression, Ridge, SGDClassifier, SGDRegressor
from sklearn.neural_network import MLPClassifier, MLPRegressor

from sklearn_unlearn.datapoint import MarginalUnlearner
from sklearn_unlearn.datapoint._linear_update import check_linear_update


def _classification(n_classes=3, n=600, seed=0):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, 4))
    y = (X[:, :n_classes] + rng.gumbel(size=(n, n_classes))).argmax(axis=1)
    return X, y, rng.random(n) < 0.05


@pytest.mark.parametrize(
    "estimator, kwargs, match",
    [
        (MLPClassifier(), {"linear_update": "newton"}, "not convex"),
        (MLPRegressor(), {"linear_update": "newton"}, "not convex"),
        (LogisticRegression(), {"loss_noise": 1.0}, "linear_update='newton'"),
        (LogisticRegression(solver="liblinear"), {}, "solver='lbfgs'"),
        (LogisticRegression(class_weight="balanced"), {}, "class_weight=None"),
        (LogisticRegression(C=np.inf), {}, "L2 penalty"),
        (LogisticRegression(l1_ratio=0.5, solver="saga"), {}, "L1 part"),
        (SGDClassifier(loss="log_loss", penalty="l1"), {}, "L1 part"),
    ],
)
def test_bad_updates_raise_before_any_work(estimator, kwargs, match):
    kwargs = {"linear_update": "newton", **kwargs}
    if "loss_noise" in kwargs:
        kwargs["linear_update"] = "settle"
    with pytest.raises(ValueError, match=match):
        check_linear_update(
            estimator, kwargs["linear_update"], kwargs.get("loss_noise", 0)
        )
    X, y, forget = _classification()
    # unfitted: the check fires before anything looks at the estimator
    with pytest.raises(ValueError, match=match):
        MarginalUnlearner(estimator, **kwargs).fit(X, y, forget_mask=forget)


@pytest.mark.parametrize("n_classes", [2, 3])
def test_newton_lands_within_its_bound_of_retraining(n_classes):
    X, y, forget = _classification(n_classes)
    model = LogisticRegression(tol=1e-10, max_iter=1000).fit(X, y)
    unlearner = MarginalUnlearner(model, linear_update="newton").fit(
        X, y, forget_mask=forget
    )
    retrained = LogisticRegression(
        solver="newton-cholesky", tol=1e-12, max_iter=200
    ).fit(X[~forget], y[~forget])
    got, ref = unlearner.unlearned_estimator_, retrained
    diff = np.c_[got.coef_ - ref.coef_, got.intercept_ - ref.intercept_]
    if n_classes > 2:  # a common intercept shift is free
        diff[:, -1] -= diff[:, -1].mean()
    assert np.linalg.norm(diff) <= unlearner.distance_bound_ < 1e-2
    assert unlearner.history_["phase"] == ["start", "newton"]
    assert unlearner.n_steps_ == 1 and not hasattr(unlearner, "removal_epsilon_")
    assert_allclose(unlearner.predict_proba(X), ref.predict_proba(X), atol=1e-3)


def test_noise_gives_an_epsilon_and_is_seeded():
    X, y, forget = _classification(2)
    model = LogisticRegression().fit(X, y)
    fits = [
        MarginalUnlearner(
            model, linear_update="newton", loss_noise=5.0, random_state=seed
        ).fit(X, y, forget_mask=forget)
        for seed in (0, 0, 1)
    ]
    coefs = [f.unlearned_estimator_.coef_ for f in fits]
    assert_allclose(coefs[0], coefs[1])
    assert not np.allclose(coefs[0], coefs[2])
    assert 0 < fits[0].removal_epsilon_ < np.inf


def test_sgd_classifier_one_vs_rest_newton():
    X, y, forget = _classification(3)
    model = SGDClassifier(loss="log_loss", alpha=0.01, random_state=0).fit(X, y)
    unlearner = MarginalUnlearner(model, linear_update="newton").fit(
        X, y, forget_mask=forget
    )
    assert np.isfinite(unlearner.gradient_norm_)
    assert unlearner.unlearned_estimator_.coef_.shape == model.coef_.shape


@pytest.mark.parametrize("linear_update", ["settle", "newton"])
@pytest.mark.parametrize("fit_intercept", [True, False])
def test_ridge_unlearning_is_retraining(linear_update, fit_intercept):
    rng = np.random.default_rng(0)
    X = rng.normal(size=(300, 5)) + 1.0
    y = X @ rng.normal(size=5) + rng.normal(size=300)
    forget = rng.random(300) < 0.1
    model = Ridge(2.0, fit_intercept=fit_intercept).fit(X, y)
    unlearner = MarginalUnlearner(model, linear_update=linear_update).fit(
        X, y, forget_mask=forget
    )
    ref = Ridge(2.0, fit_intercept=fit_intercept).fit(X[~forget], y[~forget])
    assert_allclose(unlearner.unlearned_estimator_.coef_, ref.coef_, atol=1e-10)
    assert_allclose(unlearner.predict(X), ref.predict(X), atol=1e-9)
    assert unlearner.score(X, y) == pytest.approx(ref.score(X, y))
    assert unlearner.distance_bound_ < 1e-9
    assert unlearner.history_["phase"] == ["start", linear_update]
    assert not hasattr(unlearner, "classes_")
    # the retained objective went down, the forgotten rows' error up
    assert unlearner.history_["loss"][1] <= unlearner.history_["loss"][0]
    assert unlearner.history_["forget_mse"][1] > unlearner.history_["forget_mse"][0]


def test_sgd_regressor_and_prefit_false():
    rng = np.random.default_rng(1)
    X = rng.normal(size=(300, 3))
    y = X @ [1.0, 2.0, 3.0] + rng.normal(size=300)
    forget = np.arange(300) < 30
    unlearner = MarginalUnlearner(
        SGDRegressor(alpha=0.1, random_state=0), prefit=False
    ).fit(X, y, forget_mask=forget)
    # the optimum of mean((xw + b - y)^2) / 2 + alpha / 2 ||w||^2: ridge, alpha n
    ref = Ridge(alpha=0.1 * 270).fit(X[~forget], y[~forget])
    assert_allclose(unlearner.unlearned_estimator_.coef_, ref.coef_, atol=1e-10)
    assert_allclose(unlearner.unlearned_estimator_.intercept_, [ref.intercept_])


def test_regressor_bad_input():
    X = np.random.default_rng(0).normal(size=(50, 2))
    y = X[:, 0]
    model = Ridge().fit(X, y)
    with pytest.raises(ValueError, match="select some rows"):
        MarginalUnlearner(model).fit(X, y, forget_mask=np.zeros(50, bool))
    with pytest.raises(ValueError, match="Pass the rows to forget"):
        MarginalUnlearner(model).fit(X, y)


def test_newton_steps_are_checked_and_counted():
    X, y, forget = _classification(3)
    model = LogisticRegression(max_iter=1000).fit(X, y)
    with pytest.raises(ValueError, match="newton_steps=2 counts"):
        MarginalUnlearner(model, newton_steps=2).fit(X, y, forget_mask=forget)
    with pytest.raises(ValueError, match="'newton_steps' parameter"):
        MarginalUnlearner(model, linear_update="newton", newton_steps=0).fit(
            X, y, forget_mask=forget
        )
    one, two = (
        MarginalUnlearner(model, linear_update="newton", newton_steps=k).fit(
            X, y, forget_mask=forget
        )
        for k in (1, 2)
    )
    assert (one.n_iter_, two.n_iter_, two.n_steps_) == (1, 2, 2)
    # quadratic convergence: the second step shrinks the residual by far more
    # than the first did
    assert two.gradient_norm_ < 1e-3 * one.gradient_norm_
    retrained = LogisticRegression(
        solver="newton-cholesky", tol=1e-12, max_iter=200
    ).fit(X[~forget], y[~forget])
    diff = np.c_[
        two.unlearned_estimator_.coef_ - retrained.coef_,
        two.unlearned_estimator_.intercept_ - retrained.intercept_,
    ]
    diff[:, -1] -= diff[:, -1].mean()
    assert np.linalg.norm(diff) <= two.distance_bound_ < one.distance_bound_
