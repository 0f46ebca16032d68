"""Tests of the cell method's space: column scales and the label score."""

import numpy as np
import pytest
from numpy.testing import assert_allclose, assert_array_equal

from sklearn_unlearn import BarycenterFeatureUnlearner
from sklearn_unlearn.datasets import make_grouped_mixed
from sklearn_unlearn.feature._stochastic_embedding import (
    _cell_embedding,
    _column_scales,
)

# ---------------------------------------------------------------------- scales


def test_column_scales_match_numpy_and_are_exact_under_powers_of_two():
    rng = np.random.default_rng(0)
    X = np.column_stack([rng.normal(3, 2, 500), rng.lognormal(8, 1, 500)])
    X = np.column_stack([X, np.full(500, 7.0)])  # constant: scale 1
    shift, scale = _column_scales(X)
    assert_allclose(shift, X.mean(axis=0), rtol=1e-12)
    assert_allclose(scale[:2], X[:, :2].std(axis=0), rtol=1e-12)
    assert scale[2] == 1.0
    for power in (-1060, -300, 300, 1000):  # subnormal to near overflow
        factor = 2.0**power * np.array([1.0, 0.5, 4.0])
        shift_c, scale_c = _column_scales(X * factor)
        assert_array_equal(shift_c, shift * factor)
        assert_array_equal(scale_c[:2], scale[:2] * factor[:2])


@pytest.mark.parametrize("with_y", [True, False])
def test_repair_is_equivariant_to_rescaling_columns(with_y):
    X, y, s = make_grouped_mixed(1500, random_state=1)
    label = y if with_y else None
    Z = BarycenterFeatureUnlearner(random_state=0).fit(X, label, sensitive_features=s)
    Z = Z.transform(X, sensitive_features=s)
    factors = 2.0 ** np.arange(-6, X.shape[1] - 6)
    for power in (-900, -200, 250, 900):
        scaled = X * (factors * 2.0**power)
        est = BarycenterFeatureUnlearner(random_state=0)
        Z_scaled = est.fit(scaled, label, sensitive_features=s).transform(
            scaled, sensitive_features=s
        )
        assert np.all(np.isfinite(Z_scaled))
        assert_array_equal(Z_scaled, Z * (factors * 2.0**power))


# ----------------------------------------------------------------- label score


def test_label_score_has_the_stated_weight_and_needs_information():
    rng = np.random.default_rng(2)
    X = rng.normal(size=(800, 5)) * [1, 10, 100, 1, 1]
    y = (X[:, 0] + X[:, 1] / 10 + rng.normal(size=800) > 0).astype(int)
    embedding = _cell_embedding(X, y, 16.0, seed=0)
    Xs = (X - embedding.shift) / embedding.scale
    score = Xs @ embedding.coef + embedding.intercept
    assert score.shape == (800, 1)
    assert_allclose(score.mean(), 0.0, atol=1e-10)
    assert_allclose(score.var(), 16.0 * 5, rtol=1e-10)
    # three classes: three score columns sharing the weight
    y3 = np.digitize(X[:, 0], [-0.5, 0.5])
    emb3 = _cell_embedding(X, y3, 16.0, seed=0)
    scores3 = ((X - emb3.shift) / emb3.scale) @ emb3.coef + emb3.intercept
    assert_allclose(scores3.var(axis=0), 16.0 * 5 / 3, rtol=1e-10)
    # a numeric target: a ridge score; no information or no weight: no score
    assert _cell_embedding(X, X[:, 0] * 2.0, 16.0, seed=0).coef.shape == (5, 1)
    assert _cell_embedding(X, np.ones(800, dtype=int), 16.0, seed=0).coef.shape[1] == 0
    assert _cell_embedding(X, y, 0.0, seed=0).coef.shape[1] == 0
    assert _cell_embedding(X, None, 16.0, seed=0).coef.shape[1] == 0
