import numpy as np
import pandas as pd
import pytest

from sklearn_unlearn.datasets import make_grouped_mixed


def test_shapes_group_sizes_and_column_types():
    X, y, s = make_grouped_mixed(
        1000, n_groups=3, group_weights=[5, 3, 2], n_categories=5, random_state=0
    )
    assert X.shape == (1000, 2 * 5 + 2 + 2 + 1)
    assert X.dtype == np.float64
    np.testing.assert_array_equal(np.bincount(s), [500, 300, 200])
    assert np.any(np.diff(s) < 0)  # rows are shuffled
    assert set(np.unique(y)) == {0, 1}
    one_hot = X[:, :10]
    assert set(np.unique(one_hot)) == {0.0, 1.0}
    np.testing.assert_array_equal(one_hot[:, :5].sum(axis=1), 1)
    np.testing.assert_array_equal(one_hot[:, 5:].sum(axis=1), 1)
    money, counts = X[:, 10:12], X[:, 12:14]
    assert money.min() >= 1e3 and money.max() <= 1e6
    assert np.median(money) < money.mean()  # right-skewed
    assert np.all(counts >= 0) and np.all(counts == np.round(counts))


def test_frame_matches_array():
    X, y, s = make_grouped_mixed(300, n_groups=2, random_state=1)
    frame, y_f, s_f = make_grouped_mixed(300, n_groups=2, as_frame=True, random_state=1)
    assert isinstance(frame, pd.DataFrame) and isinstance(y_f, pd.Series)
    assert list(frame.columns) == ["c0", "c1", "money0", "money1", "count0"] + [
        "count1",
        "cont0",
    ]
    assert isinstance(frame["c0"].dtype, pd.CategoricalDtype)
    np.testing.assert_array_equal(y, y_f.to_numpy())
    np.testing.assert_array_equal(s, s_f.to_numpy())
    np.testing.assert_allclose(X[:, 8:], frame.iloc[:, 2:].to_numpy())
    np.testing.assert_array_equal(X[:, :4].argmax(axis=1), frame["c0"].cat.codes)


def test_reproducible():
    a = make_grouped_mixed(200, random_state=3)
    b = make_grouped_mixed(200, random_state=np.random.RandomState(3))
    for u, v in zip(a, b, strict=True):
        np.testing.assert_array_equal(u, v)
    assert not np.array_equal(a[0], make_grouped_mixed(200, random_state=4)[0])


def test_features_and_label_depend_on_the_group():
    X, y, s = make_grouped_mixed(
        20000, n_groups=3, separation=1.0, label_dependence=1.0, random_state=0
    )
    logs = np.log(X[:, 8])
    means = [logs[s == g].mean() for g in range(3)]
    assert np.ptp(means) > 0.1
    rates = [y[s == g].mean() for g in range(3)]
    assert np.ptp(rates) > 0.05


def test_no_separation_no_dependence():
    X, y, s = make_grouped_mixed(
        20000, separation=0.0, label_dependence=0.0, random_state=0
    )
    for column in (np.log(X[:, 8]), X[:, 10], X[:, 12]):
        means = [column[s == g].mean() for g in range(2)]
        assert abs(means[0] - means[1]) < 0.1 * column.std()
    assert abs(y[s == 0].mean() - y[s == 1].mean()) < 0.03


def test_column_counts_can_be_zero():
    X, y, s = make_grouped_mixed(
        50, n_categorical=0, n_money=0, n_counts=0, n_continuous=1, random_state=0
    )
    assert X.shape == (50, 1)
    X, _, _ = make_grouped_mixed(
        50, n_categorical=1, n_money=0, n_counts=0, n_continuous=0, random_state=0
    )
    assert X.shape == (50, 4)


@pytest.mark.parametrize(
    "kwargs, match",
    [
        ({"n_categories": 1}, "n_categories"),
        ({"separation": -1.0}, "separation"),
        ({"group_weights": [1.0]}, "group_weights"),
        ({"n_samples": 3, "group_weights": [0.9, 0.1]}, "at least 2"),
    ],
)
def test_invalid_parameters(kwargs, match):
    params = {"n_samples": 100, **kwargs}
    with pytest.raises(ValueError, match=match):
        make_grouped_mixed(**params)
