"""Shared fixtures."""

import pytest


@pytest.fixture(scope="session")
def dask_client():
    """A real dask.distributed cluster: two worker processes, one thread each.

    The dashboard takes a free port, so concurrent test runs never clash.
    """
    distributed = pytest.importorskip("distributed")
    cluster = distributed.LocalCluster(
        n_workers=2, threads_per_worker=1, processes=True, dashboard_address=":0"
    )
    client = distributed.Client(cluster)
    yield client
    client.close()
    cluster.close()
