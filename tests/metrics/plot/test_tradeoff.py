"""UnlearningTradeoffDisplay: from a pipeline, from stored values, errors."""

import pytest

pytest.importorskip("matplotlib")

import matplotlib

matplotlib.use("Agg")

import numpy as np
from sklearn.linear_model import LinearRegression, LogisticRegression
from sklearn.pipeline import Pipeline, make_pipeline
from sklearn.preprocessing import StandardScaler

from sklearn_unlearn import BarycenterFeatureUnlearner
from sklearn_unlearn.metrics import UnlearningTradeoffDisplay

LEVELS = (0.0, 1.0)


@pytest.fixture(scope="module")
def tradeoff(grouped):
    X, y, _ = grouped
    model = make_pipeline(
        BarycenterFeatureUnlearner(sensitive_feature_ids=[0]), LogisticRegression()
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


def _legend_texts(legend):
    return [text.get_text() for text in legend.get_texts()]


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
        BarycenterFeatureUnlearner(sensitive_feature_ids=[0], method="quantile"),
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
        BarycenterFeatureUnlearner(sensitive_feature_ids=[0]), LinearRegression()
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
        BarycenterFeatureUnlearner(sensitive_feature_ids=[0]),
        make_pipeline(BarycenterFeatureUnlearner(sensitive_feature_ids=[0])),
    ],
)
def test_tradeoff_without_final_predictor_raises_type_error(grouped, estimator):
    X, y, _ = grouped
    with pytest.raises(TypeError, match="last step is a predictor"):
        UnlearningTradeoffDisplay.from_estimator(estimator, X, y, X, y)


def test_tradeoff_needs_sensitive_columns(grouped):
    X, y, _ = grouped
    model = make_pipeline(BarycenterFeatureUnlearner(), LogisticRegression())
    with pytest.raises(ValueError, match="sensitive_feature_ids="):
        UnlearningTradeoffDisplay.from_estimator(model, X, y, X, y)


def test_tradeoff_mismatched_lengths_raise_at_plot():
    display = UnlearningTradeoffDisplay(
        repair_levels=[0.0, 1.0], utility=[0.9, 0.8, 0.7], leakage=[0.9, 0.5]
    )  # construction only stores
    with pytest.raises(ValueError, match="lengths differ"):
        display.plot()


def _unlearner():
    return BarycenterFeatureUnlearner(sensitive_feature_ids=[0], method="gaussian")


def test_tradeoff_with_the_unlearner_after_other_steps(grouped):
    X, y, _ = grouped
    nested = Pipeline(
        [
            ("prep", Pipeline([("scale", StandardScaler()), ("u", _unlearner())])),
            ("lr", LogisticRegression()),
        ]
    )
    display = UnlearningTradeoffDisplay.from_estimator(
        nested,
        X[:160],
        y[:160],
        X[160:],
        y[160:],
        repair_levels=LEVELS,
        leakage_estimator=LogisticRegression(),
        leakage_cv=2,
        random_state=0,
    )
    assert np.all(np.isfinite(display.leakage))
    assert display.leakage[-1] < display.leakage[0]


def test_leakage_intervals_are_drawn_as_given(tradeoff):
    display = UnlearningTradeoffDisplay(
        repair_levels=[0.0, 1.0],
        utility=[0.8, 0.7],
        leakage=[0.9, 0.52],
        leakage_ci=[(0.85, 0.95), (0.48, 0.56)],
    ).plot()
    segments = display.errorbars_.get_segments()
    np.testing.assert_allclose(
        [s[:, 0] for s in segments], [[0.85, 0.95], [0.48, 0.56]]
    )
    np.testing.assert_allclose([s[:, 1] for s in segments], [[0.8, 0.8], [0.7, 0.7]])
    assert (
        UnlearningTradeoffDisplay(repair_levels=[0.0], utility=[0.8], leakage=[0.9])
        .plot()
        .errorbars_
        is None
    )
    # from_estimator passes leakage_test's intervals, one around each AUC
    low, high = np.asarray(tradeoff.leakage_ci).T
    assert np.all((low <= tradeoff.leakage + 0.05) & (tradeoff.leakage - 0.05 <= high))
    assert len(tradeoff.errorbars_.get_segments()) == len(LEVELS)


def test_leakage_intervals_of_the_wrong_length_are_named():
    display = UnlearningTradeoffDisplay(
        repair_levels=[0.0, 1.0],
        utility=[0.8, 0.7],
        leakage=[0.9, 0.5],
        leakage_ci=[(0.85, 0.95)],
    )
    with pytest.raises(ValueError, match="ci_low"):
        display.plot()
