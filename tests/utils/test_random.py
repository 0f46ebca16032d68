"""Row-hash uniforms: shape, range, reproducibility, purity per row, uniformity."""

import numpy as np
import pytest
from numpy.testing import assert_array_equal
from scipy import stats
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler
from sklearn.tree import DecisionTreeClassifier

from sklearn_unlearn.utils._random import _row_uniforms, seeded_clone


@pytest.fixture
def rows():
    rng = np.random.default_rng(0)
    X = np.column_stack(
        [rng.normal(size=500), rng.integers(0, 3, 500), rng.normal(5, 2, 500)]
    )
    codes = rng.integers(0, 3, 500).astype(np.intp)
    return X, codes


def test_shape_dtype_range(rows):
    X, codes = rows
    U = _row_uniforms(X, codes, seed=0, n_columns=4)
    assert U.shape == (500, 4)
    assert U.dtype == np.float64
    assert np.all(U >= 0.0) and np.all(U < 1.0)
    assert _row_uniforms(X, codes, seed=0, n_columns=0).shape == (500, 0)


def test_reproducible_and_seeded(rows):
    X, codes = rows
    U = _row_uniforms(X, codes, seed=3, n_columns=2)
    assert_array_equal(U, _row_uniforms(X.copy(), codes.copy(), 3, 2))
    V = _row_uniforms(X, codes, seed=4, n_columns=2)
    assert np.all(U != V)
    # any Python integer is a valid seed
    for seed in (-1, 2**64 + 3, 2**70):
        W = _row_uniforms(X, codes, seed=seed, n_columns=2)
        assert np.all((W >= 0) & (W < 1))
    assert_array_equal(
        _row_uniforms(X, codes, -1, 2), _row_uniforms(X, codes, 2**64 - 1, 2)
    )


def test_pure_function_of_the_row(rows):
    X, codes = rows
    U = _row_uniforms(X, codes, seed=1, n_columns=3)
    subset = np.array([7, 3, 3, 499, 0])
    assert_array_equal(_row_uniforms(X[subset], codes[subset], 1, 3), U[subset])
    # the first columns do not depend on how many columns are asked for
    assert_array_equal(_row_uniforms(X, codes, 1, 2), U[:, :2])
    # memory layout and dtype of equal values do not matter
    assert_array_equal(_row_uniforms(np.asfortranarray(X), codes, 1, 3), U)
    X32 = X.astype(np.float32)
    assert_array_equal(
        _row_uniforms(X32, codes, 1, 3),
        _row_uniforms(X32.astype(np.float64), codes, 1, 3),
    )


def test_equal_rows_equal_draws_and_different_rows_differ():
    X = np.array([[0.0, 1.0], [0.0, 1.0], [-0.0, 1.0], [1.0, 0.0], [0.0, 2.0]])
    codes = np.array([0, 0, 0, 0, 0])
    U = _row_uniforms(X, codes, seed=0, n_columns=3)
    assert_array_equal(U[0], U[1])
    assert_array_equal(U[0], U[2])  # -0.0 == 0.0
    assert len(np.unique(U[:, 0])) == 3
    # the columns of one row are distinct draws
    assert len(np.unique(U[0])) == 3
    # the group code enters the hash
    V = _row_uniforms(X, np.array([1, 0, 0, 0, 0]), seed=0, n_columns=3)
    assert np.all(V[0] != U[0])
    assert_array_equal(V[1:], U[1:])


def test_a_one_ulp_change_changes_every_draw():
    X = np.array([[1.0, 2.0]])
    Y = np.array([[np.nextafter(1.0, 2.0), 2.0]])
    codes = np.zeros(1, dtype=np.intp)
    assert np.all(_row_uniforms(X, codes, 0, 4) != _row_uniforms(Y, codes, 0, 4))


def test_approximately_uniform_and_independent():
    # structured input (consecutive integers, one group) is the hard case for a hash
    n = 100_000
    X = np.column_stack([np.arange(n) % 1000, np.arange(n) // 1000]).astype(float)
    U = _row_uniforms(X, np.zeros(n, dtype=np.intp), seed=12345, n_columns=3)
    assert len(np.unique(U[:, 0])) == n
    for c in range(3):
        assert stats.kstest(U[:, c], "uniform").pvalue > 0.01
    corr = np.corrcoef(U.T)
    assert np.max(np.abs(corr - np.eye(3))) < 0.02
    # neighbouring rows are not correlated either
    assert abs(np.corrcoef(U[:-1, 0], U[1:, 0])[0, 1]) < 0.02


def test_seeded_clone_seeds_nested_estimators_and_leaves_the_original():
    pipe = make_pipeline(StandardScaler(), DecisionTreeClassifier(random_state=1))
    model = seeded_clone(pipe, 7)
    assert model.get_params()["decisiontreeclassifier__random_state"] == 7
    assert pipe.get_params()["decisiontreeclassifier__random_state"] == 1
    assert (
        seeded_clone(StandardScaler(), 7).get_params() == StandardScaler().get_params()
    )
