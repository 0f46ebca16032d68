"""DeletionCurveDisplay: from a ranking or a fitted selector, stored values, errors."""

import pytest

pytest.importorskip("matplotlib")

import matplotlib

matplotlib.use("Agg")

import numpy as np
import pandas as pd

from sklearn_unlearn.metrics import (
    DeletionCurveDisplay,
    distributional_unlearning_report,
    gaussian_pareto_frontier,
)


def _legend_texts(legend):
    return [text.get_text() for text in legend.get_texts()]


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


def _frame_with_domain(forget_retain):
    X_forget, X_retain = forget_retain
    X = np.vstack([X_retain[:20], X_forget, X_retain[20:]])
    domain = np.full(X.shape[0], "kept", dtype=object)
    domain[20 : 20 + len(X_forget)] = "old"
    frame = pd.DataFrame(X, columns=["p", "q"])
    frame.insert(1, "domain", domain)
    return frame


def test_deletion_curve_splits_a_named_domain_column_off_a_frame(forget_retain):
    from sklearn_unlearn import DistributionalSelector

    frame = _frame_with_domain(forget_retain)
    selector = DistributionalSelector(
        "euclidean", budget=0.5, domain_column="domain", forget_value="old"
    ).fit(frame)
    display = DeletionCurveDisplay.from_estimator(
        selector, frame, fractions=[0.0, 0.5, 1.0]
    )
    assert display.alpha[1] == pytest.approx(selector.achieved_alpha_)
    assert display.epsilon[1] == pytest.approx(selector.achieved_epsilon_)
    # the same curve as ranking the features without the domain column
    X_forget, X_retain = forget_retain
    expected = DeletionCurveDisplay.from_ranking(
        X_forget,
        X_retain,
        np.searchsorted(selector.forget_indices_, selector.ranking_),
        fractions=[0.0, 0.5, 1.0],
    )
    np.testing.assert_array_equal(display.alpha, expected.alpha)
    np.testing.assert_array_equal(display.epsilon, expected.epsilon)
    # the columns must be those seen in fit
    with pytest.raises(ValueError, match="(?s)feature names should match.*domain"):
        DeletionCurveDisplay.from_estimator(selector, frame[["p", "q"]])


def test_deletion_curve_keeps_a_domain_column_the_selector_keeps(forget_retain):
    from sklearn_unlearn import DistributionalSelector

    X_forget, X_retain = forget_retain
    X = np.vstack([X_retain[:20], X_forget, X_retain[20:]])
    mask = np.zeros(X.shape[0], dtype=bool)
    mask[20 : 20 + len(X_forget)] = True
    # a domain column that is also a feature (a noisy score of the domain)
    score = mask + np.random.RandomState(1).normal(0.0, 0.5, X.shape[0])
    Xd = np.column_stack([X, score])
    selector = DistributionalSelector(
        "euclidean",
        budget=0.3,
        domain_column=2,
        forget_value=lambda column: column > 0.5,
        drop_domain_column=False,
    ).fit(Xd)
    display = DeletionCurveDisplay.from_estimator(
        selector, Xd, fractions=[0.0, 0.3, 1.0]
    )
    assert display.alpha[1] == pytest.approx(selector.achieved_alpha_)
    assert display.epsilon[1] == pytest.approx(selector.achieved_epsilon_)
    forget = selector.forget_indices_
    retain = np.setdiff1d(np.arange(Xd.shape[0]), forget)
    expected = DeletionCurveDisplay.from_ranking(
        Xd[forget],  # three columns: the kept domain column is a feature
        Xd[retain],
        np.searchsorted(forget, selector.ranking_),
        fractions=[0.0, 0.3, 1.0],
    )
    np.testing.assert_array_equal(display.alpha, expected.alpha)
    with pytest.raises(ValueError, match="X has 2 features.*expecting 3"):
        DeletionCurveDisplay.from_estimator(selector, Xd[:, :2])
