"""Bad inputs to the estimators: a clear error before any work, nothing changed.

Each case names the call, the exception it must raise and a pattern its
message must contain (the parameter or column at fault). For every case the
message is short (no dumped arrays), the input arrays are not modified, and an
estimator whose fit failed has no fitted attribute.
"""

import numpy as np
import pandas as pd
import pytest
from scipy import sparse
from sklearn.linear_model import LogisticRegression
from sklearn.neural_network import MLPClassifier

from sklearn_unlearn import (
    BarycenterFeatureUnlearner,
    BarycenterOutcomeUnlearner,
    DistributionalSelector,
    MarginalUnlearner,
    ShardedUnlearner,
)
from sklearn_unlearn.utils._compat import InvalidParameterError

RNG = np.random.default_rng(0)
N = 120
S = np.arange(N) % 2
X = np.column_stack([S, RNG.normal(size=(N, 3)) + S[:, None]])
Y = (X[:, 1] + RNG.normal(size=N) > 0.5).astype(int)
FRAME = pd.DataFrame(X, columns=["s", "a", "b", "c"])


def _with(value, row=3, col=2):
    bad = X.copy()
    bad[row, col] = value
    return bad


def _fitted_feature():
    return BarycenterFeatureUnlearner(sensitive_feature_ids=[0], random_state=0).fit(X)


def _fitted_outcome():
    return BarycenterOutcomeUnlearner(LogisticRegression(), random_state=0).fit(
        X[:, 1:], Y, sensitive_features=S
    )


def _sharded():
    return ShardedUnlearner(LogisticRegression(), random_state=0).fit(X[:, 1:], Y)


def _mlp():
    return MLPClassifier(hidden_layer_sizes=(3,), max_iter=2000, random_state=0).fit(
        X[:, 1:], Y
    )


FEATURE = BarycenterFeatureUnlearner
OUTCOME = BarycenterOutcomeUnlearner

#: (id, estimator factory, call, inputs the call gets, exception, message pattern)
CASES = [
    # ---- BarycenterFeatureUnlearner: parameters
    (
        "feature method",
        lambda: FEATURE(method="nope"),
        "fit",
        (X,),
        InvalidParameterError,
        "method",
    ),
    (
        "feature repair_level",
        lambda: FEATURE([0], repair_level=1.5),
        "fit",
        (X,),
        InvalidParameterError,
        "repair_level",
    ),
    (
        "feature reg",
        lambda: FEATURE([0], reg=-1.0),
        "fit",
        (X,),
        InvalidParameterError,
        "reg",
    ),
    (
        "feature n_quantiles",
        lambda: FEATURE([0], n_quantiles=1),
        "fit",
        (X,),
        InvalidParameterError,
        "n_quantiles",
    ),
    (
        "feature weights",
        lambda: FEATURE([0], weights="largest"),
        "fit",
        (X,),
        InvalidParameterError,
        "weights",
    ),
    (
        "feature weights length",
        lambda: FEATURE([0], weights=[1.0, 2.0, 3.0]),
        "fit",
        (X,),
        ValueError,
        "weights",
    ),
    (
        "feature label_weight",
        lambda: FEATURE([0], label_weight=-2.0),
        "fit",
        (X,),
        InvalidParameterError,
        "label_weight",
    ),
    (
        "feature random_state",
        lambda: FEATURE([0], random_state="seed"),
        "fit",
        (X,),
        InvalidParameterError,
        "random_state",
    ),
    # ---- BarycenterFeatureUnlearner: where S is
    (
        "feature S position",
        lambda: FEATURE([7]),
        "fit",
        (X,),
        ValueError,
        "sensitive_feature_ids",
    ),
    ("feature S name", lambda: FEATURE(["sex"]), "fit", (FRAME,), ValueError, "sex"),
    (
        "feature S missing",
        lambda: FEATURE(),
        "fit",
        (X,),
        ValueError,
        "sensitive_features",
    ),
    (
        "feature S twice",
        lambda: FEATURE([0]),
        "fit",
        (X, None, S),
        ValueError,
        "sensitive_features",
    ),
    (
        "feature S length",
        lambda: FEATURE(),
        "fit",
        (X, None, S[:50]),
        ValueError,
        "sensitive_features",
    ),
    (
        "feature one group",
        lambda: FEATURE(),
        "fit",
        (X, None, np.zeros(N)),
        ValueError,
        "group",
    ),
    (
        "feature continuous S",
        lambda: FEATURE(),
        "fit",
        (X, None, RNG.normal(size=N)),
        ValueError,
        "sensitive_bins",
    ),
    (
        "feature S with NaN",
        lambda: FEATURE(),
        "fit",
        (X, None, np.where(S == 0, np.nan, 1.0)),
        ValueError,
        "sensitive_features|missing|NaN",
    ),
    # ---- BarycenterFeatureUnlearner: X and y
    ("feature NaN", lambda: FEATURE([0]), "fit", (_with(np.nan),), ValueError, "NaN"),
    (
        "feature inf",
        lambda: FEATURE([0]),
        "fit",
        (_with(np.inf),),
        ValueError,
        "infinity|inf",
    ),
    (
        "feature sparse",
        lambda: FEATURE([0]),
        "fit",
        (sparse.csr_matrix(X),),
        TypeError,
        "sparse|dense",
    ),
    (
        "feature text column",
        lambda: FEATURE(["s"]),
        "fit",
        (FRAME.assign(a="x"),),
        ValueError,
        "a|string|numeric|float",
    ),
    (
        "feature y length",
        lambda: FEATURE([0]),
        "fit",
        (X, Y[:10]),
        ValueError,
        "^y has 10 rows",
    ),
    (
        "feature y NaN",
        lambda: FEATURE([0]),
        "fit",
        (X, np.where(Y == 0, np.nan, 1.0)),
        ValueError,
        "Input y contains NaN",
    ),
    (
        "feature too few rows",
        lambda: FEATURE([0]),
        "fit",
        (X[:1],),
        ValueError,
        "sample",
    ),
    # ---- fitted BarycenterFeatureUnlearner
    (
        "feature transform width",
        _fitted_feature,
        "transform",
        (X[:, :3],),
        ValueError,
        "features",
    ),
    (
        "feature transform NaN",
        _fitted_feature,
        "transform",
        (_with(np.nan),),
        ValueError,
        "NaN",
    ),
    (
        "feature unseen group",
        _fitted_feature,
        "transform",
        (_with(7.0, col=0),),
        ValueError,
        "unseen|group",
    ),
    # ---- BarycenterOutcomeUnlearner
    (
        "outcome estimator",
        lambda: OUTCOME("not an estimator"),
        "fit",
        (X[:, 1:], Y, S),
        InvalidParameterError,
        "estimator",
    ),
    (
        "outcome output_levels",
        lambda: OUTCOME(LogisticRegression(), output_levels=1),
        "fit",
        (X[:, 1:], Y, S),
        InvalidParameterError,
        "output_levels",
    ),
    (
        "outcome n_quantiles",
        lambda: OUTCOME(LogisticRegression(), n_quantiles=0),
        "fit",
        (X[:, 1:], Y, S),
        InvalidParameterError,
        "n_quantiles",
    ),
    (
        "outcome repair_level",
        lambda: OUTCOME(LogisticRegression(), repair_level=-0.1),
        "fit",
        (X[:, 1:], Y, S),
        InvalidParameterError,
        "repair_level",
    ),
    (
        "outcome S missing",
        lambda: OUTCOME(LogisticRegression()),
        "fit",
        (X[:, 1:], Y, None),
        ValueError,
        "sensitive_features",
    ),
    (
        "outcome one group",
        lambda: OUTCOME(LogisticRegression()),
        "fit",
        (X[:, 1:], Y, np.zeros(N)),
        ValueError,
        "group",
    ),
    (
        "outcome weights length",
        lambda: OUTCOME(LogisticRegression(), weights=[1.0]),
        "fit",
        (X[:, 1:], Y, S),
        ValueError,
        "weights",
    ),
    (
        "outcome NaN",
        lambda: OUTCOME(LogisticRegression()),
        "fit",
        (_with(np.nan)[:, 1:], Y, S),
        ValueError,
        "Input X contains NaN",
    ),
    (
        "outcome predict without S",
        _fitted_outcome,
        "predict",
        (X[:, 1:], None, None),
        ValueError,
        "sensitive_features",
    ),
    (
        "outcome unseen group",
        _fitted_outcome,
        "predict",
        (X[:, 1:], None, S + 5),
        ValueError,
        "unseen",
    ),
    (
        "outcome predict width",
        _fitted_outcome,
        "predict",
        (X, None, S),
        ValueError,
        "features",
    ),
    # ---- DistributionalSelector
    (
        "selector budget",
        lambda: DistributionalSelector(budget=1.5),
        "fit",
        (X, None, S == 1),
        InvalidParameterError,
        "budget",
    ),
    (
        "selector criterion",
        lambda: DistributionalSelector("magic"),
        "fit",
        (X, None, S == 1),
        InvalidParameterError,
        "criterion",
    ),
    (
        "selector mask length",
        lambda: DistributionalSelector(),
        "fit",
        (X, None, (S == 1)[:40]),
        ValueError,
        "forget_mask",
    ),
    (
        "selector mask missing",
        lambda: DistributionalSelector(),
        "fit",
        (X, None, None),
        ValueError,
        "forget_mask|domain_column",
    ),
    (
        "selector NaN",
        lambda: DistributionalSelector(),
        "fit",
        (_with(np.nan), None, S == 1),
        ValueError,
        "NaN",
    ),
    # ---- MarginalUnlearner
    (
        "marginal gamma",
        lambda: MarginalUnlearner(_mlp(), gamma=-1.0),
        "fit",
        (X[:, 1:], Y, S == 1),
        InvalidParameterError,
        "gamma",
    ),
    (
        "marginal mask length",
        lambda: MarginalUnlearner(_mlp()),
        "fit",
        (X[:, 1:], Y, (S == 1)[:9]),
        ValueError,
        "forget_mask",
    ),
    (
        "marginal y length",
        lambda: MarginalUnlearner(_mlp()),
        "fit",
        (X[:, 1:], Y[:9], S == 1),
        ValueError,
        "^y has 9 rows",
    ),
    # ---- ShardedUnlearner
    (
        "sharded n_shards",
        lambda: ShardedUnlearner(LogisticRegression(), n_shards=0),
        "fit",
        (X[:, 1:], Y),
        InvalidParameterError,
        "n_shards",
    ),
    (
        "sharded NaN",
        lambda: ShardedUnlearner(LogisticRegression()),
        "fit",
        (_with(np.nan)[:, 1:], Y),
        ValueError,
        "NaN",
    ),
    (
        "sharded y length",
        lambda: ShardedUnlearner(LogisticRegression()),
        "fit",
        (X[:, 1:], Y[:9]),
        ValueError,
        "^y has 9 rows",
    ),
    (
        "sharded forget out of range",
        _sharded,
        "forget",
        (np.array([N + 5]),),
        ValueError,
        "out of range",
    ),
    (
        "sharded forget repeated",
        _sharded,
        "forget",
        (np.array([3, 3]),),
        ValueError,
        "repeated",
    ),
]

_KEYWORD = {
    FEATURE: "sensitive_features",
    OUTCOME: "sensitive_features",
    DistributionalSelector: "forget_mask",
    MarginalUnlearner: "forget_mask",
}


def _call(estimator, method, args):
    """``method(X[, y][, keyword=values])`` with the estimator's keyword."""
    X_, y_, extra = (tuple(args) + (None, None))[:3]
    kwargs = {}
    if extra is not None:
        kwargs[_KEYWORD[type(estimator)]] = extra
    if method == "fit":
        return estimator.fit(X_, y_, **kwargs)
    return getattr(estimator, method)(X_, **kwargs)


@pytest.mark.parametrize("case", CASES, ids=[c[0] for c in CASES])
def test_bad_input_raises_a_clear_error_and_changes_nothing(case):
    _, make, method, args, exception, pattern = case
    estimator = make()
    copies = [a.copy() if hasattr(a, "copy") else a for a in args]
    fitted_before = sorted(k for k in vars(estimator) if k.endswith("_"))
    with pytest.raises(exception, match=pattern) as info:
        _call(estimator, method, args)
    message = str(info.value)
    assert len(message) < 1000, message[:200]
    assert "array([" not in message and "\n [" not in message
    for original, copy in zip(args, copies, strict=True):
        if isinstance(original, np.ndarray):
            np.testing.assert_array_equal(original, copy, strict=True)
        elif isinstance(original, pd.DataFrame):
            pd.testing.assert_frame_equal(original, copy)
        elif sparse.issparse(original):
            assert (original != copy).nnz == 0
    # a failed fit leaves no fitted attribute behind (or the old ones)
    assert sorted(k for k in vars(estimator) if k.endswith("_")) == fitted_before


def test_the_suite_covers_every_public_estimator():
    import sklearn_unlearn

    covered = {type(case[1]()) for case in CASES}
    public = {
        getattr(sklearn_unlearn, name)
        for name in sklearn_unlearn.__all__
        if isinstance(getattr(sklearn_unlearn, name), type)
        and hasattr(getattr(sklearn_unlearn, name), "fit")
    }
    assert public - covered <= {sklearn_unlearn.SelectiveRetrainer}
    assert len(CASES) >= 40
