"""method="quantile" on dask input: sketches merged on a LocalCluster vs numpy."""

from functools import partial

import numpy as np
import pandas as pd
import pytest

from sklearn_unlearn import BarycenterFeatureUnlearner
from sklearn_unlearn.datasets import make_grouped_gaussian
from sklearn_unlearn.feature._quantile_dask import fit_from_sketches, sketch_capacity
from sklearn_unlearn.utils._quantile_sketch import (
    a_priori_error,
    group_sketches,
    merge_group_sketches,
)
from sklearn_unlearn.utils._reduce import tree_reduce

QuantileUnlearner = partial(BarycenterFeatureUnlearner, method="quantile")

da = pytest.importorskip("dask.array")
dd = pytest.importorskip("dask.dataframe")


@pytest.fixture
def client(dask_client):
    return dask_client


@pytest.fixture(scope="module")
def data():
    X, s = make_grouped_gaussian(
        n_samples=6000, n_features=3, n_groups=3, random_state=0
    )
    return X, s


def _ks(a: np.ndarray, b: np.ndarray) -> float:
    """Kolmogorov-Smirnov distance of two samples' empirical laws."""
    grid = np.concatenate([a, b])
    fa = np.searchsorted(np.sort(a), grid, "right") / a.size
    fb = np.searchsorted(np.sort(b), grid, "right") / b.size
    return float(np.abs(fa - fb).max())


def test_exact_sketches_give_the_in_memory_fit_and_transform(client, data):
    X, s = data  # 2000 rows per group <= 8 x 1000 values per level: exact
    ref = QuantileUnlearner(repair_level=0.8, random_state=0)
    ref.fit(X, sensitive_features=s)
    Xd, sd = da.from_array(X, chunks=(700, 3)), da.from_array(s, chunks=700)
    model = QuantileUnlearner(repair_level=0.8, random_state=0)
    model.fit(Xd, sensitive_features=sd)
    for name in ("references_", "group_quantiles_", "barycenter_quantiles_"):
        np.testing.assert_array_equal(getattr(model, name), getattr(ref, name))
    Z = model.transform(Xd, sensitive_features=sd)
    assert isinstance(Z, da.Array) and Z.chunks == Xd.chunks  # lazy, blockwise
    np.testing.assert_array_equal(
        client.compute(Z).result(), ref.transform(X, sensitive_features=s)
    )


def test_compacted_sketches_stay_within_their_rank_error(client, data):
    X, s = data
    n_quantiles = 40  # 320 values per level: every group's sketch compacts
    ref = QuantileUnlearner(n_quantiles=n_quantiles, random_state=0)
    ref.fit(X, sensitive_features=s)
    Xd = da.from_array(X, chunks=(500, 3))
    model = QuantileUnlearner(n_quantiles=n_quantiles, random_state=0)
    model.fit(Xd, sensitive_features=s)
    # the same sketches, merged in memory, give each group's certified error
    capacity = sketch_capacity(n_quantiles)
    codes = np.searchsorted(model.groups_, s)
    parts = [
        group_sketches(X[i : i + 500], codes[i : i + 500], 3, capacity)
        for i in range(0, 6000, 500)
    ]
    # the dask fit's tree of merges, replayed in memory
    merged = tree_reduce(parts, partial(merge_group_sketches, capacity=capacity))
    rebuilt = fit_from_sketches(merged, model.group_weights_, n_quantiles)
    np.testing.assert_array_equal(rebuilt.group_quantiles, model.group_quantiles_)
    u = model.references_
    eps = 0.0
    for g, sketch in enumerate(merged):
        n = sketch.count
        assert 0 < sketch.error <= a_priori_error(n, capacity) * n
        shift = sketch.error / (n - 1)
        eps = max(eps, sketch.error / n)
        rows = X[codes == g]
        lower = np.quantile(rows, np.clip(u - shift, 0, 1), axis=0)
        upper = np.quantile(rows, np.clip(u + shift, 0, 1), axis=0)
        Q = model.group_quantiles_[g]
        assert np.all(Q >= lower - 1e-12) and np.all(Q <= upper + 1e-12)
    # repaired marginals per group: within the rank errors of the group and
    # barycenter quantiles (2 eps), and a grid step of interpolation
    Z = model.transform(Xd, sensitive_features=s).compute()
    Z_ref = ref.transform(X, sensitive_features=s)
    for g in range(3):
        for j in range(3):
            gap = _ks(Z[codes == g, j], Z_ref[codes == g, j])
            assert gap <= 2 * eps + 1 / (n_quantiles - 1)


def test_dask_dataframe_and_errors(client, data):
    X, s = data
    frame = pd.DataFrame(X, columns=list("abc")).assign(group=s)
    ref = QuantileUnlearner("group", random_state=0).fit(frame)
    ddf = dd.from_pandas(frame, npartitions=4)
    model = QuantileUnlearner("group", random_state=0).fit(ddf)
    np.testing.assert_array_equal(model.transform(ddf).compute(), ref.transform(frame))
    bad = X.copy()
    bad[4321, 2] = np.nan
    bad_d = da.from_array(bad, chunks=(1000, 3))
    with pytest.raises(ValueError, match="NaN or infinity"):
        QuantileUnlearner().fit(bad_d, sensitive_features=s)
    with pytest.raises(ValueError, match="NaN or infinity"):
        model = QuantileUnlearner().fit(da.from_array(X), sensitive_features=s)
        model.transform(bad_d, sensitive_features=s).compute()
