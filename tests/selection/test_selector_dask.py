"""DistributionalSelector on dask arrays equals the in-memory selector."""

import numpy as np
import pytest

from sklearn_unlearn import DistributionalSelector

da = pytest.importorskip("dask.array")


@pytest.fixture(scope="module")
def domains():
    rng = np.random.default_rng(0)
    X = np.vstack([rng.normal(1.0, 1.0, (2000, 5)), rng.normal(0.0, 1.3, (6000, 5))])
    perm = rng.permutation(len(X))
    return X[perm], perm < 2000


@pytest.mark.parametrize(
    "score",
    ["likelihood_ratio", "euclidean", "mahalanobis", "cosine", "coreset", "random"],
)
def test_dask_selection_equals_numpy(dask_client, domains, score):
    X, mask = domains
    params = dict(score=score, budget=0.3, family=None, random_state=0)
    ref = DistributionalSelector(**params).fit(X, forget_mask=mask)
    Xd = da.from_array(X, chunks=((1500, 2500, 4000), (2, 3)))
    selector = DistributionalSelector(**params).fit(
        Xd, forget_mask=da.from_array(mask, chunks=1000)
    )
    np.testing.assert_array_equal(selector.forget_indices_, ref.forget_indices_)
    np.testing.assert_allclose(selector.scores_, ref.scores_, rtol=1e-12, atol=1e-12)
    np.testing.assert_array_equal(selector.ranking_, ref.ranking_)
    np.testing.assert_array_equal(selector.deletion_mask_, ref.deletion_mask_)
    assert selector.n_deleted_ == ref.n_deleted_ == 600


def test_dask_fit_resample_is_lazy_and_keeps_the_rows(dask_client, domains):
    X, mask = domains
    Xd = da.from_array(X, chunks=2000)
    y = da.from_array(np.arange(len(X)), chunks=2000)
    selector = DistributionalSelector(budget=0.5, family=None)
    X_kept, y_kept = selector.fit_resample(Xd, y, forget_mask=mask)
    assert isinstance(X_kept, da.Array)
    np.testing.assert_array_equal(X_kept.compute(), X[selector.sample_indices_])
    np.testing.assert_array_equal(y_kept.compute(), selector.sample_indices_)


@pytest.mark.parametrize(
    "params, message",
    [
        (dict(family="gaussian_mean"), "family=None"),
        (dict(family=None, score="classifier"), "score='classifier'"),
        (dict(family=None, domain_column=0), "forget_mask"),
    ],
)
def test_dask_unsupported_options_are_clear_errors(domains, params, message):
    X, mask = domains
    with pytest.raises(ValueError, match=message):
        DistributionalSelector(**params).fit(
            da.from_array(X, chunks=2000), forget_mask=mask
        )


def test_dask_nan_is_detected(domains):
    X, mask = domains
    X = X.copy()
    X[5, 2] = np.nan
    with pytest.raises(ValueError, match="NaN"):
        DistributionalSelector(family=None).fit(
            da.from_array(X, chunks=2000), forget_mask=mask
        )
