"""Fixtures of the display tests: data sets, and figures closed after each test."""

import numpy as np
import pytest

from sklearn_unlearn.datasets import make_grouped_gaussian


@pytest.fixture(autouse=True)
def close_figures():
    yield
    plt = pytest.importorskip("matplotlib.pyplot")
    plt.close("all")


@pytest.fixture(scope="module")
def grouped():
    """Three groups, two of the four features shifted per group; S as column 0."""
    X, s = make_grouped_gaussian(240, 4, n_groups=3, random_state=0)
    rng = np.random.RandomState(0)
    y = (X[:, 0] + X[:, 1] + 0.5 * rng.standard_normal(X.shape[0]) > 0).astype(int)
    return np.column_stack([s, X]), y, s


@pytest.fixture(scope="module")
def forget_retain():
    rng = np.random.RandomState(0)
    X_forget = rng.normal(1.5, 1.0, size=(60, 2))
    X_retain = rng.normal(0.0, 1.0, size=(150, 2))
    return X_forget, X_retain
