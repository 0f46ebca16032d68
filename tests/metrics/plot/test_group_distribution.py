"""GroupDistributionDisplay: from an unlearner or a pipeline, stored values, errors."""

import pytest

pytest.importorskip("matplotlib")

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from sklearn_unlearn import BarycenterFeatureUnlearner
from sklearn_unlearn.datasets import make_grouped_gaussian
from sklearn_unlearn.metrics import GroupDistributionDisplay


def _legend_texts(legend):
    return [text.get_text() for text in legend.get_texts()]


def test_group_distribution_from_estimator(grouped):
    X, _, s = grouped
    unlearner = BarycenterFeatureUnlearner(sensitive_feature_ids=[0]).fit(X)
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
        sensitive_feature_ids="sex", method="quantile"
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
    binned = BarycenterFeatureUnlearner(sensitive_feature_ids=[0], sensitive_bins=3)
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
    unlearner = BarycenterFeatureUnlearner(sensitive_feature_ids=[0]).fit(X)
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


def _unlearner():
    return BarycenterFeatureUnlearner(sensitive_feature_ids=[0], method="gaussian")


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


def test_group_distribution_labels_intersections_like_the_library():
    X, s = make_grouped_gaussian(200, 2, n_groups=2, random_state=3)
    frame = pd.DataFrame(X, columns=["f0", "f1"])
    frame.insert(0, "sex", np.array(["F", "M"])[s])
    frame.insert(1, "age", np.where(np.arange(200) % 3 == 0, 1.0, 2.0))
    unlearner = BarycenterFeatureUnlearner(
        sensitive_feature_ids=["sex", "age"], method="gaussian"
    ).fit(frame)
    display = GroupDistributionDisplay.from_estimator(unlearner, frame, bins=4)
    # the groups are their values (as the unlearner's groups_), the legend shows
    # the library's labels, whole floats as ints
    assert list(display.groups) == list(unlearner.groups_)
    assert list(display.groups) == [("F", 1.0), ("F", 2.0), ("M", 1.0), ("M", 2.0)]
    assert _legend_texts(display.legend_) == ["F & 1", "F & 2", "M & 1", "M & 2"]
    assert display.legend_.get_title().get_text() == "sex | age"
    # each group's densities are those of its rows
    rows = (frame["sex"] == "M") & (frame["age"] == 1.0)
    expected, _ = np.histogram(
        frame.loc[rows, "f1"], bins=display.bin_edges[1], density=True
    )
    np.testing.assert_allclose(display.densities_before[1, 2], expected)


def test_group_distribution_orders_groups_by_value_not_by_label():
    X, _ = make_grouped_gaussian(240, 2, n_groups=2, random_state=4)
    s = np.repeat([2, 10, -1], 80)  # as text, "-1" < "10" < "2"
    unlearner = BarycenterFeatureUnlearner(method="gaussian").fit(
        X, sensitive_features=s
    )
    display = GroupDistributionDisplay.from_estimator(
        unlearner, X, sensitive_features=s, bins=3
    )
    np.testing.assert_array_equal(display.groups, [-1, 2, 10])
    assert _legend_texts(display.legend_) == ["-1", "2", "10"]
    expected, _ = np.histogram(X[s == 10, 0], bins=display.bin_edges[0], density=True)
    np.testing.assert_allclose(display.densities_before[0, 2], expected)
