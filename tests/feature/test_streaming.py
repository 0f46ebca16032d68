"""partial_fit: the Gaussian method equals fit on the concatenated chunks; the
default ``"stochastic"`` one fixes its cells on a sample; the quantile one
merges sketches within their certified rank error."""

from functools import partial

import numpy as np
import pandas as pd
import pytest

from sklearn_unlearn import BarycenterFeatureUnlearner
from sklearn_unlearn.datasets import make_grouped_gaussian
from sklearn_unlearn.feature import _streaming
from sklearn_unlearn.feature._quantile_dask import sketch_capacity
from sklearn_unlearn.utils._quantile_sketch import a_priori_error
from tests.feature.stream_cases import audit, mixed_split

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


@pytest.mark.parametrize("method", ["empirical"])
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


# ---------------------------------------------------- the default method
@pytest.fixture(scope="module")
def split():
    return mixed_split()


def _stream(X, y, s, n_chunks, **params):
    unlearner = BarycenterFeatureUnlearner(random_state=0, **params)
    for rows in np.array_split(np.arange(len(s)), n_chunks):
        label = None if y is None else y[rows]
        unlearner.partial_fit(X[rows], label, sensitive_features=s[rows])
    return unlearner


def test_few_rows_give_the_fit_of_their_concatenation(split):
    (X, y, s), _ = split
    X, y, s = X[:3000], y[:3000], s[:3000]
    order = np.argsort(s, kind="stable")  # the second group comes later
    X, y, s = X[order], y[order], s[order]
    full = BarycenterFeatureUnlearner(random_state=0).fit(X, y, sensitive_features=s)
    stream = _stream(X, y, s, 3)
    np.testing.assert_array_equal(stream.groups_, full.groups_)
    np.testing.assert_array_equal(
        stream.transform(X, sensitive_features=s),
        full.transform(X, sensitive_features=s),
    )


def test_fixed_cells_leak_like_in_memory(split, monkeypatch):
    (X, y, s), test = split
    # cells fixed once 5,000 rows are seen: chunks 3 to 6 only add counts
    monkeypatch.setattr(_streaming, "SAMPLE_ROWS", 5000)
    stream = _stream(X, y, s, 6)
    assert stream._stream[1].kept is None and stream.label_used_
    np.testing.assert_array_equal(stream.group_counts_, np.bincount(s))
    full = BarycenterFeatureUnlearner(random_state=0).fit(X, y, sensitive_features=s)
    (leak, utility), (ref_leak, ref_utility) = (
        audit(u, (X, y, s), test) for u in (stream, full)
    )
    assert leak <= 0.55 and abs(leak - ref_leak) <= 0.03
    assert utility >= ref_utility - 0.03
    # after fit, partial_fit continues from the fitted cells and counts
    more = BarycenterFeatureUnlearner(random_state=0).fit(
        X[:8000], y[:8000], sensitive_features=s[:8000]
    )
    centers = more.cell_centers_
    more.partial_fit(X[8000:], sensitive_features=s[8000:])
    np.testing.assert_array_equal(more.cell_centers_, centers)
    np.testing.assert_array_equal(more.group_counts_, np.bincount(s))


def test_stream_errors(split, monkeypatch):
    (X, y, s), _ = split
    stream = BarycenterFeatureUnlearner().partial_fit(
        X[:100], y[:100], sensitive_features=s[:100]
    )
    with pytest.raises(ValueError, match="pass y with every chunk or with none"):
        stream.partial_fit(X[100:200], sensitive_features=s[100:200])
    with pytest.raises(ValueError, match="one label per row"):
        stream.partial_fit(X[100:200], y[:5], sensitive_features=s[100:200])
    with pytest.raises(AttributeError):
        BarycenterFeatureUnlearner([0], sensitive_bins=2).partial_fit(X)


# ------------------------------------------------------------ the quantile one
QuantileUnlearner = partial(BarycenterFeatureUnlearner, method="quantile")


def _ks(a, b):
    """Kolmogorov-Smirnov distance of two samples' empirical laws."""
    grid = np.concatenate([a, b])
    fa = np.searchsorted(np.sort(a), grid, "right") / a.size
    fb = np.searchsorted(np.sort(b), grid, "right") / b.size
    return float(np.abs(fa - fb).max())


def _quantile_stream(X, s, n_chunks, **params):
    stream = QuantileUnlearner(random_state=0, **params)
    for rows in np.array_split(np.arange(len(s)), n_chunks):
        stream.partial_fit(X[rows], sensitive_features=s[rows])
    return stream


def test_quantile_partial_fit_without_compaction_is_fit():
    X, s = make_grouped_gaussian(n_samples=3000, n_features=3, random_state=0)
    order = np.argsort(s, kind="stable")  # the second group comes later
    X, s = X[order], s[order]
    full = QuantileUnlearner(random_state=0).fit(X, sensitive_features=s)
    stream = _quantile_stream(X, s, 4)  # 8 x 1000 values per level: exact
    for name in ("group_counts_", "group_quantiles_", "barycenter_quantiles_"):
        np.testing.assert_array_equal(getattr(stream, name), getattr(full, name))
    np.testing.assert_array_equal(
        stream.transform(X, sensitive_features=s),
        full.transform(X, sensitive_features=s),
    )
    # after fit, partial_fit starts anew (the fitted grid is not a sketch)
    full.partial_fit(X[:100], sensitive_features=s[:100])
    assert full.group_counts_.sum() == 100


def test_quantile_partial_fit_within_the_rank_error_and_no_leak():
    X, s = make_grouped_gaussian(
        n_samples=20000, n_features=3, n_groups=2, random_state=1
    )
    n_quantiles = 25  # 200 values per level: every group's sketch compacts
    full = QuantileUnlearner(n_quantiles=n_quantiles, random_state=0)
    full.fit(X, sensitive_features=s)
    stream = _quantile_stream(X, s, 8, n_quantiles=n_quantiles)
    np.testing.assert_array_equal(stream.group_counts_, np.bincount(s))
    sketches = stream._stream[1]
    capacity, u, eps = sketch_capacity(n_quantiles), stream.references_, 0.0
    for g, sketch in enumerate(sketches):
        n = sketch.count
        assert 0 < sketch.error <= a_priori_error(n, capacity) * n
        eps = max(eps, sketch.error / n)
        shift = sketch.error / (n - 1)
        lower = np.quantile(X[s == g], np.clip(u - shift, 0, 1), axis=0)
        upper = np.quantile(X[s == g], np.clip(u + shift, 0, 1), axis=0)
        Q = stream.group_quantiles_[g]
        assert np.all(Q >= lower - 1e-12) and np.all(Q <= upper + 1e-12)
    Z = stream.transform(X, sensitive_features=s)
    Z_full = full.transform(X, sensitive_features=s)
    for j in range(3):
        raw_gap = _ks(X[s == 0, j], X[s == 1, j])
        assert raw_gap > 0.2  # each column tells the groups apart
        for g in range(2):  # the in-memory law, up to 2 eps and a grid step
            gap = _ks(Z[s == g, j], Z_full[s == g, j])
            assert gap <= 2 * eps + 1 / (n_quantiles - 1)
        # leakage: each repaired column's law hardly depends on the group
        assert _ks(Z[s == 0, j], Z[s == 1, j]) <= 0.05
