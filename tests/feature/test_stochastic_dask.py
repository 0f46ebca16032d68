"""Dask input for the default ``"stochastic"`` method, on a real LocalCluster."""

import numpy as np
import pandas as pd
import pytest

from sklearn_unlearn import BarycenterFeatureUnlearner
from tests.feature.stream_cases import audit, mixed_split

da = pytest.importorskip("dask.array")
dd = pytest.importorskip("dask.dataframe")


@pytest.fixture(scope="module")
def split():
    return mixed_split()


@pytest.fixture(scope="module")
def in_memory(split):
    (X, y, s), test = split
    unlearner = BarycenterFeatureUnlearner(random_state=0).fit(
        X, y, sensitive_features=s
    )
    return unlearner, audit(unlearner, split[0], test)


def test_dask_fit_leaks_like_in_memory(dask_client, split, in_memory):
    (X, y, s), test = split
    unlearner = BarycenterFeatureUnlearner(random_state=0).fit(
        da.from_array(X, chunks=(3000, -1)),
        da.from_array(y, chunks=2500),  # y chunked unlike X
        sensitive_features=s,
    )
    assert unlearner.label_used_
    np.testing.assert_array_equal(unlearner.group_counts_, np.bincount(s))
    leak, utility = audit(unlearner, split[0], test)
    ref_leak, ref_utility = in_memory[1]
    assert leak <= 0.55 and abs(leak - ref_leak) <= 0.03
    assert utility >= ref_utility - 0.03
    # the same sample, counts and stored rows however the rows are chunked
    again = BarycenterFeatureUnlearner(random_state=0).fit(
        da.from_array(X, chunks=(7000, -1)), y, sensitive_features=s
    )
    for name in ("cell_centers_", "group_cell_masses_", "cell_barycenter_"):
        np.testing.assert_array_equal(getattr(again, name), getattr(unlearner, name))


def test_dask_transform_is_lazy_and_blockwise(dask_client, split, in_memory):
    (X, y, s), _ = split
    unlearner = in_memory[0]
    Xd = da.from_array(X[:4000], chunks=(1000, -1))
    Z = unlearner.transform(Xd, sensitive_features=s[:4000])
    assert isinstance(Z, da.Array) and Z.chunks == Xd.chunks
    expected = np.concatenate(
        [
            unlearner.transform(X[a : a + 1000], sensitive_features=s[a : a + 1000])
            for a in range(0, 4000, 1000)
        ]
    )
    np.testing.assert_array_equal(dask_client.compute(Z).result(), expected)


def test_dask_dataframe_with_sensitive_column(split):
    (X, y, s), _ = split
    frame = pd.DataFrame(X[:3000], columns=[f"x{j}" for j in range(X.shape[1])])
    ddf = dd.from_pandas(frame.assign(group=s[:3000]), npartitions=3)
    unlearner = BarycenterFeatureUnlearner("group", random_state=0).fit(
        ddf, dd.from_pandas(pd.Series(y[:3000]), npartitions=2)
    )
    Z = unlearner.transform(ddf).compute()
    assert Z.shape == frame.shape
    assert np.isin(Z.view(f"V{8 * Z.shape[1]}"), X.view(f"V{8 * X.shape[1]}")).all()
    assert list(unlearner.get_feature_names_out()) == list(frame.columns)


def test_dask_errors(split):
    (X, y, s), _ = split
    Xd = da.from_array(X[:2000], chunks=(500, -1))
    with pytest.raises(ValueError, match="one label per row"):
        BarycenterFeatureUnlearner().fit(Xd, y[:10], sensitive_features=s[:2000])
    bad = X[:2000].copy()
    bad[1234, 3] = np.nan
    with pytest.raises(ValueError, match="NaN or infinity"):
        BarycenterFeatureUnlearner().fit(
            da.from_array(bad, chunks=(500, -1)), sensitive_features=s[:2000]
        )
    with pytest.raises(ValueError, match="drop_sensitive=False"):
        BarycenterFeatureUnlearner(drop_sensitive=False).fit(
            Xd, sensitive_features=s[:2000]
        )


def test_dask_fit_keeps_rows_of_indistinguishable_groups(dask_client):
    # S drawn independently of the rows: the dask fit measures the groups on
    # its sample as the in-memory fit does, and the repair is the identity
    (X, y, _), _ = mixed_split()
    s = np.random.default_rng(7).integers(0, 2, X.shape[0])
    whole = BarycenterFeatureUnlearner(random_state=0).fit(X, y, sensitive_features=s)
    lazy = BarycenterFeatureUnlearner(random_state=0).fit(
        da.from_array(X, chunks=(3000, -1)), y, sensitive_features=s
    )
    assert lazy.groups_indistinguishable_ == whole.groups_indistinguishable_
    if lazy.groups_indistinguishable_:
        Z = lazy.transform(da.from_array(X, chunks=(3000, -1)), sensitive_features=s)
        np.testing.assert_array_equal(Z.compute(), X)
