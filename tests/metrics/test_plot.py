"""Display objects: rendering from the class methods, stored values, errors."""

import pytest

pytest.importorskip("matplotlib")

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from sklearn.linear_model import LinearRegression, LogisticRegression
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from sklearn_unlearn import BarycenterFeatureUnlearner
from sklearn_unlearn.datasets import make_grouped_gaussian
from sklearn_unlearn.metrics import (
    DeletionCurveDisplay,
    GroupDistributionDisplay,
    UnlearningTradeoffDisplay,
    distributional_unlearning_report,
    gaussian_pareto_frontier,
)

LEVELS = (0.0, 1.0)


@pytest.fixture(autouse=True)
def close_figures():
    yield
    plt.close("all")


@pytest.fixture(scope="module")
def grouped():
    """Three groups, two of the four features shifted per group; S as column 0."""
    X, s = make_grouped_gaussian(240, 4, n_groups=3, random_state=0)
    rng = np.random.RandomState(0)
    y = (X[:, 0] + X[:, 1] + 0.5 * rng.standard_normal(X.shape[0]) > 0).astype(int)
    return np.column_stack([s, X]), y, s


@pytest.fixture(scope="module")
def tradeoff(grouped):
    X, y, _ = grouped
    model = make_pipeline(
        BarycenterFeatureUnlearner(sensitive_features=[0]), LogisticRegression()
    )
    return UnlearningTradeoffDisplay.from_estimator(
        model,
        X[:160],
        y[:160],
        X[160:],
        y[160:],
        repair_levels=LEVELS,
        leakage_estimator=LogisticRegression(),
        leakage_cv=2,
        random_state=0,
    )


@pytest.fixture(scope="module")
def forget_retain():
    rng = np.random.RandomState(0)
    X_forget = rng.normal(1.5, 1.0, size=(60, 2))
    X_retain = rng.normal(0.0, 1.0, size=(150, 2))
    return X_forget, X_retain


def _legend_texts(legend):
    return [text.get_text() for text in legend.get_texts()]


# --------------------------------------------------------------- trade-off
def test_tradeoff_from_estimator_values_and_artists(tradeoff):
    assert tradeoff.repair_levels.shape == (len(LEVELS),)
    assert tradeoff.utility.shape == tradeoff.leakage.shape == (len(LEVELS),)
    assert np.all((tradeoff.leakage >= 0) & (tradeoff.leakage <= 1))
    # full repair leaks less than none on this separable data
    assert tradeoff.leakage[-1] < tradeoff.leakage[0]
    assert tradeoff.name == "stochastic"  # the default method names the curve
    np.testing.assert_allclose(tradeoff.line_.get_xdata(), tradeoff.leakage)
    np.testing.assert_allclose(tradeoff.line_.get_ydata(), tradeoff.utility)
    assert [a.get_text() for a in tradeoff.annotations_] == ["0", "1"]
    assert tradeoff.ax_.get_xlabel() == "leakage AUC"
    assert tradeoff.ax_.get_ylabel() == "accuracy"
    assert tradeoff.figure_ is tradeoff.ax_.figure
    assert tradeoff.reference_line_.get_xdata()[0] == 0.5
    assert _legend_texts(tradeoff.ax_.get_legend()) == ["stochastic", "no leakage"]


def test_tradeoff_overlay_adds_lines_and_one_reference(grouped):
    X, y, _ = grouped
    first = UnlearningTradeoffDisplay(
        repair_levels=[0.0, 1.0], utility=[0.8, 0.7], leakage=[0.9, 0.5], name="a"
    ).plot()
    n_lines = len(first.ax_.lines)
    model = make_pipeline(
        BarycenterFeatureUnlearner(sensitive_features=[0], method="quantile"),
        LogisticRegression(),
    )
    second = UnlearningTradeoffDisplay.from_estimator(
        model,
        X[:160],
        y[:160],
        X[160:],
        y[160:],
        repair_levels=[0.5],
        scoring="balanced_accuracy",
        leakage_estimator=LogisticRegression(),
        leakage_cv=2,
        random_state=0,
        ax=first.ax_,
    )
    assert second.ax_ is first.ax_
    assert len(second.ax_.lines) == n_lines + 1  # the curve, not a 2nd reference
    assert second.reference_line_ is first.reference_line_
    assert second.ax_.get_ylabel() == "balanced_accuracy"
    assert _legend_texts(second.ax_.get_legend()) == ["a", "quantile", "no leakage"]


def test_tradeoff_plot_from_stored_values_only():
    display = UnlearningTradeoffDisplay(
        repair_levels=[0.0, 0.5, 1.0],
        utility=[0.9, 0.85, 0.8],
        leakage=[0.95, 0.7, 0.5],
        utility_name="R2",
        leakage_name="AUC",
    )
    display.plot(annotate=False, color="k", name="custom")
    assert display.annotations_ == []
    assert display.line_.get_color() == "k"
    assert display.line_.get_label() == "custom"
    assert (display.ax_.get_xlabel(), display.ax_.get_ylabel()) == ("AUC", "R2")


def test_tradeoff_regressor_utility_name(grouped):
    X, y, _ = grouped
    model = make_pipeline(
        BarycenterFeatureUnlearner(sensitive_features=[0]), LinearRegression()
    )
    display = UnlearningTradeoffDisplay.from_estimator(
        model,
        X[:160],
        X[:160, 1],
        X[160:],
        X[160:, 1],
        repair_levels=[1.0],
        leakage_estimator=LogisticRegression(),
        leakage_cv=2,
        name="linear",
    )
    assert display.ax_.get_ylabel() == "R$^2$"
    assert display.line_.get_label() == "linear"


@pytest.mark.parametrize(
    "estimator",
    [
        LogisticRegression(),
        make_pipeline(StandardScaler(), LogisticRegression()),
    ],
)
def test_tradeoff_without_unlearner_first_raises_type_error(grouped, estimator):
    X, y, _ = grouped
    with pytest.raises(TypeError, match="BarycenterFeatureUnlearner"):
        UnlearningTradeoffDisplay.from_estimator(estimator, X, y, X, y)


@pytest.mark.parametrize(
    "estimator",
    [
        BarycenterFeatureUnlearner(sensitive_features=[0]),
        make_pipeline(BarycenterFeatureUnlearner(sensitive_features=[0])),
    ],
)
def test_tradeoff_without_final_predictor_raises_type_error(grouped, estimator):
    X, y, _ = grouped
    with pytest.raises(TypeError, match="last step is a predictor"):
        UnlearningTradeoffDisplay.from_estimator(estimator, X, y, X, y)


def test_tradeoff_needs_sensitive_columns(grouped):
    X, y, _ = grouped
    model = make_pipeline(BarycenterFeatureUnlearner(), LogisticRegression())
    with pytest.raises(ValueError, match="sensitive_features="):
        UnlearningTradeoffDisplay.from_estimator(model, X, y, X, y)


def test_tradeoff_mismatched_lengths_raise_at_plot():
    display = UnlearningTradeoffDisplay(
        repair_levels=[0.0, 1.0], utility=[0.9, 0.8, 0.7], leakage=[0.9, 0.5]
    )  # construction only stores
    with pytest.raises(ValueError, match="lengths differ"):
        display.plot()


# ------------------------------------------------------ group distribution
def test_group_distribution_from_estimator(grouped):
    X, _, s = grouped
    unlearner = BarycenterFeatureUnlearner(sensitive_features=[0]).fit(X)
    display = GroupDistributionDisplay.from_estimator(
        unlearner, X, features=["x3", 0], bins=8
    )
    assert list(display.feature_names) == ["x3", "x1"]
    np.testing.assert_array_equal(display.groups, [0, 1, 2])
    assert display.bin_edges.shape == (2, 9)
    assert display.densities_before.shape == display.densities_after.shape == (2, 3, 8)
    widths = np.diff(display.bin_edges)[:, None, :]
    for densities in (display.densities_before, display.densities_after):
        np.testing.assert_allclose((densities * widths).sum(axis=-1), 1.0)
    # the bins cover the pooled before and after values of each feature
    Z = unlearner.transform(X)
    # ("x3" is column 3 of X, the third output once column 0, S, is dropped)
    assert display.bin_edges[0, 0] == min(X[:, 3].min(), Z[:, 2].min())
    assert display.bin_edges[0, -1] == max(X[:, 3].max(), Z[:, 2].max())
    # densities of group 0, recomputed naively
    expected, _ = np.histogram(X[s == 0, 3], bins=display.bin_edges[0], density=True)
    np.testing.assert_allclose(display.densities_before[0, 0], expected)
    expected, _ = np.histogram(Z[s == 2, 0], bins=display.bin_edges[1], density=True)
    np.testing.assert_allclose(display.densities_after[1, 2], expected)

    assert display.axes_.shape == (2, 2)
    assert display.stairs_.shape == (2, 2, 3)
    assert display.axes_[0, 0].get_title() == "x3: before unlearning"
    assert display.axes_[1, 1].get_title() == "x1: after unlearning"
    assert display.axes_[0, 0].get_ylabel() == "density"
    assert _legend_texts(display.legend_) == ["0", "1", "2"]
    assert display.legend_.get_title().get_text() == "group (column 0)"
    assert display.figure_ is display.axes_[0, 0].figure


def test_group_distribution_dataframe_defaults():
    X, s = make_grouped_gaussian(150, 5, n_groups=3, random_state=1)
    frame = pd.DataFrame(X, columns=[f"f{j}" for j in range(5)])
    frame.insert(2, "sex", np.array(["a", "b", "c"])[s])
    unlearner = BarycenterFeatureUnlearner(
        sensitive_features="sex", method="quantile"
    ).fit(frame)
    display = GroupDistributionDisplay.from_estimator(unlearner, frame, bins=5)
    assert list(display.feature_names) == ["f0", "f1", "f2", "f3"]  # first four
    assert display.axes_.shape == (4, 2)
    assert display.legend_.get_title().get_text() == "sex"
    assert _legend_texts(display.legend_) == ["a", "b", "c"]


def test_group_distribution_metadata_and_binned_groups():
    X, s = make_grouped_gaussian(200, 3, n_groups=2, random_state=2)
    unlearner = BarycenterFeatureUnlearner().fit(X, sensitive_features=s)
    display = GroupDistributionDisplay.from_estimator(
        unlearner, X, features=1, sensitive_features=s, bins=4
    )
    assert display.densities_after.shape == (1, 2, 4)

    age = np.random.RandomState(0).uniform(20, 60, size=200)
    X_age = np.column_stack([age, X])
    binned = BarycenterFeatureUnlearner(sensitive_features=[0], sensitive_bins=3)
    display = GroupDistributionDisplay.from_estimator(binned.fit(X_age), X_age)
    np.testing.assert_array_equal(display.groups, binned.groups_)


def test_group_distribution_plot_from_stored_values_on_given_axes():
    rng = np.random.RandomState(0)
    densities = rng.uniform(size=(1, 2, 3))
    display = GroupDistributionDisplay(
        feature_names=["age"],
        groups=["F", "M"],
        bin_edges=[[0.0, 1.0, 2.0, 3.0]],
        densities_before=densities,
        densities_after=densities / 2,
    )
    _, axes = plt.subplots(1, 2)  # no layout engine: legend in a panel
    display.plot(axes)
    assert display.axes_[0, 1] is axes[1]
    assert display.legend_ is axes[1].get_legend()
    np.testing.assert_allclose(
        display.stairs_[0, 1, 0].get_data().values, densities[0, 0] / 2
    )


def test_group_distribution_errors(grouped):
    X, _, _ = grouped
    unlearner = BarycenterFeatureUnlearner(sensitive_features=[0]).fit(X)
    with pytest.raises(TypeError, match="BarycenterFeatureUnlearner"):
        GroupDistributionDisplay.from_estimator(make_pipeline(StandardScaler()), X)
    with pytest.raises(ValueError, match="not an output feature"):
        GroupDistributionDisplay.from_estimator(unlearner, X, features=["nope"])
    with pytest.raises(ValueError, match="position"):
        GroupDistributionDisplay.from_estimator(unlearner, X, features=[4])
    with pytest.raises(ValueError, match="bins"):
        GroupDistributionDisplay.from_estimator(unlearner, X, bins="auto")
    display = GroupDistributionDisplay(
        feature_names=["a", "b"],
        groups=[0, 1],
        bin_edges=np.zeros((2, 4)),
        densities_before=np.zeros((2, 2, 3)),
        densities_after=np.zeros((2, 3, 3)),
    )
    with pytest.raises(ValueError, match="densities_before and densities_after"):
        display.plot()
    display.densities_after = np.zeros((2, 2, 3))
    display.groups = [0, 1, 2]
    with pytest.raises(ValueError, match="groups must have shape"):
        display.plot()


# ---------------------------------------------------------- deletion curve
def test_deletion_curve_from_ranking(forget_retain):
    X_forget, X_retain = forget_retain
    ranking = np.argsort(-np.linalg.norm(X_forget - X_retain.mean(axis=0), axis=1))
    fractions = [0.0, 0.25, 0.5, 1.0]
    display = DeletionCurveDisplay.from_ranking(
        X_forget, X_retain, ranking, fractions=fractions, name="farthest"
    )
    assert display.alpha.shape == display.epsilon.shape == (4,)
    keep = np.ones(60, dtype=bool)
    keep[ranking[:15]] = False
    report = distributional_unlearning_report(X_forget, X_retain, keep)
    assert display.alpha[1] == pytest.approx(report.alpha)
    assert display.epsilon[1] == pytest.approx(report.epsilon)
    assert display.kappa == pytest.approx(report.kappa)
    assert display.alpha[-1] == pytest.approx(display.kappa)  # all deleted
    assert display.epsilon[-1] == pytest.approx(0.0, abs=1e-12)

    np.testing.assert_allclose(display.alpha_line_.get_ydata(), display.alpha)
    np.testing.assert_allclose(display.epsilon_line_.get_ydata(), display.epsilon)
    np.testing.assert_allclose(
        display.frontier_line_.get_ydata(),
        gaussian_pareto_frontier(display.kappa, display.epsilon),
    )
    assert display.epsilon_line_.get_color() == display.alpha_line_.get_color()
    assert display.epsilon_line_.get_linestyle() == "--"
    assert display.frontier_line_.get_linestyle() == ":"
    assert display.kappa_line_.get_ydata()[0] == pytest.approx(display.kappa)
    assert display.ax_.get_xlabel() == "fraction of the forget set deleted"
    assert display.ax_.get_ylabel() == "KL divergence (nats)"
    texts = _legend_texts(display.ax_.get_legend())
    assert len(texts) == 4
    assert texts[0].startswith("farthest: removal")
    assert "delete everything" in texts[-1]


def test_deletion_curve_overlay_and_default_fractions(forget_retain):
    X_forget, X_retain = forget_retain
    rng = np.random.RandomState(0)
    first = DeletionCurveDisplay.from_ranking(
        X_forget, X_retain, rng.permutation(60), name="random"
    )
    assert first.fractions.shape == (11,)
    n_lines = len(first.ax_.lines)
    second = DeletionCurveDisplay.from_ranking(
        X_forget,
        X_retain,
        np.arange(30),  # a partial ranking is enough for fractions <= 0.5
        fractions=[0.0, 0.5],
        family="gaussian",
        name="first half",
        ax=first.ax_,
    )
    assert second.ax_ is first.ax_
    assert second.alpha_line_.get_color() != first.alpha_line_.get_color()
    # alpha, epsilon, frontier; kappa differs by family so it gets its own line
    assert len(second.ax_.lines) == n_lines + 4
    third = DeletionCurveDisplay(
        fractions=first.fractions,
        alpha=first.alpha,
        epsilon=first.epsilon,
        kappa=first.kappa,
    ).plot(ax=first.ax_, name="again", show_frontier=False)
    assert third.frontier_line_ is None
    assert third.kappa_line_ is first.kappa_line_  # same kappa: drawn once
    assert len(third.ax_.lines) == n_lines + 6


def test_deletion_curve_plot_from_stored_values_only():
    display = DeletionCurveDisplay(
        fractions=[0.0, 0.5, 1.0],
        alpha=[0.1, 0.6, 1.0],
        epsilon=[0.1, 0.02, 0.0],
        kappa=1.0,
    ).plot()
    assert display.alpha_line_.get_label().startswith("removal")
    np.testing.assert_allclose(display.frontier_line_.get_ydata()[-1], 1.0)


@pytest.mark.parametrize(
    "values, match",
    [
        ({"alpha": [0.1, 0.2]}, "lengths differ"),
        ({"epsilon": [[0.1, 0.0, 0.0]]}, "1-D"),
        ({"kappa": -1.0}, "kappa"),
        ({"kappa": [1.0, 2.0]}, "kappa"),
    ],
)
def test_deletion_curve_invalid_values_raise_at_plot(values, match):
    params = {
        "fractions": [0.0, 0.5, 1.0],
        "alpha": [0.1, 0.6, 1.0],
        "epsilon": [0.1, 0.02, 0.0],
        "kappa": 1.0,
        **values,
    }
    display = DeletionCurveDisplay(**params)
    with pytest.raises(ValueError, match=match):
        display.plot()


@pytest.mark.parametrize(
    "ranking, fractions, match",
    [
        ([0, 0, 1], None, "distinct"),
        ([0, 60], None, "row indices"),
        ([0.0, 1.0], None, "row indices"),
        ([0, 1], [0.0, 0.5], "largest fraction"),
        (np.arange(60), [0.0, 1.5], "fractions"),
    ],
)
def test_deletion_curve_invalid_ranking(forget_retain, ranking, fractions, match):
    X_forget, X_retain = forget_retain
    with pytest.raises(ValueError, match=match):
        DeletionCurveDisplay.from_ranking(
            X_forget, X_retain, ranking, fractions=fractions
        )


# ------------------------------------------------------------------ shared
def test_missing_matplotlib_names_the_caller(monkeypatch):
    monkeypatch.setitem(__import__("sys").modules, "matplotlib", None)
    display = DeletionCurveDisplay(fractions=[0], alpha=[0], epsilon=[0], kappa=0)
    with pytest.raises(ImportError, match="DeletionCurveDisplay.plot requires"):
        display.plot()


def test_deletion_curve_from_fitted_selector(forget_retain):
    from sklearn_unlearn import DistributionalSelector

    X_forget, X_retain = forget_retain
    X = np.vstack([X_retain[:20], X_forget, X_retain[20:]])
    mask = np.zeros(X.shape[0], dtype=bool)
    mask[20 : 20 + len(X_forget)] = True
    Xd = np.column_stack([X, mask])
    selector = DistributionalSelector("euclidean", budget=0.3, domain_column=-1).fit(Xd)
    display = DeletionCurveDisplay.from_estimator(
        selector, Xd, fractions=[0.0, 0.3, 1.0]
    )
    # the selector's own budget reproduces its reported values
    assert display.alpha[1] == pytest.approx(selector.achieved_alpha_)
    assert display.epsilon[1] == pytest.approx(selector.achieved_epsilon_)
    assert display.kappa == pytest.approx(selector.kappa_)
    assert display.alpha_line_.get_label().startswith("euclidean")
