"""BarycenterFeatureUnlearner: API, properties, consistency and bad input."""

import pickle

import numpy as np
import pandas as pd
import polars as pl
import pytest
from numpy.testing import assert_allclose, assert_array_equal
from scipy import sparse
from scipy.stats import ks_2samp

from sklearn_unlearn import BarycenterFeatureUnlearner
from sklearn_unlearn.datasets import make_grouped_gaussian
from sklearn_unlearn.utils._compat import InvalidParameterError

METHODS = ["gaussian", "quantile", "empirical"]


@pytest.fixture(scope="module")
def grouped():
    """Three groups, four features with unequal means and covariances."""
    X, s = make_grouped_gaussian(
        n_samples=900,
        n_features=4,
        n_groups=3,
        group_weights=[0.5, 0.3, 0.2],
        random_state=0,
    )
    return X, s


def _with_s(X, s):
    return np.column_stack([s, X])


def _unlearner(method="gaussian", **params):
    params.setdefault("random_state", 0)
    params.setdefault("max_samples_per_group", 200)
    return BarycenterFeatureUnlearner(
        sensitive_feature_ids=[0], method=method, **params
    )


# ---------------------------------------------------------------- properties
@pytest.mark.parametrize("method", METHODS)
def test_repair_level_zero_is_identity(grouped, method):
    X, s = grouped
    Z = _unlearner(method, repair_level=0.0).fit_transform(_with_s(X, s))
    assert_allclose(Z, X, atol=1e-12)


@pytest.mark.parametrize("method", METHODS)
def test_output_is_mccann_interpolation(grouped, method):
    X, s = grouped
    est = _unlearner(method).fit(_with_s(X, s))
    full = est.transform(_with_s(X, s))
    half = est.set_params(repair_level=0.3).transform(_with_s(X, s))
    assert_allclose(half, 0.7 * X + 0.3 * full, atol=1e-10)


def test_gaussian_full_repair_equalises_group_moments(grouped):
    X, s = grouped
    est = _unlearner("gaussian", reg=0.0)
    Z = est.fit_transform(_with_s(X, s))
    for g in range(3):
        assert_allclose(Z[s == g].mean(axis=0), est.barycenter_mean_, atol=1e-10)
        assert_allclose(
            np.cov(Z[s == g].T, ddof=0), est.barycenter_covariance_, atol=1e-10
        )
    # Minimal distortion: E||Z - X||^2 = sum_s p_s W2^2(mu_s, barycenter).
    from sklearn_unlearn.feature._bures import bures_wasserstein2

    w2 = bures_wasserstein2(
        est.group_means_,
        est.group_covariances_,
        est.barycenter_mean_,
        est.barycenter_covariance_,
    )
    assert_allclose(np.mean(np.sum((Z - X) ** 2, axis=1)), est.group_weights_ @ w2)


def test_quantile_full_repair_equalises_marginals():
    X, s = make_grouped_gaussian(3000, 3, n_groups=3, random_state=1)
    Z = _unlearner("quantile").fit_transform(_with_s(X, s))
    for j in range(3):
        for a, b in [(0, 1), (0, 2), (1, 2)]:
            assert ks_2samp(Z[s == a, j], Z[s == b, j]).statistic < 0.05
            assert ks_2samp(X[s == a, j], X[s == b, j]).statistic > 0.1


def test_full_repair_is_idempotent(grouped):
    X, s = grouped
    Z = _unlearner("gaussian").fit_transform(_with_s(X, s))
    Z2 = _unlearner("gaussian").fit_transform(_with_s(Z, s))
    assert_allclose(Z2, Z, atol=1e-5 * np.abs(Z).max())


def test_quantile_full_repair_is_idempotent_up_to_grid_resolution(grouped):
    # Groups of n_s samples read the barycenter quantile function at their own rank
    # levels i / (n_s - 1), so a second repair moves points by a fraction of the
    # local quantile spacing (here n_s >= 180): small in the bulk, larger in tails.
    X, s = grouped
    Z = _unlearner("quantile").fit_transform(_with_s(X, s))
    Z2 = _unlearner("quantile").fit_transform(_with_s(Z, s))
    moved = np.abs(Z2 - Z) / Z.std(axis=0)
    assert np.median(moved) < 2e-3
    assert np.max(moved) < 0.05


def test_gaussian_maps_become_identity_after_repair(grouped):
    X, s = grouped
    Z = _unlearner("gaussian", reg=0.0).fit_transform(_with_s(X, s))
    refit = _unlearner("gaussian", reg=0.0).fit(_with_s(Z, s))
    eye = np.broadcast_to(np.eye(4), refit.transport_maps_.shape)
    assert_allclose(refit.transport_maps_, eye, atol=1e-7)


def test_equal_covariances_reduce_to_mean_shift():
    rng = np.random.default_rng(3)
    base = rng.normal(size=(600, 3)) @ rng.normal(size=(3, 3))
    s = np.repeat([0, 1, 2], 200)
    shifts = np.array([[0, 0, 0], [1, -2, 0.5], [3, 1, -1.0]])
    # Identical within-group residuals: equal covariances.
    X = np.concatenate([base[:200] + shifts[g] for g in range(3)])
    est = _unlearner("gaussian", reg=0.0).fit(_with_s(X, s))
    Z = est.transform(_with_s(X, s))
    expected = X - est.group_means_[s] + est.barycenter_mean_
    assert_allclose(Z, expected, atol=1e-9)


@pytest.mark.parametrize("method", METHODS)
def test_relabelling_groups_changes_nothing(grouped, method):
    X, s = grouped
    names = np.array(["c", "a", "b"])[s]
    Z_int = _unlearner(method).fit_transform(_with_s(X, s))
    est = BarycenterFeatureUnlearner(
        method=method, random_state=0, max_samples_per_group=200
    )
    if method == "empirical":
        # Subsampling order follows the group codes; compare laws, not rows.
        Z_str = est.fit_transform(X, sensitive_features=names)
        assert_allclose(
            np.sort(Z_str.mean(axis=0)), np.sort(Z_int.mean(axis=0)), atol=0.2
        )
        return
    Z_str = est.fit_transform(X, sensitive_features=names)
    assert_allclose(Z_str, Z_int, atol=1e-10)


def test_orthogonal_change_of_coordinates_commutes(grouped):
    X, s = grouped
    rng = np.random.default_rng(4)
    Q, _ = np.linalg.qr(rng.normal(size=(4, 4)))
    b = rng.normal(size=4)
    Z = _unlearner("gaussian", reg=0.0).fit_transform(_with_s(X, s))
    Zq = _unlearner("gaussian", reg=0.0).fit_transform(_with_s(X @ Q.T + b, s))
    assert_allclose(Zq, Z @ Q.T + b, atol=1e-9)


@pytest.mark.parametrize("method", ["gaussian", "quantile"])
def test_row_permutation_equivariance(grouped, method):
    X, s = grouped
    perm = np.random.default_rng(5).permutation(len(s))
    Z = _unlearner(method).fit_transform(_with_s(X, s))
    Zp = _unlearner(method).fit_transform(_with_s(X[perm], s[perm]))
    assert_allclose(Zp, Z[perm], atol=1e-10)


@pytest.mark.parametrize("method", ["gaussian", "quantile"])
def test_scale_equivariance(grouped, method):
    X, s = grouped
    Z = _unlearner(method).fit_transform(_with_s(X, s))
    Zs = _unlearner(method).fit_transform(_with_s(1e3 * X, s))
    assert_allclose(Zs, 1e3 * Z, rtol=1e-8, atol=1e-8)


# ------------------------------------------------------------- weights, groups
def test_weights_options(grouped):
    X, s = grouped
    counts = np.bincount(s)
    prop = _unlearner().fit(_with_s(X, s))
    assert_allclose(prop.group_weights_, counts / counts.sum())
    assert_array_equal(prop.group_counts_, counts)
    uni = _unlearner(weights="uniform").fit(_with_s(X, s))
    assert_allclose(uni.group_weights_, np.ones(3) / 3)
    explicit = _unlearner(weights=[2, 1, 1]).fit(_with_s(X, s))
    assert_allclose(explicit.group_weights_, [0.5, 0.25, 0.25])
    assert_allclose(
        explicit.barycenter_mean_, [0.5, 0.25, 0.25] @ explicit.group_means_
    )


def test_intersectional_groups_from_two_columns():
    rng = np.random.default_rng(6)
    sex = rng.choice(["F", "M"], size=800)
    race = rng.choice(["a", "b"], size=800)
    x = rng.normal(size=(800, 2)) + (sex == "M")[:, None] * 2 + (race == "b")[:, None]
    df = pd.DataFrame({"sex": sex, "x0": x[:, 0], "race": race, "x1": x[:, 1]})
    est = BarycenterFeatureUnlearner(
        sensitive_feature_ids=["sex", "race"], method="gaussian"
    ).fit(df)
    assert est.groups_.tolist() == [("F", "a"), ("F", "b"), ("M", "a"), ("M", "b")]
    Z = est.transform(df)
    for g in est.groups_:
        rows = (sex == g[0]) & (race == g[1])
        assert_allclose(Z[rows].mean(axis=0), est.barycenter_mean_, atol=1e-10)


@pytest.mark.parametrize(
    "s",
    [
        np.array(["a", "b", "c"] * 100),
        np.array([True, False, True] * 100),
        pd.Categorical(["x", "y", "z"] * 100),
        np.array([3, 7, 9] * 100),
    ],
    ids=["str", "bool", "categorical", "int"],
)
def test_sensitive_value_types(s):
    rng = np.random.default_rng(7)
    X = rng.normal(size=(300, 2))
    df = pd.DataFrame({"s": s, "a": X[:, 0], "b": X[:, 1]})
    est = BarycenterFeatureUnlearner(sensitive_feature_ids="s").fit(df)
    assert est.groups_.size == np.unique(np.asarray(s)).size
    assert est.transform(df).shape == (300, 2)


def test_sensitive_bins_for_continuous_attribute():
    rng = np.random.default_rng(8)
    age = rng.uniform(18, 80, size=1000)
    X = np.column_stack([age, rng.normal(size=1000) + age / 10])
    est = BarycenterFeatureUnlearner(sensitive_feature_ids=[0], sensitive_bins=4).fit(X)
    assert est.groups_.tolist() == [0, 1, 2, 3]
    assert_allclose(est.group_counts_, 250, atol=1)
    assert len(est.sensitive_bin_edges_[0]) == 3
    # Values beyond the training range fall into the end bins: never unseen.
    Z = est.transform(np.array([[5.0, 1.0], [99.0, 1.0]]))
    assert np.all(np.isfinite(Z))


def test_handle_unknown_identity(grouped):
    X, s = grouped
    est = _unlearner(handle_unknown="identity").fit(_with_s(X, s))
    X_new = _with_s(X[:5], np.full(5, 42))
    assert_allclose(est.transform(X_new), X[:5])


def test_drop_sensitive_false_keeps_columns(grouped):
    X, s = grouped
    est = _unlearner(drop_sensitive=False).fit(_with_s(X, s))
    Z = est.transform(_with_s(X, s))
    assert Z.shape == (len(s), 5)
    assert_array_equal(Z[:, 0], s)
    assert_array_equal(est.get_feature_names_out(), ["x0", "x1", "x2", "x3", "x4"])
    # The kept S column lets inverse_transform read S from its input.
    assert_allclose(est.inverse_transform(Z), _with_s(X, s), atol=1e-10)


# ---------------------------------------------------------------- inverse
@pytest.mark.parametrize("method, atol", [("gaussian", 1e-10), ("quantile", 1e-6)])
def test_inverse_transform_recovers_x_given_s(grouped, method, atol):
    X, s = grouped
    est = _unlearner(method, repair_level=0.8).fit(_with_s(X, s))
    Z = est.transform(_with_s(X, s))
    assert_allclose(est.inverse_transform(Z, sensitive_features=s), X, atol=atol)
    with pytest.raises(ValueError, match="sensitive_features=S"):
        est.inverse_transform(Z)


def test_inverse_transform_not_available_for_empirical():
    assert not hasattr(
        BarycenterFeatureUnlearner(method="empirical"), "inverse_transform"
    )
    assert hasattr(BarycenterFeatureUnlearner(method="gaussian"), "inverse_transform")


# ------------------------------------------------------------ consistency
@pytest.mark.parametrize("method", METHODS)
def test_fit_transform_equals_fit_then_transform(grouped, method):
    X, s = grouped
    Xs = _with_s(X, s)
    assert_allclose(
        _unlearner(method).fit_transform(Xs), _unlearner(method).fit(Xs).transform(Xs)
    )


@pytest.mark.parametrize("method", METHODS)
def test_float32_preserved_and_close_to_float64(grouped, method):
    X, s = grouped
    Z64 = _unlearner(method).fit_transform(_with_s(X, s))
    Z32 = _unlearner(method).fit_transform(_with_s(X, s).astype(np.float32))
    assert Z32.dtype == np.float32
    assert_allclose(Z32, Z64, atol=1e-4 * np.abs(Z64).max())


@pytest.mark.parametrize("method", METHODS)
def test_pandas_polars_numpy_agree(grouped, method):
    X, s = grouped
    cols = {"s": s, **{f"f{j}": X[:, j] for j in range(4)}}
    Z = _unlearner(method).fit_transform(_with_s(X, s))
    for frame in (pd.DataFrame(cols), pl.DataFrame(cols)):
        est = BarycenterFeatureUnlearner(
            sensitive_feature_ids="s",
            method=method,
            random_state=0,
            max_samples_per_group=200,
        )
        assert_allclose(est.fit_transform(frame), Z, atol=1e-12)
        assert_array_equal(est.get_feature_names_out(), ["f0", "f1", "f2", "f3"])


@pytest.mark.parametrize("output", ["pandas", "polars"])
def test_set_output(grouped, output):
    X, s = grouped
    df = pd.DataFrame({"sex": s, "a": X[:, 0], "b": X[:, 1]})
    est = BarycenterFeatureUnlearner(sensitive_feature_ids="sex").set_output(
        transform=output
    )
    out = est.fit_transform(df)
    assert list(out.columns) == ["a", "b"]
    assert type(out).__module__.split(".")[0] == output


@pytest.mark.parametrize("method", METHODS)
def test_pickle_round_trip_and_n_jobs(grouped, method):
    X, s = grouped
    Xs = _with_s(X, s)
    est = _unlearner(method, n_jobs=1).fit(Xs)
    restored = pickle.loads(pickle.dumps(est))
    assert_array_equal(restored.transform(Xs), est.transform(Xs))
    assert_allclose(
        _unlearner(method, n_jobs=2).fit(Xs).transform(Xs), est.transform(Xs)
    )


@pytest.mark.parametrize("method", ["quantile", "empirical"])
# the poisson column is discrete: the closed-form methods rightly warn about it
@pytest.mark.filterwarnings("ignore:method=.*discrete column:UserWarning")
def test_random_state_reproducible(method):
    rng = np.random.default_rng(9)
    s = rng.integers(0, 3, size=600)
    X = np.column_stack([s, rng.poisson(1 + s), rng.normal(size=600) + s])
    a = _unlearner(method, random_state=3).fit_transform(X)
    b = _unlearner(method, random_state=3).fit_transform(X)
    c = _unlearner(method, random_state=4).fit_transform(X)
    assert_array_equal(a, b)
    assert not np.array_equal(a, c)


def test_input_never_modified(grouped):
    X, s = grouped
    Xs = _with_s(X, s)
    df = pd.DataFrame(Xs, columns=list("sabcd"))
    before, df_before = Xs.copy(), df.copy()
    for method in METHODS:
        est = _unlearner(method).fit(Xs)
        est.transform(Xs)
        BarycenterFeatureUnlearner(
            sensitive_feature_ids="s", method=method
        ).fit_transform(df)
    assert_array_equal(Xs, before)
    pd.testing.assert_frame_equal(df, df_before)


# ---------------------------------------------------------------- bad input
@pytest.fixture
def frame(grouped):
    X, s = grouped
    return pd.DataFrame(
        {"sex": np.array(["F", "M", "X"])[s], "a": X[:, 0], "b": X[:, 1]}
    )


def test_error_nan_and_inf_in_features(frame):
    for bad in (np.nan, np.inf):
        df = frame.copy()
        df.loc[3, "a"] = bad
        with pytest.raises(ValueError, match="NaN|infinity"):
            BarycenterFeatureUnlearner(sensitive_feature_ids="sex").fit(df)


def test_error_unknown_column_name(frame):
    with pytest.raises(ValueError, match="'gender' is not in X.*'sex'"):
        BarycenterFeatureUnlearner(sensitive_feature_ids="gender").fit(frame)


def test_error_sensitive_column_missing_at_transform(frame):
    est = BarycenterFeatureUnlearner(sensitive_feature_ids="sex").fit(frame)
    with pytest.raises(ValueError, match="sex"):
        est.transform(frame.drop(columns="sex"))


def test_error_names_without_frame(grouped):
    X, s = grouped
    with pytest.raises(ValueError, match="no column names"):
        BarycenterFeatureUnlearner(sensitive_feature_ids="sex").fit(_with_s(X, s))


def test_error_no_sensitive_attribute(grouped):
    X, _ = grouped
    with pytest.raises(ValueError, match="No sensitive attribute"):
        BarycenterFeatureUnlearner().fit(X)


def test_error_sensitive_given_twice(grouped):
    X, s = grouped
    est = _unlearner()
    with pytest.raises(ValueError, match="given twice"):
        est.fit(_with_s(X, s), sensitive_features=s)


def test_error_one_group(frame):
    with pytest.raises(ValueError, match="Only one group.*at least two"):
        BarycenterFeatureUnlearner(sensitive_feature_ids="sex").fit(
            frame.assign(sex="F")
        )


def test_error_group_with_one_sample(frame):
    df = frame.copy()
    df.loc[0, "sex"] = "rare"
    with pytest.raises(
        ValueError, match=r"\['rare'\] have \[1\] samples, fewer than 2"
    ):
        BarycenterFeatureUnlearner(sensitive_feature_ids="sex").fit(df)


def test_error_unseen_group_at_transform(frame):
    est = BarycenterFeatureUnlearner(sensitive_feature_ids="sex").fit(frame)
    df = frame.copy()
    df.loc[0, "sex"] = "new"
    with pytest.raises(
        ValueError, match="unseen during fit, e.g. 'new'.*handle_unknown"
    ):
        est.transform(df)


def test_error_non_numeric_feature(frame):
    df = frame.assign(job=["clerk", "chef", "pilot"] * 300)
    with pytest.raises(
        ValueError, match=r"column\(s\) \['job'\]: encode them.*ColumnTransformer"
    ):
        BarycenterFeatureUnlearner(sensitive_feature_ids="sex").fit(df)
    arr = df[["sex", "a", "job"]].to_numpy()
    with pytest.raises(ValueError, match="Non-numeric.*ColumnTransformer"):
        BarycenterFeatureUnlearner(sensitive_feature_ids=[0]).fit(arr)


@pytest.mark.parametrize("level", [-0.1, 1.5])
def test_error_repair_level_out_of_range(frame, level):
    with pytest.raises(InvalidParameterError, match="repair_level.*range"):
        BarycenterFeatureUnlearner(sensitive_feature_ids="sex", repair_level=level).fit(
            frame
        )


def test_error_repair_level_set_after_fit(frame):
    est = BarycenterFeatureUnlearner(sensitive_feature_ids="sex").fit(frame)
    with pytest.raises(InvalidParameterError, match="repair_level"):
        est.set_params(repair_level=2.0).transform(frame)


def test_error_feature_count_mismatch(grouped):
    X, s = grouped
    est = _unlearner().fit(_with_s(X, s))
    with pytest.raises(ValueError, match="X has 4 features, but .* expecting 5"):
        est.transform(_with_s(X[:, :3], s))


def test_error_sparse_input(grouped):
    X, s = grouped
    with pytest.raises(TypeError, match="[Ss]parse"):
        _unlearner().fit(sparse.csr_matrix(_with_s(X, s)))


def test_error_continuous_float_sensitive(grouped):
    X, _ = grouped
    with pytest.raises(ValueError, match="looks continuous.*sensitive_bins"):
        BarycenterFeatureUnlearner(sensitive_feature_ids=[0]).fit(X)


def test_error_missing_sensitive_values(frame):
    df = frame.copy()
    df.loc[2, "sex"] = None
    with pytest.raises(ValueError, match="'sex' contains missing"):
        BarycenterFeatureUnlearner(sensitive_feature_ids="sex").fit(df)


def test_error_bad_weights(grouped):
    X, s = grouped
    with pytest.raises(ValueError, match="weights has shape"):
        _unlearner(weights=[1, 1]).fit(_with_s(X, s))
    with pytest.raises(ValueError, match="nonnegative"):
        _unlearner(weights=[1, -1, 1]).fit(_with_s(X, s))


def test_error_metadata_length(grouped):
    X, s = grouped
    est = BarycenterFeatureUnlearner()
    with pytest.raises(ValueError, match="sensitive_features has 10 samples but X has"):
        est.fit(X, sensitive_features=s[:10])


def test_error_all_columns_sensitive():
    X = np.array([[0, 1], [1, 0], [0, 0], [1, 1]], dtype=float)
    with pytest.raises(ValueError, match="names all of them: no feature would be left"):
        BarycenterFeatureUnlearner(sensitive_feature_ids=[0, 1]).fit(X)


def test_error_method_changed_after_fit(frame):
    est = BarycenterFeatureUnlearner(sensitive_feature_ids="sex").fit(frame)
    with pytest.raises(ValueError, match="call fit again"):
        est.set_params(method="quantile").transform(frame)


@pytest.mark.parametrize("bad", [np.nan, np.inf, -np.inf])
@pytest.mark.parametrize("row", [0, 1, 250])
def test_gaussian_transform_rejects_nan_and_inf_in_any_block(bad, row):
    # the Gaussian path checks finiteness inside its block loop (no extra pass)
    rng = np.random.default_rng(0)
    X = rng.normal(size=(300, 3))
    s = np.arange(300) % 2
    unlearner = BarycenterFeatureUnlearner(
        handle_unknown="identity", method="gaussian"
    ).fit(X, sensitive_features=s)
    X_bad = X.copy()
    X_bad[row, 1] = bad
    s_new = s.copy()
    s_new[1] = 7  # row 1 is of an unknown group: passed through, still checked
    before = X_bad.copy()
    with pytest.raises(ValueError, match="NaN or infinity"):
        unlearner.transform(X_bad, sensitive_features=s_new)
    np.testing.assert_array_equal(X_bad, before)  # input untouched
    with pytest.raises(ValueError, match="NaN|infinity"):
        BarycenterFeatureUnlearner().fit(X_bad, sensitive_features=s)
