"""Displays with the unlearner after other steps of a (nested) pipeline."""

import pytest

pytest.importorskip("matplotlib")

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt
import numpy as np
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import Pipeline, make_pipeline
from sklearn.preprocessing import StandardScaler

from sklearn_unlearn import BarycenterFeatureUnlearner
from sklearn_unlearn.datasets import make_grouped_gaussian
from sklearn_unlearn.metrics import GroupDistributionDisplay, UnlearningTradeoffDisplay

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


def _unlearner():
    return BarycenterFeatureUnlearner(sensitive_features=[0], method="gaussian")


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


def test_group_distribution_from_a_pipeline_reads_the_unlearner_input(grouped):
    X, y, s = grouped
    model = make_pipeline(StandardScaler(), _unlearner(), LogisticRegression())
    model.fit(X, y)
    display = GroupDistributionDisplay.from_estimator(model, X, features=[0], bins=6)
    X_in = model[0].transform(X)
    expected, _ = np.histogram(X_in[s == 1, 1], bins=display.bin_edges[0], density=True)
    np.testing.assert_allclose(display.densities_before[0, 1], expected)
    Z = model[1].transform(X_in)
    expected, _ = np.histogram(Z[s == 2, 0], bins=display.bin_edges[0], density=True)
    np.testing.assert_allclose(display.densities_after[0, 2], expected)
    assert display.densities_after.shape == (1, 3, 6)
