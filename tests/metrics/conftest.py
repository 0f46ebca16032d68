"""Fixtures of the metric tests: grouped data and a fitted pipeline."""

import numpy as np
import pandas as pd
import pytest
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import make_pipeline

from sklearn_unlearn import BarycenterFeatureUnlearner
from tests.metrics.pipelines import N


@pytest.fixture(scope="module")
def synthetic():
    """S as column 0 shifts both features; a pipeline with the default unlearner."""
    rng = np.random.default_rng(0)
    s = rng.integers(0, 2, 600)
    X = np.column_stack([s, rng.normal(size=(600, 2)) + 1.5 * s[:, None]])
    y = (X[:, 1] + rng.normal(size=600) > 0.75).astype(int)
    model = make_pipeline(
        BarycenterFeatureUnlearner(sensitive_feature_ids=[0]), LogisticRegression()
    ).fit(X, y)
    return X, y, s, model


@pytest.fixture(scope="module")
def data():
    """S (two groups) shifts both features; y depends on the first one."""
    rng = np.random.default_rng(0)
    s = rng.integers(0, 2, N)
    features = rng.normal(size=(N, 2)) + 1.5 * s[:, None]
    y = (features[:, 0] + rng.normal(size=N) > 0.75).astype(int)
    frame = pd.DataFrame(features, columns=["a", "b"])
    frame.insert(1, "sex", np.where(s == 1, "F", "M"))
    return frame, features, s, y
