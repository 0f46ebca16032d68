"""Fixtures of the feature tests."""

import pytest

from tests.feature.empirical_cases import _fit, _three_groups


@pytest.fixture(scope="module")
def unequal():
    """Three groups of unequal sizes, one of them subsampled, and its model."""
    X, codes = _three_groups((90, 70, 130), seed=1)
    model = _fit(X, codes, max_samples_per_group=110, n_support=60)
    return X, codes, model


@pytest.fixture(scope="session")
def dask_client():
    """A real dask.distributed cluster: two worker processes, one thread each.

    Its HTTP server takes a free port (``":0"``; ``None`` would still try port
    8787 and warn when a concurrent test run holds it).
    """
    distributed = pytest.importorskip("distributed")
    cluster = distributed.LocalCluster(
        n_workers=2, threads_per_worker=1, processes=True, dashboard_address=":0"
    )
    client = distributed.Client(cluster)
    yield client
    client.close()
    cluster.close()
