import warnings

import numpy as np
import pytest
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from sklearn_unlearn import BarycenterFeatureUnlearner


@pytest.mark.parametrize("in_pipeline", [False, True])
def test_fit_warnings_name_the_users_line(in_pipeline):
    # the warning is raised several frames deep, under scikit-learn's fit
    # wrappers and this package's roll-back wrapper: it must point here
    rng = np.random.default_rng(0)
    X = np.column_stack(
        [np.arange(200) % 2, rng.integers(0, 3, 200), rng.normal(size=200)]
    )
    model = BarycenterFeatureUnlearner([0], method="gaussian")
    if in_pipeline:
        model = make_pipeline(StandardScaler(), model)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        model.fit(X)
    assert [w.filename for w in caught] == [__file__]
