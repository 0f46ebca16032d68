"""Dask input: fit and transform on a real LocalCluster equal the numpy results."""

from functools import partial

import numpy as np
import pandas as pd
import pytest

from sklearn_unlearn import BarycenterFeatureUnlearner
from sklearn_unlearn.datasets import make_grouped_gaussian

#: The method these tests are about (mergeable moments), named explicitly.
GaussianUnlearner = partial(BarycenterFeatureUnlearner, method="gaussian")

da = pytest.importorskip("dask.array")
dd = pytest.importorskip("dask.dataframe")


@pytest.fixture
def client(dask_client):
    return dask_client


@pytest.fixture(scope="module")
def data():
    X, s = make_grouped_gaussian(
        n_samples=6000, n_features=5, n_groups=3, random_state=0
    )
    return X, s


def test_dask_array_fit_and_transform_equal_numpy(client, data):
    X, s = data
    ref = GaussianUnlearner(repair_level=0.7).fit(X, sensitive_features=s)
    Xd, sd = da.from_array(X, chunks=(1000, 5)), da.from_array(s, chunks=1000)
    unlearner = GaussianUnlearner(repair_level=0.7).fit(Xd, sensitive_features=sd)
    for name in ("group_counts_", "barycenter_mean_", "transport_maps_"):
        np.testing.assert_allclose(
            getattr(unlearner, name), getattr(ref, name), rtol=1e-10, atol=1e-12
        )
    Z = unlearner.transform(Xd, sensitive_features=sd)
    assert isinstance(Z, da.Array) and Z.chunks == Xd.chunks  # lazy, blockwise
    np.testing.assert_allclose(
        client.compute(Z).result(),
        ref.transform(X, sensitive_features=s),
        rtol=1e-10,
        atol=1e-10,
    )


def test_dask_array_with_sensitive_column_and_uneven_chunks(client, data):
    X, s = data
    full = np.column_stack([s, X])
    ref = GaussianUnlearner([0]).fit(full)
    Xd = da.from_array(full, chunks=((1500, 500, 2500, 1500), (3, 3)))
    unlearner = GaussianUnlearner([0]).fit(Xd)
    np.testing.assert_allclose(
        unlearner.transform(Xd).compute(), ref.transform(full), atol=1e-10
    )


def test_dask_dataframe_equals_pandas(client, data):
    X, s = data
    frame = pd.DataFrame(X, columns=list("abcde")).assign(group=s)
    ref = GaussianUnlearner("group").fit(frame)
    ddf = dd.from_pandas(frame, npartitions=3)
    unlearner = GaussianUnlearner("group").fit(ddf)
    np.testing.assert_allclose(
        unlearner.transform(ddf).compute(), ref.transform(frame), atol=1e-10
    )
    assert list(unlearner.get_feature_names_out()) == list("abcde")


def test_dask_input_errors(data):
    X, s = data
    Xd = da.from_array(X, chunks=(1000, 5))
    with pytest.raises(ValueError, match="method='gaussian'"):
        GaussianUnlearner(method="empirical").fit(Xd, sensitive_features=s)
    with pytest.raises(ValueError, match="No sensitive attribute"):
        GaussianUnlearner().fit(Xd)
    with pytest.raises(ValueError, match="has 10 samples"):
        GaussianUnlearner().fit(Xd, sensitive_features=s[:10])


def test_dask_nan_is_detected_in_fit_and_transform(client, data):
    X, s = data
    Xd, sd = da.from_array(X, chunks=(1000, 5)), da.from_array(s, chunks=1000)
    unlearner = GaussianUnlearner().fit(Xd, sensitive_features=sd)
    bad = X.copy()
    bad[4321, 2] = np.nan
    bad_d = da.from_array(bad, chunks=(1000, 5))
    with pytest.raises(ValueError, match="NaN or infinity"):
        GaussianUnlearner().fit(bad_d, sensitive_features=sd)
    with pytest.raises(ValueError, match="NaN or infinity"):
        unlearner.transform(bad_d, sensitive_features=sd).compute()


def _blas_threads():
    from threadpoolctl import threadpool_info

    return {i["num_threads"] for i in threadpool_info() if i["user_api"] == "blas"}


def test_block_tasks_run_blas_on_one_thread(data, monkeypatch):
    # a worker runs blocks in parallel: each block's small products (d x d
    # moments, products with d x d maps) use one BLAS thread, even where the
    # process allows more
    from threadpoolctl import threadpool_limits

    from sklearn_unlearn.feature import _dask, _stochastic_dask
    from sklearn_unlearn.feature._gaussian_maps import affine

    seen = []

    def spy(kernel):
        def wrapped(*args, **kwargs):
            seen.append(_blas_threads())
            return kernel(*args, **kwargs)

        return wrapped

    for module, name in [
        (_dask, "group_moments"),
        (_dask, "affine_transport"),
        (_stochastic_dask, "sketch_block"),
    ]:
        monkeypatch.setattr(module, name, spy(getattr(module, name)))
    X, s = data
    codes = s.astype(np.intp)
    model = BarycenterFeatureUnlearner(random_state=0).fit(X, sensitive_features=s)
    cells = model._model
    with threadpool_limits(limits=2, user_api="blas"):
        if _blas_threads() != {2}:
            pytest.skip("no BLAS library whose threads can be set")
        moments = _dask._block_moments(X, codes, 3)
        gaussian = GaussianUnlearner().fit(X, sensitive_features=s)._model
        _dask._transform_block(X, codes[:, None], affine(gaussian, 1.0))
        _stochastic_dask._sketch_block(
            X, codes, 0, 3, cells.embedding, cells.centers, 0, 512
        )
    assert moments.counts.sum() == len(s)
    assert seen == [{1}, {1}, {1}]
