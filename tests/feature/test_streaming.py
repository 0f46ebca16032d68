"""partial_fit of the Gaussian method equals fit on the concatenated chunks."""

from functools import partial

import numpy as np
import pandas as pd
import pytest

from sklearn_unlearn import BarycenterFeatureUnlearner
from sklearn_unlearn.datasets import make_grouped_gaussian

#: The method these tests are about (mergeable moments), named explicitly.
GaussianUnlearner = partial(BarycenterFeatureUnlearner, method="gaussian")

FITTED = [
    "group_counts_",
    "group_weights_",
    "group_means_",
    "group_covariances_",
    "barycenter_mean_",
    "barycenter_covariance_",
    "transport_maps_",
]


@pytest.mark.parametrize("weights", ["proportional", "uniform"])
def test_partial_fit_over_chunks_equals_fit(weights):
    X, s = make_grouped_gaussian(
        n_samples=3000, n_features=5, n_groups=3, random_state=0
    )
    order = np.argsort(s, kind="stable")  # chunks see the groups one by one
    X, s = X[order], s[order]
    full = GaussianUnlearner(weights=weights).fit(X, sensitive_features=s)
    stream = GaussianUnlearner(weights=weights)
    for rows in np.array_split(np.arange(len(s)), 7):
        stream.partial_fit(X[rows], sensitive_features=s[rows])
    np.testing.assert_array_equal(stream.groups_, full.groups_)
    for name in FITTED:
        np.testing.assert_allclose(
            getattr(stream, name), getattr(full, name), rtol=1e-10, atol=1e-10
        )
    np.testing.assert_allclose(
        stream.transform(X, sensitive_features=s),
        full.transform(X, sensitive_features=s),
        rtol=1e-9,
        atol=1e-9,
    )


def test_partial_fit_with_sensitive_columns_and_after_fit():
    X, s = make_grouped_gaussian(
        n_samples=1200, n_features=3, n_groups=2, random_state=1
    )
    frame = pd.DataFrame(X, columns=["a", "b", "c"]).assign(
        g=np.where(s == 0, "x", "y"), h=np.arange(1200) % 2
    )
    full = GaussianUnlearner(["g", "h"]).fit(frame)
    stream = GaussianUnlearner(["g", "h"]).fit(frame.iloc[:500])
    stream.partial_fit(frame.iloc[500:900]).partial_fit(frame.iloc[900:])
    assert list(stream.groups_) == list(full.groups_)
    for name in FITTED:
        np.testing.assert_allclose(
            getattr(stream, name), getattr(full, name), atol=1e-10
        )
    assert list(stream.get_feature_names_out()) == ["a", "b", "c"]


@pytest.mark.parametrize("method", ["quantile", "empirical"])
def test_partial_fit_other_methods_clear_error(method):
    X, s = make_grouped_gaussian(n_samples=100, n_features=2, random_state=0)
    with pytest.raises(AttributeError, match="no attribute 'partial_fit'") as exc:
        GaussianUnlearner(method=method).partial_fit(X, sensitive_features=s)
    # the traceback shows why, as the cause
    assert "only method='gaussian'" in str(exc.value.__cause__)
    assert not hasattr(GaussianUnlearner(method=method), "partial_fit")


def test_partial_fit_rejects_binning_and_feature_changes():
    X, s = make_grouped_gaussian(n_samples=100, n_features=2, random_state=0)
    with pytest.raises(AttributeError) as exc:
        GaussianUnlearner([0], sensitive_bins=2).partial_fit(X)
    assert "bin it beforehand" in str(exc.value.__cause__)
    u = GaussianUnlearner().partial_fit(X, sensitive_features=s)
    with pytest.raises(ValueError, match="features"):
        u.partial_fit(np.hstack([X, X]), sensitive_features=s)
