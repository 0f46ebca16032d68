"""Fixtures of the feature tests."""

import pytest

from tests.feature.empirical_cases import _fit, _three_groups


@pytest.fixture(scope="module")
def unequal():
    """Three groups of unequal sizes, one of them subsampled, and its model."""
    X, codes = _three_groups((90, 70, 130), seed=1)
    model = _fit(X, codes, max_samples_per_group=110, n_support=60)
    return X, codes, model
