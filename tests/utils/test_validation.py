"""Input validation helpers: float features from frames."""

import numpy as np
import pytest

from sklearn_unlearn.utils._validation import subset_params, to_float_features


def test_polars_float32_features_stay_float32():
    pl = pytest.importorskip("polars")
    frame = pl.DataFrame(
        {"a": np.arange(4, dtype=np.float32), "b": np.ones(4, np.float32)}
    )
    out = to_float_features(frame)
    assert out.dtype == np.float32 and out.flags.c_contiguous
    mixed = pl.DataFrame({"a": np.arange(4, dtype=np.float32), "b": np.arange(4)})
    assert to_float_features(mixed).dtype == np.float64


def test_non_numeric_frame_columns_are_named():
    import pandas as pd

    frame = pd.DataFrame({"a": [1.0, 2.0], "b": ["x", "y"]})
    with pytest.raises(ValueError, match=r"Non-numeric feature column\(s\) \['b'\]"):
        to_float_features(frame)


def test_subset_params_takes_per_sample_values_only():
    params = {"sample_weight": np.arange(5.0), "other": "x", "pair": [1, 2]}
    out = subset_params(params, np.array([1, 3]), 5)
    np.testing.assert_array_equal(out["sample_weight"], [1.0, 3.0])
    assert out["other"] == "x" and out["pair"] == [1, 2]
