"""Fixtures of the command-line tests: Adult rows as files, a bad-input folder."""

import numpy as np
import pytest

from sklearn_unlearn.datasets import load_adult
from tests.cli._inputs import NUMERIC, bad_input_folder


@pytest.fixture(scope="module")
def people():
    """800 Adult rows: numeric features, sex, a text column and an id."""
    X, y, _ = load_adult(return_X_y=True, dropna=True)
    rows = np.random.default_rng(0).choice(len(X), 800, replace=False)
    frame = X.iloc[np.sort(rows)][NUMERIC + ["sex", "occupation"]].copy()
    frame["married"] = (
        X.iloc[np.sort(rows)]["relationship"].isin(["Husband", "Wife"])
    ).astype(int)
    frame["income"] = y.iloc[np.sort(rows)].to_numpy()
    frame.insert(0, "person_id", np.arange(1000, 1800))
    for column in ("sex", "occupation"):
        frame[column] = frame[column].astype(str)
    return frame.reset_index(drop=True)


@pytest.fixture(params=[".csv", ".parquet"])
def table(request, tmp_path, people):
    """The Adult rows as a CSV, then a Parquet file."""
    path = tmp_path / f"people{request.param}"
    if request.param == ".csv":
        people.to_csv(path, index=False)
    else:
        people.to_parquet(path, index=False)
    return path


@pytest.fixture
def folder(tmp_path, monkeypatch):
    """A folder of inputs, and of paths an output must not be written to."""
    monkeypatch.chdir(bad_input_folder(tmp_path))
    return tmp_path
