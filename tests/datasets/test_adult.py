import re

import numpy as np
import pandas as pd
import pytest
from sklearn.utils import Bunch

from sklearn_unlearn.datasets import load_adult

COLUMNS = [
    "age",
    "workclass",
    "fnlwgt",
    "education",
    "education_num",
    "marital_status",
    "occupation",
    "relationship",
    "race",
    "sex",
    "capital_gain",
    "capital_loss",
    "hours_per_week",
    "native_country",
    "income",
]
NUMERIC = {
    "age",
    "fnlwgt",
    "education_num",
    "capital_gain",
    "capital_loss",
    "hours_per_week",
}
WITH_MISSING = ["workclass", "occupation", "native_country"]
N_ROWS = {"train": 32561, "test": 16281, "all": 48842}
# rows left after dropping missing values, from adult.names
N_COMPLETE = {"train": 30162, "test": 15060, "all": 45222}


def assert_same(left, right):
    """Exact equality of values, dtypes, index and names.

    ``pd.testing.assert_frame_equal`` takes about 0.5 s per categorical column
    of this size under pandas 3, so compare with ``equals`` instead.
    """
    assert type(left) is type(right)
    if isinstance(left, pd.Series):
        assert left.name == right.name
    else:
        assert list(left.columns) == list(right.columns)
    assert left.equals(right)


@pytest.mark.parametrize("subset", ["train", "test", "all"])
def test_shape_columns_and_dtypes(subset):
    bunch = load_adult(subset=subset)
    frame = bunch.frame
    assert frame.shape == (N_ROWS[subset], 15)
    assert list(frame.columns) == COLUMNS
    assert isinstance(frame.index, pd.RangeIndex)
    for name in COLUMNS:
        expected = "int64" if name in NUMERIC else "category"
        assert frame[name].dtype == expected, name
    assert set(frame["income"].cat.categories) == {"<=50K", ">50K"}
    assert set(frame["income"].unique()) == {"<=50K", ">50K"}
    assert set(frame["sex"].unique()) == {"Female", "Male"}


def test_bunch_fields():
    bunch = load_adult()
    assert isinstance(bunch, Bunch)
    assert bunch.feature_names == COLUMNS[:-1]
    assert bunch.target_name == "income"
    assert list(bunch.data.columns) == bunch.feature_names
    assert bunch.target.name == "income"
    assert bunch.target.dtype == "int64"
    assert bunch.sensitive.name == "sex"
    assert_same(bunch.sensitive, bunch.data["sex"])
    assert_same(bunch.data, bunch.frame[bunch.feature_names])
    assert "doi:10.24432/C5XW20" in bunch.DESCR


def test_target_matches_income_and_positive_rate():
    bunch = load_adult()
    np.testing.assert_array_equal(
        bunch.target.to_numpy(), (bunch.frame["income"] == ">50K").to_numpy()
    )
    # 7841 / 32561 in the training file
    assert bunch.target.mean() == pytest.approx(0.2408, abs=1e-3)
    # adult.names: 23.93 % positives over both files
    assert load_adult(subset="all").target.mean() == pytest.approx(0.2393, abs=1e-3)


def test_test_labels_lose_trailing_dot():
    frame = load_adult(subset="test").frame
    assert frame["income"].value_counts().to_dict() == {"<=50K": 12435, ">50K": 3846}


def test_all_is_train_then_test():
    train = load_adult(subset="train").frame
    test = load_adult(subset="test").frame
    both = load_adult(subset="all").frame
    assert_same(both.iloc[: len(train)], train)
    assert_same(both.iloc[len(train) :].reset_index(drop=True), test)


def test_categories_shared_across_subsets():
    train = load_adult(subset="train").frame
    test = load_adult(subset="test").frame
    for name in train.select_dtypes("category").columns:
        assert train[name].dtype == test[name].dtype, name
    # a level present in train only is still a category of test
    assert "Holand-Netherlands" in test["native_country"].cat.categories
    assert not (test["native_country"] == "Holand-Netherlands").any()


@pytest.mark.parametrize("subset", ["train", "test", "all"])
def test_missing_values_and_dropna(subset):
    frame = load_adult(subset=subset).frame
    counts = frame.isna().sum()
    assert (counts[WITH_MISSING] > 0).all()
    assert counts.drop(WITH_MISSING).sum() == 0
    complete = load_adult(subset=subset, dropna=True).frame
    assert complete.shape == (N_COMPLETE[subset], 15)
    assert complete.isna().sum().sum() == 0
    assert isinstance(complete.index, pd.RangeIndex)
    X, y, s = load_adult(subset=subset, dropna=True, return_X_y=True)
    assert len(X) == len(y) == len(s) == N_COMPLETE[subset]


def test_return_X_y():
    X, y, s = load_adult(return_X_y=True)
    assert isinstance(X, pd.DataFrame)
    assert isinstance(y, pd.Series)
    assert isinstance(s, pd.Series)
    assert X.shape == (32561, 14)
    assert "income" not in X.columns
    assert "sex" in X.columns
    assert set(np.unique(y)) == {0, 1}
    assert_same(s, X["sex"])


def test_sensitive_as_list():
    X, _, s = load_adult(return_X_y=True, sensitive=["sex", "race"])
    assert isinstance(s, pd.DataFrame)
    assert list(s.columns) == ["sex", "race"]
    assert_same(s, X[["sex", "race"]])
    bunch = load_adult(sensitive=["age"])
    assert isinstance(bunch.sensitive, pd.DataFrame)


def test_bad_subset():
    with pytest.raises(ValueError, match="'subset' parameter"):
        load_adult(subset="validation")


@pytest.mark.parametrize(
    "sensitive", ["gender", ["sex", "gender"], [], ["sex", "sex"], "income"]
)
def test_bad_sensitive(sensitive):
    msg = re.escape("'sensitive' parameter") + ".*Valid columns are: .*'sex'"
    with pytest.raises(ValueError, match=msg):
        load_adult(sensitive=sensitive)


def test_sensitive_wrong_type():
    with pytest.raises(ValueError, match="'sensitive' parameter"):
        load_adult(sensitive=3)


def test_positional_arguments_rejected():
    with pytest.raises(TypeError):
        load_adult("train")


def test_mutation_does_not_leak_into_next_call():
    bunch = load_adult()
    bunch.frame.loc[0, "age"] = -1
    bunch.frame["sex"] = "Nobody"
    del bunch.data["race"]
    bunch.target.iloc[:] = 7
    X, y, s = load_adult(return_X_y=True)
    X.loc[:, "fnlwgt"] = 0
    s.iloc[0] = "Female"

    fresh = load_adult()
    assert fresh.frame.loc[0, "age"] == 39
    assert fresh.frame.loc[0, "fnlwgt"] == 77516
    assert fresh.frame.loc[0, "sex"] == "Male"
    assert "race" in fresh.data.columns
    assert fresh.target.iloc[0] == 0
    assert fresh.sensitive.iloc[0] == "Male"
